//! Secret ballots (bỏ phiếu kín) of a cluster: choosing the leading unit to propose for the flag,
//! approving nominees, choosing up to N. Electronic polls are cast by each voter with their
//! account; paper polls are entered by the count committee.
//!
//! Secrecy by construction: the record that someone voted and their ballot are written apart
//! (see the store), ballots carry no voter and no time, no count is shown before the close or with
//! fewer than two ballots, and nobody, administrators included, can list ballots with voters. Each
//! electronic voter gets a receipt token; the hash of the token is published with the ballots after
//! the close, so they can check that their ballot was counted as cast.

use std::collections::BTreeSet;

use jiff::civil::Date;
use sha2::{Digest, Sha256};
use thidua_core::access::Action;
use thidua_core::audit::hex;
use thidua_core::ballot::{may_show, tally, Marks, Mode, Poll, PollError, Question, Share, Status, Tally, Threshold, Validity};
use thidua_core::cluster::{check_year, Cluster, ClusterId};
use thidua_core::date::{format_date, long_date};
use thidua_core::org::OrgId;
pub use thidua_store::{BallotRow, PollOptionRow, PollRow, VoterRow};
use thidua_store::UserId;
use unicode_normalization::UnicodeNormalization;

use crate::auth::Principal;
use crate::{App, AppError, BallotProblem, FieldProblem, Invalid};

/// Where a poll's approval threshold comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The cluster's Quy chế: the leading unit's vote threshold.
    ClusterRules,
    /// The rulebook's rule for emulation and commendation councils in force on the poll's day
    /// (e.g. ≥ 90% of all members).
    Council,
    /// Set for this poll.
    Custom(Threshold),
}

#[derive(Debug, Clone)]
pub struct NewPoll {
    pub cluster: ClusterId,
    pub title: String,
    pub question: Question,
    /// Labels, with the unit an option stands for, if any.
    pub options: Vec<(String, Option<OrgId>)>,
    pub mode: Mode,
    /// Electronic: the voters' usernames.
    pub voters: Vec<String>,
    /// Paper: how many may vote.
    pub electorate: Option<u32>,
    pub basis: Basis,
    /// The cluster's quorum when absent.
    pub quorum: Option<Share>,
    pub held_on: Date,
    pub round: Option<i64>,
}

/// A voter's receipt: the token is shown once, to the voter; its hash is published with the ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub token: String,
    pub hash: String,
}

/// A voter as the secretary sees the list: who has voted, never how.
#[derive(Debug, Clone)]
pub struct VoterLine {
    pub username: String,
    pub display_name: String,
    pub voted: bool,
    pub written: bool,
}

#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: PollRow,
    pub cluster: Cluster,
    pub options: Vec<PollOptionRow>,
    /// Ballots in the box (electronic: voters who have voted).
    pub turnout: u32,
    /// Of those, written votes of absent members entered by the secretary.
    pub written: u32,
    /// The viewer's own place in the electorate.
    pub me: Option<VoterRow>,
    pub may_manage: bool,
    /// The count: after the close, and only with enough ballots.
    pub tally: Option<Tally>,
    /// Closed, but too few ballots to show a count.
    pub withheld: bool,
    /// The receipts' hashes of the counted ballots, after the close: proof that each was counted,
    /// without the marks (marks beside a receipt would let a voter show how they voted).
    pub published: Option<Vec<String>>,
    /// For the secretary: who has voted.
    pub voters: Option<Vec<VoterLine>>,
}

/// A poll's outcome as the commendation module records it with a dossier.
#[derive(Debug, Clone)]
pub struct VoteRecord {
    pub poll: i64,
    pub title: String,
    pub held_on: Date,
    pub threshold: Threshold,
    pub threshold_source: String,
    pub options: Vec<PollOptionRow>,
    pub tally: Tally,
}

/// Most options a poll takes (the core refuses more, too).
const MAX_OPTIONS: usize = 200;
/// Most voters listed for an electronic poll.
const MAX_VOTERS: usize = 2000;

pub(crate) fn random_hex(bytes: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|_| AppError::NoRandomness)?;
    Ok(hex(&buf))
}

/// The hash published for a receipt token.
pub fn receipt_hash(token: &str) -> String {
    hex(&Sha256::digest(token.trim().as_bytes()))
}

impl App {
    async fn poll_for(&self, p: &Principal, action: Action, id: i64) -> Result<(PollRow, Cluster), AppError> {
        let poll = self.store.poll(id).await?.ok_or(AppError::NotFound)?;
        let cluster = self.cluster_for(p, action, poll.cluster).await?;
        Ok((poll, cluster))
    }

