use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::App;
use thidua_core::date::{iso, parse_date};
use thidua_core::org::{NewOrg, OrgChange, OrgEvent, OrgId, OrgKind, OrgSpec, OrgVersion, Succession, Target, TreeNode};
use utoipa::{IntoParams, ToSchema};

use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::date_param;
use crate::pages::orgs::parse_id;

/// One version of an organization: its state over `[valid_from, valid_to)`.
#[derive(Serialize, ToSchema)]
pub struct OrgVersionDto {
    pub id: i64,
    /// Kind code, e.g. `organization_board`.
    pub kind: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<i64>,
    /// ISO date, inclusive.
    pub valid_from: String,
    /// ISO date, exclusive; absent while the version is current.
    pub valid_to: Option<String>,
}

impl From<&OrgVersion> for OrgVersionDto {
    fn from(v: &OrgVersion) -> Self {
        OrgVersionDto {
            id: v.org.0,
            kind: v.kind.code().into(),
            name: v.name.clone(),
            short_name: v.short_name.clone(),
            parent_id: v.parent.map(|p| p.0),
            valid_from: iso(v.valid_from),
            valid_to: v.valid_to.map(iso),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgTreeDto {
    pub date: String,
    /// Organizations live on `date`, parents before children, siblings in Vietnamese order.
    pub orgs: Vec<OrgVersionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SuccessionDto {
    pub predecessor_id: i64,
    pub successor_id: i64,
    pub date: String,
    /// `merge` or `split`.
    pub kind: String,
    pub event_id: i64,
}

impl From<&Succession> for SuccessionDto {
    fn from(s: &Succession) -> Self {
        SuccessionDto {
            predecessor_id: s.predecessor.0,
            successor_id: s.successor.0,
            date: iso(s.date),
            kind: s.kind.code().into(),
            event_id: s.event.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LineageDto {
    pub predecessors: Vec<SuccessionDto>,
    pub successors: Vec<SuccessionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct OrgEventDto {
    pub id: i64,
    pub date: String,
    /// `create`, `rename`, `move`, `merge`, `split` or `dissolve`.
    #[serde(rename = "type")]
    pub kind: String,
    pub basis: Option<String>,
    /// Organizations the event named, and those it created.
    pub org_ids: Vec<i64>,
    pub created_ids: Vec<i64>,
}

impl From<&OrgEvent> for OrgEventDto {
    fn from(e: &OrgEvent) -> Self {
        OrgEventDto {
            id: e.id.0,
            date: iso(e.date),
            kind: e.change.kind_code().into(),
            basis: e.basis.clone(),
            org_ids: e.change.orgs().iter().map(|o| o.0).collect(),
            created_ids: e.change.created().iter().map(|n| n.org.0).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgDetailDto {
    pub id: i64,
    /// The version live on the requested date, if any.
    pub on_date: Option<OrgVersionDto>,
    /// The current version, or the last one before the organization ended.
    pub latest: OrgVersionDto,
    pub history: Vec<OrgVersionDto>,
    pub lineage: LineageDto,
    /// Where records addressed to this organization belong on the requested date.
    pub successors_on_date: Vec<i64>,
    pub children_on_date: Vec<OrgVersionDto>,
    pub events: Vec<OrgEventDto>,
    pub note: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateParams {
    /// ISO `yyyy-mm-dd` or `dd/mm/yyyy`; today (Vietnam time) when absent.
    date: Option<String>,
}

fn preorder(nodes: &[TreeNode], out: &mut Vec<OrgVersionDto>) {
    for n in nodes {
        out.push((&n.version).into());
        preorder(&n.children, out);
    }
}

/// The organization tree as of a date.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(DateParams), responses(
    (status = 200, body = OrgTreeDto),
    (status = 400, description = "Ngày không hợp lệ", body = ErrorBody),
))]
pub async fn list(State(app): State<App>, caller: Caller, query: Result<Query<DateParams>, QueryRejection>) -> Result<Json<OrgTreeDto>, Problem> {
    let Query(q) = query?;
    let date = date_param(q.date.as_deref())?;
    let mut orgs = Vec::new();
    preorder(&app.org_tree(&caller.principal, date).await?, &mut orgs);
    Ok(Json(OrgTreeDto { date: iso(date), orgs }))
}

/// One organization: history, lineage, events, and its state on a date.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path), DateParams), responses(
    (status = 200, body = OrgDetailDto),
    (status = 400, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub async fn detail(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<DateParams>, QueryRejection>,
) -> Result<Json<OrgDetailDto>, Problem> {
    let Query(q) = query?;
    let id = parse_id(&id)?;
    let date = date_param(q.date.as_deref())?;
    let d = app.org_detail(&caller.principal, id, date).await?;
    Ok(Json(OrgDetailDto {
        id: d.id.0,
        on_date: d.on_date.as_ref().map(Into::into),
        latest: (&d.latest).into(),
        history: d.history.iter().map(Into::into).collect(),
        lineage: LineageDto {
            predecessors: d.lineage.predecessors.iter().map(Into::into).collect(),
            successors: d.lineage.successors.iter().map(Into::into).collect(),
        },
        successors_on_date: d.successors_on_date.iter().map(|o| o.0).collect(),
        children_on_date: d.children_on_date.iter().map(Into::into).collect(),
        events: d.events.iter().map(Into::into).collect(),
        note: d.note,
    }))
}

/// Predecessors and successors through merges and splits, transitively.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/lineage", tag = "orgs", params(("id" = i64, Path)), responses(
    (status = 200, body = LineageDto),
    (status = 404, body = ErrorBody),
))]
pub async fn lineage(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<LineageDto>, Problem> {
    let id = parse_id(&id)?;
    let d = app.org_detail(&caller.principal, id, crate::pages::today()).await?;
    Ok(Json(LineageDto {
        predecessors: d.lineage.predecessors.iter().map(Into::into).collect(),
        successors: d.lineage.successors.iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SuccessorDto {
    pub date: String,
    /// The organization itself while live; otherwise its nearest live successors (several after a
    /// split; none after a dissolution).
    pub org_ids: Vec<i64>,
}

/// Where a record addressed to an organization belongs on a date.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/successor", tag = "orgs", params(("id" = i64, Path), DateParams), responses(
    (status = 200, body = SuccessorDto),
    (status = 404, body = ErrorBody),
))]
pub async fn successor(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<DateParams>, QueryRejection>,
) -> Result<Json<SuccessorDto>, Problem> {
    let Query(q) = query?;
    let id = parse_id(&id)?;
    let date = date_param(q.date.as_deref())?;
    let ids = app.org_successors_on(&caller.principal, id, date).await?;
    Ok(Json(SuccessorDto { date: iso(date), org_ids: ids.iter().map(|o| o.0).collect() }))
}

/// A new organization inside an event.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrgRequest {
    /// Kind code, e.g. `cell`, `grassroots_committee`, `organization_board`.
    pub kind: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<i64>,
}

/// A merge or split target: an existing organization or a new one.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetRequest {
    Existing(i64),
    New(NewOrgRequest),
}

#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChangeRequest {
    Create { kind: String, name: String, short_name: Option<String>, parent_id: Option<i64> },
    Rename { org_id: i64, name: String, short_name: Option<String> },
    Move { org_id: i64, parent_id: Option<i64> },
    Merge { source_ids: Vec<i64>, into: TargetRequest },
    Split { source_id: i64, into: Vec<TargetRequest> },
    Dissolve { org_id: i64 },
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgEventRequest {
    /// Effective date, ISO `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub date: String,
    /// The decision the event rests on, e.g. "Quyết định 1439-QĐ/TU".
    pub basis: Option<String>,
    pub change: ChangeRequest,
}

fn spec(kind: &str, name: String, short_name: Option<String>, parent_id: Option<i64>) -> Result<OrgSpec, Problem> {
    let kind = OrgKind::from_code(kind).ok_or_else(|| Problem::BadKind(kind.chars().take(40).collect()))?;
    Ok(OrgSpec { kind, name, short_name: short_name.filter(|s| !s.trim().is_empty()), parent: parent_id.map(OrgId) })
}

fn target(t: TargetRequest) -> Result<Target<()>, Problem> {
    Ok(match t {
        TargetRequest::Existing(id) => Target::Existing(OrgId(id)),
        TargetRequest::New(n) => Target::New(NewOrg { org: (), spec: spec(&n.kind, n.name, n.short_name, n.parent_id)? }),
    })
}

impl ChangeRequest {
    fn into_change(self) -> Result<OrgChange<()>, Problem> {
        Ok(match self {
            ChangeRequest::Create { kind, name, short_name, parent_id } => {
                OrgChange::Create(NewOrg { org: (), spec: spec(&kind, name, short_name, parent_id)? })
            }
            ChangeRequest::Rename { org_id, name, short_name } => {
                OrgChange::Rename { org: OrgId(org_id), name, short_name: short_name.filter(|s| !s.trim().is_empty()) }
            }
            ChangeRequest::Move { org_id, parent_id } => OrgChange::Move { org: OrgId(org_id), parent: parent_id.map(OrgId) },
            ChangeRequest::Merge { source_ids, into } => {
                OrgChange::Merge { sources: source_ids.into_iter().map(OrgId).collect(), into: target(into)? }
            }
            ChangeRequest::Split { source_id, into } => OrgChange::Split {
                source: OrgId(source_id),
                into: into.into_iter().map(target).collect::<Result<_, _>>()?,
            },
            ChangeRequest::Dissolve { org_id } => OrgChange::Dissolve { org: OrgId(org_id) },
        })
    }
}

/// Records an organization event. A refused event changes nothing and the answer says why.
#[utoipa::path(post, path = "/api/v1/org-events", tag = "orgs", request_body = OrgEventRequest, responses(
    (status = 201, body = OrgEventDto),
    (status = 400, description = "Dữ liệu không đúng định dạng", body = ErrorBody),
    (status = 422, description = "Sự kiện trái quy tắc của cây tổ chức", body = ErrorBody),
))]
pub async fn record_event(
    State(app): State<App>,
    caller: Caller,
    body: Result<Json<OrgEventRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<OrgEventDto>), Problem> {
    let Json(req) = body?;
    let date = parse_date(&req.date).ok_or_else(|| Problem::BadDate(req.date.chars().take(40).collect()))?;
    let change = req.change.into_change()?;
    let event = app.record_org_event(&caller.principal, date, change, req.basis).await?;
    Ok((StatusCode::CREATED, Json((&event).into())))
}
