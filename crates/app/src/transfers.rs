//! Membership transfers: introduced by the sending side, reported, received and completed by the
//! receiving side; the member's record moves with the member in the completing transaction.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use thidua_core::access::{can, Action};
use thidua_core::member::MemberId;
use thidua_core::date::{format_date, long_date};
use thidua_core::org::{OrgId, OrgKind};
use thidua_core::transfer::{self, check_new, Deadlines, TransferDates, TransferError, TransferKind, TransferState, TransferStep};
use thidua_store::{StepRow, TransferRow};

use crate::auth::{now_unix, Principal};
use crate::{today, App, AppError, TransferProblem};

/// A transfer as the sending side starts it.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub member: MemberId,
    /// A receiving organization in this installation…
    pub to_org: Option<OrgId>,
    /// …or one in another installation, by name (the member's file travels as a package).
    pub external_to: Option<String>,
    pub kind: TransferKind,
    /// The decision or change of residence that starts the 60-working-day clock.
    pub trigger_on: Date,
    pub introduced_on: Date,
    pub letter_number: Option<String>,
    /// Required when the letter is issued after the deadline: who was late and why.
    pub late_reason: Option<String>,
}

/// A transfer with what the lists and the page show about it.
#[derive(Debug, Clone)]
pub struct TransferView {
    pub row: TransferRow,
    pub member_name: String,
    /// `None` for a transfer from before the rulebook's first membership rules: no deadline is
    /// known for it, and none is called missed.
    pub deadlines: Option<Deadlines>,
    /// The missed deadline, when the letter was not presented in time.
    pub overdue_since: Option<Date>,
    pub from_name: String,
    pub to_name: String,
    /// Whether the principal acts for the sending side, the receiving side, or both.
    pub may_send: bool,
    pub may_receive: bool,
    /// The two ends sit under different provincial committees, or in another installation.
    pub across_provinces: bool,
}

/// The transfer page: the view and its steps.
#[derive(Debug, Clone)]
pub struct TransferDetail {
    pub view: TransferView,
    pub steps: Vec<StepRow>,
}

fn dates(row: &TransferRow) -> TransferDates {
    TransferDates { trigger_on: row.trigger_on, introduced_on: row.introduced_on, state: row.state, last_step_on: row.last_step_on }
}

impl App {
    /// What the lists and the page show about each of `rows`, in their order. The facts are read
    /// for all rows at once: one by one they cost a dozen queries a row, and under load a unit
    /// officer's list of open transfers waited seconds for connections.
    async fn transfer_views(&self, p: &Principal, rows: Vec<TransferRow>) -> Result<Vec<TransferView>, AppError> {
        let cal = self.work_calendar().await?;
        let orgs: BTreeSet<OrgId> = rows.iter().flat_map(|r| [Some(r.from_org), r.to_org]).flatten().collect();
        let names = self.org_names(&orgs).await?;
        let ids: Vec<MemberId> = rows.iter().map(|r| r.member).collect::<BTreeSet<_>>().into_iter().collect();
        let members: HashMap<MemberId, String> = self.store.members_by_ids(&ids).await?.into_iter().map(|m| (m.id, m.record.full_name)).collect();
        let internal = |r: &TransferRow| if r.external_to.is_none() && r.external_from.is_none() { r.to_org } else { None };
        let ends: BTreeSet<(OrgId, Date)> = rows.iter().filter_map(|r| internal(r).map(|to| [(r.from_org, r.introduced_on), (to, r.introduced_on)])).flatten().collect();
        let provinces = self.provinces_of(&ends).await?;
        let may: HashMap<OrgId, bool> = if p.has_system(Action::ManageTransfers) {
            orgs.iter().map(|o| (*o, true)).collect()
        } else {
            self.org_resources(&orgs, today()).await?.into_iter().map(|(o, r)| (o, can(&p.grants, Action::ManageTransfers, &r))).collect()
        };
        let may = |o: Option<OrgId>| o.is_some_and(|o| may.get(&o).copied().unwrap_or(false));
        Ok(rows
            .into_iter()
            .map(|row| {
                let rules = self.rules.membership_on(row.introduced_on).ok();
                let province = |o: OrgId| provinces.get(&(o, row.introduced_on)).copied().flatten();
                let may_send = may(Some(row.from_org));
                TransferView {
                    member_name: members.get(&row.member).cloned().unwrap_or_default(),
                    deadlines: rules.map(|r| transfer::deadlines(r, &cal, row.trigger_on, row.introduced_on)),
                    overdue_since: rules.and_then(|r| transfer::overdue(r, &cal, &dates(&row), today())),
                    from_name: row.external_from.clone().or_else(|| names.get(&row.from_org).cloned()).unwrap_or_default(),
                    to_name: row.to_org.and_then(|o| names.get(&o).cloned()).or_else(|| row.external_to.clone()).unwrap_or_default(),
                    may_send,
                    // A transfer to another installation is carried through by the sending side.
                    may_receive: if row.to_org.is_some() { may(row.to_org) } else { may_send },
                    across_provinces: internal(&row).is_none_or(|to| province(row.from_org) != province(to)),
                    row,
                }
            })
            .collect())
    }

