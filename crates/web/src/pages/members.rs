//! The member register: list and search, the record with party age, badges, files and history,
//! and the forms that change it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiff::civil::Date;
use serde::Deserialize;
use thidua_app::members::MemberDetail;
use thidua_app::{App, AppError};
use thidua_core::access::Action;
use thidua_core::date::{format_date, iso, parse_date};
use thidua_core::member::{AgeStep, Cccd, DisciplineForm, Gap, GapKind, Gender, MemberError, MemberId, MemberRecord, check_party_card};
use thidua_core::org::OrgId;
use thidua_office::{Cell, Sheet};

use super::picker::{shown_while_searching, Picker};
use super::{date_cell, more_after, page_param, page_window, parse_id, slice_page, today, Chrome, Export, Link, Pager};
use crate::auth::Caller;
use crate::error::{describe_member, Problem};
use crate::i18n::T;

const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

pub struct MemberLine {
    pub link: Link,
    pub birth: String,
    pub org: String,
    pub admitted: String,
    pub official: String,
    pub age: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
pub struct ListPage {
    c: Chrome,
    /// The query of this page, for its download links.
    export_query: String,
    q: String,
    count: String,
    lines: Vec<MemberLine>,
    pager: Pager,
    may_add: bool,
}

pub async fn list(State(app): State<App>, t: T, caller: Caller, query: Result<Query<ListQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    if let Some(export) = Export::requested(q.format.as_deref())? {
        let rows = app.export_members(&caller.principal, q.q.as_deref()).await?;
        let sheet = Sheet {
            name: t.get("members.title").into(),
            title: Some(t.get("members.title").into()),
            headers: ["member.field.full_name", "member.field.birth_date", "member.field.org", "member.field.admitted_on", "member.field.official_on", "export.party_age"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![28.0, 12.0, 40.0, 14.0, 14.0, 10.0],
            rows: rows
                .into_iter()
                .map(|m| {
                    vec![
                        Cell::Text(m.full_name),
                        date_cell(Some(m.birth_date)),
                        Cell::Text(m.org_name),
                        date_cell(Some(m.admitted_on)),
                        date_cell(m.official_on),
                        m.party_age_years.map_or(Cell::Empty, |y| Cell::Int(i64::from(y))),
                    ]
                })
                .collect(),
        };
        return export.respond("dang-vien", sheet);
    }
    let page = page_param(q.page.as_deref())?;
    let text = q.q.clone().unwrap_or_default();
    let (limit, offset) = page_window(page, PAGE);
    let mut rows = app.members(&caller.principal, Some(text.as_str()), limit, offset).await?;
    let more = more_after(&mut rows, PAGE);
    let lines: Vec<MemberLine> = rows
        .into_iter()
        .map(|m| MemberLine {
            link: Link { href: format!("/members/{}", m.id.0), text: m.full_name },
            birth: format_date(m.birth_date),
            org: m.org_name,
            admitted: format_date(m.admitted_on),
            official: m.official_on.map(format_date).unwrap_or_default(),
            age: m.party_age_years.map_or_else(|| t.get("members.probationary").to_owned(), |y| t.fmt("members.years", &[("years", &y.to_string())])),
        })
        .collect();
    Ok(ListPage {
        export_query: if text.is_empty() { String::new() } else { format!("q={}", crate::auth::encode(&text)) },
        count: t.fmt("members.count", &[("count", &t.int(&lines.len()))]),
        pager: Pager::new(t, page, PAGE, lines.len(), more, |n| format!("/members?q={}&page={n}", crate::auth::encode(&text))),
        may_add: caller.principal.may(Action::EditMember),
        c: Chrome::new(t, "members", "/members", Some(&caller)),
        q: text,
        lines,
    }
    .into_response())
}

/// The member form as typed: every field a string, parsed into a record with all problems found.
#[derive(Deserialize, Default, Clone)]
pub struct MemberForm {
    #[serde(default)]
    pub(crate) full_name: String,
    #[serde(default)]
    pub(crate) birth_date: String,
    #[serde(default)]
    pub(crate) gender: String,
    #[serde(default)]
    pub(crate) cccd: String,
    #[serde(default)]
    pub(crate) party_card: String,
    #[serde(default)]
    pub(crate) admitted_on: String,
    #[serde(default)]
    pub(crate) official_on: String,
    #[serde(default)]
    pub(crate) org: String,
    /// What was typed in the organization picker's search box.
    #[serde(default)]
    pub(crate) org_q: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) address: String,
    pub(crate) seriously_ill: Option<String>,
    #[serde(default)]
    pub(crate) version: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|v| !v.is_empty())
}

