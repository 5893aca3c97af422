//! A real headless Chromium, driven through chromedriver (WebDriver).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::{ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[
    ("org_tree_shows_vietnamese_names_and_dates", |s| Box::pin(org_tree(s))),
    ("unit_officer_sees_own_unit_and_is_refused_elsewhere", |s| Box::pin(unit_officer(s))),
    ("a_transfer_is_introduced_by_one_unit_and_received_by_the_other", |s| Box::pin(transfer_journey(s))),
    ("a_quarterly_briefing_is_recorded_and_shows_in_the_calendar", |s| Box::pin(briefing(s))),
    ("a_voter_votes_on_a_phone_and_finds_the_receipt_after_the_close", |s| Box::pin(phone_vote(s))),
    ("a_cell_of_thirty_is_entered_in_one_grid_and_concluded_within_the_quota", |s| Box::pin(evaluation_grid(s))),
    ("a_dossier_is_prepared_submitted_and_returned_with_a_reason", |s| Box::pin(dossier_returned(s))),
    ("a_members_spreadsheet_is_checked_fixed_and_imported", |s| Box::pin(members_import(s))),
    ("a_cluster_dashboard_draws_its_charts_with_their_figures", |s| Box::pin(dashboard(s))),
    ("a_document_is_registered_found_without_diacritics_and_filed_into_a_record", |s| Box::pin(document_journey(s))),
    ("a_covenant_year_runs_from_signing_to_the_year_end_vote", |s| Box::pin(covenant_year(s))),
    ("a_dossier_goes_from_draft_to_decision_and_certificate", |s| Box::pin(dossier_decided(s))),
    ("a_cell_is_found_among_hundreds_by_typing_part_of_its_name", |s| Box::pin(picker_narrows(s))),
];

