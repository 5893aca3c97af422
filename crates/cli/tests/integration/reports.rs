//! Dashboards over HTTP: an organization's levels and awards, a register's incoming documents, the
//! transfers; each chart with its title, description and figures.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[("dashboards_of_an_organization_a_register_and_transfers", |s| Box::pin(dashboards(s)))];

async fn org_id(s: &Server, name: &str) -> i64 {
    let v: Value = s.admin.get(s.url("/api/v1/orgs?date=2024-06-01")).send().await.expect("get").json().await.expect("json");
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
