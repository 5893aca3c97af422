//! Pages of the annual quality evaluation: the rounds, a round with its subjects, quota and steps,
//! the grid where an officer enters a whole cell at once, one subject with the explanation of its
//! proposed level, and the lists and report for the hierarchy.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::evaluation::{AssessmentInput, Conclusion, EvalRoundView, OpinionInput, QuotaState, Step, SubjectView};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::date::format_date;
use thidua_core::evaluation::{Assessment, Condition, Level, SubjectKind, Tasks};
use thidua_core::org::OrgId;
use thidua_core::vi::parse_int;

use super::emulation::{answer, see_other, FormState};
use super::picker::{shown_while_searching, Picker};
use super::{page_param, parse_id, slice_page, today, Chrome, Link, Pager};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

type Values = Result<Form<Vec<(String, String)>>, FormRejection>;

pub fn level_label(t: T, level: Level) -> &'static str {
    t.get(&format!("level.{}", level.code()))
}

pub fn kind_label(t: T, kind: SubjectKind) -> &'static str {
    t.get(&format!("eval.kind.{}", kind.code()))
}

/// One condition of a level, in words.
pub fn describe_condition(t: T, c: Condition) -> String {
    match c {
        Condition::MinScore(n) => t.fmt("eval.cond.min_score", &[("n", &n.to_string())]),
        Condition::AllCriteriaMet => t.get("eval.cond.all_criteria_met").into(),
        Condition::UnmetAtMost(n) => t.fmt("eval.cond.unmet_at_most", &[("n", &n.to_string())]),
        Condition::OnTimeAtLeastPct(n) => t.fmt("eval.cond.on_time", &[("n", &n.to_string())]),
        Condition::ExceedingAtLeastPct(n) => t.fmt("eval.cond.exceeding", &[("n", &n.to_string())]),
        Condition::LateAtMostPct(n) => t.fmt("eval.cond.late", &[("n", &n.to_string())]),
        Condition::NoCollectiveDiscipline => t.get("eval.cond.no_collective_discipline").into(),
    }
}

pub fn describe_quota(t: T, q: &QuotaState) -> String {
    let key = if q.ok { "eval.quota.ok" } else { "eval.quota.over" };
    t.fmt(key, &[("htxsnv", &q.htxsnv.to_string()), ("httnv", &q.httnv.to_string()), ("limit", &q.limit.to_string()), ("pct", &q.pct.to_string())])
}

fn step_text(t: T, s: &Option<Step>) -> String {
    match s {
        Some(s) => {
            let level = s.level.map(Level::abbreviation).unwrap_or("–");
            t.fmt("eval.step_line", &[("level", level), ("by", &s.by), ("date", &format_date(s.on))])
        }
        None => String::new(),
    }
}

fn proposal_text(t: T, s: &SubjectView) -> String {
    match s.proposal.score {
        Some(score) => t.fmt("eval.proposal_scored", &[("level", s.proposal.level.abbreviation()), ("score", &score.to_string())]),
        None => s.proposal.level.abbreviation().into(),
    }
}

fn round_href(id: i64) -> String {
    format!("/evaluations/{id}")
}

fn subject_href(round: i64, subject: i64) -> String {
    format!("/evaluations/{round}/subjects/{subject}")
}

fn grid_href(round: i64, cell: OrgId, kind: SubjectKind) -> String {
    match kind {
        SubjectKind::Leader => format!("/evaluations/{round}/cells/{}?kind=leader", cell.0),
        _ => format!("/evaluations/{round}/cells/{}", cell.0),
    }
}

// ---------------------------------------------------------------------------------------------
// The rounds.

