//! Commendation (thi đua, khen thưởng): the catalog of emulation titles and forms of commendation,
//! their eligibility rules by period, and the engine that judges a nominee for a title in a year —
//! eligible, not eligible, or missing data — condition by condition, with the records it read.
//!
//! The rules are data (`rules/commendation.json`, loaded into the database, editable by
//! administrators). The engine is pure: the app gathers a nominee's [`History`] from the registry,
//! the evaluations and the council's vote, and the engine reads only that.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ballot::Base;
use crate::evaluation::Level;
use crate::member::DisciplineForm;
use crate::org::OrgKind;

/// Who a title or form is given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A collective: an organization, a cell, a board.
    Collective,
    /// A person.
    Individual,
}

/// Danh hiệu thi đua (a title earned by meeting a standard) or hình thức khen thưởng (a form of
/// commendation: Giấy khen, Bằng khen, Cờ, Huân chương …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    Title,
    Form,
}

/// The level of an award, lowest first; initiatives are recognized at the same levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardLevel {
    /// Cơ sở: the unit, the grassroots committee.
    Grassroots,
    /// Cấp bộ, ban, ngành, tỉnh.
    Province,
    /// Toàn quốc, Nhà nước.
    National,
}

impl AwardLevel {
    pub const ALL: [AwardLevel; 3] = [AwardLevel::Grassroots, AwardLevel::Province, AwardLevel::National];

    pub fn code(self) -> &'static str {
        match self {
            AwardLevel::Grassroots => "grassroots",
            AwardLevel::Province => "province",
            AwardLevel::National => "national",
        }
    }

    pub fn from_code(code: &str) -> Option<AwardLevel> {
        AwardLevel::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// An entry of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub code: String,
    pub name: String,
    pub kind: AwardKind,
    pub recipients: Vec<Recipient>,
    pub level: AwardLevel,
    /// Who confers it.
    pub issuer: String,
    /// The documents a dossier needs.
    pub documents: Vec<String>,
    /// For collectives: the kinds of organization that may receive it (any when empty).
    #[serde(default)]
    pub org_kinds: Vec<OrgKind>,
    /// For individuals: only party members.
    #[serde(default)]
    pub members_only: bool,
}

/// One condition of a rule, from a small vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Held `title` in each of the `years` years ending with the year judged.
    HeldTitle { title: String, years: u16 },
    /// Evaluated at `at_least` or better in each of the `years` years ending with the year judged.
    EvaluationStreak { years: u16, at_least: Level },
    /// An initiative (sáng kiến) recognized at `at_least` or higher within the `years` years ending
    /// with the year judged.
    Initiative { at_least: AwardLevel, years: u16 },
    /// No discipline of `at_least` or heavier within the `years` years ending with the year judged.
    NoDiscipline { at_least: DisciplineForm, years: u16 },
    /// At least (`strict`: more than) `pct`% of the collective's members held `title` in the year.
    MemberShare { title: String, pct: u32, #[serde(default)] strict: bool },
    /// At least `pct`% of the collective's members were evaluated `at_least` or better in the year.
    MemberLevelShare { at_least: Level, pct: u32 },
    /// At least `count` of the collective's members held `title` in the year.
    MemberCount { title: String, count: u32 },
    /// No member of the collective disciplined at `at_least` or heavier in the year.
    NoMemberDiscipline { at_least: DisciplineForm },
    /// The council's secret ballot approved the nominee by at least `pct`% of `base`.
    Vote { pct: u32, base: Base },
    /// At most `pct`% of those holding `of_title` in the proposing unit in the year receive this.
    Cap { of_title: String, pct: u32 },
}

/// A title's rule over a period of validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub title: String,
    pub from: Date,
    pub to: Option<Date>,
    pub source: String,
    /// What could not be checked against the source.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// A collective's history includes that of the organizations it succeeded (merges, splits).
    #[serde(default)]
    pub follow_successors: bool,
    pub conditions: Vec<Condition>,
}

impl Rule {
    fn applies_on(&self, d: Date) -> bool {
        self.from <= d && self.to.is_none_or(|to| d < to)
    }
}

/// The commendation rulebook: the catalog and the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rulebook {
    /// A label of this version of the rules (the file's own, or the administrator's).
    pub version: String,
    pub catalog: Vec<CatalogEntry>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    #[error("the rules cannot be read: {0}")]
    Parse(String),
    #[error("{0} appears twice in the catalog")]
    DuplicateCode(String),
    #[error("the rule for {0} names no title of the catalog")]
    UnknownTitle(String),
    #[error("the rules of {0} overlap or leave a gap")]
    Periods(String),
    #[error("a condition of {0} names a title not in the catalog: {1}")]
    UnknownCondition(String, String),
    #[error("a condition of {0} has a share above 100% or a count of years outside 1–30")]
    Figure(String),
}

