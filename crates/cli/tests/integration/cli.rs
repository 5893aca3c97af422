//! The `thidua` binary as an administrator uses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TESTS: &[(&str, fn())] = &[
    ("help_explains_each_command", help_explains_each_command),
    ("migrate_then_demo_twice", migrate_then_demo_twice),
    ("serve_demo_answers_and_stops_on_sigterm", serve_demo_answers_and_stops_on_sigterm),
    ("bad_database_url_is_a_clear_error", bad_database_url_is_a_clear_error),
];

fn thidua() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thidua"));
    c.env_remove("THIDUA_DATABASE_URL").env_remove("THIDUA_LISTEN");
    c
}

fn temp_db(name: &str) -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("thidua_cli_{}_{name}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    (format!("sqlite://{}", path.display()), path)
}

fn help_explains_each_command() {
    let out = thidua().arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "demo"] {
        assert!(text.contains(word), "{text}");
    }
    let out = thidua().args(["serve", "--help"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in ["--db", "--listen", "--demo", "THIDUA_DATABASE_URL"] {
        assert!(text.contains(flag), "{text}");
    }
}

fn migrate_then_demo_twice() {
    let (url, path) = temp_db("demo");
    let out = thidua().args(["migrate", "--db", &url]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(path.exists());
    let out = thidua().args(["demo", "--db", &url]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Demo world loaded"));
    let out = thidua().args(["demo"]).env("THIDUA_DATABASE_URL", &url).output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already loaded"));
    let _ = std::fs::remove_file(path);
}

fn serve_demo_answers_and_stops_on_sigterm() {
    let (url, path) = temp_db("serve");
    let mut child = thidua()
        .args(["serve", "--demo", "--db", &url, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let base = loop {
        let line = lines.next().expect("server printed its URL").expect("line");
        if let Some(start) = line.find("http://") {
            break line[start..].split_whitespace().next().expect("url").trim_end_matches('/').to_owned();
        }
        assert!(Instant::now() < deadline, "no URL printed");
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let (health, tree) = rt.block_on(async {
        let h = reqwest::get(format!("{base}/healthz")).await.expect("healthz").text().await.expect("text");
        let t = reqwest::get(format!("{base}/orgs?date=2023-03-10")).await.expect("tree").text().await.expect("text");
        (h, t)
    });
    assert!(health.contains("\"ok\""), "{health}");
    assert!(tree.contains("Ban Tổ chức Quận ủy Quận 1"));
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "graceful stop exits 0, got {status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn bad_database_url_is_a_clear_error() {
    let out = thidua().args(["migrate", "--db", "mysql://localhost/x"]).output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
}
