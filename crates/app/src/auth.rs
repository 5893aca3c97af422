//! Accounts, login and sessions, API tokens. Passwords are hashed with argon2id; session and API
//! tokens are random and only their SHA-256 is stored, so a copy of the database cannot be used to
//! log in.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use thidua_core::access::{can_somewhere, Action, Grant, ResolvedGrant, Role, Scope};
use thidua_core::audit::{hex, AuditRecord};
use thidua_core::org::OrgId;
use thidua_store::{Tx, UserId, UserRow};

use crate::{App, AppError};

/// Who is acting: a signed-in user, a script with a token, or the system itself (CLI, demo).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: Option<UserId>,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<ResolvedGrant>,
}

impl Principal {
    /// The administrator at the console: the CLI and the demo loader act as this.
    pub fn system() -> Principal {
        Principal {
            user: None,
            username: "system".into(),
            display_name: "Hệ thống".into(),
            grants: vec![ResolvedGrant { grant: Grant { role: Role::SystemAdmin, scope: Scope::System }, roots: vec![] }],
        }
    }

    /// Whether the user may do `action` anywhere at all: what the UI offers.
    pub fn may(&self, action: Action) -> bool {
        can_somewhere(&self.grants, action)
    }

    pub fn has_system(&self, action: Action) -> bool {
        self.grants.iter().any(|g| g.grant.scope == Scope::System && g.grant.role.allows(action))
    }

    pub(crate) fn record(&self, action: &str, resource: impl Into<String>, summary: impl Into<String>) -> AuditRecord {
        AuditRecord { actor: self.username.clone(), action: action.into(), resource: resource.into(), summary: summary.into() }
    }
}

/// Why an account operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("a username is 3–40 characters: lowercase letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("a password has at least {min} characters")]
    WeakPassword { min: usize },
    #[error("the display name is empty")]
    EmptyDisplayName,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("no such user")]
    UnknownUser,
    #[error("no such live token")]
    UnknownToken,
}

pub const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 1024;

/// Session lifetimes and login throttling.
#[derive(Debug, Clone, Copy)]
pub struct Security {
    /// A session unused this long ends.
    pub session_idle_secs: i64,
    /// A session ends this long after login, used or not.
    pub session_absolute_secs: i64,
    /// Failed logins for one account within the window before it is locked for the window.
    pub max_account_failures: i64,
    /// Failed logins from one address within the window before it is refused.
    pub max_ip_failures: i64,
    pub failure_window_secs: i64,
    /// The reverse proxy in front, whose `X-Forwarded-For` names the client: sign-in failures are
    /// then counted per client instead of all against the proxy. Other peers' headers are ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl Default for Security {
    fn default() -> Security {
        Security {
            session_idle_secs: 2 * 3600,
            session_absolute_secs: 12 * 3600,
            max_account_failures: 5,
            max_ip_failures: 30,
            failure_window_secs: 15 * 60,
            trusted_proxy: None,
        }
    }
}

/// A live session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    /// The token every state-changing request of this session must carry.
    pub csrf: String,
}

/// A session just opened: the cookie value is returned once and never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub home_org: Option<OrgId>,
}

/// An account as listed to administrators.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub username: String,
    pub display_name: String,
    pub home_org: Option<OrgId>,
    pub active: bool,
    pub grants: Vec<Grant>,
}

pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// 32 random bytes as hex.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AppError::NoRandomness)?;
    Ok(hex(&bytes))
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|_| AppError::NoRandomness)
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fixed hash to verify against when the username is unknown, so both cases take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-0").unwrap_or_default())
}

fn check_username(name: &str) -> Result<(), AppError> {
    let ok = (3..=40).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(()) } else { Err(AccountError::BadUsername.into()) }
}

fn check_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(AccountError::WeakPassword { min: MIN_PASSWORD }.into());
    }
    Ok(())
}

impl App {
    async fn principal_of(&self, user: &UserRow) -> Result<Principal, AppError> {
        let grants = self.store.grants_of(user.id).await?;
        Ok(Principal {
            user: Some(user.id),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            grants: self.resolve_grants(grants).await?,
        })
    }

