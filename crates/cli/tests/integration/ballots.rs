//! Year-end scoring and secret ballots: on both backends, over HTTP, and a voter on a phone.

use std::collections::BTreeSet;

use jiff::civil::date;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::Principal;
use thidua_app::ballots::{Basis, NewPoll};
use thidua_app::emulation::NewCampaign;
use thidua_app::scoring::{LineInput, SheetKey};
use thidua_app::{App, AppError, BallotProblem, RoundProblem};
use thidua_core::ballot::{Marks, Mode, Question};
use thidua_core::cluster::ClusterId;
use thidua_core::emulation::{parse_criteria, CampaignKind, ClusterRules};
use thidua_core::org::OrgId;
use thidua_core::scoring::{Adjustment, Centi, PeerMode, ScorerRole, ScoringError, ScoringRules, Weights};
use thidua_store::{Store, UserId};

use crate::emulation::cluster;
use crate::support::{ApiTest, Backend, Server, StoreTest, TestDb};

pub const STORE_TESTS: &[(&str, StoreTest)] = &[
    ("a_round_snapshots_scores_closes_and_explains", |db| Box::pin(round(db))),
    ("ballots_are_secret_counted_once_and_only_after_the_close", |db| Box::pin(secrecy(db))),
    ("a_hundred_voters_at_once_lose_no_vote", |db| Box::pin(hundred_voters(db))),
];

pub const TESTS: &[(&str, ApiTest)] = &[
    ("demo_year_end_matches_the_seed", |s| Box::pin(demo_year_end(s))),
    ("peers_see_scores_only_after_giving_their_own", |s| Box::pin(peer_visibility(s))),
    ("count_minutes_are_party_format_docx", |s| Box::pin(count_minutes(s))),
];

fn table() -> Vec<thidua_core::emulation::Criterion> {
    parse_criteria("1 | Tổ chức | 600\n1.1 | Kiện toàn | 400 | | báo cáo\n1.2 | Đảng viên | 200\n2 | Cán bộ | 400\nT | Sáng kiến | 50 | thưởng\nTr | Chậm báo cáo | 50 | trừ").expect("table")
}

fn lines(scores: &[(&str, i64)]) -> Vec<LineInput> {
    scores.iter().map(|(c, v)| LineInput { code: (*c).into(), score: Centi(*v), note: String::new(), document: None }).collect()
}

/// Full sheets: `base` hundredths off every maximum, a bonus of 10 and no penalty.
fn full(off: i64) -> Vec<LineInput> {
    lines(&[("1.1", 40_000 - off), ("1.2", 20_000 - off), ("2", 40_000 - off), ("T", 1000), ("Tr", 0)])
}

async fn campaign(app: &App, id: ClusterId) -> i64 {
    let new = NewCampaign { cluster: id, kind: CampaignKind::Regular, year: 2024, title: "Phong trào thi đua năm 2024".into(), theme: None, starts_on: None, ends_on: None, launch_document: None, copy_criteria: false };
    let c = app.create_campaign(&Principal::system(), &new).await.expect("campaign");
    app.set_criteria(&Principal::system(), c.id, &table()).await.expect("table");
    c.id
}

