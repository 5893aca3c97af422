//! Server-rendered pages. Each page is a template struct with the shared [`Chrome`] (language,
//! navigation) and a view model prepared here, so templates only lay out text.

pub mod clusters;
pub mod home;
pub mod orgs;

use std::collections::HashMap;

use jiff::civil::Date;
use thidua_core::date::parse_date;
use thidua_core::org::{OrgChange, OrgEvent, OrgId, OrgKind, Target};

use crate::error::Problem;
use crate::i18n::T;

/// What every page shares: the language and where the user is.
pub struct Chrome {
    pub t: T,
    /// The navigation entry to highlight.
    pub active: &'static str,
    /// The current path, for the language switch to come back to.
    pub path: String,
    pub version: &'static str,
}

impl Chrome {
    pub fn new(t: T, active: &'static str, path: &str) -> Chrome {
        Chrome { t, active, path: path.to_owned(), version: env!("CARGO_PKG_VERSION") }
    }

    pub fn is_active(&self, key: &str) -> bool {
        self.active == key
    }

    pub fn footer(&self) -> String {
        self.t.fmt("app.footer", &[("version", self.version)])
    }

    pub fn nav(&self) -> [(&'static str, &'static str, &'static str); 3] {
        [("home", "/", "nav.home"), ("orgs", "/orgs", "nav.orgs"), ("clusters", "/clusters", "nav.clusters")]
    }
}

/// A link with its text.
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    pub fn org(id: OrgId, names: &HashMap<OrgId, String>, date: Option<Date>) -> Link {
        let text = names.get(&id).cloned().unwrap_or_else(|| id.to_string());
        let href = match date {
            Some(d) => format!("/orgs/{}?date={}", id.0, thidua_core::date::iso(d)),
            None => format!("/orgs/{}", id.0),
        };
        Link { href, text }
    }
}

/// Today in Vietnam (UTC+7, no daylight saving).
pub fn today() -> Date {
    let offset = jiff::tz::Offset::constant(7);
    offset.to_datetime(jiff::Timestamp::now()).date()
}

/// A date from a query parameter: today when absent or blank, a 400 when unreadable.
pub fn date_param(value: Option<&str>) -> Result<Date, Problem> {
    match value.map(str::trim) {
        None | Some("") => Ok(today()),
        Some(v) => parse_date(v).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect())),
    }
}

/// A record id from a URL: a positive integer, or a 400 naming what was given.
pub fn parse_id(raw: &str) -> Result<i64, Problem> {
    match raw.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Problem::BadId(raw.chars().take(40).collect())),
    }
}

pub fn kind_label(t: T, kind: OrgKind) -> &'static str {
    t.get(&format!("kind.{}", kind.code()))
}

/// One line saying what an event did, with organizations named.
pub fn describe_event(t: T, event: &OrgEvent, names: &HashMap<OrgId, String>) -> String {
    let name = |id: &OrgId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let list = |ids: &[OrgId]| ids.iter().map(name).collect::<Vec<_>>().join(", ");
    let label = t.get(&format!("event.{}", event.change.kind_code()));
    let detail = match &event.change {
        OrgChange::Create(n) => n.spec.name.clone(),
        OrgChange::Rename { name: new, .. } => format!("→ {new}"),
        OrgChange::Move { org, parent } => {
            format!("{} → {}", name(org), parent.as_ref().map_or_else(|| t.get("org.root").to_owned(), name))
        }
        OrgChange::Merge { sources, into } => format!("{} → {}", list(sources), name(&into.org())),
        OrgChange::Split { source, into } => {
            format!("{} → {}", name(source), list(&into.iter().map(Target::org).collect::<Vec<_>>()))
        }
        OrgChange::Dissolve { org } => name(org),
    };
    format!("{label}: {detail}")
}
