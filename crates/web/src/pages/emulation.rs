//! Pages of a cluster's emulation work: operating rules and next year's membership, campaigns with
//! their criteria, registrations and covenant, meetings and their minutes, key tasks.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiff::civil::Date;
use serde::Deserialize;
use thidua_app::emulation::{CampaignDetail, CovenantInput, Guest, MeetingDetail, NewCampaign, NewMeeting, TaskView, TopicRow};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::cluster::{ClusterId, ClusterRole, ClusterYear};
use thidua_core::date::{format_date, parse_date};
use thidua_core::ballot::{Base, Share};
use thidua_core::scoring::{PeerMode, ScoringRules, Weights};
use thidua_core::emulation::{format_criteria, parse_criteria, CampaignKind, ClusterRules, CovenantEntry, MeetingKind, TaskStatus};
use thidua_core::org::OrgId;

use super::clusters::parse_year;
use super::{parse_id, today, Chrome, Link};
use crate::auth::Caller;
use crate::error::{describe_field, Problem};
use crate::i18n::T;

/// What a form was sent with, and what was wrong with it, to show it again.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: Vec<(String, String)>,
    errors: HashMap<String, String>,
    pub general: Option<String>,
}

impl FormState {
    pub(crate) fn sent(values: Vec<(String, String)>) -> FormState {
        FormState { values, ..FormState::default() }
    }

    /// The last value sent for `key`.
    pub fn val(&self, key: &str) -> &str {
        self.values.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// Whether `value` was among the values sent for `key` (checkboxes, selects).
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == key && v == value)
    }

    pub fn err(&self, key: &str) -> &str {
        self.errors.get(key).map(String::as_str).unwrap_or_default()
    }

    pub fn has_err(&self, key: &str) -> bool {
        self.errors.contains_key(key)
    }

    /// Puts a refused write into words: field problems next to their fields, others on top.
    fn refused(&mut self, t: T, problem: &Problem) {
        match problem {
            Problem::App(AppError::Invalid(problems)) => {
                for p in problems {
                    let text = describe_field(p, t);
                    self.errors.entry(p.field.to_owned()).and_modify(|e| e.push_str(&format!(" {text}"))).or_insert(text);
                }
            }
            other => self.general = Some(other.describe(t).1),
        }
    }

    /// Everything sent, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.values
    }

    /// Sets `key` to `value`, replacing what was sent for it.
    pub(crate) fn set(&mut self, key: &str, value: String) {
        self.values.retain(|(k, _)| k != key);
        self.values.push((key.to_owned(), value));
    }

    /// Adds the `defaults` whose keys were not sent: the other forms of a page keep their
    /// starting values when one of them comes back with a problem.
    pub(crate) fn with_defaults(mut self, defaults: Vec<(String, String)>) -> FormState {
        let sent: std::collections::HashSet<String> = self.values.iter().map(|(k, _)| k.clone()).collect();
        self.values.extend(defaults.into_iter().filter(|(k, _)| !sent.contains(k)));
        self
    }

    /// Marks a field the page could not read, with the message to show next to it.
    pub(crate) fn flag(&mut self, key: &str, message: &str) {
        self.errors.insert(key.to_owned(), message.to_owned());
    }

    fn values_of(&self, key: &str) -> Vec<&str> {
        self.values.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
}

/// Refuses a write to the cluster's work before its form is read: who may not write learns nothing
/// from the form's problems.
async fn may_write(app: &App, caller: &Caller, id: ClusterId) -> Result<(), Problem> {
    if app.may_edit_cluster(&caller.principal, id).await { Ok(()) } else { Err(Problem::App(AppError::Forbidden)) }
}

/// Access problems and missing records end the request; anything else is shown on the form.
fn shown_on_form(e: AppError) -> Result<Problem, Problem> {
    match e {
        e @ (AppError::Forbidden | AppError::NotFound | AppError::Internal(_) | AppError::NoRandomness) => Err(Problem::App(e)),
        e => Ok(Problem::App(e)),
    }
}

pub(crate) fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
}

/// After a write from a form: on success go to `to`; on a refusal the user can fix, show the form
/// again with what was sent and the problems (`page` builds it).
pub(crate) async fn answer<P: IntoResponse>(t: T, mut f: FormState, outcome: Result<String, AppError>, page: impl AsyncFnOnce(FormState) -> Result<P, Problem>) -> Result<Response, Problem> {
    match outcome {
        Ok(to) => Ok(see_other(to)),
        Err(e) => {
            let p = shown_on_form(e)?;
            f.refused(t, &p);
            Ok((p.status(), page(f).await?).into_response())
        }
    }
}

fn docx_download(name: String, bytes: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub fn cluster_id(raw: &str) -> Result<ClusterId, Problem> {
    Ok(ClusterId(parse_id(raw)?))
}

/// A date field: blank is `None`; unreadable is a problem next to the field.
fn date_field(f: &FormState, key: &'static str, problems: &mut Vec<FieldProblem>) -> Option<Date> {
    let raw = f.val(key).trim();
    if raw.is_empty() {
        return None;
    }
    let d = parse_date(raw);
    if d.is_none() {
        problems.push(FieldProblem::new(key, Invalid::BadDate));
    }
    d
}

fn org_field(f: &FormState, key: &str) -> Option<OrgId> {
    f.val(key).trim().parse::<i64>().ok().filter(|n| *n > 0).map(OrgId)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

pub fn meeting_kind_label(t: T, k: MeetingKind) -> &'static str {
    t.get(&format!("meeting.kind.{}", k.code()))
}

fn task_status_label(t: T, s: TaskStatus) -> &'static str {
    t.get(&format!("task.status.{}", s.code()))
}