    /// Checks a password and opens a session. Wrong username, wrong password and a disabled account
    /// all get the same answer; repeated failures lock the account and the address for a while.
    pub async fn login(&self, username: &str, password: &str, ip: &str) -> Result<NewSession, AppError> {
        let now = now_unix();
        let s = self.security;
        let since = now - s.failure_window_secs;
        let user_key = format!("user:{}", username.trim().to_lowercase());
        let ip_key = format!("ip:{ip}");
        if self.store.login_failures_since(&user_key, since).await? >= s.max_account_failures
            || self.store.login_failures_since(&ip_key, since).await? >= s.max_ip_failures
        {
            return Err(AppError::TooManyAttempts { retry_after_minutes: (s.failure_window_secs + 59) / 60 });
        }
        let user = self.store.user_by_username(username.trim()).await?;
        let stored = user.as_ref().map_or(dummy_hash(), |u| u.password_hash.as_str());
        let matches = password.len() <= MAX_PASSWORD && password_matches(password, stored);
        let user = match user {
            Some(u) if matches && u.active => u,
            _ => {
                let mut tx = self.store.begin().await?;
                tx.record_login_failure(&user_key, now).await?;
                tx.record_login_failure(&ip_key, now).await?;
                let record = AuditRecord {
                    actor: "anonymous".into(),
                    action: "login.failed".into(),
                    resource: format!("user:{}", username.trim().chars().take(40).collect::<String>()),
                    summary: String::new(),
                };
                tx.audit(None, &record).await?;
                tx.commit().await?;
                return Err(AppError::BadCredentials);
            }
        };
        let principal = self.principal_of(&user).await?;
        let token = random_token()?;
        let csrf = random_token()?;
        let mut tx = self.store.begin().await?;
        tx.clear_login_failures(&user_key).await?;
        tx.create_session(&token_hash(&token), user.id, &csrf, now, now + s.session_absolute_secs).await?;
        tx.audit(user.id.into(), &principal.record("login", format!("user:{}", user.username), "")).await?;
        tx.commit().await?;
        Ok(NewSession { token, session: Session { principal, csrf } })
    }

