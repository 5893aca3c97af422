//! Use cases of thidua. The web UI, the JSON API and the CLI call these and nothing below them, so
//! every front end gets the same rules: each use case takes the acting [`auth::Principal`], checks
//! the access policy, and writes the audit log in the same transaction as the change.
#![deny(clippy::unwrap_used)]

mod access;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod ballots;
pub mod clusters;
pub mod commendation;
pub mod dashboards;
pub mod demo;
pub mod documents;
pub mod emulation;
mod error;
pub mod generate;
pub mod evaluation;
pub mod export;
pub mod import;
pub mod members;
pub mod orgs;
pub mod package;
pub mod reports;
pub mod scoring;
pub mod transfers;

pub use error::{AppError, BallotProblem, DocumentProblem, FieldChange, FieldProblem, FileProblem, Invalid, PackageProblem, RoundProblem, TransferProblem};
pub use thidua_store::Backend;

use std::sync::Arc;

use thidua_core::rulebook::Rulebook;
use thidua_store::Store;

/// The application: a store and the use cases over it.
#[derive(Clone)]
pub struct App {
    store: Store,
    security: auth::Security,
    rules: Arc<Rulebook>,
    blobs: thidua_store::BlobPlace,
    /// The search index's counts as last read, and when: `/healthz` is asked often, and counting a
    /// million-document index takes a good part of a second.
    index_counts: Arc<std::sync::Mutex<Option<CountsRead>>>,
    /// The latest commendation rulebook, parsed: it changes only when an administrator saves a
    /// new version, and registry pages ask for it on every request.
    commendation_book: Arc<std::sync::Mutex<Option<ParsedRulebook>>>,
}

/// A rulebook version with its parsed rules.
type ParsedRulebook = (Arc<thidua_store::RulebookRow>, Arc<thidua_core::commendation::Rulebook>);

/// The search index's counts (documents, entries) and when they were read.
type CountsRead = (std::time::Instant, (i64, i64));

/// Today in Vietnam (UTC+7, no daylight saving).
pub fn today() -> jiff::civil::Date {
    jiff::tz::Offset::constant(7).to_datetime(jiff::Timestamp::now()).date()
}

impl App {
    /// Opens the database at `url` (see [`Store::open`]) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<App, AppError> {
        let rules = Rulebook::shipped().map_err(AppError::Rules)?;
        let app = App {
            store: Store::open(url).await?,
            security: auth::Security::default(),
            rules: Arc::new(rules),
            blobs: thidua_store::BlobPlace::Database,
            index_counts: Arc::default(),
            commendation_book: Arc::default(),
        };
        app.seed_holidays().await?;
        app.seed_commendation_rules().await?;
        Ok(app)
    }

    /// The same application judging by another rulebook (an installation's own rule files).
    pub fn with_rules(mut self, rules: Rulebook) -> App {
        self.rules = Arc::new(rules);
        self
    }

    /// The same application with other session lifetimes or login limits.
    pub fn with_security(mut self, security: auth::Security) -> App {
        self.security = security;
        self
    }

    /// The same application keeping attachment contents as files under `dir` (content-addressed)
    /// instead of in the database.
    pub fn with_attachment_dir(mut self, dir: std::path::PathBuf) -> App {
        self.blobs = thidua_store::BlobPlace::Directory(dir);
        self
    }

    pub fn security(&self) -> auth::Security {
        self.security
    }

    /// Brings the schema of the database at `url` up to date and closes it.
    pub async fn migrate(url: &str) -> Result<(), AppError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        store.close().await;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    pub async fn health(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}
