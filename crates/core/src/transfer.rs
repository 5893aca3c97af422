//! Membership transfers (chuyển sinh hoạt đảng): a state machine with working-day deadlines.
//!
//! introduced → reported (the member presented the letter) → received → completed, or returned
//! (refused, with a reason) or cancelled before completion.

use jiff::civil::Date;
use jiff::Span;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::rulebook::MembershipRules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Giới thiệu: the letter of introduction is issued.
    Introduced,
    /// Đã trình giấy: the member presented the letter to the receiving organization.
    Reported,
    /// Tiếp nhận: the receiving organization accepted the member.
    Received,
    /// Hoàn tất: the member belongs to the receiving organization, with their file.
    Completed,
    /// Trả lại.
    Returned,
    /// Hủy.
    Cancelled,
}

impl TransferState {
    pub const ALL: [TransferState; 6] = [
        TransferState::Introduced,
        TransferState::Reported,
        TransferState::Received,
        TransferState::Completed,
        TransferState::Returned,
        TransferState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TransferState::Introduced => "introduced",
            TransferState::Reported => "reported",
            TransferState::Received => "received",
            TransferState::Completed => "completed",
            TransferState::Returned => "returned",
            TransferState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<TransferState> {
        TransferState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_open(self) -> bool {
        matches!(self, TransferState::Introduced | TransferState::Reported | TransferState::Received)
    }
}

/// Why a temporary transfer is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemporaryPurpose {
    /// Stay (work, residence) away from the official organization.
    Stay,
    /// Full-time study.
    Study,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TransferKind {
    /// Chuyển sinh hoạt đảng chính thức.
    Official,
    /// Chuyển sinh hoạt đảng tạm thời, until a date.
    Temporary { purpose: TemporaryPurpose, until: Date },
}

/// What happens to an open transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TransferStep {
    Report { on: Date, late_reason: Option<String> },
    Receive { on: Date },
    Complete { on: Date },
    Return { on: Date, reason: String },
    Cancel { on: Date, reason: String },
}

impl TransferStep {
    pub fn on(&self) -> Date {
        match self {
            TransferStep::Report { on, .. }
            | TransferStep::Receive { on }
            | TransferStep::Complete { on }
            | TransferStep::Return { on, .. }
            | TransferStep::Cancel { on, .. } => *on,
        }
    }

    pub fn target(&self) -> TransferState {
        match self {
            TransferStep::Report { .. } => TransferState::Reported,
            TransferStep::Receive { .. } => TransferState::Received,
            TransferStep::Complete { .. } => TransferState::Completed,
            TransferStep::Return { .. } => TransferState::Returned,
            TransferStep::Cancel { .. } => TransferState::Cancelled,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("a transfer cannot go from {from:?} to {to:?}")]
    Illegal { from: TransferState, to: TransferState },
    #[error("the step is dated before the previous one ({previous})")]
    BeforePrevious { previous: Date },
    #[error("the step is dated in the future")]
    InFuture,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the deadline {deadline} has passed: say who was late and why")]
    LateWithoutReason { deadline: Date },
    #[error("a temporary transfer for this purpose lasts {min} to {max} months")]
    TemporaryDuration { min: i32, max: i32 },
    #[error("the sending and receiving organizations are the same")]
    SameOrganization,
}

/// The dates a transfer is judged by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDates {
    /// The decision or the change of residence that starts the clock.
    pub trigger_on: Date,
    pub introduced_on: Date,
    pub state: TransferState,
    /// Date of the latest step.
    pub last_step_on: Date,
}

/// The working-day deadlines of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// The letter must be issued by this day (official transfers).
    pub introduce_by: Date,
    /// The member must present the letter by this day.
    pub report_by: Date,
}

pub fn deadlines(rules: &MembershipRules, cal: &WorkCalendar, trigger_on: Date, introduced_on: Date) -> Deadlines {
    Deadlines {
        introduce_by: cal.add_working_days(trigger_on, rules.transfer_start_working_days),
        report_by: cal.add_working_days(introduced_on, rules.letter_working_days),
    }
}

