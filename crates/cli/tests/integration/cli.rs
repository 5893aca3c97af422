//! The `thidua` binary as an administrator uses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TESTS: &[(&str, fn())] = &[
    ("help_explains_each_command", help_explains_each_command),
    ("migrate_then_demo_twice", migrate_then_demo_twice),
    ("serve_demo_answers_and_stops_on_sigterm", serve_demo_answers_and_stops_on_sigterm),
    ("bad_database_url_is_a_clear_error", bad_database_url_is_a_clear_error),
    ("rules_dir_replaces_shipped_figures_and_a_bad_file_stops_the_start", rules_dir_replaces_shipped_figures_and_a_bad_file_stops_the_start),
    ("user_and_token_commands_manage_accounts", user_and_token_commands),
    ("audit_verify_finds_edited_deleted_reordered_and_truncated_entries", audit_verify_finds_tampering),
    ("import_reports_problems_in_vietnamese_then_imports_once", import_members),
    ("export_then_import_json_gives_the_same_file", export_round_trip),
    ("backup_restore_and_scheduled_backups_from_the_command_line", backup_commands),
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

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
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
    for flag in ["--db", "--listen", "--demo", "--rules-dir", "THIDUA_DATABASE_URL"] {
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
    remove_db(&path);
}

fn serve_demo_answers_and_stops_on_sigterm() {
    let (url, path) = temp_db("serve");
    let (mut child, base) = serve_demo(&url, &[]);
    let token = admin_token(&url);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let (health, anonymous, tree) = rt.block_on(async {
        let h = reqwest::get(format!("{base}/healthz")).await.expect("healthz").text().await.expect("text");
        let a = reqwest::get(format!("{base}/api/v1/orgs")).await.expect("anonymous").status().as_u16();
        let t = crate::support::bearer_client(&token)
            .get(format!("{base}/orgs?date=2023-03-10"))
            .send()
            .await
            .expect("tree")
            .text()
            .await
            .expect("text");
        (h, a, t)
    });
    assert!(health.contains("\"ok\""), "{health}");
    assert_eq!(anonymous, 401);
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
    remove_db(&path);
}

/// Starts `thidua serve --demo` on a free port with `extra` arguments; the child and its base URL.
fn serve_demo(url: &str, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = thidua().args(["serve", "--demo", "--db", url, "--listen", "127.0.0.1:0"]).args(extra).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn");
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
    (child, base)
}

/// A token for the demo's admin, taken by a second process from the same database.
fn admin_token(url: &str) -> String {
    let out = thidua().args(["token", "create", "--user", "admin", "--label", "cli-test", "--db", url]).output().expect("token");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("thd_"), "{token}");
    token
}

