//! Who may do what: roles granted over a scope (an organization subtree, a cluster, or the whole
//! system), and the one policy function [`can`] that decides every read and write.

use serde::{Deserialize, Serialize};

use crate::cluster::ClusterId;
use crate::org::OrgId;

/// A role in the committee's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Quản trị hệ thống.
    SystemAdmin,
    /// Thư ký Hội đồng Thi đua – Khen thưởng.
    CouncilSecretary,
    /// Thành viên Hội đồng Thi đua – Khen thưởng.
    CouncilMember,
    /// Cán bộ của đơn vị Cụm trưởng.
    ClusterLeader,
    /// Chuyên viên của một đơn vị.
    UnitOfficer,
    /// Lãnh đạo (chỉ xem).
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::SystemAdmin, Role::CouncilSecretary, Role::CouncilMember, Role::ClusterLeader, Role::UnitOfficer, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::CouncilSecretary => "council_secretary",
            Role::CouncilMember => "council_member",
            Role::ClusterLeader => "cluster_leader",
            Role::UnitOfficer => "unit_officer",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The actions the role grants within its scope.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::SystemAdmin => true,
            // Member data is treated as a state secret: least privilege. The council secretary
            // prepares dossiers and needs members; council members and cluster leaders do not.
            // The council secretary also prepares and handles commendation dossiers.
            Role::CouncilSecretary => matches!(action, ViewOrg | ViewCluster | ViewMember | ViewDocuments | ViewCommendation | ProposeCommendation | DecideCommendation),
            Role::Viewer => matches!(action, ViewOrg | ViewCluster | ViewMember | ViewDocuments | ViewCommendation),
            Role::CouncilMember => matches!(action, ViewOrg | ViewCluster | ViewDocuments | ViewCommendation),
            Role::ClusterLeader => matches!(action, ViewOrg | ViewCluster | EditCluster | ViewCommendation),
            Role::UnitOfficer => matches!(
                action,
                ViewOrg
                    | EditOrgs
                    | ViewCluster
                    | EditCluster
                    | ArrangeCluster
                    | ViewMember
                    | EditMember
                    | ReadMemberFile
                    | ManageTransfers
                    | ViewDocuments
                    | EditDocuments
                    | ViewCommendation
                    | ProposeCommendation
                    | DecideCommendation
            ),
        }
    }
}

/// What a user may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewOrg,
    /// Record organization events (create, rename, move, merge, split, dissolve).
    EditOrgs,
    ViewCluster,
    /// The cluster's work through the year: rules, campaigns, covenant, meetings, key tasks.
    EditCluster,
    /// Which units belong to a cluster in a year and which leads: the owning body's decision, not
    /// the leader's, since membership also opens the members' records to the cluster.
    ArrangeCluster,
    ViewAudit,
    ManageAccounts,
    /// See a member's record (identity, dates, party age).
    ViewMember,
    /// Create and change member records, interruptions, positions, badges and files.
    EditMember,
    /// Open the files attached to a member's record; every opening is audited.
    ReadMemberFile,
    /// Introduce, receive, complete, return or cancel membership transfers.
    ManageTransfers,
    /// Read the document registers and work records of an organization.
    ViewDocuments,
    /// Register, withdraw and handle documents; keep work records.
    EditDocuments,
    /// See dossiers, decisions and the award registry.
    ViewCommendation,
    /// Prepare, submit and withdraw a unit's dossiers; record people and their initiatives.
    ProposeCommendation,
    /// Handle dossiers at a level (review, forward, vote, return) and record its decisions and
    /// revocations.
    DecideCommendation,
    /// Change the commendation rulebook.
    ManageRules,
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Scope {
    /// The whole system.
    System,
    /// An organization and everything below it.
    Subtree(OrgId),
    /// One emulation cluster and its member units.
    Cluster(ClusterId),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// A grant with its subtree root resolved through merges: an officer of a unit that merged into
/// another keeps authority over the merged unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedGrant {
    pub grant: Grant,
    /// For a subtree grant: the root and its successors by merge. Empty otherwise.
    pub roots: Vec<OrgId>,
}

/// What the policy knows about the thing acted on. The app resolves these facts from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// Users, audit log and other system-wide matters.
    System,
    /// An organization: itself and its ancestors (nearest first) on the last day it was live, and
    /// the clusters it belonged to in any year.
    Org { chain: Vec<OrgId>, clusters: Vec<ClusterId> },
    /// A cluster: the chain of its owner and of each member unit (any year).
    Cluster { id: ClusterId, owner_chain: Vec<OrgId>, member_chains: Vec<Vec<OrgId>> },
}

fn overlaps(chain: &[OrgId], roots: &[OrgId]) -> bool {
    chain.iter().any(|o| roots.contains(o))
}

