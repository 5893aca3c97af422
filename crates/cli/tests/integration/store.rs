//! The store suite: every test runs on SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use jiff::civil::date;
use thidua_app::auth::Principal;
use thidua_app::demo::DemoOutcome;
use thidua_core::cluster::{ClusterRole, ClusterYear};
use thidua_core::org::{NewOrg, OrgChange, OrgError, OrgId, OrgKind, OrgSpec, Target};
use thidua_store::{Store, StoreError};

use crate::support::{Backend, StoreTest, TestDb};

pub const TESTS: &[(&str, StoreTest)] = &[
    ("org_events_build_versions_and_lineage", |db| Box::pin(org_events_build_versions_and_lineage(db))),
    ("refused_event_changes_nothing", |db| Box::pin(refused_event_changes_nothing(db))),
    ("dropped_transaction_leaves_no_trace", |db| Box::pin(dropped_transaction_leaves_no_trace(db))),
    ("event_in_the_past_rewrites_later_versions", |db| Box::pin(event_in_the_past_rewrites_later_versions(db))),
    ("concurrent_writers_all_land", |db| Box::pin(concurrent_writers_all_land(db))),
    ("clusters_keep_yearly_membership", |db| Box::pin(clusters_keep_yearly_membership(db))),
    ("demo_world_loads_once_with_the_2025_reorganization", |db| Box::pin(demo_world_loads_once(db))),
    ("chains_read_at_once_match_those_read_one_by_one", |db| Box::pin(chains_at_once(db))),
    ("a_wide_scope_keeps_what_a_narrow_one_does", |db| Box::pin(wide_scopes(db))),
    ("migrate_is_idempotent", |db| Box::pin(migrate_is_idempotent(db))),
    ("concluded_results_go_in_many_at_once_into_their_rounds", |db| Box::pin(concluded_results_go_in_many_at_once(db))),
];

fn new_org(kind: OrgKind, name: &str, parent: Option<OrgId>) -> OrgChange<()> {
    OrgChange::Create(NewOrg { org: (), spec: OrgSpec { kind, name: name.into(), short_name: None, parent } })
}

async fn create(store: &Store, on: jiff::civil::Date, name: &str, parent: Option<OrgId>) -> OrgId {
    let mut tx = store.begin().await.expect("begin");
    let e = tx.record_org_event(on, new_org(OrgKind::GrassrootsCommittee, name, parent), None).await.expect("create");
    tx.commit().await.expect("commit");
    e.change.created()[0].org
}

/// A fingerprint of everything the registry stores, to prove a refused write changed nothing.
async fn fingerprint(store: &Store) -> (i64, Vec<String>) {
    let mut versions: Vec<String> = Vec::new();
    for v in store.orgs_latest().await.expect("latest") {
        for h in store.org_history(v.org).await.expect("history") {
            versions.push(format!("{h:?}"));
        }
        for s in store.org_lineage(v.org).await.expect("lineage") {
            versions.push(format!("{s:?}"));
        }
    }
    versions.sort();
    (store.org_event_count().await.expect("count"), versions)
}

