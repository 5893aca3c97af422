//! Year-end scoring of a campaign: the round with its snapshot of the criteria table, sheets of
//! self-, peer- and leader scores with evidence, the leader's adjustments, closing and reopening,
//! the ranking and its explanation.
//!
//! Who sees what while the round is open: the cluster's editors see every sheet; a unit sees the
//! sheets it fills, and the sheets about a unit only once it has submitted its own about that unit,
//! so peers cannot copy each other. Once the round is closed, everyone who sees the cluster sees
//! the ranking and how it was reached.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};
use thidua_core::access::Action;
use thidua_core::audit::hex;
use thidua_core::cluster::Cluster;
use thidua_core::emulation::{validate_table, Criterion};
use thidua_core::org::OrgId;
use thidua_core::scoring::{check_sheet, decided_by, leaves, rank, unit_result, Adjustment, Centi, Decided, PeerMode, ScorerRole, ScoringError, Sheet, UnitResult, UnitSheets};
pub use thidua_store::{AdjustmentRow, LineRow, ReopeningRow, RoundRow, ScoreFileRow, SheetRow};
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::documents::NewAttachment;
use crate::emulation::CampaignRow;
use crate::{today, App, AppError, FieldProblem, Invalid, RoundProblem};

/// Longest evidence note on a score.
const MAX_NOTE: usize = 2000;

/// A sheet to score: which one, and the version read (1 for a sheet not yet started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetKey {
    pub target: OrgId,
    pub role: ScorerRole,
    pub scorer: OrgId,
}

/// A score as entered, with its evidence.
#[derive(Debug, Clone)]
pub struct LineInput {
    pub code: String,
    pub score: Centi,
    pub note: String,
    /// Number and symbol of a registered document given as evidence.
    pub document: Option<String>,
}

/// A sheet the viewer may fill, or sees.
#[derive(Debug, Clone)]
pub struct SheetRef {
    pub key: SheetKey,
    pub target_name: String,
    pub scorer_name: String,
    pub submitted: bool,
    pub started: bool,
}

/// Where a unit stands in a round.
#[derive(Debug, Clone)]
pub struct RoundUnit {
    pub org: OrgId,
    pub name: String,
    pub own_submitted: bool,
    pub peers_submitted: usize,
    pub peers_expected: usize,
    /// `None` when the leader does not score (weight 0).
    pub leader_submitted: Option<bool>,
}

/// A unit in the ranking, with the step of the tie-break that put it above the next one.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub rank: usize,
    pub org: OrgId,
    pub name: String,
    pub result: UnitResult,
    pub above_next_by: Option<Decided>,
}

#[derive(Debug, Clone)]
pub struct RoundView {
    pub round: RoundRow,
    pub cluster: Cluster,
    pub campaign: CampaignRow,
    pub units: Vec<RoundUnit>,
    /// Sheets still expected: `(target, role, scorer)`, named.
    pub missing: Vec<SheetRef>,
    /// Sheets the viewer may fill.
    pub fillable: Vec<SheetRef>,
    /// Shown to the cluster's editors, and to everyone once the round is closed.
    pub ranking: Option<Vec<Ranked>>,
    pub adjustments: Vec<AdjustmentRow>,
    pub assignments: Vec<(OrgId, OrgId)>,
    pub reopenings: Vec<ReopeningRow>,
    pub may_edit: bool,
}

/// One sheet with what the entry grid shows.
#[derive(Debug, Clone)]
pub struct SheetView {
    pub round: RoundRow,
    pub key: SheetKey,
    pub target_name: String,
    pub scorer_name: String,
    pub sheet: Option<SheetRow>,
    pub lines: BTreeMap<String, LineRow>,
    pub files: Vec<ScoreFileRow>,
    /// Numbers and symbols of documents given as evidence, by id.
    pub documents: HashMap<i64, String>,
    /// The viewer may still change it: allowed, round open, not submitted.
    pub may_write: bool,
}

/// A unit's result criterion by criterion, and who gave what.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub round: RoundRow,
    pub org: OrgId,
    pub name: String,
    pub rank: Option<usize>,
    pub result: UnitResult,
    pub scorer_names: HashMap<OrgId, String>,
    pub adjustments: Vec<AdjustmentRow>,
}