    /// Prepares a poll (a draft until opened).
    pub async fn create_poll(&self, p: &Principal, new: &NewPoll) -> Result<PollRow, AppError> {
        let cluster = self.cluster_for(p, Action::EditCluster, new.cluster).await?;
        let mut problems = Vec::new();
        let title: String = new.title.trim().nfc().collect();
        if title.is_empty() {
            problems.push(FieldProblem::new("title", Invalid::Required));
        } else if title.chars().count() > 500 {
            problems.push(FieldProblem::new("title", Invalid::TooLong { max: 500 }));
        }
        let year = check_year(i32::from(new.held_on.year())).map_err(|_| AppError::Invalid(vec![FieldProblem::new("held_on", Invalid::OutOfRange)]))?;
        // Sizes first: each option and voter is looked up in the database.
        if new.options.len() > MAX_OPTIONS {
            return Err(PollError::TooManyOptions.into());
        }
        if new.voters.len() > MAX_VOTERS {
            return Err(AppError::Invalid(vec![FieldProblem::new("voters", Invalid::TooMany { max: MAX_VOTERS })]));
        }
        let mut options = Vec::new();
        for (i, (label, org)) in new.options.iter().enumerate() {
            let label: String = label.trim().nfc().collect();
            if label.is_empty() || label.chars().count() > 300 {
                problems.push(FieldProblem::new("options", if label.is_empty() { Invalid::Required } else { Invalid::TooLong { max: 300 } }));
            }
            if let Some(o) = org
                && !self.is_member(cluster.id, year, *o).await?
            {
                problems.push(FieldProblem::new("options", Invalid::NotMember));
            }
            options.push(PollOptionRow { position: u16::try_from(i).unwrap_or(u16::MAX), label, org: *org });
        }
        let mut voters: Vec<UserId> = Vec::new();
        let electorate = match new.mode {
            Mode::Electronic => {
                let mut seen = BTreeSet::new();
                for name in new.voters.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                    if !seen.insert(name.to_owned()) {
                        continue;
                    }
                    match self.store.user_by_username(name).await? {
                        Some(u) if u.active => voters.push(u.id),
                        _ => return Err(BallotProblem::UnknownAccount(name.chars().take(40).collect()).into()),
                    }
                }
                u32::try_from(voters.len()).unwrap_or(u32::MAX)
            }
            Mode::Paper => new.electorate.unwrap_or(0),
        };
        if let Some(r) = new.round
            && self.store.round(r).await?.is_none_or(|x| x.cluster != cluster.id)
        {
            problems.push(FieldProblem::new("round", Invalid::Choice));
        }
        if !problems.is_empty() {
            problems.dedup();
            return Err(AppError::Invalid(problems));
        }
        let rules = self.store.cluster_rules(cluster.id).await?.unwrap_or_default();
        let (threshold, source) = match new.basis {
            Basis::ClusterRules => (rules.leading_threshold(), format!("Quy chế hoạt động của {}", cluster.name)),
            Basis::Council => {
                let r = self.rules.ballots_on(new.held_on).map_err(AppError::Rules)?;
                (Threshold { share: r.council_threshold, base: r.council_base }, r.source.clone())
            }
            Basis::Custom(t) => (t, "Do thư ký Cụm đặt cho cuộc bỏ phiếu này".to_owned()),
        };
        let quorum = new.quorum.unwrap_or(rules.vote_quorum);
        let spec = Poll { question: new.question, options: u16::try_from(options.len()).unwrap_or(u16::MAX), electorate, quorum, threshold };
        spec.validate()?;
        let mut row = PollRow {
            id: 0,
            cluster: cluster.id,
            round: new.round,
            title,
            question: new.question,
            mode: new.mode,
            electorate,
            quorum,
            threshold,
            threshold_source: source,
            held_on: new.held_on,
            status: Status::Draft,
            created_by: p.username.clone(),
            version: 1,
        };
        let mut tx = self.store.begin().await?;
        row.id = tx.create_poll(&row, &options, &voters).await?;
        tx.audit(p.user, &p.record("poll.create", format!("poll:{} cluster:{}", row.id, cluster.id.0), format!("{} options, electorate {}", options.len(), electorate))).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn polls(&self, p: &Principal, cluster: ClusterId) -> Result<Vec<PollRow>, AppError> {
        self.cluster_for(p, Action::ViewCluster, cluster).await?;
        Ok(self.store.polls(cluster).await?)
    }

