//! Server-rendered pages. Each page is a template struct with the shared [`Chrome`] (language,
//! navigation) and a view model prepared here, so templates only lay out text.

pub mod admin;
pub mod ballots;
pub mod clusters;
pub mod commendation;
pub mod dashboards;
pub mod documents;
pub mod emulation;
pub mod evaluations;
pub mod home;
pub mod import;
pub mod members;
pub mod orgs;
pub mod picker;
pub mod reports;
pub mod scoring;
pub mod transfers;

use std::collections::HashMap;

use jiff::civil::Date;
use thidua_core::date::parse_date;
use thidua_core::org::{OrgChange, OrgEvent, OrgId, OrgKind, Target};

use thidua_core::access::Action;

use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

/// What every page shares: the language, who is signed in, and where they are.
pub struct Chrome {
    pub t: T,
    /// The navigation entry to highlight.
    pub active: &'static str,
    /// The current path, for the language switch to come back to.
    pub path: String,
    pub version: &'static str,
    /// The signed-in user's name, and the session's token for the forms on the page.
    pub user: Option<String>,
    pub csrf: Option<String>,
    /// Navigation entries this user may use: `(key, href, label key)`.
    nav: Vec<(&'static str, &'static str, &'static str)>,
}

impl Chrome {
    pub fn new(t: T, active: &'static str, path: &str, caller: Option<&Caller>) -> Chrome {
        let mut nav = Vec::new();
        if let Some(c) = caller {
            nav.extend([("home", "/", "nav.home"), ("dashboards", "/dashboards", "nav.dashboards"), ("orgs", "/orgs", "nav.orgs"), ("clusters", "/clusters", "nav.clusters")]);
            if c.principal.may(Action::ViewMember) {
                nav.push(("members", "/members", "nav.members"));
                nav.push(("badges", "/badges", "nav.badges"));
                nav.push(("evaluations", "/evaluations", "nav.evaluations"));
            }
            if c.principal.may(Action::ViewCommendation) {
                nav.push(("commendation", "/dossiers", "nav.commendation"));
            }
            if c.principal.may(Action::ManageTransfers) {
                nav.push(("transfers", "/transfers", "nav.transfers"));
            }
            if c.principal.may(Action::EditMember) {
                nav.push(("import", "/import", "nav.import"));
            }
            if c.principal.may(Action::ViewDocuments) {
                nav.push(("documents", "/documents", "nav.documents"));
                nav.push(("records", "/records", "nav.records"));
            }
            if c.principal.may(Action::ViewAudit) {
                nav.push(("audit", "/admin/audit", "nav.audit"));
            }
        }
        Chrome {
            t,
            active,
            path: path.to_owned(),
            version: env!("CARGO_PKG_VERSION"),
            user: caller.map(|c| c.principal.display_name.clone()),
            csrf: caller.and_then(|c| c.csrf.clone()),
            nav,
        }
    }

    pub fn signed_in_as(&self) -> String {
        self.t.fmt("auth.signed_in_as", &[("name", self.user.as_deref().unwrap_or_default())])
    }

    pub fn is_active(&self, key: &str) -> bool {
        self.active == key
    }

    pub fn footer(&self) -> String {
        self.t.fmt("app.footer", &[("version", self.version)])
    }

    pub fn nav(&self) -> &[(&'static str, &'static str, &'static str)] {
        &self.nav
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

pub use thidua_app::today;

/// A list asked for as a file (`?format=xlsx` or `?format=csv`) rather than as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Xlsx,
    Csv,
}

impl Export {
    /// `None` for the page itself.
    pub fn requested(raw: Option<&str>) -> Result<Option<Export>, Problem> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some("xlsx") => Ok(Some(Export::Xlsx)),
            Some("csv") => Ok(Some(Export::Csv)),
            Some(other) => Err(Problem::BadKind(other.chars().take(20).collect())),
        }
    }

    /// The sheet as a download named `name` (without extension). A sheet longer than Excel takes
    /// is refused as xlsx (CSV has no limit).
    pub fn respond(self, name: &str, sheet: thidua_office::Sheet) -> Result<axum::response::Response, Problem> {
        const EXCEL_ROWS: usize = 1_048_576 - 4;
        if self == Export::Xlsx && sheet.rows.len() > EXCEL_ROWS {
            return Err(Problem::App(thidua_app::AppError::Invalid(vec![thidua_app::FieldProblem::new("format", thidua_app::Invalid::TooMany { max: EXCEL_ROWS })])));
        }
        use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
        use axum::response::IntoResponse;
        let office = |e: thidua_office::OfficeError| Problem::App(thidua_app::AppError::from(e));
        let (bytes, content_type, ext) = match self {
            Export::Xlsx => (thidua_office::xlsx(&[sheet]).map_err(office)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
            Export::Csv => (thidua_office::csv(&sheet).map_err(office)?, "text/csv; charset=utf-8", "csv"),
        };
        Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\""))], bytes).into_response())
    }
}

/// A date cell of an exported sheet.
pub fn date_cell(d: Option<Date>) -> thidua_office::Cell {
    d.map_or(thidua_office::Cell::Empty, |d| thidua_office::Cell::Date(d.year(), d.month(), d.day()))
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

/// The page asked for by `?page=` (numbered from 1; the first when absent or blank), as an index
/// from 0; a 400 naming what was given when it is not a page number.
pub fn page_param(value: Option<&str>) -> Result<i64, Problem> {
    match value.map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => Ok(i64::from(n) - 1),
            _ => Err(Problem::BadPage(v.chars().take(40).collect())),
        },
    }
}

/// `(limit, offset)` that fetch page `page` (from 0) of `size` rows, and one row more: it tells
/// whether another page follows.
pub fn page_window(page: i64, size: i64) -> (i64, i64) {
    (size + 1, page * size)
}

/// Rows fetched through `page_window`: whether another page follows, the extra row dropped.
pub fn more_after<T>(rows: &mut Vec<T>, size: i64) -> bool {
    let more = rows.len() as i64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(0));
    more
}

/// Page `page` (from 0) of `size` rows of a list held whole, and whether another page follows.
pub fn slice_page<T>(all: Vec<T>, page: i64, size: i64) -> (Vec<T>, bool) {
    let more = all.len() as i64 > (page + 1) * size;
    (all.into_iter().skip(usize::try_from(page * size).unwrap_or(usize::MAX)).take(usize::try_from(size).unwrap_or(0)).collect(), more)
}

/// Where a page of a long list stands: the rows it shows and links to the pages beside it.
pub struct Pager {
    pub rows: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `page` (from 0) of `size` rows showing `shown` of them, another page after it when
    /// `more`; `href` links the page numbered from 1.
    pub fn new(t: T, page: i64, size: i64, shown: usize, more: bool, href: impl Fn(i64) -> String) -> Pager {
        Pager::linked(t, page, size, shown, (page > 0).then(|| href(page)), more.then(|| href(page + 2)))
    }

    /// The same with the links given: pages keyed on their rows rather than numbered.
    pub fn linked(t: T, page: i64, size: i64, shown: usize, prev: Option<String>, next: Option<String>) -> Pager {
        let first = usize::try_from(page * size).unwrap_or(0);
        Pager {
            // A page past the end shows no rows, only the way back.
            rows: if shown == 0 { String::new() } else { t.fmt("pager.rows", &[("from", &t.int(&(first + 1))), ("to", &t.int(&(first + shown)))]) },
            prev,
            next,
        }
    }

    /// Whether there is more than this page.
    pub fn is_paged(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
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
