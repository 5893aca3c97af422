//! Crash harness: runs the server on a small generated world, has clients allocate outgoing
//! document numbers, save score sheets, enter paper ballots and import members over the API, and
//! kills the server with SIGKILL at a random moment, again and again. After each kill, with the
//! server down, it checks the database: integrity (SQLite's integrity and foreign key checks,
//! PostgreSQL's amcheck of every index), every acknowledged write
//! present, no import half-written, outgoing numbers without duplicate or gap, the search index
//! in step and the audit chain intact. Then it starts the server again.
//!
//!     cargo run --release --features bench --bin thidua-crash -- [--db URL] [--kills 200] [--seed 1]
//!
//! Without `--db` a fresh SQLite file is used; a PostgreSQL database must be empty. The `thidua`
//! binary is taken from beside this one (build both with `--bins`).

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use sqlx::any::AnyPoolOptions;
use sqlx::Row;
use thidua_app::audit::AuditCheck;
use thidua_app::auth::Principal;
use thidua_app::App;
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec};
use thidua_store::Store;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: Option<String>,
    /// How many times the server is killed.
    #[arg(long, default_value_t = 200)]
    kills: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Size of the generated world.
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// Longest time the clients write before a kill, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    max_run_ms: u64,
}

/// Rows in each imported file; each file's members share a CCCD prefix.
const IMPORT_ROWS: usize = 20;
/// Imported members' CCCDs: Hà Nội's code, a man born in 1961, then the file and row numbers.
/// The generated world uses other provinces' codes; the setup checks none starts so.
const CCCD_PREFIX: &str = "001061";

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// What the clients sent and what the server acknowledged, across every run.
#[derive(Default, Clone)]
struct Ledger {
    /// Acknowledged outgoing documents: id, number, summary.
    documents: Vec<(i64, i64, String)>,
    /// Per self sheet (round, unit): the version acknowledged, whether a save is in flight, and
    /// the version it had before the first run.
    sheets: HashMap<(i64, i64), Sheet>,
    ballots_sent: u64,
    ballots_acked: u64,
    /// Import files: number, acknowledged.
    imports: Vec<(u32, bool)>,
    /// Import files checked after an earlier kill.
    imports_checked: usize,
    /// Writes cut off by a kill before their answer: found saved, found absent.
    cut_landed: u64,
    cut_lost: u64,
    /// Requests answered with an error status (a client bug, not a crash): printed at the end.
    refused: Vec<String>,
}

impl Ledger {
    /// The acknowledged writes, counted.
    fn acknowledged(&self) -> String {
        format!(
            "{} outgoing documents, {} score sheet saves, {} paper ballots, {} member imports of {IMPORT_ROWS} rows",
            self.documents.len(),
            self.sheets.values().map(|s| s.version - s.initial).sum::<i64>(),
            self.ballots_acked,
            self.imports.iter().filter(|(_, a)| *a).count()
        )
    }
}

#[derive(Clone, Copy)]
struct Sheet {
    version: i64,
    in_flight: bool,
    initial: i64,
}