impl App {
    async fn round_for(&self, p: &Principal, action: Action, id: i64) -> Result<(RoundRow, Cluster), AppError> {
        let round = self.store.round(id).await?.ok_or(AppError::NotFound)?;
        let cluster = self.cluster_for(p, action, round.cluster).await?;
        Ok((round, cluster))
    }

    /// Opens the year-end scoring of a campaign, copying in its criteria table and the cluster's
    /// scoring rules as they stand today.
    pub async fn open_round(&self, p: &Principal, campaign: i64) -> Result<RoundRow, AppError> {
        let c = self.store.campaign(campaign).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::EditCluster, c.cluster).await?;
        if self.store.round_of_campaign(campaign).await?.is_some() {
            return Err(RoundProblem::Exists.into());
        }
        let criteria = self.store.criteria(campaign).await?;
        if criteria.is_empty() || validate_table(&criteria, c.scale).is_err() {
            return Err(RoundProblem::NoTable.into());
        }
        let rules = self.store.cluster_rules(c.cluster).await?.unwrap_or_default();
        rules.scoring.weights.validate()?;
        let year = self.store.cluster_year(c.cluster, c.year).await?;
        let (leader, deputy) = (year.leader(), year.deputy());
        if rules.scoring.weights.leader_pct > 0 && leader.is_none() {
            return Err(RoundProblem::NoLeader.into());
        }
        let members = year.members.iter().map(|(o, _)| *o).collect();
        let mut row = RoundRow { id: 0, campaign, cluster: c.cluster, year: c.year, criteria, scale: c.scale, rules: rules.scoring, leader, deputy, members, closed: false, version: 1 };
        let mut tx = self.store.begin().await?;
        row.id = tx.create_round(&row).await?.ok_or(RoundProblem::Exists)?;
        tx.audit(p.user, &p.record("round.open", format!("round:{} campaign:{campaign}", row.id), format!("{} criteria", row.criteria.len()))).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn round_of_campaign(&self, p: &Principal, campaign: i64) -> Result<Option<RoundRow>, AppError> {
        let c = self.store.campaign(campaign).await?.ok_or(AppError::NotFound)?;
        self.cluster_for(p, Action::ViewCluster, c.cluster).await?;
        Ok(self.store.round_of_campaign(campaign).await?)
    }

    /// Every sheet the round expects: each unit's own, its peers' (all others, or those assigned),
    /// and the leader's when the leader's score weighs.
    async fn expected_sheets(&self, round: &RoundRow, members: &[OrgId]) -> Result<Vec<SheetKey>, AppError> {
        let assigned = match round.rules.peers {
            PeerMode::Assigned => Some(self.store.assignments(round.id).await?),
            PeerMode::AllPeers => None,
        };
        Ok(expected(round, members, assigned.as_deref()))
    }

    /// Whether the principal may fill the sheet: the cluster's editors any sheet; a unit's officers
    /// the sheets that unit scores (its own, its cross-scores, and the leader's if it leads).
    async fn may_fill(&self, p: &Principal, key: &SheetKey, editor: bool) -> bool {
        editor || self.require_org(p, Action::EditOrgs, key.scorer, today()).await.is_ok()
    }

    async fn members_of(&self, round: &RoundRow) -> Result<Vec<OrgId>, AppError> {
        if !round.members.is_empty() {
            return Ok(round.members.clone());
        }
        Ok(self.store.cluster_year(round.cluster, round.year).await?.members.into_iter().map(|(o, _)| o).collect())
    }

