//! The organization registry: the tree as of a date, an organization's history and lineage, and
//! recording events.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use thidua_core::org::{build_forest, lineage, Lineage, OrgChange, OrgEvent, OrgId, OrgVersion, TreeNode};

use crate::{App, AppError};

/// Everything the organization page shows.
#[derive(Debug, Clone, Serialize)]
pub struct OrgDetail {
    pub id: OrgId,
    /// The version live on the requested date, if any.
    pub on_date: Option<OrgVersion>,
    /// The latest version: the current state, or the last one before it ended.
    pub latest: OrgVersion,
    pub history: Vec<OrgVersion>,
    pub events: Vec<OrgEvent>,
    pub lineage: Lineage,
    /// Where records addressed to this organization belong on the requested date.
    pub successors_on_date: Vec<OrgId>,
    /// Subordinate organizations live on the requested date.
    pub children_on_date: Vec<OrgVersion>,
    pub note: Option<String>,
    /// Latest names of every organization the page mentions.
    pub names: HashMap<OrgId, String>,
}

impl App {
    /// The tree as it stood on `date`.
    pub async fn org_tree(&self, date: Date) -> Result<Vec<TreeNode>, AppError> {
        Ok(build_forest(self.store.orgs_on(date).await?))
    }

    /// The organizations live on `date`, flat.
    pub async fn orgs_on(&self, date: Date) -> Result<Vec<OrgVersion>, AppError> {
        Ok(self.store.orgs_on(date).await?)
    }

    pub async fn org_detail(&self, id: OrgId, date: Date) -> Result<OrgDetail, AppError> {
        let history = self.store.org_history(id).await?;
        let latest = history.last().cloned().ok_or(AppError::NotFound)?;
        let successions = self.store.org_lineage(id).await?;
        let lineage = lineage(&successions, id);
        let successors_on_date = self.store.org_successors_on(id, date).await?;
        let live = self.store.orgs_on(date).await?;
        let mut children_on_date: Vec<OrgVersion> = live.into_iter().filter(|v| v.parent == Some(id)).collect();
        children_on_date.sort_by(|a, b| thidua_core::vi::compare(&a.name, &b.name));
        let events = self.store.org_events(id).await?;

        let mut mentioned: BTreeSet<OrgId> = BTreeSet::from([id]);
        mentioned.extend(history.iter().filter_map(|v| v.parent));
        mentioned.extend(successions.iter().flat_map(|s| [s.predecessor, s.successor]));
        mentioned.extend(successors_on_date.iter().copied());
        mentioned.extend(events.iter().flat_map(|e| e.change.orgs()));
        let names = self.org_names(&mentioned).await?;
        Ok(OrgDetail {
            id,
            on_date: history.iter().find(|v| v.is_live_on(date)).cloned(),
            latest,
            history,
            events,
            lineage,
            successors_on_date,
            children_on_date,
            note: self.store.org_note(id).await?,
            names,
        })
    }

    /// Latest names of the given organizations.
    pub async fn org_names(&self, ids: &BTreeSet<OrgId>) -> Result<HashMap<OrgId, String>, AppError> {
        Ok(self
            .store
            .orgs_latest()
            .await?
            .into_iter()
            .filter(|v| ids.contains(&v.org))
            .map(|v| (v.org, v.name))
            .collect())
    }

    /// Records an event in its own transaction.
    pub async fn record_org_event(
        &self,
        date: Date,
        change: OrgChange<()>,
        basis: Option<String>,
    ) -> Result<OrgEvent, AppError> {
        let mut tx = self.store.begin().await?;
        let event = tx.record_org_event(date, change, basis).await?;
        tx.commit().await?;
        Ok(event)
    }

    /// The days on which the tree changed, oldest first.
    pub async fn org_event_dates(&self) -> Result<Vec<Date>, AppError> {
        Ok(self.store.org_event_dates().await?)
    }

    pub async fn org_event_count(&self) -> Result<i64, AppError> {
        Ok(self.store.org_event_count().await?)
    }

    /// Where a record addressed to `org` belongs on `date` (several after a split).
    pub async fn org_successors_on(&self, org: OrgId, date: Date) -> Result<Vec<OrgId>, AppError> {
        if self.store.org_history(org).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(self.store.org_successors_on(org, date).await?)
    }
}
