//! `thidua gen`: the synthetic world is the same for the same seed, and it holds together: the
//! engine finds those the generator honoured, the audit log verifies, members sit in live cells.

use std::collections::BTreeSet;

use serde_json::Value;
use thidua_app::auth::Principal;
use thidua_app::commendation::NomineeRef;
use thidua_app::generate::{Scale, WorldReport};
use thidua_app::App;
use thidua_core::commendation::Verdict;
use thidua_core::member::MemberId;
use thidua_core::org::{OrgId, OrgKind};

use crate::support::{StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[("a_generated_world_is_deterministic_and_consistent", |db| Box::pin(deterministic(db)))];

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