impl ResolvedGrant {
    fn covers(&self, action: Action, resource: &Resource) -> bool {
        match (&self.grant.scope, resource) {
            (Scope::System, _) => true,
            (_, Resource::System) => false,
            (Scope::Subtree(_), Resource::Org { chain, .. }) => overlaps(chain, &self.roots),
            (Scope::Subtree(_), Resource::Cluster { owner_chain, member_chains, .. }) => {
                // Units see the clusters they belong to; only the owning body edits a cluster.
                overlaps(owner_chain, &self.roots)
                    || (!matches!(action, Action::EditCluster | Action::ArrangeCluster) && member_chains.iter().any(|c| overlaps(c, &self.roots)))
            }
            (Scope::Cluster(c), Resource::Cluster { id, .. }) => c == id,
            // A cluster grant shows the member units, never lets anyone change them or see their
            // party members.
            (Scope::Cluster(c), Resource::Org { clusters, .. }) => action == Action::ViewOrg && clusters.contains(c),
        }
    }
}

/// The one policy decision: may someone holding `grants` do `action` on `resource`?
pub fn can(grants: &[ResolvedGrant], action: Action, resource: &Resource) -> bool {
    grants.iter().any(|g| g.grant.role.allows(action) && g.covers(action, resource))
}

/// Where `grants` allow `action` on organizations: on every one, or on those at and below
/// `roots` and the member units of `clusters`. It is `can` on [`Resource::Org`] read from the
/// grants down, for lists that would otherwise ask it of every organization in the tree.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OrgReach {
    pub everything: bool,
    pub roots: Vec<OrgId>,
    pub clusters: Vec<ClusterId>,
}

pub fn org_reach(grants: &[ResolvedGrant], action: Action) -> OrgReach {
    let mut reach = OrgReach::default();
    for g in grants.iter().filter(|g| g.grant.role.allows(action)) {
        match g.grant.scope {
            Scope::System => reach.everything = true,
            Scope::Subtree(_) => reach.roots.extend(g.roots.iter().copied()),
            // As `covers`: a cluster grant shows its member units and allows nothing else on them.
            Scope::Cluster(c) if action == Action::ViewOrg => reach.clusters.push(c),
            Scope::Cluster(_) => {}
        }
    }
    reach
}