fn rules_dir_replaces_shipped_figures_and_a_bad_file_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("thidua_cli_{}_rules", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.display().to_string();
    let out = thidua().args(["rules", "export", &dir_arg]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = thidua().args(["rules", "export", &dir_arg]).output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not overwritten"), "exported files are never overwritten");
    // The installation caps HTXSNV at 10% of HTTNV instead of 20%.
    let file = dir.join("evaluation.json");
    let text = std::fs::read_to_string(&file).expect("read").replace("\"htxsnv_of_httnv_pct\": 20", "\"htxsnv_of_httnv_pct\": 10");
    std::fs::write(&file, text).expect("write");
    let out = thidua().args(["rules", "check", &dir_arg]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (url, path) = temp_db("rules");
    let (mut child, base) = serve_demo(&url, &["--rules-dir", &dir_arg]);
    let token = admin_token(&url);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let pct = rt.block_on(async {
        let c = crate::support::bearer_client(&token);
        let rounds: serde_json::Value = c.get(format!("{base}/api/v1/evaluations")).send().await.expect("list").json().await.expect("json");
        let round: serde_json::Value = c.get(format!("{base}/api/v1/evaluations/{}", rounds[0]["id"])).send().await.expect("round").json().await.expect("json");
        round["quota"]["pct"].clone()
    });
    assert_eq!(pct, 10);
    let _ = child.kill();
    let _ = child.wait();
    // A broken file stops the start, naming the file.
    std::fs::write(&file, "{ \"periods\": [").expect("write");
    let out = thidua().args(["rules", "check", &dir_arg]).output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("evaluation.json"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = thidua().args(["serve", "--db", &url, "--listen", "127.0.0.1:0", "--rules-dir", &dir_arg]).output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("evaluation.json"), "{}", String::from_utf8_lossy(&out.stderr));
    remove_db(&path);
    let _ = std::fs::remove_dir_all(&dir);
}

fn bad_database_url_is_a_clear_error() {
    let out = thidua().args(["migrate", "--db", "mysql://localhost/x"]).output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
}

/// Runs `thidua` with `input` on standard input (not a terminal, so passwords are read from it).
fn run_with_input(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = thidua().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    child.wait_with_output().expect("wait")
}

fn user_and_token_commands() {
    let (url, path) = temp_db("users");
    let out = run_with_input(&["user", "add", "--admin", "--username", "quantri", "--display-name", "Quản trị", "--db", &url], "mat-khau-rat-dai\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_with_input(&["user", "add", "--username", "ngan", "--db", &url], "ngan\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = run_with_input(&["user", "add", "--username", "Có Dấu", "--db", &url], "mat-khau-rat-dai\n");
    assert!(!out.status.success(), "usernames are plain ASCII");
    let out = run_with_input(&["user", "add", "--username", "quantri", "--db", &url], "mat-khau-rat-dai\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    let out = run_with_input(&["user", "add", "--username", "xem", "--db", &url], "mat-khau-khac-nua\n");
    assert!(out.status.success());
    let out = thidua().args(["user", "grant", "--username", "xem", "--role", "viewer", "--system", "--db", &url]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = thidua().args(["user", "grant", "--username", "xem", "--role", "emperor", "--system", "--db", &url]).output().expect("run");
    assert!(!out.status.success());
    let out = thidua().args(["user", "list", "--db", &url]).output().expect("run");
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("quantri\tQuản trị\tactive\tsystem_admin over system"), "{list}");
    assert!(list.contains("xem\txem\tactive\tviewer over system"), "{list}");

    let out = thidua().args(["token", "create", "--user", "xem", "--label", "báo cáo", "--db", &url]).output().expect("run");
    assert!(out.status.success());
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("thd_") && token.len() == 68, "{token}");
    let id = String::from_utf8_lossy(&out.stderr).split_whitespace().nth(1).expect("id").to_owned();
    let out = thidua().args(["token", "revoke", &id, "--db", &url]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = thidua().args(["token", "revoke", &id, "--db", &url]).output().expect("run");
    assert!(!out.status.success(), "revoked once");

    let out = run_with_input(&["user", "reset-password", "--username", "xem", "--db", &url], "mot-mat-khau-moi\n");
    assert!(out.status.success());
    let out = thidua().args(["user", "disable", "--username", "xem", "--db", &url]).output().expect("run");
    assert!(out.status.success());
    let out = thidua().args(["user", "list", "--db", &url]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("xem\txem\tdisabled"));
    let out = thidua().args(["audit", "verify", "--db", &url]).output().expect("run");
    assert!(out.status.success());
    // Seeding the holiday calendar, then eight account operations.
    assert!(String::from_utf8_lossy(&out.stdout).contains("Audit log intact: 9 entries verified."), "{}", String::from_utf8_lossy(&out.stdout));
    remove_db(&path);
}

fn audit_verify_finds_tampering() {
    let tampers: [(&str, &str, &str); 4] = [
        ("edit", "UPDATE audit_entry SET summary = 'sửa lén' WHERE seq = 3", "entry 3 was altered"),
        ("delete", "DELETE FROM audit_entry WHERE seq = 4", "jump from 3 to 5"),
        (
            "reorder",
            "UPDATE audit_entry SET seq = CASE seq WHEN 2 THEN 3 WHEN 3 THEN 2 END + 100 WHERE seq IN (2, 3); \
             UPDATE audit_entry SET seq = seq - 100 WHERE seq > 100",
            "chain breaks before entry 2",
        ),
        ("truncate", "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)", "the latest were removed"),
    ];
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    for (name, sql, expected) in tampers {
        let (url, path) = temp_db(&format!("audit_{name}"));
        let out = thidua().args(["demo", "--db", &url]).output().expect("demo");
        assert!(out.status.success());
        let out = thidua().args(["audit", "verify", "--db", &url]).output().expect("verify");
        assert!(out.status.success(), "intact before tampering: {}", String::from_utf8_lossy(&out.stderr));
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
            for statement in sql.split(';') {
                sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(&mut conn).await.expect("tamper");
            }
            conn.close().await.expect("close");
        });
        let out = thidua().args(["audit", "verify", "--db", &url]).output().expect("verify");
        assert!(!out.status.success(), "{name} went unnoticed");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{name}: {err}");
        remove_db(&path);
    }
}

fn import_members() {
    let (url, path) = temp_db("import");
    assert!(thidua().args(["demo", "--db", &url]).output().expect("run").status.success());
    let file = std::env::temp_dir().join(format!("thidua_cli_{}_import.csv", std::process::id()));
    let header = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Ngày vào Đảng,Tổ chức đảng";
    std::fs::write(&file, format!("{header}\nĐỗ Văn Nhập,01/06/1988,Nam,079088765432,02/09/2015,Chi bộ Không Có\n")).expect("write");
    let out = thidua().args(["import", "members"]).arg(&file).args(["--db", &url]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("Tệp có 1 lỗi; chưa có dữ liệu nào được ghi."), "{stdout}");
    assert!(stdout.contains("CSV | dòng 2 | Tổ chức đảng | Không có tổ chức đảng đang hoạt động tên “Chi bộ Không Có”."), "{stdout}");
    std::fs::write(&file, format!("{header}\nĐỗ Văn Nhập,01/06/1988,Nam,079088765432,02/09/2015,Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn\n")).expect("write");
    let dry = thidua().args(["import", "members"]).arg(&file).args(["--db", &url, "--dry-run"]).output().expect("run");
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(String::from_utf8_lossy(&dry.stdout).contains("1 thêm mới"));
    for expected in ["1 dòng dữ liệu: 1 thêm mới, 0 cập nhật, 0 không đổi.", "1 dòng dữ liệu: 0 thêm mới, 0 cập nhật, 1 không đổi."] {
        let out = thidua().args(["import", "members"]).arg(&file).args(["--db", &url]).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expected), "{stdout}");
    }
    let _ = std::fs::remove_file(&file);
    remove_db(&path);
}

