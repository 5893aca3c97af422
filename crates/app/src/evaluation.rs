//! Annual quality evaluation of a grassroots party organization: the round and its subjects (the
//! organization, its cells, its leadership collective, its leaders and members), the steps —
//! self-assessment, the cell's opinion, the committee's conclusion within the quota, the superior's
//! approval for organizations — results, streaks and the lists and report the hierarchy asks for.
//! Members' discipline records live here too: they force the lowest level.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use thidua_core::access::Action;
use thidua_core::date::long_date;
use thidua_core::evaluation::{quota_allows, quota_limit, streak, Assessment, EvaluationError, EvaluationRules, Level, Proposal, SubjectKind, SUBORDINATE_DISCIPLINE};
use thidua_core::member::{DisciplineForm, MemberId};
use thidua_core::org::{OrgId, OrgKind, OrgVersion};
use thidua_core::vi::{collation_key, format_percent, Lang};
pub use thidua_store::{DisciplineRow, EvalReopeningRow, EvalRoundRow, EvalRow, Step};
use thidua_store::NewSubject;
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::{today, App, AppError, FieldChange, FieldProblem, Invalid};

/// Why an evaluation step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalProblem {
    #[error("only a grassroots party organization (đảng bộ cơ sở, chi bộ cơ sở) holds an evaluation round")]
    NotGrassroots,
    #[error("the organization already has a round for that year")]
    Exists,
    #[error("the round is concluded")]
    Concluded,
    #[error("the round is not concluded yet")]
    NotConcluded,
    #[error("{name}: {error}")]
    Row { name: String, error: EvaluationError },
    #[error("{htxsnv} HTXSNV beside {httnv} HTTNV is over the quota of {limit}")]
    Quota { htxsnv: u32, httnv: u32, limit: u32, pct: u32 },
    #[error("the organization did not exist in that year")]
    NotLive,
    #[error("{count} subjects have no self-assessment and no level chosen")]
    Unassessed { count: usize },
    #[error("subjects {ids:?} are not among those this step decides in the round")]
    NotInRound { ids: Vec<i64> },
    #[error("the organizations' levels are approved; reopen the round to change them")]
    Approved,
}

/// A discipline decision as recorded.
#[derive(Debug, Clone)]
pub struct NewDiscipline {
    pub decided_on: Date,
    pub form: DisciplineForm,
    pub decision: String,
    pub reason: String,
}

/// A subject with what the round page shows.
#[derive(Debug, Clone)]
pub struct SubjectView {
    pub row: EvalRow,
    pub name: String,
    pub cell_name: String,
    /// The assessment with the triggers the records set (discipline in the year).
    pub assessment: Assessment,
    pub proposal: Proposal,
}

impl SubjectView {
    /// The level a conclusion starts from: the rules' proposal, or the cell's opinion if lower.
    pub fn starting_level(&self) -> Level {
        match self.row.opinion.as_ref().and_then(|o| o.level) {
            Some(o) if o < self.proposal.level => o,
            _ => self.proposal.level,
        }
    }
}

/// The members' levels as concluded (or planned) against the quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    pub htxsnv: u32,
    pub httnv: u32,
    pub limit: u32,
    pub pct: u32,
    pub ok: bool,
}

#[derive(Debug, Clone)]
pub struct EvalRoundView {
    pub round: EvalRoundRow,
    pub org_name: String,
    pub rules: EvaluationRules,
    pub subjects: Vec<SubjectView>,
    /// Cells with their name and how many members each lists.
    pub cells: Vec<(OrgId, String, usize)>,
    pub quota: Option<QuotaState>,
    pub reopenings: Vec<EvalReopeningRow>,
    pub may_conclude: bool,
    pub may_approve: bool,
}

/// One subject's self-assessment as entered.
#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub subject: i64,
    pub version: i64,
    pub assessment: Assessment,
    pub self_level: Option<Level>,
}

/// The opinion of the cell (members) or the collective's meeting (organizations) on one subject.
#[derive(Debug, Clone)]
pub struct OpinionInput {
    pub subject: i64,
    /// The subject's version as read.
    pub version: i64,
    pub level: Option<Level>,
    pub note: Option<String>,
}

/// What concluding with the given levels would give, before anything is saved.
#[derive(Debug, Clone)]
pub struct Conclusion {
    /// Members by level.
    pub members: BTreeMap<Level, u32>,
    pub quota: Option<QuotaState>,
    /// Subjects concluded below the level the rules give.
    pub lowered: usize,
}

/// Levels of an organization's subjects in a year, and streaks.
#[derive(Debug, Clone)]
pub struct OrgResults {
    pub year: i16,
    pub org_name: String,
    /// Count of each level, by kind of subject.
    pub distribution: BTreeMap<SubjectKind, BTreeMap<Level, u32>>,
    /// Organizations with their HTXSNV streak ending that year (through predecessors).
    pub org_streaks: Vec<(OrgId, String, Level, u32)>,
    /// Members with an HTXSNV streak of 5 years or more.
    pub member_streaks: Vec<(MemberId, String, u32)>,
}

