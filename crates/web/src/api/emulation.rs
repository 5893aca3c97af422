//! The emulation work of clusters over the API: rules and next year's membership, campaigns with
//! criteria, registrations and covenant, meetings, key tasks.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::emulation::{CampaignRow, CovenantInput, Guest, KeyTaskRow, MeetingRow, NewCampaign, NewMeeting, TaskView, TopicRow};
use thidua_app::App;
use thidua_core::cluster::{ClusterRole, ClusterYear};
use thidua_core::date::iso;
use thidua_core::ballot::{Base, Share};
use thidua_core::scoring::{PeerMode, ScoringRules, Weights};
use thidua_core::emulation::{CampaignKind, ClusterRules, CovenantEntry, Criterion, CriterionKind, MeetingKind, TaskStatus};
use thidua_core::org::OrgId;
use utoipa::{IntoParams, ToSchema};

use super::documents::{day, opt_day};
use super::{CreatedDto, ErrorBody};
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::clusters::parse_year;
use crate::pages::emulation::cluster_id;
use crate::pages::parse_id;

/// A cluster's operating rules (quy chế hoạt động).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RulesDto {
    /// Member units in the order they take the lead, year after year.
    pub rotation: Vec<i64>,
    /// Total points of the scoring table, e.g. 1000.
    pub scale: u32,
    /// Percentage of votes the leading unit needs.
    pub leading_vote_threshold_pct: u8,
    /// What that percentage is of: `electorate`, `cast` or `valid`.
    #[serde(default = "electorate")]
    pub vote_base: String,
    /// Share of the electorate that must vote, e.g. `≥ 2/3`, `> 1/2`, `60%`.
    #[serde(default = "two_thirds")]
    pub vote_quorum: String,
    /// Most proposals for commendation a year.
    pub max_proposals: Option<u32>,
    /// Địa danh for the place-and-date line, e.g. "Hà Nội".
    pub locality: Option<String>,
    /// Weights of the self-score, the peers' mean and the leader's score in a unit's total (%).
    #[serde(default)]
    pub weights: Option<WeightsDto>,
    /// `all_peers` or `assigned`.
    #[serde(default = "all_peers")]
    pub peer_mode: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct WeightsDto {
    pub self_pct: u8,
    pub peer_pct: u8,
    pub leader_pct: u8,
}

fn electorate() -> String {
    "electorate".into()
}

fn two_thirds() -> String {
    "≥ 2/3".into()
}

fn all_peers() -> String {
    "all_peers".into()
}

/// The cluster's operating rules (the defaults until it sets its own).
#[utoipa::path(get, path = "/api/v1/clusters/{id}/rules", tag = "clusters", params(("id" = i64, Path)), responses((status = 200, body = RulesDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rules(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<RulesDto>, Problem> {
    let r = app.cluster_rules(&caller.principal, cluster_id(&id)?).await?;
    let w = r.scoring.weights;
    Ok(Json(RulesDto {
        rotation: r.rotation.iter().map(|o| o.0).collect(),
        scale: r.scale,
        leading_vote_threshold_pct: r.leading_vote_threshold_pct,
        vote_base: r.vote_base.code().into(),
        vote_quorum: r.vote_quorum.label(),
        max_proposals: r.max_proposals,
        locality: r.locality,
        weights: Some(WeightsDto { self_pct: w.self_pct, peer_pct: w.peer_pct, leader_pct: w.leader_pct }),
        peer_mode: peer_mode_code(r.scoring.peers).into(),
    }))
}

pub fn peer_mode_code(m: PeerMode) -> &'static str {
    match m {
        PeerMode::AllPeers => "all_peers",
        PeerMode::Assigned => "assigned",
    }
}

