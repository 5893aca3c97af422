//! Annual quality evaluation over the API: rounds, each subject's assessment with the level the
//! rules propose and why, the steps (self-assessment, opinion, conclusion, approval), the quota,
//! results and streaks; and members' discipline records. Levels travel as `htxsnv`, `httnv`,
//! `htnv`, `khtnv`; subject kinds as `organization`, `leadership_collective`, `member`, `leader`.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::evaluation::{AssessmentInput, Conclusion, EvalRoundView, NewDiscipline, OpinionInput, QuotaState, Step};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::date::{iso, parse_date};
use thidua_core::evaluation::{Assessment, Level, Tasks};
use thidua_core::member::{DisciplineForm, MemberId};
use thidua_core::org::OrgId;
use utoipa::ToSchema;

use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;
use crate::pages::evaluations::describe_condition;
use crate::pages::parse_id;

#[derive(Serialize, ToSchema)]
pub struct EvalRoundSummaryDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i16,
    pub rules_source: String,
    /// The date of the committee's conclusion (ISO), if concluded.
    pub concluded_on: Option<String>,
}

/// Rounds the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evaluation", responses((status = 200, body = Vec<EvalRoundSummaryDto>)))]
pub async fn list(State(app): State<App>, caller: Caller) -> Result<Json<Vec<EvalRoundSummaryDto>>, Problem> {
    let rounds = app.eval_rounds(&caller.principal).await?;
    Ok(Json(
        rounds
            .into_iter()
            .map(|(r, name)| EvalRoundSummaryDto { id: r.id, org_id: r.org.0, org_name: name, year: r.year, rules_source: r.rules_source, concluded_on: r.concluded.map(|s| iso(s.on)) })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenRound {
    /// A grassroots party organization (đảng bộ cơ sở, chi bộ cơ sở).
    pub org_id: i64,
    pub year: i16,
}

/// Opens the round of a grassroots organization for a year: it lists the organization, its cells,
/// its leadership collective, its leaders and its members.
#[utoipa::path(post, path = "/api/v1/evaluations", tag = "evaluation", request_body = OpenRound, responses((status = 201, body = EvalRoundDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(State(app): State<App>, t: T, caller: Caller, body: Result<Json<OpenRound>, JsonRejection>) -> Result<(StatusCode, Json<EvalRoundDto>), Problem> {
    let Json(o) = body?;
    if o.org_id <= 0 {
        return Err(Problem::App(AppError::Invalid(vec![FieldProblem::new("org_id", Invalid::Required)])));
    }
    let r = app.open_eval_round(&caller.principal, OrgId(o.org_id), o.year).await?;
    Ok((StatusCode::CREATED, Json(round_dto(t, &app.eval_round_view(&caller.principal, r.id).await?))))
}

#[derive(Serialize, ToSchema)]
pub struct LevelStepDto {
    pub level: Option<String>,
    pub by: String,
    /// ISO date.
    pub on: String,
}

/// Tasks of the year; a count left out is 0.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TasksDto {
    pub total: u32,
    pub on_time: u32,
    pub exceeding: u32,
    pub late: u32,
}

#[derive(Serialize, ToSchema)]
pub struct LevelCheckDto {
    /// The level the condition belongs to.
    pub level: String,
    /// The condition in words, in the request's language.
    pub condition: String,
    pub met: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalDto {
    pub level: String,
    /// Scored forms: the total out of 100.
    pub score: Option<u32>,
    /// Every condition checked, best level first.
    pub checks: Vec<LevelCheckDto>,
    /// What forced the lowest level (discipline in the year, and the rest the rules list).
    pub forced: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectDto {
    pub id: i64,
    pub kind: String,
    pub member_id: Option<i64>,
    pub org_id: Option<i64>,
    /// The cell (or the organization itself) whose grid lists the subject.
    pub cell_id: i64,
    pub name: String,
    pub cell_name: String,
    pub version: i64,
    pub scores: BTreeMap<String, u32>,
    pub met: BTreeMap<String, bool>,
    pub tasks: TasksDto,
    /// Triggers ticked, and `discipline` when the member's records show one in the year.
    pub triggers: Vec<String>,
    pub proposal: ProposalDto,
    pub self_assessment: Option<LevelStepDto>,
    pub opinion: Option<LevelStepDto>,
    pub opinion_note: Option<String>,
    pub concluded: Option<LevelStepDto>,
    pub approved: Option<LevelStepDto>,
    /// The level that stands: the approval, or else the conclusion.
    pub result: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuotaDto {
    pub htxsnv: u32,
    pub httnv: u32,
    /// The most HTXSNV the HTTNV allow.
    pub limit: u32,
    pub pct: u32,
    pub ok: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EvalRoundDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i16,
    pub rules_source: String,
    /// Scored forms (out of 100) or forms of criteria met or not.
    pub scored: bool,
    /// Parts of this period's rules not yet checked against the texts.
    pub unverified: Vec<String>,
    pub concluded: Option<LevelStepDto>,
    pub version: i64,
    /// Members' levels (concluded, or proposed while open) against the quota.
    pub quota: Option<QuotaDto>,
    pub may_conclude: bool,
    pub may_approve: bool,
    pub subjects: Vec<SubjectDto>,
}

fn step(s: &Option<Step>) -> Option<LevelStepDto> {
    s.as_ref().map(|s| LevelStepDto { level: s.level.map(|l| l.code().to_owned()), by: s.by.clone(), on: iso(s.on) })
}

fn quota(q: &QuotaState) -> QuotaDto {
    QuotaDto { htxsnv: q.htxsnv, httnv: q.httnv, limit: q.limit, pct: q.pct, ok: q.ok }
}

fn round_dto(t: T, v: &EvalRoundView) -> EvalRoundDto {
    EvalRoundDto {
        id: v.round.id,
        org_id: v.round.org.0,
        org_name: v.org_name.clone(),
        year: v.round.year,
        rules_source: v.rules.source.clone(),
        scored: v.rules.scored,
        unverified: v.rules.unverified.clone(),
        concluded: step(&v.round.concluded),
        version: v.round.version,
        quota: v.quota.as_ref().map(quota),
        may_conclude: v.may_conclude,
        may_approve: v.may_approve,
        subjects: v
            .subjects
            .iter()
            .map(|s| {
                let a = &s.assessment;
                SubjectDto {
                    id: s.row.id,
                    kind: s.row.kind.code().into(),
                    member_id: s.row.member.map(|m| m.0),
                    org_id: s.row.org.map(|o| o.0),
                    cell_id: s.row.cell.0,
                    name: s.name.clone(),
                    cell_name: s.cell_name.clone(),
                    version: s.row.version,
                    scores: a.scores.clone(),
                    met: a.met.clone(),
                    tasks: TasksDto { total: a.tasks.total, on_time: a.tasks.on_time, exceeding: a.tasks.exceeding, late: a.tasks.late },
                    triggers: a.triggers.iter().cloned().collect(),
                    proposal: ProposalDto {
                        level: s.proposal.level.code().into(),
                        score: s.proposal.score,
                        checks: s.proposal.checks.iter().map(|c| LevelCheckDto { level: c.level.code().into(), condition: describe_condition(t, c.condition), met: c.met }).collect(),
                        forced: s.proposal.forced.clone(),
                    },
                    self_assessment: step(&s.row.own),
                    opinion: step(&s.row.opinion),
                    opinion_note: s.row.opinion_note.clone(),
                    concluded: step(&s.row.concluded),
                    approved: step(&s.row.approved),
                    result: s.row.result().map(|l| l.code().to_owned()),
                }
            })
            .collect(),
    }
}

/// A round with every subject, the level the rules propose for each and why, and the steps.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluation", params(("id" = i64, Path)), responses((status = 200, body = EvalRoundDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn round(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<Json<EvalRoundDto>, Problem> {
    Ok(Json(round_dto(t, &app.eval_round_view(&caller.principal, parse_id(&id)?).await?)))
}

fn level(code: &str, field: &'static str) -> Result<Level, Problem> {
    Level::from_code(code.trim()).ok_or(Problem::App(AppError::Invalid(vec![FieldProblem::new(field, Invalid::Choice)])))
}

fn opt_level(code: &Option<String>, field: &'static str) -> Result<Option<Level>, Problem> {
    code.as_deref().filter(|c| !c.trim().is_empty()).map(|c| level(c, field)).transpose()
}

#[derive(Deserialize, ToSchema)]
pub struct AssessmentInputDto {
    pub subject_id: i64,
    /// The subject's version as read.
    pub version: i64,
    /// Scored forms: points per criterion code.
    #[serde(default)]
    pub scores: BTreeMap<String, u32>,
    /// Older forms: whether each criterion is met.
    #[serde(default)]
    pub met: BTreeMap<String, bool>,
    #[serde(default)]
    pub tasks: TasksDto,
    /// Triggers of the lowest level the rules list for the subject's kind (e.g. `violation`).
    #[serde(default)]
    pub triggers: Vec<String>,
    /// The level the subject proposes for itself.
    #[serde(default)]
    pub self_level: Option<String>,
}

/// Self-assessments, many at once (a cell's whole grid), in one transaction.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/assessments", tag = "evaluation", params(("id" = i64, Path)), request_body = Vec<AssessmentInputDto>, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assessments(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<Vec<AssessmentInputDto>>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(list) = body?;
    let mut inputs = Vec::new();
    for i in list {
        let t = i.tasks;
        let assessment = Assessment {
            scores: i.scores,
            met: i.met,
            tasks: Tasks { total: t.total, on_time: t.on_time, exceeding: t.exceeding, late: t.late },
            triggers: i.triggers.into_iter().collect(),
        };
        inputs.push(AssessmentInput { subject: i.subject_id, version: i.version, assessment, self_level: opt_level(&i.self_level, "self_level")? });
    }
    app.save_steps(&caller.principal, parse_id(&id)?, &inputs, &[]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct OpinionDto {
    pub subject_id: i64,
    /// The subject's version as read.
    pub version: i64,
    pub level: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The opinions of the cell (on its members) or of the collective's meeting (on organizations).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/opinions", tag = "evaluation", params(("id" = i64, Path)), request_body = Vec<OpinionDto>, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opinions(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<Vec<OpinionDto>>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(list) = body?;
    let mut inputs = Vec::new();
    for o in list {
        inputs.push(OpinionInput { subject: o.subject_id, version: o.version, level: opt_level(&o.level, "level")?, note: o.note });
    }
    app.save_steps(&caller.principal, parse_id(&id)?, &[], &inputs).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct LevelChoice {
    pub subject_id: i64,
    pub level: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ConcludeInput {
    /// Levels chosen; subjects left out take the rules' proposal (or the opinion, if lower).
    #[serde(default)]
    pub levels: Vec<LevelChoice>,
    /// Only show what concluding would give (the "what-if"); nothing is saved.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConclusionDto {
    /// Members by level.
    pub members: BTreeMap<String, u32>,
    pub quota: Option<QuotaDto>,
    /// Subjects concluded below the level the rules propose.
    pub lowered: usize,
    /// Whether the conclusion was saved (false for a dry run).
    pub saved: bool,
}

fn choices(levels: &[LevelChoice]) -> Result<BTreeMap<i64, Level>, Problem> {
    levels.iter().map(|c| Ok((c.subject_id, level(&c.level, "level")?))).collect()
}

fn conclusion_dto(c: &Conclusion, saved: bool) -> ConclusionDto {
    ConclusionDto { members: c.members.iter().map(|(l, n)| (l.code().to_owned(), *n)).collect(), quota: c.quota.as_ref().map(quota), lowered: c.lowered, saved }
}

/// The committee concludes the round (members within the quota), or with `dry_run` sees what
/// concluding would give. Over the quota it is refused (422, `evaluation.quota`) naming the counts.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/conclude", tag = "evaluation", params(("id" = i64, Path)), request_body = ConcludeInput, responses((status = 200, body = ConclusionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn conclude(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<ConcludeInput>, JsonRejection>) -> Result<Json<ConclusionDto>, Problem> {
    let Json(i) = body?;
    let id = parse_id(&id)?;
    let levels = choices(&i.levels)?;
    if i.dry_run {
        return Ok(Json(conclusion_dto(&app.preview_conclusion(&caller.principal, id, &levels).await?, false)));
    }
    Ok(Json(conclusion_dto(&app.conclude_round(&caller.principal, id, &levels).await?, true)))
}

#[derive(Deserialize, ToSchema)]
pub struct ApproveInput {
    /// Levels of organizations and the leadership collective; those left out keep the conclusion.
    #[serde(default)]
    pub levels: Vec<LevelChoice>,
}

/// The directly superior committee approves the levels of the organizations and the collective.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/approve", tag = "evaluation", params(("id" = i64, Path)), request_body = ApproveInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<ApproveInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    app.approve_round(&caller.principal, parse_id(&id)?, &choices(&i.levels)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReopenInput {
    pub reason: String,
}

/// Reopens a concluded round; conclusions and approvals are cleared, the reason is kept.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/reopen", tag = "evaluation", params(("id" = i64, Path)), request_body = ReopenInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<ReopenInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    app.reopen_eval_round(&caller.principal, parse_id(&id)?, &i.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct OrgStreakDto {
    pub org_id: i64,
    pub name: String,
    pub level: String,
    /// Consecutive HTXSNV years ending with the round's year, through predecessors.
    pub years: u32,
}

#[derive(Serialize, ToSchema)]
pub struct MemberStreakDto {
    pub member_id: i64,
    pub name: String,
    pub years: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsDto {
    pub year: i16,
    pub org_name: String,
    /// Count of each level by kind of subject.
    pub distribution: BTreeMap<String, BTreeMap<String, u32>>,
    pub org_streaks: Vec<OrgStreakDto>,
    /// Members with HTXSNV five years running or more.
    pub member_streaks: Vec<MemberStreakDto>,
}

/// The results of a round: levels by kind of subject, and streaks across years and successors.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results", tag = "evaluation", params(("id" = i64, Path)), responses((status = 200, body = ResultsDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn results(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<ResultsDto>, Problem> {
    let r = app.eval_results(&caller.principal, parse_id(&id)?).await?;
    Ok(Json(ResultsDto {
        year: r.year,
        org_name: r.org_name,
        distribution: r.distribution.iter().map(|(k, counts)| (k.code().to_owned(), counts.iter().map(|(l, n)| (l.code().to_owned(), *n)).collect())).collect(),
        org_streaks: r.org_streaks.into_iter().map(|(o, name, level, years)| OrgStreakDto { org_id: o.0, name, level: level.code().into(), years }).collect(),
        member_streaks: r.member_streaks.into_iter().map(|(m, name, years)| MemberStreakDto { member_id: m.0, name, years }).collect(),
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DisciplineDto {
    #[serde(default)]
    pub id: i64,
    /// ISO date of the decision.
    pub decided_on: String,
    /// `reprimand` (khiển trách), `warning` (cảnh cáo), `dismissal` (cách chức), `expulsion` (khai trừ).
    pub form: String,
    pub decision: String,
    pub reason: String,
}

/// A discipline decision as sent (a date as dd/mm/yyyy or ISO, the form's code), every problem named.
pub(crate) fn discipline_from(decided_on: &str, form: &str, decision: String, reason: String) -> Result<NewDiscipline, Problem> {
    let mut problems = Vec::new();
    let day = parse_date(decided_on);
    if day.is_none() {
        problems.push(FieldProblem::new("decided_on", if decided_on.trim().is_empty() { Invalid::Required } else { Invalid::BadDate }));
    }
    let kind = DisciplineForm::from_code(form.trim());
    if kind.is_none() {
        problems.push(FieldProblem::new("form", Invalid::Choice));
    }
    match (day, kind) {
        (Some(decided_on), Some(form)) => Ok(NewDiscipline { decided_on, form, decision, reason }),
        _ => Err(Problem::App(AppError::Invalid(problems))),
    }
}

/// A member's discipline records; any of them in a year forces the lowest level that year.
#[utoipa::path(get, path = "/api/v1/members/{id}/discipline", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = Vec<DisciplineDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disciplines(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<DisciplineDto>>, Problem> {
    let list = app.disciplines(&caller.principal, MemberId(parse_id(&id)?)).await?;
    Ok(Json(list.into_iter().map(|d| DisciplineDto { id: d.id, decided_on: iso(d.decided_on), form: d.form.code().into(), decision: d.decision, reason: d.reason }).collect()))
}

/// Records a discipline decision on a member.
#[utoipa::path(post, path = "/api/v1/members/{id}/discipline", tag = "members", params(("id" = i64, Path)), request_body = DisciplineDto, responses((status = 201, body = DisciplineDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_discipline(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<DisciplineDto>, JsonRejection>) -> Result<(StatusCode, Json<DisciplineDto>), Problem> {
    let Json(d) = body?;
    let new = discipline_from(&d.decided_on, &d.form, d.decision, d.reason)?;
    let row = app.record_discipline(&caller.principal, MemberId(parse_id(&id)?), &new).await?;
    Ok((StatusCode::CREATED, Json(DisciplineDto { id: row.id, decided_on: iso(row.decided_on), form: row.form.code().into(), decision: row.decision, reason: row.reason })))
}
