//! Membership transfers and their steps.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::date::iso;
use thidua_core::member::MemberId;
use thidua_core::org::OrgId;
use thidua_core::transfer::{TemporaryPurpose, TransferKind, TransferState, TransferStep};

use crate::db::{date_col, opt_date_col, page_clause, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: i64,
    pub member: MemberId,
    pub kind: TransferKind,
    pub from_org: OrgId,
    /// The receiving organization in this installation (after resolving successors).
    pub to_org: Option<OrgId>,
    /// The organization the letter was addressed to, when it had been merged into `to_org`.
    pub addressed_org: Option<OrgId>,
    /// The receiving organization in another installation (another province).
    pub external_to: Option<String>,
    /// The sending organization in another installation, for a transfer received as a package.
    pub external_from: Option<String>,
    pub trigger_on: Date,
    pub introduced_on: Date,
    pub letter_number: Option<String>,
    pub late_reason: Option<String>,
    pub state: TransferState,
    pub last_step_on: Date,
    pub reported_on: Option<Date>,
    pub report_late_reason: Option<String>,
    pub received_on: Option<Date>,
    pub completed_on: Option<Date>,
    pub closed_reason: Option<String>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub step: String,
    pub on: Date,
    pub note: Option<String>,
    pub actor: String,
}

const COLUMNS: &str = "id, member_id, kind, purpose, until_on, from_org_id, to_org_id, addressed_org_id, external_to, external_from, trigger_on, \
                       introduced_on, letter_number, late_reason, state, last_step_on, reported_on, report_late_reason, \
                       received_on, completed_on, closed_reason, created_by";

fn purpose_code(p: TemporaryPurpose) -> &'static str {
    match p {
        TemporaryPurpose::Stay => "stay",
        TemporaryPurpose::Study => "study",
    }
}

fn from_row(r: &AnyRow) -> Result<TransferRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    let purpose: Option<String> = r.try_get("purpose")?;
    let kind = match (kind.as_str(), purpose.as_deref(), opt_date_col(r, "until_on")?) {
        ("official", _, _) => TransferKind::Official,
        ("temporary", Some("stay"), Some(until)) => TransferKind::Temporary { purpose: TemporaryPurpose::Stay, until },
        ("temporary", Some("study"), Some(until)) => TransferKind::Temporary { purpose: TemporaryPurpose::Study, until },
        _ => return Err(StoreError::Corrupt(format!("transfer kind {kind:?}"))),
    };
    let state: String = r.try_get("state")?;
    Ok(TransferRow {
        id: r.try_get("id")?,
        member: MemberId(r.try_get("member_id")?),
        kind,
        from_org: OrgId(r.try_get("from_org_id")?),
        to_org: r.try_get::<Option<i64>, _>("to_org_id")?.map(OrgId),
        addressed_org: r.try_get::<Option<i64>, _>("addressed_org_id")?.map(OrgId),
        external_to: r.try_get("external_to")?,
        external_from: r.try_get("external_from")?,
        trigger_on: date_col(r, "trigger_on")?,
        introduced_on: date_col(r, "introduced_on")?,
        letter_number: r.try_get("letter_number")?,
        late_reason: r.try_get("late_reason")?,
        state: TransferState::from_code(&state).ok_or_else(|| StoreError::Corrupt(format!("transfer state {state:?}")))?,
        last_step_on: date_col(r, "last_step_on")?,
        reported_on: opt_date_col(r, "reported_on")?,
        report_late_reason: r.try_get("report_late_reason")?,
        received_on: opt_date_col(r, "received_on")?,
        completed_on: opt_date_col(r, "completed_on")?,
        closed_reason: r.try_get("closed_reason")?,
        created_by: r.try_get("created_by")?,
    })
}

