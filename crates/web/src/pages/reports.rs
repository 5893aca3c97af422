//! Reports as files: a cluster's periodic report and a decision's list as docx, an organization's
//! year-end package as xlsx.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use thidua_app::reports::ReportPeriod;
use thidua_app::App;
use thidua_core::cluster::ClusterId;
use thidua_core::org::OrgId;

use super::{parse_id, today};
use crate::auth::Caller;
use crate::error::Problem;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn file(content_type: &str, name: String, bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes).into_response()
}

#[derive(Deserialize)]
pub struct ReportQuery {
    year: Option<String>,
    period: Option<String>,
}

fn year(raw: Option<&str>) -> Result<i16, Problem> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(today().year()),
        Some(y) => y.parse::<i16>().ok().filter(|y| (1930..=2100).contains(y)).ok_or_else(|| Problem::BadYear(y.chars().take(10).collect())),
    }
}

/// `?year=2024&period=q1|q2|q3|q4|h1|year` (the year's report by default).
pub async fn cluster_report(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<ReportQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let id = ClusterId(parse_id(&id)?);
    let year = year(q.year.as_deref())?;
    let code = q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()).unwrap_or("year");
    let period = ReportPeriod::from_code(code).ok_or_else(|| Problem::BadKind(code.chars().take(20).collect()))?;
    let bytes = app.cluster_report_docx(&caller.principal, id, year, period).await?;
    Ok(file(DOCX, format!("bao-cao-cum-{code}-{year}.docx"), bytes))
}

pub async fn decision_list(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let bytes = app.decision_list_docx(&caller.principal, parse_id(&id)?).await?;
    Ok(file(DOCX, format!("danh-sach-khen-thuong-{id}.docx"), bytes))
}

pub async fn year_end(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<ReportQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let org = OrgId(parse_id(&id)?);
    let year = year(q.year.as_deref())?;
    let bytes = app.year_end_package(&caller.principal, org, year).await?;
    Ok(file(XLSX, format!("tong-hop-cuoi-nam-{year}.xlsx"), bytes))
}
