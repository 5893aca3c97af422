//! Document registers: numbering, documents, attachments by content hash, work records, and the
//! search index written in the same transaction as each document.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::date::iso;
use thidua_core::org::OrgId;
use thidua_core::vi::fold;

use crate::bulk::{insert_rows, insert_rows_ignoring_duplicates, Cell};
use crate::db::{chunk_page, cut_page, date_col, opt_date_col, page_clause, Backend, Store, StoreError, Tx, IN_CHUNK};
use crate::members::placeholders;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
        }
    }

    pub fn from_code(code: &str) -> Option<Direction> {
        match code {
            "outgoing" => Some(Direction::Outgoing),
            "incoming" => Some(Direction::Incoming),
            _ => None,
        }
    }
}

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub direction: Direction,
    /// Whose register: the committee (or organ) that issued or received it.
    pub org: OrgId,
    /// The unit that drafted (outgoing) or handles (incoming) it.
    pub unit: Option<OrgId>,
    pub doc_type: String,
    pub number: Option<i64>,
    pub issuer_code: Option<String>,
    /// Number and symbol as written, e.g. `969-CV/TU`.
    pub symbol: Option<String>,
    /// `term:ID` for outgoing, `arrival:YEAR` for incoming.
    pub scope: Option<String>,
    pub issued_on: Option<Date>,
    pub issuer_name: Option<String>,
    pub summary: String,
    pub signer: Option<String>,
    pub recipients: Option<String>,
    pub secrecy: Option<String>,
    pub urgency: Option<String>,
    pub arrival_number: Option<i64>,
    pub arrival_on: Option<Date>,
    pub assigned_to: Option<String>,
    pub deadline: Option<Date>,
    pub status: String,
    pub status_on: Option<Date>,
    pub withdrawn_reason: Option<String>,
    pub created_by: String,
    pub version: i64,
}

