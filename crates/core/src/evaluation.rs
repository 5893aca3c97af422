//! Annual quality evaluation (kiểm điểm, đánh giá, xếp loại chất lượng): the four levels, the
//! criteria forms by subject kind, the conditions of each level and the triggers that force the
//! lowest, the quota on the highest level, and streaks across years and organizations' successors.
//!
//! Every figure is data (`rules/evaluation.json`, by evaluation year): the engine proposes a level and
//! lists each condition it checked, met or not.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The four levels, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Không hoàn thành nhiệm vụ.
    Khtnv,
    /// Hoàn thành nhiệm vụ.
    Htnv,
    /// Hoàn thành tốt nhiệm vụ.
    Httnv,
    /// Hoàn thành xuất sắc nhiệm vụ.
    Htxsnv,
}

impl Level {
    /// Best first.
    pub const ALL: [Level; 4] = [Level::Htxsnv, Level::Httnv, Level::Htnv, Level::Khtnv];

    pub fn code(self) -> &'static str {
        match self {
            Level::Htxsnv => "htxsnv",
            Level::Httnv => "httnv",
            Level::Htnv => "htnv",
            Level::Khtnv => "khtnv",
        }
    }

    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The abbreviation the documents use: HTXSNV, HTTNV, HTNV, KHTNV.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Level::Htxsnv => "HTXSNV",
            Level::Httnv => "HTTNV",
            Level::Htnv => "HTNV",
            Level::Khtnv => "KHTNV",
        }
    }

    /// The full name the documents use.
    pub fn name(self) -> &'static str {
        match self {
            Level::Htxsnv => "Hoàn thành xuất sắc nhiệm vụ",
            Level::Httnv => "Hoàn thành tốt nhiệm vụ",
            Level::Htnv => "Hoàn thành nhiệm vụ",
            Level::Khtnv => "Không hoàn thành nhiệm vụ",
        }
    }
}

/// Who is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A party organization: a cell, a grassroots committee.
    Organization,
    /// The leadership collective (tập thể lãnh đạo, e.g. the committee).
    LeadershipCollective,
    /// A party member.
    Member,
    /// A member holding a leading position, evaluated as a leader.
    Leader,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [SubjectKind::Organization, SubjectKind::LeadershipCollective, SubjectKind::Member, SubjectKind::Leader];

    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Organization => "organization",
            SubjectKind::LeadershipCollective => "leadership_collective",
            SubjectKind::Member => "member",
            SubjectKind::Leader => "leader",
        }
    }

    pub fn from_code(code: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn is_collective(self) -> bool {
        matches!(self, SubjectKind::Organization | SubjectKind::LeadershipCollective)
    }
}

/// The two parts of a form: general criteria and the results of tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    General,
    Tasks,
}

/// One line of a form. Scored forms give it a maximum; older forms only ask whether it is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCriterion {
    pub code: String,
    pub title: String,
    pub part: Part,
    #[serde(default)]
    pub max_points: Option<u32>,
}

/// A condition of a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The total score is at least this (scored forms).
    MinScore(u32),
    /// Every criterion of the form is met (older forms).
    AllCriteriaMet,
    /// At most this many criteria are not met (older forms).
    UnmetAtMost(u32),
    /// At least this share (%) of tasks done on time.
    OnTimeAtLeastPct(u32),
    /// At least this share (%) of tasks done beyond what was asked.
    ExceedingAtLeastPct(u32),
    /// At most this share (%) of tasks late.
    LateAtMostPct(u32),
    /// No subordinate organization and no member of the leadership disciplined in the year (the
    /// fact `subordinate_discipline` is absent).
    NoCollectiveDiscipline,
}

/// A condition, and the subject kinds it applies to (all when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub condition: Condition,
    #[serde(default)]
    pub subjects: Option<Vec<SubjectKind>>,
}

impl Rule {
    fn applies(&self, kind: SubjectKind) -> bool {
        self.subjects.as_ref().is_none_or(|s| s.contains(&kind))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRule {
    pub level: Level,
    pub conditions: Vec<Rule>,
}

/// The fact that a subordinate organization or a member of the leadership was disciplined in the
/// year: it bars HTXSNV for a collective without forcing the lowest level.
pub const SUBORDINATE_DISCIPLINE: &str = "subordinate_discipline";

/// Something that forces the lowest level whatever the score: discipline in the year, and the other
/// triggers the rules list (the committee ticks those). The same shape lists the facts that only
/// bear on a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forced {
    /// `discipline` (set from the member's discipline records), `collective_discipline` (the
    /// organization itself disciplined), or another code the committee ticks.
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub subjects: Option<Vec<SubjectKind>>,
}

/// The cap on the highest level: HTXSNV at most `htxsnv_of_httnv_pct`% of HTTNV, per grassroots
/// party organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub htxsnv_of_httnv_pct: u32,
}

