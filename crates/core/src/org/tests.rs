use super::*;
use jiff::civil::date;
use proptest::prelude::*;

/// Records events one by one, as the store does, keeping the history.
#[derive(Default)]
struct Book {
    registry: Registry,
    history: Vec<OrgEvent>,
    next_id: i64,
    next_org: i64,
}

impl Book {
    fn try_record(&mut self, date: Date, change: OrgChange<()>) -> Result<Vec<OrgId>, OrgError> {
        let n = change.new_org_count();
        let ids: Vec<OrgId> = (0..n as i64).map(|i| OrgId(self.next_org + 1 + i)).collect();
        let change = change.with_ids(&mut ids.clone().into_iter()).expect("enough ids");
        self.next_id += 1;
        let event = OrgEvent { id: EventId(self.next_id), date, change, basis: None };
        let (registry, _) = self.registry.record(&self.history, &event)?;
        self.next_org += n as i64;
        self.registry = registry;
        self.history.push(event);
        Ok(ids)
    }

    fn record(&mut self, date: Date, change: OrgChange<()>) -> Vec<OrgId> {
        self.try_record(date, change).expect("event accepted")
    }

    fn create(&mut self, date: Date, name: &str, parent: Option<OrgId>) -> OrgId {
        self.record(date, OrgChange::Create(new(name, parent)))[0]
    }

    fn names_on(&self, date: Date) -> Vec<String> {
        let mut names: Vec<String> = self.registry.live_on(date).into_iter().map(|v| v.name).collect();
        names.sort();
        names
    }
}

fn new(name: &str, parent: Option<OrgId>) -> NewOrg<()> {
    NewOrg { org: (), spec: OrgSpec { kind: OrgKind::OrganizationBoard, name: name.into(), short_name: None, parent } }
}

#[test]
fn rename_and_move_keep_identity_and_history() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    let d1 = b.create(date(2020, 1, 1), "Quận ủy Quận 1", Some(city));
    let d3 = b.create(date(2020, 1, 1), "Quận ủy Quận 3", Some(city));
    let board = b.create(date(2020, 1, 1), "Ban Tổ chức", Some(d1));
    b.record(date(2022, 5, 1), OrgChange::Rename { org: board, name: "Ban Tổ chức Quận ủy Quận 1".into(), short_name: Some("BTC Q1".into()) });
    b.record(date(2023, 1, 1), OrgChange::Move { org: board, parent: Some(d3) });
    let vs = b.registry.versions(board);
    assert_eq!(vs.len(), 3);
    assert_eq!(b.registry.version_on(board, date(2021, 1, 1)).map(|v| v.name.as_str()), Some("Ban Tổ chức"));
    assert_eq!(b.registry.version_on(board, date(2022, 5, 1)).map(|v| v.parent), Some(Some(d1)));
    assert_eq!(b.registry.version_on(board, date(2023, 1, 1)).map(|v| v.parent), Some(Some(d3)));
    assert_eq!(vs[1].short_name.as_deref(), Some("BTC Q1"));
    assert!(b.registry.version_on(board, date(2019, 12, 31)).is_none());
}

#[test]
fn same_day_changes_amend_one_version() {
    let mut b = Book::default();
    let a = b.create(date(2020, 1, 1), "A", None);
    let p = b.create(date(2020, 1, 1), "P", None);
    b.record(date(2021, 1, 1), OrgChange::Rename { org: a, name: "A2".into(), short_name: None });
    b.record(date(2021, 1, 1), OrgChange::Move { org: a, parent: Some(p) });
    let vs = b.registry.versions(a);
    assert_eq!(vs.len(), 2);
    assert_eq!((vs[1].name.as_str(), vs[1].parent), ("A2", Some(p)));
}

