//! Membership transfers: the lists of both sides, the introduction form, the transfer page with
//! the steps each side may take, and the letter of introduction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::transfers::{NewTransfer, TransferView};
use thidua_app::{App, AppError};
use thidua_core::date::{format_date, parse_date};
use thidua_core::member::MemberId;
use thidua_core::org::OrgId;
use thidua_office::{Cell, Sheet};
use thidua_core::transfer::{TemporaryPurpose, TransferKind, TransferState, TransferStep};

use super::picker::{shown_while_searching, Picker};
use super::{date_cell, more_after, page_param, page_window, parse_id, today, Chrome, Export, Link, Pager};
use crate::auth::Caller;
use crate::error::{state_label, Problem};
use crate::i18n::T;

pub struct Line {
    pub link: Link,
    pub member: String,
    pub from: String,
    pub to: String,
    pub introduced: String,
    pub state: &'static str,
    pub deadline: String,
    pub overdue: Option<String>,
}

fn line(t: T, v: &TransferView) -> Line {
    Line {
        link: Link { href: format!("/transfers/{}", v.row.id), text: v.row.id.to_string() },
        member: v.member_name.clone(),
        from: v.from_name.clone(),
        to: v.to_name.clone(),
        introduced: format_date(v.row.introduced_on),
        state: state_label(t, v.row.state),
        deadline: v.deadlines.as_ref().map_or_else(|| "—".to_owned(), |d| format_date(d.report_by)),
        overdue: v.overdue_since.map(|d| t.fmt("transfers.overdue", &[("date", &format_date(d))])),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "transfers.html")]
pub struct ListPage {
    c: Chrome,
    may_import: bool,
    /// `(heading key, table id, lines)`: open transfers, then closed ones.
    sections: Vec<(&'static str, &'static str, Vec<Line>)>,
    /// Pages of the closed transfers.
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    format: Option<String>,
}

/// Closed transfers on a page; the open ones are all shown.
const CLOSED_PAGE: i64 = 100;

