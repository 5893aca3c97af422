//! `thidua`: the server and the administrator's commands.

use std::process::ExitCode;

use std::io::{BufRead, IsTerminal};

use clap::{Args, Parser, Subcommand};
use thidua_app::audit::AuditCheck;
use thidua_app::auth::{NewUser, Principal};
use thidua_app::demo::{DemoOutcome, ACCOUNTS, PASSWORD};
use thidua_app::{App, AppError};
use thidua_core::access::{Grant, Role, Scope};
use thidua_core::cluster::ClusterId;
use thidua_core::org::OrgId;
use thidua_core::rulebook::Rulebook;

const DEFAULT_DB: &str = "sqlite://thidua.db";
const DEFAULT_DEMO_DB: &str = "sqlite://thidua-demo.db";

/// thidua: the system of record for the Party's organization-building work (công tác tổ chức xây
/// dựng Đảng): organizations, emulation clusters, commendation, evaluation, documents, members.
#[derive(Parser)]
#[command(name = "thidua", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Db {
    /// Database URL: `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    /// Default: sqlite://thidua.db in the working directory (sqlite://thidua-demo.db with --demo).
    #[arg(long, env = "THIDUA_DATABASE_URL", value_name = "URL")]
    db: Option<String>,
    /// Keep attachment contents as files under this directory (named by their SHA-256) instead of
    /// in the database.
    #[arg(long, env = "THIDUA_ATTACHMENTS_DIR", value_name = "DIR")]
    attachments_dir: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (UI and API); migrations are applied first.
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on; port 0 picks a free port. The URL is printed once listening.
        #[arg(long, env = "THIDUA_LISTEN", default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: String,
        /// Load the demo world (units of the seed articles) if the database does not have it yet.
        #[arg(long)]
        demo: bool,
        /// Judge by this installation's rule files: any of membership.json, ballots.json and
        /// evaluation.json found here replaces the shipped one (`thidua rules export` writes them).
        #[arg(long, env = "THIDUA_RULES_DIR", value_name = "DIR")]
        rules_dir: Option<std::path::PathBuf>,
        /// Take a backup into this directory at the start and then on a schedule (as `thidua
        /// backup` does), keeping the newest few.
        #[arg(long, env = "THIDUA_BACKUP_DIR", value_name = "DIR")]
        backup_dir: Option<std::path::PathBuf>,
        /// How often: a number with s, m, h or d.
        #[arg(long, env = "THIDUA_BACKUP_EVERY", default_value = "24h", value_parser = parse_every, value_name = "EVERY")]
        backup_every: std::time::Duration,
        /// How many scheduled backups to keep; older ones are removed after each new one.
        #[arg(long, env = "THIDUA_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
        backup_keep: u32,
        /// The address of the reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-For then
        /// names the client, so sign-in failures are counted per client.
        #[arg(long, env = "THIDUA_TRUSTED_PROXY", value_name = "IP")]
        trusted_proxy: Option<std::net::IpAddr>,
    },
    /// Write a consistent backup while the server runs: an SQLite database file on SQLite, a
    /// gzipped full export on PostgreSQL. Readable by its owner alone: it holds member data.
    Backup {
        #[command(flatten)]
        db: Db,
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// Restore a backup (or a `thidua export`) into a new database, of either kind. A database
    /// that holds data of its own is left untouched.
    Restore {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Load the demo world into an empty database (a no-op if it is already there).
    Demo {
        #[command(flatten)]
        db: Db,
    },
    /// Write a synthetic world into an empty database, for benchmarks and load tests: a province
    /// (365,911 members), the nation (5.9 million) or a number of members; the same seed gives
    /// the same world.
    Gen {
        #[command(flatten)]
        db: Db,
        /// province, nation, or a number of members (e.g. 100000 or 100000-members).
        #[arg(long, default_value = "province")]
        scale: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage accounts. Passwords are read from a prompt, or from standard input when it is not a
    /// terminal; never from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens for scripts (sent as `Authorization: Bearer …`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Rebuild the document search index from the documents (it is kept in step on every write;
    /// this is for repairs and upgrades).
    Reindex {
        #[command(flatten)]
        db: Db,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The rulebook: the legal figures by period of validity.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write every table as one JSON document; the same data gives the same bytes, on either
    /// database. `thidua import json FILE` restores it into an empty database.
    Export {
        #[command(flatten)]
        db: Db,
        /// Written readable by its owner alone: it holds member data.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Include the installation's private signing key (for moving the installation itself).
        #[arg(long)]
        with_secrets: bool,
    },
    /// Import an xlsx or CSV file (`members`, `evaluations`); every problem is listed by sheet,
    /// row and column. The file is imported whole or not at all; importing it again updates,
    /// never duplicates. `json` restores a `thidua export` into an empty database.
    Import {
        #[command(flatten)]
        db: Db,
        /// What the file holds: members, evaluations (members' results by year), or json.
        #[arg(value_name = "KIND")]
        kind: String,
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
        /// Check the file and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Write the shipped rule files into a directory, to edit them and serve with `--rules-dir`.
    Export {
        #[arg(value_name = "DIR")]
        dir: std::path::PathBuf,
    },
    /// Check the rule files of a directory as `serve --rules-dir` would read them.
    Check {
        #[arg(value_name = "DIR")]
        dir: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// Name shown in the UI and the audit log (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Give the account the system administrator role over the whole system.
        #[arg(long)]
        admin: bool,
        /// Id of the organization the person works in.
        #[arg(long, value_name = "ORG_ID")]
        home_org: Option<i64>,
    },
    /// List accounts with their roles.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
    },
    /// Set a new password (read from a prompt or standard input) and end the account's sessions.
    ResetPassword {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
    },
    /// Grant a role over a scope: the whole system, an organization's subtree, or a cluster.
    Grant {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// system_admin, council_secretary, council_member, cluster_leader, unit_officer or viewer.
        #[arg(long)]
        role: String,
        #[arg(long, conflicts_with_all = ["org", "cluster"])]
        system: bool,
        /// Organization id: the grant covers it and everything below it.
        #[arg(long, value_name = "ORG_ID", conflicts_with = "cluster")]
        org: Option<i64>,
        #[arg(long, value_name = "CLUSTER_ID")]
        cluster: Option<i64>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user and print it once; only its hash is stored.
    Create {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        user: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a token by its id (printed when it was created).
    Revoke {
        #[command(flatten)]
        db: Db,
        id: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit non-zero and say where if any entry was edited, removed or moved.
    Verify {
        #[command(flatten)]
        db: Db,
    },
}

impl Db {
    fn url(&self, demo: bool) -> String {
        self.db.clone().unwrap_or_else(|| if demo { DEFAULT_DEMO_DB } else { DEFAULT_DB }.to_owned())
    }

    async fn open(&self, demo: bool) -> Result<App, String> {
        let app = open(&self.url(demo)).await?;
        Ok(match &self.attachments_dir {
            Some(dir) => app.with_attachment_dir(dir.clone()),
            None => app,
        })
    }
}

fn init_logging() {
    let level = std::env::var("THIDUA_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).init();
}

/// glibc's malloc gives each thread that meets contention an arena of its own (up to eight per
/// core) and keeps what each has grown to: with the runtime's threads and one per SQLite
/// connection, a province's server peaked at 189-237 MB through the year-end mix and reports.
/// mimalloc held it at 161-170 MB at the same throughput; capping glibc at two arenas held it at
/// 113-133 MB but cost a third of the throughput (docs/SCALE.md, eighth pass).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("thidua: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { db, listen, demo, rules_dir, backup_dir, backup_every, backup_keep, trusted_proxy } => {
            // The rules first: a mistake in an installation's files stops the start, naming the file.
            let book = rules_dir.as_deref().map(rulebook).transpose()?;
            let mut app = db.open(demo).await?;
            if let Some(book) = book {
                app = app.with_rules(book);
            }
            if trusted_proxy.is_some() {
                let security = thidua_app::auth::Security { trusted_proxy, ..app.security() };
                app = app.with_security(security);
            }
            if demo {
                load_demo(&app).await?;
            }
            let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("thidua {} listening on http://{addr}/ ({})", env!("CARGO_PKG_VERSION"), app.backend().name());
            if let Some(dir) = backup_dir {
                let app = app.clone();
                tokio::spawn(async move {
                    loop {
                        match app.scheduled_backup(&dir, backup_keep as usize).await {
                            Ok(file) => tracing::info!(file = %file.display(), "backup written"),
                            Err(e) => tracing::error!(dir = %dir.display(), error = %e, "backup failed"),
                        }
                        tokio::time::sleep(backup_every).await;
                    }
                });
            }
            thidua_web::serve(app.clone(), listener).await.map_err(|e| e.to_string())?;
            app.close().await;
            Ok(())
        }
        Command::Migrate { db } => {
            App::migrate(&db.url(false)).await.map_err(describe)?;
            println!("Database schema is up to date.");
            Ok(())
        }
        Command::Demo { db } => {
            let app = db.open(true).await?;
            load_demo(&app).await?;
            app.close().await;
            Ok(())
        }
        Command::Reindex { db } => {
            let app = db.open(false).await?;
            let n = app.reindex().await.map_err(describe)?;
            let (documents, indexed) = app.index_counts().await.map_err(describe)?;
            app.close().await;
            println!("Search index rebuilt: {n} documents indexed ({indexed} index entries for {documents} documents).");
            Ok(())
        }
        Command::Backup { db, out } => {
            let app = db.open(false).await?;
            let report = app.backup(&Principal::system(), &out).await.map_err(describe)?;
            app.close().await;
            println!("Backup written to {} ({} bytes).", out.display(), report.bytes);
            Ok(())
        }
        Command::Restore { db, from } => match thidua_app::backup::restore(&db.url(false), &from).await {
            Ok(Some(rows)) => {
                println!("Restored {rows} rows from {}.", from.display());
                Ok(())
            }
            Ok(None) => {
                println!("Restored {} as the database file.", from.display());
                Ok(())
            }
            Err(AppError::NotEmpty) => Err("the database already holds data: a backup is restored into a new database, and nothing was changed".into()),
            Err(e) => Err(describe(e)),
        },
        Command::Export { db, out, with_secrets } => {
            let app = db.open(false).await?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            let mut writer = std::io::BufWriter::new(file);
            let rows = app.export_json(&mut writer, with_secrets).await.map_err(describe)?;
            std::io::Write::flush(&mut writer).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            app.close().await;
            println!("Exported {rows} rows to {}.", out.display());
            Ok(())
        }
        Command::Import { dry_run: true, kind, .. } if kind == "json" => Err("a restore has no dry run: restore into a fresh database to look at it".into()),
        Command::Import { db, kind, file, .. } if kind == "json" => {
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let app = db.open(false).await?;
            let rows = app.restore_json(&bytes).await.map_err(|e| match e {
                AppError::NotEmpty => "the database already holds data: an export is restored into an empty database".into(),
                other => describe(other),
            })?;
            app.close().await;
            println!("Restored {rows} rows from {}.", file.display());
            Ok(())
        }
        Command::Import { db, kind, file, dry_run } => import(db, &kind, &file, dry_run).await,
        Command::Gen { db, scale, seed } => generate(db, &scale, seed).await,
        Command::User { command } => user(command).await,
        Command::Token { command } => token(command).await,
        Command::Audit { command: AuditCommand::Verify { db } } => {
            let app = open(&db.url(false)).await?;
            let check = app.verify_audit().await.map_err(describe)?;
            app.close().await;
            match check {
                AuditCheck::Intact { entries } => {
                    println!("Audit log intact: {entries} entries verified.");
                    Ok(())
                }
                AuditCheck::Tampered(t) => Err(format!("audit log tampered: {t}")),
            }
        }
        Command::Rules { command } => rules(command),
    }
}

/// Reads a password without echo from a terminal, or one line from piped standard input.
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn user(command: UserCommand) -> Result<(), String> {
    let system = Principal::system();
    match command {
        UserCommand::Add { db, username, display_name, admin, home_org } => {
            let app = open(&db.url(false)).await?;
            let password = read_password()?;
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                home_org: home_org.map(OrgId),
            };
            app.add_user(&system, &new, admin).await.map_err(describe)?;
            println!("Account {} created{}.", new.username, if admin { " with the system administrator role" } else { "" });
            Ok(())
        }
        UserCommand::List { db } => {
            let app = open(&db.url(false)).await?;
            for u in app.users(&system).await.map_err(describe)? {
                let grants: Vec<String> = u.grants.iter().map(describe_grant).collect();
                let state = if u.active { "active" } else { "disabled" };
                println!("{}\t{}\t{state}\t{}", u.username, u.display_name, grants.join(", "));
            }
            Ok(())
        }
        UserCommand::Disable { db, username } => {
            let app = open(&db.url(false)).await?;
            app.disable_user(&system, &username).await.map_err(describe)?;
            println!("Account {username} disabled; its sessions ended.");
            Ok(())
        }
        UserCommand::ResetPassword { db, username } => {
            let app = open(&db.url(false)).await?;
            let password = read_password()?;
            app.reset_password(&system, &username, &password).await.map_err(describe)?;
            println!("Password of {username} changed; its sessions ended.");
            Ok(())
        }
        UserCommand::Grant { db, username, role, system: whole, org, cluster } => {
            let role = Role::from_code(&role).ok_or_else(|| format!("unknown role {role:?}"))?;
            let scope = match (whole, org, cluster) {
                (true, _, _) => Scope::System,
                (_, Some(o), _) => Scope::Subtree(OrgId(o)),
                (_, _, Some(c)) => Scope::Cluster(ClusterId(c)),
                _ => return Err("give a scope: --system, --org ORG_ID or --cluster CLUSTER_ID".into()),
            };
            let app = open(&db.url(false)).await?;
            let grant = Grant { role, scope };
            app.grant(&system, &username, &grant).await.map_err(describe)?;
            println!("Granted {} to {username}.", describe_grant(&grant));
            Ok(())
        }
    }
}

fn describe_grant(g: &Grant) -> String {
    let scope = match g.scope {
        Scope::System => "system".to_owned(),
        Scope::Subtree(o) => format!("org {}", o.0),
        Scope::Cluster(c) => format!("cluster {}", c.0),
    };
    format!("{} over {scope}", g.role.code())
}

async fn token(command: TokenCommand) -> Result<(), String> {
    let system = Principal::system();
    match command {
        TokenCommand::Create { db, user, label } => {
            let app = open(&db.url(false)).await?;
            let (id, token) = app.create_token(&system, &user, label.as_deref().unwrap_or_default()).await.map_err(describe)?;
            eprintln!("Token {id} for {user}. It is shown once; store it now:");
            println!("{token}");
            Ok(())
        }
        TokenCommand::Revoke { db, id } => {
            let app = open(&db.url(false)).await?;
            app.revoke_token(&system, id).await.map_err(describe)?;
            println!("Token {id} revoked.");
            Ok(())
        }
    }
}

/// The rulebook with the files of `dir` in place of the shipped ones.
fn rulebook(dir: &std::path::Path) -> Result<Rulebook, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let mut unreadable = None;
    let book = Rulebook::from_files(|name| {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                unreadable = Some(format!("{}: {e}", path.display()));
                None
            }
        }
    });
    if let Some(e) = unreadable {
        return Err(e);
    }
    book.map_err(|e| format!("rule files in {}: {e}", dir.display()))
}

