//! Commendation: the rulebook kept in the database, people and their initiatives, eligibility of a
//! nominee (one by one, or everyone in a scope), dossiers moving one level of the hierarchy at a
//! time, decisions and the award registry with revocations, and the documents they produce.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use jiff::civil::Date;
use sha2::{Digest, Sha256};
use thidua_core::access::Action;
use thidua_core::audit::hex;
use thidua_core::commendation::{
    check, judge, judged_on, streak_only, AwardKind, AwardLevel, Outcome, Record, CatalogEntry, Condition, DossierAction, DossierState, Eligibility, History, LevelsByYear, MemberFacts, Recipient, Rule,
    Rulebook, RulebookError, Verdict, VoteFacts,
};
use thidua_core::date::long_date;
use thidua_core::evaluation::{Level, SubjectKind};
use thidua_core::member::{DisciplineForm, MemberId};
use thidua_core::org::{OrgId, OrgKind, OrgVersion, Succession};
use thidua_core::vi::{collation_key, fold};
pub use thidua_store::{AwardRow, DecisionRow, DossierFileRow, DossierRow, DossierStepRow, InitiativeRow, Nominee, PersonRow, RevocationRow, RulebookRow};
use thidua_store::{AwardFilter, Tx};
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::documents::NewAttachment;
use crate::{today, App, AppError, FieldChange, FieldProblem, Invalid};

/// Why a commendation step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommendationProblem {
    #[error(transparent)]
    Rules(#[from] RulebookError),
    #[error("{0} is not in the catalog")]
    UnknownTitle(String),
    #[error("{title} is not given to this kind of nominee")]
    WrongRecipient { title: String },
    #[error("the nominee is not within the proposing unit")]
    OutsideUnit,
    #[error("a dossier that is {from:?} cannot be {action:?}")]
    Step { from: DossierState, action: DossierAction },
    #[error("the proposing unit has no level above it")]
    NoLevelAbove,
    #[error("the dossier is not handled by the issuing organization")]
    NotHere,
    #[error("the issuer already has a decision {0}")]
    DecisionTaken(String),
    #[error("the award was revoked already")]
    Revoked,
    #[error("the poll has no such option")]
    NoSuchOption,
    #[error("the poll's option is not this nominee, or the poll is not of the dossier's year")]
    VoteNotForNominee,
    #[error("{title} needs the council's vote before a decision")]
    VoteRequired { title: String },
    #[error("{title} is above what the issuer may confer")]
    AboveIssuer { title: String },
    #[error("the nominee is outside the issuer's organization")]
    OutsideIssuer,
    #[error("the nominee already has a dossier or an award of {title} for {year}")]
    Duplicate { title: String, year: i16 },
}

/// A stored nominee as named in requests.
pub fn nominee_ref(n: Nominee) -> NomineeRef {
    match n {
        Nominee::Org(o) => NomineeRef::Org(o),
        Nominee::Person(x) => NomineeRef::Person(x),
    }
}

/// What a Giấy khen or Bằng khen is for: the achievement it names, or the year's work.
fn form_reason(code: &str, name: &str, year: i16) -> String {
    if matches!(code, "giay_khen" | "bang_khen" | "bang_khen_ttcp") {
        format!("Đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm {year}.")
    } else {
        format!("Đã đạt thành tích: {name} năm {year}.")
    }
}

/// The council's vote as recorded on a dossier.
fn stored_vote(d: &DossierRow) -> Result<Option<VoteFacts>, AppError> {
    d.vote.as_deref().map(serde_json::from_str::<VoteFacts>).transpose().map_err(|_| AppError::Internal(thidua_store::StoreError::Corrupt("dossier vote".into())))
}

/// Leaves a member's evaluation levels and discipline out of an explanation; the outcome of each
/// condition stays.
fn redact_member_records(e: &mut Eligibility) {
    for c in &mut e.checks {
        c.used.retain(|r| !matches!(r, Record::Level { .. } | Record::Discipline { .. }));
    }
}

/// `orgs` with every organization they succeeded (merges, splits), however far back.
fn predecessors_in(successions: &[Succession], orgs: &[OrgId]) -> Vec<OrgId> {
    let mut out: Vec<OrgId> = orgs.to_vec();
    let mut seen: BTreeSet<OrgId> = orgs.iter().copied().collect();
    let mut i = 0;
    while i < out.len() {
        let here = out[i];
        for s in successions.iter().filter(|s| s.successor == here) {
            if seen.insert(s.predecessor) {
                out.push(s.predecessor);
            }
        }
        i += 1;
    }
    out
}

/// A unique index refusing a second award or live dossier of a title for a nominee and a year.
fn duplicate(e: thidua_store::StoreError, title: &str, year: i16) -> AppError {
    if e.is_unique_violation() { CommendationProblem::Duplicate { title: title.to_owned(), year }.into() } else { e.into() }
}

/// A nominee as named in a request: a collective, a person, or a member (a person is made for
/// them on first need).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NomineeRef {
    Org(OrgId),
    Person(i64),
    Member(MemberId),
}

impl NomineeRef {
    /// `org:1`, `person:2` or `member:3`: how requests and pages name a nominee.
    pub fn code(self) -> String {
        match self {
            NomineeRef::Org(o) => format!("org:{}", o.0),
            NomineeRef::Person(p) => format!("person:{p}"),
            NomineeRef::Member(m) => format!("member:{}", m.0),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub full_name: String,
    pub org: OrgId,
    pub position: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewInitiative {
    pub name: String,
    pub level: AwardLevel,
    pub recognized_on: Date,
    pub decision: String,
}

#[derive(Debug, Clone)]
pub struct NewDossier {
    pub year: i16,
    pub title: String,
    pub nominee: NomineeRef,
    pub proposer: OrgId,
    pub achievements: String,
}

/// A step on a dossier with what it needs: a reason to return, the poll and option of a vote.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub reason: Option<String>,
    pub poll: Option<(i64, i64)>,
}

/// An award a decision confers directly (not from a dossier): past decisions, other issuers'.
#[derive(Debug, Clone)]
pub struct NewAward {
    pub title: String,
    pub year: i16,
    pub nominee: NomineeRef,
}

#[derive(Debug, Clone)]
pub struct NewDecision {
    pub issuer: OrgId,
    pub number_symbol: String,
    pub decided_on: Date,
    pub signer: String,
    pub summary: String,
    /// Dossiers handled by the issuer, reviewed or voted: each is decided.
    pub dossiers: Vec<i64>,
    pub awards: Vec<NewAward>,
}

#[derive(Debug, Clone)]
pub struct NewRevocation {
    pub decided_on: Date,
    pub decision: String,
    pub reason: String,
    pub recovery: String,
}

/// A dossier with what its page shows.
#[derive(Debug, Clone)]
pub struct DossierView {
    pub row: DossierRow,
    pub nominee_name: String,
    pub title_name: String,
    pub proposer_name: String,
    pub at_org_name: String,
    pub steps: Vec<DossierStepRow>,
    pub files: Vec<DossierFileRow>,
    /// As captured at submission: it does not change when the rulebook does.
    pub captured: Option<Eligibility>,
    /// By today's rulebook, with the vote if recorded.
    pub current: Eligibility,
    pub vote: Option<VoteFacts>,
    pub entry: Option<CatalogEntry>,
    /// The proposing unit may edit, submit or withdraw.
    pub may_propose: bool,
    /// The level handling it may review, forward, vote, return and decide.
    pub may_handle: bool,
}

/// A line of the registry, named.
#[derive(Debug, Clone)]
pub struct RegistryLine {
    pub award: AwardRow,
    pub recipient: String,
    /// The recipient's organization (itself for a collective).
    pub org: OrgId,
    pub title_name: String,
    pub issuer_name: String,
}

/// Which awards of the registry to show.
#[derive(Debug, Clone, Default)]
pub struct RegistryFilter {
    /// An organization: its collectives and the people working there.
    pub org: Option<OrgId>,
    /// With the organization's predecessors.
    pub predecessors: bool,
    pub title: Option<String>,
    pub from_year: Option<i16>,
    pub to_year: Option<i16>,
}

/// A subject found eligible in bulk.
#[derive(Debug, Clone)]
pub struct Eligible {
    pub nominee: NomineeRef,
    pub name: String,
    pub org: OrgId,
    pub eligibility: Eligibility,
}

fn clean(v: &str, field: &'static str, max: usize, problems: &mut Vec<FieldProblem>) -> String {
    let v: String = v.trim().nfc().collect();
    if v.is_empty() {
        problems.push(FieldProblem::new(field, Invalid::Required));
    } else if v.chars().count() > max {
        problems.push(FieldProblem::new(field, Invalid::TooLong { max }));
    }
    v
}

fn check_year(year: i16) -> Result<(), AppError> {
    if (1945..=today().year() + 1).contains(&year) { Ok(()) } else { Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)])) }
}

