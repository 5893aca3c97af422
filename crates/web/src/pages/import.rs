//! Importing spreadsheets: the templates, the upload with its dry run, and the report of problems
//! by sheet, row and column.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thidua_app::import::{ImportIssue, ImportKind, ImportReport};
use thidua_app::{App, AppError};

use super::Chrome;
use crate::auth::Caller;
use crate::error::{describe_member, Problem};
use crate::i18n::T;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An import problem in the reader's language.
pub fn describe_issue(issue: &ImportIssue, t: T) -> String {
    match issue {
        ImportIssue::Unreadable => t.get("import.issue.unreadable").into(),
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
        ImportIssue::NoGrassroots => t.get("import.issue.no_grassroots").into(),
        ImportIssue::RoundOpen { year } => t.fmt("import.issue.round_open", &[("year", &year.to_string())]),
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
    }
}

fn page(t: T, caller: &Caller, chosen: ImportKind, outcome: Option<Outcome>) -> ImportPage {
    ImportPage {
        c: Chrome::new(t, "import", "/import", Some(caller)),
        kinds: ImportKind::ALL.iter().map(|k| (k.code(), t.get(kind_name(*k)))).collect(),
        chosen: chosen.code(),
        outcome,
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
    if app.editable_member_orgs(&caller.principal).await?.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    Ok(page(t, &caller, ImportKind::Members, None))
}

fn kind(raw: &str) -> Result<ImportKind, Problem> {
    ImportKind::from_code(raw.trim()).ok_or_else(|| Problem::BadKind(raw.chars().take(20).collect()))
}

pub async fn template(State(app): State<App>, caller: Caller, Path(raw): Path<String>) -> Result<Response, Problem> {
    if app.editable_member_orgs(&caller.principal).await?.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    let kind = kind(&raw)?;
    let bytes = app.import_template(kind)?;
    Ok(([(CONTENT_TYPE, XLSX.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"mau-nhap-{}.xlsx\"", kind.code()))], bytes).into_response())
}

/// The upload: checked, and imported unless it is a dry run or something is wrong.
pub async fn upload(State(app): State<App>, t: T, caller: Caller, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    let (fields, files) = super::documents::read_multipart(multipart).await?;
    let kind = kind(fields.get("kind").map(String::as_str).unwrap_or_default())?;
    let dry_run = fields.contains_key("dry_run");
    let file = files.into_iter().next().ok_or(Problem::App(AppError::File(thidua_app::FileProblem::Empty)))?;
    let report = app.import(&caller.principal, kind, &file.bytes, dry_run, &|_, _| {}).await?;
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page(t, &caller, kind, Some(outcome(t, &report, dry_run)))).into_response())
}
