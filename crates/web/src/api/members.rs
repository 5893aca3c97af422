use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::transfers::{NewTransfer, TransferView};
use thidua_app::{App, AppError};
use thidua_core::date::{iso, parse_date};
use thidua_core::member::{AgeStep, MemberError, MemberId, MemberRecord};
use thidua_core::org::OrgId;
use thidua_core::transfer::{TemporaryPurpose, TransferKind};
use utoipa::{IntoParams, ToSchema};

use super::{CreatedDto, ErrorBody};
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::{parse_id, today};

#[derive(Serialize, ToSchema)]
pub struct MemberSummaryDto {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    pub org_id: i64,
    pub org_name: String,
    pub admitted_on: String,
    pub official_on: Option<String>,
    /// Whole years of party age today; absent while probationary.
    pub party_age_years: Option<i16>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the name, with or without diacritics.
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Members in the caller's scope, by name.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(ListParams), responses((status = 200, body = Vec<MemberSummaryDto>)))]
pub async fn list(State(app): State<App>, caller: Caller, query: Result<Query<ListParams>, QueryRejection>) -> Result<Json<Vec<MemberSummaryDto>>, Problem> {
    let Query(q) = query?;
    let rows = app.members(&caller.principal, q.q.as_deref(), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| MemberSummaryDto {
                id: m.id.0,
                full_name: m.full_name,
                birth_date: iso(m.birth_date),
                org_id: m.org.0,
                org_name: m.org_name,
                admitted_on: iso(m.admitted_on),
                official_on: m.official_on.map(iso),
                party_age_years: m.party_age_years,
            })
            .collect(),
    ))
}

/// A member record as sent to the API; dates ISO `yyyy-mm-dd` or `dd/mm/yyyy`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub full_name: String,
    pub birth_date: String,
    /// `male` or `female`.
    pub gender: String,
    pub cccd: Option<String>,
    pub party_card: Option<String>,
    pub admitted_on: String,
    pub official_on: Option<String>,
    pub org_id: i64,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub seriously_ill: bool,
}

impl MemberInput {
    /// The record, parsed by the same rules as the web form.
    fn to_record(&self) -> Result<MemberRecord, Vec<MemberError>> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::pages::members::MemberForm {
            full_name: self.full_name.clone(),
            birth_date: self.birth_date.clone(),
            gender: self.gender.clone(),
            cccd: text(&self.cccd),
            party_card: text(&self.party_card),
            admitted_on: self.admitted_on.clone(),
            official_on: text(&self.official_on),
            org_q: String::new(),
            org: self.org_id.to_string(),
            phone: text(&self.phone),
            email: text(&self.email),
            address: text(&self.address),
            seriously_ill: self.seriously_ill.then(|| "on".into()),
            version: String::new(),
        }
        .to_record(None)
    }
}

/// Registers a member. Every problem with the record is listed in the message.
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = MemberInput, responses(
    (status = 201, body = CreatedDto),
    (status = 400, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn create(State(app): State<App>, caller: Caller, body: Result<Json<MemberInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let Json(input) = body?;
    let record = input.to_record().map_err(|e| Problem::App(AppError::Member(e)))?;
    let id = app.create_member(&caller.principal, &record).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: id.0 })))
}

#[derive(Serialize, ToSchema)]
pub struct PartyAgeDto {
    pub counted: bool,
    pub years: i16,
    pub months: i8,
    pub days: i8,
    /// The explanation, step by step (admission, official date, excluded periods, total).
    pub steps: Vec<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub id: i64,
    pub version: i64,
    pub full_name: String,
    pub birth_date: String,
    pub gender: String,
    pub cccd: Option<String>,
    pub party_card: Option<String>,
    pub admitted_on: String,
    pub official_on: Option<String>,
    pub org_id: i64,
    pub temporary_org_id: Option<i64>,
    pub party_age: PartyAgeDto,
    pub badges: Vec<u16>,
    pub transfer_ids: Vec<i64>,
    /// Attached files; each is read at `/members/{id}/files/{file_id}` (audited).
    pub file_ids: Vec<i64>,
}

