//! Party badges (Huy hiệu Đảng): who reaches which milestone by a presentation day, and whether an
//! award is allowed — on time, or early for serious illness within the rulebook's limit.

use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;

use crate::member::{milestone_date, Gap};
use crate::rulebook::MembershipRules;

/// A member's next badge as seen from a presentation day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadgeDue {
    pub milestone: u16,
    /// The day the member reaches the milestone.
    pub due: Date,
    /// Presented before the due day, for serious illness.
    pub early: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadgeError {
    #[error("{0} years is not a badge milestone")]
    NotAMilestone(u16),
    #[error("the {0}-year badge was already awarded")]
    AlreadyAwarded(u16),
    #[error("the member is not yet official")]
    Probationary,
    #[error("the {milestone}-year badge falls due on {due:?}; the earliest allowed award date is {earliest:?}")]
    NotDue { milestone: u16, due: Option<Date>, earliest: Option<Date> },
}

/// The facts about one member that badges depend on.
#[derive(Debug, Clone)]
pub struct BadgeFacts<'a> {
    pub admitted_on: Date,
    pub official_on: Option<Date>,
    pub gaps: &'a [Gap],
    pub awarded: &'a [u16],
    pub seriously_ill: bool,
}

fn months_before(d: Date, months: i32) -> Option<Date> {
    d.checked_sub(Span::new().months(months)).ok()
}

/// The presentation days from `from` (inclusive) up to `until` (exclusive).
pub fn presentation_days(rules: &MembershipRules, from: Date, until: Date) -> Vec<Date> {
    let mut out = Vec::new();
    for year in from.year()..=until.year() {
        for (m, d) in &rules.presentation_days {
            if let Ok(day) = Date::new(year, *m, *d)
                && day >= from
                && day < until
            {
                out.push(day);
            }
        }
    }
    out.sort();
    out
}

/// The lowest milestone not yet awarded that the member can receive on `presentation`: due by
/// then, or — for a seriously ill member — due within the early-award window after it.
pub fn due_on(rules: &MembershipRules, f: &BadgeFacts, presentation: Date) -> Option<BadgeDue> {
    if f.official_on.is_none_or(|o| o > presentation) {
        return None;
    }
    let milestone = rules.badge_milestones.iter().copied().find(|m| !f.awarded.contains(m))?;
    let due = milestone_date(f.admitted_on, f.gaps, milestone)?;
    if due <= presentation {
        return Some(BadgeDue { milestone, due, early: false });
    }
    let window = rules.early_months(milestone);
    let earliest = months_before(due, window)?;
    (f.seriously_ill && window > 0 && earliest <= presentation).then_some(BadgeDue { milestone, due, early: true })
}

/// The latest admission day of a member who could receive a milestone on a presentation day:
/// on time, or early for a seriously ill member. A gap only delays a milestone, and an early award
/// comes at most the milestone's early window before. A month more absorbs the month-end days of
/// calendar arithmetic, so every member `due_on` finds due the milestone was admitted by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestAdmission {
    pub milestone: u16,
    pub on_time: Date,
    pub early: Date,
}

/// Each milestone's latest admission for `presentation`.
pub fn latest_admissions(rules: &MembershipRules, presentation: Date) -> Vec<LatestAdmission> {
    let month = |d: Date, months: i32| d.checked_add(Span::new().months(months + 1)).ok();
    rules
        .badge_milestones
        .iter()
        .filter_map(|&milestone| {
            let reached = presentation.checked_sub(Span::new().years(i64::from(milestone))).ok()?;
            Some(LatestAdmission { milestone, on_time: month(reached, 0)?, early: month(reached, rules.early_months(milestone))? })
        })
        .collect()
}