impl MemberForm {
    fn from_record(r: &MemberRecord, version: i64) -> MemberForm {
        MemberForm {
            full_name: r.full_name.clone(),
            birth_date: format_date(r.birth_date),
            gender: r.gender.code().into(),
            cccd: r.cccd.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
            party_card: r.party_card.clone().unwrap_or_default(),
            admitted_on: format_date(r.admitted_on),
            official_on: r.official_on.map(format_date).unwrap_or_default(),
            org: r.org.0.to_string(),
            org_q: String::new(),
            phone: r.phone.clone().unwrap_or_default(),
            email: r.email.clone().unwrap_or_default(),
            address: r.address.clone().unwrap_or_default(),
            seriously_ill: r.seriously_ill.then(|| "on".into()),
            version: version.to_string(),
        }
    }

    /// The record, or every problem with the form at once.
    pub fn to_record(&self, fixed_org: Option<OrgId>) -> Result<MemberRecord, Vec<MemberError>> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, value: &str, required: bool| -> Option<Date> {
            match (value.trim(), required) {
                ("", true) => {
                    errors.push(MemberError::Required { field });
                    None
                }
                ("", false) => None,
                (v, _) => parse_date(v).or_else(|| {
                    errors.push(MemberError::BadDate { field });
                    None
                }),
            }
        };
        let birth = date("birth_date", &self.birth_date, true);
        let admitted = date("admitted_on", &self.admitted_on, true);
        let official = date("official_on", &self.official_on, false);
        let gender = Gender::from_code(self.gender.trim());
        if gender.is_none() {
            errors.push(MemberError::Required { field: "gender" });
        }
        let org = fixed_org.or_else(|| self.org.trim().parse::<i64>().ok().filter(|n| *n > 0).map(OrgId));
        if org.is_none() {
            errors.push(MemberError::Required { field: "org" });
        }
        let cccd = match (opt(&self.cccd), birth, gender) {
            (Some(raw), Some(b), Some(g)) => Cccd::parse(&raw, b, g).map(Some).unwrap_or_else(|e| {
                errors.push(e);
                None
            }),
            _ => None,
        };
        let party_card = opt(&self.party_card).and_then(|p| {
            check_party_card(&p).map(Some).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        });
        match (birth, admitted, gender, org) {
            (Some(birth_date), Some(admitted_on), Some(gender), Some(org)) if errors.is_empty() => Ok(MemberRecord {
                full_name: self.full_name.trim().to_owned(),
                birth_date,
                gender,
                cccd,
                party_card,
                admitted_on,
                official_on: official,
                org,
                phone: opt(&self.phone),
                email: opt(&self.email),
                address: opt(&self.address),
                seriously_ill: self.seriously_ill.is_some(),
            }),
            _ => {
                if self.full_name.trim().is_empty() {
                    errors.insert(0, MemberError::EmptyName);
                }
                Err(errors)
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "member_form.html")]
pub struct FormPage {
    c: Chrome,
    title: String,
    action: String,
    f: MemberForm,
    /// Organizations to choose from; none when editing (the organization changes by transfer).
    org: Option<Picker>,
    errors: HashMap<&'static str, Vec<String>>,
    general: Option<String>,
}

impl FormPage {
    pub fn err(&self, field: &str) -> String {
        self.errors.get(field).map(|e| e.join(" ")).unwrap_or_default()
    }

