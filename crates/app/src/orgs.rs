//! The organization registry: the tree as of a date, an organization's history and lineage, and
//! recording events.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use thidua_core::access::Action;
use thidua_core::date::format_date;
use thidua_core::org::{build_forest, lineage, Lineage, OrgChange, OrgEvent, OrgId, OrgVersion, Target, TreeNode};

use crate::auth::Principal;
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
    /// The tree as it stood on `date`, as far as the principal may see it: each visible subtree
    /// whose parent is hidden shows as a root.
    pub async fn org_tree(&self, p: &Principal, date: Date) -> Result<Vec<TreeNode>, AppError> {
        Ok(build_forest(self.orgs_on(p, date).await?))
    }

    /// The organizations live on `date` that the principal may see, flat.
    pub async fn orgs_on(&self, p: &Principal, date: Date) -> Result<Vec<OrgVersion>, AppError> {
        self.orgs_for(p, Action::ViewOrg, date).await
    }

    pub async fn org_detail(&self, p: &Principal, id: OrgId, date: Date) -> Result<OrgDetail, AppError> {
        self.require_org(p, Action::ViewOrg, id, date).await?;
        let history = self.store.org_history(id).await?;
        let latest = history.last().cloned().ok_or(AppError::NotFound)?;
        let successions = self.store.org_lineage(id).await?;
        let lineage = lineage(&successions, id);
        let successors_on_date = self.store.org_successors_on(id, date).await?;
        let live = self.store.orgs_on(date).await?;
        let mut children_on_date: Vec<OrgVersion> = live.into_iter().filter(|v| v.parent == Some(id)).collect();
        thidua_core::vi::sort_by_name(&mut children_on_date, |x| &x.name);
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
        Ok(self.store.latest_names(ids).await?)
    }

    /// Records an event in its own transaction, with its audit entry. The principal needs the right
    /// to edit every organization the event touches, and the parent of every one it creates; an
    /// event with no parent to anchor it (a new root) needs a system-wide grant.
    pub async fn record_org_event(
        &self,
        p: &Principal,
        date: Date,
        change: OrgChange<()>,
        basis: Option<String>,
    ) -> Result<OrgEvent, AppError> {
        if !p.has_system(Action::EditOrgs) {
            let (anchors, rootless) = anchors(&change);
            if rootless {
                self.require_system(p, Action::EditOrgs)?;
            }
            for org in anchors {
                // An unknown id is left for the registry to refuse with its own message.
                if let Some(resource) = self.org_resource(org, date).await? {
                    self.require(p, Action::EditOrgs, &resource)?;
                }
            }
        }
        let mut tx = self.store.begin().await?;
        let event = tx.record_org_event(date, change, basis).await?;
        let resource = event.change.subjects().iter().map(|o| format!("org:{}", o.0)).collect::<Vec<_>>().join(" ");
        let summary = format!("{} {}{}", event.change.kind_code(), format_date(event.date), event.basis.as_ref().map(|b| format!(" ({b})")).unwrap_or_default());
        tx.audit(p.user, &p.record(&format!("org.{}", event.change.kind_code()), resource, summary)).await?;
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
    pub async fn org_successors_on(&self, p: &Principal, org: OrgId, date: Date) -> Result<Vec<OrgId>, AppError> {
        self.require_org(p, Action::ViewOrg, org, date).await?;
        Ok(self.store.org_successors_on(org, date).await?)
    }
}

/// The existing organizations whose subtree an event writes into: the organizations it changes and
/// the parents it hangs new or moved ones from. `true` when it also creates or moves something to
/// the top level.
fn anchors(change: &OrgChange<()>) -> (Vec<OrgId>, bool) {
    let mut orgs = Vec::new();
    let mut rootless = false;
    let mut target = |t: &Target<()>, orgs: &mut Vec<OrgId>| match t {
        Target::Existing(o) => orgs.push(*o),
        Target::New(n) => match n.spec.parent {
            Some(p) => orgs.push(p),
            None => rootless = true,
        },
    };
    match change {
        OrgChange::Create(n) => match n.spec.parent {
            Some(p) => orgs.push(p),
            None => rootless = true,
        },
        OrgChange::Rename { org, .. } | OrgChange::Dissolve { org } => orgs.push(*org),
        OrgChange::Move { org, parent } => {
            orgs.push(*org);
            match parent {
                Some(p) => orgs.push(*p),
                None => rootless = true,
            }
        }
        OrgChange::Merge { sources, into } => {
            orgs.extend(sources);
            target(into, &mut orgs);
        }
        OrgChange::Split { source, into } => {
            orgs.push(*source);
            for t in into {
                target(t, &mut orgs);
            }
        }
    }
    (orgs, rootless)
}