fn export_round_trip() {
    let (url, path) = temp_db("export_from");
    let (copy_url, copy_path) = temp_db("export_to");
    assert!(thidua().args(["demo", "--db", &url]).output().expect("run").status.success());
    let first = std::env::temp_dir().join(format!("thidua_cli_{}_first.json", std::process::id()));
    let second = std::env::temp_dir().join(format!("thidua_cli_{}_second.json", std::process::id()));
    let out = thidua().args(["export", "--db", &url, "--out"]).arg(&first).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Exported "));
    let out = thidua().args(["import", "json"]).arg(&first).args(["--db", &copy_url]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Not twice: the copy now holds data.
    let again = thidua().args(["import", "json"]).arg(&first).args(["--db", &copy_url]).output().expect("run");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already holds data"));
    assert!(thidua().args(["export", "--db", &copy_url, "--out"]).arg(&second).output().expect("run").status.success());
    assert!(std::fs::read(&first).expect("first") == std::fs::read(&second).expect("second"), "the same bytes");
    for f in [first, second] {
        let _ = std::fs::remove_file(f);
    }
    remove_db(&path);
    remove_db(&copy_path);
}

fn backup_commands() {
    let (url, path) = temp_db("backup_from");
    let (copy_url, copy_path) = temp_db("backup_to");
    let dir = std::env::temp_dir().join(format!("thidua_cli_{}_backups", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(thidua().args(["demo", "--db", &url]).output().expect("run").status.success());
    let file = std::env::temp_dir().join(format!("thidua_cli_{}_backup.db", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let out = thidua().args(["backup", "--db", &url, "--out"]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Backup written to "));
    let out = thidua().args(["restore", "--db", &copy_url, "--from"]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The copy is a working database: the audit log verifies.
    let out = thidua().args(["audit", "verify", "--db", &copy_url]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Not over data.
    let again = thidua().args(["restore", "--db", &url, "--from"]).arg(&file).output().expect("run");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already holds data"), "{}", String::from_utf8_lossy(&again.stderr));
    // A period the server cannot read stops the start with a clear message.
    let bad = thidua().args(["serve", "--db", &url, "--backup-dir"]).arg(&dir).args(["--backup-every", "10x"]).output().expect("run");
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("the unit is s, m, h or d"), "{}", String::from_utf8_lossy(&bad.stderr));
    // Scheduled: one at the start and one a second, the newest two kept.
    let dir_arg = dir.display().to_string();
    let (mut child, _) = serve_demo(&url, &["--backup-dir", &dir_arg, "--backup-every", "1s", "--backup-keep", "2"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let count = || std::fs::read_dir(&dir).map(|d| d.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".db")).count()).unwrap_or(0);
    let audited = || {
        let out = thidua().args(["export", "--db", &url, "--out"]).arg(dir.with_extension("json")).output().expect("export");
        assert!(out.status.success());
        std::fs::read_to_string(dir.with_extension("json")).expect("read").matches("\"system.backup\"").count()
    };
    // The first `thidua backup` above is one; three scheduled ones more show the old removed.
    // (A new backup stands beside the old ones a moment before these are removed.)
    while audited() < 4 || count() != 2 {
        assert!(Instant::now() < deadline, "scheduled backups were not written");
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(dir.with_extension("json"));
    let _ = std::fs::remove_file(&file);
    remove_db(&path);
    remove_db(&copy_path);
}
