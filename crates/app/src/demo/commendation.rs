//! The seeds' awards. Seed 003: Cụm 6's 2023 — the sector's council (Ban Tổ chức Trung ương) gave
//! one Cờ thi đua and two Bằng khen to collectives and six Bằng khen to individuals; Ban Tổ chức Đảng
//! ủy Khối Doanh nghiệp Trung ương was Tập thể lao động xuất sắc, its head Chiến sĩ thi đua toàn quốc,
//! two of its officers Chiến sĩ thi đua cơ sở. Seed 004: the Ban Thường vụ Đảng ủy Ban Quản lý's
//! Giấy khen for 2022 — one grassroots committee HTXSNV tiêu biểu, two cells HTXSNV 5 years running,
//! fifteen members HTXSNV 5 years running — here as dossiers that went the whole way, each with the
//! engine's answer from the demo's evaluations. Decision numbers and dates are illustrative.

use thidua_core::commendation::{judge, DossierState, History, Rulebook};
use thidua_core::evaluation::Level;
use thidua_core::member::MemberId;
use thidua_core::org::OrgId;
use thidua_store::{DecisionRow, DossierRow, DossierStepRow, Nominee, PersonRow};

use super::{day, World};
use crate::AppError;

const ILLUSTRATIVE: &str = "(minh họa)";

/// The six individuals of the Bằng khen ballot (invented, as in the ballot's demo) and where they work.
const MERIT: [(&str, &str); 6] = [
    ("Nguyễn Thị Hồng Nhung", "btc_dukdn"),
    ("Trần Quang Vinh", "btc_dukdn"),
    ("Lê Minh Khoa", "btc_dukcq"),
    ("Phạm Thu Hà", "cuc_tccb_bca"),
    ("Đặng Văn Thắng", "cuc_tochuc"),
    ("Vũ Thị Lan Anh", "cuc_canbo"),
];

pub(super) async fn build(w: &mut World<'_>, honoured: &[(MemberId, String, OrgId)]) -> Result<(), AppError> {
    let book = Rulebook::parse(include_str!("../../../core/rules/commendation.json")).map_err(crate::commendation::CommendationProblem::Rules)?;
    cum6(w).await?;
    bql(w, &book, honoured).await
}

async fn person(w: &mut World<'_>, name: &str, org: &str, position: Option<&str>) -> Result<i64, AppError> {
    let org = w.id(org)?;
    Ok(w.tx.add_person(&PersonRow { id: 0, full_name: name.into(), org, member: None, position: position.map(str::to_owned) }, "system").await?)
}

async fn decision(w: &mut World<'_>, issuer: &str, number: &str, on: jiff::civil::Date, signer: &str, summary: &str) -> Result<i64, AppError> {
    let issuer = w.id(issuer)?;
    let row = DecisionRow { id: 0, issuer, number_symbol: format!("{number} {ILLUSTRATIVE}"), decided_on: on, signer: signer.into(), summary: summary.into() };
    w.tx.add_decision(&row, "system").await?.ok_or(AppError::NotFound)
}

async fn cum6(w: &mut World<'_>) -> Result<(), AppError> {
    let council = decision(
        w,
        "btctw",
        "1245-QĐ/BTCTW",
        day(2024, 1, 26),
        "Trưởng Ban Tổ chức Trung ương",
        "Tặng Cờ thi đua, Bằng khen của Ban Tổ chức Trung ương cho tập thể, cá nhân Cụm thi đua số 6 có thành tích xuất sắc năm 2023",
    )
    .await?;
    let (flag, leader) = (w.id("btc_dukdn")?, w.id("btc_dukdn")?);
    w.tx.add_award(council, "co_thi_dua", 2023, Nominee::Org(flag)).await?;
    w.tx.add_award(council, "ttldxs", 2023, Nominee::Org(leader)).await?;
    for key in ["cuc_tccb_bca", "cuc_tochuc"] {
        let org = w.id(key)?;
        w.tx.add_award(council, "bang_khen", 2023, Nominee::Org(org)).await?;
    }
    for (name, org) in MERIT {
        let p = person(w, name, org, None).await?;
        w.tx.add_award(council, "bang_khen", 2023, Nominee::Person(p)).await?;
    }
    // The head of the board (named in seed 003) was Chiến sĩ thi đua toàn quốc: a decision of the
    // Prime Minister, recorded by the sector.
    let head = person(w, "Chu Đình Động", "btc_dukdn", Some("Trưởng Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương")).await?;
    let national = decision(
        w,
        "btctw",
        "318/QĐ-TTg",
        day(2024, 4, 12),
        "Thủ tướng Chính phủ",
        "Tặng danh hiệu Chiến sĩ thi đua toàn quốc (quyết định của Thủ tướng Chính phủ, Ban Tổ chức Trung ương ghi nhận)",
    )
    .await?;
    w.tx.add_award(national, "cstd_tq", 2023, Nominee::Person(head)).await?;
    // Two officers of the board were Chiến sĩ thi đua cơ sở (names invented).
    let board = decision(w, "btc_dukdn", "52-QĐ/BTCĐUK", day(2024, 1, 10), "Trưởng Ban", "Công nhận danh hiệu Chiến sĩ thi đua cơ sở năm 2023").await?;
    for name in ["Hoàng Minh Tuấn", "Ngô Thị Thanh Hương"] {
        let p = person(w, name, "btc_dukdn", None).await?;
        w.tx.add_award(board, "cstd_cs", 2023, Nominee::Person(p)).await?;
    }
    Ok(())
}

