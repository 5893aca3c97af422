//! Accounts, grants, sessions, API tokens and login throttling.

use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::access::{Grant, Role, Scope};
use thidua_core::cluster::ClusterId;
use thidua_core::org::OrgId;

use crate::db::{Store, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(pub i64);

/// An account as stored. A person is not an account: members and award recipients live elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub home_org: Option<OrgId>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: UserId,
    pub csrf_token: String,
    pub created_unix: i64,
    pub last_seen_unix: i64,
    pub expires_unix: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub user: UserId,
    pub label: String,
    pub created_unix: i64,
    pub last_used_unix: Option<i64>,
    pub revoked_unix: Option<i64>,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, home_org_id, active";

fn user_from_row(r: &AnyRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        home_org: r.try_get::<Option<i64>, _>("home_org_id")?.map(OrgId),
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

fn grant_from_row(r: &AnyRow) -> Result<Grant, StoreError> {
    let role: String = r.try_get("role")?;
    let role = Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
    let kind: String = r.try_get("scope_kind")?;
    let org: Option<i64> = r.try_get("scope_org_id")?;
    let cluster: Option<i64> = r.try_get("scope_cluster_id")?;
    let scope = match (kind.as_str(), org, cluster) {
        ("system", _, _) => Scope::System,
        ("subtree", Some(o), _) => Scope::Subtree(OrgId(o)),
        ("cluster", _, Some(c)) => Scope::Cluster(ClusterId(c)),
        _ => return Err(StoreError::Corrupt(format!("grant scope {kind:?}"))),
    };
    Ok(Grant { role, scope })
}

fn token_from_row(r: &AnyRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        user: UserId(r.try_get("user_id")?),
        label: r.try_get("label")?,
        created_unix: r.try_get("created_unix")?,
        last_used_unix: r.try_get("last_used_unix")?,
        revoked_unix: r.try_get("revoked_unix")?,
    })
}

impl Tx {
    pub async fn create_user(
        &mut self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        home_org: Option<OrgId>,
        now: i64,
    ) -> Result<UserId, StoreError> {
        let row = sqlx::query(
            "INSERT INTO user_account (username, display_name, password_hash, home_org_id, active, created_unix) \
             VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(password_hash)
        .bind(home_org.map(|o| o.0))
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(UserId(row.try_get(0)?))
    }

    pub async fn set_user_active(&mut self, user: UserId, active: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_account SET active = $1 WHERE id = $2").bind(i64::from(active)).bind(user.0).execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn set_password_hash(&mut self, user: UserId, hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_account SET password_hash = $1 WHERE id = $2").bind(hash).bind(user.0).execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn add_grant(&mut self, user: UserId, grant: &Grant) -> Result<(), StoreError> {
        let (kind, org, cluster) = match grant.scope {
            Scope::System => ("system", None, None),
            Scope::Subtree(o) => ("subtree", Some(o.0), None),
            Scope::Cluster(c) => ("cluster", None, Some(c.0)),
        };
        sqlx::query("INSERT INTO user_grant (user_id, role, scope_kind, scope_org_id, scope_cluster_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(user.0)
            .bind(grant.role.code())
            .bind(kind)
            .bind(org)
            .bind(cluster)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn create_session(&mut self, id_hash: &str, user: UserId, csrf: &str, now: i64, expires: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_session (id_hash, user_id, csrf_token, created_unix, last_seen_unix, expires_unix) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(id_hash)
        .bind(user.0)
        .bind(csrf)
        .bind(now)
        .bind(expires)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM user_session WHERE id_hash = $1").bind(id_hash).execute(&mut *self.tx).await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_sessions_of(&mut self, user: UserId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(user.0).execute(&mut *self.tx).await?;
        Ok(done.rows_affected())
    }

    pub async fn touch_session(&mut self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_session SET last_seen_unix = $1 WHERE id_hash = $2").bind(now).bind(id_hash).execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn create_token(&mut self, user: UserId, label: &str, token_hash: &str, now: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO api_token (user_id, label, token_hash, created_unix) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(user.0)
            .bind(label)
            .bind(token_hash)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Marks a token revoked; false if there was no such live token.
    pub async fn revoke_token(&mut self, id: i64, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE api_token SET revoked_unix = $1 WHERE id = $2 AND revoked_unix IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn touch_token(&mut self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_token SET last_used_unix = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn record_login_failure(&mut self, key: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_failure (key, at_unix) VALUES ($1, $2)").bind(key).bind(now).execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn clear_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failure WHERE key = $1").bind(key).execute(&mut *self.tx).await?;
        Ok(())
    }
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user_account WHERE username = $1")))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn user(&self, id: UserId) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user_account WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user_account ORDER BY username")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn grants_of(&self, user: UserId) -> Result<Vec<Grant>, StoreError> {
        let rows = sqlx::query("SELECT role, scope_kind, scope_org_id, scope_cluster_id FROM user_grant WHERE user_id = $1 ORDER BY id")
            .bind(user.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(grant_from_row).collect()
    }

    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query("SELECT user_id, csrf_token, created_unix, last_seen_unix, expires_unix FROM user_session WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(SessionRow {
                user: UserId(r.try_get(0)?),
                csrf_token: r.try_get(1)?,
                created_unix: r.try_get(2)?,
                last_seen_unix: r.try_get(3)?,
                expires_unix: r.try_get(4)?,
            })
        })
        .transpose()
    }

    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRow>, StoreError> {
        let row = sqlx::query("SELECT id, user_id, label, created_unix, last_used_unix, revoked_unix FROM api_token WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub async fn tokens_of(&self, user: UserId) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query("SELECT id, user_id, label, created_unix, last_used_unix, revoked_unix FROM api_token WHERE user_id = $1 ORDER BY id")
            .bind(user.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    pub async fn login_failures_since(&self, key: &str, since: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT count(*) FROM login_failure WHERE key = $1 AND at_unix >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}