/// Checks a new transfer: a late start needs a reason; a temporary one has a lawful duration.
pub fn check_new(
    rules: &MembershipRules,
    cal: &WorkCalendar,
    kind: TransferKind,
    trigger_on: Date,
    introduced_on: Date,
    late_reason: Option<&str>,
    today: Date,
) -> Result<Deadlines, TransferError> {
    if introduced_on > today {
        return Err(TransferError::InFuture);
    }
    if introduced_on < trigger_on {
        return Err(TransferError::BeforePrevious { previous: trigger_on });
    }
    let d = deadlines(rules, cal, trigger_on, introduced_on);
    if kind == TransferKind::Official && introduced_on > d.introduce_by && late_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransferError::LateWithoutReason { deadline: d.introduce_by });
    }
    if let TransferKind::Temporary { purpose, until } = kind {
        let (min, max) = match purpose {
            TemporaryPurpose::Stay => rules.temporary_stay_months,
            TemporaryPurpose::Study => rules.temporary_study_months,
        };
        let at = |months: i32| introduced_on.checked_add(Span::new().months(months)).unwrap_or(introduced_on);
        // A stay lasts "from 3 months to under 1 year"; study "3 months to 2 years" inclusive.
        let too_long = match purpose {
            TemporaryPurpose::Stay => until >= at(max),
            TemporaryPurpose::Study => until > at(max),
        };
        if until < at(min) || too_long {
            return Err(TransferError::TemporaryDuration { min, max });
        }
    }
    Ok(d)
}

/// The state after `step`, or why the step is refused.
pub fn apply(
    rules: &MembershipRules,
    cal: &WorkCalendar,
    t: &TransferDates,
    step: &TransferStep,
    today: Date,
) -> Result<TransferState, TransferError> {
    use TransferState::*;
    let to = step.target();
    let legal = matches!(
        (t.state, to),
        (Introduced, Reported) | (Reported, Received) | (Received, Completed) | (Introduced | Reported, Returned) | (Introduced | Reported | Received, Cancelled)
    );
    if !legal {
        return Err(TransferError::Illegal { from: t.state, to });
    }
    if step.on() < t.last_step_on {
        return Err(TransferError::BeforePrevious { previous: t.last_step_on });
    }
    if step.on() > today {
        return Err(TransferError::InFuture);
    }
    match step {
        TransferStep::Return { reason, .. } | TransferStep::Cancel { reason, .. } if reason.trim().is_empty() => {
            Err(TransferError::ReasonRequired)
        }
        TransferStep::Report { on, late_reason } => {
            let by = deadlines(rules, cal, t.trigger_on, t.introduced_on).report_by;
            if *on > by && late_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(TransferError::LateWithoutReason { deadline: by });
            }
            Ok(to)
        }
        _ => Ok(to),
    }
}