async fn org_events_build_versions_and_lineage(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let city = create(&store, date(2020, 1, 1), "Thành ủy", None).await;
    let d1 = create(&store, date(2020, 1, 1), "Quận ủy Quận 1", Some(city)).await;
    let d3 = create(&store, date(2020, 1, 1), "Quận ủy Quận 3", Some(city)).await;
    let cell = create(&store, date(2021, 3, 1), "Chi bộ khu phố 1", Some(d1)).await;

    let mut tx = store.begin().await.expect("begin");
    tx.record_org_event(date(2022, 5, 1), OrgChange::Rename { org: d3, name: "Quận ủy Quận Ba".into(), short_name: Some("Q3".into()) }, Some("Quyết định 12-QĐ/TU".into()))
        .await
        .expect("rename");
    let merge = tx
        .record_org_event(
            date(2025, 7, 1),
            OrgChange::Merge {
                sources: vec![d1, d3],
                into: Target::New(NewOrg { org: (), spec: OrgSpec { kind: OrgKind::GrassrootsCommittee, name: "Đảng ủy phường Sài Gòn".into(), short_name: None, parent: Some(city) } }),
            },
            Some("Nghị quyết sắp xếp".into()),
        )
        .await
        .expect("merge");
    tx.commit().await.expect("commit");
    let ward = merge.change.created()[0].org;

    let names = |vs: Vec<thidua_core::org::OrgVersion>| vs.into_iter().map(|v| v.name).collect::<BTreeSet<_>>();
    let before = names(store.orgs_on(date(2025, 6, 30)).await.expect("tree"));
    let after = names(store.orgs_on(date(2025, 7, 1)).await.expect("tree"));
    assert!(before.contains("Quận ủy Quận 1") && before.contains("Quận ủy Quận Ba"));
    assert!(!after.contains("Quận ủy Quận 1") && after.contains("Đảng ủy phường Sài Gòn"));
    assert!(names(store.orgs_on(date(2022, 4, 30)).await.expect("tree")).contains("Quận ủy Quận 3"));

    // The cell moved with the merge; its history keeps the old parent.
    let cell_history = store.org_history(cell).await.expect("history");
    assert_eq!(cell_history.iter().map(|v| v.parent).collect::<Vec<_>>(), [Some(d1), Some(ward)]);
    assert_eq!(cell_history[0].valid_to, Some(date(2025, 7, 1)));

    let d3_history = store.org_history(d3).await.expect("history");
    assert_eq!(d3_history.len(), 2);
    assert_eq!(d3_history[1].short_name.as_deref(), Some("Q3"));

    let lineage = store.org_lineage(ward).await.expect("lineage");
    assert_eq!(lineage.iter().map(|s| s.predecessor).collect::<BTreeSet<_>>(), BTreeSet::from([d1, d3]));
    assert_eq!(store.org_successors_on(d1, date(2026, 1, 1)).await.expect("successor"), [ward]);
    assert_eq!(store.org_successors_on(d1, date(2024, 1, 1)).await.expect("successor"), [d1]);

    let events = store.org_events(cell).await.expect("events");
    assert_eq!(events.iter().map(|e| e.change.kind_code()).collect::<Vec<_>>(), ["create", "merge"]);
    assert_eq!(events[1].basis.as_deref(), Some("Nghị quyết sắp xếp"));
    assert_eq!(events[1], merge, "the stored payload reads back as written");
    assert_eq!(store.org_event_dates().await.expect("dates"), [date(2020, 1, 1), date(2021, 3, 1), date(2022, 5, 1), date(2025, 7, 1)]);
}

async fn refused_event_changes_nothing(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let city = create(&store, date(2020, 1, 1), "Thành ủy", None).await;
    let district = create(&store, date(2020, 1, 1), "Quận ủy", Some(city)).await;
    let before = fingerprint(&store).await;

    let refusals: Vec<(OrgChange<()>, jiff::civil::Date)> = vec![
        (OrgChange::Move { org: city, parent: Some(district) }, date(2021, 1, 1)),
        (OrgChange::Rename { org: district, name: "Trước khi có".into(), short_name: None }, date(2019, 1, 1)),
        (OrgChange::Merge { sources: vec![district], into: Target::Existing(district) }, date(2021, 1, 1)),
        (OrgChange::Dissolve { org: OrgId(9999) }, date(2021, 1, 1)),
        (new_org(OrgKind::Cell, "Chi bộ", Some(city)), date(2019, 6, 1)),
        (new_org(OrgKind::Cell, "   ", Some(city)), date(2021, 1, 1)),
    ];
    for (change, on) in refusals {
        let mut tx = store.begin().await.expect("begin");
        let err = tx.record_org_event(on, change, None).await.expect_err("refused");
        assert!(matches!(err, StoreError::Org(_)), "{err:?}");
        drop(tx);
        assert_eq!(fingerprint(&store).await, before);
    }

    // Inside one transaction a refused event is undone and the next one still lands.
    let mut tx = store.begin().await.expect("begin");
    let err = tx.record_org_event(date(2021, 1, 1), OrgChange::Move { org: city, parent: Some(district) }, None).await;
    assert!(matches!(err, Err(StoreError::Org(OrgError::Cycle { .. }))));
    tx.record_org_event(date(2021, 1, 1), new_org(OrgKind::Cell, "Chi bộ 1", Some(district)), None).await.expect("valid");
    tx.commit().await.expect("commit");
    let (events, _) = fingerprint(&store).await;
    assert_eq!(events, before.0 + 1);
    let latest = store.orgs_latest().await.expect("latest");
    assert_eq!(latest.len(), 3, "the refused event allocated no organization that survived");
}

