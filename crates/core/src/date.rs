//! Calendar dates as users type and read them: `dd/mm/yyyy` in the UI, ISO `yyyy-mm-dd` in the API
//! and in storage.

use jiff::civil::Date;

/// Parses a date typed by a user: `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) or ISO
/// `yyyy-mm-dd` (what `<input type="date">` sends). Returns `None` for anything else, including
/// impossible dates such as 31/02/2025.
pub fn parse_date(input: &str) -> Option<Date> {
    let s = input.trim();
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let num = |p: &str| p.parse::<i32>().ok();
    let (year, month, day) = if parts[0].len() == 4 {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 {
        (num(parts[2])?, num(parts[1])?, num(parts[0])?)
    } else {
        return None;
    };
    let year = i16::try_from(year).ok()?;
    let month = i8::try_from(month).ok()?;
    let day = i8::try_from(day).ok()?;
    Date::new(year, month, day).ok()
}

/// `dd/mm/yyyy`, the form Vietnamese documents use.
pub fn format_date(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// `ngày 05 tháng 02 năm 2024`, `ngày 22 tháng 9 năm 2023`: the place-and-date line of a Party
/// document, where a day below 10 and the months 1 and 2 take a leading zero (so that a date on
/// paper cannot be extended by hand).
pub fn long_date(date: Date) -> String {
    let month = if date.month() <= 2 { format!("{:02}", date.month()) } else { date.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// ISO `yyyy-mm-dd`, for storage, the API and `<input type="date">`.
pub fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_dates_pad_small_days_and_the_first_two_months() {
        assert_eq!(long_date(Date::constant(2023, 9, 22)), "ngày 22 tháng 9 năm 2023");
        assert_eq!(long_date(Date::constant(2024, 2, 5)), "ngày 05 tháng 02 năm 2024");
        assert_eq!(long_date(Date::constant(2023, 3, 10)), "ngày 10 tháng 3 năm 2023");
    }
    use jiff::civil::date;

    #[test]
    fn parses_vietnamese_and_iso_forms() {
        assert_eq!(parse_date("01/07/2025"), Some(date(2025, 7, 1)));
        assert_eq!(parse_date("1/7/2025"), Some(date(2025, 7, 1)));
        assert_eq!(parse_date(" 23-05-2023 "), Some(date(2023, 5, 23)));
        assert_eq!(parse_date("2023-05-23"), Some(date(2023, 5, 23)));
        assert_eq!(parse_date("29.12.2022"), Some(date(2022, 12, 29)));
    }

    #[test]
    fn refuses_impossible_or_malformed_dates() {
        for bad in ["31/02/2025", "2025/13/01", "", "abc", "1/2", "01/07/25", "+1/07/2025", "99999-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_day_first() {
        assert_eq!(format_date(date(2023, 9, 22)), "22/09/2023");
        assert_eq!(iso(date(2023, 9, 2)), "2023-09-02");
    }
}
