//! The HTTP surface: JSON API, pages, errors and languages, against a real server on a real
//! SQLite file with the demo world.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::{client, ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[
    ("healthz_answers", |s| Box::pin(healthz_answers(s))),
    ("tree_differs_across_the_2025_reorganization", |s| Box::pin(tree_differs_across_reorganization(s))),
    ("invalid_events_get_4xx_in_vietnamese_and_change_nothing", |s| Box::pin(invalid_events_refused(s))),
    ("valid_event_is_recorded_and_shown", |s| Box::pin(valid_event_recorded(s))),
    ("openapi_documents_every_api_route", |s| Box::pin(openapi_documents_routes(s))),
    ("pages_render_in_vietnamese_and_english", |s| Box::pin(pages_render(s))),
    ("org_page_shows_lineage_and_successors", |s| Box::pin(org_page_lineage(s))),
    ("bad_input_on_pages_gets_a_clear_4xx", |s| Box::pin(bad_input_on_pages(s))),
    ("text_is_escaped_in_pages", |s| Box::pin(text_is_escaped(s))),
];

async fn get_json(s: &Server, path: &str) -> (u16, Value) {
    let r = s.admin.get(s.url(path)).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

async fn get_text(s: &Server, path: &str) -> (u16, String) {
    let r = s.admin.get(s.url(path)).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.text().await.expect("text"))
}

async fn post_event(s: &Server, body: &Value, lang: &str) -> (u16, Value) {
    let r = s
        .admin
        .post(s.url("/api/v1/org-events"))
        .header("accept-language", lang)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

fn names(tree: &Value) -> BTreeSet<String> {
    tree["orgs"].as_array().expect("orgs").iter().map(|o| o["name"].as_str().expect("name").to_owned()).collect()
}

async fn id_of(s: &Server, name: &str, date: &str) -> i64 {
    let (_, tree) = get_json(s, &format!("/api/v1/orgs?date={date}")).await;
    tree["orgs"].as_array().expect("orgs").iter().find(|o| o["name"] == name).and_then(|o| o["id"].as_i64()).unwrap_or_else(|| panic!("{name} on {date}"))
}

async fn healthz_answers(s: Server) {
    let (status, body) = get_json(&s, "/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "SQLite");
}

async fn tree_differs_across_reorganization(s: Server) {
    let (status, before) = get_json(&s, "/api/v1/orgs?date=2025-06-30").await;
    assert_eq!(status, 200);
    let (_, after) = get_json(&s, "/api/v1/orgs?date=01/07/2025").await;
    assert_eq!(after["date"], "2025-07-01");
    let (b, a) = (names(&before), names(&after));
    let gone: BTreeSet<&String> = b.difference(&a).collect();
    let new: BTreeSet<&String> = a.difference(&b).collect();
    // Six district committees, their six boards and two merged provinces end; 19 wards with a board each begin.
    assert_eq!(gone.len(), 14, "{gone:?}");
    assert_eq!(new.len(), 38, "{new:?}");
    assert!(gone.contains(&"Ban Tổ chức Quận ủy Quận 1".to_string()));
    assert!(new.contains(&"Đảng ủy phường Cầu Ông Lãnh".to_string()));
    // Parents come before their children in the flat list.
    let orgs = after["orgs"].as_array().expect("orgs");
    let mut seen = BTreeSet::new();
    for o in orgs {
        if let Some(p) = o["parent_id"].as_i64() {
            assert!(seen.contains(&p), "{} listed before its parent", o["name"]);
        }
        seen.insert(o["id"].as_i64().expect("id"));
    }
}

async fn invalid_events_refused(s: Server) {
    let city = id_of(&s, "Thành ủy Thành phố Hồ Chí Minh", "2024-01-01").await;
    let board = id_of(&s, "Ban Tổ chức Thành ủy", "2024-01-01").await;
    let q1 = id_of(&s, "Quận ủy Quận 1", "2024-01-01").await;
    let snapshot = || async {
        let (_, a) = get_json(&s, "/api/v1/orgs?date=2024-01-01").await;
        let (_, b) = get_json(&s, "/api/v1/orgs?date=2026-01-01").await;
        let (_, c) = get_json(&s, &format!("/api/v1/orgs/{q1}")).await;
        (a, b, c, s.app.org_event_count().await.expect("count"))
    };
    let before = snapshot().await;
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"date": "2024-03-01", "change": {"type": "move", "org_id": city, "parent_id": board}}), 422, "org.cycle", "vòng lặp"),
        (json!({"date": "2017-01-01", "change": {"type": "rename", "org_id": board, "name": "Ban mới"}}), 422, "org.not_yet_existing", "chưa tồn tại"),
        (json!({"date": "2024-03-01", "change": {"type": "merge", "source_ids": [q1], "into": {"existing": q1}}}), 422, "org.merge_into_self", "chính nó"),
        (json!({"date": "2026-01-01", "change": {"type": "rename", "org_id": q1, "name": "Quận ủy"}}), 422, "org.ended", "đã chấm dứt hoạt động"),
        (json!({"date": "2024-03-01", "change": {"type": "dissolve", "org_id": city}}), 422, "org.has_live_children", "trực thuộc đang hoạt động"),
        (json!({"date": "2024-03-01", "change": {"type": "dissolve", "org_id": 987654}}), 422, "org.unknown", "Không có tổ chức"),
        (json!({"date": "2023-01-01", "change": {"type": "dissolve", "org_id": q1}}), 422, "org.has_live_children", "trực thuộc"),
        (json!({"date": "31/02/2024", "change": {"type": "dissolve", "org_id": q1}}), 400, "bad_date", "không hợp lệ"),
        (json!({"date": "2024-03-01", "change": {"type": "create", "kind": "nope", "name": "X"}}), 400, "bad_kind", "không có trong danh mục"),
        (json!({"date": "2024-03-01", "change": {"type": "create", "kind": "cell", "name": "  ", "parent_id": city}}), 422, "org.empty_name", "không được để trống"),
        (json!({"date": "2024-03-01", "change": {"type": "teleport"}}), 400, "bad_request", "không đúng định dạng"),
        (json!({"date": "2024-03-01"}), 400, "bad_request", "không đúng định dạng"),
    ];
    for (body, status, code, phrase) in &cases {
        let (got, answer) = post_event(&s, body, "vi").await;
        assert_eq!(got, *status, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], *code, "{body} → {answer}");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(phrase), "{message:?} lacks {phrase:?}");
    }
    // Malformed JSON, and English on request.
    let r = s.admin.post(s.url("/api/v1/org-events")).header("content-type", "application/json").body("{not json").send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    let (status, answer) = post_event(&s, &cases[0].0, "en-GB,en;q=0.9").await;
    assert_eq!(status, 422);
    assert!(answer["error"]["message"].as_str().expect("message").contains("cycle"), "{answer}");
    assert_eq!(snapshot().await, before, "a refused event changed the database");
}

