//! What leadership sees at a glance: a cluster's year (ranking, key tasks, meetings by quarter),
//! an organization's evaluation levels and awards by year, a register's incoming documents by
//! month, and transfers under way. Figures only: the charts are drawn by the web layer.

use std::collections::BTreeMap;

use thidua_core::access::Action;
use thidua_core::cluster::ClusterId;
use thidua_core::evaluation::Level;
use thidua_core::org::OrgId;
use thidua_core::transfer::TransferState;

use crate::auth::Principal;
use crate::{today, App, AppError};

/// A cluster's year.
#[derive(Debug, Clone)]
pub struct ClusterDashboard {
    pub cluster: String,
    pub year: i16,
    /// The campaign whose closed round ranks the units, and the ranking: unit and total points.
    pub ranking: Option<(String, Vec<(String, f64)>)>,
    pub tasks_done: usize,
    pub tasks_open: usize,
    pub tasks_overdue: usize,
    /// Meetings held in each quarter.
    pub meetings_by_quarter: [usize; 4],
}

/// An organization with everything under it (and what it succeeded).
#[derive(Debug, Clone)]
pub struct OrgDashboard {
    pub org: String,
    /// Members' levels by year, for those who may read the members' records (in a small cell
    /// the counts are the members' own levels).
    pub levels: Option<BTreeMap<i16, BTreeMap<Level, i64>>>,
    /// Awards by year, when the viewer may see commendation.
    pub awards: Option<BTreeMap<i16, u32>>,
}

/// A register's incoming documents of a year.
#[derive(Debug, Clone)]
pub struct DocumentDashboard {
    pub register: String,
    pub year: i16,
    /// By month: arrived, and handled or filed since.
    pub by_month: [(i64, i64); 12],
}

/// Transfers the viewer handles.
#[derive(Debug, Clone, Default)]
pub struct TransferDashboard {
    /// How many are in each state.
    pub by_state: Vec<(TransferState, usize)>,
    /// Under way, and of those past a deadline.
    pub open: usize,
    pub overdue: usize,
}

impl App {
    pub async fn cluster_dashboard(&self, p: &Principal, cluster: ClusterId, year: i16) -> Result<ClusterDashboard, AppError> {
        let c = self.cluster_for(p, Action::ViewCluster, cluster).await?;
        let mut meetings_by_quarter = [0usize; 4];
        for m in self.meetings(p, cluster, Some(year)).await? {
            meetings_by_quarter[usize::from((m.held_on.month().unsigned_abs() - 1) / 3)] += 1;
        }
        let tasks = self.key_tasks(p, cluster, year).await?;
        // The year's ranking: the last campaign of the year whose round shows one.
        let mut ranking = None;
        for campaign in self.campaigns(p, cluster).await?.into_iter().filter(|c| c.year == year) {
            if let Some(round) = self.round_of_campaign(p, campaign.id).await?
                && round.closed
                && let Some(ranked) = self.round_view(p, round.id).await?.ranking
            {
                let units = ranked.into_iter().map(|r| (r.name, r.result.total.num as f64 / r.result.total.den.max(1) as f64)).collect();
                ranking = Some((campaign.title, units));
            }
        }
        Ok(ClusterDashboard { cluster: c.name, year, ranking, tasks_done: tasks.done, tasks_open: tasks.open, tasks_overdue: tasks.overdue, meetings_by_quarter })
    }

    pub async fn org_dashboard(&self, p: &Principal, org: OrgId) -> Result<OrgDashboard, AppError> {
        self.require_org(p, Action::ViewOrg, org, today()).await?;
        let name = self.org_names(&[org].into_iter().collect()).await?.remove(&org).ok_or(AppError::NotFound)?;
        let subtree = self.subtree(org, today()).await?;
        let orgs = self.with_predecessors(&subtree).await?;
        let levels = if self.require_org(p, Action::ViewMember, org, today()).await.is_ok() {
            let mut levels: BTreeMap<i16, BTreeMap<Level, i64>> = BTreeMap::new();
            for (year, level, n) in self.store.member_level_counts(&orgs).await? {
                *levels.entry(year).or_default().entry(level).or_default() += n;
            }
            Some(levels)
        } else {
            None
        };
        let awards = if self.require_org(p, Action::ViewCommendation, org, today()).await.is_ok() {
            let this_year = today().year();
            let stats = self.registry_stats(p, org, this_year - 9, this_year).await?;
            Some(stats.into_iter().map(|(y, titles)| (y, titles.values().sum())).collect())
        } else {
            None
        };
        Ok(OrgDashboard { org: name, levels, awards })
    }

    pub async fn document_dashboard(&self, p: &Principal, register: OrgId, year: i16) -> Result<DocumentDashboard, AppError> {
        let registers = self.readable_registers(p).await?;
        let (_, name) = registers.into_iter().find(|(o, _)| *o == register).ok_or(AppError::Forbidden)?;
        Ok(DocumentDashboard { register: name, year, by_month: self.store.incoming_by_month(register, year).await? })
    }

    /// Counts over the transfers the viewer may see (none for those who handle none): by state
    /// from the database, overdue among the open ones.
    pub async fn transfer_dashboard(&self, p: &Principal) -> Result<TransferDashboard, AppError> {
        let orgs = self.member_orgs(p, Action::ManageTransfers).await?;
        let mut by_state: Vec<(TransferState, usize)> = self.store.transfer_counts(orgs.as_deref()).await?.into_iter().map(|(s, n)| (s, n as usize)).collect();
        by_state.sort_by_key(|(s, _)| s.code());
        let open = self.transfers_where(p, Some(true), None).await?;
        Ok(TransferDashboard { open: open.len(), overdue: open.iter().filter(|t| t.overdue_since.is_some()).count(), by_state })
    }
}