pub struct RoundLine {
    pub link: Link,
    pub year: i16,
    pub rules: String,
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluations.html")]
pub struct ListPage {
    c: Chrome,
    /// The years that have rounds; the one shown is not a link.
    years: Vec<Link>,
    current: String,
    rows: Vec<RoundLine>,
    pager: Pager,
    /// Where a round may be opened.
    org: Picker,
    f: FormState,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<String>,
    page: Option<String>,
}

/// Rounds on a page of a year's list.
const ROUNDS_PAGE: i64 = 100;

async fn list_page(app: &App, t: T, caller: &Caller, q: ListQuery, f: FormState) -> Result<ListPage, Problem> {
    let years = app.eval_round_years().await?;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => Some(y.parse::<i16>().map_err(|_| Problem::BadYear(y.chars().take(10).collect()))?),
        None => years.first().copied(),
    };
    let page = page_param(q.page.as_deref())?;
    let rounds = match year {
        Some(y) => app.eval_rounds_in(&caller.principal, y).await?,
        None => Vec::new(),
    };
    let (rounds, more) = slice_page(rounds, page, ROUNDS_PAGE);
    let rows: Vec<RoundLine> = rounds
        .into_iter()
        .map(|(r, name)| RoundLine {
            link: Link { href: round_href(r.id), text: name },
            year: r.year,
            rules: r.rules_source.split(';').next().unwrap_or_default().trim().to_owned(),
            state: match &r.concluded {
                Some(s) => t.fmt("eval.state.concluded", &[("date", &format_date(s.on))]),
                None => t.get("eval.state.open").into(),
            },
        })
        .collect();
    let orgs = app.evaluable_orgs(&caller.principal).await?;
    let org = Picker::orgs(t, "org", orgs, f.val("org"), f.val("org_q"));
    let f = if f.pairs().is_empty() {
        // The year under review: the current one from its last quarter, the previous one before.
        let now = today();
        let year = if now.month() >= 10 { now.year() } else { now.year() - 1 };
        FormState::sent(vec![("year".into(), year.to_string())])
    } else {
        f
    };
    let year_text = year.map(|y| y.to_string()).unwrap_or_default();
    Ok(ListPage {
        c: Chrome::new(t, "evaluations", "/evaluations", Some(caller)),
        years: years.iter().map(|y| Link { href: format!("/evaluations?year={y}"), text: y.to_string() }).collect(),
        pager: Pager::new(t, page, ROUNDS_PAGE, rows.len(), more, |n| format!("/evaluations?year={year_text}&page={n}")),
        current: year_text,
        rows,
        org,
        f,
    })
}

pub async fn list(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ListQuery>, QueryRejection>) -> Result<ListPage, Problem> {
    let Query(q) = query?;
    list_page(&app, t, &caller, q, FormState::default()).await
}

pub async fn open(State(app): State<App>, t: T, caller: Caller, form: Values) -> Result<Response, Problem> {
    let Form(values) = form?;
    let f = FormState::sent(values);
    if let Some(shown) = shown_while_searching(&[f.val("org_q")], async || list_page(&app, t, &caller, ListQuery::default(), f.clone()).await, |p| p.org.pending).await? {
        return Ok(shown);
    }
    let org = f.val("org").trim().parse::<i64>().ok().filter(|n| *n > 0).map(OrgId);
    let year = f.val("year").trim().parse::<i16>().ok().filter(|y| (1930..=2100).contains(y));
    let outcome = match (org, year) {
        (Some(org), Some(year)) => app.open_eval_round(&caller.principal, org, year).await.map(|r| round_href(r.id)),
        (None, _) => Err(AppError::Invalid(vec![FieldProblem::new("org", Invalid::Required)])),
        (_, None) => Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)])),
    };
    answer(t, f, outcome, async |f| list_page(&app, t, &caller, ListQuery::default(), f).await).await
}

// ---------------------------------------------------------------------------------------------
// One round.

pub struct SubjectLine {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub proposal: String,
    pub forced: bool,
    pub own: String,
    pub opinion: String,
    pub concluded: String,
    pub approved: String,
}

pub struct CellLine {
    pub href: String,
    pub name: String,
    pub members: usize,
    pub assessed: usize,
    pub opinions: usize,
}

/// A subject whose level the committee (or the superior) sets: the levels it may take.
pub struct ChoiceLine {
    pub field: String,
    pub name: String,
    pub group: String,
    pub proposal: String,
    pub options: Vec<(&'static str, &'static str)>,
}

/// A statement and whether it is within the rules (shown green or red).
pub type Verdict = (String, bool);

/// What concluding would give: members by level, and the quota.
pub struct Preview {
    pub lines: Vec<String>,
    pub quota: Option<Verdict>,
}