struct Setup {
    base: String,
    token: String,
    register: i64,
    /// Round, unit and the version its own sheet is at.
    sheets: Vec<(i64, i64, i64)>,
    poll: i64,
    cell_name: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let work = std::env::temp_dir().join(format!("thidua_crash_{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = args.db.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("crash.db").display()));
    let bin = std::env::current_exe()?.with_file_name("thidua");
    if !bin.exists() {
        return Err(format!("{} not found: build with `cargo build --release --features bench --bins`", bin.display()).into());
    }
    let started = Instant::now();

    // A small world with open scoring rounds, and an administrator with an API token.
    run(&bin, &["gen", "--db", &url, "--scale", &format!("{}-members", args.members), "--seed", "1"], None)?;
    run(&bin, &["user", "add", "--db", &url, "--username", "crash-admin", "--admin"], Some("crash-test-password-2026\n"))?;
    let token = run(&bin, &["token", "create", "--db", &url, "--user", "crash-admin"], None)?.lines().last().unwrap_or_default().trim().to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let app = App::open(&url).await?;
    let pool = AnyPoolOptions::new().max_connections(2).connect(&url).await?;
    let setup = targets(&app, &pool, base.clone(), token).await?;
    pool.close().await;
    app.close().await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;

    let sheets = setup.sheets.iter().map(|&(r, u, v)| ((r, u), Sheet { version: v, in_flight: false, initial: v })).collect();
    let ledger = Arc::new(Mutex::new(Ledger { sheets, ..Ledger::default() }));
    let mut rng = Rng(args.seed);
    let mut server = start(&bin, &url, port, &work).await?;
    // The paper poll is opened over the API once the server runs.
    let poll = open_poll(&http, &setup).await?;
    let setup = Arc::new(Setup { poll, ..setup });
    let mut checks = 0;
    for kill in 1..=args.kills {
        let mut clients = Vec::new();
        for i in 0..2 {
            clients.push(tokio::spawn(documents(http.clone(), setup.clone(), ledger.clone(), kill * 10 + i)));
        }
        for &(round, unit, _) in &setup.sheets {
            clients.push(tokio::spawn(scores(http.clone(), setup.clone(), ledger.clone(), (round, unit))));
        }
        clients.push(tokio::spawn(ballots(http.clone(), setup.clone(), ledger.clone())));
        clients.push(tokio::spawn(imports(http.clone(), setup.clone(), ledger.clone())));
        tokio::time::sleep(Duration::from_millis(20 + rng.below(args.max_run_ms))).await;
        server.start_kill()?;
        server.wait().await?;
        for c in &clients {
            c.abort();
        }
        for c in clients {
            let _ = c.await;
        }
        checks += verify(&url, &ledger).await.map_err(|e| format!("after kill {kill}: {e}"))?;
        if kill % 10 == 0 {
            eprintln!("{kill} kills: {} acknowledged so far", ledger.lock().map_err(|_| "ledger")?.acknowledged());
        }
        server = start(&bin, &url, port, &work).await?;
    }
    server.start_kill()?;
    server.wait().await?;

    let l = ledger.lock().map_err(|_| "ledger")?;
    println!("backend: {}", if url.starts_with("postgres") { "postgres" } else { "sqlite" });
    println!("kills survived: {} (SIGKILL at a random moment of up to {} ms of writing)", args.kills, args.max_run_ms);
    println!("acknowledged and found after the kills: {}", l.acknowledged());
    println!(
        "cut off by a kill before their answer (ballots, sheet saves, imports): {} found saved, {} found absent, none in part",
        l.cut_landed, l.cut_lost
    );
    println!("checks passed: {checks} (integrity, acknowledged writes, whole imports, numbers without gap or duplicate, index in step, audit chain)");
    println!("refused requests: {}", l.refused.len());
    for r in l.refused.iter().take(5) {
        println!("  {r}");
    }
    println!("time: {:.0} s", started.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&work);
    if l.refused.is_empty() { Ok(()) } else { Err("some requests were refused".into()) }
}

/// Runs `thidua` to completion; its standard output.
fn run(bin: &Path, args: &[&str], input: Option<&str>) -> Result<String, String> {
    use std::io::Write;
    let mut child = std::process::Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("thidua {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn start(bin: &Path, url: &str, port: u16, work: &Path) -> Result<tokio::process::Child, Box<dyn std::error::Error>> {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(work.join("server.log"))?;
    let child = tokio::process::Command::new(bin)
        .args(["serve", "--db", url, "--listen", &format!("127.0.0.1:{port}")])
        .env("THIDUA_LOG", "warn")
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()?;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(child);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("the server did not answer within 120 s; see {}", work.join("server.log").display()).into())
}

/// The register, the self sheets of one open round, a cluster for the poll and a cell to import into.
async fn targets(app: &App, pool: &sqlx::AnyPool, base: String, token: String) -> Result<Setup, Box<dyn std::error::Error>> {
    let register: i64 = sqlx::query("SELECT org_id FROM doc_register ORDER BY org_id LIMIT 1").fetch_one(pool).await?.try_get(0)?;
    let rows = sqlx::query(
        "SELECT s.id, m.org_id, COALESCE(h.version, 1) FROM scoring_round s JOIN cluster_member m ON m.cluster_id = s.cluster_id AND m.year = s.year \
         LEFT JOIN score_sheet h ON h.round_id = s.id AND h.target_org_id = m.org_id AND h.role = 'self' AND h.scorer_org_id = m.org_id \
         WHERE s.status = 'open' ORDER BY s.id, m.org_id LIMIT 3",
    )
    .fetch_all(pool)
    .await?;
    let sheets = rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()?;
    if sheets.is_empty() {
        return Err("the generated world has no open scoring round".into());
    }
    // Imports name their cell; generated names repeat ("Chi bộ 1"), so the harness adds its own.
    let parent: i64 = sqlx::query("SELECT org_id FROM org_version WHERE kind = 'grassroots_committee' AND valid_to IS NULL ORDER BY org_id LIMIT 1").fetch_one(pool).await?.try_get(0)?;
    let cell_name = "Chi bộ Kiểm tra sập nguồn".to_owned();
    let spec = OrgSpec { kind: OrgKind::Cell, name: cell_name.clone(), short_name: None, parent: Some(OrgId(parent)) };
    app.record_org_event(&Principal::system(), jiff::civil::date(2020, 1, 1), OrgChange::Create(NewOrg { org: (), spec }), None).await?;
    let taken: i64 = sqlx::query("SELECT count(*) FROM member WHERE cccd LIKE $1").bind(format!("{CCCD_PREFIX}%")).fetch_one(pool).await?.try_get(0)?;
    if taken > 0 {
        return Err(format!("the world already has members with CCCDs starting {CCCD_PREFIX}").into());
    }
    Ok(Setup { base, token, register, sheets, poll: 0, cell_name })
}

/// A paper poll on the first sheet's cluster, open for ballots.
async fn open_poll(http: &reqwest::Client, s: &Setup) -> Result<i64, Box<dyn std::error::Error>> {
    let round = s.sheets[0].0;
    let units: Vec<i64> = s.sheets.iter().filter(|(r, ..)| *r == round).map(|(_, u, _)| *u).take(2).collect();
    let r: Value = http.get(format!("{}/api/v1/rounds/{round}", s.base)).bearer_auth(&s.token).send().await?.json().await?;
    let cluster = r["cluster_id"].as_i64().ok_or_else(|| format!("round {round}: {r}"))?;
    let options: Vec<Value> = units.iter().map(|u| json!({"label": format!("Đơn vị {u}"), "org_id": u})).collect();
    let body = json!({"title": "Suy tôn Cờ thi đua (thử sập nguồn)", "question": "choose_one", "mode": "paper", "electorate": 1_000_000, "basis": "cluster", "held_on": "2026-11-20", "options": options});
    let r = http.post(format!("{}/api/v1/clusters/{cluster}/polls", s.base)).bearer_auth(&s.token).json(&body).send().await?;
    let poll: Value = r.json().await?;
    let id = poll["id"].as_i64().ok_or_else(|| format!("poll: {poll}"))?;
    let r = http.post(format!("{}/api/v1/polls/{id}/open", s.base)).bearer_auth(&s.token).json(&json!({})).send().await?;
    if !r.status().is_success() {
        return Err(format!("open poll: {}", r.text().await?).into());
    }
    Ok(id)
}

fn refused(ledger: &Mutex<Ledger>, what: String) {
    if let Ok(mut l) = ledger.lock() {
        l.refused.push(what);
    }
}

/// Outgoing documents, one after another: each acknowledged number is kept.
async fn documents(http: reqwest::Client, s: Arc<Setup>, ledger: Arc<Mutex<Ledger>>, client: usize) {
    for n in 0.. {
        let summary = format!("Công văn thử sập nguồn, máy {client}, lần {n}");
        let body = json!({"direction": "outgoing", "register_id": s.register, "doc_type": "CV", "summary": summary});
        let Ok(r) = http.post(format!("{}/api/v1/documents", s.base)).bearer_auth(&s.token).json(&body).send().await else { return };
        let status = r.status();
        let Ok(doc) = r.json::<Value>().await else { return };
        let number = doc["symbol"].as_str().and_then(|x| x.split('-').next()).and_then(|n| n.parse::<i64>().ok());
        match (status.as_u16(), doc["id"].as_i64(), number) {
            (201, Some(id), Some(number)) => {
                if let Ok(mut l) = ledger.lock() {
                    l.documents.push((id, number, summary));
                }
            }
            _ => return refused(&ledger, format!("document: {status} {doc}")),
        }
    }
}

/// One unit's own score sheet saved again and again, each save from the version the last gave.
async fn scores(http: reqwest::Client, s: Arc<Setup>, ledger: Arc<Mutex<Ledger>>, (round, unit): (i64, i64)) {
    loop {
        let version = {
            let Ok(mut l) = ledger.lock() else { return };
            let Some(e) = l.sheets.get_mut(&(round, unit)) else { return };
            e.in_flight = true;
            e.version
        };
        let body = json!({"target_id": unit, "role": "self", "scorer_id": unit, "version": version, "scores": [{"code": "1.1", "centi": centi(version)}]});
        let Ok(r) = http.post(format!("{}/api/v1/rounds/{round}/sheet", s.base)).bearer_auth(&s.token).json(&body).send().await else { return };
        let status = r.status();
        if status.as_u16() != 204 {
            let text = r.text().await.unwrap_or_default();
            return refused(&ledger, format!("sheet {round}/{unit} v{version}: {status} {text}"));
        }
        let Ok(mut l) = ledger.lock() else { return };
        if let Some(e) = l.sheets.get_mut(&(round, unit)) {
            *e = Sheet { version: version + 1, in_flight: false, ..*e };
        }
    }
}

/// The score a sheet's save at `version` writes, so that the saved value tells which save it was.
fn centi(version: i64) -> i64 {
    version % 50 * 10
}

async fn ballots(http: reqwest::Client, s: Arc<Setup>, ledger: Arc<Mutex<Ledger>>) {
    for n in 0u64.. {
        if let Ok(mut l) = ledger.lock() {
            l.ballots_sent += 1;
        }
        let Ok(r) = http.post(format!("{}/api/v1/polls/{}/paper", s.base, s.poll)).bearer_auth(&s.token).json(&json!({"chosen": [n % 2]})).send().await else { return };
        let status = r.status();
        if !status.is_success() {
            let text = r.text().await.unwrap_or_default();
            return refused(&ledger, format!("ballot: {status} {text}"));
        }
        if let Ok(mut l) = ledger.lock() {
            l.ballots_acked += 1;
        }
    }
}

/// Member files of `IMPORT_ROWS` rows each, numbered on from the last file of the last run.
async fn imports(http: reqwest::Client, s: Arc<Setup>, ledger: Arc<Mutex<Ledger>>) {
    loop {
        let file = {
            let Ok(mut l) = ledger.lock() else { return };
            let file = l.imports.len() as u32;
            l.imports.push((file, false));
            file
        };
        let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức,Tổ chức đảng,Điện thoại,Thư điện tử,Địa chỉ\n");
        for row in 0..IMPORT_ROWS {
            csv.push_str(&format!("Phạm Văn Thử,04/03/1961,Nam,{},,19/05/1990,19/05/1991,{},,,\n", cccd(file, row), s.cell_name));
        }
        let Ok(r) = http.post(format!("{}/api/v1/import/members?dry_run=false", s.base)).bearer_auth(&s.token).body(csv).send().await else { return };
        let status = r.status();
        let report: Value = r.json().await.unwrap_or_default();
        if status.as_u16() != 200 || report["created"] != IMPORT_ROWS {
            return refused(&ledger, format!("import {file}: {status} {report}"));
        }
        if let Ok(mut l) = ledger.lock()
            && let Some(e) = l.imports.iter_mut().find(|(f, _)| *f == file)
        {
            e.1 = true;
        }
    }
}

fn cccd(file: u32, row: usize) -> String {
    format!("{CCCD_PREFIX}{file:04}{row:02}")
}

/// Every check on the database as the kill left it; returns how many were made.
async fn verify(url: &str, ledger: &Mutex<Ledger>) -> Result<usize, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let store = Store::open(url).await.map_err(|x| e(&x))?;
    let pool = &AnyPoolOptions::new().max_connections(1).connect(url).await.map_err(|x| e(&x))?;
    let mut checks = 0;
    // Integrity: SQLite's page and index check, and foreign keys.
    let problems = store.integrity_check().await.map_err(|x| e(&x))?;
    if !problems.is_empty() {
        return Err(format!("integrity check: {problems:?}"));
    }
    if store.backend() == thidua_store::Backend::Sqlite {
        let dangling = sqlx::query("PRAGMA foreign_key_check").fetch_all(pool).await.map_err(|x| e(&x))?;
        if !dangling.is_empty() {
            return Err(format!("{} rows refer to rows that are not there", dangling.len()));
        }
    }
    if store.backend() == thidua_store::Backend::Postgres {
        // PostgreSQL's own check of every B-tree index of the schema (contrib's amcheck): an
        // error names a damaged index.
        sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck").execute(pool).await.map_err(|x| e(&x))?;
        sqlx::query(
            "SELECT bt_index_check(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = current_schema()",
        )
        .fetch_all(pool)
        .await
        .map_err(|x| format!("index check: {x}"))?;
    }
    checks += 1;
    let (docs, indexed) = store.index_counts().await.map_err(|x| e(&x))?;
    if docs != indexed {
        return Err(format!("{docs} documents but {indexed} index entries"));
    }
    checks += 1;
    // The clients are stopped: check a copy, and put back what the checks learned at the end.
    let mut l = ledger.lock().map_err(|_| "ledger".to_owned())?.clone();
    // Every acknowledged document, with its number; the sequence has no duplicate and no gap.
    if let Some((first_id, ..)) = l.documents.first() {
        let seq = sqlx::query("SELECT org_id, scope, doc_type FROM document WHERE id = $1").bind(first_id).fetch_one(pool).await.map_err(|x| e(&x))?;
        let (org, scope, doc_type): (i64, String, String) = (seq.try_get(0).map_err(|x| e(&x))?, seq.try_get(1).map_err(|x| e(&x))?, seq.try_get(2).map_err(|x| e(&x))?);
        let rows = sqlx::query("SELECT id, number, summary FROM document WHERE org_id = $1 AND scope = $2 AND doc_type = $3 ORDER BY number")
            .bind(org)
            .bind(&scope)
            .bind(&doc_type)
            .fetch_all(pool)
            .await
            .map_err(|x| e(&x))?;
        let found: HashMap<i64, (i64, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)?, (r.try_get::<i64, _>(1)?, r.try_get::<String, _>(2)?))))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|x| e(&x))?;
        for (id, number, summary) in &l.documents {
            if found.get(id) != Some(&(*number, summary.clone())) {
                return Err(format!("acknowledged document {id} ({number}) is missing or changed"));
            }
        }
        let mut numbers: Vec<i64> = found.values().map(|(n, _)| *n).collect();
        numbers.sort_unstable();
        if let Some(w) = numbers.windows(2).find(|w| w[1] != w[0] + 1) {
            return Err(format!("outgoing numbers jump from {} to {}", w[0], w[1]));
        }
        let next: i64 = sqlx::query("SELECT next_number FROM doc_sequence WHERE org_id = $1 AND scope = $2 AND doc_type = $3")
            .bind(org)
            .bind(&scope)
            .bind(&doc_type)
            .fetch_one(pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|x| e(&x))?;
        if numbers.last().copied().unwrap_or(0) + 1 != next {
            return Err(format!("the sequence would give {next} after {:?}", numbers.last()));
        }
        checks += 2;
    }
    // Each sheet holds the acknowledged save, or the one in flight at the kill.
    let sheets: Vec<((i64, i64), Sheet)> = l.sheets.iter().map(|(k, v)| (*k, *v)).collect();
    for ((round, unit), sheet) in sheets {
        let row = sqlx::query(
            "SELECT h.version, l.centi FROM score_sheet h LEFT JOIN score_line l ON l.sheet_id = h.id AND l.criterion_code = '1.1' \
             WHERE h.round_id = $1 AND h.target_org_id = $2 AND h.role = 'self' AND h.scorer_org_id = $2",
        )
        .bind(round)
        .bind(unit)
        .fetch_optional(pool)
        .await
        .map_err(|x| e(&x))?;
        let (version, value): (i64, Option<i64>) = match &row {
            Some(r) => (r.try_get(0).map_err(|x| e(&x))?, r.try_get(1).map_err(|x| e(&x))?),
            None => (1, None),
        };
        let fits = version == sheet.version || (sheet.in_flight && version == sheet.version + 1);
        if !fits || (version > sheet.initial && value != Some(centi(version - 1))) {
            return Err(format!("sheet {round}/{unit}: version {version} holding {value:?}, acknowledged {}", sheet.version));
        }
        // The next run goes on from what the database has.
        l.sheets.insert((round, unit), Sheet { version, in_flight: false, ..sheet });
        if sheet.in_flight {
            if version > sheet.version {
                l.cut_landed += 1;
            } else {
                l.cut_lost += 1;
            }
        }
        checks += 1;
    }
    let ballots: i64 = sqlx::query("SELECT count(*) FROM ballot").fetch_one(pool).await.and_then(|r| r.try_get(0)).map_err(|x| e(&x))?;
    if ballots < l.ballots_acked as i64 || ballots > l.ballots_sent as i64 {
        return Err(format!("{ballots} ballots, with {} acknowledged of {} sent", l.ballots_acked, l.ballots_sent));
    }
    let ballots = ballots as u64;
    l.cut_landed += ballots - l.ballots_acked;
    l.cut_lost += l.ballots_sent - ballots;
    // A ballot cut off but saved counts as sent and acknowledged from here on.
    l.ballots_acked = ballots;
    l.ballots_sent = ballots;
    checks += 1;
    // Each import file whole or absent; acknowledged ones whole.
    let counts = sqlx::query("SELECT substr(cccd, 7, 4), count(*) FROM member WHERE cccd LIKE $1 GROUP BY substr(cccd, 7, 4)")
        .bind(format!("{CCCD_PREFIX}%"))
        .fetch_all(pool)
        .await
        .map_err(|x| e(&x))?;
    let counts: HashMap<u32, i64> = counts
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?.parse::<u32>().unwrap_or(u32::MAX), r.try_get::<i64, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|x| e(&x))?;
    let (mut landed, mut lost) = (0, 0);
    let checked = l.imports_checked;
    for (i, (file, acked)) in l.imports.iter_mut().enumerate() {
        let n = counts.get(file).copied().unwrap_or(0);
        if n != 0 && n != IMPORT_ROWS as i64 {
            return Err(format!("import {file} half-written: {n} of {IMPORT_ROWS} rows"));
        }
        if *acked && n == 0 {
            return Err(format!("acknowledged import {file} is missing"));
        }
        if i >= checked && !*acked {
            if n > 0 {
                landed += 1;
            } else {
                lost += 1;
            }
        }
        *acked = n > 0;
    }
    l.imports_checked = l.imports.len();
    l.cut_landed += landed;
    l.cut_lost += lost;
    checks += 1;
    pool.close().await;
    store.close().await;
    // The audit chain, as `thidua audit verify` checks it.
    let app = App::open(url).await.map_err(|x| e(&x))?;
    match app.verify_audit().await.map_err(|x| e(&x))? {
        AuditCheck::Intact { .. } => {}
        AuditCheck::Tampered(t) => return Err(format!("audit chain: {t}")),
    }
    app.close().await;
    *ledger.lock().map_err(|_| "ledger".to_owned())? = l;
    Ok(checks + 1)
}
