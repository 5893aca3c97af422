//! Pages of secret ballots: preparing a poll, the poll page (turnout while open; the voting form for
//! a voter, usable on a phone; the secretary's entry of written and paper ballots; after the close,
//! the count and the published receipts), the receipt check and the minutes of the count.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use thidua_app::ballots::{Basis, NewPoll, PollView, Receipt};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::ballot::{Base, Marks, Mode, Question, Share, Status, Threshold};
use thidua_core::cluster::ClusterId;
use thidua_core::date::{format_date, parse_date};
use thidua_core::org::OrgId;

use super::emulation::{answer, cluster_id, FormState};
use super::{parse_id, today, Chrome, Link};
use crate::auth::Caller;
use crate::error::Problem;
use crate::i18n::T;

type Values = Result<Form<Vec<(String, String)>>, FormRejection>;

#[derive(Template, WebTemplate)]
#[template(path = "poll_form.html")]
pub struct PollFormPage {
    c: Chrome,
    id: i64,
    name: String,
    members: Vec<(String, String)>,
    f: FormState,
}

async fn poll_form_page(app: &App, t: T, caller: &Caller, id: ClusterId, f: FormState) -> Result<PollFormPage, Problem> {
    if !app.may_edit_cluster(&caller.principal, id).await {
        return Err(Problem::App(AppError::Forbidden));
    }
    let year = parse_date(f.val("held_on")).map_or(today().year(), |d| d.year());
    let detail = match app.cluster_detail(&caller.principal, id, Some(year)).await {
        Ok(d) if !d.members.is_empty() => d,
        _ => app.cluster_detail(&caller.principal, id, None).await?,
    };
    let mut members: Vec<(String, String)> = detail.members.iter().map(|m| (m.org.org.0.to_string(), m.org.name.clone())).collect();
    thidua_core::vi::sort_by_name(&mut members, |x| &x.1);
    Ok(PollFormPage { c: Chrome::new(t, "clusters", &format!("/clusters/{}/polls/new", id.0), Some(caller)), id: id.0, name: detail.cluster.name, members, f })
}

pub async fn new_poll(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<PollFormPage, Problem> {
    let id = cluster_id(&id)?;
    let f = FormState::sent(vec![
        ("held_on".into(), format_date(today())),
        ("question".into(), "choose_one".into()),
        ("mode".into(), "electronic".into()),
        ("basis".into(), "cluster".into()),
        ("base".into(), "electorate".into()),
    ]);
    poll_form_page(&app, t, &caller, id, f).await
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn poll_from(id: ClusterId, f: &FormState) -> Result<NewPoll, AppError> {
    let mut problems = Vec::new();
    let question = match f.val("question") {
        "choose_one" => Some(Question::ChooseOne),
        "approve_each" => Some(Question::ApproveEach),
        "choose_up_to" => match f.val("max").trim().parse::<u16>() {
            Ok(max) => Some(Question::ChooseUpTo { max }),
            Err(_) => {
                problems.push(FieldProblem::new("max", Invalid::OutOfRange));
                None
            }
        },
        _ => {
            problems.push(FieldProblem::new("question", Invalid::Choice));
            None
        }
    };
    let mode = Mode::from_code(f.val("mode"));
    if mode.is_none() {
        problems.push(FieldProblem::new("mode", Invalid::Choice));
    }
    let held_on = parse_date(f.val("held_on"));
    if held_on.is_none() {
        problems.push(FieldProblem::new("held_on", Invalid::BadDate));
    }
    // Member units ticked come first, then the other options typed one per line.
    let mut options: Vec<(String, Option<OrgId>)> = Vec::new();
    for (k, v) in f.pairs() {
        if k == "unit_option"
            && let Ok(o) = v.parse::<i64>()
        {
            let label = f.val(&format!("unit_label_{o}")).to_owned();
            options.push((label, Some(OrgId(o))));
        }
    }
    options.extend(lines(f.val("options")).into_iter().map(|l| (l, None)));
    let electorate = match f.val("electorate").trim() {
        "" => None,
        v => match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(FieldProblem::new("electorate", Invalid::OutOfRange));
                None
            }
        },
    };
    let quorum = match f.val("quorum").trim() {
        "" => None,
        v => match Share::parse(v) {
            Some(s) => Some(s),
            None => {
                problems.push(FieldProblem::new("quorum", Invalid::OutOfRange));
                None
            }
        },
    };
    let basis = match f.val("basis") {
        "council" => Basis::Council,
        "custom" => match (Share::parse(f.val("threshold")), Base::from_code(f.val("base"))) {
            (Some(share), Some(base)) => Basis::Custom(Threshold { share, base }),
            _ => {
                problems.push(FieldProblem::new("threshold", Invalid::OutOfRange));
                Basis::ClusterRules
            }
        },
        _ => Basis::ClusterRules,
    };
    let round = f.val("round").trim().parse::<i64>().ok();
    match (question, mode, held_on, problems.is_empty()) {
        (Some(question), Some(mode), Some(held_on), true) => Ok(NewPoll {
            cluster: id,
            title: f.val("title").into(),
            question,
            options,
            mode,
            voters: lines(f.val("voters")),
            electorate,
            basis,
            quorum,
            held_on,
            round,
        }),
        _ => Err(AppError::Invalid(problems)),
    }
}

