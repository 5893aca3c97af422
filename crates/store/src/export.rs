//! The whole database as one JSON document, and back into an empty database. The document is
//! deterministic: tables by name, rows by key (or by content where a table has no `id`), columns
//! by name, so the same data gives the same bytes on SQLite and on PostgreSQL. The search index
//! is not exported: it is rebuilt from the documents.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use base64::Engine;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::bulk::{insert_rows, quoted, Cell};
use crate::db::{Backend, Store, StoreError};

pub const EXPORT_FORMAT: &str = "thidua-export";
pub const EXPORT_VERSION: i64 = 1;

/// Rows fetched per query when a table is read by key.
const PAGE: i64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Integer,
    Text,
    Bytes,
}

struct Table {
    name: String,
    columns: Vec<(String, Class)>,
    /// An integer `id`, restored with its identity sequence.
    has_id: bool,
    /// The column rows are read in order of, page by page: `id`, `seq` or a blob's `hash`.
    key: Option<(String, Class)>,
}

/// Not exported: sessions and failed sign-ins are of the running installation, not its records.
const TRANSIENT: [&str; 2] = ["user_session", "login_failure"];

/// Settings left out unless asked for: the installation's private signing key.
const SECRET_META: [&str; 1] = ["installation_signing_key"];

fn io(e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("cannot write the export: {e}"))
}

impl Store {
    async fn tables(&self) -> Result<Vec<Table>, StoreError> {
        let mut by_name: BTreeMap<String, Vec<(String, Class)>> = BTreeMap::new();
        for (table, column, class, _) in self.schema().await? {
            let class = match class.as_str() {
                "integer" => Class::Integer,
                "bytes" => Class::Bytes,
                _ => Class::Text,
            };
            by_name.entry(table).or_default().push((column, class));
        }
        Ok(by_name
            .into_iter()
            .filter(|(name, _)| !TRANSIENT.contains(&name.as_str()))
            .map(|(name, columns)| {
                let has_id = columns.iter().any(|(c, class)| c == "id" && *class == Class::Integer);
                let key = columns
                    .iter()
                    .find(|(c, class)| (c == "id" || c == "seq") && *class == Class::Integer)
                    .or_else(|| columns.iter().find(|(c, _)| name == "blob" && c == "hash"))
                    .cloned();
                Table { name, columns, has_id, key }
            })
            .collect())
    }