/// Whether an organization is a party organization evaluated each year.
fn evaluated_kind(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::Cell | OrgKind::GrassrootsCommittee | OrgKind::UpperGrassrootsCommittee)
}

impl App {
    // -----------------------------------------------------------------------------------------
    // The rulebook.

    /// Loads the shipped rulebook into an empty database, or a newer shipped version over one no
    /// administrator has edited.
    pub(crate) async fn seed_commendation_rules(&self) -> Result<(), AppError> {
        let shipped = include_str!("../../core/rules/commendation.json");
        let book = Rulebook::parse(shipped).map_err(CommendationProblem::Rules)?;
        let latest = self.store.latest_rulebook().await?;
        let load = match &latest {
            None => true,
            Some(l) => l.created_by == "system" && l.version != book.version && !self.store.rulebook_versions().await?.iter().any(|v| v.version == book.version),
        };
        if load {
            let mut tx = self.store.begin().await?;
            tx.add_rulebook(&book.version, shipped, "Bộ quy tắc mặc định kèm theo chương trình", "system", now_unix()).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The rulebook in force: the newest version in the database.
    pub async fn commendation_rules(&self) -> Result<(Arc<RulebookRow>, Arc<Rulebook>), AppError> {
        let latest = self.store.latest_rulebook_id().await?.ok_or(AppError::NotFound)?;
        if let Ok(cache) = self.commendation_book.lock()
            && let Some((row, book)) = cache.as_ref()
            && row.id == latest
        {
            return Ok((row.clone(), book.clone()));
        }
        let row = Arc::new(self.store.latest_rulebook().await?.ok_or(AppError::NotFound)?);
        let book = Arc::new(Rulebook::parse(&row.body).map_err(CommendationProblem::Rules)?);
        if let Ok(mut cache) = self.commendation_book.lock() {
            *cache = Some((row.clone(), book.clone()));
        }
        Ok((row, book))
    }

    pub async fn rulebook_versions(&self) -> Result<Vec<RulebookRow>, AppError> {
        Ok(self.store.rulebook_versions().await?)
    }

    /// An administrator saves a new version of the rulebook; a version that does not parse or
    /// validate changes nothing.
    pub async fn save_commendation_rules(&self, p: &Principal, body: &str, note: &str) -> Result<RulebookRow, AppError> {
        self.require_system(p, Action::ManageRules)?;
        let book = Rulebook::parse(body).map_err(CommendationProblem::Rules)?;
        let mut problems = Vec::new();
        let note = clean(note, "note", 500, &mut problems);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        tx.add_rulebook(&book.version, body, &note, &p.username, now_unix()).await?;
        tx.audit(p.user, &p.record("commendation.rules", "system", format!("{} ({} rules)", book.version, book.rules.len()))).await?;
        tx.commit().await?;
        self.store.latest_rulebook().await?.ok_or(AppError::NotFound)
    }

    pub(crate) fn entry<'b>(book: &'b Rulebook, title: &str) -> Result<&'b CatalogEntry, AppError> {
        book.entry(title).ok_or_else(|| CommendationProblem::UnknownTitle(title.chars().take(40).collect()).into())
    }

    /// The organizations on which the principal may do `action` today, named, in no particular
    /// order (a picker sorts what it shows: sorting all of a nation's would be wasted).
    pub async fn commendation_orgs(&self, p: &Principal, action: Action) -> Result<Vec<(OrgId, String)>, AppError> {
        Ok(self.orgs_for(p, action, today()).await?.into_iter().map(|v| (v.org, v.name)).collect())
    }

    /// The collectives of an organization's subtree today (for a dossier's nominee), named.
    pub async fn collectives_in(&self, p: &Principal, org: OrgId) -> Result<Vec<(OrgId, String, OrgKind)>, AppError> {
        self.require_org(p, Action::ViewCommendation, org, today()).await?;
        let subtree = self.subtree(org, today()).await?;
        let mut out: Vec<(OrgId, String, OrgKind)> = self.store.orgs_on(today()).await?.into_iter().filter(|v| subtree.contains(&v.org)).map(|v| (v.org, v.name, v.kind)).collect();
        out.sort_by_cached_key(|(_, n, _)| collation_key(n));
        Ok(out)
    }

    /// Dossiers handled by `issuer` that a decision may settle (reviewed or voted), named.
    pub async fn decidable(&self, p: &Principal, issuer: OrgId) -> Result<Vec<(DossierRow, String, String)>, AppError> {
        self.require_org(p, Action::DecideCommendation, issuer, today()).await?;
        // The issuer's own dossiers, not every dossier the principal may see.
        let waiting: Vec<DossierRow> = self.store.dossiers(&[issuer], None, None).await?.into_iter().filter(|d| d.at_org == issuer && d.state.after(DossierAction::Decide).is_some()).collect();
        self.named_dossiers(waiting).await
    }

    // -----------------------------------------------------------------------------------------
    // People and initiatives.

    pub async fn add_person(&self, p: &Principal, new: &NewPerson) -> Result<i64, AppError> {
        self.require_org(p, Action::ProposeCommendation, new.org, today()).await?;
        let mut problems = Vec::new();
        if !self.store.orgs_on(today()).await?.iter().any(|v| v.org == new.org) {
            problems.push(FieldProblem::new("org", Invalid::Choice));
        }
        let full_name = clean(&new.full_name, "full_name", 200, &mut problems);
        let position = new.position.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect::<String>());
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let id = tx.add_person(&PersonRow { id: 0, full_name, org: new.org, member: None, position }, &p.username).await?;
        tx.audit(p.user, &p.record("person.create", format!("person:{id}"), "")).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The people of an organization's subtree, with the members who are not yet people.
    pub async fn people_in(&self, p: &Principal, org: OrgId) -> Result<Vec<(NomineeRef, String)>, AppError> {
        self.require_org(p, Action::ViewCommendation, org, today()).await?;
        let subtree = self.subtree(org, today()).await?;
        let persons = self.store.persons_in(&subtree).await?;
        let linked: BTreeSet<MemberId> = persons.iter().filter_map(|x| x.member).collect();
        let mut out: Vec<(NomineeRef, String)> = persons.into_iter().map(|x| (NomineeRef::Person(x.id), x.full_name)).collect();
        if self.require_org(p, Action::ViewMember, org, today()).await.is_ok() {
            let members: Vec<MemberId> = self.store.members_on(&subtree, today()).await?.into_iter().map(|(m, _)| m).filter(|m| !linked.contains(m)).collect();
            out.extend(self.store.members_by_ids(&members).await?.into_iter().map(|row| (NomineeRef::Member(row.id), row.record.full_name)));
        }
        thidua_core::vi::sort_by_name(&mut out, |x| &x.1);
        Ok(out)
    }

