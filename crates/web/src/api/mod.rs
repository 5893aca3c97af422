//! The JSON API under `/api/v1`. Request and response bodies are types of their own (not the
//! domain's), so the published contract changes only on purpose; the OpenAPI document is generated
//! from these types and handlers.

pub mod ballots;
pub mod clusters;
pub mod commendation;
pub mod documents;
pub mod emulation;
pub mod evaluations;
pub mod import;
pub mod members;
pub mod orgs;
pub mod scoring;

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "thidua API", description = "API của thidua: tổ chức, cụm thi đua, phong trào, hội nghị, đánh giá xếp loại, khen thưởng, đảng viên, văn bản. Ngày theo ISO 8601 (yyyy-mm-dd)."),
    paths(
        orgs::list,
        orgs::detail,
        orgs::lineage,
        orgs::successor,
        orgs::record_event,
        clusters::list,
        clusters::detail,
        emulation::rules,
        emulation::set_rules,
        emulation::next_year,
        emulation::set_year,
        emulation::campaigns,
        emulation::create_campaign,
        emulation::campaign,
        emulation::set_criteria,
        emulation::register,
        emulation::covenant,
        emulation::meetings,
        emulation::create_meeting,
        emulation::meeting,
        emulation::add_task,
        emulation::tasks,
        emulation::update_task,
        scoring::open,
        scoring::round,
        scoring::sheet,
        scoring::save_sheet,
        scoring::explanation,
        scoring::adjust,
        scoring::assign,
        scoring::close,
        scoring::reopen,
        ballots::list,
        ballots::create,
        ballots::detail,
        ballots::open,
        ballots::close,
        ballots::vote,
        ballots::written,
        ballots::paper,
        ballots::receipt,
        ballots::result,
        members::list,
        members::create,
        members::detail,
        members::badges,
        members::transfers,
        members::introduce,
        members::transfer,
        members::step,
        members::package,
        members::import_package,
        documents::list,
        documents::create,
        documents::detail,
        documents::status,
        documents::stats,
        evaluations::list,
        evaluations::open,
        evaluations::round,
        evaluations::assessments,
        evaluations::opinions,
        evaluations::conclude,
        evaluations::approve,
        evaluations::reopen,
        evaluations::results,
        evaluations::disciplines,
        evaluations::record_discipline,
        commendation::rules,
        commendation::save_rules,
        commendation::eligibility,
        commendation::eligible,
        commendation::dossiers,
        commendation::create_dossier,
        commendation::dossier,
        commendation::step,
        commendation::copy,
        commendation::decisions,
        commendation::create_decision,
        commendation::decision,
        commendation::revoke,
        commendation::awards,
        commendation::create_person,
        commendation::person,
        commendation::add_initiative,
        import::import,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldError)),
    tags((name = "orgs", description = "Tổ chức và sự kiện tổ chức"), (name = "clusters", description = "Cụm, khối thi đua"), (name = "emulation", description = "Phong trào thi đua, giao ước, hội nghị, nhiệm vụ trọng tâm, chấm điểm"), (name = "ballots", description = "Bỏ phiếu kín"), (name = "members", description = "Đảng viên, tuổi Đảng, Huy hiệu Đảng"), (name = "transfers", description = "Chuyển sinh hoạt đảng"), (name = "documents", description = "Văn bản đến, đi, hồ sơ công việc, tìm kiếm"), (name = "evaluation", description = "Kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên"), (name = "commendation", description = "Khen thưởng: danh mục, tiêu chuẩn, xét điều kiện, hồ sơ, quyết định, sổ khen thưởng")),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// Scripts authenticate with `Authorization: Bearer <token>` (`thidua token create`). A browser
/// session works too, with the session's CSRF token in `X-CSRF-Token` on every write.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Every error the API returns: a stable code and a message in the request's language.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// For `invalid`: each field in error with its message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
