//! Commendation: dossiers' state machine and audit, the captured explanation under a later rulebook,
//! decisions, the registry and revocations, eligibility through successors and in bulk, on both
//! backends; the demo's awards and documents over HTTP.

use std::collections::BTreeSet;

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::Principal;
use thidua_app::commendation::{CommendationProblem, NewAward, NewDecision, NewDossier, NewInitiative, NewPerson, NewRevocation, NomineeRef, RegistryFilter, StepInput};
use thidua_app::evaluation::AssessmentInput;
use thidua_app::{App, AppError};
use thidua_core::access::{Grant, ResolvedGrant, Role, Scope};
use thidua_core::commendation::{AwardLevel, DossierAction, DossierState, Outcome, Verdict};
use thidua_core::evaluation::{Assessment, Level, SubjectKind, Tasks};
use thidua_core::org::{OrgId, OrgKind};

use crate::emulation::org;
use crate::evaluation::member;
use crate::support::{merge_into_new, ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_dossier_moves_one_level_at_a_time_and_keeps_its_explanation", |db| Box::pin(dossier_flow(db))),
    ("decisions_fill_the_registry_and_revocations_are_kept", |db| Box::pin(registry(db))),
    ("eligibility_follows_successors_and_bulk_agrees_with_one_by_one", |db| Box::pin(eligibility(db))),
    ("the_database_counts_streaks_as_the_engine_does", |db| Box::pin(streaks_in_sql(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("demo_awards_are_the_seeds", |s| Box::pin(demo_awards(s))),
    ("certificates_and_submission_letters_are_docx", |s| Box::pin(documents(s))),
];

const EXCELLENT: Tasks = Tasks { total: 10, on_time: 10, exceeding: 3, late: 0 };

/// Every subject of a round assessed excellent (older forms: every criterion met), concluded
/// and approved.
async fn excellent_round(app: &App, org: OrgId, year: i16) {
    let system = &Principal::system();
    let r = app.open_eval_round(system, org, year).await.expect("round");
    let v = app.eval_round_view(system, r.id).await.expect("view");
    let inputs: Vec<AssessmentInput> = v
        .subjects
        .iter()
        .map(|s| {
            let form = v.rules.form(s.row.kind);
            let mut a = Assessment { tasks: EXCELLENT, ..Assessment::default() };
            for c in form {
                if v.rules.scored {
                    a.scores.insert(c.code.clone(), c.max_points.unwrap_or(0));
                } else {
                    a.met.insert(c.code.clone(), true);
                }
            }
            AssessmentInput { subject: s.row.id, version: s.row.version, assessment: a, self_level: None }
        })
        .collect();
    app.save_steps(system, r.id, &inputs, &[]).await.expect("assess");
    // One HTXSNV member at most beside too few HTTNV: keep members at HTTNV but the first.
    let mut levels = std::collections::BTreeMap::new();
    for (i, s) in v.subjects.iter().filter(|s| s.row.kind == SubjectKind::Member).enumerate() {
        if i > 0 {
            levels.insert(s.row.id, Level::Httnv);
        }
    }
    app.conclude_round(system, r.id, &levels).await.expect("conclude");
    app.approve_round(system, r.id, &std::collections::BTreeMap::new()).await.expect("approve");
}

async fn dossier_flow(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2020, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let cell = org(&app, start, "Chi bộ Sở Tư pháp", OrgKind::Cell, Some(upper)).await;
    let other = org(&app, start, "Chi bộ Sở Y tế", OrgKind::Cell, Some(upper)).await;
    let m = member(&app, "Trần Văn Tư", cell, date(2010, 3, 2)).await;
    // Five more, after him in the cell's order: the quota allows his HTXSNV beside their HTTNV.
    for i in 0..5 {
        member(&app, &format!("Vũ Văn Năm {i}"), cell, date(2011, 3, 2)).await;
    }
    for year in 2020..=2024 {
        excellent_round(&app, cell, year).await;
    }

    // The nominee must belong to the proposing unit, and fit the title.
    let outside = NewDossier { year: 2024, title: "dv_htxsnv_5_nam".into(), nominee: NomineeRef::Member(m), proposer: other, achievements: String::new() };
    assert!(matches!(app.create_dossier(system, &outside).await, Err(AppError::Commendation(CommendationProblem::OutsideUnit))));
    let wrong = NewDossier { title: "cb_htxsnv_5_nam".into(), proposer: cell, ..outside.clone() };
    assert!(matches!(app.create_dossier(system, &wrong).await, Err(AppError::Commendation(CommendationProblem::WrongRecipient { .. }))));
    let new = NewDossier { proposer: cell, achievements: "Năm năm liền hoàn thành xuất sắc nhiệm vụ".into(), ..outside };
    let id = app.create_dossier(system, &new).await.expect("dossier");
    // One live dossier per nominee, title and year.
    assert!(matches!(app.create_dossier(system, &new).await, Err(AppError::Commendation(CommendationProblem::Duplicate { year: 2024, .. }))));
    let step = |action, version, input: StepInput| {
        let app = app.clone();
        async move { app.dossier_step(&Principal::system(), id, version, action, &input).await }
    };
    // Illegal steps are refused and change nothing.
    for action in [DossierAction::Review, DossierAction::Vote, DossierAction::Forward, DossierAction::Return, DossierAction::Decide] {
        let r = step(action, 1, StepInput::default()).await;
        assert!(matches!(r, Err(AppError::Commendation(CommendationProblem::Step { from: DossierState::Draft, .. }))), "{action:?}: {r:?}");
    }
    // Submitted to the level above, with the engine's answer kept.
    step(DossierAction::Submit, 1, StepInput::default()).await.expect("submit");
    let v = app.dossier_view(system, id).await.expect("view");
    assert_eq!((v.row.state, v.row.at_org), (DossierState::Submitted, upper));
    let captured = v.captured.clone().expect("captured");
    assert_eq!(captured.verdict, Verdict::Eligible);
    assert_eq!(captured.checks[0].used.len(), 5);
    // A council member sees the dossier and each condition's outcome, not the member's levels.
    let council = Principal {
        grants: vec![ResolvedGrant { grant: Grant { role: Role::CouncilMember, scope: Scope::Subtree(upper) }, roots: vec![upper] }],
        ..Principal::system()
    };
    let seen = app.dossier_view(&council, id).await.expect("the council sees the dossier");
    let seen_captured = seen.captured.expect("captured");
    assert_eq!((seen_captured.verdict, seen_captured.checks[0].outcome), (Verdict::Eligible, Outcome::Held));
    assert!(seen_captured.checks[0].used.is_empty() && seen.current.checks[0].used.is_empty(), "{seen_captured:?}");
    assert!(matches!(app.eligibility(&council, NomineeRef::Member(m), "dv_htxsnv_5_nam", 2024).await, Err(AppError::Forbidden)));
    // A stale version loses.
    assert!(matches!(step(DossierAction::Review, 1, StepInput::default()).await, Err(AppError::Conflict)));
    // Returned with a reason (required), back at the proposing unit, then resubmitted.
    assert!(matches!(step(DossierAction::Return, 2, StepInput::default()).await, Err(AppError::Invalid(_))));
    step(DossierAction::Return, 2, StepInput { reason: Some("Thiếu báo cáo thành tích có xác nhận".into()), poll: None }).await.expect("return");
    let v = app.dossier_view(system, id).await.expect("view");
    assert_eq!((v.row.state, v.row.at_org, v.row.return_reason.as_deref()), (DossierState::Returned, cell, Some("Thiếu báo cáo thành tích có xác nhận")));
    app.edit_dossier(system, id, 3, "dv_htxsnv_5_nam", "Bổ sung báo cáo thành tích").await.expect("edit");
    step(DossierAction::Submit, 4, StepInput::default()).await.expect("resubmit");
    step(DossierAction::Review, 5, StepInput::default()).await.expect("review");
    // The vote needs a poll; a decision is recorded, not stepped.
    assert!(matches!(step(DossierAction::Vote, 6, StepInput::default()).await, Err(AppError::Invalid(_))));
    assert!(matches!(step(DossierAction::Decide, 6, StepInput::default()).await, Err(AppError::Commendation(CommendationProblem::Step { .. }))));

    // A later rulebook asks for six years: the captured answer stands, today's answer changes.
    let (_, book) = app.commendation_rules().await.expect("rules");
    let mut stricter = serde_json::to_value(&book).expect("json");
    for r in stricter["rules"].as_array_mut().expect("rules") {
        if r["title"] == "dv_htxsnv_5_nam" {
            r["conditions"][0]["evaluation_streak"]["years"] = json!(6);
        }
    }
    stricter["version"] = json!("2026.2 (thử)");
    let admin_only = app.save_commendation_rules(&Principal { grants: Vec::new(), ..Principal::system() }, &stricter.to_string(), "Sáu năm").await;
    assert!(matches!(admin_only, Err(AppError::Forbidden)));
    assert!(matches!(app.save_commendation_rules(system, "{ \"version\": 1 }", "hỏng").await, Err(AppError::Commendation(CommendationProblem::Rules(_)))));
    app.save_commendation_rules(system, &stricter.to_string(), "Sáu năm liền").await.expect("new rules");
    let v = app.dossier_view(system, id).await.expect("view");
    assert_eq!(v.captured.as_ref().expect("captured").verdict, Verdict::Eligible);
    assert_eq!(v.current.verdict, Verdict::NeedsData, "2019 is not on record");
    assert_eq!(v.current.rulebook, "2026.2 (thử)");

    // Decided by the level handling it: a decision of another body cannot take it.
    let decision = |issuer: OrgId, number: &str| NewDecision {
        issuer,
        number_symbol: number.into(),
        decided_on: date(2025, 1, 20),
        signer: "Phó Bí thư".into(),
        summary: "Khen thưởng đảng viên 5 năm liền".into(),
        dossiers: vec![id],
        awards: vec![],
    };
    assert!(matches!(app.record_decision(system, &decision(cell, "1-QĐ/CB")).await, Err(AppError::Commendation(CommendationProblem::NotHere))));
    let d = app.record_decision(system, &decision(upper, "21-QĐ/ĐUK")).await.expect("decision");
    assert!(matches!(app.record_decision(system, &decision(upper, "21-QĐ/ĐUK")).await, Err(AppError::Commendation(CommendationProblem::DecisionTaken(_)))));
    let v = app.dossier_view(system, id).await.expect("view");
    assert_eq!(v.row.state, DossierState::Decided);
    assert!(v.row.award.is_some());
    assert!(matches!(step(DossierAction::Withdraw, v.row.version, StepInput::default()).await, Err(AppError::Commendation(CommendationProblem::Step { from: DossierState::Decided, .. }))));
    let steps: Vec<DossierState> = v.steps.iter().map(|s| s.to).collect();
    use DossierState::*;
    assert_eq!(steps, [Draft, Submitted, Returned, Submitted, Reviewed, Decided]);
    let (_, _, lines) = app.decision_view(system, d).await.expect("decision");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].recipient, "Trần Văn Tư");

    // Every step is in the audit log.
    let filter = thidua_store::AuditFilter { resource: Some(format!("dossier:{id}")), limit: 100, ..thidua_store::AuditFilter::default() };
    let actions: Vec<String> = app.audit_entries(system, &filter).await.expect("audit").iter().map(|e| e.action.clone()).collect();
    for a in ["dossier.create", "dossier.submit", "dossier.return", "dossier.edit", "dossier.review"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // Copied for the next year: a new draft.
    let copy = app.copy_dossier(system, id).await.expect("copy");
    let v = app.dossier_view(system, copy).await.expect("view");
    assert_eq!((v.row.year, v.row.state, v.row.copied_from), (2025, DossierState::Draft, Some(id)));
    assert!(matches!(app.copy_dossier(system, id).await, Err(AppError::Commendation(CommendationProblem::Duplicate { year: 2025, .. }))));

    // A Cờ thi đua is decided on the council's vote alone: not straight from review.
    let flag = app
        .create_dossier(system, &NewDossier { year: 2024, title: "co_thi_dua".into(), nominee: NomineeRef::Org(upper), proposer: upper, achievements: "Dẫn đầu khối".into() })
        .await
        .expect("flag dossier");
    app.dossier_step(system, flag, 1, DossierAction::Submit, &StepInput::default()).await.expect("submit");
    app.dossier_step(system, flag, 2, DossierAction::Review, &StepInput::default()).await.expect("review");
    let unvoted = NewDecision { issuer: province, number_symbol: "300-QĐ/TU".into(), decided_on: date(2025, 1, 25), signer: "Bí thư".into(), summary: "Tặng Cờ".into(), dossiers: vec![flag], awards: vec![] };
    assert!(matches!(app.record_decision(system, &unvoted).await, Err(AppError::Commendation(CommendationProblem::VoteRequired { .. }))));
    assert_eq!(app.dossier_view(system, flag).await.expect("view").row.state, DossierState::Reviewed, "nothing changed");
}

async fn registry(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2015, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let board = org(&app, start, "Ban Tổ chức Tỉnh ủy", OrgKind::OrganizationBoard, Some(province)).await;
    let mut people = Vec::new();
    for i in 0..20 {
        people.push(app.add_person(system, &NewPerson { full_name: format!("Cán bộ {i:02}"), org: board, position: None }).await.expect("person"));
    }
    // 2024: twenty Lao động tiên tiến, two Chiến sĩ thi đua cơ sở.
    let mut awards: Vec<NewAward> = people.iter().map(|p| NewAward { title: "ldtt".into(), year: 2024, nominee: NomineeRef::Person(*p) }).collect();
    awards.extend(people[..2].iter().map(|p| NewAward { title: "cstd_cs".into(), year: 2024, nominee: NomineeRef::Person(*p) }));
    let d = app
        .record_decision(system, &NewDecision { issuer: board, number_symbol: "05-QĐ/BTCTU".into(), decided_on: date(2025, 1, 8), signer: "Trưởng Ban".into(), summary: "Danh hiệu thi đua năm 2024".into(), dossiers: vec![], awards })
        .await
        .expect("decision");
    // A third CSTĐ cơ sở fits the 15% of twenty (3); a fourth would not.
    app.add_initiative(system, NomineeRef::Person(people[2]), &NewInitiative { name: "Quản lý hồ sơ trên máy".into(), level: AwardLevel::Grassroots, recognized_on: date(2024, 11, 2), decision: "9-QĐ".into() }).await.expect("initiative");
    let e = app.eligibility(system, NomineeRef::Person(people[2]), "cstd_cs", 2024).await.expect("eligibility");
    assert_eq!(e.verdict, Verdict::Eligible, "{e:?}");
    app.record_decision(system, &NewDecision { issuer: board, number_symbol: "06-QĐ/BTCTU".into(), decided_on: date(2025, 1, 9), signer: "Trưởng Ban".into(), summary: "Bổ sung".into(), dossiers: vec![], awards: vec![NewAward { title: "cstd_cs".into(), year: 2024, nominee: NomineeRef::Person(people[2]) }] })
        .await
        .expect("third");
    // Once given, the nominee's own award does not count against them.
    assert_eq!(app.eligibility(system, NomineeRef::Person(people[2]), "cstd_cs", 2024).await.expect("eligibility").verdict, Verdict::Eligible);
    // A title once a year; within what the issuer confers, to those under it; not for a later year.
    let direct = |number: &str, award: NewAward| NewDecision { issuer: board, number_symbol: number.into(), decided_on: date(2025, 2, 1), signer: "Trưởng Ban".into(), summary: "Thử".into(), dossiers: vec![], awards: vec![award] };
    let again = NewAward { title: "ldtt".into(), year: 2024, nominee: NomineeRef::Person(people[0]) };
    assert!(matches!(app.record_decision(system, &direct("07-QĐ/BTCTU", again.clone())).await, Err(AppError::Commendation(CommendationProblem::Duplicate { year: 2024, .. }))));
    let national = NewAward { title: "cstd_tq".into(), ..again.clone() };
    assert!(matches!(app.record_decision(system, &direct("08-QĐ/BTCTU", national)).await, Err(AppError::Commendation(CommendationProblem::AboveIssuer { .. }))));
    let elsewhere = org(&app, start, "Tỉnh ủy Bên cạnh", OrgKind::ProvincialCommittee, None).await;
    let stranger = app.add_person(system, &NewPerson { full_name: "Người ngoài".into(), org: elsewhere, position: None }).await.expect("person");
    let outside = NewAward { nominee: NomineeRef::Person(stranger), ..again.clone() };
    assert!(matches!(app.record_decision(system, &direct("09-QĐ/BTCTU", outside)).await, Err(AppError::Commendation(CommendationProblem::OutsideIssuer))));
    let later = NewAward { year: 2026, ..again.clone() };
    assert!(matches!(app.record_decision(system, &direct("10-QĐ/BTCTU", later)).await, Err(AppError::Invalid(_))));
    assert!(app.decisions(system, None).await.expect("decisions").iter().all(|(d, _)| !["07-QĐ/BTCTU", "08-QĐ/BTCTU", "09-QĐ/BTCTU", "10-QĐ/BTCTU"].contains(&d.number_symbol.as_str())), "refused decisions leave nothing");
    app.add_initiative(system, NomineeRef::Person(people[3]), &NewInitiative { name: "Sổ tay nghiệp vụ".into(), level: AwardLevel::Grassroots, recognized_on: date(2024, 10, 1), decision: "10-QĐ".into() }).await.expect("initiative");
    let e = app.eligibility(system, NomineeRef::Person(people[3]), "cstd_cs", 2024).await.expect("eligibility");
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert!(e.checks.iter().any(|c| matches!(c.condition, thidua_core::commendation::Condition::Cap { .. }) && c.outcome == Outcome::NotHeld));
    // Cán bộ 04 has no initiative: not eligible, and the explanation says on which condition.
    let e = app.eligibility(system, NomineeRef::Person(people[4]), "cstd_cs", 2024).await.expect("eligibility");
    assert!(e.checks.iter().any(|c| matches!(c.condition, thidua_core::commendation::Condition::Initiative { .. }) && c.outcome == Outcome::NotHeld));

    // Revocation: kept in the registry, marked, once; no certificate for it.
    let (_, _, lines) = app.decision_view(system, d).await.expect("decision");
    let award = lines.iter().find(|l| l.award.title == "cstd_cs").expect("cstd").award.id;
    let r = NewRevocation { decided_on: date(2025, 6, 1), decision: "20-QĐ/BTCTU".into(), reason: "Sáng kiến không đúng sự thật".into(), recovery: "Thu hồi giấy chứng nhận và tiền thưởng".into() };
    assert!(matches!(app.revoke_award(system, award, &NewRevocation { reason: " ".into(), ..r.clone() }).await, Err(AppError::Invalid(_))));
    assert!(matches!(app.revoke_award(system, award, &NewRevocation { decided_on: date(2024, 12, 31), ..r.clone() }).await, Err(AppError::Invalid(_))), "before the decision it annuls");
    app.revoke_award(system, award, &r).await.expect("revoke");
    assert!(matches!(app.revoke_award(system, award, &r).await, Err(AppError::Commendation(CommendationProblem::Revoked))));
    assert!(matches!(app.certificate_docx(system, award).await, Err(AppError::Commendation(CommendationProblem::Revoked))));
    let all = app.registry(system, &RegistryFilter { org: Some(board), title: Some("cstd_cs".into()), from_year: Some(2024), to_year: Some(2024), ..RegistryFilter::default() }).await.expect("registry");
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().filter(|l| l.award.revocation.is_some()).count(), 1);
    let stats = app.registry_stats(system, board, 2024, 2024).await.expect("stats");
    assert_eq!(stats[&2024]["Chiến sĩ thi đua cơ sở"], 2, "the revoked one is not counted");
    assert_eq!(stats[&2024]["Lao động tiên tiến"], 20);
}

async fn eligibility(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2019, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Doanh nghiệp tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let a = org(&app, start, "Chi bộ Công ty A", OrgKind::Cell, Some(upper)).await;
    let b = org(&app, start, "Chi bộ Công ty B", OrgKind::Cell, Some(upper)).await;
    let mut everyone = Vec::new();
    for cell in [a, b] {
        for i in 0..6 {
            everyone.push(member(&app, &format!("Đảng viên {i} {}", cell.0), cell, date(2012, 1, 1)).await);
        }
    }
    for year in 2021..=2024 {
        excellent_round(&app, a, year).await;
        if year >= 2023 {
            excellent_round(&app, b, year).await;
        }
    }
    // A and B merge on 01/01/2025; the merged cell's 2025 continues A's 2021–2024.
    let merged = merge_into_new(&app, date(2025, 1, 1), vec![a, b], OrgKind::Cell, "Chi bộ Công ty AB", Some(upper)).await;
    excellent_round(&app, merged, 2025).await;
    let e = app.eligibility(system, NomineeRef::Org(merged), "cb_htxsnv_5_nam", 2025).await.expect("eligibility");
    assert_eq!(e.verdict, Verdict::Eligible, "{e:?}");
    let named: BTreeSet<String> = e.checks[0].used.iter().filter_map(|r| match r {
        thidua_core::commendation::Record::Level { of: Some(o), .. } => Some(o.clone()),
        _ => None,
    }).collect();
    assert_eq!(named, BTreeSet::from(["Chi bộ Công ty A".to_owned(), "Chi bộ Công ty B".to_owned()]));
    // B alone has two years: not five.
    let e = app.eligibility(system, NomineeRef::Org(b), "cb_htxsnv_5_nam", 2024).await.expect("eligibility");
    assert_eq!(e.verdict, Verdict::NeedsData);

    // In bulk, the members of A HTXSNV 2021–2024 for "4 years" by a rule of that length: the one
    // excellent member of each of A's years; the same set one by one.
    let (_, book) = app.commendation_rules().await.expect("rules");
    let mut four = serde_json::to_value(&book).expect("json");
    for r in four["rules"].as_array_mut().expect("rules") {
        if r["title"] == "dv_htxsnv_5_nam" {
            r["conditions"][0]["evaluation_streak"]["years"] = json!(4);
        }
    }
    app.save_commendation_rules(system, &four.to_string(), "Bốn năm (thử)").await.expect("rules");
    let bulk = app.eligible_in(system, upper, "dv_htxsnv_5_nam", 2024).await.expect("bulk");
    let mut one_by_one = Vec::new();
    for m in everyone {
        if app.eligibility(system, NomineeRef::Member(m), "dv_htxsnv_5_nam", 2024).await.expect("one").verdict == Verdict::Eligible {
            one_by_one.push(NomineeRef::Member(m));
        }
    }
    let bulk: BTreeSet<NomineeRef> = bulk.iter().map(|e| e.nominee).collect();
    assert_eq!(bulk.len(), 1, "{bulk:?}");
    assert_eq!(bulk, one_by_one.into_iter().collect::<BTreeSet<_>>());
    // Asked of the merged cell, formed in 2025, about 2024: its predecessors' members then.
    let through_merge: BTreeSet<NomineeRef> = app.eligible_in(system, merged, "dv_htxsnv_5_nam", 2024).await.expect("bulk").iter().map(|e| e.nominee).collect();
    assert_eq!(through_merge, bulk);
}

async fn get(s: &Server, path: &str) -> Value {
    let r = s.admin.get(s.url(path)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.expect("json")
}

async fn org_id(s: &Server, name: &str) -> i64 {
    let today = thidua_core::date::iso(thidua_app::today());
    let v = get(s, &format!("/api/v1/orgs?date=2024-06-01&today={today}")).await;
    v["orgs"].as_array().expect("orgs").iter().find(|o| o["name"] == name).and_then(|o| o["id"].as_i64()).unwrap_or_else(|| panic!("{name}"))
}

async fn demo_awards(s: Server) {
    // Seed 004: asked in bulk, the engine finds exactly the two cells and fifteen members.
    let bql = org_id(&s, "Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố").await;
    let cells = get(&s, &format!("/api/v1/eligibility/bulk?scope_id={bql}&title=cb_htxsnv_5_nam&year=2022")).await;
    let names: Vec<&str> = cells.as_array().expect("list").iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Chi bộ Phòng Quản lý đầu tư", "Chi bộ Phòng Quản lý môi trường"]);
    let members = get(&s, &format!("/api/v1/eligibility/bulk?scope_id={bql}&title=dv_htxsnv_5_nam&year=2022")).await;
    assert_eq!(members.as_array().expect("list").len(), 15);
    // And the Đảng ủy's decision gave exactly those, with the grassroots committee.
    let awards = get(&s, &format!("/api/v1/awards?org_id={bql}&from_year=2022&to_year=2022")).await;
    let by_title = |t: &str| awards.as_array().expect("list").iter().filter(|a| a["title"] == t).count();
    assert_eq!((by_title("tcd_htxsnv_tieu_bieu"), by_title("cb_htxsnv_5_nam"), by_title("dv_htxsnv_5_nam")), (1, 2, 15));
    // Their dossiers went the whole way, each with the answer it was submitted with.
    let dossiers = get(&s, "/api/v1/dossiers?year=2022").await;
    assert_eq!(dossiers.as_array().expect("list").len(), 18);
    let first = get(&s, &format!("/api/v1/dossiers/{}", dossiers[0]["id"])).await;
    assert_eq!(first["state"], "decided");
    assert_eq!(first["captured"]["verdict"], "eligible");

    // Seed 003: the sector's council gave Cụm 6 one flag, two Bằng khen to collectives and six to
    // individuals; Ban Tổ chức ĐUKDN was Tập thể lao động xuất sắc, its head Chiến sĩ thi đua toàn
    // quốc, two officers Chiến sĩ thi đua cơ sở.
    let year = get(&s, "/api/v1/awards?from_year=2023&to_year=2023").await;
    let list = year.as_array().expect("list");
    let count = |t: &str, kind: &str| list.iter().filter(|a| a["title"] == t && a["nominee"].as_str().is_some_and(|n| n.starts_with(kind))).count();
    assert_eq!((count("co_thi_dua", "org"), count("bang_khen", "org"), count("bang_khen", "person")), (1, 2, 6));
    assert_eq!((count("ttldxs", "org"), count("cstd_tq", "person"), count("cstd_cs", "person")), (1, 1, 2));
    assert!(list.iter().any(|a| a["title"] == "cstd_tq" && a["recipient"] == "Chu Đình Động"));
    // What did the board that became Ban Tổ chức Đảng ủy các cơ quan Đảng Trung ương (and its
    // predecessors) receive 2019–2025? The 2023 awards of Ban Tổ chức ĐUKDN.
    let successor = org_id(&s, "Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương").await;
    let lineage = get(&s, &format!("/api/v1/orgs/{successor}/successor")).await;
    let now = lineage["org_ids"][0].as_i64().expect("successor");
    let history = get(&s, &format!("/api/v1/awards?org_id={now}&predecessors=true&from_year=2019&to_year=2025")).await;
    let titles: BTreeSet<&str> = history.as_array().expect("list").iter().filter(|a| a["nominee"].as_str().is_some_and(|n| n.starts_with("org"))).filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(titles, BTreeSet::from(["co_thi_dua", "ttldxs"]));
    // The registry page shows it in Vietnamese with the decision line.
    let html = s.admin.get(s.url(&format!("/awards?org={now}&predecessors=on&from=2019&to=2025"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Cờ thi đua cấp bộ, ban, ngành, tỉnh") && html.contains("1245-QĐ/BTCTW (minh họa)") && html.contains("Thống kê theo năm"), "{html}");
}

async fn documents(s: Server) {
    let awards = get(&s, "/api/v1/awards?title=cstd_tq").await;
    let id = awards[0]["id"].as_i64().expect("award");
    let r = s.admin.get(s.url(&format!("/awards/{id}/certificate.docx"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("a docx that opens");
    let at = |text: &str| p.iter().position(|x| x == text).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("BẰNG CHIẾN SĨ THI ĐUA TOÀN QUỐC") < at("Đồng chí Chu Đình Động"));
    assert!(at("Đạt danh hiệu “Chiến sĩ thi đua toàn quốc” năm 2023.") > at("Đồng chí Chu Đình Động"));
    assert!(p.iter().any(|x| x.starts_with("Quyết định số 318/QĐ-TTg (minh họa), ngày 12 tháng 4 năm 2024")), "{p:#?}");
    // The submission letter and the list of the Chi bộ Phòng Quản lý đầu tư's 2022 dossiers.
    let cell = org_id(&s, "Chi bộ Phòng Quản lý đầu tư").await;
    for (kind, heading) in [("letter", "TỜ TRÌNH"), ("list", "DANH SÁCH")] {
        let r = s.admin.get(s.url(&format!("/dossiers/submission.docx?proposer={cell}&year=2022&kind={kind}"))).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK);
        let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("docx");
        assert!(p.iter().any(|x| x == heading), "{p:#?}");
        if kind == "list" {
            assert!(p.iter().any(|x| x == "Chi bộ hoàn thành xuất sắc nhiệm vụ tiêu biểu 5 năm liền (1):"), "{p:#?}");
            assert!(p.iter().any(|x| x == "Tổng số: 5 hồ sơ."), "{p:#?}");
        }
    }
    let r = s.admin.get(s.url(&format!("/dossiers/submission.docx?proposer={cell}&year=hai&kind=letter"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// The bulk mode counts streaks in SQL; the core's `streak_bulk` is its specification. Both are
/// asked about pseudo-random histories with gaps, lower years and several results in a year.
async fn streaks_in_sql(db: TestDb) {
    use thidua_store::{NewSubject, Store};
    let app = db.app().await;
    let store = Store::open(&db.url).await.expect("store");
    let start = date(2010, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối thử", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let cells = [org(&app, start, "Chi bộ Một", OrgKind::Cell, Some(upper)).await, org(&app, start, "Chi bộ Hai", OrgKind::Cell, Some(upper)).await];
    let mut members = Vec::new();
    for i in 0..40 {
        members.push((member(&app, &format!("Đảng viên {i}"), cells[i % 2], date(2012, 1, 1)).await, cells[i % 2]));
    }
    let mut seed = 0x9e37_79b9_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for cell in cells {
        for year in 2014..=2024 {
            let mut subjects = Vec::new();
            for (m, c) in members.iter().filter(|(_, c)| *c == cell) {
                let r = next() % 10;
                if r == 0 {
                    continue; // a gap year
                }
                let level = match r {
                    1 => Level::Httnv,
                    2 => Level::Htnv,
                    _ => Level::Htxsnv,
                };
                subjects.push((NewSubject { kind: SubjectKind::Member, member: Some(*m), org: None, cell: *c }, level));
                if r == 9 {
                    // A second result the same year, in another round of the year.
                    subjects.push((NewSubject { kind: SubjectKind::Member, member: Some(*m), org: None, cell: *c }, Level::Httnv));
                }
            }
            let mut tx = store.begin().await.expect("begin");
            let round = tx.create_eval_round(cell, year, "thử", "thử").await.expect("round").expect("new round");
            let results: Vec<_> = subjects.into_iter().map(|(s, l)| (round, s, l)).collect();
            tx.add_concluded(&results, "thử", date(year + 1, 1, 10)).await.expect("results");
            tx.set_round_concluded(round, 1, true, "thử", date(year + 1, 1, 10)).await.expect("concluded");
            tx.commit().await.expect("commit");
        }
    }
    let mut found = 0;
    for (year, years, at_least) in [(2024, 5, Level::Htxsnv), (2022, 3, Level::Htxsnv), (2020, 1, Level::Htxsnv), (2024, 4, Level::Httnv), (2019, 6, Level::Htnv)] {
        let first = year - years + 1;
        let ok: Vec<Level> = Level::ALL.into_iter().filter(|l| *l >= at_least).collect();
        let streaks = store.member_streaks(first, year, &ok).await.expect("sql");
        let rows = store.member_level_rows(&cells, first, year).await.expect("rows");
        for s in &streaks {
            // The levels the query read back, year by year, are those recorded.
            let mut recorded: Vec<(i16, Level)> = rows.iter().filter(|(m, _, _)| *m == s.member).map(|(_, y, l)| (*y, *l)).collect();
            recorded.sort();
            recorded.dedup();
            assert_eq!(s.by_year, recorded);
        }
        let mut by_sql: Vec<i64> = streaks.into_iter().map(|s| s.member.0).collect();
        by_sql.sort_unstable();
        let mut by_core: Vec<i64> = thidua_core::commendation::streak_bulk(rows, year, years as u16, at_least).into_iter().map(|m| m.0).collect();
        by_core.sort_unstable();
        assert_eq!(by_sql, by_core, "{year}, {years} years at {at_least:?}");
        found += by_sql.len();
    }
    assert!(found > 10, "the histories hold streaks to find: {found}");
}
