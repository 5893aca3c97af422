//! Emulation work of a cluster: its operating rules (quy chế hoạt động cụm), campaigns and their
//! criteria tables (bảng tiêu chí), covenants (giao ước), meetings (hội nghị) and key tasks
//! (nhiệm vụ trọng tâm).

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ballot::{Base, Share, Threshold};
use crate::org::{current_successors, OrgId, Succession};
use crate::scoring::{ScoringError, ScoringRules};

/// A cluster's operating rules, set per cluster because each Quy chế differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRules {
    /// The order in which member units take the lead (Cụm trưởng), year after year.
    pub rotation: Vec<OrgId>,
    /// Total points of the scoring table, e.g. 1,000.
    pub scale: u32,
    /// Share of votes (percent) the leading unit needs to be proposed for the flag.
    pub leading_vote_threshold_pct: u8,
    /// Most proposals for commendation the cluster may send up in a year.
    pub max_proposals: Option<u32>,
    /// Địa danh written on the cluster's documents when a meeting names none, e.g. "Hà Nội".
    #[serde(default)]
    pub locality: Option<String>,
    /// What the leading unit's vote threshold is a share of.
    #[serde(default)]
    pub vote_base: Base,
    /// Share of the electorate that must vote for a cluster ballot to decide.
    #[serde(default = "two_thirds")]
    pub vote_quorum: Share,
    /// How year-end scores combine: weights of self, peers and leader; who cross-scores whom.
    #[serde(default)]
    pub scoring: ScoringRules,
}

/// "At least two thirds", the quorum Party meetings use; each cluster may set its own.
fn two_thirds() -> Share {
    Share { num: 2, den: 3, strict: false }
}

