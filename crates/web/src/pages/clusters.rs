use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use thidua_app::App;
use thidua_core::cluster::ClusterId;

use super::{Chrome, Link};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

pub struct ClusterRow {
    pub link: Link,
    pub owner: Option<Link>,
    pub sector: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "clusters.html")]
pub struct ListPage {
    c: Chrome,
    rows: Vec<ClusterRow>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    format: Option<String>,
}

pub async fn list(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ListQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let clusters = app.clusters(&caller.principal).await?;
    let owners = app.org_names(&clusters.iter().map(|c| c.owner).collect()).await?;
    if let Some(export) = super::Export::requested(q.format.as_deref())? {
        let sheet = thidua_office::Sheet {
            name: t.get("clusters.title").into(),
            title: Some(t.get("clusters.title").into()),
            headers: ["export.cluster", "export.owner", "export.sector"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![50.0, 40.0, 36.0],
            rows: clusters
                .iter()
                .map(|c| {
                    use thidua_office::Cell;
                    vec![Cell::Text(c.name.clone()), Cell::Text(owners.get(&c.owner).cloned().unwrap_or_default()), c.sector.clone().map_or(Cell::Empty, Cell::Text)]
                })
                .collect(),
        };
        return export.respond("cum-thi-dua", sheet);
    }
    let rows = clusters
        .into_iter()
        .map(|c| ClusterRow {
            link: Link { href: format!("/clusters/{}", c.id.0), text: c.name },
            owner: Some(Link::org(c.owner, &owners, None)),
            sector: c.sector,
        })
        .collect();
    Ok(ListPage { c: Chrome::new(t, "clusters", "/clusters", Some(&caller)), rows }.into_response())
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

pub struct MemberRow {
    pub link: Link,
    pub role: &'static str,
    pub leads: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cluster.html")]
pub struct DetailPage {
    c: Chrome,
    c_id: i64,
    name: String,
    owner: Option<Link>,
    sector: Option<String>,
    year: i16,
    years: Vec<Link>,
    heading: String,
    count: String,
    members: Vec<MemberRow>,
    may_edit: bool,
    campaigns: Vec<(Link, &'static str)>,
    months: Vec<super::emulation::Month>,
    meeting_count: String,
    tasks_summary: String,
    polls: Vec<(Link, &'static str)>,
}

pub async fn detail(
    State(app): State<App>,
    t: T,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<YearQuery>, QueryRejection>,
) -> Result<DetailPage, Problem> {
    let Query(query) = query?;
    let id = ClusterId(super::parse_id(&id)?);
    let year = parse_year(query.year.as_deref())?;
    let d = app.cluster_detail(&caller.principal, id, year).await?;
    let members: Vec<MemberRow> = d
        .members
        .iter()
        .map(|m| MemberRow {
            link: Link { href: format!("/orgs/{}?date={}-12-31", m.org.org.0, d.year), text: m.org.name.clone() },
            role: t.get(&format!("role.{}", m.role.code())),
            leads: m.role != thidua_core::cluster::ClusterRole::Member,
        })
        .collect();
    let meetings = app.meetings(&caller.principal, id, Some(d.year)).await?;
    let campaigns = app
        .campaigns(&caller.principal, id)
        .await?
        .into_iter()
        .filter(|c| c.year == d.year)
        .map(|c| (Link { href: format!("/campaigns/{}", c.id), text: c.title }, t.get(&format!("campaign.kind.{}", c.kind.code()))))
        .collect();
    let polls = app
        .polls(&caller.principal, id)
        .await?
        .into_iter()
        .filter(|p| p.held_on.year() == d.year)
        .map(|p| (Link { href: format!("/polls/{}", p.id), text: format!("{} – {}", thidua_core::date::format_date(p.held_on), p.title) }, t.get(&format!("poll.status.{}", p.status.code()))))
        .collect();
    let progress = app.key_tasks(&caller.principal, id, d.year).await?;
    let tasks_summary = t.fmt(
        "cluster.tasks_summary",
        &[("total", &t.int(&progress.tasks.len())), ("done", &t.int(&progress.done)), ("overdue", &t.int(&progress.overdue))],
    );
    Ok(DetailPage {
        may_edit: app.may_edit_cluster(&caller.principal, id).await,
        campaigns,
        months: super::emulation::calendar(t, d.year, &meetings),
        meeting_count: t.fmt("cluster.meeting_count", &[("count", &t.int(&meetings.len()))]),
        tasks_summary,
        polls,
        c: Chrome::new(t, "clusters", &format!("/clusters/{}", id.0), Some(&caller)),
        c_id: id.0,
        name: d.cluster.name.clone(),
        owner: d.owner.as_ref().map(|o| Link { href: format!("/orgs/{}", o.org.0), text: o.name.clone() }),
        sector: d.cluster.sector.clone(),
        year: d.year,
        years: d.years.iter().map(|y| Link { href: format!("/clusters/{}?year={y}", id.0), text: y.to_string() }).collect(),
        heading: t.fmt("cluster.members", &[("year", &d.year.to_string())]),
        count: t.fmt("cluster.count", &[("count", &t.int(&members.len()))]),
        members,
    })
}

pub fn parse_year(raw: Option<&str>) -> Result<Option<i16>, Problem> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .and_then(|y| thidua_core::cluster::check_year(y).ok())
            .map(Some)
            .ok_or_else(|| Problem::BadYear(v.chars().take(20).collect())),
    }
}
