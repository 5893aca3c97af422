//! Import benchmark: writes a members spreadsheet and an evaluation-results CSV for a synthetic
//! province, imports both through the application (every row checked, one transaction each), and
//! times `sqlite3`'s own `.import` of the same CSV into a bare table (the raw-speed ceiling) and
//! `sqlite3` writing the same results into the same table by hand, with no checks; of that, the
//! insert of the rows already placed is timed alone, the floor of any import into that table.
//!
//!     cargo run --release --features bench --bin thidua-bench-import -- [--db URL] [--members 400000] [--orgs 40] [--years 10]
//!
//! The database must be empty (a fresh SQLite file is made when `--db` is absent); `sqlite3` must
//! be on the PATH for the ceiling.

mod bench_world;

use std::io::Write;
use std::time::Instant;

use bench_world::{rate, CELLS_PER_ORG};
use clap::Parser;
use jiff::civil::date;
use thidua_app::auth::Principal;
use thidua_app::import::{ImportKind, Phase};
use thidua_app::App;
use thidua_office::{Cell, Sheet};
use thidua_store::Store;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    size: bench_world::Size,
    /// Years of results per member, ending with 2025.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i16).range(1..=30))]
    years: i16,
}

const LEVELS: [&str; 4] = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"];

/// Member `i`'s birth year: 1960–1984, so every member is of age at admission in 2005.
fn birth_year(i: usize) -> i16 {
    1960 + (i % 25) as i16
}

