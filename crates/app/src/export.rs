//! Everything as one deterministic JSON document (`thidua export`), and back into an empty
//! database (`thidua import json`).

use std::io::Write;

use crate::{App, AppError};

impl App {
    /// Records that a list naming members left the system as a file: what and how many, never
    /// who.
    pub async fn audit_export(&self, p: &crate::auth::Principal, what: &str, count: usize) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("member.export", what, format!("{count} members"))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes every table to `out`; returns the number of rows. Sessions are left out, and the
    /// installation's signing key unless `secrets`.
    pub async fn export_json(&self, out: &mut (dyn Write + Send), secrets: bool) -> Result<u64, AppError> {
        Ok(self.store.export_json(out, secrets).await?)
    }

    /// Restores an export into a database that holds no data of its own, in one transaction, and
    /// rebuilds the search index. Returns the number of rows.
    pub async fn restore_json(&self, bytes: &[u8]) -> Result<u64, AppError> {
        let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| AppError::Internal(thidua_store::StoreError::Corrupt(format!("the file is not a JSON export: {e}"))))?;
        if self.store.holds_data().await? {
            return Err(AppError::NotEmpty);
        }
        let rows = self.store.restore_json(&doc).await?;
        self.store.refresh_statistics().await?;
        Ok(rows)
    }
}
