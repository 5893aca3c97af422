//! Cluster rules, campaigns and criteria, registrations, covenants, meetings and key tasks.

use std::collections::BTreeMap;

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::cluster::ClusterId;
use thidua_core::date::iso;
use thidua_core::emulation::{CampaignKind, ClusterRules, CovenantEntry, Criterion, CriterionKind, MeetingKind, TaskStatus};
use thidua_core::org::OrgId;

use crate::db::{date_col, opt_date_col, Backend, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    pub id: i64,
    pub cluster: ClusterId,
    pub kind: CampaignKind,
    pub year: i16,
    pub title: String,
    /// Chủ đề năm.
    pub theme: Option<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub launch_document: Option<i64>,
    pub scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    pub org: OrgId,
    pub targets: Vec<String>,
    pub titles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub cluster: ClusterId,
    /// Order within the cluster's year, printed on the minutes.
    pub number: i64,
    pub kind: MeetingKind,
    pub held_on: Date,
    /// Địa danh of the place-and-date line.
    pub locality: String,
    pub place: String,
    pub host: Option<OrgId>,
    pub title: String,
    pub agenda: String,
    pub discussion: String,
    pub conclusions: String,
    pub created_by: String,
    pub version: i64,
}

/// A unit that attended (`org`), or a guest (`name` and `position`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeRow {
    pub org: Option<OrgId>,
    pub name: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRow {
    pub title: String,
    pub presenter_org: Option<OrgId>,
    pub presenter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTaskRow {
    pub id: i64,
    pub meeting: i64,
    pub cluster: ClusterId,
    pub title: String,
    pub owner: Option<OrgId>,
    pub deadline: Option<Date>,
    pub status: TaskStatus,
    pub done_on: Option<Date>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskNoteRow {
    pub at_unix: i64,
    pub actor: String,
    pub note: String,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn year(r: &AnyRow) -> Result<i16, StoreError> {
    i16::try_from(r.try_get::<i64, _>("year")?).map_err(|_| StoreError::Corrupt("year".into()))
}

fn campaign_from_row(r: &AnyRow) -> Result<CampaignRow, StoreError> {
    Ok(CampaignRow {
        id: r.try_get("id")?,
        cluster: ClusterId(r.try_get("cluster_id")?),
        kind: {
            let kind: String = r.try_get("kind")?;
            CampaignKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("campaign kind {kind:?}")))?
        },
        year: year(r)?,
        title: r.try_get("title")?,
        theme: r.try_get("theme")?,
        starts_on: date_col(r, "starts_on")?,
        ends_on: date_col(r, "ends_on")?,
        launch_document: r.try_get("launch_document_id")?,
        scale: u32::try_from(r.try_get::<i64, _>("scale")?).map_err(|_| StoreError::Corrupt("scale".into()))?,
    })
}

fn meeting_from_row(r: &AnyRow) -> Result<MeetingRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(MeetingRow {
        id: r.try_get("id")?,
        cluster: ClusterId(r.try_get("cluster_id")?),
        number: r.try_get("number")?,
        kind: MeetingKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("meeting kind {kind:?}")))?,
        held_on: date_col(r, "held_on")?,
        locality: r.try_get("locality")?,
        place: r.try_get("place")?,
        host: r.try_get::<Option<i64>, _>("host_org_id")?.map(OrgId),
        title: r.try_get("title")?,
        agenda: r.try_get("agenda")?,
        discussion: r.try_get("discussion")?,
        conclusions: r.try_get("conclusions")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

fn task_from_row(r: &AnyRow) -> Result<KeyTaskRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(KeyTaskRow {
        id: r.try_get("id")?,
        meeting: r.try_get("meeting_id")?,
        cluster: ClusterId(r.try_get("cluster_id")?),
        title: r.try_get("title")?,
        owner: r.try_get::<Option<i64>, _>("owner_org_id")?.map(OrgId),
        deadline: opt_date_col(r, "deadline")?,
        status: TaskStatus::from_code(&status).ok_or_else(|| StoreError::Corrupt(format!("task status {status:?}")))?,
        done_on: opt_date_col(r, "done_on")?,
        version: r.try_get("version")?,
    })
}

