//! The demo world, built from the units the seed articles name (real organization names, no real
//! people). Later modules add their own demo data here, in [`load`], inside the same transaction.
//!
//! Names of post-2025 successors that could not be checked against the official resolutions carry a
//! note saying they are illustrative.

mod accounts;
pub(crate) mod documents;
pub(crate) mod emulation;
mod commendation;
pub(crate) mod evaluations;
pub(crate) mod members;
mod orgs;
mod year_end;

pub use accounts::{DemoAccount, ACCOUNTS, PASSWORD};

use std::collections::HashMap;

use jiff::civil::Date;
use thidua_core::cluster::{ClusterId, ClusterRole, ClusterYear};
use thidua_core::audit::AuditRecord;
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec, Target};
use thidua_store::Tx;

use crate::{App, AppError};

const DEMO_MARK: &str = "demo_world";

/// The day the demo's organizations begin.
pub(crate) const REGISTRY_START: Date = Date::constant(2018, 1, 1);

/// What [`App::load_demo`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded { orgs: usize, clusters: usize },
    AlreadyLoaded,
}

impl App {
    /// Loads the demo world into an empty database, in one transaction. Loading it twice is a
    /// no-op; loading it into a database with other data is refused.
    pub async fn load_demo(&self) -> Result<DemoOutcome, AppError> {
        if self.store.meta(DEMO_MARK).await?.is_some() {
            return Ok(DemoOutcome::AlreadyLoaded);
        }
        if self.store.org_event_count().await? > 0 {
            return Err(AppError::NotEmpty);
        }
        let password_hash = accounts::password_hash()?;
        let mut tx = self.store.begin().await?;
        let mut world = World { tx: &mut tx, orgs: HashMap::new(), clusters: HashMap::new(), documents: HashMap::new() };
        orgs::build(&mut world).await?;
        accounts::build(&mut world, &password_hash).await?;
        members::build(&mut world).await?;
        documents::build(&mut world).await?;
        emulation::build(&mut world).await?;
        let honoured = evaluations::build(&mut world).await?;
        commendation::build(&mut world, &honoured).await?;
        let outcome = DemoOutcome::Loaded { orgs: world.orgs.len(), clusters: world.clusters.len() };
        tx.set_meta(DEMO_MARK, "1").await?;
        let summary = match outcome {
            DemoOutcome::Loaded { orgs, clusters } => format!("{orgs} organizations, {clusters} clusters, {} accounts", ACCOUNTS.len()),
            DemoOutcome::AlreadyLoaded => String::new(),
        };
        let record = AuditRecord { actor: "system".into(), action: "demo.load".into(), resource: "system".into(), summary };
        tx.audit(None, &record).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// A builder over one transaction that names organizations by short keys.
pub(crate) struct World<'t> {
    tx: &'t mut Tx,
    orgs: HashMap<String, OrgId>,
    clusters: HashMap<String, ClusterId>,
    /// Registered documents by `register key:number and symbol`, for later modules to link to.
    documents: HashMap<String, i64>,
}

pub(crate) fn day(y: i16, m: i8, d: i8) -> Date {
    // The demo's dates are literals checked by the demo test; an invalid one is a programming error
    // caught there, so fall back to a fixed date rather than panicking in a library.
    Date::new(y, m, d).unwrap_or(Date::constant(2020, 1, 1))
}

impl World<'_> {
    pub(crate) fn id(&self, key: &str) -> Result<OrgId, AppError> {
        self.orgs.get(key).copied().ok_or(AppError::NotFound)
    }

    fn spec(&self, kind: OrgKind, name: &str, short: Option<&str>, parent: Option<&str>) -> Result<OrgSpec, AppError> {
        Ok(OrgSpec {
            kind,
            name: name.into(),
            short_name: short.map(Into::into),
            parent: parent.map(|p| self.id(p)).transpose()?,
        })
    }

    pub(crate) async fn create(
        &mut self,
        key: &str,
        date: Date,
        kind: OrgKind,
        name: &str,
        short: Option<&str>,
        parent: Option<&str>,
    ) -> Result<OrgId, AppError> {
        let spec = self.spec(kind, name, short, parent)?;
        let event = self.tx.record_org_event(date, OrgChange::Create(NewOrg { org: (), spec }), None).await?;
        let id = event.change.created().first().map(|n| n.org).ok_or(AppError::NotFound)?;
        self.orgs.insert(key.to_owned(), id);
        Ok(id)
    }

    pub(crate) async fn note(&mut self, key: &str, note: &str) -> Result<(), AppError> {
        let id = self.id(key)?;
        Ok(self.tx.set_org_note(id, Some(note)).await?)
    }

    pub(crate) async fn split_into_existing(&mut self, date: Date, source: &str, into: &[String], basis: &str) -> Result<(), AppError> {
        let into = into.iter().map(|k| self.id(k).map(Target::Existing)).collect::<Result<Vec<_>, _>>()?;
        let change = OrgChange::Split { source: self.id(source)?, into };
        self.tx.record_org_event(date, change, Some(basis.into())).await?;
        Ok(())
    }

    pub(crate) async fn merge_into_existing(&mut self, date: Date, sources: &[&str], into: &str, basis: &str) -> Result<(), AppError> {
        let sources = sources.iter().map(|k| self.id(k)).collect::<Result<Vec<_>, _>>()?;
        let change = OrgChange::Merge { sources, into: Target::Existing(self.id(into)?) };
        self.tx.record_org_event(date, change, Some(basis.into())).await?;
        Ok(())
    }

    pub(crate) fn cluster_id(&self, key: &str) -> Result<ClusterId, AppError> {
        self.clusters.get(key).copied().ok_or(AppError::NotFound)
    }

    pub(crate) async fn cluster(
        &mut self,
        key: &str,
        name: &str,
        owner: &str,
        sector: Option<&str>,
        years: &[(i16, &[String], Option<&str>)],
    ) -> Result<ClusterId, AppError> {
        let id = self.tx.create_cluster(name, self.id(owner)?, sector).await?;
        for (year, members, leader) in years {
            let members = members
                .iter()
                .map(|k| {
                    let role = if Some(k.as_str()) == *leader { ClusterRole::Leader } else { ClusterRole::Member };
                    self.id(k).map(|o| (o, role))
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.tx.set_cluster_year(id, &ClusterYear { year: *year, members }).await?;
        }
        self.clusters.insert(key.to_owned(), id);
        Ok(id)
    }
}
