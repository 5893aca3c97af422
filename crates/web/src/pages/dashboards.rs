//! Dashboards: charts drawn on the server as SVG, each with its figures in a table beside it for
//! screen readers and for print.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use thidua_app::App;
use thidua_core::cluster::ClusterId;
use thidua_core::evaluation::Level;
use thidua_core::org::OrgId;
use thidua_office::chart::{Chart, Series};

use super::{parse_id, today, Chrome, Link};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

/// A chart with its figures as a table.
pub struct ChartBlock {
    pub svg: String,
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

/// A number as the page's language writes it: `4.290`, `95,5`.
fn number(t: T, v: f64) -> String {
    thidua_core::vi::format_decimal(v, t.lang)
}

fn block(t: T, chart: Chart) -> ChartBlock {
    let headers = std::iter::once(String::new()).chain(chart.series.iter().map(|s| s.name.clone())).collect();
    let rows = chart
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), chart.series.iter().map(|s| number(t, s.values.get(i).copied().unwrap_or(0.0))).collect()))
        .collect();
    ChartBlock { svg: chart.svg(&|v| number(t, v)), caption: chart.title.clone(), headers, rows }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    c: Chrome,
    heading: String,
    /// Other years or views of the same dashboard.
    links: Vec<Link>,
    charts: Vec<ChartBlock>,
    /// Figures said in words above the charts.
    facts: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboards.html")]
pub struct IndexPage {
    c: Chrome,
    clusters: Vec<Link>,
    orgs: Vec<Link>,
    registers: Vec<Link>,
    transfers: bool,
}

pub async fn index(State(app): State<App>, t: T, caller: Caller) -> Result<IndexPage, Problem> {
    let p = &caller.principal;
    let year = today().year();
    let clusters = app.clusters(p).await?.into_iter().map(|c| Link { href: format!("/dashboards/clusters/{}?year={year}", c.id.0), text: c.name }).collect();
    // The top organizations the viewer sees: those whose parent they do not see.
    let versions = app.orgs_on(p, today()).await?;
    let seen: std::collections::HashSet<OrgId> = versions.iter().map(|v| v.org).collect();
    let orgs = versions.iter().filter(|v| v.parent.is_none_or(|p| !seen.contains(&p))).map(|v| Link { href: format!("/dashboards/orgs/{}", v.org.0), text: v.name.clone() }).collect();
    let registers = app.readable_registers(p).await?.into_iter().map(|(o, n)| Link { href: format!("/dashboards/documents/{}?year={year}", o.0), text: n }).collect();
    let transfers = app.transfer_orgs(p).await?.is_none_or(|orgs| !orgs.is_empty());
    Ok(IndexPage { c: Chrome::new(t, "dashboards", "/dashboards", Some(&caller)), clusters, orgs, registers, transfers })
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

fn year_of(q: Result<Query<YearQuery>, QueryRejection>) -> Result<i16, Problem> {
    let Query(q) = q?;
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(today().year()),
        Some(raw) => raw.parse::<i16>().ok().filter(|y| (1930..=2100).contains(y)).ok_or_else(|| Problem::BadYear(raw.chars().take(10).collect())),
    }
}

fn year_links(base: &str, year: i16) -> Vec<Link> {
    [year - 1, year + 1].into_iter().filter(|y| *y <= today().year()).map(|y| Link { href: format!("{base}?year={y}"), text: y.to_string() }).collect()
}