impl Default for ClusterRules {
    fn default() -> ClusterRules {
        ClusterRules {
            rotation: Vec::new(),
            scale: 1000,
            leading_vote_threshold_pct: 50,
            max_proposals: None,
            locality: None,
            vote_base: Base::Electorate,
            vote_quorum: two_thirds(),
            scoring: ScoringRules::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmulationError {
    #[error("the scoring scale must be between 10 and 10000 points")]
    Scale,
    #[error("the vote threshold is a percentage from 1 to 100")]
    Threshold,
    #[error("unit {0} appears twice in the rotation")]
    RotationDuplicate(OrgId),
    #[error("the quorum is a share between 0 and 1")]
    Quorum,
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    #[error("criterion {0} is listed twice")]
    DuplicateCriterion(String),
    #[error("criterion {code} refers to a parent {parent} that does not exist")]
    OrphanCriterion { code: String, parent: String },
    #[error("criterion {0} is its own ancestor")]
    CriterionCycle(String),
    #[error("the sub-criteria of {code} add up to {sum}, not its {max} points")]
    ChildrenSum { code: String, sum: u64, max: u32 },
    #[error("the main criteria add up to {sum}, not the scale of {scale}")]
    TableSum { sum: u64, scale: u32 },
    #[error("criterion {0} has no title or no points")]
    EmptyCriterion(String),
    #[error("bonus and penalty items stand on their own, without sub-items: {0}")]
    NestedAdjustment(String),
    #[error("criterion {0} has a '|' or a line break in its text, or a ',' in an evidence kind")]
    CriterionText(String),
    #[error("a table has at most {max} criteria")]
    TooManyCriteria { max: usize },
}

impl ClusterRules {
    pub fn validate(&self) -> Result<(), EmulationError> {
        if !(10..=10_000).contains(&self.scale) {
            return Err(EmulationError::Scale);
        }
        if !(1..=100).contains(&self.leading_vote_threshold_pct) {
            return Err(EmulationError::Threshold);
        }
        if !self.vote_quorum.is_valid() {
            return Err(EmulationError::Quorum);
        }
        self.scoring.weights.validate()?;
        let mut seen = BTreeSet::new();
        for o in &self.rotation {
            if !seen.insert(*o) {
                return Err(EmulationError::RotationDuplicate(*o));
            }
        }
        Ok(())
    }

    /// The threshold the leading unit's vote must reach.
    pub fn leading_threshold(&self) -> Threshold {
        Threshold { share: Share::percent(u32::from(self.leading_vote_threshold_pct)), base: self.vote_base }
    }

    /// Next year's order of turns: the units after `current` in the rotation (wrapping round), each
    /// replaced by what it has become (`successors`: itself when unchanged, nothing when dissolved)
    /// and kept if it is a member next year. What the current leader became comes last, so a
    /// leader that merged or split does not lead again at once. The first leads, the second is
    /// deputy.
    pub fn turns(&self, current: Option<OrgId>, members: &[OrgId], successors: impl Fn(OrgId) -> Vec<OrgId>) -> Vec<OrgId> {
        let n = self.rotation.len();
        let order: Vec<OrgId> = match current.and_then(|c| self.rotation.iter().position(|o| *o == c)) {
            Some(at) => (1..=n).map(|k| self.rotation[(at + k) % n]).collect(),
            None => self.rotation.clone(),
        };
        let heirs = current.map(&successors).unwrap_or_default();
        let (mut first, mut last) = (Vec::new(), Vec::new());
        for unit in order {
            for s in successors(unit) {
                if !members.contains(&s) || first.contains(&s) || last.contains(&s) {
                    continue;
                }
                if heirs.contains(&s) { last.push(s) } else { first.push(s) }
            }
        }
        first.extend(last);
        first
    }
}

/// Next year's members from this year's: each unit stays if still live, or is replaced by what it
/// merged into or split into; a dissolved unit leaves. Order is kept and units are listed once.
pub fn carry_members(members: &[OrgId], successions: &[Succession], is_live: impl Fn(OrgId) -> bool) -> Vec<OrgId> {
    let mut out = Vec::new();
    for m in members {
        for s in current_successors(successions, &is_live, *m) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// What a criterion counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// Points earned towards the scale.
    Normal,
    /// Điểm thưởng: added on top, up to the max.
    Bonus,
    /// Điểm trừ: taken off, up to the max.
    Penalty,
}

impl CriterionKind {
    pub fn code(self) -> &'static str {
        match self {
            CriterionKind::Normal => "normal",
            CriterionKind::Bonus => "bonus",
            CriterionKind::Penalty => "penalty",
        }
    }

    pub fn from_code(c: &str) -> Option<CriterionKind> {
        match c {
            "normal" => Some(CriterionKind::Normal),
            "bonus" => Some(CriterionKind::Bonus),
            "penalty" => Some(CriterionKind::Penalty),
            _ => None,
        }
    }
}

/// One line of a criteria table. Codes such as `1`, `1.1`, `1.2` name the line; `parent` names
/// the line it refines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub parent: Option<String>,
    pub title: String,
    pub max_points: u32,
    pub kind: CriterionKind,
    /// Kinds of evidence a unit must attach when scoring this line (e.g. "báo cáo", "văn bản").
    pub evidence: Vec<String>,
}

/// Most lines a criteria table may have.
pub const MAX_CRITERIA: usize = 500;

/// Checks a table against its scale: codes unique, every parent present, no cycle, each parent's
/// sub-criteria adding up to its points, the main normal criteria adding up to the scale.
pub fn validate_table(criteria: &[Criterion], scale: u32) -> Result<(), EmulationError> {
    if criteria.len() > MAX_CRITERIA {
        return Err(EmulationError::TooManyCriteria { max: MAX_CRITERIA });
    }
    let mut by_code: BTreeMap<&str, &Criterion> = BTreeMap::new();
    for c in criteria {
        if c.code.trim().is_empty() || c.title.trim().is_empty() || c.max_points == 0 {
            return Err(EmulationError::EmptyCriterion(c.code.clone()));
        }
        // The typed form (`format_criteria`) must read back the same table.
        let breaks = |t: &str| t.contains(['|', '\n', '\r']);
        if breaks(&c.code) || breaks(&c.title) || c.evidence.iter().any(|e| breaks(e) || e.contains(',')) {
            return Err(EmulationError::CriterionText(c.code.clone()));
        }
        if by_code.insert(c.code.as_str(), c).is_some() {
            return Err(EmulationError::DuplicateCriterion(c.code.clone()));
        }
    }
    for c in criteria {
        if let Some(p) = &c.parent {
            let parent = by_code.get(p.as_str()).ok_or_else(|| EmulationError::OrphanCriterion { code: c.code.clone(), parent: p.clone() })?;
            if c.kind != CriterionKind::Normal || parent.kind != CriterionKind::Normal {
                return Err(EmulationError::NestedAdjustment(c.code.clone()));
            }
        }
        // Walk up: a cycle would come back to the start.
        let mut cursor = c.parent.as_deref();
        let mut steps = 0;
        while let Some(p) = cursor {
            if p == c.code || steps > criteria.len() {
                return Err(EmulationError::CriterionCycle(c.code.clone()));
            }
            steps += 1;
            cursor = by_code.get(p).and_then(|pc| pc.parent.as_deref());
        }
    }
    for c in criteria {
        let children: Vec<&Criterion> = criteria.iter().filter(|x| x.parent.as_deref() == Some(c.code.as_str())).collect();
        if !children.is_empty() {
            // Summed wide: points typed near u32::MAX must not wrap into a valid total.
            let sum = children.iter().map(|x| u64::from(x.max_points)).sum::<u64>();
            if sum != u64::from(c.max_points) {
                return Err(EmulationError::ChildrenSum { code: c.code.clone(), sum, max: c.max_points });
            }
        }
    }
    let sum = criteria.iter().filter(|c| c.parent.is_none() && c.kind == CriterionKind::Normal).map(|c| u64::from(c.max_points)).sum::<u64>();
    if sum != u64::from(scale) {
        return Err(EmulationError::TableSum { sum, scale });
    }
    Ok(())
}

/// Kinds of emulation campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    /// Phong trào thường xuyên: the emulation year (năm thi đua).
    Regular,
    /// Phong trào theo chuyên đề, with its own period.
    Thematic,
}

impl CampaignKind {
    pub fn code(self) -> &'static str {
        match self {
            CampaignKind::Regular => "regular",
            CampaignKind::Thematic => "thematic",
        }
    }