/// The year judged: the rules in force on its last day.
pub fn judged_on(year: i16) -> Option<Date> {
    Date::new(year, 12, 31).ok()
}

impl Rulebook {
    pub fn parse(json: &str) -> Result<Rulebook, RulebookError> {
        let book: Rulebook = serde_json::from_str(json).map_err(|e| RulebookError::Parse(e.to_string()))?;
        book.validate()?;
        Ok(book)
    }

    /// The checks the engine relies on: codes unique, rules naming known titles, each title's
    /// periods in a row without overlap or gap, figures in range.
    pub fn validate(&self) -> Result<(), RulebookError> {
        let mut codes = BTreeSet::new();
        for e in &self.catalog {
            if !codes.insert(e.code.as_str()) {
                return Err(RulebookError::DuplicateCode(e.code.clone()));
            }
        }
        let mut by_title: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
        for r in &self.rules {
            if !codes.contains(r.title.as_str()) {
                return Err(RulebookError::UnknownTitle(r.title.clone()));
            }
            for c in &r.conditions {
                let named = match c {
                    Condition::HeldTitle { title, .. } | Condition::MemberShare { title, .. } | Condition::MemberCount { title, .. } => Some(title),
                    Condition::Cap { of_title, .. } => Some(of_title),
                    _ => None,
                };
                if let Some(t) = named.filter(|t| !codes.contains(t.as_str())) {
                    return Err(RulebookError::UnknownCondition(r.title.clone(), t.clone()));
                }
                let years_ok = |y: u16| (1..=30).contains(&y);
                let ok = match c {
                    Condition::HeldTitle { years, .. } | Condition::EvaluationStreak { years, .. } | Condition::Initiative { years, .. } | Condition::NoDiscipline { years, .. } => years_ok(*years),
                    Condition::MemberShare { pct, .. } | Condition::MemberLevelShare { pct, .. } | Condition::Vote { pct, .. } | Condition::Cap { pct, .. } => *pct <= 100,
                    Condition::MemberCount { .. } | Condition::NoMemberDiscipline { .. } => true,
                };
                if !ok {
                    return Err(RulebookError::Figure(r.title.clone()));
                }
            }
            by_title.entry(r.title.as_str()).or_default().push(r);
        }
        for (title, mut rules) in by_title {
            rules.sort_by_key(|r| r.from);
            let bad = rules.windows(2).any(|w| w[0].to != Some(w[1].from)) || rules.iter().any(|r| r.to.is_some_and(|to| to <= r.from));
            if bad {
                return Err(RulebookError::Periods(title.to_owned()));
            }
        }
        Ok(())
    }

    pub fn entry(&self, code: &str) -> Option<&CatalogEntry> {
        self.catalog.iter().find(|e| e.code == code)
    }

    /// The rule for `title` in force in `year` (on its last day).
    pub fn rule_for(&self, title: &str, year: i16) -> Option<&Rule> {
        let day = judged_on(year)?;
        self.rules.iter().find(|r| r.title == title && r.applies_on(day))
    }
}

/// What an evaluation, title or count was read from, for the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Record {
    /// The year's evaluation result; `of` names the organization when it was a predecessor's.
    Level { year: i16, level: Level, of: Option<String> },
    /// An award of the registry: the title, its year, the decision.
    Title { year: i16, title: String, decision: String, of: Option<String> },
    Initiative { year: i16, level: AwardLevel, name: String },
    Discipline { year: i16, form: DisciplineForm },
    /// Members counted: `count` of `of` (e.g. 12 of 20 members Lao động tiên tiến).
    Count { count: u32, of: u32 },
    Vote { yes: u32, electorate: u32, cast: u32, valid: u32, poll: String },
}

/// What the engine found lacking to decide a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Missing {
    /// No evaluation result recorded for the year.
    Evaluation { year: i16 },
    /// The collective's members are not known (none recorded).
    Members,
    /// The council has not voted (no vote record on the dossier).
    Vote,
    /// The nominee is not evaluated as a party member or party organization: no results to read.
    NotEvaluated,
    /// No decision on the title recorded for the year judged (it may not have been taken yet).
    Title { year: i16 },
    /// Party members of the collective without an evaluation result for the year.
    MemberEvaluations { year: i16, count: u32 },
}

/// Whether a condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Held,
    NotHeld,
    NeedsData,
}

/// One condition judged: the outcome, the records read and, when undecided, what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub condition: Condition,
    pub outcome: Outcome,
    pub used: Vec<Record>,
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Eligible,
    NotEligible,
    NeedsData,
    /// No rule for the title in force that year: it is conferred on the council's judgement.
    NoRule,
}

