//! Party members: the register, party age, badges, files. Reading a member's record or a file
//! attached to it is audited, like every write.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest, Sha256};
use thidua_core::access::Action;
use thidua_core::audit::hex;
use thidua_core::badge::{check_award, due_on, latest_admissions, BadgeDue, BadgeFacts};
use thidua_core::calendar::{shipped_holidays, WorkCalendar};
use thidua_core::member::{party_age, Gap, MemberError, MemberId, MemberRecord, PartyAge};
use thidua_core::org::OrgId;
use thidua_core::audit::AuditRecord;
use thidua_store::{BadgeRow, ChangeRow, FileMeta, MemberRow, PositionRow, TransferRow};

use crate::auth::{now_unix, Principal};
use crate::{today, App, AppError, FileProblem};

/// Members read at a time when a whole scope is gone through.
const BATCH: i64 = 5000;

/// Largest file attached to a member's record.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// A line of the member list.
#[derive(Debug, Clone, Serialize)]
pub struct MemberSummary {
    pub id: MemberId,
    pub full_name: String,
    pub birth_date: Date,
    pub org: OrgId,
    pub org_name: String,
    pub admitted_on: Date,
    pub official_on: Option<Date>,
    /// Whole years of party age today; `None` while probationary.
    pub party_age_years: Option<i16>,
    pub seriously_ill: bool,
}

/// Everything the member page shows.
#[derive(Debug, Clone)]
pub struct MemberDetail {
    pub row: MemberRow,
    pub party_age: PartyAge,
    pub gaps: Vec<Gap>,
    pub positions: Vec<PositionRow>,
    pub badges: Vec<BadgeRow>,
    /// The next badge and the first presentation day it can be given on.
    pub next_badge: Option<(BadgeDue, Date)>,
    pub files: Vec<FileMeta>,
    pub changes: Vec<ChangeRow>,
    pub transfers: Vec<TransferRow>,
    pub disciplines: Vec<thidua_store::DisciplineRow>,
    /// The member's standing quality levels, by year.
    pub levels: Vec<(i16, thidua_core::evaluation::Level)>,
    pub names: HashMap<OrgId, String>,
    pub may_edit: bool,
    pub may_read_files: bool,
    pub may_transfer: bool,
}

/// What kind of file the bytes are, by their content rather than their name.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')) {
        Some("text/plain; charset=utf-8")
    } else {
        None
    }
}

fn change_summary(before: &MemberRecord, after: &MemberRecord) -> String {
    let mut fields = Vec::new();
    let mut diff = |name: &str, changed: bool| {
        if changed {
            fields.push(name.to_owned());
        }
    };
    diff("full_name", before.full_name != after.full_name);
    diff("birth_date", before.birth_date != after.birth_date);
    diff("gender", before.gender != after.gender);
    diff("cccd", before.cccd != after.cccd);
    diff("party_card", before.party_card != after.party_card);
    diff("admitted_on", before.admitted_on != after.admitted_on);
    diff("official_on", before.official_on != after.official_on);
    diff("contact", before.phone != after.phone || before.email != after.email || before.address != after.address);
    diff("seriously_ill", before.seriously_ill != after.seriously_ill);
    fields.join(", ")
}

