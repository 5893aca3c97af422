//! Reading and verifying the audit log.

use thidua_core::access::Action;
use thidua_core::audit::{verify, AuditEntry, Tamper};
pub use thidua_store::AuditFilter;

use crate::auth::Principal;
use crate::{App, AppError};

/// What `thidua audit verify` found.
#[derive(Debug)]
pub enum AuditCheck {
    Intact { entries: usize },
    Tampered(Tamper),
}

impl App {
    /// The newest entries matching the filter (administrators only).
    pub async fn audit_entries(&self, p: &Principal, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
        self.require_system(p, Action::ViewAudit)?;
        Ok(self.store.audit_entries(filter).await?)
    }

    /// Recomputes the hash chain over the whole log.
    pub async fn verify_audit(&self) -> Result<AuditCheck, AppError> {
        let log = self.store.audit_log().await?;
        let head = self.store.audit_head().await?;
        Ok(match verify(&log, head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
            Ok(entries) => AuditCheck::Intact { entries },
            Err(t) => AuditCheck::Tampered(t),
        })
    }
}
