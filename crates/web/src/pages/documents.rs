//! Document registers: the register and search page, registering documents, a document with its
//! attachments and actions, processing statistics, and work records.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::documents::{overdue, Direction, DocumentRow, NewAttachment, NewDocument, SearchFilter, INCOMING_STATUSES, SEARCH_RESULTS};
use thidua_app::{App, AppError};
use thidua_core::date::{format_date, iso, parse_date};
use thidua_core::docnum::DOC_TYPES;
use thidua_core::org::OrgId;
use thidua_office::{Cell, Sheet};
use thidua_core::vi::{format_int, format_percent};

use super::picker::{shown_while_searching, Picker};
use super::{date_cell, more_after, page_param, page_window, parse_id, slice_page, today, Chrome, Export, Link, Pager};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

/// Text fields and files of a multipart form.
pub async fn read_multipart(multipart: Result<Multipart, MultipartRejection>) -> Result<(HashMap<String, String>, Vec<NewAttachment>), Problem> {
    let mut multipart = multipart.map_err(|e| Problem::BadRequest(e.body_text()))?;
    let (mut fields, mut files) = (HashMap::new(), Vec::new());
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::App(AppError::File(thidua_app::FileProblem::TooLarge { max_mib: thidua_app::documents::MAX_ATTACHMENT_BYTES / (1024 * 1024) }))
        } else {
            Problem::BadRequest(e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(too_large)?;
                if !bytes.is_empty() {
                    files.push(NewAttachment { name: file_name, bytes: bytes.to_vec() });
                }
            }
            None => {
                fields.insert(name, field.text().await.map_err(too_large)?);
            }
        }
    }
    Ok((fields, files))
}

fn opt_date(value: Option<&String>) -> Result<Option<jiff::civil::Date>, Problem> {
    match value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse_date(v).map(Some).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect())),
    }
}

fn status_label(t: T, s: &str) -> &'static str {
    t.get(&format!("doc.status.{s}"))
}

pub struct DocLine {
    pub link: Link,
    pub date: String,
    pub summary: String,
    pub issuer: String,
    pub arrival: String,
    pub deadline: String,
    pub status: &'static str,
    pub overdue: bool,
}

fn line(t: T, d: &DocumentRow) -> DocLine {
    let symbol = d.symbol.clone().unwrap_or_else(|| "–".into());
    DocLine {
        link: Link { href: format!("/documents/{}", d.id), text: symbol },
        date: d.issued_on.or(d.arrival_on).map(format_date).unwrap_or_default(),
        summary: d.summary.clone(),
        issuer: d.issuer_name.clone().or(d.issuer_code.clone()).unwrap_or_default(),
        arrival: d.arrival_number.map(|n| n.to_string()).unwrap_or_default(),
        deadline: d.deadline.map(format_date).unwrap_or_default(),
        status: status_label(t, &d.status),
        overdue: overdue(d, today()),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    direction: Option<String>,
    doc_type: Option<String>,
    issuer: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// Rows of a page of the register.
const PAGE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "documents.html")]
pub struct ListPage {
    c: Chrome,
    /// The query of this page, for its download links.
    export_query: String,
    q: String,
    direction: String,
    doc_type: String,
    issuer: String,
    status: String,
    from: String,
    to: String,
    types: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    count: String,
    lines: Vec<DocLine>,
    pager: Pager,
    may_add: bool,
}

impl ListPage {
    pub fn is(&self, field: &str, value: &str) -> bool {
        match field {
            "direction" => self.direction == value,
            "doc_type" => self.doc_type == value,
            _ => self.status == value,
        }
    }
}

/// The filters of the register page and the API, from what was typed.
pub fn filter_from(direction: &Option<String>, doc_type: &Option<String>, issuer: &Option<String>, status: &Option<String>, from: &Option<String>, to: &Option<String>) -> Result<SearchFilter, Problem> {
    let text = |v: &Option<String>| Some(v.as_deref().unwrap_or_default().trim().to_owned()).filter(|v| !v.is_empty());
    Ok(SearchFilter {
        direction: direction.as_deref().and_then(Direction::from_code),
        doc_type: text(doc_type),
        issuer_code: text(issuer).map(|i| i.to_uppercase()),
        status: text(status),
        from: opt_date(from.as_ref())?,
        to: opt_date(to.as_ref())?,
        registers: None,
    })
}