#[test]
fn merge_moves_children_and_records_successors() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    let d1 = b.create(date(2020, 1, 1), "Quận ủy Quận 1", Some(city));
    let d3 = b.create(date(2020, 1, 1), "Quận ủy Quận 3", Some(city));
    let cell = b.create(date(2020, 1, 1), "Chi bộ 1", Some(d1));
    let merged = b.record(
        date(2025, 7, 1),
        OrgChange::Merge { sources: vec![d1, d3], into: Target::New(new("Đảng ủy phường Sài Gòn", Some(city))) },
    )[0];
    assert_eq!(b.registry.version_on(cell, date(2025, 7, 1)).and_then(|v| v.parent), Some(merged));
    assert_eq!(b.registry.version_on(cell, date(2025, 6, 30)).and_then(|v| v.parent), Some(d1));
    assert!(b.registry.version_on(d1, date(2025, 7, 1)).is_none());
    assert_eq!(b.names_on(date(2025, 6, 30)), ["Chi bộ 1", "Quận ủy Quận 1", "Quận ủy Quận 3", "Thành ủy"]);
    assert_eq!(b.names_on(date(2025, 7, 1)), ["Chi bộ 1", "Thành ủy", "Đảng ủy phường Sài Gòn"]);
    let l = lineage(b.registry.successions(), merged);
    assert_eq!(l.predecessors.iter().map(|s| s.predecessor).collect::<Vec<_>>(), [d1, d3]);
    let live = |o| b.registry.version_on(o, date(2026, 1, 1)).is_some();
    assert_eq!(current_successors(b.registry.successions(), live, d3), [merged]);
    assert_eq!(current_successors(b.registry.successions(), live, cell), [cell]);
}

#[test]
fn split_hands_over_to_several_and_lineage_is_transitive() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    let board = b.create(date(2020, 1, 1), "Ban Tổ chức Quận ủy Quận 1", Some(city));
    let existing = b.create(date(2020, 1, 1), "Ban Xây dựng Đảng phường Bến Thành", Some(city));
    let parts = b.record(
        date(2025, 7, 1),
        OrgChange::Split {
            source: board,
            into: vec![Target::New(new("Ban Xây dựng Đảng phường Sài Gòn", Some(city))), Target::Existing(existing)],
        },
    );
    let saigon = parts[0];
    let later = b.record(date(2026, 1, 1), OrgChange::Merge { sources: vec![saigon], into: Target::Existing(existing) });
    assert!(later.is_empty());
    let l = lineage(b.registry.successions(), board);
    let succ: BTreeSet<OrgId> = l.successors.iter().map(|s| s.successor).collect();
    assert_eq!(succ, BTreeSet::from([saigon, existing]));
    let live = |o| b.registry.version_on(o, date(2026, 6, 1)).is_some();
    assert_eq!(current_successors(b.registry.successions(), live, board), [existing]);
    let live_mid = |o| b.registry.version_on(o, date(2025, 8, 1)).is_some();
    let mid: BTreeSet<OrgId> = current_successors(b.registry.successions(), live_mid, board).into_iter().collect();
    assert_eq!(mid, BTreeSet::from([saigon, existing]));
    let back = lineage(b.registry.successions(), existing);
    assert!(back.predecessors.iter().any(|s| s.predecessor == board));
}

