//! Hostile input through the API: markup and SQL in every kind of free text, kept verbatim and
//! shown escaped on every page a crawl reaches; search syntax that must not reach the index raw;
//! uploads that are too large, bombs, or named to escape their folder.

use std::collections::{BTreeSet, HashMap, VecDeque};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[
    ("markup_and_sql_in_free_text_are_kept_verbatim_and_shown_escaped_on_every_page", |s| Box::pin(free_text(s))),
    ("search_syntax_and_metacharacters_are_plain_words", |s| Box::pin(search_syntax(s))),
    ("uploads_too_large_bombs_and_path_tricks_are_refused_or_tamed", |s| Box::pin(uploads(s))),
];

/// Script, an event handler, and SQL, marked with `tag` so each field's text can be found.
fn payload(tag: &str) -> String {
    format!("<script>alert(\"{tag}\")</script><img src=x onerror=alert(1)> ' OR '1'='1'; DROP TABLE member; -- {tag}")
}

async fn get(s: &Server, path: &str) -> (StatusCode, String) {
    let r = s.admin.get(s.url(path)).send().await.expect("get");
    (r.status(), r.text().await.expect("text"))
}

async fn post(s: &Server, path: &str, body: Value) -> Value {
    let r = s.admin.post(s.url(path)).json(&body).send().await.expect("post");
    let status = r.status();
    let text = r.text().await.expect("text");
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn org(s: &Server, name: &str) -> i64 {
    let (_, tree) = get(s, "/api/v1/orgs").await;
    let tree: Value = serde_json::from_str(&tree).expect("json");
    tree["orgs"].as_array().expect("orgs").iter().find(|o| o["name"] == name).and_then(|o| o["id"].as_i64()).unwrap_or_else(|| panic!("{name}"))
}

/// Where a link goes, reduced to its shape (`/dossiers/{n}`), so a crawl sees each kind of page a
/// few times rather than every one of eleven thousand documents.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/').map(|p| if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) { "{n}" } else { p }).collect::<Vec<_>>().join("/")
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.replace("&amp;", "&").split('#').next().unwrap_or_default().to_owned())
        .filter(|href| {
            let file = href.split('?').next().unwrap_or_default();
            ![".docx", ".xlsx", ".csv", ".pdf", ".json", ".css", ".js", ".svg"].iter().any(|x| file.ends_with(x))
                && !href.contains("format=")
                && !href.contains("/files/")
                && !href.contains("/attachments/")
                && !href.contains("lang=")
        })
        .collect()
}