pub async fn cluster(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, q: Result<Query<YearQuery>, QueryRejection>) -> Result<DashboardPage, Problem> {
    let id = ClusterId(parse_id(&id)?);
    let year = year_of(q)?;
    let d = app.cluster_dashboard(&caller.principal, id, year).await?;
    let mut charts = Vec::new();
    let mut facts = Vec::new();
    match d.ranking {
        Some((campaign, units)) => {
            facts.push(t.fmt("dashboard.ranking_of", &[("campaign", &campaign)]));
            charts.push(block(
                t,
                Chart {
                    id: "ranking".into(),
                    title: t.fmt("dashboard.ranking", &[("year", &year.to_string())]),
                    description: units.iter().map(|(n, v)| format!("{n}: {}", number(t, *v))).collect::<Vec<_>>().join("; "),
                    categories: units.iter().map(|(n, _)| n.clone()).collect(),
                    series: vec![Series { name: t.get("dashboard.points").into(), values: units.iter().map(|(_, v)| *v).collect() }],
                    horizontal: true,
                    stacked: false,
                },
            ));
        }
        None => facts.push(t.get("dashboard.no_ranking").into()),
    }
    let statuses = [(t.get("dashboard.tasks_done"), d.tasks_done), (t.get("dashboard.tasks_open"), d.tasks_open), (t.get("dashboard.tasks_overdue"), d.tasks_overdue)];
    charts.push(block(
        t,
        Chart {
            id: "tasks".into(),
            title: t.fmt("dashboard.tasks", &[("year", &year.to_string())]),
            description: statuses.iter().map(|(n, v)| format!("{n}: {}", number(t, *v as f64))).collect::<Vec<_>>().join("; "),
            categories: statuses.iter().map(|(n, _)| (*n).to_owned()).collect(),
            series: vec![Series { name: t.get("dashboard.count").into(), values: statuses.iter().map(|(_, v)| *v as f64).collect() }],
            horizontal: true,
            stacked: false,
        },
    ));
    let quarters: Vec<String> = (1..=4).map(|q| t.fmt("dashboard.quarter", &[("q", &q.to_string())])).collect();
    charts.push(block(
        t,
        Chart {
            id: "meetings".into(),
            title: t.fmt("dashboard.meetings", &[("year", &year.to_string())]),
            description: quarters.iter().zip(d.meetings_by_quarter).map(|(q, n)| format!("{q}: {}", number(t, n as f64))).collect::<Vec<_>>().join("; "),
            categories: quarters,
            series: vec![Series { name: t.get("dashboard.meetings_held").into(), values: d.meetings_by_quarter.iter().map(|n| *n as f64).collect() }],
            horizontal: false,
            stacked: false,
        },
    ));
    let base = format!("/dashboards/clusters/{}", id.0);
    Ok(DashboardPage {
        heading: t.fmt("dashboard.cluster_heading", &[("name", &d.cluster), ("year", &year.to_string())]),
        links: year_links(&base, year),
        c: Chrome::new(t, "dashboards", &base, Some(&caller)),
        charts,
        facts,
    })
}