    /// Each unit's submitted sheets and adjustments, combined into its result.
    async fn results(&self, round: &RoundRow, members: &[OrgId]) -> Result<Vec<UnitResult>, AppError> {
        // Only the sheets the round expects count: one left by an assignment since withdrawn does not.
        let expected = self.expected_sheets(round, members).await?;
        let sheets: Vec<SheetRow> =
            self.store.sheets(round.id).await?.into_iter().filter(|s| expected.contains(&SheetKey { target: s.target, role: s.role, scorer: s.scorer })).collect();
        let lines = self.store.score_lines(round.id).await?;
        let adjustments = self.store.adjustments(round.id).await?;
        let mut by_sheet: HashMap<i64, Sheet> = HashMap::new();
        for l in lines {
            by_sheet.entry(l.sheet).or_default().insert(l.code, l.centi);
        }
        let mut out = Vec::new();
        for m in members {
            let mut u = UnitSheets::default();
            for s in sheets.iter().filter(|s| s.target == *m && s.submitted) {
                let sheet = by_sheet.get(&s.id).cloned().unwrap_or_default();
                match s.role {
                    ScorerRole::Own => u.self_sheet = Some(sheet),
                    ScorerRole::Peer => {
                        u.peers.insert(s.scorer, sheet);
                    }
                    ScorerRole::Leader => u.leader = Some(sheet),
                }
            }
            u.adjustments = adjustments.iter().filter(|a| a.target == *m).map(|a| a.adjustment.clone()).collect();
            // A unit nobody scores as leader (the leading unit, without a deputy) is weighed on
            // its self- and peer scores alone.
            let mut weights = round.rules.weights;
            if !expected.iter().any(|k| k.target == *m && k.role == ScorerRole::Leader) {
                weights.leader_pct = 0;
            }
            out.push(unit_result(&round.criteria, weights, *m, &u));
        }
        Ok(out)
    }

    async fn ranking(&self, round: &RoundRow, members: &[OrgId], names: &HashMap<OrgId, String>) -> Result<Vec<Ranked>, AppError> {
        let units: Vec<(UnitResult, String)> = self.results(round, members).await?.into_iter().map(|r| {
            let name = names.get(&r.org).cloned().unwrap_or_default();
            (r, name)
        }).collect();
        let order = rank(&units);
        Ok(order
            .iter()
            .enumerate()
            .map(|(i, (r, name))| Ranked {
                rank: i + 1,
                org: r.org,
                name: name.clone(),
                result: r.clone(),
                above_next_by: order.get(i + 1).map(|(n, nn)| decided_by(r, name, n, nn)),
            })
            .collect())
    }

    pub async fn round_view(&self, p: &Principal, id: i64) -> Result<RoundView, AppError> {
        let (round, cluster) = self.round_for(p, Action::ViewCluster, id).await?;
        let may_edit = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let campaign = self.store.campaign(round.campaign).await?.ok_or(AppError::NotFound)?;
        let members = self.members_of(&round).await?;
        let last_day = campaign.ends_on;
        let names = self.names_as_of(members.iter().copied(), last_day).await?;
        let name = |o: &OrgId| names.get(o).cloned().unwrap_or_default();
        let sheets = self.store.sheets(round.id).await?;
        let found = |k: &SheetKey| sheets.iter().find(|s| s.target == k.target && s.role == k.role && s.scorer == k.scorer);
        let expected = self.expected_sheets(&round, &members).await?;
        let mut units = Vec::new();
        for m in &members {
            let mine: Vec<SheetKey> = expected.iter().filter(|k| k.target == *m).copied().collect();
            let submitted = |k: &SheetKey| found(k).is_some_and(|s| s.submitted);
            let of = |role: ScorerRole| mine.iter().filter(move |k| k.role == role);
            units.push(RoundUnit {
                org: *m,
                name: name(m),
                own_submitted: of(ScorerRole::Own).any(submitted),
                peers_submitted: of(ScorerRole::Peer).filter(|k| submitted(k)).count(),
                peers_expected: of(ScorerRole::Peer).count(),
                leader_submitted: of(ScorerRole::Leader).next().map(submitted),
            });
        }
        thidua_core::vi::sort_by_name(&mut units, |x| &x.name);
        let sheet_ref = |k: &SheetKey| SheetRef {
            key: *k,
            target_name: name(&k.target),
            scorer_name: name(&k.scorer),
            submitted: found(k).is_some_and(|s| s.submitted),
            started: found(k).is_some(),
        };
        let missing = expected.iter().filter(|k| !found(k).is_some_and(|s| s.submitted)).map(sheet_ref).collect();
        let mut fillable = Vec::new();
        if !round.closed {
            for k in &expected {
                if self.may_fill(p, k, may_edit).await {
                    fillable.push(sheet_ref(k));
                }
            }
        }
        let ranking = if may_edit || round.closed { Some(self.ranking(&round, &members, &names).await?) } else { None };
        Ok(RoundView {
            adjustments: self.store.adjustments(round.id).await?,
            assignments: self.store.assignments(round.id).await?,
            reopenings: self.store.reopenings(round.id).await?,
            round,
            cluster,
            campaign,
            units,
            missing,
            fillable,
            ranking,
            may_edit,
        })
    }

