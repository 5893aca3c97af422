//! Secret ballots over the API. No endpoint links a voter to a ballot: turnout is public while a
//! poll is open, the count and the ballots (with their receipts' hashes) only after the close.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::ballots::{Basis, NewPoll, PollOptionRow, PollRow};
use thidua_app::App;
use thidua_core::ballot::{Base, Marks, Mode, Question, Share, Tally, Threshold};
use thidua_core::date::iso;
use thidua_core::org::OrgId;
use utoipa::ToSchema;

use super::documents::day;
use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::emulation::cluster_id;
use crate::pages::parse_id;

#[derive(Serialize, ToSchema)]
pub struct PollDto {
    pub id: i64,
    pub cluster_id: i64,
    pub title: String,
    /// `choose_one`, `approve_each` or `choose_up_to`.
    pub question: String,
    /// For `choose_up_to`.
    pub max: Option<u16>,
    /// `electronic` or `paper`.
    pub mode: String,
    pub electorate: u32,
    /// E.g. `≥ 2/3`.
    pub quorum: String,
    /// E.g. `≥ 90%`.
    pub threshold: String,
    /// `electorate`, `cast` or `valid`.
    pub threshold_base: String,
    pub threshold_source: String,
    pub held_on: String,
    /// `draft`, `open` or `closed`.
    pub status: String,
}

impl From<&PollRow> for PollDto {
    fn from(p: &PollRow) -> Self {
        PollDto {
            id: p.id,
            cluster_id: p.cluster.0,
            title: p.title.clone(),
            question: p.question.code().into(),
            max: match p.question {
                Question::ChooseUpTo { max } => Some(max),
                _ => None,
            },
            mode: p.mode.code().into(),
            electorate: p.electorate,
            quorum: p.quorum.label(),
            threshold: p.threshold.share.label(),
            threshold_base: p.threshold.base.code().into(),
            threshold_source: p.threshold_source.clone(),
            held_on: iso(p.held_on),
            status: p.status.code().into(),
        }
    }
}

