//! Pages of a scoring round: the round with its progress and ranking, the score entry grid, the
//! explanation of a unit's total, and the leader's actions (adjust, assign, close, reopen).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::extract::multipart::MultipartRejection;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use thidua_app::scoring::{criterion_title, LineInput, RoundView, SheetKey};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::emulation::CriterionKind;
use thidua_core::org::OrgId;
use thidua_core::scoring::{format_centi, leaves, Adjustment, Centi, Decided, Frac, PeerMode, ScorerRole};

use super::emulation::{answer, FormState};
use super::{parse_id, Chrome, Link};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

fn frac(t: T, f: Frac) -> String {
    format_centi(f.round(), t.lang)
}

fn role_label(t: T, r: ScorerRole) -> &'static str {
    t.get(&format!("scorer.{}", r.code()))
}

fn sheet_href(round: i64, k: &SheetKey) -> String {
    format!("/rounds/{round}/sheet?target={}&role={}&scorer={}", k.target.0, k.role.code(), k.scorer.0)
}

pub struct SheetLine {
    pub href: String,
    pub text: String,
    pub state: &'static str,
}

pub struct UnitLine {
    pub name: String,
    pub own: &'static str,
    pub peers: String,
    pub leader: String,
}

pub struct RankLine {
    pub rank: usize,
    pub link: Link,
    pub normal: String,
    pub bonus: String,
    pub penalty: String,
    pub adjustments: String,
    pub total: String,
    pub decided: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "round.html")]
pub struct RoundPage {
    c: Chrome,
    id: i64,
    version: i64,
    campaign: Link,
    cluster: Link,
    closed: bool,
    weights: String,
    peer_mode: &'static str,
    units: Vec<UnitLine>,
    missing: Vec<String>,
    fillable: Vec<SheetLine>,
    ranking: Option<Vec<RankLine>>,
    adjustments: Vec<String>,
    reopenings: Vec<String>,
    assigned_mode: bool,
    /// `(field name, scorer, target, ticked)` for the assignment grid.
    assignments: Vec<(String, String, String, bool)>,
    members: Vec<(String, String)>,
    codes: Vec<(String, String)>,
    may_edit: bool,
    f: FormState,
}

fn decided_label(t: T, d: &Decided, codes: &[String]) -> String {
    match d {
        Decided::MainCriterion(i) => t.fmt("ranking.by.main", &[("code", codes.get(*i).map(String::as_str).unwrap_or("?"))]),
        Decided::Total => t.get("ranking.by.total").into(),
        Decided::Normal => t.get("ranking.by.normal").into(),
        Decided::Penalty => t.get("ranking.by.penalty").into(),
        Decided::Name => t.get("ranking.by.name").into(),
        Decided::Id => t.get("ranking.by.id").into(),
    }
}

