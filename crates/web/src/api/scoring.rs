//! Year-end scoring over the API. Scores travel as whole hundredths of a point (`centi`: 750 is
//! 7,5 points); totals are rounded half away from zero to hundredths.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::scoring::{LineInput, SheetKey};
use thidua_app::App;
use thidua_core::org::OrgId;
use thidua_core::scoring::{Adjustment, Centi, Decided, ScorerRole};
use utoipa::{IntoParams, ToSchema};

use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::parse_id;

#[derive(Serialize, ToSchema)]
pub struct RoundUnitDto {
    pub org_id: i64,
    pub name: String,
    pub own_submitted: bool,
    pub peers_submitted: usize,
    pub peers_expected: usize,
    pub leader_submitted: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedDto {
    pub rank: usize,
    pub org_id: i64,
    pub name: String,
    pub total_centi: i64,
    pub normal_centi: i64,
    pub bonus_centi: i64,
    pub penalty_centi: i64,
    pub adjustments_centi: i64,
    /// The tie-break step that put it above the next unit: `total`, `normal`, `penalty`,
    /// `main_criterion`, `name` or `id`.
    pub above_next_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundDto {
    pub id: i64,
    pub campaign_id: i64,
    pub cluster_id: i64,
    pub year: i16,
    pub closed: bool,
    pub version: i64,
    pub self_pct: u8,
    pub peer_pct: u8,
    pub leader_pct: u8,
    pub units: Vec<RoundUnitDto>,
    /// Sheets still expected before the round can close.
    pub missing: usize,
    /// To the cluster's editors, and to everyone once closed.
    pub ranking: Option<Vec<RankedDto>>,
}

fn decided(d: &Decided) -> String {
    match d {
        Decided::Total => "total",
        Decided::Normal => "normal",
        Decided::Penalty => "penalty",
        Decided::MainCriterion(_) => "main_criterion",
        Decided::Name => "name",
        Decided::Id => "id",
    }
    .into()
}

/// Opens the year-end scoring round of a campaign.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/rounds", tag = "emulation", params(("id" = i64, Path)), responses((status = 201, body = RoundDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<(StatusCode, Json<RoundDto>), Problem> {
    let r = app.open_round(&caller.principal, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(round_dto(&app, &caller, r.id).await?)))
}

async fn round_dto(app: &App, caller: &Caller, id: i64) -> Result<RoundDto, Problem> {
    let v = app.round_view(&caller.principal, id).await?;
    let w = v.round.rules.weights;
    Ok(RoundDto {
        id,
        campaign_id: v.round.campaign,
        cluster_id: v.round.cluster.0,
        year: v.round.year,
        closed: v.round.closed,
        version: v.round.version,
        self_pct: w.self_pct,
        peer_pct: w.peer_pct,
        leader_pct: w.leader_pct,
        units: v
            .units
            .iter()
            .map(|u| RoundUnitDto {
                org_id: u.org.0,
                name: u.name.clone(),
                own_submitted: u.own_submitted,
                peers_submitted: u.peers_submitted,
                peers_expected: u.peers_expected,
                leader_submitted: u.leader_submitted,
            })
            .collect(),
        missing: v.missing.len(),
        ranking: v.ranking.map(|list| {
            list.iter()
                .map(|r| RankedDto {
                    rank: r.rank,
                    org_id: r.org.0,
                    name: r.name.clone(),
                    total_centi: r.result.total.round(),
                    normal_centi: r.result.normal.round(),
                    bonus_centi: r.result.bonus.round(),
                    penalty_centi: r.result.penalty.round(),
                    adjustments_centi: r.result.adjustments,
                    above_next_by: r.above_next_by.as_ref().map(decided),
                })
                .collect()
        }),
    })
}