    async fn move_poll(&self, p: &Principal, id: i64, from: Status, to: Status, problem: BallotProblem) -> Result<(), AppError> {
        self.poll_for(p, Action::EditCluster, id).await?;
        let mut tx = self.store.begin().await?;
        tx.lock_poll(id).await?.ok_or(AppError::NotFound)?;
        if !tx.set_poll_status(id, from, to).await? {
            return Err(problem.into());
        }
        if to == Status::Closed {
            tx.seal_poll(id).await?;
        }
        tx.audit(p.user, &p.record(&format!("poll.{}", to.code()), format!("poll:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn open_poll(&self, p: &Principal, id: i64) -> Result<(), AppError> {
        self.move_poll(p, id, Status::Draft, Status::Open, BallotProblem::NotDraft).await
    }

    /// Closes the poll: only the secretary (the cluster's editors); no ballot is taken after.
    pub async fn close_poll(&self, p: &Principal, id: i64) -> Result<(), AppError> {
        self.move_poll(p, id, Status::Open, Status::Closed, BallotProblem::NotOpen).await
    }

    fn spec(poll: &PollRow, options: usize) -> Poll {
        Poll { question: poll.question, options: u16::try_from(options).unwrap_or(u16::MAX), electorate: poll.electorate, quorum: poll.quorum, threshold: poll.threshold }
    }

    /// Puts a ballot in the box: the voter's own (with a receipt), an absent member's written vote
    /// entered by the secretary, or a paper ballot entered by the count committee.
    async fn put_ballot(&self, p: &Principal, id: i64, voter: Option<(UserId, bool)>, marks: &Marks, action: &str, resource: String) -> Result<Option<Receipt>, AppError> {
        let options = self.store.poll_options(id).await?.len();
        // Every ballot of an electronic poll carries a receipt hash, so a written vote (whose token
        // nobody keeps) looks like any other.
        let receipt = match voter {
            Some(_) => {
                let token = random_hex(32)?;
                Some(Receipt { hash: receipt_hash(&token), token })
            }
            None => None,
        };
        let key = random_hex(16)?;
        let mut tx = self.store.begin().await?;
        let poll = tx.lock_poll(id).await?.ok_or(AppError::NotFound)?;
        // Absent members' written votes come in before the poll opens; once it is open, present
        // members vote themselves and nobody can vote in their place.
        let writing = matches!(voter, Some((_, true)));
        let status_needed = if writing { Status::Draft } else { Status::Open };
        if poll.status != status_needed {
            return Err(if writing { BallotProblem::NotDraft } else { BallotProblem::NotOpen }.into());
        }
        let validity = Self::spec(&poll, options).validity(marks);
        // Voters and the secretary send well-formed ballots; only the count committee records a
        // spoilt paper ballot as such.
        if validity == Validity::Invalid && !(poll.mode == Mode::Paper && *marks == Marks::Spoilt) {
            return Err(BallotProblem::InvalidMarks.into());
        }
        match voter {
            Some((user, written)) => {
                if poll.mode != Mode::Electronic {
                    return Err(BallotProblem::WrongMode.into());
                }
                if !tx.mark_voted(id, user, written).await? {
                    return Err(BallotProblem::AlreadyVoted.into());
                }
            }
            None => {
                if poll.mode != Mode::Paper {
                    return Err(BallotProblem::WrongMode.into());
                }
                if tx.ballots_in_box(id).await? >= poll.electorate {
                    return Err(BallotProblem::BoxFull.into());
                }
            }
        }
        tx.add_ballot(id, &key, marks, receipt.as_ref().map(|r| r.hash.as_str())).await?;
        // The audit says that a ballot went in, and by whose hand; never what it says.
        tx.audit(p.user, &p.record(action, resource, "")).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The voter casts their own ballot; returns their receipt.
    pub async fn cast(&self, p: &Principal, id: i64, marks: &Marks) -> Result<Receipt, AppError> {
        let user = p.user.ok_or(AppError::Forbidden)?;
        self.store.poll(id).await?.ok_or(AppError::NotFound)?;
        if !self.store.poll_voters(id).await?.iter().any(|v| v.user == user) {
            return Err(BallotProblem::NotVoter.into());
        }
        self.put_ballot(p, id, Some((user, false)), marks, "poll.vote", format!("poll:{id}")).await?.ok_or(AppError::NoRandomness)
    }

    /// The secretary enters an absent member's written vote.
    pub async fn enter_written_vote(&self, p: &Principal, id: i64, username: &str, marks: &Marks) -> Result<(), AppError> {
        let (poll, _) = self.poll_for(p, Action::EditCluster, id).await?;
        if poll.mode != Mode::Electronic {
            return Err(BallotProblem::WrongMode.into());
        }
        let user = self.store.user_by_username(username.trim()).await?.ok_or_else(|| BallotProblem::UnknownAccount(username.chars().take(40).collect()))?;
        if !self.store.poll_voters(id).await?.iter().any(|v| v.user == user.id) {
            return Err(AppError::Invalid(vec![FieldProblem::new("voter", Invalid::Choice)]));
        }
        self.put_ballot(p, id, Some((user.id, true)), marks, "poll.written_vote", format!("poll:{id} user:{}", user.username)).await?;
        Ok(())
    }

    /// The count committee enters a paper ballot (or records it spoilt).
    pub async fn enter_paper_ballot(&self, p: &Principal, id: i64, marks: &Marks) -> Result<(), AppError> {
        self.poll_for(p, Action::EditCluster, id).await?;
        self.put_ballot(p, id, None, marks, "poll.paper_ballot", format!("poll:{id}")).await?;
        Ok(())
    }

    /// May the principal see the poll: those who see the cluster, and the poll's voters.
    async fn poll_visible(&self, p: &Principal, id: i64) -> Result<(PollRow, Cluster, Option<VoterRow>), AppError> {
        let poll = self.store.poll(id).await?.ok_or(AppError::NotFound)?;
        let me = match p.user {
            Some(u) => self.store.poll_voters(id).await?.into_iter().find(|v| v.user == u),
            None => None,
        };
        let cluster = match me {
            Some(_) => self.store.cluster(poll.cluster).await?.ok_or(AppError::NotFound)?,
            None => self.cluster_for(p, Action::ViewCluster, poll.cluster).await?,
        };
        Ok((poll, cluster, me))
    }

    pub async fn poll_view(&self, p: &Principal, id: i64) -> Result<PollView, AppError> {
        let (poll, cluster, me) = self.poll_visible(p, id).await?;
        let may_manage = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let options = self.store.poll_options(id).await?;
        let voters = self.store.poll_voters(id).await?;
        let turnout = self.store.ballot_count(id).await?;
        let written = u32::try_from(voters.iter().filter(|v| v.written).count()).unwrap_or(0);
        let closed = poll.status == Status::Closed;
        let shown = may_show(closed, turnout, written);
        let (tally, published) = if shown {
            let ballots = self.store.ballots(id).await?;
            let marks: Vec<Marks> = ballots.iter().map(|b| b.marks.clone()).collect();
            let mut hashes: Vec<String> = ballots.into_iter().filter_map(|b| b.receipt_hash).collect();
            hashes.sort();
            (Some(tally(&Self::spec(&poll, options.len()), &marks)), Some(hashes))
        } else {
            (None, None)
        };
        let voters = if may_manage && poll.mode == Mode::Electronic {
            let mut lines = Vec::new();
            for v in &voters {
                if let Some(u) = self.store.user(v.user).await? {
                    lines.push(VoterLine { username: u.username, display_name: u.display_name, voted: v.voted, written: v.written });
                }
            }
            thidua_core::vi::sort_by_name(&mut lines, |x| &x.display_name);
            Some(lines)
        } else {
            None
        };
        Ok(PollView { withheld: closed && !shown, poll, cluster, options, turnout, written, me, may_manage, tally, published, voters })
    }

    /// Checks a receipt after the close: the marks of the ballot it belongs to, if counted. Only
    /// the holder of the token can ask.
    pub async fn check_receipt(&self, p: &Principal, id: i64, token: &str) -> Result<Option<Marks>, AppError> {
        let view = self.poll_view(p, id).await?;
        if view.published.is_none() {
            return Err(if view.withheld { BallotProblem::TooFewToShow } else { BallotProblem::NotClosed }.into());
        }
        let hash = receipt_hash(token);
        Ok(self.store.ballots(id).await?.into_iter().find(|b| b.receipt_hash.as_deref() == Some(hash.as_str())).map(|b| b.marks))
    }

    /// The outcome, for the commendation module to keep with a dossier.
    pub async fn vote_record(&self, p: &Principal, id: i64) -> Result<VoteRecord, AppError> {
        let v = self.poll_view(p, id).await?;
        let tally = match v.tally {
            Some(t) => t,
            None if v.withheld => return Err(BallotProblem::TooFewToShow.into()),
            None => return Err(BallotProblem::NotClosed.into()),
        };
        Ok(VoteRecord { poll: id, title: v.poll.title, held_on: v.poll.held_on, threshold: v.poll.threshold, threshold_source: v.poll.threshold_source, options: v.options, tally })
    }

    /// The minutes of the count (biên bản kiểm phiếu) as a Party-format docx.
    pub async fn count_minutes_docx(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let r = self.vote_record(p, id).await?;
        let poll = self.store.poll(id).await?.ok_or(AppError::NotFound)?;
        let cluster = self.store.cluster(poll.cluster).await?.ok_or(AppError::NotFound)?;
        let owner = self.owner_name(&cluster, poll.held_on).await?;
        let rules = self.store.cluster_rules(cluster.id).await?.unwrap_or_default();
        let ordinal = self.store.polls(cluster.id).await?.iter().filter(|x| x.held_on.year() == poll.held_on.year() && x.id <= id).count();
        let t = &r.tally;
        let pct = |n: u32, of: u32| thidua_core::vi::format_percent(i64::from(n), i64::from(of), thidua_core::vi::Lang::Vi).unwrap_or_else(|| "–".into());
        let question = match poll.question {
            Question::ChooseOne => "chọn một".to_owned(),
            Question::ApproveEach => "đồng ý hoặc không đồng ý với từng người, đơn vị được đề nghị".to_owned(),
            Question::ChooseUpTo { max } => format!("chọn không quá {max}"),
        };
        let mut body = vec![
            format!("Nội dung bỏ phiếu: {} (bỏ phiếu kín, {question}).", r.title),
            format!("Ngày bỏ phiếu: {}.", format_date(poll.held_on)),
            format!("Số người có quyền bỏ phiếu: {}; số phiếu phát ra và thu về: {} ({}).", t.electorate, t.cast, pct(t.cast, t.electorate)),
            format!("Số phiếu hợp lệ: {}; phiếu trắng: {}; phiếu không hợp lệ: {}.", t.valid, t.blank, t.invalid),
        ];
        if poll.mode == Mode::Electronic {
            let written = self.store.poll_voters(id).await?.iter().filter(|v| v.written).count();
            if written > 0 {
                body.push(format!("Trong đó {written} phiếu bằng văn bản của thành viên vắng mặt, do thư ký nhập."));
            }
        }
        body.push(format!(
            "Số người bỏ phiếu tối thiểu: {} tổng số người có quyền bỏ phiếu — {}.",
            poll.quorum.label(),
            if t.quorum_met { "đạt" } else { "không đạt, cuộc bỏ phiếu không có giá trị quyết định" }
        ));
        let base = match r.threshold.base {
            thidua_core::ballot::Base::Electorate => "tổng số người có quyền bỏ phiếu",
            thidua_core::ballot::Base::Cast => "số phiếu thu về",
            thidua_core::ballot::Base::Valid => "số phiếu hợp lệ",
        };
        body.push(format!("Ngưỡng thông qua: {} {base} ({}).", r.threshold.share.label(), r.threshold_source));
        body.push("KẾT QUẢ KIỂM PHIẾU".into());
        let of = match r.threshold.base {
            thidua_core::ballot::Base::Electorate => t.electorate,
            thidua_core::ballot::Base::Cast => t.cast,
            thidua_core::ballot::Base::Valid => t.valid,
        };
        for (o, res) in r.options.iter().zip(&t.options) {
            let against = if poll.question == Question::ApproveEach { format!(", không đồng ý {}", res.no) } else { String::new() };
            let outcome = if res.adopted { "đạt" } else if t.tied.contains(&o.position) { "bằng phiếu, cần bỏ phiếu lại" } else { "không đạt" };
            body.push(format!("{}. {}: {} phiếu ({}){against} — {outcome}.", o.position + 1, o.label, res.yes, pct(res.yes, of)));
        }
        body.push("Biên bản được lập sau khi kiểm phiếu và công bố tại hội nghị.".into());
        let doc = thidua_office::PartyDocument {
            superior: owner,
            issuer: cluster.name.clone(),
            number: format!("Số {ordinal:02}-BB/KP"),
            place_date: match rules.locality.as_deref() {
                Some(l) if !l.is_empty() => format!("{l}, {}", long_date(poll.held_on)),
                _ => long_date(poll.held_on).replacen("ngày", "Ngày", 1),
            },
            title: "Biên bản kiểm phiếu".into(),
            summary: Some(r.title.clone()),
            body,
            signer_title: vec!["T/M TỔ KIỂM PHIẾU".into(), "TỔ TRƯỞNG".into()],
            signer_name: String::new(),
            recipients: vec!["Các đơn vị thành viên Cụm".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }
}