pub async fn create_poll(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = cluster_id(&id)?;
    if !app.may_edit_cluster(&caller.principal, id).await {
        return Err(Problem::App(AppError::Forbidden));
    }
    let Form(values) = form?;
    let f = FormState::sent(values);
    let outcome = match poll_from(id, &f) {
        Ok(new) => app.create_poll(&caller.principal, &new).await,
        Err(e) => Err(e),
    };
    answer(t, f, outcome.map(|p| format!("/polls/{}", p.id)), async |f| poll_form_page(&app, t, &caller, id, f).await).await
}

pub struct OptionLine {
    pub position: String,
    pub label: String,
    pub yes: String,
    pub no: String,
    pub outcome: &'static str,
    pub adopted: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "poll.html")]
pub struct PollPage {
    c: Chrome,
    id: i64,
    cluster: Link,
    title: String,
    status: Status,
    status_label: &'static str,
    question: String,
    question_code: &'static str,
    max: u16,
    mode: Mode,
    held_on: String,
    threshold: String,
    quorum: String,
    turnout: String,
    may_vote: bool,
    voted: bool,
    may_manage: bool,
    options: Vec<(String, String)>,
    results: Option<Vec<OptionLine>>,
    counts: String,
    withheld: bool,
    published: Vec<String>,
    voters: Vec<(String, String, &'static str)>,
    receipt: Option<Receipt>,
    checked: Option<String>,
    f: FormState,
}

fn describe_marks(t: T, marks: &Marks, options: &[(String, String)]) -> String {
    let label = |i: &u16| options.get(usize::from(*i)).map(|o| o.1.clone()).unwrap_or_default();
    match marks {
        Marks::Chosen { options: chosen } if chosen.is_empty() => t.get("ballot.blank").into(),
        Marks::Chosen { options: chosen } => chosen.iter().map(label).collect::<Vec<_>>().join("; "),
        Marks::Approvals { votes } => votes
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let what = match v {
                    Some(true) => t.get("ballot.yes"),
                    Some(false) => t.get("ballot.no"),
                    None => t.get("ballot.none"),
                };
                format!("{}: {what}", label(&(i as u16)))
            })
            .collect::<Vec<_>>()
            .join("; "),
        Marks::Spoilt => t.get("ballot.spoilt").into(),
    }
}