/// The evaluation rules in force for a span of evaluation years.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EvaluationRules {
    pub from_year: i16,
    pub to_year: Option<i16>,
    pub source: String,
    pub unverified: Vec<String>,
    /// Forms scored out of 100 (general 30, tasks 70), or forms of criteria met or not.
    pub scored: bool,
    pub forms: BTreeMap<SubjectKind, Vec<FormCriterion>>,
    /// Best level first; the first whose conditions all hold is proposed.
    pub levels: Vec<LevelRule>,
    pub forced: Vec<Forced>,
    /// Facts a condition reads without forcing a level (`subordinate_discipline`).
    #[serde(default)]
    pub facts: Vec<Forced>,
    pub quota: Option<Quota>,
}

/// Tasks of the year: how many, done on time, done beyond what was asked, late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tasks {
    pub total: u32,
    pub on_time: u32,
    pub exceeding: u32,
    pub late: u32,
}

/// What a subject's evaluation says: scores (or criteria met), tasks, and forcing triggers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assessment {
    #[serde(default)]
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub met: BTreeMap<String, bool>,
    #[serde(default)]
    pub tasks: Tasks,
    #[serde(default)]
    pub triggers: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    #[error("criterion {0} is not on this form")]
    UnknownCriterion(String),
    #[error("criterion {code} is scored from 0 to {max}")]
    OutOfRange { code: String, max: u32 },
    #[error("tasks on time and late add up to more than the tasks")]
    Tasks,
    #[error("tasks beyond what was asked are more than those on time")]
    Exceeding,
    #[error("{0} is not a trigger the rules list for this subject")]
    UnknownTrigger(String),
    #[error("the level concluded is above what the conditions allow ({allowed})")]
    AboveConditions { allowed: &'static str },
}

/// One condition checked, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub level: Level,
    pub condition: Condition,
    pub met: bool,
}

/// The level the rules give, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub level: Level,
    /// Scored forms: the total out of 100.
    pub score: Option<u32>,
    pub checks: Vec<Check>,
    /// Labels of the triggers that forced the lowest level.
    pub forced: Vec<String>,
}

fn pct_at_least(part: u32, whole: u32, pct: u32) -> bool {
    u64::from(part) * 100 >= u64::from(pct) * u64::from(whole)
}