/// Whether any grant allows `action` somewhere: decides what the UI offers at all.
pub fn can_somewhere(grants: &[ResolvedGrant], action: Action) -> bool {
    grants.iter().any(|g| {
        g.grant.role.allows(action)
            && match action {
                Action::ViewAudit | Action::ManageAccounts => g.grant.scope == Scope::System,
                _ => true,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, scope: Scope, roots: &[i64]) -> ResolvedGrant {
        ResolvedGrant { grant: Grant { role, scope }, roots: roots.iter().map(|r| OrgId(*r)).collect() }
    }

    fn org(chain: &[i64], clusters: &[i64]) -> Resource {
        Resource::Org { chain: chain.iter().map(|o| OrgId(*o)).collect(), clusters: clusters.iter().map(|c| ClusterId(*c)).collect() }
    }

    const ACTIONS: [Action; 17] = [
        Action::ViewOrg,
        Action::EditOrgs,
        Action::ViewCluster,
        Action::EditCluster,
        Action::ArrangeCluster,
        Action::ViewAudit,
        Action::ManageAccounts,
        Action::ViewMember,
        Action::EditMember,
        Action::ReadMemberFile,
        Action::ManageTransfers,
        Action::ViewDocuments,
        Action::EditDocuments,
        Action::ViewCommendation,
        Action::ProposeCommendation,
        Action::DecideCommendation,
        Action::ManageRules,
    ];

    proptest::proptest! {
        /// The reach read from the grants down answers as `can` does for any organization.
        #[test]
        fn reach_agrees_with_can(
            grants in proptest::collection::vec((0..6usize, 0..3u8, 1..8i64, proptest::collection::vec(1..8i64, 0..3)), 0..4),
            action in 0..17usize,
            chain in proptest::collection::vec(1..8i64, 0..4),
            clusters in proptest::collection::vec(1..8i64, 0..3),
        ) {
            let grants: Vec<ResolvedGrant> = grants
                .into_iter()
                .map(|(role, scope, id, more)| {
                    let scope = match scope {
                        0 => Scope::System,
                        1 => Scope::Subtree(OrgId(id)),
                        _ => Scope::Cluster(ClusterId(id)),
                    };
                    let roots: Vec<i64> = if matches!(scope, Scope::Subtree(_)) { std::iter::once(id).chain(more).collect() } else { Vec::new() };
                    grant(Role::ALL[role], scope, &roots)
                })
                .collect();
            let action = ACTIONS[action];
            let reach = org_reach(&grants, action);
            let reached = reach.everything
                || chain.iter().any(|o| reach.roots.contains(&OrgId(*o)))
                || clusters.iter().any(|c| reach.clusters.contains(&ClusterId(*c)));
            proptest::prop_assert_eq!(can(&grants, action, &org(&chain, &clusters)), reached);
        }
    }

    #[test]
    fn subtree_covers_descendants_only() {
        let officer = [grant(Role::UnitOfficer, Scope::Subtree(OrgId(2)), &[2])];
        assert!(can(&officer, Action::EditOrgs, &org(&[5, 2, 1], &[])));
        assert!(can(&officer, Action::ViewOrg, &org(&[2, 1], &[])));
        assert!(!can(&officer, Action::ViewOrg, &org(&[1], &[])), "the parent is outside");
        assert!(!can(&officer, Action::ViewOrg, &org(&[3, 1], &[])), "a sibling is outside");
        assert!(!can(&officer, Action::ViewAudit, &Resource::System));
    }

    #[test]
    fn merged_successor_is_covered_through_resolved_roots() {
        let officer = [grant(Role::UnitOfficer, Scope::Subtree(OrgId(2)), &[2, 9])];
        assert!(can(&officer, Action::ViewOrg, &org(&[9, 1], &[])));
    }

    #[test]
    fn viewers_and_council_read_but_never_write() {
        for role in [Role::Viewer, Role::CouncilMember, Role::CouncilSecretary] {
            let g = [grant(role, Scope::Subtree(OrgId(1)), &[1])];
            assert!(can(&g, Action::ViewOrg, &org(&[4, 1], &[])));
            assert!(!can(&g, Action::EditOrgs, &org(&[4, 1], &[])), "{role:?}");
        }
    }

    #[test]
    fn cluster_scope_and_membership() {
        let cluster = |id: i64| Resource::Cluster { id: ClusterId(id), owner_chain: vec![OrgId(10), OrgId(1)], member_chains: vec![vec![OrgId(5), OrgId(2), OrgId(1)]] };
        let leader = [grant(Role::ClusterLeader, Scope::Cluster(ClusterId(7)), &[])];
        assert!(can(&leader, Action::EditCluster, &cluster(7)));
        assert!(!can(&leader, Action::ArrangeCluster, &cluster(7)), "the leader does not choose the members");
        assert!(!can(&leader, Action::ViewCluster, &cluster(1)));
        assert!(can(&leader, Action::ViewOrg, &org(&[5, 2, 1], &[7])));
        assert!(!can(&leader, Action::EditOrgs, &org(&[5, 2, 1], &[7])));
        let member_unit = [grant(Role::UnitOfficer, Scope::Subtree(OrgId(2)), &[2])];
        assert!(can(&member_unit, Action::ViewCluster, &cluster(1)));
        assert!(!can(&member_unit, Action::EditCluster, &cluster(1)), "members do not edit the cluster");
        assert!(!can(&member_unit, Action::ArrangeCluster, &cluster(1)));
        let owner = [grant(Role::UnitOfficer, Scope::Subtree(OrgId(10)), &[10])];
        assert!(can(&owner, Action::EditCluster, &cluster(1)));
        assert!(can(&owner, Action::ArrangeCluster, &cluster(1)));
    }

    #[test]
    fn member_data_follows_least_privilege() {
        let unit = org(&[5, 2, 1], &[7]);
        let officer = [grant(Role::UnitOfficer, Scope::Subtree(OrgId(2)), &[2])];
        for action in [Action::ViewMember, Action::EditMember, Action::ReadMemberFile, Action::ManageTransfers] {
            assert!(can(&officer, action, &unit), "{action:?}");
            assert!(!can(&officer, action, &org(&[3, 1], &[])), "{action:?} outside the subtree");
        }
        let viewer = [grant(Role::Viewer, Scope::Subtree(OrgId(1)), &[1])];
        assert!(can(&viewer, Action::ViewMember, &unit));
        assert!(!can(&viewer, Action::ReadMemberFile, &unit));
        assert!(!can(&viewer, Action::EditMember, &unit));
        let council = [grant(Role::CouncilMember, Scope::Subtree(OrgId(1)), &[1])];
        assert!(!can(&council, Action::ViewMember, &unit));
        let leader = [grant(Role::ClusterLeader, Scope::Cluster(ClusterId(7)), &[])];
        assert!(can(&leader, Action::ViewOrg, &unit));
        assert!(!can(&leader, Action::ViewMember, &unit), "a cluster grant never reaches members");
    }

    #[test]
    fn admin_can_everything_and_only_system_grants_reach_system() {
        let admin = [grant(Role::SystemAdmin, Scope::System, &[])];
        assert!(can(&admin, Action::ManageAccounts, &Resource::System));
        let local_admin = [grant(Role::SystemAdmin, Scope::Subtree(OrgId(1)), &[1])];
        assert!(!can(&local_admin, Action::ViewAudit, &Resource::System));
        assert!(!can_somewhere(&local_admin, Action::ViewAudit));
        assert!(can_somewhere(&admin, Action::ViewAudit));
    }
}
