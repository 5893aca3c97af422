//! A real headless Chromium, driven through chromedriver (WebDriver).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::{ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[("org_tree_shows_vietnamese_names_and_dates", |s| Box::pin(org_tree(s)))];

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

async fn org_tree(s: Server) {
    let (_driver, c) = start().await;
    c.goto(&s.url("/orgs?date=2025-06-30")).await.expect("open tree");
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
    c.close().await.expect("close");
}
