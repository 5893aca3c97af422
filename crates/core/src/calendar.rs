//! Working days: Monday to Friday, less Vietnam's public holidays. The holidays are data (kept in
//! the database, seeded from `rules/holidays-vn.json`), since the government sets the Tết and
//! swap days each year.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<Date>,
}

/// One day off as listed in the seed file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// The holidays shipped with the binary.
pub fn shipped_holidays() -> Result<Vec<Holiday>, String> {
    #[derive(Deserialize)]
    struct File {
        holidays: Vec<Holiday>,
    }
    let file: File = serde_json::from_str(include_str!("../rules/holidays-vn.json")).map_err(|e| e.to_string())?;
    Ok(file.holidays)
}

impl WorkCalendar {
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> WorkCalendar {
        WorkCalendar { holidays: holidays.into_iter().collect() }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The `n`-th working day after `start` (`start` itself not counted); `start` for `n = 0`.
    pub fn add_working_days(&self, start: Date, n: i32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => return d,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 if `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> i32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Tết 2025 as announced: 25/01 (Saturday) to 02/02 (Sunday); weekdays 27–31/01 off.
    fn tet_2025() -> WorkCalendar {
        WorkCalendar::new((27..=31).map(|d| date(2025, 1, d)))
    }

    #[test]
    fn weekends_are_skipped() {
        let cal = WorkCalendar::default();
        // Friday + 1 working day = Monday.
        assert_eq!(cal.add_working_days(date(2025, 3, 7), 1), date(2025, 3, 10));
        assert_eq!(cal.add_working_days(date(2025, 3, 8), 1), date(2025, 3, 10), "from a Saturday");
        assert_eq!(cal.add_working_days(date(2025, 3, 10), 5), date(2025, 3, 17));
        assert_eq!(cal.add_working_days(date(2025, 3, 10), 0), date(2025, 3, 10));
    }

    #[test]
    fn tet_and_weekends_are_skipped() {
        let cal = tet_2025();
        // Friday 24/01/2025 + 1 working day: the weekend, then Tết until Sunday 02/02 → Monday 03/02.
        assert_eq!(cal.add_working_days(date(2025, 1, 24), 1), date(2025, 2, 3));
        // 30 working days from Thursday 16/01/2025: 6 days to 24/01, then 24 more from 03/02.
        assert_eq!(cal.add_working_days(date(2025, 1, 16), 30), date(2025, 3, 6));
        assert_eq!(cal.working_days_between(date(2025, 1, 16), date(2025, 3, 6)), 30);
        assert_eq!(WorkCalendar::default().add_working_days(date(2025, 1, 16), 30), date(2025, 2, 27), "without Tết");
        assert_eq!(cal.working_days_between(date(2025, 1, 24), date(2025, 2, 2)), 0);
        assert!(!cal.is_working_day(date(2025, 1, 29)));
        assert!(cal.is_working_day(date(2025, 2, 3)));
    }

    #[test]
    fn the_shipped_calendar_parses_and_covers_tet() {
        let days = shipped_holidays().expect("holidays parse");
        let cal = WorkCalendar::new(days.iter().map(|h| h.date));
        assert!(!cal.is_working_day(date(2025, 1, 29)), "Tết Ất Tỵ");
        assert!(!cal.is_working_day(date(2026, 2, 17)), "Tết Bính Ngọ");
        assert!(!cal.is_working_day(date(2025, 9, 2)), "Quốc khánh");
        assert!(days.iter().all(|h| !h.name.is_empty()));
    }
}
