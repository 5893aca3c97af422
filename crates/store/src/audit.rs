//! The audit log, appended inside the writing transaction so an entry exists exactly when its
//! write does.

use sqlx::Row;
use thidua_core::audit::{entry_hash, AuditEntry, AuditRecord, GENESIS};

use crate::accounts::UserId;
use crate::db::{Backend, Store, StoreError, Tx};

const HEAD: &str = "audit_head";

/// Filters for the audit page; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// A resource, e.g. `org:12` or `user:admin`; a trailing `:` matches every resource of a kind.
    pub resource: Option<String>,
    pub from_unix: Option<i64>,
    pub to_unix: Option<i64>,
    pub limit: i64,
    /// A later page: entries older than this one (by sequence number).
    pub before: Option<i64>,
    /// An earlier page: the entries nearest after this one.
    pub after: Option<i64>,
}

impl Tx {
    /// Appends one entry, chained to the last. Writers are serialized (the SQLite write lock, a table
    /// lock on PostgreSQL), so the chain has one order.
    pub async fn audit(&mut self, actor_id: Option<UserId>, record: &AuditRecord) -> Result<i64, StoreError> {
        if self.backend == Backend::Postgres && !self.audit_locked {
            sqlx::query("LOCK TABLE audit_entry IN SHARE ROW EXCLUSIVE MODE").execute(&mut *self.tx).await?;
            self.audit_locked = true;
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *self.tx).await?;
        let (seq, prev) = match last {
            Some(r) => (r.try_get::<i64, _>(0)? + 1, r.try_get::<String, _>(1)?),
            None => (1, GENESIS.to_owned()),
        };
        let now = jiff::Timestamp::now();
        let at = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let hash = entry_hash(&prev, seq, &at, record);
        sqlx::query(
            "INSERT INTO audit_entry (seq, at, at_unix, actor_id, actor, action, resource, summary, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(at)
        .bind(now.as_second())
        .bind(actor_id.map(|u| u.0))
        .bind(record.actor.as_str())
        .bind(record.action.as_str())
        .bind(record.resource.as_str())
        .bind(record.summary.as_str())
        .bind(prev)
        .bind(hash.as_str())
        .execute(&mut *self.tx)
        .await?;
        self.set_meta(HEAD, &format!("{seq}:{hash}")).await?;
        Ok(seq)
    }
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        resource: r.try_get("resource")?,
        summary: r.try_get("summary")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// The whole log in order, for verification.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query("SELECT seq, at, actor, action, resource, summary, prev_hash, hash FROM audit_entry ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// `(seq, hash)` of the last entry as recorded beside the log.
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let Some(value) = self.meta(HEAD).await? else { return Ok(None) };
        let (seq, hash) = value.split_once(':').ok_or_else(|| StoreError::Corrupt("audit head".into()))?;
        let seq = seq.parse().map_err(|_| StoreError::Corrupt("audit head".into()))?;
        Ok(Some((seq, hash.to_owned())))
    }

    /// The entries matching `filter`, newest first, one page of them. Pages are keyed on sequence
    /// numbers, not counted, so an entry written meanwhile shifts nothing between two pages.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        // An earlier page is read upwards from its key, then turned back to newest first.
        let upwards = filter.after.is_some();
        let sql = format!(
            "SELECT seq, at, actor, action, resource, summary, prev_hash, hash FROM audit_entry \
             WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR (' ' || resource || ' ') LIKE $2) \
             AND ($3 IS NULL OR at_unix >= $3) AND ($4 IS NULL OR at_unix < $4) \
             AND ($5 IS NULL OR seq < $5) AND ($6 IS NULL OR seq > $6) \
             ORDER BY seq {} LIMIT $7",
            if upwards { "ASC" } else { "DESC" }
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(filter.actor.clone())
            // An entry may name several resources, space-separated: match whole names.
            .bind(filter.resource.as_ref().map(|r| {
                let r = r.replace('%', "");
                if r.ends_with(':') { format!("% {r}%") } else { format!("% {r} %") }
            }))
            .bind(filter.from_unix)
            .bind(filter.to_unix)
            .bind(filter.before)
            .bind(filter.after)
            .bind(filter.limit.clamp(1, 1000))
            .fetch_all(&self.pool)
            .await?;
        let mut entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>, _>>()?;
        if upwards {
            entries.reverse();
        }
        Ok(entries)
    }
}