pub async fn list(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ListQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let export = Export::requested(q.format.as_deref())?;
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let filter = filter_from(&q.direction, &q.doc_type, &q.issuer, &q.status, &q.from, &q.to)?;
    let query = text(&q.q);
    let page = page_param(q.page.as_deref())?;
    // A download takes the whole register as filtered (or every result), the page one page of it.
    // `found`: how many the count line gives, all the results of a search or this page's rows.
    let (rows, more, found) = match (export.is_some(), query.is_empty()) {
        (true, true) => (app.all_documents(&caller.principal, filter).await?, false, 0),
        (false, true) => {
            let (limit, offset) = page_window(page, PAGE);
            let mut rows = app.documents(&caller.principal, filter, limit, offset).await?;
            let more = more_after(&mut rows, PAGE);
            let found = rows.len();
            (rows, more, found)
        }
        // Search ranks its best results once; a page is a slice of them, so no result moves
        // between pages.
        (true, false) => (app.search_documents(&caller.principal, &query, filter, SEARCH_RESULTS).await?, false, 0),
        (false, false) => {
            let all = app.search_documents(&caller.principal, &query, filter, SEARCH_RESULTS).await?;
            let found = all.len();
            let (rows, more) = slice_page(all, page, PAGE);
            (rows, more, found)
        }
    };
    if let Some(export) = export {
        let sheet = Sheet {
            name: t.get("docs.title").into(),
            title: Some(t.get("docs.title").into()),
            headers: ["docs.col.symbol", "export.issued_on", "export.doc_type", "docs.col.summary", "export.arrival_number", "export.arrival_on", "export.deadline", "export.state"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![16.0, 12.0, 10.0, 60.0, 10.0, 12.0, 12.0, 16.0],
            rows: rows
                .iter()
                .map(|d| {
                    vec![
                        d.symbol.clone().map_or(Cell::Empty, Cell::Text),
                        date_cell(d.issued_on),
                        Cell::Text(d.doc_type.clone()),
                        Cell::Text(d.summary.clone()),
                        d.arrival_number.map_or(Cell::Empty, Cell::Int),
                        date_cell(d.arrival_on),
                        date_cell(d.deadline),
                        Cell::Text(status_label(t, &d.status).into()),
                    ]
                })
                .collect(),
        };
        return export.respond("so-van-ban", sheet);
    }
    let export_query = [("q", &q.q), ("direction", &q.direction), ("doc_type", &q.doc_type), ("issuer", &q.issuer), ("status", &q.status), ("from", &q.from), ("to", &q.to)]
        .iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| format!("{k}={}", crate::auth::encode(v))))
        .collect::<Vec<_>>()
        .join("&");
    let statuses = ["issued", "withdrawn"].iter().chain(INCOMING_STATUSES.iter()).map(|s| (*s, status_label(t, s))).collect();
    Ok(ListPage {
        // A page of the register is counted by the pager; a search by its results.
        count: if query.is_empty() && (more || page > 0) { String::new() } else { t.fmt("docs.results", &[("count", &t.int(&found))]) },
        pager: Pager::new(t, page, PAGE, rows.len(), more, |n| format!("/documents?{export_query}{}page={n}", if export_query.is_empty() { "" } else { "&" })),
        export_query,
        lines: rows.iter().map(|d| line(t, d)).collect(),
        may_add: caller.principal.may(thidua_core::access::Action::EditDocuments),
        c: Chrome::new(t, "documents", "/documents", Some(&caller)),
        q: query,
        direction: text(&q.direction),
        doc_type: text(&q.doc_type),
        issuer: text(&q.issuer),
        status: text(&q.status),
        from: text(&q.from),
        to: text(&q.to),
        types: DOC_TYPES.to_vec(),
        statuses,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    direction: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "document_form.html")]
