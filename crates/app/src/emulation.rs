//! The emulation work of a cluster through its year: operating rules and next year's leader,
//! campaigns with criteria tables, registered targets and the covenant, meetings with their minutes,
//! and the key tasks adopted at them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use thidua_core::access::Action;
use thidua_core::cluster::{check_year, Cluster, ClusterId, ClusterRole, ClusterYear};
use thidua_core::date::{format_date, long_date};
use thidua_core::docnum::DocNumber;
use thidua_core::emulation::{
    carry_members, covenant_missing, task_overdue, validate_table, CampaignKind, ClusterRules, CovenantEntry, Criterion, MeetingKind, TaskStatus,
};
use thidua_core::org::{OrgId, Succession};
pub use thidua_store::{AttendeeRow, CampaignRow, DocumentRow, KeyTaskRow, MeetingRow, RegistrationRow, TaskNoteRow, TopicRow};
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::{today, App, AppError, FieldProblem, Invalid};

/// Longest free text of a meeting (agenda, discussion, conclusions).
const MAX_TEXT: usize = 20_000;
/// Longest one-line field (title, place, names).
const MAX_LINE: usize = 500;
/// Most entries of a list in one request: documents, guests, topics, targets.
const MAX_DOCUMENTS: usize = 50;
const MAX_GUESTS: usize = 100;
const MAX_TOPICS: usize = 20;
const MAX_TARGETS: usize = 50;

/// Trims and NFC-normalizes a one-line field, noting it when empty (if required) or too long.
fn line(value: &str, field: &'static str, required: bool, problems: &mut Vec<FieldProblem>) -> String {
    text(value, field, required, MAX_LINE, problems)
}

fn text(value: &str, field: &'static str, required: bool, max: usize, problems: &mut Vec<FieldProblem>) -> String {
    let v: String = value.trim().nfc().collect();
    if required && v.is_empty() {
        problems.push(FieldProblem::new(field, Invalid::Required));
    } else if v.chars().count() > max {
        problems.push(FieldProblem::new(field, Invalid::TooLong { max }));
    }
    v
}

fn finish(problems: Vec<FieldProblem>) -> Result<(), AppError> {
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

fn roman_quarter(d: Date) -> &'static str {
    ["I", "II", "III", "IV"][((d.month() - 1) / 3) as usize]
}

/// The title a meeting gets when none is given, e.g. "Hội nghị giao ban quý III năm 2023".
pub fn default_meeting_title(kind: MeetingKind, on: Date) -> String {
    let y = on.year();
    match kind {
        MeetingKind::CovenantSigning => format!("Hội nghị ký kết giao ước thi đua năm {y}"),
        MeetingKind::QuarterlyBriefing => format!("Hội nghị giao ban quý {} năm {y}", roman_quarter(on)),
        MeetingKind::HalfYearBriefing => format!("Hội nghị giao ban 6 tháng đầu năm {y}"),
        MeetingKind::ThematicSession => format!("Sinh hoạt chuyên đề quý {}/{y}", roman_quarter(on)),
        MeetingKind::Seminar => format!("Tọa đàm năm {y}"),
        MeetingKind::YearEndReview => format!("Hội nghị tổng kết năm {y}"),
    }
}

/// A proposal for next year's membership: units carried through merges, and the leader and deputy
/// the rotation gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextYear {
    pub year: ClusterYear,
    /// Whether a membership for that year is already recorded (saving replaces it).
    pub exists: bool,
}

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub cluster: ClusterId,
    pub kind: CampaignKind,
    pub year: i16,
    pub title: String,
    pub theme: Option<String>,
    /// Required for a thematic campaign; the calendar year for a regular one when absent.
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// Number and symbol of the launching document, e.g. `05-KH/BTCTU`.
    pub launch_document: Option<String>,
    /// Start from the criteria table of the cluster's latest earlier campaign of the same kind.
    pub copy_criteria: bool,
}

/// A member unit in a campaign: its registered targets and its place in the covenant.
#[derive(Debug, Clone)]
pub struct CampaignUnit {
    pub org: OrgId,
    pub name: String,
    pub registration: Option<RegistrationRow>,
    pub covenant: Option<CovenantEntry>,
    /// Whether the viewer may register this unit's targets.
    pub may_register: bool,
}

#[derive(Debug, Clone)]
pub struct CampaignDetail {
    pub campaign: CampaignRow,
    pub cluster: Cluster,
    pub criteria: Vec<Criterion>,
    /// Why the table does not yet add up, if it does not.
    pub table_problem: Option<thidua_core::emulation::EmulationError>,
    pub units: Vec<CampaignUnit>,
    /// Units neither signed nor recorded absent.
    pub missing: Vec<OrgId>,
    pub launch_document: Option<DocumentRow>,
    /// The cluster's covenant-signing meetings that year, to link a signature to.
    pub signing_meetings: Vec<MeetingRow>,
    pub may_edit: bool,
}

/// A unit's signature or absence, as recorded at the signing meeting.
#[derive(Debug, Clone)]
pub struct CovenantInput {
    pub org: OrgId,
    pub entry: CovenantEntry,
    pub meeting: Option<i64>,
}

/// A guest attending a meeting (đại biểu): name and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub name: String,
    pub position: String,
}

/// A meeting as recorded by the cluster's secretary.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub cluster: ClusterId,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub locality: String,
    pub place: String,
    pub host: Option<OrgId>,
    /// The default title for the kind and date when blank.
    pub title: String,
    pub agenda: String,
    /// Attending member units.
    pub units: Vec<OrgId>,
    pub guests: Vec<Guest>,
    pub topics: Vec<TopicRow>,
    /// Numbers and symbols of the documents disseminated, e.g. `969-CV/TU`.
    pub documents: Vec<String>,
    pub discussion: String,
    pub conclusions: String,
}

/// A key task with what its views show.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub task: KeyTaskRow,
    pub owner_name: Option<String>,
    pub meeting_title: String,
    pub overdue: bool,
    pub notes: Vec<TaskNoteRow>,
    pub may_update: bool,
}

