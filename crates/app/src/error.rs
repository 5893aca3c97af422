use thidua_core::cluster::ClusterError;
use thidua_core::org::OrgError;
use thidua_store::StoreError;

/// What a use case can fail with. Domain errors are the user's to fix (4xx at the web edge);
/// `Internal` is ours (5xx, logged without member data).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("the database already holds data that is not the demo world")]
    NotEmpty,
    #[error(transparent)]
    Internal(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Org(e) => AppError::Org(e),
            StoreError::Cluster(e) => AppError::Cluster(e),
            other => AppError::Internal(other),
        }
    }
}