pub struct FormPage {
    c: Chrome,
    incoming: bool,
    register: Picker,
    /// The unit that drafted or handles the document.
    unit: Picker,
    types: Vec<(&'static str, &'static str)>,
    f: HashMap<String, String>,
    error: Option<String>,
    today: String,
}

impl FormPage {
    pub fn v(&self, field: &str) -> &str {
        self.f.get(field).map_or("", |v| v.as_str())
    }
}

async fn form_page(app: &App, t: T, caller: &Caller, incoming: bool, f: HashMap<String, String>, error: Option<String>) -> Result<FormPage, Problem> {
    let value = |k: &str| f.get(k).map_or("", String::as_str);
    let register = Picker::orgs(t, "register", app.writable_registers(&caller.principal).await?, value("register"), value("register_q"));
    if register.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    let units = app.orgs_on(&caller.principal, today()).await?.into_iter().map(|v| (v.org, v.name)).collect();
    let unit = Picker::orgs(t, "unit", units, value("unit"), value("unit_q")).with_blank();
    Ok(FormPage {
        c: Chrome::new(t, "documents", "/documents/new", Some(caller)),
        incoming,
        register,
        unit,
        types: DOC_TYPES.to_vec(),
        f,
        error,
        today: format_date(today()),
    })
}

pub async fn new_form(State(app): State<App>, t: T, caller: Caller, query: Result<Query<NewQuery>, QueryRejection>) -> Result<FormPage, Problem> {
    let Query(q) = query?;
    form_page(&app, t, &caller, q.direction.as_deref() == Some("incoming"), HashMap::new(), None).await
}

fn to_new(f: &HashMap<String, String>) -> Result<(Direction, NewDocument), Problem> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let direction = get("direction").as_deref().and_then(Direction::from_code).ok_or_else(|| Problem::BadRequest("direction".into()))?;
    let register = get("register").and_then(|r| r.parse::<i64>().ok()).map(OrgId).ok_or(Problem::App(AppError::Forbidden))?;
    Ok((
        direction,
        NewDocument {
            register,
            unit: get("unit").and_then(|u| u.parse::<i64>().ok()).map(OrgId),
            doc_type: get("doc_type").unwrap_or_default(),
            issued_on: opt_date(f.get("issued_on"))?,
            summary: get("summary").unwrap_or_default(),
            signer: get("signer"),
            recipients: get("recipients"),
            secrecy: get("secrecy"),
            urgency: get("urgency"),
            source_symbol: get("source_symbol"),
            issuer_name: get("issuer_name"),
            arrival_on: opt_date(f.get("arrival_on"))?,
            assigned_to: get("assigned_to"),
            deadline: opt_date(f.get("deadline"))?,
        },
    ))
}