const CAMPAIGN_COLUMNS: &str = "id, cluster_id, kind, year, title, theme, starts_on, ends_on, launch_document_id, scale";
const MEETING_COLUMNS: &str = "id, cluster_id, number, kind, held_on, locality, place, host_org_id, title, agenda, discussion, conclusions, created_by, version";
const TASK_COLUMNS: &str = "id, meeting_id, cluster_id, title, owner_org_id, deadline, status, done_on, version";

impl Tx {
    pub async fn set_cluster_rules(&mut self, cluster: ClusterId, rules: &ClusterRules) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO cluster_rules (cluster_id, rules) VALUES ($1, $2) ON CONFLICT (cluster_id) DO UPDATE SET rules = excluded.rules")
            .bind(cluster.0)
            .bind(json(rules)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn create_campaign(&mut self, c: &CampaignRow) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO campaign (cluster_id, kind, year, title, theme, starts_on, ends_on, launch_document_id, scale) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(c.cluster.0)
        .bind(c.kind.code())
        .bind(i64::from(c.year))
        .bind(c.title.as_str())
        .bind(c.theme.clone())
        .bind(iso(c.starts_on))
        .bind(iso(c.ends_on))
        .bind(c.launch_document)
        .bind(i64::from(c.scale))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Replaces a campaign's criteria table, keeping the given order.
    pub async fn replace_criteria(&mut self, campaign: i64, criteria: &[Criterion]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM criterion WHERE campaign_id = $1").bind(campaign).execute(&mut *self.tx).await?;
        for (i, c) in criteria.iter().enumerate() {
            sqlx::query(
                "INSERT INTO criterion (campaign_id, code, parent_code, title, max_points, kind, evidence, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(campaign)
            .bind(c.code.as_str())
            .bind(c.parent.clone())
            .bind(c.title.as_str())
            .bind(i64::from(c.max_points))
            .bind(c.kind.code())
            .bind(json(&c.evidence)?)
            .bind(i as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    pub async fn set_registration(&mut self, campaign: i64, r: &RegistrationRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO registration (campaign_id, org_id, targets, titles) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (campaign_id, org_id) DO UPDATE SET targets = excluded.targets, titles = excluded.titles",
        )
        .bind(campaign)
        .bind(r.org.0)
        .bind(json(&r.targets)?)
        .bind(json(&r.titles)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn set_covenant_entry(&mut self, campaign: i64, org: OrgId, entry: &CovenantEntry, meeting: Option<i64>) -> Result<(), StoreError> {
        let (status, on, signatory, reason) = match entry {
            CovenantEntry::Signed { on, signatory } => ("signed", Some(iso(*on)), Some(signatory.clone()), None),
            CovenantEntry::Absent { reason } => ("absent", None, None, Some(reason.clone())),
        };
        sqlx::query(
            "INSERT INTO covenant_entry (campaign_id, org_id, status, signed_on, signatory, reason, meeting_id) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (campaign_id, org_id) DO UPDATE SET status = excluded.status, signed_on = excluded.signed_on, \
             signatory = excluded.signatory, reason = excluded.reason, meeting_id = excluded.meeting_id",
        )
        .bind(campaign)
        .bind(org.0)
        .bind(status)
        .bind(on)
        .bind(signatory)
        .bind(reason)
        .bind(meeting)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Stores a meeting with its attendees, topics and disseminated documents; numbers it after
    /// the cluster's meetings already recorded that year (minutes are numbered as they are
    /// written). Returns its id and number.
    pub async fn create_meeting(&mut self, m: &MeetingRow, attendees: &[AttendeeRow], topics: &[TopicRow], documents: &[i64]) -> Result<(i64, i64), StoreError> {
        if self.backend == Backend::Postgres {
            // Two meetings recorded at once must not take the same number.
            sqlx::query("LOCK TABLE meeting IN SHARE ROW EXCLUSIVE MODE").execute(&mut *self.tx).await?;
        }
        let row = sqlx::query(
            "INSERT INTO meeting (cluster_id, number, kind, held_on, locality, place, host_org_id, title, agenda, discussion, conclusions, created_by) \
             VALUES ($1, (SELECT COUNT(*) + 1 FROM meeting WHERE cluster_id = $1 AND held_on LIKE $2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, number",
        )
        .bind(m.cluster.0)
        .bind(format!("{}-%", m.held_on.year()))
        .bind(m.kind.code())
        .bind(iso(m.held_on))
        .bind(m.locality.as_str())
        .bind(m.place.as_str())
        .bind(m.host.map(|o| o.0))
        .bind(m.title.as_str())
        .bind(m.agenda.as_str())
        .bind(m.discussion.as_str())
        .bind(m.conclusions.as_str())
        .bind(m.created_by.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        let number: i64 = row.try_get(1)?;
        for a in attendees {
            sqlx::query("INSERT INTO meeting_attendee (meeting_id, org_id, name, position) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(a.org.map(|o| o.0))
                .bind(a.name.clone())
                .bind(a.position.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        for t in topics {
            sqlx::query("INSERT INTO meeting_topic (meeting_id, title, presenter_org_id, presenter) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(t.title.as_str())
                .bind(t.presenter_org.map(|o| o.0))
                .bind(t.presenter.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        for d in documents {
            sqlx::query("INSERT INTO meeting_document (meeting_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*d)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok((id, number))
    }

    /// Records what was discussed and concluded, if the meeting is still at `version`; `false`
    /// when someone changed it first.
    pub async fn set_meeting_outcome(&mut self, id: i64, version: i64, discussion: &str, conclusions: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE meeting SET discussion = $1, conclusions = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(discussion)
            .bind(conclusions)
            .bind(id)
            .bind(version)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_key_task(&mut self, t: &KeyTaskRow) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO key_task (meeting_id, cluster_id, title, owner_org_id, deadline, status, done_on, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
        )
        .bind(t.meeting)
        .bind(t.cluster.0)
        .bind(t.title.as_str())
        .bind(t.owner.map(|o| o.0))
        .bind(t.deadline.map(iso))
        .bind(t.status.code())
        .bind(t.done_on.map(iso))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Sets a task's status if it is still at `version`; `false` when someone changed it first.
    pub async fn set_task_status(&mut self, id: i64, version: i64, status: TaskStatus, done_on: Option<Date>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE key_task SET status = $1, done_on = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(status.code())
            .bind(done_on.map(iso))
            .bind(id)
            .bind(version)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_task_note(&mut self, task: i64, actor: &str, note: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO key_task_note (task_id, at_unix, actor, note) VALUES ($1, $2, $3, $4)")
            .bind(task)
            .bind(now)
            .bind(actor)
            .bind(note)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    pub async fn cluster_rules(&self, cluster: ClusterId) -> Result<Option<ClusterRules>, StoreError> {
        let row = sqlx::query("SELECT rules FROM cluster_rules WHERE cluster_id = $1").bind(cluster.0).fetch_optional(&self.pool).await?;
        row.map(|r| from_json(&r.try_get::<String, _>(0)?)).transpose()
    }

    pub async fn campaigns(&self, cluster: ClusterId) -> Result<Vec<CampaignRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CAMPAIGN_COLUMNS} FROM campaign WHERE cluster_id = $1 ORDER BY year DESC, id DESC")))
            .bind(cluster.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(campaign_from_row).collect()
    }

    pub async fn campaign(&self, id: i64) -> Result<Option<CampaignRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CAMPAIGN_COLUMNS} FROM campaign WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(campaign_from_row).transpose()
    }

    pub async fn criteria(&self, campaign: i64) -> Result<Vec<Criterion>, StoreError> {
        let rows = sqlx::query("SELECT code, parent_code, title, max_points, kind, evidence FROM criterion WHERE campaign_id = $1 ORDER BY position")
            .bind(campaign)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Criterion {
                    code: r.try_get("code")?,
                    parent: r.try_get("parent_code")?,
                    title: r.try_get("title")?,
                    max_points: u32::try_from(r.try_get::<i64, _>("max_points")?).map_err(|_| StoreError::Corrupt("points".into()))?,
                    kind: CriterionKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("criterion kind {kind:?}")))?,
                    evidence: from_json(&r.try_get::<String, _>("evidence")?)?,
                })
            })
            .collect()
    }

    pub async fn registrations(&self, campaign: i64) -> Result<Vec<RegistrationRow>, StoreError> {
        let rows = sqlx::query("SELECT org_id, targets, titles FROM registration WHERE campaign_id = $1 ORDER BY org_id").bind(campaign).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(RegistrationRow { org: OrgId(r.try_get(0)?), targets: from_json(&r.try_get::<String, _>(1)?)?, titles: from_json(&r.try_get::<String, _>(2)?)? }))
            .collect()
    }

    pub async fn covenant(&self, campaign: i64) -> Result<BTreeMap<OrgId, CovenantEntry>, StoreError> {
        let rows = sqlx::query("SELECT org_id, status, signed_on, signatory, reason FROM covenant_entry WHERE campaign_id = $1")
            .bind(campaign)
            .fetch_all(&self.pool)
            .await?;
        let mut out = BTreeMap::new();
        for r in rows {
            let status: String = r.try_get("status")?;
            let entry = match status.as_str() {
                "signed" => CovenantEntry::Signed {
                    on: opt_date_col(&r, "signed_on")?.ok_or_else(|| StoreError::Corrupt("signed without a date".into()))?,
                    signatory: r.try_get::<Option<String>, _>("signatory")?.unwrap_or_default(),
                },
                _ => CovenantEntry::Absent { reason: r.try_get::<Option<String>, _>("reason")?.unwrap_or_default() },
            };
            out.insert(OrgId(r.try_get("org_id")?), entry);
        }
        Ok(out)
    }

    pub async fn meetings(&self, cluster: ClusterId) -> Result<Vec<MeetingRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MEETING_COLUMNS} FROM meeting WHERE cluster_id = $1 ORDER BY held_on DESC, id DESC")))
            .bind(cluster.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MEETING_COLUMNS} FROM meeting WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(meeting_from_row).transpose()
    }

    pub async fn meeting_attendees(&self, id: i64) -> Result<Vec<AttendeeRow>, StoreError> {
        let rows = sqlx::query("SELECT org_id, name, position FROM meeting_attendee WHERE meeting_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(AttendeeRow { org: r.try_get::<Option<i64>, _>(0)?.map(OrgId), name: r.try_get(1)?, position: r.try_get(2)? }))
            .collect()
    }

    pub async fn meeting_topics(&self, id: i64) -> Result<Vec<TopicRow>, StoreError> {
        let rows = sqlx::query("SELECT title, presenter_org_id, presenter FROM meeting_topic WHERE meeting_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(TopicRow { title: r.try_get(0)?, presenter_org: r.try_get::<Option<i64>, _>(1)?.map(OrgId), presenter: r.try_get(2)? }))
            .collect()
    }

    pub async fn meeting_documents(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query("SELECT document_id FROM meeting_document WHERE meeting_id = $1 ORDER BY document_id").bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    pub async fn key_tasks(&self, cluster: ClusterId) -> Result<Vec<KeyTaskRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM key_task WHERE cluster_id = $1 ORDER BY deadline IS NULL, deadline, id")))
            .bind(cluster.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(task_from_row).collect()
    }

    pub async fn key_task(&self, id: i64) -> Result<Option<KeyTaskRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM key_task WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(task_from_row).transpose()
    }

    pub async fn task_notes(&self, task: i64) -> Result<Vec<TaskNoteRow>, StoreError> {
        let rows = sqlx::query("SELECT at_unix, actor, note FROM key_task_note WHERE task_id = $1 ORDER BY id").bind(task).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(TaskNoteRow { at_unix: r.try_get(0)?, actor: r.try_get(1)?, note: r.try_get(2)? })).collect()
    }
}