pub async fn list(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ListQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    if let Some(export) = Export::requested(q.format.as_deref())? {
        let all = app.transfers(&caller.principal).await?;
        app.audit_export(&caller.principal, "transfers", all.len()).await?;
        let sheet = Sheet {
            name: t.get("transfers.title").into(),
            title: Some(t.get("transfers.title").into()),
            headers: ["export.member", "export.from", "export.to", "export.introduced_on", "export.report_by", "export.state", "export.overdue_since"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![28.0, 36.0, 36.0, 14.0, 14.0, 18.0, 14.0],
            rows: all
                .iter()
                .map(|v| {
                    vec![
                        Cell::Text(v.member_name.clone()),
                        Cell::Text(v.from_name.clone()),
                        Cell::Text(v.to_name.clone()),
                        date_cell(Some(v.row.introduced_on)),
                        date_cell(v.deadlines.as_ref().map(|d| d.report_by)),
                        Cell::Text(state_label(t, v.row.state).into()),
                        date_cell(v.overdue_since),
                    ]
                })
                .collect(),
        };
        return export.respond("chuyen-sinh-hoat", sheet);
    }
    let page = page_param(q.page.as_deref())?;
    let open = app.transfers_where(&caller.principal, Some(true), None).await?;
    let mut closed = app.transfers_where(&caller.principal, Some(false), Some(page_window(page, CLOSED_PAGE))).await?;
    let more = more_after(&mut closed, CLOSED_PAGE);
    Ok(ListPage {
        pager: Pager::new(t, page, CLOSED_PAGE, closed.len(), more, |n| format!("/transfers?page={n}")),
        may_import: app.may_edit_members(&caller.principal).await?,
        c: Chrome::new(t, "transfers", "/transfers", Some(&caller)),
        sections: vec![
            ("transfers.open", "open-transfers", open.iter().map(|v| line(t, v)).collect()),
            ("transfers.closed", "closed-transfers", closed.iter().map(|v| line(t, v)).collect()),
        ],
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    to_org: String,
    /// What was typed in the receiving organization picker's search box.
    #[serde(default)]
    to_org_q: String,
    #[serde(default)]
    external_to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    trigger_on: String,
    #[serde(default)]
    introduced_on: String,
    #[serde(default)]
    letter_number: String,
    #[serde(default)]
    late_reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer_form.html")]
pub struct FormPage {
    c: Chrome,
    member_line: String,
    f: NewForm,
    /// The receiving organization, anywhere in the deployment.
    to_org: Picker,
    error: Option<String>,
}

impl FormPage {
    pub fn kind_is(&self, kind: &str) -> bool {
        self.f.kind == kind
    }
}

#[derive(Deserialize, Default)]
pub struct MemberQuery {
    member: Option<String>,
}

async fn form_page(app: &App, t: T, caller: &Caller, f: NewForm, error: Option<String>) -> Result<FormPage, Problem> {
    let id = MemberId(parse_id(&f.member)?);
    let m = app.member(&caller.principal, id).await?;
    if !m.may_transfer {
        return Err(Problem::App(AppError::Forbidden));
    }
    let targets = app.transfer_targets(today()).await?.into_iter().filter(|(o, _)| *o != m.row.record.org).collect();
    Ok(FormPage {
        c: Chrome::new(t, "transfers", "/transfers/new", Some(caller)),
        member_line: t.fmt("transfer.member", &[("name", &m.row.record.full_name)]),
        to_org: Picker::orgs(t, "to_org", targets, &f.to_org, &f.to_org_q).with_blank(),
        f,
        error,
    })
}

pub async fn new_form(State(app): State<App>, t: T, caller: Caller, query: Result<Query<MemberQuery>, QueryRejection>) -> Result<FormPage, Problem> {
    let Query(q) = query?;
    let today = format_date(today());
    let f = NewForm { member: q.member.unwrap_or_default(), kind: "official".into(), trigger_on: today.clone(), introduced_on: today, ..NewForm::default() };
    form_page(&app, t, &caller, f, None).await
}

fn date_field(value: &str) -> Result<jiff::civil::Date, Problem> {
    parse_date(value).ok_or_else(|| Problem::BadDate(value.chars().take(40).collect()))
}

fn to_new(f: &NewForm) -> Result<NewTransfer, Problem> {
    let introduced_on = date_field(&f.introduced_on)?;
    let kind = match f.kind.as_str() {
        "official" => TransferKind::Official,
        "temporary_stay" | "temporary_study" => TransferKind::Temporary {
            purpose: if f.kind == "temporary_stay" { TemporaryPurpose::Stay } else { TemporaryPurpose::Study },
            until: date_field(&f.until)?,
        },
        other => return Err(Problem::BadRequest(other.chars().take(40).collect())),
    };
    Ok(NewTransfer {
        member: MemberId(parse_id(&f.member)?),
        to_org: f.to_org.trim().parse::<i64>().ok().filter(|n| *n > 0).map(OrgId),
        external_to: Some(f.external_to.trim().to_owned()).filter(|e| !e.is_empty()),
        kind,
        trigger_on: date_field(&f.trigger_on)?,
        introduced_on,
        letter_number: Some(f.letter_number.trim().to_owned()).filter(|l| !l.is_empty()),
        late_reason: Some(f.late_reason.trim().to_owned()).filter(|l| !l.is_empty()),
    })
}

pub async fn create(State(app): State<App>, t: T, caller: Caller, form: Result<Form<NewForm>, FormRejection>) -> Result<Response, Problem> {
    let Form(f) = form?;
    app.check_member(&caller.principal, MemberId(parse_id(&f.member)?), thidua_core::access::Action::ManageTransfers).await?;
    if let Some(shown) = shown_while_searching(&[&f.to_org_q], async || form_page(&app, t, &caller, f.clone(), None).await, |p| p.to_org.pending).await? {
        return Ok(shown);
    }
    let outcome = match to_new(&f) {
        Ok(new) => app.introduce_transfer(&caller.principal, &new).await.map_err(Problem::App),
        Err(p) => Err(p),
    };
    match outcome {
        Ok(id) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/transfers/{id}"))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden | AppError::NotFound)) => Err(p),
        Err(p) => {
            let status = p.status();
            let page = form_page(&app, t, &caller, f, Some(p.describe(t).1)).await?;
            Ok((status, page).into_response())
        }
    }
}

pub struct StepLine {
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer.html")]
pub struct DetailPage {
    c: Chrome,
    id: i64,
    title: String,
    l: Line,
    kind: String,
    addressed: Option<String>,
    deadlines: String,
    steps: Vec<StepLine>,
    /// `(action, label key, needs a reason)` the caller may take now.
    actions: Vec<(&'static str, &'static str, bool)>,
    trace: bool,
    error: Option<String>,
    today: String,
    /// A transfer to another installation: its sealed package can be downloaded.
    package: bool,
}

async fn detail_page(app: &App, t: T, caller: &Caller, id: i64, error: Option<String>) -> Result<DetailPage, Problem> {
    let d = app.transfer(&caller.principal, id).await?;
    let v = &d.view;
    let mut actions = Vec::new();
    let state = v.row.state;
    if v.may_receive {
        match state {
            TransferState::Introduced => actions.extend([("report", "transfer.do.report", false), ("return", "transfer.do.return", true)]),
            TransferState::Reported => actions.extend([("receive", "transfer.do.receive", false), ("return", "transfer.do.return", true)]),
            TransferState::Received => actions.push(("complete", "transfer.do.complete", false)),
            _ => {}
        }
    }
    if v.may_send && state.is_open() {
        actions.push(("cancel", "transfer.do.cancel", true));
    }
    let names = app.org_names(&v.row.addressed_org.into_iter().collect()).await?;
    let kind = match v.row.kind {
        TransferKind::Official => t.get("transfer.kind.official").to_owned(),
        TransferKind::Temporary { purpose, until } => {
            let key = if purpose == TemporaryPurpose::Stay { "transfer.kind.temporary_stay" } else { "transfer.kind.temporary_study" };
            format!("{} – {}", t.get(key), format_date(until))
        }
    };
    let scope = t.get(if v.across_provinces { "transfer.across" } else { "transfer.within" });
    let kind = format!("{kind} · {scope}");
    Ok(DetailPage {
        c: Chrome::new(t, "transfers", &format!("/transfers/{id}"), Some(caller)),
        id,
        title: t.fmt("transfer.title", &[("id", &id.to_string())]),
        l: line(t, v),
        kind,
        addressed: v.row.addressed_org.and_then(|o| names.get(&o)).map(|n| t.fmt("transfer.addressed", &[("name", n)])),
        deadlines: match &v.deadlines {
            Some(d) => t.fmt("transfer.deadlines", &[("start", &format_date(d.introduce_by)), ("report", &format_date(d.report_by))]),
            None => t.get("transfer.no_deadlines").to_owned(),
        },
        steps: d
            .steps
            .iter()
            .map(|s| {
                let label = match s.step.as_str() {
                    "introduce" => t.get("transfer.step.introduce"),
                    code => TransferState::from_code(code).map_or("", |st| state_label(t, st)),
                };
                StepLine { text: format!("{} — {label} ({}){}", format_date(s.on), s.actor, s.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()) }
            })
            .collect(),
        actions,
        trace: state == TransferState::Completed && v.may_send && !v.may_receive,
        error,
        today: format_date(today()),
        package: v.row.external_to.is_some() && v.may_send,
    })
}

pub async fn detail(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DetailPage, Problem> {
    let id = parse_id(&id)?;
    detail_page(&app, t, &caller, id, None).await
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    on: String,
    #[serde(default)]
    reason: String,
}

pub fn to_step(action: &str, on: jiff::civil::Date, reason: &str) -> Result<TransferStep, Problem> {
    let reason = reason.trim().to_owned();
    Ok(match action {
        "report" => TransferStep::Report { on, late_reason: Some(reason).filter(|r| !r.is_empty()) },
        "receive" => TransferStep::Receive { on },
        "complete" => TransferStep::Complete { on },
        "return" => TransferStep::Return { on, reason },
        "cancel" => TransferStep::Cancel { on, reason },
        other => return Err(Problem::BadRequest(other.chars().take(40).collect())),
    })
}

pub async fn step(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<StepForm>, FormRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(f) = form?;
    let outcome = match date_field(&f.on).and_then(|on| to_step(&f.action, on, &f.reason)) {
        Ok(step) => app.transfer_step(&caller.principal, id, &step).await.map(|_| ()).map_err(Problem::App),
        Err(p) => Err(p),
    };
    match outcome {
        Ok(()) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/transfers/{id}"))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden | AppError::NotFound)) => Err(p),
        Err(p) => {
            let status = p.status();
            Ok((status, detail_page(&app, t, &caller, id, Some(p.describe(t).1)).await?).into_response())
        }
    }
}

pub async fn letter(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.transfer_letter(&caller.principal, id).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"giay-gioi-thieu-{id}.docx\"")),
        ],
        bytes,
    )
        .into_response())
}

fn json_download(name: String, bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, "application/json".to_owned()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes).into_response()
}

