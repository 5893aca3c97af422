//! Temporal organization registry (tổ chức, đơn vị).
//!
//! Organizations form a forest that changes over time. The source of truth is a list of dated
//! events (create, rename, move, merge, split, dissolve); [`Registry::replay`] turns it into
//! versions — each a name, kind and parent valid over a half-open interval `[valid_from, valid_to)` —
//! and a successor relation. Replaying in date order means every event is checked against the state
//! the registry had on its own date, so an event inserted into the past is valid only if every later
//! event still is.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Identity of an organization across all its versions; renames and moves keep it, merges and splits
/// hand over to successors with identities of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Identity of a recorded event; also its tie-break among events of the same date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// Kind of organization (loại tổ chức).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Ban Chấp hành Trung ương Đảng.
    CentralCommittee,
    /// Tỉnh ủy, Thành ủy, or a party committee directly under the Central Committee.
    ProvincialCommittee,
    /// Đảng ủy cấp trên cơ sở (district committees before 2025, enterprise group committees).
    UpperGrassrootsCommittee,
    /// Đảng bộ cơ sở.
    GrassrootsCommittee,
    /// Chi bộ.
    Cell,
    /// Ban Tổ chức.
    OrganizationBoard,
    /// Văn phòng cấp ủy.
    CommitteeOffice,
    /// Ủy ban Kiểm tra.
    InspectionCommission,
    /// Ban Tuyên giáo.
    PropagandaBoard,
    /// Ban Xây dựng Đảng (the ward and commune organ that took over from district boards in 2025).
    PartyBuildingBoard,
    /// Cơ quan, đơn vị (a department such as Cục Tổ chức cán bộ).
    Agency,
}

impl OrgKind {
    pub const ALL: [OrgKind; 11] = [
        OrgKind::CentralCommittee,
        OrgKind::ProvincialCommittee,
        OrgKind::UpperGrassrootsCommittee,
        OrgKind::GrassrootsCommittee,
        OrgKind::Cell,
        OrgKind::OrganizationBoard,
        OrgKind::CommitteeOffice,
        OrgKind::InspectionCommission,
        OrgKind::PropagandaBoard,
        OrgKind::PartyBuildingBoard,
        OrgKind::Agency,
    ];

    /// Stable code used in storage, the API and message keys.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::CentralCommittee => "central_committee",
            OrgKind::ProvincialCommittee => "provincial_committee",
            OrgKind::UpperGrassrootsCommittee => "upper_grassroots_committee",
            OrgKind::GrassrootsCommittee => "grassroots_committee",
            OrgKind::Cell => "cell",
            OrgKind::OrganizationBoard => "organization_board",
            OrgKind::CommitteeOffice => "committee_office",
            OrgKind::InspectionCommission => "inspection_commission",
            OrgKind::PropagandaBoard => "propaganda_board",
            OrgKind::PartyBuildingBoard => "party_building_board",
            OrgKind::Agency => "agency",
        }
    }

    pub fn from_code(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The longest name accepted; real names run to about 150 characters.
pub const MAX_NAME_CHARS: usize = 300;

/// What a new organization is: kind, names and parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSpec {
    pub kind: OrgKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<OrgId>,
}

/// One state of an organization, valid on `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgVersion {
    pub org: OrgId,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub kind: OrgKind,
    pub name: String,
    pub short_name: Option<String>,
    pub parent: Option<OrgId>,
    /// The event that produced this version.
    pub event: EventId,
}

impl OrgVersion {
    pub fn is_live_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date < end)
    }
}

/// A newly created organization inside an event. `N` is `()` in a draft, before the store has
/// allocated an id, and [`OrgId`] in a recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrg<N = OrgId> {
    pub org: N,
    #[serde(flatten)]
    pub spec: OrgSpec,
}

/// Where a merge or split hands over to: an organization that exists, or one the event creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target<N = OrgId> {
    Existing(OrgId),
    New(NewOrg<N>),
}

impl Target {
    pub fn org(&self) -> OrgId {
        match self {
            Target::Existing(id) => *id,
            Target::New(new) => new.org,
        }
    }
}

