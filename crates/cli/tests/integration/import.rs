//! Importing members from xlsx and CSV: a file with twenty kinds of problem is reported row by row
//! and column by column and changes nothing; a clean file imports; the same file again changes
//! nothing; over HTTP, the template and the report in Vietnamese.

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::Value as Json;
use thidua_app::auth::Principal;
use thidua_app::import::{ImportIssue, ImportKind, ImportReport};
use thidua_app::App;
use thidua_core::access::{Grant, ResolvedGrant, Role, Scope};
use thidua_core::member::MemberError;
use thidua_core::org::OrgKind;
use thidua_office::{Cell, Sheet};

use crate::emulation::org;
use crate::support::{ApiTest, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_members_file_is_checked_whole_imported_whole_and_again_changes_nothing", |db| Box::pin(members(db))),
    ("evaluation_results_of_past_years_import_into_concluded_rounds", |db| Box::pin(evaluations(db))),
    ("organizations_import_under_their_parents_once", |db| Box::pin(organizations(db))),
    ("past_awards_import_by_decision_once", |db| Box::pin(awards(db))),
    ("a_paper_register_imports_with_its_numbers_and_the_sequences_go_on", |db| Box::pin(documents(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[("the_template_downloads_and_the_report_is_in_vietnamese", |s| Box::pin(over_http(s)))];

const HEADERS: [&str; 11] = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức", "Tổ chức đảng", "Điện thoại", "Thư điện tử", "Địa chỉ"];

/// A member row: name, birth, gender, CCCD, card, admitted, official, organization, phone, e-mail.
fn row(fields: [&str; 10]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = fields.iter().map(|f| if f.is_empty() { Cell::Empty } else { Cell::Text((*f).into()) }).collect();
    cells.push(Cell::Empty);
    cells
}

fn workbook(rows: Vec<Vec<Cell>>) -> Vec<u8> {
    let sheet = Sheet { name: "Dữ liệu".into(), title: None, headers: HEADERS.iter().map(|h| (*h).into()).collect(), widths: vec![], rows };
    thidua_office::xlsx(&[sheet]).expect("xlsx")
}

/// What a problem must be.
type IssueTest = dyn Fn(&ImportIssue) -> bool + Send + Sync;

const CELL: &str = "Chi bộ Sở Tư pháp";

fn good() -> Vec<Vec<Cell>> {
    vec![
        // Dates as real date cells for one, typed text for the other.
        {
            let mut r = row(["Nguyễn Văn An", "", "Nam", "079085001234", "123456", "", "", CELL, "0901234567", "an@example.vn"]);
            r[1] = Cell::Date(1985, 3, 14);
            r[5] = Cell::Date(2010, 5, 19);
            r[6] = Cell::Date(2011, 5, 19);
            r
        },
        row(["Trần Thị Bình", "02/09/1990", "Nữ", "001190000111", "", "03/02/2015", "03/02/2016", CELL, "", ""]),
    ]
}

async fn count_members(app: &App) -> usize {
    app.members(&Principal::system(), None, 10_000, 0).await.expect("members").len()
}

fn has(report: &ImportReport, row: u32, column: &str, issue: impl Fn(&ImportIssue) -> bool) -> bool {
    report.problems.iter().any(|p| p.row == row && p.column == column && p.sheet == "Dữ liệu" && issue(&p.issue))
}

async fn members(db: TestDb) {
    let app = db.app().await;
    let start = date(2015, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    org(&app, start, CELL, OrgKind::Cell, Some(upper)).await;
    org(&app, start, "Chi bộ Trùng tên", OrgKind::Cell, Some(upper)).await;
    org(&app, start, "Chi bộ Trùng tên", OrgKind::Cell, Some(upper)).await;
    let elsewhere = org(&app, start, "Tỉnh ủy Bên cạnh", OrgKind::ProvincialCommittee, None).await;
    org(&app, start, "Chi bộ Sở Y tế Bên cạnh", OrgKind::Cell, Some(elsewhere)).await;
    // An officer of the Đảng ủy Khối imports for the organizations under it.
    let officer = Principal { grants: vec![ResolvedGrant { grant: Grant { role: Role::UnitOfficer, scope: Scope::Subtree(upper) }, roots: vec![upper] }], ..Principal::system() };
    let none = &|_, _| {};

    // Twenty kinds of problem, one or more per row, from row 4 on (rows 2 and 3 are good).
    let long = "Nguyễn ".repeat(20);
    let phone = "0".repeat(40);
    let mut rows = good();
    rows.extend([
        row(["", "14/03/1985", "Nam", "079085001235", "", "19/05/2010", "", CELL, "", ""]),
        row([&long, "14/03/1985", "Nam", "079085001236", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Ngày", "31/02/1985", "Nam", "079085001237", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Tương", "01/01/2030", "Nam", "079230000001", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Giới", "14/03/1985", "Khác", "079085001238", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Ngắn", "14/03/1985", "Nam", "12345", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Chữ", "14/03/1985", "Nam", "07908500123A", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Tỉnh", "14/03/1985", "Nam", "999085001234", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Năm", "14/03/1985", "Nam", "079090001234", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Nữ", "14/03/1985", "Nam", "079185001234", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Trùng", "14/03/1985", "Nam", "079085001234", "", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Thẻ", "14/03/1985", "Nam", "079085001239", "12ab", "19/05/2010", "", CELL, "", ""]),
        row(["Lê Văn Lạc", "14/03/1985", "Nam", "079085001240", "", "19/05/2010", "", "Chi bộ Không Có", "", ""]),
        row(["Lê Văn Hai", "14/03/1985", "Nam", "079085001241", "", "19/05/2010", "", "chi bo trung ten", "", ""]),
        row(["Lê Văn Ngoài", "14/03/1985", "Nam", "079085001242", "", "19/05/2010", "", "Chi bộ Sở Y tế Bên cạnh", "", ""]),
        row(["Lê Văn Trẻ", "14/03/1985", "Nam", "079085001243", "", "19/05/2000", "", CELL, "", ""]),
        row(["Lê Văn Sớm", "14/03/1985", "Nam", "079085001244", "", "19/05/2099", "", CELL, "", ""]),
        row(["Lê Văn Vội", "14/03/1985", "Nam", "079085001245", "", "19/05/2010", "19/08/2010", CELL, "", ""]),
        row(["Lê Văn Mai", "14/03/1985", "Nam", "079085001246", "", "19/05/2010", "19/05/2099", CELL, "", ""]),
        row(["Lê Văn Thư", "14/03/1985", "Nam", "079085001247", "", "19/05/2010", "", CELL, "", "khong-hop-le"]),
        row(["Lê Văn Số", "14/03/1985", "Nam", "079085001248", "", "19/05/2010", "", CELL, &phone, ""]),
        row(["Lê Văn Thiếu", "14/03/1985", "Nam", "079085001249", "", "", "", CELL, "", ""]),
    ]);
    let bad = workbook(rows);
    let before = count_members(&app).await;
    let report = app.import(&officer, ImportKind::Members, &bad, false, none).await.expect("report");
    use ImportIssue as I;
    use MemberError as M;
    let expected: Vec<(u32, &str, Box<IssueTest>)> = vec![
        (4, "Họ và tên", Box::new(|i| matches!(i, I::Member(M::Required { field: "full_name" })))),
        (5, "Họ và tên", Box::new(|i| matches!(i, I::Member(M::TooLong { field: "full_name" })))),
        (6, "Ngày sinh", Box::new(|i| matches!(i, I::Member(M::BadDate { field: "birth_date" })))),
        (7, "Ngày sinh", Box::new(|i| matches!(i, I::Member(M::BornInFuture)))),
        (8, "Giới tính", Box::new(|i| matches!(i, I::NotInList { value, .. } if value == "Khác"))),
        (9, "Số CCCD", Box::new(|i| matches!(i, I::Member(M::CccdLength { got: 5 })))),
        (10, "Số CCCD", Box::new(|i| matches!(i, I::Member(M::CccdNotDigits)))),
        (11, "Số CCCD", Box::new(|i| matches!(i, I::Member(M::CccdProvince { .. })))),
        (12, "Số CCCD", Box::new(|i| matches!(i, I::Member(M::CccdBirthYear { .. })))),
        (13, "Số CCCD", Box::new(|i| matches!(i, I::Member(M::CccdGender)))),
        (14, "Số CCCD", Box::new(|i| matches!(i, I::DuplicateInFile { first_row: 2 }))),
        (15, "Số thẻ đảng viên", Box::new(|i| matches!(i, I::Member(M::PartyCard)))),
        (16, "Tổ chức đảng", Box::new(|i| matches!(i, I::UnknownOrg(n) if n == "Chi bộ Không Có"))),
        (17, "Tổ chức đảng", Box::new(|i| matches!(i, I::AmbiguousOrg(_)))),
        (18, "Tổ chức đảng", Box::new(|i| matches!(i, I::OutsideScope(_)))),
        (19, "Ngày vào Đảng", Box::new(|i| matches!(i, I::Member(M::AdmittedTooYoung)))),
        (20, "Ngày vào Đảng", Box::new(|i| matches!(i, I::Member(M::AdmittedInFuture)))),
        (21, "Ngày chính thức", Box::new(|i| matches!(i, I::Member(M::OfficialTooEarly)))),
        (22, "Ngày chính thức", Box::new(|i| matches!(i, I::Member(M::OfficialInFuture)))),
        (23, "Thư điện tử", Box::new(|i| matches!(i, I::Member(M::Email)))),
        (24, "Điện thoại", Box::new(|i| matches!(i, I::Member(M::TooLong { field: "phone" })))),
        (25, "Ngày vào Đảng", Box::new(|i| matches!(i, I::Member(M::Required { field: "admitted_on" })))),
    ];
    for (r, column, issue) in &expected {
        assert!(has(&report, *r, column, issue), "row {r}, {column}: {:#?}", report.problems);
    }
    // Every problem is on a row of the file, rows 2 and 3 have none, and nothing was written.
    assert!(report.problems.iter().all(|p| (4..=25).contains(&p.row)), "{:#?}", report.problems);
    assert_eq!(report.rows, 24);
    assert!(!report.written);
    assert_eq!(count_members(&app).await, before, "a file with problems changes nothing");

    // A missing required column is named, on the header row.
    let mut no_cccd = good();
    for r in &mut no_cccd {
        r[3] = Cell::Empty;
    }
    let headers: Vec<String> = HEADERS.iter().filter(|h| **h != "Số CCCD").map(|h| (*h).into()).collect();
    let short = thidua_office::xlsx(&[Sheet { name: "Dữ liệu".into(), title: None, headers, widths: vec![], rows: vec![] }]).expect("xlsx");
    let report = app.import(&officer, ImportKind::Members, &short, true, none).await.expect("report");
    assert!(has(&report, 1, "Số CCCD", |i| matches!(i, I::MissingColumn)), "{:#?}", report.problems);
    // Not a spreadsheet at all.
    let report = app.import(&officer, ImportKind::Members, b"PK\x03\x04 not a zip", true, none).await.expect("report");
    assert!(matches!(report.problems[0].issue, I::Unreadable));

    // The clean file: a dry run writes nothing, then the import writes both members.
    let clean = workbook(good());
    let dry = app.import(&officer, ImportKind::Members, &clean, true, none).await.expect("dry run");
    assert_eq!((dry.created, dry.problems.len(), dry.written), (2, 0, false));
    assert_eq!(count_members(&app).await, before);
    let done = app.import(&officer, ImportKind::Members, &clean, false, none).await.expect("import");
    assert_eq!((done.created, done.updated, done.unchanged, done.written), (2, 0, 0, true));
    assert_eq!(count_members(&app).await, before + 2);
    let listed = app.members(&Principal::system(), Some("Trần Thị Bình"), 10, 0).await.expect("members");
    assert_eq!(listed.len(), 1);
    // The same file again, and the same rows as CSV with semicolons: nothing changes.
    let again = app.import(&officer, ImportKind::Members, &clean, false, none).await.expect("again");
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    // Under a title line, with a CCCD Excel turned into a number (losing its leading zero), and
    // without the columns a unit does not keep: matched, and what is not in the file is kept.
    let mut rows = good();
    rows[0][3] = Cell::Int(79_085_001_234);
    let kept: Vec<usize> = vec![0, 1, 2, 3, 5, 7];
    let sheet = Sheet {
        name: "Dữ liệu".into(),
        title: Some("DANH SÁCH ĐẢNG VIÊN".into()),
        headers: kept.iter().map(|i| HEADERS[*i].into()).collect(),
        widths: vec![],
        rows: rows.iter().map(|r| kept.iter().map(|i| r[*i].clone()).collect()).collect(),
    };
    let partial = app.import(&officer, ImportKind::Members, &thidua_office::xlsx(&[sheet]).expect("xlsx"), false, none).await.expect("partial");
    assert_eq!((partial.created, partial.updated, partial.unchanged), (0, 0, 2), "{:#?}", partial.problems);
    let csv = format!(
        "\u{feff}{}\r\nNguyễn Văn An;14/03/1985;Nam;079085001234;123456;19/05/2010;19/05/2011;{CELL};0901234567;an@example.vn;\r\nTrần Thị Bình;02/09/1990;Nữ;001190000111;;03/02/2015;03/02/2016;{CELL};;;\r\n",
        HEADERS.join(";")
    );
    let as_csv = app.import(&officer, ImportKind::Members, csv.as_bytes(), false, none).await.expect("csv");
    assert_eq!((as_csv.created, as_csv.updated, as_csv.unchanged), (0, 0, 2), "{:#?}", as_csv.problems);
    assert_eq!(count_members(&app).await, before + 2);
    // A changed phone updates that member; another organization is a transfer, not an import.
    let changed = csv.replace("0901234567", "0912345678");
    let update = app.import(&officer, ImportKind::Members, changed.as_bytes(), false, none).await.expect("update");
    assert_eq!((update.created, update.updated, update.unchanged), (0, 1, 1));
    let moved = changed.replace(&format!("03/02/2016;{CELL}"), "03/02/2016;Chi bộ Trùng tên");
    let report = app.import(&Principal::system(), ImportKind::Members, moved.as_bytes(), false, none).await.expect("moved");
    assert!(report.problems.iter().any(|p| p.row == 3 && matches!(p.issue, I::AmbiguousOrg(_))));
    org(&app, start, "Chi bộ Sở Nội vụ", OrgKind::Cell, Some(upper)).await;
    let moved = changed.replace(&format!("03/02/2016;{CELL}"), "03/02/2016;Chi bộ Sở Nội vụ");
    let report = app.import(&Principal::system(), ImportKind::Members, moved.as_bytes(), false, none).await.expect("moved");
    assert!(report.problems.iter().any(|p| p.row == 3 && p.column == "Tổ chức đảng" && matches!(&p.issue, I::OrgDiffers { current } if current == CELL)), "{:#?}", report.problems);
    assert!(!report.written);
}

async fn over_http(s: Server) {
    // The template opens with the columns in Vietnamese.
    let r = s.admin.get(s.url("/import/members/template.xlsx")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let mut header = Vec::new();
    thidua_office::table::for_each_row(&bytes, thidua_office::table::Format::Xlsx, &mut |_, row, cells| {
        // The first row of the first sheet; the guide sheet follows.
        header = cells.iter().map(|c| c.text()).collect();
        assert_eq!(row, 1);
        std::ops::ControlFlow::Break(())
    })
    .expect("read back");
    assert_eq!(header, HEADERS);
    assert_eq!(s.admin.get(s.url("/import/khong-co/template.xlsx")).send().await.expect("get").status(), StatusCode::BAD_REQUEST);
    // A file with a problem: 422, the message in Vietnamese with its row and column, nothing written.
    let rows = vec![row(["Ngô Văn Sai", "14/03/1985", "Nam", "079085001234", "", "19/05/2010", "", "Chi bộ Không Có", "", ""])];
    let r = s.admin.post(s.url("/api/v1/import/members?dry_run=false")).body(workbook(rows)).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: Json = r.json().await.expect("json");
    assert_eq!(report["written"], false);
    assert_eq!(report["problems"][0]["row"], 2);
    assert_eq!(report["problems"][0]["column"], "Tổ chức đảng");
    assert_eq!(report["problems"][0]["message"], "Không có tổ chức đảng đang hoạt động tên “Chi bộ Không Có”.");
    // An upload runs in the background: the uploader is sent to its page, which shows progress
    // until the report is ready; nobody else can see it.
    let csv = format!("{}\nNgô Văn Sai,14/03/1985,Nam,079085001234,,19/05/2010,,Chi bộ Không Có,,,\n", HEADERS.join(","));
    let form = reqwest::multipart::Form::new().text("kind", "members").text("dry_run", "1").part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("dang-vien.csv"));
    let r = s.admin.post(s.url("/import")).multipart(form).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r.headers()["location"].to_str().expect("location").to_owned();
    assert!(job.starts_with("/import/jobs/"), "{job}");
    let mut page = String::new();
    for _ in 0..100 {
        let r = s.admin.get(s.url(&job)).send().await.expect("get");
        page = r.text().await.expect("html");
        if page.contains("import-heading") {
            break;
        }
        assert!(page.contains("http-equiv=\"refresh\""), "a running job reloads itself: {page}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("Tệp có 1 lỗi") && page.contains("Chi bộ Không Có"), "{page}");
    let other = s.as_user("chuyenvien").await;
    assert_eq!(other.get(s.url(&job)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    // The import page is in the menu for those who register members.
    let html = s.admin.get(s.url("/import")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("Nhập dữ liệu từ Excel, CSV") && html.contains("/import/members/template.xlsx"), "{html}");
}

async fn evaluations(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2015, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let cell = org(&app, start, CELL, OrgKind::Cell, Some(upper)).await;
    let none = &|_, _| {};
    assert!(app.import(system, ImportKind::Members, &workbook(good()), false, none).await.expect("members").written);
    let header = "Số CCCD;Họ và tên;Năm;Xếp loại";
    let mut bad = format!("{header}\n");
    for line in [
        "079085001234;Nguyễn Văn An;2021;HTXSNV",
        "079000000000;;2021;HTXSNV",
        "079085001234;;20x4;HTXSNV",
        "079085001234;;2099;HTXSNV",
        "079085001234;;2022;Xuất sắc",
        "079085001234;Nguyễn Văn Anh;2023;HTXSNV",
        "079085001234;;2005;HTTNV",
        "079085001234;;2021;HTTNV",
        "001190000111;;2022;",
    ] {
        bad.push_str(line);
        bad.push('\n');
    }
    let report = app.import(system, ImportKind::Evaluations, bad.as_bytes(), false, none).await.expect("report");
    use ImportIssue as I;
    let at = |row: u32, column: &str| report.problems.iter().find(|p| p.row == row && p.column == column).map(|p| p.issue.clone());
    assert!(matches!(at(3, "Số CCCD"), Some(I::UnknownMember(_))), "{:#?}", report.problems);
    assert!(matches!(at(4, "Năm"), Some(I::BadYear(_))));
    assert!(matches!(at(5, "Năm"), Some(I::BadYear(_))));
    assert!(matches!(at(6, "Xếp loại"), Some(I::NotInList { .. })));
    assert!(matches!(at(7, "Họ và tên"), Some(I::NameDiffers { .. })));
    assert!(matches!(at(8, "Năm"), Some(I::BeforeAdmission { year: 2005 })));
    assert!(matches!(at(9, "Năm"), Some(I::DuplicateInFile { first_row: 2 })));
    assert!(matches!(at(10, "Xếp loại"), Some(I::Member(MemberError::Required { field: "level" }))));
    assert!(!report.written);
    let an = app.members(system, Some("Nguyễn Văn An"), 10, 0).await.expect("members")[0].id;
    assert!(app.member(system, an).await.expect("member").levels.is_empty(), "nothing written");

    // A member outside the importer's organizations is unknown to them, named nowhere.
    let other_province = org(&app, start, "Tỉnh ủy Khác", OrgKind::ProvincialCommittee, None).await;
    let officer = Principal { grants: vec![ResolvedGrant { grant: Grant { role: Role::UnitOfficer, scope: Scope::Subtree(other_province) }, roots: vec![other_province] }], ..Principal::system() };
    let probe = format!("{header}\n079085001234;Ai đó;2021;HTXSNV\n");
    let report = app.import(&officer, ImportKind::Evaluations, probe.as_bytes(), true, none).await.expect("report");
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    assert!(matches!(&report.problems[0].issue, I::UnknownMember(_)));
    // Five years, the words with or without diacritics: the rounds are made, concluded.
    let mut clean = format!("{header}\n");
    for (year, level) in [(2020, "HTXSNV"), (2021, "Hoàn thành xuất sắc nhiệm vụ"), (2022, "hoan thanh xuat sac nhiem vu"), (2023, "htxsnv"), (2024, "HTXSNV")] {
        clean.push_str(&format!("079085001234;Nguyễn Văn An;{year};{level}\n"));
    }
    clean.push_str("001190000111;Trần Thị Bình;2024;Hoàn thành tốt nhiệm vụ\n");
    let done = app.import(system, ImportKind::Evaluations, clean.as_bytes(), false, none).await.expect("import");
    assert_eq!((done.created, done.updated, done.unchanged, done.written), (6, 0, 0, true), "{:#?}", done.problems);
    let levels = app.member(system, an).await.expect("member").levels;
    assert_eq!(levels.len(), 5);
    assert!(levels.iter().all(|(_, l)| *l == thidua_core::evaluation::Level::Htxsnv));
    let e = app.eligibility(system, thidua_app::commendation::NomineeRef::Member(an), "dv_htxsnv_5_nam", 2024).await.expect("eligibility");
    assert_eq!(e.verdict, thidua_core::commendation::Verdict::Eligible, "imported results count for commendation: {e:?}");
    // Again: nothing changes; one level corrected: one update.
    let again = app.import(system, ImportKind::Evaluations, clean.as_bytes(), false, none).await.expect("again");
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 6));
    let corrected = clean.replace("2024;Hoàn thành tốt nhiệm vụ", "2024;HTNV");
    let fix = app.import(system, ImportKind::Evaluations, corrected.as_bytes(), false, none).await.expect("fix");
    assert_eq!((fix.created, fix.updated, fix.unchanged), (0, 1, 5));
    // A round under way takes its results step by step, not from a file.
    let year = thidua_app::today().year();
    app.open_eval_round(system, cell, year).await.expect("round under way");
    let current = format!("{header}\n079085001234;;{year};HTXSNV\n");
    let report = app.import(system, ImportKind::Evaluations, current.as_bytes(), false, none).await.expect("report");
    assert!(matches!(report.problems[0].issue, I::RoundOpen { .. }), "{:#?}", report.problems);
}

async fn organizations(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2015, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    let officer = Principal { grants: vec![ResolvedGrant { grant: Grant { role: Role::UnitOfficer, scope: Scope::Subtree(upper) }, roots: vec![upper] }], ..Principal::system() };
    let none = &|_, _| {};
    let count = |app: App| async move { app.orgs_on(&Principal::system(), thidua_app::today()).await.expect("orgs").len() };
    let before = count(app.clone()).await;
    let header = "Tên tổ chức,Tên viết tắt,Loại,Trực thuộc,Ngày thành lập";
    let bad = format!(
        "{header}\nChi bộ Phòng Ngân sách,,Chi bộ,Đảng bộ Sở Tài chính,01/01/2016\nĐảng bộ Sở Tài chính,,Đảng bộ cơ sở,Đảng ủy Khối Cơ quan tỉnh,01/01/2016\nChi bộ Lạ,,Tổ đảng,Đảng ủy Khối Cơ quan tỉnh,01/01/2016\nChi bộ Mồ côi,,Chi bộ,Đảng ủy Không Có,01/01/2016\nChi bộ Sớm,,Chi bộ,Đảng ủy Khối Cơ quan tỉnh,31/02/2016\nĐảng bộ Sở Tài chính,,Đảng bộ cơ sở,Đảng ủy Khối Cơ quan tỉnh,01/01/2016\nChi bộ Trước,,Chi bộ,Đảng ủy Khối Cơ quan tỉnh,01/01/2010\n"
    );
    let report = app.import(&officer, ImportKind::Orgs, bad.as_bytes(), false, none).await.expect("report");
    use ImportIssue as I;
    let at = |row: u32| report.problems.iter().filter(|p| p.row == row).map(|p| p.issue.clone()).collect::<Vec<_>>();
    assert!(matches!(at(2).as_slice(), [I::ParentLater(_)]), "{:#?}", report.problems);
    assert!(matches!(at(4).as_slice(), [I::NotInList { .. }]));
    assert!(matches!(at(5).as_slice(), [I::UnknownOrg(_)]));
    assert!(matches!(at(6).as_slice(), [I::Member(MemberError::BadDate { .. })]));
    assert!(matches!(at(7).as_slice(), [I::DuplicateInFile { first_row: 3 }]));
    assert!(matches!(at(8).as_slice(), [I::Org(_)]), "founded before its parent: {:#?}", at(8));
    assert!(!report.written);
    assert_eq!(count(app.clone()).await, before, "nothing made");
    // Parents first: a dry run makes nothing, then both are made, then again nothing changes.
    let good = format!("{header}\nĐảng bộ Sở Tài chính,ĐBSTC,Đảng bộ cơ sở,Đảng ủy Khối Cơ quan tỉnh,01/01/2016\nChi bộ Phòng Ngân sách,,Chi bộ,Đảng bộ Sở Tài chính,01/01/2016\n");
    let dry = app.import(&officer, ImportKind::Orgs, good.as_bytes(), true, none).await.expect("dry");
    assert_eq!((dry.created, dry.written), (2, false), "{:#?}", dry.problems);
    assert_eq!(count(app.clone()).await, before);
    let done = app.import(&officer, ImportKind::Orgs, good.as_bytes(), false, none).await.expect("import");
    assert_eq!((done.created, done.written), (2, true));
    assert_eq!(count(app.clone()).await, before + 2);
    let again = app.import(&officer, ImportKind::Orgs, good.as_bytes(), false, none).await.expect("again");
    assert_eq!((again.created, again.unchanged), (0, 2));
    // Outside the officer's organizations: refused.
    let outside = format!("{header}\nChi bộ Ngoài,,Chi bộ,Tỉnh ủy Thử nghiệm,01/01/2016\n");
    let report = app.import(&officer, ImportKind::Orgs, outside.as_bytes(), false, none).await.expect("report");
    assert!(matches!(report.problems[0].issue, I::UnknownOrg(_) | I::OutsideScope(_)), "{:#?}", report.problems);
    let _ = system;
}

async fn awards(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let start = date(2015, 1, 1);
    let province = org(&app, start, "Tỉnh ủy Thử nghiệm", OrgKind::ProvincialCommittee, None).await;
    let upper = org(&app, start, "Đảng ủy Khối Cơ quan tỉnh", OrgKind::UpperGrassrootsCommittee, Some(province)).await;
    org(&app, start, CELL, OrgKind::Cell, Some(upper)).await;
    let none = &|_, _| {};
    assert!(app.import(system, ImportKind::Members, &workbook(good()), false, none).await.expect("members").written);
    let header = "Số quyết định;Ngày quyết định;Cơ quan quyết định;Người ký;Danh hiệu, hình thức;Năm;Tập thể được khen;Số CCCD;Họ và tên;Đơn vị";
    let issuer = "Đảng ủy Khối Cơ quan tỉnh";
    let bad = format!(
        "{header}\n5-QĐ/ĐUK;15/01/2024;Đảng ủy Không Có;;Giấy khen;2023;{CELL};;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Huân chương;2023;{CELL};;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Giấy khen;2023;;;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Giấy khen;2023;{CELL};079085001234;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Giấy khen;2023;;079000000001;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Chiến sĩ thi đua toàn quốc;2023;;079085001234;;\n5-QĐ/ĐUK;15/01/2024;{issuer};;Giấy khen;2025;{CELL};;;\n"
    );
    let report = app.import(system, ImportKind::Awards, bad.as_bytes(), false, none).await.expect("report");
    use ImportIssue as I;
    let at = |row: u32| report.problems.iter().filter(|p| p.row == row).map(|p| p.issue.clone()).collect::<Vec<_>>();
    assert!(matches!(at(2).as_slice(), [I::UnknownOrg(_)]), "{:#?}", report.problems);
    assert!(matches!(at(3).as_slice(), [I::NotInList { .. }]));
    assert!(matches!(at(4).as_slice(), [I::OneRecipient]));
    assert!(matches!(at(5).as_slice(), [I::OneRecipient]));
    assert!(matches!(at(6).as_slice(), [I::UnknownMember(_)]));
    assert!(matches!(at(7).as_slice(), [I::AboveIssuer(_)]));
    assert!(matches!(at(8).as_slice(), [I::BadYear(_)]));
    assert!(!report.written);
    // A collective, a member by CCCD and a person not yet recorded, under one decision.
    let good = format!(
        "{header}\n5-QĐ/ĐUK;15/01/2024;{issuer};Nguyễn Văn Bí;Giấy khen;2023;{CELL};;;\n5-QĐ/ĐUK;15/01/2024;{issuer};Nguyễn Văn Bí;Giấy khen;2023;;079085001234;;\n5-QĐ/ĐUK;15/01/2024;{issuer};Nguyễn Văn Bí;Lao động tiên tiến;2023;;;Phạm Văn Ngoài;{CELL}\n5-QĐ/ĐUK;15/01/2024;{issuer};Nguyễn Văn Bí;Giấy khen;2023;{CELL};;;\n"
    );
    let report = app.import(system, ImportKind::Awards, good.as_bytes(), true, none).await.expect("dry");
    assert!(matches!(report.problems.as_slice(), [p] if p.row == 5 && matches!(p.issue, I::DuplicateInFile { first_row: 2 })), "{:#?}", report.problems);
    let good: String = good.lines().take(4).map(|l| format!("{l}\n")).collect();
    let dry = app.import(system, ImportKind::Awards, good.as_bytes(), true, none).await.expect("dry");
    assert_eq!((dry.created, dry.written), (3, false), "{:#?}", dry.problems);
    let done = app.import(system, ImportKind::Awards, good.as_bytes(), false, none).await.expect("import");
    assert_eq!((done.created, done.written), (3, true));
    let registry = app.registry(system, &thidua_app::commendation::RegistryFilter { org: Some(upper), from_year: Some(2023), to_year: Some(2023), ..Default::default() }).await.expect("registry");
    assert_eq!(registry.len(), 3);
    assert!(registry.iter().all(|l| l.award.decision.number_symbol == "5-QĐ/ĐUK" && l.award.decision.signer == "Nguyễn Văn Bí"));
    assert!(registry.iter().any(|l| l.recipient == "Phạm Văn Ngoài"));
    let again = app.import(system, ImportKind::Awards, good.as_bytes(), false, none).await.expect("again");
    assert_eq!((again.created, again.unchanged), (0, 3), "{:#?}", again.problems);
    assert_eq!(app.registry(system, &thidua_app::commendation::RegistryFilter { org: Some(upper), from_year: Some(2023), to_year: Some(2023), ..Default::default() }).await.expect("registry").len(), 3);
}

async fn documents(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let tu = crate::documents::committee(&app, "Tỉnh ủy Sổ giấy", "TU", date(2020, 10, 1)).await;
    let none = &|_, _| {};
    let header = "Sổ văn bản,Văn bản đến hay đi,Loại văn bản,Số, ký hiệu,Ngày ban hành,Cơ quan ban hành,Trích yếu,Người ký,Nơi nhận,Số đến,Ngày đến";
    // Quoted where a field holds a comma: "Số, ký hiệu".
    let header = header.replace("Số, ký hiệu", "\"Số, ký hiệu\"");
    let bad = format!(
        "{header}\nTỉnh ủy Không Có,Đi,,12-CV/TU,02/03/2023,,Về việc A,,,,\nTỉnh ủy Sổ giấy,Ngang,,12-CV/TU,02/03/2023,,Về việc B,,,,\nTỉnh ủy Sổ giấy,Đi,,12-QyĐ/TU,02/03/2023,,Về việc C,,,,\nTỉnh ủy Sổ giấy,Đi,,12-CV/HU,02/03/2023,,Về việc D,,,,\nTỉnh ủy Sổ giấy,Đi,,,02/03/2023,,Về việc E,,,,\nTỉnh ủy Sổ giấy,Đi,,12-CV/TU,02/03/2019,,Về việc F,,,,\nTỉnh ủy Sổ giấy,Đến,,,,Bộ X,,,,5,02/03/2023\n"
    );
    let report = app.import(system, ImportKind::Documents, bad.as_bytes(), false, none).await.expect("report");
    use ImportIssue as I;
    let at = |row: u32| report.problems.iter().filter(|p| p.row == row).map(|p| p.issue.clone()).collect::<Vec<_>>();
    assert!(matches!(at(2).as_slice(), [I::UnknownOrg(_)]), "{:#?}", report.problems);
    assert!(matches!(at(3).as_slice(), [I::NotInList { .. }]));
    assert!(matches!(at(4).as_slice(), [I::Document(_)]), "the state's QyĐ: {:#?}", at(4));
    assert!(matches!(at(5).as_slice(), [I::Document(_)]), "another committee's symbol");
    assert!(matches!(at(6).as_slice(), [I::Member(MemberError::Required { field: "symbol" })]));
    assert!(matches!(at(7).as_slice(), [I::Document(_)]), "before the term");
    assert!(matches!(at(8).as_slice(), [I::Member(MemberError::Required { field: "summary" }), ..]));
    assert!(!report.written);
    // The paper register: outgoing 12 and 13, an incoming one numbered 5 and one without a number.
    let good = format!(
        "{header}\nTỉnh ủy Sổ giấy,Đi,,12-CV/TU,02/03/2023,,Về việc tổng kết thi đua,Bí thư,,,\nTỉnh ủy Sổ giấy,Đi,,13 - cv/tu,03/03/2023,,Về việc khen thưởng,,,,\nTỉnh ủy Sổ giấy,Đến,CV,969-CV/BTCTW,01/03/2023,Ban Tổ chức Trung ương,Về việc hướng dẫn,,,5,02/03/2023\nTỉnh ủy Sổ giấy,Đến,TB,,01/03/2023,Văn phòng,Thông báo lịch họp,,,,03/03/2023\n"
    );
    let done = app.import(system, ImportKind::Documents, good.as_bytes(), false, none).await.expect("import");
    assert_eq!((done.created, done.written), (4, true), "{:#?}", done.problems);
    let all = app.documents(system, thidua_store::SearchFilter::default(), 100, 0).await.expect("documents");
    let symbols: std::collections::BTreeSet<String> = all.iter().filter(|d| d.org == tu).filter_map(|d| d.symbol.clone()).collect();
    assert!(symbols.contains("12-CV/TU") && symbols.contains("13-CV/TU"), "{symbols:?}");
    let arrivals: std::collections::BTreeSet<i64> = all.iter().filter(|d| d.org == tu).filter_map(|d| d.arrival_number).collect();
    assert_eq!(arrivals, [5, 6].into_iter().collect(), "the unnumbered one comes after the paper's 5");
    // Found by search, and the sequences go on after the paper's numbers.
    assert!(!app.search_documents(system, "tong ket thi dua", thidua_store::SearchFilter::default(), 10).await.expect("search").is_empty());
    let next = app
        .register_document(system, thidua_store::Direction::Outgoing, &crate::documents::new_doc(tu, "CV", "Văn bản đầu tiên trong chương trình", date(2023, 4, 1)), &[])
        .await
        .expect("next");
    assert_eq!(next.symbol.as_deref(), Some("14-CV/TU"));
    // Again: the numbered rows are there already; the unnumbered incoming one cannot be told
    // apart from a new one, so a register is imported with its arrival numbers.
    let numbered: String = good.lines().take(4).map(|l| format!("{l}\n")).collect();
    let again = app.import(system, ImportKind::Documents, numbered.as_bytes(), false, none).await.expect("again");
    assert_eq!((again.created, again.unchanged), (0, 3), "{:#?}", again.problems);
}
