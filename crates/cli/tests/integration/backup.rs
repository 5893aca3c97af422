//! Backups taken beside a running application restore into either database with the same full
//! export; a database holding data is never restored over; scheduled backups keep the newest few.

use std::path::{Path, PathBuf};

use thidua_app::auth::Principal;
use thidua_app::backup::{restore, scheduled_backups, BackupKind};
use thidua_app::{App, AppError};

use crate::support::{Backend, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_backup_restores_into_either_database_with_the_same_export", |db| Box::pin(round_trip(db))),
    ("scheduled_backups_keep_the_newest_and_restore", |db| Box::pin(scheduled(db))),
];

async fn export(app: &App) -> Vec<u8> {
    let mut out = Vec::new();
    app.export_json(&mut out, true).await.expect("export");
    out
}

/// The application's name for the test's backend.
fn store_backend(b: Backend) -> thidua_app::Backend {
    match b {
        Backend::Sqlite => thidua_app::Backend::Sqlite,
        Backend::Postgres => thidua_app::Backend::Postgres,
    }
}

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thidua_backup_{}_{name}_{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// Restores `file` into a new database of `backend` and returns its export.
async fn restored_export(backend: Backend, file: &Path) -> Vec<u8> {
    let target = TestDb::new(backend).await;
    restore(&target.url, file).await.expect("restore");
    let app = target.app().await;
    let out = export(&app).await;
    app.close().await;
    target.drop_db().await;
    out
}

async fn round_trip(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let before = export(&app).await;
    let dir = work_dir("round_trip");
    let file = dir.join(format!("backup.{}", BackupKind::extension(store_backend(db.backend))));
    let report = app.backup(&Principal::system(), &file).await.expect("backup");
    assert_eq!(report.kind, if db.backend == Backend::Sqlite { BackupKind::Sqlite } else { BackupKind::ExportGz });
    assert!(report.bytes > 10_000, "{report:?}");
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).expect("meta").permissions()) & 0o777, 0o600, "owner only");
    // A second backup to the same name is refused: a good backup is never overwritten.
    assert!(app.backup(&Principal::system(), &file).await.is_err());
    // The backup is recorded in the audit log, which still verifies.
    let audit = export(&app).await;
    assert!(String::from_utf8_lossy(&audit).contains("system.backup"));
    // Into both databases, whatever the backup's own: the same full export, secrets included.
    for target in [Backend::Sqlite, Backend::Postgres] {
        let after = restored_export(target, &file).await;
        assert!(after == before, "restored into {} from a {} backup: the exports differ", target.name(), db.backend.name());
    }
    // A database holding data is not restored over, and keeps what it had.
    let other = TestDb::new(db.backend).await;
    let kept = other.app().await;
    kept.load_demo().await.expect("demo");
    let mark = export(&kept).await;
    kept.close().await;
    match restore(&other.url, &file).await {
        Err(AppError::NotEmpty) => {}
        other => panic!("restoring over data: {other:?}"),
    }
    let kept = other.app().await;
    assert!(export(&kept).await == mark, "nothing changed");
    kept.close().await;
    other.drop_db().await;
    // A file that is no backup is refused with its name.
    let junk = dir.join("notes.txt");
    std::fs::write(&junk, "not a backup").expect("write");
    let e = restore(&TestDb::new(Backend::Sqlite).await.url, &junk).await.expect_err("junk");
    assert!(e.to_string().contains("not a thidua backup"), "{e}");
    // A damaged SQLite backup is refused before anything is written.
    if db.backend == Backend::Sqlite {
        let mut bytes = std::fs::read(&file).expect("read");
        let half = bytes.len() / 2;
        bytes.truncate(half);
        let damaged = dir.join("damaged.db");
        std::fs::write(&damaged, &bytes).expect("write");
        let target = TestDb::new(Backend::Sqlite).await;
        assert!(restore(&target.url, &damaged).await.is_err());
        assert!(!Path::new(target.url.trim_start_matches("sqlite://")).exists(), "nothing written");
    }
    app.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn scheduled(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let dir = work_dir("scheduled");
    let mut written = Vec::new();
    for _ in 0..3 {
        written.push(app.scheduled_backup(&dir, 2).await.expect("backup"));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let left = scheduled_backups(&dir, store_backend(db.backend)).expect("list");
    assert_eq!(left, written[1..], "the two newest stay");
    let before = export(&app).await;
    // The newest restores; the audit entries of the backups after it are all it lacks.
    let after = restored_export(db.backend, &written[2]).await;
    let doc = |b: &[u8]| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_slice(b).expect("json");
        let tables = v["tables"].as_object_mut().expect("tables");
        // The audit log and its head, in `meta`, have moved on by the later backups' entries.
        tables.remove("audit_entry");
        tables.remove("meta");
        v
    };
    let (after, before) = (doc(&after), doc(&before));
    let differ: Vec<&String> = before["tables"].as_object().expect("tables").iter().filter(|(name, rows)| after["tables"][name.as_str()] != **rows).map(|(name, _)| name).collect();
    assert!(differ.is_empty(), "tables differ: {differ:?}");
    app.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