/// What an event does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrgChange<N = OrgId> {
    /// Thành lập.
    Create(NewOrg<N>),
    /// Đổi tên.
    Rename { org: OrgId, name: String, short_name: Option<String> },
    /// Chuyển trực thuộc: the organization moves under another parent (or becomes a root).
    Move { org: OrgId, parent: Option<OrgId> },
    /// Hợp nhất / sáp nhập: the sources end and their live subordinates move to the target.
    Merge { sources: Vec<OrgId>, into: Target<N> },
    /// Chia tách: the source ends and its work passes to two or more successors.
    Split { source: OrgId, into: Vec<Target<N>> },
    /// Giải thể: the organization ends with no successor.
    Dissolve { org: OrgId },
}

impl OrgChange<()> {
    /// How many organizations the change creates, so the store can allocate their ids.
    pub fn new_org_count(&self) -> usize {
        let is_new = |t: &Target<()>| matches!(t, Target::New(_));
        match self {
            OrgChange::Create(_) => 1,
            OrgChange::Merge { into, .. } => usize::from(is_new(into)),
            OrgChange::Split { into, .. } => into.iter().filter(|t| is_new(t)).count(),
            _ => 0,
        }
    }

    /// The change with allocated ids in place of the drafts' placeholders, taken in order.
    pub fn with_ids(self, ids: &mut impl Iterator<Item = OrgId>) -> Option<OrgChange> {
        let mut new_org = |n: NewOrg<()>| Some(NewOrg { org: ids.next()?, spec: n.spec });
        Some(match self {
            OrgChange::Create(n) => OrgChange::Create(new_org(n)?),
            OrgChange::Rename { org, name, short_name } => OrgChange::Rename { org, name, short_name },
            OrgChange::Move { org, parent } => OrgChange::Move { org, parent },
            OrgChange::Merge { sources, into } => OrgChange::Merge {
                sources,
                into: match into {
                    Target::Existing(id) => Target::Existing(id),
                    Target::New(n) => Target::New(new_org(n)?),
                },
            },
            OrgChange::Split { source, into } => OrgChange::Split {
                source,
                into: into
                    .into_iter()
                    .map(|t| match t {
                        Target::Existing(id) => Some(Target::Existing(id)),
                        Target::New(n) => Some(Target::New(new_org(n)?)),
                    })
                    .collect::<Option<Vec<_>>>()?,
            },
            OrgChange::Dissolve { org } => OrgChange::Dissolve { org },
        })
    }
}

impl<N> OrgChange<N> {
    /// Stable code of the event kind, for storage and messages.
    pub fn kind_code(&self) -> &'static str {
        match self {
            OrgChange::Create(_) => "create",
            OrgChange::Rename { .. } => "rename",
            OrgChange::Move { .. } => "move",
            OrgChange::Merge { .. } => "merge",
            OrgChange::Split { .. } => "split",
            OrgChange::Dissolve { .. } => "dissolve",
        }
    }
}

impl OrgChange {
    /// Every organization the event names, existing or new.
    pub fn orgs(&self) -> Vec<OrgId> {
        match self {
            OrgChange::Create(n) => std::iter::once(n.org).chain(n.spec.parent).collect(),
            OrgChange::Rename { org, .. } | OrgChange::Dissolve { org } => vec![*org],
            OrgChange::Move { org, parent } => std::iter::once(*org).chain(*parent).collect(),
            OrgChange::Merge { sources, into } => {
                let mut v = sources.clone();
                v.push(into.org());
                if let Target::New(n) = into {
                    v.extend(n.spec.parent);
                }
                v
            }
            OrgChange::Split { source, into } => {
                let mut v = vec![*source];
                for t in into {
                    v.push(t.org());
                    if let Target::New(n) = t {
                        v.extend(n.spec.parent);
                    }
                }
                v
            }
        }
    }

    /// The organizations the event is about: created, renamed, moved, merged, split or dissolved.
    /// Unlike [`OrgChange::orgs`] it leaves out parents, which the event only refers to.
    pub fn subjects(&self) -> Vec<OrgId> {
        match self {
            OrgChange::Create(n) => vec![n.org],
            OrgChange::Rename { org, .. } | OrgChange::Move { org, .. } | OrgChange::Dissolve { org } => vec![*org],
            OrgChange::Merge { sources, into } => sources.iter().copied().chain([into.org()]).collect(),
            OrgChange::Split { source, into } => std::iter::once(*source).chain(into.iter().map(Target::org)).collect(),
        }
    }