    /// The session behind a cookie value, if it is still live. An expired session is removed.
    pub async fn session(&self, token: &str) -> Result<Session, AppError> {
        let hash = token_hash(token);
        let row = self.store.session(&hash).await?.ok_or(AppError::Unauthenticated)?;
        let now = now_unix();
        let s = self.security;
        if now - row.last_seen_unix > s.session_idle_secs || now >= row.expires_unix {
            let mut tx = self.store.begin().await?;
            tx.delete_session(&hash).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        let user = self.store.user(row.user).await?.filter(|u| u.active).ok_or(AppError::Unauthenticated)?;
        // Recording every request would make every read a write; a minute's precision is enough.
        if now - row.last_seen_unix >= 60 {
            let mut tx = self.store.begin().await?;
            tx.touch_session(&hash, now).await?;
            tx.commit().await?;
        }
        Ok(Session { principal: self.principal_of(&user).await?, csrf: row.csrf_token })
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        let hash = token_hash(token);
        let Some(row) = self.store.session(&hash).await? else { return Ok(()) };
        let user = self.store.user(row.user).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_session(&hash).await?;
        if let Some(u) = user {
            let r = AuditRecord { actor: u.username.clone(), action: "logout".into(), resource: format!("user:{}", u.username), summary: String::new() };
            tx.audit(Some(u.id), &r).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The principal behind an API token (`Authorization: Bearer …`).
    pub async fn token_principal(&self, token: &str) -> Result<Principal, AppError> {
        let row = self.store.token_by_hash(&token_hash(token)).await?.ok_or(AppError::Unauthenticated)?;
        if row.revoked_unix.is_some() {
            return Err(AppError::Unauthenticated);
        }
        let user = self.store.user(row.user).await?.filter(|u| u.active).ok_or(AppError::Unauthenticated)?;
        let now = now_unix();
        if row.last_used_unix.is_none_or(|t| now - t >= 60) {
            let mut tx = self.store.begin().await?;
            tx.touch_token(row.id, now).await?;
            tx.commit().await?;
        }
        self.principal_of(&user).await
    }

    async fn account_tx(&self, actor: &Principal) -> Result<Tx, AppError> {
        self.require_system(actor, Action::ManageAccounts)?;
        Ok(self.store.begin().await?)
    }

    async fn existing_user(&self, username: &str) -> Result<UserRow, AppError> {
        self.store.user_by_username(username).await?.ok_or(AccountError::UnknownUser.into())
    }

    /// Creates an account, with the system administrator role when `admin`.
    pub async fn add_user(&self, actor: &Principal, new: &NewUser, admin: bool) -> Result<(), AppError> {
        check_username(&new.username)?;
        check_password(&new.password)?;
        if new.display_name.trim().is_empty() {
            return Err(AccountError::EmptyDisplayName.into());
        }
        if self.store.user_by_username(&new.username).await?.is_some() {
            return Err(AccountError::UsernameTaken.into());
        }
        if let Some(org) = new.home_org
            && self.store.org_history(org).await?.is_empty()
        {
            return Err(thidua_core::org::OrgError::Unknown(org).into());
        }
        let hash = hash_password(&new.password)?;
        let mut tx = self.account_tx(actor).await?;
        let id = tx.create_user(&new.username, new.display_name.trim(), &hash, new.home_org, now_unix()).await?;
        tx.audit(actor.user, &actor.record("user.create", format!("user:{}", new.username), new.display_name.trim())).await?;
        if admin {
            let grant = Grant { role: Role::SystemAdmin, scope: Scope::System };
            tx.add_grant(id, &grant).await?;
            tx.audit(actor.user, &actor.record("user.grant", format!("user:{}", new.username), "system_admin@system")).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn grant(&self, actor: &Principal, username: &str, grant: &Grant) -> Result<(), AppError> {
        let user = self.existing_user(username).await?;
        let scope = match grant.scope {
            Scope::System => "system".to_owned(),
            Scope::Subtree(o) => {
                if self.store.org_history(o).await?.is_empty() {
                    return Err(thidua_core::org::OrgError::Unknown(o).into());
                }
                format!("org:{}", o.0)
            }
            Scope::Cluster(c) => {
                self.store.cluster(c).await?.ok_or(AppError::NotFound)?;
                format!("cluster:{}", c.0)
            }
        };
        let mut tx = self.account_tx(actor).await?;
        tx.add_grant(user.id, grant).await?;
        tx.audit(actor.user, &actor.record("user.grant", format!("user:{username}"), format!("{}@{scope}", grant.role.code()))).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn users(&self, actor: &Principal) -> Result<Vec<UserSummary>, AppError> {
        self.require_system(actor, Action::ManageAccounts)?;
        let mut out = Vec::new();
        for u in self.store.users().await? {
            out.push(UserSummary {
                grants: self.store.grants_of(u.id).await?,
                username: u.username,
                display_name: u.display_name,
                home_org: u.home_org,
                active: u.active,
            });
        }
        Ok(out)
    }

    /// Disables an account and ends its sessions; its tokens stop working with it.
    pub async fn disable_user(&self, actor: &Principal, username: &str) -> Result<(), AppError> {
        let user = self.existing_user(username).await?;
        let mut tx = self.account_tx(actor).await?;
        tx.set_user_active(user.id, false).await?;
        let ended = tx.delete_sessions_of(user.id).await?;
        tx.audit(actor.user, &actor.record("user.disable", format!("user:{username}"), format!("sessions ended: {ended}"))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password and ends the account's sessions.
    pub async fn reset_password(&self, actor: &Principal, username: &str, password: &str) -> Result<(), AppError> {
        check_password(password)?;
        let user = self.existing_user(username).await?;
        let hash = hash_password(password)?;
        let mut tx = self.account_tx(actor).await?;
        tx.set_password_hash(user.id, &hash).await?;
        tx.delete_sessions_of(user.id).await?;
        tx.audit(actor.user, &actor.record("user.password_reset", format!("user:{username}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for a user and returns it; only its hash is kept.
    pub async fn create_token(&self, actor: &Principal, username: &str, label: &str) -> Result<(i64, String), AppError> {
        let user = self.existing_user(username).await?;
        let token = format!("thd_{}", random_token()?);
        let label = if label.trim().is_empty() { "api" } else { label.trim() };
        let mut tx = self.account_tx(actor).await?;
        let id = tx.create_token(user.id, label, &token_hash(&token), now_unix()).await?;
        tx.audit(actor.user, &actor.record("token.create", format!("user:{username}"), format!("token {id} ({label})"))).await?;
        tx.commit().await?;
        Ok((id, token))
    }

    pub async fn revoke_token(&self, actor: &Principal, id: i64) -> Result<(), AppError> {
        let mut tx = self.account_tx(actor).await?;
        if !tx.revoke_token(id, now_unix()).await? {
            return Err(AccountError::UnknownToken.into());
        }
        tx.audit(actor.user, &actor.record("token.revoke", format!("token:{id}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }
}