    pub fn from_code(code: &str) -> Option<CampaignKind> {
        match code {
            "regular" => Some(CampaignKind::Regular),
            "thematic" => Some(CampaignKind::Thematic),
            _ => None,
        }
    }
}

/// Why a line of a typed criteria table cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaLineError {
    #[error("line {line}: write code | title | points, then optionally kind and evidence")]
    Shape { line: usize },
    #[error("line {line}: the points are not a whole number")]
    Points { line: usize },
    #[error("line {line}: the kind is one of thưởng (bonus) or trừ (penalty)")]
    Kind { line: usize },
}

/// Reads a criteria table typed one criterion per line, the way secretaries keep it in Word:
/// `code | title | points [| kind] [| evidence, evidence]`. A dotted code (`1.2`) refines the code
/// before its last dot (`1`); kind is empty, `thưởng` (bonus) or `trừ` (penalty). Blank lines are
/// skipped. The result still has to pass [`validate_table`].
pub fn parse_criteria(text: &str) -> Result<Vec<Criterion>, CriteriaLineError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = raw.split('|').map(str::trim).collect();
        if cols.len() < 3 || cols.len() > 5 || cols[0].is_empty() || cols[1].is_empty() {
            return Err(CriteriaLineError::Shape { line });
        }
        let max_points = crate::vi::parse_int(cols[2]).and_then(|n| u32::try_from(n).ok()).ok_or(CriteriaLineError::Points { line })?;
        let kind = match cols.get(3).map(|k| crate::vi::fold(k)).as_deref() {
            None | Some("") => CriterionKind::Normal,
            Some("thuong" | "bonus" | "+") => CriterionKind::Bonus,
            Some("tru" | "penalty" | "-") => CriterionKind::Penalty,
            Some(_) => return Err(CriteriaLineError::Kind { line }),
        };
        let evidence = cols.get(4).map(|e| e.split(',').map(str::trim).filter(|e| !e.is_empty()).map(String::from).collect()).unwrap_or_default();
        let code = cols[0].trim_end_matches('.').to_owned();
        if code.is_empty() {
            return Err(CriteriaLineError::Shape { line });
        }
        let parent = code.rsplit_once('.').map(|(p, _)| p.to_owned());
        out.push(Criterion { code, parent, title: cols[1].to_owned(), max_points, kind, evidence });
    }
    Ok(out)
}