async fn round(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let (id, _, [a, b, c]) = cluster(&db, &app).await;
    let scoring = ScoringRules { weights: Weights { self_pct: 20, peer_pct: 50, leader_pct: 30 }, peers: PeerMode::AllPeers };
    app.set_cluster_rules(system, id, ClusterRules { scoring, ..ClusterRules::default() }).await.expect("rules");
    let campaign = campaign(&app, id).await;
    let r = app.open_round(system, campaign).await.expect("round");
    assert!(matches!(app.open_round(system, campaign).await, Err(AppError::Round(RoundProblem::Exists))));
    // The table is snapshotted: editing the campaign's table later changes nothing in the round.
    let edited = parse_criteria("1 | Tổ chức | 1000").expect("table");
    app.set_criteria(system, campaign, &edited).await.expect("edit");
    assert_eq!(app.round_view(system, r.id).await.expect("view").round.criteria, table());

    let key = |target, role, scorer| SheetKey { target, role, scorer };
    // Out of range, not a leaf, incomplete on submission: refused, nothing stored.
    let refused = app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 1, &lines(&[("1.1", 40_001)]), false).await;
    assert!(matches!(refused, Err(AppError::Scoring(ScoringError::OutOfRange { .. }))), "{refused:?}");
    let refused = app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 1, &lines(&[("1", 100)]), false).await;
    assert!(matches!(refused, Err(AppError::Scoring(ScoringError::NotALeaf(_)))), "{refused:?}");
    let refused = app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 1, &lines(&[("1.1", 100)]), true).await;
    assert!(matches!(refused, Err(AppError::Scoring(ScoringError::Missing(_)))), "{refused:?}");
    let refused = app.save_sheet(system, r.id, key(a, ScorerRole::Peer, a), 1, &full(0), false).await;
    assert!(matches!(refused, Err(AppError::Scoring(ScoringError::ScoresItself))), "{refused:?}");
    // A draft, then a stale save, then the submission.
    app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 1, &lines(&[("1.1", 100)]), false).await.expect("draft");
    assert!(matches!(app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 1, &full(0), true).await, Err(AppError::Conflict)));
    // Units score themselves at 0 off, peers 10 points off per rank (a: 0, b: 1000, c: 2000), the
    // leader (a, the cluster's 2024 leader) the same as peers; a does not score itself as leader:
    // its deputy b does.
    let leader_of = |t: OrgId| if t == a { b } else { a };
    assert!(matches!(
        app.save_sheet(system, r.id, key(a, ScorerRole::Leader, a), 1, &full(0), false).await,
        Err(AppError::Round(RoundProblem::WrongScorer))
    ));
    let off = |t: OrgId| if t == a { 0 } else if t == b { 1000 } else { 2000 };
    for t in [a, b, c] {
        let own_version = if t == a { 2 } else { 1 };
        app.save_sheet(system, r.id, key(t, ScorerRole::Own, t), own_version, &full(0), true).await.expect("own");
        for s in [a, b, c].into_iter().filter(|s| *s != t) {
            app.save_sheet(system, r.id, key(t, ScorerRole::Peer, s), 1, &full(off(t)), true).await.expect("peer");
        }
        if t != c {
            app.save_sheet(system, r.id, key(t, ScorerRole::Leader, leader_of(t)), 1, &full(off(t)), true).await.expect("leader");
        }
    }
    assert!(matches!(app.save_sheet(system, r.id, key(a, ScorerRole::Own, a), 3, &full(0), true).await, Err(AppError::Round(RoundProblem::Submitted))));
    let v = app.round_view(system, r.id).await.expect("view");
    assert!(matches!(app.close_round(system, r.id, v.round.version).await, Err(AppError::Round(RoundProblem::Incomplete { missing: 1 }))));
    app.save_sheet(system, r.id, key(c, ScorerRole::Leader, a), 1, &full(off(c)), true).await.expect("leader c");
    let refused = app.add_adjustment(system, r.id, b, &Adjustment { criterion: None, centi: -150, reason: "  ".into() }).await;
    assert!(matches!(refused, Err(AppError::Scoring(ScoringError::ReasonRequired))));
    app.add_adjustment(system, r.id, b, &Adjustment { criterion: Some("2".into()), centi: -150, reason: "Báo cáo chậm".into() }).await.expect("adjust");
    app.close_round(system, r.id, v.round.version).await.expect("close");
    assert!(matches!(app.save_sheet(system, r.id, key(a, ScorerRole::Peer, b), 1, &full(0), true).await, Err(AppError::Round(RoundProblem::Closed))));

    let v = app.round_view(system, r.id).await.expect("view");
    let ranking = v.ranking.expect("ranking");
    assert_eq!(ranking.iter().map(|x| x.org).collect::<Vec<_>>(), [a, b, c]);
    // a: normal 1000 (self .2, peers .5, leader .3 of 1000) + bonus 10 = 1010,00.
    assert_eq!(ranking[0].result.total.round(), 101_000);
    // b: each leaf 30 points off from peers and leader: .8 · 30 = 24 off the normal criteria, then −1,5.
    assert_eq!(ranking[1].result.normal.round(), 100_000 - 2400);
    assert_eq!(ranking[1].result.total.round(), 100_000 - 2400 + 1000 - 150);
    let e = app.explanation(system, r.id, b).await.expect("explanation");
    assert_eq!(e.rank, Some(2));
    let line = e.result.lines.iter().find(|l| l.code == "1.1").expect("1.1");
    assert_eq!((line.self_score, line.leader, line.peers.len()), (Some(Centi(40_000)), Some(Centi(39_000)), 2));
    assert_eq!(line.value.round(), 39_200);

    // Reopening needs a reason, and is kept.
    let v = app.round_view(system, r.id).await.expect("view");
    assert!(matches!(app.reopen_round(system, r.id, v.round.version, " ").await, Err(AppError::Invalid(_))));
    app.reopen_round(system, r.id, v.round.version, "Đơn vị khiếu nại điểm tiêu chí 2").await.expect("reopen");
    let v = app.round_view(system, r.id).await.expect("view");
    assert!(!v.round.closed);
    assert_eq!(v.reopenings[0].reason, "Đơn vị khiếu nại điểm tiêu chí 2");
}

