//! Party members (đảng viên): identity, membership dates, interruptions, and party age (tuổi
//! Đảng) explained period by period.

use jiff::civil::Date;
use jiff::{Span, SpanRound, Unit};
use serde::{Deserialize, Serialize};

use crate::org::OrgId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn from_code(code: &str) -> Option<Gender> {
        match code {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// Province codes that open a citizen identity number (Thông tư 07/2016/TT-BCA).
const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48,
    49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// A citizen identity number (căn cước công dân): 12 digits — province of birth registration (3),
/// century and gender (1), last two digits of the birth year (2), serial (6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cccd(String);

impl Cccd {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number read back from storage, where it was checked by [`Cccd::parse`] on the way in.
    pub fn from_stored(digits: String) -> Cccd {
        Cccd(digits)
    }

    /// Parses and checks a number against the holder's birth date and gender.
    pub fn parse(raw: &str, birth: Date, gender: Gender) -> Result<Cccd, MemberError> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(MemberError::CccdNotDigits);
        }
        if digits.len() != 12 {
            return Err(MemberError::CccdLength { got: digits.chars().count() });
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<u16>().unwrap_or(u16::MAX);
        if !PROVINCE_CODES.contains(&num(0..3)) {
            return Err(MemberError::CccdProvince { code: digits[0..3].to_owned() });
        }
        let code = num(3..4);
        let century = 1900 + 100 * i32::from(code / 2);
        let code_gender = if code % 2 == 0 { Gender::Male } else { Gender::Female };
        let year = i32::from(birth.year());
        if century != year - year.rem_euclid(100) || i32::from(num(4..6)) != year.rem_euclid(100) {
            return Err(MemberError::CccdBirthYear { year });
        }
        if code_gender != gender {
            return Err(MemberError::CccdGender);
        }
        Ok(Cccd(digits))
    }
}

/// Why a member interrupted their membership; the time does not count towards party age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// Khai trừ.
    Expelled,
    /// Xóa tên.
    Removed,
    /// Mất liên lạc.
    LostContact,
    /// Khoảng trống khi chuyển sinh hoạt.
    TransferGap,
}

impl GapKind {
    pub const ALL: [GapKind; 4] = [GapKind::Expelled, GapKind::Removed, GapKind::LostContact, GapKind::TransferGap];

    pub fn code(self) -> &'static str {
        match self {
            GapKind::Expelled => "expelled",
            GapKind::Removed => "removed",
            GapKind::LostContact => "lost_contact",
            GapKind::TransferGap => "transfer_gap",
        }
    }

    pub fn from_code(code: &str) -> Option<GapKind> {
        GapKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A period that does not count towards party age: `[from, to)`, open while `to` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub kind: GapKind,
    pub from: Date,
    pub to: Option<Date>,
    pub note: Option<String>,
}

/// A member's record as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub cccd: Option<Cccd>,
    /// Số thẻ đảng viên.
    pub party_card: Option<String>,
    /// Date of the admission decision (ngày vào Đảng).
    pub admitted_on: Date,
    /// Date the member became official (ngày chính thức); `None` while probationary.
    pub official_on: Option<Date>,
    pub org: OrgId,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Seriously ill: a badge may be awarded early.
    pub seriously_ill: bool,
}

/// What is wrong with a member record or an identity number; each names the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("the name is empty")]
    EmptyName,
    #[error("the CCCD has {got} digits, not 12")]
    CccdLength { got: usize },
    #[error("the CCCD contains characters other than digits")]
    CccdNotDigits,
    #[error("the CCCD starts with {code}, which is not a province code")]
    CccdProvince { code: String },
    #[error("the CCCD does not match the birth year {year}")]
    CccdBirthYear { year: i32 },
    #[error("the CCCD does not match the gender")]
    CccdGender,
    #[error("the party card number is 6 to 12 digits")]
    PartyCard,
    #[error("the birth date is in the future")]
    BornInFuture,
    #[error("a member is admitted at 18 or older")]
    AdmittedTooYoung,
    #[error("the admission date is in the future")]
    AdmittedInFuture,
    #[error("the official date comes at least 12 months after admission")]
    OfficialTooEarly,
    #[error("the official date is in the future")]
    OfficialInFuture,
    #[error("the {field} is too long")]
    TooLong { field: &'static str },
    #[error("the e-mail address is not valid")]
    Email,
    #[error("a period ends before it starts")]
    GapOrder,
    #[error("a period starts before admission")]
    GapBeforeAdmission,
    #[error("this CCCD belongs to another member")]
    DuplicateCccd,
    #[error("the {field} is not a valid date")]
    BadDate { field: &'static str },
    #[error("the {field} is required")]
    Required { field: &'static str },
}

impl MemberError {
    /// The form field the error belongs next to.
    pub fn field(&self) -> &'static str {
        use MemberError::*;
        match self {
            EmptyName => "full_name",
            CccdLength { .. } | CccdNotDigits | CccdProvince { .. } | CccdBirthYear { .. } | CccdGender | DuplicateCccd => "cccd",
            PartyCard => "party_card",
            BornInFuture => "birth_date",
            AdmittedTooYoung | AdmittedInFuture => "admitted_on",
            OfficialTooEarly | OfficialInFuture => "official_on",
            TooLong { field } => field,
            Email => "email",
            GapOrder | GapBeforeAdmission => "gap",
            BadDate { field } | Required { field } => field,
        }
    }
}

pub fn check_party_card(raw: &str) -> Result<String, MemberError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if (6..=12).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) { Ok(digits) } else { Err(MemberError::PartyCard) }
}

