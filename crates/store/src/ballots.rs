//! Secret ballots. Who may vote and whether they have voted live in `poll_voter`; ballots live in
//! `ballot` with no voter, no time and a random key. The two are written in the same transaction
//! (a vote is never lost or counted twice), so on PostgreSQL every cast and the close rewrite all of
//! the poll's ballots in key order: the ballots then share one transaction id and a physical order
//! that says nothing about who cast which, or when.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::ballot::{Marks, Mode, Question, Share, Status, Threshold};
use thidua_core::cluster::ClusterId;
use thidua_core::date::iso;
use thidua_core::org::OrgId;

use crate::accounts::UserId;
use crate::db::{date_col, Backend, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRow {
    pub id: i64,
    pub cluster: ClusterId,
    /// The scoring round the poll follows, if any.
    pub round: Option<i64>,
    pub title: String,
    pub question: Question,
    pub mode: Mode,
    /// How many may vote: the voters listed (electronic) or the number declared (paper).
    pub electorate: u32,
    pub quorum: Share,
    pub threshold: Threshold,
    /// Where the threshold comes from, e.g. the decree and article, or the cluster's Quy chế.
    pub threshold_source: String,
    /// The poll's day: the only time a ballot is tied to.
    pub held_on: Date,
    pub status: Status,
    pub created_by: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOptionRow {
    pub position: u16,
    pub label: String,
    pub org: Option<OrgId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterRow {
    pub user: UserId,
    pub voted: bool,
    /// Entered by the secretary from an absent member's written vote.
    pub written: bool,
}

/// A counted ballot as published after the close: its marks and its receipt's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRow {
    pub marks: Marks,
    pub receipt_hash: Option<String>,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T, StoreError> {
    serde_json::from_str(&r.try_get::<String, _>(col)?).map_err(|_| StoreError::Corrupt(format!("poll {col}")))
}

fn poll_from_row(r: &AnyRow) -> Result<PollRow, StoreError> {
    let mode: String = r.try_get("mode")?;
    let status: String = r.try_get("status")?;
    Ok(PollRow {
        id: r.try_get("id")?,
        cluster: ClusterId(r.try_get("cluster_id")?),
        round: r.try_get("round_id")?,
        title: r.try_get("title")?,
        question: parse(r, "question")?,
        mode: Mode::from_code(&mode).ok_or_else(|| StoreError::Corrupt("poll mode".into()))?,
        electorate: u32::try_from(r.try_get::<i64, _>("electorate")?).map_err(|_| StoreError::Corrupt("electorate".into()))?,
        quorum: parse(r, "quorum")?,
        threshold: parse(r, "threshold")?,
        threshold_source: r.try_get("threshold_source")?,
        held_on: date_col(r, "held_on")?,
        status: Status::from_code(&status).ok_or_else(|| StoreError::Corrupt("poll status".into()))?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

const POLL_COLUMNS: &str = "id, cluster_id, round_id, title, question, mode, electorate, quorum, threshold, threshold_source, held_on, status, created_by, version";

impl Tx {
    pub async fn create_poll(&mut self, p: &PollRow, options: &[PollOptionRow], voters: &[UserId]) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO poll (cluster_id, round_id, title, question, mode, electorate, quorum, threshold, threshold_source, held_on, status, created_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1) RETURNING id",
        )
        .bind(p.cluster.0)
        .bind(p.round)
        .bind(p.title.as_str())
        .bind(json(&p.question)?)
        .bind(p.mode.code())
        .bind(i64::from(p.electorate))
        .bind(json(&p.quorum)?)
        .bind(json(&p.threshold)?)
        .bind(p.threshold_source.as_str())
        .bind(iso(p.held_on))
        .bind(p.status.code())
        .bind(p.created_by.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        for o in options {
            sqlx::query("INSERT INTO poll_option (poll_id, position, label, org_id) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(i64::from(o.position))
                .bind(o.label.as_str())
                .bind(o.org.map(|x| x.0))
                .execute(&mut *self.tx)
                .await?;
        }
        for v in voters {
            sqlx::query("INSERT INTO poll_voter (poll_id, user_id, voted, written) VALUES ($1, $2, 0, 0) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(v.0)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(id)
    }

    /// The poll, locked for this transaction: casts, entries and the close take their turn.
    pub async fn lock_poll(&mut self, id: i64) -> Result<Option<PollRow>, StoreError> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {POLL_COLUMNS} FROM poll WHERE id = $1{lock}"))).bind(id).fetch_optional(&mut *self.tx).await?;
        row.as_ref().map(poll_from_row).transpose()
    }

    /// Moves a poll from `from` to `to`; `false` if it was not at `from`.
    pub async fn set_poll_status(&mut self, id: i64, from: Status, to: Status) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE poll SET status = $1, version = version + 1 WHERE id = $2 AND status = $3")
            .bind(to.code())
            .bind(id)
            .bind(from.code())
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that `user` has voted; `false` if they are not in the electorate or voted already.
    pub async fn mark_voted(&mut self, poll: i64, user: UserId, written: bool) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE poll_voter SET voted = 1, written = $1 WHERE poll_id = $2 AND user_id = $3 AND voted = 0")
            .bind(i64::from(written))
            .bind(poll)
            .bind(user.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many ballots are in the box, as this transaction sees it.
    pub async fn ballots_in_box(&mut self, poll: i64) -> Result<u32, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM ballot WHERE poll_id = $1").bind(poll).fetch_one(&mut *self.tx).await?;
        u32::try_from(row.try_get::<i64, _>(0)?).map_err(|_| StoreError::Corrupt("ballot count".into()))
    }

    /// Puts a ballot in the box under a random key.
    pub async fn add_ballot(&mut self, poll: i64, key: &str, marks: &Marks, receipt_hash: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO ballot (poll_id, ballot_key, marks, receipt_hash) VALUES ($1, $2, $3, $4)")
            .bind(poll)
            .bind(key)
            .bind(json(marks)?)
            .bind(receipt_hash)
            .execute(&mut *self.tx)
            .await?;
        self.shuffle_ballots(poll).await
    }

    /// On PostgreSQL, rewrites the poll's ballots in key order within this transaction, so that
    /// none keeps the transaction id or heap position of the cast that made it. (SQLite keeps the
    /// table in key order and stores no transaction ids.)
    async fn shuffle_ballots(&mut self, poll: i64) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        // One statement: the box is read once, whatever its size (a statement per ballot made
        // each cast cost a round trip per ballot already in).
        sqlx::query(
            "WITH old AS (DELETE FROM ballot WHERE poll_id = $1 RETURNING ballot_key, marks, receipt_hash) \
             INSERT INTO ballot (poll_id, ballot_key, marks, receipt_hash) SELECT $1, ballot_key, marks, receipt_hash FROM old ORDER BY ballot_key",
        )
        .bind(poll)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// At the close, on PostgreSQL: rewrites the ballots and touches every voter record in the
    /// closing transaction, so no voter record shares a transaction id with a cast any more.
    pub async fn seal_poll(&mut self, poll: i64) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        sqlx::query("UPDATE poll_voter SET voted = voted WHERE poll_id = $1").bind(poll).execute(&mut *self.tx).await?;
        self.shuffle_ballots(poll).await
    }
}

impl Store {
    pub async fn poll(&self, id: i64) -> Result<Option<PollRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {POLL_COLUMNS} FROM poll WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(poll_from_row).transpose()
    }

    pub async fn polls(&self, cluster: ClusterId) -> Result<Vec<PollRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {POLL_COLUMNS} FROM poll WHERE cluster_id = $1 ORDER BY held_on DESC, id DESC")))
            .bind(cluster.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(poll_from_row).collect()
    }

    pub async fn poll_options(&self, poll: i64) -> Result<Vec<PollOptionRow>, StoreError> {
        let rows = sqlx::query("SELECT position, label, org_id FROM poll_option WHERE poll_id = $1 ORDER BY position").bind(poll).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(PollOptionRow {
                    position: u16::try_from(r.try_get::<i64, _>(0)?).map_err(|_| StoreError::Corrupt("option position".into()))?,
                    label: r.try_get(1)?,
                    org: r.try_get::<Option<i64>, _>(2)?.map(OrgId),
                })
            })
            .collect()
    }

    pub async fn poll_voters(&self, poll: i64) -> Result<Vec<VoterRow>, StoreError> {
        let rows = sqlx::query("SELECT user_id, voted, written FROM poll_voter WHERE poll_id = $1 ORDER BY user_id").bind(poll).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(VoterRow { user: UserId(r.try_get(0)?), voted: r.try_get::<i64, _>(1)? != 0, written: r.try_get::<i64, _>(2)? != 0 }))
            .collect()
    }

    /// How many ballots are in the box.
    pub async fn ballot_count(&self, poll: i64) -> Result<u32, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM ballot WHERE poll_id = $1").bind(poll).fetch_one(&self.pool).await?;
        u32::try_from(row.try_get::<i64, _>(0)?).map_err(|_| StoreError::Corrupt("ballot count".into()))
    }

    /// The poll's ballots, ordered by receipt hash and key (both random).
    pub async fn ballots(&self, poll: i64) -> Result<Vec<BallotRow>, StoreError> {
        let rows = sqlx::query("SELECT marks, receipt_hash FROM ballot WHERE poll_id = $1 ORDER BY receipt_hash, ballot_key").bind(poll).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(BallotRow { marks: serde_json::from_str(&r.try_get::<String, _>(0)?).map_err(|_| StoreError::Corrupt("ballot marks".into()))?, receipt_hash: r.try_get(1)? }))
            .collect()
    }
}
