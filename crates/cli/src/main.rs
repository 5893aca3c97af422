//! `thidua`: the server and the administrator's commands.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use thidua_app::demo::DemoOutcome;
use thidua_app::{App, AppError};

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
}

impl Db {
    fn url(&self, demo: bool) -> String {
        self.db.clone().unwrap_or_else(|| if demo { DEFAULT_DEMO_DB } else { DEFAULT_DB }.to_owned())
    }
}

fn init_logging() {
    let level = std::env::var("THIDUA_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).init();
}

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
        Command::Serve { db, listen, demo } => {
            let app = open(&db.url(demo)).await?;
            if demo {
                load_demo(&app).await?;
            }
            let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("thidua {} listening on http://{addr}/ ({})", env!("CARGO_PKG_VERSION"), app.backend().name());
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
            let app = open(&db.url(true)).await?;
            load_demo(&app).await?;
            app.close().await;
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
    Ok(())
}

fn describe(e: AppError) -> String {
    match e {
        AppError::NotEmpty => "the database already holds other data; the demo world is loaded only into an empty database".into(),
        other => other.to_string(),
    }
}
