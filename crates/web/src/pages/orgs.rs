//! The organization tree as of a date, and one organization with its history and lineage.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use jiff::civil::Date;
use serde::Deserialize;
use thidua_app::App;
use thidua_core::date::{format_date, iso};
use thidua_office::{Cell, Sheet};
use thidua_core::org::{OrgId, OrgVersion, SuccessionKind, TreeNode};

use super::{date_param, describe_event, kind_label, Chrome, Link};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

#[derive(Deserialize)]
pub struct DateQuery {
    date: Option<String>,
    format: Option<String>,
}

/// One row of the tree, flattened in display order.
pub struct TreeRow {
    pub depth: usize,
    pub link: Link,
    pub short_name: Option<String>,
    pub kind: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "org_tree.html")]
pub struct TreePage {
    c: Chrome,
    /// The query of this page, for its download links.
    export_query: String,
    date_text: String,
    heading: String,
    count: String,
    rows: Vec<TreeRow>,
    milestones: Vec<Link>,
}

fn flatten(t: T, nodes: &[TreeNode], depth: usize, date: Date, out: &mut Vec<TreeRow>) {
    for n in nodes {
        out.push(TreeRow {
            depth: depth.min(9),
            link: Link { href: format!("/orgs/{}?date={}", n.version.org.0, iso(date)), text: n.version.name.clone() },
            short_name: n.version.short_name.clone(),
            kind: kind_label(t, n.version.kind),
        });
        flatten(t, &n.children, depth + 1, date, out);
    }
}

pub async fn tree(
    State(app): State<App>,
    t: T,
    caller: Caller,
    query: Result<Query<DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let Query(query) = query?;
    let date = date_param(query.date.as_deref())?;
    let forest = app.org_tree(&caller.principal, date).await?;
    if let Some(export) = super::Export::requested(query.format.as_deref())? {
        // The columns of the organizations import, so a tree can be carried to another installation.
        fn walk(nodes: &[TreeNode], parent: Option<&str>, out: &mut Vec<Vec<Cell>>) {
            for n in nodes {
                let v = &n.version;
                out.push(vec![
                    Cell::Text(v.name.clone()),
                    v.short_name.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(thidua_app::import::org_kind_name(v.kind).into()),
                    parent.map_or(Cell::Empty, |p| Cell::Text(p.to_owned())),
                    super::date_cell(Some(v.valid_from)),
                ]);
                walk(&n.children, Some(&v.name), out);
            }
        }
        let mut rows = Vec::new();
        walk(&forest, None, &mut rows);
        let sheet = Sheet {
            name: t.get("tree.title").into(),
            title: Some(t.fmt("tree.as_of", &[("date", &t.date(&date))])),
            headers: thidua_app::import::ImportKind::Orgs.columns().iter().map(|c| c.header.to_owned()).collect(),
            widths: thidua_app::import::ImportKind::Orgs.columns().iter().map(|c| f64::from(c.width)).collect(),
            rows,
        };
        return export.respond(&format!("to-chuc-{}", iso(date)), sheet);
    }
    let mut rows = Vec::new();
    flatten(t, &forest, 0, date, &mut rows);
    // The latest days something changed, each with the day before, so an event's effect is one
    // click away; oldest first.
    let dates = app.org_event_dates().await?;
    let mut days: Vec<Date> = dates.iter().rev().take(4).flat_map(|d| [d.yesterday().ok(), Some(*d)]).flatten().collect();
    days.sort();
    days.dedup();
    let milestones = days.into_iter().map(|d| Link { href: format!("/orgs?date={}", iso(d)), text: format_date(d) }).collect();
    Ok(TreePage {
        export_query: format!("date={}", iso(date)),
        c: Chrome::new(t, "orgs", "/orgs", Some(&caller)),
        date_text: format_date(date),
        heading: t.fmt("tree.as_of", &[("date", &t.date(&date))]),
        count: t.fmt("tree.count", &[("count", &t.int(&rows.len()))]),
        rows,
        milestones,
    }
    .into_response())
}

pub struct HistoryRow {
    pub period: String,
    pub name: String,
    pub parent: Option<Link>,
}

pub struct EventRow {
    pub date: String,
    pub text: String,
    pub basis: Option<String>,
    pub view: Link,
}