    /// The organizations the event creates.
    pub fn created(&self) -> Vec<&NewOrg> {
        match self {
            OrgChange::Create(n) => vec![n],
            OrgChange::Merge { into: Target::New(n), .. } => vec![n],
            OrgChange::Split { into, .. } => into
                .iter()
                .filter_map(|t| match t {
                    Target::New(n) => Some(n),
                    Target::Existing(_) => None,
                })
                .collect(),
            _ => vec![],
        }
    }
}

/// A dated event (sự kiện tổ chức) with the document it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgEvent {
    pub id: EventId,
    pub date: Date,
    pub change: OrgChange,
    /// The decision the event rests on (căn cứ), e.g. "Quyết định 1439-QĐ/TU".
    pub basis: Option<String>,
}

/// How a successor relation came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuccessionKind {
    Merge,
    Split,
}

impl SuccessionKind {
    pub fn code(self) -> &'static str {
        match self {
            SuccessionKind::Merge => "merge",
            SuccessionKind::Split => "split",
        }
    }

    pub fn from_code(code: &str) -> Option<SuccessionKind> {
        match code {
            "merge" => Some(SuccessionKind::Merge),
            "split" => Some(SuccessionKind::Split),
            _ => None,
        }
    }
}

/// `predecessor` ended on `date` and `successor` took over (all or part of) its work.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Succession {
    pub predecessor: OrgId,
    pub successor: OrgId,
    pub date: Date,
    pub kind: SuccessionKind,
    pub event: EventId,
}

/// An organization as named in an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgLabel {
    pub id: OrgId,
    pub name: String,
}

impl fmt::Display for OrgLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() { write!(f, "{}", self.id) } else { write!(f, "{} ({})", self.name, self.id) }
    }
}

/// Why an event is refused. Each variant is a rule of the registry; the web layer turns it into a
/// message in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("the name is empty")]
    EmptyName,
    #[error("the name is longer than {max} characters")]
    NameTooLong { max: usize },
    #[error("organization {0} is not known")]
    Unknown(OrgId),
    #[error("{org} did not exist yet on {date}")]
    NotYetExisting { org: OrgLabel, date: Date },
    #[error("{org} had ended on {since}")]
    Ended { org: OrgLabel, since: Date },
    #[error("{org} already exists")]
    AlreadyExists { org: OrgLabel },
    #[error("{org} cannot be placed under {parent}: that would make a cycle")]
    Cycle { org: OrgLabel, parent: OrgLabel },
    #[error("{org} cannot be merged into itself")]
    MergeIntoSelf { org: OrgLabel },
    #[error("{target} lies inside {ending}, which the event ends")]
    TargetInsideSource { target: OrgLabel, ending: OrgLabel },
    #[error("{org} is named twice in the event")]
    Duplicate { org: OrgLabel },
    #[error("a split needs at least 2 successors")]
    SplitTooFew,
    #[error("a merge needs at least {min} sources")]
    MergeTooFew { min: usize },
    #[error("{org} still has {count} live subordinate organizations")]
    HasLiveChildren { org: OrgLabel, count: usize },
    #[error("the event changes nothing for {org}")]
    NoChange { org: OrgLabel },
    #[error("an organization cannot be created and end on the same day ({org})")]
    SameDayLifetime { org: OrgLabel },
    #[error("the event conflicts with the later event of {date}: {cause}")]
    ConflictsWithLater { date: Date, event: EventId, cause: Box<OrgError> },
}

/// The replayed state: every organization's versions and the successor relation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    versions: BTreeMap<OrgId, Vec<OrgVersion>>,
    successions: Vec<Succession>,
    /// Names known from events not yet applied, so errors can name an organization created later.
    names: HashMap<OrgId, String>,
    last_date: Option<Date>,
}

/// What applying one event changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Organizations whose version list changed.
    pub orgs: BTreeSet<OrgId>,
    /// Successor relations the event added.
    pub successions: Vec<Succession>,
    /// Successor relations that no longer hold (only a replay of history can drop one).
    pub dropped_successions: Vec<Succession>,
}