async fn round_page(app: &App, t: T, caller: &Caller, id: i64, f: FormState) -> Result<RoundPage, Problem> {
    let v: RoundView = app.round_view(&caller.principal, id).await?;
    let w = v.round.rules.weights;
    let names: HashMap<OrgId, String> = v.units.iter().map(|u| (u.org, u.name.clone())).collect();
    let name = |o: &OrgId| names.get(o).cloned().unwrap_or_default();
    let state = |done: bool| if done { t.get("sheet.submitted") } else { t.get("sheet.pending") };
    let mains: Vec<String> = v.round.criteria.iter().filter(|c| c.parent.is_none() && c.kind == CriterionKind::Normal).map(|c| c.code.clone()).collect();
    let ranking = v.ranking.as_ref().map(|list| {
        list.iter()
            .map(|r| RankLine {
                rank: r.rank,
                link: Link { href: format!("/rounds/{id}/units/{}", r.org.0), text: r.name.clone() },
                normal: frac(t, r.result.normal),
                bonus: frac(t, r.result.bonus),
                penalty: frac(t, r.result.penalty),
                adjustments: format_centi(r.result.adjustments, t.lang),
                total: frac(t, r.result.total),
                decided: r.above_next_by.as_ref().map(|d| decided_label(t, d, &mains)).unwrap_or_default(),
            })
            .collect()
    });
    let assigned_mode = v.round.rules.peers == PeerMode::Assigned;
    let mut assignments = Vec::new();
    if assigned_mode && v.may_edit {
        for s in &v.units {
            for tg in v.units.iter().filter(|x| x.org != s.org) {
                assignments.push((format!("a_{}_{}", s.org.0, tg.org.0), s.name.clone(), tg.name.clone(), v.assignments.contains(&(s.org, tg.org))));
            }
        }
    }
    Ok(RoundPage {
        c: Chrome::new(t, "clusters", &format!("/rounds/{id}"), Some(caller)),
        id,
        version: v.round.version,
        campaign: Link { href: format!("/campaigns/{}", v.campaign.id), text: v.campaign.title.clone() },
        cluster: Link { href: format!("/clusters/{}?year={}", v.cluster.id.0, v.round.year), text: v.cluster.name.clone() },
        closed: v.round.closed,
        weights: t.fmt("rules.weights", &[("self", &w.self_pct.to_string()), ("peer", &w.peer_pct.to_string()), ("leader", &w.leader_pct.to_string())]),
        peer_mode: t.get(if assigned_mode { "peer_mode.assigned" } else { "peer_mode.all_peers" }),
        units: v
            .units
            .iter()
            .map(|u| UnitLine {
                name: u.name.clone(),
                own: state(u.own_submitted),
                peers: format!("{}/{}", u.peers_submitted, u.peers_expected),
                leader: u.leader_submitted.map(|d| state(d).to_owned()).unwrap_or_else(|| "–".into()),
            })
            .collect(),
        missing: v.missing.iter().map(|s| t.fmt("round.missing_line", &[("scorer", &s.scorer_name), ("role", role_label(t, s.key.role)), ("target", &s.target_name)])).collect(),
        fillable: v
            .fillable
            .iter()
            .map(|s| SheetLine {
                href: sheet_href(id, &s.key),
                text: t.fmt("round.sheet_line", &[("scorer", &s.scorer_name), ("role", role_label(t, s.key.role)), ("target", &s.target_name)]),
                state: if s.submitted { t.get("sheet.submitted") } else if s.started { t.get("sheet.draft") } else { t.get("sheet.pending") },
            })
            .collect(),
        ranking,
        adjustments: v
            .adjustments
            .iter()
            .map(|a| {
                let on = a.adjustment.criterion.as_ref().map(|c| format!(" ({c})")).unwrap_or_default();
                format!("{}{on}: {} — {} ({})", name(&a.target), format_centi(a.adjustment.centi, t.lang), a.adjustment.reason, a.actor)
            })
            .collect(),
        reopenings: v.reopenings.iter().map(|r| format!("{}: {}", r.actor, r.reason)).collect(),
        assigned_mode,
        assignments,
        members: v.units.iter().map(|u| (u.org.0.to_string(), u.name.clone())).collect(),
        codes: v.round.criteria.iter().map(|c| (c.code.clone(), format!("{} {}", c.code, c.title))).collect(),
        may_edit: v.may_edit,
        f,
    })
}

pub async fn round(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<RoundPage, Problem> {
    round_page(&app, t, &caller, parse_id(&id)?, FormState::default()).await
}

/// Opens the scoring round of a campaign.
pub async fn open(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let campaign = parse_id(&id)?;
    let round = app.open_round(&caller.principal, campaign).await?;
    Ok(super::emulation::see_other(format!("/rounds/{}", round.id)))
}

type Values = Result<Form<Vec<(String, String)>>, FormRejection>;

async fn after(app: &App, t: T, caller: &Caller, id: i64, f: FormState, outcome: Result<(), AppError>) -> Result<Response, Problem> {
    answer(t, f, outcome.map(|()| format!("/rounds/{id}")), async |f| round_page(app, t, caller, id, f).await).await
}

fn version(f: &FormState) -> Result<i64, Problem> {
    f.val("version").parse::<i64>().map_err(|_| Problem::BadRequest("version".into()))
}

pub async fn close(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = app.close_round(&caller.principal, id, version(&f)?).await;
    after(&app, t, &caller, id, f, outcome).await
}

pub async fn reopen(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = app.reopen_round(&caller.principal, id, version(&f)?, f.val("reason")).await;
    after(&app, t, &caller, id, f, outcome).await
}

/// Reads a signed number of points: `-1,5`, `+2`, `3`.
fn signed_points(text: &str) -> Option<i64> {
    let t = text.trim();
    let (sign, rest) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    Centi::parse(rest).map(|c| sign * c.0)
}

pub async fn adjust(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let org = f.val("org").parse::<i64>().ok().map(OrgId);
    let outcome = match (org, signed_points(f.val("points"))) {
        (Some(org), Some(centi)) => {
            let a = Adjustment { criterion: Some(f.val("criterion").to_owned()), centi, reason: f.val("reason").to_owned() };
            app.add_adjustment(&caller.principal, id, org, &a).await
        }
        (None, _) => Err(AppError::Invalid(vec![FieldProblem::new("org", Invalid::Required)])),
        (_, None) => Err(AppError::Invalid(vec![FieldProblem::new("points", Invalid::OutOfRange)])),
    };
    after(&app, t, &caller, id, f, outcome).await
}

pub async fn assign(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let pairs: Vec<(OrgId, OrgId)> = values
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("a_"))
        .filter_map(|pair| pair.split_once('_'))
        .filter_map(|(s, tg)| Some((OrgId(s.parse().ok()?), OrgId(tg.parse().ok()?))))
        .collect();
    let f = FormState::sent(values);
    let outcome = app.set_assignments(&caller.principal, id, &pairs).await;
    after(&app, t, &caller, id, f, outcome).await
}

