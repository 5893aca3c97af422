//! Legal thresholds as data, each set valid over a period: a past date is judged by the rules in
//! force on that date. The defaults ship with the binary (`rules/*.json`).

use jiff::civil::Date;
use serde::Deserialize;

use crate::evaluation::EvaluationRules;

/// Early award of a badge for serious illness: milestones `from_years..=to_years` may be presented
/// up to `months` early.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EarlyAward {
    pub from_years: u16,
    pub to_years: u16,
    pub months: i32,
}

/// Rules on party membership: badges (Huy hiệu Đảng) and transfers (chuyển sinh hoạt đảng).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MembershipRules {
    pub from: Date,
    pub to: Option<Date>,
    /// The text the figures come from.
    pub source: String,
    /// Fields whose value could not be checked against the source.
    pub unverified: Vec<String>,
    /// Years of party age at which a badge is awarded.
    pub badge_milestones: Vec<u16>,
    pub early_award: Vec<EarlyAward>,
    /// `(month, day)` of the days badges are presented.
    pub presentation_days: Vec<(i8, i8)>,
    /// An official transfer starts within this many working days of the decision or the move.
    pub transfer_start_working_days: i32,
    /// The member presents the letter of introduction within this many working days of its issue.
    pub letter_working_days: i32,
    /// A temporary transfer for a stay lasts from `.0` months to under `.1` months.
    pub temporary_stay_months: (i32, i32),
    /// A temporary transfer for full-time study lasts from `.0` to `.1` months.
    pub temporary_study_months: (i32, i32),
}

impl MembershipRules {
    /// How many months early a milestone may be presented for serious illness (0 if never).
    pub fn early_months(&self, milestone: u16) -> i32 {
        self.early_award.iter().find(|e| (e.from_years..=e.to_years).contains(&milestone)).map_or(0, |e| e.months)
    }

}

#[derive(Deserialize)]
struct Periods<T> {
    periods: Vec<T>,
}

/// Rules on the secret ballots of emulation and commendation councils.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BallotRules {
    pub from: Date,
    pub to: Option<Date>,
    pub source: String,
    pub unverified: Vec<String>,
    /// The share of votes a title needs in the council's ballot.
    pub council_threshold: crate::ballot::Share,
    /// What that share is of: all council members, present or not.
    pub council_base: crate::ballot::Base,
    /// Absent members vote in writing; the secretary enters their ballots.
    pub written_votes_for_absent: bool,
}

/// Rule sets valid over periods: sorted, and each ending where the next begins.
trait Period {
    fn from(&self) -> Date;
    fn to(&self) -> Option<Date>;
    fn applies_on(&self, date: Date) -> bool {
        self.from() <= date && self.to().is_none_or(|to| date < to)
    }
}

impl Period for MembershipRules {
    fn from(&self) -> Date {
        self.from
    }
    fn to(&self) -> Option<Date> {
        self.to
    }
}

impl Period for BallotRules {
    fn from(&self) -> Date {
        self.from
    }
    fn to(&self) -> Option<Date> {
        self.to
    }
}

fn periods<T: Period + serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>, RulebookError> {
    let file: Periods<T> = serde_json::from_str(json).map_err(|e| RulebookError::Parse(e.to_string()))?;
    let mut periods = file.periods;
    periods.sort_by_key(|p| p.from());
    for pair in periods.windows(2) {
        if pair[0].to() != Some(pair[1].from()) {
            return Err(RulebookError::Periods(pair[1].from()));
        }
    }
    Ok(periods)
}

/// The rule sets in force over time.
#[derive(Debug, Clone)]
pub struct Rulebook {
    membership: Vec<MembershipRules>,
    ballots: Vec<BallotRules>,
    evaluation: Vec<EvaluationRules>,
}

#[derive(Deserialize)]
struct YearPeriods {
    periods: Vec<EvaluationRules>,
}

