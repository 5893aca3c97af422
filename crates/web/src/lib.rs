//! Web UI (server-rendered Vietnamese HTML) and JSON API of thidua, over [`thidua_app::App`].
#![deny(clippy::unwrap_used)]

pub mod api;
pub mod auth;
mod error;
pub mod i18n;
pub mod pages;

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{middleware, Json, Router};
use serde::Deserialize;
use thidua_app::App;

pub use error::Problem;
use i18n::{Lang, LANG_COOKIE};

/// Who may call a route at all. What a signed-in caller may see or change inside it is decided by
/// the access policy in the app, with the resource in hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
}

/// A route as the router and its tests see it.
#[derive(Debug, Clone)]
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Room for one attachment at its limit and the form around it; the app enforces the limit itself.
const ATTACHMENT_LIMIT: usize = thidua_app::documents::MAX_ATTACHMENT_BYTES + 256 * 1024;

/// An import file: a province's members as xlsx, or a few million evaluation rows as CSV.
const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// A package carries a member's files (10 MiB each at most) in base64.
const PACKAGE_LIMIT: usize = 64 * 1024 * 1024;

/// Every route, once: the router is built from this list and the authorization matrix test walks it.
fn routes() -> Vec<(RouteDef, MethodRouter<App>)> {
    use Access::*;
    let r = |method: Method, path, access, handler| (RouteDef { method, path, access }, handler);
    vec![
        r(Method::GET, "/", SignedIn, get(pages::home::show)),
        r(Method::GET, "/orgs", SignedIn, get(pages::orgs::tree)),
        r(Method::GET, "/orgs/{id}", SignedIn, get(pages::orgs::detail)),
        r(Method::GET, "/clusters", SignedIn, get(pages::clusters::list)),
        r(Method::GET, "/clusters/{id}", SignedIn, get(pages::clusters::detail)),
        r(Method::GET, "/clusters/{id}/rules", SignedIn, get(pages::emulation::rules)),
        r(Method::POST, "/clusters/{id}/rules", SignedIn, post(pages::emulation::save_rules)),
        r(Method::GET, "/clusters/{id}/next-year", SignedIn, get(pages::emulation::next_year)),
        r(Method::POST, "/clusters/{id}/years", SignedIn, post(pages::emulation::save_year)),
        r(Method::GET, "/clusters/{id}/campaigns/new", SignedIn, get(pages::emulation::new_campaign)),
        r(Method::POST, "/clusters/{id}/campaigns", SignedIn, post(pages::emulation::create_campaign)),
        r(Method::GET, "/clusters/{id}/meetings/new", SignedIn, get(pages::emulation::new_meeting)),
        r(Method::POST, "/clusters/{id}/meetings", SignedIn, post(pages::emulation::create_meeting)),
        r(Method::GET, "/clusters/{id}/tasks", SignedIn, get(pages::emulation::tasks)),
        r(Method::GET, "/campaigns/{id}", SignedIn, get(pages::emulation::campaign)),
        r(Method::POST, "/campaigns/{id}/criteria", SignedIn, post(pages::emulation::save_criteria)),
        r(Method::POST, "/campaigns/{id}/registrations", SignedIn, post(pages::emulation::register)),
        r(Method::POST, "/campaigns/{id}/covenant", SignedIn, post(pages::emulation::covenant)),
        r(Method::GET, "/campaigns/{id}/covenant.docx", SignedIn, get(pages::emulation::covenant_docx)),
        r(Method::GET, "/meetings/{id}", SignedIn, get(pages::emulation::meeting)),
        r(Method::POST, "/meetings/{id}/outcome", SignedIn, post(pages::emulation::save_outcome)),
        r(Method::POST, "/meetings/{id}/tasks", SignedIn, post(pages::emulation::add_task)),
        r(Method::GET, "/meetings/{id}/minutes.docx", SignedIn, get(pages::emulation::minutes_docx)),
        r(Method::POST, "/tasks/{id}", SignedIn, post(pages::emulation::update_task)),
        r(Method::POST, "/campaigns/{id}/rounds", SignedIn, post(pages::scoring::open)),
        r(Method::GET, "/rounds/{id}", SignedIn, get(pages::scoring::round)),
        r(Method::GET, "/rounds/{id}/sheet", SignedIn, get(pages::scoring::sheet)),
        r(Method::POST, "/rounds/{id}/sheet", SignedIn, post(pages::scoring::save_sheet)),
        r(Method::POST, "/rounds/{id}/files", SignedIn, post(pages::scoring::upload).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT))),
        r(Method::GET, "/rounds/{id}/files/{file}", SignedIn, get(pages::scoring::file)),
        r(Method::GET, "/rounds/{id}/units/{org}", SignedIn, get(pages::scoring::explanation)),
        r(Method::POST, "/rounds/{id}/adjustments", SignedIn, post(pages::scoring::adjust)),
        r(Method::POST, "/rounds/{id}/assignments", SignedIn, post(pages::scoring::assign)),
        r(Method::POST, "/rounds/{id}/close", SignedIn, post(pages::scoring::close)),
        r(Method::POST, "/rounds/{id}/reopen", SignedIn, post(pages::scoring::reopen)),
        r(Method::GET, "/clusters/{id}/polls/new", SignedIn, get(pages::ballots::new_poll)),
        r(Method::POST, "/clusters/{id}/polls", SignedIn, post(pages::ballots::create_poll)),
        r(Method::GET, "/polls/{id}", SignedIn, get(pages::ballots::poll)),
        r(Method::POST, "/polls/{id}/open", SignedIn, post(pages::ballots::open)),
        r(Method::POST, "/polls/{id}/close", SignedIn, post(pages::ballots::close)),
        r(Method::POST, "/polls/{id}/vote", SignedIn, post(pages::ballots::vote)),
        r(Method::POST, "/polls/{id}/written", SignedIn, post(pages::ballots::written)),
        r(Method::POST, "/polls/{id}/paper", SignedIn, post(pages::ballots::paper)),
        r(Method::POST, "/polls/{id}/receipt", SignedIn, post(pages::ballots::receipt)),
        r(Method::GET, "/polls/{id}/minutes.docx", SignedIn, get(pages::ballots::minutes)),
        r(Method::GET, "/admin/audit", SignedIn, get(pages::admin::audit)),
        r(Method::GET, "/members", SignedIn, get(pages::members::list)),
        r(Method::POST, "/members", SignedIn, post(pages::members::create)),
        r(Method::GET, "/members/new", SignedIn, get(pages::members::new_form)),
        r(Method::GET, "/members/{id}", SignedIn, get(pages::members::detail)),
        r(Method::POST, "/members/{id}", SignedIn, post(pages::members::update)),
        r(Method::GET, "/members/{id}/edit", SignedIn, get(pages::members::edit_form)),
        r(Method::POST, "/members/{id}/gaps", SignedIn, post(pages::members::add_gap)),
        r(Method::POST, "/members/{id}/positions", SignedIn, post(pages::members::add_position)),
        r(Method::POST, "/members/{id}/badges", SignedIn, post(pages::members::award_badge)),
        r(
            Method::POST,
            "/members/{id}/files",
            SignedIn,
            // Room for a file at the limit plus the form around it; the app enforces the limit itself.
            post(pages::members::upload).layer(DefaultBodyLimit::max(thidua_app::members::MAX_FILE_BYTES + 256 * 1024)),
        ),
        r(Method::GET, "/members/{id}/files/{file}", SignedIn, get(pages::members::download)),
        r(Method::POST, "/members/{id}/discipline", SignedIn, post(pages::evaluations::discipline)),
        r(Method::GET, "/clusters/{id}/report.docx", SignedIn, get(pages::reports::cluster_report)),
        r(Method::GET, "/decisions/{id}/list.docx", SignedIn, get(pages::reports::decision_list)),
        r(Method::GET, "/orgs/{id}/year-end.xlsx", SignedIn, get(pages::reports::year_end)),
        r(Method::GET, "/dashboards", SignedIn, get(pages::dashboards::index)),
        r(Method::GET, "/dashboards/clusters/{id}", SignedIn, get(pages::dashboards::cluster)),
        r(Method::GET, "/dashboards/orgs/{id}", SignedIn, get(pages::dashboards::org)),
        r(Method::GET, "/dashboards/documents/{id}", SignedIn, get(pages::dashboards::documents)),
        r(Method::GET, "/dashboards/transfers", SignedIn, get(pages::dashboards::transfers)),
        r(Method::GET, "/import", SignedIn, get(pages::import::form)),
        r(Method::POST, "/import", SignedIn, post(pages::import::upload).layer(DefaultBodyLimit::max(IMPORT_LIMIT))),
        r(Method::GET, "/import/{kind}/template.xlsx", SignedIn, get(pages::import::template)),
        r(Method::GET, "/import/jobs/{id}", SignedIn, get(pages::import::job)),
        r(Method::POST, "/api/v1/import/{kind}", SignedIn, post(api::import::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT))),
        r(Method::GET, "/dossiers", SignedIn, get(pages::commendation::dossiers)),
        r(Method::POST, "/dossiers", SignedIn, post(pages::commendation::create_dossier)),
        r(Method::GET, "/dossiers/new", SignedIn, get(pages::commendation::new_dossier)),
        r(Method::GET, "/dossiers/submission.docx", SignedIn, get(pages::commendation::submission)),
        r(Method::GET, "/dossiers/{id}", SignedIn, get(pages::commendation::dossier)),
        r(Method::POST, "/dossiers/{id}", SignedIn, post(pages::commendation::edit_dossier)),
        r(Method::POST, "/dossiers/{id}/steps", SignedIn, post(pages::commendation::dossier_step)),
        r(Method::POST, "/dossiers/{id}/copy", SignedIn, post(pages::commendation::copy_dossier)),
        r(Method::POST, "/dossiers/{id}/files", SignedIn, post(pages::commendation::upload).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT))),
        r(Method::GET, "/dossiers/{id}/files/{file}", SignedIn, get(pages::commendation::file)),
        r(Method::GET, "/decisions", SignedIn, get(pages::commendation::decisions)),
        r(Method::POST, "/decisions", SignedIn, post(pages::commendation::create_decision)),
        r(Method::GET, "/decisions/{id}", SignedIn, get(pages::commendation::decision)),
        r(Method::POST, "/awards/{id}/revoke", SignedIn, post(pages::commendation::revoke)),
        r(Method::GET, "/awards/{id}/certificate.docx", SignedIn, get(pages::commendation::certificate)),
        r(Method::GET, "/awards", SignedIn, get(pages::commendation::awards)),
        r(Method::GET, "/eligibility", SignedIn, get(pages::commendation::eligibility)),
        r(Method::GET, "/commendation/rules", SignedIn, get(pages::commendation::rules)),
        r(Method::POST, "/commendation/rules", SignedIn, post(pages::commendation::save_rules)),
        r(Method::POST, "/people", SignedIn, post(pages::commendation::create_person)),
        r(Method::GET, "/people/{id}", SignedIn, get(pages::commendation::person)),
        r(Method::POST, "/people/{id}/initiatives", SignedIn, post(pages::commendation::add_initiative)),
        r(Method::GET, "/evaluations", SignedIn, get(pages::evaluations::list)),
        r(Method::POST, "/evaluations", SignedIn, post(pages::evaluations::open)),
        r(Method::GET, "/evaluations/{id}", SignedIn, get(pages::evaluations::round)),
        r(Method::GET, "/evaluations/{id}/cells/{cell}", SignedIn, get(pages::evaluations::grid)),
        r(Method::POST, "/evaluations/{id}/cells/{cell}", SignedIn, post(pages::evaluations::save_grid)),
        r(Method::GET, "/evaluations/{id}/subjects/{subject}", SignedIn, get(pages::evaluations::subject)),
        r(Method::POST, "/evaluations/{id}/subjects/{subject}", SignedIn, post(pages::evaluations::save_subject)),
        r(Method::POST, "/evaluations/{id}/conclude", SignedIn, post(pages::evaluations::conclude)),
        r(Method::POST, "/evaluations/{id}/approve", SignedIn, post(pages::evaluations::approve)),
        r(Method::POST, "/evaluations/{id}/reopen", SignedIn, post(pages::evaluations::reopen)),
        r(Method::GET, "/evaluations/{id}/lists.xlsx", SignedIn, get(pages::evaluations::lists)),
        r(Method::GET, "/evaluations/{id}/report.docx", SignedIn, get(pages::evaluations::report)),
        r(Method::GET, "/badges", SignedIn, get(pages::members::badges)),
        r(Method::GET, "/transfers", SignedIn, get(pages::transfers::list)),
        r(Method::POST, "/transfers", SignedIn, post(pages::transfers::create)),
        r(Method::GET, "/transfers/new", SignedIn, get(pages::transfers::new_form)),
        r(Method::GET, "/transfers/{id}", SignedIn, get(pages::transfers::detail)),
        r(Method::POST, "/transfers/{id}/steps", SignedIn, post(pages::transfers::step)),
        r(Method::GET, "/transfers/{id}/letter.docx", SignedIn, get(pages::transfers::letter)),
        r(Method::GET, "/transfers/{id}/package", SignedIn, get(pages::transfers::package)),
        r(Method::GET, "/documents", SignedIn, get(pages::documents::list)),
        r(Method::POST, "/documents", SignedIn, post(pages::documents::create).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT))),
        r(Method::GET, "/documents/new", SignedIn, get(pages::documents::new_form)),
        r(Method::GET, "/documents/stats", SignedIn, get(pages::documents::stats)),
        r(Method::GET, "/documents/{id}", SignedIn, get(pages::documents::detail)),
        r(Method::POST, "/documents/{id}/withdraw", SignedIn, post(pages::documents::withdraw)),
        r(Method::POST, "/documents/{id}/status", SignedIn, post(pages::documents::set_status)),
        r(Method::POST, "/documents/{id}/records", SignedIn, post(pages::documents::file_into)),
        r(Method::POST, "/documents/{id}/attachments", SignedIn, post(pages::documents::attach).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT))),
        r(Method::GET, "/documents/{id}/attachments/{file}", SignedIn, get(pages::documents::attachment)),
        r(Method::GET, "/records", SignedIn, get(pages::documents::records)),
        r(Method::POST, "/records", SignedIn, post(pages::documents::open_record)),
        r(Method::POST, "/records/archive", SignedIn, post(pages::documents::archive)),
        r(Method::GET, "/records/{id}", SignedIn, get(pages::documents::record)),
        r(Method::POST, "/records/{id}/close", SignedIn, post(pages::documents::close_record)),
        r(Method::GET, "/transfers/import", SignedIn, get(pages::transfers::import_form)),
        r(Method::POST, "/transfers/import", SignedIn, post(pages::transfers::import).layer(DefaultBodyLimit::max(PACKAGE_LIMIT))),
        r(Method::GET, "/login", Public, get(auth::login_form)),
        r(Method::POST, "/login", Public, post(auth::login_submit)),
        r(Method::POST, "/logout", SignedIn, post(auth::logout)),
        r(Method::GET, "/lang/{code}", Public, get(set_language)),
        r(Method::GET, "/healthz", Public, get(healthz)),
        r(Method::GET, "/static/app.css", Public, get(stylesheet)),
        r(Method::GET, "/api/v1/openapi.json", Public, get(api::openapi)),
        r(Method::GET, "/api/v1/orgs", SignedIn, get(api::orgs::list)),
        r(Method::GET, "/api/v1/orgs/{id}", SignedIn, get(api::orgs::detail)),
        r(Method::GET, "/api/v1/orgs/{id}/lineage", SignedIn, get(api::orgs::lineage)),
        r(Method::GET, "/api/v1/orgs/{id}/successor", SignedIn, get(api::orgs::successor)),
        r(Method::POST, "/api/v1/org-events", SignedIn, post(api::orgs::record_event)),
        r(Method::GET, "/api/v1/clusters", SignedIn, get(api::clusters::list)),
        r(Method::GET, "/api/v1/clusters/{id}", SignedIn, get(api::clusters::detail)),
        r(Method::GET, "/api/v1/clusters/{id}/rules", SignedIn, get(api::emulation::rules)),
        r(Method::POST, "/api/v1/clusters/{id}/rules", SignedIn, post(api::emulation::set_rules)),
        r(Method::GET, "/api/v1/clusters/{id}/next-year", SignedIn, get(api::emulation::next_year)),
        r(Method::POST, "/api/v1/clusters/{id}/years", SignedIn, post(api::emulation::set_year)),
        r(Method::GET, "/api/v1/clusters/{id}/campaigns", SignedIn, get(api::emulation::campaigns)),
        r(Method::POST, "/api/v1/clusters/{id}/campaigns", SignedIn, post(api::emulation::create_campaign)),
        r(Method::GET, "/api/v1/clusters/{id}/meetings", SignedIn, get(api::emulation::meetings)),
        r(Method::POST, "/api/v1/clusters/{id}/meetings", SignedIn, post(api::emulation::create_meeting)),
        r(Method::GET, "/api/v1/clusters/{id}/tasks", SignedIn, get(api::emulation::tasks)),
        r(Method::GET, "/api/v1/campaigns/{id}", SignedIn, get(api::emulation::campaign)),
        r(Method::POST, "/api/v1/campaigns/{id}/criteria", SignedIn, post(api::emulation::set_criteria)),
        r(Method::POST, "/api/v1/campaigns/{id}/registrations", SignedIn, post(api::emulation::register)),
        r(Method::POST, "/api/v1/campaigns/{id}/covenant", SignedIn, post(api::emulation::covenant)),
        r(Method::GET, "/api/v1/meetings/{id}", SignedIn, get(api::emulation::meeting)),
        r(Method::POST, "/api/v1/meetings/{id}/tasks", SignedIn, post(api::emulation::add_task)),
        r(Method::POST, "/api/v1/tasks/{id}", SignedIn, post(api::emulation::update_task)),
        r(Method::POST, "/api/v1/campaigns/{id}/rounds", SignedIn, post(api::scoring::open)),
        r(Method::GET, "/api/v1/rounds/{id}", SignedIn, get(api::scoring::round)),
        r(Method::GET, "/api/v1/rounds/{id}/sheet", SignedIn, get(api::scoring::sheet)),
        r(Method::POST, "/api/v1/rounds/{id}/sheet", SignedIn, post(api::scoring::save_sheet)),
        r(Method::GET, "/api/v1/rounds/{id}/units/{org}", SignedIn, get(api::scoring::explanation)),
        r(Method::POST, "/api/v1/rounds/{id}/adjustments", SignedIn, post(api::scoring::adjust)),
        r(Method::POST, "/api/v1/rounds/{id}/assignments", SignedIn, post(api::scoring::assign)),
        r(Method::POST, "/api/v1/rounds/{id}/close", SignedIn, post(api::scoring::close)),
        r(Method::POST, "/api/v1/rounds/{id}/reopen", SignedIn, post(api::scoring::reopen)),
        r(Method::GET, "/api/v1/clusters/{id}/polls", SignedIn, get(api::ballots::list)),
        r(Method::POST, "/api/v1/clusters/{id}/polls", SignedIn, post(api::ballots::create)),
        r(Method::GET, "/api/v1/polls/{id}", SignedIn, get(api::ballots::detail)),
        r(Method::POST, "/api/v1/polls/{id}/open", SignedIn, post(api::ballots::open)),
        r(Method::POST, "/api/v1/polls/{id}/close", SignedIn, post(api::ballots::close)),
        r(Method::POST, "/api/v1/polls/{id}/vote", SignedIn, post(api::ballots::vote)),
        r(Method::POST, "/api/v1/polls/{id}/written", SignedIn, post(api::ballots::written)),
        r(Method::POST, "/api/v1/polls/{id}/paper", SignedIn, post(api::ballots::paper)),
        r(Method::POST, "/api/v1/polls/{id}/receipt", SignedIn, post(api::ballots::receipt)),
        r(Method::GET, "/api/v1/polls/{id}/result", SignedIn, get(api::ballots::result)),
        r(Method::GET, "/api/v1/members", SignedIn, get(api::members::list)),
        r(Method::POST, "/api/v1/members", SignedIn, post(api::members::create)),
        r(Method::GET, "/api/v1/members/{id}", SignedIn, get(api::members::detail)),
        r(Method::GET, "/api/v1/badges", SignedIn, get(api::members::badges)),
        r(Method::GET, "/api/v1/transfers", SignedIn, get(api::members::transfers)),
        r(Method::POST, "/api/v1/transfers", SignedIn, post(api::members::introduce)),
        r(Method::GET, "/api/v1/transfers/{id}", SignedIn, get(api::members::transfer)),
        r(Method::POST, "/api/v1/transfers/{id}/steps", SignedIn, post(api::members::step)),
        r(Method::GET, "/api/v1/transfers/{id}/package", SignedIn, get(api::members::package)),
        r(Method::GET, "/api/v1/documents", SignedIn, get(api::documents::list)),
        r(Method::POST, "/api/v1/documents", SignedIn, post(api::documents::create)),
        r(Method::GET, "/api/v1/documents/{id}", SignedIn, get(api::documents::detail)),
        r(Method::POST, "/api/v1/documents/{id}/status", SignedIn, post(api::documents::status)),
        r(Method::GET, "/api/v1/document-stats", SignedIn, get(api::documents::stats)),
        r(Method::GET, "/api/v1/evaluations", SignedIn, get(api::evaluations::list)),
        r(Method::POST, "/api/v1/evaluations", SignedIn, post(api::evaluations::open)),
        r(Method::GET, "/api/v1/evaluations/{id}", SignedIn, get(api::evaluations::round)),
        r(Method::POST, "/api/v1/evaluations/{id}/assessments", SignedIn, post(api::evaluations::assessments)),
        r(Method::POST, "/api/v1/evaluations/{id}/opinions", SignedIn, post(api::evaluations::opinions)),
        r(Method::POST, "/api/v1/evaluations/{id}/conclude", SignedIn, post(api::evaluations::conclude)),
        r(Method::POST, "/api/v1/evaluations/{id}/approve", SignedIn, post(api::evaluations::approve)),
        r(Method::POST, "/api/v1/evaluations/{id}/reopen", SignedIn, post(api::evaluations::reopen)),
        r(Method::GET, "/api/v1/evaluations/{id}/results", SignedIn, get(api::evaluations::results)),
        r(Method::GET, "/api/v1/members/{id}/discipline", SignedIn, get(api::evaluations::disciplines)),
        r(Method::POST, "/api/v1/members/{id}/discipline", SignedIn, post(api::evaluations::record_discipline)),
        r(Method::GET, "/api/v1/commendation/rules", SignedIn, get(api::commendation::rules)),
        r(Method::POST, "/api/v1/commendation/rules", SignedIn, post(api::commendation::save_rules)),
        r(Method::GET, "/api/v1/eligibility", SignedIn, get(api::commendation::eligibility)),
        r(Method::GET, "/api/v1/eligibility/bulk", SignedIn, get(api::commendation::eligible)),
        r(Method::GET, "/api/v1/dossiers", SignedIn, get(api::commendation::dossiers)),
        r(Method::POST, "/api/v1/dossiers", SignedIn, post(api::commendation::create_dossier)),
        r(Method::GET, "/api/v1/dossiers/{id}", SignedIn, get(api::commendation::dossier)),
        r(Method::POST, "/api/v1/dossiers/{id}/steps", SignedIn, post(api::commendation::step)),
        r(Method::POST, "/api/v1/dossiers/{id}/copy", SignedIn, post(api::commendation::copy)),
        r(Method::GET, "/api/v1/decisions", SignedIn, get(api::commendation::decisions)),
        r(Method::POST, "/api/v1/decisions", SignedIn, post(api::commendation::create_decision)),
        r(Method::GET, "/api/v1/decisions/{id}", SignedIn, get(api::commendation::decision)),
        r(Method::POST, "/api/v1/awards/{id}/revoke", SignedIn, post(api::commendation::revoke)),
        r(Method::GET, "/api/v1/awards", SignedIn, get(api::commendation::awards)),
        r(Method::POST, "/api/v1/people", SignedIn, post(api::commendation::create_person)),
        r(Method::GET, "/api/v1/people/{id}", SignedIn, get(api::commendation::person)),
        r(Method::POST, "/api/v1/people/{id}/initiatives", SignedIn, post(api::commendation::add_initiative)),
        r(Method::POST, "/api/v1/transfer-packages", SignedIn, post(api::members::import_package).layer(DefaultBodyLimit::max(PACKAGE_LIMIT))),
    ]
}

