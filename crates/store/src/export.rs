//! The whole database as one JSON document, and back into an empty database. The document is
//! deterministic: tables by name, rows by key (or by content where a table has no `id`), columns
//! by name, so the same data gives the same bytes on SQLite and on PostgreSQL. The search index
//! is not exported: it is rebuilt from the documents.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use base64::Engine;
use serde_json::{Map, Value};
use sqlx::Row;

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
    has_id: bool,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("cannot write the export: {e}"))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
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
            .map(|(name, columns)| {
                let has_id = columns.iter().any(|(c, class)| c == "id" && *class == Class::Integer);
                Table { name, columns, has_id }
            })
            .collect())
    }

    /// Writes every table to `out`; returns the number of rows.
    pub async fn export_json(&self, out: &mut (dyn Write + Send)) -> Result<u64, StoreError> {
        let tables = self.tables().await?;
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
            if t.has_id {
                let mut after = i64::MIN;
                loop {
                    let sql = format!("SELECT {columns} FROM {} WHERE id > $1 ORDER BY id LIMIT {PAGE}", quoted(&t.name));
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).fetch_all(&self.pool).await?;
                    for r in &rows {
                        after = r.try_get("id")?;
                        emit(row_json(t, r)?, out)?;
                        rows_written += 1;
                    }
                    if (rows.len() as i64) < PAGE {
                        break;
                    }
                }
            } else {
                // No key to order by: the rows' own text orders them, the same on both backends.
                let sql = format!("SELECT {columns} FROM {}", quoted(&t.name));
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await? {
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
        for name in order.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", quoted(name)))).execute(&mut *tx.tx).await?;
        }
        let mut count = 0u64;
        for name in &order {
            let t = by_name[name.as_str()];
            let Some(rows) = data.get(name).and_then(Value::as_array) else { continue };
            let columns = t.columns.iter().map(|(c, _)| quoted(c)).collect::<Vec<_>>().join(", ");
            let per = (30_000 / t.columns.len().max(1)).clamp(1, 500);
            for chunk in rows.chunks(per) {
                let mut n = 0;
                let values: Vec<String> = chunk
                    .iter()
                    .map(|_| {
                        let v: Vec<String> = t.columns.iter().map(|_| {
                            n += 1;
                            format!("${n}")
                        }).collect();
                        format!("({})", v.join(", "))
                    })
                    .collect();
                let sql = format!("INSERT INTO {} ({columns}) VALUES {}", quoted(name), values.join(", "));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for row in chunk {
                    let row = row.as_object().ok_or_else(|| StoreError::Corrupt(format!("a row of {name} is not an object")))?;
                    for (column, class) in &t.columns {
                        let v = row.get(column).unwrap_or(&Value::Null);
                        let bad = || StoreError::Corrupt(format!("{name}.{column} holds {v}"));
                        q = match (class, v) {
                            (Class::Integer, Value::Null) => q.bind(None::<i64>),
                            (Class::Text, Value::Null) => q.bind(None::<String>),
                            (Class::Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
                            (Class::Integer, Value::Number(n)) => q.bind(n.as_i64().ok_or_else(bad)?),
                            (Class::Text, Value::String(s)) => q.bind(s.clone()),
                            (Class::Bytes, Value::String(s)) => q.bind(base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| bad())?),
                            _ => return Err(bad()),
                        };
                    }
                }
                q.execute(&mut *tx.tx).await?;
                count += chunk.len() as u64;
            }
            if self.backend() == Backend::Postgres && t.has_id {
                // Identity columns go on from the largest id restored.
                let sql = format!("SELECT setval(pg_get_serial_sequence('{}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {}", quoted(name), quoted(name));
                sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&mut *tx.tx).await?;
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