    /// The provincial committee (or committee directly under the Centre) above each organization
    /// on its day; none for one not live that day.
    async fn provinces_of(&self, ends: &BTreeSet<(OrgId, Date)>) -> Result<HashMap<(OrgId, Date), Option<OrgId>>, AppError> {
        let mut live = BTreeSet::new();
        for &(org, on) in ends {
            if !self.store.versions_on([org], on).await?.is_empty() {
                live.insert((org, on));
            }
        }
        let chains = self.store.org_chains_each(&live).await?;
        let kinds = self.store.latest_versions(&chains.values().flatten().copied().collect()).await?;
        let is_province = |o: &OrgId| kinds.get(o).is_some_and(|v| v.kind == OrgKind::ProvincialCommittee);
        Ok(ends.iter().map(|end| (*end, chains.get(end).and_then(|c| c.iter().find(|o| is_province(o)).copied()))).collect())
    }

    /// Starts a transfer: resolves the receiving organization through mergers, checks the rules
    /// in force on the day, and records the letter of introduction.
    pub async fn introduce_transfer(&self, p: &Principal, new: &NewTransfer) -> Result<i64, AppError> {
        let member = self.store.member(new.member).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ManageTransfers, member.record.org, today()).await?;
        let (to_org, addressed_org, external_to) = match (&new.to_org, new.external_to.as_deref().map(str::trim)) {
            (Some(o), _) => {
                let successors = self.store.org_successors_on(*o, new.introduced_on).await?;
                let to = match successors.as_slice() {
                    [] if self.store.org_history(*o).await?.is_empty() => return Err(AppError::NotFound),
                    [] => return Err(TransferProblem::NoSuccessor.into()),
                    [one] => *one,
                    many => {
                        let names = self.org_names(&many.iter().copied().collect()).await?;
                        return Err(TransferProblem::Ambiguous(many.iter().filter_map(|m| names.get(m).cloned()).collect()).into());
                    }
                };
                (Some(to), (to != *o).then_some(*o), None)
            }
            (None, Some(ext)) if !ext.is_empty() => (None, None, Some(ext.chars().take(300).collect::<String>())),
            _ => return Err(TransferProblem::NoReceiver.into()),
        };
        if to_org == Some(member.record.org) {
            return Err(TransferError::SameOrganization.into());
        }
        if self.store.member_transfers(member.id).await?.iter().any(|t| t.state.is_open()) {
            return Err(TransferProblem::AlreadyOpen.into());
        }
        let rules = self.rules.membership_on(new.introduced_on).map_err(AppError::Rules)?;
        let cal = self.work_calendar().await?;
        let late_reason = new.late_reason.clone().filter(|r| !r.trim().is_empty());
        check_new(rules, &cal, new.kind, new.trigger_on, new.introduced_on, late_reason.as_deref(), today())?;
        let row = TransferRow {
            id: 0,
            member: member.id,
            kind: new.kind,
            from_org: member.record.org,
            to_org,
            addressed_org,
            external_to,
            external_from: None,
            trigger_on: new.trigger_on,
            introduced_on: new.introduced_on,
            letter_number: new.letter_number.clone().filter(|l| !l.trim().is_empty()),
            late_reason,
            state: TransferState::Introduced,
            last_step_on: new.introduced_on,
            reported_on: None,
            report_late_reason: None,
            received_on: None,
            completed_on: None,
            closed_reason: None,
            created_by: p.username.clone(),
        };
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let id = tx.create_transfer(&row, now).await?;
        tx.add_member_change(member.id, &p.username, &format!("transfer {id} introduced"), now).await?;
        let resource = format!("transfer:{id} member:{} org:{}", member.id.0, member.record.org.0);
        tx.audit(p.user, &p.record("transfer.introduce", resource, format!("to {}", to_org.map_or("external".into(), |o| format!("org:{}", o.0))))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a transfer one step. The receiving side reports, receives, completes or returns; the
    /// sending side cancels. Completing moves the member, with the whole record, in the same
    /// transaction.
    pub async fn transfer_step(&self, p: &Principal, id: i64, step: &TransferStep) -> Result<TransferState, AppError> {
        let row = self.store.transfer(id).await?.ok_or(AppError::NotFound)?;
        let sending = matches!(step, TransferStep::Cancel { .. });
        let side = if sending || row.to_org.is_none() { Some(row.from_org) } else { row.to_org };
        if !p.has_system(Action::ManageTransfers) {
            match side {
                Some(o) => self.require_org(p, Action::ManageTransfers, o, today()).await?,
                None => return Err(AppError::Forbidden),
            }
        }
        let rules = self.rules.membership_on(step.on()).map_err(AppError::Rules)?;
        let cal = self.work_calendar().await?;
        let next = transfer::apply(rules, &cal, &dates(&row), step, today())?;
        let member = self.store.member(row.member).await?.ok_or(AppError::NotFound)?;
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        if !tx.record_transfer_step(id, row.state, step, &p.username, now).await? {
            return Err(AppError::Conflict);
        }
        if let (TransferStep::Complete { .. }, Some(to)) = (step, row.to_org) {
            match row.kind {
                TransferKind::Official => tx.set_member_orgs(member.id, to, None).await?,
                TransferKind::Temporary { .. } => tx.set_member_orgs(member.id, member.record.org, Some(to)).await?,
            }
        }
        tx.add_member_change(member.id, &p.username, &format!("transfer {id}: {}", next.code()), now).await?;
        let resource = format!("transfer:{id} member:{}", member.id.0);
        tx.audit(p.user, &p.record(&format!("transfer.{}", next.code()), resource, "")).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Transfers the principal handles on either side, newest first.
    pub async fn transfers(&self, p: &Principal) -> Result<Vec<TransferView>, AppError> {
        self.transfers_where(p, None, None).await
    }

    /// As `transfers`, open or closed ones when `open` says, all or one page (`(limit, offset)`).
    pub async fn transfers_where(&self, p: &Principal, open: Option<bool>, page: Option<(i64, i64)>) -> Result<Vec<TransferView>, AppError> {
        let orgs = self.member_orgs(p, Action::ManageTransfers).await?;
        let rows = self.store.transfers(orgs.as_deref(), open, page).await?;
        self.transfer_views(p, rows).await
    }

    /// One transfer. Both sides see it; the sending side keeps this read-only trace after the
    /// member has left.
    pub async fn transfer(&self, p: &Principal, id: i64) -> Result<TransferDetail, AppError> {
        let row = self.store.transfer(id).await?.ok_or(AppError::NotFound)?;
        let view = self.transfer_views(p, vec![row]).await?.pop().ok_or(AppError::NotFound)?;
        if !(view.may_send || view.may_receive || p.has_system(Action::ManageTransfers)) {
            return Err(AppError::Forbidden);
        }
        Ok(TransferDetail { steps: self.store.transfer_steps(id).await?, view })
    }

    /// Organizations a transfer can be addressed to on `date`: every live one, for the form's
    /// picker (which sorts what it shows).
    pub async fn transfer_targets(&self, date: Date) -> Result<Vec<(OrgId, String)>, AppError> {
        Ok(self.store.orgs_on(date).await?.into_iter().map(|v| (v.org, v.name)).collect())
    }

    /// Ids of organizations with members the principal may transfer.
    pub async fn transfer_orgs(&self, p: &Principal) -> Result<Option<BTreeSet<OrgId>>, AppError> {
        Ok(self.member_orgs(p, Action::ManageTransfers).await?.map(|v| v.into_iter().collect()))
    }
}

impl App {
    /// The letter of introduction (giấy giới thiệu sinh hoạt đảng) as docx. It is issued by the
    /// committee directly above the member's grassroots organization.
    pub async fn transfer_letter(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let detail = self.transfer(p, id).await?;
        let row = &detail.view.row;
        // How long the letter is valid, by the rules in force when it was issued; a letter from
        // before the rulebook's first membership rules is reprinted without it.
        let validity = self.rules.membership_on(row.introduced_on).ok().zip(detail.view.deadlines.as_ref()).map(|(rules, d)| {
            format!("Giấy giới thiệu có giá trị đến hết {} ({} ngày làm việc kể từ ngày ký).", long_date(d.report_by), rules.letter_working_days)
        });
        let member = self.store.member(row.member).await?.ok_or(AppError::NotFound)?;
        let chain = self.store.org_chain_on(row.from_org, row.introduced_on).await?;
        let mut issuer = None;
        for org in &chain {
            let kind = self.store.org_history(*org).await?.last().map(|v| v.kind);
            if matches!(kind, Some(OrgKind::UpperGrassrootsCommittee | OrgKind::ProvincialCommittee)) {
                issuer = Some(*org);
                break;
            }
        }
        let issuer = issuer.or(chain.last().copied()).unwrap_or(row.from_org);
        let superior = chain.iter().skip_while(|o| **o != issuer).nth(1).copied();
        let names = self.org_names(&[Some(issuer), superior, Some(row.from_org)].into_iter().flatten().collect()).await?;
        let name = |o: Option<OrgId>| o.and_then(|o| names.get(&o).cloned()).unwrap_or_default();
        let r = &member.record;
        let kind = match row.kind {
            TransferKind::Official => "chính thức".to_owned(),
            TransferKind::Temporary { until, .. } => format!("tạm thời đến {}", format_date(until)),
        };
        let status = if r.official_on.is_some_and(|o| o <= row.introduced_on) { "đảng viên chính thức" } else { "đảng viên dự bị" };
        let mut body = vec![
            format!("Giới thiệu đồng chí: {}, sinh ngày {}.", r.full_name, format_date(r.birth_date)),
            format!(
                "Là {status}; vào Đảng ngày {}{}{}.",
                format_date(r.admitted_on),
                r.official_on.map(|o| format!(", chính thức ngày {}", format_date(o))).unwrap_or_default(),
                r.party_card.as_ref().map(|c| format!("; số thẻ đảng viên {c}")).unwrap_or_default()
            ),
            format!("Hiện sinh hoạt tại {}.", name(Some(row.from_org))),
            format!("Được chuyển sinh hoạt đảng {kind} đến {}.", detail.view.to_name),
            "Đề nghị tổ chức đảng nơi đến tiếp nhận và quản lý, giúp đỡ đồng chí hoàn thành nhiệm vụ.".to_owned(),
        ];
        body.extend(validity);
        if let Some(reason) = &row.late_reason {
            body.push(format!("Ghi chú về việc chậm giới thiệu: {reason}."));
        }
        let doc = thidua_office::PartyDocument {
            superior: name(superior),
            issuer: name(Some(issuer)),
            number: row.letter_number.clone().map_or_else(|| format!("Số {id}-GGT"), |n| format!("Số {n}")),
            place_date: format!("Thành phố Hồ Chí Minh, {}", long_date(row.introduced_on)),
            title: "Giấy giới thiệu".into(),
            summary: Some("sinh hoạt đảng".into()),
            body,
            signer_title: vec!["T/M BAN THƯỜNG VỤ".into()],
            signer_name: String::new(),
            recipients: vec![detail.view.to_name.clone(), "Đảng viên có tên trên".into(), "Lưu hồ sơ đảng viên".into()],
        };
        let bytes = thidua_office::docx(&doc)?;
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("transfer.letter", format!("transfer:{id} member:{}", row.member.0), "")).await?;
        tx.commit().await?;
        Ok(bytes)
    }
}
