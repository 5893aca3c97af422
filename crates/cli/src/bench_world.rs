//! The synthetic province the benchmarks measure: one committee over one upper committee, its
//! grassroots organizations of ten cells each, and members spread evenly over the cells.
// Each benchmark binary compiles this module and uses part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use jiff::civil::{date, Date};
use thidua_app::auth::Principal;
use thidua_app::App;
use thidua_core::member::{Gender, MemberId, MemberRecord};
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec};
use thidua_store::Store;

pub const CELLS_PER_ORG: usize = 10;

/// The size of the province, as every benchmark takes it on its command line.
#[derive(clap::Args)]
pub struct Size {
    /// The database (a fresh SQLite file when absent); it must hold no organization yet.
    #[arg(long)]
    pub db: Option<String>,
    #[arg(long, default_value_t = 400_000)]
    pub members: usize,
    /// Grassroots party organizations (đảng bộ cơ sở), ten cells each.
    #[arg(long, default_value_t = 40)]
    pub orgs: usize,
}

pub struct World {
    pub root: OrgId,
    /// Each grassroots organization with its cells.
    pub grassroots: Vec<(OrgId, Vec<OrgId>)>,
    /// Each member with its index (what the generated results derive from) and its cell.
    pub members: Vec<(MemberId, usize, OrgId)>,
    pub members_loaded: Duration,
}

/// Refuses a database that already holds organizations: the figures are for a known world.
pub async fn build(app: &App, store: &Store, founded: Date, orgs: usize, members: usize) -> Result<World, Box<dyn std::error::Error>> {
    if store.org_event_count().await? > 0 {
        return Err("the database already holds organizations: give an empty one".into());
    }
    let system = Principal::system();
    let create = |kind: OrgKind, name: String, parent: Option<OrgId>| OrgChange::Create(NewOrg { org: (), spec: OrgSpec { kind, name, short_name: None, parent } });
    let record = async |kind, name, parent| -> Result<OrgId, Box<dyn std::error::Error>> { Ok(app.record_org_event(&system, founded, create(kind, name, parent), None).await?.change.created()[0].org) };
    let root = record(OrgKind::ProvincialCommittee, "Tỉnh ủy Đo lường".into(), None).await?;
    let upper = record(OrgKind::UpperGrassrootsCommittee, "Đảng ủy Khối Đo lường".into(), Some(root)).await?;
    let mut grassroots = Vec::new();
    let mut cells = Vec::new();
    for g in 0..orgs {
        let org = record(OrgKind::GrassrootsCommittee, format!("Đảng bộ cơ sở số {}", g + 1), Some(upper)).await?;
        let mut mine = Vec::new();
        for c in 0..CELLS_PER_ORG {
            mine.push(record(OrgKind::Cell, format!("Chi bộ {} – Đảng bộ cơ sở số {}", c + 1, g + 1), Some(org)).await?);
        }
        cells.extend(mine.iter().copied());
        grassroots.push((org, mine));
    }

    // 10,000 members per transaction, admitted years before the first result.
    let admitted = founded.saturating_sub(jiff::Span::new().years(5));
    let started = Instant::now();
    let mut out = Vec::with_capacity(members);
    let mut done = 0;
    while done < members {
        let mut tx = store.begin().await?;
        let batch = (members - done).min(10_000);
        for i in done..done + batch {
            let cell = cells[i % cells.len()];
            let record = MemberRecord {
                full_name: format!("Đảng viên {i:06}"),
                birth_date: date(1975 + (i % 25) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8),
                gender: if i % 2 == 0 { Gender::Male } else { Gender::Female },
                cccd: None,
                party_card: None,
                admitted_on: admitted,
                official_on: Some(admitted.saturating_add(jiff::Span::new().years(1))),
                org: cell,
                phone: None,
                email: None,
                address: None,
                seriously_ill: false,
            };
            out.push((tx.create_member(&record, 0).await?, i, cell));
        }
        tx.commit().await?;
        done += batch;
        eprint!("\r{done}/{members} members");
    }
    eprintln!();
    Ok(World { root, grassroots, members: out, members_loaded: started.elapsed() })
}

/// "12.3 s (4567 rows/s)".
pub fn rate(n: usize, d: Duration) -> String {
    format!("{:.1} s ({:.0} rows/s)", d.as_secs_f64(), n as f64 / d.as_secs_f64().max(1e-9))
}