    pub async fn add_initiative(&self, p: &Principal, nominee: NomineeRef, new: &NewInitiative) -> Result<i64, AppError> {
        let person = self.person_of(p, nominee, Action::ProposeCommendation).await?;
        let mut problems = Vec::new();
        let name = clean(&new.name, "name", 500, &mut problems);
        let decision = clean(&new.decision, "decision", 200, &mut problems);
        if new.recognized_on > today() {
            problems.push(FieldProblem::new("recognized_on", Invalid::InFuture));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let person = self.ensure_person(&mut tx, p, person).await?;
        let id = tx.add_initiative(&InitiativeRow { id: 0, person, name, level: new.level, recognized_on: new.recognized_on, decision }, &p.username).await?;
        tx.audit(p.user, &p.record("initiative.create", format!("person:{person}"), new.level.code())).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A person or member nominee, checked for `action` on where they work.
    async fn person_of(&self, p: &Principal, nominee: NomineeRef, action: Action) -> Result<NomineeRef, AppError> {
        let org = match nominee {
            NomineeRef::Org(_) => return Err(AppError::Invalid(vec![FieldProblem::new("nominee", Invalid::Choice)])),
            NomineeRef::Person(id) => self.store.person(id).await?.ok_or(AppError::NotFound)?.org,
            NomineeRef::Member(m) => self.store.member(m).await?.ok_or(AppError::NotFound)?.record.org,
        };
        self.require_org(p, action, org, today()).await?;
        Ok(nominee)
    }

    /// The person id of a person or member nominee, made for a member on first need.
    pub(crate) async fn ensure_person(&self, tx: &mut Tx, p: &Principal, nominee: NomineeRef) -> Result<i64, AppError> {
        match nominee {
            NomineeRef::Person(id) => Ok(id),
            NomineeRef::Member(m) => {
                let row = self.store.member(m).await?.ok_or(AppError::NotFound)?;
                Ok(tx.person_of_member(m, &row.record.full_name, row.record.org, &p.username).await?)
            }
            NomineeRef::Org(_) => Err(AppError::Invalid(vec![FieldProblem::new("nominee", Invalid::Choice)])),
        }
    }

    /// An organization and everything below it on `on`.
    pub(crate) async fn subtree(&self, org: OrgId, on: Date) -> Result<Vec<OrgId>, AppError> {
        self.descendants_on(&[org], on).await
    }

    /// `roots` and everything below them on `on`, each once.
    async fn descendants_on(&self, roots: &[OrgId], on: Date) -> Result<Vec<OrgId>, AppError> {
        let children = self.store.org_children_on(on).await?;
        let mut seen: HashSet<OrgId> = HashSet::new();
        let mut out: Vec<OrgId> = roots.iter().copied().filter(|r| seen.insert(*r)).collect();
        let mut i = 0;
        while i < out.len() {
            for c in children.get(&out[i]).into_iter().flatten() {
                if seen.insert(*c) {
                    out.push(*c);
                }
            }
            i += 1;
        }
        Ok(out)
    }

    /// The organization a nominee belongs to (itself for a collective), and its name.
    pub(crate) async fn nominee_facts(&self, nominee: NomineeRef) -> Result<(OrgId, String, Option<PersonRow>, Option<MemberId>), AppError> {
        Ok(match nominee {
            NomineeRef::Org(o) => {
                let name = self.org_names(&BTreeSet::from([o])).await?.remove(&o).ok_or(AppError::NotFound)?;
                (o, name, None, None)
            }
            NomineeRef::Person(id) => {
                let person = self.store.person(id).await?.ok_or(AppError::NotFound)?;
                (person.org, person.full_name.clone(), Some(person.clone()), person.member)
            }
            NomineeRef::Member(m) => {
                let row = self.store.member(m).await?.ok_or(AppError::NotFound)?;
                let person = self.store.person_for_member(m).await?;
                (row.record.org, row.record.full_name, person, Some(m))
            }
        })
    }

    // -----------------------------------------------------------------------------------------
    // Eligibility.

    /// An organization's own results and, for years it has none, its predecessors' (named), when
    /// the rule follows successors.
    async fn org_levels(&self, org: OrgId, follow: bool) -> Result<LevelsByYear, AppError> {
        let mut by_org: HashMap<OrgId, BTreeMap<i16, Vec<Level>>> = HashMap::new();
        for (year, _, o, level) in self.store.evaluation_results(SubjectKind::Organization, None).await? {
            if let Some(o) = o {
                by_org.entry(o).or_default().entry(year).or_default().push(level);
            }
        }
        let successions = if follow { self.store.successions().await? } else { Default::default() };
        let lineage = predecessors_in(&successions, &[org]);
        let names = self.org_names(&lineage.iter().copied().collect()).await?;
        /// Own years first; a year without results takes those of all predecessors that have it.
        fn walk(org: OrgId, of: Option<&String>, by_org: &HashMap<OrgId, BTreeMap<i16, Vec<Level>>>, successions: &[Succession], names: &HashMap<OrgId, String>, depth: usize) -> LevelsByYear {
            let mut years: LevelsByYear = by_org.get(&org).map(|ys| ys.iter().map(|(y, ls)| (*y, ls.iter().map(|l| (*l, of.cloned())).collect())).collect()).unwrap_or_default();
            if depth > 64 {
                return years;
            }
            let mut inherited: LevelsByYear = BTreeMap::new();
            for s in successions.iter().filter(|s| s.successor == org) {
                let name = of.or_else(|| names.get(&s.predecessor));
                for (y, levels) in walk(s.predecessor, name, by_org, successions, names, depth + 1) {
                    inherited.entry(y).or_default().extend(levels);
                }
            }
            for (y, levels) in inherited {
                years.entry(y).or_insert(levels);
            }
            years
        }
        Ok(walk(org, None, &by_org, &successions, &names, 0))
    }

    /// `orgs` with every organization they succeeded, however far back.
    pub(crate) async fn with_predecessors(&self, orgs: &[OrgId]) -> Result<Vec<OrgId>, AppError> {
        Ok(predecessors_in(&self.store.successions().await?, orgs))
    }

    /// The awards of a nominee by year (a collective's through its predecessors when `follow`).
    async fn titles_of(&self, nominee: &Nominee, follow: bool) -> Result<BTreeMap<i16, Vec<(String, String, Option<String>)>>, AppError> {
        let mut out: BTreeMap<i16, Vec<(String, String, Option<String>)>> = BTreeMap::new();
        let (orgs, person) = match nominee {
            Nominee::Org(o) if follow => (self.with_predecessors(&[*o]).await?, None),
            Nominee::Org(o) => (vec![*o], None),
            Nominee::Person(id) => (Vec::new(), Some(*id)),
        };
        let names = self.org_names(&orgs.iter().copied().collect()).await?;
        let awards = match person {
            Some(id) => self.store.awards(&AwardFilter { person: Some(id), ..AwardFilter::default() }).await?,
            None => self.store.awards(&AwardFilter { orgs: Some(orgs.clone()), ..AwardFilter::default() }).await?.into_iter().filter(|a| matches!(a.nominee, Nominee::Org(_))).collect(),
        };
        for a in awards {
            let of = match (a.nominee, nominee) {
                (Nominee::Org(x), Nominee::Org(me)) if x != *me => names.get(&x).cloned(),
                _ => None,
            };
            out.entry(a.year).or_default().push((a.title.clone(), a.decision.number_symbol.clone(), of));
        }
        Ok(out)
    }

    /// Everything a rule may read about a nominee for `year`.
    async fn history(&self, nominee: NomineeRef, rule: Option<&Rule>, year: i16, vote: Option<VoteFacts>) -> Result<History, AppError> {
        let follow = rule.is_some_and(|r| r.follow_successors);
        let conditions: &[Condition] = rule.map_or(&[], |r| r.conditions.as_slice());
        let (org, _, person, member) = self.nominee_facts(nominee).await?;
        let mut h = History { vote, ..History::default() };
        match nominee {
            NomineeRef::Org(o) => {
                let kind = self.store.latest_version(o).await?.map(|v| v.kind);
                h.evaluated = kind.is_some_and(evaluated_kind);
                h.levels = self.org_levels(o, follow).await?;
                h.titles = self.titles_of(&Nominee::Org(o), follow).await?;
                if conditions.iter().any(|c| matches!(c, Condition::MemberShare { .. } | Condition::MemberLevelShare { .. } | Condition::MemberCount { .. } | Condition::NoMemberDiscipline { .. })) {
                    h.members = Some(self.member_facts(o, year).await?);
                }
            }
            NomineeRef::Person(_) | NomineeRef::Member(_) => {
                if let Some(m) = member {
                    h.evaluated = true;
                    h.since = self.store.member(m).await?.map(|row| row.record.admitted_on.year());
                    for (y, level) in self.store.member_levels(m).await? {
                        h.levels.entry(y).or_default().push((level, None));
                    }
                    h.disciplines = self.store.disciplines(m).await?.into_iter().map(|d| (d.decided_on.year(), d.form)).collect();
                }
                if let Some(person) = &person {
                    h.titles = self.titles_of(&Nominee::Person(person.id), false).await?;
                    h.initiatives = self.store.initiatives(person.id).await?.into_iter().map(|i| (i.recognized_on.year(), i.level, i.name)).collect();
                }
            }
        }
        if let Some(Condition::Cap { of_title, .. }) = conditions.iter().find(|c| matches!(c, Condition::Cap { .. })) {
            // Counted in the nominee's unit, whoever asks and however: one by one, in bulk or at
            // submission. The nominee's own award, once given, is not counted against them.
            let on = judged_on(year).unwrap_or_else(today).min(today());
            let subtree = self.subtree(self.cap_unit(org, on).await?, on).await?;
            let own = match (nominee, &person) {
                (NomineeRef::Org(o), _) => Some(Nominee::Org(o)),
                (_, Some(x)) => Some(Nominee::Person(x.id)),
                _ => None,
            };
            let in_year = |title: String| AwardFilter { orgs: Some(subtree.clone()), title: Some(title), from_year: Some(year), to_year: Some(year), ..AwardFilter::default() };
            let title = rule.map(|r| r.title.clone()).unwrap_or_default();
            let awarded = self.store.awards(&in_year(title)).await?.into_iter().filter(|a| Some(a.nominee) != own).count();
            let holders = self.store.awards(&in_year(of_title.clone())).await?.len();
            h.cap = Some((u32::try_from(awarded).unwrap_or(u32::MAX), u32::try_from(holders).unwrap_or(u32::MAX)));
        }
        Ok(h)
    }

    /// The highest level of award an issuer confers: that of the committee it is or belongs to.
    pub(crate) async fn issuer_reach(&self, issuer: OrgId, on: Date) -> Result<AwardLevel, AppError> {
        let kinds: HashMap<OrgId, OrgKind> = self.store.orgs_on(on).await?.into_iter().map(|v| (v.org, v.kind)).collect();
        for o in self.store.org_chain_on(issuer, on).await? {
            match kinds.get(&o) {
                Some(OrgKind::CentralCommittee) => return Ok(AwardLevel::National),
                Some(OrgKind::ProvincialCommittee) => return Ok(AwardLevel::Province),
                Some(OrgKind::UpperGrassrootsCommittee | OrgKind::GrassrootsCommittee | OrgKind::Cell) => return Ok(AwardLevel::Grassroots),
                _ => {}
            }
        }
        Ok(AwardLevel::Grassroots)
    }

    /// Whether the principal may read the member's record (levels, discipline).
    async fn may_read_member(&self, p: &Principal, m: MemberId) -> Result<bool, AppError> {
        let org = self.store.member(m).await?.ok_or(AppError::NotFound)?.record.org;
        Ok(self.require_org(p, Action::ViewMember, org, today()).await.is_ok())
    }

    /// The unit a capped title is counted in: a cell's đảng bộ cơ sở, otherwise the organization
    /// itself.
    async fn cap_unit(&self, org: OrgId, on: Date) -> Result<OrgId, AppError> {
        let chain = self.store.org_chain_on(org, on).await?;
        let kinds: HashMap<OrgId, OrgKind> = self.store.orgs_on(on).await?.into_iter().map(|v| (v.org, v.kind)).collect();
        Ok(match chain.as_slice() {
            [cell, parent, ..] if kinds.get(cell) == Some(&OrgKind::Cell) && kinds.get(parent) == Some(&OrgKind::GrassrootsCommittee) => *parent,
            _ => org,
        })
    }

    /// A collective's members in `year`: the party members of its subtree then, and the other
    /// people working there.
    async fn member_facts(&self, org: OrgId, year: i16) -> Result<Vec<MemberFacts>, AppError> {
        let on = judged_on(year).unwrap_or_else(today).min(today());
        let subtree = self.subtree(org, on).await?;
        let members = self.store.members_on(&subtree, on).await?;
        let persons = self.store.persons_in(&subtree).await?;
        let by_member: HashMap<MemberId, i64> = persons.iter().filter_map(|x| x.member.map(|m| (m, x.id))).collect();
        let titles_by_person: HashMap<i64, BTreeSet<String>> = {
            let mut out: HashMap<i64, BTreeSet<String>> = HashMap::new();
            for a in self.store.awards(&AwardFilter { orgs: Some(subtree.clone()), from_year: Some(year), to_year: Some(year), ..AwardFilter::default() }).await? {
                if let Nominee::Person(id) = a.nominee {
                    out.entry(id).or_default().insert(a.title);
                }
            }
            out
        };
        let disciplined: BTreeMap<MemberId, DisciplineForm> = self.store.disciplined_in(year).await?;
        let mut facts = Vec::new();
        for (m, _) in &members {
            let level = self.store.member_levels(*m).await?.into_iter().find(|(y, _)| *y == year).map(|(_, l)| l);
            let titles = by_member.get(m).and_then(|p| titles_by_person.get(p)).cloned().unwrap_or_default();
            facts.push(MemberFacts { evaluated: true, titles, level, discipline: disciplined.get(m).copied() });
        }
        for person in persons.iter().filter(|x| x.member.is_none()) {
            facts.push(MemberFacts { evaluated: false, titles: titles_by_person.get(&person.id).cloned().unwrap_or_default(), level: None, discipline: None });
        }
        Ok(facts)
    }

    /// Whether a nominee may receive an entry at all: the right kind of recipient.
    pub(crate) async fn fits(&self, entry: &CatalogEntry, nominee: NomineeRef) -> Result<(), AppError> {
        let wrong = || CommendationProblem::WrongRecipient { title: entry.name.clone() }.into();
        match nominee {
            NomineeRef::Org(o) => {
                if !entry.recipients.contains(&Recipient::Collective) {
                    return Err(wrong());
                }
                if !entry.org_kinds.is_empty() {
                    let kind = self.store.latest_version(o).await?.map(|v| v.kind).ok_or(AppError::NotFound)?;
                    if !entry.org_kinds.contains(&kind) {
                        return Err(wrong());
                    }
                }
            }
            NomineeRef::Person(_) | NomineeRef::Member(_) => {
                if !entry.recipients.contains(&Recipient::Individual) {
                    return Err(wrong());
                }
                let (_, _, _, member) = self.nominee_facts(nominee).await?;
                if entry.members_only && member.is_none() {
                    return Err(wrong());
                }
            }
        }
        Ok(())
    }

    /// Whether `nominee` is eligible for `title` in `year`, condition by condition.
    pub async fn eligibility(&self, p: &Principal, nominee: NomineeRef, title: &str, year: i16) -> Result<Eligibility, AppError> {
        check_year(year)?;
        let (org, _, _, member) = self.nominee_facts(nominee).await?;
        let action = if member.is_some() { Action::ViewMember } else { Action::ViewCommendation };
        self.require_org(p, action, org, today()).await?;
        let (_, book) = self.commendation_rules().await?;
        let entry = Self::entry(&book, title)?;
        self.fits(entry, nominee).await?;
        let rule = book.rule_for(title, year);
        let h = self.history(nominee, rule, year, None).await?;
        if let Some(m) = member {
            let mut tx = self.store.begin().await?;
            tx.audit(p.user, &p.record("member.eligibility.read", format!("member:{}", m.0), "")).await?;
            tx.commit().await?;
        }
        Ok(judge(&book, title, year, &h))
    }

    /// Everyone in `scope` eligible for `title` in `year`. A rule of evaluation streaks alone
    /// reads the evaluation rows of the whole scope at once.
    pub async fn eligible_in(&self, p: &Principal, scope: OrgId, title: &str, year: i16) -> Result<Vec<Eligible>, AppError> {
        check_year(year)?;
        let (_, book) = self.commendation_rules().await?;
        let entry = Self::entry(&book, title)?.clone();
        let individuals = entry.recipients.contains(&Recipient::Individual);
        self.require_org(p, if individuals { Action::ViewMember } else { Action::ViewCommendation }, scope, today()).await?;
        let on = judged_on(year).unwrap_or_else(today).min(today());
        // The scope as it was in the year judged: today's organizations, what they succeeded,
        // and everything below those then.
        let today_tree = self.subtree(scope, today()).await?;
        let lineage = self.with_predecessors(&today_tree).await?;
        let then = self.descendants_on(&lineage, on).await?;
        let rule = book.rule_for(title, year).cloned();
        let mut out = Vec::new();
        if individuals {
            match rule.as_ref().and_then(streak_only) {
                // A streak rule reads the scope's evaluation rows at once; each eligible member's
                // explanation is built from those rows.
                Some((years, at_least)) => {
                    let first = year.saturating_sub(i16::try_from(years).unwrap_or(i16::MAX)).saturating_add(1);
                    // The database counts the streaks; the scope then keeps its own members of
                    // that year: all but those out of the rolls when the scope is everything.
                    let ok: Vec<Level> = Level::ALL.into_iter().filter(|l| *l >= at_least).collect();
                    let streaks = self.store.member_streaks(first, year, &ok).await?;
                    // The subtree of a live scope holds each live organization once: as many as
                    // all of them is all of them.
                    let live = self.store.org_parents_on(today()).await?;
                    let everything = today_tree.len() == live.len() && live.iter().any(|(org, _)| *org == scope);
                    let (members, gone): (Option<HashSet<MemberId>>, HashSet<MemberId>) = if everything {
                        (None, self.store.members_out_on(on).await?)
                    } else {
                        (Some(self.store.members_on(&then, on).await?.into_iter().map(|(m, _)| m).collect()), HashSet::new())
                    };
                    let keep = |m: &MemberId| members.as_ref().map_or(!gone.contains(m), |set| set.contains(m));
                    for s in streaks.into_iter().filter(|s| keep(&s.member)) {
                        let mut levels: LevelsByYear = BTreeMap::new();
                        for (y, l) in s.by_year {
                            levels.entry(y).or_default().push((l, None));
                        }
                        let h = History { evaluated: true, levels, ..History::default() };
                        let e = judge(&book, title, year, &h);
                        if e.verdict == Verdict::Eligible {
                            out.push(Eligible { nominee: NomineeRef::Member(s.member), name: s.name, org: s.org, eligibility: e });
                        }
                    }
                }
                None => {
                    let persons = self.store.persons_in(&then).await?;
                    let linked: BTreeSet<MemberId> = persons.iter().filter_map(|x| x.member).collect();
                    let mut candidates: Vec<NomineeRef> = persons.iter().filter(|x| !entry.members_only || x.member.is_some()).map(|x| NomineeRef::Person(x.id)).collect();
                    candidates.extend(self.store.members_on(&then, on).await?.into_iter().filter(|(m, _)| !linked.contains(m)).map(|(m, _)| NomineeRef::Member(m)));
                    for c in candidates {
                        let h = self.history(c, rule.as_ref(), year, None).await?;
                        let e = judge(&book, title, year, &h);
                        if e.verdict == Verdict::Eligible {
                            let (org, name, _, _) = self.nominee_facts(c).await?;
                            out.push(Eligible { nominee: c, name, org, eligibility: e });
                        }
                    }
                }
            }
        }
        if entry.recipients.contains(&Recipient::Collective) {
            let then: HashSet<OrgId> = then.into_iter().collect();
            let versions: Vec<OrgVersion> = self.store.orgs_on(on).await?.into_iter().filter(|v| then.contains(&v.org)).collect();
            for v in versions.into_iter().filter(|v| entry.org_kinds.is_empty() || entry.org_kinds.contains(&v.kind)) {
                let nominee = NomineeRef::Org(v.org);
                let h = self.history(nominee, rule.as_ref(), year, None).await?;
                let e = judge(&book, title, year, &h);
                if e.verdict == Verdict::Eligible {
                    out.push(Eligible { nominee, name: v.name, org: v.org, eligibility: e });
                }
            }
        }
        out.sort_by_cached_key(|e| collation_key(&e.name));
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // Dossiers.

    pub async fn create_dossier(&self, p: &Principal, new: &NewDossier) -> Result<i64, AppError> {
        self.require_org(p, Action::ProposeCommendation, new.proposer, today()).await?;
        check_year(new.year)?;
        let (_, book) = self.commendation_rules().await?;
        let entry = Self::entry(&book, &new.title)?;
        self.fits(entry, new.nominee).await?;
        let (org, _, _, _) = self.nominee_facts(new.nominee).await?;
        if !self.subtree(new.proposer, today()).await?.contains(&org) {
            return Err(CommendationProblem::OutsideUnit.into());
        }
        let mut problems = Vec::new();
        let achievements: String = new.achievements.trim().nfc().collect();
        if achievements.chars().count() > 20_000 {
            problems.push(FieldProblem::new("achievements", Invalid::TooLong { max: 20_000 }));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let nominee = match new.nominee {
            NomineeRef::Org(o) => Nominee::Org(o),
            other => Nominee::Person(self.ensure_person(&mut tx, p, other).await?),
        };
        let row = DossierRow {
            id: 0,
            year: new.year,
            title: new.title.clone(),
            nominee,
            proposer: new.proposer,
            at_org: new.proposer,
            state: DossierState::Draft,
            achievements,
            eligibility: None,
            poll: None,
            vote: None,
            return_reason: None,
            award: None,
            copied_from: None,
            created_by: p.username.clone(),
            version: 1,
        };
        let id = tx.create_dossier(&row).await.map_err(|e| duplicate(e, &new.title, new.year))?;
        tx.add_dossier_step(id, &DossierStepRow { from: None, to: DossierState::Draft, at_org: new.proposer, actor: p.username.clone(), at_unix: now_unix(), reason: None }).await?;
        tx.audit(p.user, &p.record("dossier.create", format!("dossier:{id}"), format!("{} {}", new.title, new.year))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A new draft from an earlier dossier, for the next year: same nominee, title and text.
    pub async fn copy_dossier(&self, p: &Principal, id: i64) -> Result<i64, AppError> {
        let old = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ProposeCommendation, old.proposer, today()).await?;
        let year = old.year.saturating_add(1);
        check_year(year)?;
        // What held last year is checked again: the catalog and the unit may have changed.
        let (_, book) = self.commendation_rules().await?;
        self.fits(Self::entry(&book, &old.title)?, nominee_ref(old.nominee)).await?;
        let (org, _, _, _) = self.nominee_facts(nominee_ref(old.nominee)).await?;
        if !self.subtree(old.proposer, today()).await?.contains(&org) {
            return Err(CommendationProblem::OutsideUnit.into());
        }
        let row = DossierRow { id: 0, year, state: DossierState::Draft, at_org: old.proposer, copied_from: Some(id), created_by: p.username.clone(), version: 1, ..old.clone() };
        let mut tx = self.store.begin().await?;
        let new = tx.create_dossier(&row).await.map_err(|e| duplicate(e, &old.title, year))?;
        tx.add_dossier_step(new, &DossierStepRow { from: None, to: DossierState::Draft, at_org: old.proposer, actor: p.username.clone(), at_unix: now_unix(), reason: Some(format!("Sao từ hồ sơ {id}")) }).await?;
        tx.audit(p.user, &p.record("dossier.copy", format!("dossier:{new}"), format!("from dossier:{id}"))).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The proposing unit changes what a draft (or a returned dossier) says.
    pub async fn edit_dossier(&self, p: &Principal, id: i64, version: i64, title: &str, achievements: &str) -> Result<(), AppError> {
        let d = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ProposeCommendation, d.proposer, today()).await?;
        if !d.state.editable() {
            return Err(CommendationProblem::Step { from: d.state, action: DossierAction::Submit }.into());
        }
        let (_, book) = self.commendation_rules().await?;
        let entry = Self::entry(&book, title)?;
        self.fits(entry, nominee_ref(d.nominee)).await?;
        let achievements: String = achievements.trim().nfc().collect();
        if achievements.chars().count() > 20_000 {
            return Err(AppError::Invalid(vec![FieldProblem::new("achievements", Invalid::TooLong { max: 20_000 })]));
        }
        let mut tx = self.store.begin().await?;
        let row = DossierRow { title: title.to_owned(), achievements, version, ..d };
        if !tx.update_dossier(&row).await.map_err(|e| duplicate(e, title, row.year))? {
            drop(tx);
            let saved = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
            let changes = [
                FieldChange::of("award", None, &saved.title, &row.title),
                FieldChange::of("achievements", None, &saved.achievements, &row.achievements),
                FieldChange::of("status", None, saved.state.code(), row.state.code()),
            ];
            return Err(AppError::changed(changes.into_iter().flatten().collect()));
        }
        tx.audit(p.user, &p.record("dossier.edit", format!("dossier:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The parent of an organization today: the level a dossier goes to.
    async fn level_above(&self, org: OrgId) -> Result<OrgId, AppError> {
        self.store.org_chain_on(org, today()).await?.get(1).copied().ok_or_else(|| CommendationProblem::NoLevelAbove.into())
    }

    /// The council's vote on the dossier's nominee: the option must name the nominee and the poll
    /// be held for the dossier's year (at its end or early the next).
    async fn vote_facts(&self, p: &Principal, d: &DossierRow, poll: i64, option: i64) -> Result<VoteFacts, AppError> {
        let record = self.vote_record(p, poll).await?;
        let position = u16::try_from(option).map_err(|_| CommendationProblem::NoSuchOption)?;
        let index = record.options.iter().position(|o| o.position == position).ok_or(CommendationProblem::NoSuchOption)?;
        let chosen = &record.options[index];
        let (_, name, _, _) = self.nominee_facts(nominee_ref(d.nominee)).await?;
        let named = fold(&chosen.label) == fold(&name);
        let this_nominee = match d.nominee {
            Nominee::Org(o) => chosen.org == Some(o) || (chosen.org.is_none() && named),
            Nominee::Person(_) => named,
        };
        let held = record.held_on.year();
        if !this_nominee || held < d.year || held > d.year.saturating_add(1) {
            return Err(CommendationProblem::VoteNotForNominee.into());
        }
        let result = record.tally.options.get(index).ok_or(CommendationProblem::NoSuchOption)?;
        Ok(VoteFacts { yes: result.yes, electorate: record.tally.electorate, cast: record.tally.cast, valid: record.tally.valid, poll: record.title })
    }

    /// Takes a step on a dossier: the proposing unit submits or withdraws; the level handling it
    /// reviews, forwards, records the vote or returns it. Each step is recorded and audited.
    pub async fn dossier_step(&self, p: &Principal, id: i64, version: i64, action: DossierAction, input: &StepInput) -> Result<(), AppError> {
        let d = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        let (side, right) = if action.by_proposer() { (d.proposer, Action::ProposeCommendation) } else { (d.at_org, Action::DecideCommendation) };
        self.require_org(p, right, side, today()).await?;
        if action == DossierAction::Decide {
            // A decision is recorded with its number and date: `record_decision`.
            return Err(CommendationProblem::Step { from: d.state, action }.into());
        }
        let to = d.state.after(action).ok_or(CommendationProblem::Step { from: d.state, action })?;
        let mut row = DossierRow { state: to, version, ..d.clone() };
        let mut reason = None;
        match action {
            DossierAction::Submit => {
                row.at_org = self.level_above(d.proposer).await?;
                row.return_reason = None;
                // A vote belongs to one pass through the council: a resubmitted dossier is voted again.
                row.poll = None;
                row.vote = None;
                // The answer at submission is kept with the dossier, whatever the rulebook says later.
                let (_, book) = self.commendation_rules().await?;
                let rule = book.rule_for(&d.title, d.year);
                let h = self.history(nominee_ref(d.nominee), rule, d.year, None).await?;
                let e = judge(&book, &d.title, d.year, &h);
                row.eligibility = Some(serde_json::to_string(&e).map_err(|e| AppError::Internal(thidua_store::StoreError::Corrupt(e.to_string())))?);
            }
            DossierAction::Forward => row.at_org = self.level_above(d.at_org).await?,
            DossierAction::Return => {
                let mut problems = Vec::new();
                let r = clean(input.reason.as_deref().unwrap_or_default(), "reason", 2000, &mut problems);
                if !problems.is_empty() {
                    return Err(AppError::Invalid(problems));
                }
                row.at_org = d.proposer;
                row.return_reason = Some(r.clone());
                reason = Some(r);
            }
            DossierAction::Vote => {
                let (poll, option) = input.poll.ok_or_else(|| AppError::Invalid(vec![FieldProblem::new("poll", Invalid::Required)]))?;
                let v = self.vote_facts(p, &d, poll, option).await?;
                row.poll = Some((poll, option));
                row.vote = Some(serde_json::to_string(&v).map_err(|e| AppError::Internal(thidua_store::StoreError::Corrupt(e.to_string())))?);
            }
            DossierAction::Review | DossierAction::Withdraw | DossierAction::Decide => {}
        }
        let mut tx = self.store.begin().await?;
        if !tx.update_dossier(&row).await? {
            return Err(AppError::Conflict);
        }
        tx.add_dossier_step(id, &DossierStepRow { from: Some(d.state), to, at_org: row.at_org, actor: p.username.clone(), at_unix: now_unix(), reason }).await?;
        tx.audit(p.user, &p.record(&format!("dossier.{}", action.code()), format!("dossier:{id}"), to.code())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_dossier_file(&self, p: &Principal, id: i64, file: &NewAttachment) -> Result<(), AppError> {
        let d = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ProposeCommendation, d.proposer, today()).await?;
        let (name, content_type, hash, bytes, _) = self.prepare_attachment(file)?;
        let mut tx = self.store.begin().await?;
        // Checked and versioned in the transaction: no file lands on a dossier just submitted.
        let d = tx.lock_dossier(id).await?.ok_or(AppError::NotFound)?;
        if !d.state.editable() {
            return Err(CommendationProblem::Step { from: d.state, action: DossierAction::Submit }.into());
        }
        if !tx.update_dossier(&d).await? {
            return Err(AppError::Conflict);
        }
        tx.put_blob(&self.blobs, &hash, &bytes).await?;
        tx.add_dossier_file(&DossierFileRow { id: 0, dossier: id, hash, name, content_type: content_type.to_owned(), size: bytes.len() as i64 }).await?;
        tx.audit(p.user, &p.record("dossier.file", format!("dossier:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the principal may see a dossier: from the proposing side or the handling side.
    async fn may_view_dossier(&self, p: &Principal, d: &DossierRow) -> bool {
        self.require_org(p, Action::ViewCommendation, d.proposer, today()).await.is_ok() || self.require_org(p, Action::ViewCommendation, d.at_org, today()).await.is_ok()
    }

    pub async fn dossier_file(&self, p: &Principal, id: i64, file: i64) -> Result<(String, String, Vec<u8>), AppError> {
        let d = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        if !self.may_view_dossier(p, &d).await {
            return Err(AppError::Forbidden);
        }
        let f = self.store.dossier_files(id).await?.into_iter().find(|f| f.id == file).ok_or(AppError::NotFound)?;
        let bytes = self.store.blob(&self.blobs, &f.hash).await?.ok_or(AppError::NotFound)?;
        if hex(&Sha256::digest(&bytes)) != f.hash {
            return Err(AppError::Internal(thidua_store::StoreError::Corrupt("dossier file".into())));
        }
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("dossier.file.read", format!("dossier:{id}"), "")).await?;
        tx.commit().await?;
        Ok((f.name, f.content_type, bytes))
    }

    pub async fn dossier_view(&self, p: &Principal, id: i64) -> Result<DossierView, AppError> {
        let d = self.store.dossier(id).await?.ok_or(AppError::NotFound)?;
        if !self.may_view_dossier(p, &d).await {
            return Err(AppError::Forbidden);
        }
        let (_, book) = self.commendation_rules().await?;
        let nominee = nominee_ref(d.nominee);
        let (_, nominee_name, _, _) = self.nominee_facts(nominee).await?;
        let names = self.org_names(&BTreeSet::from([d.proposer, d.at_org])).await?;
        let vote = stored_vote(&d)?;
        let rule = book.rule_for(&d.title, d.year);
        let h = self.history(nominee, rule, d.year, vote.clone()).await?;
        let mut current = judge(&book, &d.title, d.year, &h);
        let mut captured = d.eligibility.as_deref().map(serde_json::from_str::<Eligibility>).transpose().map_err(|_| AppError::Internal(thidua_store::StoreError::Corrupt("eligibility".into())))?;
        // A member's yearly levels and discipline are member data: shown to those who may read
        // the member's record (and the read audited), left out for the council and the cluster.
        if let (_, _, _, Some(m)) = self.nominee_facts(nominee).await? {
            if self.may_read_member(p, m).await? {
                let mut tx = self.store.begin().await?;
                tx.audit(p.user, &p.record("member.eligibility.read", format!("member:{}", m.0), "")).await?;
                tx.commit().await?;
            } else {
                for e in captured.iter_mut().chain(std::iter::once(&mut current)) {
                    redact_member_records(e);
                }
            }
        }
        Ok(DossierView {
            nominee_name,
            title_name: book.entry(&d.title).map(|e| e.name.clone()).unwrap_or_else(|| d.title.clone()),
            entry: book.entry(&d.title).cloned(),
            proposer_name: names.get(&d.proposer).cloned().unwrap_or_default(),
            at_org_name: names.get(&d.at_org).cloned().unwrap_or_default(),
            steps: self.store.dossier_steps(id).await?,
            files: self.store.dossier_files(id).await?,
            may_propose: self.require_org(p, Action::ProposeCommendation, d.proposer, today()).await.is_ok(),
            may_handle: d.at_org != d.proposer && self.require_org(p, Action::DecideCommendation, d.at_org, today()).await.is_ok(),
            captured,
            current,
            vote,
            row: d,
        })
    }

    /// Dossiers the principal may see, of `year` when given, newest first: each with its
    /// nominee's name and its title's.
    pub async fn dossiers(&self, p: &Principal, year: Option<i16>) -> Result<Vec<(DossierRow, String, String)>, AppError> {
        self.dossiers_page(p, year, None).await
    }

    /// As `dossiers`, one page of them: `(limit, offset)`.
    pub async fn dossiers_page(&self, p: &Principal, year: Option<i16>, page: Option<(i64, i64)>) -> Result<Vec<(DossierRow, String, String)>, AppError> {
        let versions = self.store.orgs_latest().await?;
        let visible: Vec<OrgId> = self.visible_for(p, Action::ViewCommendation, versions).await?.into_iter().map(|v| v.org).collect();
        self.named_dossiers(self.store.dossiers(&visible, year, page).await?).await
    }

    async fn named_dossiers(&self, rows: Vec<DossierRow>) -> Result<Vec<(DossierRow, String, String)>, AppError> {
        let (_, book) = self.commendation_rules().await?;
        let mut out = Vec::new();
        for d in rows {
            let (_, name, _, _) = self.nominee_facts(nominee_ref(d.nominee)).await?;
            let title = book.entry(&d.title).map(|e| e.name.clone()).unwrap_or_else(|| d.title.clone());
            out.push((d, name, title));
        }
        Ok(out)
    }

    /// The submission letter (tờ trình) of a unit's dossiers submitted for a year, or the list of
    /// nominees (`list`), as Party-format docx.
    pub async fn submission_docx(&self, p: &Principal, proposer: OrgId, year: i16, list: bool) -> Result<Vec<u8>, AppError> {
        self.require_org(p, Action::ViewCommendation, proposer, today()).await?;
        let (_, book) = self.commendation_rules().await?;
        let dossiers: Vec<DossierRow> = self
            .store
            .dossiers(&[proposer], Some(year), None)
            .await?
            .into_iter()
            .filter(|d| d.proposer == proposer && !matches!(d.state, DossierState::Draft | DossierState::Withdrawn | DossierState::Returned))
            .collect();
        let names = self.org_names(&BTreeSet::from([proposer])).await?;
        let issuer = names.get(&proposer).cloned().unwrap_or_default();
        let superior = match self.store.org_chain_on(proposer, today()).await?.get(1) {
            Some(parent) => self.org_names(&BTreeSet::from([*parent])).await?.remove(parent).unwrap_or_default(),
            None => String::new(),
        };
        let mut by_title: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &dossiers {
            let (_, name, _, _) = self.nominee_facts(nominee_ref(d.nominee)).await?;
            by_title.entry(d.title.clone()).or_default().push(name);
        }
        let title_name = |code: &str| book.entry(code).map(|e| e.name.clone()).unwrap_or_else(|| code.to_owned());
        let mut body = Vec::new();
        if list {
            let mut n = 0;
            for (title, names) in &by_title {
                body.push(format!("{} ({}):", title_name(title), names.len()));
                for name in names {
                    n += 1;
                    body.push(format!("{n}. {name}."));
                }
            }
            body.push(format!("Tổng số: {} hồ sơ.", dossiers.len()));
        } else {
            body.push(format!("Căn cứ kết quả thực hiện nhiệm vụ năm {year} và tiêu chuẩn khen thưởng, {issuer} kính đề nghị xét khen thưởng như sau:"));
            for (title, names) in &by_title {
                body.push(format!("- {}: {} ({}).", title_name(title), names.len(), names.join("; ")));
            }
            body.push("(Có danh sách và hồ sơ kèm theo.)".into());
            body.push("Kính đề nghị xem xét, quyết định.".into());
        }
        // The unit's own issuer code from its document register (ĐU, CB, …); left for the clerk
        // to write when the unit keeps no register here.
        let code = self.store.register_code(proposer).await?.unwrap_or_else(|| "    ".into());
        let doc = thidua_office::PartyDocument {
            superior,
            issuer: issuer.clone(),
            number: format!("Số    -{}/{code}", if list { "DS" } else { "TTr" }),
            place_date: long_date(today()).replacen("ngày", "Ngày", 1),
            title: if list { "Danh sách".into() } else { "Tờ trình".into() },
            summary: Some(if list { format!("Đề nghị khen thưởng năm {year}") } else { format!("Về việc đề nghị khen thưởng năm {year}") }),
            body,
            signer_title: vec!["T/M BAN THƯỜNG VỤ".into()],
            signer_name: String::new(),
            recipients: vec!["Cấp ủy cấp trên".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }

    // -----------------------------------------------------------------------------------------
    // Decisions and the registry.

    /// Records a decision: the dossiers it decides and the awards it confers, in one transaction.
    pub async fn record_decision(&self, p: &Principal, new: &NewDecision) -> Result<i64, AppError> {
        self.require_org(p, Action::DecideCommendation, new.issuer, today()).await?;
        let mut problems = Vec::new();
        let number = clean(&new.number_symbol, "number_symbol", 100, &mut problems);
        let signer = clean(&new.signer, "signer", 200, &mut problems);
        let summary = clean(&new.summary, "summary", 1000, &mut problems);
        if new.decided_on > today() {
            problems.push(FieldProblem::new("decided_on", Invalid::InFuture));
        }
        if new.dossiers.is_empty() && new.awards.is_empty() {
            problems.push(FieldProblem::new("awards", Invalid::Required));
        }
        if new.dossiers.len() + new.awards.len() > 2000 {
            problems.push(FieldProblem::new("awards", Invalid::TooMany { max: 2000 }));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let (_, book) = self.commendation_rules().await?;
        // An issuer confers what its level may, on those under it: a cell does not give a national title.
        let reach = self.issuer_reach(new.issuer, new.decided_on).await?;
        let mut under: HashSet<OrgId> = self.subtree(new.issuer, new.decided_on).await?.into_iter().collect();
        under.extend(self.subtree(new.issuer, today()).await?);
        for a in &new.awards {
            check_year(a.year)?;
            if a.year > new.decided_on.year() {
                return Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]));
            }
            let entry = Self::entry(&book, &a.title)?;
            self.fits(entry, a.nominee).await?;
            if entry.level > reach {
                return Err(CommendationProblem::AboveIssuer { title: entry.name.clone() }.into());
            }
            let (org, _, _, _) = self.nominee_facts(a.nominee).await?;
            if !under.contains(&org) {
                return Err(CommendationProblem::OutsideIssuer.into());
            }
        }
        let mut tx = self.store.begin().await?;
        let row = DecisionRow { id: 0, issuer: new.issuer, number_symbol: number.clone(), decided_on: new.decided_on, signer, summary };
        let decision = tx.add_decision(&row, &p.username).await?.ok_or(CommendationProblem::DecisionTaken(number))?;
        for id in &new.dossiers {
            let d = tx.lock_dossier(*id).await?.ok_or(AppError::NotFound)?;
            if d.at_org != new.issuer {
                return Err(CommendationProblem::NotHere.into());
            }
            let to = d.state.after(DossierAction::Decide).ok_or(CommendationProblem::Step { from: d.state, action: DossierAction::Decide })?;
            let entry = Self::entry(&book, &d.title)?;
            if entry.level > reach {
                return Err(CommendationProblem::AboveIssuer { title: entry.name.clone() }.into());
            }
            // A title the council votes on is decided only on a vote that carried.
            if let Some(vote) = book.rule_for(&d.title, d.year).and_then(|r| r.conditions.iter().find(|c| matches!(c, Condition::Vote { .. }))) {
                let facts = History { vote: stored_vote(&d)?, ..History::default() };
                if d.state != DossierState::Voted || check(vote, &facts, d.year).outcome != Outcome::Held {
                    return Err(CommendationProblem::VoteRequired { title: entry.name.clone() }.into());
                }
            }
            let award = tx.add_award(decision, &d.title, d.year, d.nominee).await.map_err(|e| duplicate(e, &entry.name, d.year))?;
            let updated = DossierRow { state: to, award: Some(award), ..d.clone() };
            if !tx.update_dossier(&updated).await? {
                return Err(AppError::Conflict);
            }
            tx.add_dossier_step(*id, &DossierStepRow { from: Some(d.state), to, at_org: d.at_org, actor: p.username.clone(), at_unix: now_unix(), reason: Some(row.number_symbol.clone()) }).await?;
        }
        for a in &new.awards {
            let nominee = match a.nominee {
                NomineeRef::Org(o) => Nominee::Org(o),
                other => Nominee::Person(self.ensure_person(&mut tx, p, other).await?),
            };
            tx.add_award(decision, &a.title, a.year, nominee).await.map_err(|e| duplicate(e, &a.title, a.year))?;
        }
        let count = new.dossiers.len() + new.awards.len();
        tx.audit(p.user, &p.record("decision.create", format!("decision:{decision}"), format!("{} ({count} awards)", row.number_symbol))).await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// Decisions the principal may see, newest first, with the issuer's name.
    pub async fn decisions(&self, p: &Principal, page: Option<(i64, i64)>) -> Result<Vec<(DecisionRow, String)>, AppError> {
        let versions = self.store.orgs_latest().await?;
        let visible: Vec<OrgVersion> = self.visible_for(p, Action::ViewCommendation, versions).await?;
        let names: HashMap<OrgId, String> = visible.iter().map(|v| (v.org, v.name.clone())).collect();
        let ids: Vec<OrgId> = visible.iter().map(|v| v.org).collect();
        Ok(self.store.decisions(Some(&ids), page).await?.into_iter().map(|d| {
            let name = names.get(&d.issuer).cloned().unwrap_or_default();
            (d, name)
        }).collect())
    }

    /// A decision with the awards it conferred, named.
    pub async fn decision_view(&self, p: &Principal, id: i64) -> Result<(DecisionRow, String, Vec<RegistryLine>), AppError> {
        let d = self.store.decision(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewCommendation, d.issuer, today()).await?;
        let awards = self.store.awards_of_decision(id).await?;
        let lines = self.name_lines(awards).await?;
        let issuer = self.org_names(&BTreeSet::from([d.issuer])).await?.remove(&d.issuer).unwrap_or_default();
        Ok((d, issuer, lines))
    }

    async fn name_lines(&self, awards: Vec<AwardRow>) -> Result<Vec<RegistryLine>, AppError> {
        let (_, book) = self.commendation_rules().await?;
        let wanted: BTreeSet<i64> = awards.iter().filter_map(|a| if let Nominee::Person(id) = a.nominee { Some(id) } else { None }).collect();
        let persons: HashMap<i64, PersonRow> = self.store.persons(&wanted).await?.into_iter().map(|x| (x.id, x)).collect();
        let orgs: BTreeSet<OrgId> = awards
            .iter()
            .flat_map(|a| [Some(a.decision.issuer), if let Nominee::Org(o) = a.nominee { Some(o) } else { None }])
            .flatten()
            .chain(persons.values().map(|x| x.org))
            .collect();
        let names = self.org_names(&orgs).await?;
        Ok(awards
            .into_iter()
            .map(|a| {
                let (recipient, org) = match a.nominee {
                    Nominee::Org(o) => (names.get(&o).cloned().unwrap_or_default(), o),
                    Nominee::Person(id) => persons.get(&id).map(|x| (x.full_name.clone(), x.org)).unwrap_or_else(|| (String::new(), a.decision.issuer)),
                };
                RegistryLine {
                    title_name: book.entry(&a.title).map(|e| e.name.clone()).unwrap_or_else(|| a.title.clone()),
                    issuer_name: names.get(&a.decision.issuer).cloned().unwrap_or_default(),
                    recipient,
                    org,
                    award: a,
                }
            })
            .collect())
    }

    /// The registry: awards to collectives and people the principal may see, as `f` narrows it.
    pub async fn registry(&self, p: &Principal, f: &RegistryFilter) -> Result<Vec<RegistryLine>, AppError> {
        self.registry_page(p, f, None).await
    }

    /// As `registry`, one page of it: `(limit, offset)`, in the registry's order.
    pub async fn registry_page(&self, p: &Principal, f: &RegistryFilter, page: Option<(i64, i64)>) -> Result<Vec<RegistryLine>, AppError> {
        let orgs: Option<Vec<OrgId>> = match f.org {
            Some(o) => {
                self.require_org(p, Action::ViewCommendation, o, today()).await?;
                let orgs = self.subtree(o, today()).await?;
                // Predecessors named in the query are shown whatever the scope says of them today.
                Some(if f.predecessors { self.with_predecessors(&orgs).await? } else { orgs })
            }
            None if p.has_system(Action::ViewCommendation) => None,
            None => {
                let versions = self.store.orgs_latest().await?;
                Some(self.visible_for(p, Action::ViewCommendation, versions).await?.into_iter().map(|v| v.org).collect())
            }
        };
        let filter = AwardFilter { orgs, title: f.title.clone(), from_year: f.from_year, to_year: f.to_year, with_revoked: true, page, ..AwardFilter::default() };
        self.name_lines(self.store.awards(&filter).await?).await
    }

    /// A person's page: who they are, their initiatives, their awards.
    pub async fn person_view(&self, p: &Principal, id: i64) -> Result<(PersonRow, String, Vec<InitiativeRow>, Vec<RegistryLine>), AppError> {
        let person = self.store.person(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewCommendation, person.org, today()).await?;
        let org = self.org_names(&BTreeSet::from([person.org])).await?.remove(&person.org).unwrap_or_default();
        let awards = self.store.awards(&AwardFilter { person: Some(id), with_revoked: true, ..AwardFilter::default() }).await?;
        Ok((person.clone(), org, self.store.initiatives(id).await?, self.name_lines(awards).await?))
    }

    /// The decision an award belongs to, for those who may see it.
    pub async fn registry_award_decision(&self, p: &Principal, award: i64) -> Result<i64, AppError> {
        let a = self.store.award(award).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewCommendation, a.decision.issuer, today()).await?;
        Ok(a.decision.id)
    }

    /// Revokes an award: the decision that annulled it, the reason and what is to be recovered.
    pub async fn revoke_award(&self, p: &Principal, award: i64, r: &NewRevocation) -> Result<(), AppError> {
        let a = self.store.award(award).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::DecideCommendation, a.decision.issuer, today()).await?;
        let mut problems = Vec::new();
        let decision = clean(&r.decision, "decision", 200, &mut problems);
        let reason = clean(&r.reason, "reason", 2000, &mut problems);
        let recovery: String = r.recovery.trim().nfc().collect::<String>().chars().take(2000).collect();
        if r.decided_on > today() {
            problems.push(FieldProblem::new("decided_on", Invalid::InFuture));
        } else if r.decided_on < a.decision.decided_on {
            problems.push(FieldProblem::new("decided_on", Invalid::Period));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = self.store.begin().await?;
        let row = RevocationRow { decided_on: r.decided_on, decision, reason, recovery, created_by: p.username.clone() };
        if !tx.revoke_award(award, &row, now_unix()).await? {
            return Err(CommendationProblem::Revoked.into());
        }
        tx.audit(p.user, &p.record("award.revoke", format!("award:{award}"), row.decision.clone())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Awards counted by year and title within an organization's subtree (with its predecessors).
    pub async fn registry_stats(&self, p: &Principal, org: OrgId, from_year: i16, to_year: i16) -> Result<BTreeMap<i16, BTreeMap<String, u32>>, AppError> {
        let lines = self.registry(p, &RegistryFilter { org: Some(org), predecessors: true, from_year: Some(from_year), to_year: Some(to_year), ..RegistryFilter::default() }).await?;
        let mut out: BTreeMap<i16, BTreeMap<String, u32>> = BTreeMap::new();
        for l in lines.into_iter().filter(|l| l.award.revocation.is_none()) {
            *out.entry(l.award.year).or_default().entry(l.title_name).or_insert(0) += 1;
        }
        Ok(out)
    }

    /// A certificate (Bằng khen / Giấy khen) for one award, from the template.
    pub async fn certificate_docx(&self, p: &Principal, award: i64) -> Result<Vec<u8>, AppError> {
        let a = self.store.award(award).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewCommendation, a.decision.issuer, today()).await?;
        if a.revocation.is_some() {
            return Err(CommendationProblem::Revoked.into());
        }
        let line = self.name_lines(vec![a.clone()]).await?.pop().ok_or(AppError::NotFound)?;
        let (_, book) = self.commendation_rules().await?;
        let entry = book.entry(&a.title);
        // A grassroots title is certified on a Giấy chứng nhận, a higher one on its Bằng (Bằng
        // "Chiến sĩ thi đua toàn quốc"); a form is a Giấy khen at the grassroots, a Bằng khen above.
        let title_reason = || format!("Đạt danh hiệu “{}” năm {}.", line.title_name, a.year);
        let (form, reason) = match entry.map(|e| (e.kind, e.level)) {
            Some((AwardKind::Title, AwardLevel::Grassroots)) => ("GIẤY CHỨNG NHẬN".to_owned(), title_reason()),
            Some((AwardKind::Title, _)) => (format!("BẰNG {}", line.title_name.to_uppercase()), title_reason()),
            Some((AwardKind::Form, AwardLevel::Grassroots)) | None => ("GIẤY KHEN".to_owned(), form_reason(&a.title, &line.title_name, a.year)),
            Some((AwardKind::Form, _)) => ("BẰNG KHEN".to_owned(), form_reason(&a.title, &line.title_name, a.year)),
        };
        let cert = thidua_office::Certificate {
            issuer: line.issuer_name.to_uppercase(),
            form,
            recipient: match a.nominee {
                Nominee::Org(_) => line.recipient.clone(),
                Nominee::Person(_) => format!("Đồng chí {}", line.recipient),
            },
            reason,
            decision_line: format!("Quyết định số {}, {}", a.decision.number_symbol, long_date(a.decision.decided_on)),
            signer: a.decision.signer.clone(),
        };
        Ok(thidua_office::certificate(&cert)?)
    }
}
