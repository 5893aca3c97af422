//! Emulation clusters and blocs (cụm, khối thi đua): membership, leader (Cụm trưởng) and deputy
//! (Cụm phó) are kept per year, since they change every year.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::org::OrgId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterId(pub i64);

/// A cluster as registered: its name and the body that owns it (a sector's council or a committee's
/// board, e.g. Ban Tổ chức Thành ủy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: ClusterId,
    pub name: String,
    pub owner: OrgId,
    /// The sector (ngành, lĩnh vực) the cluster belongs to, e.g. "Ngành Tổ chức xây dựng Đảng".
    pub sector: Option<String>,
}

/// Role of a member unit within a cluster for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterRole {
    Member,
    /// Cụm trưởng.
    Leader,
    /// Cụm phó.
    Deputy,
}

impl ClusterRole {
    pub fn code(self) -> &'static str {
        match self {
            ClusterRole::Member => "member",
            ClusterRole::Leader => "leader",
            ClusterRole::Deputy => "deputy",
        }
    }

    pub fn from_code(code: &str) -> Option<ClusterRole> {
        match code {
            "member" => Some(ClusterRole::Member),
            "leader" => Some(ClusterRole::Leader),
            "deputy" => Some(ClusterRole::Deputy),
            _ => None,
        }
    }
}

/// The member units of a cluster in one year, each with its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterYear {
    pub year: i16,
    pub members: Vec<(OrgId, ClusterRole)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    #[error("the cluster name is empty")]
    EmptyName,
    #[error("unit {0} is listed twice")]
    DuplicateMember(OrgId),
    #[error("a cluster has at most one leader a year")]
    TwoLeaders,
    #[error("a cluster has at most one deputy a year")]
    TwoDeputies,
    #[error("year {0} is outside 1930–2100")]
    YearOutOfRange(i32),
}

impl ClusterYear {
    pub fn leader(&self) -> Option<OrgId> {
        self.members.iter().find(|(_, r)| *r == ClusterRole::Leader).map(|(o, _)| *o)
    }

    pub fn deputy(&self) -> Option<OrgId> {
        self.members.iter().find(|(_, r)| *r == ClusterRole::Deputy).map(|(o, _)| *o)
    }

    /// Each unit once; at most one leader and one deputy (a leader is a member by definition).
    pub fn validate(&self) -> Result<(), ClusterError> {
        check_year(i32::from(self.year))?;
        let mut seen = BTreeSet::new();
        for (org, _) in &self.members {
            if !seen.insert(*org) {
                return Err(ClusterError::DuplicateMember(*org));
            }
        }
        let count = |role| self.members.iter().filter(|(_, r)| *r == role).count();
        if count(ClusterRole::Leader) > 1 {
            return Err(ClusterError::TwoLeaders);
        }
        if count(ClusterRole::Deputy) > 1 {
            return Err(ClusterError::TwoDeputies);
        }
        Ok(())
    }
}

pub fn check_year(year: i32) -> Result<i16, ClusterError> {
    if (1930..=2100).contains(&year) { Ok(year as i16) } else { Err(ClusterError::YearOutOfRange(year)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_leader_one_deputy_no_duplicates() {
        let ok = ClusterYear {
            year: 2023,
            members: vec![(OrgId(1), ClusterRole::Leader), (OrgId(2), ClusterRole::Deputy), (OrgId(3), ClusterRole::Member)],
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.leader(), Some(OrgId(1)));
        assert_eq!(ok.deputy(), Some(OrgId(2)));
        let two = ClusterYear { year: 2023, members: vec![(OrgId(1), ClusterRole::Leader), (OrgId(2), ClusterRole::Leader)] };
        assert_eq!(two.validate(), Err(ClusterError::TwoLeaders));
        let dup = ClusterYear { year: 2023, members: vec![(OrgId(1), ClusterRole::Member), (OrgId(1), ClusterRole::Deputy)] };
        assert_eq!(dup.validate(), Err(ClusterError::DuplicateMember(OrgId(1))));
        assert_eq!(check_year(1800), Err(ClusterError::YearOutOfRange(1800)));
    }
}
