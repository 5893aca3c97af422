//! Importing spreadsheets: the templates, the upload with its dry run, and the report of problems
//! by sheet, row and column.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{Multipart, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thidua_app::import::{ImportIssue, ImportKind, ImportReport, Phase};
use thidua_app::{App, AppError};

use super::Chrome;
use crate::auth::Caller;
use crate::error::{describe_document, describe_member, describe_org, Problem};
use crate::i18n::T;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An import problem in the reader's language.
pub fn describe_issue(issue: &ImportIssue, t: T) -> String {
    match issue {
        ImportIssue::Unreadable => t.get("import.issue.unreadable").into(),
        ImportIssue::UnpacksTooLarge { max_mib } => t.fmt("import.issue.unpacks_too_large", &[("max", &max_mib.to_string())]),
        ImportIssue::Empty => t.get("import.issue.empty").into(),
        ImportIssue::TooManyRows { max } => t.fmt("import.issue.too_many_rows", &[("max", &t.int(&(*max as usize)))]),
        ImportIssue::MissingColumn => t.get("import.issue.missing_column").into(),
        ImportIssue::NotInList { value, allowed } => t.fmt("import.issue.not_in_list", &[("value", value), ("allowed", allowed)]),
        ImportIssue::UnknownOrg(name) => t.fmt("import.issue.unknown_org", &[("name", name)]),
        ImportIssue::AmbiguousOrg(name) => t.fmt("import.issue.ambiguous_org", &[("name", name)]),
        ImportIssue::OutsideScope(name) => t.fmt("import.issue.outside_scope", &[("name", name)]),
        ImportIssue::DuplicateInFile { first_row } => t.fmt("import.issue.duplicate_in_file", &[("row", &first_row.to_string())]),
        ImportIssue::OrgDiffers { current } => t.fmt("import.issue.org_differs", &[("current", current)]),
        ImportIssue::UnknownMember(cccd) => t.fmt("import.issue.unknown_member", &[("cccd", cccd)]),
        ImportIssue::NameDiffers { recorded } => t.fmt("import.issue.name_differs", &[("name", recorded)]),
        ImportIssue::BadYear(value) => t.fmt("import.issue.bad_year", &[("value", value)]),
        ImportIssue::BeforeAdmission { year } => t.fmt("import.issue.before_admission", &[("year", &year.to_string())]),
        ImportIssue::RoundOpen { year } => t.fmt("import.issue.round_open", &[("year", &year.to_string())]),
        ImportIssue::Org(e) => describe_org(e, t).1,
        ImportIssue::ParentLater(name) => t.fmt("import.issue.parent_later", &[("name", name)]),
        ImportIssue::OneRecipient => t.get("import.issue.one_recipient").into(),
        ImportIssue::WrongRecipient(title) => t.fmt("error.commendation.wrong_recipient", &[("title", title)]),
        ImportIssue::AboveIssuer(title) => t.fmt("error.commendation.above_issuer", &[("title", title)]),
        ImportIssue::Document(e) => describe_document(e, t).1,
        ImportIssue::Member(e) => describe_member(e, t),
    }
}

pub struct ProblemLine {
    pub sheet: String,
    pub row: String,
    pub column: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    c: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    chosen: &'static str,
    /// The outcome of the last upload: a heading, counts and problems.
    outcome: Option<Outcome>,
    /// An import under way: the page reloads itself until it is done.
    running: Option<Running>,
}

/// An import under way, as its page shows it.
pub struct Running {
    pub text: String,
    pub done: u32,
    /// Known while writing; the rows checked so far otherwise.
    pub total: Option<u32>,
}

/// An upload being checked or imported in the background, so its page can show progress.
struct Job {
    owner: String,
    kind: ImportKind,
    dry_run: bool,
    started: Instant,
    /// 0 checking, 1 writing.
    phase: AtomicU32,
    done: AtomicU32,
    total: AtomicU32,
    /// The report, or why the import could not run (status and message, in the uploader's language).
    outcome: Mutex<Option<Result<ImportReport, (StatusCode, String)>>>,
}

/// Jobs by id, kept an hour.
fn jobs() -> &'static Mutex<HashMap<String, Arc<Job>>> {
    static JOBS: OnceLock<Mutex<HashMap<String, Arc<Job>>>> = OnceLock::new();
    JOBS.get_or_init(|| Mutex::new(HashMap::new()))
}

pub struct Outcome {
    pub heading: String,
    pub ok: bool,
    pub counts: String,
    pub problems: Vec<ProblemLine>,
}

fn kind_name(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Members => "import.kind.members",
        ImportKind::Evaluations => "import.kind.evaluations",
        ImportKind::Orgs => "import.kind.orgs",
        ImportKind::Awards => "import.kind.awards",
        ImportKind::Documents => "import.kind.documents",
    }
}

fn page(t: T, caller: &Caller, chosen: ImportKind, outcome: Option<Outcome>) -> ImportPage {
    ImportPage {
        c: Chrome::new(t, "import", "/import", Some(caller)),
        kinds: ImportKind::ALL.iter().map(|k| (k.code(), t.get(kind_name(*k)))).collect(),
        chosen: chosen.code(),
        outcome,
        running: None,
    }
}

