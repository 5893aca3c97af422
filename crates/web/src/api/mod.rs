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
    components(schemas(ErrorBody, ErrorDetail, FieldError, ChangeDetail)),
    tags((name = "orgs", description = "Tổ chức và sự kiện tổ chức"), (name = "clusters", description = "Cụm, khối thi đua"), (name = "emulation", description = "Phong trào thi đua, giao ước, hội nghị, nhiệm vụ trọng tâm, chấm điểm"), (name = "ballots", description = "Bỏ phiếu kín"), (name = "members", description = "Đảng viên, tuổi Đảng, Huy hiệu Đảng"), (name = "transfers", description = "Chuyển sinh hoạt đảng"), (name = "documents", description = "Văn bản đến, đi, hồ sơ công việc, tìm kiếm"), (name = "evaluation", description = "Kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên"), (name = "commendation", description = "Khen thưởng: danh mục, tiêu chuẩn, xét điều kiện, hồ sơ, quyết định, sổ khen thưởng")),
    modifiers(&BearerAuth, &CommonErrors),
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

/// The errors any route can answer, published on every operation that does not name them itself:
/// a request that does not parse (400), no or a revoked token (401), outside the caller's scope
/// (403); for input in the path, query or body, an id that names nothing (404) or a value the
/// rules refuse (422); for writes, a record changed, taken or in a state that does not allow it
/// (409); for a body, one over the size limit (413).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new().description(description).content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build()).build()
        };
        for item in openapi.paths.paths.values_mut() {
            for (write, op) in [(false, &mut item.get), (true, &mut item.post)].into_iter().filter_map(|(w, op)| op.as_mut().map(|op| (w, op))) {
                let mut common = vec![("400", "Yêu cầu không đọc được: mã số, ngày hoặc tham số sai dạng."), ("401", "Chưa đăng nhập, hoặc token không còn hiệu lực."), ("403", "Ngoài phạm vi được giao.")];
                if op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    common.extend([("404", "Không tìm thấy."), ("422", "Dữ liệu không hợp lệ theo quy định; từng trường sai được nêu trong `fields`.")]);
                }
                if write {
                    common.push(("409", "Bản ghi đã thay đổi, đã có, hoặc không ở trạng thái cho phép thao tác này."));
                }
                if op.request_body.is_some() {
                    common.push(("413", "Nội dung gửi lên quá lớn."));
                }
                for (status, description) in common {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description).into());
                }
            }
        }
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
    /// For `changed`: each field another officer saved differently since the version sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeDetail>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ChangeDetail {
    pub field: String,
    /// Which one, for a field repeated per item (a criterion's code).
    pub item: Option<String>,
    /// As saved by the other officer.
    pub saved: String,
    /// As this request would have saved it.
    pub yours: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What a create answers: the new record's id.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// `(limit, offset)` of a list asked for in pages: none when neither is given (the whole list),
/// else at most 1,000 rows.
pub(crate) fn page_of(limit: Option<i64>, offset: Option<i64>) -> Option<(i64, i64)> {
    (limit.is_some() || offset.is_some()).then(|| (limit.unwrap_or(1000).clamp(1, 1000), offset.unwrap_or(0).max(0)))
}

#[cfg(test)]
mod tests {
    /// utoipa names a schema after its type alone, so two types of one name in different modules
    /// publish one schema for both, and responses of the other break the contract.
    #[test]
    fn schema_names_are_unique() {
        let mut seen = std::collections::HashMap::new();
        for (file, text) in [
            ("ballots", include_str!("ballots.rs")),
            ("clusters", include_str!("clusters.rs")),
            ("commendation", include_str!("commendation.rs")),
            ("documents", include_str!("documents.rs")),
            ("emulation", include_str!("emulation.rs")),
            ("evaluations", include_str!("evaluations.rs")),
            ("import", include_str!("import.rs")),
            ("members", include_str!("members.rs")),
            ("mod", include_str!("mod.rs")),
            ("orgs", include_str!("orgs.rs")),
            ("scoring", include_str!("scoring.rs")),
        ] {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                    continue;
                }
                let declaration = lines[i + 1..].iter().find(|l| l.starts_with("pub struct ") || l.starts_with("pub enum ")).expect("a type after its derive");
                let name = declaration.split_whitespace().nth(2).expect("name").trim_end_matches(['{', '(', ';']).to_owned();
                if let Some(other) = seen.insert(name.clone(), file) {
                    panic!("{name} is declared in both {other} and {file}");
                }
            }
        }
        assert!(seen.len() > 50, "{} schemas found", seen.len());
    }
}