/// Problems a person using a screen reader or a keyboard, or with weak sight, would meet on the
/// page: form controls without a label, links and buttons without a name, text below WCAG AA
/// contrast (4.5:1, 3:1 for large text) against its background, no language, title or single h1.
const ACCESSIBILITY: &str = r#"
const problems = [];
const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
for (const e of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button'].includes(e.type) || !shown(e)) continue;
  const named = (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) || e.closest('label') || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title;
  if (!named) problems.push('no label: ' + e.outerHTML.slice(0, 100));
}
for (const e of document.querySelectorAll('a[href], button, summary')) {
  if (!shown(e)) continue;
  if (!(e.innerText || '').trim() && !e.getAttribute('aria-label') && !e.title) problems.push('no name: ' + e.outerHTML.slice(0, 100));
}
const rgba = c => (c.match(/[\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
const background = e => { for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
for (const e of document.querySelectorAll('body *')) {
  if (!shown(e) || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const s = getComputedStyle(e);
  const [a, b] = [luminance(rgba(s.color)), luminance(background(e))].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.6 && parseInt(s.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ': ' + e.textContent.trim().slice(0, 50));
}
if (!document.documentElement.lang) problems.push('no lang');
if (!document.title.trim()) problems.push('no title');
if (document.querySelectorAll('h1').length !== 1) problems.push(document.querySelectorAll('h1').length + ' h1');
return problems;
"#;

/// Where journeys leave their last page's screenshots, for CI to keep.
fn screenshots() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/journeys");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// Tab goes from control to control of the page, each shown with a visible focus mark, without
/// getting stuck.
async fn keyboard_walks_the_page(c: &Client) {
    // Tab goes on from where the page was last clicked: start from its first control.
    let first = c
        .execute(
            "const e = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')].find(e => e.getClientRects().length > 0);
             e.focus(); return e.outerHTML.slice(0, 100);",
            vec![],
        )
        .await
        .expect("first control");
    let mut seen = vec![first.as_str().unwrap_or_default().to_owned()];
    for _ in 0..25 {
        let tab = KeyActions::new("keyboard".into()).then(KeyAction::Down { value: '\u{E004}' }).then(KeyAction::Up { value: '\u{E004}' });
        c.perform_actions(tab).await.expect("tab");
        let focused = c
            .execute(
                "const e = document.activeElement, s = getComputedStyle(e);
                 return [e.tagName, e.outerHTML.slice(0, 100), e.getClientRects().length > 0, s.outlineStyle !== 'none' || s.boxShadow !== 'none'];",
                vec![],
            )
            .await
            .expect("focused");
        let tag = focused[0].as_str().unwrap_or_default().to_owned();
        let html = focused[1].as_str().unwrap_or_default().to_owned();
        if tag == "BODY" || seen.contains(&html) {
            break; // past the last control, or round again
        }
        assert!(["A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"].contains(&tag.as_str()), "Tab landed on {html}");
        assert_eq!((focused[2].as_bool(), focused[3].as_bool()), (Some(true), Some(true)), "{html} is focused but not shown as focused");
        seen.push(html);
    }
    assert!(seen.len() >= 3, "Tab reaches the page's controls: {seen:?}");
}

/// The end of a journey: its last page is checked for accessibility and keyboard use, saved as a
/// screenshot, then looked at phone-width (nothing wider than the screen) and saved again.
async fn finish(c: Client, journey: &str) {
    let problems = c.execute(ACCESSIBILITY, vec![]).await.expect("accessibility check");
    assert_eq!(problems, json!([]), "{journey}: accessibility");
    keyboard_walks_the_page(&c).await;
    let dir = screenshots();
    std::fs::write(dir.join(format!("{journey}.png")), c.screenshot().await.expect("screenshot")).expect("save");
    c.set_window_size(390, 844).await.expect("phone width");
    let overflow = c.execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![]).await.expect("width");
    if overflow.as_i64().is_none_or(|px| px > 1) {
        let wide = c
            .execute("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.outerHTML.slice(0, 120)).slice(0, 5)", vec![])
            .await
            .expect("wide elements");
        panic!("{journey}: the page is {overflow}px wider than a phone: {wide}");
    }
    std::fs::write(dir.join(format!("{journey}-phone.png")), c.screenshot().await.expect("screenshot")).expect("save");
    c.close().await.expect("close");
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|b| on_path(b))
}

pub fn available() -> bool {
    on_path("chromedriver") && chromium().is_some()
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn start() -> (Driver, Client) {
    let port = TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = std::env::temp_dir().join(format!("thidua_chrome_{}_{port}", std::process::id()));
    let driver = Driver { child, port, profile };
    let binary = Command::new("sh").args(["-c", &format!("command -v {}", chromium().expect("chromium"))]).output().expect("which");
    let binary = String::from_utf8_lossy(&binary.stdout).trim().to_owned();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--lang=vi-VN", format!("--user-data-dir={}", driver.profile.display()),
            ]
        }
    });
    let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().expect("object").clone();
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{}", driver.port)).await {
            Ok(client) => return (driver, client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not accept a session: {last:?}");
}

/// Waits for a navigation to land: the page's heading reads `expected` (up to 10 s).
async fn heading_becomes(c: &Client, expected: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(h) = c.find(Locator::Css("h1")).await
            && let Ok(text) = h.text().await
        {
            if text == expected {
                return;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("heading stayed {last:?}, expected {expected:?}");
}

/// Signs in through the form, as a person would, and lands on `next`.
async fn sign_in(c: &Client, s: &Server, username: &str, next: &str) {
    c.goto(&s.url(next)).await.expect("open");
    heading_becomes(c, "Đăng nhập").await;
    c.find(Locator::Id("username")).await.expect("username").send_keys(username).await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys(thidua_app::demo::PASSWORD).await.expect("type");
    c.find(Locator::Css("form.stacked button")).await.expect("submit").click().await.expect("click");
}

async fn org_tree(s: Server) {
    let (_driver, c) = start().await;
    sign_in(&c, &s, "admin", "/orgs?date=2025-06-30").await;
    heading_becomes(&c, "Cây tổ chức tại ngày 30/06/2025").await;
    let tree = c.find(Locator::Id("org-tree")).await.expect("tree").text().await.expect("text");
    assert!(tree.contains("Ban Tổ chức Quận ủy Quận 1"), "{tree}");
    assert!(tree.contains("Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn"));

    // The milestone link for 01/07/2025 shows the tree after the district level was abolished.
    c.find(Locator::LinkText("01/07/2025")).await.expect("milestone").click().await.expect("click");
    heading_becomes(&c, "Cây tổ chức tại ngày 01/07/2025").await;
    let tree = c.find(Locator::Id("org-tree")).await.expect("tree").text().await.expect("text");
    assert!(!tree.contains("Ban Tổ chức Quận ủy Quận 1"));
    assert!(tree.contains("Đảng ủy phường Sài Gòn"));

    // A date typed the Vietnamese way in the form.
    let field = c.find(Locator::Id("date")).await.expect("date field");
    field.clear().await.expect("clear");
    field.send_keys("10/03/2023").await.expect("type");
    c.find(Locator::Css("form.inline button")).await.expect("button").click().await.expect("submit");
    heading_becomes(&c, "Cây tổ chức tại ngày 10/03/2023").await;

    // Following an organization shows where its records went.
    c.goto(&s.url("/orgs?date=2025-06-30")).await.expect("back");
    heading_becomes(&c, "Cây tổ chức tại ngày 30/06/2025").await;
    c.find(Locator::LinkText("Ban Tổ chức Quận ủy Quận 1")).await.expect("link").click().await.expect("click");
    heading_becomes(&c, "Ban Tổ chức Quận ủy Quận 1").await;
    let lineage = c.find(Locator::Id("lineage")).await.expect("lineage").text().await.expect("text");
    assert!(lineage.contains("Ban Xây dựng Đảng Đảng ủy phường Bến Thành"), "{lineage}");

    // The accessibility check sees what it looks for: a field without a label, pale text.
    c.execute("const p = document.createElement('p'); p.id = 'probe'; p.innerHTML = '<input name=x> <span>nhạt</span>'; p.querySelector('span').style.color = '#ccc'; document.querySelector('main').append(p);", vec![])
        .await
        .expect("inject");
    let found = c.execute(ACCESSIBILITY, vec![]).await.expect("check");
    let found: Vec<&str> = found.as_array().expect("list").iter().filter_map(|p| p.as_str()).collect();
    assert!(found.len() == 2 && found[0].starts_with("no label: <input name=\"x\">") && found[1] == "contrast 1.55: nhạt", "{found:?}");
    c.execute("document.getElementById('probe').remove();", vec![]).await.expect("remove");
    finish(c, "org_tree").await;
}

async fn unit_officer(s: Server) {
    let (_driver, c) = start().await;
    // A wrong password first: the form says so in Vietnamese and keeps the username.
    c.goto(&s.url("/orgs")).await.expect("open");
    heading_becomes(&c, "Đăng nhập").await;
    c.find(Locator::Id("username")).await.expect("username").send_keys("chuyenvien").await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys("sai-mat-khau").await.expect("type");
    c.find(Locator::Css("form.stacked button")).await.expect("submit").click().await.expect("click");
    let error = c.wait().for_element(Locator::Id("login-error")).await.expect("error").text().await.expect("text");
    assert_eq!(error, "Tên đăng nhập hoặc mật khẩu không đúng.");

    sign_in(&c, &s, "chuyenvien", "/orgs").await;
    heading_becomes(&c, &format!("Cây tổ chức tại ngày {}", thidua_core::date::format_date(thidua_app::today()))).await;
    let who = c.find(Locator::Id("signed-in")).await.expect("who").text().await.expect("text");
    assert_eq!(who, "Đang đăng nhập: Võ Thị Lan");
    let tree = c.find(Locator::Id("org-tree")).await.expect("tree").text().await.expect("text");
    assert!(tree.contains("Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn"), "{tree}");
    assert!(!tree.contains("Thành ủy Thành phố Hồ Chí Minh"), "the officer sees only the SATRA subtree: {tree}");
    assert!(!tree.contains("Đảng ủy Tổng Công ty Địa ốc Sài Gòn"));
    // The audit log is not offered.
    assert!(c.find(Locator::LinkText("Nhật ký")).await.is_err());

    // Own cluster is open; another cluster's page is refused.
    c.find(Locator::LinkText("Cụm thi đua")).await.expect("nav").click().await.expect("click");
    heading_becomes(&c, "Cụm, khối thi đua").await;
    let list = c.find(Locator::Css("main table")).await.expect("table").text().await.expect("text");
    assert!(list.contains("Cụm thi đua 7 – Ban Tổ chức Thành ủy") && !list.contains("Cụm thi đua 1"), "{list}");
    let clusters: serde_json::Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum1 = clusters.as_array().expect("list").iter().find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Cụm thi đua 1"))).expect("Cụm 1");
    c.goto(&s.url(&format!("/clusters/{}", cum1["id"]))).await.expect("open");
    heading_becomes(&c, "Không thực hiện được").await;
    let message = c.find(Locator::Css("p.error")).await.expect("message").text().await.expect("text");
    assert_eq!(message, "Bạn không có quyền xem hoặc thay đổi nội dung này.");

    // Signing out ends the session: the tree asks to sign in again.
    sign_out(&c).await;
    c.goto(&s.url("/orgs")).await.expect("open");
    heading_becomes(&c, "Đăng nhập").await;
    finish(c, "unit_officer_refused").await;
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css}")).text().await.expect("text")
}

/// Waits until the element's text contains `expected` (navigation after a click takes a moment).
async fn text_becomes(c: &Client, css: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(expected) {
                return;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} stayed {last:?}, expected {expected:?}");
}

async fn transfer_journey(s: Server) {
    let (_driver, c) = start().await;
    // The SATRA officer introduces a member's transfer to a RESCO cell.
    sign_in(&c, &s, "chuyenvien", "/members").await;
    heading_becomes(&c, "Đảng viên").await;
    c.find(Locator::LinkText("Hoàng Văn Đức")).await.expect("member").click().await.expect("click");
    heading_becomes(&c, "Hoàng Văn Đức").await;
    c.find(Locator::LinkText("Giới thiệu chuyển sinh hoạt")).await.expect("button").click().await.expect("click");
    heading_becomes(&c, "Giới thiệu chuyển sinh hoạt đảng").await;
    c.find(Locator::Id("to_org")).await.expect("select").select_by_label("Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn").await.expect("choose");
    c.find(Locator::Id("letter_number")).await.expect("field").send_keys("61-GGT/ĐU").await.expect("type");
    c.find(Locator::Css("form.stacked button")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#transfer-state", "Đã giới thiệu").await;
    let title = text_of(&c, "h1").await;
    assert!(title.starts_with("Hồ sơ chuyển sinh hoạt số "), "{title}");
    sign_out(&c).await;

    // The RESCO officer finds it among incoming transfers and takes it through to completion.
    sign_in(&c, &s, "chuyenvien.resco", "/transfers").await;
    heading_becomes(&c, "Chuyển sinh hoạt đảng").await;
    let open = text_of(&c, "#open-transfers").await;
    assert!(open.contains("Hoàng Văn Đức"), "{open}");
    let number = title.trim_start_matches("Hồ sơ chuyển sinh hoạt số ").to_owned();
    c.find(Locator::LinkText(&number)).await.expect("transfer link").click().await.expect("click");
    heading_becomes(&c, &title).await;
    for (button, state) in [("#do-report", "Đã trình giấy giới thiệu"), ("#do-receive", "Đã tiếp nhận"), ("#do-complete", "Hoàn tất")] {
        c.find(Locator::Css(button)).await.unwrap_or_else(|_| panic!("{button}")).click().await.expect("click");
        text_becomes(&c, "#transfer-state", state).await;
    }
    // The member is now on RESCO's list, with the record that came with him.
    c.goto(&s.url("/members?q=duc")).await.expect("open");
    heading_becomes(&c, "Đảng viên").await;
    let list = text_of(&c, "#members").await;
    assert!(list.contains("Hoàng Văn Đức") && list.contains("Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn"), "{list}");
    c.find(Locator::LinkText("Hoàng Văn Đức")).await.expect("member").click().await.expect("click");
    heading_becomes(&c, "Hoàng Văn Đức").await;
    let age = text_of(&c, "#party-age").await;
    assert!(age.contains("Không tính 90 ngày (Xóa tên)"), "the interruption travelled with the record: {age}");
    finish(c, "transfer_received").await;
}

/// An organization picker with more choices than it lists: a search box narrows it, the form keeps
/// what was typed, nothing is saved by a search, and the choice made from the matches is saved.
async fn picker_narrows(s: Server) {
    use thidua_core::org::{NewOrg, OrgChange, OrgKind, OrgSpec};
    let system = thidua_app::auth::Principal::system();
    let on = thidua_app::today();
    let orgs = s.app.orgs_on(&system, on).await.expect("orgs");
    let parent = orgs.iter().find(|v| v.name == "Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn").and_then(|v| v.parent).expect("RESCO");
    let extra = 250;
    assert!(orgs.len() + extra > thidua_web::pages::picker::LIST_ALL, "more organizations than a picker lists");
    for i in 1..=extra {
        let spec = OrgSpec { kind: OrgKind::Cell, name: format!("Chi bộ Khu phố {i}"), short_name: None, parent: Some(parent) };
        s.app.record_org_event(&system, jiff::civil::date(2020, 1, 1), OrgChange::Create(NewOrg { org: (), spec }), None).await.expect("cell");
    }
    let named_mai = async || s.app.members(&system, Some("Nguyễn Thị Mai"), 10, 0).await.expect("members").len();
    assert_eq!(named_mai().await, 0);

    let (_driver, c) = start().await;
    sign_in(&c, &s, "admin", "/members/new").await;
    heading_becomes(&c, "Thêm đảng viên").await;
    let hint = text_of(&c, "#org-hint").await;
    assert!(hint.starts_with("Có ") && hint.ends_with("đơn vị: gõ một phần tên rồi bấm Tìm."), "{hint}");
    c.find(Locator::Id("full_name")).await.expect("name").send_keys("Nguyễn Thị Mai").await.expect("type");
    c.find(Locator::Id("org_q")).await.expect("search").send_keys("khu pho 17").await.expect("type");
    c.find(Locator::Id("org-find")).await.expect("find").click().await.expect("click");
    // Typed without diacritics: Khu phố 17 and 170–179.
    text_becomes(&c, "#org-hint", "11 đơn vị có tên chứa “khu pho 17”.").await;
    let typed = c.find(Locator::Id("full_name")).await.expect("name").prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some("Nguyễn Thị Mai"), "the form keeps what was typed");
    let options = c.find_all(Locator::Css("#org option")).await.expect("options").len();
    assert_eq!(options, 12, "an empty choice and the eleven matches");
    assert_eq!(named_mai().await, 0, "a search saves nothing");
    c.find(Locator::Id("org")).await.expect("org").select_by_label("Chi bộ Khu phố 173").await.expect("choose");
    c.find(Locator::Id("birth_date")).await.expect("birth").send_keys("12/05/1990").await.expect("type");
    c.find(Locator::Id("gender")).await.expect("gender").select_by_label("Nữ").await.expect("choose");
    c.find(Locator::Id("admitted_on")).await.expect("admitted").send_keys("03/02/2015").await.expect("type");
    // Pressing Enter saves: the choice is among what the search box names.
    c.find(Locator::Id("admitted_on")).await.expect("admitted").send_keys("\u{E007}").await.expect("enter");
    heading_becomes(&c, "Nguyễn Thị Mai").await;
    assert!(text_of(&c, "main").await.contains("Chi bộ Khu phố 173"));
    assert_eq!(named_mai().await, 1);

    // A filter narrows the same way, by its address.
    c.goto(&s.url("/awards?org_q=khu%20ph%E1%BB%91%20250")).await.expect("open");
    text_becomes(&c, "#org-hint", "1 đơn vị có tên chứa “khu phố 250”.").await;
    let options: Vec<String> = {
        let mut out = Vec::new();
        for o in c.find_all(Locator::Css("#org option")).await.expect("options") {
            out.push(o.text().await.expect("text"));
        }
        out
    };
    assert_eq!(options, ["", "Chi bộ Khu phố 250"]);
    finish(c, "picker_narrowed").await;
}

async fn briefing(s: Server) {
    let clusters: serde_json::Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum7 = clusters.as_array().expect("list").iter().find(|c| c["name"] == "Cụm thi đua 7 – Ban Tổ chức Thành ủy").and_then(|c| c["id"].as_i64()).expect("Cụm 7");
    let detail: serde_json::Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}?year=2024"))).send().await.expect("get").json().await.expect("json");
    let unit = |suffix: &str| {
        detail["members"].as_array().expect("members").iter().find(|m| m["org"]["name"].as_str().is_some_and(|n| n.ends_with(suffix))).and_then(|m| m["org"]["id"].as_i64()).expect(suffix)
    };
    let (satra, samco) = (unit("Thương mại Sài Gòn"), unit("Cơ khí Giao thông vận tải Sài Gòn"));

    let (_driver, c) = start().await;
    sign_in(&c, &s, "cumtruong", &format!("/clusters/{cum7}?year=2024")).await;
    heading_becomes(&c, "Cụm thi đua 7 – Ban Tổ chức Thành ủy").await;
    c.find(Locator::LinkText("Ghi hội nghị")).await.expect("link").click().await.expect("click");
    heading_becomes(&c, "Ghi hội nghị").await;
    c.find(Locator::Id("kind")).await.expect("kind").select_by_label("Giao ban quý").await.expect("choose");
    let held_on = c.find(Locator::Id("held_on")).await.expect("date");
    held_on.clear().await.expect("clear");
    held_on.send_keys("18/10/2024").await.expect("type");
    c.find(Locator::Css(&format!("input[name='units'][value='{satra}']"))).await.expect("SATRA").click().await.expect("tick");
    c.find(Locator::Css(&format!("input[name='units'][value='{samco}']"))).await.expect("Samco").click().await.expect("tick");
    c.find(Locator::Id("topic_0")).await.expect("topic").send_keys("Sắp xếp tổ chức cơ sở đảng trong doanh nghiệp").await.expect("type");
    c.find(Locator::Id("topic_0_org")).await.expect("presenter").select_by_label("Ban Tổ chức Đảng ủy Tổng Công ty Cơ khí Giao thông vận tải Sài Gòn").await.expect("choose");
    // Without a place the form comes back with the problem next to the field and the rest kept.
    c.find(Locator::Css("#meeting-form button[type=submit]")).await.expect("submit").click().await.expect("click");
    let problem = c.wait().for_element(Locator::Id("place-error")).await.expect("problem").text().await.expect("text");
    assert_eq!(problem, "Cần nhập mục này.");
    assert_eq!(c.find(Locator::Id("held_on")).await.expect("date").prop("value").await.expect("value").as_deref(), Some("18/10/2024"));
    assert!(c.find(Locator::Css(&format!("input[name='units'][value='{satra}']"))).await.expect("SATRA").is_selected().await.expect("ticked"));
    c.find(Locator::Id("place")).await.expect("place").send_keys("Hội trường Tổng Công ty Thương mại Sài Gòn").await.expect("type");
    c.find(Locator::Css("#meeting-form button[type=submit]")).await.expect("submit").click().await.expect("click");
    heading_becomes(&c, "Hội nghị giao ban quý IV năm 2024").await;
    let attending = text_of(&c, "#attending").await;
    assert!(attending.contains("Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn") && attending.contains("Cơ khí Giao thông vận tải Sài Gòn"), "{attending}");
    assert_eq!(attending.lines().count(), 2, "{attending}");
    let topics = text_of(&c, "#topic-list").await;
    assert!(topics.contains("“Sắp xếp tổ chức cơ sở đảng trong doanh nghiệp” — Ban Tổ chức Đảng ủy Tổng Công ty Cơ khí"), "{topics}");

    // Back on the cluster page, October of the calendar lists it.
    c.find(Locator::LinkText("Cụm thi đua 7 – Ban Tổ chức Thành ủy")).await.expect("crumb").click().await.expect("click");
    heading_becomes(&c, "Cụm thi đua 7 – Ban Tổ chức Thành ủy").await;
    let october = c.find(Locator::XPath("//div[@id='calendar']/section[h3='Tháng 10']")).await.expect("October").text().await.expect("text");
    assert!(october.contains("18/10") && october.contains("Giao ban quý") && october.contains("Hội nghị giao ban quý IV năm 2024"), "{october}");
    let september = c.find(Locator::XPath("//div[@id='calendar']/section[h3='Tháng 9']")).await.expect("September").text().await.expect("text");
    assert_eq!(september, "Tháng 9", "nothing else was added");
    finish(c, "briefing_in_calendar").await;
}

async fn phone_vote(s: Server) {
    let clusters: serde_json::Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum7 = clusters.as_array().expect("list").iter().find(|c| c["name"] == "Cụm thi đua 7 – Ban Tổ chức Thành ủy").and_then(|c| c["id"].as_i64()).expect("Cụm 7");
    let today = thidua_core::date::iso(thidua_app::today());
    let poll: serde_json::Value = s
        .admin
        .post(s.url(&format!("/api/v1/clusters/{cum7}/polls")))
        .json(&json!({"title": "Suy tôn đơn vị dẫn đầu năm 2024", "question": "choose_one", "mode": "electronic", "basis": "cluster", "held_on": today,
                      "options": [{"label": "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn"}, {"label": "Ban Tổ chức Đảng ủy Tổng Công ty Địa ốc Sài Gòn"}],
                      "voters": ["uyvien", "thuky", "lanhdao"]}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = poll["id"].as_i64().expect("poll id");
    assert_eq!(s.admin.post(s.url(&format!("/api/v1/polls/{id}/open"))).send().await.expect("open").status(), reqwest::StatusCode::NO_CONTENT);

    let (_driver, c) = start().await;
    c.set_window_size(390, 844).await.expect("phone-sized window");
    sign_in(&c, &s, "uyvien", &format!("/polls/{id}")).await;
    heading_becomes(&c, "Suy tôn đơn vị dẫn đầu năm 2024").await;
    text_becomes(&c, "#turnout", "0/3").await;
    // The choices are large enough to tap: each label spans most of the screen's width.
    let label = c.find(Locator::XPath("//form[@id='vote-form']//label[contains(., 'Địa ốc Sài Gòn')]")).await.expect("choice");
    let (_, _, width, _) = label.rectangle().await.expect("size");
    assert!(width > 300.0, "label is {width}px wide on a 390px screen");
    label.click().await.expect("tap");
    c.find(Locator::Id("cast")).await.expect("cast").click().await.expect("tap");
    let hash = c.wait().for_element(Locator::Id("receipt-hash")).await.expect("receipt").text().await.expect("text");
    assert_eq!(hash.len(), 64);
    let token = text_of(&c, "#receipt-token").await;
    assert_eq!(thidua_app::ballots::receipt_hash(&token), hash);
    // No result while open; the voter cannot vote twice.
    assert!(c.find(Locator::Id("results")).await.is_err());
    assert!(c.find(Locator::Id("vote-form")).await.is_err());

    let other = s.as_user("thuky").await;
    let r = other.post(s.url(&format!("/api/v1/polls/{id}/vote"))).json(&json!({"chosen": [0]})).send().await.expect("vote");
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    assert_eq!(s.admin.post(s.url(&format!("/api/v1/polls/{id}/close"))).send().await.expect("close").status(), reqwest::StatusCode::NO_CONTENT);

    c.goto(&s.url(&format!("/polls/{id}"))).await.expect("reload");
    heading_becomes(&c, "Suy tôn đơn vị dẫn đầu năm 2024").await;
    let published = text_of(&c, "#published").await;
    assert!(published.contains(&hash), "the receipt's hash is in the published list: {published}");
    assert!(!published.contains("Địa ốc"), "the list shows hashes, not how anyone voted");
    // The receipt, and only the receipt, shows the voter their ballot as counted.
    c.find(Locator::Css("input[name='token']")).await.expect("receipt field").send_keys(&token).await.expect("type");
    c.find(Locator::XPath("//form[@action and contains(@action, '/receipt')]//button")).await.expect("check").click().await.expect("tap");
    text_becomes(&c, "#receipt-check", "Địa ốc Sài Gòn").await;
    finish(c, "phone_vote_receipt").await;
}

/// The SATRA officer opens 2025's round of a cell of thirty (and the demo's few), enters the whole
/// cell in one grid, is stopped over the quota with the counts named, looks at the what-if, lowers
/// three and concludes.
async fn evaluation_grid(s: Server) {
    let system = thidua_app::auth::Principal::system();
    let tree: serde_json::Value = s.admin.get(s.url("/api/v1/orgs?date=2025-06-30")).send().await.expect("get").json().await.expect("json");
    let cell_name = "Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn";
    let cell = tree["orgs"].as_array().expect("orgs").iter().find(|o| o["name"] == cell_name).and_then(|o| o["id"].as_i64()).expect("cell");
    let mut names = Vec::new();
    for i in 0..30 {
        let name = format!("{} {} {}", ["Nguyễn", "Trần", "Lê", "Phạm", "Võ"][i % 5], ["Văn", "Thị", "Minh"][i % 3], ["An", "Bích", "Cường", "Diệp", "Giao", "Hạnh"][i / 5]);
        crate::evaluation::member(&s.app, &name, thidua_core::org::OrgId(cell), jiff::civil::date(2012, 3, 1)).await;
        names.push(name);
    }

    let (_driver, c) = start().await;
    sign_in(&c, &s, "chuyenvien", "/evaluations").await;
    heading_becomes(&c, "Đánh giá, xếp loại chất lượng").await;
    c.find(Locator::Id("org")).await.expect("org").select_by_value(&cell.to_string()).await.expect("choose");
    let year = c.find(Locator::Id("year")).await.expect("year");
    year.clear().await.expect("clear");
    year.send_keys("2025").await.expect("type");
    c.find(Locator::Id("open-round")).await.expect("open").click().await.expect("click");
    let title = format!("Đánh giá, xếp loại năm 2025 — {cell_name}");
    heading_becomes(&c, &title).await;
    c.find(Locator::Css("#cells a")).await.expect("cell link").click().await.expect("click");
    heading_becomes(&c, &format!("Đảng viên {cell_name}")).await;

    // Seven score 95 with 30% of tasks beyond what was asked, twenty-three score 80.
    let round = s.app.eval_rounds(&system).await.expect("rounds").into_iter().find(|(r, _)| r.org.0 == cell && r.year == 2025).expect("round").0.id;
    let view = s.app.eval_round_view(&system, round).await.expect("view");
    for (i, name) in names.iter().enumerate() {
        let id = view.subjects.iter().find(|x| &x.name == name && x.row.kind == thidua_core::evaluation::SubjectKind::Member).expect("subject").row.id;
        let (scores, exceeding) = if i < 7 { (["8", "8", "7", "7", "45", "20"], "3") } else { (["6", "6", "6", "6", "40", "16"], "1") };
        for (code, v) in scores.iter().enumerate() {
            c.find(Locator::Css(&format!("input[name='s{id}_c{}']", code + 1))).await.expect("criterion").send_keys(v).await.expect("type");
        }
        for (part, v) in [("total", "10"), ("on_time", "10"), ("exceeding", exceeding)] {
            c.find(Locator::Css(&format!("input[name='s{id}_{part}']"))).await.expect("tasks").send_keys(v).await.expect("type");
        }
    }
    c.find(Locator::Id("save-grid")).await.expect("save").click().await.expect("click");
    text_becomes(&c, "#grid", "HTXSNV · 95 điểm").await;
    let grid = text_of(&c, "#grid").await;
    assert_eq!(grid.matches("HTXSNV · 95 điểm").count(), 7, "{grid}");
    assert_eq!(grid.matches("HTTNV · 80 điểm").count(), 23);

    // Concluding as proposed: 7 HTXSNV beside 23 HTTNV is over the quota (at most 4).
    c.find(Locator::LinkText(&title)).await.expect("crumb").click().await.expect("click");
    heading_becomes(&c, &title).await;
    c.find(Locator::Id("conclude")).await.expect("conclude").click().await.expect("click");
    text_becomes(&c, "#form-error", "Vượt tỷ lệ: 7 đảng viên").await;
    let error = text_of(&c, "#form-error").await;
    assert!(error.contains("23 đảng viên") && error.contains("tối đa 4"), "{error}");
    assert!(text_of(&c, "#preview").await.contains("7 HTXSNV so với 23 HTTNV: vượt giới hạn"));
    // Three lowered to HTTNV, the what-if first, then the conclusion.
    let excellent: Vec<i64> = view.subjects.iter().filter(|x| names[..3].contains(&x.name) && x.row.kind == thidua_core::evaluation::SubjectKind::Member).map(|x| x.row.id).collect();
    assert_eq!(excellent.len(), 3);
    for id in &excellent {
        c.find(Locator::Css(&format!("select[name='level_{id}']"))).await.expect("level").select_by_value("httnv").await.expect("choose");
    }
    c.find(Locator::Id("preview-conclusion")).await.expect("preview").click().await.expect("click");
    text_becomes(&c, "#preview-quota", "4 HTXSNV so với 26 HTTNV: trong giới hạn").await;
    c.find(Locator::Id("conclude")).await.expect("conclude").click().await.expect("click");
    text_becomes(&c, "#round-state", "Đã kết luận ngày").await;
    assert!(text_of(&c, "#round-state").await.contains("(chuyenvien)"));
    let distribution = text_of(&c, "#distribution").await;
    let members = view.subjects.iter().filter(|x| x.row.kind == thidua_core::evaluation::SubjectKind::Member).count() as i64;
    let share = |n: i64| thidua_core::vi::format_percent(n, members, thidua_core::vi::Lang::Vi).expect("share");
    // The demo's own members of the cell were not assessed: the lowest level, counted apart.
    let expected = format!("Đảng viên 4 ({}) 26 ({}) 0 ({}) {} ({}) {members}", share(4), share(26), share(0), members - 30, share(members - 30));
    assert!(distribution.contains(&expected), "{distribution} / {expected}");
    finish(c, "evaluation_quota").await;
}

/// The SATRA officer starts a dossier proposing a cell for a Giấy khen for 2025.
async fn giay_khen_form(c: &Client, s: &Server, cell: &str) {
    sign_in(c, s, "chuyenvien", "/dossiers").await;
    heading_becomes(c, "Hồ sơ đề nghị khen thưởng").await;
    c.find(Locator::Id("proposer")).await.expect("proposer").select_by_label(cell).await.expect("choose");
    c.find(Locator::Id("start-dossier")).await.expect("start").click().await.expect("click");
    heading_becomes(c, "Lập hồ sơ đề nghị").await;
    c.find(Locator::Id("title")).await.expect("title").select_by_label("Giấy khen").await.expect("choose");
    let year = c.find(Locator::Id("year")).await.expect("year");
    year.clear().await.expect("clear");
    year.send_keys("2025").await.expect("type");
}

/// The SATRA officer prepares a dossier for a cell and submits it; the council secretary returns
/// it with a reason; the officer finds the reason on the dossier.
async fn dossier_returned(s: Server) {
    let cell = "Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn";
    let (_driver, c) = start().await;
    giay_khen_form(&c, &s, cell).await;
    // No nominee chosen: the form says so next to the field and keeps what was typed.
    c.find(Locator::Id("achievements")).await.expect("achievements").send_keys("Hoàn thành xuất sắc nhiệm vụ năm 2025").await.expect("type");
    c.find(Locator::Id("create-dossier")).await.expect("create").click().await.expect("click");
    text_becomes(&c, "#nominee-error", "Cần nhập mục này").await;
    assert_eq!(c.find(Locator::Id("achievements")).await.expect("kept").prop("value").await.expect("value").as_deref(), Some("Hoàn thành xuất sắc nhiệm vụ năm 2025"));
    c.find(Locator::Id("nominee")).await.expect("nominee").select_by_label(cell).await.expect("choose");
    c.find(Locator::Id("create-dossier")).await.expect("create").click().await.expect("click");
    heading_becomes(&c, "Giấy khen 2025").await;
    text_becomes(&c, "#dossier-state", "Đang soạn").await;
    let url = c.current_url().await.expect("url").path().to_owned();
    c.find(Locator::Id("action-submit")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#dossier-state", "Đã trình").await;
    sign_out(&c).await;

    sign_in(&c, &s, "thuky", &url).await;
    heading_becomes(&c, "Giấy khen 2025").await;
    c.find(Locator::Id("reason")).await.expect("reason").send_keys("Thiếu biên bản họp xét của chi bộ").await.expect("type");
    c.find(Locator::Id("action-return")).await.expect("return").click().await.expect("click");
    text_becomes(&c, "#dossier-state", "Bị trả lại").await;
    sign_out(&c).await;

    sign_in(&c, &s, "chuyenvien", &url).await;
    heading_becomes(&c, "Giấy khen 2025").await;
    text_becomes(&c, "#return-reason", "Thiếu biên bản họp xét của chi bộ").await;
    let history = text_of(&c, "#history").await;
    assert!(history.contains("Bị trả lại (thuky)"), "{history}");
    // Returned, it can be submitted again.
    assert!(c.find(Locator::Id("action-submit")).await.is_ok());
    finish(c, "dossier_returned").await;
}

/// A members spreadsheet for the browser to upload, written to a temporary file.
fn members_sheet(name: &str, gender: &str) -> std::path::PathBuf {
    use thidua_office::{Cell, Sheet};
    let headers = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Ngày vào Đảng", "Tổ chức đảng"];
    let row = vec![
        Cell::Text("Hồ Thị Nhập".into()),
        Cell::Date(1988, 6, 1),
        Cell::Text(gender.into()),
        Cell::Text("079188123456".into()),
        Cell::Date(2015, 9, 2),
        Cell::Text("Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn".into()),
    ];
    let sheet = Sheet { name: "Dữ liệu".into(), title: None, headers: headers.iter().map(|h| (*h).into()).collect(), widths: vec![], rows: vec![row] };
    let path = std::env::temp_dir().join(format!("thidua-import-{}-{name}.xlsx", std::process::id()));
    std::fs::write(&path, thidua_office::xlsx(&[sheet]).expect("xlsx")).expect("write");
    path
}

async fn members_import(s: Server) {
    let (_driver, c) = start().await;
    sign_in(&c, &s, "chuyenvien", "/import").await;
    heading_becomes(&c, "Nhập dữ liệu từ Excel, CSV").await;
    // A dry run of a file with a wrong gender: the problem by row and column, nothing written.
    let wrong = members_sheet("sai", "Khác");
    c.find(Locator::Id("file")).await.expect("file").send_keys(&wrong.display().to_string()).await.expect("choose");
    c.find(Locator::Id("import-submit")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#import-heading", "Tệp có 1 lỗi; chưa có dữ liệu nào được ghi.").await;
    let problems = text_of(&c, "#import-problems tbody").await;
    assert!(problems.contains("Giới tính") && problems.contains("“Khác”") && problems.contains("Dữ liệu"), "{problems}");
    // Fixed, the dry run passes; then imported for real.
    let fixed = members_sheet("dung", "Nữ");
    c.find(Locator::Id("file")).await.expect("file").send_keys(&fixed.display().to_string()).await.expect("choose");
    c.find(Locator::Id("import-submit")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#import-heading", "Chạy thử: tệp hợp lệ, chưa ghi dữ liệu. Bỏ chọn “Chạy thử” để nhập.").await;
    c.find(Locator::Id("file")).await.expect("file").send_keys(&fixed.display().to_string()).await.expect("choose");
    c.find(Locator::Id("dry_run")).await.expect("dry run").click().await.expect("untick");
    c.find(Locator::Id("import-submit")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#import-heading", "Đã nhập xong.").await;
    text_becomes(&c, "#import-counts", "1 dòng dữ liệu: 1 thêm mới, 0 cập nhật, 0 không đổi.").await;
    c.goto(&s.url("/members?q=Hồ Thị Nhập")).await.expect("open");
    heading_becomes(&c, "Đảng viên").await;
    let list = text_of(&c, "main").await;
    assert!(list.contains("Hồ Thị Nhập"), "{list}");
    for f in [wrong, fixed] {
        let _ = std::fs::remove_file(f);
    }
    finish(c, "members_import_dry_run").await;
}

async fn dashboard(s: Server) {
    let (_driver, c) = start().await;
    sign_in(&c, &s, "admin", "/dashboards").await;
    heading_becomes(&c, "Bảng điều khiển").await;
    // Cụm 6's 2023: the closed round ranks its five units; tasks and meetings by quarter.
    let link = c.find(Locator::LinkText("Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng")).await.expect("cluster link");
    let href = link.attr("href").await.expect("href").expect("href");
    let path = href.split('?').next().expect("path").to_owned();
    c.goto(&s.url(&format!("{path}?year=2023"))).await.expect("open");
    heading_becomes(&c, "Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng – năm 2023").await;
    let charts = c.find_all(Locator::Css("figure.chart svg[role='img']")).await.expect("charts");
    assert_eq!(charts.len(), 3);
    let bars = c.find_all(Locator::Css("#ranking rect")).await.expect("bars");
    assert_eq!(bars.len(), 5, "one bar per unit");
    // Drawn for real: the browser lays the bars out with a width.
    let size = c.execute("return document.querySelector('#ranking rect').getBBox().width", vec![]).await.expect("bbox");
    assert!(size.as_f64().is_some_and(|w| w > 10.0), "{size:?}");
    let caption = text_of(&c, "figure.chart figcaption").await;
    assert_eq!(caption, "Điểm và xếp hạng thi đua năm 2023");
    // The figures are there as a table for screen readers and print.
    c.find(Locator::Css("figure.chart details summary")).await.expect("summary").click().await.expect("open");
    let table = text_of(&c, "figure.chart details table").await;
    assert!(table.contains("Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương"), "{table}");
    finish(c, "cluster_dashboard").await;
}

/// The SATRA officer registers an outgoing letter, finds it again typing without diacritics,
/// opens a work record and files the letter into it; the record lists it.
async fn document_journey(s: Server) {
    let summary = "Về việc rà soát, bổ sung quy hoạch cán bộ nhiệm kỳ 2025–2030";
    let register = "Đảng ủy Tổng Công ty Thương mại Sài Gòn";
    let (_driver, c) = start().await;
    sign_in(&c, &s, "chuyenvien", "/documents/new").await;
    heading_becomes(&c, "Đăng ký văn bản đi").await;
    c.find(Locator::Id("register")).await.expect("register").select_by_label(register).await.expect("choose");
    c.find(Locator::Id("doc_type")).await.expect("type").select_by_value("CV").await.expect("choose");
    c.find(Locator::Id("summary")).await.expect("summary").send_keys(summary).await.expect("type");
    c.find(Locator::Css("form.stacked button[type=submit]")).await.expect("save").click().await.expect("click");
    text_becomes(&c, "h1", "-CV/ĐU").await;
    let title = text_of(&c, "h1").await;

    // Typed without diacritics, in the search box of the register page.
    c.goto(&s.url("/documents")).await.expect("open");
    heading_becomes(&c, "Văn bản đến, văn bản đi").await;
    c.find(Locator::Id("q")).await.expect("search").send_keys("ra soat quy hoach can bo").await.expect("type");
    c.find(Locator::Css("form[role=search] button[type=submit]")).await.expect("search").click().await.expect("click");
    text_becomes(&c, "#documents", summary).await;
    let symbol = title.trim_start_matches("Văn bản ").to_owned();
    c.find(Locator::LinkText(&symbol)).await.expect("result").click().await.expect("click");
    heading_becomes(&c, &title).await;
    let document = c.current_url().await.expect("url").path().to_owned();

    // A work record for the year's planning papers, then the letter filed into it.
    c.goto(&s.url("/records")).await.expect("open");
    heading_becomes(&c, "Hồ sơ công việc").await;
    c.find(Locator::Id("register")).await.expect("register").select_by_label(register).await.expect("choose");
    c.find(Locator::Id("code")).await.expect("code").send_keys("HS-07/2026").await.expect("type");
    c.find(Locator::Id("title")).await.expect("title").send_keys("Hồ sơ quy hoạch cán bộ nhiệm kỳ 2025–2030").await.expect("type");
    c.find(Locator::Id("retention_years")).await.expect("retention").send_keys("20").await.expect("type");
    c.find(Locator::Css("form[action='/records'] button[type=submit]")).await.expect("open record").click().await.expect("click");
    heading_becomes(&c, "HS-07/2026 – Hồ sơ quy hoạch cán bộ nhiệm kỳ 2025–2030").await;
    let record = c.current_url().await.expect("url").path().to_owned();
    c.goto(&s.url(&document)).await.expect("open");
    heading_becomes(&c, &title).await;
    c.find(Locator::Css("select[name=record]")).await.expect("records").select_by_label("HS-07/2026 – Hồ sơ quy hoạch cán bộ nhiệm kỳ 2025–2030").await.expect("choose");
    c.find(Locator::XPath("//form[contains(@action, '/records')]//button")).await.expect("file").click().await.expect("click");
    heading_becomes(&c, &title).await;
    c.goto(&s.url(&record)).await.expect("open");
    heading_becomes(&c, "HS-07/2026 – Hồ sơ quy hoạch cán bộ nhiệm kỳ 2025–2030").await;
    text_becomes(&c, "#record-documents", summary).await;
    finish(c, "document_filed").await;
}

/// Clicks the choice labelled with `text` inside the element `within` (a checkbox or radio).
async fn tick(c: &Client, within: &str, text: &str) {
    let xpath = format!("//*[@id='{within}']//label[contains(., '{text}')]/input");
    c.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("{text} in #{within}: {e}")).click().await.expect("tick");
}

/// Signs out through the header's button.
async fn sign_out(c: &Client) {
    c.find(Locator::Css("form.account button")).await.expect("logout").click().await.expect("click");
    heading_becomes(c, "Đăng nhập").await;
}

/// Cụm 7's year 2024: the cluster leader opens the campaign from last year's table and records the
/// covenant (one unit absent, with its reason); opens the year-end scoring; SATRA's officer fills
/// and submits its own sheet; with the cross-scoring in, the leader closes the round, SATRA leads,
/// and the secret ballot on the leading unit is entered from paper, counted and adopted.
async fn covenant_year(s: Server) {
    let system = thidua_app::auth::Principal::system();
    let cluster_name = "Cụm thi đua 7 – Ban Tổ chức Thành ủy";
    let satra = "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn";
    let resco = "Ban Tổ chức Đảng ủy Tổng Công ty Địa ốc Sài Gòn";
    let clusters: serde_json::Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    let cum7 = clusters.as_array().expect("list").iter().find(|c| c["name"] == cluster_name).and_then(|c| c["id"].as_i64()).expect("Cụm 7");
    let detail = s.app.cluster_detail(&system, thidua_core::cluster::ClusterId(cum7), Some(2024)).await.expect("cluster");
    let units: Vec<(i64, String)> = detail.members.iter().map(|m| (m.org.org.0, m.org.name.clone())).collect();
    assert_eq!(units.len(), 11);

    let (_driver, c) = start().await;
    sign_in(&c, &s, "cumtruong", &format!("/clusters/{cum7}?year=2024")).await;
    heading_becomes(&c, cluster_name).await;
    c.find(Locator::LinkText("Mở phong trào thi đua")).await.expect("new campaign").click().await.expect("click");
    heading_becomes(&c, "Mở phong trào thi đua").await;
    let year = c.find(Locator::Id("year")).await.expect("year");
    year.clear().await.expect("clear");
    year.send_keys("2024").await.expect("type");
    // The title offered is left as it is: it follows the year chosen.
    c.find(Locator::Id("theme")).await.expect("theme").send_keys("Đoàn kết, kỷ cương, sáng tạo, hoàn thành xuất sắc nhiệm vụ").await.expect("type");
    // Last year's table is copied unless the leader says otherwise.
    assert!(c.find(Locator::Css("input[name='copy']")).await.expect("copy").is_selected().await.expect("state"));
    c.find(Locator::Css("form.stacked button")).await.expect("save").click().await.expect("click");
    heading_becomes(&c, "Phong trào thi đua năm 2024").await;
    text_becomes(&c, "#criteria", "Kiện toàn, hoàn thiện mô hình tổ chức cơ sở đảng").await;
    text_becomes(&c, "#covenant-state", "Còn 11/11 đơn vị chưa ký giao ước").await;
    let campaign_path = c.current_url().await.expect("url").path().to_owned();

    // SATRA signs at the meeting; RESCO is away and recorded so, with the reason.
    c.find(Locator::Id("cov-org")).await.expect("unit").select_by_label(satra).await.expect("choose");
    c.find(Locator::Id("signed_on")).await.expect("date").send_keys("26/02/2024").await.expect("type");
    c.find(Locator::Id("signatory")).await.expect("signatory").send_keys("Trưởng Ban Tổ chức Đảng ủy").await.expect("type");
    c.find(Locator::XPath("//form[contains(@action, '/covenant')]//button")).await.expect("save").click().await.expect("click");
    text_becomes(&c, "#covenant-state", "Còn 10/11 đơn vị chưa ký giao ước").await;
    c.find(Locator::Id("cov-org")).await.expect("unit").select_by_label(resco).await.expect("choose");
    c.find(Locator::Id("status")).await.expect("status").select_by_value("absent").await.expect("choose");
    c.find(Locator::Id("reason")).await.expect("reason").send_keys("Đi công tác nước ngoài").await.expect("type");
    c.find(Locator::XPath("//form[contains(@action, '/covenant')]//button")).await.expect("save").click().await.expect("click");
    text_becomes(&c, "#covenant-state", "Còn 9/11 đơn vị chưa ký giao ước").await;
    // The other nine signed the same day; entered through the API, as a secretary's script would.
    let campaign = campaign_path.rsplit('/').next().expect("id").to_owned();
    let leader = s.as_user("cumtruong").await;
    for (org, name) in &units {
        if name != satra && name != resco {
            let body = json!({"org_id": org, "status": "signed", "signed_on": "2024-02-26", "signatory": "Trưởng Ban Tổ chức Đảng ủy"});
            let r = leader.post(s.url(&format!("/api/v1/campaigns/{campaign}/covenant"))).json(&body).send().await.expect("sign");
            assert!(r.status().is_success(), "{name}: {}", r.status());
        }
    }
    c.refresh().await.expect("reload");
    text_becomes(&c, "#covenant-state", "Tất cả đơn vị đã ký hoặc được ghi vắng mặt.").await;
    let table = text_of(&c, "#units").await;
    assert!(table.contains("Vắng mặt: Đi công tác nước ngoài") && table.contains("Đã ký ngày 26/02/2024"), "{table}");

    c.find(Locator::Id("open-round")).await.expect("open round").click().await.expect("click");
    heading_becomes(&c, "Chấm điểm thi đua cuối năm").await;
    text_becomes(&c, "#round-state", "Đang chấm").await;
    let round_path = c.current_url().await.expect("url").path().to_owned();
    let round: i64 = round_path.rsplit('/').next().and_then(|x| x.parse().ok()).expect("round id");
    sign_out(&c).await;

    // SATRA's officer scores its own work, criterion by criterion, and submits.
    sign_in(&c, &s, "chuyenvien", &round_path).await;
    heading_becomes(&c, "Chấm điểm thi đua cuối năm").await;
    c.find(Locator::XPath("//ul[@id='sheets']//a[contains(., 'Tự chấm')]")).await.expect("own sheet").click().await.expect("click");
    heading_becomes(&c, &format!("Tự chấm: {satra}")).await;
    for (code, score) in [("1.1", "145"), ("1.2", "140"), ("2", "285"), ("3", "190"), ("4", "195"), ("T", "40"), ("Tr", "0")] {
        c.find(Locator::Css(&format!("input[name='score_{code}']"))).await.expect("score").send_keys(score).await.expect("type");
    }
    c.find(Locator::Css("input[name='note_T']")).await.expect("note").send_keys("Mô hình “Chi bộ 4 tốt” được Thành ủy công nhận").await.expect("type");
    c.find(Locator::Id("submit-sheet")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#sheet-state", "đã nộp").await;
    sign_out(&c).await;

    // Every unit scores every other; SATRA comes out first, RESCO second.
    let lines = |strength: i64| {
        [("1.1", 150), ("1.2", 150), ("2", 300), ("3", 200), ("4", 200), ("T", 0), ("Tr", 0)]
            .map(|(code, max)| thidua_app::scoring::LineInput { code: code.into(), score: thidua_core::scoring::Centi::points((max - strength * max / 100).max(0) as u32), note: String::new(), document: None })
    };
    let strength = |name: &str| if name == satra { 2 } else if name == resco { 5 } else { 10 };
    let key = |target: i64, role, scorer: i64| thidua_app::scoring::SheetKey { target: thidua_core::org::OrgId(target), role, scorer: thidua_core::org::OrgId(scorer) };
    for (target, name) in &units {
        if name != satra {
            s.app.save_sheet(&system, round, key(*target, thidua_core::scoring::ScorerRole::Own, *target), 1, &lines(strength(name)), true).await.expect("own sheet");
        }
        for (scorer, _) in units.iter().filter(|u| u.0 != *target) {
            s.app.save_sheet(&system, round, key(*target, thidua_core::scoring::ScorerRole::Peer, *scorer), 1, &lines(strength(name)), true).await.expect("peer sheet");
        }
    }

    // The leader closes the round: the ranking is final.
    sign_in(&c, &s, "cumtruong", &round_path).await;
    heading_becomes(&c, "Chấm điểm thi đua cuối năm").await;
    c.find(Locator::Id("close-round")).await.expect("close").click().await.expect("click");
    text_becomes(&c, "#round-state", "Đã kết thúc").await;
    let first = text_of(&c, "#ranking tbody tr:first-child").await;
    assert!(first.starts_with("1") && first.contains(satra), "{first}");
    let second = text_of(&c, "#ranking tbody tr:nth-child(2)").await;
    assert!(second.contains(resco), "{second}");

    // The year-end conference votes on the leading unit by secret paper ballot.
    c.goto(&s.url(&format!("/clusters/{cum7}?year=2024"))).await.expect("cluster");
    heading_becomes(&c, cluster_name).await;
    c.find(Locator::LinkText("Tổ chức bỏ phiếu kín")).await.expect("new poll").click().await.expect("click");
    heading_becomes(&c, "Tổ chức bỏ phiếu kín").await;
    c.find(Locator::Id("title")).await.expect("title").send_keys("Suy tôn đơn vị dẫn đầu Cụm thi đua 7 năm 2024").await.expect("type");
    let held = c.find(Locator::Id("held_on")).await.expect("date");
    held.clear().await.expect("clear");
    held.send_keys("20/12/2024").await.expect("type");
    tick(&c, "unit-options", satra).await;
    tick(&c, "unit-options", resco).await;
    c.find(Locator::Id("mode")).await.expect("mode").select_by_value("paper").await.expect("choose");
    c.find(Locator::Id("electorate")).await.expect("electorate").send_keys("11").await.expect("type");
    c.find(Locator::Css("#poll-form button")).await.expect("save").click().await.expect("click");
    heading_becomes(&c, "Suy tôn đơn vị dẫn đầu Cụm thi đua 7 năm 2024").await;
    text_becomes(&c, "#poll-state", "Đang chuẩn bị").await;
    c.find(Locator::Id("open-poll")).await.expect("open").click().await.expect("click");
    text_becomes(&c, "#poll-state", "Đang bỏ phiếu").await;
    // Ten ballots come back: seven for SATRA, two for RESCO, one spoilt.
    for (i, choice) in [satra, satra, resco, satra, satra, "", satra, resco, satra, satra].iter().enumerate() {
        if choice.is_empty() {
            tick(&c, "paper-form", "Phiếu không hợp lệ").await;
        } else {
            tick(&c, "paper-form", choice).await;
        }
        c.find(Locator::Css("#paper-form button")).await.expect("enter").click().await.expect("click");
        text_becomes(&c, "#turnout", &format!("{}/11 phiếu đã nhập", i + 1)).await;
    }
    c.find(Locator::Id("close-poll")).await.expect("close").click().await.expect("click");
    text_becomes(&c, "#poll-state", "Đã kết thúc").await;
    text_becomes(&c, "#counts", "10/11 phiếu thu về; hợp lệ 9, phiếu trắng 0, không hợp lệ 1").await;
    let leading = text_of(&c, "#results tr.leads").await;
    assert!(leading.ends_with(&format!("{satra} 7 (63,64%) Đạt")), "{leading}");
    let results = text_of(&c, "#results").await;
    assert!(results.contains(&format!("{resco} 2 (18,18%) Không đạt")), "{results}");
    finish(c, "covenant_year_vote").await;
}

/// The SATRA officer proposes a Giấy khen for a cell, attaches the report of achievements and
/// submits; the council secretary checks it and records the decision that confers it; the officer
/// finds the decision on the dossier and prints the certificate, a Word file naming the cell.
async fn dossier_decided(s: Server) {
    let cell = "Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn";
    let (_driver, c) = start().await;
    giay_khen_form(&c, &s, cell).await;
    c.find(Locator::Id("nominee")).await.expect("nominee").select_by_label(cell).await.expect("choose");
    c.find(Locator::Id("achievements")).await.expect("achievements").send_keys("Lãnh đạo đơn vị hoàn thành vượt 12% kế hoạch doanh thu năm 2025").await.expect("type");
    c.find(Locator::Id("create-dossier")).await.expect("create").click().await.expect("click");
    heading_becomes(&c, "Giấy khen 2025").await;
    let url = c.current_url().await.expect("url").path().to_owned();
    // The report of achievements, uploaded from disk as the officer would.
    let report = std::env::temp_dir().join(format!("thidua_bao_cao_{}.pdf", std::process::id()));
    std::fs::write(&report, b"%PDF-1.4\n% Bao cao thanh tich nam 2025\n").expect("write report");
    c.find(Locator::Id("file")).await.expect("file").send_keys(&report.display().to_string()).await.expect("choose file");
    c.find(Locator::XPath("//form[contains(@action, '/files')]//button")).await.expect("upload").click().await.expect("click");
    heading_becomes(&c, "Giấy khen 2025").await;
    let _ = std::fs::remove_file(&report);
    c.find(Locator::XPath("//a[contains(., 'thidua_bao_cao_')]")).await.expect("the report is listed");
    c.find(Locator::Id("action-submit")).await.expect("submit").click().await.expect("click");
    text_becomes(&c, "#dossier-state", "Đã trình").await;
    sign_out(&c).await;

    // The council secretary checks it, then records the decision of the party committee above.
    sign_in(&c, &s, "thuky", &url).await;
    heading_becomes(&c, "Giấy khen 2025").await;
    c.find(Locator::Id("action-review")).await.expect("review").click().await.expect("click");
    text_becomes(&c, "#dossier-state", "Đã thẩm định").await;
    let at = text_of(&c, "dl.facts").await;
    let issuer = "Đảng ủy Tổng Công ty Thương mại Sài Gòn";
    assert!(at.contains(issuer), "{at}");
    c.goto(&s.url("/decisions")).await.expect("decisions");
    heading_becomes(&c, "Quyết định khen thưởng").await;
    c.find(Locator::Id("issuer-pick")).await.expect("issuer").select_by_label(issuer).await.expect("choose");
    c.find(Locator::XPath("//form[@action='/decisions' and @method='get']//button")).await.expect("show").click().await.expect("click");
    for _ in 0..200 {
        if c.current_url().await.expect("url").query().is_some_and(|q| q.contains("issuer=")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tick(&c, "decision-form", cell).await;
    c.find(Locator::Id("number_symbol")).await.expect("number").send_keys("15-QĐ/ĐU").await.expect("type");
    let decided = c.find(Locator::Id("decided_on")).await.expect("date");
    decided.clear().await.expect("clear");
    decided.send_keys("15/01/2026").await.expect("type");
    c.find(Locator::Id("signer")).await.expect("signer").send_keys("Nguyễn Văn Bình").await.expect("type");
    c.find(Locator::Id("summary")).await.expect("summary").send_keys("Tặng Giấy khen cho tập thể có thành tích xuất sắc năm 2025").await.expect("type");
    c.find(Locator::Id("record-decision")).await.expect("record").click().await.expect("click");
    heading_becomes(&c, "Quyết định 15-QĐ/ĐU").await;
    let awards = text_of(&c, "#decision-awards").await;
    assert!(awards.contains(cell) && awards.contains("Giấy khen") && awards.contains("2025"), "{awards}");
    sign_out(&c).await;

    // Back at SATRA the dossier shows the decision; the certificate prints.
    sign_in(&c, &s, "chuyenvien", &url).await;
    heading_becomes(&c, "Giấy khen 2025").await;
    text_becomes(&c, "#dossier-state", "Đã có quyết định").await;
    let history = text_of(&c, "#history").await;
    assert!(history.contains("Đã thẩm định (thuky)") && history.contains("Đã có quyết định"), "{history}");
    let certificate = c.find(Locator::LinkText("In bằng khen, giấy khen (docx)")).await.expect("certificate link");
    let href = certificate.attr("href").await.expect("href").expect("a link");
    // Fetched by the page, with the officer's session, as the download would be.
    let got = c
        .execute(
            "return fetch(arguments[0]).then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), Array.from(new Uint8Array(b))]))",
            vec![json!(href)],
        )
        .await
        .expect("download");
    assert_eq!(got[0], 200);
    assert_eq!(got[1], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let bytes: Vec<u8> = got[2].as_array().expect("bytes").iter().map(|b| b.as_u64().expect("byte") as u8).collect();
    let paragraphs = thidua_office::docx_paragraphs(&bytes).expect("a docx that opens");
    assert!(paragraphs.iter().any(|p| p.contains(cell)), "{paragraphs:#?}");
    assert!(paragraphs.iter().any(|p| p.starts_with("Quyết định số 15-QĐ/ĐU")), "{paragraphs:#?}");
    finish(c, "dossier_decided_certificate").await;
}