/// A member's record with party age explained. Reading it is audited.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), responses(
    (status = 200, body = MemberDto),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub async fn detail(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<MemberDto>, Problem> {
    let id = MemberId(parse_id(&id)?);
    let d = app.member(&caller.principal, id).await?;
    let r = &d.row.record;
    let steps = d.party_age.steps.iter().map(|s: &AgeStep| serde_json::to_value(s).unwrap_or_default()).collect();
    Ok(Json(MemberDto {
        id: id.0,
        version: d.row.version,
        full_name: r.full_name.clone(),
        birth_date: iso(r.birth_date),
        gender: r.gender.code().into(),
        cccd: r.cccd.as_ref().map(|c| c.as_str().to_owned()),
        party_card: r.party_card.clone(),
        admitted_on: iso(r.admitted_on),
        official_on: r.official_on.map(iso),
        org_id: r.org.0,
        temporary_org_id: d.row.temporary_org.map(|o| o.0),
        party_age: PartyAgeDto { counted: d.party_age.counted, years: d.party_age.years, months: d.party_age.months, days: d.party_age.days, steps },
        badges: d.badges.iter().map(|b| b.milestone).collect(),
        transfer_ids: d.transfers.iter().map(|t| t.id).collect(),
        file_ids: d.files.iter().map(|f| f.id).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BadgeCandidateDto {
    pub member_id: i64,
    pub full_name: String,
    pub org_name: String,
    pub milestone: u16,
    pub due: String,
    /// Presented early for serious illness.
    pub early: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BadgeParams {
    /// The presentation day; the next one when absent.
    date: Option<String>,
}

/// Members in scope who can receive their next badge on a presentation day.
#[utoipa::path(get, path = "/api/v1/badges", tag = "members", params(BadgeParams), responses((status = 200, body = Vec<BadgeCandidateDto>), (status = 400, body = ErrorBody)))]
pub async fn badges(State(app): State<App>, caller: Caller, query: Result<Query<BadgeParams>, QueryRejection>) -> Result<Json<Vec<BadgeCandidateDto>>, Problem> {
    let Query(q) = query?;
    let day = match q.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(v) => parse_date(v).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect()))?,
        None => app.presentation_days(today())?.first().copied().unwrap_or_else(today),
    };
    Ok(Json(
        app.badge_candidates(&caller.principal, day)
            .await?
            .into_iter()
            .map(|(m, d)| BadgeCandidateDto { member_id: m.id.0, full_name: m.full_name, org_name: m.org_name, milestone: d.milestone, due: iso(d.due), early: d.early })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TransferDto {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub from_org_id: i64,
    pub to_org_id: Option<i64>,
    /// The organization the letter was addressed to, when it had merged into `to_org_id`.
    pub addressed_org_id: Option<i64>,
    pub external_to: Option<String>,
    /// `introduced`, `reported`, `received`, `completed`, `returned` or `cancelled`.
    pub state: String,
    pub introduced_on: String,
    /// The day the letter must be presented by; absent for a transfer from before the
    /// rulebook's first membership rules.
    pub report_by: Option<String>,
    pub overdue_since: Option<String>,
    /// Between provinces (or installations) rather than within one.
    pub across_provinces: bool,
}

impl From<&TransferView> for TransferDto {
    fn from(v: &TransferView) -> Self {
        TransferDto {
            id: v.row.id,
            member_id: v.row.member.0,
            member_name: v.member_name.clone(),
            from_org_id: v.row.from_org.0,
            to_org_id: v.row.to_org.map(|o| o.0),
            addressed_org_id: v.row.addressed_org.map(|o| o.0),
            external_to: v.row.external_to.clone(),
            state: v.row.state.code().into(),
            introduced_on: iso(v.row.introduced_on),
            report_by: v.deadlines.as_ref().map(|d| iso(d.report_by)),
            overdue_since: v.overdue_since.map(iso),
            across_provinces: v.across_provinces,
        }
    }
}

/// Transfers the caller handles on either side, newest first.
#[utoipa::path(get, path = "/api/v1/transfers", tag = "transfers", responses((status = 200, body = Vec<TransferDto>)))]
pub async fn transfers(State(app): State<App>, caller: Caller) -> Result<Json<Vec<TransferDto>>, Problem> {
    Ok(Json(app.transfers(&caller.principal).await?.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    pub member_id: i64,
    pub to_org_id: Option<i64>,
    pub external_to: Option<String>,
    /// `official`, `temporary_stay` or `temporary_study`.
    pub kind: String,
    pub until: Option<String>,
    pub trigger_on: String,
    pub introduced_on: String,
    pub letter_number: Option<String>,
    pub late_reason: Option<String>,
}

fn day(v: &str) -> Result<jiff::civil::Date, Problem> {
    parse_date(v).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect()))
}

/// Introduces a transfer; the receiving organization is resolved through mergers.
#[utoipa::path(post, path = "/api/v1/transfers", tag = "transfers", request_body = TransferInput, responses(
    (status = 201, body = CreatedDto),
    (status = 400, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn introduce(State(app): State<App>, caller: Caller, body: Result<Json<TransferInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let Json(i) = body?;
    let kind = match i.kind.as_str() {
        "official" => TransferKind::Official,
        "temporary_stay" | "temporary_study" => TransferKind::Temporary {
            purpose: if i.kind == "temporary_stay" { TemporaryPurpose::Stay } else { TemporaryPurpose::Study },
            until: day(i.until.as_deref().unwrap_or_default())?,
        },
        other => return Err(Problem::BadRequest(other.chars().take(40).collect())),
    };
    let new = NewTransfer {
        member: MemberId(i.member_id),
        to_org: i.to_org_id.map(OrgId),
        external_to: i.external_to,
        kind,
        trigger_on: day(&i.trigger_on)?,
        introduced_on: day(&i.introduced_on)?,
        letter_number: i.letter_number,
        late_reason: i.late_reason,
    };
    let id = app.introduce_transfer(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// One transfer.
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "transfers", params(("id" = i64, Path)), responses(
    (status = 200, body = TransferDto),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub async fn transfer(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<TransferDto>, Problem> {
    let id = parse_id(&id)?;
    Ok(Json((&app.transfer(&caller.principal, id).await?.view).into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `report`, `receive`, `complete`, `return` or `cancel`.
    pub action: String,
    pub on: String,
    /// Required to return or cancel, and to report after the deadline.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StateDto {
    pub state: String,
}

/// Moves a transfer one step; completing it moves the member with the whole record.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/steps", tag = "transfers", params(("id" = i64, Path)), request_body = StepInput, responses(
    (status = 200, body = StateDto),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn step(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<StepInput>, JsonRejection>) -> Result<Json<StateDto>, Problem> {
    let id = parse_id(&id)?;
    let Json(s) = body?;
    let step = crate::pages::transfers::to_step(&s.action, day(&s.on)?, s.reason.as_deref().unwrap_or_default())?;
    let state = app.transfer_step(&caller.principal, id, &step).await?;
    Ok(Json(StateDto { state: state.code().into() }))
}

/// The sealed package of a transfer to another installation (sending side).
#[utoipa::path(get, path = "/api/v1/transfers/{id}/package", tag = "transfers", params(("id" = i64, Path)), responses(
    (status = 200, description = "The package (JSON)"),
    (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn package(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let id = parse_id(&id)?;
    let bytes = app.export_transfer_package(&caller.principal, id).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The receiving organization in this installation.
    org_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedDto {
    pub member_id: i64,
    pub transfer_id: i64,
}

/// Receives a package from another installation: checks the seal, registers the member with the
/// whole record at the receiving organization and opens the transfer there.
#[utoipa::path(post, path = "/api/v1/transfer-packages", tag = "transfers", params(ImportParams), request_body(content = String, content_type = "application/json"), responses(
    (status = 201, body = ImportedDto),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub async fn import_package(
    State(app): State<App>,
    caller: Caller,
    query: Result<Query<ImportParams>, QueryRejection>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ImportedDto>), Problem> {
    let Query(q) = query?;
    let done = app.import_transfer_package(&caller.principal, &body, OrgId(q.org_id)).await?;
    Ok((StatusCode::CREATED, Json(ImportedDto { member_id: done.member.0, transfer_id: done.transfer })))
}