/// Whether an open transfer is overdue on `today`: the letter not presented in time.
pub fn overdue(rules: &MembershipRules, cal: &WorkCalendar, t: &TransferDates, today: Date) -> Option<Date> {
    let by = deadlines(rules, cal, t.trigger_on, t.introduced_on).report_by;
    (t.state == TransferState::Introduced && today > by).then_some(by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;
    use jiff::civil::date;
    use TransferState::*;

    fn setup() -> (MembershipRules, WorkCalendar) {
        let rules = Rulebook::shipped().expect("rules").membership_on(date(2026, 1, 1)).expect("in force").clone();
        (rules, WorkCalendar::new((16..=20).map(|d| date(2026, 2, d))))
    }

    fn dates(state: TransferState, last: Date) -> TransferDates {
        TransferDates { trigger_on: date(2026, 1, 5), introduced_on: date(2026, 1, 12), state, last_step_on: last }
    }

    #[test]
    fn the_happy_path_and_illegal_moves() {
        let (r, cal) = setup();
        let today = date(2026, 6, 1);
        let t = dates(Introduced, date(2026, 1, 12));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Report { on: date(2026, 1, 20), late_reason: None }, today), Ok(Reported));
        let t = dates(Reported, date(2026, 1, 20));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Receive { on: date(2026, 1, 21) }, today), Ok(Received));
        let t = dates(Received, date(2026, 1, 21));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Complete { on: date(2026, 1, 22) }, today), Ok(Completed));
        // Illegal: skip a step, act on a closed transfer, return after receipt.
        let t = dates(Introduced, date(2026, 1, 12));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Complete { on: date(2026, 1, 22) }, today), Err(TransferError::Illegal { from: Introduced, to: Completed }));
        for closed in [Completed, Returned, Cancelled] {
            let t = dates(closed, date(2026, 1, 22));
            assert!(matches!(apply(&r, &cal, &t, &TransferStep::Cancel { on: date(2026, 1, 23), reason: "x".into() }, today), Err(TransferError::Illegal { .. })));
        }
        let t = dates(Received, date(2026, 1, 21));
        assert!(matches!(apply(&r, &cal, &t, &TransferStep::Return { on: date(2026, 1, 23), reason: "x".into() }, today), Err(TransferError::Illegal { .. })));
        // Dates: not before the previous step, not in the future; reasons required.
        let t = dates(Introduced, date(2026, 1, 12));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Report { on: date(2026, 1, 10), late_reason: None }, today), Err(TransferError::BeforePrevious { previous: date(2026, 1, 12) }));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Report { on: date(2026, 7, 1), late_reason: None }, today), Err(TransferError::InFuture));
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Return { on: date(2026, 1, 13), reason: " ".into() }, today), Err(TransferError::ReasonRequired));
    }

    #[test]
    fn deadlines_count_working_days_across_tet() {
        let (r, cal) = setup();
        // Letter issued Monday 12/01/2026: 30 working days with Tết 16–20/02 skipped → 02/03/2026
        // (23/02 on a calendar without holidays).
        let d = deadlines(&r, &cal, date(2026, 1, 5), date(2026, 1, 12));
        assert_eq!(d.report_by, date(2026, 3, 2));
        assert_eq!(WorkCalendar::default().add_working_days(date(2026, 1, 12), 30), date(2026, 2, 23));
        // Start within 60 working days of the decision on 05/01/2026.
        assert_eq!(d.introduce_by, date(2026, 4, 6));
        let t = dates(Introduced, date(2026, 1, 12));
        assert_eq!(overdue(&r, &cal, &t, date(2026, 3, 2)), None);
        assert_eq!(overdue(&r, &cal, &t, date(2026, 3, 3)), Some(date(2026, 3, 2)));
        // Presenting late needs a reason.
        assert_eq!(
            apply(&r, &cal, &t, &TransferStep::Report { on: date(2026, 3, 3), late_reason: None }, date(2026, 3, 3)),
            Err(TransferError::LateWithoutReason { deadline: date(2026, 3, 2) })
        );
        assert_eq!(apply(&r, &cal, &t, &TransferStep::Report { on: date(2026, 3, 3), late_reason: Some("Đảng viên ốm".into()) }, date(2026, 3, 3)), Ok(Reported));
    }

    #[test]
    fn new_transfers_are_checked() {
        let (r, cal) = setup();
        let today = date(2026, 11, 1);
        assert!(check_new(&r, &cal, TransferKind::Official, date(2026, 1, 5), date(2026, 1, 12), None, today).is_ok());
        assert_eq!(
            check_new(&r, &cal, TransferKind::Official, date(2026, 1, 5), date(2026, 5, 4), None, today),
            Err(TransferError::LateWithoutReason { deadline: date(2026, 4, 6) })
        );
        assert!(check_new(&r, &cal, TransferKind::Official, date(2026, 1, 5), date(2026, 5, 4), Some("Chi bộ chậm họp"), today).is_ok());
        let stay = |until| TransferKind::Temporary { purpose: TemporaryPurpose::Stay, until };
        let study = |until| TransferKind::Temporary { purpose: TemporaryPurpose::Study, until };
        assert!(check_new(&r, &cal, stay(date(2026, 4, 12)), date(2026, 1, 5), date(2026, 1, 12), None, today).is_ok());
        assert_eq!(check_new(&r, &cal, stay(date(2026, 3, 1)), date(2026, 1, 5), date(2026, 1, 12), None, today), Err(TransferError::TemporaryDuration { min: 3, max: 12 }));
        assert_eq!(check_new(&r, &cal, stay(date(2027, 1, 12)), date(2026, 1, 5), date(2026, 1, 12), None, today), Err(TransferError::TemporaryDuration { min: 3, max: 12 }), "a stay is under one year");
        assert!(check_new(&r, &cal, study(date(2028, 1, 12)), date(2026, 1, 5), date(2026, 1, 12), None, today).is_ok(), "study up to two years");
        assert!(check_new(&r, &cal, study(date(2028, 1, 13)), date(2026, 1, 5), date(2026, 1, 12), None, today).is_err());
        assert_eq!(check_new(&r, &cal, TransferKind::Official, date(2026, 1, 5), date(2026, 12, 1), None, today), Err(TransferError::InFuture));
    }
}