pub async fn create(State(app): State<App>, t: T, caller: Caller, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    if app.writable_registers(&caller.principal).await?.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    let (fields, files) = read_multipart(multipart).await?;
    let incoming = fields.get("direction").map(String::as_str) == Some("incoming");
    let typed = |k: &str| fields.get(k).map_or("", String::as_str);
    if let Some(shown) = shown_while_searching(&[typed("register_q"), typed("unit_q")], async || form_page(&app, t, &caller, incoming, fields.clone(), None).await, |p| p.register.pending || p.unit.pending).await? {
        return Ok(shown);
    }
    let outcome = match to_new(&fields) {
        Ok((direction, new)) => app.register_document(&caller.principal, direction, &new, &files).await.map_err(Problem::App),
        Err(p) => Err(p),
    };
    match outcome {
        Ok(row) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/documents/{}", row.id))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden)) => Err(p),
        Err(p) => {
            let status = p.status();
            Ok((status, form_page(&app, t, &caller, incoming, fields, Some(p.describe(t).1)).await?).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
pub struct DetailPage {
    c: Chrome,
    id: i64,
    title: String,
    version: i64,
    facts: Vec<(&'static str, String)>,
    status: &'static str,
    overdue: bool,
    withdrawn: Option<String>,
    attachments: Vec<Link>,
    may_edit: bool,
    can_withdraw: bool,
    moves: Vec<(&'static str, &'static str)>,
    records: Vec<(String, String)>,
    error: Option<String>,
}

async fn detail_page(app: &App, t: T, caller: &Caller, id: i64, error: Option<String>) -> Result<DetailPage, Problem> {
    let d = app.document(&caller.principal, id).await?;
    let r = &d.row;
    let incoming = r.direction == Direction::Incoming;
    let mut facts: Vec<(&'static str, String)> = vec![
        ("docs.register", d.register_name.clone()),
        ("docs.type", DOC_TYPES.iter().find(|(c, _)| *c == r.doc_type).map_or(r.doc_type.clone(), |(c, n)| format!("{n} ({c})"))),
        ("doc.issued_on", r.issued_on.map(format_date).unwrap_or_default()),
        ("docs.col.issuer", r.issuer_name.clone().unwrap_or_default()),
        ("doc.unit", d.unit_name.clone().unwrap_or_default()),
        ("doc.signer", r.signer.clone().unwrap_or_default()),
        ("doc.recipients", r.recipients.clone().unwrap_or_default()),
        ("doc.secrecy", r.secrecy.clone().unwrap_or_default()),
        ("doc.urgency", r.urgency.clone().unwrap_or_default()),
    ];
    if incoming {
        facts.push(("docs.col.arrival", r.arrival_number.map(|n| n.to_string()).unwrap_or_default()));
        facts.push(("doc.arrival_on", r.arrival_on.map(format_date).unwrap_or_default()));
        facts.push(("doc.assigned_to", r.assigned_to.clone().unwrap_or_default()));
        facts.push(("doc.deadline", r.deadline.map(format_date).unwrap_or_default()));
    }
    let moves = if incoming && d.may_edit {
        INCOMING_STATUSES.iter().filter(|s| thidua_app::documents::incoming_move_allowed(&r.status, s)).map(|s| (*s, status_label(t, s))).collect()
    } else {
        Vec::new()
    };
    let records = if d.may_edit {
        app.register_records(&caller.principal, r.org).await?.into_iter().filter(|w| w.status == "open").map(|w| (w.id.to_string(), format!("{} – {}", w.code, w.title))).collect()
    } else {
        Vec::new()
    };
    Ok(DetailPage {
        c: Chrome::new(t, "documents", &format!("/documents/{id}"), Some(caller)),
        id,
        title: t.fmt("doc.title", &[("symbol", r.symbol.as_deref().unwrap_or("–"))]),
        version: r.version,
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        status: status_label(t, &r.status),
        overdue: d.overdue,
        withdrawn: r.withdrawn_reason.as_ref().map(|w| t.fmt("doc.withdrawn", &[("reason", w)])),
        attachments: d.attachments.iter().map(|a| Link { href: format!("/documents/{id}/attachments/{}", a.id), text: format!("{} ({} KiB)", a.name, (a.size + 1023) / 1024) }).collect(),
        can_withdraw: d.may_edit && !incoming && r.status == "issued",
        may_edit: d.may_edit,
        moves,
        records,
        error,
    })
}

pub async fn detail(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DetailPage, Problem> {
    detail_page(&app, t, &caller, parse_id(&id)?, None).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    assigned_to: String,
    #[serde(default)]
    record: String,
}

async fn after(app: &App, t: T, caller: &Caller, id: i64, outcome: Result<(), AppError>) -> Result<Response, Problem> {
    match outcome {
        Ok(()) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/documents/{id}"))]).into_response()),
        Err(e @ (AppError::Forbidden | AppError::NotFound)) => Err(Problem::App(e)),
        Err(e) => {
            let p = Problem::App(e);
            Ok((p.status(), detail_page(app, t, caller, id, Some(p.describe(t).1)).await?).into_response())
        }
    }
}

pub async fn withdraw(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<ActionForm>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(f) = form?;
    let outcome = app.withdraw_document(&caller.principal, id, f.version.trim().parse().unwrap_or(-1), &f.reason).await;
    after(&app, t, &caller, id, outcome).await
}

pub async fn set_status(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<ActionForm>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(f) = form?;
    let outcome = app.set_incoming_status(&caller.principal, id, f.version.trim().parse().unwrap_or(-1), f.to.trim(), Some(f.assigned_to.as_str())).await;
    after(&app, t, &caller, id, outcome).await
}

pub async fn file_into(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<ActionForm>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(f) = form?;
    let record = parse_id(&f.record)?;
    let outcome = app.file_into_record(&caller.principal, record, id).await;
    after(&app, t, &caller, id, outcome).await
}

pub async fn attach(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let d = app.document(&caller.principal, id).await?;
    if !d.may_edit {
        return Err(Problem::App(AppError::Forbidden));
    }
    let (_, files) = read_multipart(multipart).await?;
    if files.is_empty() {
        return Err(Problem::App(AppError::File(thidua_app::FileProblem::Empty)));
    }
    let outcome = app.attach_to_document(&caller.principal, id, &files).await;
    after(&app, t, &caller, id, outcome).await
}

pub async fn attachment(State(app): State<App>, caller: Caller, Path((id, att)): Path<(String, String)>) -> Result<Response, Problem> {
    let (a, bytes) = app.document_attachment(&caller.principal, parse_id(&id)?, parse_id(&att)?).await?;
    let ascii: String = a.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::auth::encode(&a.name));
    Ok(([(CONTENT_TYPE, a.content_type), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    register: Option<String>,
    register_q: Option<String>,
    unit: Option<String>,
    unit_q: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "document_stats.html")]
pub struct StatsPage {
    c: Chrome,
    register: Picker,
    unit: Picker,
    from: String,
    to: String,
    lines: Vec<String>,
}

/// Incoming handled and outgoing drafted by a unit, the way the seeds report them.
pub fn statistics_lines(t: T, s: &thidua_app::documents::Statistics) -> Vec<String> {
    vec![
        t.fmt("stats.incoming", &[("handled", &format_int(s.incoming_by_unit, t.lang)), ("total", &format_int(s.incoming_total, t.lang))]),
        t.fmt(
            "stats.outgoing",
            &[
                ("drafted", &format_int(s.outgoing_by_unit, t.lang)),
                ("total", &format_int(s.outgoing_total, t.lang)),
                ("percent", &format_percent(s.outgoing_by_unit, s.outgoing_total, t.lang).unwrap_or_else(|| "–".into())),
            ],
        ),
    ]
}

pub async fn stats(State(app): State<App>, t: T, caller: Caller, query: Result<Query<StatsQuery>, QueryRejection>) -> Result<StatsPage, Problem> {
    let Query(q) = query?;
    let year = today().year();
    let from = opt_date(q.from.as_ref())?.unwrap_or(jiff::civil::Date::new(year, 1, 1).unwrap_or(today()));
    let to = opt_date(q.to.as_ref())?.unwrap_or(today());
    let mut lines = Vec::new();
    let register = q.register.as_deref().and_then(|r| r.parse::<i64>().ok()).map(OrgId);
    let unit = q.unit.as_deref().and_then(|u| u.parse::<i64>().ok()).map(OrgId);
    let units = app.orgs_on(&caller.principal, from).await?.into_iter().map(|v| (v.org, v.name)).collect();
    let unit_picker = Picker::orgs(t, "unit", units, &unit.map(|u| u.0.to_string()).unwrap_or_default(), q.unit_q.as_deref().unwrap_or_default());
    let register_picker = Picker::orgs(t, "register", app.readable_registers(&caller.principal).await?, &register.map(|r| r.0.to_string()).unwrap_or_default(), q.register_q.as_deref().unwrap_or_default());
    if let (Some(r), Some(u), false) = (register, unit, unit_picker.pending || register_picker.pending) {
        let s = app.document_statistics(&caller.principal, r, u, from, to).await?;
        lines = statistics_lines(t, &s);
    }
    Ok(StatsPage {
        c: Chrome::new(t, "documents", "/documents/stats", Some(&caller)),
        register: register_picker,
        unit: unit_picker,
        from: format_date(from),
        to: format_date(to),
        lines,
    })
}

pub struct RecordLine {
    pub link: Link,
    pub title: String,
    pub opened: String,
    pub closed: String,
    pub retention: String,
    pub keeper: String,
    pub status: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "records.html")]
pub struct RecordsPage {
    c: Chrome,
    lines: Vec<RecordLine>,
    pager: Pager,
    /// The register a record is opened in, and the one whose records are archived.
    register: Picker,
    archive: Picker,
    /// The open form's fields as sent.
    f: HashMap<String, String>,
    error: Option<String>,
}

impl RecordsPage {
    pub fn v(&self, field: &str) -> &str {
        self.f.get(field).map_or("", |v| v.as_str())
    }
}

const RECORDS_PAGE: i64 = 100;

fn retention(t: T, years: Option<i64>) -> String {
    years.map_or_else(|| t.get("records.permanent").to_owned(), |y| t.fmt("records.years", &[("years", &y.to_string())]))
}

/// The records page: one page of the list, the open form with `f` as sent, and the archive form
/// with `archive` (`(register, search)`) as sent.
async fn records_page(app: &App, t: T, caller: &Caller, page: i64, mut f: HashMap<String, String>, archive: (&str, &str), error: Option<String>) -> Result<RecordsPage, Problem> {
    let mut records = app.work_records(&caller.principal, Some(page_window(page, RECORDS_PAGE))).await?;
    let more = more_after(&mut records, RECORDS_PAGE);
    let writable = app.writable_registers(&caller.principal).await?;
    f.entry("opened_on".into()).or_insert_with(|| format_date(today()));
    let value = |k: &str| f.get(k).map_or("", String::as_str);
    let register = Picker::orgs(t, "register", writable.clone(), value("register"), value("register_q"));
    let archive = Picker::orgs(t, "register", writable, archive.0, archive.1).with_id("archive-register");
    Ok(RecordsPage {
        c: Chrome::new(t, "records", "/records", Some(caller)),
        pager: Pager::new(t, page, RECORDS_PAGE, records.len(), more, |n| format!("/records?page={n}")),
        lines: records
            .into_iter()
            .map(|r| RecordLine {
                link: Link { href: format!("/records/{}", r.id), text: r.code },
                title: r.title,
                opened: format_date(r.opened_on),
                closed: r.closed_on.map(format_date).unwrap_or_default(),
                retention: retention(t, r.retention_years),
                keeper: r.keeper,
                status: t.get(&format!("record.status.{}", r.status)),
            })
            .collect(),
        register,
        archive,
        f,
        error,
    })
}

#[derive(Deserialize)]
pub struct RecordsQuery {
    format: Option<String>,
    page: Option<String>,
}

pub async fn records(State(app): State<App>, t: T, caller: Caller, query: Result<Query<RecordsQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    if let Some(export) = Export::requested(q.format.as_deref())? {
        let sheet = Sheet {
            name: t.get("records.title").into(),
            title: Some(t.get("records.title").into()),
            headers: ["export.record_code", "export.record_title", "export.opened_on", "export.closed_on", "export.retention", "export.keeper", "export.state"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![12.0, 50.0, 12.0, 12.0, 14.0, 24.0, 16.0],
            rows: app
                .work_records(&caller.principal, None)
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.code),
                        Cell::Text(r.title),
                        date_cell(Some(r.opened_on)),
                        date_cell(r.closed_on),
                        Cell::Text(retention(t, r.retention_years)),
                        Cell::Text(r.keeper),
                        Cell::Text(t.get(&format!("record.status.{}", r.status)).into()),
                    ]
                })
                .collect(),
        };
        return export.respond("ho-so-cong-viec", sheet);
    }
    let page = page_param(q.page.as_deref())?;
    Ok(records_page(&app, t, &caller, page, HashMap::new(), ("", ""), None).await?.into_response())
}

pub async fn open_record(State(app): State<App>, t: T, caller: Caller, form: Result<Form<HashMap<String, String>>, FormRejection>) -> Result<Response, Problem> {
    let Form(f) = form?;
    let value = |k: &str| f.get(k).map_or("", String::as_str);
    if let Some(shown) = shown_while_searching(&[value("register_q")], async || records_page(&app, t, &caller, 0, f.clone(), ("", ""), None).await, |p| p.register.pending).await? {
        return Ok(shown);
    }
    let register = OrgId(parse_id(value("register"))?);
    let opened = parse_date(value("opened_on")).ok_or_else(|| Problem::BadDate(value("opened_on").chars().take(40).collect()))?;
    let years = value("retention_years").trim().parse::<i64>().ok();
    match app.open_work_record(&caller.principal, register, value("code"), value("title"), opened, years, value("keeper")).await {
        Ok(id) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/records/{id}"))]).into_response()),
        Err(e @ (AppError::Forbidden | AppError::NotFound)) => Err(Problem::App(e)),
        Err(e) => {
            let p = Problem::App(e);
            let error = Some(p.describe(t).1);
            Ok((p.status(), records_page(&app, t, &caller, 0, f, ("", ""), error).await?).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "record.html")]
pub struct RecordPage {
    c: Chrome,
    id: i64,
    title: String,
    facts: Vec<(&'static str, String)>,
    documents: Vec<DocLine>,
    may_close: bool,
    today: String,
}

pub async fn record(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<RecordPage, Problem> {
    let id = parse_id(&id)?;
    let (r, docs) = app.work_record(&caller.principal, id).await?;
    let writable = app.writable_registers(&caller.principal).await?.iter().any(|(o, _)| *o == r.org);
    Ok(RecordPage {
        c: Chrome::new(t, "records", &format!("/records/{id}"), Some(&caller)),
        id,
        title: format!("{} – {}", r.code, r.title),
        facts: vec![
            ("records.opened_on", format_date(r.opened_on)),
            ("records.closed_on", r.closed_on.map(format_date).unwrap_or_default()),
            ("records.retention", r.retention_years.map_or_else(|| t.get("records.permanent").to_owned(), |y| t.fmt("records.years", &[("years", &y.to_string())]))),
            ("records.keeper", r.keeper.clone()),
            ("records.status", t.get(&format!("record.status.{}", r.status)).to_owned()),
        ],
        documents: docs.iter().map(|d| line(t, d)).collect(),
        may_close: writable && r.status == "open",
        today: format_date(today()),
    })
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    on: String,
}

pub async fn close_record(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Result<Form<CloseForm>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(f) = form?;
    let on = parse_date(&f.on).ok_or_else(|| Problem::BadDate(f.on.chars().take(40).collect()))?;
    app.close_work_record(&caller.principal, id, on).await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/records/{id}"))]).into_response())
}

#[derive(Deserialize)]
pub struct ArchiveForm {
    #[serde(default)]
    register: String,
    #[serde(default)]
    register_q: String,
}

pub async fn archive(State(app): State<App>, t: T, caller: Caller, form: Result<Form<ArchiveForm>, FormRejection>) -> Result<Response, Problem> {
    let Form(f) = form?;
    let shown = shown_while_searching(&[&f.register_q], async || records_page(&app, t, &caller, 0, HashMap::new(), (&f.register, &f.register_q), None).await, |p| p.archive.pending).await?;
    if let Some(shown) = shown {
        return Ok(shown);
    }
    let register = OrgId(parse_id(&f.register)?);
    let (_, bytes) = app.archive_records(&caller.principal, register).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"muc-luc-ho-so-{}.xlsx\"", iso(today()))),
        ],
        bytes,
    )
        .into_response())
}
