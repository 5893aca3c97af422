//! Year-end scoring of a cluster's units against the campaign's criteria table: each unit's
//! self-score, the cross-scores of its peers, the leader's scores and adjustments, combined by the
//! cluster's weights into a total; and the ranking, with a documented tie-break.
//!
//! Scores are kept in hundredths of a point ([`Centi`]) and totals as exact fractions, so a ranking
//! never depends on rounding.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::emulation::{Criterion, CriterionKind};
use crate::org::OrgId;
use crate::vi::Lang;

/// Points in hundredths: `7,5` is `Centi(750)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Centi(pub i64);

impl Centi {
    pub fn points(p: u32) -> Centi {
        Centi(i64::from(p) * 100)
    }

    /// Reads a score as typed: `7`, `7,5`, `7.25` (a comma or a dot before at most two decimals).
    /// Negative numbers and more than two decimals are refused.
    pub fn parse(text: &str) -> Option<Centi> {
        let t = text.trim();
        let (whole, frac) = match t.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        if whole.is_empty() || whole.len() > 9 || frac.len() > 2 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        Some(Centi(whole * 100 + frac))
    }

    /// `7`, `7,5`, `1.000,25` in Vietnamese; `7.5`, `1,000.25` in English.
    pub fn format(self, lang: Lang) -> String {
        format_centi(self.0, lang)
    }
}

/// A number of hundredths written with at most two decimals, trailing zeros dropped.
pub fn format_centi(n: i64, lang: Lang) -> String {
    let (_, decimal) = match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    };
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    let whole = crate::vi::format_int(i64::try_from(abs / 100).unwrap_or(i64::MAX), lang);
    match abs % 100 {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}{decimal}{}", f / 10),
        f => format!("{sign}{whole}{decimal}{f:02}"),
    }
}

/// An exact non-negative-denominator fraction of hundredths, for totals and means.
#[derive(Debug, Clone, Copy)]
pub struct Frac {
    pub num: i128,
    pub den: i128,
}

impl Frac {
    pub fn whole(n: i64) -> Frac {
        Frac { num: i128::from(n), den: 1 }
    }

    /// Rounded half away from zero to whole hundredths.
    pub fn round(self) -> i64 {
        let twice = 2 * self.num.abs() + self.den;
        let r = twice / (2 * self.den);
        i64::try_from(if self.num < 0 { -r } else { r }).unwrap_or(i64::MAX)
    }

    /// The sum, kept in lowest terms so that denominators do not grow with each line.
    fn add(self, o: Frac) -> Frac {
        let g = gcd(self.den, o.den);
        let den = self.den / g * o.den;
        Frac { num: self.num * (o.den / g) + o.num * (self.den / g), den }.reduced()
    }

