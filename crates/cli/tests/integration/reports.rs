//! Dashboards over HTTP: an organization's levels and awards, a register's incoming documents, the
//! transfers; each chart with its title, description and figures.

use std::ops::ControlFlow;

use reqwest::StatusCode;
use serde_json::Value as Json;
use thidua_app::{App, AppError};
use thidua_office::table::{for_each_row, Format, Value};

use crate::support::{pg_base_url, ApiTest, Backend, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[("everything_exports_as_the_same_bytes_and_restores_into_either_backend", |db| Box::pin(round_trip(db)))];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("dashboards_of_an_organization_a_register_and_transfers", |s| Box::pin(dashboards(s))),
    ("lists_download_as_typed_xlsx_and_csv", |s| Box::pin(exports(s))),
    ("reports_are_party_format_docx_and_the_year_end_package_a_workbook", |s| Box::pin(reports(s))),
];

/// Every row of every sheet: `(sheet, row, cells)`.
fn rows(bytes: &[u8]) -> Vec<(String, u32, Vec<Value>)> {
    let mut out = Vec::new();
    for_each_row(bytes, Format::sniff(bytes), &mut |sheet, row, cells| {
        out.push((sheet.to_owned(), row, cells.to_vec()));
        ControlFlow::Continue(())
    })
    .expect("a spreadsheet that reads back");
    out
}