/// Member `i`'s CCCD: Hồ Chí Minh City, born in the 1900s, unique by `i`.
fn cccd(i: usize) -> String {
    let (gender, yy) = (i % 2, birth_year(i) % 100);
    format!("079{gender}{yy:02}{:06}", i % 1_000_000)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.size.members > 1_000_000 {
        return Err("at most 1,000,000 members (CCCDs are made unique within a million)".into());
    }
    let work = std::env::temp_dir().join(format!("thidua_bench_import_{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = args.size.db.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("bench.db").display()));
    let app = App::open(&url).await?;
    let store = Store::open(&url).await?;
    let world = bench_world::build(&app, &store, date(2005, 1, 1), args.size.orgs, 0).await?;
    let cells: Vec<String> = (0..args.size.orgs).flat_map(|g| (0..CELLS_PER_ORG).map(move |c| format!("Chi bộ {} – Đảng bộ cơ sở số {}", c + 1, g + 1))).collect();
    drop(world);

    // The members spreadsheet.
    let t = Instant::now();
    let headers = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Ngày vào Đảng", "Ngày chính thức", "Tổ chức đảng"];
    let rows: Vec<Vec<Cell>> = (0..args.size.members)
        .map(|i| {
            let (birth, month, day) = (birth_year(i), 1 + (i % 12) as i8, 1 + (i % 28) as i8);
            vec![
                Cell::Text(format!("Đảng viên {i:06}")),
                Cell::Date(birth, month, day),
                Cell::Text(if i % 2 == 0 { "Nam" } else { "Nữ" }.into()),
                Cell::Text(cccd(i)),
                Cell::Date(2005, 5, 19),
                Cell::Date(2006, 5, 19),
                Cell::Text(cells[i % cells.len()].clone()),
            ]
        })
        .collect();
    let sheet = Sheet { name: "Dữ liệu".into(), title: None, headers: headers.iter().map(|h| (*h).into()).collect(), widths: vec![], rows };
    let xlsx = thidua_office::xlsx(&[sheet])?;
    eprintln!("members spreadsheet: {} rows, {:.1} MB, written in {:.1} s", args.size.members, xlsx.len() as f64 / 1e6, t.elapsed().as_secs_f64());

    let system = Principal::system();
    let show = |phase: Phase, done: u32| match phase {
        Phase::Checking => eprint!("\rchecking {done}          "),
        Phase::Writing { total } => eprint!("\rwriting {done}/{total}          "),
    };
    let t = Instant::now();
    let report = app.import(&system, ImportKind::Members, &xlsx, false, &show).await?;
    let members_time = t.elapsed();
    eprintln!();
    if !report.problems.is_empty() || report.created as usize != args.size.members {
        return Err(format!("members import: {} created, {} problems (first: {:?})", report.created, report.problems.len(), report.problems.first()).into());
    }
    println!("backend: {}", store.backend().name());
    println!("members xlsx ({:.1} MB): {} imported in {}", xlsx.len() as f64 / 1e6, args.size.members, rate(args.size.members, members_time));

    // A copy of the database as it stands now, for sqlite3 to write the same results by hand.
    let by_hand = work.join("by_hand.db");
    let copied = store.backend() == thidua_store::Backend::Sqlite
        && std::process::Command::new("sqlite3").arg(work.join("bench.db")).arg(format!("VACUUM INTO '{}'", by_hand.display())).status().is_ok_and(|s| s.success());

    // The evaluation results CSV: every member, every year.
    let csv_path = work.join("ket-qua-xep-loai.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&csv_path)?);
        writeln!(out, "Số CCCD,Năm,Xếp loại")?;
        for i in 0..args.size.members {
            let id = cccd(i);
            for year in (2026 - args.years)..2026 {
                let level = LEVELS[(i + year as usize) % 7 % 4];
                writeln!(out, "{id},{year},{level}")?;
            }
        }
    }
    let bytes = std::fs::read(&csv_path)?;
    let results = args.size.members * args.years as usize;
    let t = Instant::now();
    let report = app.import(&system, ImportKind::Evaluations, &bytes, false, &show).await?;
    let results_time = t.elapsed();
    eprintln!();
    if !report.problems.is_empty() || report.created as usize != results {
        return Err(format!("results import: {} created, {} problems (first: {:?})", report.created, report.problems.len(), report.problems.first()).into());
    }
    println!("evaluation CSV ({:.1} MB): {results} results imported in {}", bytes.len() as f64 / 1e6, rate(results, results_time));
    // Again: every row checked, nothing to write.
    let t = Instant::now();
    let again = app.import(&system, ImportKind::Evaluations, &bytes, false, &show).await?;
    eprintln!();
    println!("the same CSV again: {} unchanged in {}", again.unchanged, rate(results, t.elapsed()));

    // The ceiling: sqlite3 reading the same CSV into a bare table.
    let bare = work.join("bare.db");
    let t = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&bare)
        .arg("CREATE TABLE ket_qua (cccd TEXT, nam INTEGER, xep_loai TEXT);")
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} ket_qua", csv_path.display()))
        .status();
    let ceiling = t.elapsed();
    match status {
        Ok(s) if s.success() => {
            println!("sqlite3 .import of the same CSV into a bare table: {}", rate(results, ceiling));
            println!("the import runs at {:.0}% of sqlite3's raw speed", 100.0 * ceiling.as_secs_f64() / results_time.as_secs_f64());
        }
        _ => println!("sqlite3 was not found or failed: install it (apt-get install sqlite3) for the ceiling"),
    }
    if copied {
        // The same rows into the same table by hand: sqlite3 reads the CSV, finds each member by
        // CCCD and the round of their grassroots organization, and writes the results (no check,
        // no change log) into a copy of the database made before the import, on the same settings.
        // Dot commands must start their line.
        let script = [
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;".to_owned(),
            "CREATE TEMP TABLE ket_qua (cccd TEXT, nam INTEGER, xep_loai TEXT);".to_owned(),
            ".mode csv".to_owned(),
            format!(".import --skip 1 {} ket_qua", csv_path.display()),
            "BEGIN;".to_owned(),
            "CREATE TEMP TABLE placed AS SELECT m.id AS member_id, m.org_id AS cell_id, v.parent_id AS grassroots, k.nam AS year, k.xep_loai AS level \
             FROM ket_qua k JOIN member m ON m.cccd = k.cccd JOIN org_version v ON v.org_id = m.org_id AND v.valid_to IS NULL;"
                .to_owned(),
            "INSERT INTO evaluation_round (org_id, year, rules_source, concluded, concluded_by, concluded_on, created_by, version) \
             SELECT DISTINCT grassroots, year, '', 1, 'sqlite3', '2026-01-01', 'sqlite3', 1 FROM placed;"
                .to_owned(),
            // The rows placed and sorted first, so that the insert alone can be timed: the cost of
            // the results table itself, below which no import into it can go.
            "CREATE TEMP TABLE ready AS SELECT r.id AS round_id, p.member_id, p.cell_id, p.level FROM placed p \
             JOIN evaluation_round r ON r.org_id = p.grassroots AND r.year = p.year ORDER BY p.year, p.member_id;"
                .to_owned(),
            ".timer on".to_owned(),
            "INSERT INTO evaluation (round_id, kind, member_id, org_id, cell_id, assessment, concluded_level, concluded_by, concluded_on, version) \
             SELECT round_id, 'member', member_id, NULL, cell_id, '{}', level, 'sqlite3', '2026-01-01', 1 FROM ready ORDER BY rowid;"
                .to_owned(),
            "COMMIT;".to_owned(),
            ".timer off".to_owned(),
            ".mode list".to_owned(),
            "SELECT count(*) FROM evaluation;".to_owned(),
        ]
        .join("\n");
        let t = Instant::now();
        let out = std::process::Command::new("sqlite3").arg(&by_hand).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().and_then(|mut child| {
            child.stdin.take().map(|mut i| i.write_all(script.as_bytes())).transpose()?;
            child.wait_with_output()
        });
        let by_hand_time = t.elapsed();
        match out {
            Ok(o) if o.status.success() && String::from_utf8_lossy(&o.stdout).lines().last() == Some(results.to_string().as_str()) => {
                println!("sqlite3 writing the same results into the same table by hand: {}", rate(results, by_hand_time));
                println!("the import runs at {:.0}% of that", 100.0 * by_hand_time.as_secs_f64() / results_time.as_secs_f64());
                // `.timer on` prints "Run Time: real S user S sys S" after the insert and the commit.
                let insert: f64 = String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter_map(|l| l.strip_prefix("Run Time: real ")?.split_whitespace().next()?.parse::<f64>().ok())
                    .sum();
                if insert > 0.0 {
                    println!(
                        "of which sqlite3's insert of the placed rows and its commit: {} ({:.0}% of .import's speed: the floor of any import into this table on these settings)",
                        rate(results, std::time::Duration::from_secs_f64(insert)),
                        100.0 * ceiling.as_secs_f64() / insert
                    );
                }
            }
            Ok(o) => println!("sqlite3 by hand did not write every result: {}", String::from_utf8_lossy(&o.stdout)),
            Err(e) => println!("sqlite3 by hand failed: {e}"),
        }
    }
    app.close().await;
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
