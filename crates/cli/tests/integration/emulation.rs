//! Cluster rules and next year's membership, campaigns and criteria, covenants, meetings with their
//! minutes, key tasks.

use std::collections::BTreeSet;

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::Principal;
use thidua_app::documents::{Direction, NewDocument};
use thidua_app::emulation::{CovenantInput, Guest, NewCampaign, NewMeeting, TopicRow};
use thidua_app::{App, AppError, FieldProblem, Invalid};
use thidua_core::cluster::{ClusterId, ClusterRole, ClusterYear};
use thidua_core::emulation::{parse_criteria, CampaignKind, ClusterRules, CovenantEntry, EmulationError, MeetingKind, TaskStatus};
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec, Target};
use thidua_store::Store;

use crate::support::{ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("next_year_follows_a_merge_and_the_rotation", |db| Box::pin(next_year(db))),
    ("campaign_criteria_covenant_meeting_and_tasks", |db| Box::pin(campaign_to_tasks(db))),
    ("meetings_recorded_at_once_get_distinct_numbers", |db| Box::pin(concurrent_meetings(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("demo_meetings_are_the_seeds", |s| Box::pin(demo_meetings(s))),
    ("meetings_and_tasks_over_the_api_follow_the_policy", |s| Box::pin(api_writes(s))),
    ("minutes_and_covenant_are_party_format_docx", |s| Box::pin(docx_documents(s))),
    ("forms_show_problems_next_to_their_fields", |s| Box::pin(form_problems(s))),
];

pub async fn org(app: &App, on: jiff::civil::Date, name: &str, kind: OrgKind, parent: Option<OrgId>) -> OrgId {
    let spec = OrgSpec { kind, name: name.into(), short_name: None, parent };
    let e = app.record_org_event(&Principal::system(), on, OrgChange::Create(NewOrg { org: (), spec }), None).await.expect("org");
    e.change.created()[0].org
}

/// A cluster of three boards under an owner, with 2024's membership (the first board leads).
pub async fn cluster(db: &TestDb, app: &App) -> (ClusterId, OrgId, [OrgId; 3]) {
    let start = date(2020, 1, 1);
    let owner = org(app, start, "Ban Tổ chức Tỉnh ủy", OrgKind::OrganizationBoard, None).await;
    let a = org(app, start, "Ban Tổ chức Huyện ủy A", OrgKind::OrganizationBoard, Some(owner)).await;
    let b = org(app, start, "Ban Tổ chức Huyện ủy B", OrgKind::OrganizationBoard, Some(owner)).await;
    let c = org(app, start, "Ban Tổ chức Huyện ủy C", OrgKind::OrganizationBoard, Some(owner)).await;
    let store = Store::open(&db.url).await.expect("store");
    let mut tx = store.begin().await.expect("begin");
    let id = tx.create_cluster("Cụm thi đua thử", owner, None).await.expect("cluster");
    tx.commit().await.expect("commit");
    store.close().await;
    let year = ClusterYear { year: 2024, members: vec![(a, ClusterRole::Leader), (b, ClusterRole::Deputy), (c, ClusterRole::Member)] };
    app.set_cluster_year(&Principal::system(), id, &year).await.expect("2024");
    (id, owner, [a, b, c])
}

async fn next_year(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let (id, owner, [a, b, c]) = cluster(&db, &app).await;
    app.set_cluster_rules(system, id, ClusterRules { rotation: vec![a, b, c], ..ClusterRules::default() }).await.expect("rules");
    // Without a merge, the lead passes to the next in the rotation and the deputy after it.
    let plain = app.propose_next_year(system, id, 2024).await.expect("proposal");
    assert_eq!(plain.year.year, 2025);
    assert_eq!(plain.year.leader(), Some(b));
    assert_eq!(plain.year.deputy(), Some(c));

    // B and C merge into a new board in mid-2024: next year has A and the new board, which leads.
    let change = OrgChange::Merge {
        sources: vec![b, c],
        into: Target::New(NewOrg { org: (), spec: OrgSpec { kind: OrgKind::OrganizationBoard, name: "Ban Tổ chức Huyện ủy BC".into(), short_name: None, parent: Some(owner) } }),
    };
    let event = app.record_org_event(system, date(2024, 7, 1), change, Some("Hợp nhất huyện".into())).await.expect("merge");
    let bc = event.change.created()[0].org;
    let proposal = app.propose_next_year(system, id, 2024).await.expect("proposal");
    let members: BTreeSet<OrgId> = proposal.year.members.iter().map(|(o, _)| *o).collect();
    assert_eq!(members, BTreeSet::from([a, bc]));
    assert_eq!(proposal.year.leader(), Some(bc), "the rotation follows B into the merged board");
    assert_eq!(proposal.year.deputy(), Some(a));
    assert!(!proposal.exists);
    app.set_cluster_year(system, id, &proposal.year).await.expect("save 2025");
    // The past year keeps the members it had.
    let before = app.cluster_detail(system, id, Some(2024)).await.expect("2024");
    assert_eq!(before.members.iter().map(|m| m.org.org).collect::<BTreeSet<_>>(), BTreeSet::from([a, b, c]));
    let after = app.cluster_detail(system, id, Some(2025)).await.expect("2025");
    assert_eq!(after.members[0].org.org, bc);
    assert_eq!(after.members[0].role, ClusterRole::Leader);
    assert!(!app.propose_next_year(system, id, 2025).await.expect("again").exists);

    // A year with a unit that did not exist then is refused, and nothing changes.
    let refused = app.set_cluster_year(system, id, &ClusterYear { year: 2021, members: vec![(bc, ClusterRole::Leader)] }).await;
    assert!(matches!(refused, Err(AppError::Invalid(ref p)) if p[0] == FieldProblem::new("members", Invalid::NotMember)), "{refused:?}");
    assert!(app.cluster_detail(system, id, Some(2021)).await.expect("2021").members.is_empty());
    // Rotation units must have belonged to the cluster.
    let stranger = org(&app, date(2020, 1, 1), "Ban Tổ chức Huyện ủy Khác", OrgKind::OrganizationBoard, Some(owner)).await;
    let refused = app.set_cluster_rules(system, id, ClusterRules { rotation: vec![stranger], ..ClusterRules::default() }).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let refused = app.set_cluster_rules(system, id, ClusterRules { rotation: vec![a, a], ..ClusterRules::default() }).await;
    assert!(matches!(refused, Err(AppError::Emulation(EmulationError::RotationDuplicate(_)))), "{refused:?}");
    assert_eq!(app.cluster_rules(system, id).await.expect("rules").rotation, [a, b, c], "refused rules changed nothing");
}

fn meeting(id: ClusterId, on: jiff::civil::Date, units: Vec<OrgId>) -> NewMeeting {
    NewMeeting {
        cluster: id,
        kind: MeetingKind::QuarterlyBriefing,
        held_on: on,
        locality: "Bình Thuận".into(),
        place: "Hội trường thử".into(),
        host: units.first().copied(),
        title: String::new(),
        agenda: "Báo cáo quý.".into(),
        units,
        guests: vec![Guest { name: "Đại diện Ban Tổ chức Tỉnh ủy".into(), position: String::new() }],
        topics: vec![],
        documents: vec![],
        discussion: String::new(),
        conclusions: String::new(),
    }
}

async fn campaign_to_tasks(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let (id, owner, [a, b, c]) = cluster(&db, &app).await;
    let new = NewCampaign {
        cluster: id,
        kind: CampaignKind::Regular,
        year: 2024,
        title: "Phong trào thi đua năm 2024".into(),
        theme: Some("Đoàn kết, kỷ cương".into()),
        starts_on: None,
        ends_on: None,
        launch_document: None,
        copy_criteria: true,
    };
    let campaign = app.create_campaign(system, &new).await.expect("campaign");
    assert_eq!((campaign.starts_on, campaign.ends_on), (date(2024, 1, 1), date(2024, 12, 31)));

    // A table that does not add up is refused and nothing is stored; one that does is kept in order.
    let bad = parse_criteria("1 | Tổ chức | 600\n1.1 | Kiện toàn | 500\n2 | Cán bộ | 400").expect("reads");
    let refused = app.set_criteria(system, campaign.id, &bad).await;
    assert!(matches!(refused, Err(AppError::Emulation(EmulationError::ChildrenSum { .. }))), "{refused:?}");
    assert!(app.campaign_detail(system, campaign.id).await.expect("detail").criteria.is_empty());
    let good = parse_criteria("1 | Tổ chức | 600\n1.1 | Kiện toàn | 600 | | báo cáo\n2 | Cán bộ | 400\nT | Sáng kiến | 50 | thưởng").expect("reads");
    app.set_criteria(system, campaign.id, &good).await.expect("table");
    let detail = app.campaign_detail(system, campaign.id).await.expect("detail");
    assert_eq!(detail.criteria, good);
    assert!(detail.table_problem.is_none());

    // Next year's campaign starts from this table.
    let next = app.create_campaign(system, &NewCampaign { year: 2025, title: "Phong trào thi đua năm 2025".into(), ..new.clone() }).await.expect("2025");
    assert_eq!(app.campaign_detail(system, next.id).await.expect("2025").criteria, good);
    // A thematic campaign needs its period.
    let refused = app.create_campaign(system, &NewCampaign { kind: CampaignKind::Thematic, copy_criteria: false, ..new.clone() }).await;
    assert!(matches!(refused, Err(AppError::Invalid(ref p)) if p.iter().any(|x| x.field == "starts_on")), "{refused:?}");

    // Registration and covenant: complete only when every unit signed or is recorded absent.
    app.register_targets(system, campaign.id, a, &["100% chi bộ hoàn thành tốt nhiệm vụ".into()], &["Tập thể lao động xuất sắc".into()]).await.expect("register");
    let refused = app.register_targets(system, campaign.id, a, &["  ".into()], &[]).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let outsider = org(&app, date(2020, 1, 1), "Ban Tổ chức Huyện ủy Ngoài", OrgKind::OrganizationBoard, Some(owner)).await;
    let refused = app.register_targets(system, campaign.id, outsider, &["Chỉ tiêu".into()], &[]).await;
    assert!(matches!(refused, Err(AppError::Invalid(ref p)) if p[0] == FieldProblem::new("org", Invalid::NotMember)), "{refused:?}");
    let signed = |org| CovenantInput { org, entry: CovenantEntry::Signed { on: date(2024, 3, 1), signatory: "Trưởng ban".into() }, meeting: None };
    app.record_covenant(system, campaign.id, &signed(a)).await.expect("a signs");
    app.record_covenant(system, campaign.id, &signed(b)).await.expect("b signs");
    assert_eq!(app.campaign_detail(system, campaign.id).await.expect("detail").missing, [c]);
    let no_reason = CovenantInput { org: c, entry: CovenantEntry::Absent { reason: " ".into() }, meeting: None };
    assert!(matches!(app.record_covenant(system, campaign.id, &no_reason).await, Err(AppError::Invalid(_))));
    let absent = CovenantInput { org: c, entry: CovenantEntry::Absent { reason: "Đi công tác".into() }, meeting: None };
    app.record_covenant(system, campaign.id, &absent).await.expect("c absent");
    assert!(app.campaign_detail(system, campaign.id).await.expect("detail").missing.is_empty());

    // A meeting disseminating a registered document, found by its number and symbol.
    app.declare_register(system, owner, "BTCTU").await.expect("register");
    app.declare_term(system, owner, "Nhiệm kỳ 2020–2025", date(2020, 10, 1), None).await.expect("term");
    let doc = NewDocument {
        register: owner,
        unit: None,
        doc_type: "HD".into(),
        issued_on: Some(date(2024, 2, 1)),
        summary: "Hướng dẫn thi đua năm 2024".into(),
        signer: None,
        recipients: None,
        secrecy: None,
        urgency: None,
        source_symbol: None,
        issuer_name: None,
        arrival_on: None,
        assigned_to: None,
        deadline: None,
    };
    let secret = NewDocument { summary: "Báo cáo nhân sự".into(), secrecy: Some("Mật".into()), ..doc.clone() };
    let doc = app.register_document(system, Direction::Outgoing, &doc, &[]).await.expect("document");
    let secret = app.register_document(system, Direction::Outgoing, &secret, &[]).await.expect("secret document");
    let mut first = meeting(id, date(2024, 3, 20), vec![a, b]);
    first.topics = vec![TopicRow { title: "Công tác chuyển sinh hoạt đảng".into(), presenter_org: Some(b), presenter: None }];
    first.documents = vec!["1-hd/btctu".into()];
    let mut wrong = first.clone();
    wrong.documents = vec!["99-CV/TU".into()];
    wrong.units.push(outsider);
    let refused = app.create_meeting(system, &wrong).await;
    let Err(AppError::Invalid(problems)) = refused else { panic!("{refused:?}") };
    assert!(problems.contains(&FieldProblem::new("units", Invalid::NotMember)), "{problems:?}");
    assert!(problems.contains(&FieldProblem::new("documents", Invalid::UnknownDocument("99-CV/TU".into()))), "{problems:?}");
    let mut leak = first.clone();
    leak.documents = vec![secret.symbol.clone().expect("numbered")];
    let refused = app.create_meeting(system, &leak).await;
    assert!(matches!(refused, Err(AppError::Invalid(ref p)) if matches!(p[0].problem, Invalid::SecretDocument(_))), "{refused:?}");
    assert!(app.meetings(system, id, None).await.expect("none").is_empty(), "a refused meeting is not stored");

    let m1 = app.create_meeting(system, &first).await.expect("meeting");
    assert_eq!(m1.title, "Hội nghị giao ban quý I năm 2024");
    assert_eq!(m1.number, 1);
    let m2 = app.create_meeting(system, &meeting(id, date(2024, 6, 20), vec![c])).await.expect("second");
    assert_eq!(m2.number, 2);
    let detail = app.meeting_detail(system, m1.id).await.expect("detail");
    assert_eq!(detail.units.len(), 2);
    assert_eq!(detail.documents[0].document.id, doc.id);
    assert_eq!(detail.topics[0].1.as_deref(), Some("Ban Tổ chức Huyện ủy B"));

    // Key tasks: deadlines not before the meeting, owners from the cluster, statuses by version.
    let refused = app.add_key_task(system, m1.id, "Sơ kết", Some(a), Some(date(2024, 3, 1))).await;
    assert!(matches!(refused, Err(AppError::Invalid(ref p)) if p[0] == FieldProblem::new("deadline", Invalid::BeforeMeeting)), "{refused:?}");
    let task = app.add_key_task(system, m1.id, "Sơ kết 6 tháng", Some(a), Some(date(2024, 6, 30))).await.expect("task");
    let late = app.add_key_task(system, m1.id, "Kiện toàn chi bộ", Some(b), Some(date(2024, 4, 30))).await.expect("task");
    app.update_key_task(system, task.id, 1, TaskStatus::Done, "Đã sơ kết").await.expect("done");
    assert!(matches!(app.update_key_task(system, task.id, 1, TaskStatus::Cancelled, "").await, Err(AppError::Conflict)));
    let progress = app.key_tasks(system, id, 2024).await.expect("progress");
    assert_eq!((progress.tasks.len(), progress.done, progress.overdue), (2, 1, 1));
    let overdue = progress.tasks.iter().find(|t| t.task.id == late.id).expect("late task");
    assert!(overdue.overdue);
    let done = progress.tasks.iter().find(|t| t.task.id == task.id).expect("done task");
    assert_eq!(done.task.status, TaskStatus::Done);
    assert_eq!(done.notes[0].note, "Đã sơ kết");
    assert!(done.task.done_on.is_some());
}

async fn concurrent_meetings(db: TestDb) {
    let app = db.app().await;
    let (id, _, [a, b, _]) = cluster(&db, &app).await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let app = app.clone();
        let m = meeting(id, date(2024, 1 + (i % 12) as i8, 10), vec![a, b]);
        tasks.push(tokio::spawn(async move { app.create_meeting(&Principal::system(), &m).await.expect("meeting").number }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    numbers.sort();
    assert_eq!(numbers, (1..=10).collect::<Vec<i64>>());
}

async fn cluster_named(s: &Server, prefix: &str) -> i64 {
    let list: Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    list.as_array().expect("list").iter().find(|c| c["name"].as_str().is_some_and(|n| n.starts_with(prefix))).and_then(|c| c["id"].as_i64()).expect(prefix)
}

async fn demo_meetings(s: Server) {
    let cum7 = cluster_named(&s, "Cụm thi đua 7").await;
    let list: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/meetings?year=2023"))).send().await.expect("get").json().await.expect("json");
    let briefing = &list[0];
    assert_eq!(briefing["held_on"], "2023-09-22");
    assert_eq!(briefing["kind"], "quarterly_briefing");
    assert_eq!(briefing["place"], "Hội trường Khu Du lịch Sài Gòn – Mũi Né");
    let d: Value = s.admin.get(s.url(&format!("/api/v1/meetings/{}", briefing["id"]))).send().await.expect("get").json().await.expect("json");
    let symbols: Vec<&str> = d["documents"].as_array().expect("docs").iter().filter_map(|x| x["symbol"].as_str()).collect();
    assert_eq!(symbols.iter().copied().collect::<BTreeSet<_>>(), BTreeSet::from(["969-CV/TU", "1439-QĐ/TU", "114-QĐ/TW", "117-QĐ/TW"]));
    assert_eq!(d["topics"][0]["title"], "Chương trình kiểm tra, giám sát công tác tổ chức xây dựng Đảng ở cơ sở");
    assert_eq!(d["units"].as_array().expect("units").len(), 11);
    assert_eq!(d["tasks"].as_array().expect("tasks").len(), 12);
    let progress: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/tasks?year=2023"))).send().await.expect("get").json().await.expect("json");
    assert_eq!((progress["total"].as_i64(), progress["done"].as_i64(), progress["overdue"].as_i64()), (Some(12), Some(10), Some(2)));

    let cum1 = cluster_named(&s, "Cụm thi đua 1").await;
    let list: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum1}/meetings"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(list[0]["held_on"], "2023-03-10");
    assert_eq!(list[0]["kind"], "covenant_signing");
    let campaigns: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum1}/campaigns"))).send().await.expect("get").json().await.expect("json");
    let campaign: Value = s.admin.get(s.url(&format!("/api/v1/campaigns/{}", campaigns[0]["id"]))).send().await.expect("get").json().await.expect("json");
    assert_eq!(campaign["missing"], json!([]), "all six districts signed at the meeting");
    assert_eq!(campaign["units"].as_array().expect("units").len(), 6);
    let m1: Value = s.admin.get(s.url(&format!("/api/v1/meetings/{}", list[0]["id"]))).send().await.expect("get").json().await.expect("json");
    assert_eq!(m1["topics"][0]["title"], "Công tác tiếp nhận giới thiệu chuyển sinh hoạt Đảng");

    let cum2 = cluster_named(&s, "Cụm thi đua 2").await;
    let list: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum2}/meetings"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(list[0]["kind"], "half_year_briefing");
    let m2: Value = s.admin.get(s.url(&format!("/api/v1/meetings/{}", list[0]["id"]))).send().await.expect("get").json().await.expect("json");
    assert_eq!(m2["documents"][0]["symbol"], "20-CT/TU");
    assert!(m2["topics"][0]["title"].as_str().expect("topic").contains("Chỉ thị số 20-CT/TU"));

    let cum6 = cluster_named(&s, "Cụm thi đua số 6").await;
    let list: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum6}/meetings?year=2023"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(list[0]["kind"], "seminar");
    assert_eq!(list[0]["locality"], "Hà Nội");

    // The cluster page shows the calendar with the briefing in September.
    let page = s.admin.get(s.url(&format!("/clusters/{cum7}?year=2023"))).send().await.expect("get").text().await.expect("html");
    let calendar = &page[page.find("id=\"calendar\"").expect("calendar")..];
    let september = &calendar[calendar.find("Tháng 9").expect("September")..calendar.find("Tháng 10").expect("October")];
    assert!(september.contains("22/09") && september.contains("Hội nghị giao ban và sinh hoạt chuyên đề quý III năm 2023"), "{september}");
}

async fn api_writes(s: Server) {
    let cum7 = cluster_named(&s, "Cụm thi đua 7").await;
    let d: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}?year=2024"))).send().await.expect("get").json().await.expect("json");
    let unit = |name: &str| {
        d["members"].as_array().expect("members").iter().find(|m| m["org"]["name"].as_str().is_some_and(|n| n.ends_with(name))).and_then(|m| m["org"]["id"].as_i64()).expect(name)
    };
    let (satra, samco, resco) = (unit("Thương mại Sài Gòn"), unit("Cơ khí Giao thông vận tải Sài Gòn"), unit("Địa ốc Sài Gòn"));
    let leader = s.as_user("cumtruong").await;
    let url = s.url(&format!("/api/v1/clusters/{cum7}/meetings"));
    let before: Value = s.admin.get(url.clone()).send().await.expect("get").json().await.expect("json");

    // Problems come back per field, in Vietnamese, and nothing is written.
    let r = leader.post(url.clone()).json(&json!({"kind": "quarterly_briefing", "held_on": "2024-10-18", "locality": "", "place": " ", "unit_ids": []})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid");
    let fields: BTreeSet<&str> = body["error"]["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, BTreeSet::from(["locality", "place", "units"]));
    assert!(body["error"]["message"].as_str().expect("message").contains("Địa điểm: Cần nhập mục này."), "{body}");
    let r = leader.post(url.clone()).json(&json!({"kind": "tiệc", "held_on": "2024-10-18", "locality": "x", "place": "y", "unit_ids": [satra]})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = leader.post(url.clone()).json(&json!({"kind": "seminar", "held_on": "31/02/2024", "locality": "x", "place": "y", "unit_ids": [satra]})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let after: Value = s.admin.get(url.clone()).send().await.expect("get").json().await.expect("json");
    assert_eq!(before, after);

    // The cluster leader records a meeting; a council member only reads.
    let meeting = json!({
        "kind": "quarterly_briefing", "held_on": "2024-10-18", "locality": "Thành phố Hồ Chí Minh", "place": "Hội trường SATRA",
        "host_id": satra, "unit_ids": [satra, samco], "topics": [{"title": "Sắp xếp tổ chức bộ máy", "presenter_org_id": samco}],
        "documents": ["20-CT/TU"], "guests": [{"name": "Đại diện Phòng Cán bộ", "position": "Ban Tổ chức Thành ủy"}]
    });
    let r = s.as_user("uyvien").await.post(url.clone()).json(&meeting).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The leader may not read Thành ủy's register, so cannot share its documents with the cluster;
    // whether the number exists there is not revealed either.
    let r = leader.post(url.clone()).json(&meeting).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["fields"][0]["field"], "documents");
    assert_eq!(body["error"]["fields"][0]["message"], "Không tìm thấy văn bản “20-CT/TU” trong sổ văn bản mà bạn được xem.");
    let mut meeting = meeting;
    meeting["documents"] = json!([]);
    let r = leader.post(url.clone()).json(&meeting).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["title"], "Hội nghị giao ban quý IV năm 2024");
    assert_eq!(created["number"], 1);
    let id = created["id"].as_i64().expect("id");
    let r = leader.post(s.url(&format!("/api/v1/meetings/{id}/tasks"))).json(&json!({"title": "Rà soát đảng viên", "owner_id": satra, "deadline": "2024-12-31"})).send().await.expect("task");
    assert_eq!(r.status(), StatusCode::CREATED);
    let satra_task = r.json::<Value>().await.expect("json")["id"].as_i64().expect("id");
    let r = leader.post(s.url(&format!("/api/v1/meetings/{id}/tasks"))).json(&json!({"title": "Tập huấn", "owner_id": samco})).send().await.expect("task");
    let samco_task = r.json::<Value>().await.expect("json")["id"].as_i64().expect("id");

    // SATRA's officer reports on SATRA's task, not on Samco's.
    let officer = s.as_user("chuyenvien").await;
    let r = officer.post(s.url(&format!("/api/v1/tasks/{satra_task}"))).json(&json!({"version": 1, "status": "in_progress", "note": "Đang rà soát"})).send().await.expect("update");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = officer.post(s.url(&format!("/api/v1/tasks/{samco_task}"))).json(&json!({"version": 1, "status": "done"})).send().await.expect("update");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = officer.post(s.url(&format!("/api/v1/tasks/{satra_task}"))).json(&json!({"version": 1, "status": "done"})).send().await.expect("stale");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let progress: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/tasks?year=2024"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(progress["total"], 2);
    let t = progress["tasks"].as_array().expect("tasks").iter().find(|t| t["id"] == satra_task).expect("task");
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["notes"][0]["note"], "Đang rà soát");

    // Registration: the unit's own officer for its unit; the leader for any unit.
    let r = leader.post(s.url(&format!("/api/v1/clusters/{cum7}/campaigns"))).json(&json!({"kind": "regular", "year": 2024, "title": "Phong trào thi đua năm 2024", "copy_criteria": true})).send().await.expect("campaign");
    assert_eq!(r.status(), StatusCode::CREATED);
    let campaign = r.json::<Value>().await.expect("json")["id"].as_i64().expect("id");
    let r = leader.post(s.url(&format!("/api/v1/clusters/{cum7}/campaigns"))).json(&json!({"kind": "regular", "year": 2024, "title": "Lần hai"})).send().await.expect("campaign");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "one regular campaign a year");
    // Membership is the owning body's decision, not the leader's.
    let r = leader.post(s.url(&format!("/api/v1/clusters/{cum7}/years"))).json(&json!({"year": 2025, "members": [{"org_id": satra, "role": "leader"}]})).send().await.expect("year");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let detail: Value = s.admin.get(s.url(&format!("/api/v1/campaigns/{campaign}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(detail["criteria"].as_array().expect("criteria").len(), 8, "2023's table copied");
    let reg = |org: i64| json!({"org_id": org, "targets": ["Không có đảng viên vi phạm kỷ luật"], "titles": []});
    let r = officer.post(s.url(&format!("/api/v1/campaigns/{campaign}/registrations"))).json(&reg(satra)).send().await.expect("register");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = officer.post(s.url(&format!("/api/v1/campaigns/{campaign}/registrations"))).json(&reg(resco)).send().await.expect("register");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = officer.post(s.url(&format!("/api/v1/campaigns/{campaign}/covenant"))).json(&json!({"org_id": satra, "status": "signed", "signed_on": "2024-03-01", "signatory": "Trưởng ban"})).send().await.expect("sign");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "only the cluster records signatures");
    let r = leader.post(s.url(&format!("/api/v1/campaigns/{campaign}/criteria"))).json(&json!([{"code": "1", "title": "Tổ chức", "max_points": 900, "kind": "normal"}])).send().await.expect("criteria");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "criteria.table_sum");
    assert_eq!(body["error"]["message"], "Các tiêu chí chính cộng lại 900 điểm, khác thang điểm 1.000.");

    // Next year's proposal starts from the rotation: SATRA led 2023, none is recorded for 2024.
    let proposal: Value = leader.get(s.url(&format!("/api/v1/clusters/{cum7}/next-year?from=2023"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(proposal["year"], 2024);
    let leads = proposal["members"].as_array().expect("members").iter().find(|m| m["role"] == "leader").expect("leader");
    assert_eq!(leads["org_id"].as_i64(), Some(unit("Du lịch Sài Gòn")), "Saigontourist follows SATRA in the rotation");
}

async fn docx_documents(s: Server) {
    let cum7 = cluster_named(&s, "Cụm thi đua 7").await;
    let list: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/meetings?year=2023"))).send().await.expect("get").json().await.expect("json");
    let r = s.admin.get(s.url(&format!("/meetings/{}/minutes.docx", list[0]["id"]))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().expect("type").contains("wordprocessingml"));
    let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("a docx that opens");
    let at = |text: &str| p.iter().position(|x| x == text).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("BAN TỔ CHỨC THÀNH ỦY") < at("CỤM THI ĐUA 7 – BAN TỔ CHỨC THÀNH ỦY"));
    assert!(at("CỤM THI ĐUA 7 – BAN TỔ CHỨC THÀNH ỦY") < at("Số 01-BB/CTĐ"));
    assert!(at("ĐẢNG CỘNG SẢN VIỆT NAM") < at("Bình Thuận, ngày 22 tháng 9 năm 2023"));
    assert!(at("Bình Thuận, ngày 22 tháng 9 năm 2023") < at("BIÊN BẢN"));
    let units = at("Các đơn vị thành viên tham dự (11):");
    assert_eq!(p[units + 1], "1. Ban Tổ chức Đảng ủy Công ty TNHH MTV Dược Sài Gòn.");
    assert_eq!(p[units + 11], "11. Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn.");
    assert!(p.iter().any(|x| x.starts_with("- 969-CV/TU ngày 23/05/2023 của Ban Thường vụ Thành ủy")));
    assert!(at("V. NHIỆM VỤ TRỌNG TÂM (12 nhiệm vụ)") < at("T/M CỤM THI ĐUA"));

    let cum1 = cluster_named(&s, "Cụm thi đua 1").await;
    let campaigns: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum1}/campaigns"))).send().await.expect("get").json().await.expect("json");
    let r = s.admin.get(s.url(&format!("/campaigns/{}/covenant.docx", campaigns[0]["id"]))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("a docx that opens");
    let at = |text: &str| p.iter().position(|x| x == text).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("CỤM THI ĐUA 1 – BAN TỔ CHỨC THÀNH ỦY") < at("Số 01-GƯ/CTĐ"));
    assert!(at("ĐẢNG CỘNG SẢN VIỆT NAM") < at("Thành phố Hồ Chí Minh, ngày 10 tháng 3 năm 2023"));
    assert!(at("GIAO ƯỚC THI ĐUA") < at("II. CÁC ĐƠN VỊ KÝ KẾT"));
    let signed = at("II. CÁC ĐƠN VỊ KÝ KẾT");
    for (i, line) in p[signed + 1..signed + 7].iter().enumerate() {
        assert!(line.starts_with(&format!("{}. Ban Tổ chức", i + 1)) && line.ends_with("ký ngày 10/03/2023."), "{line}");
    }
    // Who may not see the cluster may not download its documents.
    let r = s.as_user("chuyenvien").await.get(s.url(&format!("/campaigns/{}/covenant.docx", campaigns[0]["id"]))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn form_problems(s: Server) {
    let cum7 = cluster_named(&s, "Cụm thi đua 7").await;
    let (c, status, csrf) = crate::security::browser_login(&s, "cumtruong", thidua_app::demo::PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = c
        .post(s.url(&format!("/clusters/{cum7}/meetings")))
        .form(&[("csrf_token", csrf.as_str()), ("kind", "seminar"), ("held_on", "31/02/2024"), ("locality", "Hà Nội"), ("place", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.expect("html");
    assert!(page.contains("id=\"held_on-error\">Ngày không đọc được; nhập theo dạng dd/mm/yyyy.</span>"), "{page}");
    assert!(page.contains("value=\"Hà Nội\""), "typed values are kept");

    let r = c
        .post(s.url(&format!("/clusters/{cum7}/meetings")))
        .form(&[("csrf_token", csrf.as_str()), ("kind", "seminar"), ("held_on", "18/10/2024"), ("locality", "Hà Nội"), ("place", ""), ("documents", "5-CV/XYZ")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.expect("html");
    assert!(page.contains("id=\"place-error\">Cần nhập mục này.</span>"), "{page}");
    assert!(page.contains("id=\"units-error\">Cần nhập mục này.</span>"));
    assert!(page.contains("Không tìm thấy văn bản “5-CV/XYZ”"));

    // Two people record the outcome from the same page: the second is told, not overwritten.
    let meetings: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/meetings?year=2023"))).send().await.expect("get").json().await.expect("json");
    let meeting = meetings[0]["id"].as_i64().expect("id");
    for (text, status) in [("Kết luận thứ nhất", StatusCode::SEE_OTHER), ("Kết luận thứ hai", StatusCode::CONFLICT)] {
        let r = c.post(s.url(&format!("/meetings/{meeting}/outcome"))).form(&[("csrf_token", csrf.as_str()), ("version", "1"), ("discussion", ""), ("conclusions", text)]).send().await.expect("post");
        assert_eq!(r.status(), status);
    }
    let d: Value = s.admin.get(s.url(&format!("/api/v1/meetings/{meeting}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(d["conclusions"], "Kết luận thứ nhất");

    // The criteria table names the line that cannot be read, and keeps what was typed.
    let campaigns: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/campaigns"))).send().await.expect("get").json().await.expect("json");
    let campaign = campaigns[0]["id"].as_i64().expect("id");
    let r = c.post(s.url(&format!("/campaigns/{campaign}/criteria"))).form(&[("csrf_token", csrf.as_str()), ("criteria", "1 | Tổ chức | 1000\n2 | Cán bộ | nhiều")]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.expect("html");
    assert!(page.contains("Dòng 2: điểm phải là số nguyên."), "{page}");
    assert!(page.contains("2 | Cán bộ | nhiều"));
    let detail: Value = s.admin.get(s.url(&format!("/api/v1/campaigns/{campaign}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(detail["criteria"].as_array().expect("criteria").len(), 8, "the refused table changed nothing");

    // The rules page reads the rotation and refuses a bad scale next to its field.
    let r = c.post(s.url(&format!("/clusters/{cum7}/rules"))).form(&[("csrf_token", csrf.as_str()), ("scale", "nghìn"), ("threshold", "50")]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("id=\"scale-error\""));
    let page = c.get(s.url(&format!("/clusters/{cum7}/rules"))).send().await.expect("get").text().await.expect("html");
    assert!(page.contains("<ol id=\"rotation\"><li>Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn</li>"), "{page}");
}