fn rules(command: RulesCommand) -> Result<(), String> {
    match command {
        RulesCommand::Export { dir } => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for (name, text) in Rulebook::SHIPPED {
                let path = dir.join(name);
                if path.exists() {
                    return Err(format!("{} exists; not overwritten", path.display()));
                }
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            println!("Rule files written to {}.", dir.display());
            Ok(())
        }
        RulesCommand::Check { dir } => {
            rulebook(&dir)?;
            println!("The rule files in {} are valid.", dir.display());
            Ok(())
        }
    }
}

async fn open(url: &str) -> Result<App, String> {
    App::open(url).await.map_err(describe)
}

async fn load_demo(app: &App) -> Result<(), String> {
    match app.load_demo().await.map_err(describe)? {
        DemoOutcome::Loaded { orgs, clusters } => println!("Demo world loaded: {orgs} organizations, {clusters} clusters."),
        DemoOutcome::AlreadyLoaded => println!("Demo world already loaded."),
    }
    if let Some(n) = app.load_demo_traffic().await.map_err(describe)? {
        println!("Demo register traffic of 2023 loaded: {n} documents.");
    }
    println!();
    println!("Demo accounts (demo data only; every account's password is {PASSWORD}):");
    println!("  {:<12} {:<20} {:<18} Scope", "Username", "Name", "Role");
    for a in &ACCOUNTS {
        println!("  {:<12} {:<20} {:<18} {}", a.username, a.display_name, a.role.code(), a.scope_label);
    }
    println!();
    Ok(())
}