/// The engine's answer for one nominee, title and year; stored with a dossier when it is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub title: String,
    pub year: i16,
    pub verdict: Verdict,
    /// The rule's source and the rulebook's version, so a stored answer says what it applied.
    pub source: Option<String>,
    pub rulebook: String,
    pub checks: Vec<Check>,
}

/// A member of a collective in the year judged: titles held, evaluation level, heaviest discipline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberFacts {
    /// A party member, evaluated every year; other staff count only for titles.
    pub evaluated: bool,
    pub titles: BTreeSet<String>,
    pub level: Option<Level>,
    pub discipline: Option<DisciplineForm>,
}

/// The council's vote on the nominee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteFacts {
    pub yes: u32,
    pub electorate: u32,
    pub cast: u32,
    pub valid: u32,
    pub poll: String,
}

/// Evaluation levels by year, each with whose it was when it was a predecessor's.
pub type LevelsByYear = BTreeMap<i16, Vec<(Level, Option<String>)>>;

/// What the registry, the evaluations and the records say about a nominee. Years outside the
/// rule's reach are simply not read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    /// Whether the nominee can be evaluated at all (a party member, or a party organization).
    pub evaluated: bool,
    /// The first year the nominee could have been evaluated (a member's admission); earlier
    /// years of a streak are simply not held. `None` when not known.
    pub since: Option<i16>,
    /// Evaluation results by year (several for a year that merged predecessors).
    pub levels: LevelsByYear,
    /// Titles held by year, with the decision and (for a predecessor's) whose.
    pub titles: BTreeMap<i16, Vec<(String, String, Option<String>)>>,
    pub initiatives: Vec<(i16, AwardLevel, String)>,
    pub disciplines: Vec<(i16, DisciplineForm)>,
    /// For a collective: its members in the year judged; `None` when not known.
    pub members: Option<Vec<MemberFacts>>,
    pub vote: Option<VoteFacts>,
    /// For a capped title: how many in the proposing unit already received it that year, and how
    /// many hold the title it is capped by.
    pub cap: Option<(u32, u32)>,
}

fn window(year: i16, years: u16) -> impl Iterator<Item = i16> {
    let first = i32::from(year) - i32::from(years) + 1;
    (first..=i32::from(year)).filter_map(|y| i16::try_from(y).ok())
}

fn share(count: u32, of: u32, pct: u32, strict: bool) -> bool {
    let (l, r) = (u64::from(count) * 100, u64::from(pct) * u64::from(of));
    if strict { l > r } else { l >= r }
}