pub async fn package(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.export_transfer_package(&caller.principal, id).await?;
    Ok(json_download(format!("chuyen-sinh-hoat-{id}.thidua.json"), bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer_import.html")]
pub struct ImportPage {
    c: Chrome,
    /// The receiving organization.
    org: Picker,
    fingerprint: String,
    error: Option<String>,
}

/// The import form, with `org` (an id as sent) chosen and `query` typed in the picker's search box.
async fn import_page(app: &App, t: T, caller: &Caller, org: &str, query: &str, error: Option<String>) -> Result<ImportPage, Problem> {
    let org = Picker::orgs(t, "org", app.editable_member_orgs(&caller.principal).await?, org, query);
    if org.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    Ok(ImportPage {
        c: Chrome::new(t, "transfers", "/transfers/import", Some(caller)),
        org,
        fingerprint: t.fmt("transfer.fingerprint", &[("fingerprint", &app.installation_fingerprint().await?)]),
        error,
    })
}

pub async fn import_form(State(app): State<App>, t: T, caller: Caller) -> Result<ImportPage, Problem> {
    import_page(&app, t, &caller, "", "", None).await
}

pub async fn import(
    State(app): State<App>,
    t: T,
    caller: Caller,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Problem> {
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    let mut multipart = multipart.map_err(|e| Problem::BadRequest(e.body_text()))?;
    let (mut chosen, mut query, mut bytes) = (String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|e| Problem::BadRequest(e.body_text()))? {
        match field.name() {
            Some("org") => chosen = field.text().await.unwrap_or_default(),
            Some("org_q") => query = field.text().await.unwrap_or_default(),
            Some("file") => bytes = Some(field.bytes().await.map_err(|e| Problem::BadRequest(e.body_text()))?),
            _ => {}
        }
    }
    if let Some(shown) = shown_while_searching(&[&query], async || import_page(&app, t, &caller, &chosen, &query, None).await, |p| p.org.pending).await? {
        return Ok(shown);
    }
    let org = chosen.trim().parse::<i64>().ok().map(OrgId);
    let outcome = match (org, bytes) {
        (Some(org), Some(bytes)) => app.import_transfer_package(&caller.principal, &bytes, org).await.map_err(Problem::App),
        _ => Err(Problem::App(AppError::TransferTarget(thidua_app::TransferProblem::NoReceiver))),
    };
    match outcome {
        Ok(done) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/transfers/{}", done.transfer))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden)) => Err(p),
        Err(p) => {
            let status = p.status();
            Ok((status, import_page(&app, t, &caller, &chosen, &query, Some(p.describe(t).1)).await?).into_response())
        }
    }
}
