//! Backups taken while the server runs, and restores into a fresh database.
//!
//! On SQLite a backup is an SQLite file made by `VACUUM INTO`: a consistent copy as of one moment,
//! taken beside the running server, that `sqlite3` itself can open. On PostgreSQL it is the full
//! export (every table as of one repeatable-read snapshot, the signing key included), gzipped.
//! Either restores into either database; an SQLite file into a new SQLite database is copied whole.

use std::io::Read;
use std::path::{Path, PathBuf};

use thidua_store::{Backend, StoreError};

use thidua_core::access::Action;

use crate::auth::Principal;
use crate::{App, AppError};

/// What a backup file holds, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// An SQLite database file.
    Sqlite,
    /// A gzipped thidua export.
    ExportGz,
    /// A thidua export as written by `thidua export`.
    Export,
}

impl BackupKind {
    fn of(head: &[u8]) -> Option<BackupKind> {
        if head.starts_with(b"SQLite format 3\0") {
            Some(BackupKind::Sqlite)
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(BackupKind::ExportGz)
        } else if head.trim_ascii_start().starts_with(b"{") {
            Some(BackupKind::Export)
        } else {
            None
        }
    }

    /// The file name ending for backups of a database: `db` or `json.gz`.
    pub fn extension(backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => "db",
            Backend::Postgres => "json.gz",
        }
    }
}

/// A backup written.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub kind: BackupKind,
    pub bytes: u64,
}

fn io(path: &Path, e: std::io::Error) -> AppError {
    AppError::Internal(StoreError::Corrupt(format!("{}: {e}", path.display())))
}

/// A name beside `path` for the file being written, renamed into place once complete, so that a
/// backup cut off half-way never stands under the name of a good one.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Makes the rename of a finished file durable.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

impl App {
    /// Writes a consistent backup of the whole database to `out` while the server goes on
    /// serving. `out` must not exist. The backup holds member data: it is written readable by
    /// its owner alone, and the audit log records it.
    pub async fn backup(&self, p: &Principal, out: &Path) -> Result<BackupReport, AppError> {
        if !p.has_system(Action::ManageAccounts) {
            return Err(AppError::Forbidden);
        }
        if out.exists() {
            return Err(io(out, std::io::Error::from(std::io::ErrorKind::AlreadyExists)));
        }
        let temp = partial(out);
        let _ = std::fs::remove_file(&temp);
        let kind = match self.write_backup(&temp).await {
            Ok(kind) => kind,
            Err(e) => {
                // A backup cut off leaves nothing behind.
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        std::fs::rename(&temp, out).map_err(|e| io(out, e))?;
        sync_dir(out);
        let bytes = std::fs::metadata(out).map_err(|e| io(out, e))?.len();
        let mut tx = self.store.begin().await?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        tx.audit(p.user, &p.record("system.backup", "system", format!("{name}: {bytes} bytes"))).await?;
        tx.commit().await?;
        Ok(BackupReport { kind, bytes })
    }

    async fn write_backup(&self, temp: &Path) -> Result<BackupKind, AppError> {
        Ok(match self.store.backend() {
            Backend::Sqlite => {
                // Made empty and private first (VACUUM INTO takes an empty file), synced after:
                // SQLite does not sync what it writes there.
                drop(create_private(temp).map_err(|e| io(temp, e))?);
                self.store.vacuum_into(temp).await?;
                std::fs::File::open(temp).and_then(|f| f.sync_all()).map_err(|e| io(temp, e))?;
                BackupKind::Sqlite
            }
            Backend::Postgres => {
                let file = create_private(temp).map_err(|e| io(temp, e))?;
                let mut gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast());
                self.store.export_json(&mut gz, true).await?;
                let file = gz.finish().map_err(|e| io(temp, e))?.into_inner().map_err(|e| io(temp, e.into_error()))?;
                file.sync_all().map_err(|e| io(temp, e))?;
                BackupKind::ExportGz
            }
        })
    }
}

/// Restores the backup `from` into the database at `url`, which must hold no data of its own
/// (a new file, or a database just created). Returns the number of rows restored, or `None`
/// when an SQLite backup was copied whole into place.
pub async fn restore(url: &str, from: &Path) -> Result<Option<u64>, AppError> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(from).and_then(|mut f| f.read(&mut head)).map_err(|e| io(from, e))?;
    let kind = BackupKind::of(&head[..read]).ok_or(AppError::Internal(StoreError::Corrupt(format!("{} is not a thidua backup", from.display()))))?;
    // An SQLite backup into a new SQLite database: the file itself, checked, then brought up to
    // this program's schema.
    if kind == BackupKind::Sqlite
        && let Some(target) = thidua_store::sqlite_path(url)
        && !target.exists()
    {
        check_sqlite(from).await?;
        let temp = partial(&target);
        std::fs::copy(from, &temp).and_then(|_| std::fs::File::open(&temp)?.sync_all()).map_err(|e| io(&temp, e))?;
        restrict(&temp).map_err(|e| io(&temp, e))?;
        std::fs::rename(&temp, &target).map_err(|e| io(&target, e))?;
        sync_dir(&target);
        App::open(url).await?.close().await;
        return Ok(None);
    }
    let bytes = match kind {
        BackupKind::Sqlite => {
            check_sqlite(from).await?;
            let source = thidua_store::Store::read_sqlite_file(from).await?;
            let mut bytes = Vec::new();
            source.export_json(&mut bytes, true).await?;
            source.close().await;
            bytes
        }
        BackupKind::ExportGz => {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(from).map_err(|e| io(from, e))?).read_to_end(&mut bytes).map_err(|e| io(from, e))?;
            bytes
        }
        BackupKind::Export => std::fs::read(from).map_err(|e| io(from, e))?,
    };
    let app = App::open(url).await?;
    let rows = app.restore_json(&bytes).await;
    app.close().await;
    rows.map(Some)
}