async fn download(s: &Server, path: &str) -> Vec<u8> {
    let r = s.admin.get(s.url(path)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.expect("bytes").to_vec()
}

async fn org_id(s: &Server, name: &str) -> i64 {
    let v: Json = s.admin.get(s.url("/api/v1/orgs?date=2024-06-01")).send().await.expect("get").json().await.expect("json");
    v["orgs"].as_array().expect("orgs").iter().find(|o| o["name"] == name).and_then(|o| o["id"].as_i64()).unwrap_or_else(|| panic!("{name}"))
}

async fn page(s: &Server, path: &str) -> String {
    let r = s.admin.get(s.url(path)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.expect("html")
}

async fn dashboards(s: Server) {
    // The Ban Quản lý's members by level, 2018–2024, stacked by year; its awards by year.
    let bql = org_id(&s, "Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố").await;
    let html = page(&s, &format!("/dashboards/orgs/{bql}")).await;
    assert!(html.contains("Xếp loại chất lượng đảng viên theo năm") && html.contains("<svg id=\"levels\""), "{html}");
    assert!(html.contains("<th scope=\"row\">2022</th>"), "a row of figures per year");
    assert!(html.contains("<svg id=\"awards\""), "the admin sees awards too");
    // A register's incoming documents by month, with the share handled written the Vietnamese way.
    let dukdn = org_id(&s, "Đảng ủy Khối Doanh nghiệp Trung ương").await;
    let html = page(&s, &format!("/dashboards/documents/{dukdn}?year=2023")).await;
    assert!(html.contains("Văn bản đến và đã xử lý theo tháng năm 2023") && html.contains("<svg id=\"incoming\""), "{html}");
    assert!(html.contains("văn bản đến (") && html.contains('%'), "{html}");
    assert!(!html.contains("NaN"));
    let r = s.admin.get(s.url(&format!("/dashboards/documents/{dukdn}?year=hai"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Transfers by state.
    let html = page(&s, "/dashboards/transfers").await;
    assert!(html.contains("Chuyển sinh hoạt theo trạng thái"), "{html}");
    // In English too.
    let html = page(&s, &format!("/dashboards/orgs/{bql}?lang=en")).await;
    assert!(html.contains("evaluation levels by year") && html.contains("lang=\"en\""), "{html}");
}

async fn exports(s: Server) {
    // The award registry of the Ban Tổ chức ĐUKDN and its successors: headers in Vietnamese, a
    // frozen header under the title, years as numbers and decision dates as dates.
    let board = org_id(&s, "Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương").await;
    let sheet = rows(&download(&s, &format!("/awards?org={board}&predecessors=on&format=xlsx")).await);
    let header = sheet.iter().find(|(_, _, c)| c.first().is_some_and(|v| v.text() == "Năm")).expect("header row");
    assert_eq!(header.2.iter().map(Value::text).collect::<Vec<_>>(), ["Năm", "Danh hiệu, hình thức khen thưởng", "Tập thể, cá nhân được khen", "Cơ quan quyết định", "Số quyết định", "Ngày quyết định", "Ngày thu hồi"]);
    let data: Vec<&Vec<Value>> = sheet.iter().filter(|(_, r, _)| *r > header.1).map(|(_, _, c)| c).collect();
    assert!(!data.is_empty());
    assert!(data.iter().all(|c| matches!(c[0], Value::Number(y) if y == 2023.0) && matches!(c[5], Value::Date(2024, _, _))), "{data:?}");
    // Members as CSV: a byte-order mark, the header, dates as dd/mm/yyyy.
    let csv = String::from_utf8(download(&s, "/members?q=nguyen&format=csv").await).expect("utf-8");
    assert!(csv.starts_with("\u{feff}Họ và tên,Ngày sinh,Tổ chức đảng đang sinh hoạt,Ngày vào Đảng,Ngày chính thức,Tuổi đảng (năm)\n"), "{csv}");
    let line = csv.lines().nth(1).expect("a member");
    assert!(line.split(',').nth(1).is_some_and(|d| d.len() == 10 && d.as_bytes()[2] == b'/'), "{line}");
    // The register, the dossiers and the transfers as they are filtered on their pages.
    let docs = rows(&download(&s, "/documents?direction=incoming&format=xlsx").await);
    assert!(docs.len() > 2 && docs.iter().any(|(_, _, c)| c.get(5).is_some_and(|v| matches!(v, Value::Date(..)))), "arrival dates are dates");
    let dossiers = rows(&download(&s, "/dossiers?year=2022&format=xlsx").await);
    assert_eq!(dossiers.iter().filter(|(_, _, c)| matches!(c.first(), Some(Value::Number(y)) if *y == 2022.0)).count(), 18);
    let transfers = String::from_utf8(download(&s, "/transfers?format=csv").await).expect("utf-8");
    assert!(transfers.contains("Đảng viên,Nơi chuyển đi,Nơi chuyển đến"), "{transfers}");
    // Decisions, badges due and the bulk eligibility list too.
    let decisions = rows(&download(&s, "/decisions?format=xlsx").await);
    assert!(decisions.iter().any(|(_, _, c)| c.first().is_some_and(|v| v.text() == "1245-QĐ/BTCTW (minh họa)") && matches!(c.get(1), Some(Value::Date(2024, _, _)))), "{decisions:?}");
    let badges = String::from_utf8(download(&s, "/badges?date=2026-02-03&format=csv").await).expect("utf-8");
    assert!(badges.starts_with("\u{feff}Họ và tên,"), "{badges}");
    let bql = org_id(&s, "Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố").await;
    let eligible = rows(&download(&s, &format!("/eligibility?scope={bql}&title=dv_htxsnv_5_nam&year=2022&format=xlsx")).await);
    assert_eq!(eligible.iter().filter(|(_, r, _)| *r > 3).count(), 15, "the fifteen members of seed 004");
    // The page shows them a hundred at a time, numbered on across pages; the download holds all.
    let page = |n: &str| s.admin.get(s.url(&format!("/eligibility?scope={bql}&title=dv_htxsnv_5_nam&year=2022{n}"))).send();
    let first = page("").await.expect("get").text().await.expect("html");
    let list = |html: &str| html.split("<ol id=\"eligible\"").nth(1).and_then(|l| l.split("</ol>").next()).map(|l| (l.split('>').next().unwrap_or_default().to_owned(), l.matches("<li>").count()));
    assert_eq!(list(&first), Some((" start=\"1\"".to_owned(), 15)), "{first}");
    let second = page("&page=2").await.expect("get").text().await.expect("html");
    assert_eq!(list(&second), Some((" start=\"101\"".to_owned(), 0)), "{second}");
    assert_eq!(page("&page=x").await.expect("get").status(), StatusCode::BAD_REQUEST);
    // The organization tree in the columns of the organizations import: imported back as it is.
    let tree = download(&s, "/orgs?format=xlsx").await;
    let back = s.app.import(&thidua_app::auth::Principal::system(), thidua_app::import::ImportKind::Orgs, &tree, true, &|_, _| {}).await.expect("dry run");
    assert!(back.problems.is_empty() && back.created == 0 && back.unchanged > 50, "{} unchanged, {} created, {:#?}", back.unchanged, back.created, back.problems.iter().take(5).collect::<Vec<_>>());
    for list in ["/clusters?format=csv", "/records?format=csv"] {
        let text = String::from_utf8(download(&s, list).await).expect("utf-8");
        assert!(text.starts_with('\u{feff}') && text.lines().count() > 1, "{list}: {text}");
    }
    // Unknown formats are refused.
    let r = s.admin.get(s.url("/awards?format=pdf")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Exporting members is audited, with a count and without their names.
    let entries = s.app.audit_entries(&thidua_app::auth::Principal::system(), &thidua_store::AuditFilter { limit: 1000, ..thidua_store::AuditFilter::default() }).await.expect("audit");
    let export = entries.iter().find(|e| e.action == "member.export").expect("an export entry");
    assert!(export.summary.ends_with(" members") && !export.summary.contains("Nguyễn"), "{}", export.summary);
}

async fn reports(s: Server) {
    // Cụm 6's 2023 report: meetings with their topics and documents, tasks, the ranking of the
    // closed round, and what the year-end votes adopted.
    let clusters: Json = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum6 = clusters.as_array().expect("clusters").iter().find(|c| c["name"] == "Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng").and_then(|c| c["id"].as_i64()).expect("Cụm 6");
    let p = thidua_office::docx_paragraphs(&download(&s, &format!("/clusters/{cum6}/report.docx?year=2023&period=year")).await).expect("docx");
    let at = |text: &str| p.iter().position(|x| x.starts_with(text)).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("BÁO CÁO") < at("I. HỘI NGHỊ, SINH HOẠT CỤM"));
    assert!(at("I. HỘI NGHỊ") < at("II. NHIỆM VỤ TRỌNG TÂM") && at("II. NHIỆM VỤ") < at("III. CHẤM ĐIỂM") && at("III. CHẤM ĐIỂM") < at("IV. ĐỀ XUẤT"));
    assert!(p.iter().any(|x| x.starts_with("1. Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương: ") && x.ends_with(" điểm.")), "{p:#?}");
    // What the year-end votes adopted is proposed under IV, one line per poll.
    let proposals = &p[at("IV. ĐỀ XUẤT") + 1];
    assert!(proposals.starts_with("- ") && proposals.contains(": đề nghị "), "{p:#?}");
    assert!(p.iter().any(|x| x == "ĐẢNG CỘNG SẢN VIỆT NAM"), "Party heading");
    // A quarter without meetings says so; a period that does not exist is refused.
    let q = thidua_office::docx_paragraphs(&download(&s, &format!("/clusters/{cum6}/report.docx?year=2023&period=q1")).await).expect("docx");
    assert!(q.iter().any(|x| x.contains("quý I năm 2023")), "{q:#?}");
    let r = s.admin.get(s.url(&format!("/clusters/{cum6}/report.docx?year=2023&period=q5"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The list of the sector council's decision: one line per award, by title.
    let decisions: Json = s.admin.get(s.url("/api/v1/decisions")).send().await.expect("get").json().await.expect("json");
    let d = decisions.as_array().expect("decisions").iter().find(|d| d["number_symbol"] == "1245-QĐ/BTCTW (minh họa)").and_then(|d| d["id"].as_i64()).expect("decision");
    let list = thidua_office::docx_paragraphs(&download(&s, &format!("/decisions/{d}/list.docx")).await).expect("docx");
    assert!(list.iter().any(|x| x == "DANH SÁCH") && list.iter().any(|x| x.starts_with("Tổng số: ")), "{list:#?}");
    // The Ban Quản lý's 2022 in one workbook: the summary counts, members by level.
    let bql = org_id(&s, "Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố").await;
    let book = rows(&download(&s, &format!("/orgs/{bql}/year-end.xlsx?year=2022")).await);
    let sheets: std::collections::BTreeSet<&str> = book.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(sheets, ["Hồ sơ đề nghị", "Khen thưởng", "Tổng hợp", "Xếp loại tổ chức", "Xếp loại đảng viên"].into_iter().collect());
    let summary = |label: &str| book.iter().find(|(s, _, c)| s == "Tổng hợp" && c.first().is_some_and(|v| v.text() == label)).and_then(|(_, _, c)| match c.get(1) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    });
    assert_eq!(summary("Số đảng viên được xếp loại"), Some(95.0), "{book:#?}");
    assert!(summary("Hoàn thành xuất sắc nhiệm vụ").is_some_and(|n| n >= 15.0));
    assert_eq!(summary("Hồ sơ đề nghị khen thưởng"), Some(18.0));
    assert!(book.iter().any(|(s, _, c)| s == "Xếp loại đảng viên" && c.get(2).is_some_and(|v| v.text() == "HTXSNV")));
}

async fn round_trip(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let export = |app: App| async move {
        let mut out = Vec::new();
        app.export_json(&mut out, false).await.expect("export");
        out
    };
    let first = export(app.clone()).await;
    assert_eq!(export(app.clone()).await, first, "the same data, the same bytes");
    let text = std::str::from_utf8(&first).expect("utf-8");
    assert!(text.starts_with("{\"format\":\"thidua-export\",\"version\":1,\"tables\":{") && text.contains("\"member\":[") && text.contains("Ban Tổ chức"));
    assert!(!text.contains("\"user_session\"") && !text.contains("installation_signing_key"), "no sessions, no private key");
    assert!(matches!(app.restore_json(&first).await, Err(AppError::NotEmpty)), "a database with data is not overwritten");
    assert!(app.restore_json(b"{\"format\": \"other\"}").await.is_err());
    // Into a fresh database of each backend: the same bytes come out again, the audit chain holds
    // and the search index is rebuilt.
    let mut targets = vec![Backend::Sqlite];
    if pg_base_url().is_some() {
        targets.push(Backend::Postgres);
    }
    for backend in targets {
        let other = TestDb::new(backend).await;
        let copy = other.app().await;
        let rows = copy.restore_json(&first).await.expect("restore");
        assert!(rows > 1000, "{rows}");
        let again = export(copy.clone()).await;
        if again != first {
            let (a, b) = (String::from_utf8_lossy(&first), String::from_utf8_lossy(&again));
            let at = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            panic!("{:?} → {:?}: first difference at line {at:?}: {:?} / {:?}", db.backend, backend, at.map(|i| a.lines().nth(i)), at.map(|i| b.lines().nth(i)));
        }
        assert!(matches!(copy.verify_audit().await.expect("verify"), thidua_app::audit::AuditCheck::Intact { .. }));
        let (documents, indexed) = copy.index_counts().await.expect("index");
        assert!(documents > 0 && indexed > 0, "{documents} documents, {indexed} indexed");
        copy.close().await;
        other.drop_db().await;
    }
}
