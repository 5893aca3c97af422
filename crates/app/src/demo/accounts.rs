//! One demo account per role, scoped to the seeds' units. Demo mode only: every account shares a
//! published password.

use argon2::password_hash::PasswordHasher;
use argon2::Argon2;
use thidua_core::access::{Grant, Role, Scope};
use thidua_core::audit::AuditRecord;

use super::World;
use crate::AppError;

/// The password of every demo account.
pub const PASSWORD: &str = "thidua-demo-2026";

/// A demo account: who it is and where its role applies.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// Key of the organization of the subtree scope, `cluster:KEY` for a cluster, or `system`.
    pub scope: &'static str,
    /// The unit the person works in.
    pub home: Option<&'static str>,
    /// The scope as printed in the credentials table.
    pub scope_label: &'static str,
}

pub const ACCOUNTS: [DemoAccount; 7] = [
    DemoAccount { username: "admin", display_name: "Quản trị hệ thống", role: Role::SystemAdmin, scope: "system", home: Some("vp_tu"), scope_label: "Toàn hệ thống" },
    DemoAccount { username: "thuky", display_name: "Trần Thị Mai", role: Role::CouncilSecretary, scope: "tu", home: Some("btc_tu"), scope_label: "Thành ủy Thành phố Hồ Chí Minh" },
    DemoAccount { username: "uyvien", display_name: "Lê Văn Hùng", role: Role::CouncilMember, scope: "tu", home: Some("btc_tu"), scope_label: "Thành ủy Thành phố Hồ Chí Minh" },
    DemoAccount { username: "cumtruong", display_name: "Phạm Minh Châu", role: Role::ClusterLeader, scope: "cluster:cum7", home: Some("btc_satra"), scope_label: "Cụm thi đua 7 – Ban Tổ chức Thành ủy" },
    DemoAccount { username: "chuyenvien", display_name: "Võ Thị Lan", role: Role::UnitOfficer, scope: "du_satra", home: Some("btc_satra"), scope_label: "Đảng ủy Tổng Công ty Thương mại Sài Gòn" },
    DemoAccount { username: "chuyenvien.resco", display_name: "Lê Thị Thu", role: Role::UnitOfficer, scope: "du_resco", home: Some("btc_resco"), scope_label: "Đảng ủy Tổng Công ty Địa ốc Sài Gòn" },
    DemoAccount { username: "lanhdao", display_name: "Đỗ Quang Huy", role: Role::Viewer, scope: "tu", home: Some("tu"), scope_label: "Thành ủy Thành phố Hồ Chí Minh" },
];

pub(super) fn password_hash() -> Result<String, AppError> {
    Argon2::default().hash_password(PASSWORD.as_bytes()).map(|h| h.to_string()).map_err(|_| AppError::NoRandomness)
}

pub(super) async fn build(w: &mut World<'_>, password_hash: &str) -> Result<(), AppError> {
    let now = crate::auth::now_unix();
    for a in &ACCOUNTS {
        let home = a.home.map(|k| w.id(k)).transpose()?;
        let scope = match a.scope {
            "system" => Scope::System,
            s => match s.strip_prefix("cluster:") {
                Some(key) => Scope::Cluster(w.cluster_id(key)?),
                None => Scope::Subtree(w.id(s)?),
            },
        };
        let user = w.tx.create_user(a.username, a.display_name, password_hash, home, now).await?;
        w.tx.add_grant(user, &Grant { role: a.role, scope }).await?;
        let record = AuditRecord {
            actor: "system".into(),
            action: "user.create".into(),
            resource: format!("user:{}", a.username),
            summary: format!("{} ({})", a.display_name, a.role.code()),
        };
        w.tx.audit(None, &record).await?;
    }
    Ok(())
}
