//! Evaluation benchmark: generates party members in grassroots organizations, then runs each year's
//! rounds through the application as officers would (open, save the whole organization's
//! self-assessments, conclude within the quota) and finally computes every streak.
//!
//!     cargo run --release --features bench --bin thidua-bench-evaluation -- [--db URL] [--members 400000] [--orgs 40] [--years 5]
//!
//! The database must be empty (a fresh SQLite file is made when `--db` is absent).

mod bench_world;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bench_world::{rate, CELLS_PER_ORG};
use clap::Parser;
use jiff::civil::date;
use thidua_app::auth::Principal;
use thidua_app::evaluation::AssessmentInput;
use thidua_app::App;
use thidua_core::evaluation::{Assessment, EvaluationRules, Level, SubjectKind, Tasks};
use thidua_core::member::MemberId;
use thidua_core::org::OrgId;
use thidua_store::Store;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    size: bench_world::Size,
    /// Years evaluated, ending with 2025 (five give "5 năm liền").
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i16).range(1..=8))]
    years: i16,
}

const LAST_YEAR: i16 = 2025;

/// The level member `i` earns every year: one in ten excellent, one in ten merely completing.
fn level_of(i: usize) -> Level {
    match i % 10 {
        0 => Level::Htxsnv,
        9 => Level::Htnv,
        _ => Level::Httnv,
    }
}

/// An assessment on `rules`' form of `kind` that gives `level`.
fn assessment(rules: &EvaluationRules, kind: SubjectKind, level: Level) -> Assessment {
    let tasks = match level {
        Level::Htxsnv => Tasks { total: 10, on_time: 10, exceeding: 3, late: 0 },
        Level::Httnv => Tasks { total: 10, on_time: 10, exceeding: 1, late: 0 },
        _ => Tasks { total: 10, on_time: 9, exceeding: 0, late: 1 },
    };
    let form = rules.form(kind);
    let mut a = Assessment { tasks, ..Assessment::default() };
    if rules.scored {
        let mut left: u32 = match level {
            Level::Htxsnv => 95,
            Level::Httnv => 80,
            Level::Htnv => 60,
            Level::Khtnv => 30,
        };
        for c in form {
            let v = left.min(c.max_points.unwrap_or(0));
            a.scores.insert(c.code.clone(), v);
            left -= v;
        }
    } else {
        let unmet = usize::from(level < Level::Httnv);
        a.met = form.iter().enumerate().map(|(i, c)| (c.code.clone(), i >= unmet)).collect();
    }
    a
}


#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let work = std::env::temp_dir().join(format!("thidua_bench_eval_{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = args.size.db.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("bench.db").display()));
    let app = App::open(&url).await?;
    let store = Store::open(&url).await?;
    let system = Principal::system();
    let world = bench_world::build(&app, &store, date(2015, 1, 1), args.size.orgs, args.size.members).await?;
    let grassroots: Vec<OrgId> = world.grassroots.iter().map(|(g, _)| *g).collect();
    let index_of: BTreeMap<MemberId, usize> = world.members.iter().map(|(m, i, _)| (*m, *i)).collect();
    println!("backend: {}", store.backend().name());
    println!("members: {} in {} grassroots organizations of {CELLS_PER_ORG} cells, loaded in {}", args.size.members, args.size.orgs, rate(args.size.members, world.members_loaded));

    let rulebook = thidua_core::rulebook::Rulebook::shipped()?;
    let first_year = LAST_YEAR - args.years + 1;
    let mut last_rounds = Vec::new();
    for year in first_year..=LAST_YEAR {
        let rules = rulebook.evaluation_for(year)?;
        let (mut open, mut read, mut assess, mut conclude) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut subjects = 0;
        for org in &grassroots {
            let t = Instant::now();
            let round = app.open_eval_round(&system, *org, year).await?;
            open += t.elapsed();
            let t = Instant::now();
            let view = app.eval_round_view(&system, round.id).await?;
            read += t.elapsed();
            subjects += view.subjects.len();
            let inputs: Vec<AssessmentInput> = view
                .subjects
                .iter()
                .map(|s| {
                    let level = s.row.member.and_then(|m| index_of.get(&m)).map_or(Level::Httnv, |i| level_of(*i));
                    AssessmentInput { subject: s.row.id, version: s.row.version, assessment: assessment(rules, s.row.kind, level), self_level: Some(level) }
                })
                .collect();
            let t = Instant::now();
            app.save_steps(&system, round.id, &inputs, &[]).await?;
            assess += t.elapsed();
            let t = Instant::now();
            app.conclude_round(&system, round.id, &BTreeMap::new()).await?;
            conclude += t.elapsed();
            if year == LAST_YEAR {
                last_rounds.push(round.id);
            }
        }
        println!(
            "{year} ({}): {subjects} subjects; opened {}, read with proposals {}, self-assessments saved {}, concluded {}",
            rules.source.split(';').next().unwrap_or_default().trim(),
            rate(subjects, open),
            rate(subjects, read),
            rate(subjects, assess),
            rate(subjects, conclude)
        );
    }

    // Every streak of the last year: members' and organizations' (through predecessors).
    let t = Instant::now();
    let mut member_streaks = 0;
    let mut results_read = 0;
    for id in &last_rounds {
        let r = app.eval_results(&system, *id).await?;
        member_streaks += r.member_streaks.iter().filter(|(_, _, n)| i64::from(*n) == i64::from(args.years)).count();
        results_read += r.distribution.values().flat_map(|d| d.values()).map(|n| *n as usize).sum::<usize>() * usize::from(args.years.unsigned_abs());
    }
    let streaks = t.elapsed();
    println!("streaks: {member_streaks} members HTXSNV {} years running; computed in {}", args.years, rate(results_read, streaks));
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