async fn dropped_transaction_leaves_no_trace(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    create(&store, date(2020, 1, 1), "Thành ủy", None).await;
    let before = fingerprint(&store).await;
    {
        let mut tx = store.begin().await.expect("begin");
        tx.record_org_event(date(2021, 1, 1), new_org(OrgKind::Cell, "Bỏ dở", None), None).await.expect("event");
        tx.set_meta("half_done", "1").await.expect("meta");
        // dropped without commit
    }
    assert_eq!(fingerprint(&store).await, before);
    assert_eq!(store.meta("half_done").await.expect("meta"), None);
}

async fn event_in_the_past_rewrites_later_versions(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let a = create(&store, date(2020, 1, 1), "Tỉnh ủy A", None).await;
    let b = create(&store, date(2020, 1, 1), "Tỉnh ủy B", None).await;
    let unit = create(&store, date(2020, 1, 1), "Đảng bộ X", Some(a)).await;
    let mut tx = store.begin().await.expect("begin");
    tx.record_org_event(date(2024, 1, 1), OrgChange::Rename { org: unit, name: "Đảng bộ X mới".into(), short_name: None }, None).await.expect("rename");
    tx.record_org_event(date(2022, 1, 1), OrgChange::Move { org: unit, parent: Some(b) }, None).await.expect("move in the past");
    tx.commit().await.expect("commit");
    let history = store.org_history(unit).await.expect("history");
    assert_eq!(history.iter().map(|v| (v.parent, v.name.as_str())).collect::<Vec<_>>(), [
        (Some(a), "Đảng bộ X"),
        (Some(b), "Đảng bộ X"),
        (Some(b), "Đảng bộ X mới"),
    ]);
    let mut tx = store.begin().await.expect("begin");
    let err = tx.record_org_event(date(2023, 1, 1), OrgChange::Dissolve { org: unit }, None).await.expect_err("conflict");
    assert!(matches!(err, StoreError::Org(OrgError::ConflictsWithLater { .. })), "{err:?}");
}

async fn concurrent_writers_all_land(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let city = create(&store, date(2020, 1, 1), "Thành ủy", None).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.expect("begin");
            let day = date(2021, 1, 1 + (i % 20) as i8);
            let e = tx.record_org_event(day, new_org(OrgKind::Cell, &format!("Chi bộ {i}"), Some(city)), None).await.expect("event");
            tx.commit().await.expect("commit");
            e.change.created()[0].org
        }));
    }
    let mut ids = BTreeSet::new();
    for t in tasks {
        ids.insert(t.await.expect("task"));
    }
    assert_eq!(ids.len(), 12);
    assert_eq!(store.orgs_on(date(2022, 1, 1)).await.expect("tree").len(), 13);
    assert_eq!(store.org_event_count().await.expect("count"), 13);
}