/// Accounts made straight in the store (no password needed to vote through the app).
async fn voters(db: &TestDb, n: usize, prefix: &str) -> Vec<(UserId, Principal)> {
    let store = Store::open(&db.url).await.expect("store");
    let mut tx = store.begin().await.expect("begin");
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}{i:03}");
        let id = tx.create_user(&name, &format!("Cử tri {i}"), "x", None, 0).await.expect("user");
        out.push((id, Principal { user: Some(id), username: name, display_name: format!("Cử tri {i}"), grants: vec![] }));
    }
    tx.commit().await.expect("commit");
    store.close().await;
    out
}

async fn electronic(app: &App, id: ClusterId, question: Question, options: &[&str], voters: &[(UserId, Principal)]) -> i64 {
    let new = NewPoll {
        cluster: id,
        title: "Suy tôn đơn vị dẫn đầu".into(),
        question,
        options: options.iter().map(|o| ((*o).to_owned(), None)).collect(),
        mode: Mode::Electronic,
        voters: voters.iter().map(|(_, p)| p.username.clone()).collect(),
        electorate: None,
        basis: Basis::ClusterRules,
        quorum: None,
        held_on: date(2024, 12, 20),
        round: None,
    };
    let poll = app.create_poll(&Principal::system(), &new).await.expect("poll");
    app.open_poll(&Principal::system(), poll.id).await.expect("open");
    poll.id
}

