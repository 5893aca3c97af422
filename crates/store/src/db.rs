//! Connecting, migrating and transactions.

use std::str::FromStr;
use std::sync::Arc;

use jiff::civil::Date;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row};
use thidua_core::cluster::ClusterError;
use thidua_core::org::{OrgError, OrgId};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::orgs::OrgWriter;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The file of an `sqlite://` URL; `None` for PostgreSQL or an in-memory database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite:// or postgres://")]
    BadUrl,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether a write was refused by a foreign key: a row names another that is not there.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// Whether a write was refused by a unique index: the thing exists already.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// The database: a pool and, on SQLite, the lock that queues writers in this process so they wait
/// their turn instead of failing with "database is locked".
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    write_lock: Arc<Mutex<()>>,
    /// Every organization version as of the registry's newest event, shared until it changes.
    pub(crate) versions: Arc<std::sync::Mutex<Option<crate::orgs::VersionCache>>>,
    /// Commits of this store that changed the registry: a cached newest event read before one
    /// is not trusted after it.
    pub(crate) registry_generation: Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    /// Opens the database at `url`, creating an SQLite file if needed, and applies migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, false).await
    }

    /// Opens an SQLite file to read only, as it is: a backup being checked or restored from.
    pub async fn read_sqlite_file(path: &std::path::Path) -> Result<Store, StoreError> {
        Store::connect_with(&format!("sqlite://{}?mode=ro", path.display()), true).await
    }

    async fn connect_with(url: &str, read_only: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyPoolOptions::new().max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        let options = if backend == Backend::Sqlite && !read_only {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL syncs every commit, so an
                    // acknowledged write survives a crash or power cut.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 15000").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        Ok(Store { pool, backend, write_lock: Arc::new(Mutex::new(())), versions: Arc::default(), registry_generation: Arc::default() })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite: writes a consistent copy of the database to `path` (which must not exist) while
    /// readers and writers go on: `VACUUM INTO` reads one snapshot.
    pub async fn vacuum_into(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Corrupt("VACUUM INTO is SQLite's".into()));
        }
        let path = path.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// What SQLite's `PRAGMA integrity_check` finds wrong (nothing when whole). PostgreSQL checks
    /// its own pages and keys as it writes: nothing is asked of it here.
    pub async fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let rows = match self.backend {
            Backend::Sqlite => sqlx::query("PRAGMA integrity_check").fetch_all(&self.pool).await?,
            Backend::Postgres => return Ok(Vec::new()),
        };
        let found: Vec<String> = rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?;
        Ok(found.into_iter().filter(|f| f != "ok").collect())
    }

    /// After a bulk write: PostgreSQL's planner statistics and visibility map are brought up to
    /// date at once, as autovacuum would do a while later after so many inserts. Until then a
    /// query planned for an empty table can take minutes where it needs seconds, and an index
    /// that covers a query still visits every row it names. A table autovacuum holds already is
    /// left to it rather than waited for. SQLite plans by its own rules without statistics
    /// (thidua never runs its ANALYZE), so there is nothing to refresh.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("VACUUM (ANALYZE, SKIP_LOCKED)").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`),
    /// so a transaction never fails half-way on a lock it could not upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let (guard, tx) = match self.backend {
            Backend::Sqlite => {
                let guard = self.write_lock.clone().lock_owned().await;
                (Some(guard), self.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres => (None, self.pool.begin().await?),
        };
        Ok(Tx { tx, backend: self.backend, _guard: guard, orgs: None, audit_locked: false, registry_generation: self.registry_generation.clone(), registry_written: false })
    }

    /// A stored setting, e.g. whether the demo world was loaded.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Tables and their columns as `(table, column, type class, nullable)`, for the test that keeps
    /// both backends' migrations in step. The search index (`fts_*`) differs by nature and is left out.
    pub async fn schema(&self) -> Result<Vec<(String, String, String, bool)>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name, p.name, lower(p.type), p.\"notnull\" + p.pk FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' AND m.name NOT LIKE 'fts_%'"
            }
            Backend::Postgres => {
                "SELECT table_name::text, column_name::text, lower(data_type)::text, \
                 CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::bigint FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' AND table_name NOT LIKE 'fts_%'"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in rows {
            let ty: String = r.try_get(2)?;
            let class = if ty.contains("int") {
                "integer"
            } else if ty.contains("text") || ty.contains("char") {
                "text"
            } else if ty == "blob" || ty == "bytea" {
                "bytes"
            } else {
                ty.as_str()
            };
            let not_null: i64 = r.try_get(3)?;
            out.push((r.try_get(0)?, r.try_get(1)?, class.to_owned(), not_null == 0));
        }
        out.sort();
        Ok(out)
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    pub(crate) tx: sqlx::Transaction<'static, Any>,
    pub(crate) backend: Backend,
    _guard: Option<OwnedMutexGuard<()>>,
    /// The registry as replayed inside this transaction, loaded on first use.
    pub(crate) orgs: Option<OrgWriter>,
    /// Whether this PostgreSQL transaction holds the audit log's lock.
    pub(crate) audit_locked: bool,
    /// The store's count of registry commits, counted up when this one changes the registry.
    pub(crate) registry_generation: Arc<std::sync::atomic::AtomicU64>,
    /// Whether this transaction wrote to the registry other than through `orgs` (a restore).
    pub(crate) registry_written: bool,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        let changed_registry = self.orgs.is_some() || self.registry_written;
        let generation = self.registry_generation.clone();
        let committed = self.tx.commit().await;
        // Even a commit that reports an error may have landed.
        if changed_registry {
            generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        Ok(committed?)
    }

    pub async fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

/// Past this many organizations, a scope is bound as one list rather than a parameter each:
/// SQLite finds each `$n` by walking the statement's names, PostgreSQL takes at most 65,535 and
/// plans a list of parameters better than an array it cannot see.
fn long_scope(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1000,
        Backend::Postgres => 30_000,
    }
}