/// Sets the cluster's operating rules.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/rules", tag = "clusters", params(("id" = i64, Path)), request_body = RulesDto, responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rules(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<RulesDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = cluster_id(&id)?;
    let Json(r) = body?;
    let weights = r.weights.map(|w| Weights { self_pct: w.self_pct, peer_pct: w.peer_pct, leader_pct: w.leader_pct }).unwrap_or_default();
    let peers = match r.peer_mode.as_str() {
        "all_peers" => PeerMode::AllPeers,
        "assigned" => PeerMode::Assigned,
        other => return Err(Problem::BadKind(other.chars().take(20).collect())),
    };
    let rules = ClusterRules {
        rotation: r.rotation.into_iter().map(OrgId).collect(),
        scale: r.scale,
        leading_vote_threshold_pct: r.leading_vote_threshold_pct,
        vote_base: Base::from_code(&r.vote_base).ok_or_else(|| Problem::BadKind(r.vote_base.chars().take(20).collect()))?,
        vote_quorum: Share::parse(&r.vote_quorum).ok_or_else(|| Problem::BadRequest(r.vote_quorum.chars().take(20).collect()))?,
        max_proposals: r.max_proposals,
        locality: r.locality,
        scoring: ScoringRules { weights, peers },
    };
    app.set_cluster_rules(&caller.principal, id, rules).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct YearMemberDto {
    pub org_id: i64,
    /// `leader` (Cụm trưởng), `deputy` (Cụm phó) or `member`.
    pub role: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct YearDto {
    pub year: i16,
    pub members: Vec<YearMemberDto>,
    /// In a proposal: whether a membership for the year is already recorded.
    #[serde(default)]
    pub exists: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FromParams {
    /// The year to carry forward; the latest with a membership when absent.
    from: Option<String>,
}

/// Proposes next year's membership: units carried through merges, leader and deputy by rotation.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/next-year", tag = "clusters", params(("id" = i64, Path), FromParams), responses((status = 200, body = YearDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn next_year(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<FromParams>, QueryRejection>) -> Result<Json<YearDto>, Problem> {
    let id = cluster_id(&id)?;
    let Query(q) = query?;
    let from = match parse_year(q.from.as_deref())? {
        Some(y) => y,
        None => app.cluster_detail(&caller.principal, id, None).await?.year,
    };
    let p = app.propose_next_year(&caller.principal, id, from).await?;
    Ok(Json(YearDto {
        year: p.year.year,
        members: p.year.members.iter().map(|(o, r)| YearMemberDto { org_id: o.0, role: r.code().into() }).collect(),
        exists: p.exists,
    }))
}

/// Records (or replaces) one year's membership, leader and deputy.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/years", tag = "clusters", params(("id" = i64, Path)), request_body = YearDto, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_year(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<YearDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = cluster_id(&id)?;
    let Json(y) = body?;
    let members = y
        .members
        .iter()
        .map(|m| ClusterRole::from_code(&m.role).map(|r| (OrgId(m.org_id), r)).ok_or_else(|| Problem::BadKind(m.role.chars().take(20).collect())))
        .collect::<Result<Vec<_>, _>>()?;
    app.set_cluster_year(&caller.principal, id, &ClusterYear { year: y.year, members }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: i64,
    pub cluster_id: i64,
    /// `regular` (năm thi đua) or `thematic` (chuyên đề).
    pub kind: String,
    pub year: i16,
    pub title: String,
    /// Chủ đề năm.
    pub theme: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub launch_document_id: Option<i64>,
    pub scale: u32,
}

impl From<&CampaignRow> for CampaignDto {
    fn from(c: &CampaignRow) -> Self {
        CampaignDto {
            id: c.id,
            cluster_id: c.cluster.0,
            kind: c.kind.code().into(),
            year: c.year,
            title: c.title.clone(),
            theme: c.theme.clone(),
            starts_on: iso(c.starts_on),
            ends_on: iso(c.ends_on),
            launch_document_id: c.launch_document,
            scale: c.scale,
        }
    }
}

/// The cluster's campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/campaigns", tag = "emulation", params(("id" = i64, Path)), responses((status = 200, body = Vec<CampaignDto>), (status = 403, body = ErrorBody)))]
pub async fn campaigns(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<CampaignDto>>, Problem> {
    Ok(Json(app.campaigns(&caller.principal, cluster_id(&id)?).await?.iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CampaignInput {
    /// `regular` or `thematic`.
    pub kind: String,
    pub year: i16,
    pub title: String,
    pub theme: Option<String>,
    /// Required for a thematic campaign.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// Number and symbol of the launching document.
    pub launch_document: Option<String>,
    /// Start from the latest earlier campaign's criteria table.
    #[serde(default)]
    pub copy_criteria: bool,
}

/// Opens a campaign.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/campaigns", tag = "emulation", params(("id" = i64, Path)), request_body = CampaignInput, responses((status = 201, body = CampaignDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_campaign(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<CampaignInput>, JsonRejection>) -> Result<(StatusCode, Json<CampaignDto>), Problem> {
    let id = cluster_id(&id)?;
    let Json(i) = body?;
    let kind = CampaignKind::from_code(&i.kind).ok_or_else(|| Problem::BadKind(i.kind.chars().take(20).collect()))?;
    let new = NewCampaign {
        cluster: id,
        kind,
        year: i.year,
        title: i.title,
        theme: i.theme,
        starts_on: opt_day(&i.starts_on)?,
        ends_on: opt_day(&i.ends_on)?,
        launch_document: i.launch_document,
        copy_criteria: i.copy_criteria,
    };
    let row = app.create_campaign(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json((&row).into())))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CriterionDto {
    /// E.g. `1`, `1.2`.
    pub code: String,
    /// The code of the criterion this one refines.
    pub parent: Option<String>,
    pub title: String,
    pub max_points: u32,
    /// `normal`, `bonus` (điểm thưởng) or `penalty` (điểm trừ).
    pub kind: String,
    /// Kinds of evidence required.
    #[serde(default)]
    pub evidence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CovenantDto {
    /// `signed` or `absent`.
    pub status: String,
    pub signed_on: Option<String>,
    pub signatory: Option<String>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignUnitDto {
    pub org_id: i64,
    pub name: String,
    pub targets: Vec<String>,
    pub titles: Vec<String>,
    pub covenant: Option<CovenantDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetailDto {
    pub campaign: CampaignDto,
    pub criteria: Vec<CriterionDto>,
    /// Why the criteria table does not add up yet, if it does not.
    pub table_problem: Option<String>,
    pub units: Vec<CampaignUnitDto>,
    /// Units neither signed nor recorded absent: the covenant is complete when empty.
    pub missing: Vec<i64>,
    /// The year-end scoring round, once opened.
    pub round_id: Option<i64>,
}

/// A campaign with its criteria table, registrations and covenant.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "emulation", params(("id" = i64, Path)), responses((status = 200, body = CampaignDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn campaign(State(app): State<App>, t: crate::i18n::T, caller: Caller, Path(id): Path<String>) -> Result<Json<CampaignDetailDto>, Problem> {
    let d = app.campaign_detail(&caller.principal, parse_id(&id)?).await?;
    Ok(Json(CampaignDetailDto {
        campaign: (&d.campaign).into(),
        criteria: d
            .criteria
            .iter()
            .map(|c| CriterionDto { code: c.code.clone(), parent: c.parent.clone(), title: c.title.clone(), max_points: c.max_points, kind: c.kind.code().into(), evidence: c.evidence.clone() })
            .collect(),
        table_problem: d.table_problem.map(|e| Problem::App(thidua_app::AppError::Emulation(e)).describe(t).1),
        units: d
            .units
            .iter()
            .map(|u| CampaignUnitDto {
                org_id: u.org.0,
                name: u.name.clone(),
                targets: u.registration.as_ref().map(|r| r.targets.clone()).unwrap_or_default(),
                titles: u.registration.as_ref().map(|r| r.titles.clone()).unwrap_or_default(),
                covenant: u.covenant.as_ref().map(|c| match c {
                    CovenantEntry::Signed { on, signatory } => CovenantDto { status: "signed".into(), signed_on: Some(iso(*on)), signatory: Some(signatory.clone()), reason: None },
                    CovenantEntry::Absent { reason } => CovenantDto { status: "absent".into(), signed_on: None, signatory: None, reason: Some(reason.clone()) },
                }),
            })
            .collect(),
        missing: d.missing.iter().map(|o| o.0).collect(),
        round_id: app.round_of_campaign(&caller.principal, d.campaign.id).await?.map(|r| r.id),
    }))
}

/// Replaces the criteria table; it must add up to the campaign's scale.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/criteria", tag = "emulation", params(("id" = i64, Path)), request_body = Vec<CriterionDto>, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_criteria(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<Vec<CriterionDto>>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let Json(list) = body?;
    let table = list
        .into_iter()
        .map(|c| {
            let kind = CriterionKind::from_code(&c.kind).ok_or_else(|| Problem::BadKind(c.kind.chars().take(20).collect()))?;
            Ok(Criterion { code: c.code, parent: c.parent, title: c.title, max_points: c.max_points, kind, evidence: c.evidence })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    app.set_criteria(&caller.principal, id, &table).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RegistrationInput {
    pub org_id: i64,
    /// Đăng ký chỉ tiêu, one per entry.
    pub targets: Vec<String>,
    /// Titles the unit aims for.
    #[serde(default)]
    pub titles: Vec<String>,
}

/// Records a unit's registered targets (the cluster's editors, or the unit's own officers).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/registrations", tag = "emulation", params(("id" = i64, Path)), request_body = RegistrationInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<RegistrationInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let Json(r) = body?;
    app.register_targets(&caller.principal, id, OrgId(r.org_id), &r.targets, &r.titles).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CovenantInputDto {
    pub org_id: i64,
    /// `signed` or `absent`.
    pub status: String,
    pub signed_on: Option<String>,
    pub signatory: Option<String>,
    pub reason: Option<String>,
    /// The covenant-signing meeting where it was signed.
    pub meeting_id: Option<i64>,
}

/// Records a unit's signature of the covenant, or its absence.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/covenant", tag = "emulation", params(("id" = i64, Path)), request_body = CovenantInputDto, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn covenant(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<CovenantInputDto>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let Json(c) = body?;
    let entry = match c.status.as_str() {
        "signed" => {
            let on = c.signed_on.as_deref().map(day).transpose()?.ok_or_else(|| Problem::BadDate(String::new()))?;
            CovenantEntry::Signed { on, signatory: c.signatory.unwrap_or_default() }
        }
        "absent" => CovenantEntry::Absent { reason: c.reason.unwrap_or_default() },
        other => return Err(Problem::BadKind(other.chars().take(20).collect())),
    };
    app.record_covenant(&caller.principal, id, &CovenantInput { org: OrgId(c.org_id), entry, meeting: c.meeting_id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDto {
    pub id: i64,
    pub cluster_id: i64,
    /// Order within the cluster's year, as on the minutes.
    pub number: i64,
    /// `covenant_signing`, `quarterly_briefing`, `half_year_briefing`, `thematic_session`, `seminar` or `year_end_review`.
    pub kind: String,
    pub held_on: String,
    pub locality: String,
    pub place: String,
    pub host_id: Option<i64>,
    pub title: String,
}

impl From<&MeetingRow> for MeetingDto {
    fn from(m: &MeetingRow) -> Self {
        MeetingDto {
            id: m.id,
            cluster_id: m.cluster.0,
            number: m.number,
            kind: m.kind.code().into(),
            held_on: iso(m.held_on),
            locality: m.locality.clone(),
            place: m.place.clone(),
            host_id: m.host.map(|o| o.0),
            title: m.title.clone(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// Only meetings held in this year.
    year: Option<String>,
}

/// The cluster's meetings, newest first.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/meetings", tag = "emulation", params(("id" = i64, Path), YearParams), responses((status = 200, body = Vec<MeetingDto>), (status = 403, body = ErrorBody)))]
pub async fn meetings(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<YearParams>, QueryRejection>) -> Result<Json<Vec<MeetingDto>>, Problem> {
    let Query(q) = query?;
    let list = app.meetings(&caller.principal, cluster_id(&id)?, parse_year(q.year.as_deref())?).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct GuestDto {
    pub name: String,
    #[serde(default)]
    pub position: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TopicDto {
    pub title: String,
    pub presenter_org_id: Option<i64>,
    /// The person presenting.
    pub presenter: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingInput {
    pub kind: String,
    pub held_on: String,
    pub locality: String,
    pub place: String,
    pub host_id: Option<i64>,
    /// The default title for the kind and date when absent.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub agenda: String,
    pub unit_ids: Vec<i64>,
    #[serde(default)]
    pub guests: Vec<GuestDto>,
    #[serde(default)]
    pub topics: Vec<TopicDto>,
    /// Numbers and symbols of the documents disseminated, e.g. `969-CV/TU`.
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub discussion: String,
    #[serde(default)]
    pub conclusions: String,
}

/// Records a meeting with its attendees, topics and disseminated documents.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/meetings", tag = "emulation", params(("id" = i64, Path)), request_body = MeetingInput, responses((status = 201, body = MeetingDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_meeting(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<MeetingInput>, JsonRejection>) -> Result<(StatusCode, Json<MeetingDto>), Problem> {
    let id = cluster_id(&id)?;
    let Json(i) = body?;
    let kind = MeetingKind::from_code(&i.kind).ok_or_else(|| Problem::BadKind(i.kind.chars().take(30).collect()))?;
    let new = NewMeeting {
        cluster: id,
        kind,
        held_on: day(&i.held_on)?,
        locality: i.locality,
        place: i.place,
        host: i.host_id.map(OrgId),
        title: i.title,
        agenda: i.agenda,
        units: i.unit_ids.into_iter().map(OrgId).collect(),
        guests: i.guests.into_iter().map(|g| Guest { name: g.name, position: g.position }).collect(),
        topics: i.topics.into_iter().map(|t| TopicRow { title: t.title, presenter_org: t.presenter_org_id.map(OrgId), presenter: t.presenter }).collect(),
        documents: i.documents,
        discussion: i.discussion,
        conclusions: i.conclusions,
    };
    let row = app.create_meeting(&caller.principal, &new).await?;
    Ok((StatusCode::CREATED, Json((&row).into())))
}

#[derive(Serialize, ToSchema)]
pub struct TaskNoteDto {
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub deadline: Option<String>,
    /// `open`, `in_progress`, `done` or `cancelled`.
    pub status: String,
    pub done_on: Option<String>,
    pub overdue: bool,
    pub version: i64,
    pub notes: Vec<TaskNoteDto>,
}

fn task_dto(v: &TaskView) -> TaskDto {
    let t: &KeyTaskRow = &v.task;
    TaskDto {
        id: t.id,
        meeting_id: t.meeting,
        title: t.title.clone(),
        owner_id: t.owner.map(|o| o.0),
        owner_name: v.owner_name.clone(),
        deadline: t.deadline.map(iso),
        status: t.status.code().into(),
        done_on: t.done_on.map(iso),
        overdue: v.overdue,
        version: t.version,
        notes: v.notes.iter().map(|n| TaskNoteDto { at: n.at_unix, actor: n.actor.clone(), note: n.note.clone() }).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttendingUnitDto {
    pub org_id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDocumentDto {
    pub id: i64,
    pub symbol: Option<String>,
    pub issued_on: Option<String>,
    pub issuer_name: Option<String>,
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDetailDto {
    pub meeting: MeetingDto,
    pub agenda: String,
    pub discussion: String,
    pub conclusions: String,
    pub units: Vec<AttendingUnitDto>,
    pub guests: Vec<GuestDto>,
    pub topics: Vec<TopicDto>,
    pub documents: Vec<MeetingDocumentDto>,
    pub tasks: Vec<TaskDto>,
}

/// A meeting with attendees, topics, documents and key tasks.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "emulation", params(("id" = i64, Path)), responses((status = 200, body = MeetingDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meeting(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<MeetingDetailDto>, Problem> {
    let d = app.meeting_detail(&caller.principal, parse_id(&id)?).await?;
    Ok(Json(MeetingDetailDto {
        meeting: (&d.meeting).into(),
        agenda: d.meeting.agenda.clone(),
        discussion: d.meeting.discussion.clone(),
        conclusions: d.meeting.conclusions.clone(),
        units: d.units.iter().map(|(o, n)| AttendingUnitDto { org_id: o.0, name: n.clone() }).collect(),
        guests: d.guests.iter().map(|g| GuestDto { name: g.name.clone(), position: g.position.clone() }).collect(),
        topics: d.topics.iter().map(|(t, _)| TopicDto { title: t.title.clone(), presenter_org_id: t.presenter_org.map(|o| o.0), presenter: t.presenter.clone() }).collect(),
        documents: d
            .documents
            .iter()
            .map(|x| MeetingDocumentDto {
                id: x.document.id,
                symbol: x.document.symbol.clone(),
                issued_on: x.document.issued_on.map(iso),
                issuer_name: x.document.issuer_name.clone(),
                summary: x.document.summary.clone(),
            })
            .collect(),
        tasks: d.tasks.iter().map(task_dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskInput {
    pub title: String,
    pub owner_id: Option<i64>,
    pub deadline: Option<String>,
}

/// Adopts a key task at a meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/tasks", tag = "emulation", params(("id" = i64, Path)), request_body = TaskInput, responses((status = 201, body = CreatedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_task(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<TaskInput>, JsonRejection>) -> Result<(StatusCode, Json<CreatedDto>), Problem> {
    let id = parse_id(&id)?;
    let Json(i) = body?;
    let row = app.add_key_task(&caller.principal, id, &i.title, i.owner_id.map(OrgId), opt_day(&i.deadline)?).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: row.id })))
}

#[derive(Serialize, ToSchema)]
pub struct TaskProgressDto {
    pub year: i16,
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
    pub tasks: Vec<TaskDto>,
}

/// A cluster's key tasks of a year and how far they have come.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/tasks", tag = "emulation", params(("id" = i64, Path), YearParams), responses((status = 200, body = TaskProgressDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn tasks(State(app): State<App>, caller: Caller, Path(id): Path<String>, query: Result<Query<YearParams>, QueryRejection>) -> Result<Json<TaskProgressDto>, Problem> {
    let id = cluster_id(&id)?;
    let Query(q) = query?;
    let year = match parse_year(q.year.as_deref())? {
        Some(y) => y,
        None => app.cluster_detail(&caller.principal, id, None).await?.year,
    };
    let p = app.key_tasks(&caller.principal, id, year).await?;
    Ok(Json(TaskProgressDto { year, total: p.tasks.len(), done: p.done, open: p.open, overdue: p.overdue, tasks: p.tasks.iter().map(task_dto).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskUpdateInput {
    /// The version read; a task changed since is refused with 409.
    pub version: i64,
    pub status: String,
    #[serde(default)]
    pub note: String,
}

/// Moves a key task to a status and notes its progress (the cluster's editors or the owner unit).
#[utoipa::path(post, path = "/api/v1/tasks/{id}", tag = "emulation", params(("id" = i64, Path)), request_body = TaskUpdateInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_task(State(app): State<App>, caller: Caller, Path(id): Path<String>, body: Result<Json<TaskUpdateInput>, JsonRejection>) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let Json(i) = body?;
    let status = TaskStatus::from_code(&i.status).ok_or_else(|| Problem::BadKind(i.status.chars().take(20).collect()))?;
    app.update_key_task(&caller.principal, id, i.version, status, &i.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