impl Registry {
    /// Replays events in `(date, id)` order. On the first refused event, returns its id and why.
    pub fn replay(events: &[OrgEvent]) -> Result<Registry, (EventId, OrgError)> {
        let mut sorted: Vec<&OrgEvent> = events.iter().collect();
        sorted.sort_by_key(|e| (e.date, e.id));
        let mut registry = Registry::default();
        for e in &sorted {
            for n in e.change.created() {
                registry.names.insert(n.org, n.spec.name.clone());
            }
        }
        for e in sorted {
            registry.apply(e).map_err(|err| (e.id, err))?;
        }
        Ok(registry)
    }

    /// The registry with one more event recorded. An event dated on or after every recorded one is
    /// applied directly; one dated earlier is replayed with the whole history, and is refused if any
    /// later event no longer holds. Returns the new registry and the organizations whose versions
    /// changed, for the store to rewrite.
    pub fn record(&self, history: &[OrgEvent], event: &OrgEvent) -> Result<(Registry, Applied), OrgError> {
        self.record_all(history, std::slice::from_ref(event)).map_err(|(_, e)| e)
    }

    /// The registry with several events recorded in their order, as recording them one by one
    /// would give. Events that all come after the history (a load of a whole tree) are applied to
    /// one copy of the registry, so the cost grows with the events and not with their product.
    /// On the first refused event, returns its id and why; the registry is then unchanged.
    pub fn record_all(&self, history: &[OrgEvent], events: &[OrgEvent]) -> Result<(Registry, Applied), (EventId, OrgError)> {
        let in_order = events.windows(2).all(|w| w[0].date <= w[1].date)
            && events.first().is_none_or(|first| self.last_date.is_none_or(|last| first.date >= last));
        if in_order {
            let mut next = self.clone();
            let mut applied = Applied::default();
            for event in events {
                for n in event.change.created() {
                    next.names.insert(n.org, n.spec.name.clone());
                }
                let one = next.apply(event).map_err(|e| (event.id, e))?;
                applied.orgs.extend(one.orgs);
                applied.successions.extend(one.successions);
            }
            return Ok((next, applied));
        }
        let mut all = history.to_vec();
        all.extend(events.iter().cloned());
        let next = Registry::replay(&all).map_err(|(id, err)| {
            if events.iter().any(|e| e.id == id) {
                (id, err)
            } else {
                // A later recorded event no longer holds: the first new event is the cause.
                let date = all.iter().find(|e| e.id == id).map_or(events[0].date, |e| e.date);
                (events[0].id, OrgError::ConflictsWithLater { date, event: id, cause: Box::new(err) })
            }
        })?;
        let mut orgs = BTreeSet::new();
        for id in self.versions.keys().chain(next.versions.keys()) {
            if self.versions.get(id) != next.versions.get(id) {
                orgs.insert(*id);
            }
        }
        let before: BTreeSet<&Succession> = self.successions.iter().collect();
        let after: BTreeSet<&Succession> = next.successions.iter().collect();
        let successions = after.difference(&before).map(|s| (*s).clone()).collect();
        let dropped_successions = before.difference(&after).map(|s| (*s).clone()).collect();
        Ok((next, Applied { orgs, successions, dropped_successions }))
    }

    pub fn versions(&self, org: OrgId) -> &[OrgVersion] {
        self.versions.get(&org).map_or(&[], |v| v.as_slice())
    }

    pub fn all_versions(&self) -> impl Iterator<Item = &OrgVersion> {
        self.versions.values().flatten()
    }

