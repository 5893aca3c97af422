//! Pages of commendation: dossiers and their steps, decisions and revocations, the award registry
//! with its statistics, eligibility in bulk, the catalog and rules, and people with their
//! initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::commendation::{DossierView, NewDecision, NewDossier, NewInitiative, NewPerson, NewRevocation, NomineeRef, RegistryFilter, RegistryLine, StepInput};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::access::Action;
use thidua_core::commendation::{AwardLevel, Check, Condition, DossierAction, DossierState, Eligibility, Missing, Outcome, Record, Rulebook, Verdict};
use thidua_core::date::{format_date, parse_date};
use thidua_core::org::OrgId;
use thidua_office::{Cell, Sheet};

use super::emulation::{answer, see_other, FormState};
use super::picker::{shown_while_searching, Noun, Picker};
use super::{date_cell, more_after, page_param, page_window, parse_id, slice_page, today, Chrome, Export, Link, Pager};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

type Values = Result<Form<Vec<(String, String)>>, FormRejection>;

// ---------------------------------------------------------------------------------------------
// Explanations in words, shared with the API.

fn title_name(book: &Rulebook, code: &str) -> String {
    book.entry(code).map(|e| e.name.clone()).unwrap_or_else(|| code.to_owned())
}

pub fn describe_condition(t: T, book: &Rulebook, c: &Condition) -> String {
    let n = |v: &dyn ToString| v.to_string();
    match c {
        // One year reads "in the year judged", more "N years running".
        Condition::HeldTitle { title, years } => t.fmt(if *years == 1 { "cond.held_title_one" } else { "cond.held_title" }, &[("title", &title_name(book, title)), ("years", &n(years))]),
        Condition::EvaluationStreak { years, at_least } => {
            t.fmt(if *years == 1 { "cond.evaluation_streak_one" } else { "cond.evaluation_streak" }, &[("years", &n(years)), ("level", at_least.abbreviation())])
        }
        Condition::Initiative { at_least, years } => t.fmt(
            if *years == 1 { "cond.initiative_one" } else { "cond.initiative" },
            &[("level", t.get(&format!("award_level.{}", at_least.code()))), ("years", &n(years))],
        ),
        Condition::NoDiscipline { at_least, years } => t.fmt(
            if *years == 1 { "cond.no_discipline_one" } else { "cond.no_discipline" },
            &[("form", t.get(&format!("discipline.{}", at_least.code()))), ("years", &n(years))],
        ),
        Condition::MemberShare { title, pct, strict } => {
            t.fmt(if *strict { "cond.member_share_strict" } else { "cond.member_share" }, &[("title", &title_name(book, title)), ("pct", &n(pct))])
        }
        Condition::MemberLevelShare { at_least, pct } => t.fmt("cond.member_level_share", &[("level", at_least.abbreviation()), ("pct", &n(pct))]),
        Condition::MemberCount { title, count } => t.fmt("cond.member_count", &[("title", &title_name(book, title)), ("count", &n(count))]),
        Condition::NoMemberDiscipline { at_least } => t.fmt("cond.no_member_discipline", &[("form", t.get(&format!("discipline.{}", at_least.code())))]),
        Condition::Vote { pct, base } => t.fmt("cond.vote", &[("pct", &n(pct)), ("base", t.get(&format!("base.{}", base.code())))]),
        Condition::Cap { of_title, pct } => t.fmt("cond.cap", &[("title", &title_name(book, of_title)), ("pct", &n(pct))]),
    }
}

pub fn describe_record(t: T, book: &Rulebook, r: &Record) -> String {
    let of = |o: &Option<String>| o.as_ref().map(|x| format!(" ({x})")).unwrap_or_default();
    match r {
        Record::Level { year, level, of: who } => format!("{year}: {}{}", level.abbreviation(), of(who)),
        Record::Title { year, title, decision, of: who } => t.fmt("record.title", &[("year", &year.to_string()), ("title", &title_name(book, title)), ("decision", decision)]) + &of(who),
        Record::Initiative { year, level, name } => t.fmt("record.initiative", &[("year", &year.to_string()), ("level", t.get(&format!("award_level.{}", level.code()))), ("name", name)]),
        Record::Discipline { year, form } => format!("{year}: {}", t.get(&format!("discipline.{}", form.code()))),
        Record::Count { count, of } => t.fmt("record.count", &[("count", &t.int(&(*count as usize))), ("of", &t.int(&(*of as usize)))]),
        Record::Vote { yes, electorate, cast, poll, .. } => t.fmt("record.vote", &[("yes", &t.int(&(*yes as usize))), ("electorate", &t.int(&(*electorate as usize))), ("cast", &t.int(&(*cast as usize))), ("poll", poll)]),
    }
}

pub fn describe_missing(t: T, m: &Missing) -> String {
    match m {
        Missing::Evaluation { year } => t.fmt("missing.evaluation", &[("year", &year.to_string())]),
        Missing::Members => t.get("missing.members").into(),
        Missing::Vote => t.get("missing.vote").into(),
        Missing::NotEvaluated => t.get("missing.not_evaluated").into(),
        Missing::Title { year } => t.fmt("missing.title", &[("year", &year.to_string())]),
        Missing::MemberEvaluations { year, count } => t.fmt("missing.member_evaluations", &[("year", &year.to_string()), ("count", &t.int(&(*count as usize)))]),
    }
}

pub fn verdict_label(t: T, v: Verdict) -> &'static str {
    t.get(&format!("verdict.{}", match v {
        Verdict::Eligible => "eligible",
        Verdict::NotEligible => "not_eligible",
        Verdict::NeedsData => "needs_data",
        Verdict::NoRule => "no_rule",
    }))
}

/// One condition as a page shows it.
pub struct CheckLine {
    pub text: String,
    pub mark: &'static str,
    pub used: Vec<String>,
    pub missing: Vec<String>,
}