#[derive(Deserialize)]
pub struct KeyQuery {
    target: Option<String>,
    role: Option<String>,
    scorer: Option<String>,
}

fn key_from(target: &str, role: &str, scorer: &str) -> Result<SheetKey, Problem> {
    Ok(SheetKey {
        target: OrgId(parse_id(target)?),
        role: ScorerRole::from_code(role).ok_or_else(|| Problem::BadKind(role.chars().take(20).collect()))?,
        scorer: OrgId(parse_id(scorer)?),
    })
}

pub struct GridLine {
    pub code: String,
    pub title: String,
    pub max: String,
    pub kind: &'static str,
    pub depth: usize,
    pub leaf: bool,
    pub evidence_kinds: String,
    pub files: Vec<Link>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sheet.html")]
pub struct SheetPage {
    c: Chrome,
    id: i64,
    round: Link,
    heading: String,
    target_id: String,
    role: &'static str,
    scorer_id: String,
    scorer_name: String,
    version: i64,
    submitted: bool,
    may_write: bool,
    lines: Vec<GridLine>,
    f: FormState,
}

async fn sheet_page(app: &App, t: T, caller: &Caller, id: i64, key: SheetKey, f: Option<FormState>) -> Result<SheetPage, Problem> {
    let v = app.sheet_view(&caller.principal, id, key).await?;
    let f = f.unwrap_or_else(|| {
        let mut values = Vec::new();
        for (code, l) in &v.lines {
            values.push((format!("score_{code}"), format_centi(l.centi.0, t.lang)));
            values.push((format!("note_{code}"), l.note.clone()));
            if let Some(d) = l.document.and_then(|d| v.documents.get(&d)) {
                values.push((format!("doc_{code}"), d.clone()));
            }
        }
        FormState::sent(values)
    });
    let leaf_codes: Vec<String> = leaves(&v.round.criteria).iter().map(|c| c.code.clone()).collect();
    let depth = |code: &str| {
        let mut d = 0;
        let mut cursor = v.round.criteria.iter().find(|c| c.code == code).and_then(|c| c.parent.clone());
        while let Some(p) = cursor.filter(|_| d < 8) {
            d += 1;
            cursor = v.round.criteria.iter().find(|c| c.code == p).and_then(|c| c.parent.clone());
        }
        d
    };
    let lines = v
        .round
        .criteria
        .iter()
        .map(|c| GridLine {
            code: c.code.clone(),
            title: c.title.clone(),
            max: t.int(&(c.max_points as usize)),
            kind: match c.kind {
                CriterionKind::Normal => "",
                k => t.get(&format!("criterion.kind.{}", k.code())),
            },
            depth: depth(&c.code),
            leaf: leaf_codes.contains(&c.code),
            evidence_kinds: c.evidence.join(", "),
            files: v.files.iter().filter(|x| x.code == c.code).map(|x| Link { href: format!("/rounds/{id}/files/{}", x.id), text: x.name.clone() }).collect(),
        })
        .collect();
    Ok(SheetPage {
        c: Chrome::new(t, "clusters", &format!("/rounds/{id}/sheet"), Some(caller)),
        id,
        round: Link { href: format!("/rounds/{id}"), text: t.get("round.title").into() },
        heading: t.fmt("sheet.heading", &[("role", role_label(t, key.role)), ("target", &v.target_name)]),
        target_id: key.target.0.to_string(),
        role: key.role.code(),
        scorer_id: key.scorer.0.to_string(),
        scorer_name: v.scorer_name.clone(),
        version: v.sheet.as_ref().map_or(1, |s| s.version),
        submitted: v.sheet.as_ref().is_some_and(|s| s.submitted),
        may_write: v.may_write,
        lines,
        f,
    })
}

pub async fn sheet(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, query: Result<Query<KeyQuery>, QueryRejection>) -> Result<SheetPage, Problem> {
    let Query(q) = query?;
    let key = key_from(q.target.as_deref().unwrap_or_default(), q.role.as_deref().unwrap_or_default(), q.scorer.as_deref().unwrap_or_default())?;
    sheet_page(&app, t, &caller, parse_id(&id)?, key, None).await
}

/// Saves or submits a sheet from the grid: `score_<code>`, `note_<code>`, `doc_<code>` per leaf.
pub async fn save_sheet(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let key = key_from(f.val("target"), f.val("role"), f.val("scorer"))?;
    let version = version(&f)?;
    let mut lines = Vec::new();
    let mut bad = false;
    for (k, v) in f.pairs() {
        let Some(code) = k.strip_prefix("score_") else { continue };
        if v.trim().is_empty() {
            continue;
        }
        match Centi::parse(v) {
            Some(score) => lines.push(LineInput {
                code: code.to_owned(),
                score,
                note: f.val(&format!("note_{code}")).to_owned(),
                document: Some(f.val(&format!("doc_{code}")).to_owned()),
            }),
            None => bad = true,
        }
    }
    let submit = f.val("action") == "submit";
    let outcome = if bad { Err(AppError::Invalid(vec![FieldProblem::new("scores", Invalid::OutOfRange)])) } else { app.save_sheet(&caller.principal, id, key, version, &lines, submit).await };
    answer(t, f, outcome.map(|()| sheet_href(id, &key)), async |f| sheet_page(&app, t, &caller, id, key, Some(f)).await).await
}

/// Attaches an evidence file to one score.
pub async fn upload(State(app): State<App>, caller: Caller, Path(id): Path<String>, multipart: Result<Multipart, MultipartRejection>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let (fields, files) = super::documents::read_multipart(multipart).await?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let key = key_from(&get("target"), &get("role"), &get("scorer"))?;
    let file = files.into_iter().next().ok_or(Problem::App(AppError::File(thidua_app::FileProblem::Empty)))?;
    app.add_score_file(&caller.principal, id, key, &get("code"), &file).await?;
    Ok(super::emulation::see_other(sheet_href(id, &key)))
}

pub async fn file(State(app): State<App>, caller: Caller, Path((id, file)): Path<(String, String)>) -> Result<Response, Problem> {
    let (name, content_type, bytes) = app.score_file(&caller.principal, parse_id(&id)?, parse_id(&file)?).await?;
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    Ok(([(CONTENT_TYPE, content_type), (CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\""))], bytes).into_response())
}