/// Judges one condition against a history.
pub fn check(c: &Condition, h: &History, year: i16) -> Check {
    let mut used = Vec::new();
    let mut missing = Vec::new();
    let outcome = match c {
        Condition::HeldTitle { title, years } => {
            let mut all = true;
            for y in window(year, *years) {
                match h.titles.get(&y).and_then(|ts| ts.iter().find(|(t, _, _)| t == title)) {
                    Some((t, decision, of)) => used.push(Record::Title { year: y, title: t.clone(), decision: decision.clone(), of: of.clone() }),
                    // The year judged's decision usually comes with this one: not known yet.
                    None if y == year => missing.push(Missing::Title { year: y }),
                    None => all = false,
                }
            }
            if !all {
                Outcome::NotHeld
            } else if missing.is_empty() {
                Outcome::Held
            } else {
                Outcome::NeedsData
            }
        }
        Condition::EvaluationStreak { years, at_least } => {
            if !h.evaluated {
                missing.push(Missing::NotEvaluated);
                Outcome::NeedsData
            } else {
                let mut below = false;
                for y in window(year, *years) {
                    match h.levels.get(&y).filter(|ls| !ls.is_empty()) {
                        Some(levels) => {
                            for (level, of) in levels {
                                used.push(Record::Level { year: y, level: *level, of: of.clone() });
                                below |= level < at_least;
                            }
                        }
                        // Not yet a member that year: the streak is not there.
                        None if h.since.is_some_and(|s| y < s) => below = true,
                        None => missing.push(Missing::Evaluation { year: y }),
                    }
                }
                if below {
                    Outcome::NotHeld
                } else if missing.is_empty() {
                    Outcome::Held
                } else {
                    Outcome::NeedsData
                }
            }
        }
        Condition::Initiative { at_least, years } => {
            let span: BTreeSet<i16> = window(year, *years).collect();
            for (y, level, name) in h.initiatives.iter().filter(|(y, l, _)| span.contains(y) && l >= at_least) {
                used.push(Record::Initiative { year: *y, level: *level, name: name.clone() });
            }
            if used.is_empty() { Outcome::NotHeld } else { Outcome::Held }
        }
        Condition::NoDiscipline { at_least, years } => {
            let span: BTreeSet<i16> = window(year, *years).collect();
            for (y, form) in h.disciplines.iter().filter(|(y, f)| span.contains(y) && f >= at_least) {
                used.push(Record::Discipline { year: *y, form: *form });
            }
            if used.is_empty() { Outcome::Held } else { Outcome::NotHeld }
        }
        Condition::MemberShare { .. } | Condition::MemberLevelShare { .. } | Condition::MemberCount { .. } | Condition::NoMemberDiscipline { .. } => {
            match h.members.as_ref().filter(|m| !m.is_empty()) {
                None => {
                    missing.push(Missing::Members);
                    Outcome::NeedsData
                }
                Some(members) => {
                    let of = u32::try_from(members.len()).unwrap_or(u32::MAX);
                    let count = |f: &dyn Fn(&MemberFacts) -> bool| u32::try_from(members.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX);
                    // Evaluation levels are the party members' alone.
                    let evaluated = count(&|m| m.evaluated);
                    let unevaluated = count(&|m| m.evaluated && m.level.is_none());
                    let (n, of, held) = match c {
                        Condition::MemberShare { title, pct, strict } => {
                            let n = count(&|m| m.titles.contains(title));
                            (n, of, Some(share(n, of, *pct, *strict)))
                        }
                        Condition::MemberLevelShare { at_least, pct } => {
                            let n = count(&|m| m.level.is_some_and(|l| l >= *at_least));
                            if evaluated == 0 {
                                missing.push(Missing::Members);
                            } else if unevaluated > 0 && !share(n, evaluated, *pct, false) {
                                // Short of the share only for want of results: say which.
                                missing.push(Missing::MemberEvaluations { year, count: unevaluated });
                            }
                            (n, evaluated, missing.is_empty().then(|| share(n, evaluated, *pct, false)))
                        }
                        Condition::MemberCount { title, count: at_least } => {
                            let n = count(&|m| m.titles.contains(title));
                            (n, of, Some(n >= *at_least))
                        }
                        Condition::NoMemberDiscipline { at_least } => {
                            let n = count(&|m| m.discipline.is_some_and(|d| d >= *at_least));
                            (n, of, Some(n == 0))
                        }
                        _ => (0, of, Some(false)),
                    };
                    used.push(Record::Count { count: n, of });
                    match held {
                        Some(true) => Outcome::Held,
                        Some(false) => Outcome::NotHeld,
                        None => Outcome::NeedsData,
                    }
                }
            }
        }
        Condition::Vote { pct, base } => match &h.vote {
            None => {
                missing.push(Missing::Vote);
                Outcome::NeedsData
            }
            Some(v) => {
                used.push(Record::Vote { yes: v.yes, electorate: v.electorate, cast: v.cast, valid: v.valid, poll: v.poll.clone() });
                let of = match base {
                    Base::Electorate => v.electorate,
                    Base::Cast => v.cast,
                    Base::Valid => v.valid,
                };
                if of > 0 && share(v.yes, of, *pct, false) { Outcome::Held } else { Outcome::NotHeld }
            }
        },
        Condition::Cap { pct, .. } => {
            // Without figures the unit has no holders: nobody can be within the cap.
            let (awarded, holders) = h.cap.unwrap_or((0, 0));
            used.push(Record::Count { count: awarded, of: holders });
            // This nominee would be one more (the unit's figures leave the nominee out).
            if (u64::from(awarded) + 1) * 100 <= u64::from(*pct) * u64::from(holders) { Outcome::Held } else { Outcome::NotHeld }
        }
    };
    Check { condition: c.clone(), outcome, used, missing }
}

/// Judges a nominee for `title` in `year` by the rule then in force.
pub fn judge(book: &Rulebook, title: &str, year: i16, h: &History) -> Eligibility {
    let Some(rule) = book.rule_for(title, year) else {
        return Eligibility { title: title.into(), year, verdict: Verdict::NoRule, source: None, rulebook: book.version.clone(), checks: Vec::new() };
    };
    let checks: Vec<Check> = rule.conditions.iter().map(|c| check(c, h, year)).collect();
    let verdict = if checks.iter().any(|c| c.outcome == Outcome::NotHeld) {
        Verdict::NotEligible
    } else if checks.iter().any(|c| c.outcome == Outcome::NeedsData) {
        Verdict::NeedsData
    } else {
        Verdict::Eligible
    };
    Eligibility { title: title.into(), year, verdict, source: Some(rule.source.clone()), rulebook: book.version.clone(), checks }
}

/// Whether a rule is only evaluation streaks: the bulk mode then reads evaluation rows alone.
pub fn streak_only(rule: &Rule) -> Option<(u16, Level)> {
    match rule.conditions.as_slice() {
        [Condition::EvaluationStreak { years, at_least }] => Some((*years, *at_least)),
        _ => None,
    }
}