impl EvaluationRules {
    /// What makes a period's rules unusable, if anything: the engine relies on each of these.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.to_year.is_some_and(|t| t < self.from_year) {
            return Err("to_year is before from_year");
        }
        if !self.levels.windows(2).all(|w| w[0].level > w[1].level) || self.levels.iter().any(|l| l.level == Level::Khtnv) {
            return Err("levels must be listed best first, without KHTNV (what is left)");
        }
        for kind in SubjectKind::ALL {
            let form = self.form(kind);
            if form.is_empty() {
                return Err("every kind of subject needs a form");
            }
            if self.scored && (form.iter().any(|c| c.max_points.is_none()) || form.iter().map(|c| u64::from(c.max_points.unwrap_or(0))).sum::<u64>() != 100) {
                return Err("a scored form gives every criterion its points, 100 in all");
            }
            let mut codes: Vec<&str> = form.iter().map(|c| c.code.as_str()).collect();
            codes.sort_unstable();
            if codes.windows(2).any(|w| w[0] == w[1]) {
                return Err("criterion codes repeat within a form");
            }
        }
        if self.quota.is_some_and(|q| q.htxsnv_of_httnv_pct > 100) {
            return Err("the quota is a share of at most 100%");
        }
        Ok(())
    }

    pub fn applies_to(&self, year: i16) -> bool {
        self.from_year <= year && self.to_year.is_none_or(|t| year <= t)
    }

    pub fn form(&self, kind: SubjectKind) -> &[FormCriterion] {
        self.forms.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// The triggers that apply to a kind of subject.
    pub fn triggers(&self, kind: SubjectKind) -> impl Iterator<Item = &Forced> {
        self.forced.iter().filter(move |f| f.subjects.as_ref().is_none_or(|s| s.contains(&kind)))
    }

    /// The triggers and the facts that apply to a kind of subject: what may be ticked on it.
    pub fn tickable(&self, kind: SubjectKind) -> impl Iterator<Item = &Forced> {
        self.forced.iter().chain(&self.facts).filter(move |f| f.subjects.as_ref().is_none_or(|s| s.contains(&kind)))
    }

    /// Checks an assessment against the form: known criteria, scores within range, tasks that add up,
    /// known triggers.
    pub fn check(&self, kind: SubjectKind, a: &Assessment) -> Result<(), EvaluationError> {
        let form = self.form(kind);
        for (code, points) in &a.scores {
            let c = form.iter().find(|c| &c.code == code).ok_or_else(|| EvaluationError::UnknownCriterion(code.clone()))?;
            let max = c.max_points.unwrap_or(0);
            if *points > max {
                return Err(EvaluationError::OutOfRange { code: code.clone(), max });
            }
        }
        if let Some(code) = a.met.keys().find(|code| !form.iter().any(|c| &c.code == *code)) {
            return Err(EvaluationError::UnknownCriterion(code.clone()));
        }
        let t = a.tasks;
        if u64::from(t.on_time) + u64::from(t.late) > u64::from(t.total) {
            return Err(EvaluationError::Tasks);
        }
        if t.exceeding > t.on_time {
            return Err(EvaluationError::Exceeding);
        }
        if let Some(code) = a.triggers.iter().find(|code| !self.tickable(kind).any(|f| &f.code == *code)) {
            return Err(EvaluationError::UnknownTrigger(code.clone()));
        }
        Ok(())
    }

    /// The total score of a scored form.
    pub fn score(&self, kind: SubjectKind, a: &Assessment) -> Option<u32> {
        self.scored.then(|| self.form(kind).iter().map(|c| a.scores.get(&c.code).copied().unwrap_or(0)).sum())
    }

    fn holds(&self, kind: SubjectKind, a: &Assessment, c: Condition) -> bool {
        let form = self.form(kind);
        let t = a.tasks;
        match c {
            Condition::MinScore(min) => self.score(kind, a).is_some_and(|s| s >= min),
            Condition::AllCriteriaMet => form.iter().all(|f| a.met.get(&f.code).copied().unwrap_or(false)),
            Condition::UnmetAtMost(n) => form.iter().filter(|f| !a.met.get(&f.code).copied().unwrap_or(false)).count() <= n as usize,
            Condition::OnTimeAtLeastPct(p) => pct_at_least(t.on_time, t.total, p),
            // Beyond what was asked needs tasks to be beyond: with none, the condition does not hold.
            Condition::ExceedingAtLeastPct(p) => t.total > 0 && pct_at_least(t.exceeding, t.total, p),
            Condition::LateAtMostPct(p) => u64::from(t.late) * 100 <= u64::from(p) * u64::from(t.total),
            Condition::NoCollectiveDiscipline => !a.triggers.contains(SUBORDINATE_DISCIPLINE),
        }
    }

    /// The best level whose conditions all hold, unless a trigger forces the lowest; with every
    /// condition checked, for the explanation.
    pub fn propose(&self, kind: SubjectKind, a: &Assessment) -> Proposal {
        let forced: Vec<String> = self.triggers(kind).filter(|f| a.triggers.contains(&f.code)).map(|f| f.label.clone()).collect();
        let mut checks = Vec::new();
        let mut level = None;
        for rule in &self.levels {
            let mut all = true;
            for r in rule.conditions.iter().filter(|r| r.applies(kind)) {
                let met = self.holds(kind, a, r.condition);
                all &= met;
                checks.push(Check { level: rule.level, condition: r.condition, met });
            }
            if all && level.is_none() {
                level = Some(rule.level);
            }
        }
        let level = if forced.is_empty() { level.unwrap_or(Level::Khtnv) } else { Level::Khtnv };
        Proposal { level, score: self.score(kind, a), checks, forced }
    }

    /// A committee may conclude the level the rules give or a lower one, never a higher.
    pub fn may_conclude(&self, kind: SubjectKind, a: &Assessment, level: Level) -> Result<(), EvaluationError> {
        let allowed = self.propose(kind, a).level;
        if level > allowed { Err(EvaluationError::AboveConditions { allowed: allowed.abbreviation() }) } else { Ok(()) }
    }
}

/// Whether `htxsnv` members rated HTXSNV fit the quota beside `httnv` rated HTTNV: 1 beside 5 at
/// 20% does, 2 do not.
pub fn quota_allows(quota: Quota, htxsnv: u32, httnv: u32) -> bool {
    u64::from(htxsnv) * 100 <= u64::from(quota.htxsnv_of_httnv_pct) * u64::from(httnv)
}

