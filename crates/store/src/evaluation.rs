//! Annual quality evaluation: rounds, subjects with their steps, reopenings; and members'
//! discipline records.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::date::iso;
use thidua_core::evaluation::{Assessment, Level, SubjectKind};
use thidua_core::member::{DisciplineForm, MemberId};
use thidua_core::org::OrgId;

use crate::db::{date_col, opt_date_col, Backend, Store, StoreError, Tx};
use crate::members::placeholders;

/// Results written by one statement of `add_concluded`, about 2 MB of JSON.
const ROWS_PER_JSON: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisciplineRow {
    pub id: i64,
    pub member: MemberId,
    pub decided_on: Date,
    pub form: DisciplineForm,
    pub decision: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalRoundRow {
    pub id: i64,
    /// The grassroots party organization evaluated.
    pub org: OrgId,
    pub year: i16,
    pub rules_source: String,
    pub concluded: Option<Step>,
    pub created_by: String,
    pub version: i64,
}

/// A step of an evaluation: the level given, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub level: Option<Level>,
    pub by: String,
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalRow {
    pub id: i64,
    pub round: i64,
    pub kind: SubjectKind,
    pub member: Option<MemberId>,
    /// The organization evaluated (organizations and collectives).
    pub org: Option<OrgId>,
    /// The cell (or the organization itself) whose grid lists the subject.
    pub cell: OrgId,
    pub assessment: Assessment,
    pub own: Option<Step>,
    pub opinion: Option<Step>,
    pub opinion_note: Option<String>,
    pub concluded: Option<Step>,
    pub approved: Option<Step>,
    pub version: i64,
}

impl EvalRow {
    /// The level that stands: for an organization or a leadership collective the directly
    /// superior committee's approval, for a member or leader the committee's conclusion.
    pub fn result(&self) -> Option<Level> {
        let step = if self.kind.is_collective() { &self.approved } else { &self.concluded };
        step.as_ref().and_then(|s| s.level)
    }
}

/// A subject to list in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewSubject {
    pub kind: SubjectKind,
    pub member: Option<MemberId>,
    pub org: Option<OrgId>,
    pub cell: OrgId,
}

/// A subject's result of a year, for the year-end package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearResult {
    /// The subject kind's code (`member`, `organization`, …).
    pub kind: String,
    pub member_name: Option<String>,
    pub org: Option<OrgId>,
    pub cell: OrgId,
    pub level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalReopeningRow {
    pub reason: String,
    pub actor: String,
    pub at_unix: i64,
}

/// Binds each organization's id, in order, after what the query has.
fn bind_orgs<'q>(mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>, orgs: &[OrgId]) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for o in orgs {
        q = q.bind(o.0);
    }
    q
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

fn level_col(r: &AnyRow, col: &str) -> Result<Option<Level>, StoreError> {
    r.try_get::<Option<String>, _>(col)?.map(|c| Level::from_code(&c).ok_or_else(|| corrupt("level"))).transpose()
}

fn step(r: &AnyRow, prefix: &str, with_level: bool) -> Result<Option<Step>, StoreError> {
    let by: Option<String> = r.try_get(format!("{prefix}_by").as_str())?;
    let on = opt_date_col(r, &format!("{prefix}_on"))?;
    Ok(match (by, on) {
        (Some(by), Some(on)) => Some(Step { level: if with_level { level_col(r, &format!("{prefix}_level"))? } else { None }, by, on }),
        _ => None,
    })
}

