//! Web UI (server-rendered Vietnamese HTML) and JSON API of thidua, over [`thidua_app::App`].
#![deny(clippy::unwrap_used)]

pub mod api;
mod error;
pub mod i18n;
pub mod pages;

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use serde::Deserialize;
use thidua_app::App;

pub use error::Problem;
use i18n::{Lang, LANG_COOKIE};

/// The whole application as one router.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(pages::home::show))
        .route("/orgs", get(pages::orgs::tree))
        .route("/orgs/{id}", get(pages::orgs::detail))
        .route("/clusters", get(pages::clusters::list))
        .route("/clusters/{id}", get(pages::clusters::detail))
        .route("/lang/{code}", get(set_language))
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .merge(api::router())
        .fallback(|| async { Problem::NotFound })
        .layer(middleware::from_fn(error::render_problems))
        .with_state(app)
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM), then finishes open requests.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown_signal()).await
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

async fn healthz(State(app): State<App>) -> Response {
    match app.health().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": app.backend().name() })).into_response(),
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