    fn reduced(self) -> Frac {
        let g = gcd(self.num.abs(), self.den).max(1);
        Frac { num: self.num / g, den: self.den / g }
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

impl PartialEq for Frac {
    fn eq(&self, o: &Frac) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Frac {}

impl PartialOrd for Frac {
    fn partial_cmp(&self, o: &Frac) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Frac {
    fn cmp(&self, o: &Frac) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }
}

/// How a unit's total is made: percentages of its self-score, of the mean of its peers' scores
/// and of the leader's score, adding up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub self_pct: u8,
    pub peer_pct: u8,
    pub leader_pct: u8,
}

impl Default for Weights {
    /// Cross-scoring averaged (chấm chéo bình quân), the practice the seeds describe; each cluster
    /// sets its own in its Quy chế.
    fn default() -> Weights {
        Weights { self_pct: 0, peer_pct: 100, leader_pct: 0 }
    }
}

/// Who cross-scores whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PeerMode {
    /// Every unit scores every other unit.
    #[default]
    AllPeers,
    /// The leader assigns each unit the peers it scores.
    Assigned,
}

/// A cluster's scoring settings, part of its operating rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScoringRules {
    pub weights: Weights,
    pub peers: PeerMode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoringError {
    #[error("the weights add up to {0}%, not 100%")]
    Weights(u16),
    #[error("criterion {0} is not scored directly: score its sub-criteria")]
    NotALeaf(String),
    #[error("criterion {0} is not in the round's table")]
    UnknownCriterion(String),
    #[error("the score of {code} must be between 0 and {max} points")]
    OutOfRange { code: String, max: u32 },
    #[error("criterion {0} has no score yet")]
    Missing(String),
    #[error("a unit does not score itself as a peer")]
    ScoresItself,
    #[error("an adjustment needs a reason")]
    ReasonRequired,
    #[error("the adjustment is zero")]
    ZeroAdjustment,
}

impl Weights {
    pub fn validate(&self) -> Result<(), ScoringError> {
        let sum = u16::from(self.self_pct) + u16::from(self.peer_pct) + u16::from(self.leader_pct);
        if sum == 100 { Ok(()) } else { Err(ScoringError::Weights(sum)) }
    }
}

/// The criteria scored directly: those with no sub-criteria.
pub fn leaves(criteria: &[Criterion]) -> Vec<&Criterion> {
    criteria.iter().filter(|c| !criteria.iter().any(|x| x.parent.as_deref() == Some(c.code.as_str()))).collect()
}

/// Whose scores a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScorerRole {
    /// The unit scoring itself (tự chấm).
    Own,
    /// A peer unit's cross-score (chấm chéo).
    Peer,
    /// The leading unit's score when consolidating (Cụm trưởng).
    Leader,
}

impl ScorerRole {
    pub const ALL: [ScorerRole; 3] = [ScorerRole::Own, ScorerRole::Peer, ScorerRole::Leader];

    pub fn code(self) -> &'static str {
        match self {
            ScorerRole::Own => "self",
            ScorerRole::Peer => "peer",
            ScorerRole::Leader => "leader",
        }
    }

    pub fn from_code(code: &str) -> Option<ScorerRole> {
        ScorerRole::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// One scorer's scores of one unit, by leaf criterion code.
pub type Sheet = BTreeMap<String, Centi>;

/// Checks each score of a sheet against the table: leaves only, within `0..=max`. With
/// `complete`, every leaf must be scored (a sheet is submitted only when complete).
pub fn check_sheet(criteria: &[Criterion], sheet: &Sheet, complete: bool) -> Result<(), ScoringError> {
    let leaves = leaves(criteria);
    for (code, score) in sheet {
        let Some(c) = criteria.iter().find(|c| &c.code == code) else { return Err(ScoringError::UnknownCriterion(code.clone())) };
        if !leaves.iter().any(|l| l.code == *code) {
            return Err(ScoringError::NotALeaf(code.clone()));
        }
        if score.0 < 0 || *score > Centi::points(c.max_points) {
            return Err(ScoringError::OutOfRange { code: code.clone(), max: c.max_points });
        }
    }
    if complete && let Some(missing) = leaves.iter().find(|l| !sheet.contains_key(&l.code)) {
        return Err(ScoringError::Missing(missing.code.clone()));
    }
    Ok(())
}

/// A change the leader makes to a unit's total when consolidating, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// The criterion it concerns, if any.
    pub criterion: Option<String>,
    /// Added (positive) or taken off (negative), in hundredths.
    pub centi: i64,
    pub reason: String,
}

impl Adjustment {
    pub fn validate(&self) -> Result<(), ScoringError> {
        if self.reason.trim().is_empty() {
            return Err(ScoringError::ReasonRequired);
        }
        if self.centi == 0 {
            return Err(ScoringError::ZeroAdjustment);
        }
        Ok(())
    }
}

