use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::documents::{overdue, Direction, DocumentRow, NewDocument, SEARCH_RESULTS};
use thidua_app::App;
use thidua_core::date::{iso, parse_date};
use thidua_core::org::OrgId;
use thidua_core::vi::{format_percent, Lang};
use utoipa::{IntoParams, ToSchema};

use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::{parse_id, today};

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: i64,
    /// `outgoing` or `incoming`.
    pub direction: String,
    pub register_id: i64,
    pub unit_id: Option<i64>,
    pub doc_type: String,
    /// Number and symbol, e.g. `969-CV/TU`.
    pub symbol: Option<String>,
    pub issued_on: Option<String>,
    pub issuer_name: Option<String>,
    pub summary: String,
    pub arrival_number: Option<i64>,
    pub arrival_on: Option<String>,
    pub assigned_to: Option<String>,
    pub deadline: Option<String>,
    pub status: String,
    pub overdue: bool,
    pub version: i64,
}

impl From<&DocumentRow> for DocumentDto {
    fn from(d: &DocumentRow) -> Self {
        DocumentDto {
            id: d.id,
            direction: d.direction.code().into(),
            register_id: d.org.0,
            unit_id: d.unit.map(|u| u.0),
            doc_type: d.doc_type.clone(),
            symbol: d.symbol.clone(),
            issued_on: d.issued_on.map(iso),
            issuer_name: d.issuer_name.clone(),
            summary: d.summary.clone(),
            arrival_number: d.arrival_number,
            arrival_on: d.arrival_on.map(iso),
            assigned_to: d.assigned_to.clone(),
            deadline: d.deadline.map(iso),
            status: d.status.clone(),
            overdue: overdue(d, today()),
            version: d.version,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// Words to search (diacritics optional; `20-CT/TU` and `20 ct tu` both find the directive).
    q: Option<String>,
    direction: Option<String>,
    doc_type: Option<String>,
    issuer: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// At most 200; 50 when absent.
    limit: Option<i64>,
    /// Rows to skip: of the register as filtered, or of a search's ranked results (its best 200).
    offset: Option<i64>,
}

pub(crate) fn day(v: &str) -> Result<jiff::civil::Date, Problem> {
    parse_date(v).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect()))
}

pub(crate) fn opt_day(v: &Option<String>) -> Result<Option<jiff::civil::Date>, Problem> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(day).transpose()
}

/// Searches or lists the registers the caller may read.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentParams), responses((status = 200, body = Vec<DocumentDto>), (status = 400, body = ErrorBody)))]
pub async fn list(State(app): State<App>, caller: Caller, query: Result<Query<DocumentParams>, QueryRejection>) -> Result<Json<Vec<DocumentDto>>, Problem> {
    let Query(q) = query?;
    let filter = crate::pages::documents::filter_from(&q.direction, &q.doc_type, &q.issuer, &q.status, &q.from, &q.to)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = q.offset.unwrap_or(0).max(0);
    let rows = match q.q.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        // The same ranking whatever the slice, so that pages neither repeat nor skip a result.
        Some(text) => app.search_documents(&caller.principal, text, filter, SEARCH_RESULTS).await?.into_iter().skip(offset as usize).take(limit as usize).collect(),
        None => app.documents(&caller.principal, filter, limit, offset).await?,
    };
    Ok(Json(rows.iter().map(Into::into).collect()))
}

/// A document to register; dates ISO or dd/mm/yyyy.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// `outgoing` (a number is allocated) or `incoming` (an arrival number is allocated).
    pub direction: String,
    pub register_id: i64,
    pub unit_id: Option<i64>,
    pub doc_type: String,
    pub issued_on: Option<String>,
    pub summary: String,
    pub signer: Option<String>,
    pub recipients: Option<String>,
    pub secrecy: Option<String>,
    pub urgency: Option<String>,
    /// Incoming: the source's number and symbol.
    pub source_symbol: Option<String>,
    pub issuer_name: Option<String>,
    pub arrival_on: Option<String>,
    pub assigned_to: Option<String>,
    pub deadline: Option<String>,
}