/// Writes a table back in the form [`parse_criteria`] reads.
pub fn format_criteria(criteria: &[Criterion]) -> String {
    criteria
        .iter()
        .map(|c| {
            let kind = match c.kind {
                CriterionKind::Normal => "",
                CriterionKind::Bonus => "thưởng",
                CriterionKind::Penalty => "trừ",
            };
            let mut line = format!("{} | {} | {}", c.code, c.title, c.max_points);
            if !kind.is_empty() || !c.evidence.is_empty() {
                line.push_str(&format!(" | {kind}"));
            }
            if !c.evidence.is_empty() {
                line.push_str(&format!(" | {}", c.evidence.join(", ")));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unit's place in a covenant: signed (with date and signatory) or explicitly absent (with reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CovenantEntry {
    Signed { on: Date, signatory: String },
    Absent { reason: String },
}

/// A covenant is complete when every member unit has signed or is recorded absent; returns the
/// units still missing.
pub fn covenant_missing(members: &[OrgId], entries: &BTreeMap<OrgId, CovenantEntry>) -> Vec<OrgId> {
    members.iter().copied().filter(|m| !entries.contains_key(m)).collect()
}

/// Kinds of cluster meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Hội nghị ký kết giao ước thi đua.
    CovenantSigning,
    /// Giao ban quý.
    QuarterlyBriefing,
    /// Giao ban 6 tháng.
    HalfYearBriefing,
    /// Sinh hoạt chuyên đề.
    ThematicSession,
    /// Tọa đàm.
    Seminar,
    /// Hội nghị tổng kết.
    YearEndReview,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 6] = [
        MeetingKind::CovenantSigning,
        MeetingKind::QuarterlyBriefing,
        MeetingKind::HalfYearBriefing,
        MeetingKind::ThematicSession,
        MeetingKind::Seminar,
        MeetingKind::YearEndReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::CovenantSigning => "covenant_signing",
            MeetingKind::QuarterlyBriefing => "quarterly_briefing",
            MeetingKind::HalfYearBriefing => "half_year_briefing",
            MeetingKind::ThematicSession => "thematic_session",
            MeetingKind::Seminar => "seminar",
            MeetingKind::YearEndReview => "year_end_review",
        }
    }

    pub fn from_code(code: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Status of a key task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A key task is overdue when its deadline has passed and it is neither done nor cancelled.
pub fn task_overdue(status: TaskStatus, deadline: Option<Date>, today: Date) -> bool {
    matches!(status, TaskStatus::Open | TaskStatus::InProgress) && deadline.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{EventId, SuccessionKind};
    use jiff::civil::date;

    fn crit(code: &str, parent: Option<&str>, max: u32, kind: CriterionKind) -> Criterion {
        Criterion { code: code.into(), parent: parent.map(Into::into), title: format!("Tiêu chí {code}"), max_points: max, kind, evidence: vec![] }
    }

    #[test]
    fn criteria_tables_add_up() {
        use CriterionKind::*;
        let ok = [
            crit("1", None, 600, Normal),
            crit("1.1", Some("1"), 400, Normal),
            crit("1.2", Some("1"), 200, Normal),
            crit("2", None, 400, Normal),
            crit("T", None, 50, Bonus),
            crit("Tr", None, 100, Penalty),
        ];
        assert_eq!(validate_table(&ok, 1000), Ok(()));
        let mut bad = ok.to_vec();
        bad[2].max_points = 150;
        assert_eq!(validate_table(&bad, 1000), Err(EmulationError::ChildrenSum { code: "1".into(), sum: 550, max: 600 }));
        let mut orphan = ok.to_vec();
        orphan.push(crit("3.1", Some("3"), 10, Normal));
        assert_eq!(validate_table(&orphan, 1000), Err(EmulationError::OrphanCriterion { code: "3.1".into(), parent: "3".into() }));
        assert_eq!(validate_table(&ok[..4], 900), Err(EmulationError::TableSum { sum: 1000, scale: 900 }));
        let mut dup = ok.to_vec();
        dup.push(crit("2", None, 1, Normal));
        assert_eq!(validate_table(&dup, 1000), Err(EmulationError::DuplicateCriterion("2".into())));
        let cyc = [crit("1", Some("2"), 10, Normal), crit("2", Some("1"), 10, Normal)];
        assert!(matches!(validate_table(&cyc, 10), Err(EmulationError::CriterionCycle(_))));
        let nested = [crit("1", None, 1000, Normal), crit("T", Some("1"), 10, Bonus)];
        assert_eq!(validate_table(&nested, 1000), Err(EmulationError::NestedAdjustment("T".into())));
        let empty = [crit("1", None, 0, Normal)];
        assert_eq!(validate_table(&empty, 0), Err(EmulationError::EmptyCriterion("1".into())));
        let huge = [crit("1", None, u32::MAX, Normal), crit("2", None, 1001, Normal)];
        assert_eq!(validate_table(&huge, 1000), Err(EmulationError::TableSum { sum: u64::from(u32::MAX) + 1001, scale: 1000 }), "no wrap-around");
        let mut piped = ok.to_vec();
        piped[0].title = "Tổ chức | cán bộ".into();
        assert_eq!(validate_table(&piped, 1000), Err(EmulationError::CriterionText("1".into())));
        let many: Vec<Criterion> = (0..=MAX_CRITERIA).map(|i| crit(&i.to_string(), None, 1, Normal)).collect();
        assert_eq!(validate_table(&many, 501), Err(EmulationError::TooManyCriteria { max: MAX_CRITERIA }));
    }

    #[test]
    fn turns_follow_the_rotation_through_merges_and_splits() {
        let o = |ids: &[i64]| ids.iter().map(|i| OrgId(*i)).collect::<Vec<_>>();
        let rules = ClusterRules { rotation: o(&[1, 2, 3, 4]), ..ClusterRules::default() };
        let same = |u: OrgId| vec![u];
        let all = o(&[1, 2, 3, 4]);
        assert_eq!(rules.turns(Some(OrgId(1)), &all, same), o(&[2, 3, 4, 1]));
        assert_eq!(rules.turns(Some(OrgId(4)), &all, same), o(&[1, 2, 3, 4]), "wraps around");
        assert_eq!(rules.turns(Some(OrgId(2)), &o(&[1, 2, 4]), same), o(&[4, 1, 2]), "skips a unit that left");
        assert_eq!(rules.turns(None, &all, same), all);
        assert_eq!(rules.turns(Some(OrgId(9)), &all, same), all, "a leader outside the rotation hands to its start");
        assert_eq!(rules.turns(Some(OrgId(1)), &o(&[1]), same), o(&[1]), "the only member leads again");
        assert!(rules.turns(Some(OrgId(1)), &[], same).is_empty());
        // 2 and 3 merged into 10: the merged unit takes the first of their turns.
        let merged = |u: OrgId| if [2, 3].contains(&u.0) { vec![OrgId(10)] } else { vec![u] };
        assert_eq!(rules.turns(Some(OrgId(1)), &o(&[1, 10, 4]), merged), o(&[10, 4, 1]));
        // The leader 2 split into 20 and 21: the halves wait for their turn; the next unit leads.
        let split = |u: OrgId| if u.0 == 2 { o(&[20, 21]) } else { vec![u] };
        assert_eq!(rules.turns(Some(OrgId(2)), &o(&[1, 20, 21, 3, 4]), split), o(&[3, 4, 1, 20, 21]));
        // The leader 2 was dissolved: the turn passes on from where it stood.
        let gone = |u: OrgId| if u.0 == 2 { vec![] } else { vec![u] };
        assert_eq!(rules.turns(Some(OrgId(2)), &o(&[1, 3, 4]), gone), o(&[3, 4, 1]));
        let twice = ClusterRules { rotation: o(&[1, 1]), ..ClusterRules::default() };
        assert_eq!(twice.validate(), Err(EmulationError::RotationDuplicate(OrgId(1))));
        assert_eq!(ClusterRules { scale: 0, ..ClusterRules::default() }.validate(), Err(EmulationError::Scale));
    }

    #[test]
    fn membership_carries_through_merges_and_splits() {
        let s = |p: i64, q: i64, kind| Succession { predecessor: OrgId(p), successor: OrgId(q), date: date(2025, 7, 1), kind, event: EventId(1) };
        // 1 and 2 merge into 10; 3 splits into 11 and 12; 4 is dissolved; 5 stays.
        let successions = [s(1, 10, SuccessionKind::Merge), s(2, 10, SuccessionKind::Merge), s(3, 11, SuccessionKind::Split), s(3, 12, SuccessionKind::Split)];
        let live = |o: OrgId| [5, 10, 11, 12].contains(&o.0);
        let next = carry_members(&[OrgId(1), OrgId(2), OrgId(3), OrgId(4), OrgId(5)], &successions, live);
        assert_eq!(next, [OrgId(10), OrgId(11), OrgId(12), OrgId(5)]);
    }

    #[test]
    fn covenants_and_tasks() {
        let mut entries = BTreeMap::new();
        entries.insert(OrgId(1), CovenantEntry::Signed { on: date(2023, 3, 10), signatory: "Trưởng ban".into() });
        entries.insert(OrgId(2), CovenantEntry::Absent { reason: "Đi công tác".into() });
        assert_eq!(covenant_missing(&[OrgId(1), OrgId(2), OrgId(3)], &entries), [OrgId(3)]);
        assert!(covenant_missing(&[OrgId(1), OrgId(2)], &entries).is_empty());
        assert!(task_overdue(TaskStatus::Open, Some(date(2023, 12, 31)), date(2024, 1, 1)));
        assert!(!task_overdue(TaskStatus::Done, Some(date(2023, 12, 31)), date(2024, 1, 1)));
        assert!(!task_overdue(TaskStatus::InProgress, None, date(2024, 1, 1)));
        assert!(!task_overdue(TaskStatus::InProgress, Some(date(2024, 1, 1)), date(2024, 1, 1)), "due today is not late");
    }

    #[test]
    fn typed_tables_read_and_write_back() {
        let text = "1 | Công tác tổ chức | 600\n1.1 | Kiện toàn tổ chức | 400 | | báo cáo, văn bản\n1.2 | Đảng viên | 200\n\n2 | Công tác cán bộ | 400\nT | Sáng kiến | 50 | Thưởng\nTr | Chậm báo cáo | 100 | trừ";
        let table = parse_criteria(text).expect("reads");
        assert_eq!(table.len(), 6);
        assert_eq!(table[1].parent.as_deref(), Some("1"));
        assert_eq!(table[1].evidence, ["báo cáo", "văn bản"]);
        assert_eq!(table[4].kind, CriterionKind::Bonus);
        assert_eq!(table[5].kind, CriterionKind::Penalty);
        assert_eq!(validate_table(&table, 1000), Ok(()));
        assert_eq!(parse_criteria(&format_criteria(&table)), Ok(table));
        assert_eq!(parse_criteria("1 | Tiêu chí"), Err(CriteriaLineError::Shape { line: 1 }));
        assert_eq!(parse_criteria("\n1 | Tiêu chí | mười"), Err(CriteriaLineError::Points { line: 2 }));
        assert_eq!(parse_criteria("1 | Tiêu chí | 10 | cộng"), Err(CriteriaLineError::Kind { line: 1 }));
        assert_eq!(parse_criteria("1 | Tiêu chí | 1.000").map(|t| t[0].max_points), Ok(1000), "Vietnamese thousands");
        assert_eq!(parse_criteria("1 | Tiêu chí | 2.5"), Err(CriteriaLineError::Points { line: 1 }), "not read as 25");
        assert_eq!(parse_criteria(". | Tiêu chí | 5"), Err(CriteriaLineError::Shape { line: 1 }));
    }
}
