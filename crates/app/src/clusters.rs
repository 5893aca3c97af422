//! Emulation clusters as the foundation knows them: who belonged, who led, each year.

use jiff::civil::Date;
use serde::Serialize;
use thidua_core::cluster::{Cluster, ClusterId, ClusterRole};
use thidua_core::org::OrgVersion;

use thidua_core::access::{can, Action};

use crate::auth::Principal;
use crate::{App, AppError};

/// A member unit in one year, named as it was named that year.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterMember {
    pub org: OrgVersion,
    pub role: ClusterRole,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterDetail {
    pub cluster: Cluster,
    pub owner: Option<OrgVersion>,
    pub year: i16,
    pub years: Vec<i16>,
    /// Leader first, then deputy, then the others in Vietnamese order.
    pub members: Vec<ClusterMember>,
}

impl App {
    /// The clusters the principal may see, in Vietnamese order.
    pub async fn clusters(&self, p: &Principal) -> Result<Vec<Cluster>, AppError> {
        let all = self.store.clusters().await?;
        let mut visible = if p.has_system(Action::ViewCluster) {
            all
        } else {
            let resources = self.cluster_resources(&all).await?;
            all.into_iter().zip(resources).filter(|(_, r)| can(&p.grants, Action::ViewCluster, r)).map(|(c, _)| c).collect()
        };
        thidua_core::vi::sort_by_name(&mut visible, |x| &x.name);
        Ok(visible)
    }

    /// A cluster's membership in `year` (the latest year with a membership when `None`).
    pub async fn cluster_detail(&self, p: &Principal, id: ClusterId, year: Option<i16>) -> Result<ClusterDetail, AppError> {
        let cluster = self.store.cluster(id).await?.ok_or(AppError::NotFound)?;
        self.require_cluster(p, Action::ViewCluster, id).await?;
        let years = self.store.cluster_years(id).await?;
        let year = match year {
            Some(y) => y,
            None => years.first().copied().ok_or(AppError::NotFound)?,
        };
        let membership = self.store.cluster_year(id, year).await?;
        // Units are named as they were during that year: the version live on its last day, or
        // the last version before the unit ended within the year.
        let last_day = Date::new(year, 12, 31).map_err(|_| AppError::NotFound)?;
        let mut members = Vec::new();
        for (org, role) in membership.members {
            let history = self.store.org_history(org).await?;
            if let Some(v) = history.iter().rev().find(|v| v.valid_from <= last_day).or(history.first()) {
                members.push(ClusterMember { org: v.clone(), role });
            }
        }
        let rank = |r: ClusterRole| match r {
            ClusterRole::Leader => 0,
            ClusterRole::Deputy => 1,
            ClusterRole::Member => 2,
        };
        members.sort_by(|a, b| rank(a.role).cmp(&rank(b.role)).then(thidua_core::vi::compare(&a.org.name, &b.org.name)));
        let owner = self.store.org_history(cluster.owner).await?.pop();
        Ok(ClusterDetail { cluster, owner, year, years, members })
    }
}