async fn secrecy(db: TestDb) {
    let app = db.app().await;
    let system = &Principal::system();
    let (id, _, _) = cluster(&db, &app).await;
    let people = voters(&db, 8, "cutri").await;
    let outsider = voters(&db, 1, "ngoai").await.remove(0).1;
    let poll = electronic(&app, id, Question::ChooseOne, &["Đơn vị A", "Đơn vị B", "Đơn vị C"], &people).await;
    // Voter i chooses i % 3: the order of voting and the choices are known to the test.
    let mut receipts = Vec::new();
    for (i, (_, p)) in people.iter().enumerate() {
        // Nothing is counted or shown while the poll is open, whoever asks.
        let v = app.poll_view(system, poll).await.expect("view");
        assert!(v.tally.is_none() && v.published.is_none());
        assert_eq!(v.turnout, i as u32);
        receipts.push(app.cast(p, poll, &Marks::Chosen { options: vec![(i % 3) as u16] }).await.expect("cast"));
    }
    assert!(matches!(app.cast(&people[0].1, poll, &Marks::Chosen { options: vec![1] }).await, Err(AppError::Ballot(BallotProblem::AlreadyVoted))));
    assert!(matches!(app.cast(&outsider, poll, &Marks::Chosen { options: vec![1] }).await, Err(AppError::Ballot(BallotProblem::NotVoter))));
    assert!(matches!(app.check_receipt(system, poll, &receipts[0].token).await, Err(AppError::Ballot(BallotProblem::NotClosed))));
    app.close_poll(&people[0].1, poll).await.expect_err("only the secretary closes");
    app.close_poll(system, poll).await.expect("close");
    let v = app.poll_view(system, poll).await.expect("view");
    let t = v.tally.expect("count after the close");
    assert_eq!((t.cast, t.valid), (8, 8));
    assert_eq!(t.options.iter().map(|o| o.yes).collect::<Vec<_>>(), [3, 3, 2]);
    // Each receipt finds its own ballot.
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(app.check_receipt(system, poll, &r.token).await.expect("check"), Some(Marks::Chosen { options: vec![(i % 3) as u16] }));
    }
    assert_eq!(app.check_receipt(system, poll, "khong-phai-ma").await.expect("check"), None);

    // Voting after the close is refused.
    let second = electronic(&app, id, Question::ApproveEach, &["Người A", "Người B"], &people[..1]).await;
    app.close_poll(system, second).await.expect("close");
    assert!(matches!(app.cast(&people[0].1, second, &Marks::Approvals { votes: vec![Some(true), None] }).await, Err(AppError::Ballot(BallotProblem::NotOpen))));
    // With fewer than two ballots nothing is shown, even closed.
    let third = electronic(&app, id, Question::ChooseOne, &["A", "B"], &people[..2]).await;
    app.cast(&people[0].1, third, &Marks::Chosen { options: vec![0] }).await.expect("cast");
    app.close_poll(system, third).await.expect("close");
    let v = app.poll_view(system, third).await.expect("view");
    assert!(v.tally.is_none() && v.withheld);
    assert!(matches!(app.vote_record(system, third).await, Err(AppError::Ballot(BallotProblem::TooFewToShow))));

    // Written votes of absent members come in before the poll opens, never after; and a count with
    // a single ballot of the voters' own beside written ones stays hidden (the secretary typed those).
    let written = electronic_draft(&app, id, &people[..3]).await;
    app.enter_written_vote(system, written, &people[0].1.username, &Marks::Chosen { options: vec![0] }).await.expect("written vote");
    app.open_poll(system, written).await.expect("open");
    assert!(matches!(
        app.enter_written_vote(system, written, &people[1].1.username, &Marks::Chosen { options: vec![1] }).await,
        Err(AppError::Ballot(BallotProblem::NotDraft))
    ));
    assert!(matches!(app.cast(&people[0].1, written, &Marks::Chosen { options: vec![1] }).await, Err(AppError::Ballot(BallotProblem::AlreadyVoted))));
    app.cast(&people[1].1, written, &Marks::Chosen { options: vec![1] }).await.expect("cast");
    app.close_poll(system, written).await.expect("close");
    let v = app.poll_view(system, written).await.expect("view");
    assert_eq!((v.turnout, v.written), (2, 1));
    assert!(v.tally.is_none() && v.withheld, "one voter's own ballot would be readable by the secretary");

    inspect_database(&db, poll, &people.iter().map(|(u, _)| *u).collect::<Vec<_>>()).await;
}

async fn electronic_draft(app: &App, id: ClusterId, voters: &[(UserId, Principal)]) -> i64 {
    let new = NewPoll {
        cluster: id,
        title: "Biểu quyết có phiếu bằng văn bản".into(),
        question: Question::ChooseOne,
        options: vec![("A".into(), None), ("B".into(), None)],
        mode: Mode::Electronic,
        voters: voters.iter().map(|(_, p)| p.username.clone()).collect(),
        electorate: None,
        basis: Basis::Council,
        quorum: None,
        held_on: date(2024, 12, 20),
        round: None,
    };
    app.create_poll(&Principal::system(), &new).await.expect("poll").id
}