/// A cluster's key tasks of a year and how far they have come.
#[derive(Debug, Clone)]
pub struct TaskProgress {
    pub tasks: Vec<TaskView>,
    pub done: usize,
    pub overdue: usize,
    pub open: usize,
}

/// A disseminated document as the meeting shows it.
#[derive(Debug, Clone)]
pub struct MeetingDocument {
    pub document: DocumentRow,
    /// Whether the viewer may open the register entry itself.
    pub may_open: bool,
}

#[derive(Debug, Clone)]
pub struct MeetingDetail {
    pub meeting: MeetingRow,
    pub cluster: Cluster,
    pub host_name: Option<String>,
    /// Attending units, named as on the meeting's day.
    pub units: Vec<(OrgId, String)>,
    pub guests: Vec<Guest>,
    /// Topics with the presenting unit's name.
    pub topics: Vec<(TopicRow, Option<String>)>,
    pub documents: Vec<MeetingDocument>,
    pub tasks: Vec<TaskView>,
    /// Units of the cluster that year, for the key-task form.
    pub members: Vec<(OrgId, String)>,
    pub may_edit: bool,
}

impl App {
    /// Names of units as they were named on `date` (the last name before, for a unit that had ended).
    pub(crate) async fn names_as_of(&self, ids: impl IntoIterator<Item = OrgId>, date: Date) -> Result<HashMap<OrgId, String>, AppError> {
        let mut out = HashMap::new();
        for id in ids {
            let history = self.store.org_history(id).await?;
            if let Some(v) = history.iter().rev().find(|v| v.valid_from <= date).or(history.first()) {
                out.insert(id, v.name.clone());
            }
        }
        Ok(out)
    }

    /// Units of the cluster in `year`, with names of that year, in Vietnamese order.
    pub(crate) async fn members_named(&self, cluster: ClusterId, year: i16, on: Date) -> Result<Vec<(OrgId, String)>, AppError> {
        let members: Vec<OrgId> = self.store.cluster_year(cluster, year).await?.members.into_iter().map(|(o, _)| o).collect();
        let names = self.names_as_of(members.iter().copied(), on).await?;
        let mut out: Vec<(OrgId, String)> = members.into_iter().map(|o| (o, names.get(&o).cloned().unwrap_or_default())).collect();
        thidua_core::vi::sort_by_name(&mut out, |x| &x.1);
        Ok(out)
    }

    pub(crate) async fn is_member(&self, cluster: ClusterId, year: i16, org: OrgId) -> Result<bool, AppError> {
        Ok(self.store.cluster_year(cluster, year).await?.members.iter().any(|(o, _)| *o == org))
    }

    pub(crate) async fn owner_name(&self, cluster: &Cluster, on: Date) -> Result<String, AppError> {
        Ok(self.names_as_of([cluster.owner], on).await?.remove(&cluster.owner).unwrap_or_default())
    }

    /// The registers whose documents the principal may link to a meeting or campaign: those it may
    /// read. Linking one shares its number, date, issuer and summary with the cluster.
    pub(crate) async fn linkable_registers(&self, p: &Principal) -> Result<Vec<OrgId>, AppError> {
        Ok(match self.registers_for(p, Action::ViewDocuments).await? {
            Some(list) => list,
            None => self.store.registers().await?.into_iter().map(|(o, _)| o).collect(),
        })
    }

    /// A registered document by number and symbol within `registers`; documents with a secrecy
    /// level (độ mật) are never linked.
    pub(crate) async fn find_document(&self, symbol: &str, registers: &[OrgId]) -> Result<Result<i64, Invalid>, AppError> {
        let shown: String = symbol.chars().take(60).collect();
        let Ok(parsed) = symbol.parse::<DocNumber>() else { return Ok(Err(Invalid::UnknownDocument(shown))) };
        Ok(match self.store.documents_by_symbol(&parsed.to_string(), registers).await?.into_iter().next() {
            Some(d) if d.secrecy.as_deref().is_some_and(|s| !s.trim().is_empty()) => Err(Invalid::SecretDocument(shown)),
            Some(d) => Ok(d.id),
            None => Err(Invalid::UnknownDocument(shown)),
        })
    }

    pub(crate) async fn cluster_for(&self, p: &Principal, action: Action, id: ClusterId) -> Result<Cluster, AppError> {
        let cluster = self.store.cluster(id).await?.ok_or(AppError::NotFound)?;
        self.require_cluster(p, action, id).await?;
        Ok(cluster)
    }

    /// Whether the principal may change the cluster's work (rules, campaigns, meetings, tasks).
    pub async fn may_edit_cluster(&self, p: &Principal, id: ClusterId) -> bool {
        self.require_cluster(p, Action::EditCluster, id).await.is_ok()
    }

    /// Whether the principal may decide the cluster's members of a year.
    pub async fn may_arrange_cluster(&self, p: &Principal, id: ClusterId) -> bool {
        self.require_cluster(p, Action::ArrangeCluster, id).await.is_ok()
    }

    // --- Operating rules and yearly membership -------------------------------------------------

    /// The cluster's operating rules (the defaults until the cluster sets its own).
    pub async fn cluster_rules(&self, p: &Principal, id: ClusterId) -> Result<ClusterRules, AppError> {
        self.cluster_for(p, Action::ViewCluster, id).await?;
        Ok(self.store.cluster_rules(id).await?.unwrap_or_default())
    }