/// The cluster's polls.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/polls", tag = "ballots", params(("id" = i64, Path)), responses((status = 200, body = Vec<PollDto>), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<PollDto>>, Problem> {
    Ok(Json(app.polls(&caller.principal, cluster_id(&id)?).await?.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct OptionInput {
    pub label: String,
    /// The member unit the option stands for, if any.
    pub org_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct PollInput {
    pub title: String,
    pub question: String,
    pub max: Option<u16>,
    pub options: Vec<OptionInput>,
    pub mode: String,
    /// Electronic polls: the voters' usernames.
    #[serde(default)]
    pub voters: Vec<String>,
    /// Paper polls: how many may vote.
    pub electorate: Option<u32>,
    /// `cluster` (the Quy chế's leading-unit threshold), `council` (the rulebook's rule for
    /// councils on the poll's day) or `custom`.
    pub basis: String,
    /// For `custom`: e.g. `≥ 90%`, `> 1/2`.
    pub threshold: Option<String>,
    pub threshold_base: Option<String>,
    /// The cluster's quorum when absent.
    pub quorum: Option<String>,
    pub held_on: String,
    pub round_id: Option<i64>,
}

/// Prepares a poll (a draft until opened).
#[utoipa::path(post, path = "/api/v1/clusters/{id}/polls", tag = "ballots", params(("id" = i64, Path)), request_body = PollInput, responses((status = 201, body = PollDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<PollInput>, JsonRejection>) -> Result<(StatusCode, Json<PollDto>), Problem> {
    let id = cluster_id(&id)?;
    let Json(i) = body?;
    let bad = |v: &str| Problem::BadKind(v.chars().take(30).collect());
    let question = match (i.question.as_str(), i.max) {
        ("choose_one", _) => Question::ChooseOne,
        ("approve_each", _) => Question::ApproveEach,
        ("choose_up_to", Some(max)) => Question::ChooseUpTo { max },
        (q, _) => return Err(bad(q)),
    };
    let share = |v: &Option<String>| -> Result<Option<Share>, Problem> {
        v.as_deref().map(|s| Share::parse(s).ok_or_else(|| Problem::BadRequest(s.chars().take(20).collect()))).transpose()
    };
    let basis = match i.basis.as_str() {
        "cluster" => Basis::ClusterRules,
        "council" => Basis::Council,
        "custom" => {
            let share = share(&i.threshold)?.ok_or_else(|| Problem::BadRequest("threshold".into()))?;
            let base = Base::from_code(i.threshold_base.as_deref().unwrap_or("electorate")).ok_or_else(|| bad(i.threshold_base.as_deref().unwrap_or_default()))?;
            Basis::Custom(Threshold { share, base })
        }
        b => return Err(bad(b)),
    };
    let new = NewPoll {
        cluster: id,
        title: i.title,
        question,
        options: i.options.into_iter().map(|o| (o.label, o.org_id.map(OrgId))).collect(),
        mode: Mode::from_code(&i.mode).ok_or_else(|| bad(&i.mode))?,
        voters: i.voters,
        electorate: i.electorate,
        basis,
        quorum: share(&i.quorum)?,
        held_on: day(&i.held_on)?,
        round: i.round_id,
    };
    let row = app.create_poll(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json((&row).into())))
}

#[derive(Serialize, ToSchema)]
pub struct OptionResultDto {
    pub position: u16,
    pub label: String,
    pub org_id: Option<i64>,
    pub yes: u32,
    pub no: u32,
    pub adopted: bool,
    pub tied: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CountDto {
    pub electorate: u32,
    pub cast: u32,
    pub valid: u32,
    pub blank: u32,
    pub invalid: u32,
    pub quorum_met: bool,
    pub options: Vec<OptionResultDto>,
}

fn count_dto(t: &Tally, options: &[PollOptionRow]) -> CountDto {
    CountDto {
        electorate: t.electorate,
        cast: t.cast,
        valid: t.valid,
        blank: t.blank,
        invalid: t.invalid,
        quorum_met: t.quorum_met,
        options: options
            .iter()
            .zip(&t.options)
            .map(|(o, r)| OptionResultDto { position: o.position, label: o.label.clone(), org_id: o.org.map(|x| x.0), yes: r.yes, no: r.no, adopted: r.adopted, tied: t.tied.contains(&o.position) })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PollViewDto {
    pub poll: PollDto,
    pub options: Vec<String>,
    /// Ballots in the box.
    pub turnout: u32,
    /// Whether the caller may vote in it, and has.
    pub voter: bool,
    pub voted: bool,
    /// After the close, with at least two ballots.
    pub count: Option<CountDto>,
    /// The receipts' hashes of the counted ballots (without marks).
    pub published: Option<Vec<String>>,
}

/// A ballot's marks: exactly one of `chosen` (positions ticked), `approvals` (per option: true,
/// false or null) or `spoilt` (a paper ballot found spoilt).
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct MarksDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Vec<u16>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Option<bool>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoilt: Option<bool>,
}

impl MarksDto {
    fn into_marks(self) -> Result<Marks, Problem> {
        match (self.chosen, self.approvals, self.spoilt) {
            (Some(options), None, None | Some(false)) => Ok(Marks::Chosen { options }),
            (None, Some(votes), None | Some(false)) => Ok(Marks::Approvals { votes }),
            (None, None, Some(true)) => Ok(Marks::Spoilt),
            _ => Err(Problem::BadRequest("marks: give exactly one of chosen, approvals or spoilt".into())),
        }
    }

    fn from_marks(m: &Marks) -> MarksDto {
        match m {
            Marks::Chosen { options } => MarksDto { chosen: Some(options.clone()), ..MarksDto::default() },
            Marks::Approvals { votes } => MarksDto { approvals: Some(votes.clone()), ..MarksDto::default() },
            Marks::Spoilt => MarksDto { spoilt: Some(true), ..MarksDto::default() },
        }
    }
}

/// A poll: turnout while open; after the close, the count and the ballots with their receipts' hashes.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "ballots", params(("id" = i64, Path)), responses((status = 200, body = PollViewDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn detail(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<PollViewDto>, Problem> {
    let v = app.poll_view(&caller.principal, parse_id(&id)?).await?;
    let count = v.tally.as_ref().map(|t| count_dto(t, &v.options));
    Ok(Json(PollViewDto {
        poll: (&v.poll).into(),
        options: v.options.iter().map(|o| o.label.clone()).collect(),
        turnout: v.turnout,
        voter: v.me.is_some(),
        voted: v.me.as_ref().is_some_and(|m| m.voted),
        count,
        published: v.published,
    }))
}

/// Opens a prepared poll.
#[utoipa::path(post, path = "/api/v1/polls/{id}/open", tag = "ballots", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn open(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    app.open_poll(&caller.principal, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes the poll (the secretary only); no ballot is taken after.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "ballots", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    app.close_poll(&caller.principal, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptDto {
    /// Keep it: shown only once. Its SHA-256 is published with the ballot after the close.
    pub receipt: String,
    pub receipt_hash: String,
}

/// Casts the caller's own ballot, once.
#[utoipa::path(post, path = "/api/v1/polls/{id}/vote", tag = "ballots", params(("id" = i64, Path)), request_body = MarksDto, responses((status = 201, body = ReceiptDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<MarksDto>, JsonRejection>) -> Result<(StatusCode, Json<ReceiptDto>), Problem> {
    let Json(m) = body?;
    let r = app.cast(&caller.principal, parse_id(&id)?, &m.into_marks()?).await?;
    Ok((StatusCode::CREATED, Json(ReceiptDto { receipt: r.token, receipt_hash: r.hash })))
}