pub struct ExplainLine {
    pub code: String,
    pub title: String,
    pub own: String,
    pub peers: String,
    pub peer_mean: String,
    pub leader: String,
    pub value: String,
    pub sign: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "explanation.html")]
pub struct ExplanationPage {
    c: Chrome,
    round: Link,
    name: String,
    rank: String,
    weights: String,
    lines: Vec<ExplainLine>,
    normal: String,
    bonus: String,
    penalty: String,
    adjustments: Vec<String>,
    total: String,
}

pub async fn explanation(State(app): State<App>, t: T, caller: Caller, Path((id, org)): Path<(String, String)>) -> Result<ExplanationPage, Problem> {
    let id = parse_id(&id)?;
    let e = app.explanation(&caller.principal, id, OrgId(parse_id(&org)?)).await?;
    let w = e.round.rules.weights;
    let scorer = |o: &OrgId| e.scorer_names.get(o).cloned().unwrap_or_default();
    let c = |x: Option<Centi>| x.map(|v| format_centi(v.0, t.lang)).unwrap_or_else(|| "–".into());
    Ok(ExplanationPage {
        c: Chrome::new(t, "clusters", &format!("/rounds/{id}"), Some(&caller)),
        round: Link { href: format!("/rounds/{id}"), text: t.get("round.title").into() },
        name: e.name.clone(),
        rank: e.rank.map(|r| r.to_string()).unwrap_or_default(),
        weights: t.fmt("rules.weights", &[("self", &w.self_pct.to_string()), ("peer", &w.peer_pct.to_string()), ("leader", &w.leader_pct.to_string())]),
        lines: e
            .result
            .lines
            .iter()
            .map(|l| ExplainLine {
                code: l.code.clone(),
                title: criterion_title(&e.round.criteria, &l.code).to_owned(),
                own: c(l.self_score),
                peers: l.peers.iter().map(|(o, v)| format!("{}: {}", scorer(o), format_centi(v.0, t.lang))).collect::<Vec<_>>().join("; "),
                peer_mean: l.peer_mean.map(|m| frac(t, m)).unwrap_or_else(|| "–".into()),
                leader: c(l.leader),
                value: frac(t, l.value),
                sign: match l.kind {
                    CriterionKind::Penalty => "−",
                    _ => "+",
                },
            })
            .collect(),
        normal: frac(t, e.result.normal),
        bonus: frac(t, e.result.bonus),
        penalty: frac(t, e.result.penalty),
        adjustments: e.adjustments.iter().map(|a| format!("{}: {} ({})", format_centi(a.adjustment.centi, t.lang), a.adjustment.reason, a.actor)).collect(),
        total: frac(t, e.result.total),
    })
}