pub struct Explanation {
    pub verdict: String,
    pub eligible: bool,
    pub source: String,
    pub checks: Vec<CheckLine>,
}

pub fn explain(t: T, book: &Rulebook, e: &Eligibility) -> Explanation {
    Explanation {
        verdict: verdict_label(t, e.verdict).into(),
        eligible: e.verdict == Verdict::Eligible,
        source: match &e.source {
            Some(s) => t.fmt("eligibility.source", &[("source", s), ("version", &e.rulebook)]),
            None => t.get("verdict.no_rule_hint").into(),
        },
        checks: e.checks.iter().map(|c: &Check| CheckLine {
            text: describe_condition(t, book, &c.condition),
            mark: match c.outcome {
                Outcome::Held => "✓",
                Outcome::NotHeld => "✗",
                Outcome::NeedsData => "?",
            },
            used: c.used.iter().map(|r| describe_record(t, book, r)).collect(),
            missing: c.missing.iter().map(|m| describe_missing(t, m)).collect(),
        }).collect(),
    }
}

fn state_label(t: T, s: DossierState) -> &'static str {
    t.get(&format!("dossier.state.{}", s.code()))
}

/// Reads `org:1`, `person:2` or `member:3`.
pub fn parse_nominee(raw: &str) -> Option<NomineeRef> {
    let (kind, id) = raw.trim().split_once(':')?;
    let id: i64 = id.parse().ok().filter(|n| *n > 0)?;
    match kind {
        "org" => Some(NomineeRef::Org(OrgId(id))),
        "person" => Some(NomineeRef::Person(id)),
        "member" => Some(NomineeRef::Member(thidua_core::member::MemberId(id))),
        _ => None,
    }
}

fn year_field(f: &FormState, key: &'static str) -> Result<i16, AppError> {
    f.val(key).trim().parse::<i16>().ok().filter(|y| (1945..=2100).contains(y)).ok_or_else(|| AppError::Invalid(vec![FieldProblem::new(key, Invalid::OutOfRange)]))
}

fn date_field(f: &FormState, key: &'static str) -> Result<jiff::civil::Date, AppError> {
    let raw = f.val(key).trim();
    parse_date(raw).ok_or_else(|| AppError::Invalid(vec![FieldProblem::new(key, if raw.is_empty() { Invalid::Required } else { Invalid::BadDate })]))
}