    pub fn has_err(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    pub fn is_date_field(&self, field: &str) -> bool {
        field.ends_with("_date") || field.ends_with("_on")
    }

    /// The typed value of a text field, to show it again.
    pub fn value(&self, field: &str) -> &str {
        let f = &self.f;
        match field {
            "full_name" => &f.full_name,
            "birth_date" => &f.birth_date,
            "cccd" => &f.cccd,
            "party_card" => &f.party_card,
            "admitted_on" => &f.admitted_on,
            "official_on" => &f.official_on,
            "phone" => &f.phone,
            "email" => &f.email,
            "address" => &f.address,
            _ => "",
        }
    }
}

fn field_errors(t: T, errors: &[MemberError]) -> HashMap<&'static str, Vec<String>> {
    let mut map: HashMap<&'static str, Vec<String>> = HashMap::new();
    for e in errors {
        map.entry(e.field()).or_default().push(describe_member(e, t));
    }
    map
}

/// The organizations where the principal may register members, as a picker of the form's choice.
async fn org_picker(app: &App, t: T, caller: &Caller, f: &MemberForm) -> Result<Picker, Problem> {
    Ok(Picker::orgs(t, "org", app.editable_member_orgs(&caller.principal).await?, &f.org, &f.org_q).with_blank())
}

fn new_page(t: T, caller: &Caller, org: Picker, f: MemberForm) -> FormPage {
    FormPage {
        c: Chrome::new(t, "members", "/members/new", Some(caller)),
        title: t.get("member.new_title").into(),
        action: "/members".into(),
        f,
        org: Some(org),
        errors: HashMap::new(),
        general: None,
    }
}

pub async fn new_form(State(app): State<App>, t: T, caller: Caller) -> Result<FormPage, Problem> {
    let f = MemberForm::default();
    let org = org_picker(&app, t, &caller, &f).await?;
    if org.is_empty() {
        return Err(Problem::App(AppError::Forbidden));
    }
    Ok(new_page(t, &caller, org, f))
}

/// Re-shows a form with its problems next to their fields, answering 422 (409 for a conflict).
fn form_with_problem(t: T, caller: &Caller, mut page: FormPage, problem: Problem) -> Response {
    let status = problem.status();
    match problem {
        Problem::App(AppError::Member(errors)) => page.errors = field_errors(t, &errors),
        other => page.general = Some(other.describe(t).1),
    }
    page.c = Chrome::new(t, "members", &page.action, Some(caller));
    (status, page).into_response()
}

pub async fn create(State(app): State<App>, t: T, caller: Caller, form: Result<Form<MemberForm>, FormRejection>) -> Result<Response, Problem> {
    let Form(f) = form?;
    if !app.may_edit_members(&caller.principal).await? {
        return Err(Problem::App(AppError::Forbidden));
    }
    if let Some(shown) = shown_while_searching(&[&f.org_q], async || Ok(new_page(t, &caller, org_picker(&app, t, &caller, &f).await?, f.clone())), |p| p.org.as_ref().is_some_and(|o| o.pending)).await? {
        return Ok(shown);
    }
    let outcome = match f.to_record(None) {
        Ok(record) => app.create_member(&caller.principal, &record).await.map_err(Problem::App),
        Err(errors) => Err(Problem::App(AppError::Member(errors))),
    };
    match outcome {
        Ok(id) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/members/{}", id.0))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden)) => Err(p),
        Err(p) => {
            let org = org_picker(&app, t, &caller, &f).await?;
            Ok(form_with_problem(t, &caller, new_page(t, &caller, org, f), p))
        }
    }
}

pub async fn edit_form(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<FormPage, Problem> {
    let id = MemberId(parse_id(&id)?);
    let d = app.member(&caller.principal, id).await?;
    if !d.may_edit {
        return Err(Problem::App(AppError::Forbidden));
    }
    Ok(FormPage {
        c: Chrome::new(t, "members", &format!("/members/{}/edit", id.0), Some(&caller)),
        title: t.fmt("member.edit_title", &[("name", &d.row.record.full_name)]),
        action: format!("/members/{}", id.0),
        f: MemberForm::from_record(&d.row.record, d.row.version),
        org: None,
        errors: HashMap::new(),
        general: None,
    })
}

pub async fn update(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Result<Form<MemberForm>, FormRejection>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    app.check_member(&caller.principal, id, Action::EditMember).await?;
    let Form(f) = form?;
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    // The organization is not edited here; any value stands in while parsing.
    let outcome = match f.to_record(Some(OrgId(1))) {
        Ok(record) => app.update_member(&caller.principal, id, &record, version).await.map_err(Problem::App),
        Err(errors) => Err(Problem::App(AppError::Member(errors))),
    };
    match outcome {
        Ok(()) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/members/{}", id.0))]).into_response()),
        Err(p @ Problem::App(AppError::Forbidden | AppError::NotFound)) => Err(p),
        Err(p) => {
            let page = FormPage {
                c: Chrome::new(t, "members", "", Some(&caller)),
                title: t.fmt("member.edit_title", &[("name", &f.full_name)]),
                action: format!("/members/{}", id.0),
                f,
                org: None,
                errors: HashMap::new(),
                general: None,
            };
            Ok(form_with_problem(t, &caller, page, p))
        }
    }
}

pub struct Line {
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "member.html")]
pub struct DetailPage {
    c: Chrome,
    id: i64,
    name: String,
    facts: Vec<(&'static str, String)>,
    org: Link,
    temporary: Option<Link>,
    age_value: String,
    age_steps: Vec<String>,
    gaps: Vec<String>,
    positions: Vec<String>,
    badges: Vec<String>,
    next_badge: Option<String>,
    files: Vec<Link>,
    history: Vec<String>,
    transfers: Vec<Link>,
    levels: Vec<String>,
    disciplines: Vec<String>,
    discipline_forms: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    may_read_files: bool,
    may_transfer: bool,
    gap_kinds: Vec<(&'static str, &'static str)>,
}

fn detail_page(t: T, caller: &Caller, d: &MemberDetail) -> DetailPage {
    let r = &d.row.record;
    let org_name = |o: &OrgId| d.names.get(o).cloned().unwrap_or_default();
    let on = today();
    let age_steps = d
        .party_age
        .steps
        .iter()
        .filter_map(|s| match s {
            AgeStep::Admitted { on } => Some(t.fmt("member.age.admitted", &[("date", &format_date(*on))])),
            AgeStep::Official { on } => Some(t.fmt("member.age.official", &[("date", &format_date(*on))])),
            AgeStep::Probationary => Some(t.get("member.age.probationary").to_owned()),
            AgeStep::Excluded { kind, from, to, days } => Some(t.fmt(
                "member.age.excluded",
                &[("days", &days.to_string()), ("kind", t.get(&format!("gap.{}", kind.code()))), ("from", &format_date(*from)), ("to", &format_date(*to))],
            )),
            AgeStep::Total { .. } => None,
        })
        .collect();
    let age = &d.party_age;
    DetailPage {
        c: Chrome::new(t, "members", &format!("/members/{}", d.row.id.0), Some(caller)),
        id: d.row.id.0,
        name: r.full_name.clone(),
        facts: vec![
            ("member.field.birth_date", format_date(r.birth_date)),
            ("member.field.gender", t.get(&format!("gender.{}", r.gender.code())).to_owned()),
            ("member.field.cccd", r.cccd.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default()),
            ("member.field.party_card", r.party_card.clone().unwrap_or_default()),
            ("member.field.admitted_on", format_date(r.admitted_on)),
            ("member.field.official_on", r.official_on.map(format_date).unwrap_or_else(|| t.get("members.probationary").into())),
            ("member.field.phone", r.phone.clone().unwrap_or_default()),
            ("member.field.email", r.email.clone().unwrap_or_default()),
            ("member.field.address", r.address.clone().unwrap_or_default()),
        ],
        org: Link { href: format!("/orgs/{}", r.org.0), text: org_name(&r.org) },
        temporary: d.row.temporary_org.map(|o| Link { href: format!("/orgs/{}", o.0), text: org_name(&o) }),
        age_value: if age.counted {
            t.fmt(
                "member.party_age_value",
                &[("years", &age.years.to_string()), ("months", &age.months.to_string()), ("days", &age.days.to_string()), ("date", &format_date(on))],
            )
        } else {
            t.get("members.probationary").into()
        },
        age_steps,
        gaps: d
            .gaps
            .iter()
            .map(|g| {
                let to = g.to.map(format_date).unwrap_or_else(|| "…".into());
                format!("{}: {} – {}{}", t.get(&format!("gap.{}", g.kind.code())), format_date(g.from), to, g.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())
            })
            .collect(),
        positions: d
            .positions
            .iter()
            .map(|p| format!("{} ({} – {})", p.title, format_date(p.from), p.to.map(format_date).unwrap_or_else(|| t.get("org.now").into())))
            .collect(),
        badges: d
            .badges
            .iter()
            .map(|b| {
                let line = t.fmt("member.badge_row", &[("years", &b.milestone.to_string()), ("date", &format_date(b.awarded_on))]);
                if b.early { format!("{line} {}", t.get("member.badge_early")) } else { line }
            })
            .collect(),
        next_badge: d.next_badge.as_ref().map(|(due, day)| {
            let key = if due.early { "member.next_badge_early" } else { "member.next_badge" };
            t.fmt(key, &[("years", &due.milestone.to_string()), ("due", &format_date(due.due)), ("day", &format_date(*day))])
        }),
        files: d
            .files
            .iter()
            .map(|f| Link { href: format!("/members/{}/files/{}", d.row.id.0, f.id), text: format!("{} ({} KiB)", f.name, (f.size + 1023) / 1024) })
            .collect(),
        history: d.changes.iter().map(|c| format!("{} — {}: {}", unix_date(c.at_unix), c.actor, c.summary)).collect(),
        transfers: d
            .transfers
            .iter()
            .map(|tr| Link {
                href: format!("/transfers/{}", tr.id),
                text: format!("{} · {} · {}", format_date(tr.introduced_on), tr.to_org.map(|o| org_name(&o)).or_else(|| tr.external_to.clone()).unwrap_or_default(), crate::error::state_label(t, tr.state)),
            })
            .collect(),
        levels: d.levels.iter().map(|(year, level)| format!("{year}: {}", level.abbreviation())).collect(),
        disciplines: d
            .disciplines
            .iter()
            .map(|x| t.fmt("member.discipline_row", &[("form", t.get(&format!("discipline.{}", x.form.code()))), ("date", &format_date(x.decided_on)), ("decision", &x.decision), ("reason", &x.reason)]))
            .collect(),
        discipline_forms: DisciplineForm::ALL.iter().map(|f| (f.code(), t.get(&format!("discipline.{}", f.code())))).collect(),
        may_edit: d.may_edit,
        may_read_files: d.may_read_files,
        may_transfer: d.may_transfer,
        gap_kinds: GapKind::ALL.iter().map(|k| (k.code(), t.get(&format!("gap.{}", k.code())))).collect(),
    }
}

/// A moment as a date in Vietnam.
fn unix_date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|ts| format_date(jiff::tz::Offset::constant(7).to_datetime(ts).date()))
        .unwrap_or_default()
}