/// The most HTXSNV the quota allows beside `httnv` HTTNV.
pub fn quota_limit(quota: Quota, httnv: u32) -> u32 {
    u32::try_from(u64::from(quota.htxsnv_of_httnv_pct) * u64::from(httnv) / 100).unwrap_or(u32::MAX)
}

/// How many years running, ending with `last`, a subject reached `at_least`. Each year may hold
/// several levels — an organization formed by a merger inherits its predecessors' years — and such a
/// year counts only if every one of them reached the level.
pub fn streak(years: &BTreeMap<i16, Vec<Level>>, last: i16, at_least: Level) -> u32 {
    let mut n = 0;
    let mut y = last;
    while let Some(levels) = years.get(&y) {
        if levels.is_empty() || levels.iter().any(|l| *l < at_least) {
            break;
        }
        n += 1;
        y -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;
    use proptest::prelude::*;

    fn member(general: u32, tasks: u32, t: Tasks) -> Assessment {
        let mut scores = BTreeMap::new();
        // Spread over the form of Quy định 366: general 30 (8, 8, 7, 7), tasks 70 (50, 20).
        let mut g = general;
        for (code, max) in [("1", 8), ("2", 8), ("3", 7), ("4", 7)] {
            let v = g.min(max);
            scores.insert(code.to_owned(), v);
            g -= v;
        }
        let mut k = tasks;
        for (code, max) in [("5", 50), ("6", 20)] {
            let v = k.min(max);
            scores.insert(code.to_owned(), v);
            k -= v;
        }
        Assessment { scores, met: BTreeMap::new(), tasks: t, triggers: BTreeSet::new() }
    }

    fn tasks(total: u32, on_time: u32, exceeding: u32, late: u32) -> Tasks {
        Tasks { total, on_time, exceeding, late }
    }

    #[test]
    fn each_year_is_judged_by_its_rules() {
        let book = Rulebook::shipped().expect("rules");
        assert!(book.evaluation_for(2023).expect("2023").source.contains("124-QĐ/TW"));
        assert!(book.evaluation_for(2024).expect("2024").source.contains("124-QĐ/TW"));
        assert!(book.evaluation_for(2025).expect("2025").source.contains("366-QĐ/TW"));
        assert!(book.evaluation_for(2022).expect("2022").source.contains("132-QĐ/TW"));
        assert!(book.evaluation_for(2017).is_err());
        assert!(book.evaluation_for(2025).expect("2025").scored);
        assert!(!book.evaluation_for(2023).expect("2023").scored);
    }

    #[test]
    fn levels_hold_at_their_thresholds() {
        let book = Rulebook::shipped().expect("rules");
        let r = book.evaluation_for(2025).expect("2025");
        let all_on_time = tasks(10, 10, 3, 0);
        let level = |general, task_points, t| r.propose(SubjectKind::Member, &member(general, task_points, t)).level;
        assert_eq!(level(30, 60, all_on_time), Level::Htxsnv, "90 with 100% on time and 30% beyond");
        assert_eq!(level(30, 59, all_on_time), Level::Httnv, "89");
        assert_eq!(level(30, 40, all_on_time), Level::Httnv, "70");
        assert_eq!(level(30, 39, all_on_time), Level::Htnv, "69");
        assert_eq!(level(20, 30, all_on_time), Level::Htnv, "50");
        assert_eq!(level(20, 29, all_on_time), Level::Khtnv, "49");
        assert_eq!(level(30, 70, tasks(10, 10, 2, 0)), Level::Httnv, "20% beyond is not enough for HTXSNV");
        assert_eq!(level(30, 70, tasks(10, 9, 5, 1)), Level::Htnv, "a late task bars HTXSNV and HTTNV");
        let p = r.propose(SubjectKind::Member, &member(30, 70, tasks(10, 9, 5, 1)));
        assert!(p.checks.iter().any(|c| c.level == Level::Htxsnv && c.condition == Condition::OnTimeAtLeastPct(100) && !c.met));
        assert_eq!(p.score, Some(100));
        // Collectives: no more than 20% late for HTNV; discipline in the collective bars HTXSNV.
        let mut org = Assessment::default();
        for c in r.form(SubjectKind::Organization) {
            org.scores.insert(c.code.clone(), c.max_points.unwrap_or(0));
        }
        org.tasks = tasks(10, 7, 0, 3);
        assert_eq!(r.propose(SubjectKind::Organization, &org).level, Level::Khtnv, "30% late");
        org.tasks = tasks(10, 8, 0, 2);
        assert_eq!(r.propose(SubjectKind::Organization, &org).level, Level::Htnv, "20% late");
        org.tasks = tasks(10, 10, 4, 0);
        assert_eq!(r.propose(SubjectKind::Organization, &org).level, Level::Htxsnv);
        org.triggers.insert(SUBORDINATE_DISCIPLINE.into());
        assert_eq!(r.propose(SubjectKind::Organization, &org).level, Level::Httnv, "a disciplined subordinate or leader bars HTXSNV only");
        org.triggers.insert("collective_discipline".into());
        assert_eq!(r.propose(SubjectKind::Organization, &org).level, Level::Khtnv, "a disciplined organization is forced down");
    }

    #[test]
    fn discipline_forces_the_lowest_level_and_conclusions_stay_within_the_rules() {
        let book = Rulebook::shipped().expect("rules");
        let r = book.evaluation_for(2025).expect("2025");
        let mut a = member(30, 70, tasks(5, 5, 5, 0));
        a.triggers.insert("discipline".into());
        let p = r.propose(SubjectKind::Member, &a);
        assert_eq!(p.level, Level::Khtnv);
        assert_eq!(p.forced.len(), 1);
        let good = member(30, 45, tasks(5, 5, 0, 0));
        assert_eq!(r.may_conclude(SubjectKind::Member, &good, Level::Htnv), Ok(()), "lower is allowed (e.g. for the quota)");
        assert_eq!(r.may_conclude(SubjectKind::Member, &good, Level::Htxsnv), Err(EvaluationError::AboveConditions { allowed: "HTTNV" }));
        assert_eq!(r.check(SubjectKind::Member, &member(30, 70, tasks(5, 4, 0, 2))), Err(EvaluationError::Tasks));
        let mut over = good.clone();
        over.scores.insert("1".into(), 9);
        assert_eq!(r.check(SubjectKind::Member, &over), Err(EvaluationError::OutOfRange { code: "1".into(), max: 8 }));
        // Older forms: criteria met or not.
        let old = book.evaluation_for(2023).expect("2023");
        let mut met = Assessment { tasks: tasks(4, 4, 2, 0), ..Assessment::default() };
        for c in old.form(SubjectKind::Member) {
            met.met.insert(c.code.clone(), true);
        }
        assert_eq!(old.propose(SubjectKind::Member, &met).level, Level::Htxsnv);
        let first = old.form(SubjectKind::Member)[0].code.clone();
        met.met.insert(first, false);
        assert_eq!(old.propose(SubjectKind::Member, &met).level, Level::Htnv);
    }

    #[test]
    fn the_quota_allows_one_in_five() {
        let q = Quota { htxsnv_of_httnv_pct: 20 };
        assert!(quota_allows(q, 1, 5));
        assert!(!quota_allows(q, 2, 5));
        assert!(quota_allows(q, 0, 0));
        assert!(!quota_allows(q, 1, 4));
        assert_eq!(quota_limit(q, 5), 1);
        assert_eq!(quota_limit(q, 14), 2);
    }

    #[test]
    fn streaks_run_back_through_successors() {
        use Level::*;
        let years: BTreeMap<i16, Vec<Level>> = [(2018, vec![Htxsnv]), (2019, vec![Htxsnv, Htxsnv]), (2020, vec![Htxsnv]), (2021, vec![Htxsnv]), (2022, vec![Htxsnv])].into();
        assert_eq!(streak(&years, 2022, Htxsnv), 5, "5 năm liền");
        let mut broken = years.clone();
        broken.insert(2019, vec![Htxsnv, Httnv]);
        assert_eq!(streak(&broken, 2022, Htxsnv), 3, "a predecessor below the level breaks it");
        assert_eq!(streak(&broken, 2022, Httnv), 5);
        assert_eq!(streak(&years, 2023, Htxsnv), 0, "a year without a result breaks it");
    }

    proptest! {
        #[test]
        fn the_quota_never_passes_when_violated(levels in proptest::collection::vec(0usize..4, 0..200), pct in 0u32..60) {
            let q = Quota { htxsnv_of_httnv_pct: pct };
            let count = |l: Level| levels.iter().filter(|i| Level::ALL[**i] == l).count() as u32;
            let (x, t) = (count(Level::Htxsnv), count(Level::Httnv));
            let violated = (x as f64) > (pct as f64) / 100.0 * (t as f64) + 1e-9;
            prop_assert_eq!(quota_allows(q, x, t), !violated);
            prop_assert!(quota_allows(q, quota_limit(q, t), t));
            prop_assert!(!quota_allows(q, quota_limit(q, t) + 1, t));
        }
    }
}