async fn valid_event_recorded(s: Server) {
    let city = id_of(&s, "Thành ủy Thành phố Hồ Chí Minh", "2026-01-01").await;
    let body = json!({"date": "2026-03-01", "basis": "Quyết định 100-QĐ/TU", "change": {
        "type": "create", "kind": "grassroots_committee", "name": "Đảng bộ Khu Công nghệ cao", "short_name": "SHTP", "parent_id": city}});
    let (status, event) = post_event(&s, &body, "vi").await;
    assert_eq!(status, 201, "{event}");
    assert_eq!(event["type"], "create");
    let id = event["created_ids"][0].as_i64().expect("id");
    let (_, detail) = get_json(&s, &format!("/api/v1/orgs/{id}?date=2026-03-01")).await;
    assert_eq!(detail["on_date"]["name"], "Đảng bộ Khu Công nghệ cao");
    assert_eq!(detail["on_date"]["parent_id"], city);
    assert_eq!(detail["events"][0]["basis"], "Quyết định 100-QĐ/TU");
    let (_, before) = get_json(&s, "/api/v1/orgs?date=2026-02-28").await;
    assert!(!names(&before).contains("Đảng bộ Khu Công nghệ cao"));
}

async fn openapi_documents_routes(s: Server) {
    let (status, doc) = get_json(&s, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for p in ["/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/orgs/{id}/lineage", "/api/v1/orgs/{id}/successor", "/api/v1/org-events", "/api/v1/clusters", "/api/v1/clusters/{id}"] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    // Every documented GET answers with a documented status.
    for (path, item) in paths {
        if item.get("get").is_none() {
            continue;
        }
        let concrete = path.replace("{id}", "1");
        let r = s.admin.get(s.url(&concrete)).send().await.expect("get");
        let code = r.status().as_u16().to_string();
        assert!(item["get"]["responses"].get(&code).is_some(), "{path} answered {code}, not documented");
    }
    // A parameter is in the path only where the path names it; the rest are query parameters.
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("operations") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().expect("name");
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(p["in"], if in_path { "path" } else { "query" }, "{method} {path}: {name}");
            }
        }
    }
    // Ids that name nothing are the caller's mistake: a documented 404, and nothing written.
    let before = get_json(&s, "/api/v1/decisions").await.1.as_array().expect("list").len();
    let body = json!({"issuer_id": 999_999, "number_symbol": "1-QĐ/KHÔNG", "decided_on": "2024-01-02", "signer": "Không có", "summary": "Không có", "dossier_ids": [999_999]});
    let r = s.admin.post(s.url("/api/v1/decisions")).json(&body).send().await.expect("post");
    assert_eq!(r.status(), 404);
    assert!(paths["/api/v1/decisions"]["post"]["responses"].get("404").is_some());
    assert_eq!(get_json(&s, "/api/v1/decisions").await.1.as_array().expect("list").len(), before);
}