// --- Cluster page additions ---------------------------------------------------------------------

/// One meeting in the cluster's calendar.
pub struct CalendarItem {
    pub link: Link,
    pub day: String,
    pub kind: &'static str,
}

/// A month of the calendar with its meetings.
pub struct Month {
    pub name: String,
    pub items: Vec<CalendarItem>,
}

/// The twelve months of `year` with the meetings held in each.
pub fn calendar(t: T, year: i16, meetings: &[thidua_app::emulation::MeetingRow]) -> Vec<Month> {
    (1..=12)
        .map(|m: i8| {
            let mut items: Vec<&thidua_app::emulation::MeetingRow> = meetings.iter().filter(|x| x.held_on.year() == year && x.held_on.month() == m).collect();
            items.sort_by_key(|x| (x.held_on, x.id));
            Month {
                name: t.fmt("calendar.month", &[("month", &m.to_string())]),
                items: items
                    .into_iter()
                    .map(|x| CalendarItem {
                        link: Link { href: format!("/meetings/{}", x.id), text: x.title.clone() },
                        day: format!("{:02}/{:02}", x.held_on.day(), x.held_on.month()),
                        kind: meeting_kind_label(t, x.kind),
                    })
                    .collect(),
            }
        })
        .collect()
}

// --- Rules and next year ------------------------------------------------------------------------