/// The routes the router serves, for tests and documentation.
pub fn route_table() -> Vec<RouteDef> {
    routes().into_iter().map(|(def, _)| def).collect()
}

/// The whole application as one router.
pub fn router(app: App) -> Router {
    let mut router = Router::new();
    for (def, handler) in routes() {
        let handler = match def.access {
            Access::Public => handler,
            Access::SignedIn => handler.route_layer(middleware::from_fn(auth::require_signed_in)),
        };
        router = router.route(def.path, handler);
    }
    router
        .fallback(|| async { Problem::NotFound })
        .layer(middleware::from_fn_with_state(app.clone(), auth::identify))
        .layer(middleware::from_fn(error::render_problems))
        .layer(middleware::from_fn(auth::security_headers))
        .with_state(app)
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM), then finishes open requests.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Answers when the database answers, and says whether the search index covers every document.
async fn healthz(State(app): State<App>) -> Response {
    let counts = match app.health().await {
        // The database is asked every time; the index's counts at most every half minute.
        Ok(()) => app.recent_index_counts(std::time::Duration::from_secs(30)).await,
        Err(e) => Err(e),
    };
    match counts {
        Ok((documents, indexed)) => Json(serde_json::json!({
            "status": if documents == indexed { "ok" } else { "degraded" },
            "database": app.backend().name(),
            "search_index": { "documents": documents, "indexed": indexed, "in_step": documents == indexed },
        }))
        .into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response(),
    }
}

async fn stylesheet() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], include_str!("../static/app.css"))
        .into_response()
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

/// Remembers the chosen language in a cookie and returns to the page the user was on. Only local
/// paths are followed, so the link cannot be used to send users elsewhere.
async fn set_language(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return Problem::NotFound.into_response();
    };
    let back = back.back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\')).unwrap_or_else(|| "/".into());
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    (StatusCode::SEE_OTHER, [(LOCATION, back), (SET_COOKIE, cookie)]).into_response()
}