async fn clusters_keep_yearly_membership(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let owner = create(&store, date(2020, 1, 1), "Ban Tổ chức Thành ủy", None).await;
    let u1 = create(&store, date(2020, 1, 1), "Ban Tổ chức Quận 1", None).await;
    let u2 = create(&store, date(2020, 1, 1), "Ban Tổ chức Quận 3", None).await;
    let mut tx = store.begin().await.expect("begin");
    let id = tx.create_cluster("Cụm thi đua 1", owner, Some("Ngành Tổ chức xây dựng Đảng")).await.expect("cluster");
    tx.set_cluster_year(id, &ClusterYear { year: 2023, members: vec![(u1, ClusterRole::Leader), (u2, ClusterRole::Member)] }).await.expect("2023");
    tx.set_cluster_year(id, &ClusterYear { year: 2024, members: vec![(u1, ClusterRole::Member), (u2, ClusterRole::Leader)] }).await.expect("2024");
    tx.commit().await.expect("commit");
    assert_eq!(store.cluster_years(id).await.expect("years"), [2024, 2023]);
    assert_eq!(store.cluster_year(id, 2023).await.expect("2023").leader(), Some(u1));
    assert_eq!(store.cluster_year(id, 2024).await.expect("2024").leader(), Some(u2));

    let mut tx = store.begin().await.expect("begin");
    let err = tx.set_cluster_year(id, &ClusterYear { year: 2025, members: vec![(u1, ClusterRole::Leader), (u2, ClusterRole::Leader)] }).await;
    assert!(matches!(err, Err(StoreError::Cluster(_))), "{err:?}");
    let err = tx.create_cluster("  ", owner, None).await;
    assert!(matches!(err, Err(StoreError::Cluster(_))), "{err:?}");
}

async fn demo_world_loads_once(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let outcome = app.load_demo().await.expect("demo");
    assert!(matches!(outcome, DemoOutcome::Loaded { orgs, clusters: 4 } if orgs > 100), "{outcome:?}");
    assert_eq!(app.load_demo().await.expect("again"), DemoOutcome::AlreadyLoaded);

    let before: BTreeSet<String> = app.orgs_on(system, date(2025, 6, 30)).await.expect("tree").into_iter().map(|v| v.name).collect();
    let after: BTreeSet<String> = app.orgs_on(system, date(2025, 7, 1)).await.expect("tree").into_iter().map(|v| v.name).collect();
    for name in ["Quận ủy Quận 1", "Ban Tổ chức Quận ủy Quận 1", "Thành ủy thành phố Thủ Đức", "Tỉnh ủy Bình Dương"] {
        assert!(before.contains(name) && !after.contains(name), "{name}");
    }
    for name in ["Đảng ủy phường Sài Gòn", "Ban Xây dựng Đảng Đảng ủy phường Bến Thành"] {
        assert!(!before.contains(name) && after.contains(name), "{name}");
    }
    assert!(after.contains("Thành ủy Thành phố Hồ Chí Minh") && after.contains("Ban Tổ chức Thành ủy"));

    let clusters = app.clusters(system).await.expect("clusters");
    let cum7 = clusters.iter().find(|c| c.name.starts_with("Cụm thi đua 7")).expect("Cụm 7");
    let d = app.cluster_detail(system, cum7.id, Some(2023)).await.expect("Cụm 7 2023");
    assert_eq!(d.members.len(), 11);
    assert_eq!(d.members[0].role, ClusterRole::Leader);
    assert_eq!(d.members[0].org.name, "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn");
    let cum1 = clusters.iter().find(|c| c.name.starts_with("Cụm thi đua 1")).expect("Cụm 1");
    assert_eq!(app.cluster_detail(system, cum1.id, Some(2023)).await.expect("Cụm 1").members.len(), 6);
    let cum2 = clusters.iter().find(|c| c.name.starts_with("Cụm thi đua 2")).expect("Cụm 2");
    assert_eq!(app.cluster_detail(system, cum2.id, Some(2023)).await.expect("Cụm 2").members.len(), 8);
    let cum6 = clusters.iter().find(|c| c.name.contains("số 6")).expect("Cụm 6");
    assert_eq!(app.cluster_detail(system, cum6.id, Some(2023)).await.expect("Cụm 6").members.len(), 5);

    // A record addressed to the dissolved district board lands at the wards' boards.
    let btc_q1 = app.orgs_on(system, date(2024, 1, 1)).await.expect("tree").into_iter().find(|v| v.name == "Ban Tổ chức Quận ủy Quận 1").expect("BTC Q1");
    let successors = app.org_successors_on(system, btc_q1.org, date(2025, 7, 1)).await.expect("successors");
    assert_eq!(successors.len(), 4);
    let names = app.org_names(&successors.into_iter().collect()).await.expect("names");
    assert!(names.values().all(|n| n.starts_with("Ban Xây dựng Đảng Đảng ủy phường")), "{names:?}");
}