impl Tx {
    /// Stores a new transfer (its `id` is ignored) and returns its id.
    pub async fn create_transfer(&mut self, t: &TransferRow, now: i64) -> Result<i64, StoreError> {
        let (kind, purpose, until) = match t.kind {
            TransferKind::Official => ("official", None, None),
            TransferKind::Temporary { purpose, until } => ("temporary", Some(purpose_code(purpose)), Some(iso(until))),
        };
        let row = sqlx::query(
            "INSERT INTO transfer (member_id, kind, purpose, until_on, from_org_id, to_org_id, addressed_org_id, external_to, \
             trigger_on, introduced_on, letter_number, late_reason, state, last_step_on, reported_on, report_late_reason, \
             received_on, completed_on, closed_reason, created_by, external_from) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        )
        .bind(t.member.0)
        .bind(kind)
        .bind(purpose)
        .bind(until)
        .bind(t.from_org.0)
        .bind(t.to_org.map(|o| o.0))
        .bind(t.addressed_org.map(|o| o.0))
        .bind(t.external_to.clone())
        .bind(iso(t.trigger_on))
        .bind(iso(t.introduced_on))
        .bind(t.letter_number.clone())
        .bind(t.late_reason.clone())
        .bind(t.state.code())
        .bind(iso(t.last_step_on))
        .bind(t.reported_on.map(iso))
        .bind(t.report_late_reason.clone())
        .bind(t.received_on.map(iso))
        .bind(t.completed_on.map(iso))
        .bind(t.closed_reason.clone())
        .bind(t.created_by.as_str())
        .bind(t.external_from.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        self.add_step_row(id, "introduce", t.introduced_on, t.late_reason.as_deref(), &t.created_by, now).await?;
        Ok(id)
    }

    async fn add_step_row(&mut self, id: i64, step: &str, on: Date, note: Option<&str>, actor: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO transfer_step (transfer_id, step, on_date, note, actor, at_unix) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(step)
            .bind(iso(on))
            .bind(note)
            .bind(actor)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records a step already checked by the state machine, if the transfer is still in `from`.
    /// `false` when another officer moved it first.
    pub async fn record_transfer_step(
        &mut self,
        id: i64,
        from: TransferState,
        step: &TransferStep,
        actor: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let on = iso(step.on());
        let (column, note): (&str, Option<&str>) = match step {
            TransferStep::Report { late_reason, .. } => ("reported_on", late_reason.as_deref()),
            TransferStep::Receive { .. } => ("received_on", None),
            TransferStep::Complete { .. } => ("completed_on", None),
            TransferStep::Return { reason, .. } | TransferStep::Cancel { reason, .. } => ("closed_reason", Some(reason.as_str())),
        };
        let sql = match column {
            "reported_on" => "UPDATE transfer SET state = $1, last_step_on = $2, reported_on = $2, report_late_reason = $3 WHERE id = $4 AND state = $5",
            "received_on" => "UPDATE transfer SET state = $1, last_step_on = $2, received_on = $2, report_late_reason = coalesce($3, report_late_reason) WHERE id = $4 AND state = $5",
            "completed_on" => "UPDATE transfer SET state = $1, last_step_on = $2, completed_on = $2, report_late_reason = coalesce($3, report_late_reason) WHERE id = $4 AND state = $5",
            _ => "UPDATE transfer SET state = $1, last_step_on = $2, closed_reason = $3 WHERE id = $4 AND state = $5",
        };
        let done = sqlx::query(sql)
            .bind(step.target().code())
            .bind(on)
            .bind(note)
            .bind(id)
            .bind(from.code())
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.add_step_row(id, step.target().code(), step.on(), note, actor, now).await?;
        Ok(true)
    }
}

impl Store {
    pub async fn transfer(&self, id: i64) -> Result<Option<TransferRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM transfer WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Transfers sent from or to one of `orgs` (every transfer when `None`), newest first: open
    /// or closed ones when `open` says, all of them or one page (`(limit, offset)`).
    pub async fn transfers(&self, orgs: Option<&[OrgId]>, open: Option<bool>, page: Option<(i64, i64)>) -> Result<Vec<TransferRow>, StoreError> {
        let Some((scope, args)) = self.org_scope(TRANSFER_ORGS, orgs, 1).await? else { return Ok(Vec::new()) };
        let state = match open {
            Some(open) => format!("AND state {}IN ({})", if open { "" } else { "NOT " }, open_states()),
            None => String::new(),
        };
        let page = page_clause(page);
        let q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM transfer WHERE {scope} {state} ORDER BY introduced_on DESC, id DESC{page}")));
        args.bind(q).fetch_all(&self.pool).await?.iter().map(from_row).collect()
    }

    /// How many transfers of `orgs` (all when `None`) are in each state.
    pub async fn transfer_counts(&self, orgs: Option<&[OrgId]>) -> Result<Vec<(TransferState, i64)>, StoreError> {
        let Some((scope, args)) = self.org_scope(TRANSFER_ORGS, orgs, 1).await? else { return Ok(Vec::new()) };
        let q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT state, count(*) FROM transfer WHERE {scope} GROUP BY state")));
        args.bind(q).fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((TransferState::from_code(&r.try_get::<String, _>(0)?).ok_or_else(|| StoreError::Corrupt("transfer state".into()))?, r.try_get(1)?)))
            .collect()
    }

    pub async fn member_transfers(&self, member: MemberId) -> Result<Vec<TransferRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM transfer WHERE member_id = $1 ORDER BY introduced_on DESC, id DESC")))
            .bind(member.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn transfer_steps(&self, id: i64) -> Result<Vec<StepRow>, StoreError> {
        let rows = sqlx::query("SELECT step, on_date, note, actor FROM transfer_step WHERE transfer_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(StepRow { step: r.try_get("step")?, on: date_col(r, "on_date")?, note: r.try_get("note")?, actor: r.try_get("actor")? }))
            .collect()
    }
}

/// A transfer belongs to a scope by either side.
const TRANSFER_ORGS: [&str; 2] = ["from_org_id", "to_org_id"];

/// The codes of the states a transfer is open in, quoted for SQL.
fn open_states() -> String {
    TransferState::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.code())).collect::<Vec<_>>().join(", ")
}
