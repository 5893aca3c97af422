//! Optimistic concurrency under load, on both backends: a hundred officers saving the same dossier
//! or the same member's evaluation at once. One wins; every other is refused with what differs,
//! and nothing is overwritten. Officers who reload and save again all land, none lost.

use jiff::civil::date;
use thidua_app::auth::Principal;
use thidua_app::commendation::{NewDossier, NomineeRef};
use thidua_app::evaluation::AssessmentInput;
use thidua_app::{App, AppError, FieldChange};
use thidua_core::evaluation::{Assessment, SubjectKind, Tasks};
use thidua_core::org::{OrgId, OrgKind};
use thidua_store::Store;

use crate::emulation::org;
use crate::evaluation::member;
use crate::support::{ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_hundred_officers_saving_one_dossier_one_wins_the_others_see_what_differs", |db| Box::pin(dossier_editors(db))),
    ("a_hundred_officers_saving_one_evaluation_one_wins_the_others_see_what_differs", |db| Box::pin(evaluation_editors(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[("a_stale_save_over_the_api_is_a_409_with_what_differs", |s| Box::pin(stale_over_http(s)))];

const WRITERS: usize = 100;

/// A cell under an upper committee under a province, with one member.
async fn cell_with_member(app: &App) -> (OrgId, thidua_core::member::MemberId) {
    let start = date(2020, 1, 1);
    let province = org(app, start, "Tỉnh ủy Đồng thời", OrgKind::ProvincialCommittee, None).await;
    let upper = org(app, start, "Đảng ủy Khối Cơ quan", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let cell = org(app, start, "Chi bộ Văn phòng", OrgKind::Cell, Some(upper)).await;
    let m = member(app, "Trần Văn Đồng", cell, date(2010, 3, 2)).await;
    (cell, m)
}

/// Runs `WRITERS` saves at once; each gets its own index.
async fn all_at_once<F, Fut>(save: F) -> Vec<Result<(), AppError>>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>> + Send + 'static,
{
    let tasks: Vec<_> = (0..WRITERS).map(|i| tokio::spawn(save(i))).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("no writer panics"));
    }
    out
}

async fn dossier_editors(db: TestDb) {
    let app = db.app().await;
    let store = Store::open(&db.url).await.expect("store");
    let system = Principal::system();
    let (cell, m) = cell_with_member(&app).await;
    let new = NewDossier { year: 2024, title: "dv_htxsnv_5_nam".into(), nominee: NomineeRef::Member(m), proposer: cell, achievements: "Bản đầu tiên".into() };
    let id = app.create_dossier(&system, &new).await.expect("dossier");
    let read = store.dossier(id).await.expect("read").expect("dossier");
    let text = |i: usize| format!("Thành tích do cán bộ số {i} nhập");

    // All from the same version: one wins.
    let results = all_at_once(|i| {
        let app = app.clone();
        let version = read.version;
        async move { app.edit_dossier(&Principal::system(), id, version, "dv_htxsnv_5_nam", &text(i)).await }
    })
    .await;
    let winners: Vec<usize> = (0..WRITERS).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one save lands");
    let winner = winners[0];
    let saved = store.dossier(id).await.expect("read").expect("dossier");
    assert_eq!((saved.achievements.as_str(), saved.version), (text(winner).as_str(), read.version + 1));
    for (i, r) in results.into_iter().enumerate().filter(|(i, _)| *i != winner) {
        match r {
            Err(AppError::Changed(changes)) => assert_eq!(
                changes,
                [FieldChange { field: "achievements", item: None, saved: text(winner), yours: text(i) }],
                "writer {i} is told what the winner saved beside its own"
            ),
            other => panic!("writer {i}: {other:?}"),
        }
    }

    // Officers who reload after a refusal and save again: every save lands once, none is lost.
    let results = all_at_once(|i| {
        let (app, store) = (app.clone(), store.clone());
        async move {
            loop {
                let version = store.dossier(id).await.expect("read").expect("dossier").version;
                match app.edit_dossier(&Principal::system(), id, version, "dv_htxsnv_5_nam", &format!("Lần hai, cán bộ số {i}")).await {
                    Err(AppError::Changed(_)) => continue,
                    done => return done,
                }
            }
        }
    })
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let last = store.dossier(id).await.expect("read").expect("dossier");
    assert_eq!(last.version, read.version + 1 + WRITERS as i64, "one version per save that landed");
    let edits = store.audit_log().await.expect("audit").into_iter().filter(|e| e.action == "dossier.edit" && e.resource == format!("dossier:{id}")).count();
    assert_eq!(edits, 1 + WRITERS, "one audit entry per save that landed, none for refusals");
    assert!(matches!(app.verify_audit().await.expect("verify"), thidua_app::audit::AuditCheck::Intact { .. }));
}

async fn evaluation_editors(db: TestDb) {
    let app = db.app().await;
    let system = Principal::system();
    let (cell, _) = cell_with_member(&app).await;
    let round = app.open_eval_round(&system, cell, 2025).await.expect("round");
    let view = app.eval_round_view(&system, round.id).await.expect("view");
    let subject = view.subjects.iter().find(|s| s.row.kind == SubjectKind::Member).expect("the member").row.clone();
    let tasks = |i: usize| Tasks { total: 20 + i as u32, on_time: 20, exceeding: 0, late: 0 };

    let results = all_at_once(|i| {
        let app = app.clone();
        let input = AssessmentInput { subject: subject.id, version: subject.version, assessment: Assessment { tasks: tasks(i), ..Assessment::default() }, self_level: None };
        async move { app.save_steps(&Principal::system(), round.id, &[input], &[]).await }
    })
    .await;
    let winners: Vec<usize> = (0..WRITERS).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one save lands");
    let winner = winners[0];
    let view = app.eval_round_view(&system, round.id).await.expect("view");
    let now = view.subjects.iter().find(|s| s.row.id == subject.id).expect("subject");
    assert_eq!((now.row.assessment.tasks, now.row.version), (tasks(winner), subject.version + 1));
    for (i, r) in results.into_iter().enumerate().filter(|(i, _)| *i != winner) {
        match r {
            Err(AppError::Changed(changes)) => assert_eq!(
                changes,
                [FieldChange { field: "tasks_total", item: None, saved: (20 + winner).to_string(), yours: (20 + i).to_string() }],
                "writer {i}"
            ),
            other => panic!("writer {i}: {other:?}"),
        }
    }
}

async fn stale_over_http(s: Server) {
    let (id, round) = crate::evaluation::round_2025(&s, 0).await;
    let m = round["subjects"].as_array().expect("subjects").iter().find(|x| x["kind"] == "member").expect("a member").clone();
    // Saved once (version 1 → 2) by `round_2025`; an officer still holding version 1 saves.
    let stale = serde_json::json!([{"subject_id": m["id"], "version": m["version"].as_i64().expect("version") - 1, "scores": m["scores"], "tasks": {"total": 12, "on_time": 10, "exceeding": 1}, "self_level": "htxsnv"}]);
    let r = s.admin.post(s.url(&format!("/api/v1/evaluations/{id}/assessments"))).json(&stale).send().await.expect("post");
    let status = r.status();
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(
        body["error"]["changes"],
        serde_json::json!([
            {"field": "self_level", "item": null, "saved": "HTTNV", "yours": "HTXSNV"},
            {"field": "tasks_total", "item": null, "saved": "10", "yours": "12"},
        ])
    );
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("Tự xếp loại: đã lưu «HTTNV», bạn nhập «HTXSNV»") && message.contains("Số nhiệm vụ được giao: đã lưu «10», bạn nhập «12»"), "{message}");
    let after: serde_json::Value = s.admin.get(s.url(&format!("/api/v1/evaluations/{id}"))).send().await.expect("get").json().await.expect("json");
    let now = after["subjects"].as_array().expect("subjects").iter().find(|x| x["id"] == m["id"]).expect("the member");
    assert_eq!((now["version"].clone(), now["tasks"]["total"].clone()), (m["version"].clone(), serde_json::json!(10)), "nothing overwritten");
}
