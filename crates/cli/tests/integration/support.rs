//! Fresh databases per test, servers on port 0, and the glue between async tests and libtest-mimic.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};

use libtest_mimic::Failed;
use thidua_app::auth::{Principal, Security};
use thidua_app::App;
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec, Target};

pub type TestResult = Result<(), Failed>;
pub type BoxFut = Pin<Box<dyn Future<Output = ()> + Send>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub fn pg_base_url() -> Option<String> {
    std::env::var("THIDUA_TEST_PG_URL").ok().filter(|u| !u.trim().is_empty())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

/// A database of its own for one test: an SQLite file in a temp dir, or a PostgreSQL schema.
#[derive(Clone)]
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    file: Option<PathBuf>,
    schema: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique("thidua_test")));
                TestDb { url: format!("sqlite://{}", path.display()), backend, file: Some(path), schema: None }
            }
            Backend::Postgres => {
                let base = pg_base_url().expect("THIDUA_TEST_PG_URL is set for PostgreSQL tests");
                let schema = unique("thidua_t");
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at THIDUA_TEST_PG_URL cannot be reached: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb { url: format!("{base}{sep}options[search_path]={schema}"), backend, file: None, schema: Some(schema) }
            }
        }
    }

    pub async fn app(&self) -> App {
        App::open(&self.url).await.expect("open database")
    }

    pub async fn drop_db(&self) {
        if let Some(path) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        if let (Some(schema), Some(base)) = (&self.schema, pg_base_url())
            && let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&base).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut conn).await;
        }
    }
}

pub fn block_on<F: Future<Output = ()>>(f: F) -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(f);
    Ok(())
}

pub type StoreTest = fn(TestDb) -> BoxFut;

pub fn run_store_test(backend: Backend, test: StoreTest) -> TestResult {
    block_on(async move {
        let db = TestDb::new(backend).await;
        // Cleanup happens even when the test panics: the panic stays inside the spawned task.
        let outcome = tokio::spawn(test(db.clone())).await;
        db.drop_db().await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    })
}

/// A running server on a fresh SQLite database with the demo world, and a client signed in as the
/// demo administrator with an API token.
pub struct Server {
    pub base: String,
    pub app: App,
    pub db: TestDb,
    pub admin: reqwest::Client,
}

impl Server {
    pub async fn start_with(security: Security) -> Server {
        let db = TestDb::new(Backend::Sqlite).await;
        let app = db.app().await.with_security(security);
        app.load_demo().await.expect("demo loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let served = app.clone();
        tokio::spawn(async move { thidua_web::serve(served, listener).await });
        let admin = Server::client_for(&app, "admin").await;
        Server { base, app, db, admin }
    }

    /// A client that sends an API token of `username`.
    pub async fn client_for(app: &App, username: &str) -> reqwest::Client {
        let (_, token) = app.create_token(&Principal::system(), username, "test").await.expect("token");
        bearer_client(&token)
    }

    pub async fn as_user(&self, username: &str) -> reqwest::Client {
        Server::client_for(&self.app, username).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub fn bearer_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().expect("header"));
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().expect("client")
}

pub type ApiTest = fn(Server) -> BoxFut;

pub fn run_api_test(test: ApiTest) -> TestResult {
    run_api_test_with(Security::default(), test)
}

pub fn run_api_test_with(security: Security, test: ApiTest) -> TestResult {
    block_on(async move {
        let server = Server::start_with(security).await;
        let db = server.db.clone();
        let outcome = tokio::spawn(test(server)).await;
        db.drop_db().await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    })
}

/// A client with no credentials that keeps cookies, like a browser.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().expect("client")
}

/// Merges `sources` on `on` into a new organization and returns it.
pub async fn merge_into_new(app: &App, on: jiff::civil::Date, sources: Vec<OrgId>, kind: OrgKind, name: &str, parent: Option<OrgId>) -> OrgId {
    let into = Target::New(NewOrg { org: (), spec: OrgSpec { kind, name: name.into(), short_name: None, parent } });
    app.record_org_event(&Principal::system(), on, OrgChange::Merge { sources, into }, None).await.expect("merge").change.created()[0].org
}