/// Looks at the tables as a database administrator would: no column links a voter to a ballot, and
/// neither does the order of rows (nor, on PostgreSQL, their transaction ids).
async fn inspect_database(db: &TestDb, poll: i64, voters: &[UserId]) {
    use sqlx::{Connection, Row};
    match db.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("sqlite");
            let cols: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('ballot')").fetch_all(&mut c).await.expect("columns").iter().map(|r| r.get(0)).collect();
            assert_eq!(cols, ["poll_id", "ballot_key", "marks", "receipt_hash"]);
            assert!(sqlx::query("SELECT rowid FROM ballot").fetch_all(&mut c).await.is_err(), "ballots have no rowid to order them by insertion");
            let keys: Vec<String> = sqlx::query("SELECT ballot_key FROM ballot WHERE poll_id = $1").bind(poll).fetch_all(&mut c).await.expect("keys").iter().map(|r| r.get(0)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "stored in the order of a random key");
            assert_eq!(keys.len(), 8);
            assert!(keys.iter().all(|k| k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit())));
            let vcols: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('poll_voter')").fetch_all(&mut c).await.expect("columns").iter().map(|r| r.get(0)).collect();
            assert_eq!(vcols, ["poll_id", "user_id", "voted", "written"]);
            // The voter records keep the electorate's order, not the voting order.
            let order: Vec<i64> = sqlx::query("SELECT user_id FROM poll_voter WHERE poll_id = $1 ORDER BY rowid").bind(poll).fetch_all(&mut c).await.expect("voters").iter().map(|r| r.get(0)).collect();
            assert_eq!(order, voters.iter().map(|u| u.0).collect::<Vec<_>>());
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.expect("postgres");
            let cols: Vec<String> = sqlx::query("SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'ballot' ORDER BY ordinal_position")
                .fetch_all(&mut c)
                .await
                .expect("columns")
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(cols, ["poll_id", "ballot_key", "marks", "receipt_hash"]);
            let keys: Vec<String> = sqlx::query("SELECT ballot_key FROM ballot WHERE poll_id = $1 ORDER BY ctid").bind(poll).fetch_all(&mut c).await.expect("keys").iter().map(|r| r.get(0)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "the heap holds ballots in the order of a random key");
            let ballot_xids: BTreeSet<String> = sqlx::query("SELECT xmin::text FROM ballot WHERE poll_id = $1").bind(poll).fetch_all(&mut c).await.expect("xmin").iter().map(|r| r.get(0)).collect();
            let voter_xids: BTreeSet<String> = sqlx::query("SELECT xmin::text FROM poll_voter WHERE poll_id = $1").bind(poll).fetch_all(&mut c).await.expect("xmin").iter().map(|r| r.get(0)).collect();
            assert_eq!(ballot_xids.len(), 1, "every ballot was rewritten by the close");
            assert_eq!(ballot_xids, voter_xids, "voters and ballots share only the closing transaction");
        }
    }
}

async fn hundred_voters(db: TestDb) {
    let app = db.app().await;
    let (id, _, _) = cluster(&db, &app).await;
    let people = voters(&db, 100, "cutri").await;
    let poll = electronic(&app, id, Question::ChooseUpTo { max: 2 }, &["A", "B", "C"], &people).await;
    let mut tasks = Vec::new();
    for (i, (_, p)) in people.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move { app.cast(&p, poll, &Marks::Chosen { options: vec![(i % 3) as u16] }).await.expect("cast") }));
    }
    let mut receipts = BTreeSet::new();
    for t in tasks {
        receipts.insert(t.await.expect("task").hash);
    }
    assert_eq!(receipts.len(), 100);
    let system = &Principal::system();
    let v = app.poll_view(system, poll).await.expect("view");
    assert_eq!(v.turnout, 100);
    app.close_poll(system, poll).await.expect("close");
    let v = app.poll_view(system, poll).await.expect("view");
    let t = v.tally.expect("count");
    assert_eq!((t.cast, t.valid), (100, 100));
    assert_eq!(t.options.iter().map(|o| o.yes).sum::<u32>(), 100, "no lost vote");
    let published: BTreeSet<String> = v.published.expect("hashes").into_iter().collect();
    assert_eq!(published, receipts);
}

