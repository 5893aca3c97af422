//! Many rows per statement: how a restore, a generated world and the registry's versions are
//! written when there are thousands of them.

use sqlx::{AnyConnection, Row};

use crate::db::{Backend, StoreError, Tx};

/// One value of a row, typed even when absent: PostgreSQL types every parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(Some(v))
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        Cell::Int(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(Some(v.to_owned()))
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(Some(v))
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        Cell::Text(v)
    }
}

impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Cell {
        Cell::Text(v.map(str::to_owned))
    }
}

/// Bound parameters per statement. SQLite finds a `$n` parameter by its name, one by one, so a
/// statement of such parameters costs the square of their number (500 rows of 26 columns took over
/// a second); these statements use anonymous `?` parameters there, bound in order, and stay under
/// SQLite's limit of 32,766.
const MAX_PARAMETERS: usize = 999;

/// A table or column name as an SQL identifier.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Inserts `rows` (each with one cell per column) into `table`, many rows per statement.
pub(crate) async fn insert_rows(conn: &mut AnyConnection, table: &str, columns: &[&str], rows: &[Vec<Cell>]) -> Result<(), StoreError> {
    insert(conn, table, columns, rows, Tail::Nothing).await.map(drop)
}

/// As `insert_rows`, leaving out rows whose key the table already holds.
pub(crate) async fn insert_rows_ignoring_duplicates(conn: &mut AnyConnection, table: &str, columns: &[&str], rows: &[Vec<Cell>]) -> Result<(), StoreError> {
    insert(conn, table, columns, rows, Tail::IgnoringDuplicates).await.map(drop)
}

/// As `insert_rows`, for rows given no id: their new ids, in the order of `rows`.
pub(crate) async fn insert_rows_returning_ids(conn: &mut AnyConnection, table: &str, columns: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<i64>, StoreError> {
    insert(conn, table, columns, rows, Tail::ReturningIds).await
}

/// What follows an insert's rows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    Nothing,
    ReturningIds,
    IgnoringDuplicates,
}

async fn insert(conn: &mut AnyConnection, table: &str, columns: &[&str], rows: &[Vec<Cell>], tail: Tail) -> Result<Vec<i64>, StoreError> {
    let returning = tail == Tail::ReturningIds;
    let anonymous = conn.backend_name() == "SQLite";
    let mut ids = Vec::new();
    if rows.is_empty() {
        return Ok(ids);
    }
    let names = columns.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ");
    let per = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let mut full_sql = None;
    for chunk in rows.chunks(per) {
        let build = || {
            let mut n = 0;
            let values: Vec<String> = (0..chunk.len())
                .map(|_| {
                    let marks: Vec<String> = (0..columns.len())
                        .map(|_| {
                            n += 1;
                            if anonymous { "?".to_owned() } else { format!("${n}") }
                        })
                        .collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            format!(
                "INSERT INTO {} ({names}) VALUES {}{}",
                quoted(table),
                values.join(", "),
                match tail {
                    Tail::Nothing => "",
                    Tail::ReturningIds => " RETURNING id",
                    Tail::IgnoringDuplicates => " ON CONFLICT DO NOTHING",
                }
            )
        };
        // Every full chunk has the same statement: built once.
        let sql = if chunk.len() == per { full_sql.get_or_insert_with(build).clone() } else { build() };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            if row.len() != columns.len() {
                return Err(StoreError::Corrupt(format!("a row of {table} has {} values for {} columns", row.len(), columns.len())));
            }
            for cell in row {
                q = match cell {
                    Cell::Int(v) => q.bind(*v),
                    Cell::Text(v) => q.bind(v.clone()),
                    Cell::Bytes(v) => q.bind(v.clone()),
                };
            }
        }
        if returning {
            // Both databases number one statement's rows in the order of its VALUES, though
            // RETURNING may list them otherwise: ascending ids are the rows' order.
            let mut new: Vec<i64> = q.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
            new.sort_unstable();
            if new.len() != chunk.len() {
                return Err(StoreError::Corrupt(format!("{} ids for {} rows of {table}", new.len(), chunk.len())));
            }
            ids.extend(new);
        } else {
            q.execute(&mut *conn).await?;
        }
    }
    Ok(ids)
}

impl Tx {
    /// Inserts rows as they are, ids included: for loading a generated world into an empty
    /// database. Call `resume_ids` for the tables afterwards.
    pub async fn insert_rows(&mut self, table: &'static str, columns: &[&'static str], rows: &[Vec<Cell>]) -> Result<(), StoreError> {
        insert_rows(&mut self.tx, table, columns, rows).await
    }

    /// After rows were inserted with their ids: PostgreSQL's identity sequence of each table goes on
    /// from its largest id (SQLite's AUTOINCREMENT does so by itself).
    pub async fn resume_ids(&mut self, tables: &[&str]) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        for table in tables {
            let name = quoted(table);
            let sql = format!("SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}");
            sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&mut *self.tx).await?;
        }
        Ok(())
    }
}