fn download(content_type: &'static str, name: String, bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes).into_response()
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn title_choices(book: &Rulebook) -> Vec<(String, String)> {
    book.catalog.iter().map(|e| (e.code.clone(), e.name.clone())).collect()
}

// ---------------------------------------------------------------------------------------------
// Dossiers.

pub struct DossierLine {
    pub link: Link,
    pub year: i16,
    pub title: String,
    pub state: &'static str,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dossiers.html")]
pub struct DossiersPage {
    c: Chrome,
    /// The query of this page, for its download links.
    export_query: String,
    rows: Vec<DossierLine>,
    pager: Pager,
    /// Where a dossier starts, and whose letters to download.
    proposer: Picker,
    letter_proposer: Picker,
    year: String,
}

#[derive(Deserialize)]
pub struct DossiersQuery {
    year: Option<String>,
    proposer: Option<String>,
    proposer_q: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// Dossiers on a page of the list.
const DOSSIERS_PAGE: i64 = 100;

pub async fn dossiers(State(app): State<App>, t: T, caller: Caller, query: Result<Query<DossiersQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let export = Export::requested(q.format.as_deref())?;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => Some(y.parse::<i16>().map_err(|_| Problem::BadYear(y.chars().take(10).collect()))?),
        None => None,
    };
    let page = page_param(q.page.as_deref())?;
    let (list, more) = match export {
        Some(_) => (app.dossiers(&caller.principal, year).await?, false),
        None => {
            let mut list = app.dossiers_page(&caller.principal, year, Some(page_window(page, DOSSIERS_PAGE))).await?;
            let more = more_after(&mut list, DOSSIERS_PAGE);
            (list, more)
        }
    };
    let orgs: std::collections::BTreeSet<OrgId> = list.iter().flat_map(|(d, _, _)| [d.at_org, d.proposer]).collect();
    let names = app.org_names(&orgs).await?;
    if let Some(export) = export {
        let sheet = Sheet {
            name: t.get("dossiers.title").into(),
            title: Some(t.get("dossiers.title").into()),
            headers: ["export.year", "export.award", "export.nominee", "export.proposer", "export.state", "export.at"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![8.0, 40.0, 36.0, 36.0, 16.0, 36.0],
            rows: list
                .iter()
                .map(|(d, name, title)| {
                    let org = |o: &OrgId| Cell::Text(names.get(o).cloned().unwrap_or_default());
                    vec![Cell::Int(i64::from(d.year)), Cell::Text(title.clone()), Cell::Text(name.clone()), org(&d.proposer), Cell::Text(state_label(t, d.state).into()), org(&d.at_org)]
                })
                .collect(),
        };
        return export.respond("ho-so-de-nghi-khen-thuong", sheet);
    }
    let proposers = app.commendation_orgs(&caller.principal, Action::ProposeCommendation).await?;
    let proposer = Picker::orgs(t, "proposer", proposers, q.proposer.as_deref().unwrap_or_default(), q.proposer_q.as_deref().unwrap_or_default());
    Ok(DossiersPage {
        pager: Pager::new(t, page, DOSSIERS_PAGE, list.len(), more, |n| format!("/dossiers?{}page={n}", year.map(|y| format!("year={y}&")).unwrap_or_default())),
        export_query: year.map(|y| format!("year={y}")).unwrap_or_default(),
        c: Chrome::new(t, "commendation", "/dossiers", Some(&caller)),
        rows: list
            .into_iter()
            .map(|(d, name, title)| DossierLine {
                link: Link { href: format!("/dossiers/{}", d.id), text: name },
                year: d.year,
                title,
                state: state_label(t, d.state),
                at: names.get(&d.at_org).cloned().unwrap_or_default(),
            })
            .collect(),
        proposer: proposer.clone().finding_at("/dossiers"),
        letter_proposer: proposer.with_id("letter-proposer").finding_at("/dossiers"),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "dossier_form.html")]
pub struct DossierFormPage {
    c: Chrome,
    proposer: String,
    proposer_name: String,
    titles: Vec<(String, String)>,
    /// The proposer's collectives and people.
    nominee: Picker,
    f: FormState,
}

#[derive(Deserialize)]
pub struct ProposerQuery {
    proposer: Option<String>,
}

async fn dossier_form(app: &App, t: T, caller: &Caller, proposer: OrgId, f: FormState) -> Result<DossierFormPage, Problem> {
    let choices = app.commendation_orgs(&caller.principal, Action::ProposeCommendation).await?;
    let proposer_name = choices.iter().find(|(o, _)| *o == proposer).map(|(_, n)| n.clone()).ok_or(Problem::App(AppError::Forbidden))?;
    let (_, book) = app.commendation_rules().await?;
    let f = if f.pairs().is_empty() {
        let now = today();
        FormState::sent(vec![("year".into(), (if now.month() >= 10 { now.year() } else { now.year() - 1 }).to_string())])
    } else {
        f
    };
    let mut nominees: Vec<(String, String)> = app.collectives_in(&caller.principal, proposer).await?.into_iter().map(|(o, n, _)| (format!("org:{}", o.0), n)).collect();
    nominees.extend(app.people_in(&caller.principal, proposer).await?.into_iter().map(|(n, name)| (n.code(), name)));
    Ok(DossierFormPage {
        c: Chrome::new(t, "commendation", "/dossiers/new", Some(caller)),
        proposer: proposer.0.to_string(),
        proposer_name,
        titles: title_choices(&book),
        nominee: Picker::new(t, Noun::Nominee, "nominee", nominees, f.val("nominee"), f.val("nominee_q")).with_blank(),
        f,
    })
}

pub async fn new_dossier(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ProposerQuery>, QueryRejection>) -> Result<DossierFormPage, Problem> {
    let Query(q) = query?;
    let proposer = OrgId(parse_id(q.proposer.as_deref().unwrap_or_default())?);
    dossier_form(&app, t, &caller, proposer, FormState::default()).await
}

pub async fn create_dossier(State(app): State<App>, t: T, caller: Caller, form: Values) -> Result<Response, Problem> {
    let Form(values) = form?;
    let f = FormState::sent(values);
    let proposer = OrgId(parse_id(f.val("proposer"))?);
    if let Some(shown) = shown_while_searching(&[f.val("nominee_q")], async || dossier_form(&app, t, &caller, proposer, f.clone()).await, |p| p.nominee.pending).await? {
        return Ok(shown);
    }
    let outcome = async {
        let nominee = parse_nominee(f.val("nominee")).ok_or_else(|| AppError::Invalid(vec![FieldProblem::new("nominee", Invalid::Required)]))?;
        let new = NewDossier { year: year_field(&f, "year")?, title: f.val("title").trim().to_owned(), nominee, proposer, achievements: f.val("achievements").to_owned() };
        app.create_dossier(&caller.principal, &new).await.map(|id| format!("/dossiers/{id}"))
    }
    .await;
    answer(t, f, outcome, async |f| dossier_form(&app, t, &caller, proposer, f).await).await
}

pub struct StepLine {
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dossier.html")]
pub struct DossierPage {
    c: Chrome,
    id: i64,
    version: i64,
    nominee: String,
    person_href: Option<String>,
    title: String,
    year: i16,
    state: &'static str,
    state_code: &'static str,
    proposer: String,
    at_org: String,
    achievements: String,
    return_reason: Option<String>,
    documents: Vec<String>,
    files: Vec<Link>,
    captured: Option<Explanation>,
    current: Explanation,
    vote: Option<String>,
    steps: Vec<StepLine>,
    titles: Vec<(String, String)>,
    actions_proposer: Vec<(&'static str, &'static str)>,
    actions_handler: Vec<(&'static str, &'static str)>,
    editable: bool,
    may_propose: bool,
    award: Option<String>,
    f: FormState,
}

async fn dossier_page(app: &App, t: T, caller: &Caller, id: i64, f: Option<FormState>) -> Result<DossierPage, Problem> {
    let v: DossierView = app.dossier_view(&caller.principal, id).await?;
    let (_, book) = app.commendation_rules().await?;
    let start = vec![("title".to_owned(), v.row.title.clone()), ("achievements".to_owned(), v.row.achievements.clone())];
    let f = match f {
        Some(f) => f.with_defaults(start),
        None => FormState::sent(start),
    };
    let actions = |by_proposer: bool| -> Vec<(&'static str, &'static str)> {
        DossierAction::ALL
            .into_iter()
            .filter(|a| a.by_proposer() == by_proposer && *a != DossierAction::Decide && v.row.state.after(*a).is_some())
            .map(|a| (a.code(), t.get(&format!("dossier.action.{}", a.code()))))
            .collect()
    };
    let steps = v
        .steps
        .iter()
        .map(|s| {
            let when = jiff::Timestamp::from_second(s.at_unix).map(|ts| format_date(jiff::tz::Offset::constant(7).to_datetime(ts).date())).unwrap_or_default();
            let reason = s.reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default();
            StepLine { text: format!("{when}: {} ({}){reason}", state_label(t, s.to), s.actor) }
        })
        .collect();
    let person_href = match v.row.nominee {
        thidua_app::commendation::Nominee::Person(p) => Some(format!("/people/{p}")),
        thidua_app::commendation::Nominee::Org(_) => None,
    };
    Ok(DossierPage {
        c: Chrome::new(t, "commendation", &format!("/dossiers/{id}"), Some(caller)),
        id,
        version: v.row.version,
        nominee: v.nominee_name.clone(),
        person_href,
        title: v.title_name.clone(),
        year: v.row.year,
        state: state_label(t, v.row.state),
        state_code: v.row.state.code(),
        proposer: v.proposer_name.clone(),
        at_org: v.at_org_name.clone(),
        achievements: v.row.achievements.clone(),
        return_reason: v.row.return_reason.clone(),
        documents: v.entry.as_ref().map(|e| e.documents.clone()).unwrap_or_default(),
        files: v.files.iter().map(|x| Link { href: format!("/dossiers/{id}/files/{}", x.id), text: format!("{} ({} KiB)", x.name, (x.size + 1023) / 1024) }).collect(),
        captured: v.captured.as_ref().map(|e| explain(t, &book, e)),
        current: explain(t, &book, &v.current),
        vote: v.vote.as_ref().map(|x| t.fmt("record.vote", &[("yes", &t.int(&(x.yes as usize))), ("electorate", &t.int(&(x.electorate as usize))), ("cast", &t.int(&(x.cast as usize))), ("poll", &x.poll)])),
        steps,
        titles: title_choices(&book),
        actions_proposer: if v.may_propose { actions(true) } else { Vec::new() },
        actions_handler: if v.may_handle { actions(false) } else { Vec::new() },
        editable: v.row.state.editable() && v.may_propose,
        may_propose: v.may_propose,
        award: v.row.award.map(|a| format!("/awards/{a}/certificate.docx")),
        f,
    })
}

pub async fn dossier(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DossierPage, Problem> {
    dossier_page(&app, t, &caller, parse_id(&id)?, None).await
}

fn version(f: &FormState) -> Result<i64, Problem> {
    f.val("version").trim().parse::<i64>().map_err(|_| Problem::BadRequest("version".into()))
}

pub async fn edit_dossier(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = app.edit_dossier(&caller.principal, id, version(&f)?, f.val("title").trim(), f.val("achievements")).await.map(|()| format!("/dossiers/{id}"));
    answer(t, f, outcome, async |f| dossier_page(&app, t, &caller, id, Some(f)).await).await
}

pub async fn dossier_step(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let action = DossierAction::from_code(f.val("action").trim()).ok_or_else(|| Problem::BadKind(f.val("action").chars().take(20).collect()))?;
    let poll = match (f.val("poll").trim(), f.val("option").trim()) {
        ("", _) => None,
        (p, o) => Some((parse_id(p)?, o.parse::<i64>().map_err(|_| Problem::BadId(o.chars().take(20).collect()))?)),
    };
    let input = StepInput { reason: Some(f.val("reason").to_owned()).filter(|r| !r.trim().is_empty()), poll };
    let outcome = app.dossier_step(&caller.principal, id, version(&f)?, action, &input).await.map(|()| format!("/dossiers/{id}"));
    answer(t, f, outcome, async |f| dossier_page(&app, t, &caller, id, Some(f)).await).await
}

pub async fn copy_dossier(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let new = app.copy_dossier(&caller.principal, parse_id(&id)?).await?;
    Ok(see_other(format!("/dossiers/{new}")))
}

pub async fn upload(State(app): State<App>, caller: Caller, Path(id): Path<String>, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let (_, files) = super::documents::read_multipart(multipart).await?;
    let file = files.into_iter().next().ok_or(Problem::App(AppError::File(thidua_app::FileProblem::Empty)))?;
    app.add_dossier_file(&caller.principal, id, &file).await?;
    Ok(see_other(format!("/dossiers/{id}")))
}

pub async fn file(State(app): State<App>, caller: Caller, Path((id, file)): Path<(String, String)>) -> Result<Response, Problem> {
    let (name, content_type, bytes) = app.dossier_file(&caller.principal, parse_id(&id)?, parse_id(&file)?).await?;
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    Ok(([(CONTENT_TYPE, content_type), (CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\""))], bytes).into_response())
}

#[derive(Deserialize)]
pub struct SubmissionQuery {
    proposer: Option<String>,
    year: Option<String>,
    kind: Option<String>,
}

/// The submission letter (tờ trình) or the list of nominees of a unit's year, as docx.
pub async fn submission(State(app): State<App>, caller: Caller, query: Result<Query<SubmissionQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let proposer = OrgId(parse_id(q.proposer.as_deref().unwrap_or_default())?);
    let raw = q.year.unwrap_or_default();
    let year = raw.trim().parse::<i16>().map_err(|_| Problem::BadYear(raw.chars().take(10).collect()))?;
    let list = match q.kind.as_deref() {
        Some("list") => true,
        None | Some("letter") => false,
        Some(other) => return Err(Problem::BadKind(other.chars().take(20).collect())),
    };
    let bytes = app.submission_docx(&caller.principal, proposer, year, list).await?;
    Ok(download(DOCX, format!("{}-{year}.docx", if list { "danh-sach-de-nghi" } else { "to-trinh" }), bytes))
}

// ---------------------------------------------------------------------------------------------
// Decisions.

pub struct DecisionLine {
    pub link: Link,
    pub date: String,
    pub issuer: String,
    pub summary: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "decisions.html")]
pub struct DecisionsPage {
    c: Chrome,
    rows: Vec<DecisionLine>,
    pager: Pager,
    issuers: Picker,
    issuer: String,
    ready: Vec<(String, String)>,
    f: FormState,
}

#[derive(Deserialize)]
pub struct IssuerQuery {
    issuer: Option<String>,
    issuer_q: Option<String>,
    format: Option<String>,
    page: Option<String>,
}

const DECISIONS_PAGE: i64 = 100;

async fn decisions_page(app: &App, t: T, caller: &Caller, issuer: Option<OrgId>, query: &str, page: i64, f: FormState) -> Result<DecisionsPage, Problem> {
    let issuers = app.commendation_orgs(&caller.principal, Action::DecideCommendation).await?;
    let issuer = issuer.or_else(|| issuers.iter().min_by_key(|(_, n)| thidua_core::vi::collation_key(n)).map(|(o, _)| *o));
    let ready = match issuer {
        Some(o) if issuers.iter().any(|(x, _)| *x == o) => app.decidable(&caller.principal, o).await?.into_iter().map(|(d, name, title)| (d.id.to_string(), format!("{name} — {title} {}", d.year))).collect(),
        _ => Vec::new(),
    };
    let f = if f.pairs().is_empty() { FormState::sent(vec![("decided_on".into(), format_date(today()))]) } else { f };
    let mut rows = app.decisions(&caller.principal, Some(page_window(page, DECISIONS_PAGE))).await?;
    let more = more_after(&mut rows, DECISIONS_PAGE);
    // The pages keep the issuer chosen below, so that paging does not lose the form's choice.
    let chosen = issuer.map(|o| format!("issuer={}&", o.0)).unwrap_or_default();
    Ok(DecisionsPage {
        c: Chrome::new(t, "commendation", "/decisions", Some(caller)),
        pager: Pager::new(t, page, DECISIONS_PAGE, rows.len(), more, |n| format!("/decisions?{chosen}page={n}")),
        rows: rows
            .into_iter()
            .map(|(d, issuer)| DecisionLine { link: Link { href: format!("/decisions/{}", d.id), text: d.number_symbol }, date: format_date(d.decided_on), issuer, summary: d.summary })
            .collect(),
        issuers: Picker::orgs(t, "issuer", issuers, &issuer.map(|o| o.0.to_string()).unwrap_or_default(), query).with_id("issuer-pick"),
        issuer: issuer.map(|o| o.0.to_string()).unwrap_or_default(),
        ready,
        f,
    })
}

pub async fn decisions(State(app): State<App>, t: T, caller: Caller, query: Result<Query<IssuerQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    if let Some(export) = Export::requested(q.format.as_deref())? {
        let sheet = Sheet {
            name: t.get("decisions.title").into(),
            title: Some(t.get("decisions.title").into()),
            headers: ["export.decision", "export.decided_on", "export.issuer", "decision.signer", "decision.summary"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![22.0, 12.0, 36.0, 24.0, 60.0],
            rows: app
                .decisions(&caller.principal, None)
                .await?
                .into_iter()
                .map(|(d, issuer)| vec![Cell::Text(d.number_symbol), date_cell(Some(d.decided_on)), Cell::Text(issuer), Cell::Text(d.signer), Cell::Text(d.summary)])
                .collect(),
        };
        return export.respond("quyet-dinh-khen-thuong", sheet);
    }
    let issuer = q.issuer.as_deref().filter(|s| !s.trim().is_empty()).map(parse_id).transpose()?.map(OrgId);
    let page = page_param(q.page.as_deref())?;
    Ok(decisions_page(&app, t, &caller, issuer, q.issuer_q.as_deref().unwrap_or_default(), page, FormState::default()).await?.into_response())
}

pub async fn create_decision(State(app): State<App>, t: T, caller: Caller, form: Values) -> Result<Response, Problem> {
    let Form(values) = form?;
    let f = FormState::sent(values);
    let issuer = OrgId(parse_id(f.val("issuer"))?);
    let outcome = async {
        let dossiers: Vec<i64> = f.pairs().iter().filter(|(k, _)| k == "dossier").filter_map(|(_, v)| v.parse().ok()).collect();
        let new = NewDecision {
            issuer,
            number_symbol: f.val("number_symbol").to_owned(),
            decided_on: date_field(&f, "decided_on")?,
            signer: f.val("signer").to_owned(),
            summary: f.val("summary").to_owned(),
            dossiers,
            awards: Vec::new(),
        };
        app.record_decision(&caller.principal, &new).await.map(|id| format!("/decisions/{id}"))
    }
    .await;
    answer(t, f, outcome, async |f| decisions_page(&app, t, &caller, Some(issuer), "", 0, f).await).await
}

pub struct AwardLine {
    pub id: i64,
    pub recipient: String,
    pub recipient_href: Option<String>,
    pub title: String,
    pub year: i16,
    pub decision: Link,
    pub revoked: Option<String>,
}

fn award_line(t: T, l: &RegistryLine) -> AwardLine {
    AwardLine {
        id: l.award.id,
        recipient: l.recipient.clone(),
        recipient_href: match l.award.nominee {
            thidua_app::commendation::Nominee::Person(p) => Some(format!("/people/{p}")),
            thidua_app::commendation::Nominee::Org(o) => Some(format!("/orgs/{}", o.0)),
        },
        title: l.title_name.clone(),
        year: l.award.year,
        decision: Link { href: format!("/decisions/{}", l.award.decision.id), text: format!("{} ({}, {})", l.award.decision.number_symbol, l.issuer_name, format_date(l.award.decision.decided_on)) },
        revoked: l.award.revocation.as_ref().map(|r| t.fmt("award.revoked_line", &[("date", &format_date(r.decided_on)), ("decision", &r.decision), ("reason", &r.reason), ("recovery", &r.recovery)])),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "decision.html")]
pub struct DecisionPage {
    c: Chrome,
    number: String,
    date: String,
    issuer: String,
    signer: String,
    summary: String,
    awards: Vec<AwardLine>,
    may_revoke: bool,
    f: FormState,
}

async fn decision_page(app: &App, t: T, caller: &Caller, id: i64, f: Option<FormState>) -> Result<DecisionPage, Problem> {
    let (d, issuer, lines) = app.decision_view(&caller.principal, id).await?;
    let may_revoke = app.commendation_orgs(&caller.principal, Action::DecideCommendation).await?.iter().any(|(o, _)| *o == d.issuer);
    let f = f.unwrap_or_else(|| FormState::sent(vec![("decided_on".into(), format_date(today()))]));
    Ok(DecisionPage {
        c: Chrome::new(t, "commendation", &format!("/decisions/{id}"), Some(caller)),
        number: d.number_symbol,
        date: format_date(d.decided_on),
        issuer,
        signer: d.signer,
        summary: d.summary,
        awards: lines.iter().map(|l| award_line(t, l)).collect(),
        may_revoke,
        f,
    })
}

pub async fn decision(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DecisionPage, Problem> {
    decision_page(&app, t, &caller, parse_id(&id)?, None).await
}

pub async fn revoke(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let award = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let decision = app.registry_award_decision(&caller.principal, award).await?;
    let outcome = async {
        let r = NewRevocation { decided_on: date_field(&f, "decided_on")?, decision: f.val("decision").to_owned(), reason: f.val("reason").to_owned(), recovery: f.val("recovery").to_owned() };
        app.revoke_award(&caller.principal, award, &r).await.map(|()| format!("/decisions/{decision}"))
    }
    .await;
    answer(t, f, outcome, async |f| decision_page(&app, t, &caller, decision, Some(f)).await).await
}

pub async fn certificate(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.certificate_docx(&caller.principal, id).await?;
    Ok(download(DOCX, format!("khen-thuong-{id}.docx"), bytes))
}

// ---------------------------------------------------------------------------------------------
// The registry.

#[derive(Deserialize)]
pub struct RegistryQuery {
    org: Option<String>,
    org_q: Option<String>,
    predecessors: Option<String>,
    title: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// Awards on a page of the registry.
const REGISTRY_PAGE: i64 = 100;

/// The registry as a sheet: one award a row, dates and years typed.
fn registry_sheet(t: T, lines: &[RegistryLine]) -> Sheet {
    Sheet {
        name: t.get("awards.title").into(),
        title: Some(t.get("awards.title").into()),
        headers: ["export.year", "export.award", "export.recipient", "export.issuer", "export.decision", "export.decided_on", "export.revoked_on"].iter().map(|k| t.get(k).to_owned()).collect(),
        widths: vec![8.0, 40.0, 36.0, 36.0, 22.0, 12.0, 12.0],
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Int(i64::from(l.award.year)),
                    Cell::Text(l.title_name.clone()),
                    Cell::Text(l.recipient.clone()),
                    Cell::Text(l.issuer_name.clone()),
                    Cell::Text(l.award.decision.number_symbol.clone()),
                    date_cell(Some(l.award.decision.decided_on)),
                    date_cell(l.award.revocation.as_ref().map(|r| r.decided_on)),
                ]
            })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "awards.html")]
pub struct AwardsPage {
    /// The query of this page, for its download links.
    export_query: String,
    c: Chrome,
    org: Picker,
    titles: Vec<(String, String)>,
    rows: Vec<AwardLine>,
    pager: Pager,
    /// Titles as columns, then a row per year.
    stats_titles: Vec<String>,
    stats: Vec<(i16, Vec<String>)>,
    f: FormState,
}

fn opt_year(raw: Option<&str>) -> Result<Option<i16>, Problem> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<i16>().map(Some).map_err(|_| Problem::BadYear(v.chars().take(10).collect())),
    }
}

pub async fn awards(State(app): State<App>, t: T, caller: Caller, query: Result<Query<RegistryQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let export = Export::requested(q.format.as_deref())?;
    let org = q.org.as_deref().filter(|s| !s.trim().is_empty()).map(parse_id).transpose()?.map(OrgId);
    let (from, to) = (opt_year(q.from.as_deref())?, opt_year(q.to.as_deref())?);
    let title = q.title.clone().filter(|s| !s.trim().is_empty());
    let filter = RegistryFilter { org, predecessors: q.predecessors.is_some(), title, from_year: from, to_year: to };
    if let Some(export) = export {
        return export.respond("so-khen-thuong", registry_sheet(t, &app.registry(&caller.principal, &filter).await?));
    }
    let page = page_param(q.page.as_deref())?;
    let mut lines = app.registry_page(&caller.principal, &filter, Some(page_window(page, REGISTRY_PAGE))).await?;
    let more = more_after(&mut lines, REGISTRY_PAGE);
    let (_, book) = app.commendation_rules().await?;
    let (mut stats_titles, mut stats) = (Vec::new(), Vec::new());
    if let Some(o) = org {
        let counts = app.registry_stats(&caller.principal, o, from.unwrap_or(i16::MIN), to.unwrap_or(today().year())).await?;
        let titles: std::collections::BTreeSet<String> = counts.values().flat_map(|m| m.keys().cloned()).collect();
        stats_titles = titles.iter().cloned().collect();
        stats = counts.iter().map(|(y, m)| (*y, stats_titles.iter().map(|tt| t.int(&(m.get(tt).copied().unwrap_or(0) as usize))).collect())).collect();
    }
    let mut sent = Vec::new();
    for (k, v) in [("org", &q.org), ("title", &q.title), ("from", &q.from), ("to", &q.to), ("predecessors", &q.predecessors)] {
        if let Some(v) = v {
            sent.push((k.to_owned(), v.clone()));
        }
    }
    let export_query = sent.iter().map(|(k, v)| format!("{k}={}", crate::auth::encode(v))).collect::<Vec<_>>().join("&");
    Ok(AwardsPage {
        pager: Pager::new(t, page, REGISTRY_PAGE, lines.len(), more, |n| format!("/awards?{export_query}{}page={n}", if export_query.is_empty() { "" } else { "&" })),
        export_query,
        c: Chrome::new(t, "commendation", "/awards", Some(&caller)),
        org: Picker::orgs(t, "org", app.commendation_orgs(&caller.principal, Action::ViewCommendation).await?, q.org.as_deref().unwrap_or_default(), q.org_q.as_deref().unwrap_or_default()).with_blank(),
        titles: title_choices(&book),
        rows: lines.iter().map(|l| award_line(t, l)).collect(),
        stats_titles,
        stats,
        f: FormState::sent(sent),
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Eligibility in bulk.

#[derive(Deserialize)]
pub struct EligibilityQuery {
    scope: Option<String>,
    scope_q: Option<String>,
    title: Option<String>,
    year: Option<String>,
    format: Option<String>,
    page: Option<String>,
}

const ELIGIBLE_PAGE: i64 = 100;

pub struct EligibleLine {
    pub name: String,
    pub href: Option<String>,
    pub used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "eligibility.html")]
pub struct EligibilityPage {
    /// The query of this page, for its download links.
    export_query: String,
    c: Chrome,
    scope: Picker,
    titles: Vec<(String, String)>,
    asked: bool,
    heading: String,
    rows: Vec<EligibleLine>,
    /// The list's first number on this page, for the numbered list.
    start: usize,
    pager: Pager,
    f: FormState,
}

pub async fn eligibility(State(app): State<App>, t: T, caller: Caller, query: Result<Query<EligibilityQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let export = Export::requested(q.format.as_deref())?;
    let (_, book) = app.commendation_rules().await?;
    let mut sent = Vec::new();
    let mut rows = Vec::new();
    let mut heading = String::new();
    let page = page_param(q.page.as_deref())?;
    let mut more = false;
    let scopes = app.commendation_orgs(&caller.principal, Action::ViewCommendation).await?;
    let picker = Picker::orgs(t, "scope", scopes, q.scope.as_deref().unwrap_or_default(), q.scope_q.as_deref().unwrap_or_default());
    // While a scope is being searched for, nothing is computed for the one chosen before.
    let asked = q.scope.as_deref().is_some_and(|s| !s.trim().is_empty()) && !picker.pending;
    if asked {
        let scope = OrgId(parse_id(q.scope.as_deref().unwrap_or_default())?);
        let title = q.title.clone().unwrap_or_default();
        let raw = q.year.clone().unwrap_or_default();
        let year = raw.trim().parse::<i16>().map_err(|_| Problem::BadYear(raw.chars().take(10).collect()))?;
        let found = app.eligible_in(&caller.principal, scope, &title, year).await?;
        heading = t.fmt("eligibility.found", &[("count", &t.int(&found.len())), ("title", &title_name(&book, &title)), ("year", &year.to_string())]);
        // The list is computed whole, in bulk; the page shows a slice and the download all.
        let shown: Vec<&thidua_app::commendation::Eligible> = if export.is_some() {
            found.iter().collect()
        } else {
            let (shown, rest) = slice_page(found.iter().collect(), page, ELIGIBLE_PAGE);
            more = rest;
            shown
        };
        rows = shown
            .into_iter()
            .map(|e| EligibleLine {
                name: e.name.clone(),
                href: match e.nominee {
                    NomineeRef::Org(o) => Some(format!("/orgs/{}", o.0)),
                    NomineeRef::Person(p) => Some(format!("/people/{p}")),
                    NomineeRef::Member(m) => Some(format!("/members/{}", m.0)),
                },
                used: e.eligibility.checks.iter().flat_map(|c| c.used.iter().map(|r| describe_record(t, &book, r))).collect::<Vec<_>>().join("; "),
            })
            .collect();
        if let Some(export) = export {
            // Members among them: the list leaves the system, so the export is audited.
            let members = found.iter().filter(|e| matches!(e.nominee, NomineeRef::Member(_) | NomineeRef::Person(_))).count();
            if members > 0 {
                app.audit_export(&caller.principal, &format!("eligibility {title} {year}"), members).await?;
            }
            let sheet = Sheet {
                name: t.get("eligibility.title").into(),
                title: Some(heading.clone()),
                headers: ["export.recipient", "export.records"].iter().map(|k| t.get(k).to_owned()).collect(),
                widths: vec![36.0, 80.0],
                rows: rows.iter().map(|r| vec![Cell::Text(r.name.clone()), Cell::Text(r.used.clone())]).collect(),
            };
            return export.respond("du-dieu-kien", sheet);
        }
        sent = vec![("scope".into(), scope.0.to_string()), ("title".into(), title), ("year".into(), year.to_string())];
    } else {
        // What was chosen stays chosen while a scope is searched for.
        sent.push(("year".into(), q.year.clone().filter(|y| !y.trim().is_empty()).unwrap_or_else(|| (today().year() - 1).to_string())));
        sent.extend(q.title.clone().map(|tt| ("title".into(), tt)));
    }
    let export_query = sent.iter().map(|(k, v)| format!("{k}={}", crate::auth::encode(v))).collect::<Vec<_>>().join("&");
    Ok(EligibilityPage {
        pager: Pager::new(t, page, ELIGIBLE_PAGE, rows.len(), more, |n| format!("/eligibility?{export_query}&page={n}")),
        start: usize::try_from(page * ELIGIBLE_PAGE).unwrap_or(0) + 1,
        export_query,
        c: Chrome::new(t, "commendation", "/eligibility", Some(&caller)),
        scope: picker,
        titles: title_choices(&book),
        asked,
        heading,
        rows,
        f: FormState::sent(sent),
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The catalog and the rules.

pub struct RuleLine {
    pub title: String,
    pub period: String,
    pub source: String,
    pub unverified: String,
    pub conditions: Vec<String>,
}

pub struct EntryLine {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub recipients: String,
    pub level: &'static str,
    pub issuer: String,
    pub documents: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "commendation_rules.html")]
pub struct RulesPage {
    c: Chrome,
    version: String,
    entries: Vec<EntryLine>,
    rules: Vec<RuleLine>,
    versions: Vec<String>,
    may_edit: bool,
    f: FormState,
}

async fn rules_page(app: &App, t: T, caller: &Caller, f: Option<FormState>) -> Result<RulesPage, Problem> {
    let (row, book) = app.commendation_rules().await?;
    let f = f.unwrap_or_else(|| FormState::sent(vec![("body".into(), row.body.clone())]));
    Ok(RulesPage {
        c: Chrome::new(t, "commendation", "/commendation/rules", Some(caller)),
        version: book.version.clone(),
        entries: book
            .catalog
            .iter()
            .map(|e| EntryLine {
                code: e.code.clone(),
                name: e.name.clone(),
                kind: t.get(&format!("award_kind.{}", match e.kind {
                    thidua_core::commendation::AwardKind::Title => "title",
                    thidua_core::commendation::AwardKind::Form => "form",
                })),
                recipients: e
                    .recipients
                    .iter()
                    .map(|r| t.get(match r {
                        thidua_core::commendation::Recipient::Collective => "recipient.collective",
                        thidua_core::commendation::Recipient::Individual => "recipient.individual",
                    }))
                    .collect::<Vec<_>>()
                    .join(", "),
                level: t.get(&format!("award_level.{}", e.level.code())),
                issuer: e.issuer.clone(),
                documents: e.documents.join("; "),
            })
            .collect(),
        rules: book
            .rules
            .iter()
            .map(|r| RuleLine {
                title: title_name(&book, &r.title),
                period: match r.to {
                    Some(to) => t.fmt("rule.period", &[("from", &format_date(r.from)), ("to", &format_date(to))]),
                    None => t.fmt("rule.period_open", &[("from", &format_date(r.from))]),
                },
                source: r.source.clone(),
                unverified: r.unverified.join("; "),
                conditions: r.conditions.iter().map(|c| describe_condition(t, &book, c)).collect(),
            })
            .collect(),
        versions: app
            .rulebook_versions()
            .await?
            .into_iter()
            .map(|v| {
                let when = jiff::Timestamp::from_second(v.created_unix).map(|ts| format_date(jiff::tz::Offset::constant(7).to_datetime(ts).date())).unwrap_or_default();
                format!("{when} — {} ({}): {}", v.version, v.created_by, v.note)
            })
            .collect(),
        may_edit: caller.principal.has_system(Action::ManageRules),
        f,
    })
}

pub async fn rules(State(app): State<App>, t: T, caller: Caller) -> Result<RulesPage, Problem> {
    rules_page(&app, t, &caller, None).await
}

pub async fn save_rules(State(app): State<App>, t: T, caller: Caller, form: Values) -> Result<Response, Problem> {
    if !caller.principal.has_system(Action::ManageRules) {
        return Err(Problem::App(AppError::Forbidden));
    }
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = app.save_commendation_rules(&caller.principal, f.val("body"), f.val("note")).await.map(|_| "/commendation/rules".to_owned());
    answer(t, f, outcome, async |f| rules_page(&app, t, &caller, Some(f)).await).await
}

// ---------------------------------------------------------------------------------------------
// People.

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
pub struct PersonPage {
    c: Chrome,
    id: i64,
    name: String,
    org: Link,
    position: String,
    member: Option<String>,
    initiatives: Vec<String>,
    awards: Vec<AwardLine>,
    levels: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    f: FormState,
}

async fn person_page(app: &App, t: T, caller: &Caller, id: i64, f: Option<FormState>) -> Result<PersonPage, Problem> {
    let (person, org, initiatives, awards) = app.person_view(&caller.principal, id).await?;
    let may_edit = app.commendation_orgs(&caller.principal, Action::ProposeCommendation).await?.iter().any(|(o, _)| *o == person.org);
    Ok(PersonPage {
        c: Chrome::new(t, "commendation", &format!("/people/{id}"), Some(caller)),
        id,
        name: person.full_name.clone(),
        org: Link { href: format!("/orgs/{}", person.org.0), text: org },
        position: person.position.clone().unwrap_or_default(),
        member: person.member.map(|m| format!("/members/{}", m.0)),
        initiatives: initiatives
            .iter()
            .map(|i| format!("{} — {} ({}, {}, {})", format_date(i.recognized_on), i.name, t.get(&format!("award_level.{}", i.level.code())), i.decision, i.recognized_on.year()))
            .collect(),
        awards: awards.iter().map(|l| award_line(t, l)).collect(),
        levels: AwardLevel::ALL.iter().map(|l| (l.code(), t.get(&format!("award_level.{}", l.code())))).collect(),
        may_edit,
        f: f.unwrap_or_default(),
    })
}

pub async fn person(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<PersonPage, Problem> {
    person_page(&app, t, &caller, parse_id(&id)?, None).await
}

pub async fn create_person(State(app): State<App>, t: T, caller: Caller, form: Values) -> Result<Response, Problem> {
    let Form(values) = form?;
    let f = FormState::sent(values);
    let org = OrgId(parse_id(f.val("org"))?);
    let new = NewPerson { full_name: f.val("full_name").to_owned(), org, position: Some(f.val("position").to_owned()) };
    let outcome = app.add_person(&caller.principal, &new).await.map(|_| format!("/dossiers/new?proposer={}", org.0));
    answer(t, f, outcome, async |f| dossier_form(&app, t, &caller, org, f).await).await
}

pub async fn add_initiative(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = async {
        let level = AwardLevel::from_code(f.val("level").trim()).ok_or_else(|| AppError::Invalid(vec![FieldProblem::new("level", Invalid::Choice)]))?;
        let new = NewInitiative { name: f.val("name").to_owned(), level, recognized_on: date_field(&f, "recognized_on")?, decision: f.val("decision").to_owned() };
        app.add_initiative(&caller.principal, NomineeRef::Person(id), &new).await.map(|_| format!("/people/{id}"))
    }
    .await;
    answer(t, f, outcome, async |f| person_page(&app, t, &caller, id, Some(f)).await).await
}