/// The span of an evaluation year.
fn year_span(year: i16) -> Result<(Date, Date), AppError> {
    let bad = || AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]);
    Ok((Date::new(year, 1, 1).map_err(|_| bad())?, Date::new(year, 12, 31).map_err(|_| bad())?))
}

/// Whether `v` is a grassroots party organization: a đảng bộ cơ sở, or a chi bộ directly under a
/// higher committee (chi bộ cơ sở).
pub(crate) fn is_grassroots(v: &OrgVersion, versions: &HashMap<OrgId, OrgVersion>) -> bool {
    match v.kind {
        OrgKind::GrassrootsCommittee => true,
        OrgKind::Cell => v.parent.and_then(|p| versions.get(&p)).is_some_and(|p| p.kind != OrgKind::GrassrootsCommittee && p.kind != OrgKind::Cell),
        _ => false,
    }
}

impl App {
    /// Records a discipline decision on a member.
    pub async fn record_discipline(&self, p: &Principal, member: MemberId, d: &NewDiscipline) -> Result<DisciplineRow, AppError> {
        let m = self.store.member(member).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditMember, m.record.org, today()).await?;
        let mut problems = Vec::new();
        if d.decided_on > today() {
            problems.push(FieldProblem::new("decided_on", Invalid::InFuture));
        }
        let clean = |v: &str, field: &'static str, problems: &mut Vec<FieldProblem>| {
            let v: String = v.trim().nfc().collect();
            if v.is_empty() {
                problems.push(FieldProblem::new(field, Invalid::Required));
            } else if v.chars().count() > 500 {
                problems.push(FieldProblem::new(field, Invalid::TooLong { max: 500 }));
            }
            v
        };
        let decision = clean(&d.decision, "decision", &mut problems);
        let reason = clean(&d.reason, "reason", &mut problems);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut row = DisciplineRow { id: 0, member, decided_on: d.decided_on, form: d.form, decision, reason };
        let mut tx = self.store.begin().await?;
        row.id = tx.add_discipline(&row, &p.username).await?;
        // The member's rounds of that year propose differently now: a conclusion planned before is stale.
        tx.touch_eval_rounds_of(member, d.decided_on.year()).await?;
        // Member data stays out of the audit summary: the form only.
        tx.audit(p.user, &p.record("member.discipline", format!("member:{}", member.0), d.form.code())).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn disciplines(&self, p: &Principal, member: MemberId) -> Result<Vec<DisciplineRow>, AppError> {
        let m = self.store.member(member).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewMember, m.record.org, today()).await?;
        let list = self.store.disciplines(member).await?;
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("member.discipline.read", format!("member:{}", member.0), "")).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// The grassroots organizations the principal may open rounds for, as of today, named, in no
    /// particular order (a picker sorts what it shows).
    pub async fn evaluable_orgs(&self, p: &Principal) -> Result<Vec<(OrgId, String)>, AppError> {
        let on = today();
        let allowed = self.orgs_for(p, Action::EditOrgs, on).await?;
        // A cell is grassroots when its parent is not a grassroots committee or cell.
        let parents: BTreeSet<OrgId> = allowed.iter().filter(|v| v.kind == OrgKind::Cell).filter_map(|v| v.parent).collect();
        let by_id: HashMap<OrgId, OrgVersion> = self.store.versions_on(parents, on).await?.into_iter().map(|v| (v.org, v)).collect();
        Ok(allowed.into_iter().filter(|v| is_grassroots(v, &by_id)).map(|v| (v.org, v.name)).collect())
    }

    /// Opens the round of a grassroots organization for a year, listing its subjects.
    pub async fn open_eval_round(&self, p: &Principal, org: OrgId, year: i16) -> Result<EvalRoundRow, AppError> {
        if !(1930..=today().year()).contains(&year) {
            return Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]));
        }
        let (first, last) = year_span(year)?;
        let rules = self.rules.evaluation_for(year).map_err(AppError::Rules)?;
        // As the organization stood at the end of the year (or today, for the year under way).
        let on = last.min(today());
        self.require_org(p, Action::EditOrgs, org, on).await?;
        let versions = self.store.orgs_on(on).await?;
        let by_id: HashMap<OrgId, OrgVersion> = versions.iter().map(|v| (v.org, v.clone())).collect();
        let me = by_id.get(&org).ok_or(EvalProblem::NotLive)?;
        if !is_grassroots(me, &by_id) {
            return Err(EvalProblem::NotGrassroots.into());
        }
        // The organization's subtree on that day.
        let mut subtree = vec![org];
        let mut i = 0;
        while i < subtree.len() {
            let parent = subtree[i];
            subtree.extend(versions.iter().filter(|v| v.parent == Some(parent)).map(|v| v.org));
            i += 1;
        }
        let cells: Vec<OrgId> = subtree.iter().copied().filter(|o| by_id.get(o).is_some_and(|v| v.kind == OrgKind::Cell) && *o != org).collect();
        let members = self.store.members_on(&subtree, on).await?;
        let ids: Vec<MemberId> = members.iter().map(|(m, _)| *m).collect();
        let leaders: BTreeSet<MemberId> = self.store.leaders_among(&ids, first, last).await?.into_iter().collect();
        let mut tx = self.store.begin().await?;
        let id = tx.create_eval_round(org, year, &rules.source, &p.username).await?.ok_or(EvalProblem::Exists)?;
        let collective = |kind, o: OrgId| NewSubject { kind, member: None, org: Some(o), cell: o };
        let mut subjects = vec![collective(SubjectKind::Organization, org), collective(SubjectKind::LeadershipCollective, org)];
        subjects.extend(cells.iter().map(|c| collective(SubjectKind::Organization, *c)));
        for (m, cell) in &members {
            let member = |kind| NewSubject { kind, member: Some(*m), org: None, cell: *cell };
            subjects.push(member(SubjectKind::Member));
            if leaders.contains(m) {
                subjects.push(member(SubjectKind::Leader));
            }
        }
        tx.add_evaluations(id, &subjects).await?;
        tx.audit(p.user, &p.record("evaluation.open", format!("evaluation:{id} org:{}", org.0), format!("{year}: {} members", members.len()))).await?;
        tx.commit().await?;
        self.store.eval_round(id).await?.ok_or(AppError::NotFound)
    }

    /// Rounds the principal may see, newest first, with the organization's name.
    pub async fn eval_rounds(&self, p: &Principal) -> Result<Vec<(EvalRoundRow, String)>, AppError> {
        let mut out = Vec::new();
        for year in self.store.eval_round_years().await? {
            out.extend(self.eval_rounds_in(p, year).await?);
        }
        Ok(out)
    }

    /// The years that have rounds, newest first.
    pub async fn eval_round_years(&self) -> Result<Vec<i16>, AppError> {
        Ok(self.store.eval_round_years().await?)
    }

    /// The rounds of `year` the principal may see, by organization name: those of organizations
    /// in the principal's scope at the year's end (today, for the year under way).
    pub async fn eval_rounds_in(&self, p: &Principal, year: i16) -> Result<Vec<(EvalRoundRow, String)>, AppError> {
        let (_, last) = year_span(year)?;
        let on = last.min(today());
        let rounds = self.store.eval_rounds_of(year).await?;
        let visible = self.reachable_orgs(p, Action::ViewMember, on).await?;
        let rounds: Vec<EvalRoundRow> = rounds.into_iter().filter(|r| visible.as_ref().is_none_or(|v| v.contains(&r.org))).collect();
        let names = self.org_names(&rounds.iter().map(|r| r.org).collect()).await?;
        let mut out: Vec<(EvalRoundRow, String)> = rounds
            .into_iter()
            .map(|r| {
                let name = names.get(&r.org).cloned().unwrap_or_default();
                (r, name)
            })
            .collect();
        out.sort_by_cached_key(|(round, name)| (collation_key(name), round.id));
        Ok(out)
    }

    async fn eval_round_for(&self, p: &Principal, action: Action, id: i64) -> Result<(EvalRoundRow, &EvaluationRules), AppError> {
        let round = self.store.eval_round(id).await?.ok_or(AppError::NotFound)?;
        let (_, last) = year_span(round.year)?;
        self.require_org(p, action, round.org, last.min(today())).await?;
        let rules = self.rules.evaluation_for(round.year).map_err(AppError::Rules)?;
        Ok((round, rules))
    }

    /// The assessment with what the records add: a member's discipline decided in the year, and
    /// for an organization or its leadership collective, a disciplined leader within it.
    fn with_records(row: &EvalRow, round_org: OrgId, disciplined: &BTreeSet<MemberId>, disciplined_leaders: &[OrgId]) -> Assessment {
        let mut a = row.assessment.clone();
        if row.member.is_some_and(|m| disciplined.contains(&m)) {
            a.triggers.insert("discipline".into());
        }
        let within = |cell: &OrgId| row.org == Some(round_org) || row.org == Some(*cell);
        if row.kind.is_collective() && disciplined_leaders.iter().any(within) {
            a.triggers.insert(SUBORDINATE_DISCIPLINE.into());
        }
        a
    }

    pub async fn eval_round_view(&self, p: &Principal, id: i64) -> Result<EvalRoundView, AppError> {
        let (round, rules) = self.eval_round_for(p, Action::ViewMember, id).await?;
        let (_, last) = year_span(round.year)?;
        let on = last.min(today());
        let rows = self.store.evaluations(id).await?;
        let disciplined: BTreeSet<MemberId> = self.store.disciplined_in(round.year).await?.into_keys().collect();
        let orgs: BTreeSet<OrgId> = rows.iter().flat_map(|r| [Some(r.cell), r.org]).flatten().chain([round.org]).collect();
        let org_names = self.names_as_of(orgs, on).await?;
        let member_names = self.store.eval_member_names(id).await?;
        let disciplined_leaders: Vec<OrgId> = rows.iter().filter(|r| r.kind == SubjectKind::Leader && r.member.is_some_and(|m| disciplined.contains(&m))).map(|r| r.cell).collect();
        let mut subjects: Vec<SubjectView> = rows
            .into_iter()
            .map(|row| {
                let assessment = Self::with_records(&row, round.org, &disciplined, &disciplined_leaders);
                let proposal = rules.propose(row.kind, &assessment);
                let name = match (row.member, row.org) {
                    (Some(m), _) => member_names.get(&m).cloned().unwrap_or_default(),
                    (None, Some(o)) => org_names.get(&o).cloned().unwrap_or_default(),
                    (None, None) => String::new(),
                };
                SubjectView { cell_name: org_names.get(&row.cell).cloned().unwrap_or_default(), name, assessment, proposal, row }
            })
            .collect();
        // Keys once per subject: a round may list thousands of members.
        subjects.sort_by_cached_key(|s| (s.row.kind, collation_key(&s.cell_name), collation_key(&s.name), s.row.id));
        let mut cells: Vec<(OrgId, String, usize)> = Vec::new();
        for s in subjects.iter().filter(|s| s.row.kind == SubjectKind::Member) {
            match cells.iter_mut().find(|c| c.0 == s.row.cell) {
                Some(c) => c.2 += 1,
                None => cells.push((s.row.cell, s.cell_name.clone(), 1)),
            }
        }
        thidua_core::vi::sort_by_name(&mut cells, |x| &x.1);
        // As concluded, or as a conclusion would start: the banner and the conclusion agree.
        let planned: Vec<Level> = subjects.iter().filter(|s| s.row.kind == SubjectKind::Member).map(|s| s.row.concluded.as_ref().and_then(|c| c.level).unwrap_or_else(|| s.starting_level())).collect();
        let quota = rules.quota.map(|q| quota_state(q, &planned));
        let may_conclude = self.require_org(p, Action::EditOrgs, round.org, on).await.is_ok();
        let parent = self.store.org_chain_on(round.org, on).await?.get(1).copied();
        let may_approve = match parent {
            Some(parent) => self.require_org(p, Action::EditOrgs, parent, on).await.is_ok(),
            None => p.has_system(Action::EditOrgs),
        };
        Ok(EvalRoundView {
            org_name: org_names.get(&round.org).cloned().unwrap_or_default(),
            reopenings: self.store.eval_reopenings(id).await?,
            rules: rules.clone(),
            round,
            subjects,
            cells,
            quota,
            may_conclude,
            may_approve,
        })
    }

    /// Whether the principal may enter steps for the subject: members by who may edit members of
    /// its cell, organizations by who may edit the organization. `known` remembers the answers.
    async fn may_assess(&self, p: &Principal, row: &EvalRow, on: Date, known: &mut HashMap<(Action, OrgId), bool>) -> bool {
        let action = if row.kind.is_collective() { Action::EditOrgs } else { Action::EditMember };
        if let Some(answer) = known.get(&(action, row.cell)) {
            return *answer;
        }
        let answer = self.require_org(p, action, row.cell, on).await.is_ok();
        known.insert((action, row.cell), answer);
        answer
    }

    /// Whether the principal may enter the steps of the members listed under `cell`.
    pub async fn may_assess_cell(&self, p: &Principal, id: i64, cell: OrgId) -> Result<bool, AppError> {
        let (round, _) = self.eval_round_for(p, Action::ViewMember, id).await?;
        let on = year_span(round.year)?.1.min(today());
        Ok(self.require_org(p, Action::EditMember, cell, on).await.is_ok())
    }

    /// Whether the principal may enter the steps of one subject.
    pub async fn may_assess_subject(&self, p: &Principal, id: i64, subject: i64) -> Result<bool, AppError> {
        let (round, _) = self.eval_round_for(p, Action::ViewMember, id).await?;
        let row = self.store.evaluation(subject).await?.filter(|r| r.round == id).ok_or(AppError::NotFound)?;
        let on = year_span(round.year)?.1.min(today());
        Ok(self.may_assess(p, &row, on, &mut HashMap::new()).await)
    }

    /// One subject of a round as it is saved now.
    async fn saved_evaluation(&self, round: i64, subject: i64) -> Result<EvalRow, AppError> {
        self.store.evaluations(round).await?.into_iter().find(|r| r.id == subject).ok_or(AppError::NotFound)
    }

    /// Saves self-assessments and the cell's (or collective's) opinions, many at once (a cell's
    /// whole grid), in one transaction.
    pub async fn save_steps(&self, p: &Principal, id: i64, assessments: &[AssessmentInput], opinions: &[OpinionInput]) -> Result<(), AppError> {
        let (round, rules) = self.eval_round_for(p, Action::ViewMember, id).await?;
        let on = year_span(round.year)?.1.min(today());
        if assessments.is_empty() && opinions.is_empty() {
            // Nothing to write; still, only who may enter steps in the round is answered.
            self.require_org(p, Action::EditMember, round.org, on).await?;
            return Ok(());
        }
        let rows: HashMap<i64, EvalRow> = self.store.evaluations(id).await?.into_iter().map(|r| (r.id, r)).collect();
        let mut allowed = HashMap::new();
        for subject in assessments.iter().map(|a| a.subject).chain(opinions.iter().map(|o| o.subject)) {
            let row = rows.get(&subject).ok_or(AppError::NotFound)?;
            if !self.may_assess(p, row, on, &mut allowed).await {
                return Err(AppError::Forbidden);
            }
        }
        if round.concluded.is_some() {
            return Err(EvalProblem::Concluded.into());
        }
        let names = self.store.eval_member_names(id).await?;
        for input in assessments {
            let row = &rows[&input.subject];
            let name = row.member.and_then(|m| names.get(&m).cloned()).unwrap_or_default();
            rules.check(row.kind, &input.assessment).map_err(|error| EvalProblem::Row { name, error })?;
        }
        if opinions.iter().any(|o| o.note.as_ref().is_some_and(|n| n.chars().count() > 2000)) {
            return Err(AppError::Invalid(vec![FieldProblem::new("note", Invalid::TooLong { max: 2000 })]));
        }
        let mut tx = self.store.begin().await?;
        if tx.lock_eval_round(id).await?.is_none_or(|r| r.concluded.is_some()) {
            return Err(EvalProblem::Concluded.into());
        }
        // A subject whose assessment is saved here moves one version on before its opinion.
        let mut saved: HashMap<i64, i64> = HashMap::new();
        for input in assessments {
            if !tx.save_assessment(input.subject, input.version, &input.assessment, input.self_level, &p.username, today()).await? {
                drop(tx);
                let now = self.saved_evaluation(id, input.subject).await?;
                return Err(AppError::changed(assessment_changes(&now, input)));
            }
            saved.insert(input.subject, input.version + 1);
        }
        for o in opinions {
            let note: Option<String> = o.note.as_deref().map(|n| n.trim().nfc().collect::<String>()).filter(|n| !n.is_empty());
            let version = saved.get(&o.subject).copied().unwrap_or(o.version);
            if !tx.set_opinion(o.subject, version, o.level, note.as_deref(), &p.username, today()).await? {
                drop(tx);
                let now = self.saved_evaluation(id, o.subject).await?;
                let changes = [
                    FieldChange::of("opinion_level", None, level_code(now.opinion.as_ref().and_then(|s| s.level)), level_code(o.level)),
                    FieldChange::of("opinion_note", None, now.opinion_note.unwrap_or_default(), note.unwrap_or_default()),
                ];
                return Err(AppError::changed(changes.into_iter().flatten().collect()));
            }
        }
        tx.touch_eval_round(id).await?;
        let summary = format!("{} assessments, {} opinions", assessments.len(), opinions.len());
        tx.audit(p.user, &p.record("evaluation.steps", format!("evaluation:{id}"), summary)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the committee's levels for a whole round: each within what the rules give, the
    /// members within the quota. `levels` may leave out subjects that assessed themselves: they
    /// take the level the rules propose (or the cell's opinion, if lower); one that did not needs
    /// a level chosen.
    fn planned_levels(view: &EvalRoundView, levels: &BTreeMap<i64, Level>) -> Result<(Vec<(i64, Level)>, Conclusion), AppError> {
        let unknown: Vec<i64> = levels.keys().copied().filter(|id| !view.subjects.iter().any(|s| s.row.id == *id)).collect();
        if !unknown.is_empty() {
            return Err(EvalProblem::NotInRound { ids: unknown }.into());
        }
        let unassessed = view.subjects.iter().filter(|s| s.row.own.is_none() && !levels.contains_key(&s.row.id)).count();
        if unassessed > 0 {
            return Err(EvalProblem::Unassessed { count: unassessed }.into());
        }
        let mut planned = Vec::new();
        let mut lowered = 0;
        for s in &view.subjects {
            let level = levels.get(&s.row.id).copied().unwrap_or_else(|| s.starting_level());
            view.rules.may_conclude(s.row.kind, &s.assessment, level).map_err(|error| EvalProblem::Row { name: s.name.clone(), error })?;
            if level < s.proposal.level {
                lowered += 1;
            }
            planned.push((s.row.id, level));
        }
        let kinds: HashMap<i64, SubjectKind> = view.subjects.iter().map(|s| (s.row.id, s.row.kind)).collect();
        let member_levels: Vec<Level> = planned.iter().filter(|(id, _)| kinds.get(id) == Some(&SubjectKind::Member)).map(|(_, l)| *l).collect();
        let mut members = BTreeMap::new();
        for l in &member_levels {
            *members.entry(*l).or_insert(0) += 1;
        }
        let quota = view.rules.quota.map(|q| quota_state(q, &member_levels));
        Ok((planned, Conclusion { members, quota, lowered }))
    }

    /// What concluding with `levels` would give — the "what-if" — without saving anything.
    pub async fn preview_conclusion(&self, p: &Principal, id: i64, levels: &BTreeMap<i64, Level>) -> Result<Conclusion, AppError> {
        let view = self.eval_round_view(p, id).await?;
        if !view.may_conclude {
            return Err(AppError::Forbidden);
        }
        Ok(Self::planned_levels(&view, levels)?.1)
    }

    /// The committee concludes the round: every subject's level, the members within the quota.
    pub async fn conclude_round(&self, p: &Principal, id: i64, levels: &BTreeMap<i64, Level>) -> Result<Conclusion, AppError> {
        let view = self.eval_round_view(p, id).await?;
        if !view.may_conclude {
            return Err(AppError::Forbidden);
        }
        if view.round.concluded.is_some() {
            return Err(EvalProblem::Concluded.into());
        }
        let (planned, conclusion) = Self::planned_levels(&view, levels)?;
        if let Some(q) = conclusion.quota
            && !q.ok
        {
            return Err(EvalProblem::Quota { htxsnv: q.htxsnv, httnv: q.httnv, limit: q.limit, pct: q.pct }.into());
        }
        let on = today();
        let mut tx = self.store.begin().await?;
        let round = tx.lock_eval_round(id).await?.ok_or(AppError::NotFound)?;
        if round.concluded.is_some() {
            return Err(EvalProblem::Concluded.into());
        }
        // A step entered or a discipline recorded since the plan was made: plan again.
        if round.version != view.round.version {
            return Err(AppError::Conflict);
        }
        tx.set_decisions(id, false, &planned, &p.username, on).await?;
        if !tx.set_round_concluded(id, round.version, true, &p.username, on).await? {
            return Err(AppError::Conflict);
        }
        let summary = conclusion.members.iter().map(|(l, n)| format!("{} {n}", l.abbreviation())).collect::<Vec<_>>().join(", ");
        tx.audit(p.user, &p.record("evaluation.conclude", format!("evaluation:{id}"), summary)).await?;
        tx.commit().await?;
        Ok(conclusion)
    }

    /// The directly superior committee approves the levels of the organizations (and the
    /// leadership collective); `levels` may change them within the rules, or leave them as concluded.
    pub async fn approve_round(&self, p: &Principal, id: i64, levels: &BTreeMap<i64, Level>) -> Result<(), AppError> {
        let view = self.eval_round_view(p, id).await?;
        if !view.may_approve {
            return Err(AppError::Forbidden);
        }
        if view.round.concluded.is_none() {
            return Err(EvalProblem::NotConcluded.into());
        }
        let collectives: Vec<&SubjectView> = view.subjects.iter().filter(|s| s.row.kind.is_collective()).collect();
        if collectives.iter().any(|s| s.row.approved.is_some()) {
            return Err(EvalProblem::Approved.into());
        }
        let unknown: Vec<i64> = levels.keys().copied().filter(|id| !collectives.iter().any(|s| s.row.id == *id)).collect();
        if !unknown.is_empty() {
            return Err(EvalProblem::NotInRound { ids: unknown }.into());
        }
        let mut approved = Vec::new();
        for s in collectives {
            let concluded = s.row.concluded.as_ref().and_then(|c| c.level).ok_or(EvalProblem::NotConcluded)?;
            let level = levels.get(&s.row.id).copied().unwrap_or(concluded);
            view.rules.may_conclude(s.row.kind, &s.assessment, level).map_err(|error| EvalProblem::Row { name: s.name.clone(), error })?;
            approved.push((s.row.id, level));
        }
        let mut tx = self.store.begin().await?;
        let round = tx.lock_eval_round(id).await?.ok_or(AppError::NotFound)?;
        if round.concluded.is_none() {
            return Err(EvalProblem::NotConcluded.into());
        }
        if round.version != view.round.version {
            return Err(AppError::Conflict);
        }
        tx.set_decisions(id, true, &approved, &p.username, today()).await?;
        tx.touch_eval_round(id).await?;
        tx.audit(p.user, &p.record("evaluation.approve", format!("evaluation:{id}"), format!("{} organizations", approved.len()))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reopens a concluded round: the conclusions and approvals are cleared; the reason is kept.
    pub async fn reopen_eval_round(&self, p: &Principal, id: i64, reason: &str) -> Result<(), AppError> {
        let (round, _) = self.eval_round_for(p, Action::EditOrgs, id).await?;
        if round.concluded.is_none() {
            return Err(EvalProblem::NotConcluded.into());
        }
        let reason: String = reason.trim().nfc().collect();
        if reason.is_empty() {
            return Err(AppError::Invalid(vec![FieldProblem::new("reason", Invalid::Required)]));
        }
        if reason.chars().count() > 2000 {
            return Err(AppError::Invalid(vec![FieldProblem::new("reason", Invalid::TooLong { max: 2000 })]));
        }
        let mut tx = self.store.begin().await?;
        if !tx.set_round_concluded(id, round.version, false, &p.username, today()).await? {
            return Err(AppError::Conflict);
        }
        tx.clear_conclusions(id).await?;
        tx.add_eval_reopening(id, &reason, &p.username, now_unix()).await?;
        // The reason may name members: it is kept with the round, not in the audit summary.
        tx.audit(p.user, &p.record("evaluation.reopen", format!("evaluation:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every standing level of each organization by year, its predecessors' years included.
    async fn org_years(&self) -> Result<HashMap<OrgId, BTreeMap<i16, Vec<Level>>>, AppError> {
        let mut own: HashMap<OrgId, BTreeMap<i16, Vec<Level>>> = HashMap::new();
        for (year, _, org, level) in self.store.evaluation_results(SubjectKind::Organization, None).await? {
            if let Some(o) = org {
                own.entry(o).or_default().entry(year).or_default().push(level);
            }
        }
        Ok(own)
    }

    /// An organization's years: its own results, and for years it has none, its predecessors'.
    async fn years_through_successors(&self, org: OrgId, own: &HashMap<OrgId, BTreeMap<i16, Vec<Level>>>, depth: usize) -> Result<BTreeMap<i16, Vec<Level>>, AppError> {
        let mut years = own.get(&org).cloned().unwrap_or_default();
        if depth > 16 {
            return Ok(years);
        }
        let predecessors: Vec<OrgId> = self.store.org_lineage(org).await?.into_iter().filter(|s| s.successor == org).map(|s| s.predecessor).collect();
        let mut inherited: BTreeMap<i16, Vec<Level>> = BTreeMap::new();
        for pred in predecessors {
            for (y, levels) in Box::pin(self.years_through_successors(pred, own, depth + 1)).await? {
                inherited.entry(y).or_default().extend(levels);
            }
        }
        for (y, levels) in inherited {
            years.entry(y).or_insert(levels);
        }
        Ok(years)
    }

    /// The results of a round's organization in its year: levels by kind, and streaks.
    pub async fn eval_results(&self, p: &Principal, id: i64) -> Result<OrgResults, AppError> {
        let view = self.eval_round_view(p, id).await?;
        let year = view.round.year;
        let mut distribution: BTreeMap<SubjectKind, BTreeMap<Level, u32>> = BTreeMap::new();
        for s in &view.subjects {
            if let Some(level) = s.row.result() {
                *distribution.entry(s.row.kind).or_default().entry(level).or_insert(0) += 1;
            }
        }
        let own = self.org_years().await?;
        let mut org_streaks = Vec::new();
        for s in view.subjects.iter().filter(|s| s.row.kind == SubjectKind::Organization) {
            let (Some(org), Some(level)) = (s.row.org, s.row.result()) else { continue };
            let years = self.years_through_successors(org, &own, 0).await?;
            org_streaks.push((org, s.name.clone(), level, streak(&years, year, Level::Htxsnv)));
        }
        let mut by_member: HashMap<MemberId, BTreeMap<i16, Vec<Level>>> = HashMap::new();
        for (y, member, _, level) in self.store.evaluation_results(SubjectKind::Member, Some(id)).await? {
            if let Some(m) = member {
                by_member.entry(m).or_default().entry(y).or_default().push(level);
            }
        }
        let mut member_streaks: Vec<(MemberId, String, u32)> = view
            .subjects
            .iter()
            .filter(|s| s.row.kind == SubjectKind::Member)
            .filter_map(|s| {
                let m = s.row.member?;
                let n = by_member.get(&m).map_or(0, |y| streak(y, year, Level::Htxsnv));
                (n >= 5).then(|| (m, s.name.clone(), n))
            })
            .collect();
        member_streaks.sort_by_cached_key(|s| (std::cmp::Reverse(s.2), collation_key(&s.1)));
        Ok(OrgResults { year, org_name: view.org_name, distribution, org_streaks, member_streaks })
    }

    /// The lists by level, as xlsx: one sheet per level, members then organizations.
    pub async fn eval_lists_xlsx(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        use thidua_office::{Cell, Sheet};
        let view = self.eval_round_view(p, id).await?;
        let mut sheets = Vec::new();
        for level in Level::ALL {
            let mut rows = Vec::new();
            for s in view.subjects.iter().filter(|s| s.row.result() == Some(level)) {
                rows.push(vec![
                    Cell::Int(rows.len() as i64 + 1),
                    Cell::Text(s.name.clone()),
                    Cell::Text(kind_label(s.row.kind).into()),
                    Cell::Text(s.cell_name.clone()),
                    match s.proposal.score {
                        Some(score) => Cell::Int(i64::from(score)),
                        None => Cell::Empty,
                    },
                    Cell::Text(level.name().into()),
                ]);
            }
            sheets.push(Sheet {
                name: level.abbreviation().into(),
                title: Some(format!("Danh sách {} năm {} — {}", level.name().to_lowercase(), view.round.year, view.org_name)),
                headers: ["STT", "Họ và tên / Tổ chức", "Đối tượng", "Chi bộ", "Điểm", "Mức xếp loại"].map(String::from).to_vec(),
                widths: vec![6.0, 38.0, 18.0, 40.0, 8.0, 30.0],
                rows,
            });
        }
        thidua_office::xlsx(&sheets).map_err(AppError::from)
    }

    /// The summary report (báo cáo kết quả) as a Party-format docx.
    pub async fn eval_report_docx(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let results = self.eval_results(p, id).await?;
        let view = self.eval_round_view(p, id).await?;
        let on = today();
        let chain = self.store.org_chain_on(view.round.org, year_span(view.round.year)?.1.min(on)).await?;
        let superior = match chain.get(1) {
            Some(parent) => self.names_as_of([*parent], on).await?.remove(parent).unwrap_or_default(),
            None => String::new(),
        };
        let pct = |n: u32, of: u32| format_percent(i64::from(n), i64::from(of), Lang::Vi).unwrap_or_else(|| "–".into());
        let mut body = vec![format!(
            "Thực hiện {}, {} báo cáo kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm {} như sau:",
            view.rules.source, view.org_name, view.round.year
        )];
        for (kind, heading) in [
            (SubjectKind::Organization, "I. TỔ CHỨC ĐẢNG"),
            (SubjectKind::LeadershipCollective, "II. TẬP THỂ LÃNH ĐẠO"),
            (SubjectKind::Leader, "III. CÁ NHÂN CÁN BỘ LÃNH ĐẠO, QUẢN LÝ"),
            (SubjectKind::Member, "IV. ĐẢNG VIÊN"),
        ] {
            let counts = results.distribution.get(&kind).cloned().unwrap_or_default();
            let total: u32 = counts.values().sum();
            body.push(heading.into());
            body.push(format!("Tổng số được xếp loại: {total}."));
            for level in Level::ALL {
                let n = counts.get(&level).copied().unwrap_or(0);
                body.push(format!("- {}: {n} ({}).", level.name(), pct(n, total)));
            }
        }
        body.push("V. THÀNH TÍCH NHIỀU NĂM LIỀN".into());
        let five: Vec<&(OrgId, String, Level, u32)> = results.org_streaks.iter().filter(|s| s.3 >= 5).collect();
        body.push(format!("Tổ chức đảng hoàn thành xuất sắc nhiệm vụ 5 năm liền trở lên: {}.", five.len()));
        body.extend(five.iter().map(|s| format!("- {} ({} năm liền).", s.1, s.3)));
        body.push(format!("Đảng viên hoàn thành xuất sắc nhiệm vụ 5 năm liền trở lên: {}.", results.member_streaks.len()));
        if let Some(q) = view.quota {
            body.push(format!("Tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ so với hoàn thành tốt nhiệm vụ: {}/{} (tối đa {}% — {}).", q.htxsnv, q.httnv, q.pct, if q.ok { "đúng quy định" } else { "vượt tỷ lệ" }));
        }
        let concluded = view.round.concluded.as_ref().map(|c| c.on).unwrap_or(on);
        let doc = thidua_office::PartyDocument {
            superior,
            issuer: view.org_name.clone(),
            number: format!("Số {:02}-BC/ĐU", view.round.id),
            place_date: long_date(concluded).replacen("ngày", "Ngày", 1),
            title: "Báo cáo".into(),
            summary: Some(format!("Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm {}", view.round.year)),
            body,
            signer_title: vec!["T/M ĐẢNG ỦY".into(), "BÍ THƯ".into()],
            signer_name: String::new(),
            recipients: vec!["Cấp ủy cấp trên".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }
}

/// The quota over planned levels.
fn quota_state(q: thidua_core::evaluation::Quota, levels: &[Level]) -> QuotaState {
    let count = |l: Level| u32::try_from(levels.iter().filter(|x| **x == l).count()).unwrap_or(u32::MAX);
    let (htxsnv, httnv) = (count(Level::Htxsnv), count(Level::Httnv));
    QuotaState { htxsnv, httnv, limit: quota_limit(q, httnv), pct: q.htxsnv_of_httnv_pct, ok: quota_allows(q, htxsnv, httnv) }
}

pub fn kind_label(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Organization => "Tổ chức đảng",
        SubjectKind::LeadershipCollective => "Tập thể lãnh đạo",
        SubjectKind::Member => "Đảng viên",
        SubjectKind::Leader => "Cán bộ lãnh đạo",
    }
}

/// A level as the forms write it, or nothing.
fn level_code(level: Option<Level>) -> &'static str {
    level.map_or("", Level::abbreviation)
}

/// How a subject's saved assessment differs from the one this edit would have saved.
fn assessment_changes(saved: &EvalRow, yours: &AssessmentInput) -> Vec<FieldChange> {
    let (a, b) = (&saved.assessment, &yours.assessment);
    let mut changes = vec![FieldChange::of("self_level", None, level_code(saved.own.as_ref().and_then(|s| s.level)), level_code(yours.self_level))];
    let scores: BTreeSet<&String> = a.scores.keys().chain(b.scores.keys()).collect();
    changes.extend(scores.into_iter().map(|c| {
        let score = |m: &BTreeMap<String, u32>| m.get(c).map(u32::to_string).unwrap_or_default();
        FieldChange::of("criterion", Some(c), score(&a.scores), score(&b.scores))
    }));
    let met: BTreeSet<&String> = a.met.keys().chain(b.met.keys()).collect();
    changes.extend(met.into_iter().map(|c| FieldChange::of("criterion_met", Some(c), a.met.get(c).copied().unwrap_or(false), b.met.get(c).copied().unwrap_or(false))));
    changes.extend([
        FieldChange::of("tasks_total", None, a.tasks.total, b.tasks.total),
        FieldChange::of("tasks_on_time", None, a.tasks.on_time, b.tasks.on_time),
        FieldChange::of("tasks_exceeding", None, a.tasks.exceeding, b.tasks.exceeding),
        FieldChange::of("tasks_late", None, a.tasks.late, b.tasks.late),
    ]);
    let list = |t: &BTreeSet<String>| t.iter().cloned().collect::<Vec<_>>().join(", ");
    changes.push(FieldChange::of("triggers", None, list(&a.triggers), list(&b.triggers)));
    changes.into_iter().flatten().collect()
}