#[derive(Deserialize, ToSchema)]
pub struct WrittenInput {
    pub username: String,
    pub marks: MarksDto,
}

/// The secretary enters an absent member's written vote.
#[utoipa::path(post, path = "/api/v1/polls/{id}/written", tag = "ballots", params(("id" = i64, Path)), request_body = WrittenInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn written(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<WrittenInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(w) = body?;
    app.enter_written_vote(&caller.principal, parse_id(&id)?, &w.username, &w.marks.into_marks()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The count committee enters a paper ballot.
#[utoipa::path(post, path = "/api/v1/polls/{id}/paper", tag = "ballots", params(("id" = i64, Path)), request_body = MarksDto, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn paper(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<MarksDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let Json(m) = body?;
    app.enter_paper_ballot(&caller.principal, parse_id(&id)?, &m.into_marks()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptInput {
    pub receipt: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptCheckDto {
    pub counted: bool,
    pub marks: Option<MarksDto>,
}

/// Checks a receipt against the published ballots, after the close.
#[utoipa::path(post, path = "/api/v1/polls/{id}/receipt", tag = "ballots", params(("id" = i64, Path)), request_body = ReceiptInput, responses((status = 200, body = ReceiptCheckDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn receipt(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<ReceiptInput>, JsonRejection>) -> Result<Json<ReceiptCheckDto>, Problem> {
    let Json(r) = body?;
    let found = app.check_receipt(&caller.principal, parse_id(&id)?, &r.receipt).await?;
    Ok(Json(ReceiptCheckDto { counted: found.is_some(), marks: found.as_ref().map(MarksDto::from_marks) }))
}

#[derive(Serialize, ToSchema)]
pub struct VoteRecordDto {
    pub poll_id: i64,
    pub title: String,
    pub held_on: String,
    pub threshold: String,
    pub threshold_base: String,
    pub threshold_source: String,
    pub count: CountDto,
}

/// The outcome as a dossier records it: the vote record of a commendation proposal.
#[utoipa::path(get, path = "/api/v1/polls/{id}/result", tag = "ballots", params(("id" = i64, Path)), responses((status = 200, body = VoteRecordDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn result(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<VoteRecordDto>, Problem> {
    let r = app.vote_record(&caller.principal, parse_id(&id)?).await?;
    let t = &r.tally;
    Ok(Json(VoteRecordDto {
        poll_id: r.poll,
        title: r.title.clone(),
        held_on: iso(r.held_on),
        threshold: r.threshold.share.label(),
        threshold_base: r.threshold.base.code().into(),
        threshold_source: r.threshold_source.clone(),
        count: count_dto(t, &r.options),
    }))
}