/// An SQLite backup is read only once SQLite finds it whole.
async fn check_sqlite(path: &Path) -> Result<(), AppError> {
    let source = thidua_store::Store::read_sqlite_file(path).await?;
    let verdict = source.integrity_check().await;
    source.close().await;
    match verdict? {
        problems if problems.is_empty() => Ok(()),
        problems => Err(AppError::Internal(StoreError::Corrupt(format!("{} is damaged: {}", path.display(), problems.join("; "))))),
    }
}

fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Readable by its owner alone: a backup holds member data.
fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

/// Backups of a directory that scheduled backups wrote, oldest first: `thidua-` and a UTC time,
/// so that names sort as times do.
pub fn scheduled_backups(dir: &Path, backend: Backend) -> std::io::Result<Vec<PathBuf>> {
    let ending = format!(".{}", BackupKind::extension(backend));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("thidua-") && n.ends_with(&ending)))
        .collect();
    found.sort();
    Ok(found)
}

impl App {
    /// One scheduled backup into `dir`, named by the time, then the oldest removed so that `keep`
    /// remain. Returns the new file.
    pub async fn scheduled_backup(&self, dir: &Path, keep: usize) -> Result<PathBuf, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let out = dir.join(format!("thidua-{stamp}.{}", BackupKind::extension(self.store.backend())));
        self.backup(&Principal::system(), &out).await?;
        let all = scheduled_backups(dir, self.store.backend()).map_err(|e| io(dir, e))?;
        for old in all.iter().take(all.len().saturating_sub(keep.max(1))) {
            std::fs::remove_file(old).map_err(|e| io(old, e))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_first_bytes() {
        assert_eq!(BackupKind::of(b"SQLite format 3\0rest"), Some(BackupKind::Sqlite));
        assert_eq!(BackupKind::of(&[0x1f, 0x8b, 8, 0]), Some(BackupKind::ExportGz));
        assert_eq!(BackupKind::of(b"\n {\"format\""), Some(BackupKind::Export));
        assert_eq!(BackupKind::of(b"PK\x03\x04"), None);
        assert_eq!(BackupKind::of(b""), None);
    }

    #[test]
    fn a_partial_file_sits_beside_the_backup() {
        assert_eq!(partial(Path::new("/x/thidua-1.db")), PathBuf::from("/x/thidua-1.db.partial"));
    }

    #[test]
    fn scheduled_names_sort_as_times_and_others_are_left_alone() {
        let dir = std::env::temp_dir().join(format!("thidua_backup_names_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for name in ["thidua-20261121T101500.000Z.db", "thidua-20261120T235959.999Z.db", "notes.db", "thidua-20261121T101500.000Z.db.partial"] {
            std::fs::write(dir.join(name), b"x").expect("file");
        }
        let found = scheduled_backups(&dir, Backend::Sqlite).expect("list");
        let names: Vec<String> = found.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["thidua-20261120T235959.999Z.db", "thidua-20261121T101500.000Z.db"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