async fn poll_page(app: &App, t: T, caller: &Caller, id: i64, receipt: Option<Receipt>, checked: Option<String>, f: FormState) -> Result<PollPage, Problem> {
    let v: PollView = app.poll_view(&caller.principal, id).await?;
    let p = &v.poll;
    let options: Vec<(String, String)> = v.options.iter().map(|o| (o.position.to_string(), o.label.clone())).collect();
    let base = t.get(&format!("base.{}", p.threshold.base.code()));
    let results = v.tally.as_ref().map(|tally| {
        let base_count = match p.threshold.base {
            Base::Electorate => tally.electorate,
            Base::Cast => tally.cast,
            Base::Valid => tally.valid,
        };
        v.options
            .iter()
            .zip(&tally.options)
            .map(|(o, r)| OptionLine {
                position: (o.position + 1).to_string(),
                label: o.label.clone(),
                yes: format!("{} ({})", r.yes, t.percent(i64::from(r.yes), i64::from(base_count))),
                no: r.no.to_string(),
                outcome: if r.adopted {
                    t.get("ballot.adopted")
                } else if tally.tied.contains(&o.position) {
                    t.get("ballot.tied")
                } else {
                    t.get("ballot.not_adopted")
                },
                adopted: r.adopted,
            })
            .collect()
    });
    let counts = v
        .tally
        .as_ref()
        .map(|x| {
            t.fmt(
                "poll.counts",
                &[
                    ("cast", &x.cast.to_string()),
                    ("electorate", &x.electorate.to_string()),
                    ("valid", &x.valid.to_string()),
                    ("blank", &x.blank.to_string()),
                    ("invalid", &x.invalid.to_string()),
                    ("quorum", t.get(if x.quorum_met { "poll.quorum_met" } else { "poll.quorum_not_met" })),
                ],
            )
        })
        .unwrap_or_default();
    let question = match p.question {
        Question::ChooseOne => t.get("question.choose_one").to_owned(),
        Question::ApproveEach => t.get("question.approve_each").to_owned(),
        Question::ChooseUpTo { max } => t.fmt("question.choose_up_to", &[("max", &max.to_string())]),
    };
    Ok(PollPage {
        c: Chrome::new(t, "clusters", &format!("/polls/{id}"), Some(caller)),
        id,
        cluster: Link { href: format!("/clusters/{}?year={}", v.cluster.id.0, p.held_on.year()), text: v.cluster.name.clone() },
        title: p.title.clone(),
        status: p.status,
        status_label: t.get(&format!("poll.status.{}", p.status.code())),
        question,
        question_code: p.question.code(),
        max: match p.question {
            Question::ChooseUpTo { max } => max,
            _ => 1,
        },
        mode: p.mode,
        held_on: format_date(p.held_on),
        threshold: format!("{} {base} ({})", p.threshold.share.label(), p.threshold_source),
        quorum: p.quorum.label(),
        // Written votes are entered for an electronic poll; a paper poll is all paper, so saying
        // how many were on paper tells nothing.
        turnout: t.fmt(
            if p.mode == Mode::Paper { "poll.turnout_paper" } else { "poll.turnout" },
            &[("voted", &v.turnout.to_string()), ("electorate", &p.electorate.to_string()), ("written", &v.written.to_string())],
        ),
        may_vote: p.status == Status::Open && v.me.as_ref().is_some_and(|m| !m.voted),
        voted: v.me.as_ref().is_some_and(|m| m.voted),
        may_manage: v.may_manage,
        results,
        counts,
        withheld: v.withheld,
        published: v.published.clone().unwrap_or_default(),
        voters: v
            .voters
            .as_ref()
            .map(|list| {
                list.iter()
                    .map(|x| {
                        let state = if x.written { t.get("poll.voter.written") } else if x.voted { t.get("poll.voter.voted") } else { t.get("poll.voter.not_yet") };
                        (x.display_name.clone(), x.username.clone(), state)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        options,
        receipt,
        checked,
        f,
    })
}

pub async fn poll(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<PollPage, Problem> {
    poll_page(&app, t, &caller, parse_id(&id)?, None, None, FormState::default()).await
}

/// Reads a ballot from the form: `choice` (one or several positions) or `o_<position>` =
/// `yes`/`no` for approve-each; `spoilt` for a paper ballot found spoilt.
async fn marks_from(app: &App, caller: &Caller, id: i64, f: &FormState) -> Result<Marks, Problem> {
    if f.val("spoilt") == "on" {
        return Ok(Marks::Spoilt);
    }
    let v = app.poll_view(&caller.principal, id).await?;
    let n = v.options.len();
    Ok(match v.poll.question {
        Question::ApproveEach => Marks::Approvals {
            votes: (0..n)
                .map(|i| match f.val(&format!("o_{i}")) {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => None,
                })
                .collect(),
        },
        _ => Marks::Chosen { options: f.pairs().iter().filter(|(k, _)| k == "choice").filter_map(|(_, v)| v.parse::<u16>().ok()).collect() },
    })
}

async fn after(app: &App, t: T, caller: &Caller, id: i64, f: FormState, outcome: Result<(), AppError>) -> Result<Response, Problem> {
    answer(t, f, outcome.map(|()| format!("/polls/{id}")), async |f| poll_page(app, t, caller, id, None, None, f).await).await
}

pub async fn open(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let outcome = app.open_poll(&caller.principal, id).await;
    after(&app, t, &caller, id, FormState::default(), outcome).await
}

pub async fn close(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let outcome = app.close_poll(&caller.principal, id).await;
    after(&app, t, &caller, id, FormState::default(), outcome).await
}

/// The voter's ballot. The answer shows the receipt once (it is never sent again).
pub async fn vote(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let marks = marks_from(&app, &caller, id, &f).await?;
    match app.cast(&caller.principal, id, &marks).await {
        Ok(receipt) => Ok(poll_page(&app, t, &caller, id, Some(receipt), None, FormState::default()).await?.into_response()),
        Err(e) => after(&app, t, &caller, id, f, Err(e)).await,
    }
}

pub async fn written(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let marks = marks_from(&app, &caller, id, &f).await?;
    let outcome = app.enter_written_vote(&caller.principal, id, f.val("voter"), &marks).await;
    after(&app, t, &caller, id, f, outcome).await
}

pub async fn paper(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    let marks = marks_from(&app, &caller, id, &f).await?;
    let outcome = app.enter_paper_ballot(&caller.principal, id, &marks).await;
    after(&app, t, &caller, id, f, outcome).await
}

/// Checks a receipt token against the published ballots.
pub async fn receipt(State(app): State<App>, t: T, caller: Caller, Path(id): Path<String>, form: Values) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let Form(values) = form?;
    let f = FormState::sent(values);
    match app.check_receipt(&caller.principal, id, f.val("token")).await {
        Ok(found) => {
            let options: Vec<(String, String)> = app.poll_view(&caller.principal, id).await?.options.iter().map(|o| (o.position.to_string(), o.label.clone())).collect();
            let message = match found {
                Some(marks) => t.fmt("receipt.found", &[("marks", &describe_marks(t, &marks, &options))]),
                None => t.get("receipt.not_found").to_owned(),
            };
            Ok(poll_page(&app, t, &caller, id, None, Some(message), FormState::default()).await?.into_response())
        }
        Err(e) => after(&app, t, &caller, id, f, Err(e)).await,
    }
}

pub async fn minutes(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let bytes = app.count_minutes_docx(&caller.principal, id).await?;
    Ok((
        StatusCode::OK,
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"bien-ban-kiem-phieu-{id}.docx\"")),
        ],
        bytes,
    )
        .into_response())
}
