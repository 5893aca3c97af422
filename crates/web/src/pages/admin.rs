//! Administration pages: the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use thidua_app::audit::AuditFilter;
use thidua_app::App;
use thidua_core::audit::AuditEntry;
use thidua_core::date::parse_date;

use super::{more_after, page_param, Chrome, Pager};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    resource: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    /// The page after the one that ended at this entry (by sequence number).
    before: Option<String>,
    /// The page before the one that started at this entry.
    after: Option<String>,
}

/// Entries on a page of the log.
const PAGE: i64 = 200;

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    c: Chrome,
    actor: String,
    resource: String,
    from: String,
    to: String,
    count: String,
    rows: Vec<AuditEntry>,
    pager: Pager,
}

/// Midnight at the start of `date` in Vietnam, as Unix seconds.
fn start_of(date: jiff::civil::Date) -> i64 {
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(7)))
        .map_or(0, |z| z.timestamp().as_second())
}

fn day(value: &str) -> Result<Option<jiff::civil::Date>, Problem> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_date(v).map(Some).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect()))
}

pub async fn audit(
    State(app): State<App>,
    t: T,
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<AuditPage, Problem> {
    let Query(q) = query?;
    let page = page_param(q.page.as_deref())?;
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let (actor, resource, from, to) = (text(&q.actor), text(&q.resource), text(&q.from), text(&q.to));
    let key = |v: &Option<String>| match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| Problem::BadPage(v.chars().take(40).collect())),
    };
    let (before, after) = (key(&q.before)?, key(&q.after)?);
    let filter = AuditFilter {
        actor: Some(actor.clone()).filter(|a| !a.is_empty()),
        resource: Some(resource.clone()).filter(|r| !r.is_empty()),
        from_unix: day(&from)?.map(start_of),
        to_unix: day(&to)?.and_then(|d| d.tomorrow().ok()).map(start_of),
        limit: PAGE + 1,
        before,
        after: if before.is_some() { None } else { after },
    };
    let mut rows = app.audit_entries(&caller.principal, &filter).await?;
    // One entry more than a page tells whether another page lies that way: newer entries above an
    // earlier page, older ones below any other.
    let (newer, older) = if filter.after.is_some() {
        let newer = rows.len() as i64 > PAGE;
        if newer {
            rows.remove(0);
        }
        (newer, true)
    } else {
        (before.is_some(), more_after(&mut rows, PAGE))
    };
    let query: String = [("actor", &actor), ("resource", &resource), ("from", &from), ("to", &to)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}&", crate::auth::encode(v)))
        .collect();
    let link = |page: i64, key: &str, seq: i64| format!("/admin/audit?{query}page={page}&{key}={seq}");
    // Above the first page lie only the newest entries.
    let prev = rows.first().filter(|_| newer).map(|e| if page == 0 { format!("/admin/audit?{query}page=1") } else { link(page, "after", e.seq) });
    let next = rows.last().filter(|_| older).map(|e| link(page + 2, "before", e.seq));
    Ok(AuditPage {
        c: Chrome::new(t, "audit", "/admin/audit", Some(&caller)),
        count: t.fmt("audit.count", &[("count", &t.int(&rows.len()))]),
        pager: Pager::linked(t, page, PAGE, rows.len(), prev, next),
        actor,
        resource,
        from,
        to,
        rows,
    })
}