    /// Whether the principal may read a sheet: editors and, once closed, every cluster viewer;
    /// otherwise the units that fill it, and the units that have submitted their own sheet about the
    /// same unit (peers do not see each other's scores before giving their own).
    async fn may_read(&self, p: &Principal, round: &RoundRow, key: &SheetKey, editor: bool, sheets: &[SheetRow]) -> bool {
        if editor || round.closed || self.may_fill(p, key, false).await {
            return true;
        }
        for s in sheets.iter().filter(|s| s.target == key.target && s.role == ScorerRole::Peer && s.submitted && s.scorer != key.scorer) {
            if self.require_org(p, Action::EditOrgs, s.scorer, today()).await.is_ok() {
                return true;
            }
        }
        false
    }

    pub async fn sheet_view(&self, p: &Principal, id: i64, key: SheetKey) -> Result<SheetView, AppError> {
        let (round, cluster) = self.round_for(p, Action::ViewCluster, id).await?;
        let editor = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let members = self.members_of(&round).await?;
        if !self.expected_sheets(&round, &members).await?.contains(&key) {
            return Err(AppError::NotFound);
        }
        let sheets = self.store.sheets(round.id).await?;
        if !self.may_read(p, &round, &key, editor, &sheets).await {
            return Err(AppError::Forbidden);
        }
        let sheet = sheets.iter().find(|s| s.target == key.target && s.role == key.role && s.scorer == key.scorer).cloned();
        let lines: BTreeMap<String, LineRow> = match &sheet {
            Some(s) => self.store.score_lines(round.id).await?.into_iter().filter(|l| l.sheet == s.id).map(|l| (l.code.clone(), l)).collect(),
            None => BTreeMap::new(),
        };
        let files = match &sheet {
            Some(s) => self.store.score_files(round.id).await?.into_iter().filter(|f| f.sheet == s.id).collect(),
            None => Vec::new(),
        };
        let mut documents = HashMap::new();
        for d in lines.values().filter_map(|l| l.document) {
            if let Some(doc) = self.store.document(d).await? {
                documents.insert(d, doc.symbol.unwrap_or_default());
            }
        }
        let names = self.names_as_of([key.target, key.scorer], today()).await?;
        let may_write = !round.closed && !sheet.as_ref().is_some_and(|s| s.submitted) && self.may_fill(p, &key, editor).await;
        Ok(SheetView {
            target_name: names.get(&key.target).cloned().unwrap_or_default(),
            scorer_name: names.get(&key.scorer).cloned().unwrap_or_default(),
            round,
            key,
            sheet,
            lines,
            files,
            documents,
            may_write,
        })
    }

    /// Checks that the principal may write the sheet now; returns the round.
    async fn writable(&self, p: &Principal, id: i64, key: &SheetKey) -> Result<RoundRow, AppError> {
        let (round, cluster) = self.round_for(p, Action::ViewCluster, id).await?;
        let editor = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        if !self.may_fill(p, key, editor).await {
            return Err(AppError::Forbidden);
        }
        if round.closed {
            return Err(RoundProblem::Closed.into());
        }
        let members = self.members_of(&round).await?;
        match key.role {
            ScorerRole::Own if key.scorer != key.target => return Err(RoundProblem::WrongScorer.into()),
            ScorerRole::Peer if key.scorer == key.target => return Err(ScoringError::ScoresItself.into()),
            _ => {}
        }
        if !self.expected_sheets(&round, &members).await?.contains(key) {
            return Err(if key.role == ScorerRole::Peer { RoundProblem::NotAssigned } else { RoundProblem::WrongScorer }.into());
        }
        Ok(round)
    }

