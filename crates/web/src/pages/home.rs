use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use thidua_app::App;

use super::{today, Chrome};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    c: Chrome,
    live_label: String,
    live_orgs: usize,
    clusters: usize,
    events: usize,
}

pub async fn show(State(app): State<App>, t: T, caller: Caller) -> Result<HomePage, Problem> {
    let date = today();
    let p = &caller.principal;
    Ok(HomePage {
        live_label: t.fmt("home.orgs_live", &[("date", &t.date(&date))]),
        live_orgs: app.orgs_on(p, date).await?.len(),
        clusters: app.clusters(p).await?.len(),
        c: Chrome::new(t, "home", "/", Some(&caller)),
        events: usize::try_from(app.org_event_count().await?).unwrap_or_default(),
    })
}