    /// Sets the cluster's operating rules. Units in the rotation must have belonged to the cluster.
    pub async fn set_cluster_rules(&self, p: &Principal, id: ClusterId, mut rules: ClusterRules) -> Result<(), AppError> {
        self.cluster_for(p, Action::EditCluster, id).await?;
        rules.validate()?;
        let known: BTreeSet<OrgId> = self.store.cluster_orgs(id).await?.into_iter().collect();
        let mut problems = Vec::new();
        if rules.rotation.iter().any(|o| !known.contains(o)) {
            problems.push(FieldProblem::new("rotation", Invalid::NotMember));
        }
        rules.locality = rules.locality.as_deref().map(|l| line(l, "locality", false, &mut problems)).filter(|l| !l.is_empty());
        finish(problems)?;
        let mut tx = self.store.begin().await?;
        tx.set_cluster_rules(id, &rules).await?;
        let summary = format!("scale {}, threshold {}%, rotation of {}", rules.scale, rules.leading_vote_threshold_pct, rules.rotation.len());
        tx.audit(p.user, &p.record("cluster.rules", format!("cluster:{}", id.0), summary)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Proposes the membership of the year after `from`: each unit carried to its successors as of
    /// 1 January, the leader and deputy next in the rotation (itself carried the same way).
    pub async fn propose_next_year(&self, p: &Principal, id: ClusterId, from: i16) -> Result<NextYear, AppError> {
        self.cluster_for(p, Action::ViewCluster, id).await?;
        let next = check_year(i32::from(from) + 1)?;
        let current = self.store.cluster_year(id, from).await?;
        if current.members.is_empty() {
            return Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::NoMembership(from))]));
        }
        let rules = self.store.cluster_rules(id).await?.unwrap_or_default();
        let jan1 = Date::new(next, 1, 1).map_err(|_| AppError::NotFound)?;
        let mut successions: Vec<Succession> = Vec::new();
        let mut ids: BTreeSet<OrgId> = current.members.iter().map(|(o, _)| *o).collect();
        ids.extend(rules.rotation.iter().copied());
        for o in &ids {
            for s in self.store.org_lineage(*o).await? {
                if !successions.contains(&s) {
                    successions.push(s);
                }
            }
        }
        let mut live = BTreeSet::new();
        for s in &successions {
            ids.insert(s.successor);
        }
        for o in &ids {
            if self.store.org_history(*o).await?.iter().any(|v| v.is_live_on(jan1)) {
                live.insert(*o);
            }
        }
        let is_live = |o: OrgId| live.contains(&o);
        let this_year: Vec<OrgId> = current.members.iter().map(|(o, _)| *o).collect();
        let members = carry_members(&this_year, &successions, is_live);
        let turns = rules.turns(current.leader(), &members, |u| carry_members(&[u], &successions, is_live));
        let (leader, deputy) = (turns.first().copied(), turns.get(1).copied());
        let year = ClusterYear {
            year: next,
            members: members
                .into_iter()
                .map(|o| {
                    let role = if Some(o) == leader {
                        ClusterRole::Leader
                    } else if Some(o) == deputy {
                        ClusterRole::Deputy
                    } else {
                        ClusterRole::Member
                    };
                    (o, role)
                })
                .collect(),
        };
        let exists = !self.store.cluster_year(id, next).await?.members.is_empty();
        Ok(NextYear { year, exists })
    }

    /// Records (or replaces) the membership, leader and deputy of one year: the owning body's
    /// decision. Each unit must exist during that year.
    pub async fn set_cluster_year(&self, p: &Principal, id: ClusterId, year: &ClusterYear) -> Result<(), AppError> {
        self.cluster_for(p, Action::ArrangeCluster, id).await?;
        year.validate()?;
        let (first, last) = year_bounds(year.year)?;
        let mut problems = Vec::new();
        if year.members.is_empty() {
            problems.push(FieldProblem::new("members", Invalid::Required));
        }
        for (org, _) in &year.members {
            let history = self.store.org_history(*org).await?;
            let lived = history.iter().any(|v| v.valid_from <= last && v.valid_to.is_none_or(|t| t > first));
            if !lived && !problems.iter().any(|p: &FieldProblem| p.field == "members") {
                problems.push(FieldProblem::new("members", Invalid::NotMember));
            }
        }
        finish(problems)?;
        let mut tx = self.store.begin().await?;
        tx.set_cluster_year(id, year).await?;
        let summary = format!("{}: {} units", year.year, year.members.len());
        tx.audit(p.user, &p.record("cluster.year", format!("cluster:{}", id.0), summary)).await?;
        tx.commit().await?;
        Ok(())
    }

    // --- Campaigns, criteria, registrations, covenant -------------------------------------------

    pub async fn campaigns(&self, p: &Principal, cluster: ClusterId) -> Result<Vec<CampaignRow>, AppError> {
        self.cluster_for(p, Action::ViewCluster, cluster).await?;
        Ok(self.store.campaigns(cluster).await?)
    }

    /// Opens a campaign, optionally with last year's criteria table as a start.
    pub async fn create_campaign(&self, p: &Principal, new: &NewCampaign) -> Result<CampaignRow, AppError> {
        self.cluster_for(p, Action::EditCluster, new.cluster).await?;
        let mut problems = Vec::new();
        let year = match check_year(i32::from(new.year)) {
            Ok(y) => y,
            Err(_) => {
                problems.push(FieldProblem::new("year", Invalid::OutOfRange));
                2000
            }
        };
        let title = line(&new.title, "title", true, &mut problems);
        let theme = new.theme.as_deref().map(|t| text(t, "theme", false, 2000, &mut problems)).filter(|t| !t.is_empty());
        let (first, last) = year_bounds(year)?;
        let (starts_on, ends_on) = match (new.kind, new.starts_on, new.ends_on) {
            (CampaignKind::Regular, s, e) => (s.unwrap_or(first), e.unwrap_or(last)),
            (CampaignKind::Thematic, Some(s), Some(e)) => (s, e),
            (CampaignKind::Thematic, s, e) => {
                if s.is_none() {
                    problems.push(FieldProblem::new("starts_on", Invalid::Required));
                }
                if e.is_none() {
                    problems.push(FieldProblem::new("ends_on", Invalid::Required));
                }
                (first, last)
            }
        };
        if ends_on < starts_on {
            problems.push(FieldProblem::new("ends_on", Invalid::Period));
        }
        if starts_on.year() != year && ends_on.year() != year {
            problems.push(FieldProblem::new("starts_on", Invalid::OutOfRange));
        }
        let launch = match new.launch_document.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(symbol) => match self.find_document(symbol, &self.linkable_registers(p).await?).await? {
                Ok(d) => Some(d),
                Err(problem) => {
                    problems.push(FieldProblem::new("launch_document", problem));
                    None
                }
            },
            None => None,
        };
        let existing = self.store.campaigns(new.cluster).await?;
        if new.kind == CampaignKind::Regular && existing.iter().any(|c| c.kind == CampaignKind::Regular && c.year == year) {
            problems.push(FieldProblem::new("year", Invalid::Taken));
        }
        finish(problems)?;
        let scale = self.store.cluster_rules(new.cluster).await?.unwrap_or_default().scale;
        let copied = if new.copy_criteria {
            let earlier = existing.into_iter().find(|c| c.kind == new.kind && c.year < year);
            match earlier {
                Some(c) => self.store.criteria(c.id).await?,
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let mut row = CampaignRow { id: 0, cluster: new.cluster, kind: new.kind, year, title, theme, starts_on, ends_on, launch_document: launch, scale };
        let mut tx = self.store.begin().await?;
        row.id = tx.create_campaign(&row).await?;
        if !copied.is_empty() {
            tx.replace_criteria(row.id, &copied).await?;
        }
        let summary = format!("{} {}: {} criteria copied", row.kind.code(), row.year, copied.len());
        tx.audit(p.user, &p.record("campaign.create", format!("campaign:{} cluster:{}", row.id, new.cluster.0), summary)).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn campaign_for(&self, p: &Principal, action: Action, id: i64) -> Result<(CampaignRow, Cluster), AppError> {
        let campaign = self.store.campaign(id).await?.ok_or(AppError::NotFound)?;
        let cluster = self.cluster_for(p, action, campaign.cluster).await?;
        Ok((campaign, cluster))
    }

    pub async fn campaign_detail(&self, p: &Principal, id: i64) -> Result<CampaignDetail, AppError> {
        let (campaign, cluster) = self.campaign_for(p, Action::ViewCluster, id).await?;
        let may_edit = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let criteria = self.store.criteria(id).await?;
        let table_problem = validate_table(&criteria, campaign.scale).err();
        let members = self.members_named(cluster.id, campaign.year, campaign.ends_on).await?;
        let registrations: HashMap<OrgId, RegistrationRow> = self.store.registrations(id).await?.into_iter().map(|r| (r.org, r)).collect();
        let covenant = self.store.covenant(id).await?;
        let ids: Vec<OrgId> = members.iter().map(|(o, _)| *o).collect();
        let missing = covenant_missing(&ids, &covenant);
        let mut units = Vec::new();
        for (org, name) in members {
            let may_register = may_edit || self.require_org(p, Action::EditOrgs, org, campaign.ends_on).await.is_ok();
            units.push(CampaignUnit { org, name, registration: registrations.get(&org).cloned(), covenant: covenant.get(&org).cloned(), may_register });
        }
        let launch_document = match campaign.launch_document {
            Some(d) => self.store.document(d).await?,
            None => None,
        };
        let signing_meetings = self
            .store
            .meetings(cluster.id)
            .await?
            .into_iter()
            .filter(|m| m.kind == MeetingKind::CovenantSigning && signing_window(campaign.year, m.held_on))
            .collect();
        Ok(CampaignDetail { campaign, cluster, criteria, table_problem, units, missing, launch_document, signing_meetings, may_edit })
    }

    /// Replaces the criteria table; it must add up to the campaign's scale.
    pub async fn set_criteria(&self, p: &Principal, id: i64, criteria: &[Criterion]) -> Result<(), AppError> {
        let (campaign, _) = self.campaign_for(p, Action::EditCluster, id).await?;
        let criteria: Vec<Criterion> = criteria
            .iter()
            .map(|c| Criterion {
                code: c.code.trim().to_owned(),
                parent: c.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(String::from),
                title: c.title.trim().nfc().collect(),
                max_points: c.max_points,
                kind: c.kind,
                evidence: c.evidence.iter().map(|e| e.trim().nfc().collect::<String>()).filter(|e| !e.is_empty()).collect(),
            })
            .collect();
        validate_table(&criteria, campaign.scale)?;
        if criteria.iter().any(|c| c.code.chars().count() > 20 || c.title.chars().count() > 1000 || c.evidence.len() > 20) {
            return Err(AppError::Invalid(vec![FieldProblem::new("criteria", Invalid::TooLong { max: 1000 })]));
        }
        let mut tx = self.store.begin().await?;
        tx.replace_criteria(id, &criteria).await?;
        tx.audit(p.user, &p.record("campaign.criteria", format!("campaign:{id}"), format!("{} criteria", criteria.len()))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a unit's registered targets and the titles it aims for. The cluster's editors may do
    /// it for any member unit; a unit's own officers for their unit.
    pub async fn register_targets(&self, p: &Principal, id: i64, org: OrgId, targets: &[String], titles: &[String]) -> Result<(), AppError> {
        let (campaign, cluster) = self.campaign_for(p, Action::ViewCluster, id).await?;
        if self.require_cluster(p, Action::EditCluster, cluster.id).await.is_err() {
            self.require_org(p, Action::EditOrgs, org, campaign.ends_on).await?;
        }
        let mut problems = Vec::new();
        if !self.is_member(cluster.id, campaign.year, org).await? {
            problems.push(FieldProblem::new("org", Invalid::NotMember));
        }
        let clean = |list: &[String], field: &'static str, problems: &mut Vec<FieldProblem>| -> Vec<String> {
            let out: Vec<String> = list.iter().map(|t| t.trim().nfc().collect::<String>()).filter(|t| !t.is_empty()).collect();
            if out.len() > MAX_TARGETS {
                problems.push(FieldProblem::new(field, Invalid::TooMany { max: MAX_TARGETS }));
            } else if out.iter().any(|t| t.chars().count() > MAX_LINE) {
                problems.push(FieldProblem::new(field, Invalid::TooLong { max: MAX_LINE }));
            }
            out
        };
        let targets = clean(targets, "targets", &mut problems);
        let titles = clean(titles, "titles", &mut problems);
        if targets.is_empty() {
            problems.push(FieldProblem::new("targets", Invalid::Required));
        }
        finish(problems)?;
        let mut tx = self.store.begin().await?;
        tx.set_registration(id, &RegistrationRow { org, targets: targets.clone(), titles }).await?;
        tx.audit(p.user, &p.record("campaign.register", format!("campaign:{id} org:{}", org.0), format!("{} targets", targets.len()))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a unit signed the covenant (with date and signatory) or was absent (with reason).
    pub async fn record_covenant(&self, p: &Principal, id: i64, input: &CovenantInput) -> Result<(), AppError> {
        let (campaign, cluster) = self.campaign_for(p, Action::EditCluster, id).await?;
        let mut problems = Vec::new();
        if !self.is_member(cluster.id, campaign.year, input.org).await? {
            problems.push(FieldProblem::new("org", Invalid::NotMember));
        }
        let entry = match &input.entry {
            CovenantEntry::Signed { on, signatory } => {
                if *on > today() {
                    problems.push(FieldProblem::new("signed_on", Invalid::InFuture));
                } else if !signing_window(campaign.year, *on) {
                    problems.push(FieldProblem::new("signed_on", Invalid::OutOfRange));
                }
                CovenantEntry::Signed { on: *on, signatory: line(signatory, "signatory", true, &mut problems) }
            }
            CovenantEntry::Absent { reason } => CovenantEntry::Absent { reason: line(reason, "reason", true, &mut problems) },
        };
        if let Some(m) = input.meeting {
            let ok = self.store.meeting(m).await?.is_some_and(|m| m.cluster == cluster.id && m.kind == MeetingKind::CovenantSigning && signing_window(campaign.year, m.held_on));
            if !ok {
                problems.push(FieldProblem::new("meeting", Invalid::Choice));
            }
        }
        finish(problems)?;
        let mut tx = self.store.begin().await?;
        tx.set_covenant_entry(id, input.org, &entry, input.meeting).await?;
        let status = match entry {
            CovenantEntry::Signed { .. } => "signed",
            CovenantEntry::Absent { .. } => "absent",
        };
        tx.audit(p.user, &p.record("campaign.covenant", format!("campaign:{id} org:{}", input.org.0), status)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The covenant (bản giao ước thi đua) as a Party-format docx: theme, targets, and each unit's
    /// signature or absence.
    pub async fn covenant_docx(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let d = self.campaign_detail(p, id).await?;
        let rules = self.store.cluster_rules(d.cluster.id).await?.unwrap_or_default();
        let signing = d.signing_meetings.iter().filter(|m| m.held_on.year() == d.campaign.year).min_by_key(|m| m.held_on);
        let signed_on = d.units.iter().filter_map(|u| match &u.covenant {
            Some(CovenantEntry::Signed { on, .. }) => Some(*on),
            _ => None,
        });
        let on = signing.map(|m| m.held_on).or(signed_on.min()).unwrap_or(d.campaign.starts_on);
        let locality = signing.map(|m| m.locality.clone()).or(rules.locality.clone()).unwrap_or_default();
        let owner = self.owner_name(&d.cluster, on).await?;
        let ordinal = self.store.campaigns(d.cluster.id).await?.iter().filter(|c| c.year == d.campaign.year && c.id <= id).count();
        let mut body = Vec::new();
        if let Some(theme) = &d.campaign.theme {
            body.push(format!("Chủ đề thi đua: {theme}."));
        }
        body.push(format!(
            "Thực hiện {}, các đơn vị thành viên {} thống nhất ký kết giao ước thi đua với các nội dung sau:",
            d.campaign.title, d.cluster.name
        ));
        body.push("I. NỘI DUNG, CHỈ TIÊU THI ĐUA".into());
        let mut targets: Vec<String> = Vec::new();
        for u in &d.units {
            for t in u.registration.iter().flat_map(|r| r.targets.iter()) {
                if !targets.contains(t) {
                    targets.push(t.clone());
                }
            }
        }
        body.extend(targets.iter().enumerate().map(|(i, t)| format!("{}. {t}.", i + 1)));
        let titles: BTreeSet<&String> = d.units.iter().flat_map(|u| u.registration.iter().flat_map(|r| r.titles.iter())).collect();
        if !titles.is_empty() {
            body.push(format!("Danh hiệu đăng ký: {}.", titles.into_iter().cloned().collect::<Vec<_>>().join("; ")));
        }
        body.push("II. CÁC ĐƠN VỊ KÝ KẾT".into());
        for (i, u) in d.units.iter().enumerate() {
            let state = match &u.covenant {
                Some(CovenantEntry::Signed { on, signatory }) => format!("{signatory} ký ngày {}", format_date(*on)),
                Some(CovenantEntry::Absent { reason }) => format!("vắng mặt ({reason})"),
                None => "chưa ký".into(),
            };
            body.push(format!("{}. {}: {state}.", i + 1, u.name));
        }
        body.push("Các đơn vị cam kết thực hiện nghiêm túc các nội dung đã giao ước; cuối năm Cụm tổ chức chấm điểm, bình xét theo bảng tiêu chí và quy chế hoạt động của Cụm.".into());
        let leader_signatory = self.leader_signatory(d.cluster.id, d.campaign.year, &d.units).await?;
        let doc = thidua_office::PartyDocument {
            superior: owner.clone(),
            issuer: d.cluster.name.clone(),
            number: format!("Số {ordinal:02}-GƯ/CTĐ"),
            place_date: place_date(&locality, on),
            title: "Giao ước thi đua".into(),
            summary: Some(d.campaign.title.clone()),
            body,
            signer_title: vec!["T/M CỤM THI ĐUA".into(), "CỤM TRƯỞNG".into()],
            signer_name: leader_signatory,
            recipients: vec![owner, "Các đơn vị thành viên Cụm".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }

    async fn leader_signatory(&self, cluster: ClusterId, year: i16, units: &[CampaignUnit]) -> Result<String, AppError> {
        let leader = self.store.cluster_year(cluster, year).await?.leader();
        Ok(units
            .iter()
            .find(|u| Some(u.org) == leader)
            .and_then(|u| match &u.covenant {
                Some(CovenantEntry::Signed { signatory, .. }) => Some(signatory.clone()),
                _ => None,
            })
            .unwrap_or_default())
    }

    // --- Meetings ------------------------------------------------------------------------------

    /// Records a meeting with its attendees, topics and disseminated documents.
    pub async fn create_meeting(&self, p: &Principal, new: &NewMeeting) -> Result<MeetingRow, AppError> {
        let cluster = self.cluster_for(p, Action::EditCluster, new.cluster).await?;
        let mut problems = Vec::new();
        let year = match check_year(i32::from(new.held_on.year())) {
            Ok(y) => y,
            Err(_) => {
                problems.push(FieldProblem::new("held_on", Invalid::OutOfRange));
                return Err(AppError::Invalid(problems));
            }
        };
        let members: BTreeSet<OrgId> = self.store.cluster_year(cluster.id, year).await?.members.into_iter().map(|(o, _)| o).collect();
        if members.is_empty() {
            problems.push(FieldProblem::new("held_on", Invalid::NoMembership(year)));
        }
        let locality = line(&new.locality, "locality", true, &mut problems);
        let place = line(&new.place, "place", true, &mut problems);
        let mut title = line(&new.title, "title", false, &mut problems);
        if title.is_empty() {
            title = default_meeting_title(new.kind, new.held_on);
        }
        let agenda = text(&new.agenda, "agenda", false, MAX_TEXT, &mut problems);
        let discussion = text(&new.discussion, "discussion", false, MAX_TEXT, &mut problems);
        let conclusions = text(&new.conclusions, "conclusions", false, MAX_TEXT, &mut problems);
        if new.host.is_some_and(|h| !members.contains(&h)) && !members.is_empty() {
            problems.push(FieldProblem::new("host", Invalid::NotMember));
        }
        let mut units: Vec<OrgId> = Vec::new();
        for u in &new.units {
            if !units.contains(u) {
                units.push(*u);
            }
        }
        if units.is_empty() {
            problems.push(FieldProblem::new("units", Invalid::Required));
        } else if units.iter().any(|u| !members.contains(u)) && !members.is_empty() {
            problems.push(FieldProblem::new("units", Invalid::NotMember));
        }
        let mut attendees: Vec<AttendeeRow> = units.iter().map(|u| AttendeeRow { org: Some(*u), name: None, position: None }).collect();
        if new.guests.len() > MAX_GUESTS {
            problems.push(FieldProblem::new("guests", Invalid::TooMany { max: MAX_GUESTS }));
        }
        if new.topics.len() > MAX_TOPICS {
            problems.push(FieldProblem::new("topics", Invalid::TooMany { max: MAX_TOPICS }));
        }
        for g in new.guests.iter().take(MAX_GUESTS) {
            let name = line(&g.name, "guests", true, &mut problems);
            let position = line(&g.position, "guests", false, &mut problems);
            attendees.push(AttendeeRow { org: None, name: Some(name), position: Some(position).filter(|p| !p.is_empty()) });
        }
        let mut topics = Vec::new();
        for t in new.topics.iter().take(MAX_TOPICS) {
            let title = line(&t.title, "topics", true, &mut problems);
            if t.presenter_org.is_some_and(|o| !members.contains(&o)) && !members.is_empty() {
                problems.push(FieldProblem::new("topics", Invalid::NotMember));
            }
            let presenter = t.presenter.as_deref().map(|p| line(p, "topics", false, &mut problems)).filter(|p| !p.is_empty());
            topics.push(TopicRow { title, presenter_org: t.presenter_org, presenter });
        }
        let symbols: Vec<&str> = new.documents.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        let mut documents = Vec::new();
        if symbols.len() > MAX_DOCUMENTS {
            problems.push(FieldProblem::new("documents", Invalid::TooMany { max: MAX_DOCUMENTS }));
        } else if !symbols.is_empty() {
            let registers = self.linkable_registers(p).await?;
            for symbol in symbols {
                match self.find_document(symbol, &registers).await? {
                    Ok(d) if !documents.contains(&d) => documents.push(d),
                    Ok(_) => {}
                    Err(problem) => problems.push(FieldProblem::new("documents", problem)),
                }
            }
        }
        finish(problems)?;
        let mut row = MeetingRow {
            id: 0,
            cluster: cluster.id,
            number: 0,
            kind: new.kind,
            held_on: new.held_on,
            locality,
            place,
            host: new.host,
            title,
            agenda,
            discussion,
            conclusions,
            created_by: p.username.clone(),
            version: 1,
        };
        let mut tx = self.store.begin().await?;
        (row.id, row.number) = tx.create_meeting(&row, &attendees, &topics, &documents).await?;
        let summary = format!("{} {}: {} units, {} topics, {} documents", row.kind.code(), thidua_core::date::iso(row.held_on), units.len(), topics.len(), documents.len());
        tx.audit(p.user, &p.record("meeting.create", format!("meeting:{} cluster:{}", row.id, cluster.id.0), summary)).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The cluster's meetings of `year` (every year when `None`), newest first.
    pub async fn meetings(&self, p: &Principal, cluster: ClusterId, year: Option<i16>) -> Result<Vec<MeetingRow>, AppError> {
        self.cluster_for(p, Action::ViewCluster, cluster).await?;
        Ok(self.store.meetings(cluster).await?.into_iter().filter(|m| year.is_none_or(|y| m.held_on.year() == y)).collect())
    }

    pub async fn meeting_detail(&self, p: &Principal, id: i64) -> Result<MeetingDetail, AppError> {
        let meeting = self.store.meeting(id).await?.ok_or(AppError::NotFound)?;
        let cluster = self.cluster_for(p, Action::ViewCluster, meeting.cluster).await?;
        let may_edit = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let on = meeting.held_on;
        let attendees = self.store.meeting_attendees(id).await?;
        let topics = self.store.meeting_topics(id).await?;
        let mut ids: BTreeSet<OrgId> = attendees.iter().filter_map(|a| a.org).collect();
        ids.extend(topics.iter().filter_map(|t| t.presenter_org));
        ids.extend(meeting.host);
        let names = self.names_as_of(ids, on).await?;
        let name = |o: OrgId| names.get(&o).cloned().unwrap_or_default();
        let mut units: Vec<(OrgId, String)> = attendees.iter().filter_map(|a| a.org).map(|o| (o, name(o))).collect();
        thidua_core::vi::sort_by_name(&mut units, |x| &x.1);
        let guests = attendees
            .iter()
            .filter(|a| a.org.is_none())
            .map(|a| Guest { name: a.name.clone().unwrap_or_default(), position: a.position.clone().unwrap_or_default() })
            .collect();
        let topics = topics.into_iter().map(|t| {
            let presenter = t.presenter_org.map(name);
            (t, presenter)
        });
        let mut documents = Vec::new();
        for d in self.store.meeting_documents(id).await? {
            if let Some(document) = self.store.document(d).await? {
                let may_open = self.require_org(p, Action::ViewDocuments, document.org, today()).await.is_ok();
                documents.push(MeetingDocument { document, may_open });
            }
        }
        // In the order adopted, as the minutes list them.
        let mut tasks = self.task_views(p, cluster.id, |t| t.meeting == id, may_edit).await?;
        tasks.sort_by_key(|t| t.task.id);
        let members = self.members_named(cluster.id, on.year(), on).await?;
        Ok(MeetingDetail {
            host_name: meeting.host.map(name),
            meeting,
            cluster,
            units,
            guests,
            topics: topics.collect(),
            documents,
            tasks,
            members,
            may_edit,
        })
    }

    /// Records the discussion and conclusions after the meeting, if it is still at `version`.
    pub async fn record_meeting_outcome(&self, p: &Principal, id: i64, version: i64, discussion: &str, conclusions: &str) -> Result<(), AppError> {
        let meeting = self.store.meeting(id).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::EditCluster, meeting.cluster).await?;
        let mut problems = Vec::new();
        let discussion = text(discussion, "discussion", false, MAX_TEXT, &mut problems);
        let conclusions = text(conclusions, "conclusions", false, MAX_TEXT, &mut problems);
        finish(problems)?;
        let mut tx = self.store.begin().await?;
        if !tx.set_meeting_outcome(id, version, &discussion, &conclusions).await? {
            return Err(AppError::Conflict);
        }
        tx.audit(p.user, &p.record("meeting.outcome", format!("meeting:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The minutes (biên bản) of a meeting as a Party-format docx.
    pub async fn minutes_docx(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let d = self.meeting_detail(p, id).await?;
        let m = &d.meeting;
        let owner = self.owner_name(&d.cluster, m.held_on).await?;
        let mut body = vec![
            format!("Thời gian: {}.", long_date(m.held_on).replacen("ngày", "Ngày", 1)),
            format!("Địa điểm: {}.", m.place),
        ];
        if let Some(host) = &d.host_name {
            body.push(format!("Đơn vị chủ trì: {host}."));
        }
        body.push("I. THÀNH PHẦN THAM DỰ".into());
        if !d.guests.is_empty() {
            body.push("Đại biểu:".into());
            for g in &d.guests {
                body.push(if g.position.is_empty() { format!("- {}.", g.name) } else { format!("- {}, {}.", g.name, g.position) });
            }
        }
        body.push(format!("Các đơn vị thành viên tham dự ({}):", d.units.len()));
        body.extend(d.units.iter().enumerate().map(|(i, (_, n))| format!("{}. {n}.", i + 1)));
        body.push("II. NỘI DUNG".into());
        body.extend(m.agenda.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        for (t, presenter) in &d.topics {
            let by = match (presenter, &t.presenter) {
                (Some(org), Some(person)) => format!(" do {person} ({org}) trình bày"),
                (Some(org), None) => format!(" do {org} trình bày"),
                (None, Some(person)) => format!(" do {person} trình bày"),
                (None, None) => String::new(),
            };
            body.push(format!("Chuyên đề “{}”{by}.", t.title));
        }
        if !d.documents.is_empty() {
            body.push(format!("Phổ biến {} văn bản:", d.documents.len()));
            for doc in &d.documents {
                let x = &doc.document;
                let dated = x.issued_on.map(|on| format!(" ngày {}", format_date(on))).unwrap_or_default();
                let by = x.issuer_name.as_ref().map(|i| format!(" của {i}")).unwrap_or_default();
                body.push(format!("- {}{dated}{by}: {}.", x.symbol.clone().unwrap_or_default(), x.summary));
            }
        }
        body.push("III. THẢO LUẬN".into());
        body.extend(m.discussion.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        body.push("IV. KẾT LUẬN".into());
        body.extend(m.conclusions.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        if !d.tasks.is_empty() {
            body.push(format!("V. NHIỆM VỤ TRỌNG TÂM ({} nhiệm vụ)", d.tasks.len()));
            for (i, t) in d.tasks.iter().enumerate() {
                let owner = t.owner_name.as_ref().map(|o| format!("; đơn vị thực hiện: {o}")).unwrap_or_default();
                let deadline = t.task.deadline.map(|dl| format!("; thời hạn: {}", format_date(dl))).unwrap_or_default();
                body.push(format!("{}. {}{owner}{deadline}.", i + 1, t.task.title));
            }
        }
        body.push("Biên bản được thông qua tại hội nghị.".into());
        let doc = thidua_office::PartyDocument {
            superior: owner,
            issuer: d.cluster.name.clone(),
            number: format!("Số {:02}-BB/CTĐ", m.number),
            place_date: place_date(&m.locality, m.held_on),
            title: "Biên bản".into(),
            summary: Some(m.title.clone()),
            body,
            signer_title: vec!["T/M CỤM THI ĐUA".into(), "CỤM TRƯỞNG".into()],
            signer_name: String::new(),
            recipients: vec!["Các đơn vị thành viên Cụm".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }

    // --- Key tasks -----------------------------------------------------------------------------

    async fn task_views(&self, p: &Principal, cluster: ClusterId, keep: impl Fn(&KeyTaskRow) -> bool, may_edit: bool) -> Result<Vec<TaskView>, AppError> {
        let tasks: Vec<KeyTaskRow> = self.store.key_tasks(cluster).await?.into_iter().filter(|t| keep(t)).collect();
        let meetings: HashMap<i64, MeetingRow> = self.store.meetings(cluster).await?.into_iter().map(|m| (m.id, m)).collect();
        let owners: BTreeSet<OrgId> = tasks.iter().filter_map(|t| t.owner).collect();
        let names = self.org_names(&owners).await?;
        let on = today();
        let mut out = Vec::new();
        let mut may_owner: BTreeMap<OrgId, bool> = BTreeMap::new();
        for t in tasks {
            let may_update = match t.owner {
                _ if may_edit => true,
                Some(o) => match may_owner.get(&o) {
                    Some(v) => *v,
                    None => {
                        let v = self.require_org(p, Action::EditOrgs, o, on).await.is_ok();
                        may_owner.insert(o, v);
                        v
                    }
                },
                None => false,
            };
            out.push(TaskView {
                owner_name: t.owner.and_then(|o| names.get(&o).cloned()),
                meeting_title: meetings.get(&t.meeting).map(|m| m.title.clone()).unwrap_or_default(),
                overdue: task_overdue(t.status, t.deadline, on),
                notes: self.store.task_notes(t.id).await?,
                may_update,
                task: t,
            });
        }
        Ok(out)
    }

    /// Adopts a key task at a meeting.
    pub async fn add_key_task(&self, p: &Principal, meeting: i64, title: &str, owner: Option<OrgId>, deadline: Option<Date>) -> Result<KeyTaskRow, AppError> {
        let m = self.store.meeting(meeting).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::EditCluster, m.cluster).await?;
        let mut problems = Vec::new();
        let title = line(title, "title", true, &mut problems);
        if let Some(o) = owner
            && !self.is_member(m.cluster, m.held_on.year(), o).await?
        {
            problems.push(FieldProblem::new("owner", Invalid::NotMember));
        }
        if deadline.is_some_and(|d| d < m.held_on) {
            problems.push(FieldProblem::new("deadline", Invalid::BeforeMeeting));
        }
        finish(problems)?;
        let mut row = KeyTaskRow { id: 0, meeting, cluster: m.cluster, title, owner, deadline, status: TaskStatus::Open, done_on: None, version: 1 };
        let mut tx = self.store.begin().await?;
        row.id = tx.add_key_task(&row).await?;
        tx.audit(p.user, &p.record("task.add", format!("task:{} meeting:{meeting}", row.id), "")).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Moves a key task to `status` (if still at `version`) and notes its progress. The cluster's
    /// editors and the owner unit's officers may.
    pub async fn update_key_task(&self, p: &Principal, id: i64, version: i64, status: TaskStatus, note: &str) -> Result<(), AppError> {
        let task = self.store.key_task(id).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::ViewCluster, task.cluster).await?;
        if self.require_cluster(p, Action::EditCluster, task.cluster).await.is_err() {
            let owner = task.owner.ok_or(AppError::Forbidden)?;
            self.require_org(p, Action::EditOrgs, owner, today()).await?;
        }
        let mut problems = Vec::new();
        let note = text(note, "note", false, 4000, &mut problems);
        if status == task.status && note.is_empty() {
            problems.push(FieldProblem::new("note", Invalid::Required));
        }
        finish(problems)?;
        let done_on = match status {
            TaskStatus::Done => task.done_on.or(Some(today())),
            _ => None,
        };
        let mut tx = self.store.begin().await?;
        if !tx.set_task_status(id, version, status, done_on).await? {
            return Err(AppError::Conflict);
        }
        if !note.is_empty() {
            tx.add_task_note(id, &p.username, &note, now_unix()).await?;
        }
        tx.audit(p.user, &p.record("task.update", format!("task:{id}"), status.code())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cluster and year of a key task (the year of the meeting that adopted it).
    pub async fn key_task_location(&self, p: &Principal, id: i64) -> Result<(ClusterId, i16), AppError> {
        let task = self.store.key_task(id).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::ViewCluster, task.cluster).await?;
        let meeting = self.store.meeting(task.meeting).await?.ok_or(AppError::NotFound)?;
        Ok((task.cluster, meeting.held_on.year()))
    }

    /// A cluster's key tasks adopted in `year`, with counts of done, open and overdue.
    pub async fn key_tasks(&self, p: &Principal, cluster: ClusterId, year: i16) -> Result<TaskProgress, AppError> {
        self.cluster_for(p, Action::ViewCluster, cluster).await?;
        let may_edit = self.require_cluster(p, Action::EditCluster, cluster).await.is_ok();
        let in_year: BTreeSet<i64> = self.store.meetings(cluster).await?.into_iter().filter(|m| m.held_on.year() == year).map(|m| m.id).collect();
        let tasks = self.task_views(p, cluster, |t| in_year.contains(&t.meeting), may_edit).await?;
        let done = tasks.iter().filter(|t| t.task.status == TaskStatus::Done).count();
        let overdue = tasks.iter().filter(|t| t.overdue).count();
        let open = tasks.iter().filter(|t| matches!(t.task.status, TaskStatus::Open | TaskStatus::InProgress)).count();
        Ok(TaskProgress { tasks, done, overdue, open })
    }
}

fn year_bounds(year: i16) -> Result<(Date, Date), AppError> {
    let first = Date::new(year, 1, 1).map_err(|_| AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]))?;
    let last = Date::new(year, 12, 31).map_err(|_| AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]))?;
    Ok((first, last))
}

fn place_date(locality: &str, on: Date) -> String {
    if locality.is_empty() { long_date(on).replacen("ngày", "Ngày", 1) } else { format!("{locality}, {}", long_date(on)) }
}

/// A covenant of year `campaign_year` is signed that year or late in the year before.
fn signing_window(campaign_year: i16, on: Date) -> bool {
    on.year() == campaign_year || on.year() + 1 == campaign_year
}
