//! Resolving what the policy needs to know, and asking it. Every use case calls [`App::require`]
//! (or filters through [`App::orgs_for`] or [`App::visible_for`]) before it reads or writes; the
//! decision itself is [`thidua_core::access::can`].

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use thidua_core::access::{can, org_reach, Action, Grant, OrgReach, ResolvedGrant, Resource, Scope};
use thidua_core::cluster::{Cluster, ClusterId};
use thidua_core::org::{OrgId, OrgVersion, SuccessionKind};

use crate::auth::Principal;
use crate::{App, AppError};

impl App {
    /// Subtree roots followed through merges: a grant over a unit covers what it merged into.
    pub(crate) async fn resolve_grants(&self, grants: Vec<Grant>) -> Result<Vec<ResolvedGrant>, AppError> {
        let mut out = Vec::new();
        for grant in grants {
            let roots = match grant.scope {
                Scope::Subtree(root) => {
                    let lineage = self.store.org_lineage(root).await?;
                    let mut roots = vec![root];
                    let mut i = 0;
                    while i < roots.len() {
                        let from = roots[i];
                        for s in lineage.iter().filter(|s| s.predecessor == from && s.kind == SuccessionKind::Merge) {
                            if !roots.contains(&s.successor) {
                                roots.push(s.successor);
                            }
                        }
                        i += 1;
                    }
                    roots
                }
                _ => Vec::new(),
            };
            out.push(ResolvedGrant { grant, roots });
        }
        Ok(out)
    }

    /// The facts about an organization as of `date`, or as of its last day if it was not live then.
    pub(crate) async fn org_resource(&self, org: OrgId, date: Date) -> Result<Option<Resource>, AppError> {
        let Some(chain) = self.org_chain(org, date).await? else { return Ok(None) };
        let clusters = self.store.org_clusters(org).await?;
        Ok(Some(Resource::Org { chain, clusters }))
    }

    /// An organization and its ancestors, nearest first, as of `date` or as of its last day if it
    /// was not live then; `None` for an unknown id.
    async fn org_chain(&self, org: OrgId, date: Date) -> Result<Option<Vec<OrgId>>, AppError> {
        let history = self.store.org_history(org).await?;
        let Some(last) = history.last() else { return Ok(None) };
        let on = if history.iter().any(|v| v.is_live_on(date)) {
            date
        } else {
            last.valid_to.and_then(|t| t.yesterday().ok()).unwrap_or(last.valid_from)
        };
        Ok(Some(self.store.org_chain_on(org, on).await?))
    }

    pub(crate) async fn cluster_resource(&self, id: ClusterId) -> Result<Resource, AppError> {
        let cluster = self.store.cluster(id).await?.ok_or(AppError::NotFound)?;
        let today = crate::today();
        let owner_chain = self.org_chain(cluster.owner, today).await?.unwrap_or_default();
        let mut member_chains = Vec::new();
        for m in self.store.cluster_orgs(id).await? {
            member_chains.push(self.org_chain(m, today).await?.unwrap_or_default());
        }
        Ok(Resource::Cluster { id, owner_chain, member_chains })
    }

    /// The facts about many organizations at once, as `org_resource` gives them one by one (unknown
    /// ids are left out): chains from the registry held in memory and the cluster memberships read
    /// once. One by one they cost three queries each, and a scoped user's list of a province's
    /// registers took over a minute.
    pub(crate) async fn org_resources(&self, orgs: &BTreeSet<OrgId>, date: Date) -> Result<HashMap<OrgId, Resource>, AppError> {
        let chains = self.store.org_chains(orgs, date).await?;
        let mut clusters: HashMap<OrgId, Vec<ClusterId>> = HashMap::new();
        for (o, c) in self.store.cluster_memberships().await? {
            if orgs.contains(&o) {
                clusters.entry(o).or_default().push(c);
            }
        }
        Ok(chains.into_iter().map(|(org, chain)| (org, Resource::Org { chain, clusters: clusters.remove(&org).unwrap_or_default() })).collect())
    }

    /// The facts about each of `clusters`, as `cluster_resource` gives them one by one, read at
    /// once the same way.
    pub(crate) async fn cluster_resources(&self, clusters: &[Cluster]) -> Result<Vec<Resource>, AppError> {
        let wanted: BTreeSet<ClusterId> = clusters.iter().map(|c| c.id).collect();
        let mut members: HashMap<ClusterId, Vec<OrgId>> = HashMap::new();
        for (o, c) in self.store.cluster_memberships().await? {
            if wanted.contains(&c) {
                members.entry(c).or_default().push(o);
            }
        }
        let orgs: BTreeSet<OrgId> = clusters.iter().map(|c| c.owner).chain(members.values().flatten().copied()).collect();
        let chains = self.store.org_chains(&orgs, crate::today()).await?;
        let chain = |o: &OrgId| chains.get(o).cloned().unwrap_or_default();
        Ok(clusters
            .iter()
            .map(|c| Resource::Cluster { id: c.id, owner_chain: chain(&c.owner), member_chains: members.get(&c.id).map(|m| m.iter().map(chain).collect()).unwrap_or_default() })
            .collect())
    }

