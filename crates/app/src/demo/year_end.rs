//! Cụm 6's 2023 year end: the scoring round, and the two paper ballots whose outcome matches seed
//! 003 — the cluster proposed, and the sector's council awarded, one flag (Cờ thi đua) and two
//! Bằng khen to collectives and six Bằng khen to individuals. The scores, the leading unit and the
//! six people are illustrative (the article names neither scores nor people); the people are invented.

use jiff::civil::Date;
use thidua_core::ballot::{Marks, Mode, Question, Share, Status};
use thidua_core::emulation::Criterion;
use thidua_core::org::OrgId;
use thidua_core::scoring::{leaves, Adjustment, Centi, ScorerRole, ScoringRules};
use thidua_store::{LineRow, PollOptionRow, PollRow, RoundRow};

use super::World;
use crate::AppError;

/// How well each unit did, in thousandths of the maximum (the first leads).
const QUALITY: [i64; 5] = [975, 955, 940, 930, 915];

/// A score of `max` points at `quality` thousandths, nudged by who scores: units score themselves
/// a little higher, the leader a little lower, peers differ slightly among themselves.
fn score(max: u32, quality: i64, role: ScorerRole, scorer: usize, target: usize) -> Centi {
    let nudge = match role {
        ScorerRole::Own => 15,
        ScorerRole::Leader => -5,
        ScorerRole::Peer => ((scorer * 7 + target * 3) % 5) as i64 * 4 - 8,
    };
    let permille = (quality + nudge).clamp(0, 1000);
    // Hundredths, rounded to half points as scorers write them.
    let centi = i64::from(max) * permille / 10;
    Centi(centi / 50 * 50)
}

/// Bonus and penalty lines are scored on their own scale: a small bonus, and one unit penalized.
fn line(c: &Criterion, quality: i64, role: ScorerRole, scorer: usize, target: usize) -> Centi {
    match c.kind {
        thidua_core::emulation::CriterionKind::Bonus => Centi(if target == 0 { 2000 } else { 1000 }),
        thidua_core::emulation::CriterionKind::Penalty => Centi(if target == 4 { 500 } else { 0 }),
        thidua_core::emulation::CriterionKind::Normal => score(c.max_points, quality, role, scorer, target),
    }
}

