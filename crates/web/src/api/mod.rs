//! The JSON API under `/api/v1`. Request and response bodies are types of their own (not the
//! domain's), so the published contract changes only on purpose; the OpenAPI document is generated
//! from these types and handlers.

pub mod clusters;
pub mod orgs;

use axum::routing::{get, post};
use axum::{Json, Router};
use thidua_app::App;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "thidua API", description = "API của thidua: tổ chức, cụm thi đua. Ngày theo ISO 8601 (yyyy-mm-dd)."),
    paths(
        orgs::list,
        orgs::detail,
        orgs::lineage,
        orgs::successor,
        orgs::record_event,
        clusters::list,
        clusters::detail,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    tags((name = "orgs", description = "Tổ chức và sự kiện tổ chức"), (name = "clusters", description = "Cụm, khối thi đua"))
)]
pub struct ApiDoc;

/// Every error the API returns: a stable code and a message in the request's language.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/orgs", get(orgs::list))
        .route("/api/v1/orgs/{id}", get(orgs::detail))
        .route("/api/v1/orgs/{id}/lineage", get(orgs::lineage))
        .route("/api/v1/orgs/{id}/successor", get(orgs::successor))
        .route("/api/v1/org-events", post(orgs::record_event))
        .route("/api/v1/clusters", get(clusters::list))
        .route("/api/v1/clusters/{id}", get(clusters::detail))
}
