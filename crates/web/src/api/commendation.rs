//! Commendation over the API: the catalog and rulebook, eligibility (one nominee, or everyone in a
//! scope), dossiers and their steps, decisions, revocations, the registry, people and initiatives.
//! Nominees travel as `org:ID`, `person:ID` or `member:ID`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::commendation::{nominee_ref, NewAward, NewDecision, NewDossier, NewInitiative, NewPerson, NewRevocation, NomineeRef, RegistryFilter, RegistryLine, StepInput};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::commendation::{AwardLevel, DossierAction, Eligibility};
use thidua_core::date::{iso, parse_date};
use thidua_core::org::OrgId;
use utoipa::{IntoParams, ToSchema};

use super::{CreatedDto, ErrorBody};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;
use crate::pages::commendation::{explain, parse_nominee};
use crate::pages::parse_id;

fn nominee(raw: &str) -> Result<NomineeRef, Problem> {
    parse_nominee(raw).ok_or_else(|| Problem::App(AppError::Invalid(vec![FieldProblem::new("nominee", Invalid::Choice)])))
}

fn date(raw: &str, field: &'static str) -> Result<jiff::civil::Date, Problem> {
    parse_date(raw).ok_or_else(|| Problem::App(AppError::Invalid(vec![FieldProblem::new(field, Invalid::BadDate)])))
}

/// The rulebook in force, as JSON, with its version.
#[utoipa::path(get, path = "/api/v1/commendation/rules", tag = "commendation", responses((status = 200, description = "The rulebook (catalog and rules) as JSON")))]
pub async fn rules(State(app): State<App>, _caller: Caller) -> Result<Json<serde_json::Value>, Problem> {
    let (row, _) = app.commendation_rules().await?;
    let body: serde_json::Value = serde_json::from_str(&row.body).map_err(|_| Problem::App(AppError::NotFound))?;
    Ok(Json(body))
}

#[derive(Deserialize, ToSchema)]
pub struct RulesInput {
    /// The whole rulebook as JSON text.
    pub body: String,
    pub note: String,
}

/// Saves a new version of the rulebook (administrators); an invalid one changes nothing.
#[utoipa::path(post, path = "/api/v1/commendation/rules", tag = "commendation", request_body = RulesInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_rules(State(app): State<App>, caller: Caller, body: Result<Json<RulesInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    app.save_commendation_rules(&caller.principal, &i.body, &i.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CheckDto {
    /// The condition in words, in the request's language.
    pub condition: String,
    /// `held`, `not_held` or `needs_data`.
    pub outcome: String,
    /// The records read, in words.
    pub used: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EligibilityDto {
    pub title: String,
    pub year: i16,
    /// `eligible`, `not_eligible`, `needs_data` or `no_rule`.
    pub verdict: String,
    pub source: Option<String>,
    pub rulebook: String,
    pub checks: Vec<CheckDto>,
}

fn code<S: Serialize>(v: &S) -> String {
    serde_json::to_value(v).ok().and_then(|x| x.as_str().map(str::to_owned)).unwrap_or_default()
}