/// Imports a file as the administrator at the console, with a progress bar on standard error and
/// the report in Vietnamese; problems make the command fail.
async fn import(db: Db, kind: &str, file: &std::path::Path, dry_run: bool) -> Result<(), String> {
    use thidua_app::import::{ImportKind, Phase};
    let kind = ImportKind::from_code(kind).ok_or_else(|| format!("unknown kind {kind:?}: members or evaluations"))?;
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let app = db.open(false).await?;
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let show = |phase: Phase, done: u32| {
        let line = match phase {
            Phase::Checking => format!("Kiểm tra: {done} dòng"),
            Phase::Writing { total } => {
                let filled = (u64::from(done) * 30 / u64::from(total.max(1))) as usize;
                format!("Ghi: [{}{}] {done}/{total} dòng", "#".repeat(filled.min(30)), "-".repeat(30 - filled.min(30)))
            }
        };
        if tty {
            eprint!("\r{line:60}");
        } else if done.is_multiple_of(100_000) && done > 0 {
            eprintln!("{line}");
        }
    };
    let report = app.import(&Principal::system(), kind, &bytes, dry_run, &show).await.map_err(describe)?;
    if tty {
        eprintln!();
    }
    app.close().await;
    let t = thidua_web::i18n::T::new(thidua_web::i18n::Lang::Vi);
    let outcome = thidua_web::pages::import::outcome(t, &report, dry_run);
    println!("{}", outcome.heading);
    println!("{}", outcome.counts);
    for p in &outcome.problems {
        println!("{} | dòng {} | {} | {}", p.sheet, p.row, p.column, p.text);
    }
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("{} rows in {elapsed:.1} s ({:.0} rows/s)", report.rows, f64::from(report.rows) / elapsed.max(1e-9));
    if report.problems.is_empty() { Ok(()) } else { Err(format!("{} problems; nothing was written", report.problems.len())) }
}