#[test]
fn refused_events_name_the_rule_and_change_nothing() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    let d1 = b.create(date(2020, 1, 1), "Quận ủy Quận 1", Some(city));
    let cell = b.create(date(2020, 1, 1), "Chi bộ 1", Some(d1));
    let before = b.registry.clone();

    let e = b.try_record(date(2021, 1, 1), OrgChange::Move { org: city, parent: Some(cell) });
    assert!(matches!(e, Err(OrgError::Cycle { .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Move { org: d1, parent: Some(d1) });
    assert!(matches!(e, Err(OrgError::Cycle { .. })), "{e:?}");
    let e = b.try_record(date(2019, 1, 1), OrgChange::Rename { org: d1, name: "X".into(), short_name: None });
    assert!(matches!(e, Err(OrgError::NotYetExisting { .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Merge { sources: vec![d1], into: Target::Existing(d1) });
    assert!(matches!(e, Err(OrgError::MergeIntoSelf { .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Merge { sources: vec![d1], into: Target::Existing(cell) });
    assert!(matches!(e, Err(OrgError::TargetInsideSource { .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Dissolve { org: d1 });
    assert!(matches!(e, Err(OrgError::HasLiveChildren { count: 1, .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Rename { org: d1, name: "  ".into(), short_name: None });
    assert_eq!(e, Err(OrgError::EmptyName));
    let e = b.try_record(date(2021, 1, 1), OrgChange::Rename { org: d1, name: "Quận ủy Quận 1".into(), short_name: None });
    assert!(matches!(e, Err(OrgError::NoChange { .. })), "{e:?}");
    let e = b.try_record(date(2021, 1, 1), OrgChange::Split { source: cell, into: vec![Target::Existing(city)] });
    assert_eq!(e, Err(OrgError::SplitTooFew));
    let e = b.try_record(date(2021, 1, 1), OrgChange::Merge { sources: vec![cell, cell], into: Target::Existing(city) });
    assert!(matches!(e, Err(OrgError::Duplicate { .. })), "{e:?}");
    assert_eq!(b.registry, before);

    b.record(date(2022, 1, 1), OrgChange::Dissolve { org: cell });
    let e = b.try_record(date(2023, 1, 1), OrgChange::Rename { org: cell, name: "Y".into(), short_name: None });
    assert!(matches!(e, Err(OrgError::Ended { since, .. }) if since == date(2022, 1, 1)), "{e:?}");
    let fresh = b.create(date(2024, 1, 1), "Mới", Some(city));
    let e = b.try_record(date(2024, 1, 1), OrgChange::Dissolve { org: fresh });
    assert!(matches!(e, Err(OrgError::SameDayLifetime { .. })), "{e:?}");
}

#[test]
fn an_event_in_the_past_flows_into_later_versions_or_is_refused() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    let other = b.create(date(2020, 1, 1), "Tỉnh ủy", None);
    let unit = b.create(date(2020, 1, 1), "Đơn vị", Some(city));
    b.record(date(2024, 1, 1), OrgChange::Rename { org: unit, name: "Đơn vị mới".into(), short_name: None });
    // Moving it in 2022 carries the new parent into the 2024 version.
    b.record(date(2022, 1, 1), OrgChange::Move { org: unit, parent: Some(other) });
    assert_eq!(b.registry.version_on(unit, date(2024, 6, 1)).and_then(|v| v.parent), Some(other));
    assert_eq!(b.registry.versions(unit).len(), 3);
    // Dissolving it in 2023 would break the 2024 rename.
    let before = b.registry.clone();
    let e = b.try_record(date(2023, 1, 1), OrgChange::Dissolve { org: unit });
    match e {
        Err(OrgError::ConflictsWithLater { date: d, cause, .. }) => {
            assert_eq!(d, date(2024, 1, 1));
            assert!(matches!(*cause, OrgError::Ended { .. }));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(b.registry, before);
}

#[test]
fn forest_is_sorted_in_vietnamese_order() {
    let mut b = Book::default();
    let city = b.create(date(2020, 1, 1), "Thành ủy", None);
    for name in ["Văn phòng", "Ban Tổ chức", "Đảng ủy Satra", "Dược Sài Gòn"] {
        b.create(date(2020, 1, 1), name, Some(city));
    }
    let forest = build_forest(b.registry.live_on(date(2021, 1, 1)));
    assert_eq!(forest.len(), 1);
    assert_eq!(forest[0].size(), 5);
    let names: Vec<&str> = forest[0].children.iter().map(|c| c.version.name.as_str()).collect();
    assert_eq!(names, ["Ban Tổ chức", "Dược Sài Gòn", "Đảng ủy Satra", "Văn phòng"]);
}

// ---- property tests -------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Create { parent: Option<usize> },
    Rename { org: usize },
    Move { org: usize, parent: Option<usize> },
    Merge { sources: Vec<usize>, into: Option<usize>, parent: Option<usize> },
    Split { source: usize, existing: Option<usize>, parent: Option<usize> },
    Dissolve { org: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..40;
    prop_oneof![
        3 => proptest::option::of(idx.clone()).prop_map(|parent| Op::Create { parent }),
        1 => idx.clone().prop_map(|org| Op::Rename { org }),
        2 => (idx.clone(), proptest::option::of(idx.clone())).prop_map(|(org, parent)| Op::Move { org, parent }),
        1 => (proptest::collection::vec(idx.clone(), 1..4), proptest::option::of(idx.clone()), proptest::option::of(idx.clone()))
            .prop_map(|(sources, into, parent)| Op::Merge { sources, into, parent }),
        1 => (idx.clone(), proptest::option::of(idx.clone()), proptest::option::of(idx.clone()))
            .prop_map(|(source, existing, parent)| Op::Split { source, existing, parent }),
        1 => idx.prop_map(|org| Op::Dissolve { org }),
    ]
}

fn to_change(op: &Op, known: &[OrgId], n: usize) -> OrgChange<()> {
    let pick = |i: usize| known.get(i % known.len().max(1)).copied().unwrap_or(OrgId(1));
    let spec = |parent: Option<usize>| NewOrg {
        org: (),
        spec: OrgSpec { kind: OrgKind::Cell, name: format!("Đơn vị {n}"), short_name: None, parent: parent.map(pick) },
    };
    match op {
        Op::Create { parent } => OrgChange::Create(spec(*parent)),
        Op::Rename { org } => OrgChange::Rename { org: pick(*org), name: format!("Tên {n}"), short_name: None },
        Op::Move { org, parent } => OrgChange::Move { org: pick(*org), parent: parent.map(pick) },
        Op::Merge { sources, into, parent } => OrgChange::Merge {
            sources: sources.iter().map(|s| pick(*s)).collect(),
            into: match into {
                Some(i) => Target::Existing(pick(*i)),
                None => Target::New(spec(*parent)),
            },
        },
        Op::Split { source, existing, parent } => OrgChange::Split {
            source: pick(*source),
            into: vec![Target::New(spec(*parent)), existing.map_or(Target::New(spec(*parent)), |e| Target::Existing(pick(e)))],
        },
        Op::Dissolve { org } => OrgChange::Dissolve { org: pick(*org) },
    }
}

fn check_invariants(r: &Registry) -> Result<(), TestCaseError> {
    // Versions of one organization tile its life without gaps, overlaps or empty intervals.
    let mut dates = BTreeSet::new();
    for id in r.org_ids() {
        let vs = r.versions(id);
        for (i, v) in vs.iter().enumerate() {
            prop_assert!(v.valid_to.is_none_or(|t| v.valid_from < t), "empty version {v:?}");
            if i + 1 < vs.len() {
                prop_assert_eq!(v.valid_to, Some(vs[i + 1].valid_from));
            }
            dates.insert(v.valid_from);
            if let Some(t) = v.valid_to {
                dates.insert(t);
                dates.insert(t.yesterday().expect("date in range"));
            }
        }
    }
    // On every date where something changes, the live organizations form a forest: each parent is
    // live that day and every chain of parents ends at a root.
    for d in &dates {
        let live = r.live_on(*d);
        let by_id: HashMap<OrgId, &OrgVersion> = live.iter().map(|v| (v.org, v)).collect();
        for v in &live {
            let mut steps = 0;
            let mut cursor = v.parent;
            while let Some(p) = cursor {
                let parent = by_id.get(&p);
                prop_assert!(parent.is_some(), "{:?} has parent {p} not live on {d}", v.org);
                steps += 1;
                prop_assert!(steps <= live.len(), "cycle above {:?} on {d}", v.org);
                cursor = parent.and_then(|pv| pv.parent);
            }
        }
        prop_assert_eq!(build_forest(live.clone()).iter().map(TreeNode::size).sum::<usize>(), live.len());
    }
    // Lineage agrees in both directions, and a predecessor ends the day its successor takes over.
    for id in r.org_ids() {
        for s in lineage(r.successions(), id).successors {
            prop_assert!(lineage(r.successions(), s.successor).predecessors.iter().any(|p| p.predecessor == s.predecessor));
        }
        for s in lineage(r.successions(), id).predecessors {
            prop_assert!(lineage(r.successions(), s.predecessor).successors.iter().any(|p| p.successor == s.successor));
        }
    }
    for s in r.successions() {
        prop_assert_eq!(r.versions(s.predecessor).last().and_then(|v| v.valid_to), Some(s.date));
        prop_assert!(r.version_on(s.successor, s.date).is_some(), "successor not live when it takes over");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_histories_keep_the_tree_a_forest(ops in proptest::collection::vec((0u16..4000, op()), 1..60)) {
        let mut b = Book::default();
        let origin = date(2000, 1, 1);
        // Three roots at the origin give every later event something to act on.
        let mut known: Vec<OrgId> = (0..3).map(|i| b.create(origin, &format!("Gốc {i}"), None)).collect();
        for (n, (offset, op)) in ops.iter().enumerate() {
            let day = origin.checked_add(jiff::Span::new().days(i64::from(*offset))).expect("in range");
            let before = b.registry.clone();
            match b.try_record(day, to_change(op, &known, n)) {
                Ok(ids) => known.extend(ids),
                Err(_) => prop_assert_eq!(&b.registry, &before),
            }
        }
        check_invariants(&b.registry)?;
        // Incremental recording and a replay from scratch agree.
        let replayed = Registry::replay(&b.history).map_err(|(id, e)| TestCaseError::fail(format!("{id:?}: {e}")))?;
        prop_assert_eq!(replayed.all_versions().collect::<Vec<_>>(), b.registry.all_versions().collect::<Vec<_>>());
        let mut a = replayed.successions().to_vec();
        let mut c = b.registry.successions().to_vec();
        a.sort();
        c.sort();
        prop_assert_eq!(a, c);
    }
}