async fn free_text(s: Server) {
    let satra_board = org(&s, "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let satra = org(&s, "Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let today = thidua_core::date::iso(thidua_app::today());
    let clusters: Value = serde_json::from_str(&get(&s, "/api/v1/clusters").await.1).expect("json");
    let cum7 = clusters.as_array().expect("list").iter().find(|c| c["name"] == "Cụm thi đua 7 – Ban Tổ chức Thành ủy").and_then(|c| c["id"].as_i64()).expect("Cụm 7");

    // Free text of every kind, each field with its own tag.
    let mut pages = vec!["/orgs".to_owned(), format!("/clusters/{cum7}?year=2024")];
    let cell = post(&s, "/api/v1/org-events", json!({"date": today, "change": {"type": "create", "kind": "cell", "name": payload("org"), "parent_id": satra}})).await;
    let cell = cell["org_ids"][0].as_i64().or_else(|| cell["id"].as_i64());
    let campaign = post(&s, &format!("/api/v1/clusters/{cum7}/campaigns"), json!({"kind": "regular", "year": 2024, "title": payload("campaign"), "theme": payload("theme")})).await;
    let campaign = campaign["id"].as_i64().expect("campaign");
    pages.push(format!("/campaigns/{campaign}"));
    post(&s, &format!("/api/v1/campaigns/{campaign}/registrations"), json!({"org_id": satra_board, "targets": [payload("target")], "titles": [payload("aim")]})).await;
    post(&s, &format!("/api/v1/campaigns/{campaign}/covenant"), json!({"org_id": satra_board, "status": "signed", "signed_on": "2024-02-26", "signatory": payload("signatory")})).await;
    let meeting = post(
        &s,
        &format!("/api/v1/clusters/{cum7}/meetings"),
        json!({"kind": "quarterly_briefing", "held_on": "2024-10-18", "locality": payload("locality"), "place": payload("place"), "unit_ids": [satra_board],
               "title": payload("meeting"), "agenda": payload("agenda"), "discussion": payload("discussion"), "conclusions": payload("conclusions")}),
    )
    .await;
    let meeting = meeting["id"].as_i64().expect("meeting");
    pages.push(format!("/meetings/{meeting}"));
    post(&s, &format!("/api/v1/meetings/{meeting}/tasks"), json!({"title": payload("task")})).await;
    pages.push(format!("/clusters/{cum7}/tasks?year=2024"));
    let poll = post(
        &s,
        &format!("/api/v1/clusters/{cum7}/polls"),
        json!({"title": payload("poll"), "question": "choose_one", "mode": "electronic", "basis": "cluster", "held_on": today, "options": [{"label": payload("option")}, {"label": "Phương án B"}], "voters": ["uyvien"]}),
    )
    .await;
    pages.push(format!("/polls/{}", poll["id"].as_i64().expect("poll")));
    let docs: Value = serde_json::from_str(&get(&s, "/api/v1/documents?limit=1").await.1).expect("json");
    let register = docs[0]["register_id"].as_i64().expect("register");
    let document = post(
        &s,
        "/api/v1/documents",
        json!({"direction": "incoming", "register_id": register, "doc_type": "CV", "summary": payload("summary"), "signer": payload("signer"), "issuer_name": payload("issuer"), "source_symbol": "15-CV/ĐU", "issued_on": "2024-05-02"}),
    )
    .await;
    let document = document["id"].as_i64().expect("document");
    pages.push(format!("/documents/{document}"));
    let person = post(&s, "/api/v1/people", json!({"full_name": payload("person"), "org_id": satra_board, "position": payload("position")})).await;
    let person = person["id"].as_i64().expect("person");
    pages.push(format!("/people/{person}"));
    let dossier = post(&s, "/api/v1/dossiers", json!({"year": 2025, "title": "giay_khen", "nominee": format!("person:{person}"), "proposer_id": satra_board, "achievements": payload("achievements")})).await;
    pages.push(format!("/dossiers/{}", dossier["id"].as_i64().expect("dossier")));
    if let Some(cell) = cell {
        pages.push(format!("/orgs/{cell}"));
    }

    // Kept exactly as sent: markup and SQL are text.
    let stored: Value = serde_json::from_str(&get(&s, &format!("/api/v1/documents/{document}")).await.1).expect("json");
    assert_eq!(stored["summary"], payload("summary"));
    assert_eq!(stored["issuer_name"], payload("issuer"));
    let (status, _) = get(&s, "/api/v1/members?q=a").await;
    assert_eq!(status, StatusCode::OK, "the member table is still there");

    // Every page a crawl reaches: no server error, no markup from the text, each text shown escaped.
    let tags = [
        "org", "campaign", "theme", "target", "aim", "signatory", "locality", "place", "meeting", "agenda", "discussion", "conclusions", "task", "poll", "option",
        "summary", "signer", "issuer", "person", "position", "achievements",
    ];
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut per_shape: HashMap<String, usize> = HashMap::new();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = pages.into_iter().chain(["/".to_owned()]).collect();
    while let Some(path) = queue.pop_front() {
        if visited.len() >= 400 || !visited.insert(path.clone()) {
            continue;
        }
        let (status, html) = get(&s, &path).await;
        assert!(status.as_u16() < 500, "{path}: {status}");
        assert!(!html.contains("<script>alert(") && !html.contains("<img src=x onerror"), "{path} shows markup from text");
        for tag in tags {
            // Escaped by the templates as numeric references, or by name.
            let shown = [("&#60;", "&#62;", "&#34;"), ("&lt;", "&gt;", "&quot;")].iter().any(|(lt, gt, q)| html.contains(&format!("{lt}script{gt}alert({q}{tag}{q}){lt}/script{gt}")));
            if shown {
                seen.insert(tag);
            }
        }
        for link in links(&html) {
            let count = per_shape.entry(shape(&link)).or_default();
            if *count < 3 && !visited.contains(&link) {
                *count += 1;
                queue.push_back(link);
            }
        }
    }
    assert!(visited.len() > 60, "the crawl reached only {} pages", visited.len());
    let missing: Vec<&str> = tags.iter().filter(|t| !seen.contains(*t)).copied().collect();
    assert!(missing.is_empty(), "never shown (escaped) on any of {} pages: {missing:?}", visited.len());
}

fn with_q(s: &Server, path: &str, q: &str) -> reqwest::Url {
    reqwest::Url::parse_with_params(&s.url(path), &[("q", q)]).expect("url")
}

async fn search_syntax(s: Server) {
    let docs: Value = serde_json::from_str(&get(&s, "/api/v1/documents?limit=1").await.1).expect("json");
    let register = docs[0]["register_id"].as_i64().expect("register");
    let summary = "Về việc \"kiện toàn\" chi bộ (đợt 2) – 100% * NEAR OR AND NOT tổ_chức: ' ; --";
    let document = post(&s, "/api/v1/documents", json!({"direction": "outgoing", "register_id": register, "doc_type": "CV", "summary": summary})).await;
    let id = document["id"].as_i64().expect("document");
    for q in [
        "\"kiện toàn\"", "kien toan*", "(đợt 2)", "NEAR(kiện toàn)", "kiện OR toàn", "NOT chi", "- chi", "tổ_chức:", "' ; --", "100%", "\"", "*", "(", ")", "^", "col:x", "\\", "%_",
        "' OR 1=1 --", "\u{0}", "\u{202e}kien", &"kiện ".repeat(400),
    ] {
        let r = s.admin.get(with_q(&s, "/api/v1/documents", q)).send().await.expect("search");
        let status = r.status();
        assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{q:?}: {status}");
        if status == StatusCode::BAD_REQUEST {
            let body: Value = r.json().await.expect("json");
            assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{q:?}: {body}");
        }
        let page = s.admin.get(with_q(&s, "/documents", q)).send().await.expect("page");
        assert!(page.status().as_u16() < 500, "{q:?}: page {}", page.status());
    }
    // The words of the summary still find it, whatever punctuation came with them.
    for q in ["\"kiện toàn\" chi bộ", "kien toan chi bo (dot 2)", "NEAR OR AND NOT"] {
        let found: Value = s.admin.get(with_q(&s, "/api/v1/documents", q)).send().await.expect("search").json().await.expect("json");
        assert!(found.as_array().expect("list").iter().any(|d| d["id"] == id), "{q:?} does not find it");
    }
}

async fn uploads(s: Server) {
    let (officer, _, csrf) = crate::security::browser_login(&s, "chuyenvien", thidua_app::demo::PASSWORD).await;
    let satra_board = org(&s, "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let person = post(&s, "/api/v1/people", json!({"full_name": "Nguyễn Thị Hoa", "org_id": satra_board})).await["id"].as_i64().expect("person");
    let dossier = post(&s, "/api/v1/dossiers", json!({"year": 2025, "title": "giay_khen", "nominee": format!("person:{person}"), "proposer_id": satra_board, "achievements": "Hoàn thành tốt"})).await;
    let dossier = dossier["id"].as_i64().expect("dossier");
    let send = |path: String, name: &str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        officer.post(s.url(&format!("{path}?csrf_token={csrf}"))).multipart(reqwest::multipart::Form::new().part("file", part)).send()
    };

    // Over the limit: refused with the limit in words, nothing kept.
    // The server answers before the body is all sent and closes the connection; the client may
    // see the close before the answer, so it asks again, each time on a connection of its own
    // that no later request reuses.
    let mut answer = None;
    for _ in 0..5 {
        let part = reqwest::multipart::Part::bytes(vec![b'%'; 21 * 1024 * 1024]).file_name("bao-cao.pdf");
        let sent = officer
            .post(s.url(&format!("/dossiers/{dossier}/files?csrf_token={csrf}")))
            .header("connection", "close")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await;
        if let Ok(r) = sent {
            answer = Some(r);
            break;
        }
    }
    let r = answer.expect("an answer to one of five tries");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = r.text().await.expect("html");
    assert!(page.contains("Tệp lớn hơn 20 MiB."), "{page}");

    // Names that try to leave the folder or carry markup: kept as a plain name, shown escaped.
    for (name, expected) in [("../../../etc/passwd.pdf", "passwd.pdf"), ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"), ("<img src=x onerror=alert(1)>.pdf", "&#60;img src=x onerror=alert(1)&#62;.pdf")] {
        let r = send(format!("/dossiers/{dossier}/files"), name, b"%PDF-1.4 bao cao".to_vec()).await.expect("post");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{name}");
        let html = officer.get(s.url(&format!("/dossiers/{dossier}"))).send().await.expect("get").text().await.expect("html");
        assert!(!html.contains("<img src=x onerror"), "{name}");
        assert!(!html.contains("../") && !html.contains("..\\"), "{name}");
        assert!(html.contains(expected), "{name}: {expected}");
    }
    let view = s.app.dossier_view(&thidua_app::auth::Principal::system(), dossier).await.expect("view");
    // Kept without the folders; the markup is text, shown escaped above, and the download's
    // header carries a plain name.
    let names: Vec<&str> = view.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["passwd.pdf", "system.ini.pdf", "<img src=x onerror=alert(1)>.pdf"], "the refused file is not kept");
    let file = view.files.iter().find(|f| f.name.starts_with('<')).expect("file").id;
    let r = officer.get(s.url(&format!("/dossiers/{dossier}/files/{file}"))).send().await.expect("download");
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment") && !disposition.contains(['<', '>', '\n']) && disposition.matches('"').count() == 2, "{disposition}");

    // A spreadsheet that is a zip bomb: a clear refusal, not a server out of memory.
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", deflated).expect("entry");
        zip.write_all(b"<?xml version=\"1.0\"?><Types/>").expect("write");
        zip.start_file("xl/worksheets/sheet1.xml", deflated).expect("entry");
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..1024 {
            zip.write_all(&zeros).expect("write");
        }
        zip.finish().expect("zip");
    }
    assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes", bomb.len());
    let r = s
        .admin
        .post(s.url("/api/v1/import/members?dry_run=true"))
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(bomb)
        .send()
        .await
        .expect("post");
    let status = r.status();
    let body: Value = r.json().await.expect("json");
    assert!(status.as_u16() < 500, "{status}: {body}");
    assert_eq!(body["written"], false, "{body}");
    assert_eq!(body["problems"][0]["message"], "Tệp Excel này khi giải nén vượt quá 512 MiB nên không được đọc; hãy lưu lại tệp bằng Excel hoặc chia nhỏ.", "{body}");
}
