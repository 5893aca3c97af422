//! Importing a spreadsheet over the API: the file as the request body, a dry run by default.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::import::ImportKind;
use thidua_app::App;
use utoipa::{IntoParams, ToSchema};

use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;
use crate::pages::import::describe_issue;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `false` to write; anything else (or nothing) only checks.
    dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportProblemDto {
    sheet: String,
    /// The row as the spreadsheet numbers it; 0 for the file as a whole.
    row: u32,
    /// The column's header.
    column: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    rows: u32,
    created: u32,
    updated: u32,
    unchanged: u32,
    written: bool,
    problems: Vec<ImportProblemDto>,
}

/// Checks an xlsx or CSV file of `kind` (`members`) and, with `dry_run=false` and no problem,
/// imports it all at once; a row matching a record by its key (the CCCD) updates it.
#[utoipa::path(post, path = "/api/v1/import/{kind}", tag = "import", params(("kind" = String, Path), ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses(
    (status = 200, body = ImportReportDto),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 422, body = ImportReportDto),
))]
pub async fn import(
    State(app): State<App>,
    t: T,
    caller: Caller,
    Path(raw): Path<String>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ImportReportDto>), Problem> {
    let Query(q) = query?;
    let kind = ImportKind::from_code(raw.trim()).ok_or_else(|| Problem::BadKind(raw.chars().take(20).collect()))?;
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(thidua_app::AppError::Forbidden));
    }
    let dry_run = q.dry_run != Some(false);
    let report = app.import(&caller.principal, kind, &body, dry_run, &|_, _| {}).await?;
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((
        status,
        Json(ImportReportDto {
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            written: report.written,
            problems: report.problems.iter().map(|p| ImportProblemDto { sheet: p.sheet.clone(), row: p.row, column: p.column.clone(), message: describe_issue(&p.issue, t) }).collect(),
        }),
    ))
}