impl DocumentRow {
    /// A document of a register with only what every one has: the rest is filled in by the
    /// caller (the demo, a generated world, a test). Outgoing ones stand issued, incoming handled.
    pub fn new(direction: Direction, org: OrgId, doc_type: &str, summary: &str, created_by: &str) -> DocumentRow {
        DocumentRow {
            id: 0,
            direction,
            org,
            unit: None,
            doc_type: doc_type.into(),
            number: None,
            issuer_code: None,
            symbol: None,
            scope: None,
            issued_on: None,
            issuer_name: None,
            summary: summary.into(),
            signer: None,
            recipients: None,
            secrecy: None,
            urgency: None,
            arrival_number: None,
            arrival_on: None,
            assigned_to: None,
            deadline: None,
            status: if direction == Direction::Outgoing { "issued".into() } else { "handled".into() },
            status_on: None,
            withdrawn_reason: None,
            created_by: created_by.into(),
            version: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: i64,
    pub document: i64,
    pub hash: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRow {
    pub id: i64,
    pub org: OrgId,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkRecordRow {
    pub id: i64,
    pub org: OrgId,
    pub code: String,
    pub title: String,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    /// `None`: permanent (vĩnh viễn).
    pub retention_years: Option<i64>,
    pub keeper: String,
    pub status: String,
    pub archived_on: Option<Date>,
}

/// Search filters; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub direction: Option<Direction>,
    pub doc_type: Option<String>,
    pub issuer_code: Option<String>,
    pub status: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Registers the caller may read; `None` for all.
    pub registers: Option<Vec<OrgId>>,
}

const COLUMNS: &str = "d.id, d.direction, d.org_id, d.unit_id, d.doc_type, d.number, d.issuer_code, d.symbol, d.scope, d.issued_on, \
    d.issuer_name, d.summary, d.signer, d.recipients, d.secrecy, d.urgency, d.arrival_number, d.arrival_on, d.assigned_to, \
    d.deadline, d.status, d.status_on, d.withdrawn_reason, d.created_by, d.version";

/// The day a document is listed by: issued, or for an incoming one without it, arrived. The
/// register lists newest first by it (the index `document_day`).
const DAY: &str = "coalesce(d.issued_on, d.arrival_on, '')";

fn doc_from_row(r: &AnyRow) -> Result<DocumentRow, StoreError> {
    let direction: String = r.try_get("direction")?;
    Ok(DocumentRow {
        id: r.try_get("id")?,
        direction: Direction::from_code(&direction).ok_or_else(|| StoreError::Corrupt(format!("direction {direction:?}")))?,
        org: OrgId(r.try_get("org_id")?),
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(OrgId),
        doc_type: r.try_get("doc_type")?,
        number: r.try_get("number")?,
        issuer_code: r.try_get("issuer_code")?,
        symbol: r.try_get("symbol")?,
        scope: r.try_get("scope")?,
        issued_on: opt_date_col(r, "issued_on")?,
        issuer_name: r.try_get("issuer_name")?,
        summary: r.try_get("summary")?,
        signer: r.try_get("signer")?,
        recipients: r.try_get("recipients")?,
        secrecy: r.try_get("secrecy")?,
        urgency: r.try_get("urgency")?,
        arrival_number: r.try_get("arrival_number")?,
        arrival_on: opt_date_col(r, "arrival_on")?,
        assigned_to: r.try_get("assigned_to")?,
        deadline: opt_date_col(r, "deadline")?,
        status: r.try_get("status")?,
        status_on: opt_date_col(r, "status_on")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

fn record_from_row(r: &AnyRow) -> Result<WorkRecordRow, StoreError> {
    Ok(WorkRecordRow {
        id: r.try_get("id")?,
        org: OrgId(r.try_get("org_id")?),
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        opened_on: date_col(r, "opened_on")?,
        closed_on: opt_date_col(r, "closed_on")?,
        retention_years: r.try_get("retention_years")?,
        keeper: r.try_get("keeper")?,
        status: r.try_get("status")?,
        archived_on: opt_date_col(r, "archived_on")?,
    })
}

/// What a new document is found by: its number and symbol, summary, issuer and type.
fn row_text(d: &DocumentRow) -> String {
    let fields = [d.symbol.as_deref(), Some(d.summary.as_str()), d.issuer_name.as_deref(), d.issuer_code.as_deref(), Some(d.doc_type.as_str())];
    fields.into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// Index words longer than this are found whole only, never from a prefix.
const LONGEST_EXPANDED_TERM: usize = 100;

/// A prefix starting more index words than this is left to the index's own prefix search.
const MOST_EXPANSIONS: i64 = 32;

/// How many of the newest documents PostgreSQL reads backwards before it asks the GIN index.
const RECENT_WINDOW: i64 = 10_000;

/// The most a window grows to when its matches were too few. Estimated from `psql` on the
/// benchmark machine, not measured by a benchmark: 10,000 documents read backwards took 4.5–8.8 ms
/// and 164,000 matches through the GIN index 400–600 ms, so 262,144 documents cost about what the
/// GIN index costs for 50,000 matches.
const LARGEST_WINDOW: i64 = 1 << 18;

/// The words of a query as the index holds them: folded, split on anything not a letter or digit.
pub fn index_terms(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// Where attachment contents live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlobPlace {
    /// In the `blob` table (the default: one file holds everything).
    #[default]
    Database,
    /// Files named by hash under a directory; written and synced before the row commits.
    Directory(PathBuf),
}

fn blob_path(dir: &Path, hash: &str) -> PathBuf {
    dir.join(&hash[..2.min(hash.len())]).join(hash)
}

impl Tx {
    /// Takes the next number of a sequence. The row lock (PostgreSQL) or the write lock (SQLite)
    /// makes concurrent clerks queue; a rolled-back transaction gives its number back.
    pub async fn next_number(&mut self, org: OrgId, scope: &str, doc_type: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO doc_sequence (org_id, scope, doc_type, next_number) VALUES ($1, $2, $3, 2) \
             ON CONFLICT (org_id, scope, doc_type) DO UPDATE SET next_number = doc_sequence.next_number + 1 \
             RETURNING next_number - 1",
        )
        .bind(org.0)
        .bind(scope)
        .bind(doc_type)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn set_register(&mut self, org: OrgId, issuer_code: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO doc_register (org_id, issuer_code) VALUES ($1, $2) ON CONFLICT (org_id) DO UPDATE SET issuer_code = excluded.issuer_code")
            .bind(org.0)
            .bind(issuer_code)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_term(&mut self, org: OrgId, name: &str, starts_on: Date, ends_on: Option<Date>) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO committee_term (org_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(org.0)
            .bind(name)
            .bind(iso(starts_on))
            .bind(ends_on.map(iso))
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Stores a document (its `id` and `version` are ignored) and indexes it.
    pub async fn insert_document(&mut self, d: &DocumentRow, now: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO document (direction, org_id, unit_id, doc_type, number, issuer_code, symbol, scope, issued_on, issuer_name, \
             summary, signer, recipients, secrecy, urgency, arrival_number, arrival_on, assigned_to, deadline, status, status_on, \
             withdrawn_reason, created_by, created_unix, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 1) RETURNING id",
        )
        .bind(d.direction.code())
        .bind(d.org.0)
        .bind(d.unit.map(|o| o.0))
        .bind(d.doc_type.as_str())
        .bind(d.number)
        .bind(d.issuer_code.clone())
        .bind(d.symbol.clone())
        .bind(d.scope.clone())
        .bind(d.issued_on.map(iso))
        .bind(d.issuer_name.clone())
        .bind(d.summary.as_str())
        .bind(d.signer.clone())
        .bind(d.recipients.clone())
        .bind(d.secrecy.clone())
        .bind(d.urgency.clone())
        .bind(d.arrival_number)
        .bind(d.arrival_on.map(iso))
        .bind(d.assigned_to.clone())
        .bind(d.deadline.map(iso))
        .bind(d.status.as_str())
        .bind(d.status_on.map(iso))
        .bind(d.withdrawn_reason.clone())
        .bind(d.created_by.as_str())
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        // A new document has no attachments yet: index it from the row, one statement.
        self.write_index(id, &row_text(d), true).await?;
        Ok(id)
    }

    /// Stores many new documents with their ids given (no attachments) and indexes them, many
    /// rows per statement: for loading a generated world into an empty register.
    pub async fn insert_documents(&mut self, docs: &[DocumentRow], now: i64) -> Result<(), StoreError> {
        const COLUMNS: [&str; 26] = [
            "id", "direction", "org_id", "unit_id", "doc_type", "number", "issuer_code", "symbol", "scope", "issued_on", "issuer_name", "summary", "signer",
            "recipients", "secrecy", "urgency", "arrival_number", "arrival_on", "assigned_to", "deadline", "status", "status_on", "withdrawn_reason",
            "created_by", "created_unix", "version",
        ];
        let rows: Vec<Vec<Cell>> = docs
            .iter()
            .map(|d| {
                vec![
                    d.id.into(),
                    d.direction.code().into(),
                    d.org.0.into(),
                    d.unit.map(|o| o.0).into(),
                    d.doc_type.as_str().into(),
                    d.number.into(),
                    d.issuer_code.clone().into(),
                    d.symbol.clone().into(),
                    d.scope.clone().into(),
                    d.issued_on.map(iso).into(),
                    d.issuer_name.clone().into(),
                    d.summary.as_str().into(),
                    d.signer.clone().into(),
                    d.recipients.clone().into(),
                    d.secrecy.clone().into(),
                    d.urgency.clone().into(),
                    d.arrival_number.into(),
                    d.arrival_on.map(iso).into(),
                    d.assigned_to.clone().into(),
                    d.deadline.map(iso).into(),
                    d.status.as_str().into(),
                    d.status_on.map(iso).into(),
                    d.withdrawn_reason.clone().into(),
                    d.created_by.as_str().into(),
                    now.into(),
                    1.into(),
                ]
            })
            .collect();
        insert_rows(&mut self.tx, "document", &COLUMNS, &rows).await?;
        let terms: Vec<Vec<String>> = docs.iter().map(|d| index_terms(&row_text(d))).collect();
        let index: Vec<Vec<Cell>> = docs.iter().zip(&terms).map(|(d, t)| vec![d.id.into(), t.join(" ").into()]).collect();
        let key = match self.backend {
            Backend::Sqlite => "rowid",
            Backend::Postgres => "document_id",
        };
        insert_rows(&mut self.tx, "fts_document", &[key, "folded"], &index).await?;
        self.record_terms(terms.iter().flatten().map(String::as_str)).await
    }

    /// Adds index words to the word list prefixes are expanded from.
    async fn record_terms<'a>(&mut self, terms: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
        let distinct: BTreeSet<&str> = terms.into_iter().filter(|t| !t.is_empty() && t.chars().count() <= LONGEST_EXPANDED_TERM).collect();
        let rows: Vec<Vec<Cell>> = distinct.into_iter().map(|t| vec![t.into()]).collect();
        insert_rows_ignoring_duplicates(&mut self.tx, "fts_term", &["term"], &rows).await
    }

    async fn write_index(&mut self, id: i64, text: &str, new: bool) -> Result<(), StoreError> {
        let terms = index_terms(text);
        self.record_terms(terms.iter().map(String::as_str)).await?;
        let folded = terms.join(" ");
        match self.backend {
            Backend::Sqlite => {
                if !new {
                    sqlx::query("DELETE FROM fts_document WHERE rowid = $1").bind(id).execute(&mut *self.tx).await?;
                }
                sqlx::query("INSERT INTO fts_document (rowid, folded) VALUES ($1, $2)").bind(id).bind(folded).execute(&mut *self.tx).await?;
            }
            Backend::Postgres => {
                sqlx::query("INSERT INTO fts_document (document_id, folded) VALUES ($1, $2) ON CONFLICT (document_id) DO UPDATE SET folded = excluded.folded")
                    .bind(id)
                    .bind(folded)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Sets a document's status if it is still at `version`; `false` when someone changed it first.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_document_status(
        &mut self,
        id: i64,
        version: i64,
        status: &str,
        on: Date,
        assigned_to: Option<&str>,
        withdrawn_reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE document SET status = $1, status_on = $2, assigned_to = coalesce($3, assigned_to), \
             withdrawn_reason = coalesce($4, withdrawn_reason), version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(status)
        .bind(iso(on))
        .bind(assigned_to)
        .bind(withdrawn_reason)
        .bind(id)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            self.index_document(id).await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// Keeps the content once per hash, in the database or the attachment directory.
    pub async fn put_blob(&mut self, place: &BlobPlace, hash: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let content = match place {
            BlobPlace::Database => Some(bytes.to_vec()),
            BlobPlace::Directory(dir) => {
                let path = blob_path(dir, hash);
                if !path.exists() {
                    write_synced(&path, bytes).map_err(|e| StoreError::Corrupt(format!("attachment directory: {e}")))?;
                }
                None
            }
        };
        sqlx::query("INSERT INTO blob (hash, size, content) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING")
            .bind(hash)
            .bind(bytes.len() as i64)
            .bind(content)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_attachment(&mut self, a: &AttachmentRow) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO document_attachment (document_id, blob_hash, name, content_type, size, text) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.document)
        .bind(a.hash.as_str())
        .bind(a.name.as_str())
        .bind(a.content_type.as_str())
        .bind(a.size)
        .bind(a.text.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        self.index_document(a.document).await?;
        Ok(row.try_get(0)?)
    }

    /// Rewrites the index entry of one document from what is stored, inside this transaction.
    pub async fn index_document(&mut self, id: i64) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT symbol, summary, issuer_name, issuer_code, doc_type FROM document WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        let mut text = Vec::new();
        for col in ["symbol", "summary", "issuer_name", "issuer_code", "doc_type"] {
            if let Some(v) = row.try_get::<Option<String>, _>(col)? {
                text.push(v);
            }
        }
        let attachments = sqlx::query("SELECT name, text FROM document_attachment WHERE document_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *self.tx)
            .await?;
        for a in attachments {
            text.push(a.try_get("name")?);
            text.push(a.try_get("text")?);
        }
        self.write_index(id, &text.join(" "), false).await
    }

    /// Makes a sequence continue after `at_least - 1` at the earliest: a number imported from the
    /// paper register is never given again.
    pub async fn raise_next_number(&mut self, org: OrgId, scope: &str, doc_type: &str, at_least: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO doc_sequence (org_id, scope, doc_type, next_number) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, scope, doc_type) DO UPDATE SET next_number = CASE WHEN doc_sequence.next_number < excluded.next_number \
             THEN excluded.next_number ELSE doc_sequence.next_number END",
        )
        .bind(org.0)
        .bind(scope)
        .bind(doc_type)
        .bind(at_least)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sets where a sequence continues from, for records registered before this system.
    pub async fn set_next_number(&mut self, org: OrgId, scope: &str, doc_type: &str, next: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO doc_sequence (org_id, scope, doc_type, next_number) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, scope, doc_type) DO UPDATE SET next_number = excluded.next_number",
        )
        .bind(org.0)
        .bind(scope)
        .bind(doc_type)
        .bind(next)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Rebuilds the whole index from the documents; returns how many were indexed.
    pub async fn reindex_documents(&mut self) -> Result<i64, StoreError> {
        sqlx::query("DELETE FROM fts_document").execute(&mut *self.tx).await?;
        sqlx::query("DELETE FROM fts_term").execute(&mut *self.tx).await?;
        let ids = sqlx::query("SELECT id FROM document ORDER BY id").fetch_all(&mut *self.tx).await?;
        let mut n = 0;
        for r in ids {
            self.index_document(r.try_get(0)?).await?;
            n += 1;
        }
        Ok(n)
    }

    pub async fn create_work_record(&mut self, r: &WorkRecordRow) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO work_record (org_id, code, title, opened_on, closed_on, retention_years, keeper, status, archived_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(r.org.0)
        .bind(r.code.as_str())
        .bind(r.title.as_str())
        .bind(iso(r.opened_on))
        .bind(r.closed_on.map(iso))
        .bind(r.retention_years)
        .bind(r.keeper.as_str())
        .bind(r.status.as_str())
        .bind(r.archived_on.map(iso))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn file_document(&mut self, record: i64, document: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO work_record_document (record_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(record)
            .bind(document)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Moves a record from `from` status to `to`, setting the date column of that status.
    pub async fn set_record_status(&mut self, id: i64, from: &str, to: &str, on: Date) -> Result<bool, StoreError> {
        let sql = if to == "closed" {
            "UPDATE work_record SET status = $1, closed_on = $2 WHERE id = $3 AND status = $4"
        } else {
            "UPDATE work_record SET status = $1, archived_on = $2 WHERE id = $3 AND status = $4"
        };
        let done = sqlx::query(sql).bind(to).bind(iso(on)).bind(id).bind(from).execute(&mut *self.tx).await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Writes a file and syncs it and its directory, so it survives a crash once the row commits.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

impl Store {
    pub async fn register_code(&self, org: OrgId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT issuer_code FROM doc_register WHERE org_id = $1").bind(org.0).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Organizations that keep a register, with their issuer codes.
    pub async fn registers(&self) -> Result<Vec<(OrgId, String)>, StoreError> {
        let rows = sqlx::query("SELECT org_id, issuer_code FROM doc_register ORDER BY org_id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get(0)?), r.try_get(1)?))).collect()
    }

    /// The committee term covering `date`.
    pub async fn term_on(&self, org: OrgId, date: Date) -> Result<Option<TermRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, name, starts_on, ends_on FROM committee_term WHERE org_id = $1 AND starts_on <= $2 \
             AND (ends_on IS NULL OR ends_on >= $2) ORDER BY starts_on DESC LIMIT 1",
        )
        .bind(org.0)
        .bind(iso(date))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(TermRow { id: r.try_get(0)?, org: OrgId(r.try_get(1)?), name: r.try_get(2)?, starts_on: date_col(&r, "starts_on")?, ends_on: opt_date_col(&r, "ends_on")? })
        })
        .transpose()
    }

    /// The document of a register with this number in a sequence (`term:…` with its type, or
    /// `arrival:YEAR`), if any: what an import matches a row on.
    pub async fn document_numbered(&self, org: OrgId, scope: &str, doc_type: Option<&str>, number: i64) -> Result<Option<i64>, StoreError> {
        let row = match doc_type {
            Some(t) => sqlx::query("SELECT id FROM document WHERE org_id = $1 AND scope = $2 AND doc_type = $3 AND number = $4").bind(org.0).bind(scope).bind(t).bind(number).fetch_optional(&self.pool).await?,
            None => sqlx::query("SELECT id FROM document WHERE org_id = $1 AND scope = $2 AND arrival_number = $3").bind(org.0).bind(scope).bind(number).fetch_optional(&self.pool).await?,
        };
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    pub async fn document(&self, id: i64) -> Result<Option<DocumentRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM document d WHERE d.id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(doc_from_row).transpose()
    }

    /// Documents with this number and symbol (canonical form) in any of `registers`, newest first.
    pub async fn documents_by_symbol(&self, symbol: &str, registers: &[OrgId]) -> Result<Vec<DocumentRow>, StoreError> {
        if registers.is_empty() {
            return Ok(Vec::new());
        }
        let p = (2..2 + registers.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {COLUMNS} FROM document d WHERE d.symbol = $1 AND d.org_id IN ({p}) ORDER BY d.id DESC");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(symbol);
        for r in registers {
            q = q.bind(r.0);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(doc_from_row).collect()
    }

    fn filter_sql(filter: &SearchFilter, first: usize) -> (String, Vec<i64>) {
        let mut sql = format!(
            " AND (${a} IS NULL OR d.direction = ${a}) AND (${b} IS NULL OR d.doc_type = ${b}) AND (${c} IS NULL OR d.issuer_code = ${c}) \
             AND (${d} IS NULL OR d.status = ${d}) AND (${e} IS NULL OR coalesce(d.issued_on, d.arrival_on) >= ${e}) \
             AND (${f} IS NULL OR coalesce(d.issued_on, d.arrival_on) <= ${f})",
            a = first,
            b = first + 1,
            c = first + 2,
            d = first + 3,
            e = first + 4,
            f = first + 5
        );
        let ids: Vec<i64> = filter.registers.as_ref().map(|r| r.iter().map(|o| o.0).collect()).unwrap_or_default();
        if filter.registers.is_some() {
            if ids.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                let p = (first + 6..first + 6 + ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                sql.push_str(&format!(" AND d.org_id IN ({p})"));
            }
        }
        (sql, ids)
    }

    fn bind_filter<'q>(
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        filter: &SearchFilter,
        ids: Vec<i64>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        q = q
            .bind(filter.direction.map(|d| d.code()))
            .bind(filter.doc_type.clone())
            .bind(filter.issuer_code.clone())
            .bind(filter.status.clone())
            .bind(filter.from.map(iso))
            .bind(filter.to.map(iso));
        for id in ids {
            q = q.bind(id);
        }
        q
    }

    /// The newest documents matching every term of `terms` (the last one as a prefix) and the
    /// filters, at most `limit`. Newest first is the order the index reads in, so a common word
    /// costs no more than a rare one: the search stops at `limit` matches.
    pub async fn search_documents(&self, terms: &[String], filter: &SearchFilter, limit: i64) -> Result<Vec<DocumentRow>, StoreError> {
        let Some((prefix, whole)) = terms.split_last() else { return Ok(Vec::new()) };
        let expansions = self.expand_prefix(prefix).await?;
        let unfiltered = *filter == SearchFilter::default();
        let (sql, ids) = Store::filter_sql(filter, 3);
        match self.backend() {
            Backend::Sqlite => {
                let last = match &expansions {
                    Some(words) => format!("({})", words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" OR ")),
                    None => format!("\"{prefix}\"*"),
                };
                let q = whole.iter().map(|t| format!("\"{t}\"")).chain([last]).collect::<Vec<_>>().join(" AND ");
                let inner = if unfiltered {
                    "SELECT rowid AS id FROM fts_document WHERE fts_document MATCH $1 ORDER BY rowid DESC LIMIT $2".to_owned()
                } else {
                    format!("SELECT d.id FROM fts_document JOIN document d ON d.id = fts_document.rowid WHERE fts_document MATCH $1 {sql} ORDER BY fts_document.rowid DESC LIMIT $2")
                };
                self.newest_matches(&inner, q, filter, &ids, limit).await
            }
            Backend::Postgres => {
                let last = match &expansions {
                    Some(words) => format!("({})", words.join(" | ")),
                    None => format!("{prefix}:*"),
                };
                let q = whole.iter().cloned().chain([last]).collect::<Vec<_>>().join(" & ");
                // PostgreSQL's planner takes the words of a query as independent, but Vietnamese
                // syllables come in phrases ("tổ chức xây dựng"): it expects a few hundred matches
                // where there are tens of thousands, and reads them all through the GIN index.
                // So the newest documents are tried first, a window of them read backwards (a few
                // milliseconds), then a larger window if matches there were too few; only a query
                // rarer than that asks the GIN index, which is then the cheap way. Every answer is
                // the exact newest matches.
                // The query is parsed once, in a subquery: a cached generic plan would otherwise
                // parse it again for every row of the window.
                let matches = "f.tsv @@ (SELECT to_tsquery('simple', $1))";
                let recent = |window: i64| {
                    let window = format!("(SELECT document_id, tsv FROM fts_document ORDER BY document_id DESC LIMIT {window}) f");
                    if unfiltered {
                        format!("SELECT f.document_id AS id FROM {window} WHERE {matches} ORDER BY f.document_id DESC LIMIT $2")
                    } else {
                        format!("SELECT d.id FROM {window} JOIN document d ON d.id = f.document_id WHERE {matches} {sql} ORDER BY f.document_id DESC LIMIT $2")
                    }
                };
                let want = limit.clamp(1, 1000);
                let found = self.newest_matches(&recent(RECENT_WINDOW), q.clone(), filter, &ids, limit).await?;
                if found.len() as i64 >= want {
                    return Ok(found);
                }
                // Some matched, fewer than asked: a window as many times larger as the matches
                // were short (a power of two, so few statements are cached), read the same way.
                // Cheaper than the GIN index, which would gather every match of the corpus.
                if !found.is_empty() {
                    let grown = (RECENT_WINDOW * want * 5 / 4 / found.len() as i64).max(RECENT_WINDOW + 1) as u64;
                    let grown = grown.next_power_of_two() as i64;
                    if grown <= LARGEST_WINDOW {
                        let found = self.newest_matches(&recent(grown), q.clone(), filter, &ids, limit).await?;
                        if found.len() as i64 >= want {
                            return Ok(found);
                        }
                    }
                }
                // Sorted by `document_id + 0`, not by the key: a generic plan, which cannot see how
                // rare the query is, would otherwise read the whole key backwards.
                let inner = if unfiltered {
                    format!("SELECT f.document_id AS id FROM fts_document f WHERE {matches} ORDER BY f.document_id + 0 DESC LIMIT $2")
                } else {
                    format!("SELECT d.id FROM fts_document f JOIN document d ON d.id = f.document_id WHERE {matches} {sql} ORDER BY f.document_id + 0 DESC LIMIT $2")
                };
                self.newest_matches(&inner, q, filter, &ids, limit).await
            }
        }
    }

    /// The documents of `inner` (ids of the matches of `$1`, at most `$2`, filters from `$3`), newest first.
    async fn newest_matches(&self, inner: &str, query: String, filter: &SearchFilter, ids: &[i64], limit: i64) -> Result<Vec<DocumentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM ({inner}) newest JOIN document d ON d.id = newest.id ORDER BY d.id DESC");
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(query).bind(limit.clamp(1, 1000));
        let q = if *filter == SearchFilter::default() { q } else { Store::bind_filter(q, filter, ids.to_vec()) };
        q.fetch_all(&self.pool).await?.iter().map(doc_from_row).collect()
    }

    /// The index words starting with `prefix`, itself included; `None` when there are more than
    /// `MOST_EXPANSIONS`, for the index's own prefix search. A prefix the index expands itself
    /// gathers every match before the first is returned; a few whole words are read newest first.
    async fn expand_prefix(&self, prefix: &str) -> Result<Option<Vec<String>>, StoreError> {
        let rows = sqlx::query("SELECT term FROM fts_term WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3")
            .bind(prefix)
            .bind(format!("{prefix}\u{10FFFF}"))
            .bind(MOST_EXPANSIONS + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut words: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        if words.len() > MOST_EXPANSIONS as usize {
            return Ok(None);
        }
        if !words.iter().any(|w| w == prefix) {
            words.push(prefix.to_owned());
        }
        Ok(Some(words))
    }

    /// A register page without a query: newest first.
    pub async fn list_documents(&self, filter: &SearchFilter, limit: i64, offset: i64) -> Result<Vec<DocumentRow>, StoreError> {
        let (sql, ids) = Store::filter_sql(filter, 3);
        let q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM document d WHERE 1 = 1 {sql} ORDER BY {DAY} DESC, d.id DESC LIMIT $1 OFFSET $2")))
            .bind(limit.clamp(1, 1000))
            .bind(offset.max(0));
        let q = Store::bind_filter(q, filter, ids);
        q.fetch_all(&self.pool).await?.iter().map(doc_from_row).collect()
    }

    /// As `list_documents`, the `limit` documents that come after `after` (a document of the
    /// list) in its order: a whole register read in batches, each found by the index, not by
    /// skipping what came before.
    pub async fn list_documents_after(&self, filter: &SearchFilter, after: Option<&DocumentRow>, limit: i64) -> Result<Vec<DocumentRow>, StoreError> {
        let (sql, ids) = Store::filter_sql(filter, 4);
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM document d WHERE ($1 IS NULL OR {DAY} < $1 OR ({DAY} = $1 AND d.id < $2)) {sql} ORDER BY {DAY} DESC, d.id DESC LIMIT $3"
        )))
        .bind(after.map(|d| d.issued_on.or(d.arrival_on).map(iso).unwrap_or_default()))
        .bind(after.map_or(0, |d| d.id))
        .bind(limit.clamp(1, 1000));
        let q = Store::bind_filter(q, filter, ids);
        q.fetch_all(&self.pool).await?.iter().map(doc_from_row).collect()
    }

    pub async fn attachments(&self, document: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        let rows = sqlx::query("SELECT id, document_id, blob_hash, name, content_type, size, text FROM document_attachment WHERE document_id = $1 ORDER BY id")
            .bind(document)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AttachmentRow {
                    id: r.try_get(0)?,
                    document: r.try_get(1)?,
                    hash: r.try_get(2)?,
                    name: r.try_get(3)?,
                    content_type: r.try_get(4)?,
                    size: r.try_get(5)?,
                    text: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// The content of a blob, from the database or the attachment directory.
    pub async fn blob(&self, place: &BlobPlace, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT content FROM blob WHERE hash = $1").bind(hash).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>(0)? {
            return Ok(Some(bytes));
        }
        match place {
            BlobPlace::Directory(dir) => std::fs::read(blob_path(dir, hash)).map(Some).map_err(|e| StoreError::Corrupt(format!("attachment {hash}: {e}"))),
            BlobPlace::Database => Err(StoreError::Corrupt(format!("attachment {hash} is kept on disk, but no directory is configured"))),
        }
    }

    /// Documents and index entries: equal when the index is whole.
    pub async fn index_counts(&self) -> Result<(i64, i64), StoreError> {
        let docs: i64 = sqlx::query("SELECT count(*) FROM document").fetch_one(&self.pool).await?.try_get(0)?;
        let indexed: i64 = sqlx::query("SELECT count(*) FROM fts_document").fetch_one(&self.pool).await?.try_get(0)?;
        Ok((docs, indexed))
    }

    /// Counts for the processing statistics: `(all, by unit)` of one direction in a register and period.
    /// A register's incoming documents of `year` by month of arrival: `(month, arrived, handled or
    /// filed since)`.
    pub async fn incoming_by_month(&self, org: OrgId, year: i16) -> Result<[(i64, i64); 12], StoreError> {
        let rows = sqlx::query(
            "SELECT arrival_on, status FROM document WHERE org_id = $1 AND direction = 'incoming' AND arrival_on >= $2 AND arrival_on <= $3",
        )
        .bind(org.0)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        let mut out = [(0i64, 0i64); 12];
        for r in rows {
            let Some(on) = opt_date_col(&r, "arrival_on")? else { continue };
            let status: String = r.try_get("status")?;
            let month = &mut out[usize::try_from(on.month() - 1).unwrap_or(0)];
            month.0 += 1;
            if matches!(status.as_str(), "handled" | "filed") {
                month.1 += 1;
            }
        }
        Ok(out)
    }

    pub async fn document_counts(&self, org: OrgId, unit: OrgId, direction: Direction, from: Date, to: Date) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT count(*), coalesce(sum(CASE WHEN unit_id = $2 THEN 1 ELSE 0 END), 0) FROM document \
             WHERE org_id = $1 AND direction = $3 AND status <> 'withdrawn' AND coalesce(issued_on, arrival_on) >= $4 AND coalesce(issued_on, arrival_on) <= $5",
        )
        .bind(org.0)
        .bind(unit.0)
        .bind(direction.code())
        .bind(iso(from))
        .bind(iso(to))
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Work records of `registers` (all when `None`), newest first: all of them or one page
    /// (`(limit, offset)`).
    pub async fn work_records(&self, registers: Option<&[OrgId]>, page: Option<(i64, i64)>) -> Result<Vec<WorkRecordRow>, StoreError> {
        if let Some(list) = registers.filter(|l| l.len() > IN_CHUNK) {
            // Each chunk's first rows hold the page's; they are merged, then the page is cut.
            let first = chunk_page(page);
            let mut out = Vec::new();
            for chunk in list.chunks(IN_CHUNK) {
                out.extend(Box::pin(self.work_records(Some(chunk), first)).await?);
            }
            out.sort_by_key(|r| std::cmp::Reverse((r.opened_on, r.id)));
            return Ok(cut_page(out, page));
        }
        let (filter, ids) = match registers {
            Some([]) => return Ok(Vec::new()),
            Some(list) => (format!("WHERE org_id IN ({})", placeholders(1, list.len())), list.iter().map(|o| o.0).collect()),
            None => (String::new(), Vec::new()),
        };
        let page = page_clause(page);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, org_id, code, title, opened_on, closed_on, retention_years, keeper, status, archived_on FROM work_record {filter} ORDER BY opened_on DESC, id DESC{page}"
        )));
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&self.pool).await?.iter().map(record_from_row).collect()
    }

    pub async fn work_record(&self, id: i64) -> Result<Option<WorkRecordRow>, StoreError> {
        let row = sqlx::query("SELECT id, org_id, code, title, opened_on, closed_on, retention_years, keeper, status, archived_on FROM work_record WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    pub async fn record_documents(&self, record: i64) -> Result<Vec<DocumentRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM document d JOIN work_record_document w ON w.document_id = d.id WHERE w.record_id = $1 \
             ORDER BY coalesce(d.issued_on, d.arrival_on), d.id"
        )))
        .bind(record)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(doc_from_row).collect()
    }
}