/// Everything submitted about one unit in a round.
#[derive(Debug, Clone, Default)]
pub struct UnitSheets {
    pub self_sheet: Option<Sheet>,
    /// Submitted cross-scores, by the scoring unit.
    pub peers: BTreeMap<OrgId, Sheet>,
    pub leader: Option<Sheet>,
    pub adjustments: Vec<Adjustment>,
}

/// One leaf criterion of a unit's result, source by source.
#[derive(Debug, Clone)]
pub struct LineResult {
    pub code: String,
    pub kind: CriterionKind,
    pub self_score: Option<Centi>,
    pub peers: Vec<(OrgId, Centi)>,
    /// Mean of the peers' scores.
    pub peer_mean: Option<Frac>,
    pub leader: Option<Centi>,
    /// The weighted value, before the sign of a penalty.
    pub value: Frac,
}

/// A unit's total and how it was reached.
#[derive(Debug, Clone)]
pub struct UnitResult {
    pub org: OrgId,
    pub lines: Vec<LineResult>,
    /// Normal criteria only.
    pub normal: Frac,
    pub bonus: Frac,
    pub penalty: Frac,
    pub adjustments: i64,
    /// Normal + bonus − penalty + adjustments.
    pub total: Frac,
    /// Weighted value of each main normal criterion (its leaves summed), in table order.
    pub mains: Vec<Frac>,
}

/// Combines a unit's sheets by the weights, as shares of their sum: weights of 20/50/0 for a unit
/// the leader does not score count as 2/7 and 5/7. A missing score counts as 0 (the round is closed
/// only when every required sheet is in).
pub fn unit_result(criteria: &[Criterion], weights: Weights, org: OrgId, s: &UnitSheets) -> UnitResult {
    let n = i128::try_from(s.peers.len()).unwrap_or(1).max(1);
    let sum = i128::from(weights.self_pct) + i128::from(weights.peer_pct) + i128::from(weights.leader_pct);
    let den = if sum == 0 { 100 } else { sum } * n;
    let (ws, wp, wl) = (i128::from(weights.self_pct), i128::from(weights.peer_pct), i128::from(weights.leader_pct));
    let mut lines = Vec::new();
    let (mut normal, mut bonus, mut penalty) = (Frac::whole(0), Frac::whole(0), Frac::whole(0));
    for leaf in leaves(criteria) {
        let get = |sheet: &Option<Sheet>| sheet.as_ref().and_then(|x| x.get(&leaf.code)).copied();
        let self_score = get(&s.self_sheet);
        let leader = get(&s.leader);
        let peers: Vec<(OrgId, Centi)> = s.peers.iter().filter_map(|(o, x)| x.get(&leaf.code).map(|c| (*o, *c))).collect();
        let peer_sum: i128 = peers.iter().map(|(_, c)| i128::from(c.0)).sum();
        let value = Frac {
            num: (ws * i128::from(self_score.unwrap_or_default().0) + wl * i128::from(leader.unwrap_or_default().0)) * n + wp * peer_sum,
            den,
        };
        match leaf.kind {
            CriterionKind::Normal => normal = normal.add(value),
            CriterionKind::Bonus => bonus = bonus.add(value),
            CriterionKind::Penalty => penalty = penalty.add(value),
        }
        let peer_mean = (!peers.is_empty()).then(|| Frac { num: peer_sum, den: i128::try_from(peers.len()).unwrap_or(1) });
        lines.push(LineResult { code: leaf.code.clone(), kind: leaf.kind, self_score, peers, peer_mean, leader, value });
    }
    let adjustments: i64 = s.adjustments.iter().map(|a| a.centi).sum();
    let total = normal.add(bonus).add(Frac { num: -penalty.num, den: penalty.den }).add(Frac::whole(adjustments));
    let mains = criteria
        .iter()
        .filter(|c| c.parent.is_none() && c.kind == CriterionKind::Normal)
        .map(|main| {
            lines.iter().filter(|l| descends(criteria, &l.code, &main.code)).fold(Frac::whole(0), |acc, l| acc.add(l.value))
        })
        .collect();
    UnitResult { org, lines, normal, bonus, penalty, adjustments, total, mains }
}