pub struct RotationRow {
    pub org: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cluster_rules.html")]
pub struct RulesPage {
    c: Chrome,
    id: i64,
    name: String,
    may_edit: bool,
    rules: ClusterRules,
    scale_text: String,
    weights_text: String,
    /// Units in the rotation, in order, then the other units of the latest year.
    units: Vec<RotationRow>,
    rotation_names: Vec<String>,
    f: FormState,
}

async fn rules_page(app: &App, t: T, caller: &Caller, id: ClusterId, f: Option<FormState>) -> Result<RulesPage, Problem> {
    let rules = app.cluster_rules(&caller.principal, id).await?;
    let detail = app.cluster_detail(&caller.principal, id, None).await?;
    let mut ids: Vec<OrgId> = rules.rotation.clone();
    for m in &detail.members {
        if !ids.contains(&m.org.org) {
            ids.push(m.org.org);
        }
    }
    let names = app.org_names(&ids.iter().copied().collect()).await?;
    let name = |o: &OrgId| names.get(o).cloned().unwrap_or_else(|| o.to_string());
    let f = f.unwrap_or_else(|| {
        let w = rules.scoring.weights;
        let mut values = vec![
            ("scale".to_owned(), rules.scale.to_string()),
            ("threshold".to_owned(), rules.leading_vote_threshold_pct.to_string()),
            ("vote_base".to_owned(), rules.vote_base.code().to_owned()),
            ("quorum".to_owned(), rules.vote_quorum.label()),
            ("self_pct".to_owned(), w.self_pct.to_string()),
            ("peer_pct".to_owned(), w.peer_pct.to_string()),
            ("leader_pct".to_owned(), w.leader_pct.to_string()),
            ("peer_mode".to_owned(), crate::api::emulation::peer_mode_code(rules.scoring.peers).to_owned()),
            ("max_proposals".to_owned(), rules.max_proposals.map(|m| m.to_string()).unwrap_or_default()),
            ("locality".to_owned(), rules.locality.clone().unwrap_or_default()),
        ];
        values.extend(rules.rotation.iter().enumerate().map(|(i, o)| (format!("rot_{}", o.0), (i + 1).to_string())));
        FormState::sent(values)
    });
    Ok(RulesPage {
        c: Chrome::new(t, "clusters", &format!("/clusters/{}/rules", id.0), Some(caller)),
        id: id.0,
        name: detail.cluster.name.clone(),
        may_edit: app.may_edit_cluster(&caller.principal, id).await,
        rotation_names: rules.rotation.iter().map(name).collect(),
        units: ids.iter().map(|o| RotationRow { org: o.0.to_string(), name: name(o) }).collect(),
        scale_text: t.int(&(rules.scale as usize)),
        weights_text: t.fmt(
            "rules.weights",
            &[
                ("self", &rules.scoring.weights.self_pct.to_string()),
                ("peer", &rules.scoring.weights.peer_pct.to_string()),
                ("leader", &rules.scoring.weights.leader_pct.to_string()),
            ],
        ),
        rules,
        f,
    })
}

pub async fn rules(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<RulesPage, Problem> {
    rules_page(&app, t, &caller, cluster_id(&id)?, None).await
}

fn number_field(f: &FormState, key: &'static str, problems: &mut Vec<FieldProblem>) -> Option<u32> {
    let raw = f.val(key).trim();
    if raw.is_empty() {
        return None;
    }
    let n = thidua_core::vi::parse_int(raw).and_then(|n| u32::try_from(n).ok());
    if n.is_none() {
        problems.push(FieldProblem::new(key, Invalid::OutOfRange));
    }
    n
}

/// Reads the rules form: numbers, shares, weights, and the rotation from the order typed next to
/// each unit.
fn rules_from(f: &FormState) -> Result<ClusterRules, AppError> {
    let mut problems = Vec::new();
    let scale = number_field(f, "scale", &mut problems);
    let threshold = number_field(f, "threshold", &mut problems);
    let max_proposals = number_field(f, "max_proposals", &mut problems);
    let pct = |key: &'static str, problems: &mut Vec<FieldProblem>| number_field(f, key, problems).and_then(|n| u8::try_from(n).ok()).unwrap_or(0);
    let weights = Weights { self_pct: pct("self_pct", &mut problems), peer_pct: pct("peer_pct", &mut problems), leader_pct: pct("leader_pct", &mut problems) };
    let quorum = Share::parse(f.val("quorum"));
    if quorum.is_none() {
        problems.push(FieldProblem::new("quorum", Invalid::OutOfRange));
    }
    let base = Base::from_code(f.val("vote_base"));
    if base.is_none() {
        problems.push(FieldProblem::new("vote_base", Invalid::Choice));
    }
    let peers = match f.val("peer_mode") {
        "assigned" => PeerMode::Assigned,
        _ => PeerMode::AllPeers,
    };
    let mut order: Vec<(u32, OrgId)> = Vec::new();
    for (k, v) in &f.values {
        if let (Some(org), false) = (k.strip_prefix("rot_"), v.trim().is_empty()) {
            match (org.parse::<i64>(), v.trim().parse::<u32>()) {
                (Ok(o), Ok(n)) => order.push((n, OrgId(o))),
                _ => problems.push(FieldProblem::new("rotation", Invalid::OutOfRange)),
            }
        }
    }
    match (quorum, base) {
        (Some(vote_quorum), Some(vote_base)) if problems.is_empty() => {
            order.sort();
            Ok(ClusterRules {
                rotation: order.into_iter().map(|(_, o)| o).collect(),
                scale: scale.unwrap_or(1000),
                leading_vote_threshold_pct: u8::try_from(threshold.unwrap_or(50)).unwrap_or(0),
                vote_base,
                vote_quorum,
                max_proposals,
                locality: Some(f.val("locality").to_owned()),
                scoring: ScoringRules { weights, peers },
            })
        }
        _ => {
            problems.dedup();
            Err(AppError::Invalid(problems))
        }
    }
}

pub async fn save_rules(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = cluster_id(&id)?;
    may_write(&app, &caller, id).await?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match rules_from(&f) {
        Ok(rules) => app.set_cluster_rules(&caller.principal, id, rules).await,
        Err(e) => Err(e),
    };
    let outcome = outcome.map(|()| format!("/clusters/{}/rules", id.0));
    answer(t, f, outcome, async |f| rules_page(&app, t, &caller, id, Some(f)).await).await
}

#[derive(Deserialize)]
pub struct FromQuery {
    from: Option<String>,
}

pub struct ProposedRow {
    pub org: String,
    pub name: String,
    pub role: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "cluster_next_year.html")]
pub struct NextYearPage {
    c: Chrome,
    id: i64,
    name: String,
    from: i16,
    year: i16,
    exists: bool,
    may_edit: bool,
    rows: Vec<ProposedRow>,
}

pub async fn next_year(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, query: Result<Query<FromQuery>, QueryRejection>) -> Result<NextYearPage, Problem> {
    let id = cluster_id(&id)?;
    let Query(q) = query?;
    let detail = app.cluster_detail(&caller.principal, id, parse_year(q.from.as_deref())?).await?;
    let proposal = app.propose_next_year(&caller.principal, id, detail.year).await?;
    let names = app.org_names(&proposal.year.members.iter().map(|(o, _)| *o).collect()).await?;
    let mut rows: Vec<ProposedRow> = proposal
        .year
        .members
        .iter()
        .map(|(o, r)| ProposedRow { org: o.0.to_string(), name: names.get(o).cloned().unwrap_or_default(), role: r.code() })
        .collect();
    thidua_core::vi::sort_by_name(&mut rows, |x| &x.name);
    Ok(NextYearPage {
        c: Chrome::new(t, "clusters", &format!("/clusters/{}/next-year", id.0), Some(&caller)),
        id: id.0,
        name: detail.cluster.name,
        from: detail.year,
        year: proposal.year.year,
        exists: proposal.exists,
        may_edit: app.may_arrange_cluster(&caller.principal, id).await,
        rows,
    })
}

/// Saves a year's membership from `year` and one `role_<org>` field per unit (`none` leaves it out).
pub async fn save_year(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = cluster_id(&id)?;
    if !app.may_arrange_cluster(&caller.principal, id).await {
        return Err(Problem::App(AppError::Forbidden));
    }
    let Form(values) = form?;
    let f = FormState::sent(values);
    let year = parse_year(Some(f.val("year")))?.ok_or_else(|| Problem::BadYear(String::new()))?;
    let mut members = Vec::new();
    for (k, v) in &f.values {
        if let Some(org) = k.strip_prefix("role_") {
            let org = OrgId(parse_id(org)?);
            match v.as_str() {
                "none" => {}
                code => members.push((org, ClusterRole::from_code(code).ok_or_else(|| Problem::BadKind(code.chars().take(20).collect()))?)),
            }
        }
    }
    app.set_cluster_year(&caller.principal, id, &ClusterYear { year, members }).await?;
    Ok(see_other(format!("/clusters/{}?year={year}", id.0)))
}

// --- Campaigns ----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "campaign_form.html")]
pub struct CampaignFormPage {
    c: Chrome,
    id: i64,
    name: String,
    f: FormState,
}

async fn campaign_form_page(app: &App, t: T, caller: &Caller, id: ClusterId, f: FormState) -> Result<CampaignFormPage, Problem> {
    if !app.may_edit_cluster(&caller.principal, id).await {
        return Err(Problem::App(AppError::Forbidden));
    }
    let detail = app.cluster_detail(&caller.principal, id, None).await?;
    Ok(CampaignFormPage { c: Chrome::new(t, "clusters", &format!("/clusters/{}/campaigns/new", id.0), Some(caller)), id: id.0, name: detail.cluster.name, f })
}

pub async fn new_campaign(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<CampaignFormPage, Problem> {
    let id = cluster_id(&id)?;
    let year = today().year().to_string();
    let f = FormState::sent(vec![("year".into(), year.clone()), ("kind".into(), "regular".into()), ("title".into(), t.fmt("campaign.default_title", &[("year", &year)])), ("copy".into(), "on".into())]);
    campaign_form_page(&app, t, &caller, id, f).await
}

fn campaign_from(id: ClusterId, f: &FormState, t: T) -> Result<NewCampaign, AppError> {
    let mut problems = Vec::new();
    let kind = CampaignKind::from_code(f.val("kind"));
    if kind.is_none() {
        problems.push(FieldProblem::new("kind", Invalid::Choice));
    }
    let year = f.val("year").trim().parse::<i16>().ok();
    if year.is_none() {
        problems.push(FieldProblem::new("year", Invalid::OutOfRange));
    }
    let starts_on = date_field(f, "starts_on", &mut problems);
    let ends_on = date_field(f, "ends_on", &mut problems);
    match (kind, year, problems.is_empty()) {
        (Some(kind), Some(year), true) => Ok(NewCampaign {
            cluster: id,
            kind,
            year,
            title: {
                // The form offers this year's default title; left as offered, it follows the year chosen.
                let default = |y: i16| t.fmt("campaign.default_title", &[("year", &y.to_string())]);
                if f.val("title") == default(thidua_app::today().year()) { default(year) } else { f.val("title").into() }
            },
            theme: Some(f.val("theme").to_owned()),
            starts_on,
            ends_on,
            launch_document: Some(f.val("launch_document").to_owned()),
            copy_criteria: f.has("copy", "on"),
        }),
        _ => Err(AppError::Invalid(problems)),
    }
}

pub async fn create_campaign(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = cluster_id(&id)?;
    may_write(&app, &caller, id).await?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match campaign_from(id, &f, t) {
        Ok(new) => app.create_campaign(&caller.principal, &new).await,
        Err(e) => Err(e),
    };
    let outcome = outcome.map(|c| format!("/campaigns/{}", c.id));
    answer(t, f, outcome, async |f| campaign_form_page(&app, t, &caller, id, f).await).await
}

pub struct CriterionLine {
    pub code: String,
    pub title: String,
    pub points: String,
    pub kind: &'static str,
    pub evidence: String,
    pub depth: usize,
}

pub struct UnitLine {
    pub org: String,
    pub name: String,
    pub targets: Vec<String>,
    pub titles: Vec<String>,
    pub covenant: String,
    pub signed: bool,
    pub missing: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign.html")]
pub struct CampaignPage {
    c: Chrome,
    id: i64,
    cluster: Link,
    title: String,
    kind: &'static str,
    theme: Option<String>,
    period: String,
    scale: String,
    launch: Option<String>,
    criteria: Vec<CriterionLine>,
    table_problem: Option<String>,
    units: Vec<UnitLine>,
    complete: String,
    may_edit: bool,
    /// Units the viewer may register targets for: `(org id, name)`.
    registrable: Vec<(String, String)>,
    meetings: Vec<(String, String)>,
    criteria_text: String,
    criteria_refused: bool,
    /// The year-end scoring round, once opened.
    round: Option<i64>,
    may_open_round: bool,
    /// The registration and covenant forms as last sent, with their problems.
    reg: FormState,
    cov: FormState,
    general: Option<String>,
}

/// Which form of a page was sent and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Nothing,
    Criteria,
    Registration,
    Covenant,
    Outcome,
    Task,
}

async fn campaign_page(app: &App, t: T, caller: &Caller, id: i64, mut f: FormState, sent: Sent) -> Result<CampaignPage, Problem> {
    let d: CampaignDetail = app.campaign_detail(&caller.principal, id).await?;
    let depth_of = |code: &str| d.criteria.iter().find(|c| c.code == code).map_or(0, |c| {
        let mut depth = 0;
        let mut cursor = c.parent.clone();
        while let Some(p) = cursor.filter(|_| depth < 8) {
            depth += 1;
            cursor = d.criteria.iter().find(|x| x.code == p).and_then(|x| x.parent.clone());
        }
        depth
    });
    let criteria = d
        .criteria
        .iter()
        .map(|c| CriterionLine {
            code: c.code.clone(),
            title: c.title.clone(),
            points: t.int(&(c.max_points as usize)),
            kind: match c.kind {
                thidua_core::emulation::CriterionKind::Normal => "",
                k => t.get(&format!("criterion.kind.{}", k.code())),
            },
            evidence: c.evidence.join(", "),
            depth: depth_of(&c.code),
        })
        .collect();
    let units = d
        .units
        .iter()
        .map(|u| UnitLine {
            org: u.org.0.to_string(),
            name: u.name.clone(),
            targets: u.registration.as_ref().map(|r| r.targets.clone()).unwrap_or_default(),
            titles: u.registration.as_ref().map(|r| r.titles.clone()).unwrap_or_default(),
            covenant: match &u.covenant {
                Some(CovenantEntry::Signed { on, signatory }) => t.fmt("covenant.signed", &[("date", &format_date(*on)), ("who", signatory)]),
                Some(CovenantEntry::Absent { reason }) => t.fmt("covenant.absent", &[("reason", reason)]),
                None => t.get("covenant.not_yet").into(),
            },
            signed: matches!(u.covenant, Some(CovenantEntry::Signed { .. })),
            missing: u.covenant.is_none(),
        })
        .collect();
    let complete = if d.missing.is_empty() {
        t.get("covenant.complete").to_owned()
    } else {
        t.fmt("covenant.missing", &[("count", &t.int(&d.missing.len())), ("total", &t.int(&d.units.len()))])
    };
    let launch = d.launch_document.as_ref().map(|x| {
        let dated = x.issued_on.map(|on| format!(" ({})", format_date(on))).unwrap_or_default();
        format!("{}{dated}: {}", x.symbol.clone().unwrap_or_default(), x.summary)
    });
    let criteria_text = if sent == Sent::Criteria { f.val("criteria").to_owned() } else { format_criteria(&d.criteria) };
    let general = f.general.take();
    let (reg, cov) = match sent {
        Sent::Registration => (f, FormState::default()),
        Sent::Covenant => (FormState::default(), f),
        _ => (FormState::default(), FormState::default()),
    };
    Ok(CampaignPage {
        c: Chrome::new(t, "clusters", &format!("/campaigns/{id}"), Some(caller)),
        id,
        cluster: Link { href: format!("/clusters/{}?year={}", d.cluster.id.0, d.campaign.year), text: d.cluster.name.clone() },
        title: d.campaign.title.clone(),
        kind: t.get(&format!("campaign.kind.{}", d.campaign.kind.code())),
        theme: d.campaign.theme.clone(),
        period: format!("{} – {}", format_date(d.campaign.starts_on), format_date(d.campaign.ends_on)),
        scale: t.int(&(d.campaign.scale as usize)),
        launch,
        criteria,
        table_problem: d.table_problem.as_ref().map(|e| Problem::App(AppError::Emulation(e.clone())).describe(t).1),
        units,
        complete,
        may_edit: d.may_edit,
        registrable: d.units.iter().filter(|u| u.may_register).map(|u| (u.org.0.to_string(), u.name.clone())).collect(),
        meetings: d.signing_meetings.iter().map(|m| (m.id.to_string(), format!("{} – {}", format_date(m.held_on), m.title))).collect(),
        criteria_text,
        criteria_refused: sent == Sent::Criteria && general.is_some(),
        round: app.round_of_campaign(&caller.principal, id).await?.map(|r| r.id),
        may_open_round: d.may_edit && d.table_problem.is_none() && !d.criteria.is_empty(),
        reg,
        cov,
        general,
    })
}

pub async fn campaign(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<CampaignPage, Problem> {
    campaign_page(&app, t, &caller, parse_id(&id)?, FormState::default(), Sent::Nothing).await
}

async fn after_campaign_form(app: &App, t: T, caller: &Caller, id: i64, f: FormState, sent: Sent, outcome: Result<(), AppError>) -> Result<Response, Problem> {
    answer(t, f, outcome.map(|()| format!("/campaigns/{id}")), async |f| campaign_page(app, t, caller, id, f, sent).await).await
}

pub async fn save_criteria(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match parse_criteria(f.val("criteria")) {
        Ok(table) => app.set_criteria(&caller.principal, id, &table).await,
        Err(e) => Err(AppError::Criteria(e)),
    };
    after_campaign_form(&app, t, &caller, id, f, Sent::Criteria, outcome).await
}

pub async fn register(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match org_field(&f, "org") {
        Some(org) => app.register_targets(&caller.principal, id, org, &lines(f.val("targets")), &lines(f.val("titles"))).await,
        None => Err(AppError::Invalid(vec![FieldProblem::new("org", Invalid::Required)])),
    };
    after_campaign_form(&app, t, &caller, id, f, Sent::Registration, outcome).await
}

fn covenant_from(f: &FormState) -> Result<CovenantInput, AppError> {
    let mut problems = Vec::new();
    let org = org_field(f, "org");
    if org.is_none() {
        problems.push(FieldProblem::new("org", Invalid::Required));
    }
    let entry = match f.val("status") {
        "absent" => Some(CovenantEntry::Absent { reason: f.val("reason").into() }),
        "signed" => match date_field(f, "signed_on", &mut problems) {
            Some(on) => Some(CovenantEntry::Signed { on, signatory: f.val("signatory").into() }),
            None => {
                if f.val("signed_on").trim().is_empty() {
                    problems.push(FieldProblem::new("signed_on", Invalid::Required));
                }
                None
            }
        },
        _ => {
            problems.push(FieldProblem::new("status", Invalid::Choice));
            None
        }
    };
    let meeting = f.val("meeting").trim().parse::<i64>().ok();
    match (org, entry) {
        (Some(org), Some(entry)) if problems.is_empty() => Ok(CovenantInput { org, entry, meeting }),
        _ => Err(AppError::Invalid(problems)),
    }
}

pub async fn covenant(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match covenant_from(&f) {
        Ok(input) => app.record_covenant(&caller.principal, id, &input).await,
        Err(e) => Err(e),
    };
    after_campaign_form(&app, t, &caller, id, f, Sent::Covenant, outcome).await
}

pub async fn covenant_docx(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.covenant_docx(&caller.principal, id).await?;
    Ok(docx_download(format!("giao-uoc-thi-dua-{id}.docx"), bytes))
}

// --- Meetings -----------------------------------------------------------------------------------

/// Rows of topics the meeting form offers.
const TOPIC_ROWS: usize = 3;

#[derive(Template, WebTemplate)]
#[template(path = "meeting_form.html")]
pub struct MeetingFormPage {
    c: Chrome,
    id: i64,
    name: String,
    kinds: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    topic_rows: Vec<usize>,
    f: FormState,
}

async fn meeting_form_page(app: &App, t: T, caller: &Caller, id: ClusterId, f: FormState) -> Result<MeetingFormPage, Problem> {
    if !app.may_edit_cluster(&caller.principal, id).await {
        return Err(Problem::App(AppError::Forbidden));
    }
    // The units offered are those of the year typed (or this year's, or the latest recorded).
    let typed = parse_date(f.val("held_on")).map(|d| d.year());
    let detail = match app.cluster_detail(&caller.principal, id, typed.or(Some(today().year()))).await {
        Ok(d) if !d.members.is_empty() => d,
        _ => app.cluster_detail(&caller.principal, id, None).await?,
    };
    let mut members: Vec<(String, String)> = detail.members.iter().map(|m| (m.org.org.0.to_string(), m.org.name.clone())).collect();
    thidua_core::vi::sort_by_name(&mut members, |x| &x.1);
    Ok(MeetingFormPage {
        c: Chrome::new(t, "clusters", &format!("/clusters/{}/meetings/new", id.0), Some(caller)),
        id: id.0,
        name: detail.cluster.name,
        kinds: MeetingKind::ALL.iter().map(|k| (k.code(), meeting_kind_label(t, *k))).collect(),
        members,
        topic_rows: (0..TOPIC_ROWS).collect(),
        f,
    })
}

pub async fn new_meeting(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<MeetingFormPage, Problem> {
    let id = cluster_id(&id)?;
    let rules = app.cluster_rules(&caller.principal, id).await?;
    let f = FormState::sent(vec![("locality".into(), rules.locality.unwrap_or_default()), ("held_on".into(), format_date(today()))]);
    meeting_form_page(&app, t, &caller, id, f).await
}

fn meeting_from(id: ClusterId, f: &FormState) -> Result<NewMeeting, AppError> {
    let mut problems = Vec::new();
    let kind = MeetingKind::from_code(f.val("kind"));
    if kind.is_none() {
        problems.push(FieldProblem::new("kind", Invalid::Choice));
    }
    let held_on = date_field(f, "held_on", &mut problems);
    if held_on.is_none() && f.val("held_on").trim().is_empty() {
        problems.push(FieldProblem::new("held_on", Invalid::Required));
    }
    let units: Vec<OrgId> = f.values_of("units").iter().filter_map(|v| v.parse::<i64>().ok()).map(OrgId).collect();
    let guests = lines(f.val("guests"))
        .into_iter()
        .map(|l| match l.split_once('|') {
            Some((name, position)) => Guest { name: name.trim().into(), position: position.trim().into() },
            None => Guest { name: l, position: String::new() },
        })
        .collect();
    let topics = (0..TOPIC_ROWS)
        .filter(|i| !f.val(&format!("topic_{i}")).trim().is_empty())
        .map(|i| TopicRow {
            title: f.val(&format!("topic_{i}")).into(),
            presenter_org: org_field(f, &format!("topic_{i}_org")),
            presenter: Some(f.val(&format!("topic_{i}_person")).to_owned()),
        })
        .collect();
    match (kind, held_on, problems.is_empty()) {
        (Some(kind), Some(held_on), true) => Ok(NewMeeting {
            cluster: id,
            kind,
            held_on,
            locality: f.val("locality").into(),
            place: f.val("place").into(),
            host: org_field(f, "host"),
            title: f.val("title").into(),
            agenda: f.val("agenda").into(),
            units,
            guests,
            topics,
            documents: f.val("documents").split(['\n', ',', ';']).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
            discussion: f.val("discussion").into(),
            conclusions: f.val("conclusions").into(),
        }),
        _ => Err(AppError::Invalid(problems)),
    }
}

pub async fn create_meeting(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = cluster_id(&id)?;
    may_write(&app, &caller, id).await?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match meeting_from(id, &f) {
        Ok(new) => app.create_meeting(&caller.principal, &new).await,
        Err(e) => Err(e),
    };
    let outcome = outcome.map(|m| format!("/meetings/{}", m.id));
    answer(t, f, outcome, async |f| meeting_form_page(&app, t, &caller, id, f).await).await
}

pub struct TaskLine {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub owner: String,
    pub deadline: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub overdue: bool,
    pub meeting: Link,
    pub notes: Vec<String>,
    pub may_update: bool,
}

fn task_line(t: T, v: &TaskView) -> TaskLine {
    TaskLine {
        id: v.task.id,
        version: v.task.version,
        title: v.task.title.clone(),
        owner: v.owner_name.clone().unwrap_or_default(),
        deadline: v.task.deadline.map(format_date).unwrap_or_default(),
        status: task_status_label(t, v.task.status),
        status_code: v.task.status.code(),
        overdue: v.overdue,
        meeting: Link { href: format!("/meetings/{}", v.task.meeting), text: v.meeting_title.clone() },
        notes: v
            .notes
            .iter()
            .map(|n| {
                let on = jiff::Timestamp::from_second(n.at_unix).map(|ts| format_date(jiff::tz::Offset::constant(7).to_datetime(ts).date())).unwrap_or_default();
                format!("{on} · {}: {}", n.actor, n.note)
            })
            .collect(),
        may_update: v.may_update,
    }
}

pub struct DocLine {
    pub symbol: String,
    pub href: Option<String>,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    c: Chrome,
    id: i64,
    cluster: Link,
    title: String,
    kind: &'static str,
    date: String,
    place: String,
    host: Option<String>,
    number: String,
    agenda: Vec<String>,
    units: Vec<String>,
    guests: Vec<String>,
    topics: Vec<String>,
    documents: Vec<DocLine>,
    discussion: Vec<String>,
    conclusions: Vec<String>,
    tasks: Vec<TaskLine>,
    units_heading: String,
    documents_heading: String,
    tasks_heading: String,
    members: Vec<(String, String)>,
    may_edit: bool,
    /// The outcome and key-task forms as last sent, with their problems.
    outcome: FormState,
    task: FormState,
    general: Option<String>,
}

async fn meeting_page(app: &App, t: T, caller: &Caller, id: i64, mut f: FormState, sent: Sent) -> Result<MeetingPage, Problem> {
    let d: MeetingDetail = app.meeting_detail(&caller.principal, id).await?;
    let m = &d.meeting;
    let general = f.general.take();
    let recorded = || {
        FormState::sent(vec![("discussion".into(), m.discussion.clone()), ("conclusions".into(), m.conclusions.clone()), ("version".into(), m.version.to_string())])
    };
    let (outcome, task) = match sent {
        Sent::Outcome => (f, FormState::default()),
        Sent::Task => (recorded(), f),
        _ => (recorded(), FormState::default()),
    };
    Ok(MeetingPage {
        c: Chrome::new(t, "clusters", &format!("/meetings/{id}"), Some(caller)),
        id,
        cluster: Link { href: format!("/clusters/{}?year={}", d.cluster.id.0, m.held_on.year()), text: d.cluster.name.clone() },
        title: m.title.clone(),
        kind: meeting_kind_label(t, m.kind),
        date: format_date(m.held_on),
        place: format!("{} ({})", m.place, m.locality),
        host: d.host_name.clone(),
        number: format!("{:02}-BB/CTĐ", m.number),
        agenda: lines(&m.agenda),
        units: d.units.iter().map(|(_, n)| n.clone()).collect(),
        guests: d.guests.iter().map(|g| if g.position.is_empty() { g.name.clone() } else { format!("{}, {}", g.name, g.position) }).collect(),
        topics: d
            .topics
            .iter()
            .map(|(topic, org)| {
                let by: Vec<String> = [topic.presenter.clone(), org.clone()].into_iter().flatten().collect();
                if by.is_empty() { format!("“{}”", topic.title) } else { format!("“{}” — {}", topic.title, by.join(", ")) }
            })
            .collect(),
        documents: d
            .documents
            .iter()
            .map(|x| {
                let doc = &x.document;
                let dated = doc.issued_on.map(|on| format!(" {}", t.fmt("meeting.doc_dated", &[("date", &format_date(on))]))).unwrap_or_default();
                let by = doc.issuer_name.as_ref().map(|i| format!(" {}", t.fmt("meeting.doc_by", &[("issuer", i)]))).unwrap_or_default();
                DocLine { symbol: doc.symbol.clone().unwrap_or_default(), href: x.may_open.then(|| format!("/documents/{}", doc.id)), text: format!("{dated}{by}: {}", doc.summary) }
            })
            .collect(),
        discussion: lines(&m.discussion),
        conclusions: lines(&m.conclusions),
        tasks: d.tasks.iter().map(|v| task_line(t, v)).collect(),
        units_heading: t.fmt("meeting.units_count", &[("count", &t.int(&d.units.len()))]),
        documents_heading: t.fmt("meeting.documents", &[("count", &t.int(&d.documents.len()))]),
        tasks_heading: t.fmt("meeting.tasks", &[("count", &t.int(&d.tasks.len()))]),
        members: d.members.iter().map(|(o, n)| (o.0.to_string(), n.clone())).collect(),
        may_edit: d.may_edit,
        outcome,
        task,
        general,
    })
}

pub async fn meeting(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<MeetingPage, Problem> {
    meeting_page(&app, t, &caller, parse_id(&id)?, FormState::default(), Sent::Nothing).await
}

async fn after_meeting_form(app: &App, t: T, caller: &Caller, id: i64, f: FormState, sent: Sent, outcome: Result<(), AppError>) -> Result<Response, Problem> {
    answer(t, f, outcome.map(|()| format!("/meetings/{id}")), async |f| meeting_page(app, t, caller, id, f, sent).await).await
}

pub async fn save_outcome(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let version = f.val("version").parse::<i64>().map_err(|_| Problem::BadRequest("version".into()))?;
    let outcome = app.record_meeting_outcome(&caller.principal, id, version, f.val("discussion"), f.val("conclusions")).await;
    after_meeting_form(&app, t, &caller, id, f, Sent::Outcome, outcome).await
}

pub async fn add_task(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let mut problems = Vec::new();
    let deadline = date_field(&f, "deadline", &mut problems);
    let outcome = if problems.is_empty() {
        app.add_key_task(&caller.principal, id, f.val("title"), org_field(&f, "owner"), deadline).await.map(|_| ())
    } else {
        Err(AppError::Invalid(problems))
    };
    after_meeting_form(&app, t, &caller, id, f, Sent::Task, outcome).await
}

pub async fn minutes_docx(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.minutes_docx(&caller.principal, id).await?;
    Ok(docx_download(format!("bien-ban-hoi-nghi-{id}.docx"), bytes))
}

// --- Key tasks ----------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    c: Chrome,
    cluster: Link,
    year: i16,
    summary: String,
    tasks: Vec<TaskLine>,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn tasks_page(app: &App, t: T, caller: &Caller, id: ClusterId, year: Option<i16>, error: Option<String>) -> Result<TasksPage, Problem> {
    let detail = app.cluster_detail(&caller.principal, id, year).await?;
    let progress = app.key_tasks(&caller.principal, id, detail.year).await?;
    let total = progress.tasks.len();
    let summary = t.fmt(
        "tasks.summary",
        &[
            ("total", &t.int(&total)),
            ("done", &t.int(&progress.done)),
            ("open", &t.int(&progress.open)),
            ("overdue", &t.int(&progress.overdue)),
            ("share", &t.percent(progress.done as i64, total as i64)),
        ],
    );
    Ok(TasksPage {
        c: Chrome::new(t, "clusters", &format!("/clusters/{}/tasks", id.0), Some(caller)),
        cluster: Link { href: format!("/clusters/{}?year={}", id.0, detail.year), text: detail.cluster.name.clone() },
        year: detail.year,
        summary,
        tasks: progress.tasks.iter().map(|v| task_line(t, v)).collect(),
        statuses: TaskStatus::ALL.iter().map(|s| (s.code(), task_status_label(t, *s))).collect(),
        error,
    })
}

pub async fn tasks(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, query: Result<Query<YearQuery>, QueryRejection>) -> Result<TasksPage, Problem> {
    let Query(q) = query?;
    tasks_page(&app, t, &caller, cluster_id(&id)?, parse_year(q.year.as_deref())?, None).await
}

/// Updates a task from its row in the progress view, then returns there.
pub async fn update_task(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let status = TaskStatus::from_code(f.val("status")).ok_or_else(|| Problem::BadKind(f.val("status").chars().take(20).collect()))?;
    let version = f.val("version").parse::<i64>().map_err(|_| Problem::BadRequest("version".into()))?;
    let outcome = app.update_key_task(&caller.principal, id, version, status, f.val("note")).await;
    let task = app.key_task_location(&caller.principal, id).await?;
    match outcome {
        Ok(()) => Ok(see_other(format!("/clusters/{}/tasks?year={}#task-{id}", task.0 .0, task.1))),
        Err(e) => {
            let p = shown_on_form(e)?;
            let message = match &p {
                Problem::App(AppError::Invalid(list)) => list.iter().map(|x| describe_field(x, t)).collect::<Vec<_>>().join(" "),
                other => other.describe(t).1,
            };
            Ok((p.status(), tasks_page(&app, t, &caller, task.0, Some(task.1), Some(message)).await?).into_response())
        }
    }
}