pub(super) async fn cum6(w: &mut World<'_>, campaign: i64, units: &[OrgId], criteria: &[Criterion], rules: ScoringRules, on: Date) -> Result<(), AppError> {
    let cluster = w.cluster_id("cum6")?;
    let leader = w.id("btc_dukdn")?;
    let round = RoundRow {
        id: 0,
        campaign,
        cluster,
        year: 2023,
        criteria: criteria.to_vec(),
        scale: 1000,
        rules,
        leader: Some(leader),
        deputy: None,
        members: units.to_vec(),
        closed: false,
        version: 1,
    };
    let round = w.tx.create_round(&round).await?.ok_or(AppError::NotFound)?;
    let leaf_list: Vec<Criterion> = leaves(criteria).into_iter().cloned().collect();
    for (ti, target) in units.iter().enumerate() {
        // The leading unit does not score itself as leader, and the cluster had no deputy in 2023.
        let mut sheets = vec![(ScorerRole::Own, *target, ti)];
        if *target != leader {
            sheets.push((ScorerRole::Leader, leader, 0));
        }
        sheets.extend(units.iter().enumerate().filter(|(si, _)| *si != ti).map(|(si, s)| (ScorerRole::Peer, *s, si)));
        for (role, scorer, si) in sheets {
            let sheet = w.tx.sheet(round, *target, role, scorer).await?;
            let lines: Vec<LineRow> = leaf_list
                .iter()
                .map(|c| LineRow { sheet: sheet.id, code: c.code.clone(), centi: line(c, QUALITY[ti], role, si, ti), note: String::new(), document: None })
                .collect();
            w.tx.save_sheet(sheet.id, sheet.version, &lines, true).await?;
        }
    }
    let late = Adjustment { criterion: Some("3".into()), centi: -50, reason: "Gửi báo cáo tổng kết năm chậm 3 ngày (minh họa)".into() };
    w.tx.add_adjustment(round, units[3], &late, "system", crate::auth::now_unix()).await?;
    w.tx.set_round_closed(round, 1, true).await?;

    // Paper ballots: three representatives of each of the five units.
    let electorate = 15;
    let names = ["Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương", "Ban Tổ chức Đảng ủy Khối các cơ quan Trung ương", "Cục Tổ chức cán bộ, Bộ Công an", "Cục Tổ chức, Tổng cục Chính trị", "Cục Cán bộ, Tổng cục Chính trị"];
    let flag = PollRow {
        id: 0,
        cluster,
        round: Some(round),
        title: "Suy tôn đơn vị dẫn đầu Cụm thi đua số 6 năm 2023, đề nghị tặng Cờ thi đua".into(),
        question: Question::ChooseOne,
        mode: Mode::Paper,
        electorate,
        quorum: Share { num: 2, den: 3, strict: false },
        threshold: thidua_core::ballot::Threshold { share: Share::percent(50), base: thidua_core::ballot::Base::Electorate },
        threshold_source: "Quy chế hoạt động của Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng (minh họa)".into(),
        held_on: on,
        status: Status::Open,
        created_by: "system".into(),
        version: 1,
    };
    let options: Vec<PollOptionRow> = units.iter().zip(names).enumerate().map(|(i, (o, n))| PollOptionRow { position: i as u16, label: n.into(), org: Some(*o) }).collect();
    let id = w.tx.create_poll(&flag, &options, &[]).await?;
    let mut ballots = vec![Marks::Chosen { options: vec![0] }; 12];
    ballots.extend([Marks::Chosen { options: vec![1] }, Marks::Chosen { options: vec![3] }, Marks::Chosen { options: vec![] }]);
    for b in &ballots {
        w.tx.add_ballot(id, &crate::ballots::random_hex(16)?, b, None).await?;
    }
    w.tx.set_poll_status(id, Status::Open, Status::Closed).await?;
    w.tx.seal_poll(id).await?;

    let nominees = [
        ("Cục Tổ chức cán bộ, Bộ Công an (tập thể)", Some(units[2])),
        ("Cục Tổ chức, Tổng cục Chính trị (tập thể)", Some(units[3])),
        ("Đồng chí Nguyễn Thị Hồng Nhung, Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương", None),
        ("Đồng chí Trần Quang Vinh, Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương", None),
        ("Đồng chí Lê Minh Khoa, Ban Tổ chức Đảng ủy Khối các cơ quan Trung ương", None),
        ("Đồng chí Phạm Thu Hà, Cục Tổ chức cán bộ, Bộ Công an", None),
        ("Đồng chí Đặng Văn Thắng, Cục Tổ chức, Tổng cục Chính trị", None),
        ("Đồng chí Vũ Thị Lan Anh, Cục Cán bộ, Tổng cục Chính trị", None),
    ];
    let merit = PollRow { title: "Đề nghị tặng Bằng khen cho tập thể và cá nhân năm 2023".into(), question: Question::ApproveEach, ..flag };
    let options: Vec<PollOptionRow> = nominees.iter().enumerate().map(|(i, (n, o))| PollOptionRow { position: i as u16, label: (*n).into(), org: *o }).collect();
    let id = w.tx.create_poll(&merit, &options, &[]).await?;
    for i in 0..electorate {
        // Everyone approves, except that two representatives reject one nominee each.
        let votes = (0..nominees.len()).map(|n| Some(!(i == 4 && n == 5 || i == 9 && n == 2))).collect();
        w.tx.add_ballot(id, &crate::ballots::random_hex(16)?, &Marks::Approvals { votes }, None).await?;
    }
    w.tx.set_poll_status(id, Status::Open, Status::Closed).await?;
    w.tx.seal_poll(id).await?;
    Ok(())
}