pub async fn org(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DashboardPage, Problem> {
    let id = OrgId(parse_id(&id)?);
    let d = app.org_dashboard(&caller.principal, id).await?;
    let mut charts = Vec::new();
    let mut facts = Vec::new();
    match &d.levels {
        Some(levels) if !levels.is_empty() => {
            let years: Vec<i16> = levels.keys().copied().collect();
            let count = |y: &i16, l: &Level| levels.get(y).and_then(|m| m.get(l)).copied().unwrap_or(0);
            charts.push(block(
                t,
                Chart {
                    id: "levels".into(),
                    title: t.get("dashboard.levels").into(),
                    description: years
                        .iter()
                        .map(|y| format!("{y}: {}", Level::ALL.iter().map(|l| format!("{} {}", l.abbreviation(), number(t, count(y, l) as f64))).collect::<Vec<_>>().join(", ")))
                        .collect::<Vec<_>>()
                        .join("; "),
                    categories: years.iter().map(|y| y.to_string()).collect(),
                    series: Level::ALL.iter().map(|l| Series { name: l.abbreviation().into(), values: years.iter().map(|y| count(y, l) as f64).collect() }).collect(),
                    horizontal: false,
                    stacked: true,
                },
            ));
        }
        Some(_) => facts.push(t.get("dashboard.no_levels").to_owned()),
        None => {}
    }
    if let Some(awards) = &d.awards {
        charts.push(block(
            t,
            Chart {
                id: "awards".into(),
                title: t.get("dashboard.awards").into(),
                description: awards.iter().map(|(y, n)| format!("{y}: {}", number(t, f64::from(*n)))).collect::<Vec<_>>().join("; "),
                categories: awards.keys().map(|y| y.to_string()).collect(),
                series: vec![Series { name: t.get("dashboard.awards_count").into(), values: awards.values().map(|n| f64::from(*n)).collect() }],
                horizontal: false,
                stacked: false,
            },
        ));
    }
    let base = format!("/dashboards/orgs/{}", id.0);
    Ok(DashboardPage { heading: t.fmt("dashboard.org_heading", &[("name", &d.org)]), links: Vec::new(), c: Chrome::new(t, "dashboards", &base, Some(&caller)), charts, facts })
}

pub async fn documents(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, q: Result<Query<YearQuery>, QueryRejection>) -> Result<DashboardPage, Problem> {
    let register = OrgId(parse_id(&id)?);
    let year = year_of(q)?;
    let d = app.document_dashboard(&caller.principal, register, year).await?;
    let months: Vec<String> = (1..=12).map(|m| t.fmt("dashboard.month", &[("m", &m.to_string())])).collect();
    let (arrived, handled): (i64, i64) = d.by_month.iter().fold((0, 0), |(a, h), (x, y)| (a + x, h + y));
    let facts = vec![t.fmt(
        "dashboard.processed",
        &[("handled", &t.int(&(handled as usize))), ("arrived", &t.int(&(arrived as usize))), ("ratio", &t.percent(handled, arrived))],
    )];
    let charts = vec![block(
        t,
        Chart {
            id: "incoming".into(),
            title: t.fmt("dashboard.incoming", &[("year", &year.to_string())]),
            description: months.iter().zip(d.by_month).map(|(m, (a, h))| format!("{m}: {} / {}", number(t, a as f64), number(t, h as f64))).collect::<Vec<_>>().join("; "),
            categories: months,
            series: vec![
                Series { name: t.get("dashboard.arrived").into(), values: d.by_month.iter().map(|(a, _)| *a as f64).collect() },
                Series { name: t.get("dashboard.handled").into(), values: d.by_month.iter().map(|(_, h)| *h as f64).collect() },
            ],
            horizontal: false,
            stacked: false,
        },
    )];
    let base = format!("/dashboards/documents/{}", register.0);
    Ok(DashboardPage {
        heading: t.fmt("dashboard.documents_heading", &[("name", &d.register), ("year", &year.to_string())]),
        links: year_links(&base, year),
        c: Chrome::new(t, "dashboards", &base, Some(&caller)),
        charts,
        facts,
    })
}

pub async fn transfers(State(app): State<App>, t: T, caller: Caller) -> Result<DashboardPage, Problem> {
    let d = app.transfer_dashboard(&caller.principal).await?;
    let facts = vec![t.fmt("dashboard.transfers_open", &[("open", &t.int(&d.open)), ("overdue", &t.int(&d.overdue))])];
    let names: Vec<String> = d.by_state.iter().map(|(s, _)| t.get(&format!("transfer.state.{}", s.code())).to_owned()).collect();
    let charts = vec![block(
        t,
        Chart {
            id: "transfers".into(),
            title: t.get("dashboard.transfers").into(),
            description: names.iter().zip(&d.by_state).map(|(n, (_, c))| format!("{n}: {}", number(t, *c as f64))).collect::<Vec<_>>().join("; "),
            categories: names,
            series: vec![Series { name: t.get("dashboard.count").into(), values: d.by_state.iter().map(|(_, c)| *c as f64).collect() }],
            horizontal: true,
            stacked: false,
        },
    )];
    Ok(DashboardPage { heading: t.get("dashboard.transfers_heading").into(), links: Vec::new(), c: Chrome::new(t, "dashboards", "/dashboards/transfers", Some(&caller)), charts, facts })
}