fn years_after(d: Date, years: i16) -> Date {
    d.checked_add(Span::new().years(years)).unwrap_or(d)
}

impl MemberRecord {
    /// Every problem with the record, so a form can show them all at once.
    pub fn validate(&self, today: Date) -> Vec<MemberError> {
        let mut errors = Vec::new();
        if self.full_name.trim().is_empty() {
            errors.push(MemberError::EmptyName);
        }
        for (field, value, max) in [
            ("full_name", Some(&self.full_name), 120),
            ("phone", self.phone.as_ref(), 30),
            ("email", self.email.as_ref(), 120),
            ("address", self.address.as_ref(), 300),
        ] {
            if value.is_some_and(|v| v.chars().count() > max) {
                errors.push(MemberError::TooLong { field });
            }
        }
        if self.email.as_ref().is_some_and(|e| !e.is_empty() && (!e.contains('@') || e.contains(' '))) {
            errors.push(MemberError::Email);
        }
        if self.birth_date > today {
            errors.push(MemberError::BornInFuture);
        }
        if self.admitted_on > today {
            errors.push(MemberError::AdmittedInFuture);
        } else if self.admitted_on < years_after(self.birth_date, 18) {
            errors.push(MemberError::AdmittedTooYoung);
        }
        if let Some(official) = self.official_on {
            if official > today {
                errors.push(MemberError::OfficialInFuture);
            } else if official < self.admitted_on.checked_add(Span::new().months(12)).unwrap_or(self.admitted_on) {
                errors.push(MemberError::OfficialTooEarly);
            }
        }
        errors
    }
}

/// One line of the party-age explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum AgeStep {
    /// Counting starts at the admission decision.
    Admitted { on: Date },
    /// Official from this date, so the probationary year counts too.
    Official { on: Date },
    /// Still probationary on the date asked: party age is not yet counted.
    Probationary,
    /// A period that does not count.
    Excluded { kind: GapKind, from: Date, to: Date, days: i32 },
    /// The result.
    Total { years: i16, months: i8, days: i8 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyAge {
    pub years: i16,
    pub months: i8,
    pub days: i8,
    /// Whether party age counts at all yet (the member is official).
    pub counted: bool,
    pub steps: Vec<AgeStep>,
}

/// Gaps clipped to `[start, end)` and merged where they overlap, with their kinds.
fn excluded(gaps: &[Gap], start: Date, end: Date) -> Vec<(GapKind, Date, Date)> {
    let mut spans: Vec<(GapKind, Date, Date)> = gaps
        .iter()
        .filter_map(|g| {
            let from = g.from.max(start);
            let to = g.to.unwrap_or(end).min(end);
            (from < to).then_some((g.kind, from, to))
        })
        .collect();
    spans.sort_by_key(|s| s.1);
    let mut merged: Vec<(GapKind, Date, Date)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.1 <= last.2 => last.2 = last.2.max(s.2),
            _ => merged.push(s),
        }
    }
    merged
}

/// Whole days from `a` to `b` (`Date::until` counts in days by default).
fn days_between(a: Date, b: Date) -> i32 {
    a.until(b).map_or(0, |s| s.get_days())
}

/// Forms of party discipline, lightest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisciplineForm {
    /// Khiển trách.
    Reprimand,
    /// Cảnh cáo.
    Warning,
    /// Cách chức.
    Dismissal,
    /// Khai trừ.
    Expulsion,
}