/// Ancestor chains made from the registry in memory, many at once, are those the database's
/// recursive query gives one by one: on a day before and a day after the 2025 reorganization, for
/// live organizations and for those ended by then (as of their last day).
async fn chains_at_once(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let store = Store::open(&db.url).await.expect("open");
    let all: BTreeSet<OrgId> = store.orgs_latest().await.expect("latest").into_iter().map(|v| v.org).collect();
    for on in [date(2024, 6, 30), date(2025, 7, 1), thidua_app::today()] {
        let chains = store.org_chains(&all, on).await.expect("chains");
        assert_eq!(chains.len(), all.len());
        let mut ended = 0;
        for org in &all {
            let history = store.org_history(*org).await.expect("history");
            let last = history.last().expect("a version");
            let day = if history.iter().any(|v| v.is_live_on(on)) {
                on
            } else {
                ended += 1;
                last.valid_to.and_then(|t| t.yesterday().ok()).unwrap_or(last.valid_from)
            };
            assert_eq!(chains[org], store.org_chain_on(*org, day).await.expect("chain"), "{org:?} on {on}");
        }
        assert!(ended > 0, "some organizations had ended or not begun on {on}");
    }
    let unknown = store.org_chains(&BTreeSet::from([OrgId(i64::MAX)]), date(2025, 7, 1)).await.expect("chains");
    assert!(unknown.is_empty());
}

/// A long scope goes to the database as one list instead of a parameter each (past 1,000
/// organizations on SQLite, 30,000 on PostgreSQL): padded past that with ids of no organization,
/// half of the demo's tree keeps the same members and transfers as it does as a short list.
async fn wide_scopes(db: TestDb) {
    let app = db.app().await;
    app.load_demo().await.expect("demo");
    let store = Store::open(&db.url).await.expect("open");
    let live: Vec<OrgId> = store.orgs_on(thidua_app::today()).await.expect("tree").into_iter().map(|v| v.org).collect();
    let half: Vec<OrgId> = live.iter().copied().step_by(2).collect();
    assert!(half.len() < 1000, "the demo's half tree is a short list: {}", half.len());
    let wide: Vec<OrgId> = half.iter().copied().chain((1..=31_000).map(|i| OrgId(-i))).collect();
    let ids = |rows: Vec<thidua_store::MemberRow>| rows.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let narrow_members = ids(store.members(Some(&half), None, 5000, 0).await.expect("members"));
    assert!(!narrow_members.is_empty() && narrow_members.len() < ids(store.members(None, None, 5000, 0).await.expect("all")).len());
    assert_eq!(ids(store.members(Some(&wide), None, 5000, 0).await.expect("members")), narrow_members);
    assert_eq!(ids(store.members(Some(&wide), Some("thi"), 5000, 0).await.expect("named")), ids(store.members(Some(&half), Some("thi"), 5000, 0).await.expect("named")));
    let after = |orgs: Vec<OrgId>| {
        let store = &store;
        async move { ids(store.members_after(Some(&orgs), None, thidua_core::member::MemberId(0), 5000).await.expect("after")) }
    };
    assert_eq!(after(wide.clone()).await, after(half.clone()).await);
    let transfers = |rows: Vec<thidua_store::TransferRow>| rows.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let all_transfers = store.transfers(Some(&live), None, None).await.expect("transfers");
    assert!(!all_transfers.is_empty(), "the demo has transfers");
    let narrow = transfers(store.transfers(Some(&half), None, None).await.expect("narrow"));
    assert!(!narrow.is_empty(), "half of the tree has transfers");
    assert_eq!(transfers(store.transfers(Some(&wide), None, None).await.expect("wide")), narrow);
    assert_eq!(store.transfer_counts(Some(&wide)).await.expect("counts"), store.transfer_counts(Some(&half)).await.expect("counts"));
}