async fn cluster_id(s: &Server, prefix: &str) -> i64 {
    let list: Value = s.admin.get(s.url("/api/v1/clusters")).send().await.expect("get").json().await.expect("json");
    list.as_array().expect("list").iter().find(|c| c["name"].as_str().is_some_and(|n| n.starts_with(prefix))).and_then(|c| c["id"].as_i64()).expect(prefix)
}

async fn demo_year_end(s: Server) {
    let cum6 = cluster_id(&s, "Cụm thi đua số 6").await;
    let polls: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum6}/polls"))).send().await.expect("get").json().await.expect("json");
    let polls = polls.as_array().expect("polls");
    assert_eq!(polls.len(), 2);
    let mut flags = 0;
    let mut collectives = 0;
    let mut individuals = 0;
    for p in polls {
        let r: Value = s.admin.get(s.url(&format!("/api/v1/polls/{}/result", p["id"]))).send().await.expect("get").json().await.expect("json");
        for o in r["count"]["options"].as_array().expect("options").iter().filter(|o| o["adopted"] == true) {
            match (p["question"].as_str(), o["org_id"].is_null()) {
                (Some("choose_one"), _) => flags += 1,
                (_, false) => collectives += 1,
                (_, true) => individuals += 1,
            }
        }
    }
    assert_eq!((flags, collectives, individuals), (1, 2, 6), "1 Cờ, 2 Bằng khen to collectives, 6 to individuals");
    // The scoring round is closed; its ranking puts the flag's unit first.
    let campaigns: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum6}/campaigns"))).send().await.expect("get").json().await.expect("json");
    let page = s.admin.get(s.url(&format!("/campaigns/{}", campaigns[0]["id"]))).send().await.expect("get").text().await.expect("html");
    let round = page.split("href=\"/rounds/").nth(1).and_then(|x| x.split('"').next()).expect("round link").to_owned();
    let r: Value = s.admin.get(s.url(&format!("/api/v1/rounds/{round}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(r["closed"], true);
    assert_eq!(r["ranking"][0]["name"], "Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương");
    let flag: Value = s.admin.get(s.url(&format!("/api/v1/polls/{}", polls.iter().find(|p| p["question"] == "choose_one").expect("flag poll")["id"]))).send().await.expect("get").json().await.expect("json");
    let winner = flag["count"]["options"].as_array().expect("options").iter().find(|o| o["adopted"] == true).expect("winner");
    assert_eq!(winner["org_id"], r["ranking"][0]["org_id"]);
    // Closed round: anyone who sees the cluster sees the ranking; a unit outside does not see it at all.
    let r: Value = s.as_user("cumtruong").await.get(s.url(&format!("/api/v1/rounds/{round}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(r["error"]["code"], "forbidden");
}

async fn peer_visibility(s: Server) {
    let cum7 = cluster_id(&s, "Cụm thi đua 7").await;
    let leader = s.as_user("cumtruong").await;
    let campaigns: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum7}/campaigns"))).send().await.expect("get").json().await.expect("json");
    let campaign = campaigns[0]["id"].as_i64().expect("campaign");
    let r = leader.post(s.url(&format!("/api/v1/campaigns/{campaign}/rounds"))).send().await.expect("open");
    assert_eq!(r.status(), StatusCode::CREATED);
    let round: Value = r.json().await.expect("json");
    let id = round["id"].as_i64().expect("id");
    let unit = |suffix: &str| round["units"].as_array().expect("units").iter().find(|u| u["name"].as_str().is_some_and(|n| n.ends_with(suffix))).and_then(|u| u["org_id"].as_i64()).expect(suffix);
    let (satra, resco, samco) = (unit("Thương mại Sài Gòn"), unit("Địa ốc Sài Gòn"), unit("Cơ khí Giao thông vận tải Sài Gòn"));
    let sheet = |target: i64, scorer: i64, submit: bool, version: i64| {
        json!({"target_id": target, "role": "peer", "scorer_id": scorer, "version": version, "submit": submit,
               "scores": [{"code": "1.1", "centi": 14000}, {"code": "1.2", "centi": 14000}, {"code": "2", "centi": 29000}, {"code": "3", "centi": 19000}, {"code": "4", "centi": 19000}, {"code": "T", "centi": 0}, {"code": "Tr", "centi": 0}]})
    };
    let satra_officer = s.as_user("chuyenvien").await;
    let resco_officer = s.as_user("chuyenvien.resco").await;
    // RESCO scores Samco and submits; SATRA has not scored Samco yet and may not read RESCO's sheet.
    let r = resco_officer.post(s.url(&format!("/api/v1/rounds/{id}/sheet"))).json(&sheet(samco, resco, true, 1)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let peek = format!("/api/v1/rounds/{id}/sheet?target_id={samco}&role=peer&scorer_id={resco}");
    assert_eq!(satra_officer.get(s.url(&peek)).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    // SATRA may not fill RESCO's sheet either, nor score itself as a peer.
    let r = satra_officer.post(s.url(&format!("/api/v1/rounds/{id}/sheet"))).json(&sheet(samco, resco, false, 2)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = satra_officer.post(s.url(&format!("/api/v1/rounds/{id}/sheet"))).json(&sheet(satra, satra, false, 1)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A score beyond the criterion's maximum is refused with the criterion named.
    let mut over = sheet(samco, satra, false, 1);
    over["scores"][0]["centi"] = json!(15001);
    let r = satra_officer.post(s.url(&format!("/api/v1/rounds/{id}/sheet"))).json(&over).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["message"], "Điểm tiêu chí 1.1 phải từ 0 đến 150.");
    // Once SATRA has submitted its own, it sees RESCO's.
    let r = satra_officer.post(s.url(&format!("/api/v1/rounds/{id}/sheet"))).json(&sheet(samco, satra, true, 1)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let seen: Value = satra_officer.get(s.url(&peek)).send().await.expect("get").json().await.expect("json");
    assert_eq!(seen["submitted"], true);
    // The ranking is the editors' while the round is open.
    let r: Value = satra_officer.get(s.url(&format!("/api/v1/rounds/{id}"))).send().await.expect("get").json().await.expect("json");
    assert!(r["ranking"].is_null());
    let r: Value = leader.get(s.url(&format!("/api/v1/rounds/{id}"))).send().await.expect("get").json().await.expect("json");
    assert_eq!(r["ranking"].as_array().expect("ranking").len(), 11);
    let r = leader.post(s.url(&format!("/api/v1/rounds/{id}/close"))).json(&json!({"version": 1})).send().await.expect("close");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "sheets are missing");
}

async fn count_minutes(s: Server) {
    let cum6 = cluster_id(&s, "Cụm thi đua số 6").await;
    let polls: Value = s.admin.get(s.url(&format!("/api/v1/clusters/{cum6}/polls"))).send().await.expect("get").json().await.expect("json");
    let flag = polls.as_array().expect("polls").iter().find(|p| p["question"] == "choose_one").expect("flag")["id"].clone();
    let r = s.admin.get(s.url(&format!("/polls/{flag}/minutes.docx"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let p = thidua_office::docx_paragraphs(&r.bytes().await.expect("bytes")).expect("a docx that opens");
    let at = |text: &str| p.iter().position(|x| x == text).unwrap_or_else(|| panic!("{text:?} not in {p:#?}"));
    assert!(at("CỤM THI ĐUA SỐ 6 – NGÀNH TỔ CHỨC XÂY DỰNG ĐẢNG") < at("Số 01-BB/KP"));
    assert!(at("ĐẢNG CỘNG SẢN VIỆT NAM") < at("Hà Nội, ngày 20 tháng 12 năm 2023"));
    assert!(at("BIÊN BẢN KIỂM PHIẾU") < at("KẾT QUẢ KIỂM PHIẾU"));
    assert!(p.contains(&"Số người có quyền bỏ phiếu: 15; số phiếu phát ra và thu về: 15 (100,00%).".to_owned()), "{p:#?}");
    assert!(p.contains(&"1. Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương: 12 phiếu (80,00%) — đạt.".to_owned()), "{p:#?}");
}