impl App {
    pub(crate) async fn seed_holidays(&self) -> Result<(), AppError> {
        if !self.store.holidays().await?.is_empty() {
            return Ok(());
        }
        let days: Vec<(Date, String)> = shipped_holidays().map_err(|e| AppError::Rules(thidua_core::rulebook::RulebookError::Parse(e)))?
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect();
        let mut tx = self.store.begin().await?;
        let added = tx.add_holidays(&days).await?;
        let record = AuditRecord { actor: "system".into(), action: "holidays.seed".into(), resource: "system".into(), summary: format!("{added} days") };
        tx.audit(None, &record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn work_calendar(&self) -> Result<WorkCalendar, AppError> {
        Ok(WorkCalendar::new(self.store.holidays().await?.into_iter().map(|(d, _)| d)))
    }

    /// The organizations whose members the principal may see, or `None` for all of them.
    pub(crate) async fn member_orgs(&self, p: &Principal, action: Action) -> Result<Option<Vec<OrgId>>, AppError> {
        if p.has_system(action) {
            return Ok(None);
        }
        if !p.may(action) {
            return Ok(Some(Vec::new()));
        }
        Ok(self.reachable_orgs(p, action, today()).await?.map(|set| set.into_iter().collect()))
    }

    /// Whether the principal may register members anywhere: asked by pages that offer an import or
    /// a form, without naming and sorting every organization.
    pub async fn may_edit_members(&self, p: &Principal) -> Result<bool, AppError> {
        Ok(self.member_orgs(p, Action::EditMember).await?.is_none_or(|orgs| !orgs.is_empty()))
    }

    /// Organizations live today where the principal may register members, in no particular order
    /// (a picker sorts what it shows).
    pub async fn editable_member_orgs(&self, p: &Principal) -> Result<Vec<(OrgId, String)>, AppError> {
        Ok(self.orgs_for(p, Action::EditMember, today()).await?.into_iter().map(|v| (v.org, v.name)).collect())
    }

    async fn require_member(&self, p: &Principal, action: Action, row: &MemberRow) -> Result<(), AppError> {
        let on = today();
        let home = self.require_org(p, action, row.record.org, on).await;
        match (home, row.temporary_org) {
            (Ok(()), _) => Ok(()),
            // Where a member belongs temporarily, that organization's officers see the record too.
            (Err(_), Some(t)) if action == Action::ViewMember => self.require_org(p, action, t, on).await,
            (Err(e), _) => Err(e),
        }
    }

    /// Refuses unless the principal may do `action` on the member's record; forms call it before
    /// they look at what was typed, so nobody learns anything about a record they cannot touch.
    pub async fn check_member(&self, p: &Principal, id: MemberId, action: Action) -> Result<(), AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, action, &row).await
    }

    async fn existing_member(&self, id: MemberId) -> Result<MemberRow, AppError> {
        self.store.member(id).await?.ok_or(AppError::NotFound)
    }

    /// Members the principal may see whose name contains `query` (diacritics optional), one page of
    /// `limit` from `offset`, in name order.
    pub async fn members(&self, p: &Principal, query: Option<&str>, limit: i64, offset: i64) -> Result<Vec<MemberSummary>, AppError> {
        let orgs = self.member_orgs(p, Action::ViewMember).await?;
        let rows = self.store.members(orgs.as_deref(), query.filter(|q| !q.trim().is_empty()), limit, offset).await?;
        let mut out = self.summaries(rows).await?;
        sort_by_name(&mut out);
        Ok(out)
    }