/// Results written many at once (an import of past years) land in their own rounds, members and
/// organizations alike, with who concluded them and when, beyond one statement's worth of rows.
async fn concluded_results_go_in_many_at_once(db: TestDb) {
    use thidua_core::evaluation::{Level, SubjectKind};
    use thidua_store::NewSubject;
    let app = thidua_app::App::open(&db.url).await.expect("open app");
    let store = Store::open(&db.url).await.expect("open");
    let org = create(&store, date(2020, 1, 1), "Đảng ủy phường Bến Thành", None).await;
    let mut members = Vec::new();
    for i in 0..3 {
        members.push(crate::evaluation::member(&app, &format!("Đảng viên {i}"), org, date(2010, 1, 1)).await);
    }
    let mut tx = store.begin().await.expect("begin");
    let r2023 = tx.create_eval_round(org, 2023, "Quy định 366", "thử").await.expect("round").expect("new");
    let r2024 = tx.create_eval_round(org, 2024, "Quy định 366", "thử").await.expect("round").expect("new");
    let mut results = vec![(r2023, NewSubject { kind: SubjectKind::Organization, member: None, org: Some(org), cell: org }, Level::Httnv)];
    // Enough rows for two statements: the 50,000 of one and the rest in another.
    for i in 0..50_001 {
        let m = members[i % 3];
        let round = if i % 2 == 0 { r2023 } else { r2024 };
        results.push((round, NewSubject { kind: SubjectKind::Member, member: Some(m), org: None, cell: org }, if i % 5 == 0 { Level::Htxsnv } else { Level::Htnv }));
    }
    tx.add_concluded(&results, "Nguyễn Văn Bình", date(2025, 1, 15)).await.expect("add");
    tx.commit().await.expect("commit");

    let rows_2023 = store.evaluations(r2023).await.expect("2023");
    let rows_2024 = store.evaluations(r2024).await.expect("2024");
    assert_eq!((rows_2023.len(), rows_2024.len()), (25_002, 25_000));
    let organization = rows_2023.iter().find(|r| r.kind == SubjectKind::Organization).expect("organization row");
    assert_eq!((organization.member, organization.org, organization.cell), (None, Some(org), org));
    let step = organization.concluded.as_ref().expect("concluded");
    assert_eq!((step.level, step.by.as_str(), step.on), (Some(Level::Httnv), "Nguyễn Văn Bình", date(2025, 1, 15)));
    assert!(organization.approved.is_none());
    let first = rows_2023.iter().filter(|r| r.kind == SubjectKind::Member).min_by_key(|r| r.id).expect("member row");
    assert_eq!((first.member, first.org, first.result()), (Some(members[0]), None, Some(Level::Htxsnv)));
    let htxsnv = rows_2023.iter().chain(&rows_2024).filter(|r| r.result() == Some(Level::Htxsnv)).count();
    assert_eq!(htxsnv, 10_001);
    app.close().await;
}

async fn migrate_is_idempotent(db: TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    store.migrate().await.expect("again");
    thidua_app::App::migrate(&db.url).await.expect("through the app");
    assert_eq!(store.backend() == thidua_store::Backend::Postgres, db.backend == Backend::Postgres);
}

/// Both backends' migrations produce the same tables, columns, type classes and nullability.
pub async fn schemas_agree() {
    let lite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let a = Store::open(&lite.url).await.expect("sqlite").schema().await.expect("schema");
    let b = Store::open(&pg.url).await.expect("postgres").schema().await.expect("schema");
    lite.drop_db().await;
    pg.drop_db().await;
    assert!(!a.is_empty());
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
}