async fn pages_render(s: Server) {
    for (path, phrase) in [
        ("/", "Tổng quan"),
        ("/orgs?date=2023-09-22", "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn"),
        ("/clusters", "Cụm thi đua 7 – Ban Tổ chức Thành ủy"),
    ] {
        let (status, html) = get_text(&s, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(phrase), "{path} lacks {phrase}");
        assert!(html.contains("<html lang=\"vi\">"));
    }
    let (_, html) = get_text(&s, "/orgs?date=2023-09-22").await;
    assert!(html.contains("Cây tổ chức tại ngày 22/09/2023"));

    let clusters: Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum7 = clusters.as_array().expect("list").iter().find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Cụm thi đua 7"))).expect("Cụm 7");
    let (status, html) = get_text(&s, &format!("/clusters/{}?year=2023", cum7["id"])).await;
    assert_eq!(status, 200);
    assert!(html.contains("Cụm trưởng") && html.contains("Đơn vị thành viên năm 2023") && html.contains("11 đơn vị"));

    // Switching language sets a cookie and comes back to the same page.
    let r = client().get(s.url("/lang/en?back=/clusters")).send().await.expect("switch");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/clusters");
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let html = s.admin.get(s.url("/clusters")).header("cookie", cookie).send().await.expect("get").text().await.expect("text");
    assert!(html.contains("<html lang=\"en\">") && html.contains("Emulation clusters and blocs"));
    let r = client().get(s.url("/lang/en?back=//evil.example")).send().await.expect("switch");
    assert_eq!(r.headers()["location"], "/", "only local paths are followed");
}

async fn org_page_lineage(s: Server) {
    let q1_board = id_of(&s, "Ban Tổ chức Quận ủy Quận 1", "2024-01-01").await;
    let (status, html) = get_text(&s, &format!("/orgs/{q1_board}?date=2025-08-01")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Vào ngày 01/08/2025 tổ chức này không hoạt động."));
    assert!(html.contains("Ban Xây dựng Đảng Đảng ủy phường Sài Gòn"));
    assert!(html.contains("Chia tách, một phần chuyển về"));
    let (_, detail) = get_json(&s, &format!("/api/v1/orgs/{q1_board}?date=2025-08-01")).await;
    assert_eq!(detail["successors_on_date"].as_array().expect("ids").len(), 4);
    let (_, succ) = get_json(&s, &format!("/api/v1/orgs/{q1_board}/successor?date=2024-01-01")).await;
    assert_eq!(succ["org_ids"], json!([q1_board]));
    let city = id_of(&s, "Thành ủy Thành phố Hồ Chí Minh", "2026-01-01").await;
    let (_, lineage) = get_json(&s, &format!("/api/v1/orgs/{city}/lineage")).await;
    assert_eq!(lineage["predecessors"].as_array().expect("list").len(), 2, "Bình Dương and Bà Rịa – Vũng Tàu merged in");
}

async fn bad_input_on_pages(s: Server) {
    for (path, status, phrase) in [
        ("/orgs?date=32/13/2025", 400, "không hợp lệ"),
        ("/orgs/abc", 400, "không hợp lệ"),
        ("/orgs/999999", 404, "Không tìm thấy"),
        ("/clusters/1?year=abc", 400, "không hợp lệ"),
        ("/clusters/1?year=1800", 400, "không hợp lệ"),
        ("/khong-co-trang-nay", 404, "Không tìm thấy"),
        ("/api/v1/orgs/0", 400, "không hợp lệ"),
        ("/api/v1/orgs?date=%FF%FE", 400, ""),
    ] {
        let (got, body) = get_text(&s, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains(phrase), "{path}: {body}");
    }
}

async fn text_is_escaped(s: Server) {
    let city = id_of(&s, "Thành ủy Thành phố Hồ Chí Minh", "2026-01-01").await;
    let body = json!({"date": "2026-03-01", "change": {"type": "create", "kind": "cell", "name": "<script>alert(1)</script>", "parent_id": city}});
    let (status, _) = post_event(&s, &body, "vi").await;
    assert_eq!(status, 201);
    let (_, html) = get_text(&s, "/orgs?date=2026-03-01").await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"));
}
