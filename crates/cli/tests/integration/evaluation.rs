//! Annual quality evaluation: rounds on both backends (steps, quota, forced levels, approval,
//! reopening, streaks across years and successors), the demo's years against the seed, and the
//! API, pages and downloads over HTTP.

use std::collections::BTreeMap;

use jiff::civil::{date, Date};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::Principal;
use thidua_app::evaluation::{AssessmentInput, EvalProblem, NewDiscipline, OpinionInput};
use thidua_app::{App, AppError};
use thidua_core::evaluation::{Assessment, EvaluationError, Level, SubjectKind, Tasks};
use thidua_core::member::{DisciplineForm, Gender, MemberId, MemberRecord};
use thidua_core::org::{OrgId, OrgKind};

use crate::emulation::org;
use crate::support::{merge_into_new, ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_round_goes_from_self_assessment_to_approval_within_the_quota", |db| Box::pin(round(db))),
    ("streaks_run_across_years_and_successors", |db| Box::pin(streaks(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("demo_years_match_the_seeds_2022_results", |s| Box::pin(demo_2022(s))),
    ("quota_refusal_names_the_counts_and_the_what_if_saves_nothing", |s| Box::pin(quota_over_http(s))),
    ("grid_and_downloads_over_http", |s| Box::pin(grid_and_downloads(s))),
];

pub async fn member(app: &App, name: &str, org: OrgId, admitted: Date) -> MemberId {
    let record = MemberRecord {
        full_name: name.into(),
        birth_date: date(1985, 3, 4),
        gender: if name.contains(" Thị ") { Gender::Female } else { Gender::Male },
        cccd: None,
        party_card: None,
        admitted_on: admitted,
        official_on: admitted.checked_add(jiff::Span::new().years(1)).ok().filter(|d| *d <= thidua_app::today()),
        org,
        phone: None,
        email: None,
        address: None,
        seriously_ill: false,
    };
    app.create_member(&Principal::system(), &record).await.expect("member")
}

/// An assessment on a form of Quy định 366 giving `total` points, spread in the form's order up to
/// each criterion's maximum.
fn scored(maxima: &[(&str, u32)], total: u32, tasks: Tasks) -> Assessment {
    let mut left = total;
    let mut scores = BTreeMap::new();
    for (code, max) in maxima {
        let v = left.min(*max);
        scores.insert((*code).to_owned(), v);
        left -= v;
    }
    Assessment { scores, tasks, ..Assessment::default() }
}

const MEMBER_366: [(&str, u32); 6] = [("1", 8), ("2", 8), ("3", 7), ("4", 7), ("5", 50), ("6", 20)];
const ORG_366: [(&str, u32); 4] = [("1", 10), ("2", 10), ("3", 10), ("4", 70)];

/// Every criterion of an older form met, with the tasks given.
fn all_met(codes: &[&str], tasks: Tasks) -> Assessment {
    Assessment { met: codes.iter().map(|c| ((*c).to_owned(), true)).collect(), tasks, ..Assessment::default() }
}

const EXCELLENT: Tasks = Tasks { total: 10, on_time: 10, exceeding: 3, late: 0 };
const GOOD: Tasks = Tasks { total: 10, on_time: 10, exceeding: 1, late: 0 };

async fn round(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2020, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let dbcs = org(&app, start, "Đảng bộ cơ sở Sở Nội vụ", OrgKind::GrassrootsCommittee, Some(upper)).await;
    let cell_a = org(&app, start, "Chi bộ Phòng Tổ chức", OrgKind::Cell, Some(dbcs)).await;
    let cell_b = org(&app, start, "Chi bộ Văn phòng Sở", OrgKind::Cell, Some(dbcs)).await;
    let mut a = Vec::new();
    let mut b = Vec::new();
    for i in 0..6 {
        a.push(member(&app, &format!("Nguyễn Văn A{i}"), cell_a, date(2015, 5, 19)).await);
        b.push(member(&app, &format!("Trần Thị B{i}"), cell_b, date(2016, 5, 19)).await);
    }
    // Admitted after the year: not in that year's round.
    member(&app, "Lê Văn Mới", cell_b, date(2026, 1, 5)).await;
    app.add_member_position(system, a[0], "Bí thư Đảng ủy", Some(dbcs), date(2021, 1, 1), None).await.expect("position");

    // Only a grassroots organization holds a round, once a year.
    assert!(matches!(app.open_eval_round(system, cell_a, 2025).await, Err(AppError::Evaluation(EvalProblem::NotGrassroots))));
    let r = app.open_eval_round(system, dbcs, 2025).await.expect("round");
    assert!(r.rules_source.contains("366-QĐ/TW"), "{}", r.rules_source);
    assert!(matches!(app.open_eval_round(system, dbcs, 2025).await, Err(AppError::Evaluation(EvalProblem::Exists))));
    let v = app.eval_round_view(system, r.id).await.expect("view");
    let count = |k: SubjectKind| v.subjects.iter().filter(|s| s.row.kind == k).count();
    assert_eq!(
        (count(SubjectKind::Organization), count(SubjectKind::LeadershipCollective), count(SubjectKind::Member), count(SubjectKind::Leader)),
        (3, 1, 12, 1)
    );
    let subject = |kind: SubjectKind, m: Option<MemberId>, o: Option<OrgId>| {
        v.subjects.iter().find(|s| s.row.kind == kind && (m.is_none() || s.row.member == m) && (o.is_none() || s.row.org == o)).map(|s| (s.row.id, s.row.version)).expect("subject")
    };
    let of = |m: MemberId| subject(SubjectKind::Member, Some(m), None);
    // Nothing assessed yet: no conclusion by default; a year to come has no round.
    assert!(matches!(app.conclude_round(system, r.id, &BTreeMap::new()).await, Err(AppError::Evaluation(EvalProblem::Unassessed { count: 17 }))));
    assert!(matches!(app.open_eval_round(system, dbcs, thidua_app::today().year() + 1).await, Err(AppError::Invalid(_))));

    // A score above a criterion's maximum, or a stale version in the batch: nothing of it is kept.
    let good = AssessmentInput { subject: of(a[2]).0, version: of(a[2]).1, assessment: scored(&MEMBER_366, 80, GOOD), self_level: Some(Level::Httnv) };
    let mut over = scored(&MEMBER_366, 80, GOOD);
    over.scores.insert("1".into(), 9);
    let bad = AssessmentInput { subject: of(a[3]).0, version: of(a[3]).1, assessment: over, self_level: None };
    let refused = app.save_steps(system, r.id, &[good.clone(), bad], &[]).await;
    assert!(
        matches!(&refused, Err(AppError::Evaluation(EvalProblem::Row { name, error: EvaluationError::OutOfRange { code, max: 8 } })) if name == "Nguyễn Văn A3" && code == "1"),
        "{refused:?}"
    );
    let stale = AssessmentInput { subject: of(a[3]).0, version: of(a[3]).1 + 5, assessment: scored(&MEMBER_366, 80, GOOD), self_level: None };
    assert!(matches!(app.save_steps(system, r.id, &[good.clone(), stale], &[]).await, Err(AppError::Changed(_))));
    let after = app.eval_round_view(system, r.id).await.expect("view");
    assert!(after.subjects.iter().all(|s| s.row.own.is_none()), "a refused batch keeps nothing");

    // The whole grid at once: two excellent members, one at 60 points, the rest good.
    let mut grid = Vec::new();
    for (i, m) in a.iter().chain(&b).enumerate() {
        let (points, tasks) = match i {
            0 | 1 => (95, EXCELLENT),
            11 => (60, GOOD),
            _ => (80, GOOD),
        };
        grid.push(AssessmentInput { subject: of(*m).0, version: of(*m).1, assessment: scored(&MEMBER_366, points, tasks), self_level: Some(Level::Httnv) });
    }
    let (dbcs_org, collective) = (subject(SubjectKind::Organization, None, Some(dbcs)), subject(SubjectKind::LeadershipCollective, None, Some(dbcs)));
    grid.push(AssessmentInput { subject: dbcs_org.0, version: dbcs_org.1, assessment: scored(&ORG_366, 95, Tasks { total: 20, on_time: 20, exceeding: 8, late: 0 }), self_level: Some(Level::Htxsnv) });
    grid.push(AssessmentInput { subject: collective.0, version: collective.1, assessment: scored(&[("1", 15), ("2", 15), ("3", 70)], 85, GOOD), self_level: None });
    for cell in [cell_a, cell_b] {
        let s = subject(SubjectKind::Organization, None, Some(cell));
        grid.push(AssessmentInput { subject: s.0, version: s.1, assessment: scored(&ORG_366, 85, GOOD), self_level: None });
    }
    // The cell's opinion on B4 is lower than the rules give: the committee starts from it.
    let leader = subject(SubjectKind::Leader, Some(a[0]), None);
    grid.push(AssessmentInput { subject: leader.0, version: leader.1, assessment: scored(&[("1", 15), ("2", 15), ("3", 50), ("4", 20)], 85, GOOD), self_level: None });
    let opinion = OpinionInput { subject: of(b[4]).0, version: of(b[4]).1, level: Some(Level::Htnv), note: Some("Còn hạn chế trong phối hợp".into()) };
    app.save_steps(system, r.id, &grid, std::slice::from_ref(&opinion)).await.expect("grid");
    // The same opinion sent again on the version it was read at: someone changed the row since.
    assert!(matches!(app.save_steps(system, r.id, &[], &[opinion]).await, Err(AppError::Conflict)));
    // B3 was reprimanded in the year: the lowest level, whatever the score.
    let d = NewDiscipline { decided_on: date(2025, 3, 10), form: DisciplineForm::Reprimand, decision: "05-QĐ/ĐU".into(), reason: "Vi phạm quy chế".into() };
    app.record_discipline(system, b[3], &d).await.expect("discipline");

    let v = app.eval_round_view(system, r.id).await.expect("view");
    let view_of = |m: MemberId| v.subjects.iter().find(|s| s.row.kind == SubjectKind::Member && s.row.member == Some(m)).expect("member");
    assert_eq!((view_of(a[0]).proposal.level, view_of(a[0]).proposal.score), (Level::Htxsnv, Some(95)));
    assert_eq!(view_of(a[2]).proposal.level, Level::Httnv);
    assert_eq!((view_of(b[5]).proposal.level, view_of(b[5]).proposal.score), (Level::Htnv, Some(60)));
    assert_eq!(view_of(b[3]).proposal.level, Level::Khtnv);
    assert_eq!(view_of(b[3]).proposal.forced, ["Bị kỷ luật (từ khiển trách trở lên) trong năm"]);
    let own = view_of(a[0]).row.own.as_ref().expect("self step");
    assert_eq!((own.level, own.by.as_str()), (Some(Level::Httnv), "system"));
    assert_eq!(view_of(b[4]).row.opinion_note.as_deref(), Some("Còn hạn chế trong phối hợp"));
    // Every condition is explained: A2 misses HTXSNV on the score and on tasks beyond what was asked.
    let missed: Vec<_> = view_of(a[2]).proposal.checks.iter().filter(|c| c.level == Level::Htxsnv && !c.met).map(|c| c.condition).collect();
    assert_eq!(missed, [thidua_core::evaluation::Condition::MinScore(90), thidua_core::evaluation::Condition::ExceedingAtLeastPct(30)]);

    // Two HTXSNV beside seven HTTNV: over the quota (20% of 7 allows 1). The what-if says so
    // and saves nothing; concluding is refused naming the counts.
    let none = BTreeMap::new();
    let what_if = app.preview_conclusion(system, r.id, &none).await.expect("what-if");
    let q = what_if.quota.expect("quota");
    assert_eq!((q.htxsnv, q.httnv, q.limit, q.ok), (2, 7, 1, false));
    let refused = app.conclude_round(system, r.id, &none).await;
    assert!(matches!(refused, Err(AppError::Evaluation(EvalProblem::Quota { htxsnv: 2, httnv: 7, limit: 1, pct: 20 }))), "{refused:?}");
    // Above what the conditions allow: refused.
    let above = BTreeMap::from([(of(b[3]).0, Level::Httnv)]);
    assert!(matches!(
        app.conclude_round(system, r.id, &above).await,
        Err(AppError::Evaluation(EvalProblem::Row { error: EvaluationError::AboveConditions { allowed: "KHTNV" }, .. }))
    ));
    assert!(app.eval_round_view(system, r.id).await.expect("view").round.concluded.is_none());
    // A subject of another round is no part of this conclusion.
    let stranger = BTreeMap::from([(i64::MAX, Level::Htnv)]);
    assert!(matches!(app.conclude_round(system, r.id, &stranger).await, Err(AppError::Evaluation(EvalProblem::NotInRound { .. }))));
    // One of them lowered to HTTNV: 1 beside 8 fits.
    let lowered = BTreeMap::from([(of(a[1]).0, Level::Httnv)]);
    let c = app.conclude_round(system, r.id, &lowered).await.expect("concluded");
    assert_eq!(c.members, BTreeMap::from([(Level::Htxsnv, 1), (Level::Httnv, 8), (Level::Htnv, 2), (Level::Khtnv, 1)]));
    assert_eq!(c.lowered, 2, "A1 by the committee, B4 by the cell's opinion");
    let late = OpinionInput { subject: of(a[2]).0, version: 1, level: Some(Level::Htnv), note: None };
    assert!(matches!(app.save_steps(system, r.id, &[], &[late]).await, Err(AppError::Evaluation(EvalProblem::Concluded))));
    assert!(matches!(app.conclude_round(system, r.id, &none).await, Err(AppError::Evaluation(EvalProblem::Concluded))));

    // The superior approves the organizations; never above what their conditions allow.
    let cell_a_subject = subject(SubjectKind::Organization, None, Some(cell_a)).0;
    let too_high = BTreeMap::from([(cell_a_subject, Level::Htxsnv)]);
    assert!(matches!(app.approve_round(system, r.id, &too_high).await, Err(AppError::Evaluation(EvalProblem::Row { .. }))));
    app.approve_round(system, r.id, &BTreeMap::new()).await.expect("approved");
    let v = app.eval_round_view(system, r.id).await.expect("view");
    let dbcs_row = &v.subjects.iter().find(|s| s.row.id == dbcs_org.0).expect("dbcs").row;
    assert_eq!(dbcs_row.result(), Some(Level::Htxsnv));
    assert!(dbcs_row.approved.as_ref().is_some_and(|s| s.by == "system"));
    assert!(v.subjects.iter().filter(|s| s.row.kind == SubjectKind::Member).all(|s| s.row.approved.is_none() && s.row.concluded.is_some()));
    let results = app.eval_results(system, r.id).await.expect("results");
    assert_eq!(results.distribution[&SubjectKind::Member], BTreeMap::from([(Level::Htxsnv, 1), (Level::Httnv, 8), (Level::Htnv, 2), (Level::Khtnv, 1)]));
    assert_eq!(results.distribution[&SubjectKind::Organization], BTreeMap::from([(Level::Htxsnv, 1), (Level::Httnv, 2)]));

    // Reopening needs a reason; it clears the conclusions and keeps the reason.
    assert!(matches!(app.reopen_eval_round(system, r.id, "  ").await, Err(AppError::Invalid(_))));
    app.reopen_eval_round(system, r.id, "Kết luận nhầm mức của một đảng viên").await.expect("reopened");
    let v = app.eval_round_view(system, r.id).await.expect("view");
    assert!(v.round.concluded.is_none());
    assert!(v.subjects.iter().all(|s| s.row.concluded.is_none() && s.row.approved.is_none() && s.row.own.is_some()));
    assert_eq!(v.reopenings[0].reason, "Kết luận nhầm mức của một đảng viên");
    assert!(matches!(app.reopen_eval_round(system, r.id, "lần nữa").await, Err(AppError::Evaluation(EvalProblem::NotConcluded))));

    // The party secretary (a leader of the committee, in cell A) is warned: the committee and
    // cell A may no longer be HTXSNV, without being forced down; cell B is not concerned.
    let d = NewDiscipline { decided_on: date(2025, 9, 1), form: DisciplineForm::Warning, decision: "09-QĐ/ĐUK".into(), reason: "Vi phạm nguyên tắc".into() };
    app.record_discipline(system, a[0], &d).await.expect("discipline");
    let v = app.eval_round_view(system, r.id).await.expect("view");
    let org_subject = |o: OrgId| v.subjects.iter().find(|s| s.row.kind == SubjectKind::Organization && s.row.org == Some(o)).expect("org");
    assert_eq!(org_subject(dbcs).proposal.level, Level::Httnv);
    assert!(org_subject(dbcs).proposal.forced.is_empty());
    assert!(org_subject(dbcs).assessment.triggers.contains(thidua_core::evaluation::SUBORDINATE_DISCIPLINE));
    assert!(org_subject(cell_a).assessment.triggers.contains(thidua_core::evaluation::SUBORDINATE_DISCIPLINE));
    assert!(!org_subject(cell_b).assessment.triggers.contains(thidua_core::evaluation::SUBORDINATE_DISCIPLINE));
}

async fn streaks(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2019, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Doanh nghiệp tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    // Two chi bộ cơ sở: cells directly under the upper committee.
    let first = org(&app, start, "Chi bộ Công ty Cấp nước", OrgKind::Cell, Some(upper)).await;
    let second = org(&app, start, "Chi bộ Công ty Môi trường", OrgKind::Cell, Some(upper)).await;
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(member(&app, &format!("Phạm Văn C{i}"), first, date(2010, 2, 3)).await);
    }
    // Admitted in mid-2022: in the rounds from 2022. Expelled in 2023: in none after 2022.
    let newcomer = member(&app, "Đỗ Văn Mới", first, date(2022, 6, 1)).await;
    let expelled = member(&app, "Hồ Văn Đi", first, date(2010, 2, 3)).await;
    let gap = thidua_core::member::Gap { kind: thidua_core::member::GapKind::Expelled, from: date(2023, 3, 1), to: None, note: None };
    app.add_member_gap(system, expelled, &gap).await.expect("gap");
    // Each round: every subject assessed, concluded as proposed, the organizations approved.
    let run = async |org: OrgId, year: i16, excellent: &[MemberId]| -> (i64, Vec<MemberId>) {
        let r = app.open_eval_round(system, org, year).await.expect("round");
        let v = app.eval_round_view(system, r.id).await.expect("view");
        let tasks = |m: Option<MemberId>| if m.is_some_and(|m| !excellent.contains(&m)) { GOOD } else { EXCELLENT };
        let inputs: Vec<AssessmentInput> = v
            .subjects
            .iter()
            .map(|s| {
                let assessment = match (v.rules.scored, s.row.kind) {
                    (true, SubjectKind::Organization) => scored(&ORG_366, 92, EXCELLENT),
                    (true, _) => scored(&[("1", 15), ("2", 15), ("3", 70)], 85, GOOD),
                    (false, SubjectKind::Member) => all_met(&["1", "2", "3", "4", "5"], tasks(s.row.member)),
                    (false, SubjectKind::Organization) => all_met(&["1", "2", "3", "4"], EXCELLENT),
                    (false, _) => all_met(&["1", "2"], GOOD),
                };
                AssessmentInput { subject: s.row.id, version: s.row.version, assessment, self_level: None }
            })
            .collect();
        app.save_steps(system, r.id, &inputs, &[]).await.expect("assess");
        app.conclude_round(system, r.id, &BTreeMap::new()).await.expect("conclude");
        app.approve_round(system, r.id, &BTreeMap::new()).await.expect("approve");
        (r.id, v.subjects.iter().filter(|s| s.row.kind == SubjectKind::Member).filter_map(|s| s.row.member).collect())
    };
    // 2020–2024 under the older rules: C0 excellent every year (one beside five good fits), the
    // first cell excellent every year, the second from 2023.
    for year in 2020..=2024 {
        let (id, listed) = run(first, year, &[people[0]]).await;
        assert_eq!(listed.contains(&newcomer), year >= 2022, "{year}");
        assert_eq!(listed.contains(&expelled), year < 2023, "{year}");
        if year >= 2023 {
            run(second, year, &[]).await;
        }
        let rules = app.eval_round_view(system, id).await.expect("view").rules;
        if year == 2024 {
            assert!(rules.source.contains("124-QĐ/TW"), "2024 is judged by Quy định 124");
            let results = app.eval_results(system, id).await.expect("results");
            assert_eq!(results.member_streaks.iter().map(|(m, _, n)| (*m, *n)).collect::<Vec<_>>(), [(people[0], 5)]);
            assert_eq!(results.org_streaks.iter().find(|s| s.0 == first).map(|s| s.3), Some(5));
        }
        if year == 2020 {
            assert!(rules.source.contains("132-QĐ/TW"));
        }
    }
    // Approved once; changing it needs the round reopened.
    let last = app.eval_rounds(system).await.expect("rounds").into_iter().find(|(r, _)| r.org == first && r.year == 2024).expect("2024").0.id;
    assert!(matches!(app.approve_round(system, last, &BTreeMap::new()).await, Err(AppError::Evaluation(EvalProblem::Approved))));
    // The two merge on 01/01/2025; the successor's first year continues both records.
    let merged = merge_into_new(&app, date(2025, 1, 1), vec![first, second], OrgKind::Cell, "Chi bộ Công ty Dịch vụ công ích", Some(upper)).await;
    assert!(matches!(app.open_eval_round(system, first, 2025).await, Err(AppError::Evaluation(EvalProblem::NotLive))));
    let (id, _) = run(merged, 2025, &[]).await;
    let results = app.eval_results(system, id).await.expect("results");
    let (_, _, level, years) = results.org_streaks.iter().find(|s| s.0 == merged).expect("merged").clone();
    assert_eq!((level, years), (Level::Htxsnv, 6), "2025 and its predecessors' 2020–2024");
}

async fn get(s: &Server, c: &reqwest::Client, path: &str) -> (StatusCode, Value) {
    let r = c.get(s.url(path)).send().await.expect("get");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn demo_2022(s: Server) {
    let (status, rounds) = get(&s, &s.admin, "/api/v1/evaluations").await;
    assert_eq!(status, StatusCode::OK);
    let rounds = rounds.as_array().expect("list").clone();
    assert_eq!(rounds.len(), 21, "three grassroots organizations, 2018–2024");
    let of_year = |year: i64| rounds.iter().filter(move |r| r["year"] == year);
    assert!(of_year(2022).all(|r| r["rules_source"].as_str().is_some_and(|x| x.contains("132-QĐ/TW"))));
    assert!(of_year(2023).all(|r| r["rules_source"].as_str().is_some_and(|x| x.contains("124-QĐ/TW"))));
    // Seed 004: in 2022 the Đảng bộ cơ sở was HTXSNV, two cells directly under the committee were
    // HTXSNV five years running, and 15 members were HTXSNV five years running.
    let mut member_streaks = 0;
    let mut five_year_cells = Vec::new();
    for r in of_year(2022) {
        let (_, results) = get(&s, &s.admin, &format!("/api/v1/evaluations/{}/results", r["id"])).await;
        member_streaks += results["member_streaks"].as_array().expect("streaks").iter().filter(|m| m["years"] == 5).count();
        for o in results["org_streaks"].as_array().expect("streaks") {
            if o["name"] == "Đảng bộ cơ sở Cơ quan Ban Quản lý" {
                assert_eq!(o["level"], "htxsnv");
            }
            if o["years"].as_u64().is_some_and(|y| y >= 5) {
                five_year_cells.push(o["name"].as_str().expect("name").to_owned());
            }
        }
    }
    five_year_cells.sort();
    assert_eq!(five_year_cells, ["Chi bộ Phòng Quản lý môi trường", "Chi bộ Phòng Quản lý đầu tư"]);
    assert_eq!(member_streaks, 15);
    // The member reprimanded in 2021 was forced to KHTNV that year, with the reason shown.
    let r2021 = of_year(2021).find(|r| r["org_name"] == "Chi bộ Phòng Quản lý môi trường").expect("2021");
    let (_, round) = get(&s, &s.admin, &format!("/api/v1/evaluations/{}", r2021["id"])).await;
    let forced: Vec<&Value> = round["subjects"].as_array().expect("subjects").iter().filter(|x| x["proposal"]["forced"].as_array().is_some_and(|f| !f.is_empty())).collect();
    assert_eq!(forced.len(), 1);
    assert_eq!(forced[0]["result"], "khtnv");
    // Members see their own years on their page.
    let member = forced[0]["member_id"].as_i64().expect("member");
    let html = s.admin.get(s.url(&format!("/members/{member}"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("2021: KHTNV") && html.contains("Khiển trách ngày 15/06/2021"), "{html}");
    // Outside the scope: the SATRA officer sees none of the Ban Quản lý's rounds.
    let (_, theirs) = get(&s, &s.as_user("chuyenvien").await, "/api/v1/evaluations").await;
    assert_eq!(theirs.as_array().expect("list").len(), 0);
    let (status, _) = get(&s, &s.as_user("chuyenvien").await, &format!("/api/v1/evaluations/{}", r2021["id"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Opens 2025's round of the Chi bộ Phòng Quản lý đầu tư (25 members) and has `excellent` of
/// them score 95 with 30% of tasks beyond what was asked, the rest 80.
pub(crate) async fn round_2025(s: &Server, excellent: usize) -> (i64, Value) {
    let (_, orgs) = get(s, &s.admin, "/api/v1/evaluations").await;
    let cell = orgs.as_array().expect("list").iter().find(|r| r["org_name"] == "Chi bộ Phòng Quản lý đầu tư").and_then(|r| r["org_id"].as_i64()).expect("cell");
    let r = s.admin.post(s.url("/api/v1/evaluations")).json(&json!({"org_id": cell, "year": 2025})).send().await.expect("open");
    assert_eq!(r.status(), StatusCode::CREATED);
    let round: Value = r.json().await.expect("json");
    let id = round["id"].as_i64().expect("id");
    let members: Vec<&Value> = round["subjects"].as_array().expect("subjects").iter().filter(|x| x["kind"] == "member").collect();
    assert_eq!(members.len(), 25);
    let points = |p: u32| scored(&MEMBER_366, p, Tasks::default()).scores;
    let mut body: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (p, exceeding) = if i < excellent { (95, 3) } else { (80, 1) };
            json!({"subject_id": m["id"], "version": m["version"], "scores": points(p), "tasks": {"total": 10, "on_time": 10, "exceeding": exceeding}, "self_level": "httnv"})
        })
        .collect();
    // The cell and its leadership collective assess themselves too.
    for x in round["subjects"].as_array().expect("subjects").iter().filter(|x| x["kind"] == "organization" || x["kind"] == "leadership_collective") {
        let form: &[(&str, u32)] = if x["kind"] == "organization" { &ORG_366 } else { &[("1", 15), ("2", 15), ("3", 70)] };
        body.push(json!({"subject_id": x["id"], "version": x["version"], "scores": scored(form, 85, Tasks::default()).scores, "tasks": {"total": 4, "on_time": 4, "exceeding": 1}}));
    }
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/assessments"))).json(&body).send().await.expect("assess");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, round) = get(s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    (id, round)
}

async fn quota_over_http(s: Server) {
    let (id, round) = round_2025(&s, 6).await;
    assert!(round["rules_source"].as_str().expect("source").contains("366-QĐ/TW"));
    assert_eq!(round["quota"], json!({"htxsnv": 6, "httnv": 19, "limit": 3, "pct": 20, "ok": false}));
    // The what-if saves nothing.
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/conclude"))).json(&json!({"dry_run": true})).send().await.expect("dry run");
    assert_eq!(r.status(), StatusCode::OK);
    let what_if: Value = r.json().await.expect("json");
    assert_eq!((what_if["saved"].clone(), what_if["quota"]["ok"].clone(), what_if["members"]["htxsnv"].clone()), (json!(false), json!(false), json!(6)));
    // Concluding over the quota: refused, naming the count and the limit, in Vietnamese.
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/conclude"))).json(&json!({})).send().await.expect("conclude");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "evaluation.quota");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("6 đảng viên") && message.contains("19 đảng viên") && message.contains("tối đa 3") && message.contains("20%"), "{message}");
    let (_, after) = get(&s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    assert_eq!(after["concluded"], Value::Null);
    // The page's what-if shows the same before anything is saved.
    let html = s.admin.post(s.url(&format!("/evaluations/{id}/conclude"))).form(&[("action", "preview")]).send().await.expect("preview").text().await.expect("html");
    assert!(html.contains("Xem trước kết quả (chưa lưu)") && html.contains("6 HTXSNV so với 19 HTTNV: vượt giới hạn (tối đa 3, không quá 20%)."), "{html}");
    // Three lowered to HTTNV: 3 beside 22 fits; concluded and signed.
    let lowered: Vec<Value> = round["subjects"].as_array().expect("subjects").iter().filter(|x| x["proposal"]["level"] == "htxsnv").take(3).map(|x| json!({"subject_id": x["id"], "level": "httnv"})).collect();
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/conclude"))).json(&json!({"levels": lowered})).send().await.expect("conclude");
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.expect("json");
    assert_eq!((done["saved"].clone(), done["members"]["htxsnv"].clone(), done["members"]["httnv"].clone()), (json!(true), json!(3), json!(22)));
    let (_, after) = get(&s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    assert_eq!(after["concluded"]["by"], "admin");
    // The English page says it in English.
    let html = s.admin.get(s.url(&format!("/evaluations/{id}?lang=en"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("3 HTXSNV beside 22 HTTNV: within the limit"), "{html}");
}

async fn grid_and_downloads(s: Server) {
    let (id, round) = round_2025(&s, 2).await;
    let subjects = round["subjects"].as_array().expect("subjects");
    let first = subjects.iter().find(|x| x["kind"] == "member").expect("member");
    let (sid, cell) = (first["id"].as_i64().expect("id"), first["cell_id"].as_i64().expect("cell"));
    // The grid page lists the cell; a value it cannot read comes back next to its field, unsaved.
    let html = s.admin.get(s.url(&format!("/evaluations/{id}/cells/{cell}"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Đảng viên Chi bộ Phòng Quản lý đầu tư") && html.contains(&format!("name=\"s{sid}_c5\"")), "{html}");
    let version = first["version"].to_string();
    let r = s.admin.post(s.url(&format!("/evaluations/{id}/cells/{cell}"))).form(&[(format!("s{sid}_v"), version.clone()), (format!("s{sid}_c5"), "bốn mươi".into())]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains(&format!("Dòng của {} có giá trị không đọc được", first["name"].as_str().expect("name"))), "{html}");
    let (_, same) = get(&s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    assert_eq!(same["subjects"].as_array().expect("subjects").iter().find(|x| x["id"] == sid).expect("subject")["version"], first["version"]);
    // A cell opinion through the grid: only that row changes.
    let r = s
        .admin
        .post(s.url(&format!("/evaluations/{id}/cells/{cell}")))
        .form(&[(format!("s{sid}_v"), version), (format!("s{sid}_c5"), "30".into()), (format!("s{sid}_opinion"), "htnv".into())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, after) = get(&s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    let changed: Vec<i64> = after["subjects"].as_array().expect("subjects").iter().filter(|x| x["version"] != subjects.iter().find(|y| y["id"] == x["id"]).expect("before")["version"]).filter_map(|x| x["id"].as_i64()).collect();
    assert_eq!(changed, [sid]);
    let row = after["subjects"].as_array().expect("subjects").iter().find(|x| x["id"] == sid).expect("subject").clone();
    assert_eq!((row["opinion"]["level"].clone(), row["scores"]["5"].clone()), (json!("htnv"), json!(30)));
    // A discipline recorded through the API forces the lowest level, and says why.
    let member = subjects.iter().filter(|x| x["kind"] == "member").nth(3).expect("member");
    let r = s.admin.post(s.url(&format!("/api/v1/members/{}/discipline", member["member_id"]))).json(&json!({"decided_on": "2025-04-02", "form": "warning", "decision": "07-QĐ/ĐU", "reason": "Vi phạm quy định"})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = s.admin.post(s.url(&format!("/api/v1/members/{}/discipline", member["member_id"]))).json(&json!({"decided_on": "31/02/2025", "form": "scolding", "decision": "x", "reason": "y"})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, after) = get(&s, &s.admin, &format!("/api/v1/evaluations/{id}")).await;
    let forced = after["subjects"].as_array().expect("subjects").iter().find(|x| x["id"] == member["id"]).expect("subject").clone();
    assert_eq!(forced["proposal"]["level"], "khtnv");
    assert!(forced["triggers"].as_array().expect("triggers").contains(&json!("discipline")));
    let html = s.admin.get(s.url(&format!("/evaluations/{id}/subjects/{}", member["id"]))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Xếp loại không hoàn thành nhiệm vụ vì") && html.contains("Tổng điểm từ 90 trở lên"), "{html}");

    // Concluded (the first member now KHTNV on 30 points, one HTXSNV beside 22 HTTNV fits), the
    // lists and the report.
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/conclude"))).json(&json!({})).send().await.expect("conclude");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    // A refused reopening (no reason) shows the page again; the approval form keeps the levels
    // as concluded rather than falling back to the first choice.
    let r = s.admin.post(s.url(&format!("/evaluations/{id}/reopen"))).form(&[("reason", " ")]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    let approve = &html[html.find("id=\"approve-form\"").expect("approve form")..];
    assert_eq!(approve.matches(" selected>").count(), 2, "{approve}");
    assert_eq!(approve.matches("value=\"httnv\" selected>").count(), 2, "{approve}");
    let r = s.admin.get(s.url(&format!("/evaluations/{id}/lists.xlsx"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").expect("workbook"), &mut workbook).expect("utf-8");
    for sheet in ["HTXSNV", "HTTNV", "HTNV", "KHTNV"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{workbook}");
    }
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").expect("strings"), &mut strings).expect("utf-8");
    assert!(strings.contains("Danh sách hoàn thành xuất sắc nhiệm vụ năm 2025 — Chi bộ Phòng Quản lý đầu tư") && strings.contains(member["name"].as_str().expect("name")), "{strings}");
    let r = s.admin.get(s.url(&format!("/evaluations/{id}/report.docx"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("a docx that opens");
    let at = |text: &str| p.iter().position(|x| x == text).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("ĐẢNG CỘNG SẢN VIỆT NAM") < at("BÁO CÁO"));
    let members = at("IV. ĐẢNG VIÊN");
    assert_eq!(p[members + 1], "Tổng số được xếp loại: 25.");
    assert_eq!(p[members + 2], "- Hoàn thành xuất sắc nhiệm vụ: 1 (4,00%).");
    assert_eq!(p[members + 5], "- Không hoàn thành nhiệm vụ: 2 (8,00%).");
    assert!(p.iter().any(|x| x == "Tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ so với hoàn thành tốt nhiệm vụ: 1/22 (tối đa 20% — đúng quy định)."), "{p:#?}");
}
