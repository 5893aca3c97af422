//! Eligibility benchmark: generates party members with ten years of evaluation results, then lists
//! everyone HTXSNV five years running through the application's bulk mode, and beside it through a
//! hand-written SQL queries on the same database (a count of the years at the level, and the
//! engine's whole rule), and checks all three give the same members.
//!
//!     cargo run --release --features bench --bin thidua-bench-eligibility -- [--db URL] [--members 400000] [--orgs 40] [--years 10]
//!
//! The database must be empty (a fresh SQLite file is made when `--db` is absent).

mod bench_world;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bench_world::{rate, World};
use clap::Parser;
use jiff::civil::date;
use sqlx::Row;
use thidua_app::auth::Principal;
use thidua_app::commendation::NomineeRef;
use thidua_app::App;
use thidua_core::evaluation::{Level, SubjectKind};
use thidua_store::{NewSubject, Store};

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    size: bench_world::Size,
    /// Years of results, ending with 2025.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i16).range(5..=30))]
    years: i16,
}

const LAST_YEAR: i16 = 2025;
const STREAK: i16 = 5;

/// A member's level in a year, deterministic: one in five members does well most years.
fn level(i: usize, year: i16) -> Level {
    let h = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(u64::from(year.unsigned_abs()) * 40_503) % 100;
    match (i.is_multiple_of(5), h) {
        (true, h) if h < 88 => Level::Htxsnv,
        (true, _) => Level::Httnv,
        (false, h) if h < 8 => Level::Htxsnv,
        (false, h) if h < 92 => Level::Httnv,
        _ => Level::Htnv,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let work = std::env::temp_dir().join(format!("thidua_bench_elig_{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = args.size.db.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("bench.db").display()));
    let app = App::open(&url).await?;
    let store = Store::open(&url).await?;
    let system = Principal::system();
    let World { root, grassroots, members, members_loaded: loaded_members, .. } = bench_world::build(&app, &store, date(2010, 1, 1), args.size.orgs, args.size.members).await?;

    // Ten years of concluded results, one round per grassroots organization and year.
    let started = Instant::now();
    let first_year = LAST_YEAR - args.years + 1;
    let mut rows = 0usize;
    for year in first_year..=LAST_YEAR {
        for (org, mine) in &grassroots {
            let mut tx = store.begin().await?;
            let round = tx.create_eval_round(*org, year, "bench", "bench").await?.ok_or("round exists")?;
            let subjects: Vec<(i64, NewSubject, Level)> = members
                .iter()
                .filter(|(_, _, c)| mine.contains(c))
                .map(|(m, i, c)| (round, NewSubject { kind: SubjectKind::Member, member: Some(*m), org: None, cell: *c }, level(*i, year)))
                .collect();
            tx.add_concluded(&subjects, "bench", date(year + 1, 1, 15)).await?;
            tx.set_round_concluded(round, 1, true, "bench", date(year + 1, 1, 15)).await?;
            tx.commit().await?;
            rows += subjects.len();
        }
        eprint!("\r{year}: {rows} results");
    }
    eprintln!();
    let loaded_results = started.elapsed();
    println!("backend: {}", store.backend().name());
    println!("members: {} loaded in {}", args.size.members, rate(args.size.members, loaded_members));
    println!("evaluation results: {rows} ({} years) loaded in {}", args.years, rate(rows, loaded_results));

    // Statistics and the visibility map as autovacuum would have them a minute after such a load.
    store.refresh_statistics().await?;
    // Each side runs twice and keeps its better time: whichever ran first would otherwise pay
    // for reading the database into the page cache.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await?;
    let window_rows = args.size.members * usize::from(STREAK.unsigned_abs());
    let (mut engine, mut hand, mut hand_rule) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let (mut by_engine, mut by_sql, mut by_rule) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for _ in 0..2 {
        // The application's bulk mode, over the whole province.
        let t = Instant::now();
        let found = app.eligible_in(&system, root, "dv_htxsnv_5_nam", LAST_YEAR).await?;
        engine = engine.min(t.elapsed());
        by_engine = found
            .iter()
            .filter_map(|e| match e.nominee {
                NomineeRef::Member(m) => Some(m.0),
                _ => None,
            })
            .collect();
        // The same set by hand-written SQL on the same database: a count of the years at the
        // level, which overlooks a second, lower result in one of them (none are generated here).
        let sql = "SELECT e.member_id FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
                   WHERE e.kind = 'member' AND e.concluded_level = 'htxsnv' AND r.year BETWEEN $1 AND $2 \
                   GROUP BY e.member_id HAVING COUNT(DISTINCT r.year) = $3";
        let t = Instant::now();
        by_sql = members_of(sql, &pool).await?;
        hand = hand.min(t.elapsed());
        // The rule the engine applies, by hand: every result of the window counted, none of
        // another level.
        let rule = "SELECT e.member_id FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
                    WHERE e.kind = 'member' AND r.year BETWEEN $1 AND $2 GROUP BY e.member_id \
                    HAVING COUNT(DISTINCT CASE WHEN e.concluded_level = 'htxsnv' THEN r.year END) = $3 \
                    AND MIN(CASE WHEN e.concluded_level IS NULL OR e.concluded_level = 'htxsnv' THEN 1 ELSE 0 END) = 1";
        let t = Instant::now();
        by_rule = members_of(rule, &pool).await?;
        hand_rule = hand_rule.min(t.elapsed());
    }
    println!(
        "engine (bulk): {} members HTXSNV {STREAK} years running in {:.2} s ({:.0} evaluation rows/s over {window_rows} rows; best of two)",
        by_engine.len(),
        engine.as_secs_f64(),
        window_rows as f64 / engine.as_secs_f64()
    );
    println!("hand-written SQL, years at the level: {} members in {:.2} s ({:.0} evaluation rows/s; best of two)", by_sql.len(), hand.as_secs_f64(), window_rows as f64 / hand.as_secs_f64());
    println!("hand-written SQL, the same rule: {} members in {:.2} s ({:.0} evaluation rows/s; best of two)", by_rule.len(), hand_rule.as_secs_f64(), window_rows as f64 / hand_rule.as_secs_f64());
    pool.close().await;
    let _ = std::fs::remove_dir_all(&work);
    if by_engine == by_sql && by_engine == by_rule {
        println!(
            "the three sets are equal ({} members); the engine took {:.1}× the count's time and {:.1}× the same rule's",
            by_sql.len(),
            engine.as_secs_f64() / hand.as_secs_f64().max(1e-9),
            engine.as_secs_f64() / hand_rule.as_secs_f64().max(1e-9)
        );
        Ok(())
    } else {
        Err(format!("the sets differ: {} by the engine, {} by the count, {} by the rule, {} in common", by_engine.len(), by_sql.len(), by_rule.len(), by_engine.intersection(&by_sql).count()).into())
    }
}

/// The members a hand-written query over the streak's window returns.
async fn members_of(sql: &'static str, pool: &sqlx::AnyPool) -> Result<BTreeSet<i64>, sqlx::Error> {
    sqlx::query(sql)
        .bind(i64::from(LAST_YEAR - STREAK + 1))
        .bind(i64::from(LAST_YEAR))
        .bind(i64::from(STREAK))
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect()
}