/// Registers a document; the number, or the arrival number, is allocated in the same transaction.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = DocumentInput, responses(
    (status = 201, body = DocumentDto),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn create(State(app): State<App>, caller: Caller, body: Result<Json<DocumentInput>, JsonRejection>) -> Result<(StatusCode, Json<DocumentDto>), Problem> {
    let Json(i) = body?;
    let direction = Direction::from_code(&i.direction).ok_or_else(|| Problem::BadRequest(i.direction.chars().take(20).collect()))?;
    let new = NewDocument {
        register: OrgId(i.register_id),
        unit: i.unit_id.map(OrgId),
        doc_type: i.doc_type,
        issued_on: opt_day(&i.issued_on)?,
        summary: i.summary,
        signer: i.signer,
        recipients: i.recipients,
        secrecy: i.secrecy,
        urgency: i.urgency,
        source_symbol: i.source_symbol,
        issuer_name: i.issuer_name,
        arrival_on: opt_day(&i.arrival_on)?,
        assigned_to: i.assigned_to,
        deadline: opt_day(&i.deadline)?,
    };
    let row = app.register_document(&caller.principal, direction, &new, &[]).await?;
    Ok((StatusCode::CREATED, Json((&row).into())))
}

/// One document.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)), responses(
    (status = 200, body = DocumentDto),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub async fn detail(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<DocumentDto>, Problem> {
    Ok(Json((&app.document(&caller.principal, parse_id(&id)?).await?.row).into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The version read; a change by someone else since then is refused (409).
    pub version: i64,
    /// `assigned`, `in_progress`, `handled`, `filed`; or `withdrawn` for an outgoing document.
    pub to: String,
    pub assigned_to: Option<String>,
    /// Required to withdraw.
    pub reason: Option<String>,
}

/// Moves a document along its statuses, or withdraws an outgoing one (its number is never reused).
#[utoipa::path(post, path = "/api/v1/documents/{id}/status", tag = "documents", params(("id" = i64, Path)), request_body = StatusInput, responses(
    (status = 200, body = DocumentDto),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn status(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<StatusInput>, JsonRejection>) -> Result<Json<DocumentDto>, Problem> {
    let id = parse_id(&id)?;
    let Json(s) = body?;
    if s.to == "withdrawn" {
        app.withdraw_document(&caller.principal, id, s.version, s.reason.as_deref().unwrap_or_default()).await?;
    } else {
        app.set_incoming_status(&caller.principal, id, s.version, &s.to, s.assigned_to.as_deref()).await?;
    }
    Ok(Json((&app.document(&caller.principal, id).await?.row).into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    register_id: i64,
    unit_id: i64,
    from: String,
    to: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDto {
    pub incoming_total: i64,
    pub incoming_by_unit: i64,
    pub outgoing_total: i64,
    pub outgoing_by_unit: i64,
    /// Share of outgoing drafted by the unit, as Vietnamese write it (`61,67%`).
    pub outgoing_share: Option<String>,
}

/// Documents handled and drafted by a unit within a register, over a period.
#[utoipa::path(get, path = "/api/v1/document-stats", tag = "documents", params(StatsParams), responses((status = 200, body = StatsDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn stats(State(app): State<App>, caller: Caller, query: Result<Query<StatsParams>, QueryRejection>) -> Result<Json<StatsDto>, Problem> {
    let Query(q) = query?;
    let s = app.document_statistics(&caller.principal, OrgId(q.register_id), OrgId(q.unit_id), day(&q.from)?, day(&q.to)?).await?;
    Ok(Json(StatsDto {
        incoming_total: s.incoming_total,
        incoming_by_unit: s.incoming_by_unit,
        outgoing_total: s.outgoing_total,
        outgoing_by_unit: s.outgoing_by_unit,
        outgoing_share: format_percent(s.outgoing_by_unit, s.outgoing_total, Lang::Vi),
    }))
}