    /// Refuses unless the principal may do `action` on `resource`.
    pub(crate) fn require(&self, p: &Principal, action: Action, resource: &Resource) -> Result<(), AppError> {
        if can(&p.grants, action, resource) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub(crate) fn require_system(&self, p: &Principal, action: Action) -> Result<(), AppError> {
        self.require(p, action, &Resource::System)
    }

    pub(crate) async fn require_org(&self, p: &Principal, action: Action, org: OrgId, date: Date) -> Result<(), AppError> {
        if p.has_system(action) {
            return Ok(());
        }
        match self.org_resource(org, date).await? {
            Some(resource) => self.require(p, action, &resource),
            None => Err(AppError::NotFound),
        }
    }

    pub(crate) async fn require_cluster(&self, p: &Principal, action: Action, id: ClusterId) -> Result<(), AppError> {
        if p.has_system(action) {
            return Ok(());
        }
        let resource = self.cluster_resource(id).await?;
        self.require(p, action, &resource)
    }

    /// The versions (at most one per organization: those of a day, or the latest) on which the
    /// principal may do `action`: the tree they make is walked down from the grants' roots, so the
    /// list costs what the principal's part of it holds rather than a chain for every organization.
    pub(crate) async fn visible_for(&self, p: &Principal, action: Action, versions: Vec<OrgVersion>) -> Result<Vec<OrgVersion>, AppError> {
        let reach = org_reach(&p.grants, action);
        if reach.everything {
            return Ok(versions);
        }
        let mut children: HashMap<OrgId, Vec<OrgId>> = HashMap::new();
        for v in &versions {
            if let Some(parent) = v.parent {
                children.entry(parent).or_default().push(v.org);
            }
        }
        let live: HashSet<OrgId> = versions.iter().map(|v| v.org).collect();
        let units = self.cluster_units(&reach).await?;
        let allowed = reached(&children, &reach.roots, units, |o| live.contains(o));
        Ok(versions.into_iter().filter(|v| allowed.contains(&v.org)).collect())
    }

    /// The versions live on `date` of the organizations on which the principal may do `action`:
    /// as `visible_for` given every version of the day, at the cost of the principal's part.
    pub(crate) async fn orgs_for(&self, p: &Principal, action: Action, date: Date) -> Result<Vec<OrgVersion>, AppError> {
        Ok(match self.reachable_orgs(p, action, date).await? {
            None => self.store.orgs_on(date).await?,
            Some(orgs) => {
                // In id order, as the whole day's list comes, so that a page lists them the same each time.
                let mut orgs: Vec<OrgId> = orgs.into_iter().collect();
                orgs.sort_unstable();
                self.store.versions_on(orgs, date).await?
            }
        })
    }

    /// The organizations live on `date` on which the principal may do `action`, walked down from
    /// the grants' roots through the day's tree held in memory; `None` when that is all of them.
    pub(crate) async fn reachable_orgs(&self, p: &Principal, action: Action, date: Date) -> Result<Option<HashSet<OrgId>>, AppError> {
        let reach = org_reach(&p.grants, action);
        if reach.everything {
            return Ok(None);
        }
        let children = self.store.org_children_on(date).await?;
        let units = self.cluster_units(&reach).await?;
        // The roots and units live on the day, from the same registry as the tree.
        let candidates = reach.roots.iter().chain(&units).copied();
        let live: HashSet<OrgId> = self.store.versions_on(candidates, date).await?.into_iter().map(|v| v.org).collect();
        Ok(Some(reached(&children, &reach.roots, units, |o| live.contains(o))))
    }

    /// The units of the clusters whose grants reach their members.
    async fn cluster_units(&self, reach: &OrgReach) -> Result<Vec<OrgId>, AppError> {
        let mut units = Vec::new();
        for c in &reach.clusters {
            units.extend(self.store.cluster_orgs(*c).await?);
        }
        Ok(units)
    }
}

/// Everything below `roots` in `children`, and the roots and cluster `units` that `is_live`
/// keeps: a root no longer live still leads to what was below it and is live, as its chain would.
fn reached(children: &HashMap<OrgId, Vec<OrgId>>, roots: &[OrgId], units: Vec<OrgId>, is_live: impl Fn(&OrgId) -> bool) -> HashSet<OrgId> {
    let mut found: HashSet<OrgId> = roots.iter().copied().filter(|o| is_live(o)).collect();
    let mut stack = roots.to_vec();
    while let Some(o) = stack.pop() {
        for c in children.get(&o).into_iter().flatten() {
            if found.insert(*c) {
                stack.push(*c);
            }
        }
    }
    // After the walk: a unit met first would stop it short of what lies below the unit.
    found.extend(units.into_iter().filter(|o| is_live(o)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_unit_inside_a_subtree_does_not_cut_the_walk_short() {
        let children = HashMap::from([(OrgId(1), vec![OrgId(2)]), (OrgId(2), vec![OrgId(3)])]);
        let found = reached(&children, &[OrgId(1)], vec![OrgId(2), OrgId(9), OrgId(8)], |o| *o != OrgId(8));
        assert_eq!(found, HashSet::from([OrgId(1), OrgId(2), OrgId(3), OrgId(9)]));
        // A root no longer live still leads to what is below it.
        let found = reached(&children, &[OrgId(1)], Vec::new(), |o| *o != OrgId(1));
        assert_eq!(found, HashSet::from([OrgId(2), OrgId(3)]));
    }
}