impl DisciplineForm {
    pub const ALL: [DisciplineForm; 4] = [DisciplineForm::Reprimand, DisciplineForm::Warning, DisciplineForm::Dismissal, DisciplineForm::Expulsion];

    pub fn code(self) -> &'static str {
        match self {
            DisciplineForm::Reprimand => "reprimand",
            DisciplineForm::Warning => "warning",
            DisciplineForm::Dismissal => "dismissal",
            DisciplineForm::Expulsion => "expulsion",
        }
    }

    pub fn from_code(code: &str) -> Option<DisciplineForm> {
        DisciplineForm::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// Party age on `on`: from the admission decision once the member is official, less the gaps.
pub fn party_age(admitted_on: Date, official_on: Option<Date>, gaps: &[Gap], on: Date) -> PartyAge {
    let mut steps = vec![AgeStep::Admitted { on: admitted_on }];
    let official = official_on.filter(|o| *o <= on);
    let Some(official) = official else {
        steps.push(AgeStep::Probationary);
        return PartyAge { years: 0, months: 0, days: 0, counted: false, steps };
    };
    steps.push(AgeStep::Official { on: official });
    let mut gap_days = 0;
    for (kind, from, to) in excluded(gaps, admitted_on, on) {
        let days = days_between(from, to);
        gap_days += days;
        steps.push(AgeStep::Excluded { kind, from, to, days });
    }
    let effective_start = admitted_on.checked_add(Span::new().days(gap_days)).unwrap_or(admitted_on);
    let span = effective_start
        .until(on)
        .and_then(|s| s.round(SpanRound::new().largest(Unit::Year).relative(effective_start)))
        .unwrap_or_default();
    let (years, months, days) = if effective_start > on {
        (0, 0, 0)
    } else {
        (span.get_years(), span.get_months() as i8, span.get_days() as i8)
    };
    steps.push(AgeStep::Total { years, months, days });
    PartyAge { years, months, days, counted: true, steps }
}

/// The day a member reaches `years` of party age, counting gaps that fall before it; `None` while
/// a gap is still open before that day.
pub fn milestone_date(admitted_on: Date, gaps: &[Gap], years: u16) -> Option<Date> {
    let base = years_after(admitted_on, i16::try_from(years).ok()?);
    let mut due = base;
    for _ in 0..64 {
        if gaps.iter().any(|g| g.to.is_none() && g.from < due) {
            return None;
        }
        let gap: i32 = excluded(gaps, admitted_on, due).iter().map(|(_, f, t)| days_between(*f, *t)).sum();
        let next = base.checked_add(Span::new().days(gap)).ok()?;
        if next == due {
            return Some(due);
        }
        due = next;
    }
    Some(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn gap(kind: GapKind, from: Date, to: Option<Date>) -> Gap {
        Gap { kind, from, to, note: None }
    }

    #[test]
    fn worked_example_counts_from_admission_once_official() {
        let a = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &[], date(2025, 7, 26));
        assert!(a.counted);
        assert_eq!((a.years, a.months, a.days), (10, 0, 0));
        assert_eq!(a.steps.first(), Some(&AgeStep::Admitted { on: date(2015, 7, 26) }));
        // Before becoming official nothing counts, even though counting will start at admission.
        let p = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &[], date(2016, 7, 25));
        assert!(!p.counted);
        assert!(p.steps.contains(&AgeStep::Probationary));
        let q = party_age(date(2015, 7, 26), None, &[], date(2020, 1, 1));
        assert!(!q.counted);
        let t = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &[], date(2016, 7, 26));
        assert_eq!((t.years, t.months, t.days), (1, 0, 0), "the probationary year counts");
    }

    #[test]
    fn gaps_are_subtracted_and_explained() {
        // Removed from the rolls for 90 days in 2018, re-admitted.
        let gaps = [gap(GapKind::Removed, date(2018, 3, 1), Some(date(2018, 5, 30)))];
        let a = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &gaps, date(2025, 7, 26));
        assert_eq!(a.steps[2], AgeStep::Excluded { kind: GapKind::Removed, from: date(2018, 3, 1), to: date(2018, 5, 30), days: 90 });
        // 10 years less 90 days: effective start 24/10/2015.
        assert_eq!((a.years, a.months, a.days), (9, 9, 2));
        // Overlapping gaps count once.
        let both = [gap(GapKind::LostContact, date(2018, 4, 1), Some(date(2018, 6, 1))), gaps[0].clone()];
        let b = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &both, date(2025, 7, 26));
        let excluded_days: i32 = b.steps.iter().filter_map(|s| if let AgeStep::Excluded { days, .. } = s { Some(*days) } else { None }).sum();
        assert_eq!(excluded_days, 92);
        // An open gap stops the count at its start.
        let open = [gap(GapKind::LostContact, date(2024, 1, 1), None)];
        let c = party_age(date(2015, 7, 26), Some(date(2016, 7, 26)), &open, date(2025, 7, 26));
        assert_eq!(c.years, 8);
    }

    #[test]
    fn milestones_shift_by_the_gaps_before_them() {
        assert_eq!(milestone_date(date(1995, 9, 2), &[], 30), Some(date(2025, 9, 2)));
        let gaps = [gap(GapKind::Removed, date(2000, 1, 1), Some(date(2000, 1, 31)))];
        assert_eq!(milestone_date(date(1995, 9, 2), &gaps, 30), Some(date(2025, 10, 2)));
        // A gap after the milestone does not move it.
        let late = [gap(GapKind::Removed, date(2030, 1, 1), Some(date(2030, 3, 1)))];
        assert_eq!(milestone_date(date(1995, 9, 2), &late, 30), Some(date(2025, 9, 2)));
        // A gap still open before the milestone: not reachable yet.
        let open = [gap(GapKind::LostContact, date(2020, 1, 1), None)];
        assert_eq!(milestone_date(date(1995, 9, 2), &open, 30), None);
        // Consistency with party_age: on the milestone day the age is exactly the milestone.
        let due = milestone_date(date(1995, 9, 2), &gaps, 30).expect("due");
        let age = party_age(date(1995, 9, 2), Some(date(1996, 9, 2)), &gaps, due);
        assert_eq!((age.years, age.months, age.days), (30, 0, 0));
    }

    #[test]
    fn cccd_is_checked_against_birth_and_gender() {
        let born = date(1985, 4, 12);
        assert_eq!(Cccd::parse("079085001234", born, Gender::Male).map(|c| c.as_str().to_owned()), Ok("079085001234".into()));
        assert!(Cccd::parse("079 185 001 234", born, Gender::Female).is_ok(), "spaces are tolerated");
        assert_eq!(Cccd::parse("07908500123", born, Gender::Male), Err(MemberError::CccdLength { got: 11 }));
        assert_eq!(Cccd::parse("07908500123a", born, Gender::Male), Err(MemberError::CccdNotDigits));
        assert_eq!(Cccd::parse("003085001234", born, Gender::Male), Err(MemberError::CccdProvince { code: "003".into() }));
        assert_eq!(Cccd::parse("079086001234", born, Gender::Male), Err(MemberError::CccdBirthYear { year: 1985 }));
        assert_eq!(Cccd::parse("079285001234", born, Gender::Male), Err(MemberError::CccdBirthYear { year: 1985 }), "21st-century code");
        assert_eq!(Cccd::parse("079185001234", born, Gender::Male), Err(MemberError::CccdGender));
        assert!(Cccd::parse("001203001234", date(2003, 1, 1), Gender::Male).is_ok());
        assert!(Cccd::parse("001303001234", date(2003, 1, 1), Gender::Female).is_ok());
    }

    #[test]
    fn records_are_validated_field_by_field() {
        let today = date(2026, 1, 1);
        let ok = MemberRecord {
            full_name: "Nguyễn Thị Hoa".into(),
            birth_date: date(1990, 5, 1),
            gender: Gender::Female,
            cccd: None,
            party_card: None,
            admitted_on: date(2015, 7, 26),
            official_on: Some(date(2016, 7, 26)),
            org: OrgId(1),
            phone: None,
            email: Some("hoa@example.vn".into()),
            address: None,
            seriously_ill: false,
        };
        assert!(ok.validate(today).is_empty());
        let bad = MemberRecord {
            full_name: " ".into(),
            admitted_on: date(2007, 1, 1),
            official_on: Some(date(2007, 6, 1)),
            email: Some("hoa".into()),
            ..ok.clone()
        };
        let fields: Vec<&str> = bad.validate(today).iter().map(MemberError::field).collect();
        assert_eq!(fields, ["full_name", "email", "admitted_on", "official_on"]);
        assert_eq!(check_party_card("12 345 678"), Ok("12345678".into()));
        assert_eq!(check_party_card("12a"), Err(MemberError::PartyCard));
    }
}