    pub fn org_ids(&self) -> impl Iterator<Item = OrgId> + '_ {
        self.versions.keys().copied()
    }

    pub fn successions(&self) -> &[Succession] {
        &self.successions
    }

    pub fn version_on(&self, org: OrgId, date: Date) -> Option<&OrgVersion> {
        self.versions(org).iter().find(|v| v.is_live_on(date))
    }

    /// Versions live on `date`: the tree as it stood that day.
    pub fn live_on(&self, date: Date) -> Vec<OrgVersion> {
        self.all_versions().filter(|v| v.is_live_on(date)).cloned().collect()
    }

    fn label(&self, org: OrgId) -> OrgLabel {
        let name = self
            .versions(org)
            .last()
            .map(|v| v.name.clone())
            .or_else(|| self.names.get(&org).cloned())
            .unwrap_or_default();
        OrgLabel { id: org, name }
    }

    /// The current version of a live organization, or why it is not live on `date`.
    fn live(&self, org: OrgId, date: Date) -> Result<&OrgVersion, OrgError> {
        let current = self.versions(org).last();
        match current {
            None => Err(OrgError::NotYetExisting { org: self.label(org), date }),
            Some(v) if v.valid_from > date => Err(OrgError::NotYetExisting { org: self.label(org), date }),
            Some(v) => match v.valid_to {
                Some(since) => Err(OrgError::Ended { org: self.label(org), since }),
                None => Ok(v),
            },
        }
    }

    /// Whether `ancestor` is `org` or above it in the current tree.
    fn is_ancestor_or_self(&self, ancestor: OrgId, org: OrgId) -> bool {
        let mut cursor = Some(org);
        let mut steps = 0;
        while let Some(id) = cursor {
            if id == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.versions.len() {
                return false; // the tree is acyclic by construction; never loop on a bug
            }
            cursor = self.versions(id).last().filter(|v| v.valid_to.is_none()).and_then(|v| v.parent);
        }
        false
    }

    fn live_children(&self, org: OrgId) -> Vec<OrgId> {
        self.versions
            .iter()
            .filter(|(_, vs)| vs.last().is_some_and(|v| v.valid_to.is_none() && v.parent == Some(org)))
            .map(|(id, _)| *id)
            .collect()
    }

    fn check_spec(&self, new: &NewOrg, date: Date) -> Result<(), OrgError> {
        check_name(&new.spec.name)?;
        if let Some(short) = &new.spec.short_name {
            check_name(short)?;
        }
        if self.versions.contains_key(&new.org) {
            return Err(OrgError::AlreadyExists { org: self.label(new.org) });
        }
        if let Some(parent) = new.spec.parent {
            self.live(parent, date)?;
        }
        Ok(())
    }

    fn check_distinct(&self, ids: &[OrgId]) -> Result<(), OrgError> {
        let mut seen = BTreeSet::new();
        for id in ids {
            if !seen.insert(*id) {
                return Err(OrgError::Duplicate { org: self.label(*id) });
            }
        }
        Ok(())
    }

    /// A target of a merge or split must not sit inside an organization the event ends, nor hang
    /// from one, since that parent is about to disappear.
    fn check_target(&self, target: &Target, ending: &[OrgId], date: Date) -> Result<(), OrgError> {
        let anchor = match target {
            Target::Existing(id) => {
                self.live(*id, date)?;
                Some(*id)
            }
            Target::New(new) => {
                self.check_spec(new, date)?;
                new.spec.parent
            }
        };
        if let Some(anchor) = anchor {
            for source in ending {
                if self.is_ancestor_or_self(*source, anchor) {
                    return Err(OrgError::TargetInsideSource { target: self.label(target.org()), ending: self.label(*source) });
                }
            }
        }
        Ok(())
    }

    /// Validates `event` against the current state, then applies it. A refused event leaves the
    /// registry unchanged: every check runs before the first mutation.
    fn apply(&mut self, event: &OrgEvent) -> Result<Applied, OrgError> {
        let date = event.date;
        let mut applied = Applied::default();
        match &event.change {
            OrgChange::Create(new) => {
                self.check_spec(new, date)?;
                self.start(new, date, event.id);
                applied.orgs.insert(new.org);
            }
            OrgChange::Rename { org, name, short_name } => {
                check_name(name)?;
                if let Some(short) = short_name {
                    check_name(short)?;
                }
                let current = self.live(*org, date)?;
                if current.name == name.trim() && current.short_name.as_deref() == short_name.as_deref().map(str::trim) {
                    return Err(OrgError::NoChange { org: self.label(*org) });
                }
                let (name, short_name) = (name.trim().to_owned(), short_name.as_deref().map(|s| s.trim().to_owned()));
                self.amend(*org, date, event.id, |v| {
                    v.name = name;
                    v.short_name = short_name;
                });
                applied.orgs.insert(*org);
            }
            OrgChange::Move { org, parent } => {
                let current = self.live(*org, date)?;
                if current.parent == *parent {
                    return Err(OrgError::NoChange { org: self.label(*org) });
                }
                if let Some(p) = parent {
                    self.live(*p, date)?;
                    if self.is_ancestor_or_self(*org, *p) {
                        return Err(OrgError::Cycle { org: self.label(*org), parent: self.label(*p) });
                    }
                }
                let parent = *parent;
                self.amend(*org, date, event.id, |v| v.parent = parent);
                applied.orgs.insert(*org);
            }
            OrgChange::Merge { sources, into } => {
                let min = if matches!(into, Target::New(_)) { 2 } else { 1 };
                if sources.len() < min {
                    return Err(OrgError::MergeTooFew { min });
                }
                self.check_distinct(sources)?;
                if sources.contains(&into.org()) {
                    return Err(OrgError::MergeIntoSelf { org: self.label(into.org()) });
                }
                for s in sources {
                    self.live(*s, date)?;
                    self.check_can_end(*s, date)?;
                }
                self.check_target(into, sources, date)?;
                // Checks done; mutate.
                let target = into.org();
                if let Target::New(new) = into {
                    self.start(new, date, event.id);
                }
                applied.orgs.insert(target);
                for source in sources {
                    for child in self.live_children(*source) {
                        self.amend(child, date, event.id, |v| v.parent = Some(target));
                        applied.orgs.insert(child);
                    }
                    self.end(*source, date);
                    applied.orgs.insert(*source);
                    applied.successions.push(Succession {
                        predecessor: *source,
                        successor: target,
                        date,
                        kind: SuccessionKind::Merge,
                        event: event.id,
                    });
                }
            }
            OrgChange::Split { source, into } => {
                if into.len() < 2 {
                    return Err(OrgError::SplitTooFew);
                }
                let targets: Vec<OrgId> = into.iter().map(Target::org).collect();
                self.check_distinct(&targets)?;
                if targets.contains(source) {
                    return Err(OrgError::MergeIntoSelf { org: self.label(*source) });
                }
                self.live(*source, date)?;
                self.check_can_end(*source, date)?;
                let children = self.live_children(*source);
                if !children.is_empty() {
                    return Err(OrgError::HasLiveChildren { org: self.label(*source), count: children.len() });
                }
                for t in into {
                    self.check_target(t, &[*source], date)?;
                }
                for t in into {
                    if let Target::New(new) = t {
                        self.start(new, date, event.id);
                    }
                    applied.orgs.insert(t.org());
                    applied.successions.push(Succession {
                        predecessor: *source,
                        successor: t.org(),
                        date,
                        kind: SuccessionKind::Split,
                        event: event.id,
                    });
                }
                self.end(*source, date);
                applied.orgs.insert(*source);
            }
            OrgChange::Dissolve { org } => {
                self.live(*org, date)?;
                let children = self.live_children(*org);
                if !children.is_empty() {
                    return Err(OrgError::HasLiveChildren { org: self.label(*org), count: children.len() });
                }
                self.check_can_end(*org, date)?;
                self.end(*org, date);
                applied.orgs.insert(*org);
            }
        }
        self.successions.extend(applied.successions.iter().cloned());
        self.last_date = Some(self.last_date.map_or(date, |d| d.max(date)));
        Ok(applied)
    }

    /// An organization created on `date` cannot end that same day: its life would be empty.
    fn check_can_end(&self, org: OrgId, date: Date) -> Result<(), OrgError> {
        match self.versions(org) {
            [only] if only.valid_from == date => Err(OrgError::SameDayLifetime { org: self.label(org) }),
            _ => Ok(()),
        }
    }

    fn start(&mut self, new: &NewOrg, date: Date, event: EventId) {
        self.names.insert(new.org, new.spec.name.trim().to_owned());
        self.versions.insert(
            new.org,
            vec![OrgVersion {
                org: new.org,
                valid_from: date,
                valid_to: None,
                kind: new.spec.kind,
                name: new.spec.name.trim().to_owned(),
                short_name: new.spec.short_name.as_deref().map(|s| s.trim().to_owned()),
                parent: new.spec.parent,
                event,
            }],
        );
    }

    /// Opens a new version from `date` with `change` applied; a version that starts that same day is
    /// amended in place instead, so no version is ever empty.
    fn amend(&mut self, org: OrgId, date: Date, event: EventId, change: impl FnOnce(&mut OrgVersion)) {
        let Some(versions) = self.versions.get_mut(&org) else { return };
        let Some(last) = versions.last_mut() else { return };
        if last.valid_from == date {
            change(last);
            last.event = event;
            return;
        }
        let mut next = last.clone();
        last.valid_to = Some(date);
        next.valid_from = date;
        next.event = event;
        change(&mut next);
        versions.push(next);
    }

    /// Ends an organization on `date`. A version opened that same day (by a rename or move earlier
    /// the same day) is dropped, since it would be empty.
    fn end(&mut self, org: OrgId, date: Date) {
        let Some(versions) = self.versions.get_mut(&org) else { return };
        if versions.len() > 1 && versions.last().is_some_and(|v| v.valid_from == date) {
            versions.pop();
        }
        if let Some(last) = versions.last_mut() {
            last.valid_to = Some(date);
        }
    }
}