/// What the bulk mode of a streak rule finds, as the reference the store's one-query count is
/// tested against: from rows `(subject, year, level)` sorted by subject (any order of years
/// within), the subjects evaluated `at_least` or better in each of the `years` years ending with
/// `year`. A year with several results (merged predecessors) counts when all do.
pub fn streak_bulk<K: Ord + Clone>(rows: impl IntoIterator<Item = (K, i16, Level)>, year: i16, years: u16, at_least: Level) -> Vec<K> {
    let first = i32::from(year) - i32::from(years) + 1;
    let mut out = Vec::new();
    let mut current: Option<K> = None;
    // Years seen at or above, and whether any result in the window fell below.
    let mut good: BTreeSet<i16> = BTreeSet::new();
    let mut below = false;
    let finish = |k: Option<K>, good: &BTreeSet<i16>, below: bool, out: &mut Vec<K>| {
        if let Some(k) = k
            && !below
            && good.len() == usize::from(years)
        {
            out.push(k);
        }
    };
    for (k, y, level) in rows {
        if current.as_ref() != Some(&k) {
            finish(current.take(), &good, below, &mut out);
            current = Some(k);
            good.clear();
            below = false;
        }
        if (first..=i32::from(year)).contains(&i32::from(y)) {
            if level >= at_least {
                good.insert(y);
            } else {
                below = true;
            }
        }
    }
    finish(current, &good, below, &mut out);
    out
}

/// Where a dossier stands (hồ sơ đề nghị khen thưởng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    /// Being prepared by the proposing unit.
    Draft,
    /// Sent to the level above, which has not looked at it yet.
    Submitted,
    /// Checked by the level handling it.
    Reviewed,
    /// The council has voted on it.
    Voted,
    /// A decision conferred the award.
    Decided,
    /// Sent back to the proposing unit, with a reason.
    Returned,
    /// Taken back by the proposing unit.
    Withdrawn,
}

/// What can be done to a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierAction {
    /// The proposing unit sends it to the level above (again, after a return).
    Submit,
    /// The level handling it has checked it.
    Review,
    /// The level handling it sends it one level further up.
    Forward,
    /// The council's vote is recorded.
    Vote,
    /// A decision confers the award.
    Decide,
    /// Sent back to the proposing unit with a reason.
    Return,
    /// The proposing unit takes it back.
    Withdraw,
}

impl DossierState {
    pub const ALL: [DossierState; 7] =
        [DossierState::Draft, DossierState::Submitted, DossierState::Reviewed, DossierState::Voted, DossierState::Decided, DossierState::Returned, DossierState::Withdrawn];

    pub fn code(self) -> &'static str {
        match self {
            DossierState::Draft => "draft",
            DossierState::Submitted => "submitted",
            DossierState::Reviewed => "reviewed",
            DossierState::Voted => "voted",
            DossierState::Decided => "decided",
            DossierState::Returned => "returned",
            DossierState::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<DossierState> {
        DossierState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the proposing unit may still change what the dossier says.
    pub fn editable(self) -> bool {
        matches!(self, DossierState::Draft | DossierState::Returned)
    }

    /// The state `action` leads to, if it is allowed from this one.
    pub fn after(self, action: DossierAction) -> Option<DossierState> {
        use DossierAction as A;
        use DossierState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Review) => Some(S::Reviewed),
            (S::Reviewed, A::Forward) => Some(S::Submitted),
            (S::Reviewed, A::Vote) => Some(S::Voted),
            (S::Reviewed | S::Voted, A::Decide) => Some(S::Decided),
            (S::Submitted | S::Reviewed | S::Voted, A::Return) => Some(S::Returned),
            (S::Draft | S::Submitted | S::Returned, A::Withdraw) => Some(S::Withdrawn),
            _ => None,
        }
    }
}

impl DossierAction {
    pub const ALL: [DossierAction; 7] =
        [DossierAction::Submit, DossierAction::Review, DossierAction::Forward, DossierAction::Vote, DossierAction::Decide, DossierAction::Return, DossierAction::Withdraw];