pub fn outcome(t: T, report: &ImportReport, dry_run: bool) -> Outcome {
    let counts = t.fmt(
        "import.counts",
        &[
            ("rows", &t.int(&(report.rows as usize))),
            ("created", &t.int(&(report.created as usize))),
            ("updated", &t.int(&(report.updated as usize))),
            ("unchanged", &t.int(&(report.unchanged as usize))),
        ],
    );
    let heading = match (report.problems.is_empty(), dry_run) {
        (false, _) => t.fmt("import.heading.problems", &[("count", &t.int(&report.problems.len()))]),
        (true, true) => t.get("import.heading.dry_run_ok").into(),
        (true, false) => t.get("import.heading.done").into(),
    };
    let problems = report
        .problems
        .iter()
        .map(|p| ProblemLine { sheet: p.sheet.clone(), row: if p.row == 0 { "–".into() } else { p.row.to_string() }, column: p.column.clone(), text: describe_issue(&p.issue, t) })
        .collect();
    Outcome { heading, ok: report.problems.is_empty(), counts, problems }
}

pub async fn form(State(app): State<App>, t: T, caller: Caller) -> Result<ImportPage, Problem> {
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    Ok(page(t, &caller, ImportKind::Members, None))
}

fn kind(raw: &str) -> Result<ImportKind, Problem> {
    ImportKind::from_code(raw.trim()).ok_or_else(|| Problem::BadKind(raw.chars().take(20).collect()))
}

pub async fn template(State(app): State<App>, caller: Caller, Path(raw): Path<String>) -> Result<Response, Problem> {
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    let kind = kind(&raw)?;
    let bytes = app.import_template(kind)?;
    Ok(([(CONTENT_TYPE, XLSX.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"mau-nhap-{}.xlsx\"", kind.code()))], bytes).into_response())
}

/// The upload: checked, and imported unless it is a dry run or something is wrong, in the
/// background; the browser is sent to the job's page, which shows how far it has come.
pub async fn upload(State(app): State<App>, t: T, caller: Caller, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    let (fields, files) = super::documents::read_multipart(multipart).await?;
    let kind = kind(fields.get("kind").map(String::as_str).unwrap_or_default())?;
    let dry_run = fields.contains_key("dry_run");
    let file = files.into_iter().next().ok_or(Problem::App(AppError::File(thidua_app::FileProblem::Empty)))?;
    let id = thidua_app::auth::random_token()?;
    let job = Arc::new(Job {
        owner: caller.principal.username.clone(),
        kind,
        dry_run,
        started: Instant::now(),
        phase: AtomicU32::new(0),
        done: AtomicU32::new(0),
        total: AtomicU32::new(0),
        outcome: Mutex::new(None),
    });
    {
        let mut all = jobs().lock().map_err(|_| Problem::App(AppError::Conflict))?;
        all.retain(|_, j| j.started.elapsed() < Duration::from_secs(3600));
        // One import at a time per person: a second upload waits for the first.
        let running = |j: &Job| j.owner == job.owner && j.outcome.lock().is_ok_and(|o| o.is_none());
        if all.values().any(|j| running(j)) {
            return Err(Problem::App(AppError::Conflict));
        }
        all.insert(id.clone(), job.clone());
    }
    let principal = caller.principal.clone();
    tokio::spawn(async move {
        let progress = |phase: Phase, done: u32| {
            if let Phase::Writing { total } = phase {
                job.phase.store(1, Ordering::Relaxed);
                job.total.store(total, Ordering::Relaxed);
            }
            job.done.store(done, Ordering::Relaxed);
        };
        let result = app.import(&principal, kind, &file.bytes, dry_run, &progress).await.map_err(|e| {
            let problem = Problem::App(e);
            (problem.status(), problem.describe(t).1)
        });
        if let Ok(mut slot) = job.outcome.lock() {
            *slot = Some(result);
        }
    });
    Ok((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, format!("/import/jobs/{id}"))]).into_response())
}

/// An upload's page: its progress while it runs (reloading itself), then its report.
pub async fn job(t: T, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let job = jobs().lock().ok().and_then(|all| all.get(&id).cloned()).filter(|j| j.owner == caller.principal.username).ok_or(Problem::App(AppError::NotFound))?;
    let finished = job.outcome.lock().ok().and_then(|o| o.clone());
    match finished {
        None => {
            let done = job.done.load(Ordering::Relaxed);
            let running = if job.phase.load(Ordering::Relaxed) == 0 {
                Running { text: t.fmt("import.checking", &[("done", &t.int(&(done as usize)))]), done, total: None }
            } else {
                let total = job.total.load(Ordering::Relaxed);
                Running { text: t.fmt("import.writing", &[("done", &t.int(&(done as usize))), ("total", &t.int(&(total as usize)))]), done, total: Some(total) }
            };
            Ok(ImportPage { running: Some(running), ..page(t, &caller, job.kind, None) }.into_response())
        }
        Some(Ok(report)) => {
            let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, page(t, &caller, job.kind, Some(outcome(t, &report, job.dry_run)))).into_response())
        }
        Some(Err((status, message))) => Ok((status, page(t, &caller, job.kind, Some(Outcome { heading: message, ok: false, counts: String::new(), problems: Vec::new() }))).into_response()),
    }
}