/// Evaluation periods, sorted, each starting the year after the previous one ends.
fn year_periods(json: &str) -> Result<Vec<EvaluationRules>, RulebookError> {
    let file: YearPeriods = serde_json::from_str(json).map_err(|e| RulebookError::Parse(e.to_string()))?;
    let mut periods = file.periods;
    periods.sort_by_key(|p| p.from_year);
    for pair in periods.windows(2) {
        if pair[0].to_year.and_then(|t| t.checked_add(1)) != Some(pair[1].from_year) {
            return Err(RulebookError::YearPeriods(pair[1].from_year));
        }
    }
    for p in &periods {
        p.validate().map_err(|what| RulebookError::Evaluation(p.from_year, what))?;
    }
    Ok(periods)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    #[error("the rules file cannot be read: {0}")]
    Parse(String),
    #[error("no rules are in force on {0}")]
    NoRulesOn(Date),
    #[error("rule periods overlap or leave a gap at {0}")]
    Periods(Date),
    #[error("evaluation rule periods overlap or leave a gap at {0}")]
    YearPeriods(i16),
    #[error("no evaluation rules for the year {0}")]
    NoEvaluationRules(i16),
    #[error("{0}: {1}")]
    InFile(String, Box<RulebookError>),
    #[error("evaluation rules from {0}: {1}")]
    Evaluation(i16, &'static str),
}

impl Rulebook {
    /// The files of the rulebook shipped with the binary, by name: an installation may replace
    /// any of them with its own (see [`Rulebook::from_files`]).
    pub const SHIPPED: [(&'static str, &'static str); 3] = [
        ("membership.json", include_str!("../rules/membership.json")),
        ("ballots.json", include_str!("../rules/ballots.json")),
        ("evaluation.json", include_str!("../rules/evaluation.json")),
    ];

    /// The rulebook shipped with the binary.
    pub fn shipped() -> Result<Rulebook, RulebookError> {
        Rulebook::from_files(|_| None)
    }

    /// The rulebook from the files `own` gives by name, the shipped ones for the rest; a problem
    /// names the file it is in.
    pub fn from_files(mut own: impl FnMut(&str) -> Option<String>) -> Result<Rulebook, RulebookError> {
        let [membership, ballots, evaluation] = Self::SHIPPED.map(|(name, text)| (name, own(name).unwrap_or_else(|| text.to_owned())));
        let named = |name: &str, e: RulebookError| RulebookError::InFile(name.to_owned(), Box::new(e));
        Ok(Rulebook {
            membership: periods(&membership.1).map_err(|e| named(membership.0, e))?,
            ballots: periods(&ballots.1).map_err(|e| named(ballots.0, e))?,
            evaluation: year_periods(&evaluation.1).map_err(|e| named(evaluation.0, e))?,
        })
    }

    /// The evaluation rules for an evaluation year: a past year is judged by the rules of that year.
    pub fn evaluation_for(&self, year: i16) -> Result<&EvaluationRules, RulebookError> {
        self.evaluation.iter().find(|r| r.applies_to(year)).ok_or(RulebookError::NoEvaluationRules(year))
    }

    /// The membership rules in force on `date`.
    pub fn membership_on(&self, date: Date) -> Result<&MembershipRules, RulebookError> {
        self.membership.iter().find(|r| r.applies_on(date)).ok_or(RulebookError::NoRulesOn(date))
    }

    /// The ballot rules in force on `date`.
    pub fn ballots_on(&self, date: Date) -> Result<&BallotRules, RulebookError> {
        self.ballots.iter().find(|r| r.applies_on(date)).ok_or(RulebookError::NoRulesOn(date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn each_date_is_judged_by_the_rules_then_in_force() {
        let book = Rulebook::shipped().expect("shipped rules parse");
        assert!(book.membership_on(date(2024, 1, 1)).expect("2024").source.contains("24-QĐ/TW"));
        assert!(book.membership_on(date(2025, 7, 1)).expect("2025").source.contains("294-QĐ/TW"));
        assert_eq!(book.membership_on(date(2020, 1, 1)), Err(RulebookError::NoRulesOn(date(2020, 1, 1))));
        let r = book.membership_on(date(2026, 1, 1)).expect("2026");
        assert_eq!(r.early_months(30), 12);
        assert_eq!(r.early_months(65), 12);
        assert_eq!(r.early_months(70), 24);
        assert_eq!(r.early_months(90), 24);
        assert_eq!(r.early_months(20), 0);
        let b = book.ballots_on(date(2023, 12, 31)).expect("2023");
        assert!(b.source.contains("91/2017"));
        assert_eq!((b.council_threshold.label(), b.council_base), ("≥ 90%".into(), crate::ballot::Base::Electorate));
        assert!(book.ballots_on(date(2024, 1, 1)).expect("2024").source.contains("98/2023"));
    }

    #[test]
    fn overlapping_periods_are_refused_naming_the_file() {
        let with = |file: &'static str, text: String| Rulebook::from_files(move |name| (name == file).then(|| text.clone()));
        let shifted = include_str!("../rules/membership.json").replace("\"to\": \"2025-07-01\"", "\"to\": \"2025-08-01\"");
        assert!(matches!(with("membership.json", shifted), Err(RulebookError::InFile(f, e)) if f == "membership.json" && matches!(*e, RulebookError::Periods(_))));
        assert!(matches!(with("evaluation.json", "{".into()), Err(RulebookError::InFile(f, e)) if f == "evaluation.json" && matches!(*e, RulebookError::Parse(_))));
        let gap = include_str!("../rules/ballots.json").replace("\"to\": \"2024-01-01\"", "\"to\": \"2023-06-01\"");
        assert!(matches!(with("ballots.json", gap), Err(RulebookError::InFile(_, e)) if matches!(*e, RulebookError::Periods(_))));
        // Figures the engine relies on are checked: a share over 100%, levels out of order, a
        // scored form that does not add up to 100, a period that ends before it starts.
        let shipped = include_str!("../rules/evaluation.json");
        for (from, to) in [
            ("\"htxsnv_of_httnv_pct\": 20", "\"htxsnv_of_httnv_pct\": 150"),
            ("{ \"level\": \"htxsnv\"", "{ \"level\": \"khtnv\""),
            ("\"max_points\": 50", "\"max_points\": 55"),
            ("\"to_year\": 2022", "\"to_year\": 2017"),
        ] {
            assert!(shipped.contains(from), "{from}");
            let r = with("evaluation.json", shipped.replace(from, to));
            assert!(matches!(&r, Err(RulebookError::InFile(_, e)) if matches!(**e, RulebookError::Evaluation(..) | RulebookError::YearPeriods(_))), "{to}: {r:?}");
        }
        // An installation's stricter quota replaces the shipped figure.
        let stricter = include_str!("../rules/evaluation.json").replace("\"htxsnv_of_httnv_pct\": 20", "\"htxsnv_of_httnv_pct\": 15");
        let book = with("evaluation.json", stricter).expect("valid");
        assert_eq!(book.evaluation_for(2025).expect("2025").quota.map(|q| q.htxsnv_of_httnv_pct), Some(15));
    }
}