/// A 2022 proposal: the title, the nominee, who proposed it, the nominee's evaluation years.
struct Honour<'a> {
    title: &'a str,
    nominee: Nominee,
    proposer: OrgId,
    levels: &'a [(i16, Level)],
    achievements: &'a str,
}

/// A dossier that went the whole way: drafted by the proposer, submitted to `level`, reviewed and
/// decided by `decision`, with the engine's answer at submission.
async fn decided(w: &mut World<'_>, book: &Rulebook, level: OrgId, decision: i64, h: &Honour<'_>) -> Result<(), AppError> {
    let (title, nominee, proposer, levels, achievements) = (h.title, h.nominee, h.proposer, h.levels, h.achievements);
    let history = History { evaluated: true, levels: levels.iter().map(|(y, l)| (*y, vec![(*l, None)])).collect(), ..History::default() };
    let eligibility = judge(book, title, 2022, &history);
    let row = DossierRow {
        id: 0,
        year: 2022,
        title: title.into(),
        nominee,
        proposer,
        at_org: proposer,
        state: DossierState::Draft,
        achievements: achievements.into(),
        eligibility: None,
        poll: None,
        vote: None,
        return_reason: None,
        award: None,
        copied_from: None,
        created_by: "system".into(),
        version: 1,
    };
    let id = w.tx.create_dossier(&row).await?;
    let award = w.tx.add_award(decision, title, 2022, nominee).await?;
    let done = DossierRow {
        id,
        at_org: level,
        state: DossierState::Decided,
        eligibility: Some(serde_json::to_string(&eligibility).map_err(|e| AppError::Internal(thidua_store::StoreError::Corrupt(e.to_string())))?),
        award: Some(award),
        ..row
    };
    if !w.tx.update_dossier(&done).await? {
        return Err(AppError::Conflict);
    }
    let at = |d: i64| day(2023, 1, 1).to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).map(|z| z.timestamp().as_second() + d * 86_400).unwrap_or(0);
    let steps = [
        (None, DossierState::Draft, proposer, 2),
        (Some(DossierState::Draft), DossierState::Submitted, level, 5),
        (Some(DossierState::Submitted), DossierState::Reviewed, level, 9),
        (Some(DossierState::Reviewed), DossierState::Decided, level, 12),
    ];
    for (from, to, org, d) in steps {
        w.tx.add_dossier_step(id, &DossierStepRow { from, to, at_org: org, actor: "system".into(), at_unix: at(d), reason: None }).await?;
    }
    Ok(())
}

async fn bql(w: &mut World<'_>, book: &Rulebook, honoured: &[(MemberId, String, OrgId)]) -> Result<(), AppError> {
    let level = w.id("du_bql")?;
    let decision = decision(
        w,
        "du_bql",
        "145-QĐ/ĐU",
        day(2023, 1, 13),
        "Phó Bí thư Thường trực Đảng ủy",
        "Khen thưởng tổ chức đảng, đảng viên hoàn thành xuất sắc nhiệm vụ năm 2022 và 5 năm liền (2018–2022)",
    )
    .await?;
    let five = |l: Level| (2018..=2022).map(|y| (y, l)).collect::<Vec<_>>();
    let dbcs = w.id("dbcs_bql")?;
    let honour = Honour { title: "tcd_htxsnv_tieu_bieu", nominee: Nominee::Org(dbcs), proposer: dbcs, levels: &[(2022, Level::Htxsnv)], achievements: "Lãnh đạo hoàn thành xuất sắc nhiệm vụ chính trị năm 2022 (minh họa)." };
    decided(w, book, level, decision, &honour).await?;
    for key in ["cb_bql_dautu", "cb_bql_moitruong"] {
        let cell = w.id(key)?;
        let honour = Honour { title: "cb_htxsnv_5_nam", nominee: Nominee::Org(cell), proposer: cell, levels: &five(Level::Htxsnv), achievements: "Hoàn thành xuất sắc nhiệm vụ 5 năm liền 2018–2022 (minh họa)." };
        decided(w, book, level, decision, &honour).await?;
    }
    let dbcs_cells = [w.id("cb_bql_vp")?, w.id("cb_bql_qldn")?];
    for (member, name, cell) in honoured {
        let person = w.tx.person_of_member(*member, name, *cell, "system").await?;
        // Members of the Đảng bộ cơ sở's cells are proposed by it; the others by their chi bộ cơ sở.
        let proposer = if dbcs_cells.contains(cell) { dbcs } else { *cell };
        let honour = Honour { title: "dv_htxsnv_5_nam", nominee: Nominee::Person(person), proposer, levels: &five(Level::Htxsnv), achievements: "Hoàn thành xuất sắc nhiệm vụ 5 năm liền 2018–2022." };
        decided(w, book, level, decision, &honour).await?;
    }
    Ok(())
}