/// A round's progress, and its ranking where the caller may see it.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "emulation", params(("id" = i64, Path)), responses((status = 200, body = RoundDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn round(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<RoundDto>, Problem> {
    Ok(Json(round_dto(&app, &caller, parse_id(&id)?).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetParams {
    target_id: String,
    /// `self`, `peer` or `leader`.
    role: String,
    scorer_id: String,
}

fn key(target: i64, role: &str, scorer: i64) -> Result<SheetKey, Problem> {
    Ok(SheetKey { target: OrgId(target), role: ScorerRole::from_code(role).ok_or_else(|| Problem::BadKind(role.chars().take(20).collect()))?, scorer: OrgId(scorer) })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ScoreDto {
    pub code: String,
    /// Hundredths of a point.
    pub centi: i64,
    #[serde(default)]
    pub note: String,
    /// Number and symbol of a registered document given as evidence.
    #[serde(default)]
    pub document: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SheetDto {
    pub version: i64,
    pub submitted: bool,
    pub scores: Vec<ScoreDto>,
}

/// One sheet, to those who may read it (peers only after submitting their own about the unit).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/sheet", tag = "emulation", params(("id" = i64, Path), SheetParams), responses((status = 200, body = SheetDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sheet(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<SheetParams>, QueryRejection>) -> Result<Json<SheetDto>, Problem> {
    let Query(q) = query?;
    let k = key(parse_id(&q.target_id)?, &q.role, parse_id(&q.scorer_id)?)?;
    let v = app.sheet_view(&caller.principal, parse_id(&id)?, k).await?;
    Ok(Json(SheetDto {
        version: v.sheet.as_ref().map_or(1, |s| s.version),
        submitted: v.sheet.as_ref().is_some_and(|s| s.submitted),
        scores: v
            .lines
            .values()
            .map(|l| ScoreDto { code: l.code.clone(), centi: l.centi.0, note: l.note.clone(), document: l.document.and_then(|d| v.documents.get(&d).cloned()) })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SheetInput {
    pub target_id: i64,
    pub role: String,
    pub scorer_id: i64,
    /// The version read (1 for a sheet not started).
    pub version: i64,
    pub scores: Vec<ScoreDto>,
    /// Hand in the sheet, complete, for good.
    #[serde(default)]
    pub submit: bool,
}

/// Saves (and optionally submits) a sheet.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/sheet", tag = "emulation", params(("id" = i64, Path)), request_body = SheetInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_sheet(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<SheetInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(i) = body?;
    let k = key(i.target_id, &i.role, i.scorer_id)?;
    let lines: Vec<LineInput> = i.scores.into_iter().map(|s| LineInput { code: s.code, score: Centi(s.centi), note: s.note, document: s.document }).collect();
    app.save_sheet(&caller.principal, parse_id(&id)?, k, i.version, &lines, i.submit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ExplainedLineDto {
    pub code: String,
    pub self_centi: Option<i64>,
    /// `[scorer org id, centi]`.
    pub peers: Vec<(i64, i64)>,
    pub leader_centi: Option<i64>,
    pub value_centi: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ExplanationDto {
    pub org_id: i64,
    pub name: String,
    pub rank: Option<usize>,
    pub lines: Vec<ExplainedLineDto>,
    pub adjustments: Vec<AdjustmentDto>,
    pub total_centi: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AdjustmentDto {
    pub org_id: i64,
    pub criterion: Option<String>,
    /// Added (positive) or taken off (negative), in hundredths.
    pub centi: i64,
    pub reason: String,
}

/// How a unit's total was reached.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/units/{org}", tag = "emulation", params(("id" = i64, Path), ("org" = i64, Path)), responses((status = 200, body = ExplanationDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn explanation(State(app): State<App>, caller: Caller, Path((id, org)): Path<(String, String)>) -> Result<Json<ExplanationDto>, Problem> {
    let e = app.explanation(&caller.principal, parse_id(&id)?, OrgId(parse_id(&org)?)).await?;
    Ok(Json(ExplanationDto {
        org_id: e.org.0,
        name: e.name,
        rank: e.rank,
        lines: e
            .result
            .lines
            .iter()
            .map(|l| ExplainedLineDto {
                code: l.code.clone(),
                self_centi: l.self_score.map(|c| c.0),
                peers: l.peers.iter().map(|(o, c)| (o.0, c.0)).collect(),
                leader_centi: l.leader.map(|c| c.0),
                value_centi: l.value.round(),
            })
            .collect(),
        adjustments: e.adjustments.iter().map(|a| AdjustmentDto { org_id: a.target.0, criterion: a.adjustment.criterion.clone(), centi: a.adjustment.centi, reason: a.adjustment.reason.clone() }).collect(),
        total_centi: e.result.total.round(),
    }))
}

/// The leader's adjustment of a unit's total, with its reason.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/adjustments", tag = "emulation", params(("id" = i64, Path)), request_body = AdjustmentDto, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adjust(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<AdjustmentDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(a) = body?;
    let adjustment = Adjustment { criterion: a.criterion, centi: a.centi, reason: a.reason };
    app.add_adjustment(&caller.principal, parse_id(&id)?, OrgId(a.org_id), &adjustment).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PairDto {
    pub scorer_id: i64,
    pub target_id: i64,
}

/// Sets who cross-scores whom (clusters whose rules assign peers).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/assignments", tag = "emulation", params(("id" = i64, Path)), request_body = Vec<PairDto>, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<Vec<PairDto>>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(pairs) = body?;
    let pairs: Vec<(OrgId, OrgId)> = pairs.iter().map(|p| (OrgId(p.scorer_id), OrgId(p.target_id))).collect();
    app.set_assignments(&caller.principal, parse_id(&id)?, &pairs).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RoundChange {
    pub version: i64,
    /// Required to reopen.
    #[serde(default)]
    pub reason: String,
}

/// Closes the round once every expected sheet is submitted.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "emulation", params(("id" = i64, Path)), request_body = RoundChange, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<RoundChange>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(c) = body?;
    app.close_round(&caller.principal, parse_id(&id)?, c.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a closed round; the reason is required and audited.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/reopen", tag = "emulation", params(("id" = i64, Path)), request_body = RoundChange, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<RoundChange>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(c) = body?;
    app.reopen_round(&caller.principal, parse_id(&id)?, c.version, &c.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