fn round_from_row(r: &AnyRow) -> Result<EvalRoundRow, StoreError> {
    let concluded = if r.try_get::<i64, _>("concluded")? != 0 { step(r, "concluded", false)? } else { None };
    Ok(EvalRoundRow {
        id: r.try_get("id")?,
        org: OrgId(r.try_get("org_id")?),
        year: i16::try_from(r.try_get::<i64, _>("year")?).map_err(|_| corrupt("year"))?,
        rules_source: r.try_get("rules_source")?,
        concluded,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

fn eval_from_row(r: &AnyRow) -> Result<EvalRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(EvalRow {
        id: r.try_get("id")?,
        round: r.try_get("round_id")?,
        kind: SubjectKind::from_code(&kind).ok_or_else(|| corrupt("subject kind"))?,
        member: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
        org: r.try_get::<Option<i64>, _>("org_id")?.map(OrgId),
        cell: OrgId(r.try_get("cell_id")?),
        assessment: serde_json::from_str(&r.try_get::<String, _>("assessment")?).map_err(|_| corrupt("assessment"))?,
        own: step(r, "self", true)?,
        opinion: step(r, "opinion", true)?,
        opinion_note: r.try_get("opinion_note")?,
        concluded: step(r, "concluded", true)?,
        approved: step(r, "approved", true)?,
        version: r.try_get("version")?,
    })
}

const ROUND_COLUMNS: &str = "id, org_id, year, rules_source, concluded, concluded_by, concluded_on, created_by, version";
const EVAL_COLUMNS: &str = "id, round_id, kind, member_id, org_id, cell_id, assessment, self_level, self_by, self_on, opinion_level, opinion_note, \
    opinion_by, opinion_on, concluded_level, concluded_by, concluded_on, approved_level, approved_by, approved_on, version";

impl Tx {
    pub async fn add_discipline(&mut self, d: &DisciplineRow, actor: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO member_discipline (member_id, decided_on, form, decision, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(d.member.0)
            .bind(iso(d.decided_on))
            .bind(d.form.code())
            .bind(d.decision.as_str())
            .bind(d.reason.as_str())
            .bind(actor)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Opens a round; `None` when the organization has one for the year already.
    pub async fn create_eval_round(&mut self, org: OrgId, year: i16, rules_source: &str, actor: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "INSERT INTO evaluation_round (org_id, year, rules_source, concluded, created_by, version) VALUES ($1, $2, $3, 0, $4, 1) \
             ON CONFLICT (org_id, year) DO NOTHING RETURNING id",
        )
        .bind(org.0)
        .bind(i64::from(year))
        .bind(rules_source)
        .bind(actor)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    pub async fn add_evaluation(&mut self, round: i64, kind: SubjectKind, member: Option<MemberId>, org: Option<OrgId>, cell: OrgId) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO evaluation (round_id, kind, member_id, org_id, cell_id, assessment, version) VALUES ($1, $2, $3, $4, $5, '{}', 1) RETURNING id")
            .bind(round)
            .bind(kind.code())
            .bind(member.map(|m| m.0))
            .bind(org.map(|o| o.0))
            .bind(cell.0)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Lists many subjects at once (a round's members), several hundred rows per statement.
    pub async fn add_evaluations(&mut self, round: i64, subjects: &[NewSubject]) -> Result<(), StoreError> {
        for chunk in subjects.chunks(500) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${}, ${}, ${}, ${}, '{{}}', 1)", 4 * i + 2, 4 * i + 3, 4 * i + 4, 4 * i + 5)).collect();
            let sql = format!("INSERT INTO evaluation (round_id, kind, member_id, org_id, cell_id, assessment, version) VALUES {}", values.join(", "));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round);
            for s in chunk {
                q = q.bind(s.kind.code()).bind(s.member.map(|m| m.0)).bind(s.org.map(|o| o.0)).bind(s.cell.0);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Lists subjects already concluded at their level, each into its round (given first): past
    /// years' results taken from the records rather than entered step by step. Rows go in the
    /// order given; sorted by member they cost SQLite about a third less than round after round,
    /// the member index being filled from one end.
    pub async fn add_concluded(&mut self, results: &[(i64, NewSubject, Level)], by: &str, on: Date) -> Result<(), StoreError> {
        // The rows travel as one JSON array per statement: a bound parameter costs the driver more
        // than the database's own insert, and these are millions.
        let rows = match self.backend {
            Backend::Sqlite => "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, '{}', value ->> 5, $1, $2, 1 FROM json_each($3)",
            Backend::Postgres => {
                "SELECT (e ->> 0)::bigint, e ->> 1, (e ->> 2)::bigint, (e ->> 3)::bigint, (e ->> 4)::bigint, '{}', e ->> 5, $1, $2, 1 \
                 FROM json_array_elements($3::json) e"
            }
        };
        let sql = format!("INSERT INTO evaluation (round_id, kind, member_id, org_id, cell_id, assessment, concluded_level, concluded_by, concluded_on, version) {rows}");
        for chunk in results.chunks(ROWS_PER_JSON) {
            let json = chunk.iter().map(|(round, s, level)| (*round, s.kind.code(), s.member.map(|m| m.0), s.org.map(|o| o.0), s.cell.0, level.code())).collect::<Vec<_>>();
            let json = serde_json::to_string(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(by).bind(iso(on)).bind(json).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Sets the level of results kept from the records (an import correcting a past year): the
    /// conclusion, and the approval where there was one, the results of each level together.
    pub async fn set_concluded_levels(&mut self, levels: &[(i64, Level)], by: &str, on: Date) -> Result<(), StoreError> {
        for level in Level::ALL {
            let ids: Vec<i64> = levels.iter().filter(|(_, l)| *l == level).map(|(id, _)| *id).collect();
            for chunk in ids.chunks(1000) {
                let sql = format!(
                    "UPDATE evaluation SET concluded_level = $1, concluded_by = $2, concluded_on = $3, \
                     approved_level = CASE WHEN approved_level IS NULL THEN NULL ELSE $1 END, version = version + 1 WHERE id IN ({})",
                    placeholders(4, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(level.code()).bind(by).bind(iso(on));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }

    /// The round, locked for this transaction: steps and the conclusion take their turn.
    pub async fn lock_eval_round(&mut self, id: i64) -> Result<Option<EvalRoundRow>, StoreError> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM evaluation_round WHERE id = $1{lock}"))).bind(id).fetch_optional(&mut *self.tx).await?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// Records the self-assessment if the subject is still at `version`.
    pub async fn save_assessment(&mut self, id: i64, version: i64, a: &Assessment, level: Option<Level>, by: &str, on: Date) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE evaluation SET assessment = $1, self_level = $2, self_by = $3, self_on = $4, version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(level.map(Level::code))
        .bind(by)
        .bind(iso(on))
        .bind(id)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the opinion of the cell or collective on one subject if it is still at `version`.
    pub async fn set_opinion(&mut self, id: i64, version: i64, level: Option<Level>, note: Option<&str>, by: &str, on: Date) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE evaluation SET opinion_level = $1, opinion_note = $2, opinion_by = $3, opinion_on = $4, version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(level.map(Level::code))
        .bind(note)
        .bind(by)
        .bind(iso(on))
        .bind(id)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a round changed (a step entered, a discipline recorded), so a conclusion planned on
    /// what it was before is refused.
    pub async fn touch_eval_round(&mut self, round: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE evaluation_round SET version = version + 1 WHERE id = $1").bind(round).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Marks changed the rounds of `year` that list `member`.
    pub async fn touch_eval_rounds_of(&mut self, member: MemberId, year: i16) -> Result<(), StoreError> {
        sqlx::query("UPDATE evaluation_round SET version = version + 1 WHERE year = $1 AND id IN (SELECT round_id FROM evaluation WHERE member_id = $2)")
            .bind(i64::from(year))
            .bind(member.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records the committee's conclusion (`approval`: the superior's approval) on subjects of
    /// `round`, the subjects of each level together.
    pub async fn set_decisions(&mut self, round: i64, approval: bool, levels: &[(i64, Level)], by: &str, on: Date) -> Result<(), StoreError> {
        let step = if approval { "approved" } else { "concluded" };
        for level in Level::ALL {
            let ids: Vec<i64> = levels.iter().filter(|(_, l)| *l == level).map(|(id, _)| *id).collect();
            for chunk in ids.chunks(1000) {
                let sql = format!(
                    "UPDATE evaluation SET {step}_level = $1, {step}_by = $2, {step}_on = $3, version = version + 1 WHERE round_id = $4 AND id IN ({})",
                    placeholders(5, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(level.code()).bind(by).bind(iso(on)).bind(round);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }

    /// Clears the conclusion and approval of every subject of a round (on reopening).
    pub async fn clear_conclusions(&mut self, round: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE evaluation SET concluded_level = NULL, concluded_by = NULL, concluded_on = NULL, approved_level = NULL, approved_by = NULL, \
             approved_on = NULL, version = version + 1 WHERE round_id = $1",
        )
        .bind(round)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Marks the round concluded (or open again) if it is still at `version`.
    pub async fn set_round_concluded(&mut self, round: i64, version: i64, concluded: bool, by: &str, on: Date) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE evaluation_round SET concluded = $1, concluded_by = $2, concluded_on = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(i64::from(concluded))
            .bind(concluded.then_some(by))
            .bind(concluded.then(|| iso(on)))
            .bind(round)
            .bind(version)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_eval_reopening(&mut self, round: i64, reason: &str, actor: &str, at_unix: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO evaluation_reopening (round_id, reason, actor, at_unix) VALUES ($1, $2, $3, $4)")
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
    /// Members expelled or removed from the rolls on `on`.
    pub async fn members_out_on(&self, on: Date) -> Result<std::collections::HashSet<MemberId>, StoreError> {
        let sql = "SELECT DISTINCT member_id FROM member_gap WHERE kind IN ('expelled', 'removed') AND from_on <= $1 AND (to_on IS NULL OR to_on > $1)";
        sqlx::query(sql).bind(iso(on)).fetch_all(&self.pool).await?.iter().map(|r| Ok(MemberId(r.try_get(0)?))).collect()
    }

    /// The members who belonged to one of `orgs` on `on`, with their organization then: admitted by
    /// then, not expelled or removed then, and placed by the official transfers completed since
    /// (a member who arrived later is left out, one who left since is counted where they were).
    pub async fn members_on(&self, orgs: &[OrgId], on: Date) -> Result<Vec<(MemberId, OrgId)>, StoreError> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let p = placeholders(2, orgs.len());
        // Transfers completed after the day, of members now here or of members who left from here.
        let moves = format!(
            "SELECT member_id, from_org_id, external_from, completed_on FROM transfer WHERE state = 'completed' AND kind = 'official' AND completed_on > $1 \
             AND (from_org_id IN ({p}) OR member_id IN (SELECT id FROM member WHERE org_id IN ({p})))"
        );
        let mut first_move: HashMap<MemberId, (Date, Option<OrgId>)> = HashMap::new();
        for r in bind_orgs(sqlx::query(sqlx::AssertSqlSafe(moves)).bind(iso(on)), orgs).fetch_all(&self.pool).await? {
            let completed = date_col(&r, "completed_on")?;
            let external: Option<String> = r.try_get("external_from")?;
            // Received from another installation: not in this one before.
            let from = if external.is_some() { None } else { Some(OrgId(r.try_get("from_org_id")?)) };
            let m = MemberId(r.try_get("member_id")?);
            if first_move.get(&m).is_none_or(|(d, _)| completed < *d) {
                first_move.insert(m, (completed, from));
            }
        }
        let out = self.members_out_on(on).await?;
        let candidates = format!(
            "SELECT id, org_id FROM member WHERE admitted_on <= $1 AND (org_id IN ({p}) OR id IN (SELECT member_id FROM transfer WHERE state = 'completed' \
             AND kind = 'official' AND completed_on > $1 AND from_org_id IN ({p}))) ORDER BY id"
        );
        let mut members = Vec::new();
        for r in bind_orgs(sqlx::query(sqlx::AssertSqlSafe(candidates)).bind(iso(on)), orgs).fetch_all(&self.pool).await? {
            let m = MemberId(r.try_get(0)?);
            let then = match first_move.get(&m) {
                Some((_, from)) => *from,
                None => Some(OrgId(r.try_get(1)?)),
            };
            if let Some(org) = then.filter(|o| orgs.contains(o))
                && !out.contains(&m)
            {
                members.push((m, org));
            }
        }
        Ok(members)
    }

    /// Those of `members` holding a position at some time within `[from, to]`.
    pub async fn leaders_among(&self, members: &[MemberId], from: Date, to: Date) -> Result<Vec<MemberId>, StoreError> {
        let mut out = Vec::new();
        for chunk in members.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT member_id FROM member_position WHERE from_on <= $2 AND (to_on IS NULL OR to_on >= $1) AND member_id IN ({}) ORDER BY member_id",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(iso(from)).bind(iso(to));
            for m in chunk {
                q = q.bind(m.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(MemberId(r.try_get(0)?));
            }
        }
        Ok(out)
    }

    pub async fn disciplines(&self, member: MemberId) -> Result<Vec<DisciplineRow>, StoreError> {
        let rows = sqlx::query("SELECT id, member_id, decided_on, form, decision, reason FROM member_discipline WHERE member_id = $1 ORDER BY decided_on, id")
            .bind(member.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let form: String = r.try_get("form")?;
                Ok(DisciplineRow {
                    id: r.try_get("id")?,
                    member: MemberId(r.try_get("member_id")?),
                    decided_on: date_col(r, "decided_on")?,
                    form: DisciplineForm::from_code(&form).ok_or_else(|| corrupt("discipline form"))?,
                    decision: r.try_get("decision")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Members disciplined within a year, with the heaviest form.
    pub async fn disciplined_in(&self, year: i16) -> Result<BTreeMap<MemberId, DisciplineForm>, StoreError> {
        let rows = sqlx::query("SELECT member_id, form FROM member_discipline WHERE decided_on >= $1 AND decided_on <= $2")
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(&self.pool)
            .await?;
        let mut out: BTreeMap<MemberId, DisciplineForm> = BTreeMap::new();
        for r in rows {
            let form: String = r.try_get(1)?;
            let form = DisciplineForm::from_code(&form).ok_or_else(|| corrupt("discipline form"))?;
            let heaviest = out.entry(MemberId(r.try_get(0)?)).or_insert(form);
            *heaviest = (*heaviest).max(form);
        }
        Ok(out)
    }

    pub async fn eval_round(&self, id: i64) -> Result<Option<EvalRoundRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM evaluation_round WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// The years that have evaluation rounds, newest first.
    pub async fn eval_round_years(&self) -> Result<Vec<i16>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT year FROM evaluation_round ORDER BY year DESC").fetch_all(&self.pool).await?;
        rows.iter().map(|r| i16::try_from(r.try_get::<i64, _>(0)?).map_err(|_| corrupt("year"))).collect()
    }

    pub async fn eval_rounds_of(&self, year: i16) -> Result<Vec<EvalRoundRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM evaluation_round WHERE year = $1 ORDER BY id"))).bind(i64::from(year)).fetch_all(&self.pool).await?;
        rows.iter().map(round_from_row).collect()
    }

    pub async fn eval_rounds(&self) -> Result<Vec<EvalRoundRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM evaluation_round ORDER BY year DESC, id"))).fetch_all(&self.pool).await?;
        rows.iter().map(round_from_row).collect()
    }

    pub async fn evaluations(&self, round: i64) -> Result<Vec<EvalRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EVAL_COLUMNS} FROM evaluation WHERE round_id = $1 ORDER BY id"))).bind(round).fetch_all(&self.pool).await?;
        rows.iter().map(eval_from_row).collect()
    }

    pub async fn evaluation(&self, id: i64) -> Result<Option<EvalRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EVAL_COLUMNS} FROM evaluation WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(eval_from_row).transpose()
    }

    pub async fn eval_reopenings(&self, round: i64) -> Result<Vec<EvalReopeningRow>, StoreError> {
        let rows = sqlx::query("SELECT reason, actor, at_unix FROM evaluation_reopening WHERE round_id = $1 ORDER BY id").bind(round).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(EvalReopeningRow { reason: r.try_get(0)?, actor: r.try_get(1)?, at_unix: r.try_get(2)? })).collect()
    }

    /// A member's standing levels by year (as a member, not as a leader).
    /// The results of `year` in the rounds of `orgs`: every subject with its final level
    /// (approved, else concluded), members by name.
    pub async fn year_results(&self, orgs: &[OrgId], year: i16) -> Result<Vec<YearResult>, StoreError> {
        let mut out = Vec::new();
        for chunk in orgs.chunks(500) {
            let sql = format!(
                "SELECT e.kind, m.full_name, e.org_id, e.cell_id, COALESCE(e.approved_level, e.concluded_level) AS level FROM evaluation e \
                 JOIN evaluation_round r ON r.id = e.round_id LEFT JOIN member m ON m.id = e.member_id \
                 WHERE r.year = $1 AND r.org_id IN ({}) ORDER BY e.cell_id, e.id",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
            for o in chunk {
                q = q.bind(o.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                let level: Option<String> = r.try_get("level")?;
                let org: Option<i64> = r.try_get("org_id")?;
                out.push(YearResult {
                    kind: r.try_get("kind")?,
                    member_name: r.try_get("full_name")?,
                    org: org.map(OrgId),
                    cell: OrgId(r.try_get("cell_id")?),
                    level: level.as_deref().and_then(Level::from_code),
                });
            }
        }
        Ok(out)
    }

    /// Members' final levels (approved, else concluded) counted by year and level, over the rounds
    /// of `orgs`.
    pub async fn member_level_counts(&self, orgs: &[OrgId]) -> Result<Vec<(i16, Level, i64)>, StoreError> {
        let mut counts: BTreeMap<(i16, Level), i64> = BTreeMap::new();
        for chunk in orgs.chunks(500) {
            let sql = format!(
                "SELECT r.year, COALESCE(e.approved_level, e.concluded_level) AS level, COUNT(*) FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
                 WHERE e.kind = 'member' AND r.org_id IN ({}) AND COALESCE(e.approved_level, e.concluded_level) IS NOT NULL GROUP BY r.year, COALESCE(e.approved_level, e.concluded_level)",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for o in chunk {
                q = q.bind(o.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                let year = i16::try_from(r.try_get::<i64, _>(0)?).map_err(|_| corrupt("year"))?;
                let level: String = r.try_get(1)?;
                *counts.entry((year, Level::from_code(&level).ok_or_else(|| corrupt("level"))?)).or_default() += r.try_get::<i64, _>(2)?;
            }
        }
        Ok(counts.into_iter().map(|((y, l), n)| (y, l, n)).collect())
    }

    /// Every member's result of `[from, to]`: `(member, year, evaluation id, standing level —
    /// approved, else concluded —, round)`.
    pub async fn member_results(&self, from: i16, to: i16) -> Result<Vec<(MemberId, i16, i64, Option<Level>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.member_id, r.year, e.id, COALESCE(e.approved_level, e.concluded_level), e.round_id FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
             WHERE e.kind = 'member' AND r.year >= $1 AND r.year <= $2",
        )
        .bind(i64::from(from))
        .bind(i64::from(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let level: Option<String> = r.try_get(3)?;
                Ok((MemberId(r.try_get(0)?), i16::try_from(r.try_get::<i64, _>(1)?).map_err(|_| corrupt("year"))?, r.try_get(2)?, level.as_deref().and_then(Level::from_code), r.try_get(4)?))
            })
            .collect()
    }

    pub async fn member_levels(&self, member: MemberId) -> Result<Vec<(i16, Level)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.year, COALESCE(e.approved_level, e.concluded_level) FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
             WHERE e.member_id = $1 AND e.kind = 'member' AND COALESCE(e.approved_level, e.concluded_level) IS NOT NULL ORDER BY r.year",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let level: String = r.try_get(1)?;
                Ok((i16::try_from(r.try_get::<i64, _>(0)?).map_err(|_| corrupt("year"))?, Level::from_code(&level).ok_or_else(|| corrupt("level"))?))
            })
            .collect()
    }

    /// The names of the members a round lists.
    pub async fn eval_member_names(&self, round: i64) -> Result<HashMap<MemberId, String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT m.id, m.full_name FROM evaluation e JOIN member m ON m.id = e.member_id WHERE e.round_id = $1")
            .bind(round)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((MemberId(r.try_get(0)?), r.try_get(1)?))).collect()
    }

    /// The standing results of concluded rounds, for streaks: `(year, member, org, level)` of
    /// every subject of `kind`, or with `round`, only of the subjects that round lists.
    pub async fn evaluation_results(&self, kind: SubjectKind, round: Option<i64>) -> Result<Vec<(i16, Option<MemberId>, Option<OrgId>, Level)>, StoreError> {
        let only = match (round, kind) {
            (None, _) => "",
            (Some(_), SubjectKind::Member | SubjectKind::Leader) => "AND e.member_id IN (SELECT member_id FROM evaluation WHERE round_id = $2 AND kind = $1)",
            (Some(_), _) => "AND e.org_id IN (SELECT org_id FROM evaluation WHERE round_id = $2 AND kind = $1)",
        };
        let sql = format!(
            "SELECT r.year, e.member_id, e.org_id, COALESCE(e.approved_level, e.concluded_level) FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
             WHERE e.kind = $1 AND COALESCE(e.approved_level, e.concluded_level) IS NOT NULL {only}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.code());
        if let Some(round) = round {
            q = q.bind(round);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let level: String = r.try_get(3)?;
                Ok((
                    i16::try_from(r.try_get::<i64, _>(0)?).map_err(|_| corrupt("year"))?,
                    r.try_get::<Option<i64>, _>(1)?.map(MemberId),
                    r.try_get::<Option<i64>, _>(2)?.map(OrgId),
                    Level::from_code(&level).ok_or_else(|| corrupt("level"))?,
                ))
            })
            .collect()
    }
}
