//! Demo party members (invented people) in invented party cells of the seeds' units, with badges,
//! interruptions, a file, and membership transfers in every state, one of them overdue.

use jiff::civil::Date;
use thidua_core::audit::AuditRecord;
use thidua_core::member::{Cccd, Gap, GapKind, Gender, MemberId, MemberRecord};
use thidua_core::org::OrgKind;
use thidua_core::transfer::{TemporaryPurpose, TransferKind, TransferState, TransferStep};
use thidua_store::{BadgeRow, TransferRow};

use super::{day, World};
use crate::AppError;

const INVENTED: &str = "Đơn vị minh họa (tên tự đặt cho dữ liệu mẫu).";

/// `(key, name, parent key)` of the party cells created for the demo.
const CELLS: [(&str, &str, &str); 4] = [
    ("cb_satra_vp", "Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn", "du_satra"),
    ("cb_satra_kd", "Chi bộ Phòng Kinh doanh Tổng Công ty Thương mại Sài Gòn", "du_satra"),
    ("cb_resco_cq", "Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn", "du_resco"),
    ("cb_resco_da", "Chi bộ Ban Quản lý dự án Tổng Công ty Địa ốc Sài Gòn", "du_resco"),
];

/// An invented member: `(name, born, gender, admitted, official, cell, CCCD serial, badges held)`.
type Person = (&'static str, (i16, i8, i8), Gender, (i16, i8, i8), Option<(i16, i8, i8)>, &'static str, u32, &'static [u16]);

const PEOPLE: [Person; 16] = [
    ("Nguyễn Văn Bình", (1972, 3, 14), Gender::Male, (1996, 12, 20), Some((1997, 12, 20)), "cb_satra_vp", 101, &[]),
    ("Trần Thị Cúc", (1963, 8, 2), Gender::Female, (1986, 11, 30), Some((1987, 11, 30)), "cb_satra_vp", 102, &[30]),
    ("Lê Văn Dũng", (1935, 5, 19), Gender::Male, (1957, 6, 1), Some((1958, 6, 1)), "cb_satra_vp", 103, &[30, 40, 45, 50, 55, 60, 65]),
    ("Phạm Thị Duyên", (1990, 10, 9), Gender::Female, (2015, 7, 26), Some((2016, 7, 26)), "cb_satra_vp", 104, &[]),
    ("Hoàng Văn Đức", (1985, 1, 21), Gender::Male, (2010, 5, 19), Some((2011, 5, 19)), "cb_satra_vp", 105, &[]),
    ("Đặng Thị Giang", (2001, 6, 30), Gender::Female, (2026, 3, 1), None, "cb_satra_kd", 106, &[]),
    ("Bùi Văn Hải", (1978, 12, 12), Gender::Male, (2003, 2, 3), Some((2004, 2, 3)), "cb_satra_kd", 107, &[]),
    ("Vũ Thị Hạnh", (1982, 4, 4), Gender::Female, (2008, 9, 2), Some((2009, 9, 2)), "cb_satra_kd", 108, &[]),
    ("Đỗ Văn Khải", (1988, 7, 7), Gender::Male, (2014, 11, 7), Some((2015, 11, 7)), "cb_satra_kd", 109, &[]),
    ("Ngô Thị Lệ", (1975, 2, 28), Gender::Female, (2000, 5, 19), Some((2001, 5, 19)), "cb_resco_cq", 110, &[]),
    ("Dương Văn Minh", (1969, 9, 15), Gender::Male, (1994, 3, 26), Some((1995, 3, 26)), "cb_resco_cq", 111, &[30]),
    ("Lý Thị Ngọc", (1993, 11, 11), Gender::Female, (2019, 1, 8), Some((2020, 1, 8)), "cb_resco_cq", 112, &[]),
    ("Trịnh Văn Phúc", (1980, 6, 6), Gender::Male, (2006, 8, 19), Some((2007, 8, 19)), "cb_resco_da", 113, &[]),
    ("Mai Thị Quyên", (1987, 3, 8), Gender::Female, (2012, 6, 12), Some((2013, 6, 12)), "cb_resco_da", 114, &[]),
    ("Tạ Văn Sơn", (1984, 10, 20), Gender::Male, (2009, 12, 22), Some((2010, 12, 22)), "cb_bql_vp", 115, &[]),
    ("Châu Thị Tuyết", (1991, 5, 5), Gender::Female, (2017, 4, 30), Some((2018, 4, 30)), "cb_bql_qldn", 116, &[]),
];

fn ymd((y, m, d): (i16, i8, i8)) -> Date {
    day(y, m, d)
}

/// Ho Chi Minh City's code, the first digits of its people's CCCD.
pub(crate) const HCMC: u16 = 79;

/// A valid CCCD for the person: the province's code, century and gender, birth year, serial.
pub(crate) fn cccd(province: u16, born: Date, gender: Gender, serial: u32) -> Result<Cccd, AppError> {
    let century = (i32::from(born.year()) - 1900) / 100 * 2 + i32::from(gender == Gender::Female);
    let raw = format!("{province:03}{century}{:02}{serial:06}", i32::from(born.year()).rem_euclid(100));
    Cccd::parse(&raw, born, gender).map_err(|e| AppError::Member(vec![e]))
}

pub(super) async fn build(w: &mut World<'_>) -> Result<(), AppError> {
    let start = super::REGISTRY_START;
    for (key, name, parent) in CELLS {
        w.create(key, start, OrgKind::Cell, name, None, Some(parent)).await?;
        w.note(key, INVENTED).await?;
    }
    let now = crate::auth::now_unix();
    let mut ids: Vec<MemberId> = Vec::new();
    for (name, born, gender, admitted, official, cell, serial, badges) in PEOPLE {
        let born = ymd(born);
        let record = MemberRecord {
            full_name: name.into(),
            birth_date: born,
            gender,
            cccd: Some(cccd(HCMC, born, gender, serial)?),
            party_card: Some(format!("{:08}", 79_000_000 + serial)),
            admitted_on: ymd(admitted),
            official_on: official.map(ymd),
            org: w.id(cell)?,
            phone: None,
            email: None,
            address: Some("Thành phố Hồ Chí Minh".into()),
            // Lê Văn Dũng, 70 years of party age in 2027, is seriously ill: his badge may come early.
            seriously_ill: serial == 103,
        };
        let id = w.tx.create_member(&record, now).await?;
        w.tx.add_member_change(id, "system", "created (demo)", now).await?;
        for (n, milestone) in badges.iter().enumerate() {
            let due = ymd(admitted).checked_add(jiff::Span::new().years(i64::from(*milestone))).unwrap_or(start);
            let decision = Some(format!("{}-QĐ/TU", 100 + n));
            w.tx.add_badge(&BadgeRow { member: id, milestone: *milestone, awarded_on: due, early: false, decision }).await?;
        }
        ids.push(id);
    }
    // Party age shown with an interruption: removed from the rolls for three months in 2018.
    w.tx.add_gap(ids[4], &Gap { kind: GapKind::Removed, from: day(2018, 3, 1), to: Some(day(2018, 5, 30)), note: Some("Xóa tên, sau đó kết nạp lại".into()) }).await?;
    w.tx.add_position(ids[1], "Bí thư chi bộ", None, day(2020, 10, 15), None).await?;
    w.tx.add_position(ids[10], "Bí thư chi bộ", None, day(2022, 9, 5), None).await?;
    let summary = "Tóm tắt lý lịch đảng viên (dữ liệu mẫu).\nQuá trình công tác: Văn phòng Tổng Công ty.\n".as_bytes();
    let sha = thidua_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(summary));
    for member in [ids[0], ids[11]] {
        w.tx.add_member_file(member, "Tóm tắt lý lịch.txt", "text/plain; charset=utf-8", summary, &sha, now, "system").await?;
    }

    transfers(w, &ids, now).await?;
    let record = AuditRecord { actor: "system".into(), action: "demo.members".into(), resource: "system".into(), summary: format!("{} members", ids.len()) };
    w.tx.audit(None, &record).await?;
    Ok(())
}

