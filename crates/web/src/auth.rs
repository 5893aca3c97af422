//! Who is calling, and the security baseline around it: session cookies and API tokens, CSRF on
//! every state-changing request made with a cookie, the sign-in and sign-out pages, and security
//! headers on every response.

use std::net::SocketAddr;

use askama::Template;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::auth::{random_token, Principal};
use thidua_app::{App, AppError};

use crate::error::Problem;
use crate::i18n::T;
use crate::pages::Chrome;

pub const SESSION_COOKIE: &str = "thidua_session";
const LOGIN_CSRF_COOKIE: &str = "thidua_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";
/// Forms are small; a larger body is not a form this application sends.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The authenticated caller of a request.
#[derive(Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The session's CSRF token; `None` for API-token callers, who carry no ambient cookie.
    pub csrf: Option<String>,
    session_token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, Problem> {
        parts.extensions.get::<Caller>().cloned().ok_or(Problem::App(AppError::Unauthenticated))
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(COOKIE).iter().filter_map(|h| h.to_str().ok()).flat_map(|h| h.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name && !v.is_empty()).then_some(v)
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Finds the caller (API token or session cookie), refuses a cookie request that changes state
/// without the session's CSRF token, and makes the caller available to handlers and error pages.
pub async fn identify(State(app): State<App>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let caller = if let Some(token) = bearer(headers) {
        match app.token_principal(token).await {
            Ok(principal) => Some(Caller { principal, csrf: None, session_token: None }),
            Err(e) => return Problem::App(e).into_response(),
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        match app.session(token).await {
            Ok(s) => Some(Caller { principal: s.principal, csrf: Some(s.csrf), session_token: Some(token.to_owned()) }),
            // An ended session is simply no session; the page asks to sign in again.
            Err(AppError::Unauthenticated) => None,
            Err(e) => return Problem::App(e).into_response(),
        }
    } else {
        None
    };
    let mut request = request;
    if let Some(expected) = caller.as_ref().and_then(|c| c.csrf.clone())
        && !is_safe(request.method())
    {
        let header = request.headers().get(CSRF_HEADER).and_then(|h| h.to_str().ok()).map(str::to_owned);
        // File uploads are multipart forms, whose token travels in the form's action URL.
        let query = request.uri().query().and_then(|q| form_field(q.as_bytes(), CSRF_FIELD));
        let presented = match header.or(query) {
            Some(h) => Some(h),
            None => {
                let (parts, body) = request.into_parts();
                let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else { return Problem::Csrf.into_response() };
                let field = form_field(&bytes, CSRF_FIELD);
                request = Request::from_parts(parts, Body::from(bytes));
                field
            }
        };
        if !presented.is_some_and(|p| same_secret(&p, &expected)) {
            return Problem::Csrf.into_response();
        }
    }
    if let Some(c) = &caller {
        request.extensions_mut().insert(c.clone());
    }
    let mut response = next.run(request).await;
    if let Some(c) = caller {
        response.extensions_mut().insert(c);
    }
    response
}

/// For routes that need a signed-in caller: pages send the browser to the sign-in page and come
/// back afterwards; the API answers 401.
pub async fn require_signed_in(request: Request, next: Next) -> Response {
    if request.extensions().get::<Caller>().is_some() {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        return Problem::App(AppError::Unauthenticated).into_response();
    }
    let here = request.uri().path_and_query().map_or("/", |p| p.as_str());
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/login?next={}", encode(here)))]).into_response()
}

/// Percent-encodes everything but unreserved characters and `/`.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only a local path is a place to return to; anything else goes home.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Who is signing in: the peer, or, when the peer is the trusted proxy, the last address of its
/// `X-Forwarded-For` (the one the proxy itself appended; earlier ones are the client's to forge).
fn client_address(peer: std::net::IpAddr, headers: &HeaderMap, trusted_proxy: Option<std::net::IpAddr>) -> std::net::IpAddr {
    if trusted_proxy != Some(peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(','))
        .last()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or(peer)
}

fn behind_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn cookie_header(name: &str, value: &str, path: &str, max_age: i64, same_site: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(t: T, status: StatusCode, headers: &HeaderMap, next: &str, username: &str, error: Option<String>) -> Response {
    let csrf = match random_token() {
        Ok(c) => c,
        Err(e) => return Problem::App(e).into_response(),
    };
    let page = LoginPage { c: Chrome::new(t, "", "/login", None), csrf: csrf.clone(), next: next.to_owned(), username: username.to_owned(), error };
    let cookie = cookie_header(LOGIN_CSRF_COOKIE, &csrf, "/login", 3600, "Strict", behind_tls(headers));
    match page.render() {
        Ok(html) => (status, [(SET_COOKIE, cookie)], Html(html)).into_response(),
        Err(_) => Problem::NotFound.into_response(),
    }
}

pub async fn login_form(t: T, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    login_page(t, StatusCode::OK, &headers, &local_path(q.next.as_deref()), "", None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

/// Checks the form's token against the cookie set with the form (sign-in has no session yet), then
/// the password; on success issues a new session id, never reusing one from before.
pub async fn login_submit(
    State(app): State<App>,
    t: T,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => return Problem::from(e).into_response(),
    };
    let next = local_path(form.next.as_deref());
    if !cookie(&headers, LOGIN_CSRF_COOKIE).is_some_and(|c| same_secret(c, &form.csrf_token)) {
        return login_page(t, StatusCode::FORBIDDEN, &headers, &next, &form.username, Some(t.get("error.csrf").into()));
    }
    let client = client_address(peer.ip(), &headers, app.security().trusted_proxy);
    match app.login(&form.username, &form.password, &client.to_string()).await {
        Ok(new) => {
            let secure = behind_tls(&headers);
            let max_age = app.security().session_absolute_secs;
            let mut response = (StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response();
            let h = response.headers_mut();
            h.append(SET_COOKIE, cookie_header(SESSION_COOKIE, &new.token, "/", max_age, "Lax", secure));
            h.append(SET_COOKIE, cookie_header(LOGIN_CSRF_COOKIE, "", "/login", 0, "Strict", secure));
            response
        }
        Err(e @ (AppError::BadCredentials | AppError::TooManyAttempts { .. })) => {
            let problem = Problem::App(e);
            let (_, message) = problem.describe(t);
            login_page(t, problem.status(), &headers, &next, &form.username, Some(message))
        }
        Err(e) => Problem::App(e).into_response(),
    }
}

/// Ends the session on the server and clears the cookie.
pub async fn logout(State(app): State<App>, caller: Caller, headers: HeaderMap) -> Result<Response, Problem> {
    if let Some(token) = &caller.session_token {
        app.logout(token).await?;
    }
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    response.headers_mut().append(SET_COOKIE, cookie_header(SESSION_COOKIE, "", "/", 0, "Lax", behind_tls(&headers)));
    Ok(response)
}

/// Security headers on every response. The pages run no script at all, so the policy forbids it.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
