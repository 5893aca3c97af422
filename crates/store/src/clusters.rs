//! Emulation clusters and their yearly membership.

use sqlx::Row;
use sqlx::any::AnyRow;
use thidua_core::cluster::{Cluster, ClusterError, ClusterId, ClusterRole, ClusterYear};
use thidua_core::org::OrgId;

use crate::db::{Store, StoreError, Tx};

impl Tx {
    pub async fn create_cluster(&mut self, name: &str, owner: OrgId, sector: Option<&str>) -> Result<ClusterId, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ClusterError::EmptyName.into());
        }
        let row = sqlx::query("INSERT INTO cluster (name, owner_org_id, sector) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(owner.0)
            .bind(sector)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(ClusterId(row.try_get(0)?))
    }

    /// Replaces the membership of one year.
    pub async fn set_cluster_year(&mut self, cluster: ClusterId, year: &ClusterYear) -> Result<(), StoreError> {
        year.validate()?;
        sqlx::query("DELETE FROM cluster_member WHERE cluster_id = $1 AND year = $2")
            .bind(cluster.0)
            .bind(i64::from(year.year))
            .execute(&mut *self.tx)
            .await?;
        for (org, role) in &year.members {
            sqlx::query("INSERT INTO cluster_member (cluster_id, year, org_id, role) VALUES ($1, $2, $3, $4)")
                .bind(cluster.0)
                .bind(i64::from(year.year))
                .bind(org.0)
                .bind(role.code())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }
}

fn cluster_from_row(r: &AnyRow) -> Result<Cluster, StoreError> {
    Ok(Cluster { id: ClusterId(r.try_get(0)?), name: r.try_get(1)?, owner: OrgId(r.try_get(2)?), sector: r.try_get(3)? })
}

impl Store {
    pub async fn clusters(&self) -> Result<Vec<Cluster>, StoreError> {
        let rows = sqlx::query("SELECT id, name, owner_org_id, sector FROM cluster ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(cluster_from_row).collect()
    }

    pub async fn cluster(&self, id: ClusterId) -> Result<Option<Cluster>, StoreError> {
        let row = sqlx::query("SELECT id, name, owner_org_id, sector FROM cluster WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(cluster_from_row).transpose()
    }

    /// Years for which the cluster has a membership, newest first.
    pub async fn cluster_years(&self, id: ClusterId) -> Result<Vec<i16>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT year FROM cluster_member WHERE cluster_id = $1 ORDER BY year DESC")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let y: i64 = r.try_get(0)?;
                i16::try_from(y).map_err(|_| StoreError::Corrupt(format!("year {y}")))
            })
            .collect()
    }

    /// Every (unit, cluster) membership in any year.
    pub async fn cluster_memberships(&self) -> Result<Vec<(OrgId, ClusterId)>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT org_id, cluster_id FROM cluster_member").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get(0)?), ClusterId(r.try_get(1)?)))).collect()
    }

    /// The clusters a unit belonged to in any year.
    pub async fn org_clusters(&self, org: OrgId) -> Result<Vec<ClusterId>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT cluster_id FROM cluster_member WHERE org_id = $1 ORDER BY cluster_id").bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(ClusterId(r.try_get(0)?))).collect()
    }

    /// The units that belonged to a cluster in any year.
    pub async fn cluster_orgs(&self, id: ClusterId) -> Result<Vec<OrgId>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT org_id FROM cluster_member WHERE cluster_id = $1 ORDER BY org_id").bind(id.0).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(OrgId(r.try_get(0)?))).collect()
    }

    pub async fn cluster_year(&self, id: ClusterId, year: i16) -> Result<ClusterYear, StoreError> {
        let rows = sqlx::query("SELECT org_id, role FROM cluster_member WHERE cluster_id = $1 AND year = $2 ORDER BY org_id")
            .bind(id.0)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        let mut members = Vec::new();
        for r in rows {
            let role: String = r.try_get(1)?;
            let role = ClusterRole::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("cluster role {role:?}")))?;
            members.push((OrgId(r.try_get(0)?), role));
        }
        Ok(ClusterYear { year, members })
    }
}