    /// Saves a sheet's scores and evidence (`submit`: and hands it in, complete, for good).
    pub async fn save_sheet(&self, p: &Principal, id: i64, key: SheetKey, version: i64, lines: &[LineInput], submit: bool) -> Result<(), AppError> {
        let round = self.writable(p, id, &key).await?;
        let sheet: Sheet = lines.iter().map(|l| (l.code.clone(), l.score)).collect();
        if sheet.len() != lines.len() {
            return Err(AppError::Invalid(vec![FieldProblem::new("scores", Invalid::Choice)]));
        }
        check_sheet(&round.criteria, &sheet, submit)?;
        let mut problems = Vec::new();
        let mut rows = Vec::new();
        let mut registers = None;
        for l in lines {
            let note: String = l.note.trim().nfc().collect();
            if note.chars().count() > MAX_NOTE {
                problems.push(FieldProblem::new("evidence", Invalid::TooLong { max: MAX_NOTE }));
            }
            let document = match l.document.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(symbol) => {
                    if registers.is_none() {
                        registers = Some(self.linkable_registers(p).await?);
                    }
                    match self.find_document(symbol, registers.as_deref().unwrap_or_default()).await? {
                        Ok(d) => Some(d),
                        Err(problem) => {
                            problems.push(FieldProblem::new("evidence", problem));
                            None
                        }
                    }
                }
                None => None,
            };
            rows.push(LineRow { sheet: 0, code: l.code.clone(), centi: l.score, note, document });
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        if tx.lock_round(round.id).await?.is_none_or(|r| r.closed) {
            return Err(RoundProblem::Closed.into());
        }
        let current = tx.sheet(round.id, key.target, key.role, key.scorer).await?;
        if current.submitted {
            return Err(RoundProblem::Submitted.into());
        }
        if !tx.save_sheet(current.id, version, &rows, submit).await? {
            return Err(AppError::Conflict);
        }
        let action = if submit { "score.submit" } else { "score.save" };
        tx.audit(p.user, &p.record(action, format!("round:{id} sheet:{}", current.id), key.role.code())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches an evidence file to a score.
    pub async fn add_score_file(&self, p: &Principal, id: i64, key: SheetKey, code: &str, file: &NewAttachment) -> Result<(), AppError> {
        let round = self.writable(p, id, &key).await?;
        if !leaves(&round.criteria).iter().any(|c| c.code == code) {
            return Err(ScoringError::NotALeaf(code.chars().take(20).collect()).into());
        }
        let (name, content_type, hash, bytes, _) = self.prepare_attachment(file)?;
        let mut tx = self.store.begin().await?;
        if tx.lock_round(round.id).await?.is_none_or(|r| r.closed) {
            return Err(RoundProblem::Closed.into());
        }
        let sheet = tx.sheet(round.id, key.target, key.role, key.scorer).await?;
        if sheet.submitted {
            return Err(RoundProblem::Submitted.into());
        }
        tx.put_blob(&self.blobs, &hash, &bytes).await?;
        let f = ScoreFileRow { id: 0, sheet: sheet.id, code: code.to_owned(), hash, name, content_type: content_type.to_owned(), size: bytes.len() as i64 };
        tx.add_score_file(&f).await?;
        tx.audit(p.user, &p.record("score.file", format!("round:{id} sheet:{}", sheet.id), code)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An evidence file, to whoever may read its sheet: `(name, content type, bytes)`.
    pub async fn score_file(&self, p: &Principal, id: i64, file: i64) -> Result<(String, String, Vec<u8>), AppError> {
        let (round, cluster) = self.round_for(p, Action::ViewCluster, id).await?;
        let editor = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        let f = self.store.score_files(round.id).await?.into_iter().find(|f| f.id == file).ok_or(AppError::NotFound)?;
        let sheets = self.store.sheets(round.id).await?;
        let sheet = sheets.iter().find(|s| s.id == f.sheet).ok_or(AppError::NotFound)?;
        let key = SheetKey { target: sheet.target, role: sheet.role, scorer: sheet.scorer };
        if !self.may_read(p, &round, &key, editor, &sheets).await {
            return Err(AppError::Forbidden);
        }
        let bytes = self.store.blob(&self.blobs, &f.hash).await?.ok_or(AppError::NotFound)?;
        // Kept by content hash: a mismatch means the stored file was altered.
        if hex(&Sha256::digest(&bytes)) != f.hash {
            return Err(AppError::Internal(thidua_store::StoreError::Corrupt("evidence file".into())));
        }
        Ok((f.name, f.content_type, bytes))
    }

    /// The leader's adjustment of a unit's total when consolidating, with its reason.
    pub async fn add_adjustment(&self, p: &Principal, id: i64, target: OrgId, adjustment: &Adjustment) -> Result<(), AppError> {
        let (round, _) = self.round_for(p, Action::EditCluster, id).await?;
        if round.closed {
            return Err(RoundProblem::Closed.into());
        }
        if !self.members_of(&round).await?.contains(&target) {
            return Err(AppError::Invalid(vec![FieldProblem::new("org", Invalid::NotMember)]));
        }
        let a = Adjustment { criterion: adjustment.criterion.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(String::from), centi: adjustment.centi, reason: adjustment.reason.trim().nfc().collect() };
        a.validate()?;
        if a.criterion.as_ref().is_some_and(|c| !round.criteria.iter().any(|x| &x.code == c)) {
            return Err(ScoringError::UnknownCriterion(a.criterion.clone().unwrap_or_default()).into());
        }
        if a.reason.chars().count() > MAX_NOTE {
            return Err(AppError::Invalid(vec![FieldProblem::new("reason", Invalid::TooLong { max: MAX_NOTE })]));
        }
        if a.centi.unsigned_abs() > u64::from(round.scale) * 100 {
            return Err(AppError::Invalid(vec![FieldProblem::new("points", Invalid::OutOfRange)]));
        }
        let mut tx = self.store.begin().await?;
        if tx.lock_round(round.id).await?.is_none_or(|r| r.closed) {
            return Err(RoundProblem::Closed.into());
        }
        tx.add_adjustment(round.id, target, &a, &p.username, now_unix()).await?;
        tx.audit(p.user, &p.record("round.adjust", format!("round:{id} org:{}", target.0), format!("{} / {}", a.centi, a.reason))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets who cross-scores whom, when the cluster's rules assign peers.
    pub async fn set_assignments(&self, p: &Principal, id: i64, pairs: &[(OrgId, OrgId)]) -> Result<(), AppError> {
        let (round, _) = self.round_for(p, Action::EditCluster, id).await?;
        if round.closed {
            return Err(RoundProblem::Closed.into());
        }
        if round.rules.peers != PeerMode::Assigned {
            return Err(RoundProblem::NotAssignedMode.into());
        }
        let members: BTreeSet<OrgId> = self.members_of(&round).await?.into_iter().collect();
        if pairs.iter().any(|(s, t)| s == t) {
            return Err(ScoringError::ScoresItself.into());
        }
        if pairs.iter().any(|(s, t)| !members.contains(s) || !members.contains(t)) {
            return Err(AppError::Invalid(vec![FieldProblem::new("assignments", Invalid::NotMember)]));
        }
        let mut tx = self.store.begin().await?;
        if tx.lock_round(round.id).await?.is_none_or(|r| r.closed) {
            return Err(RoundProblem::Closed.into());
        }
        tx.set_assignments(round.id, pairs).await?;
        tx.audit(p.user, &p.record("round.assign", format!("round:{id}"), format!("{} pairs", pairs.len()))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes the round once every expected sheet is submitted.
    pub async fn close_round(&self, p: &Principal, id: i64, version: i64) -> Result<(), AppError> {
        let (round, _) = self.round_for(p, Action::EditCluster, id).await?;
        if round.closed {
            return Err(RoundProblem::Closed.into());
        }
        let members = self.members_of(&round).await?;
        let mut tx = self.store.begin().await?;
        // Counted within the transaction that closes, so no sheet or assignment slips in between.
        let round = tx.lock_round(round.id).await?.ok_or(AppError::NotFound)?;
        if round.closed {
            return Err(RoundProblem::Closed.into());
        }
        let sheets = tx.round_sheets(round.id).await?;
        let expected = self.expected_sheets(&round, &members).await?;
        if round.rules.weights.peer_pct > 0 {
            let unscored = members.iter().filter(|m| !expected.iter().any(|k| k.target == **m && k.role == ScorerRole::Peer)).count();
            if unscored > 0 {
                return Err(RoundProblem::Unassigned { units: unscored }.into());
            }
        }
        let missing = expected.iter().filter(|k| !sheets.iter().any(|s| s.target == k.target && s.role == k.role && s.scorer == k.scorer && s.submitted)).count();
        if missing > 0 {
            return Err(RoundProblem::Incomplete { missing }.into());
        }
        if !tx.set_round_closed(round.id, version, true).await? {
            return Err(AppError::Conflict);
        }
        tx.audit(p.user, &p.record("round.close", format!("round:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reopens a closed round; the reason is kept and audited.
    pub async fn reopen_round(&self, p: &Principal, id: i64, version: i64, reason: &str) -> Result<(), AppError> {
        let (round, _) = self.round_for(p, Action::EditCluster, id).await?;
        if !round.closed {
            return Err(RoundProblem::NotClosed.into());
        }
        let reason: String = reason.trim().nfc().collect();
        if reason.is_empty() {
            return Err(AppError::Invalid(vec![FieldProblem::new("reason", Invalid::Required)]));
        }
        if reason.chars().count() > MAX_NOTE {
            return Err(AppError::Invalid(vec![FieldProblem::new("reason", Invalid::TooLong { max: MAX_NOTE })]));
        }
        let mut tx = self.store.begin().await?;
        if !tx.set_round_closed(round.id, version, false).await? {
            return Err(AppError::Conflict);
        }
        tx.add_reopening(round.id, &reason, &p.username, now_unix()).await?;
        tx.audit(p.user, &p.record("round.reopen", format!("round:{id}"), reason)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How a unit's total was reached, criterion by criterion and scorer by scorer: to the editors,
    /// and to everyone who sees the cluster once the round is closed.
    pub async fn explanation(&self, p: &Principal, id: i64, org: OrgId) -> Result<Explanation, AppError> {
        let (round, cluster) = self.round_for(p, Action::ViewCluster, id).await?;
        let editor = self.require_cluster(p, Action::EditCluster, cluster.id).await.is_ok();
        // Until the round closes, totals are the editors' working figures.
        if !editor && !round.closed {
            return Err(AppError::Forbidden);
        }
        let members = self.members_of(&round).await?;
        if !members.contains(&org) {
            return Err(AppError::NotFound);
        }
        let campaign = self.store.campaign(round.campaign).await?.ok_or(AppError::NotFound)?;
        let names = self.names_as_of(members.iter().copied(), campaign.ends_on).await?;
        let ranking = self.ranking(&round, &members, &names).await?;
        let me = ranking.iter().find(|r| r.org == org).ok_or(AppError::NotFound)?;
        Ok(Explanation {
            org,
            name: me.name.clone(),
            rank: Some(me.rank),
            result: me.result.clone(),
            adjustments: self.store.adjustments(round.id).await?.into_iter().filter(|a| a.target == org).collect(),
            scorer_names: names,
            round,
        })
    }
}

/// The title of a criterion in a round's table.
pub fn criterion_title<'a>(criteria: &'a [Criterion], code: &str) -> &'a str {
    criteria.iter().find(|c| c.code == code).map_or("", |c| c.title.as_str())
}

/// Every sheet a round expects: each unit's own; its peers' (all others, or those assigned); and,
/// when the leader's score weighs, the leader's — the deputy's for the leading unit itself, which
/// does not score itself as leader (without a deputy it has no leader sheet).
fn expected(round: &RoundRow, members: &[OrgId], assigned: Option<&[(OrgId, OrgId)]>) -> Vec<SheetKey> {
    let mut out = Vec::new();
    for t in members {
        out.push(SheetKey { target: *t, role: ScorerRole::Own, scorer: *t });
        for s in members.iter().filter(|s| *s != t) {
            if assigned.is_none_or(|a| a.contains(&(*s, *t))) {
                out.push(SheetKey { target: *t, role: ScorerRole::Peer, scorer: *s });
            }
        }
        if round.rules.weights.leader_pct > 0 {
            let scorer = if round.leader == Some(*t) { round.deputy.filter(|d| d != t) } else { round.leader };
            if let Some(scorer) = scorer {
                out.push(SheetKey { target: *t, role: ScorerRole::Leader, scorer });
            }
        }
    }
    out
}
