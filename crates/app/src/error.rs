use thidua_core::cluster::ClusterError;
use thidua_core::org::OrgError;
use thidua_store::StoreError;

use crate::auth::AccountError;

/// What a use case can fail with. Everything but `Internal` and `NoRandomness` is the user's to
/// fix (4xx at the web edge); those two are ours (5xx, logged without member data).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_minutes} minutes")]
    TooManyAttempts { retry_after_minutes: i64 },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("the database already holds data that is not the demo world")]
    NotEmpty,
    #[error("the system's random number source failed")]
    NoRandomness,
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
