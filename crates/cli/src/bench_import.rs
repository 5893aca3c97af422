//! Import benchmark: writes a members spreadsheet and an evaluation-results CSV for a synthetic
//! province, imports both through the application (every row checked, one transaction each), and
//! times `sqlite3`'s own `.import` of the same CSV into a bare table: the raw-speed ceiling.
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
    app.close().await;
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