#[derive(Template, WebTemplate)]
#[template(path = "org_detail.html")]
pub struct DetailPage {
    c: Chrome,
    name: String,
    kind: &'static str,
    short_name: Option<String>,
    parent: Option<Link>,
    validity: String,
    successors_heading: String,
    /// Set when the organization was not live on the requested date.
    not_live: Option<String>,
    successors_on_date: Vec<Link>,
    children_heading: String,
    children: Vec<Link>,
    history: Vec<HistoryRow>,
    predecessors: Vec<String>,
    predecessor_links: Vec<Link>,
    successors: Vec<String>,
    successor_links: Vec<Link>,
    events: Vec<EventRow>,
    note: Option<String>,
    tree_link: String,
}

fn period(t: T, v: &OrgVersion) -> String {
    match v.valid_to {
        Some(to) => t.fmt("org.from_to", &[("from", &t.date(&v.valid_from)), ("to", &t.date(&to))]),
        None => t.fmt("org.from", &[("from", &t.date(&v.valid_from))]),
    }
}

pub async fn detail(
    State(app): State<App>,
    t: T,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<DetailPage, Problem> {
    let Query(query) = query?;
    let id = parse_id(&id)?;
    let date = date_param(query.date.as_deref())?;
    let d = app.org_detail(&caller.principal, id, date).await?;
    let names: &HashMap<OrgId, String> = &d.names;
    let shown = d.on_date.as_ref().unwrap_or(&d.latest);
    let first = d.history.first().unwrap_or(&d.latest);
    let validity = match d.latest.valid_to {
        Some(to) => t.fmt("org.from_to", &[("from", &t.date(&first.valid_from)), ("to", &t.date(&to))]),
        None => t.fmt("org.from", &[("from", &t.date(&first.valid_from))]),
    };
    let not_live = d.on_date.is_none().then(|| t.fmt("org.not_live_on", &[("date", &t.date(&date))]));
    let successors_on_date = if d.on_date.is_none() {
        d.successors_on_date.iter().map(|s| Link::org(*s, names, Some(date))).collect()
    } else {
        Vec::new()
    };
    let describe = |kind: SuccessionKind, forward: bool, other: OrgId, on: Date| {
        let key = match (kind, forward) {
            (SuccessionKind::Merge, true) => "succession.merge",
            (SuccessionKind::Split, true) => "succession.split",
            (SuccessionKind::Merge, false) => "succession.from_merge",
            (SuccessionKind::Split, false) => "succession.from_split",
        };
        let other_name = names.get(&other).cloned().unwrap_or_else(|| other.to_string());
        let role = if forward { "successor" } else { "predecessor" };
        t.fmt(key, &[(role, &other_name), ("date", &t.date(&on))])
    };
    let predecessors = d.lineage.predecessors.iter().map(|s| describe(s.kind, false, s.predecessor, s.date)).collect();
    let predecessor_links = d.lineage.predecessors.iter().map(|s| Link::org(s.predecessor, names, None)).collect();
    let successors = d.lineage.successors.iter().map(|s| describe(s.kind, true, s.successor, s.date)).collect();
    let successor_links = d.lineage.successors.iter().map(|s| Link::org(s.successor, names, None)).collect();
    Ok(DetailPage {
        c: Chrome::new(t, "orgs", &format!("/orgs/{}", id.0), Some(&caller)),
        name: shown.name.clone(),
        kind: kind_label(t, shown.kind),
        short_name: shown.short_name.clone(),
        parent: shown.parent.map(|p| Link::org(p, names, Some(date))),
        validity,
        successors_heading: t.fmt("org.successors_on", &[("date", &t.date(&date))]),
        not_live,
        successors_on_date,
        children_heading: t.fmt("org.children", &[("date", &t.date(&date))]),
        children: d.children_on_date.iter().map(|c| Link::org(c.org, &HashMap::from([(c.org, c.name.clone())]), Some(date))).collect(),
        history: d
            .history
            .iter()
            .rev()
            .map(|v| HistoryRow { period: period(t, v), name: v.name.clone(), parent: v.parent.map(|p| Link::org(p, names, Some(v.valid_from))) })
            .collect(),
        predecessors,
        predecessor_links,
        successors,
        successor_links,
        events: d
            .events
            .iter()
            .map(|e| EventRow {
                date: format_date(e.date),
                text: describe_event(t, e, names),
                basis: e.basis.clone(),
                view: Link { href: format!("/orgs?date={}", iso(e.date)), text: t.get("org.view_on").into() },
            })
            .collect(),
        note: d.note.clone(),
        tree_link: format!("/orgs?date={}", iso(date)),
    })
}

pub fn parse_id(raw: &str) -> Result<OrgId, Problem> {
    super::parse_id(raw).map(OrgId)
}