/// Checks an award before it is recorded; returns whether it is early.
pub fn check_award(rules: &MembershipRules, f: &BadgeFacts, milestone: u16, awarded_on: Date) -> Result<bool, BadgeError> {
    if !rules.badge_milestones.contains(&milestone) {
        return Err(BadgeError::NotAMilestone(milestone));
    }
    if f.awarded.contains(&milestone) {
        return Err(BadgeError::AlreadyAwarded(milestone));
    }
    if f.official_on.is_none_or(|o| o > awarded_on) {
        return Err(BadgeError::Probationary);
    }
    let due = milestone_date(f.admitted_on, f.gaps, milestone);
    let earliest = due.and_then(|d| if f.seriously_ill { months_before(d, rules.early_months(milestone)) } else { Some(d) });
    match (due, earliest) {
        (Some(d), _) if d <= awarded_on => Ok(false),
        (Some(_), Some(e)) if e <= awarded_on => Ok(true),
        _ => Err(BadgeError::NotDue { milestone, due, earliest }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;
    use jiff::civil::date;

    fn facts<'a>(admitted: Date, awarded: &'a [u16], ill: bool) -> BadgeFacts<'a> {
        BadgeFacts { admitted_on: admitted, official_on: admitted.checked_add(Span::new().years(1)).ok(), gaps: &[], awarded, seriously_ill: ill }
    }

    #[test]
    fn nobody_admitted_after_the_latest_admission_is_due() {
        let book = Rulebook::shipped().expect("rules");
        let rules = book.membership_on(date(2026, 1, 1)).expect("rules");
        let day = date(2026, 9, 2);
        let latest = latest_admissions(rules, day);
        assert_eq!(latest.len(), rules.badge_milestones.len());
        // Thirty years back and a month; early, its window (12 months) more. Seventy years back,
        // early by 24 months.
        assert_eq!(latest[0], LatestAdmission { milestone: 30, on_time: date(1996, 10, 2), early: date(1997, 10, 2) });
        assert_eq!((latest[7].milestone, latest[7].early), (70, date(1958, 10, 2)));
        // The earliest possible award: 30 years, seriously ill, 12 months early, is inside.
        assert!(due_on(rules, &facts(date(1997, 9, 2), &[], true), day).is_some());
        for (k, l) in latest.iter().enumerate() {
            let before = &rules.badge_milestones[..k];
            let on_time = l.on_time.checked_sub(Span::new().months(1)).expect("a day");
            assert_eq!(due_on(rules, &facts(on_time, before, false), day).map(|d| d.milestone), Some(l.milestone));
            let day_after = |d: Date| d.checked_add(Span::new().days(1)).expect("a day");
            assert_eq!(due_on(rules, &facts(day_after(on_time), before, false), day), None, "{} years on time", l.milestone);
            let early = on_time.checked_add(Span::new().months(rules.early_months(l.milestone))).expect("a day");
            assert_eq!(due_on(rules, &facts(early, before, true), day).map(|d| d.milestone), Some(l.milestone));
            for ill in [false, true] {
                assert_eq!(due_on(rules, &facts(day_after(early), before, ill), day), None, "{} years early", l.milestone);
                assert_eq!(due_on(rules, &facts(day_after(l.early), before, ill), day), None, "{} years early", l.milestone);
            }
        }
    }

    #[test]
    fn milestones_fall_due_on_presentation_days() {
        let book = Rulebook::shipped().expect("rules");
        let rules = book.membership_on(date(2026, 1, 1)).expect("rules");
        assert_eq!(rules.badge_milestones, [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]);
        assert_eq!(presentation_days(rules, date(2026, 1, 1), date(2027, 1, 1)), [date(2026, 2, 3), date(2026, 5, 19), date(2026, 9, 2), date(2026, 11, 7)]);
        // Admitted 15/8/1996: 30 years on 15/8/2026, presented on 2/9/2026, not on 19/5/2026.
        let f = facts(date(1996, 8, 15), &[], false);
        assert_eq!(due_on(rules, &f, date(2026, 5, 19)), None);
        assert_eq!(due_on(rules, &f, date(2026, 9, 2)), Some(BadgeDue { milestone: 30, due: date(2026, 8, 15), early: false }));
        // After 30 and 40 come 45: the list skips what was awarded.
        let f = facts(date(1980, 1, 10), &[30, 40], false);
        assert_eq!(due_on(rules, &f, date(2026, 2, 3)).map(|d| d.milestone), Some(45));
        let f = facts(date(1930, 1, 1), &[30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90], false);
        assert_eq!(due_on(rules, &f, date(2026, 2, 3)), None, "nothing after 90");
    }

    #[test]
    fn early_award_limits() {
        let book = Rulebook::shipped().expect("rules");
        let rules = book.membership_on(date(2026, 1, 1)).expect("rules");
        // 30 years due 15/8/2026: seriously ill members may get it 12 months early, from 15/8/2025.
        let ill = facts(date(1996, 8, 15), &[], true);
        assert_eq!(check_award(rules, &ill, 30, date(2025, 9, 2)), Ok(true));
        assert!(matches!(check_award(rules, &ill, 30, date(2025, 5, 19)), Err(BadgeError::NotDue { .. })), "more than 12 months early");
        assert_eq!(check_award(rules, &ill, 30, date(2025, 8, 15)), Ok(true), "exactly 12 months early");
        let well = facts(date(1996, 8, 15), &[], false);
        assert!(matches!(check_award(rules, &well, 30, date(2025, 9, 2)), Err(BadgeError::NotDue { .. })));
        assert_eq!(check_award(rules, &well, 30, date(2026, 9, 2)), Ok(false));
        // 70 years: up to 24 months early.
        let old = facts(date(1957, 3, 1), &[30, 40, 45, 50, 55, 60, 65], true);
        assert_eq!(check_award(rules, &old, 70, date(2025, 3, 1)), Ok(true));
        assert!(check_award(rules, &old, 70, date(2025, 2, 3)).is_err());
        assert_eq!(due_on(rules, &old, date(2025, 5, 19)).map(|d| (d.milestone, d.early)), Some((70, true)));
        // Other refusals.
        assert_eq!(check_award(rules, &well, 35, date(2030, 1, 1)), Err(BadgeError::NotAMilestone(35)));
        let done = facts(date(1996, 8, 15), &[30], false);
        assert_eq!(check_award(rules, &done, 30, date(2030, 1, 1)), Err(BadgeError::AlreadyAwarded(30)));
        let probationary = BadgeFacts { official_on: None, ..well.clone() };
        assert_eq!(check_award(rules, &probationary, 30, date(2030, 1, 1)), Err(BadgeError::Probationary));
    }
}
