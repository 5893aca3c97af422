use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_app::App;
use thidua_core::cluster::{Cluster, ClusterId};
use utoipa::{IntoParams, ToSchema};

use super::orgs::OrgVersionDto;
use super::ErrorBody;
use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::clusters::parse_year;

#[derive(Serialize, ToSchema)]
pub struct ClusterDto {
    pub id: i64,
    pub name: String,
    pub owner_id: i64,
    pub sector: Option<String>,
}

impl From<&Cluster> for ClusterDto {
    fn from(c: &Cluster) -> Self {
        ClusterDto { id: c.id.0, name: c.name.clone(), owner_id: c.owner.0, sector: c.sector.clone() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClusterMemberDto {
    /// The unit as it was named that year.
    pub org: OrgVersionDto,
    /// `leader` (Cụm trưởng), `deputy` (Cụm phó) or `member`.
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClusterYearDto {
    pub cluster: ClusterDto,
    pub year: i16,
    /// Years with a recorded membership, newest first.
    pub years: Vec<i16>,
    pub members: Vec<ClusterMemberDto>,
}

/// All emulation clusters and blocs.
#[utoipa::path(get, path = "/api/v1/clusters", tag = "clusters", responses((status = 200, body = Vec<ClusterDto>)))]
pub async fn list(State(app): State<App>, caller: Caller) -> Result<Json<Vec<ClusterDto>>, Problem> {
    Ok(Json(app.clusters(&caller.principal).await?.iter().map(Into::into).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year; the latest with a membership when absent.
    year: Option<String>,
}

/// A cluster's member units, leader and deputy in one year.
#[utoipa::path(get, path = "/api/v1/clusters/{id}", tag = "clusters", params(("id" = i64, Path), YearParams), responses(
    (status = 200, body = ClusterYearDto),
    (status = 400, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub async fn detail(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<YearParams>, QueryRejection>,
) -> Result<Json<ClusterYearDto>, Problem> {
    let Query(q) = query?;
    let id = ClusterId(crate::pages::parse_id(&id)?);
    let year = parse_year(q.year.as_deref())?;
    let d = app.cluster_detail(&caller.principal, id, year).await?;
    Ok(Json(ClusterYearDto {
        cluster: (&d.cluster).into(),
        year: d.year,
        years: d.years,
        members: d.members.iter().map(|m| ClusterMemberDto { org: (&m.org).into(), role: m.role.code().into() }).collect(),
    }))
}