pub struct Distribution {
    pub kind: &'static str,
    pub cells: Vec<String>,
    pub total: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
pub struct RoundPage {
    c: Chrome,
    id: i64,
    title: String,
    rules_source: String,
    unverified: Option<String>,
    state: String,
    concluded: bool,
    quota: Option<Verdict>,
    collectives: Vec<SubjectLine>,
    cells: Vec<CellLine>,
    leader_cells: Vec<Link>,
    choices: Vec<ChoiceLine>,
    preview: Option<Preview>,
    approvals: Vec<ChoiceLine>,
    levels_head: Vec<&'static str>,
    distribution: Vec<Distribution>,
    org_streaks: Vec<String>,
    member_streaks: Vec<String>,
    reopenings: Vec<String>,
    may_conclude: bool,
    f: FormState,
}

fn line(t: T, id: i64, s: &SubjectView) -> SubjectLine {
    SubjectLine {
        href: subject_href(id, s.row.id),
        name: s.name.clone(),
        kind: kind_label(t, s.row.kind),
        proposal: proposal_text(t, s),
        forced: !s.proposal.forced.is_empty(),
        own: step_text(t, &s.row.own),
        opinion: step_text(t, &s.row.opinion),
        concluded: step_text(t, &s.row.concluded),
        approved: step_text(t, &s.row.approved),
    }
}

fn choice(t: T, s: &SubjectView, current: Level, f: &mut Vec<(String, String)>) -> ChoiceLine {
    let field = format!("level_{}", s.row.id);
    f.push((field.clone(), current.code().into()));
    let proposal = proposal_text(t, s);
    ChoiceLine {
        field,
        name: s.name.clone(),
        group: if s.row.kind.is_collective() { kind_label(t, s.row.kind).into() } else { s.cell_name.clone() },
        proposal: if s.row.own.is_none() { format!("{proposal} · {}", t.get("eval.unassessed")) } else { proposal },
        options: Level::ALL.into_iter().filter(|l| *l <= s.proposal.level).map(|l| (l.code(), l.abbreviation())).collect(),
    }
}

fn conclusion_lines(t: T, c: &Conclusion) -> Preview {
    let total: u32 = c.members.values().sum();
    let mut lines: Vec<String> = Level::ALL
        .into_iter()
        .map(|l| {
            let n = c.members.get(&l).copied().unwrap_or(0);
            t.fmt("eval.preview.line", &[("level", l.abbreviation()), ("n", &n.to_string()), ("pct", &t.percent(i64::from(n), i64::from(total)))])
        })
        .collect();
    if c.lowered > 0 {
        lines.push(t.fmt("eval.preview.lowered", &[("n", &c.lowered.to_string())]));
    }
    Preview { lines, quota: c.quota.as_ref().map(|q| (describe_quota(t, q), q.ok)) }
}

async fn round_page(app: &App, t: T, caller: &Caller, id: i64, f: Option<FormState>, preview: Option<Conclusion>) -> Result<RoundPage, Problem> {
    let v: EvalRoundView = app.eval_round_view(&caller.principal, id).await?;
    let concluded = v.round.concluded.is_some();
    let collectives = v.subjects.iter().filter(|s| s.row.kind.is_collective()).map(|s| line(t, id, s)).collect();
    let cells = v
        .cells
        .iter()
        .map(|(cell, name, members)| {
            let of_cell = || v.subjects.iter().filter(|s| s.row.kind == SubjectKind::Member && s.row.cell == *cell);
            CellLine {
                href: grid_href(id, *cell, SubjectKind::Member),
                name: name.clone(),
                members: *members,
                assessed: of_cell().filter(|s| s.row.own.is_some()).count(),
                opinions: of_cell().filter(|s| s.row.opinion.is_some()).count(),
            }
        })
        .collect();
    let mut leader_cells: Vec<Link> = Vec::new();
    for s in v.subjects.iter().filter(|s| s.row.kind == SubjectKind::Leader) {
        let href = grid_href(id, s.row.cell, SubjectKind::Leader);
        if !leader_cells.iter().any(|l| l.href == href) {
            leader_cells.push(Link { href, text: s.cell_name.clone() });
        }
    }
    // The forms' starting values; what was sent wins when the page comes back with a problem.
    let mut start = Vec::new();
    let choices = if v.may_conclude && !concluded { v.subjects.iter().map(|s| choice(t, s, s.starting_level(), &mut start)).collect() } else { Vec::new() };
    let approvals = if v.may_approve && concluded {
        v.subjects
            .iter()
            .filter(|s| s.row.kind.is_collective())
            .map(|s| choice(t, s, s.row.result().unwrap_or(s.proposal.level), &mut start))
            .collect()
    } else {
        Vec::new()
    };
    let f = match f {
        Some(f) => f.with_defaults(start),
        None => FormState::sent(start),
    };
    let (mut distribution, mut org_streaks, mut member_streaks) = (Vec::new(), Vec::new(), Vec::new());
    if concluded {
        let r = app.eval_results(&caller.principal, id).await?;
        for kind in SubjectKind::ALL {
            let Some(counts) = r.distribution.get(&kind) else { continue };
            let total: u32 = counts.values().sum();
            let cells = Level::ALL
                .into_iter()
                .map(|l| {
                    let n = counts.get(&l).copied().unwrap_or(0);
                    format!("{} ({})", n, t.percent(i64::from(n), i64::from(total)))
                })
                .collect();
            distribution.push(Distribution { kind: kind_label(t, kind), cells, total });
        }
        org_streaks = r
            .org_streaks
            .iter()
            .map(|(_, name, level, years)| match years {
                0 => format!("{name}: {}", level.abbreviation()),
                _ => t.fmt("eval.org_streak", &[("name", name), ("level", level.abbreviation()), ("years", &years.to_string())]),
            })
            .collect();
        member_streaks = r.member_streaks.iter().map(|(_, name, years)| t.fmt("eval.member_streak", &[("name", name), ("years", &years.to_string())])).collect();
    }
    let state = match &v.round.concluded {
        Some(s) => t.fmt("eval.state.concluded_by", &[("date", &format_date(s.on)), ("by", &s.by)]),
        None => t.get("eval.state.open").into(),
    };
    Ok(RoundPage {
        c: Chrome::new(t, "evaluations", &round_href(id), Some(caller)),
        id,
        title: t.fmt("eval.round_title", &[("year", &v.round.year.to_string()), ("org", &v.org_name)]),
        rules_source: v.rules.source.clone(),
        unverified: (!v.rules.unverified.is_empty()).then(|| t.fmt("eval.unverified", &[("what", &v.rules.unverified.iter().map(|u| t.get(&format!("eval.unverified.{u}"))).collect::<Vec<_>>().join(", "))])),
        state,
        concluded,
        quota: v.quota.as_ref().map(|q| (describe_quota(t, q), q.ok)),
        collectives,
        cells,
        leader_cells,
        choices,
        preview: preview.as_ref().map(|c| conclusion_lines(t, c)),
        approvals,
        levels_head: Level::ALL.into_iter().map(Level::abbreviation).collect(),
        distribution,
        org_streaks,
        member_streaks,
        reopenings: v.reopenings.iter().map(|r| format!("{}: {}", r.actor, r.reason)).collect(),
        may_conclude: v.may_conclude,
        f,
    })
}

pub async fn round(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<RoundPage, Problem> {
    round_page(&app, t, &caller, parse_id(&id)?, None, None).await
}

/// The levels chosen in a conclusion or approval form: `level_<subject>`.
fn chosen_levels(f: &FormState) -> Result<BTreeMap<i64, Level>, AppError> {
    let mut out = BTreeMap::new();
    for (k, v) in f.pairs() {
        let Some(subject) = k.strip_prefix("level_").and_then(|s| s.parse::<i64>().ok()) else { continue };
        let level = Level::from_code(v.trim()).ok_or_else(|| AppError::Invalid(vec![FieldProblem::new("level", Invalid::Choice)]))?;
        out.insert(subject, level);
    }
    Ok(out)
}

/// Previews (`action=preview`, nothing saved) or concludes the round with the levels chosen.
pub async fn conclude(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let levels = match chosen_levels(&f) {
        Ok(l) => l,
        Err(e) => return answer(t, f, Err(e), async |f| round_page(&app, t, &caller, id, Some(f), None).await).await,
    };
    if f.val("action") == "preview" {
        let outcome = app.preview_conclusion(&caller.principal, id, &levels).await;
        return match outcome {
            Ok(c) => Ok(round_page(&app, t, &caller, id, Some(f), Some(c)).await?.into_response()),
            Err(e) => answer(t, f, Err(e), async |f| round_page(&app, t, &caller, id, Some(f), None).await).await,
        };
    }
    let outcome = app.conclude_round(&caller.principal, id, &levels).await.map(|_| round_href(id));
    // Over the quota, the page shows what the levels chosen would give beside the refusal.
    let preview = if outcome.is_err() { app.preview_conclusion(&caller.principal, id, &levels).await.ok() } else { None };
    answer(t, f, outcome, async |f| round_page(&app, t, &caller, id, Some(f), preview).await).await
}

pub async fn approve(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match chosen_levels(&f) {
        Ok(levels) => app.approve_round(&caller.principal, id, &levels).await.map(|()| round_href(id)),
        Err(e) => Err(e),
    };
    answer(t, f, outcome, async |f| round_page(&app, t, &caller, id, Some(f), None).await).await
}

pub async fn reopen(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = app.reopen_eval_round(&caller.principal, id, f.val("reason")).await.map(|()| round_href(id));
    answer(t, f, outcome, async |f| round_page(&app, t, &caller, id, Some(f), None).await).await
}

pub async fn lists(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.eval_lists_xlsx(&caller.principal, id).await?;
    Ok(download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", format!("danh-sach-xep-loai-{id}.xlsx"), bytes))
}

pub async fn report(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.eval_report_docx(&caller.principal, id).await?;
    Ok(download("application/vnd.openxmlformats-officedocument.wordprocessingml.document", format!("bao-cao-xep-loai-{id}.docx"), bytes))
}

fn download(content_type: &'static str, name: String, bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes).into_response()
}

// ---------------------------------------------------------------------------------------------
// Entering steps: a cell's grid, or one subject.

/// A criterion column of a form.
pub struct Column {
    pub code: String,
    pub title: String,
    /// Scored forms: the most points; forms of criteria met or not: none.
    pub max: Option<u32>,
}

pub struct GridRow {
    pub id: i64,
    pub n: usize,
    pub name: String,
    pub href: String,
    pub proposal: String,
    pub forced: Vec<String>,
    pub concluded: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_grid.html")]
pub struct GridPage {
    c: Chrome,
    action: String,
    round: Link,
    heading: String,
    columns: Vec<Column>,
    triggers: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    rows: Vec<GridRow>,
    may_write: bool,
    f: FormState,
}

/// The form's fields of a subject as stored, to start the grid from.
fn stored_fields(v: &EvalRoundView, s: &SubjectView, out: &mut Vec<(String, String)>) {
    let id = s.row.id;
    let a = &s.row.assessment;
    out.push((format!("s{id}_v"), s.row.version.to_string()));
    for c in v.rules.form(s.row.kind) {
        let key = format!("s{id}_c{}", c.code);
        if v.rules.scored {
            if let Some(points) = a.scores.get(&c.code) {
                out.push((key, points.to_string()));
            }
        } else if a.met.get(&c.code).copied().unwrap_or(false) {
            out.push((key, "on".into()));
        }
    }
    let t = a.tasks;
    if t != Tasks::default() {
        for (k, n) in [("total", t.total), ("on_time", t.on_time), ("exceeding", t.exceeding), ("late", t.late)] {
            out.push((format!("s{id}_{k}"), n.to_string()));
        }
    }
    for code in &a.triggers {
        out.push((format!("s{id}_t_{code}"), "on".into()));
    }
    if let Some(l) = s.row.own.as_ref().and_then(|o| o.level) {
        out.push((format!("s{id}_self"), l.code().into()));
    }
    if let Some(l) = s.row.opinion.as_ref().and_then(|o| o.level) {
        out.push((format!("s{id}_opinion"), l.code().into()));
    }
    if let Some(n) = &s.row.opinion_note {
        out.push((format!("s{id}_note"), n.clone()));
    }
}

/// A stored assessment as the form carries it: scores or ticked criteria of the form, the tasks,
/// every trigger.
fn as_form(v: &EvalRoundView, s: &SubjectView) -> Assessment {
    let stored = &s.row.assessment;
    let form = v.rules.form(s.row.kind);
    Assessment {
        scores: if v.rules.scored { stored.scores.iter().filter(|(c, _)| form.iter().any(|x| &x.code == *c)).map(|(c, n)| (c.clone(), *n)).collect() } else { Default::default() },
        met: if v.rules.scored { Default::default() } else { stored.met.iter().filter(|(c, m)| **m && form.iter().any(|x| &x.code == *c)).map(|(c, m)| (c.clone(), *m)).collect() },
        tasks: stored.tasks,
        triggers: stored.triggers.clone(),
    }
}

/// The triggers and facts a committee ticks; discipline comes from the member's records.
fn tickable(v: &EvalRoundView, kind: SubjectKind) -> Vec<(String, String)> {
    v.rules.tickable(kind).filter(|f| f.code != "discipline").map(|f| (f.code.clone(), f.label.clone())).collect()
}

fn columns(v: &EvalRoundView, kind: SubjectKind) -> Vec<Column> {
    v.rules.form(kind).iter().map(|c| Column { code: c.code.clone(), title: c.title.clone(), max: c.max_points }).collect()
}

fn level_options() -> Vec<(&'static str, &'static str)> {
    Level::ALL.into_iter().map(|l| (l.code(), l.abbreviation())).collect()
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

fn grid_kind(q: &KindQuery) -> Result<SubjectKind, Problem> {
    match q.kind.as_deref().map(str::trim) {
        None | Some("") | Some("member") => Ok(SubjectKind::Member),
        Some("leader") => Ok(SubjectKind::Leader),
        Some(other) => Err(Problem::BadKind(other.chars().take(20).collect())),
    }
}

async fn grid_page(app: &App, t: T, caller: &Caller, id: i64, cell: OrgId, kind: SubjectKind, f: Option<FormState>) -> Result<GridPage, Problem> {
    let v = app.eval_round_view(&caller.principal, id).await?;
    let subjects: Vec<&SubjectView> = v.subjects.iter().filter(|s| s.row.kind == kind && s.row.cell == cell).collect();
    let cell_name = subjects.first().map(|s| s.cell_name.clone()).ok_or(Problem::App(AppError::NotFound))?;
    let may_write = v.round.concluded.is_none() && app.may_assess_cell(&caller.principal, id, cell).await?;
    let f = match f {
        // Back with a problem: what was typed stays, on the versions now stored (after a
        // conflict, saving again overwrites knowingly).
        Some(mut f) => {
            for s in &subjects {
                f.set(&format!("s{}_v", s.row.id), s.row.version.to_string());
            }
            f
        }
        None => {
            let mut start = Vec::new();
            for s in &subjects {
                stored_fields(&v, s, &mut start);
            }
            FormState::sent(start)
        }
    };
    let rows = subjects
        .iter()
        .enumerate()
        .map(|(i, s)| GridRow {
            id: s.row.id,
            n: i + 1,
            name: s.name.clone(),
            href: subject_href(id, s.row.id),
            proposal: proposal_text(t, s),
            forced: s.proposal.forced.clone(),
            concluded: s.row.result().map(Level::abbreviation).unwrap_or_default().to_owned(),
        })
        .collect();
    let key = if kind == SubjectKind::Leader { "eval.grid.leaders" } else { "eval.grid.members" };
    Ok(GridPage {
        c: Chrome::new(t, "evaluations", &grid_href(id, cell, kind), Some(caller)),
        action: grid_href(id, cell, kind),
        round: Link { href: round_href(id), text: t.fmt("eval.round_title", &[("year", &v.round.year.to_string()), ("org", &v.org_name)]) },
        heading: t.fmt(key, &[("cell", &cell_name)]),
        columns: columns(&v, kind),
        triggers: tickable(&v, kind),
        levels: level_options(),
        rows,
        may_write,
        f,
    })
}

pub async fn grid(State(app): State<App>, t: T, caller: Caller, Path((id, cell)): Path<(String, String)>, query: Result<Query<KindQuery>, QueryRejection>) -> Result<GridPage, Problem> {
    let Query(q) = query?;
    grid_page(&app, t, &caller, parse_id(&id)?, OrgId(parse_id(&cell)?), grid_kind(&q)?, None).await
}

/// Reads the rows of `subjects` from a grid or subject form: what changed becomes a
/// self-assessment or an opinion to save; what cannot be read is flagged next to its field.
fn read_rows(t: T, v: &EvalRoundView, subjects: &[&SubjectView], f: &mut FormState) -> (Vec<AssessmentInput>, Vec<OpinionInput>) {
    let (mut assessments, mut opinions) = (Vec::new(), Vec::new());
    for s in subjects {
        let id = s.row.id;
        let version_key = format!("s{id}_v");
        let Ok(version) = f.val(&version_key).trim().parse::<i64>() else { continue };
        let mut bad = Vec::new();
        let mut number = |key: String, f: &FormState| -> Option<u32> {
            let raw = f.val(&key).trim().to_owned();
            if raw.is_empty() {
                return None;
            }
            match parse_int(&raw).and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    bad.push(key);
                    None
                }
            }
        };
        let mut a = Assessment::default();
        for c in v.rules.form(s.row.kind) {
            let key = format!("s{id}_c{}", c.code);
            if v.rules.scored {
                if let Some(points) = number(key, f) {
                    a.scores.insert(c.code.clone(), points);
                }
            } else if f.has(&key, "on") {
                a.met.insert(c.code.clone(), true);
            }
        }
        a.tasks = Tasks {
            total: number(format!("s{id}_total"), f).unwrap_or(0),
            on_time: number(format!("s{id}_on_time"), f).unwrap_or(0),
            exceeding: number(format!("s{id}_exceeding"), f).unwrap_or(0),
            late: number(format!("s{id}_late"), f).unwrap_or(0),
        };
        let ticks = tickable(v, s.row.kind);
        for (code, _) in &ticks {
            if f.has(&format!("s{id}_t_{code}"), "on") {
                a.triggers.insert(code.clone());
            }
        }
        // What the form does not show stays as stored.
        a.triggers.extend(s.row.assessment.triggers.iter().filter(|c| !ticks.iter().any(|(t, _)| t == *c)).cloned());
        let level = |key: String, f: &FormState, bad: &mut Vec<String>| -> Option<Level> {
            let raw = f.val(&key).trim();
            if raw.is_empty() {
                return None;
            }
            let l = Level::from_code(raw);
            if l.is_none() {
                bad.push(key);
            }
            l
        };
        let own = level(format!("s{id}_self"), f, &mut bad);
        let opinion = level(format!("s{id}_opinion"), f, &mut bad);
        let note_key = format!("s{id}_note");
        let note = if f.pairs().iter().any(|(k, _)| *k == note_key) { Some(f.val(&note_key).trim().to_owned()).filter(|n| !n.is_empty()) } else { s.row.opinion_note.clone() };
        if !bad.is_empty() {
            for key in bad {
                f.flag(&key, t.get("eval.grid.unreadable"));
            }
            f.general = Some(t.fmt("eval.grid.row_problem", &[("name", &s.name)]));
            continue;
        }
        // Compared with the stored row as the form shows it: a row nobody touched is not written.
        let stored_own = s.row.own.as_ref().and_then(|o| o.level);
        if a != as_form(v, s) || own != stored_own {
            assessments.push(AssessmentInput { subject: id, version, assessment: a, self_level: own });
        }
        let stored_opinion = s.row.opinion.as_ref().and_then(|o| o.level);
        if opinion != stored_opinion || note != s.row.opinion_note {
            opinions.push(OpinionInput { subject: id, version, level: opinion, note });
        }
    }
    (assessments, opinions)
}

/// Saves what changed on the rows of the subjects `chosen` picks; gives the form back with the
/// fields it could not read flagged.
async fn save(app: &App, t: T, caller: &Caller, id: i64, chosen: impl Fn(&SubjectView) -> bool, mut f: FormState) -> Result<(FormState, Result<(), AppError>), Problem> {
    let v = app.eval_round_view(&caller.principal, id).await?;
    let subjects: Vec<&SubjectView> = v.subjects.iter().filter(|s| chosen(s)).collect();
    if subjects.is_empty() {
        return Err(Problem::App(AppError::NotFound));
    }
    let (assessments, opinions) = read_rows(t, &v, &subjects, &mut f);
    let outcome = if f.general.is_some() {
        Err(AppError::Invalid(vec![FieldProblem::new("grid", Invalid::OutOfRange)]))
    } else if assessments.is_empty() && opinions.is_empty() {
        Ok(())
    } else {
        app.save_steps(&caller.principal, id, &assessments, &opinions).await
    };
    Ok((f, outcome))
}

pub async fn save_grid(State(app): State<App>, t: T, caller: Caller, Path((id, cell)): Path<(String, String)>, query: Result<Query<KindQuery>, QueryRejection>, form: Values) -> Result<Response, Problem> {
    let Query(q) = query?;
    let (id, cell, kind) = (parse_id(&id)?, OrgId(parse_id(&cell)?), grid_kind(&q)?);
    if !app.may_assess_cell(&caller.principal, id, cell).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    let Form(values) = form?;
    let (f, outcome) = save(&app, t, &caller, id, |s| s.row.kind == kind && s.row.cell == cell, FormState::sent(values)).await?;
    answer(t, f, outcome.map(|()| grid_href(id, cell, kind)), async |f| grid_page(&app, t, &caller, id, cell, kind, Some(f)).await).await
}

// One subject.

pub struct CheckGroup {
    pub level: &'static str,
    pub holds: bool,
    pub checks: Vec<(String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_subject.html")]
pub struct SubjectPage {
    c: Chrome,
    id: i64,
    subject_id: i64,
    round: Link,
    name: String,
    kind: &'static str,
    cell: String,
    scored: bool,
    columns: Vec<Column>,
    triggers: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    proposal: String,
    score: Option<String>,
    groups: Vec<CheckGroup>,
    forced: Vec<String>,
    steps: Vec<(&'static str, String)>,
    opinion_note: Option<String>,
    may_write: bool,
    f: FormState,
}

async fn subject_page(app: &App, t: T, caller: &Caller, id: i64, subject: i64, f: Option<FormState>) -> Result<SubjectPage, Problem> {
    let v = app.eval_round_view(&caller.principal, id).await?;
    let s = v.subjects.iter().find(|s| s.row.id == subject).ok_or(Problem::App(AppError::NotFound))?;
    let may_write = v.round.concluded.is_none() && app.may_assess_subject(&caller.principal, id, subject).await?;
    let f = match f {
        Some(mut f) => {
            f.set(&format!("s{subject}_v"), s.row.version.to_string());
            f
        }
        None => {
            let mut start = Vec::new();
            stored_fields(&v, s, &mut start);
            FormState::sent(start)
        }
    };
    let mut groups: Vec<CheckGroup> = Vec::new();
    for c in &s.proposal.checks {
        let text = describe_condition(t, c.condition);
        match groups.iter_mut().find(|g| g.level == c.level.abbreviation()) {
            Some(g) => {
                g.holds &= c.met;
                g.checks.push((text, c.met));
            }
            None => groups.push(CheckGroup { level: c.level.abbreviation(), holds: c.met, checks: vec![(text, c.met)] }),
        }
    }
    let steps = vec![
        ("eval.step.self", step_text(t, &s.row.own)),
        ("eval.step.opinion", step_text(t, &s.row.opinion)),
        ("eval.step.concluded", step_text(t, &s.row.concluded)),
        ("eval.step.approved", step_text(t, &s.row.approved)),
    ];
    Ok(SubjectPage {
        c: Chrome::new(t, "evaluations", &subject_href(id, subject), Some(caller)),
        id,
        subject_id: subject,
        round: Link { href: round_href(id), text: t.fmt("eval.round_title", &[("year", &v.round.year.to_string()), ("org", &v.org_name)]) },
        name: s.name.clone(),
        kind: kind_label(t, s.row.kind),
        cell: s.cell_name.clone(),
        scored: v.rules.scored,
        columns: columns(&v, s.row.kind),
        triggers: tickable(&v, s.row.kind),
        levels: level_options(),
        proposal: t.fmt("eval.proposed", &[("level", level_label(t, s.proposal.level)), ("abbr", s.proposal.level.abbreviation())]),
        score: s.proposal.score.map(|n| t.fmt("eval.score_total", &[("score", &n.to_string())])),
        groups,
        forced: s.proposal.forced.clone(),
        steps,
        opinion_note: s.row.opinion_note.clone(),
        may_write,
        f,
    })
}

pub async fn subject(State(app): State<App>, t: T, caller: Caller, Path((id, subject)): Path<(String, String)>) -> Result<SubjectPage, Problem> {
    subject_page(&app, t, &caller, parse_id(&id)?, parse_id(&subject)?, None).await
}

pub async fn save_subject(State(app): State<App>, t: T, caller: Caller, Path((id, subject)): Path<(String, String)>, form: Values) -> Result<Response, Problem> {
    let (id, subject) = (parse_id(&id)?, parse_id(&subject)?);
    if !app.may_assess_subject(&caller.principal, id, subject).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    let Form(values) = form?;
    let (f, outcome) = save(&app, t, &caller, id, |s| s.row.id == subject, FormState::sent(values)).await?;
    answer(t, f, outcome.map(|()| subject_href(id, subject)), async |f| subject_page(&app, t, &caller, id, subject, Some(f)).await).await
}

/// Records a discipline decision on a member, from the member's page; a refusal is shown on its
/// own page, as for the page's other forms.
pub async fn discipline(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let member = thidua_core::member::MemberId(parse_id(&id)?);
    let Form(values) = form?;
    let f = FormState::sent(values);
    let d = crate::api::evaluations::discipline_from(f.val("decided_on"), f.val("form"), f.val("decision").into(), f.val("reason").into())?;
    app.record_discipline(&caller.principal, member, &d).await?;
    Ok(see_other(format!("/members/{}#discipline", member.0)))
}
