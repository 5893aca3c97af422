//! Scoring rounds: the snapshot of the criteria table and rules, score sheets and their lines and
//! files, peer assignments, the leader's adjustments, reopenings.

use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::cluster::ClusterId;
use thidua_core::emulation::Criterion;
use thidua_core::org::OrgId;
use thidua_core::scoring::{Adjustment, Centi, ScorerRole, ScoringRules};

use crate::db::{Backend, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRow {
    pub id: i64,
    pub campaign: i64,
    pub cluster: ClusterId,
    pub year: i16,
    /// The criteria table as it stood when the round opened.
    pub criteria: Vec<Criterion>,
    pub scale: u32,
    pub rules: ScoringRules,
    /// The leading unit, which scores as leader.
    pub leader: Option<OrgId>,
    /// The deputy, which scores the leading unit in the leader's place.
    pub deputy: Option<OrgId>,
    /// The units scored, as they were when the round opened (empty for rounds opened before
    /// membership was kept with the round).
    pub members: Vec<OrgId>,
    /// `open` or `closed`.
    pub closed: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub id: i64,
    pub round: i64,
    pub target: OrgId,
    pub role: ScorerRole,
    pub scorer: OrgId,
    pub submitted: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub sheet: i64,
    pub code: String,
    pub centi: Centi,
    /// Evidence as text.
    pub note: String,
    /// Evidence as a registered document.
    pub document: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreFileRow {
    pub id: i64,
    pub sheet: i64,
    pub code: String,
    pub hash: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub id: i64,
    pub target: OrgId,
    pub adjustment: Adjustment,
    pub actor: String,
    pub at_unix: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReopeningRow {
    pub reason: String,
    pub actor: String,
    pub at_unix: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

fn round_from_row(r: &AnyRow) -> Result<RoundRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(RoundRow {
        id: r.try_get("id")?,
        campaign: r.try_get("campaign_id")?,
        cluster: ClusterId(r.try_get("cluster_id")?),
        year: i16::try_from(r.try_get::<i64, _>("year")?).map_err(|_| corrupt("year"))?,
        criteria: serde_json::from_str(&r.try_get::<String, _>("criteria")?).map_err(|_| corrupt("round criteria"))?,
        scale: u32::try_from(r.try_get::<i64, _>("scale")?).map_err(|_| corrupt("scale"))?,
        rules: serde_json::from_str(&r.try_get::<String, _>("rules")?).map_err(|_| corrupt("round rules"))?,
        leader: r.try_get::<Option<i64>, _>("leader_org_id")?.map(OrgId),
        deputy: r.try_get::<Option<i64>, _>("deputy_org_id")?.map(OrgId),
        members: serde_json::from_str(&r.try_get::<String, _>("members")?).map_err(|_| corrupt("round members"))?,
        closed: status == "closed",
        version: r.try_get("version")?,
    })
}

fn sheet_from_row(r: &AnyRow) -> Result<SheetRow, StoreError> {
    let role: String = r.try_get("role")?;
    Ok(SheetRow {
        id: r.try_get("id")?,
        round: r.try_get("round_id")?,
        target: OrgId(r.try_get("target_org_id")?),
        role: ScorerRole::from_code(&role).ok_or_else(|| corrupt("sheet role"))?,
        scorer: OrgId(r.try_get("scorer_org_id")?),
        submitted: r.try_get::<i64, _>("submitted")? != 0,
        version: r.try_get("version")?,
    })
}

const ROUND_COLUMNS: &str = "id, campaign_id, cluster_id, year, criteria, scale, rules, leader_org_id, deputy_org_id, members, status, version";
const SHEET_COLUMNS: &str = "id, round_id, target_org_id, role, scorer_org_id, submitted, version";

impl Tx {
    /// Opens a round; `None` if the campaign has one already.
    pub async fn create_round(&mut self, r: &RoundRow) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "INSERT INTO scoring_round (campaign_id, cluster_id, year, criteria, scale, rules, leader_org_id, deputy_org_id, members, status, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', 1) ON CONFLICT (campaign_id) DO NOTHING RETURNING id",
        )
        .bind(r.campaign)
        .bind(r.cluster.0)
        .bind(i64::from(r.year))
        .bind(serde_json::to_string(&r.criteria).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(i64::from(r.scale))
        .bind(serde_json::to_string(&r.rules).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(r.leader.map(|o| o.0))
        .bind(r.deputy.map(|o| o.0))
        .bind(serde_json::to_string(&r.members).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    /// The round, locked for this transaction: saves, adjustments and the close take their turn.
    pub async fn lock_round(&mut self, id: i64) -> Result<Option<RoundRow>, StoreError> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM scoring_round WHERE id = $1{lock}"))).bind(id).fetch_optional(&mut *self.tx).await?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// The round's sheets as this transaction sees them.
    pub async fn round_sheets(&mut self, round: i64) -> Result<Vec<SheetRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SHEET_COLUMNS} FROM score_sheet WHERE round_id = $1 ORDER BY id")))
            .bind(round)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(sheet_from_row).collect()
    }

    /// The sheet of `scorer` about `target` in `role`, created empty if there is none yet.
    pub async fn sheet(&mut self, round: i64, target: OrgId, role: ScorerRole, scorer: OrgId) -> Result<SheetRow, StoreError> {
        sqlx::query(
            "INSERT INTO score_sheet (round_id, target_org_id, role, scorer_org_id, submitted, version) VALUES ($1, $2, $3, $4, 0, 1) \
             ON CONFLICT (round_id, target_org_id, role, scorer_org_id) DO NOTHING",
        )
        .bind(round)
        .bind(target.0)
        .bind(role.code())
        .bind(scorer.0)
        .execute(&mut *self.tx)
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SHEET_COLUMNS} FROM score_sheet WHERE round_id = $1 AND target_org_id = $2 AND role = $3 AND scorer_org_id = $4"
        )))
        .bind(round)
        .bind(target.0)
        .bind(role.code())
        .bind(scorer.0)
        .fetch_one(&mut *self.tx)
        .await?;
        sheet_from_row(&row)
    }

    /// Replaces a sheet's lines if it is still at `version` and not yet submitted, submitting it
    /// when asked; `false` when someone changed or submitted it first.
    pub async fn save_sheet(&mut self, sheet: i64, version: i64, lines: &[LineRow], submit: bool) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE score_sheet SET version = version + 1, submitted = $1 WHERE id = $2 AND version = $3 AND submitted = 0")
            .bind(i64::from(submit))
            .bind(sheet)
            .bind(version)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM score_line WHERE sheet_id = $1").bind(sheet).execute(&mut *self.tx).await?;
        for l in lines {
            sqlx::query("INSERT INTO score_line (sheet_id, criterion_code, centi, note, document_id) VALUES ($1, $2, $3, $4, $5)")
                .bind(sheet)
                .bind(l.code.as_str())
                .bind(l.centi.0)
                .bind(l.note.as_str())
                .bind(l.document)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(true)
    }

    pub async fn add_score_file(&mut self, f: &ScoreFileRow) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO score_file (sheet_id, criterion_code, blob_hash, name, content_type, size) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(f.sheet)
            .bind(f.code.as_str())
            .bind(f.hash.as_str())
            .bind(f.name.as_str())
            .bind(f.content_type.as_str())
            .bind(f.size)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Replaces who cross-scores whom.
    pub async fn set_assignments(&mut self, round: i64, pairs: &[(OrgId, OrgId)]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM peer_assignment WHERE round_id = $1").bind(round).execute(&mut *self.tx).await?;
        for (scorer, target) in pairs {
            sqlx::query("INSERT INTO peer_assignment (round_id, scorer_org_id, target_org_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(round)
                .bind(scorer.0)
                .bind(target.0)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn add_adjustment(&mut self, round: i64, target: OrgId, a: &Adjustment, actor: &str, at_unix: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO score_adjustment (round_id, target_org_id, criterion_code, centi, reason, actor, at_unix) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round)
        .bind(target.0)
        .bind(a.criterion.clone())
        .bind(a.centi)
        .bind(a.reason.as_str())
        .bind(actor)
        .bind(at_unix)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Closes or reopens a round still at `version`; `false` when someone changed it first.
    pub async fn set_round_closed(&mut self, round: i64, version: i64, closed: bool) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE scoring_round SET status = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(if closed { "closed" } else { "open" })
            .bind(round)
            .bind(version)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_reopening(&mut self, round: i64, reason: &str, actor: &str, at_unix: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO round_reopening (round_id, reason, actor, at_unix) VALUES ($1, $2, $3, $4)")
            .bind(round)
            .bind(reason)
            .bind(actor)
            .bind(at_unix)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    pub async fn round(&self, id: i64) -> Result<Option<RoundRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM scoring_round WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(round_from_row).transpose()
    }

    pub async fn round_of_campaign(&self, campaign: i64) -> Result<Option<RoundRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM scoring_round WHERE campaign_id = $1")))
            .bind(campaign)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(round_from_row).transpose()
    }

    pub async fn sheets(&self, round: i64) -> Result<Vec<SheetRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SHEET_COLUMNS} FROM score_sheet WHERE round_id = $1 ORDER BY id")))
            .bind(round)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(sheet_from_row).collect()
    }

    /// Every line of every sheet of the round.
    pub async fn score_lines(&self, round: i64) -> Result<Vec<LineRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.sheet_id, l.criterion_code, l.centi, l.note, l.document_id FROM score_line l JOIN score_sheet s ON s.id = l.sheet_id \
             WHERE s.round_id = $1 ORDER BY l.sheet_id, l.criterion_code",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(LineRow { sheet: r.try_get(0)?, code: r.try_get(1)?, centi: Centi(r.try_get(2)?), note: r.try_get(3)?, document: r.try_get(4)? }))
            .collect()
    }

    pub async fn score_files(&self, round: i64) -> Result<Vec<ScoreFileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.sheet_id, f.criterion_code, f.blob_hash, f.name, f.content_type, f.size FROM score_file f \
             JOIN score_sheet s ON s.id = f.sheet_id WHERE s.round_id = $1 ORDER BY f.id",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ScoreFileRow {
                    id: r.try_get(0)?,
                    sheet: r.try_get(1)?,
                    code: r.try_get(2)?,
                    hash: r.try_get(3)?,
                    name: r.try_get(4)?,
                    content_type: r.try_get(5)?,
                    size: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// `(scorer, target)` pairs.
    pub async fn assignments(&self, round: i64) -> Result<Vec<(OrgId, OrgId)>, StoreError> {
        let rows = sqlx::query("SELECT scorer_org_id, target_org_id FROM peer_assignment WHERE round_id = $1 ORDER BY scorer_org_id, target_org_id")
            .bind(round)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get(0)?), OrgId(r.try_get(1)?)))).collect()
    }

    pub async fn adjustments(&self, round: i64) -> Result<Vec<AdjustmentRow>, StoreError> {
        let rows = sqlx::query("SELECT id, target_org_id, criterion_code, centi, reason, actor, at_unix FROM score_adjustment WHERE round_id = $1 ORDER BY id")
            .bind(round)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AdjustmentRow {
                    id: r.try_get(0)?,
                    target: OrgId(r.try_get(1)?),
                    adjustment: Adjustment { criterion: r.try_get(2)?, centi: r.try_get(3)?, reason: r.try_get(4)? },
                    actor: r.try_get(5)?,
                    at_unix: r.try_get(6)?,
                })
            })
            .collect()
    }

    pub async fn reopenings(&self, round: i64) -> Result<Vec<ReopeningRow>, StoreError> {
        let rows = sqlx::query("SELECT reason, actor, at_unix FROM round_reopening WHERE round_id = $1 ORDER BY id").bind(round).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(ReopeningRow { reason: r.try_get(0)?, actor: r.try_get(1)?, at_unix: r.try_get(2)? })).collect()
    }
}