    /// Writes every table to `out`, as of one moment (one read transaction); returns the number
    /// of rows. The signing key is left out unless `secrets`.
    pub async fn export_json(&self, out: &mut (dyn Write + Send), secrets: bool) -> Result<u64, StoreError> {
        let tables = self.tables().await?;
        let mut snapshot = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *snapshot).await?;
        }
        let mut rows_written = 0u64;
        write!(out, "{{\"format\":\"{EXPORT_FORMAT}\",\"version\":{EXPORT_VERSION},\"tables\":{{").map_err(io)?;
        for (i, t) in tables.iter().enumerate() {
            if i > 0 {
                out.write_all(b",").map_err(io)?;
            }
            writeln!(out).map_err(io)?;
            serde_json::to_writer(&mut *out, &t.name).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.write_all(b":[").map_err(io)?;
            let columns = t.columns.iter().map(|(c, _)| quoted(c)).collect::<Vec<_>>().join(", ");
            let mut lines: Vec<String> = Vec::new();
            let mut first = true;
            let mut emit = |line: String, out: &mut (dyn Write + Send)| -> Result<(), StoreError> {
                if !first {
                    out.write_all(b",").map_err(io)?;
                }
                first = false;
                out.write_all(b"\n").map_err(io)?;
                out.write_all(line.as_bytes()).map_err(io)
            };
            if let Some((key, class)) = &t.key {
                // Page by page in key order (integers, or a blob's lowercase hex hash, which
                // both databases order alike); a page of blobs is kept small.
                let page = if t.name == "blob" { 50 } else { PAGE };
                let (mut after_int, mut after_text) = (i64::MIN, String::new());
                loop {
                    let sql = format!("SELECT {columns} FROM {} WHERE {} > $1 ORDER BY {} LIMIT {page}", quoted(&t.name), quoted(key), quoted(key));
                    let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    let q = if *class == Class::Integer { q.bind(after_int) } else { q.bind(after_text.clone()) };
                    let rows = q.fetch_all(&mut *snapshot).await?;
                    for r in &rows {
                        if *class == Class::Integer {
                            after_int = r.try_get(key.as_str())?;
                        } else {
                            after_text = r.try_get(key.as_str())?;
                        }
                        emit(row_json(t, r)?, out)?;
                        rows_written += 1;
                    }
                    if (rows.len() as i64) < page {
                        break;
                    }
                }
            } else {
                // No key to order by: the rows' own text orders them, the same on both backends.
                let sql = format!("SELECT {columns} FROM {}", quoted(&t.name));
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *snapshot).await? {
                    if t.name == "meta" && !secrets && r.try_get::<String, _>("key").is_ok_and(|k| SECRET_META.contains(&k.as_str())) {
                        continue;
                    }
                    lines.push(row_json(t, &r)?);
                }
                lines.sort();
                rows_written += lines.len() as u64;
                for line in lines {
                    emit(line, out)?;
                }
            }
            out.write_all(b"]").map_err(io)?;
        }
        out.write_all(b"\n}}\n").map_err(io)?;
        snapshot.rollback().await?;
        Ok(rows_written)
    }

    /// Whether the database holds data of its own (organizations, members, documents): an
    /// export is restored only where it replaces nothing but what the first start put there.
    pub async fn holds_data(&self) -> Result<bool, StoreError> {
        for table in ["org_event", "member", "document", "user_account"] {
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&self.pool).await?.try_get(0)?;
            if n > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Tables in an order where each comes after those it refers to.
    async fn insertion_order(&self, tables: &[Table]) -> Result<Vec<String>, StoreError> {
        let mut refers: HashMap<String, HashSet<String>> = HashMap::new();
        match self.backend() {
            Backend::Sqlite => {
                for t in tables {
                    let rows = sqlx::query("SELECT \"table\" FROM pragma_foreign_key_list($1)").bind(t.name.as_str()).fetch_all(&self.pool).await?;
                    for r in rows {
                        refers.entry(t.name.clone()).or_default().insert(r.try_get(0)?);
                    }
                }
            }
            Backend::Postgres => {
                let rows = sqlx::query(
                    "SELECT tc.table_name::text, ccu.table_name::text FROM information_schema.table_constraints tc \
                     JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema \
                     WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
                )
                .fetch_all(&self.pool)
                .await?;
                for r in rows {
                    refers.entry(r.try_get(0)?).or_default().insert(r.try_get(1)?);
                }
            }
        }
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        let mut placed: Vec<String> = Vec::new();
        let mut left: Vec<String> = names.clone();
        while !left.is_empty() {
            let ready: Vec<String> = left
                .iter()
                .filter(|t| refers.get(*t).is_none_or(|r| r.iter().all(|x| x == *t || placed.contains(x) || !names.contains(x))))
                .cloned()
                .collect();
            if ready.is_empty() {
                return Err(StoreError::Corrupt(format!("tables refer to each other in a cycle: {left:?}")));
            }
            left.retain(|t| !ready.contains(t));
            placed.extend(ready);
        }
        Ok(placed)
    }

    /// Loads an export in one transaction, replacing what the first start put in the database.
    /// Refused where the database holds data of its own. Returns the number of rows.
    pub async fn restore_json(&self, doc: &Value) -> Result<u64, StoreError> {
        if doc["format"] != EXPORT_FORMAT || doc["version"] != EXPORT_VERSION {
            return Err(StoreError::Corrupt("not a thidua export of a version this program reads".into()));
        }
        let data = doc["tables"].as_object().ok_or_else(|| StoreError::Corrupt("the export has no tables".into()))?;
        if self.holds_data().await? {
            return Err(StoreError::Corrupt("the database already holds data: an export is restored into an empty database".into()));
        }
        let tables = self.tables().await?;
        if let Some(unknown) = data.keys().find(|k| !tables.iter().any(|t| &t.name == *k)) {
            return Err(StoreError::Corrupt(format!("the export has a table this database does not: {unknown}")));
        }
        let order = self.insertion_order(&tables).await?;
        let by_name: HashMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut tx = self.begin().await?;
        tx.registry_written = true;
        for name in order.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", quoted(name)))).execute(&mut *tx.tx).await?;
        }
        let mut count = 0u64;
        for name in &order {
            let t = by_name[name.as_str()];
            let Some(rows) = data.get(name).and_then(Value::as_array) else { continue };
            let columns: Vec<&str> = t.columns.iter().map(|(c, _)| c.as_str()).collect();
            for chunk in rows.chunks(PAGE as usize) {
                let mut cells = Vec::with_capacity(chunk.len());
                for row in chunk {
                    let row = row.as_object().ok_or_else(|| StoreError::Corrupt(format!("a row of {name} is not an object")))?;
                    let mut values = Vec::with_capacity(t.columns.len());
                    for (column, class) in &t.columns {
                        let v = row.get(column).unwrap_or(&Value::Null);
                        let bad = || StoreError::Corrupt(format!("{name}.{column} holds {v}"));
                        values.push(match (class, v) {
                            (Class::Integer, Value::Null) => Cell::Int(None),
                            (Class::Text, Value::Null) => Cell::Text(None),
                            (Class::Bytes, Value::Null) => Cell::Bytes(None),
                            (Class::Integer, Value::Number(n)) => Cell::Int(Some(n.as_i64().ok_or_else(bad)?)),
                            (Class::Text, Value::String(s)) => Cell::Text(Some(s.clone())),
                            (Class::Bytes, Value::String(s)) => Cell::Bytes(Some(base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| bad())?)),
                            _ => return Err(bad()),
                        });
                    }
                    cells.push(values);
                }
                insert_rows(&mut tx.tx, name, &columns, &cells).await?;
                count += chunk.len() as u64;
            }
            if t.has_id {
                tx.resume_ids(&[name.as_str()]).await?;
            }
        }
        tx.reindex_documents().await?;
        tx.commit().await?;
        Ok(count)
    }
}

/// One row as a JSON object, columns by name.
fn row_json(t: &Table, r: &sqlx::any::AnyRow) -> Result<String, StoreError> {
    let mut map = Map::new();
    for (column, class) in &t.columns {
        let v = match class {
            Class::Integer => r.try_get::<Option<i64>, _>(column.as_str())?.map_or(Value::Null, Value::from),
            Class::Text => r.try_get::<Option<String>, _>(column.as_str())?.map_or(Value::Null, Value::from),
            Class::Bytes => r.try_get::<Option<Vec<u8>>, _>(column.as_str())?.map_or(Value::Null, |b| Value::from(base64::engine::general_purpose::STANDARD.encode(b))),
        };
        map.insert(column.clone(), v);
    }
    serde_json::to_string(&map).map_err(|e| StoreError::Corrupt(e.to_string()))
}
