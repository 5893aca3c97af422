//! All integration tests in one binary (one link): the store suite on SQLite and PostgreSQL, the
//! HTTP API and pages, the `thidua` binary, and a headless-Chromium check.
//!
//! PostgreSQL tests run when `THIDUA_TEST_PG_URL` is set; without it they are listed as ignored and
//! a notice says so. Browser tests need `chromedriver` and `chromium` on the PATH. Under CI (`CI`
//! set) a missing backend or browser fails the run instead.

mod api;
mod backup;
mod ballots;
mod browser;
mod cli;
mod commendation;
mod concurrency;
mod documents;
mod emulation;
mod evaluation;
mod generate;
mod hostile;
mod import;
mod members;
mod reports;
mod security;
mod store;
mod support;

use libtest_mimic::{Arguments, Trial};

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = Vec::new();
    let pg = support::pg_base_url();
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    if pg.is_none() {
        if ci {
            eprintln!("FAIL: CI is set but THIDUA_TEST_PG_URL is not: the PostgreSQL suite must run in CI.");
            std::process::exit(1);
        }
        eprintln!();
        eprintln!("NOTICE: the PostgreSQL suite did NOT run (THIDUA_TEST_PG_URL is not set); only SQLite was tested.");
        eprintln!("        Set THIDUA_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres, or run `bash .ci/run`.");
        eprintln!();
    }
    for (name, test) in store::TESTS.iter().chain(members::STORE_TESTS).chain(documents::STORE_TESTS).chain(emulation::STORE_TESTS).chain(ballots::STORE_TESTS).chain(evaluation::STORE_TESTS).chain(commendation::STORE_TESTS).chain(import::STORE_TESTS).chain(reports::STORE_TESTS).chain(generate::STORE_TESTS).chain(backup::STORE_TESTS).chain(concurrency::STORE_TESTS) {
        for backend in [support::Backend::Sqlite, support::Backend::Postgres] {
            let trial = Trial::test(format!("store::{}::{name}", backend.name()), move || support::run_store_test(backend, *test));
            trials.push(trial.with_ignored_flag(backend == support::Backend::Postgres && pg.is_none()));
        }
    }
    trials.push(
        Trial::test("store::schemas_of_both_backends_agree", || support::block_on(store::schemas_agree()))
            .with_ignored_flag(pg.is_none()),
    );
    for (name, test) in api::TESTS {
        trials.push(Trial::test(format!("api::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in concurrency::TESTS {
        trials.push(Trial::test(format!("concurrency::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in documents::TESTS {
        trials.push(Trial::test(format!("documents::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in emulation::TESTS {
        trials.push(Trial::test(format!("emulation::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in ballots::TESTS {
        trials.push(Trial::test(format!("ballots::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in commendation::TESTS {
        trials.push(Trial::test(format!("commendation::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in reports::TESTS {
        trials.push(Trial::test(format!("reports::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in import::TESTS {
        trials.push(Trial::test(format!("import::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in evaluation::TESTS {
        trials.push(Trial::test(format!("evaluation::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in members::TESTS {
        trials.push(Trial::test(format!("members::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in hostile::TESTS {
        trials.push(Trial::test(format!("hostile::{name}"), move || support::run_api_test(*test)));
    }
    for (name, test) in security::TESTS {
        trials.push(Trial::test(format!("security::{name}"), move || support::run_api_test(*test)));
    }
    for (name, security, test) in security::TESTS_WITH_SECURITY {
        trials.push(Trial::test(format!("security::{name}"), move || support::run_api_test_with(*security, *test)));
    }
    for (name, test) in cli::TESTS {
        trials.push(Trial::test(format!("cli::{name}"), move || {
            test();
            Ok(())
        }));
    }
    let browser_ready = browser::available();
    if !browser_ready {
        if ci {
            eprintln!("FAIL: CI is set but chromium/chromedriver are missing: the browser tests must run in CI.");
            std::process::exit(1);
        }
        eprintln!("NOTICE: the browser tests did NOT run (chromium and chromedriver not found). `bash .ci/run` installs them.");
    }
    for (name, test) in browser::TESTS {
        trials.push(Trial::test(format!("browser::{name}"), move || support::run_api_test(*test)).with_ignored_flag(!browser_ready));
    }
    libtest_mimic::run(&args, trials).exit();
}