fn check_name(name: &str) -> Result<(), OrgError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(OrgError::EmptyName);
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(OrgError::NameTooLong { max: MAX_NAME_CHARS });
    }
    Ok(())
}

/// A node of the tree as of a date, children in Vietnamese collation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    pub version: OrgVersion,
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// Number of organizations in this subtree, itself included.
    pub fn size(&self) -> usize {
        1 + self.children.iter().map(TreeNode::size).sum::<usize>()
    }
}

/// Builds the forest from the versions live on one date. A version whose parent is not among them
/// becomes a root, so nothing is ever hidden.
pub fn build_forest(mut versions: Vec<OrgVersion>) -> Vec<TreeNode> {
    versions.sort_by_cached_key(|v| (crate::vi::collation_key(&v.name), v.org));
    let present: BTreeSet<OrgId> = versions.iter().map(|v| v.org).collect();
    let mut children: HashMap<OrgId, Vec<OrgVersion>> = HashMap::new();
    let mut roots = Vec::new();
    for v in versions {
        match v.parent {
            Some(p) if present.contains(&p) && p != v.org => children.entry(p).or_default().push(v),
            _ => roots.push(v),
        }
    }
    fn grow(v: OrgVersion, children: &mut HashMap<OrgId, Vec<OrgVersion>>, depth: usize) -> TreeNode {
        let kids = if depth > 64 { Vec::new() } else { children.remove(&v.org).unwrap_or_default() };
        TreeNode { children: kids.into_iter().map(|c| grow(c, children, depth + 1)).collect(), version: v }
    }
    roots.into_iter().map(|v| grow(v, &mut children, 0)).collect()
}