pub async fn detail(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<DetailPage, Problem> {
    let id = MemberId(parse_id(&id)?);
    let d = app.member(&caller.principal, id).await?;
    Ok(detail_page(t, &caller, &d))
}

fn back_to(id: MemberId) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/members/{}", id.0))]).into_response()
}

fn form_date(field: &'static str, value: &str) -> Result<Date, Problem> {
    parse_date(value).ok_or(Problem::App(AppError::Member(vec![if value.trim().is_empty() {
        MemberError::Required { field }
    } else {
        MemberError::BadDate { field }
    }])))
}

#[derive(Deserialize)]
pub struct GapForm {
    kind: String,
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

pub async fn add_gap(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Result<Form<GapForm>, FormRejection>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    app.check_member(&caller.principal, id, Action::EditMember).await?;
    let Form(f) = form?;
    let kind = GapKind::from_code(&f.kind).ok_or(Problem::App(AppError::Member(vec![MemberError::Required { field: "gap" }])))?;
    let to = if f.to.trim().is_empty() { None } else { Some(form_date("gap", &f.to)?) };
    let gap = Gap { kind, from: form_date("gap", &f.from)?, to, note: opt(&f.note) };
    app.add_member_gap(&caller.principal, id, &gap).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub struct PositionForm {
    title: String,
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn add_position(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Result<Form<PositionForm>, FormRejection>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    app.check_member(&caller.principal, id, Action::EditMember).await?;
    let Form(f) = form?;
    let to = if f.to.trim().is_empty() { None } else { Some(form_date("title", &f.to)?) };
    app.add_member_position(&caller.principal, id, &f.title, None, form_date("title", &f.from)?, to).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub struct BadgeForm {
    milestone: String,
    on: String,
    #[serde(default)]
    decision: String,
}

pub async fn award_badge(State(app): State<App>, caller: Caller, Path(id): Path<String>, form: Result<Form<BadgeForm>, FormRejection>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    app.check_member(&caller.principal, id, Action::EditMember).await?;
    let Form(f) = form?;
    let milestone = f.milestone.trim().parse::<u16>().map_err(|_| Problem::BadYear(f.milestone.chars().take(10).collect()))?;
    app.award_badge(&caller.principal, id, milestone, form_date("admitted_on", &f.on)?, opt(&f.decision)).await?;
    Ok(back_to(id))
}

pub async fn upload(State(app): State<App>, caller: Caller, Path(id): Path<String>, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    app.check_member(&caller.principal, id, Action::EditMember).await?;
    let too_large = || Problem::App(AppError::File(thidua_app::FileProblem::TooLarge { max_mib: thidua_app::members::MAX_FILE_BYTES / (1024 * 1024) }));
    let refuse = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { Problem::BadRequest(e.body_text()) }
    };
    let mut multipart = multipart.map_err(|e| Problem::BadRequest(e.body_text()))?;
    while let Some(field) = multipart.next_field().await.map_err(refuse)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("tệp").to_owned();
            let bytes = field.bytes().await.map_err(refuse)?;
            app.attach_member_file(&caller.principal, id, &name, &bytes).await?;
            return Ok(back_to(id));
        }
    }
    Err(Problem::App(AppError::File(thidua_app::FileProblem::Empty)))
}

pub async fn download(State(app): State<App>, caller: Caller, Path((id, file)): Path<(String, String)>) -> Result<Response, Problem> {
    let id = MemberId(parse_id(&id)?);
    let file = parse_id(&file)?;
    let (meta, bytes) = app.member_file(&caller.principal, id, file).await?;
    // The name is user data: keep it ASCII-safe in the header and give the UTF-8 form beside it.
    let ascii: String = meta.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::auth::encode(&meta.name));
    Ok(([(CONTENT_TYPE, meta.content_type), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[derive(Deserialize, Default)]
pub struct BadgeQuery {
    date: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

pub struct BadgeLine {
    pub link: Link,
    pub org: String,
    pub milestone: String,
    pub due: String,
    pub early: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "badges.html")]
pub struct BadgesPage {
    c: Chrome,
    /// The query of this page, for its download links.
    export_query: String,
    heading: String,
    days: Vec<Link>,
    current: String,
    count: String,
    lines: Vec<BadgeLine>,
    pager: Pager,
}

pub async fn badges(State(app): State<App>, t: T, caller: Caller, query: Result<Query<BadgeQuery>, QueryRejection>) -> Result<Response, Problem> {
    let Query(q) = query?;
    let days = app.presentation_days(today())?;
    let day = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(v) => parse_date(v).ok_or_else(|| Problem::BadDate(v.chars().take(40).collect()))?,
        None => days.first().copied().unwrap_or_else(today),
    };
    let candidates = app.badge_candidates(&caller.principal, day).await?;
    if let Some(export) = Export::requested(q.format.as_deref())? {
        app.audit_export(&caller.principal, &format!("badges {}", iso(day)), candidates.len()).await?;
        let sheet = Sheet {
            name: t.get("badges.title").into(),
            title: Some(t.fmt("badges.heading", &[("date", &format_date(day))])),
            headers: ["member.field.full_name", "member.field.org", "export.milestone", "export.due", "export.early"].iter().map(|k| t.get(k).to_owned()).collect(),
            widths: vec![28.0, 40.0, 10.0, 12.0, 10.0],
            rows: candidates
                .into_iter()
                .map(|(m, due)| vec![Cell::Text(m.full_name), Cell::Text(m.org_name), Cell::Int(i64::from(due.milestone)), date_cell(Some(due.due)), Cell::Text(if due.early { t.get("export.yes") } else { "" }.into())])
                .collect(),
        };
        return export.respond("huy-hieu-dang", sheet);
    }
    let page = page_param(q.page.as_deref())?;
    let count = t.fmt("members.count", &[("count", &t.int(&candidates.len()))]);
    let (shown, more) = slice_page(candidates, page, PAGE);
    let lines: Vec<BadgeLine> = shown
        .into_iter()
        .map(|(m, due)| BadgeLine {
            link: Link { href: format!("/members/{}", m.id.0), text: m.full_name },
            org: m.org_name,
            milestone: t.fmt("members.years", &[("years", &due.milestone.to_string())]),
            due: format_date(due.due),
            early: due.early,
        })
        .collect();
    Ok(BadgesPage {
        export_query: format!("date={}", iso(day)),
        c: Chrome::new(t, "badges", "/badges", Some(&caller)),
        heading: t.fmt("badges.heading", &[("date", &format_date(day))]),
        days: days.iter().map(|d| Link { href: format!("/badges?date={}", iso(*d)), text: format_date(*d) }).collect(),
        current: format_date(day),
        count,
        pager: Pager::new(t, page, PAGE, lines.len(), more, |n| format!("/badges?date={}&page={n}", iso(day))),
        lines,
    }
    .into_response())
}
