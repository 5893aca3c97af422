//! Document registers, numbering, attachments, work records and Vietnamese search.

use std::collections::BTreeSet;

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::Value;
use thidua_app::auth::Principal;
use thidua_app::documents::{Direction, NewAttachment, NewDocument, SearchFilter};
use thidua_app::{App, AppError, DocumentProblem};
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec};

use crate::support::{merge_into_new, ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("fifty_clerks_take_fifty_consecutive_numbers", |db| Box::pin(concurrent_numbers(db))),
    ("numbers_run_per_type_and_term_and_are_never_reused", |db| Box::pin(numbering(db))),
    ("search_finds_vietnamese_with_or_without_diacritics_and_numbers", |db| Box::pin(search(db))),
    ("search_past_the_newest_ten_thousand_finds_the_older_matches", |db| Box::pin(search_window(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("statistics_read_as_the_seed_reports_them", |s| Box::pin(statistics(s))),
    ("attachments_are_kept_by_hash_and_their_text_is_searched", |s| Box::pin(attachments(s))),
    ("work_records_close_and_go_to_the_archive_with_a_list", |s| Box::pin(records(s))),
    ("search_page_and_health_report_the_index", |s| Box::pin(search_page(s))),
    ("the_register_and_its_search_go_page_by_page", |s| Box::pin(pages(s))),
];

pub fn new_doc(register: OrgId, doc_type: &str, summary: &str, on: jiff::civil::Date) -> NewDocument {
    NewDocument {
        register,
        unit: None,
        doc_type: doc_type.into(),
        issued_on: Some(on),
        summary: summary.into(),
        signer: None,
        recipients: None,
        secrecy: None,
        urgency: None,
        source_symbol: None,
        issuer_name: None,
        arrival_on: None,
        assigned_to: None,
        deadline: None,
    }
}

/// A committee with a register and one term, in an otherwise empty database.
pub async fn committee(app: &App, name: &str, code: &str, term_from: jiff::civil::Date) -> OrgId {
    let system = Principal::system();
    let e = app
        .record_org_event(&system, date(2019, 1, 1), OrgChange::Create(NewOrg { org: (), spec: OrgSpec { kind: OrgKind::ProvincialCommittee, name: name.into(), short_name: None, parent: None } }), None)
        .await
        .expect("org");
    let org = e.change.created()[0].org;
    app.declare_register(&system, org, code).await.expect("register");
    app.declare_term(&system, org, "Nhiệm kỳ 2020–2025", term_from, None).await.expect("term");
    org
}

async fn concurrent_numbers(db: TestDb) {
    let app = db.app().await;
    let org = committee(&app, "Tỉnh ủy Thử", "TU", date(2020, 10, 1)).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let row = app.register_document(&Principal::system(), Direction::Outgoing, &new_doc(org, "CV", &format!("Công văn số {i}"), date(2024, 3, 1)), &[]).await.expect("registered");
            row.number.expect("number")
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    numbers.sort();
    assert_eq!(numbers, (1..=50).collect::<Vec<i64>>(), "distinct and consecutive, no gap");
}

async fn numbering(db: TestDb) {
    let app = db.app().await;
    let system = Principal::system();
    let org = committee(&app, "Tỉnh ủy Thử", "TU", date(2020, 10, 1)).await;
    let reg = |t: &str, on| new_doc(org, t, "Văn bản", on);
    let a = app.register_document(&system, Direction::Outgoing, &reg("CV", date(2024, 1, 2)), &[]).await.expect("a");
    let b = app.register_document(&system, Direction::Outgoing, &reg("cv", date(2024, 1, 3)), &[]).await.expect("b");
    let c = app.register_document(&system, Direction::Outgoing, &reg("qd", date(2024, 1, 3)), &[]).await.expect("c");
    assert_eq!((a.symbol.as_deref(), b.symbol.as_deref(), c.symbol.as_deref()), (Some("01-CV/TU"), Some("02-CV/TU"), Some("01-QĐ/TU")), "per type");
    // Withdrawing keeps the number used: the next one is 03.
    app.withdraw_document(&system, b.id, b.version, "Ban hành nhầm").await.expect("withdrawn");
    assert!(matches!(app.withdraw_document(&system, b.id, b.version, "x").await, Err(AppError::Document(DocumentProblem::Status { .. }))));
    let d = app.register_document(&system, Direction::Outgoing, &reg("CV", date(2024, 1, 4)), &[]).await.expect("d");
    assert_eq!(d.symbol.as_deref(), Some("03-CV/TU"));
    // A new term starts again from 01; a date before any term is refused with the date named.
    app.declare_term(&system, org, "Nhiệm kỳ 2025–2030", date(2025, 10, 16), None).await.expect("term");
    let e = app.register_document(&system, Direction::Outgoing, &reg("CV", date(2025, 11, 1)), &[]).await.expect("e");
    assert_eq!(e.symbol.as_deref(), Some("01-CV/TU"));
    let err = app.register_document(&system, Direction::Outgoing, &reg("CV", date(2019, 6, 1)), &[]).await;
    assert!(matches!(err, Err(AppError::Document(DocumentProblem::NoTerm(d))) if d == date(2019, 6, 1)), "{err:?}");
    // A committee formed by a merger keeps its own sequences from 01.
    let other = committee(&app, "Tỉnh ủy Bên cạnh", "TU", date(2020, 10, 1)).await;
    let merged = merge_into_new(&app, date(2025, 7, 1), vec![org, other], OrgKind::ProvincialCommittee, "Tỉnh ủy Hợp nhất", None).await;
    app.declare_register(&system, merged, "TU").await.expect("register");
    app.declare_term(&system, merged, "Nhiệm kỳ 2025–2030", date(2025, 7, 1), None).await.expect("term");
    let f = app.register_document(&system, Direction::Outgoing, &new_doc(merged, "CV", "Văn bản đầu tiên", date(2025, 11, 2)), &[]).await.expect("f");
    assert_eq!(f.symbol.as_deref(), Some("01-CV/TU"));
    // Bad input changes nothing.
    let before = app.index_counts().await.expect("counts");
    for (t, summary, on) in [("QyĐ", "x", date(2024, 1, 5)), ("CV", " ", date(2024, 1, 5)), ("CV", "x", date(2099, 1, 1))] {
        assert!(app.register_document(&system, Direction::Outgoing, &new_doc(org, t, summary, on), &[]).await.is_err(), "{t} {summary:?} {on}");
    }
    assert_eq!(app.index_counts().await.expect("counts"), before);
    // Incoming documents get arrival numbers per year; the source's number is read loosely.
    let mut incoming = new_doc(org, "CV", "Về công tác văn thư", date(2024, 2, 1));
    incoming.source_symbol = Some("10072 - cv/btctw".into());
    incoming.arrival_on = Some(date(2024, 2, 3));
    let g = app.register_document(&system, Direction::Incoming, &incoming, &[]).await.expect("g");
    assert_eq!((g.symbol.as_deref(), g.arrival_number, g.status.as_str()), (Some("10072-CV/BTCTW"), Some(1), "received"));
    app.set_incoming_status(&system, g.id, g.version, "assigned", Some("Nguyễn Văn A")).await.expect("assigned");
    assert!(matches!(app.set_incoming_status(&system, g.id, g.version, "in_progress", None).await, Err(AppError::Conflict)), "stale version");
    assert!(matches!(app.set_incoming_status(&system, g.id, g.version + 1, "received", None).await, Err(AppError::Document(DocumentProblem::Status { .. }))));
}

async fn search(db: TestDb) {
    let app = db.app().await;
    let system = Principal::system();
    let org = committee(&app, "Thành ủy Thử", "TU", date(2020, 10, 1)).await;
    let on = date(2023, 6, 1);
    for (t, summary) in [
        ("CT", "Chỉ thị về tăng cường công tác văn thư, lưu trữ"),
        ("KH", "Kế hoạch tổ chức phong trào thi đua yêu nước năm 2023"),
        ("TB", "Thông báo kết luận của Ban Thường vụ về công tác xây dựng Đảng"),
        ("CV", "Về việc đang rà soát danh sách"),
    ] {
        app.register_document(&system, Direction::Outgoing, &new_doc(org, t, summary, on), &[]).await.expect("registered");
    }
    let find = |q: &'static str| {
        let app = app.clone();
        async move { app.search_documents(&Principal::system(), q, SearchFilter::default(), 10).await.expect("search").into_iter().map(|d| d.summary).collect::<Vec<_>>() }
    };
    assert_eq!(find("thi dua").await, ["Kế hoạch tổ chức phong trào thi đua yêu nước năm 2023"], "thi dua finds thi đua");
    assert_eq!(find("thi đua").await, ["Kế hoạch tổ chức phong trào thi đua yêu nước năm 2023"]);
    assert_eq!(find("VAN THU luu tru").await, ["Chỉ thị về tăng cường công tác văn thư, lưu trữ"]);
    assert_eq!(find("01-CT/TU").await, ["Chỉ thị về tăng cường công tác văn thư, lưu trữ"], "number-aware");
    assert_eq!(find("01 ct tu").await, ["Chỉ thị về tăng cường công tác văn thư, lưu trữ"]);
    let dang = find("dang").await;
    assert_eq!(dang.len(), 2, "dang finds both Đảng and đang: {dang:?}");
    assert_eq!(find("Đảng").await.first().map(String::as_str), Some("Thông báo kết luận của Ban Thường vụ về công tác xây dựng Đảng"), "Đảng ranks above đang");
    assert_eq!(find("tăng cườ").await.len(), 1, "the last word is a prefix, as you type");
    assert!(find("không có trong văn bản nào").await.is_empty());
    assert!(find("  ,;  ").await.is_empty());
    // Filters narrow the result.
    let only_plans = app.search_documents(&system, "năm", SearchFilter { doc_type: Some("KH".into()), ..Default::default() }, 10).await.expect("search");
    assert_eq!(only_plans.len(), 1);
    let future = app.search_documents(&system, "thi dua", SearchFilter { from: Some(date(2024, 1, 1)), ..Default::default() }, 10).await.expect("search");
    assert!(future.is_empty());

    // A write that is rolled back leaves the index as it was.
    let before = app.index_counts().await.expect("counts");
    let store = thidua_store::Store::open(&db.url).await.expect("store");
    {
        let mut tx = store.begin().await.expect("begin");
        let row = outgoing_row(org, 999, "Văn bản không bao giờ được lưu: thi đua bí mật".into(), on);
        tx.insert_document(&row, 0).await.expect("inserted");
        // dropped without commit
    }
    assert_eq!(app.index_counts().await.expect("counts"), before);
    assert!(find("bí mật").await.is_empty());
    // The index rebuilt from scratch answers the same.
    assert_eq!(app.reindex().await.expect("reindex"), before.0);
    assert_eq!(find("thi dua").await.len(), 1);
    assert_eq!(find("tăng cườ").await.len(), 1, "the rebuilt word list still expands prefixes");

    // A prefix starting more words than are expanded one by one goes to the index's own prefix
    // search, with the same answer; more matches than a page shows give the newest.
    for i in 0..40 {
        let summary = format!("Báo cáo chuyên đề mã phongtrao{i:02} của các chi bộ");
        app.register_document(&system, Direction::Outgoing, &new_doc(org, "BC", &summary, on), &[]).await.expect("registered");
    }
    assert_eq!(find("phongtrao").await.len(), 10, "a page of the 40");
    assert_eq!(find("phongtrao").await.first().map(String::as_str), Some("Báo cáo chuyên đề mã phongtrao39 của các chi bộ"), "newest first");
    assert_eq!(find("chuyen de phongtrao1").await.len(), 10, "phongtrao1 and phongtrao10–19");
    assert_eq!(find("phongtrao07").await, ["Báo cáo chuyên đề mã phongtrao07 của các chi bộ"]);
    assert!(find("phongtrao7").await.is_empty());
    // Words side by side as typed come before the same words apart.
    app.register_document(&system, Direction::Outgoing, &new_doc(org, "BC", "Chi bộ tổ chức sinh hoạt chuyên đề", on), &[]).await.expect("registered");
    app.register_document(&system, Direction::Outgoing, &new_doc(org, "BC", "Chuyên đề của chi ủy về bộ máy", on), &[]).await.expect("registered");
    let chi_bo = find("chi bo").await;
    assert_eq!(chi_bo.first().map(String::as_str), Some("Chi bộ tổ chức sinh hoạt chuyên đề"), "{chi_bo:?}");
    assert!(!chi_bo.iter().any(|d| d == "Chuyên đề của chi ủy về bộ máy"), "the newest, but with the words apart: after a page of others");
}

/// An outgoing letter as the store holds it, numbered `id`, for writing past the application.
fn outgoing_row(org: OrgId, id: i64, summary: String, on: jiff::civil::Date) -> thidua_store::DocumentRow {
    thidua_store::DocumentRow {
        id,
        number: Some(id),
        issuer_code: Some("TU".into()),
        symbol: Some(format!("{id}-CV/TU")),
        issued_on: Some(on),
        ..thidua_store::DocumentRow::new(Direction::Outgoing, org, "CV", &summary, "test")
    }
}

/// PostgreSQL reads the newest 10,000 documents first, then a larger window, and asks the GIN
/// index only when fewer than a page match there: every way must give the exact newest matches.
async fn search_window(db: TestDb) {
    let app = db.app().await;
    let org = committee(&app, "Thành ủy Cửa sổ", "TU", date(2020, 10, 1)).await;
    let store = thidua_store::Store::open(&db.url).await.expect("store");
    // 10,100 documents about "công tác"; the oldest 30 also about "luân chuyển"; "kiểm điểm" in
    // ten of the newest 10,000 and in two older ones.
    let mut tx = store.begin().await.expect("begin");
    let docs: Vec<_> = (1..=10_100)
        .map(|i| {
            let extra = if i <= 30 { " luân chuyển cán bộ" } else if (i <= 100 && i % 40 == 0) || i % 1000 == 0 { " kiểm điểm" } else { "" };
            outgoing_row(org, i, format!("Về công tác số {i}{extra}"), date(2024, 1, 2))
        })
        .collect();
    tx.insert_documents(&docs, 0).await.expect("documents");
    tx.commit().await.expect("commit");
    let find = |q: &'static str, limit: i64| {
        let app = app.clone();
        async move { app.search_documents(&Principal::system(), q, SearchFilter::default(), limit).await.expect("search").into_iter().map(|d| d.id).collect::<Vec<_>>() }
    };
    // Common: the newest page, from the window.
    assert_eq!(find("cong tac", 20).await, (10_081..=10_100).rev().collect::<Vec<_>>());
    // Only past the window: all 30, newest first.
    assert_eq!(find("luan chuyen", 50).await, (1..=30).rev().collect::<Vec<_>>());
    // Some in the window, not a page of them: the window's and the older ones together.
    assert_eq!(find("kiem diem", 20).await, [10_000, 9_000, 8_000, 7_000, 6_000, 5_000, 4_000, 3_000, 2_000, 1_000, 80, 40]);
    // Ten in the window where twelve are asked for (three, four candidates each): a larger
    // window finds the other two.
    assert_eq!(find("kiem diem", 3).await, [10_000, 9_000, 8_000]);
    // Filtered the same way.
    let filtered = app.search_documents(&Principal::system(), "luan chuyen", SearchFilter { doc_type: Some("CV".into()), ..Default::default() }, 10).await.expect("search");
    assert_eq!(filtered.iter().map(|d| d.id).collect::<Vec<_>>(), (21..=30).rev().collect::<Vec<_>>());
    // The register's download reads all of it, past a batch of a thousand, newest first (here all
    // of one day: by number).
    let all = app.all_documents(&Principal::system(), SearchFilter::default()).await.expect("all");
    assert_eq!(all.iter().map(|d| d.id).collect::<Vec<_>>(), (1..=10_100).rev().collect::<Vec<_>>());
}

async fn statistics(s: Server) {
    assert!(s.app.load_demo_traffic().await.expect("traffic").is_some_and(|n| n > 11_000));
    let system = Principal::system();
    let on = date(2023, 6, 30);
    let orgs = s.app.orgs_on(&system, on).await.expect("tree");
    let id = |name: &str| orgs.iter().find(|v| v.name == name).map(|v| v.org.0).expect(name);
    let register = id("Đảng ủy Khối Doanh nghiệp Trung ương");
    let board = id("Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương");
    let stats: Value = s
        .admin
        .get(s.url(&format!("/api/v1/document-stats?register_id={register}&unit_id={board}&from=2023-01-01&to=31/12/2023")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!((stats["incoming_by_unit"].as_i64(), stats["incoming_total"].as_i64()), (Some(4290), Some(9317)));
    assert_eq!((stats["outgoing_by_unit"].as_i64(), stats["outgoing_total"].as_i64()), (Some(1054), Some(1709)));
    assert_eq!(stats["outgoing_share"], "61,67%");
    let html = s.admin.get(s.url(&format!("/documents/stats?register={register}&unit={board}&from=01/01/2023&to=31/12/2023"))).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Tham mưu xử lý 4.290/9.317 văn bản đến"), "{html}");
    assert!(html.contains("Tham mưu ban hành 1.054/1.709 văn bản đi (chiếm 61,67%)"));
    let en = s.admin.get(s.url(&format!("/documents/stats?register={register}&unit={board}&from=01/01/2023&to=31/12/2023&lang=en"))).send().await.expect("get").text().await.expect("html");
    assert!(en.contains("Handled 4,290/9,317 incoming documents") && en.contains("(61.67%)"));
    // Loading the traffic twice does nothing.
    assert_eq!(s.app.load_demo_traffic().await.expect("again"), None);
}

async fn attachments(s: Server) {
    let system = Principal::system();
    let org = s.app.writable_registers(&system).await.expect("registers").into_iter().find(|(_, n)| n == "Thành ủy Thành phố Hồ Chí Minh").map(|(o, _)| o).expect("TU");
    let pdf = thidua_office::minimal_pdf("Huong dan cong tac thi dua khen thuong nam 2026");
    let files = [NewAttachment { name: "hướng dẫn.pdf".into(), bytes: pdf.clone() }, NewAttachment { name: "bản sao.pdf".into(), bytes: pdf }];
    let row = s.app.register_document(&system, Direction::Outgoing, &new_doc(org, "HD", "Hướng dẫn năm 2026", thidua_app::today()), &files).await.expect("registered");
    let detail = s.app.document(&system, row.id).await.expect("doc");
    assert_eq!(detail.attachments.len(), 2);
    assert_eq!(detail.attachments[0].hash, detail.attachments[1].hash, "the same content is kept once, by its hash");
    // The PDF's text is searchable, without diacritics.
    let found = s.app.search_documents(&system, "khen thuong nam 2026", SearchFilter::default(), 5).await.expect("search");
    assert_eq!(found.first().map(|d| d.id), Some(row.id));
    let refused = s.app.register_document(&system, Direction::Outgoing, &new_doc(org, "HD", "x", thidua_app::today()), &[NewAttachment { name: "x.pdf".into(), bytes: b"MZ\x00\x01".to_vec() }]).await;
    assert!(matches!(refused, Err(AppError::File(thidua_app::FileProblem::UnsupportedType))));
    // Download over HTTP.
    let r = s.admin.get(s.url(&format!("/documents/{}/attachments/{}", row.id, detail.attachments[0].id))).send().await.expect("get");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    // Kept in a directory instead of the database: the same document reads back.
    let dir = std::env::temp_dir().join(format!("thidua_blobs_{}", std::process::id()));
    let on_disk = s.app.clone().with_attachment_dir(dir.clone());
    let row2 = on_disk
        .register_document(&system, Direction::Outgoing, &new_doc(org, "BC", "Báo cáo có tệp", thidua_app::today()), &[NewAttachment { name: "bc.txt".into(), bytes: "Báo cáo sơ kết".as_bytes().to_vec() }])
        .await
        .expect("registered");
    let a = on_disk.document(&system, row2.id).await.expect("doc").attachments[0].clone();
    let (_, bytes) = on_disk.document_attachment(&system, row2.id, a.id).await.expect("read");
    assert_eq!(bytes, "Báo cáo sơ kết".as_bytes());
    assert!(dir.join(&a.hash[..2]).join(&a.hash).exists(), "named by its hash under the directory");
    let _ = std::fs::remove_dir_all(dir);
}

async fn records(s: Server) {
    let system = Principal::system();
    let records = s.app.work_records(&system, None).await.expect("records");
    let satra = records.iter().find(|r| r.code == "07/2023/CTĐ7").expect("Cụm 7 briefing record");
    assert_eq!(s.app.work_record(&system, satra.id).await.expect("record").1.len(), 4, "the four documents disseminated at Mũi Né");
    // Open, file, close, archive.
    let register = satra.org;
    let id = s.app.open_work_record(&system, register, "09/2026/TĐ", "Hồ sơ thi đua năm 2026", date(2026, 1, 5), None, "").await.expect("opened");
    assert!(matches!(s.app.open_work_record(&system, register, "09/2026/TĐ", "Trùng", date(2026, 1, 5), None, "").await, Err(AppError::Document(DocumentProblem::RecordCode))));
    let doc = s.app.work_record(&system, satra.id).await.expect("record").1[0].id;
    s.app.file_into_record(&system, id, doc).await.expect("filed");
    s.app.close_work_record(&system, id, date(2026, 6, 30)).await.expect("closed");
    assert!(matches!(s.app.file_into_record(&system, id, doc).await, Err(AppError::Document(DocumentProblem::RecordState(_)))));
    let r = s.admin.post(s.url("/records/archive")).form(&[("register", register.0.to_string())]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").expect("strings"), &mut strings).expect("utf-8");
    for text in ["MỤC LỤC HỒ SƠ NỘP LƯU", "Hồ sơ thi đua năm 2026", "Vĩnh viễn", "Hồ sơ hội nghị giao ban và sinh hoạt chuyên đề quý III/2023 Cụm thi đua 7", "10 năm", "Thời hạn bảo quản"] {
        assert!(strings.contains(text), "{text} in {strings}");
    }
    let statuses: BTreeSet<String> = s.app.work_records(&system, None).await.expect("records").into_iter().filter(|r| r.org == register).map(|r| r.status).collect();
    assert!(statuses.contains("archived") && !statuses.contains("closed"), "{statuses:?}");
    // In pages of two, the list reads the same as whole, newest first.
    let whole: Vec<i64> = s.app.work_records(&system, None).await.expect("records").iter().map(|r| r.id).collect();
    let mut paged = Vec::new();
    loop {
        let page = s.app.work_records(&system, Some((2, paged.len() as i64))).await.expect("page");
        if page.is_empty() {
            break;
        }
        paged.extend(page.iter().map(|r| r.id));
    }
    assert!(whole.len() > 2, "{} records", whole.len());
    assert_eq!(paged, whole);
    assert!(s.app.register_records(&system, register).await.expect("register").iter().all(|r| r.org == register));
    // A refused record keeps what was typed, and saves nothing.
    let form = [("register", register.0.to_string()), ("code", "09/2026/TĐ".into()), ("title", "Hồ sơ trùng số".into()), ("opened_on", "05/01/2026".into()), ("keeper", "Đ/c Lan".into())];
    let r = s.admin.post(s.url("/records")).form(&form).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("value=\"Hồ sơ trùng số\"") && html.contains("value=\"Đ/c Lan\"") && html.contains("value=\"05/01/2026\""), "{html}");
    assert_eq!(s.app.work_records(&system, None).await.expect("records").len(), whole.len());
    assert_eq!(s.admin.get(s.url("/records?page=x")).send().await.expect("get").status(), StatusCode::BAD_REQUEST);
}

async fn search_page(s: Server) {
    let html = s.admin.get(s.url("/documents?q=van+thu+luu+tru")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("20-CT/TU") && html.contains("Chỉ thị về tăng cường công tác văn thư, lưu trữ"), "{html}");
    let html = s.admin.get(s.url("/documents?q=20+ct+tu")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains(">20-CT/TU<"));
    // A word only in the attachment finds the document.
    let html = s.admin.get(s.url("/documents?q=so+hoa+tai+lieu")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("20-CT/TU"), "{html}");
    // The unit officer of SATRA sees only SATRA's register.
    let officer: Value = s.as_user("chuyenvien").await.get(s.url("/api/v1/documents?q=quy+dinh")).send().await.expect("get").json().await.expect("json");
    let registers: BTreeSet<i64> = officer.as_array().expect("list").iter().filter_map(|d| d["register_id"].as_i64()).collect();
    assert_eq!(registers.len(), 1, "{officer}");
    // Bad filters are clear 400s.
    let r = s.admin.get(s.url("/api/v1/documents?q=x&from=31/02/2023")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let health: Value = s.admin.get(s.url("/healthz")).send().await.expect("get").json().await.expect("json");
    assert_eq!(health["search_index"]["in_step"], true);
    assert!(health["search_index"]["documents"].as_i64().is_some_and(|n| n > 10));
    // The API registers an incoming document with its source number read loosely; QyĐ is refused.
    let registers: Vec<(OrgId, String)> = s.app.writable_registers(&Principal::system()).await.expect("registers");
    let resco = registers.iter().find(|(_, n)| n == "Đảng ủy Tổng Công ty Địa ốc Sài Gòn").map(|(o, _)| o.0).expect("RESCO");
    let r = s
        .as_user("chuyenvien.resco")
        .await
        .post(s.url("/api/v1/documents"))
        .json(&serde_json::json!({"direction": "incoming", "register_id": resco, "doc_type": "QĐ", "summary": "Quyết định của Thành ủy", "source_symbol": "15 - qyd/tu"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert!(body["error"]["message"].as_str().expect("message").contains("không dùng QyĐ"), "{body}");
}

/// The documents a page of the register links to, in its order.
fn linked_documents(html: &str) -> Vec<i64> {
    html.split("href=\"/documents/").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect()
}

async fn pages(s: Server) {
    let page = |path: &'static str| {
        let s = &s;
        async move {
            let r = s.admin.get(s.url(path)).send().await.expect("get");
            (r.status(), r.text().await.expect("html"))
        }
    };
    let system = Principal::system();
    let (register, _) = s.app.writable_registers(&system).await.expect("registers")[0].clone();
    for i in 0..120 {
        let summary = format!("Công văn về quản lý đảng viên, đợt {i}");
        s.app.register_document(&system, Direction::Outgoing, &new_doc(register, "CV", &summary, date(2026, 1, 1 + (i % 28) as i8)), &[]).await.expect("registered");
    }
    // The register, fifty at a time, newest first; the pages neither repeat nor skip a document.
    let (status, first) = page("/documents").await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("Dòng 1–50") && first.contains(r#"rel="next" href="/documents?page=2""#) && !first.contains(r#"rel="prev""#), "{first}");
    let (_, second) = page("/documents?page=2").await;
    assert!(second.contains("Dòng 51–100") && second.contains(r#"rel="prev" href="/documents?page=1""#));
    let (one, two) = (linked_documents(&first), linked_documents(&second));
    assert_eq!((one.len(), two.len()), (50, 50));
    let listed: Value = s.admin.get(s.url("/api/v1/documents?limit=100")).send().await.expect("get").json().await.expect("json");
    let ids: Vec<i64> = listed.as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect();
    assert_eq!([one, two].concat(), ids);
    // Days differ here: the download's batches follow the same order as the pages.
    let whole: Vec<i64> = s.app.all_documents(&system, SearchFilter::default()).await.expect("all").iter().map(|d| d.id).collect();
    let listed_all: Vec<i64> = s.app.documents(&system, SearchFilter::default(), 1000, 0).await.expect("list").iter().map(|d| d.id).collect();
    assert!(whole.len() > 130 && whole == listed_all, "{} documents", whole.len());
    let later: Value = s.admin.get(s.url("/api/v1/documents?limit=30&offset=70")).send().await.expect("get").json().await.expect("json");
    assert_eq!(later.as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect::<Vec<_>>(), ids[70..]);

    // A search's pages are slices of one ranking, kept with the query.
    let ranked: Value = s.admin.get(s.url("/api/v1/documents?q=dang+vien&limit=200")).send().await.expect("get").json().await.expect("json");
    let ranked: Vec<i64> = ranked.as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect();
    assert!(ranked.len() > 50, "{} results", ranked.len());
    let (_, first) = page("/documents?q=dang+vien").await;
    assert!(first.contains(r#"rel="next" href="/documents?q=dang%20vien&#38;page=2""#), "{first}");
    let (_, second) = page("/documents?q=dang+vien&page=2").await;
    assert_eq!([linked_documents(&first), linked_documents(&second)].concat(), ranked[..ranked.len().min(100)]);
    let sliced: Value = s.admin.get(s.url("/api/v1/documents?q=dang+vien&limit=20&offset=40")).send().await.expect("get").json().await.expect("json");
    assert_eq!(sliced.as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect::<Vec<_>>(), ranked[40..60]);

    // A page that is not a page number is a clear 400, on every paged list.
    for path in ["/documents?page=0", "/documents?page=hai", "/members?page=-1", "/badges?page=1.5", "/admin/audit?page=0", "/awards?page=0", "/dossiers?page=x", "/transfers?page=0", "/evaluations?page=0"] {
        let (status, html) = page(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(html.contains("không phải là số trang"), "{path}: {html}");
    }
    let (status, _) = page("/evaluations?year=hai").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The log goes back page by page, keyed on its entries: an entry written between two views
    // moves nothing from one page onto the next, the filter is kept, and the way back finds the
    // first page again.
    let filter = thidua_app::audit::AuditFilter { resource: Some("document:".into()), limit: 1000, ..Default::default() };
    let mut i = 120;
    while s.app.audit_entries(&system, &filter).await.expect("log").len() <= 250 {
        s.app.register_document(&system, Direction::Outgoing, &new_doc(register, "CV", &format!("Công văn thêm {i}"), date(2026, 2, 1)), &[]).await.expect("registered");
        i += 1;
    }
    let get = |path: String| {
        let s = &s;
        async move { s.admin.get(s.url(&path)).send().await.expect("get").text().await.expect("html") }
    };
    let logged = |html: &str| -> Vec<i64> { html.split("<tr><td>").skip(1).filter_map(|r| r.split("</td>").next()?.parse().ok()).collect() };
    let link = |html: &str, rel: &str| -> String {
        let at = html.find(&format!(r#"rel="{rel}" href=""#)).unwrap_or_else(|| panic!("no {rel} link: {html}"));
        html[at + rel.len() + 13..].split('"').next().expect("href").replace("&#38;", "&")
    };
    let first = get("/admin/audit?resource=document:".into()).await;
    let one = logged(&first);
    assert_eq!(one.len(), 200);
    assert!(!first.contains(r#"rel="prev""#), "{first}");
    let next = link(&first, "next");
    assert_eq!(next, format!("/admin/audit?resource=document%3A&page=2&before={}", one[199]));
    s.app.register_document(&system, Direction::Outgoing, &new_doc(register, "CV", "Công văn giữa hai trang", date(2026, 2, 2)), &[]).await.expect("registered");
    let second = get(next).await;
    let two = logged(&second);
    assert!(!two.is_empty() && two.iter().all(|seq| *seq < one[199]), "{two:?}");
    assert!(second.contains("Dòng 201–"), "{second}");
    let back = get(link(&second, "prev")).await;
    assert_eq!(logged(&back), one, "the first page again, the new entry above it");
    assert_eq!(link(&back, "prev"), "/admin/audit?resource=document%3A&page=1");
    assert_eq!(logged(&get(link(&back, "prev")).await).len(), 200);
    let (status, _) = page("/admin/audit?before=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