/// Whether `code` is `ancestor` or lies below it.
fn descends(criteria: &[Criterion], code: &str, ancestor: &str) -> bool {
    let mut cursor = Some(code.to_owned());
    let mut steps = 0;
    while let Some(c) = cursor {
        if c == ancestor {
            return true;
        }
        steps += 1;
        if steps > criteria.len() {
            return false;
        }
        cursor = criteria.iter().find(|x| x.code == c).and_then(|x| x.parent.clone());
    }
    false
}

/// The ranking order, documented for users as it is applied:
/// 1. higher total;
/// 2. higher score on the normal criteria (before bonus, penalty and adjustments);
/// 3. fewer penalty points;
/// 4. higher score on the first main criterion, then the second, and so on in table order;
/// 5. the unit's name in Vietnamese alphabetical order;
/// 6. the unit's identifier.
///
/// Every step compares exact values, so the order is total and does not depend on the order the
/// units were given in.
pub fn compare(a: &UnitResult, a_name: &str, b: &UnitResult, b_name: &str) -> Ordering {
    b.total
        .cmp(&a.total)
        .then(b.normal.cmp(&a.normal))
        .then(a.penalty.cmp(&b.penalty))
        .then_with(|| {
            for (x, y) in a.mains.iter().zip(&b.mains) {
                match y.cmp(x) {
                    Ordering::Equal => continue,
                    other => return other,
                }
            }
            Ordering::Equal
        })
        .then_with(|| crate::vi::compare(a_name, b_name))
        .then(a.org.cmp(&b.org))
}

/// The step of [`compare`] that decided between two neighbours in the ranking, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decided {
    Total,
    Normal,
    Penalty,
    MainCriterion(usize),
    Name,
    Id,
}

pub fn decided_by(a: &UnitResult, a_name: &str, b: &UnitResult, b_name: &str) -> Decided {
    if a.total != b.total {
        return Decided::Total;
    }
    if a.normal != b.normal {
        return Decided::Normal;
    }
    if a.penalty != b.penalty {
        return Decided::Penalty;
    }
    if let Some(i) = a.mains.iter().zip(&b.mains).position(|(x, y)| x != y) {
        return Decided::MainCriterion(i);
    }
    if crate::vi::compare(a_name, b_name) != Ordering::Equal {
        return Decided::Name;
    }
    Decided::Id
}

