//! `thidua gen`: the synthetic world is the same for the same seed, and it holds together: the
//! engine finds those the generator honoured, the audit log verifies, members sit in live cells.

use std::collections::BTreeSet;

use serde_json::Value;
use thidua_app::auth::Principal;
use thidua_app::commendation::{NomineeRef, RegistryFilter};
use thidua_app::generate::{Scale, WorldReport};
use thidua_app::App;
use thidua_core::commendation::Verdict;
use thidua_core::badge::{due_on, BadgeFacts};
use thidua_core::member::{Gap, GapKind, MemberId};
use thidua_core::org::{OrgId, OrgKind};

use crate::support::{StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_generated_world_is_deterministic_and_consistent", |db| Box::pin(deterministic(db))),
    ("badges_and_the_member_download_cover_a_scope_of_thousands", |db| Box::pin(whole_scope(db))),
];

const MEMBERS: u64 = 600;

async fn generate(app: &App, seed: u64) -> WorldReport {
    app.generate(Scale::Members(MEMBERS), seed, &|_, _, _| {}).await.expect("generate")
}

/// The export without what records the moment of writing (audit entries, the registry's
/// `recorded_at`, the rulebook loaded at first start, the installation's settings).
async fn records(app: &App) -> Value {
    let mut out = Vec::new();
    app.export_json(&mut out, false).await.expect("export");
    let mut doc: Value = serde_json::from_slice(&out).expect("json");
    let tables = doc["tables"].as_object_mut().expect("tables");
    for moment in ["audit_entry", "meta", "commendation_rulebook"] {
        tables.remove(moment);
    }
    for e in tables.get_mut("org_event").and_then(Value::as_array_mut).expect("events") {
        e.as_object_mut().expect("event").remove("recorded_at");
    }
    doc
}

async fn deterministic(db: TestDb) {
    let app = db.app().await;
    let report = generate(&app, 11).await;
    assert_eq!(report.members, MEMBERS);
    assert!(report.orgs > 30 && report.clusters > 0 && report.evaluations > MEMBERS * 5 && report.documents > 1000 && report.transfers > 10, "{report:?}");
    // A second database, the same seed: the same records, row for row.
    let twin_db = TestDb::new(db.backend).await;
    let twin = twin_db.app().await;
    assert_eq!(generate(&twin, 11).await, report);
    let ours = records(&app).await;
    assert!(ours == records(&twin).await, "the same seed gave another world");
    twin.close().await;
    twin_db.drop_db().await;
    // Another seed: other people.
    let other_db = TestDb::new(db.backend).await;
    let other = other_db.app().await;
    generate(&other, 12).await;
    assert_ne!(records(&other).await["tables"]["member"], ours["tables"]["member"]);
    other.close().await;
    other_db.drop_db().await;
    // A world refuses to be written over data.
    assert!(matches!(app.generate(Scale::Members(MEMBERS), 11, &|_, _, _| {}).await, Err(thidua_app::AppError::NotEmpty)));

    // Every member honoured for five years of HTXSNV in a row is eligible by the engine.
    let system = &Principal::system();
    let tables = &ours["tables"];
    let person_member = |person: i64| {
        tables["person"].as_array().expect("people").iter().find(|p| p["id"] == person).and_then(|p| p["member_id"].as_i64()).expect("member of person")
    };
    let roots: Vec<OrgId> = app.orgs_on(system, thidua_app::generate::WORLD_DAY).await.expect("orgs").iter().filter(|v| v.parent.is_none()).map(|v| v.org).collect();
    let mut honoured = 0;
    for year in 2022..=2025 {
        let awarded: BTreeSet<NomineeRef> = tables["award"]
            .as_array()
            .expect("awards")
            .iter()
            .filter(|a| a["title"] == "dv_htxsnv_5_nam" && a["year"] == year)
            .map(|a| NomineeRef::Member(MemberId(person_member(a["person_id"].as_i64().expect("person")))))
            .collect();
        let mut eligible = BTreeSet::new();
        for root in &roots {
            let found = app.eligible_in(system, *root, "dv_htxsnv_5_nam", year as i16).await.expect("eligible");
            eligible.extend(found.iter().filter(|e| e.eligibility.verdict == Verdict::Eligible).map(|e| e.nominee));
        }
        assert!(awarded.is_subset(&eligible), "{year}: honoured {awarded:?}, eligible {eligible:?}");
        honoured += awarded.len();
    }
    assert!(honoured > 0, "nobody was honoured for five years in a row");

    // Members sit in cells that are live on the world's day; the log verifies.
    let live: BTreeSet<i64> = app.orgs_on(system, thidua_app::generate::WORLD_DAY).await.expect("orgs").iter().filter(|v| v.kind == OrgKind::Cell).map(|v| v.org.0).collect();
    for m in tables["member"].as_array().expect("members") {
        assert!(live.contains(&m["org_id"].as_i64().expect("org")), "{m}");
    }
    assert!(matches!(app.verify_audit().await.expect("verify"), thidua_app::audit::AuditCheck::Intact { .. }));
    app.close().await;
}