    /// Lines of the member list for `rows`: their organizations' names and party ages today.
    async fn summaries(&self, rows: Vec<MemberRow>) -> Result<Vec<MemberSummary>, AppError> {
        let names = self.org_names(&rows.iter().map(|r| r.record.org).collect()).await?;
        let ids: Vec<MemberId> = rows.iter().map(|r| r.id).collect();
        let mut gaps: HashMap<MemberId, Vec<Gap>> = HashMap::new();
        for (m, g) in self.store.member_gaps(&ids).await? {
            gaps.entry(m).or_default().push(g);
        }
        let on = today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let age = party_age(r.record.admitted_on, r.record.official_on, gaps.get(&r.id).map_or(&[], |g| g.as_slice()), on);
                MemberSummary {
                    id: r.id,
                    org_name: names.get(&r.record.org).cloned().unwrap_or_default(),
                    full_name: r.record.full_name,
                    birth_date: r.record.birth_date,
                    org: r.record.org,
                    admitted_on: r.record.admitted_on,
                    official_on: r.record.official_on,
                    party_age_years: age.counted.then_some(age.years),
                    seriously_ill: r.record.seriously_ill,
                }
            })
            .collect())
    }

    /// Every member the principal may see whose name contains `query`, for a download: the
    /// export is recorded in the audit log with its size (not the names).
    pub async fn export_members(&self, p: &Principal, query: Option<&str>) -> Result<Vec<MemberSummary>, AppError> {
        let orgs = self.member_orgs(p, Action::ViewMember).await?;
        let query = query.filter(|q| !q.trim().is_empty());
        let mut out = Vec::new();
        let mut after = MemberId(0);
        loop {
            let rows = self.store.members_after(orgs.as_deref(), query, after, BATCH).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            out.extend(self.summaries(rows).await?);
        }
        sort_by_name(&mut out);
        self.audit_export(p, "members", out.len()).await?;
        Ok(out)
    }

    /// A member's full record. Opening it is recorded in the audit log.
    pub async fn member(&self, p: &Principal, id: MemberId) -> Result<MemberDetail, AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::ViewMember, &row).await?;
        let gaps: Vec<Gap> = self.store.member_gaps(&[id]).await?.into_iter().map(|(_, g)| g).collect();
        let badges = self.store.member_badges(&[id]).await?;
        let on = today();
        let awarded: Vec<u16> = badges.iter().map(|b| b.milestone).collect();
        let facts = BadgeFacts {
            admitted_on: row.record.admitted_on,
            official_on: row.record.official_on,
            gaps: &gaps,
            awarded: &awarded,
            seriously_ill: row.record.seriously_ill,
        };
        let rules = self.rules.membership_on(on).map_err(AppError::Rules)?;
        let next_badge = thidua_core::badge::presentation_days(rules, on, on.checked_add(jiff::Span::new().years(100)).unwrap_or(on))
            .into_iter()
            .find_map(|day| due_on(rules, &facts, day).map(|d| (d, day)));
        let transfers = self.store.member_transfers(id).await?;
        let positions = self.store.member_positions(id).await?;
        let mut mentioned: BTreeSet<OrgId> = BTreeSet::from([row.record.org]);
        mentioned.extend(row.temporary_org);
        mentioned.extend(positions.iter().filter_map(|p| p.org));
        mentioned.extend(transfers.iter().flat_map(|t| [Some(t.from_org), t.to_org, t.addressed_org]).flatten());
        let detail = MemberDetail {
            party_age: party_age(row.record.admitted_on, row.record.official_on, &gaps, on),
            gaps,
            positions,
            badges,
            next_badge,
            files: self.store.member_files(id).await?,
            changes: self.store.member_changes(id).await?,
            transfers,
            disciplines: self.store.disciplines(id).await?,
            levels: self.store.member_levels(id).await?,
            names: self.org_names(&mentioned).await?,
            may_edit: self.require_member(p, Action::EditMember, &row).await.is_ok(),
            may_read_files: self.require_member(p, Action::ReadMemberFile, &row).await.is_ok(),
            may_transfer: self.require_member(p, Action::ManageTransfers, &row).await.is_ok(),
            row,
        };
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("member.read", format!("member:{}", id.0), "")).await?;
        tx.commit().await?;
        Ok(detail)
    }

    pub(crate) async fn check_record(&self, record: &MemberRecord, except: Option<MemberId>) -> Result<(), AppError> {
        let mut errors = record.validate(today());
        if let Some(c) = &record.cccd
            && let Some(other) = self.store.member_by_cccd(c).await?
            && Some(other) != except
        {
            errors.push(MemberError::DuplicateCccd);
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::Member(errors)) }
    }

    /// Registers a member in an organization the principal may edit.
    pub async fn create_member(&self, p: &Principal, record: &MemberRecord) -> Result<MemberId, AppError> {
        self.require_org(p, Action::EditMember, record.org, today()).await?;
        self.check_record(record, None).await?;
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let id = tx.create_member(record, now).await?;
        tx.add_member_change(id, &p.username, "created", now).await?;
        tx.audit(p.user, &p.record("member.create", format!("member:{} org:{}", id.0, record.org.0), "")).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a member's record if nobody changed it since `version` was read. The organization
    /// changes only through a transfer.
    pub async fn update_member(&self, p: &Principal, id: MemberId, record: &MemberRecord, version: i64) -> Result<(), AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::EditMember, &row).await?;
        let record = MemberRecord { org: row.record.org, ..record.clone() };
        self.check_record(&record, Some(id)).await?;
        let summary = change_summary(&row.record, &record);
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        if !tx.update_member(id, &record, version).await? {
            return Err(AppError::Conflict);
        }
        tx.add_member_change(id, &p.username, &format!("changed: {summary}"), now).await?;
        tx.audit(p.user, &p.record("member.update", format!("member:{}", id.0), format!("fields: {summary}"))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a period that does not count towards party age.
    pub async fn add_member_gap(&self, p: &Principal, id: MemberId, gap: &Gap) -> Result<(), AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::EditMember, &row).await?;
        if gap.to.is_some_and(|t| t <= gap.from) {
            return Err(AppError::Member(vec![MemberError::GapOrder]));
        }
        if gap.from < row.record.admitted_on {
            return Err(AppError::Member(vec![MemberError::GapBeforeAdmission]));
        }
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.add_gap(id, gap).await?;
        tx.add_member_change(id, &p.username, &format!("gap: {}", gap.kind.code()), now).await?;
        tx.audit(p.user, &p.record("member.gap", format!("member:{}", id.0), gap.kind.code())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_member_position(&self, p: &Principal, id: MemberId, title: &str, org: Option<OrgId>, from: Date, to: Option<Date>) -> Result<(), AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::EditMember, &row).await?;
        if title.trim().is_empty() {
            return Err(AppError::Member(vec![MemberError::Required { field: "title" }]));
        }
        if to.is_some_and(|t| t <= from) {
            return Err(AppError::Member(vec![MemberError::GapOrder]));
        }
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.add_position(id, title.trim(), org, from, to).await?;
        tx.add_member_change(id, &p.username, "position added", now).await?;
        tx.audit(p.user, &p.record("member.position", format!("member:{}", id.0), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a file to the record, after checking its size and its type by content.
    pub async fn attach_member_file(&self, p: &Principal, id: MemberId, name: &str, bytes: &[u8]) -> Result<i64, AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::EditMember, &row).await?;
        if bytes.is_empty() {
            return Err(FileProblem::Empty.into());
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(FileProblem::TooLarge { max_mib: MAX_FILE_BYTES / (1024 * 1024) }.into());
        }
        let content_type = sniff(bytes).ok_or(FileProblem::UnsupportedType)?;
        // Keep only the last path component: a name is a label, never a path.
        let name: String = name.rsplit(['/', '\\']).next().unwrap_or("tệp").chars().filter(|c| !c.is_control()).take(200).collect();
        let name = if name.trim().is_empty() { "tệp".to_owned() } else { name };
        let sha = hex(&Sha256::digest(bytes));
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let file = tx.add_member_file(id, &name, content_type, bytes, &sha, now, &p.username).await?;
        tx.add_member_change(id, &p.username, "file attached", now).await?;
        tx.audit(p.user, &p.record("member.file.add", format!("member:{} file:{file}", id.0), format!("{} bytes", bytes.len()))).await?;
        tx.commit().await?;
        Ok(file)
    }

    /// A file of the record. Every opening is recorded in the audit log.
    pub async fn member_file(&self, p: &Principal, id: MemberId, file: i64) -> Result<(FileMeta, Vec<u8>), AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::ReadMemberFile, &row).await?;
        let found = self.store.member_file(id, file).await?.ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("member.file.read", format!("member:{} file:{file}", id.0), "")).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Records a badge award after checking it against the rules in force on the award date.
    pub async fn award_badge(&self, p: &Principal, id: MemberId, milestone: u16, on: Date, decision: Option<String>) -> Result<bool, AppError> {
        let row = self.existing_member(id).await?;
        self.require_member(p, Action::EditMember, &row).await?;
        let gaps: Vec<Gap> = self.store.member_gaps(&[id]).await?.into_iter().map(|(_, g)| g).collect();
        let awarded: Vec<u16> = self.store.member_badges(&[id]).await?.iter().map(|b| b.milestone).collect();
        let facts = BadgeFacts { admitted_on: row.record.admitted_on, official_on: row.record.official_on, gaps: &gaps, awarded: &awarded, seriously_ill: row.record.seriously_ill };
        let rules = self.rules.membership_on(on).map_err(AppError::Rules)?;
        let early = check_award(rules, &facts, milestone, on)?;
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.add_badge(&BadgeRow { member: id, milestone, awarded_on: on, early, decision: decision.filter(|d| !d.trim().is_empty()) }).await?;
        tx.add_member_change(id, &p.username, &format!("badge: {milestone} years"), now).await?;
        tx.audit(p.user, &p.record("member.badge", format!("member:{}", id.0), format!("{milestone} years{}", if early { ", early" } else { "" }))).await?;
        tx.commit().await?;
        Ok(early)
    }

    /// Members in the principal's scope who can receive their next badge on `presentation`. The
    /// database leaves out, over the whole scope at once, those who hold every milestone they
    /// could have reached by then (gaps only delay one), which in a register kept up to date is
    /// nearly everyone; the rest are read in batches and the rule is applied to them.
    pub async fn badge_candidates(&self, p: &Principal, presentation: Date) -> Result<Vec<(MemberSummary, BadgeDue)>, AppError> {
        let rules = self.rules.membership_on(presentation).map_err(AppError::Rules)?.clone();
        let orgs = self.member_orgs(p, Action::ViewMember).await?;
        let milestones = latest_admissions(&rules, presentation);
        let mut out = Vec::new();
        let prospects = self.store.badge_prospects(orgs.as_deref(), presentation, &milestones).await?;
        for batch in prospects.chunks(BATCH as usize) {
            let rows = self.store.members_by_ids(batch).await?;
            let ids: Vec<MemberId> = rows.iter().map(|m| m.id).collect();
            let mut gaps: HashMap<MemberId, Vec<Gap>> = HashMap::new();
            for (m, g) in self.store.member_gaps(&ids).await? {
                gaps.entry(m).or_default().push(g);
            }
            let mut awarded: HashMap<MemberId, Vec<u16>> = HashMap::new();
            for b in self.store.member_badges(&ids).await? {
                awarded.entry(b.member).or_default().push(b.milestone);
            }
            let mut due: HashMap<MemberId, BadgeDue> = HashMap::new();
            let candidates: Vec<MemberRow> = rows
                .into_iter()
                .filter(|m| {
                    let facts = BadgeFacts {
                        admitted_on: m.record.admitted_on,
                        official_on: m.record.official_on,
                        gaps: gaps.get(&m.id).map_or(&[], |g| g.as_slice()),
                        awarded: awarded.get(&m.id).map_or(&[], |a| a.as_slice()),
                        seriously_ill: m.record.seriously_ill,
                    };
                    due_on(&rules, &facts, presentation).map(|d| due.insert(m.id, d)).is_some()
                })
                .collect();
            for m in self.summaries(candidates).await? {
                if let Some(d) = due.remove(&m.id) {
                    out.push((m, d));
                }
            }
        }
        out.sort_by_cached_key(|(m, due)| (std::cmp::Reverse(due.milestone), thidua_core::vi::collation_key(&m.full_name)));
        Ok(out)
    }

    /// The presentation days of the year after `from`, by the rules in force.
    pub fn presentation_days(&self, from: Date) -> Result<Vec<Date>, AppError> {
        let rules = self.rules.membership_on(from).map_err(AppError::Rules)?;
        let until = from.checked_add(jiff::Span::new().years(1)).unwrap_or(from);
        Ok(thidua_core::badge::presentation_days(rules, from, until))
    }
}

/// Names sort the Vietnamese way, by full name as lists are read; the id keeps namesakes apart.
fn sort_by_name(members: &mut [MemberSummary]) {
    members.sort_by_cached_key(|m| (thidua_core::vi::collation_key(&m.full_name), m.id));
}