/// Ranks units by [`compare`]; returns them best first.
pub fn rank(units: &[(UnitResult, String)]) -> Vec<&(UnitResult, String)> {
    let mut order: Vec<&(UnitResult, String)> = units.iter().collect();
    order.sort_by(|a, b| compare(&a.0, &a.1, &b.0, &b.1));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn crit(code: &str, parent: Option<&str>, max: u32, kind: CriterionKind) -> Criterion {
        Criterion { code: code.into(), parent: parent.map(Into::into), title: format!("Tiêu chí {code}"), max_points: max, kind, evidence: vec![] }
    }

    fn table() -> Vec<Criterion> {
        use CriterionKind::*;
        vec![crit("1", None, 60, Normal), crit("1.1", Some("1"), 40, Normal), crit("1.2", Some("1"), 20, Normal), crit("2", None, 40, Normal), crit("T", None, 5, Bonus), crit("Tr", None, 10, Penalty)]
    }

    fn sheet(scores: &[(&str, i64)]) -> Sheet {
        scores.iter().map(|(c, v)| ((*c).to_owned(), Centi(*v))).collect()
    }

    #[test]
    fn scores_read_and_write_the_vietnamese_way() {
        assert_eq!(Centi::parse("7"), Some(Centi(700)));
        assert_eq!(Centi::parse("7,5"), Some(Centi(750)));
        assert_eq!(Centi::parse("7.25"), Some(Centi(725)));
        for bad in ["-1", "7,555", "", "bảy", "1.000,5", ",5"] {
            assert_eq!(Centi::parse(bad), None, "{bad}");
        }
        assert_eq!(Centi(750).format(Lang::Vi), "7,5");
        assert_eq!(Centi(100_025).format(Lang::Vi), "1.000,25");
        assert_eq!(Centi(100_025).format(Lang::En), "1,000.25");
        assert_eq!(format_centi(-1250, Lang::Vi), "-12,5");
        assert_eq!(Frac { num: 2, den: 3 }.round(), 1);
        assert_eq!(Frac { num: -5, den: 2 }.round(), -3, "half away from zero");
        let many = (0..500).fold(Frac::whole(0), |acc, i| acc.add(Frac { num: 1, den: 100 * (i % 7 + 1) }));
        assert!(many > Frac::whole(0), "sums of many lines stay exact and in range");
    }

    #[test]
    fn sheets_are_checked_against_the_table() {
        let t = table();
        assert_eq!(check_sheet(&t, &sheet(&[("1.1", 4000), ("1.2", 0)]), false), Ok(()));
        assert_eq!(check_sheet(&t, &sheet(&[("1.1", 4001)]), false), Err(ScoringError::OutOfRange { code: "1.1".into(), max: 40 }));
        assert_eq!(check_sheet(&t, &sheet(&[("1", 10)]), false), Err(ScoringError::NotALeaf("1".into())));
        assert_eq!(check_sheet(&t, &sheet(&[("9", 10)]), false), Err(ScoringError::UnknownCriterion("9".into())));
        assert_eq!(check_sheet(&t, &sheet(&[("1.1", 10)]), true), Err(ScoringError::Missing("1.2".into())));
        let full = sheet(&[("1.1", 3000), ("1.2", 2000), ("2", 4000), ("T", 0), ("Tr", 500)]);
        assert_eq!(check_sheet(&t, &full, true), Ok(()));
    }

    #[test]
    fn totals_weigh_self_peers_and_leader_exactly() {
        let t = table();
        let w = Weights { self_pct: 20, peer_pct: 50, leader_pct: 30 };
        let mut s = UnitSheets { self_sheet: Some(sheet(&[("1.1", 4000), ("1.2", 2000), ("2", 4000), ("T", 500), ("Tr", 0)])), ..UnitSheets::default() };
        s.peers.insert(OrgId(2), sheet(&[("1.1", 3000), ("1.2", 1500), ("2", 3000), ("T", 0), ("Tr", 1000)]));
        s.peers.insert(OrgId(3), sheet(&[("1.1", 3500), ("1.2", 1500), ("2", 3500), ("T", 0), ("Tr", 0)]));
        s.leader = Some(sheet(&[("1.1", 3500), ("1.2", 1800), ("2", 3600), ("T", 300), ("Tr", 500)]));
        s.adjustments.push(Adjustment { criterion: None, centi: -100, reason: "Nộp báo cáo chậm".into() });
        let r = unit_result(&t, w, OrgId(1), &s);
        // 1.1: .2·40 + .5·32,5 + .3·35 = 8 + 16,25 + 10,5 = 34,75
        assert_eq!(r.lines[0].value.round(), 3475);
        assert_eq!(r.lines[0].peer_mean, Some(Frac { num: 6500, den: 2 }));
        // normal: 1.1 34,75; 1.2 .2·20+.5·15+.3·18 = 16,9; 2 .2·40+.5·32,5+.3·36 = 35,05 → 86,7
        assert_eq!(r.normal.round(), 8670);
        assert_eq!(r.bonus.round(), 190, ".2·5 + .3·3");
        assert_eq!(r.penalty.round(), 400, ".5·5 + .3·5");
        assert_eq!(r.total.round(), 8670 + 190 - 400 - 100);
        assert_eq!(r.mains.len(), 2);
        assert_eq!(r.mains[0].round(), 3475 + 1690);
        assert_eq!(Weights { self_pct: 20, peer_pct: 50, leader_pct: 20 }.validate(), Err(ScoringError::Weights(90)));
        assert_eq!(Adjustment { criterion: None, centi: 5, reason: " ".into() }.validate(), Err(ScoringError::ReasonRequired));
    }

    fn result(org: i64, total: i64, normal: i64, penalty: i64, mains: &[i64]) -> UnitResult {
        UnitResult {
            org: OrgId(org),
            lines: vec![],
            normal: Frac::whole(normal),
            bonus: Frac::whole(0),
            penalty: Frac::whole(penalty),
            adjustments: 0,
            total: Frac::whole(total),
            mains: mains.iter().map(|m| Frac::whole(*m)).collect(),
        }
    }

    #[test]
    fn ties_are_broken_in_the_documented_order() {
        let a = result(1, 900, 900, 0, &[500, 400]);
        let b = result(2, 900, 910, 10, &[500, 410]);
        assert_eq!(compare(&b, "B", &a, "A"), Ordering::Less, "more on the normal criteria first");
        assert_eq!(decided_by(&b, "B", &a, "A"), Decided::Normal);
        let c = result(3, 900, 900, 0, &[510, 390]);
        assert_eq!(decided_by(&c, "C", &a, "A"), Decided::MainCriterion(0));
        assert_eq!(compare(&c, "C", &a, "A"), Ordering::Less);
        let d = result(4, 900, 900, 0, &[500, 400]);
        assert_eq!(compare(&a, "Ban Tổ chức Đảng ủy Khối", &d, "Ban Tổ chức Đảng ủy Công an"), Ordering::Greater, "Vietnamese order of names");
        assert_eq!(decided_by(&a, "Ban X", &d, "Ban X"), Decided::Id);
    }

    fn any_result() -> impl Strategy<Value = (UnitResult, String)> {
        (1i64..40, 0i64..5, 0i64..5, 0i64..3, proptest::collection::vec(0i64..3, 2), 0usize..3).prop_map(|(org, total, normal, penalty, mains, name)| {
            (result(org, total, normal, penalty, &mains), ["Ban A", "Ban Ă", "Ban B"][name].to_owned())
        })
    }

    proptest! {
        #[test]
        fn ranking_is_a_total_order_whatever_the_input_order(mut units in proptest::collection::vec(any_result(), 1..12), seed in any::<u64>()) {
            // Distinct units, as in a cluster.
            units.sort_by_key(|u| u.0.org);
            units.dedup_by_key(|u| u.0.org);
            let first: Vec<OrgId> = rank(&units).iter().map(|u| u.0.org).collect();
            let mut shuffled = units.clone();
            let mut x = seed;
            for i in (1..shuffled.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (x >> 33) as usize % (i + 1));
            }
            let second: Vec<OrgId> = rank(&shuffled).iter().map(|u| u.0.org).collect();
            prop_assert_eq!(&first, &second);
            for a in &units {
                prop_assert_eq!(compare(&a.0, &a.1, &a.0, &a.1), Ordering::Equal);
                for b in &units {
                    prop_assert_eq!(compare(&a.0, &a.1, &b.0, &b.1), compare(&b.0, &b.1, &a.0, &a.1).reverse());
                    if a.0.org != b.0.org {
                        prop_assert_ne!(compare(&a.0, &a.1, &b.0, &b.1), Ordering::Equal);
                    }
                    for c in &units {
                        if compare(&a.0, &a.1, &b.0, &b.1) == Ordering::Less && compare(&b.0, &b.1, &c.0, &c.1) == Ordering::Less {
                            prop_assert_eq!(compare(&a.0, &a.1, &c.0, &c.1), Ordering::Less);
                        }
                    }
                }
            }
        }
    }
}