/// The values an organization scope binds: each organization, or one list of them written as
/// the database reads it.
pub(crate) enum ScopeArgs {
    Each(Vec<i64>),
    List(String),
}

impl ScopeArgs {
    pub(crate) fn len(&self) -> usize {
        match self {
            ScopeArgs::Each(ids) => ids.len(),
            ScopeArgs::List(_) => 1,
        }
    }

    pub(crate) fn bind<'q>(self, mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        match self {
            ScopeArgs::Each(ids) => {
                for id in ids {
                    q = q.bind(id);
                }
                q
            }
            ScopeArgs::List(list) => q.bind(list),
        }
    }
}

impl Store {
    /// The condition that one of `columns` names one of `orgs`, its parameters from `$from`: none
    /// when `orgs` is empty, one that keeps every row when it is `None`.
    ///
    /// A long scope goes as one list. As one parameter each, SQLite looked every `$n` up by name
    /// among all the others (a province's officer: 18,000 organizations; a page of the member list
    /// took 1.6 s and its download 32 s), and PostgreSQL takes at most 65,535 (a nation's scope is
    /// 300,000). A scope of most of the tree matches most rows, so the unary `+` then keeps the
    /// organization indexes out and the query walks its own order checking each row; a smaller one
    /// is found through them.
    pub(crate) async fn org_scope(&self, columns: [&str; 2], orgs: Option<&[OrgId]>, from: usize) -> Result<Option<(String, ScopeArgs)>, StoreError> {
        let [a, b] = columns;
        Ok(match orgs {
            Some([]) => None,
            Some(list) if list.len() > long_scope(self.backend) => {
                let walk = if 2 * list.len() > self.current_org_count().await? { "+" } else { "" };
                let ids = list.iter().map(|o| o.0.to_string()).collect::<Vec<_>>().join(",");
                // SQLite reads a JSON array; PostgreSQL an array, whose length its planner sees
                // (a subquery over JSON it guesses at 100 rows, and a district's badges took 12 s).
                Some(match self.backend {
                    Backend::Sqlite => {
                        let set = format!("SELECT value FROM json_each(${from})");
                        (format!("({walk}{a} IN ({set}) OR {walk}{b} IN ({set}))"), ScopeArgs::List(format!("[{ids}]")))
                    }
                    Backend::Postgres => (format!("({walk}{a} = ANY(${from}::bigint[]) OR {walk}{b} = ANY(${from}::bigint[]))"), ScopeArgs::List(format!("{{{ids}}}"))),
                })
            }
            Some(list) => {
                let p = crate::members::placeholders(from, list.len());
                Some((format!("({a} IN ({p}) OR {b} IN ({p}))"), ScopeArgs::Each(list.iter().map(|o| o.0).collect())))
            }
            None => Some(("1 = 1".into(), ScopeArgs::Each(Vec::new()))),
        })
    }
}

/// Organizations per `IN (…)` list: well inside both backends' limits on bound parameters.
pub(crate) const IN_CHUNK: usize = 500;

/// The `LIMIT … OFFSET …` of a page `(limit, offset)`, nothing for all rows (`None`).
pub(crate) fn page_clause(page: Option<(i64, i64)>) -> String {
    page.map_or(String::new(), |(limit, offset)| format!(" LIMIT {} OFFSET {}", limit.max(0), offset.max(0)))
}

/// For a list read in chunks of its key: the rows each chunk gives (those that could be on the
/// page), and the page cut from all of them merged in the list's order.
pub(crate) fn chunk_page(page: Option<(i64, i64)>) -> Option<(i64, i64)> {
    page.map(|(limit, offset)| (limit.max(0).saturating_add(offset.max(0)), 0))
}

pub(crate) fn cut_page<T>(merged: Vec<T>, page: Option<(i64, i64)>) -> Vec<T> {
    match page {
        Some((limit, offset)) => merged.into_iter().skip(usize::try_from(offset).unwrap_or(0)).take(usize::try_from(limit).unwrap_or(0)).collect(),
        None => merged,
    }
}

pub(crate) fn date_col(row: &AnyRow, col: &str) -> Result<Date, StoreError> {
    let text: String = row.try_get(col)?;
    Date::from_str(&text).map_err(|_| StoreError::Corrupt(format!("{col} = {text:?} is not a date")))
}

pub(crate) fn opt_date_col(row: &AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    let text: Option<String> = row.try_get(col)?;
    text.map(|t| Date::from_str(&t).map_err(|_| StoreError::Corrupt(format!("{col} = {t:?} is not a date")))).transpose()
}