/// One transfer in each state, plus an overdue one, one addressed to a merged province and one to
/// another installation.
async fn transfers(w: &mut World<'_>, ids: &[MemberId], now: i64) -> Result<(), AppError> {
    let satra = w.id("cb_satra_vp")?;
    let satra_kd = w.id("cb_satra_kd")?;
    let resco = w.id("cb_resco_cq")?;
    let resco_da = w.id("cb_resco_da")?;
    let bql = w.id("cb_bql_vp")?;
    let binh_duong = w.id("tu_binhduong")?;
    let city = w.id("tu")?;
    let base = |member: MemberId, from, to, introduced: Date| TransferRow {
        id: 0,
        member,
        kind: TransferKind::Official,
        from_org: from,
        to_org: Some(to),
        addressed_org: None,
        external_to: None,
        external_from: None,
        trigger_on: introduced.checked_sub(jiff::Span::new().days(10)).unwrap_or(introduced),
        introduced_on: introduced,
        letter_number: None,
        late_reason: None,
        state: TransferState::Introduced,
        last_step_on: introduced,
        reported_on: None,
        report_late_reason: None,
        received_on: None,
        completed_on: None,
        closed_reason: None,
        created_by: "system".into(),
    };
    let mut rows = vec![
        // Introduced, still within the 30 working days.
        TransferRow { letter_number: Some("41-GGT/ĐU".into()), ..base(ids[3], satra, resco, day(2026, 11, 16)) },
        // Introduced in August and never presented: overdue.
        TransferRow { letter_number: Some("27-GGT/ĐU".into()), ..base(ids[8], satra_kd, resco_da, day(2026, 8, 3)) },
        // Reported.
        TransferRow { state: TransferState::Reported, reported_on: Some(day(2026, 10, 15)), last_step_on: day(2026, 10, 15), ..base(ids[11], resco, satra, day(2026, 10, 1)) },
        // Received, not yet completed.
        TransferRow {
            state: TransferState::Received,
            reported_on: Some(day(2026, 9, 10)),
            received_on: Some(day(2026, 9, 15)),
            last_step_on: day(2026, 9, 15),
            ..base(ids[14], bql, satra, day(2026, 9, 1))
        },
        // Returned: the receiving cell refused an incomplete file.
        TransferRow {
            state: TransferState::Returned,
            closed_reason: Some("Hồ sơ thiếu phiếu đảng viên".into()),
            last_step_on: day(2026, 6, 20),
            ..base(ids[12], resco_da, satra_kd, day(2026, 6, 10))
        },
        // Cancelled by the sending side.
        TransferRow {
            state: TransferState::Cancelled,
            closed_reason: Some("Đảng viên không chuyển công tác nữa".into()),
            last_step_on: day(2026, 5, 12),
            ..base(ids[7], satra_kd, resco, day(2026, 5, 4))
        },
        // Temporary, for full-time study, to another province's installation.
        TransferRow {
            kind: TransferKind::Temporary { purpose: TemporaryPurpose::Study, until: day(2027, 9, 1) },
            to_org: None,
            external_to: Some("Đảng ủy Học viện Chính trị khu vực (tỉnh khác)".into()),
            ..base(ids[13], resco_da, resco_da, day(2026, 9, 14))
        },
    ];
    // Completed: addressed to Tỉnh ủy Bình Dương, which merged into Thành ủy TP.HCM on 01/7/2025,
    // so it landed at the city committee; the member now belongs there.
    rows.push(TransferRow {
        addressed_org: Some(binh_duong),
        state: TransferState::Completed,
        reported_on: Some(day(2026, 4, 2)),
        received_on: Some(day(2026, 4, 6)),
        completed_on: Some(day(2026, 4, 6)),
        last_step_on: day(2026, 4, 6),
        ..base(ids[9], resco, city, day(2026, 3, 20))
    });
    // Each transfer is introduced, then taken through its steps as the sides recorded them.
    for row in rows {
        let introduced = TransferRow {
            state: TransferState::Introduced,
            last_step_on: row.introduced_on,
            reported_on: None,
            received_on: None,
            completed_on: None,
            closed_reason: None,
            ..row.clone()
        };
        let id = w.tx.create_transfer(&introduced, now).await?;
        let reason = row.closed_reason.clone().unwrap_or_default();
        let mut steps = Vec::new();
        steps.extend(row.reported_on.map(|on| TransferStep::Report { on, late_reason: None }));
        steps.extend(row.received_on.map(|on| TransferStep::Receive { on }));
        steps.extend(row.completed_on.map(|on| TransferStep::Complete { on }));
        match row.state {
            TransferState::Returned => steps.push(TransferStep::Return { on: row.last_step_on, reason }),
            TransferState::Cancelled => steps.push(TransferStep::Cancel { on: row.last_step_on, reason }),
            _ => {}
        }
        let mut state = TransferState::Introduced;
        for step in steps {
            w.tx.record_transfer_step(id, state, &step, "system", now).await?;
            state = step.target();
        }
        if state == TransferState::Completed
            && let Some(to) = row.to_org
        {
            w.tx.set_member_orgs(row.member, to, None).await?;
        }
    }
    Ok(())
}