async fn eligibility_dto(app: &App, t: T, e: &Eligibility) -> Result<EligibilityDto, Problem> {
    let (_, book) = app.commendation_rules().await?;
    let words = explain(t, &book, e);
    Ok(EligibilityDto {
        title: e.title.clone(),
        year: e.year,
        verdict: code(&e.verdict),
        source: e.source.clone(),
        rulebook: e.rulebook.clone(),
        checks: e.checks.iter().zip(words.checks).map(|(c, w)| CheckDto { condition: w.text, outcome: code(&c.outcome), used: w.used, missing: w.missing }).collect(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibilityParams {
    /// `org:ID`, `person:ID` or `member:ID`.
    nominee: String,
    title: String,
    year: i16,
}

/// Whether a nominee meets a title's standard in a year, condition by condition.
#[utoipa::path(get, path = "/api/v1/eligibility", tag = "commendation", params(EligibilityParams), responses((status = 200, body = EligibilityDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn eligibility(State(app): State<App>, t: T, caller: Caller, query: Result<Query<EligibilityParams>, QueryRejection>) -> Result<Json<EligibilityDto>, Problem> {
    let Query(q) = query?;
    let e = app.eligibility(&caller.principal, nominee(&q.nominee)?, &q.title, q.year).await?;
    Ok(Json(eligibility_dto(&app, t, &e).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkParams {
    scope_id: i64,
    title: String,
    year: i16,
}

#[derive(Serialize, ToSchema)]
pub struct EligibleDto {
    pub nominee: String,
    pub name: String,
    pub org_id: i64,
}

/// Everyone in a scope meeting a title's standard in a year.
#[utoipa::path(get, path = "/api/v1/eligibility/bulk", tag = "commendation", params(BulkParams), responses((status = 200, body = Vec<EligibleDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn eligible(State(app): State<App>, caller: Caller, query: Result<Query<BulkParams>, QueryRejection>) -> Result<Json<Vec<EligibleDto>>, Problem> {
    let Query(q) = query?;
    let found = app.eligible_in(&caller.principal, OrgId(q.scope_id), &q.title, q.year).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|e| EligibleDto {
                nominee: e.nominee.code(),
                name: e.name,
                org_id: e.org.0,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DossierSummaryDto {
    pub id: i64,
    pub year: i16,
    pub title: String,
    pub title_name: String,
    pub nominee: String,
    pub nominee_name: String,
    pub proposer_id: i64,
    pub at_org_id: i64,
    pub state: String,
    pub version: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossiersParams {
    year: Option<i16>,
    /// At most 1,000; all when absent with no offset.
    limit: Option<i64>,
    /// Dossiers to skip, newest first.
    offset: Option<i64>,
}

/// Dossiers the caller may see, from the proposing side or the handling side.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "commendation", params(DossiersParams), responses((status = 200, body = Vec<DossierSummaryDto>), (status = 400, body = ErrorBody)))]
pub async fn dossiers(State(app): State<App>, caller: Caller, query: Result<Query<DossiersParams>, QueryRejection>) -> Result<Json<Vec<DossierSummaryDto>>, Problem> {
    let Query(q) = query?;
    let list = app.dossiers_page(&caller.principal, q.year, super::page_of(q.limit, q.offset)).await?;
    Ok(Json(
        list.into_iter()
            .map(|(d, name, title)| DossierSummaryDto {
                id: d.id,
                year: d.year,
                title: d.title,
                title_name: title,
                nominee: nominee_ref(d.nominee).code(),
                nominee_name: name,
                proposer_id: d.proposer.0,
                at_org_id: d.at_org.0,
                state: d.state.code().into(),
                version: d.version,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DossierInput {
    pub year: i16,
    pub title: String,
    /// `org:ID`, `person:ID` or `member:ID`.
    pub nominee: String,
    pub proposer_id: i64,
    #[serde(default)]
    pub achievements: String,
}

/// Prepares a dossier (a draft) for a nominee of the proposing unit.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "commendation", request_body = DossierInput, responses((status = 201, body = DossierDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_dossier(State(app): State<App>, t: T, caller: Caller, body: Result<Json<DossierInput>, JsonRejection>) -> Result<(StatusCode, Json<DossierDto>), Problem> {
    let Json(i) = body?;
    let new = NewDossier { year: i.year, title: i.title, nominee: nominee(&i.nominee)?, proposer: OrgId(i.proposer_id), achievements: i.achievements };
    let id = app.create_dossier(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json(dossier_dto(&app, t, &caller, id).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub from: Option<String>,
    pub to: String,
    pub at_org_id: i64,
    pub actor: String,
    pub at_unix: i64,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DossierDto {
    #[serde(flatten)]
    pub summary: DossierSummaryDto,
    pub achievements: String,
    pub return_reason: Option<String>,
    pub award_id: Option<i64>,
    /// The answer captured at submission.
    pub captured: Option<EligibilityDto>,
    /// The answer by the rulebook in force, with the vote if recorded.
    pub current: EligibilityDto,
    pub steps: Vec<StepDto>,
    pub file_ids: Vec<i64>,
}

async fn dossier_dto(app: &App, t: T, caller: &Caller, id: i64) -> Result<DossierDto, Problem> {
    let v = app.dossier_view(&caller.principal, id).await?;
    let captured = match &v.captured {
        Some(e) => Some(eligibility_dto(app, t, e).await?),
        None => None,
    };
    Ok(DossierDto {
        summary: DossierSummaryDto {
            id,
            year: v.row.year,
            title: v.row.title.clone(),
            title_name: v.title_name.clone(),
            nominee: nominee_ref(v.row.nominee).code(),
            nominee_name: v.nominee_name.clone(),
            proposer_id: v.row.proposer.0,
            at_org_id: v.row.at_org.0,
            state: v.row.state.code().into(),
            version: v.row.version,
        },
        achievements: v.row.achievements.clone(),
        return_reason: v.row.return_reason.clone(),
        award_id: v.row.award,
        captured,
        current: eligibility_dto(app, t, &v.current).await?,
        steps: v
            .steps
            .iter()
            .map(|s| StepDto { from: s.from.map(|f| f.code().to_owned()), to: s.to.code().into(), at_org_id: s.at_org.0, actor: s.actor.clone(), at_unix: s.at_unix, reason: s.reason.clone() })
            .collect(),
        file_ids: v.files.iter().map(|f| f.id).collect(),
    })
}

/// A dossier with its steps and its eligibility, as captured and as of now.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "commendation", params(("id" = i64, Path)), responses((status = 200, body = DossierDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dossier(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<Json<DossierDto>, Problem> {
    Ok(Json(dossier_dto(&app, t, &caller, parse_id(&id)?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StepInputDto {
    /// `submit`, `review`, `forward`, `vote`, `return` or `withdraw` (a decision is recorded with
    /// `POST /api/v1/decisions`).
    pub action: String,
    /// The version read.
    pub version: i64,
    #[serde(default)]
    pub reason: Option<String>,
    /// For `vote`: the closed poll and the option the nominee was.
    #[serde(default)]
    pub poll_id: Option<i64>,
    #[serde(default)]
    pub option: Option<i64>,
}

/// A step on a dossier; illegal steps are refused (409) and every step is audited.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/steps", tag = "commendation", params(("id" = i64, Path)), request_body = StepInputDto, responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<StepInputDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    let action = DossierAction::from_code(i.action.trim()).ok_or_else(|| Problem::BadKind(i.action.chars().take(20).collect()))?;
    let poll = match (i.poll_id, i.option) {
        (Some(p), Some(o)) => Some((p, o)),
        _ => None,
    };
    app.dossier_step(&caller.principal, parse_id(&id)?, i.version, action, &StepInput { reason: i.reason, poll }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new draft for the next year from an earlier dossier.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/copy", tag = "commendation", params(("id" = i64, Path)), responses((status = 201, body = CreatedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn copy(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let id = app.copy_dossier(&caller.principal, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardInput {
    pub title: String,
    pub year: i16,
    pub nominee: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionInput {
    pub issuer_id: i64,
    pub number_symbol: String,
    /// ISO date.
    pub decided_on: String,
    pub signer: String,
    pub summary: String,
    /// Dossiers handled by the issuer, reviewed or voted.
    #[serde(default)]
    pub dossier_ids: Vec<i64>,
    /// Awards conferred directly (past decisions, other bodies' decisions).
    #[serde(default)]
    pub awards: Vec<AwardInput>,
}

/// Records a decision and the awards it confers, in one transaction.
#[utoipa::path(post, path = "/api/v1/decisions", tag = "commendation", request_body = DecisionInput, responses((status = 201, body = CreatedDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_decision(State(app): State<App>, caller: Caller, body: Result<Json<DecisionInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let Json(i) = body?;
    let mut awards = Vec::new();
    for a in i.awards {
        awards.push(NewAward { title: a.title, year: a.year, nominee: nominee(&a.nominee)? });
    }
    let new = NewDecision {
        issuer: OrgId(i.issuer_id),
        number_symbol: i.number_symbol,
        decided_on: date(&i.decided_on, "decided_on")?,
        signer: i.signer,
        summary: i.summary,
        dossiers: i.dossier_ids,
        awards,
    };
    let id = app.record_decision(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[derive(Serialize, ToSchema)]
pub struct AwardDto {
    pub id: i64,
    pub title: String,
    pub title_name: String,
    pub year: i16,
    pub nominee: String,
    pub recipient: String,
    pub decision_id: i64,
    pub number_symbol: String,
    pub decided_on: String,
    pub issuer_id: i64,
    pub issuer: String,
    pub revoked: bool,
    pub revocation_reason: Option<String>,
}

fn award_dto(l: RegistryLine) -> AwardDto {
    AwardDto {
        id: l.award.id,
        title: l.award.title.clone(),
        title_name: l.title_name,
        year: l.award.year,
        nominee: nominee_ref(l.award.nominee).code(),
        recipient: l.recipient,
        decision_id: l.award.decision.id,
        number_symbol: l.award.decision.number_symbol.clone(),
        decided_on: iso(l.award.decision.decided_on),
        issuer_id: l.award.decision.issuer.0,
        issuer: l.issuer_name,
        revoked: l.award.revocation.is_some(),
        revocation_reason: l.award.revocation.map(|r| r.reason),
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub id: i64,
    pub issuer_id: i64,
    pub issuer: String,
    pub number_symbol: String,
    pub decided_on: String,
    pub signer: String,
    pub summary: String,
    pub awards: Vec<AwardDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionsParams {
    /// At most 1,000; all when absent with no offset.
    limit: Option<i64>,
    /// Decisions to skip, newest first.
    offset: Option<i64>,
}

/// Decisions the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "commendation", params(DecisionsParams), responses((status = 200, body = Vec<DecisionDto>), (status = 400, body = ErrorBody)))]
pub async fn decisions(State(app): State<App>, caller: Caller, query: Result<Query<DecisionsParams>, QueryRejection>) -> Result<Json<Vec<DecisionDto>>, Problem> {
    let Query(q) = query?;
    let list = app.decisions(&caller.principal, super::page_of(q.limit, q.offset)).await?;
    Ok(Json(
        list.into_iter()
            .map(|(d, issuer)| DecisionDto { id: d.id, issuer_id: d.issuer.0, issuer, number_symbol: d.number_symbol, decided_on: iso(d.decided_on), signer: d.signer, summary: d.summary, awards: Vec::new() })
            .collect(),
    ))
}

/// A decision with its awards.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "commendation", params(("id" = i64, Path)), responses((status = 200, body = DecisionDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decision(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<DecisionDto>, Problem> {
    let (d, issuer, lines) = app.decision_view(&caller.principal, parse_id(&id)?).await?;
    Ok(Json(DecisionDto {
        id: d.id,
        issuer_id: d.issuer.0,
        issuer,
        number_symbol: d.number_symbol,
        decided_on: iso(d.decided_on),
        signer: d.signer,
        summary: d.summary,
        awards: lines.into_iter().map(award_dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RevocationInput {
    /// ISO date.
    pub decided_on: String,
    pub decision: String,
    pub reason: String,
    #[serde(default)]
    pub recovery: String,
}

/// Revokes an award; it stays in the registry, marked, with the reason and what is recovered.
#[utoipa::path(post, path = "/api/v1/awards/{id}/revoke", tag = "commendation", params(("id" = i64, Path)), request_body = RevocationInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<RevocationInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    let r = NewRevocation { decided_on: date(&i.decided_on, "decided_on")?, decision: i.decision, reason: i.reason, recovery: i.recovery };
    app.revoke_award(&caller.principal, parse_id(&id)?, &r).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistryParams {
    /// An organization: its collectives and the people working there.
    org_id: Option<i64>,
    /// With the organization's predecessors.
    #[serde(default)]
    predecessors: bool,
    title: Option<String>,
    from_year: Option<i16>,
    to_year: Option<i16>,
    /// At most 1,000; all when absent with no offset.
    limit: Option<i64>,
    /// Awards to skip, in the registry's order (oldest year first).
    offset: Option<i64>,
}

/// The award registry, revoked awards marked.
#[utoipa::path(get, path = "/api/v1/awards", tag = "commendation", params(RegistryParams), responses((status = 200, body = Vec<AwardDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn awards(State(app): State<App>, caller: Caller, query: Result<Query<RegistryParams>, QueryRejection>) -> Result<Json<Vec<AwardDto>>, Problem> {
    let Query(q) = query?;
    let filter = RegistryFilter { org: q.org_id.map(OrgId), predecessors: q.predecessors, title: q.title, from_year: q.from_year, to_year: q.to_year };
    let lines = app.registry_page(&caller.principal, &filter, super::page_of(q.limit, q.offset)).await?;
    Ok(Json(lines.into_iter().map(award_dto).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonInput {
    pub full_name: String,
    pub org_id: i64,
    #[serde(default)]
    pub position: Option<String>,
}

/// Records a person who is not a party member, to nominate as an individual.
#[utoipa::path(post, path = "/api/v1/people", tag = "commendation", request_body = PersonInput, responses((status = 201, body = CreatedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(State(app): State<App>, caller: Caller, body: Result<Json<PersonInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let Json(i) = body?;
    let id = app.add_person(&caller.principal, &NewPerson { full_name: i.full_name, org: OrgId(i.org_id), position: i.position }).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[derive(Serialize, ToSchema)]
pub struct InitiativeDto {
    pub name: String,
    /// `grassroots`, `province` or `national`.
    pub level: String,
    pub recognized_on: String,
    pub decision: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: i64,
    pub full_name: String,
    pub org_id: i64,
    pub member_id: Option<i64>,
    pub position: Option<String>,
    pub initiatives: Vec<InitiativeDto>,
    pub awards: Vec<AwardDto>,
}

/// A person with their initiatives and awards.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "commendation", params(("id" = i64, Path)), responses((status = 200, body = PersonDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn person(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<PersonDto>, Problem> {
    let (p, _, initiatives, awards) = app.person_view(&caller.principal, parse_id(&id)?).await?;
    Ok(Json(PersonDto {
        id: p.id,
        full_name: p.full_name,
        org_id: p.org.0,
        member_id: p.member.map(|m| m.0),
        position: p.position,
        initiatives: initiatives.into_iter().map(|i| InitiativeDto { name: i.name, level: i.level.code().into(), recognized_on: iso(i.recognized_on), decision: i.decision }).collect(),
        awards: awards.into_iter().map(award_dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct InitiativeInput {
    pub name: String,
    pub level: String,
    /// ISO date.
    pub recognized_on: String,
    pub decision: String,
}

/// Records an initiative recognized for a person.
#[utoipa::path(post, path = "/api/v1/people/{id}/initiatives", tag = "commendation", params(("id" = i64, Path)), request_body = InitiativeInput, responses((status = 201, body = CreatedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_initiative(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<InitiativeInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let Json(i) = body?;
    let level = AwardLevel::from_code(i.level.trim()).ok_or_else(|| Problem::App(AppError::Invalid(vec![FieldProblem::new("level", Invalid::Choice)])))?;
    let new = NewInitiative { name: i.name, level, recognized_on: date(&i.recognized_on, "recognized_on")?, decision: i.decision };
    let id = app.add_initiative(&caller.principal, NomineeRef::Person(parse_id(&id)?), &new).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}