/// Lists read the whole scope, not its first few thousand: the badge candidates of a
/// presentation day are exactly those the rule finds member by member, and the member download
/// holds every member (both stopped at 5,000 once, in name order).
async fn whole_scope(db: TestDb) {
    const MANY: u64 = 6_000;
    let app = db.app().await;
    app.generate(Scale::Members(MANY), 5, &|_, _, _| {}).await.expect("generate");
    let system = &Principal::system();
    let day = app.presentation_days(thidua_app::generate::WORLD_DAY).expect("days")[0];
    // A badge already given and an interruption change who is due: both are read per member.
    let first = app.badge_candidates(system, day).await.expect("candidates");
    let (given, _) = &first[0];
    let (paused, _) = &first[1];
    app.award_badge(system, given.id, first[0].1.milestone, day, None).await.expect("badge");
    let gap_from = paused.admitted_on.checked_add(jiff::Span::new().years(2)).expect("day");
    app.add_member_gap(system, paused.id, &Gap { kind: GapKind::LostContact, from: gap_from, to: gap_from.checked_add(jiff::Span::new().years(3)).ok(), note: None }).await.expect("gap");
    // Members who reach 30 years within a year after the day are due early only if seriously ill:
    // a few become so, on either side of that year's end.
    let thirty = day.checked_sub(jiff::Span::new().years(30)).expect("day");
    let edge = |m: &&thidua_app::members::MemberSummary| m.admitted_on > thirty && m.admitted_on <= thirty.checked_add(jiff::Span::new().months(13)).expect("day");
    let mut ill = 0;
    for m in app.export_members(system, None).await.expect("members").iter().filter(edge).take(8) {
        let row = app.member(system, m.id).await.expect("member").row;
        app.update_member(system, m.id, &thidua_core::member::MemberRecord { seriously_ill: true, ..row.record }, row.version).await.expect("ill");
        ill += 1;
    }
    assert!(ill > 3, "{ill} members near thirty years");

    let tables = records(&app).await["tables"].take();
    let rows = |table: &str| tables[table].as_array().expect(table).clone();
    let date = |v: &Value| v.as_str().map(|d| d.parse::<jiff::civil::Date>().expect("date"));
    let book = thidua_core::rulebook::Rulebook::shipped().expect("rules");
    let rules = book.membership_on(day).expect("rules");
    let mut expected = BTreeSet::new();
    let (gap_rows, badge_rows) = (rows("member_gap"), rows("badge_award"));
    for m in rows("member") {
        let id = m["id"].as_i64().expect("id");
        let gaps: Vec<Gap> = gap_rows
            .iter()
            .filter(|g| g["member_id"] == id)
            .map(|g| Gap { kind: GapKind::from_code(g["kind"].as_str().expect("kind")).expect("kind"), from: date(&g["from_on"]).expect("from"), to: date(&g["to_on"]), note: None })
            .collect();
        let awarded: Vec<u16> = badge_rows.iter().filter(|b| b["member_id"] == id).map(|b| b["milestone"].as_u64().expect("milestone") as u16).collect();
        let facts = BadgeFacts {
            admitted_on: date(&m["admitted_on"]).expect("admitted"),
            official_on: date(&m["official_on"]),
            gaps: &gaps,
            awarded: &awarded,
            seriously_ill: m["seriously_ill"].as_i64() == Some(1),
        };
        if let Some(due) = due_on(rules, &facts, day) {
            expected.insert((id, due.milestone, due.early));
        }
    }
    let found: BTreeSet<(i64, u16, bool)> = app.badge_candidates(system, day).await.expect("candidates").iter().map(|(m, d)| (m.id.0, d.milestone, d.early)).collect();
    // The world holds the badges given by its day: those reached since the last presentation
    // day, and a few held back, are due (not the thousands with 30 years or more).
    assert!(badge_rows.len() > 1_000, "{} badges", badge_rows.len());
    assert!(found.len() > 50 && found.len() < 500, "{} candidates", found.len());
    assert!(found.iter().any(|(_, _, early)| *early), "an early award among them");
    assert_eq!(found, expected);
    assert!(!found.iter().any(|(id, milestone, _)| *id == given.id.0 && *milestone == first[0].1.milestone));

    // The registry and the transfers in pages add up to the whole lists, in their order.
    let registry: Vec<i64> = app.registry(system, &RegistryFilter::default()).await.expect("registry").iter().map(|l| l.award.id).collect();
    let mut paged = Vec::new();
    loop {
        let page = app.registry_page(system, &RegistryFilter::default(), Some((97, paged.len() as i64))).await.expect("page");
        if page.is_empty() {
            break;
        }
        paged.extend(page.iter().map(|l| l.award.id));
    }
    assert!(registry.len() > 300, "{} awards", registry.len());
    assert_eq!(paged, registry);
    let decisions: Vec<i64> = app.decisions(system, None).await.expect("decisions").iter().map(|(d, _)| d.id).collect();
    let mut paged = Vec::new();
    loop {
        let page = app.decisions(system, Some((4, paged.len() as i64))).await.expect("page");
        if page.is_empty() {
            break;
        }
        paged.extend(page.iter().map(|(d, _)| d.id));
    }
    assert!(decisions.len() > 13, "{} decisions", decisions.len());
    assert_eq!(paged, decisions);
    let transfers = app.transfers(system).await.expect("transfers");
    // Transfers from before the rulebook's first membership rules are listed, with no deadline
    // and none called missed.
    let unruled: Vec<_> = transfers.iter().filter(|v| v.deadlines.is_none()).collect();
    assert!(!unruled.is_empty() && unruled.len() < transfers.len(), "{} of {}", unruled.len(), transfers.len());
    assert!(unruled.iter().all(|v| v.overdue_since.is_none() && v.row.introduced_on < jiff::civil::date(2021, 7, 1)));
    let open: Vec<i64> = app.transfers_where(system, Some(true), None).await.expect("open").iter().map(|v| v.row.id).collect();
    let mut closed = Vec::new();
    loop {
        let page = app.transfers_where(system, Some(false), Some((50, closed.len() as i64))).await.expect("page");
        if page.is_empty() {
            break;
        }
        closed.extend(page.iter().map(|v| v.row.id));
    }
    let (open_all, closed_all): (Vec<_>, Vec<_>) = transfers.iter().partition(|v| v.row.state.is_open());
    assert!(closed.len() > 100, "{} closed transfers", closed.len());
    assert_eq!((open, closed), (open_all.iter().map(|v| v.row.id).collect(), closed_all.iter().map(|v| v.row.id).collect()));
    let dashboard = app.transfer_dashboard(system).await.expect("dashboard");
    assert_eq!(dashboard.by_state.iter().map(|(_, n)| n).sum::<usize>(), transfers.len());
    assert_eq!(dashboard.open, open_all.len());
    assert_eq!(dashboard.overdue, open_all.iter().filter(|v| v.overdue_since.is_some()).count());

    let download = app.export_members(system, None).await.expect("download");
    assert_eq!(download.len() as u64, MANY);
    assert_eq!(download.iter().map(|m| m.id).collect::<BTreeSet<_>>().len() as u64, MANY);
    app.close().await;
}