/// An organization's ancestry through merges and splits, both directions, transitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// Relations leading back from the organization, nearest first.
    pub predecessors: Vec<Succession>,
    /// Relations leading forward from the organization, nearest first.
    pub successors: Vec<Succession>,
}

pub fn lineage(successions: &[Succession], org: OrgId) -> Lineage {
    let walk = |forward: bool| {
        let mut out = Vec::new();
        let mut seen = BTreeSet::from([org]);
        let mut queue = VecDeque::from([org]);
        while let Some(id) = queue.pop_front() {
            let mut next: Vec<&Succession> = successions
                .iter()
                .filter(|s| if forward { s.predecessor == id } else { s.successor == id })
                .collect();
            next.sort();
            for s in next {
                let other = if forward { s.successor } else { s.predecessor };
                out.push(s.clone());
                if seen.insert(other) {
                    queue.push_back(other);
                }
            }
        }
        out
    };
    Lineage { predecessors: walk(false), successors: walk(true) }
}

/// Where a record addressed to `org` belongs on `date`: `org` itself while it is live, otherwise its
/// nearest live successors (several after a split). Empty when the line ended in a dissolution.
pub fn current_successors(successions: &[Succession], is_live: impl Fn(OrgId) -> bool, org: OrgId) -> Vec<OrgId> {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::from([org]);
    let mut queue = VecDeque::from([org]);
    while let Some(id) = queue.pop_front() {
        if is_live(id) {
            found.insert(id);
            continue;
        }
        for s in successions.iter().filter(|s| s.predecessor == id) {
            if seen.insert(s.successor) {
                queue.push_back(s.successor);
            }
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests;