    pub fn code(self) -> &'static str {
        match self {
            DossierAction::Submit => "submit",
            DossierAction::Review => "review",
            DossierAction::Forward => "forward",
            DossierAction::Vote => "vote",
            DossierAction::Decide => "decide",
            DossierAction::Return => "return",
            DossierAction::Withdraw => "withdraw",
        }
    }

    pub fn from_code(code: &str) -> Option<DossierAction> {
        DossierAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Whether the proposing unit takes this step (the others are the handling level's).
    pub fn by_proposer(self) -> bool {
        matches!(self, DossierAction::Submit | DossierAction::Withdraw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn book() -> Rulebook {
        Rulebook::parse(include_str!("../rules/commendation.json")).expect("shipped commendation rules")
    }

    fn levels(years: &[(i16, Level)]) -> History {
        let mut h = History { evaluated: true, ..History::default() };
        for (y, l) in years {
            h.levels.entry(*y).or_default().push((*l, None));
        }
        h
    }

    fn titles(h: &mut History, title: &str, years: &[i16]) {
        for y in years {
            h.titles.entry(*y).or_default().push((title.into(), format!("{y}-QĐ"), None));
        }
    }

    #[test]
    fn the_shipped_rulebook_is_valid_and_names_its_sources() {
        let b = book();
        assert!(b.rules.iter().all(|r| !r.source.is_empty()));
        for code in ["ldtt", "cstd_cs", "cstd_tinh", "cstd_tq", "ttldtt", "ttldxs", "dv_htxsnv_5_nam", "cb_htxsnv_5_nam", "tcd_htxsnv_tieu_bieu"] {
            assert!(b.entry(code).is_some(), "{code}");
            assert!(b.rule_for(code, 2024).is_some(), "{code}");
        }
    }

    #[test]
    fn five_years_running_at_the_boundary() {
        let b = book();
        use Level::*;
        let five = levels(&[(2018, Htxsnv), (2019, Htxsnv), (2020, Htxsnv), (2021, Htxsnv), (2022, Htxsnv)]);
        assert_eq!(judge(&b, "dv_htxsnv_5_nam", 2022, &five).verdict, Verdict::Eligible);
        // Four are not five; the fifth year missing is a question, a lower year is a no.
        let four = levels(&[(2019, Htxsnv), (2020, Htxsnv), (2021, Htxsnv), (2022, Htxsnv)]);
        let e = judge(&b, "dv_htxsnv_5_nam", 2022, &four);
        assert_eq!(e.verdict, Verdict::NeedsData);
        assert_eq!(e.checks[0].missing, [Missing::Evaluation { year: 2018 }]);
        let gap = levels(&[(2018, Htxsnv), (2019, Htxsnv), (2020, Httnv), (2021, Htxsnv), (2022, Htxsnv)]);
        assert_eq!(judge(&b, "dv_htxsnv_5_nam", 2022, &gap).verdict, Verdict::NotEligible);
        // Admitted in 2019: the years before are not missing, the streak is simply not there.
        let late = History { since: Some(2019), ..four.clone() };
        assert_eq!(judge(&b, "dv_htxsnv_5_nam", 2022, &late).verdict, Verdict::NotEligible);
        // A non-member cannot be evaluated as one.
        let person = History::default();
        assert_eq!(judge(&b, "dv_htxsnv_5_nam", 2022, &person).checks[0].missing, [Missing::NotEvaluated]);
        // A merge in the middle: both predecessors' results for a year must reach the level.
        let mut merged = five.clone();
        merged.levels.entry(2020).or_default().push((Httnv, Some("Chi bộ B".into())));
        assert_eq!(judge(&b, "cb_htxsnv_5_nam", 2022, &merged).verdict, Verdict::NotEligible);
    }

    #[test]
    fn chien_si_thi_dua_titles_at_their_boundaries() {
        let b = book();
        let mut h = levels(&[(2024, Level::Httnv)]);
        // Chiến sĩ thi đua cơ sở: Lao động tiên tiến and a recognized initiative.
        titles(&mut h, "ldtt", &[2024]);
        h.cap = Some((0, 20));
        assert_eq!(judge(&b, "cstd_cs", 2024, &h).verdict, Verdict::NotEligible, "no initiative");
        h.initiatives.push((2024, AwardLevel::Grassroots, "Số hóa hồ sơ đảng viên".into()));
        assert_eq!(judge(&b, "cstd_cs", 2024, &h).verdict, Verdict::Eligible);
        // Cấp tỉnh: three consecutive CSTĐ cơ sở (2 are not enough), an initiative at that level,
        // and the council's vote (≥ 90% of all members).
        titles(&mut h, "cstd_cs", &[2023, 2024]);
        h.initiatives.push((2024, AwardLevel::Province, "Phần mềm quản lý đảng viên".into()));
        let e = judge(&b, "cstd_tinh", 2024, &h);
        assert_eq!(e.verdict, Verdict::NotEligible, "two years of CSTĐ cơ sở");
        titles(&mut h, "cstd_cs", &[2022]);
        assert_eq!(judge(&b, "cstd_tinh", 2024, &h).verdict, Verdict::NeedsData, "the vote is missing");
        h.vote = Some(VoteFacts { yes: 26, electorate: 29, cast: 27, valid: 27, poll: "Hội đồng".into() });
        assert_eq!(judge(&b, "cstd_tinh", 2024, &h).verdict, Verdict::NotEligible, "26/29 < 90% of all members");
        h.vote = Some(VoteFacts { yes: 27, electorate: 30, cast: 28, valid: 28, poll: "Hội đồng".into() });
        assert_eq!(judge(&b, "cstd_tinh", 2024, &h).verdict, Verdict::Eligible, "27/30 = 90%");
        // This year's LĐTT not decided yet: a question, not a no.
        let mut pending = levels(&[(2025, Level::Httnv)]);
        pending.initiatives.push((2025, AwardLevel::Grassroots, "Sổ tay chi bộ điện tử".into()));
        pending.cap = Some((0, 20));
        let e = judge(&b, "cstd_cs", 2025, &pending);
        assert_eq!(e.verdict, Verdict::NeedsData);
        assert!(e.checks.iter().any(|c| c.missing == [Missing::Title { year: 2025 }]), "{e:?}");
        // A gap year in the titles breaks the run.
        let mut gap = levels(&[(2024, Level::Httnv)]);
        titles(&mut gap, "cstd_cs", &[2021, 2022, 2024]);
        assert_eq!(check(&Condition::HeldTitle { title: "cstd_cs".into(), years: 3 }, &gap, 2024).outcome, Outcome::NotHeld);
        // Disciplined at cảnh cáo in the year: not Lao động tiên tiến; a reprimand does not bar it.
        let mut d = levels(&[(2024, Level::Httnv)]);
        d.disciplines.push((2024, DisciplineForm::Reprimand));
        assert_eq!(judge(&b, "ldtt", 2024, &d).verdict, Verdict::Eligible);
        d.disciplines.push((2024, DisciplineForm::Warning));
        assert_eq!(judge(&b, "ldtt", 2024, &d).verdict, Verdict::NotEligible);
    }

    #[test]
    fn collective_titles_count_their_members() {
        let b = book();
        let member = |ldtt: bool, level: Level| MemberFacts { evaluated: true, titles: if ldtt { BTreeSet::from(["ldtt".to_owned()]) } else { BTreeSet::new() }, level: Some(level), discipline: None };
        let mut h = History { members: Some(vec![member(true, Level::Httnv), member(false, Level::Htnv)]), ..History::default() };
        // > 50%: one of two is not enough; two of three is.
        assert_eq!(judge(&b, "ttldtt", 2024, &h).verdict, Verdict::NotEligible);
        h.members.as_mut().expect("members").push(member(true, Level::Httnv));
        assert_eq!(judge(&b, "ttldtt", 2024, &h).verdict, Verdict::Eligible);
        // Xuất sắc: 100% complete their tasks, ≥ 70% LĐTT, at least one CSTĐ cơ sở.
        let mut x = History { members: Some((0..10).map(|i| member(i < 7, Level::Httnv)).collect()), ..History::default() };
        assert_eq!(judge(&b, "ttldxs", 2024, &x).verdict, Verdict::NotEligible, "no CSTĐ cơ sở");
        x.members.as_mut().expect("members")[0].titles.insert("cstd_cs".into());
        assert_eq!(judge(&b, "ttldxs", 2024, &x).verdict, Verdict::Eligible);
        x.members.as_mut().expect("members")[9].level = Some(Level::Khtnv);
        assert_eq!(judge(&b, "ttldxs", 2024, &x).verdict, Verdict::NotEligible, "one did not complete their tasks");
        x.members.as_mut().expect("members")[9].level = Some(Level::Htnv);
        x.members.as_mut().expect("members")[3].discipline = Some(DisciplineForm::Warning);
        assert_eq!(judge(&b, "ttldxs", 2024, &x).verdict, Verdict::NotEligible, "a member warned");
        // Staff who are not party members have no evaluation level: they count for titles only.
        x.members.as_mut().expect("members")[3].discipline = None;
        x.members.as_mut().expect("members").push(MemberFacts { evaluated: false, titles: BTreeSet::from(["ldtt".to_owned()]), level: None, discipline: None });
        assert_eq!(judge(&b, "ttldxs", 2024, &x).verdict, Verdict::Eligible, "a non-member among the staff");
        // A member without a result: short of 100% for want of data.
        x.members.as_mut().expect("members")[1].level = None;
        let e = judge(&b, "ttldxs", 2024, &x);
        assert_eq!(e.verdict, Verdict::NeedsData, "{e:?}");
        assert!(e.checks.iter().any(|c| c.missing == [Missing::MemberEvaluations { year: 2024, count: 1 }]));
        let none = History::default();
        assert_eq!(judge(&b, "ttldtt", 2024, &none).verdict, Verdict::NeedsData);
    }

    #[test]
    fn caps_and_rule_changes_between_years() {
        let b = book();
        let cap = Condition::Cap { of_title: "ldtt".into(), pct: 15 };
        // 20 LĐTT allow 3 CSTĐ cơ sở: with 2 given, a third fits; with 3, a fourth does not.
        let h = History { cap: Some((2, 20)), ..History::default() };
        assert_eq!(check(&cap, &h, 2024).outcome, Outcome::Held);
        let h = History { cap: Some((3, 20)), ..History::default() };
        assert_eq!(check(&cap, &h, 2024).outcome, Outcome::NotHeld);
        // The council threshold moves from Decree 91/2017 to Decree 98/2023 on 01/01/2024: 2023 is
        // judged by the first, 2024 by the second.
        let old = b.rule_for("cstd_tinh", 2023).expect("2023");
        let new = b.rule_for("cstd_tinh", 2024).expect("2024");
        assert!(old.source.contains("91/2017") && new.source.contains("98/2023"), "{} / {}", old.source, new.source);
        // Before Decree 91/2017 the rulebook has no rule: the title is judged by the council alone.
        assert_eq!(judge(&b, "cstd_tinh", 2016, &History::default()).verdict, Verdict::NoRule);
        assert!(b.rule_for("cstd_tinh", 2017).is_some(), "judged on 31/12/2017");
    }

    #[test]
    fn a_bad_rulebook_is_refused() {
        let text = include_str!("../rules/commendation.json");
        assert!(matches!(Rulebook::parse("{"), Err(RulebookError::Parse(_))));
        let unknown = text.replacen("\"title\": \"ldtt\"", "\"title\": \"khong_co\"", 1);
        assert!(matches!(Rulebook::parse(&unknown), Err(RulebookError::UnknownTitle(_))));
        let pct = text.replacen("\"pct\": 90", "\"pct\": 190", 1);
        assert!(matches!(Rulebook::parse(&pct), Err(RulebookError::Figure(_))));
    }

    #[test]
    fn dossier_states_move_only_as_the_process_allows() {
        use DossierAction as A;
        use DossierState as S;
        let allowed: Vec<(S, A)> = S::ALL.iter().flat_map(|s| A::ALL.iter().filter(move |a| s.after(**a).is_some()).map(move |a| (*s, *a))).collect();
        assert_eq!(allowed.len(), 13);
        assert_eq!(S::Draft.after(A::Submit), Some(S::Submitted));
        assert_eq!(S::Returned.after(A::Submit), Some(S::Submitted), "resubmitted after a return");
        assert_eq!(S::Reviewed.after(A::Forward), Some(S::Submitted), "one level further up");
        assert_eq!(S::Draft.after(A::Decide), None, "no decision on a draft");
        assert_eq!(S::Decided.after(A::Return), None, "a decision stands; it is revoked, not returned");
        assert_eq!(S::Withdrawn.after(A::Submit), None);
        assert_eq!(S::Voted.after(A::Withdraw), None, "after the vote the proposer cannot take it back");
        assert!(S::ALL.iter().all(|s| S::from_code(s.code()) == Some(*s)));
    }

    fn level() -> impl Strategy<Value = Level> {
        prop_oneof![Just(Level::Khtnv), Just(Level::Htnv), Just(Level::Httnv), Just(Level::Htxsnv)]
    }

    proptest! {
        /// The bulk mode and the one-by-one engine agree on random histories.
        #[test]
        fn bulk_and_one_by_one_agree(rows in proptest::collection::vec((0u8..30, 2010i16..2026, level()), 0..300), year in 2012i16..2026, years in 1u16..7) {
            let book = book();
            let mut rule = book.rules.iter().find(|r| r.title == "dv_htxsnv_5_nam").expect("rule").clone();
            rule.conditions = vec![Condition::EvaluationStreak { years, at_least: Level::Htxsnv }];
            let book = Rulebook { rules: vec![Rule { from: Date::constant(2000, 1, 1), to: None, ..rule }], ..book };
            let mut sorted = rows.clone();
            sorted.sort_by_key(|r| r.0);
            let bulk: BTreeSet<u8> = streak_bulk(sorted, year, years, Level::Htxsnv).into_iter().collect();
            let subjects: BTreeSet<u8> = rows.iter().map(|r| r.0).collect();
            let one_by_one: BTreeSet<u8> = subjects
                .into_iter()
                .filter(|s| {
                    let mut h = History { evaluated: true, ..History::default() };
                    for (k, y, l) in &rows {
                        if k == s {
                            h.levels.entry(*y).or_default().push((*l, None));
                        }
                    }
                    judge(&book, "dv_htxsnv_5_nam", year, &h).verdict == Verdict::Eligible
                })
                .collect();
            prop_assert_eq!(bulk, one_by_one);
        }
    }
}