/// Generates a world with a progress bar per stage on standard error.
async fn generate(db: Db, scale: &str, seed: u64) -> Result<(), String> {
    use thidua_app::generate::Scale;
    let scale = Scale::parse(scale).ok_or_else(|| format!("unknown scale {scale:?}: province, nation or a number of members from 100"))?;
    let app = db.open(false).await?;
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    // The stage shown last, how far it was, and when it began.
    let last = std::sync::Mutex::new((String::new(), 0u64, std::time::Instant::now()));
    let show = |stage: &str, done: u64, total: u64| {
        let Ok(mut last) = last.lock() else { return };
        if last.0 != stage {
            *last = (stage.to_owned(), 0, std::time::Instant::now());
        }
        let filled = (done.min(total) * 30 / total.max(1)) as usize;
        let mut line = format!("{stage:<24} [{}{}] {done}/{total}", "#".repeat(filled), "-".repeat(30 - filled));
        if done >= total {
            line.push_str(&format!(" ({:.1} s)", last.2.elapsed().as_secs_f64()));
        }
        if tty {
            eprint!("\r{line:90}");
            if done >= total {
                eprintln!();
            }
        } else if last.1 == 0 || done >= total || done >= last.1 + total / 10 {
            eprintln!("{line}");
            last.1 = done.max(1);
        }
    };
    let report = app.generate(scale, seed, &show).await.map_err(|e| match e {
        AppError::NotEmpty => "the database already holds data: a world is generated into an empty database".into(),
        other => describe(other),
    })?;
    app.close().await;
    println!(
        "World generated in {:.1} s (seed {seed}): {} organizations, {} clusters, {} members, {} party badges, {} evaluation results, {} awards, {} documents, {} transfers.",
        started.elapsed().as_secs_f64(),
        report.orgs,
        report.clusters,
        report.members,
        report.badges,
        report.evaluations,
        report.awards,
        report.documents,
        report.transfers
    );
    Ok(())
}

/// A period such as `30s`, `15m`, `6h` or `1d`.
fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("{text}: a number with s, m, h or d, e.g. 24h"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3_600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(format!("{text}: the unit is s, m, h or d, e.g. 24h")),
    };
    if seconds == 0 {
        return Err(format!("{text}: the period must be at least 1s"));
    }
    Ok(std::time::Duration::from_secs(seconds))
}

fn describe(e: AppError) -> String {
    match e {
        AppError::NotEmpty => "the database already holds other data; the demo world is loaded only into an empty database".into(),
        AppError::NotFound => "not found".into(),
        other => other.to_string(),
    }
}
