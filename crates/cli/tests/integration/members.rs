//! Party members, badges and membership transfers.

use std::collections::BTreeSet;

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::Principal;
use thidua_app::transfers::NewTransfer;
use thidua_app::{AppError, TransferProblem};
use thidua_core::member::{Gender, MemberError, MemberId, MemberRecord};
use thidua_core::org::OrgId;
use thidua_core::transfer::{TransferError, TransferKind, TransferState, TransferStep};

use crate::security::browser_login;
use crate::support::{ApiTest, StoreTest, Server, TestDb};

/// Run on SQLite and PostgreSQL.
pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("transfer_to_a_merged_org_lands_at_its_successor_with_the_record", |db| Box::pin(transfer_lands_at_successor(db))),
    ("member_records_are_validated_and_never_overwritten_silently", |db| Box::pin(records_validated(db))),
    ("transfer_package_from_sqlite_keeps_every_field_and_refuses_tampering", |db| Box::pin(package_round_trip(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("member_search_ignores_diacritics_and_respects_scope", |s| Box::pin(search(s))),
    ("badge_candidates_for_a_presentation_day", |s| Box::pin(badges(s))),
    ("files_are_checked_by_content_and_every_read_is_audited", |s| Box::pin(files(s))),
    ("letter_of_introduction_is_a_party_format_docx", |s| Box::pin(letter(s))),
    ("overdue_transfers_are_flagged_and_both_sides_see_a_transfer", |s| Box::pin(overdue(s))),
];

async fn org_named(app: &thidua_app::App, name: &str) -> OrgId {
    let on = thidua_app::today();
    app.orgs_on(&Principal::system(), on).await.expect("tree").into_iter().find(|v| v.name == name).map(|v| v.org).unwrap_or_else(|| panic!("{name}"))
}

async fn member_named(app: &thidua_app::App, name: &str) -> MemberId {
    app.members(&Principal::system(), Some(name), 5, 0).await.expect("members").first().map(|m| m.id).unwrap_or_else(|| panic!("{name}"))
}

async fn transfer_lands_at_successor(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let system = Principal::system();
    let today = thidua_app::today();
    // Bà Rịa – Vũng Tàu's committee merged into the city's on 01/7/2025: a letter addressed to it
    // today lands at Thành ủy Thành phố Hồ Chí Minh.
    let brvt = app
        .orgs_on(&system, date(2025, 6, 30))
        .await
        .expect("tree")
        .into_iter()
        .find(|v| v.name == "Tỉnh ủy Bà Rịa – Vũng Tàu")
        .map(|v| v.org)
        .expect("BRVT");
    let city = org_named(&app, "Thành ủy Thành phố Hồ Chí Minh").await;
    let member = member_named(&app, "Hoàng Văn Đức").await;
    let before = app.member(&system, member).await.expect("member");
    let new = NewTransfer {
        member,
        to_org: Some(brvt),
        external_to: None,
        kind: TransferKind::Official,
        trigger_on: today,
        introduced_on: today,
        letter_number: Some("55-GGT/ĐU".into()),
        late_reason: None,
    };
    let id = app.introduce_transfer(&system, &new).await.expect("introduced");
    let t = app.transfer(&system, id).await.expect("transfer");
    assert_eq!(t.view.row.to_org, Some(city));
    assert_eq!(t.view.row.addressed_org, Some(brvt));
    let again = app.introduce_transfer(&system, &new).await;
    assert!(matches!(again, Err(AppError::TransferTarget(TransferProblem::AlreadyOpen))), "{again:?}");

    // Illegal steps are refused and change nothing.
    let err = app.transfer_step(&system, id, &TransferStep::Complete { on: today }).await;
    assert!(matches!(err, Err(AppError::Transfer(TransferError::Illegal { .. }))), "{err:?}");
    let err = app.transfer_step(&system, id, &TransferStep::Return { on: today, reason: " ".into() }).await;
    assert!(matches!(err, Err(AppError::Transfer(TransferError::ReasonRequired))), "{err:?}");
    assert_eq!(app.transfer(&system, id).await.expect("transfer").view.row.state, TransferState::Introduced);

    for step in [TransferStep::Report { on: today, late_reason: None }, TransferStep::Receive { on: today }, TransferStep::Complete { on: today }] {
        app.transfer_step(&system, id, &step).await.expect("step");
    }
    let after = app.member(&system, member).await.expect("member");
    assert_eq!(after.row.record.org, city, "the member now belongs to the successor");
    // The record moved whole: gaps, history and transfers are the same member's.
    assert_eq!(after.gaps, before.gaps);
    assert_eq!(after.party_age, before.party_age);
    assert!(after.changes.len() > before.changes.len());
    assert!(after.changes.iter().any(|c| c.summary.contains(&format!("transfer {id}: completed"))));
    let steps: Vec<String> = app.transfer(&system, id).await.expect("transfer").steps.into_iter().map(|s| s.step).collect();
    assert_eq!(steps, ["introduce", "reported", "received", "completed"]);
    // The SATRA officer who sent him no longer sees his record, but keeps the transfer.
    let officer = app.token_principal(&app.create_token(&system, "chuyenvien", "t").await.expect("token").1).await.expect("principal");
    assert!(matches!(app.member(&officer, member).await, Err(AppError::Forbidden)));
    assert!(app.transfer(&officer, id).await.is_ok());
    let log = app.audit_entries(&system, &thidua_app::audit::AuditFilter { resource: Some(format!("transfer:{id}")), limit: 20, ..Default::default() }).await.expect("audit");
    let actions: BTreeSet<String> = log.into_iter().map(|e| e.action).collect();
    assert_eq!(actions, BTreeSet::from(["transfer.introduce", "transfer.reported", "transfer.received", "transfer.completed"].map(String::from)));
}

async fn records_validated(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let system = Principal::system();
    let cell = org_named(&app, "Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn").await;
    let existing = app.member(&system, member_named(&app, "Ngô Thị Lệ").await).await.expect("member");
    let record = MemberRecord {
        full_name: "Phan Văn Thử".into(),
        birth_date: date(1995, 2, 2),
        gender: Gender::Male,
        cccd: existing.row.record.cccd.clone(),
        party_card: None,
        admitted_on: date(2020, 2, 3),
        official_on: Some(date(2020, 6, 1)),
        org: cell,
        phone: None,
        email: Some("sai".into()),
        address: None,
        seriously_ill: false,
    };
    match app.create_member(&system, &record).await {
        Err(AppError::Member(errors)) => {
            assert!(errors.contains(&MemberError::DuplicateCccd), "{errors:?}");
            assert!(errors.contains(&MemberError::OfficialTooEarly));
            assert!(errors.contains(&MemberError::Email));
        }
        other => panic!("expected member errors, got {other:?}"),
    }
    let ok = MemberRecord { cccd: None, official_on: Some(date(2021, 2, 3)), email: None, ..record };
    let id = app.create_member(&system, &ok).await.expect("created");
    let v = app.member(&system, id).await.expect("member").row.version;
    // Two officers edit the same version: the second is told, and nothing is overwritten.
    app.update_member(&system, id, &MemberRecord { phone: Some("0901234567".into()), ..ok.clone() }, v).await.expect("first edit");
    let second = app.update_member(&system, id, &MemberRecord { address: Some("Quận 3".into()), ..ok.clone() }, v).await;
    assert!(matches!(second, Err(AppError::Conflict)), "{second:?}");
    let now = app.member(&system, id).await.expect("member").row;
    assert_eq!(now.record.phone.as_deref(), Some("0901234567"));
    assert_eq!(now.record.address, None);
    // An interruption must come after admission and end after it starts.
    let gap = thidua_core::member::Gap { kind: thidua_core::member::GapKind::LostContact, from: date(2019, 1, 1), to: None, note: None };
    assert!(matches!(app.add_member_gap(&system, id, &gap).await, Err(AppError::Member(_))));
}

async fn get(s: &Server, c: &reqwest::Client, path: &str) -> (StatusCode, Value) {
    let r = c.get(s.url(path)).send().await.expect("get");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn search(s: Server) {
    let (status, list) = get(&s, &s.admin, "/api/v1/members?q=nguyen%20van%20binh").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().expect("list").len(), 1);
    assert_eq!(list[0]["full_name"], "Nguyễn Văn Bình");
    let (_, list) = get(&s, &s.admin, "/api/v1/members?q=%C4%90%E1%BB%A9c").await;
    assert_eq!(list[0]["full_name"], "Hoàng Văn Đức", "Đức typed with diacritics");
    let (_, list) = get(&s, &s.admin, "/api/v1/members?q=duc").await;
    assert!(list.as_array().expect("list").iter().any(|m| m["full_name"] == "Hoàng Văn Đức"), "đ folds to d");
    // Each officer sees only their own side; the council member sees no member at all.
    let (_, satra) = get(&s, &s.as_user("chuyenvien").await, "/api/v1/members").await;
    let (_, resco) = get(&s, &s.as_user("chuyenvien.resco").await, "/api/v1/members").await;
    let (_, council) = get(&s, &s.as_user("uyvien").await, "/api/v1/members").await;
    assert!(satra.as_array().expect("list").iter().all(|m| m["org_name"].as_str().is_some_and(|o| o.contains("Thương mại Sài Gòn"))));
    assert!(resco.as_array().expect("list").iter().all(|m| m["org_name"].as_str().is_some_and(|o| o.contains("Địa ốc Sài Gòn"))));
    assert!(!satra.as_array().expect("list").is_empty() && !resco.as_array().expect("list").is_empty());
    assert_eq!(council.as_array().expect("list").len(), 0);
    // The member page explains party age period by period.
    let id = satra.as_array().expect("list").iter().find(|m| m["full_name"] == "Hoàng Văn Đức").and_then(|m| m["id"].as_i64()).expect("id");
    let html = s.admin.get(s.url(&format!("/members/{id}"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Tính từ ngày có quyết định kết nạp: 19/05/2010."), "{html}");
    assert!(html.contains("Không tính 90 ngày (Xóa tên) từ 01/03/2018 đến trước 30/05/2018."));
    let (_, detail) = get(&s, &s.admin, &format!("/api/v1/members/{id}")).await;
    assert_eq!(detail["party_age"]["steps"][2]["step"], "excluded");
    assert_eq!(detail["party_age"]["steps"][2]["days"], 90);
    // A probationary member has no party age yet.
    let (_, list) = get(&s, &s.admin, "/api/v1/members?q=giang").await;
    assert_eq!(list[0]["party_age_years"], Value::Null);
    // Creating through the API: every problem named, with the field's own words.
    let cell = list[0]["org_id"].as_i64().expect("org");
    let r = s.admin.post(s.url("/api/v1/members")).json(&json!({"full_name": "", "birth_date": "31/02/1990", "gender": "x", "admitted_on": "2015-01-01", "org_id": cell, "cccd": "079"})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("Ngày sinh") && message.contains("Giới tính"), "{message}");
}

async fn badges(s: Server) {
    let (status, list) = get(&s, &s.admin, "/api/v1/badges?date=2027-02-03").await;
    assert_eq!(status, StatusCode::OK);
    let found: Vec<(String, u64, bool)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|c| (c["full_name"].as_str().expect("name").to_owned(), c["milestone"].as_u64().expect("milestone"), c["early"].as_bool().expect("early")))
        .collect();
    assert!(found.contains(&("Nguyễn Văn Bình".into(), 30, false)), "{found:?}");
    assert!(found.contains(&("Trần Thị Cúc".into(), 40, false)));
    assert!(found.contains(&("Lê Văn Dũng".into(), 70, true)), "seriously ill: 70 years early");
    assert!(!found.iter().any(|f| f.0 == "Đặng Thị Giang"), "probationary");
    let html = s.admin.get(s.url("/badges?date=03/02/2027")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Đảng viên được xét trao Huy hiệu dịp 03/02/2027") && html.contains("Xét trao sớm"));
    let (status, _) = get(&s, &s.admin, "/api/v1/badges?date=30/02/2027").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn files(s: Server) {
    let (officer, status, csrf) = browser_login(&s, "chuyenvien", thidua_app::demo::PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = get(&s, &s.admin, "/api/v1/members?q=hai").await;
    let id = list[0]["id"].as_i64().expect("id");
    let upload = |bytes: Vec<u8>, name: &str, token: &str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        officer.post(s.url(&format!("/members/{id}/files?csrf_token={token}"))).multipart(reqwest::multipart::Form::new().part("file", part)).send()
    };
    assert_eq!(upload(b"%PDF-1.7 bien ban".to_vec(), "biên bản.pdf", "sai").await.expect("post").status(), StatusCode::FORBIDDEN, "CSRF");
    let r = upload(b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), "lylich.pdf", &csrf).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "a program named .pdf is refused by its content");
    assert!(r.text().await.expect("html").contains("Chỉ nhận tệp PDF, Word (docx), JPEG, PNG hoặc văn bản thuần."));
    // Refused before the body is read, and the connection closed: not one for the next upload.
    let part = reqwest::multipart::Part::bytes(vec![b'a'; 10 * 1024 * 1024 + 1]).file_name("to.txt");
    let r = officer
        .post(s.url(&format!("/members/{id}/files?csrf_token={csrf}")))
        .header("connection", "close")
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = upload(b"%PDF-1.7 bien ban".to_vec(), "../../etc/biên bản.pdf", &csrf).await.expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, detail) = get(&s, &s.admin, &format!("/api/v1/members/{id}")).await;
    let file = detail["file_ids"][0].as_i64().expect("file");
    let r = officer.get(s.url(&format!("/members/{id}/files/{file}"))).send().await.expect("get");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.contains("filename=\"bi_n_b_n.pdf\"") && !disposition.contains(".."), "{disposition}");
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), b"%PDF-1.7 bien ban");
    // The viewer reads the record but not its files.
    let viewer = s.as_user("lanhdao").await;
    assert_eq!(viewer.get(s.url(&format!("/members/{id}"))).send().await.expect("get").status(), StatusCode::OK);
    assert_eq!(viewer.get(s.url(&format!("/members/{id}/files/{file}"))).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    let audit = s.admin.get(s.url(&format!("/admin/audit?resource=member:{id}"))).send().await.expect("get").text().await.expect("html");
    assert!(audit.contains("member.file.read") && audit.contains("member.read") && audit.contains("member.file.add"), "{audit}");
}

async fn letter(s: Server) {
    let (_, transfers) = get(&s, &s.admin, "/api/v1/transfers").await;
    let t = transfers.as_array().expect("list").iter().find(|t| t["member_name"] == "Phạm Thị Duyên").expect("transfer");
    let r = s.admin.get(s.url(&format!("/transfers/{}/letter.docx", t["id"]))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let p = thidua_office::docx_paragraphs(&bytes).expect("a docx");
    let pos = |needle: &str| p.iter().position(|x| x.contains(needle)).unwrap_or_else(|| panic!("{needle} in {p:?}"));
    assert!(pos("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH") < pos("ĐẢNG ỦY TỔNG CÔNG TY THƯƠNG MẠI SÀI GÒN"), "issued by the committee above the cell");
    assert!(pos("Số 41-GGT/ĐU") < pos("ĐẢNG CỘNG SẢN VIỆT NAM"));
    assert!(pos("ĐẢNG CỘNG SẢN VIỆT NAM") < pos("ngày 16 tháng 11 năm 2026"));
    assert!(pos("GIẤY GIỚI THIỆU") < pos("Giới thiệu đồng chí: Phạm Thị Duyên, sinh ngày 09/10/1990."));
    assert!(pos("vào Đảng ngày 26/07/2015, chính thức ngày 26/07/2016") > pos("GIẤY GIỚI THIỆU"));
    assert!(pos("Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn") > pos("Giới thiệu đồng chí"));
    assert!(pos("Nơi nhận:") > pos("Giấy giới thiệu có giá trị"));
}

async fn overdue(s: Server) {
    let (_, transfers) = get(&s, &s.admin, "/api/v1/transfers").await;
    let list = transfers.as_array().expect("list");
    let states: BTreeSet<&str> = list.iter().filter_map(|t| t["state"].as_str()).collect();
    assert_eq!(states, BTreeSet::from(["introduced", "reported", "received", "completed", "returned", "cancelled"]), "every state in the demo");
    let late = list.iter().find(|t| t["member_name"] == "Đỗ Văn Khải").expect("overdue transfer");
    assert!(late["overdue_since"].is_string(), "{late}");
    assert_eq!(late["across_provinces"], false, "both cells are in Ho Chi Minh City");
    let away = list.iter().find(|t| t["member_name"] == "Mai Thị Quyên").expect("external");
    assert_eq!(away["across_provinces"], true);
    let merged = list.iter().find(|t| t["member_name"] == "Ngô Thị Lệ").expect("addressed to Bình Dương");
    assert!(merged["addressed_org_id"].is_i64() && merged["addressed_org_id"] != merged["to_org_id"]);
    // The officers of both sides see a transfer between them; a third unit sees neither.
    let id = list.iter().find(|t| t["member_name"] == "Phạm Thị Duyên").and_then(|t| t["id"].as_i64()).expect("id");
    for user in ["chuyenvien", "chuyenvien.resco"] {
        let (status, _) = get(&s, &s.as_user(user).await, &format!("/api/v1/transfers/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{user}");
    }
    let html = s.as_user("chuyenvien").await.get(s.url("/transfers")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("class=\"overdue\"") && html.contains("Quá hạn từ"));
    // A late report needs a reason, in Vietnamese.
    let late_id = late["id"].as_i64().expect("id");
    let r = s.as_user("chuyenvien.resco").await.post(s.url(&format!("/api/v1/transfers/{late_id}/steps"))).json(&json!({"action": "report", "on": thidua_core::date::iso(thidua_app::today())})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert!(body["error"]["message"].as_str().expect("message").contains("cần ghi rõ ai chậm và lý do"), "{body}");
}

async fn package_round_trip(db: TestDb) {
    use base64::Engine;
    let system = Principal::system();
    // The sending installation: the demo on SQLite.
    let source_db = TestDb::new(crate::support::Backend::Sqlite).await;
    let source = source_db.app().await;
    source.load_demo().await.expect("demo");
    let member = member_named(&source, "Mai Thị Quyên").await;
    source.add_member_position(&system, member, "Chi ủy viên", None, date(2021, 3, 1), Some(date(2024, 3, 1))).await.expect("position");
    let gap = thidua_core::member::Gap { kind: thidua_core::member::GapKind::TransferGap, from: date(2016, 2, 1), to: Some(date(2016, 3, 1)), note: Some("Chờ tiếp nhận".into()) };
    source.add_member_gap(&system, member, &gap).await.expect("gap");
    source.attach_member_file(&system, member, "Lý lịch.pdf", b"%PDF-1.4 ly lich dang vien").await.expect("file");
    let transfer = source.transfers(&system).await.expect("transfers").into_iter().find(|t| t.row.member == member).expect("external transfer").row.id;
    let bytes = source.export_transfer_package(&system, transfer).await.expect("package");
    let sent = source.member(&system, member).await.expect("member");
    let not_external = source.transfers(&system).await.expect("transfers").into_iter().find(|t| t.row.external_to.is_none()).expect("local").row.id;
    assert!(matches!(source.export_transfer_package(&system, not_external).await, Err(AppError::Package(thidua_app::PackageProblem::NotExternal))));

    // The receiving installation: this test's backend, with its own organizations.
    let target = db.app().await;
    let mut ev = target
        .record_org_event(&system, date(2020, 1, 1), thidua_core::org::OrgChange::Create(thidua_core::org::NewOrg { org: (), spec: thidua_core::org::OrgSpec { kind: thidua_core::org::OrgKind::ProvincialCommittee, name: "Tỉnh ủy Lâm Đồng".into(), short_name: None, parent: None } }), None)
        .await
        .expect("org");
    let province = ev.change.created()[0].org;
    ev = target
        .record_org_event(&system, date(2020, 1, 1), thidua_core::org::OrgChange::Create(thidua_core::org::NewOrg { org: (), spec: thidua_core::org::OrgSpec { kind: thidua_core::org::OrgKind::Cell, name: "Chi bộ Học viên".into(), short_name: None, parent: Some(province) } }), None)
        .await
        .expect("org");
    let cell = ev.change.created()[0].org;

    // Tampering is refused, whatever was changed.
    let package: Value = serde_json::from_slice(&bytes).expect("json");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut p = package.clone();
        f(&mut p);
        serde_json::to_vec(&p).expect("json")
    };
    let flipped = with(&|p| {
        let text = p["payload"].as_str().expect("payload").replace("Mai Thị Quyên", "Mai Thị Quyền");
        p["payload"] = Value::String(text);
    });
    let resealed_checksum = with(&|p| {
        let text = p["payload"].as_str().expect("payload").replace("Mai Thị Quyên", "Mai Thị Quyền");
        p["checksum"] = Value::String(thidua_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())));
        p["payload"] = Value::String(text);
    });
    for (bad, what) in [(flipped, "checksum"), (resealed_checksum, "signature")] {
        let r = target.import_transfer_package(&system, &bad, cell).await;
        assert!(matches!(r, Err(AppError::Package(thidua_app::PackageProblem::Tampered(w))) if w == what), "{what}: {r:?}");
    }
    // A file swapped and the whole package resealed with another key: the file's own hash gives it away.
    let mut payload: Value = serde_json::from_str(package["payload"].as_str().expect("payload")).expect("payload json");
    payload["files"][0]["content"] = Value::String(base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 gia mao"));
    let text = serde_json::to_string(&payload).expect("json");
    let checksum = thidua_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let forged = serde_json::to_vec(&json!({
        "format": package["format"], "payload": text, "checksum": checksum,
        "public_key": thidua_core::audit::hex(&key.verifying_key().to_bytes()),
        "signature": thidua_core::audit::hex(&ed25519_dalek::Signer::sign(&key, checksum.as_bytes()).to_bytes()),
    }))
    .expect("json");
    assert!(matches!(target.import_transfer_package(&system, &forged, cell).await, Err(AppError::Package(thidua_app::PackageProblem::Tampered("file")))));
    assert!(matches!(target.import_transfer_package(&system, b"not a package", cell).await, Err(AppError::Package(thidua_app::PackageProblem::Unreadable))));
    assert!(target.members(&system, None, 10, 0).await.expect("members").is_empty(), "refused packages left nothing behind");

    // The genuine package arrives whole.
    let done = target.import_transfer_package(&system, &bytes, cell).await.expect("imported");
    let got = target.member(&system, done.member).await.expect("member");
    assert_eq!(got.row.record, MemberRecord { org: cell, ..sent.row.record.clone() }, "every field of the record");
    assert_eq!(got.gaps, sent.gaps);
    assert_eq!(got.party_age, sent.party_age);
    let positions = |d: &thidua_app::members::MemberDetail| d.positions.iter().map(|p| (p.title.clone(), p.from, p.to)).collect::<Vec<_>>();
    assert_eq!(positions(&got), positions(&sent));
    let badges = |d: &thidua_app::members::MemberDetail| d.badges.iter().map(|b| (b.milestone, b.awarded_on, b.early, b.decision.clone())).collect::<Vec<_>>();
    assert_eq!(badges(&got), badges(&sent));
    assert_eq!(got.files.len(), 1);
    let (meta, content) = target.member_file(&system, done.member, got.files[0].id).await.expect("file");
    assert_eq!((meta.name.as_str(), content.as_slice()), ("Lý lịch.pdf", b"%PDF-1.4 ly lich dang vien".as_slice()));
    assert!(got.changes.len() > sent.changes.len(), "the sender's history came along");
    let t = target.transfer(&system, done.transfer).await.expect("transfer");
    assert_eq!(t.view.row.state, TransferState::Reported);
    assert_eq!(t.view.from_name, "Chi bộ Ban Quản lý dự án Tổng Công ty Địa ốc Sài Gòn");
    assert_eq!(t.view.row.kind, sent.transfers[0].kind);
    // The same package twice: the member is already here.
    assert!(matches!(target.import_transfer_package(&system, &bytes, cell).await, Err(AppError::Package(thidua_app::PackageProblem::AlreadyHere))));
    source_db.drop_db().await;
}
