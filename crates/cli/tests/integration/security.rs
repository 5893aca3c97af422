//! Access control and the security baseline, over real HTTP.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use thidua_app::auth::{Principal, Security};
use thidua_app::demo::{ACCOUNTS, PASSWORD};

use crate::support::{bearer_client, client, ApiTest, Server};

pub const TESTS: &[(&str, ApiTest)] = &[
    ("authorization_matrix_covers_every_route", |s| Box::pin(authorization_matrix(s))),
    ("lists_show_only_what_the_scope_allows", |s| Box::pin(lists_are_scoped(s))),
    ("lists_checked_at_once_agree_with_each_item_checked_alone", |s| Box::pin(bulk_checks_agree(s))),
    ("cookie_writes_need_the_csrf_token", |s| Box::pin(csrf_required(s))),
    ("login_issues_a_fresh_session_id", |s| Box::pin(session_rotates(s))),
    ("revoked_token_stops_working", |s| Box::pin(token_revocation(s))),
    ("security_headers_on_every_response", |s| Box::pin(security_headers(s))),
    ("writes_are_audited_and_the_log_is_for_admins", |s| Box::pin(writes_are_audited(s))),
];

/// Tests that need a server with short session lifetimes or tight login limits.
pub const TESTS_WITH_SECURITY: &[(&str, Security, ApiTest)] = &[
    (
        "idle_session_expires",
        Security { session_idle_secs: 1, session_absolute_secs: 3600, max_account_failures: 5, max_ip_failures: 30, failure_window_secs: 900, trusted_proxy: None },
        |s| Box::pin(idle_session_expires(s)),
    ),
    (
        "session_expires_absolutely",
        Security { session_idle_secs: 3600, session_absolute_secs: 2, max_account_failures: 5, max_ip_failures: 30, failure_window_secs: 900, trusted_proxy: None },
        |s| Box::pin(absolute_session_expires(s)),
    ),
    (
        "behind_a_trusted_proxy_failures_count_per_forwarded_client",
        Security {
            session_idle_secs: 3600,
            session_absolute_secs: 3600,
            max_account_failures: 3,
            max_ip_failures: 6,
            failure_window_secs: 900,
            trusted_proxy: Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
        },
        |s| Box::pin(throttled_behind_proxy(s)),
    ),
    (
        "failed_logins_are_throttled_per_account_and_per_address",
        Security { session_idle_secs: 3600, session_absolute_secs: 3600, max_account_failures: 3, max_ip_failures: 6, failure_window_secs: 900, trusted_proxy: None },
        |s| Box::pin(login_throttled(s)),
    ),
];

/// Signs in through the login form like a browser; returns the cookie-keeping client and the
/// session's CSRF token as the page publishes it.
pub async fn browser_login(s: &Server, username: &str, password: &str) -> (reqwest::Client, StatusCode, String) {
    browser_login_from(s, username, password, None).await
}

/// As `browser_login`, through a proxy that says the client is `forwarded_for`.
async fn browser_login_from(s: &Server, username: &str, password: &str, forwarded_for: Option<&str>) -> (reqwest::Client, StatusCode, String) {
    let c = client();
    let page = c.get(s.url("/login")).send().await.expect("login page").text().await.expect("html");
    let csrf = between(&page, "name=\"csrf_token\" value=\"", "\"").expect("login csrf");
    let mut post = c.post(s.url("/login")).form(&[("username", username), ("password", password), ("csrf_token", &csrf), ("next", "/")]);
    if let Some(client) = forwarded_for {
        post = post.header("x-forwarded-for", format!("10.9.8.7, {client}"));
    }
    let r = post.send().await.expect("login");
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    if status != StatusCode::SEE_OTHER {
        return (c, status, body);
    }
    let home = c.get(s.url("/")).send().await.expect("home").text().await.expect("html");
    let token = between(&home, "<meta name=\"csrf-token\" content=\"", "\"").expect("session csrf");
    (c, status, token)
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_owned())
}

async fn id_by_name(s: &Server, path: &str, name: &str) -> i64 {
    let v: Value = s.admin.get(s.url(path)).send().await.expect("get").json().await.expect("json");
    let list = v.get("orgs").unwrap_or(&v).as_array().expect("list").clone();
    list.iter().find(|o| o["name"] == name).and_then(|o| o["id"].as_i64()).unwrap_or_else(|| panic!("{name}"))
}

/// How a route is guarded, as the matrix expects it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Guard {
    Public,
    /// Any signed-in user; lists inside are filtered by scope.
    SignedIn,
    ViewOrg,
    ViewCluster,
    EditOrg,
    AdminOnly,
    ViewMember,
    /// The members of an organization, listed (the year-end package).
    ViewMembersOf,
    EditMember,
    ReadFile,
    /// May register members somewhere.
    AnyEditMember,
    CreateMember,
    IntroduceTransfer,
    ViewTransfer,
    TransferStep,
    /// The sealed package of a transfer to another installation: the sending side.
    ExportPackage,
    ImportPackage,
    /// Registers, documents and work records.
    ViewDoc,
    EditDoc,
    CreateDoc,
    AnyEditDocs,
    /// A cluster's rules, campaigns and meetings: its owner's officers and its leader.
    EditCluster,
    /// Which units belong to a cluster in a year: its owner's officers only.
    ArrangeCluster,
    ViewCampaign,
    EditCampaign,
    /// A unit's targets: the cluster's editors, or the unit's own officers.
    RegisterTargets,
    ViewMeeting,
    EditMeeting,
    /// A key task's progress: the cluster's editors, or the owner unit's officers.
    UpdateTask,
    /// A scoring round and its explanation: who sees the cluster; explanations to editors while open.
    ViewRound,
    ExplainRound,
    /// Opening, adjusting, assigning, closing, reopening: the cluster's editors.
    EditRound,
    /// A score sheet: the cluster's editors and the scoring unit's officers.
    Sheet,
    /// A poll and, after the close, its count.
    ViewPoll,
    ManagePoll,
    /// Only the poll's voters vote.
    Vote,
    /// Opening an evaluation round: who may edit the grassroots organization.
    OpenEvaluation,
    /// A round, its grids, subjects, results and downloads: who may see the organization's members.
    ViewEvaluation,
    /// Entering steps, concluding, approving, reopening: the organization's (and its superior's) officers.
    EditEvaluation,
    /// Preparing a unit's dossiers, people and initiatives: its officers and the council secretary.
    ProposeCommendation,
    /// Reading a dossier, decision, award, person, eligibility or submission letter.
    ViewCommendation,
    /// A dossier's steps, decisions and revocations: the handling level's officers and the council
    /// secretary.
    HandleCommendation,
}

/// The decision for each route. A route the router serves but this table does not name fails the
/// test: every new route needs a policy decision here.
fn guard_of(method: &str, path: &str) -> Guard {
    use Guard::*;
    match (method, path) {
        ("GET", "/login" | "/healthz" | "/static/app.css" | "/api/v1/openapi.json" | "/lang/{code}") | ("POST", "/login") => Public,
        ("GET", "/documents" | "/records" | "/documents/stats" | "/api/v1/documents") => SignedIn,
        ("GET", "/documents/new") => AnyEditDocs,
        ("GET", "/documents/{id}" | "/api/v1/documents/{id}" | "/documents/{id}/attachments/{file}" | "/records/{id}" | "/api/v1/document-stats" | "/dashboards/documents/{id}") => ViewDoc,
        ("GET", "/dashboards" | "/dashboards/transfers" | "/import/jobs/{id}") => SignedIn,
        ("GET", "/dashboards/orgs/{id}") => ViewOrg,
        ("GET", "/dashboards/clusters/{id}" | "/clusters/{id}/report.docx") => ViewCluster,
        ("GET", "/decisions/{id}/list.docx") => ViewCommendation,
        ("GET", "/orgs/{id}/year-end.xlsx") => ViewMembersOf,
        ("POST", "/documents/{id}/withdraw" | "/documents/{id}/status" | "/documents/{id}/records" | "/documents/{id}/attachments" | "/api/v1/documents/{id}/status" | "/records/{id}/close") => EditDoc,
        ("POST", "/documents" | "/api/v1/documents" | "/records" | "/records/archive") => CreateDoc,
        ("GET", "/" | "/orgs" | "/clusters" | "/api/v1/orgs" | "/api/v1/clusters" | "/members" | "/badges" | "/transfers")
        | ("GET", "/api/v1/members" | "/api/v1/badges" | "/api/v1/transfers")
        | ("POST", "/logout") => SignedIn,
        ("GET", "/orgs/{id}" | "/api/v1/orgs/{id}" | "/api/v1/orgs/{id}/lineage" | "/api/v1/orgs/{id}/successor") => ViewOrg,
        ("GET", "/clusters/{id}" | "/api/v1/clusters/{id}" | "/clusters/{id}/rules" | "/clusters/{id}/next-year" | "/clusters/{id}/tasks")
        | ("GET", "/api/v1/clusters/{id}/rules" | "/api/v1/clusters/{id}/next-year" | "/api/v1/clusters/{id}/campaigns" | "/api/v1/clusters/{id}/meetings" | "/api/v1/clusters/{id}/tasks") => ViewCluster,
        ("GET", "/clusters/{id}/campaigns/new" | "/clusters/{id}/meetings/new")
        | ("POST", "/clusters/{id}/rules" | "/clusters/{id}/campaigns" | "/clusters/{id}/meetings")
        | ("POST", "/api/v1/clusters/{id}/rules" | "/api/v1/clusters/{id}/campaigns" | "/api/v1/clusters/{id}/meetings") => EditCluster,
        ("POST", "/clusters/{id}/years" | "/api/v1/clusters/{id}/years") => ArrangeCluster,
        ("GET", "/campaigns/{id}" | "/campaigns/{id}/covenant.docx" | "/api/v1/campaigns/{id}") => ViewCampaign,
        ("POST", "/campaigns/{id}/criteria" | "/campaigns/{id}/covenant" | "/api/v1/campaigns/{id}/criteria" | "/api/v1/campaigns/{id}/covenant") => EditCampaign,
        ("POST", "/campaigns/{id}/registrations" | "/api/v1/campaigns/{id}/registrations") => RegisterTargets,
        ("GET", "/meetings/{id}" | "/meetings/{id}/minutes.docx" | "/api/v1/meetings/{id}") => ViewMeeting,
        ("POST", "/meetings/{id}/outcome" | "/meetings/{id}/tasks" | "/api/v1/meetings/{id}/tasks") => EditMeeting,
        ("POST", "/tasks/{id}" | "/api/v1/tasks/{id}") => UpdateTask,
        ("GET", "/rounds/{id}" | "/api/v1/rounds/{id}") => ViewRound,
        ("GET", "/rounds/{id}/units/{org}" | "/api/v1/rounds/{id}/units/{org}") => ExplainRound,
        ("POST", "/campaigns/{id}/rounds" | "/api/v1/campaigns/{id}/rounds") => EditCampaign,
        ("POST", "/rounds/{id}/adjustments" | "/rounds/{id}/assignments" | "/rounds/{id}/close" | "/rounds/{id}/reopen") => EditRound,
        ("POST", "/api/v1/rounds/{id}/adjustments" | "/api/v1/rounds/{id}/assignments" | "/api/v1/rounds/{id}/close" | "/api/v1/rounds/{id}/reopen") => EditRound,
        ("GET", "/rounds/{id}/sheet" | "/api/v1/rounds/{id}/sheet" | "/rounds/{id}/files/{file}") | ("POST", "/rounds/{id}/sheet" | "/api/v1/rounds/{id}/sheet" | "/rounds/{id}/files") => Sheet,
        ("GET", "/clusters/{id}/polls/new") => EditCluster,
        ("GET", "/api/v1/clusters/{id}/polls") => ViewCluster,
        ("POST", "/clusters/{id}/polls" | "/api/v1/clusters/{id}/polls") => EditCluster,
        ("GET", "/polls/{id}" | "/api/v1/polls/{id}" | "/polls/{id}/minutes.docx" | "/api/v1/polls/{id}/result") | ("POST", "/polls/{id}/receipt" | "/api/v1/polls/{id}/receipt") => ViewPoll,
        ("POST", "/polls/{id}/open" | "/polls/{id}/close" | "/polls/{id}/written" | "/polls/{id}/paper") => ManagePoll,
        ("POST", "/api/v1/polls/{id}/open" | "/api/v1/polls/{id}/close" | "/api/v1/polls/{id}/written" | "/api/v1/polls/{id}/paper") => ManagePoll,
        ("POST", "/polls/{id}/vote" | "/api/v1/polls/{id}/vote") => Vote,
        ("GET", "/evaluations" | "/api/v1/evaluations") => SignedIn,
        ("POST", "/evaluations" | "/api/v1/evaluations") => OpenEvaluation,
        ("GET", "/evaluations/{id}" | "/evaluations/{id}/cells/{cell}" | "/evaluations/{id}/subjects/{subject}" | "/evaluations/{id}/lists.xlsx" | "/evaluations/{id}/report.docx")
        | ("GET", "/api/v1/evaluations/{id}" | "/api/v1/evaluations/{id}/results") => ViewEvaluation,
        ("POST", "/evaluations/{id}/cells/{cell}" | "/evaluations/{id}/subjects/{subject}" | "/evaluations/{id}/conclude" | "/evaluations/{id}/approve" | "/evaluations/{id}/reopen")
        | ("POST", "/api/v1/evaluations/{id}/assessments" | "/api/v1/evaluations/{id}/opinions" | "/api/v1/evaluations/{id}/conclude" | "/api/v1/evaluations/{id}/approve" | "/api/v1/evaluations/{id}/reopen") => EditEvaluation,
        ("GET", "/api/v1/members/{id}/discipline") => ViewMember,
        ("POST", "/members/{id}/discipline" | "/api/v1/members/{id}/discipline") => EditMember,
        ("GET", "/dossiers" | "/decisions" | "/awards" | "/eligibility" | "/commendation/rules")
        | ("GET", "/api/v1/commendation/rules" | "/api/v1/dossiers" | "/api/v1/decisions" | "/api/v1/awards") => SignedIn,
        ("POST", "/commendation/rules" | "/api/v1/commendation/rules") => AdminOnly,
        ("GET", "/dossiers/new") | ("POST", "/dossiers" | "/api/v1/dossiers" | "/people" | "/api/v1/people") => ProposeCommendation,
        ("POST", "/dossiers/{id}" | "/dossiers/{id}/copy" | "/dossiers/{id}/files" | "/api/v1/dossiers/{id}/copy") => ProposeCommendation,
        ("POST", "/people/{id}/initiatives" | "/api/v1/people/{id}/initiatives") => ProposeCommendation,
        ("GET", "/dossiers/{id}" | "/api/v1/dossiers/{id}" | "/dossiers/{id}/files/{file}" | "/dossiers/submission.docx") => ViewCommendation,
        ("GET", "/decisions/{id}" | "/api/v1/decisions/{id}" | "/awards/{id}/certificate.docx" | "/people/{id}" | "/api/v1/people/{id}") => ViewCommendation,
        ("GET", "/api/v1/eligibility" | "/api/v1/eligibility/bulk") => ViewCommendation,
        ("POST", "/dossiers/{id}/steps" | "/api/v1/dossiers/{id}/steps" | "/decisions" | "/api/v1/decisions" | "/awards/{id}/revoke" | "/api/v1/awards/{id}/revoke") => HandleCommendation,
        ("POST", "/api/v1/org-events") => EditOrg,
        ("GET", "/admin/audit") => AdminOnly,
        ("GET", "/members/{id}" | "/api/v1/members/{id}") => ViewMember,
        ("GET", "/members/{id}/edit") | ("POST", "/members/{id}" | "/members/{id}/gaps" | "/members/{id}/positions" | "/members/{id}/badges" | "/members/{id}/files") => EditMember,
        ("GET", "/members/{id}/files/{file}") => ReadFile,
        ("GET", "/members/new" | "/transfers/import" | "/import" | "/import/{kind}/template.xlsx") | ("POST", "/import" | "/api/v1/import/{kind}") => AnyEditMember,
        ("GET", "/transfers/{id}/package" | "/api/v1/transfers/{id}/package") => ExportPackage,
        ("POST", "/transfers/import" | "/api/v1/transfer-packages") => ImportPackage,
        ("POST", "/members" | "/api/v1/members") => CreateMember,
        ("GET", "/transfers/new") | ("POST", "/transfers" | "/api/v1/transfers") => IntroduceTransfer,
        ("GET", "/transfers/{id}" | "/api/v1/transfers/{id}" | "/transfers/{id}/letter.docx") => ViewTransfer,
        ("POST", "/transfers/{id}/steps" | "/api/v1/transfers/{id}/steps") => TransferStep,
        _ => panic!("route {method} {path} has no decision in the authorization matrix"),
    }
}

/// Whose side of the demo a target sits on: SATRA's party committee or RESCO's.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Satra,
    Resco,
}

/// The demo's grants, restated: who may do what to a target on each side. Thành ủy-wide roles
/// cover both sides for reading; only each side's unit officer acts on it.
fn allowed(caller: &str, guard: Guard, inside: bool, side: Side) -> bool {
    use Guard::*;
    let officer_of = |s: Side| matches!((caller, s), ("chuyenvien", Side::Satra) | ("chuyenvien.resco", Side::Resco));
    match guard {
        Public | SignedIn => true,
        // The electorate of the open poll is uyvien alone: nobody else votes, the admin neither.
        Vote => inside && caller == "uyvien",
        _ if caller == "admin" => true,
        AdminOnly => false,
        // The organization target is SATRA's board: outside the RESCO officer's subtree. The
        // cluster target, Cụm 7, counts both boards among its members.
        ViewOrg => inside && caller != "chuyenvien.resco",
        ViewCluster | ViewCampaign | ViewMeeting => inside,
        // Cụm 7's leader edits Cụm 7; its owner, Ban Tổ chức Thành ủy, has no officer in the demo.
        EditCluster | EditCampaign | EditMeeting => inside && caller == "cumtruong",
        // Ban Tổ chức Thành ủy owns Cụm 7 and has no officer in the demo; Cụm 6's owner neither.
        ArrangeCluster => false,
        RegisterTargets | UpdateTask => caller == "cumtruong" || officer_of(side),
        ViewRound | ViewPoll => inside,
        // Cụm 7's round is open: its totals are the leader's working figures until it closes.
        ExplainRound | EditRound | ManagePoll => inside && caller == "cumtruong",
        Sheet => caller == "cumtruong" || officer_of(side),
        EditOrg => inside && caller == "chuyenvien",
        ViewMember | ViewMembersOf | ViewEvaluation => matches!(caller, "thuky" | "lanhdao") || officer_of(side),
        // Each side's officer opens, enters, concludes and (as the superior committee of the
        // side's cells) approves.
        OpenEvaluation | EditEvaluation => officer_of(side),
        // The council secretary (Thành ủy-wide) prepares and handles dossiers too; council
        // members and leaders read them.
        ProposeCommendation | HandleCommendation => officer_of(side) || caller == "thuky",
        ViewCommendation => officer_of(side) || matches!(caller, "thuky" | "uyvien" | "lanhdao"),
        EditMember | ReadFile | CreateMember | IntroduceTransfer | ViewTransfer | TransferStep | ImportPackage => officer_of(side),
        // Only RESCO's transfer goes to another installation and RESCO sends it; SATRA only
        // receives its transfer, so may not export it.
        ExportPackage => side == Side::Resco && caller == "chuyenvien.resco",
        AnyEditMember | AnyEditDocs => matches!(caller, "chuyenvien" | "chuyenvien.resco"),
        ViewDoc => matches!(caller, "thuky" | "uyvien" | "lanhdao") || officer_of(side),
        EditDoc | CreateDoc => officer_of(side),
    }
}

async fn member_id(s: &Server, name: &str) -> (i64, i64) {
    let list: Value = s.admin.get(s.url(&format!("/api/v1/members?q={name}"))).send().await.expect("get").json().await.expect("json");
    let id = list[0]["id"].as_i64().unwrap_or_else(|| panic!("{name}"));
    let detail: Value = s.admin.get(s.url(&format!("/api/v1/members/{id}"))).send().await.expect("get").json().await.expect("json");
    (id, detail["file_ids"][0].as_i64().unwrap_or(0))
}

async fn authorization_matrix(s: Server) {
    let today = thidua_core::date::iso(thidua_app::today());
    let tree = format!("/api/v1/orgs?date={today}");
    // One organization and one cluster inside every demo account's scope, one outside all of them.
    let org_in = id_by_name(&s, &tree, "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let org_out = id_by_name(&s, &tree, "Cục Tổ chức cán bộ, Bộ Công an").await;
    let cluster_in = id_by_name(&s, "/api/v1/clusters", "Cụm thi đua 7 – Ban Tổ chức Thành ủy").await;
    let cluster_out = id_by_name(&s, "/api/v1/clusters", "Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng").await;
    // Members, cells and transfers on each side.
    let (satra_member, satra_file) = member_id(&s, "Nguyễn Văn Bình").await;
    let (resco_member, resco_file) = member_id(&s, "Lý Thị Ngọc").await;
    let satra_cell = id_by_name(&s, &tree, "Chi bộ Văn phòng Tổng Công ty Thương mại Sài Gòn").await;
    let resco_cell = id_by_name(&s, &tree, "Chi bộ Cơ quan Tổng Công ty Địa ốc Sài Gòn").await;
    let transfers: Value = s.admin.get(s.url("/api/v1/transfers")).send().await.expect("get").json().await.expect("json");
    let transfer_of = |name: &str| transfers.as_array().expect("list").iter().find(|t| t["member_name"] == name).and_then(|t| t["id"].as_i64()).expect("transfer");
    // Received at SATRA from the Ban Quản lý; sent by RESCO to another installation.
    let satra_transfer = transfer_of("Tạ Văn Sơn");
    let resco_transfer = transfer_of("Mai Thị Quyên");
    // Registers, a document with an attachment and a work record on each side.
    let system = thidua_app::auth::Principal::system();
    let satra_register = id_by_name(&s, &tree, "Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let resco_register = id_by_name(&s, &tree, "Đảng ủy Tổng Công ty Địa ốc Sài Gòn").await;
    let mut docs = std::collections::HashMap::new();
    for register in [satra_register, resco_register] {
        let filter = thidua_app::documents::SearchFilter { registers: None, ..Default::default() };
        let mut found = None;
        for d in s.app.documents(&system, filter, 500, 0).await.expect("documents").into_iter().filter(|d| d.org.0 == register) {
            if let Some(a) = s.app.document(&system, d.id).await.expect("doc").attachments.first() {
                found = Some((d, a.id));
                break;
            }
        }
        let (doc, attachment) = found.expect("a document with an attachment on each side");
        let record = s.app.work_records(&system, None).await.expect("records").into_iter().find(|r| r.org.0 == register).expect("record").id;
        docs.insert(register, (doc.id, attachment, record));
    }
    let (satra_doc, satra_attachment, satra_record) = docs[&satra_register];
    // Campaigns, meetings and key tasks of Cụm 7 (inside) and Cụm 6 (outside).
    let first = |v: Value| v[0]["id"].as_i64().expect("id");
    let sref = &s;
    let get = |path: String| async move { sref.admin.get(sref.url(&path)).send().await.expect("get").json::<Value>().await.expect("json") };
    let campaign_in = first(get(format!("/api/v1/clusters/{cluster_in}/campaigns")).await);
    let campaign_out = first(get(format!("/api/v1/clusters/{cluster_out}/campaigns")).await);
    let meeting_in = first(get(format!("/api/v1/clusters/{cluster_in}/meetings")).await);
    let meeting_out = first(get(format!("/api/v1/clusters/{cluster_out}/meetings")).await);
    let satra_board = org_in;
    let resco_board = id_by_name(&s, &tree, "Ban Tổ chức Đảng ủy Tổng Công ty Địa ốc Sài Gòn").await;
    let cum6_unit = id_by_name(&s, "/api/v1/orgs?date=2023-06-01", "Cục Tổ chức cán bộ, Bộ Công an").await;
    let tasks_in = get(format!("/api/v1/clusters/{cluster_in}/tasks?year=2023")).await;
    let task_of = |owner: i64| tasks_in["tasks"].as_array().expect("tasks").iter().find(|t| t["owner_id"] == owner).and_then(|t| t["id"].as_i64()).expect("task");
    let (satra_task, resco_task) = (task_of(satra_board), task_of(resco_board));
    // A scoring round of Cụm 7 (open) with an evidence file on each side's sheet about Samco, and
    // Cụm 6's closed round; an open and a closed poll of Cụm 7, and a closed poll of Cụm 6.
    let campaign_detail = get(format!("/api/v1/campaigns/{campaign_in}")).await;
    let samco_board = campaign_detail["units"].as_array().expect("units").iter().find(|u| u["name"].as_str().is_some_and(|n| n.ends_with("Cơ khí Giao thông vận tải Sài Gòn"))).and_then(|u| u["org_id"].as_i64()).expect("Samco");
    let round_in = s.admin.post(s.url(&format!("/api/v1/campaigns/{campaign_in}/rounds"))).send().await.expect("open").json::<Value>().await.expect("json")["id"].as_i64().expect("round");
    let round_out = get(format!("/api/v1/campaigns/{campaign_out}")).await["round_id"].as_i64().expect("Cụm 6 round");
    let mut file_ids = Vec::new();
    for scorer in [satra_board, resco_board] {
        let part = reqwest::multipart::Part::bytes(b"bien ban".to_vec()).file_name("bienban.txt");
        let form = reqwest::multipart::Form::new().text("target", samco_board.to_string()).text("role", "peer").text("scorer", scorer.to_string()).text("code", "1.1").part("file", part);
        let r = s.admin.post(s.url(&format!("/rounds/{round_in}/files"))).multipart(form).send().await.expect("upload");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = s.admin.get(s.url(&format!("/rounds/{round_in}/sheet?target={samco_board}&role=peer&scorer={scorer}"))).send().await.expect("get").text().await.expect("html");
        let file = page.split(&format!("/rounds/{round_in}/files/")).nth(1).and_then(|x| x.split('"').next()).and_then(|x| x.parse::<i64>().ok()).expect("file id");
        file_ids.push(file);
    }
    let (satra_file_id, resco_file_id) = (file_ids[0], file_ids[1]);
    let poll = |body: Value| async move { sref.admin.post(sref.url(&format!("/api/v1/clusters/{cluster_in}/polls"))).json(&body).send().await.expect("poll").json::<Value>().await.expect("json")["id"].as_i64().expect("poll id") };
    let poll_open_in = poll(json!({"title": "Bỏ phiếu mở", "question": "choose_one", "mode": "electronic", "basis": "cluster", "held_on": "2024-10-10", "options": [{"label": "A"}, {"label": "B"}], "voters": ["uyvien"]})).await;
    let poll_closed_in = poll(json!({"title": "Bỏ phiếu đã kết thúc", "question": "choose_one", "mode": "paper", "electorate": 3, "basis": "cluster", "held_on": "2024-10-10", "options": [{"label": "A"}, {"label": "B"}]})).await;
    for (id, action, body) in [(poll_open_in, "open", json!({})), (poll_closed_in, "open", json!({})), (poll_closed_in, "paper", json!({"chosen": [0]})), (poll_closed_in, "paper", json!({"chosen": [1]})), (poll_closed_in, "close", json!({}))] {
        let r = s.admin.post(s.url(&format!("/api/v1/polls/{id}/{action}"))).json(&body).send().await.expect("poll action");
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{action}");
    }
    let poll_out = get(format!("/api/v1/clusters/{cluster_out}/polls")).await[0]["id"].as_i64().expect("Cụm 6 poll");
    let task_version = |id: i64| async move {
        let v = sref.admin.get(sref.url(&format!("/api/v1/clusters/{cluster_in}/tasks?year=2023"))).send().await.expect("get").json::<Value>().await.expect("json");
        v["tasks"].as_array().expect("tasks").iter().find(|t| t["id"] == id).and_then(|t| t["version"].as_i64()).expect("version")
    };
    let (resco_doc, resco_attachment, resco_record) = docs[&resco_register];
    // An evaluation round of a cell on each side, with a member subject of each.
    let mut eval_rounds = Vec::new();
    for cell in [satra_cell, resco_cell] {
        let r = s.admin.post(s.url("/api/v1/evaluations")).json(&json!({"org_id": cell, "year": 2024})).send().await.expect("open round");
        assert_eq!(r.status(), StatusCode::CREATED);
        let round: Value = r.json().await.expect("json");
        let subject = round["subjects"].as_array().expect("subjects").iter().find(|x| x["kind"] == "member").and_then(|x| x["id"].as_i64()).expect("a member");
        eval_rounds.push((round["id"].as_i64().expect("id"), subject));
    }
    let ((satra_eval, satra_subject), (resco_eval, resco_subject)) = (eval_rounds[0], eval_rounds[1]);
    // Commendation on each side: a person, a dossier submitted by a cell to its committee (with a
    // file), and a decision of the committee with two awards to the cell (one to print, one to revoke).
    let mut commendation = Vec::new();
    for (cell, committee) in [(satra_cell, satra_register), (resco_cell, resco_register)] {
        use thidua_app::commendation::{NewAward, NewDecision, NewDossier, NewPerson, NomineeRef, StepInput};
        let cell_id = thidua_core::org::OrgId(cell);
        let person = s.app.add_person(&system, &NewPerson { full_name: "Nguyễn Văn Thử".into(), org: cell_id, position: None }).await.expect("person");
        let dossier = s.app.create_dossier(&system, &NewDossier { year: 2024, title: "giay_khen".into(), nominee: NomineeRef::Org(cell_id), proposer: cell_id, achievements: "Thành tích".into() }).await.expect("dossier");
        s.app.add_dossier_file(&system, dossier, &thidua_app::documents::NewAttachment { name: "thanh-tich.txt".into(), bytes: b"bao cao thanh tich".to_vec() }).await.expect("file");
        s.app.dossier_step(&system, dossier, 2, thidua_core::commendation::DossierAction::Submit, &StepInput::default()).await.expect("submit (the file moved the version)");
        let file = s.app.dossier_view(&system, dossier).await.expect("view").files[0].id;
        let award = |n: i16| NewAward { title: "giay_khen".into(), year: 2020 + n, nominee: NomineeRef::Org(cell_id) };
        let decision = NewDecision { issuer: thidua_core::org::OrgId(committee), number_symbol: format!("{cell}-QĐ/ĐU"), decided_on: thidua_app::today(), signer: "Bí thư".into(), summary: "Khen thưởng".into(), dossiers: vec![], awards: vec![award(1), award(2)] };
        let decision = s.app.record_decision(&system, &decision).await.expect("decision");
        let awards: Vec<i64> = s.app.decision_view(&system, decision).await.expect("decision").2.iter().map(|l| l.award.id).collect();
        commendation.push((person, dossier, file, decision, awards[0], awards[1]));
    }
    let dossier_version = |id: i64| async move { sref.app.dossier_view(&thidua_app::auth::Principal::system(), id).await.map(|v| v.row.version).unwrap_or(1) };
    let eval_version = |round: i64, subject: i64| async move {
        let v = sref.admin.get(sref.url(&format!("/api/v1/evaluations/{round}"))).send().await.expect("get").json::<Value>().await.expect("json");
        v["subjects"].as_array().expect("subjects").iter().find(|x| x["id"] == subject).and_then(|x| x["version"].as_i64()).expect("version")
    };

    let mut callers: Vec<(&str, Option<reqwest::Client>)> = vec![("anonymous", None)];
    for a in &ACCOUNTS {
        callers.push((a.username, Some(s.as_user(a.username).await)));
    }
    let routes = thidua_web::route_table();
    assert!(routes.len() >= 40, "the route table is the router: {} routes", routes.len());
    let mut checked = 0;
    let mut n = 0;
    for route in &routes {
        let method = route.method.as_str();
        let guard = guard_of(method, route.path);
        assert_eq!(guard == Guard::Public, route.access == thidua_web::Access::Public, "{method} {}", route.path);
        // (inside the scope of the Thành ủy-wide roles, side, id in the path, file id)
        let targets: Vec<(bool, Side, i64, i64)> = match guard {
            Guard::ViewOrg | Guard::EditOrg => vec![(true, Side::Satra, org_in, 0), (false, Side::Satra, org_out, 0)],
            Guard::ViewCluster | Guard::EditCluster | Guard::ArrangeCluster => vec![(true, Side::Satra, cluster_in, 0), (false, Side::Satra, cluster_out, 0)],
            Guard::ViewCampaign | Guard::EditCampaign => vec![(true, Side::Satra, campaign_in, satra_board), (false, Side::Satra, campaign_out, cum6_unit)],
            Guard::RegisterTargets => vec![(true, Side::Satra, campaign_in, satra_board), (true, Side::Resco, campaign_in, resco_board)],
            Guard::ViewMeeting | Guard::EditMeeting => vec![(true, Side::Satra, meeting_in, 0), (false, Side::Satra, meeting_out, 0)],
            Guard::UpdateTask => vec![(true, Side::Satra, satra_task, 0), (true, Side::Resco, resco_task, 0)],
            Guard::ViewRound | Guard::EditRound => vec![(true, Side::Satra, round_in, 0), (false, Side::Satra, round_out, 0)],
            Guard::ExplainRound => vec![(true, Side::Satra, round_in, satra_board), (false, Side::Satra, round_out, cum6_unit)],
            // The file slot carries the evidence file of each side's sheet about Samco.
            Guard::Sheet => vec![(true, Side::Satra, round_in, satra_file_id), (true, Side::Resco, round_in, resco_file_id)],
            Guard::ViewPoll => vec![(true, Side::Satra, poll_closed_in, 0), (false, Side::Satra, poll_out, 0)],
            Guard::ManagePoll | Guard::Vote => vec![(true, Side::Satra, poll_open_in, 0), (false, Side::Satra, poll_out, 0)],
            Guard::ViewMember | Guard::EditMember | Guard::ReadFile | Guard::IntroduceTransfer => {
                vec![(true, Side::Satra, satra_member, satra_file), (true, Side::Resco, resco_member, resco_file)]
            }
            Guard::CreateMember | Guard::ImportPackage => vec![(true, Side::Satra, satra_cell, 0), (true, Side::Resco, resco_cell, 0)],
            Guard::ViewDoc | Guard::EditDoc if route.path.starts_with("/records/") => vec![(true, Side::Satra, satra_record, 0), (true, Side::Resco, resco_record, 0)],
            Guard::ViewDoc if matches!(route.path, "/api/v1/document-stats" | "/dashboards/documents/{id}") => vec![(true, Side::Satra, satra_register, 0), (true, Side::Resco, resco_register, 0)],
            Guard::ViewDoc | Guard::EditDoc => vec![(true, Side::Satra, satra_doc, satra_attachment), (true, Side::Resco, resco_doc, resco_attachment)],
            Guard::CreateDoc => vec![(true, Side::Satra, satra_register, 0), (true, Side::Resco, resco_register, 0)],
            Guard::ViewTransfer | Guard::TransferStep | Guard::ExportPackage => vec![(true, Side::Satra, satra_transfer, 0), (true, Side::Resco, resco_transfer, 0)],
            Guard::OpenEvaluation | Guard::ViewMembersOf => vec![(true, Side::Satra, satra_cell, 0), (true, Side::Resco, resco_cell, 0)],
            Guard::ProposeCommendation | Guard::ViewCommendation | Guard::HandleCommendation => {
                // The id slot as each route reads it: a cell, a dossier, a person, a decision, an award.
                let pick = |c: &(i64, i64, i64, i64, i64, i64), cell: i64, committee: i64| -> (i64, i64) {
                    let p = route.path;
                    if p.starts_with("/people/") || p.starts_with("/api/v1/people/") {
                        (c.0, 0)
                    } else if p.starts_with("/dossiers/{id}") || p.starts_with("/api/v1/dossiers/{id}") {
                        (c.1, c.2)
                    } else if p.contains("/decisions/{id}") {
                        (c.3, 0)
                    } else if p.ends_with("/certificate.docx") {
                        (c.4, 0)
                    } else if p.ends_with("/revoke") {
                        (c.5, 0)
                    } else if matches!(p, "/decisions" | "/api/v1/decisions") {
                        (committee, 0)
                    } else {
                        (cell, 0)
                    }
                };
                let (a, b) = (pick(&commendation[0], satra_cell, satra_register), pick(&commendation[1], resco_cell, resco_register));
                vec![(true, Side::Satra, a.0, a.1), (true, Side::Resco, b.0, b.1)]
            }
            // The file slot carries the member subject of each side's round.
            Guard::ViewEvaluation | Guard::EditEvaluation => vec![(true, Side::Satra, satra_eval, satra_subject), (true, Side::Resco, resco_eval, resco_subject)],
            _ => vec![(true, Side::Satra, 0, 0)],
        };
        for (caller, client) in &callers {
            for (inside, side, id, file) in &targets {
                n += 1;
                let mut path = route.path.replace("{id}", &id.to_string()).replace("{file}", &file.to_string()).replace("{code}", "en").replace("{kind}", "members");
                if route.path == "/transfers/new" {
                    path = format!("{path}?member={id}");
                }
                if route.path == "/api/v1/transfer-packages" {
                    path = format!("{path}?org_id={id}");
                }
                match route.path {
                    "/dossiers/new" => path = format!("{path}?proposer={id}"),
                    "/dossiers/submission.docx" => path = format!("{path}?proposer={id}&year=2024&kind=letter"),
                    "/api/v1/eligibility" => path = format!("{path}?nominee=org:{id}&title=giay_khen&year=2024"),
                    "/api/v1/eligibility/bulk" => path = format!("{path}?scope_id={id}&title=cb_htxsnv_5_nam&year=2024"),
                    _ => {}
                }
                let scorer_of_side = if *side == Side::Satra { satra_board } else { resco_board };
                if matches!(route.path, "/rounds/{id}/sheet" | "/api/v1/rounds/{id}/sheet") && method == "GET" {
                    let names = if path.starts_with("/api/") { ("target_id", "scorer_id") } else { ("target", "scorer") };
                    path = format!("{path}?{}={samco_board}&role=peer&{}={scorer_of_side}", names.0, names.1);
                }
                path = path.replace("{org}", &file.to_string()).replace("{subject}", &file.to_string());
                path = path.replace("{cell}", &(if *side == Side::Satra { satra_cell } else { resco_cell }).to_string());
                if route.path == "/api/v1/document-stats" {
                    path = format!("{path}?register_id={id}&unit_id={id}&from=2023-01-01&to=2023-12-31");
                }
                let record_of_side = if *side == Side::Satra { satra_record } else { resco_record };
                let http = client.clone().unwrap_or_else(crate::support::client);
                let url = s.url(&path);
                let other_cell = if *side == Side::Satra { resco_cell } else { satra_cell };
                let request = match (method, route.path) {
                    ("GET", _) => http.get(url),
                    ("POST", "/api/v1/org-events") => http.post(url).json(&json!({"date": today, "change": {"type": "rename", "org_id": id, "name": format!("Tên thử {n}")}})),
                    ("POST", "/api/v1/members") => http.post(url).json(&json!({"full_name": format!("Người thử {n}"), "birth_date": "1990-01-01", "gender": "male", "admitted_on": "2015-01-01", "official_on": "2016-01-01", "org_id": id})),
                    ("POST", "/members") => http.post(url).form(&[("full_name", format!("Người thử {n}")), ("birth_date", "01/01/1990".into()), ("gender", "male".into()), ("admitted_on", "01/01/2015".into()), ("official_on", "01/01/2016".into()), ("org", id.to_string())]),
                    ("POST", "/members/{id}") => {
                        let current: Value = s.admin.get(s.url(&format!("/api/v1/members/{id}"))).send().await.expect("get").json().await.expect("json");
                        http.post(url).form(&[
                            ("full_name", current["full_name"].as_str().unwrap_or_default().to_owned()),
                            ("birth_date", current["birth_date"].as_str().unwrap_or_default().to_owned()),
                            ("gender", current["gender"].as_str().unwrap_or_default().to_owned()),
                            ("admitted_on", current["admitted_on"].as_str().unwrap_or_default().to_owned()),
                            ("official_on", current["official_on"].as_str().unwrap_or_default().to_owned()),
                            ("phone", format!("09{n:08}")),
                            ("version", current["version"].to_string()),
                        ])
                    }
                    ("POST", "/members/{id}/gaps") => http.post(url).form(&[("kind", "lost_contact"), ("from", "01/01/2021"), ("to", "15/01/2021")]),
                    ("POST", "/members/{id}/positions") => http.post(url).form(&[("title", "Chi ủy viên"), ("from", "01/01/2021")]),
                    ("POST", "/members/{id}/badges") => http.post(url).form(&[("milestone", "30"), ("on", "02/09/2090")]),
                    ("POST", "/members/{id}/files") => {
                        let part = reqwest::multipart::Part::bytes(b"van ban thu".to_vec()).file_name("thu.txt");
                        http.post(url).multipart(reqwest::multipart::Form::new().part("file", part))
                    }
                    ("POST", "/transfers") => http.post(url).form(&[("member", id.to_string()), ("to_org", other_cell.to_string()), ("kind", "official".into()), ("trigger_on", today.clone()), ("introduced_on", today.clone())]),
                    ("POST", "/api/v1/transfers") => http.post(url).json(&json!({"member_id": id, "to_org_id": other_cell, "kind": "official", "trigger_on": today, "introduced_on": today})),
                    ("POST", "/transfers/{id}/steps") => http.post(url).form(&[("action", "report"), ("on", today.as_str())]),
                    ("POST", "/api/v1/transfers/{id}/steps") => http.post(url).json(&json!({"action": "report", "on": today})),
                    ("POST", "/logout" | "/login") => http.post(url).form(&[("x", "y")]),
                    ("POST", "/transfers/import") => {
                        let file = reqwest::multipart::Part::bytes(b"{}".to_vec()).file_name("goi.json");
                        http.post(url).multipart(reqwest::multipart::Form::new().text("org", id.to_string()).part("file", file))
                    }
                    ("POST", "/api/v1/transfer-packages") => http.post(url).body("{}"),
                    // A dry run of a file with no rows: a report, nothing written.
                    ("POST", "/import") => {
                        let file = reqwest::multipart::Part::bytes("Họ và tên\n".as_bytes().to_vec()).file_name("dang-vien.csv");
                        http.post(url).multipart(reqwest::multipart::Form::new().text("kind", "members").text("dry_run", "1").part("file", file))
                    }
                    ("POST", "/api/v1/import/{kind}") => http.post(url).body("Họ và tên\n"),
                    ("POST", "/documents") => {
                        let form = reqwest::multipart::Form::new()
                            .text("direction", "incoming")
                            .text("register", id.to_string())
                            .text("doc_type", "CV")
                            .text("summary", format!("Văn bản thử {n}"))
                            .text("source_symbol", "12-CV/TU");
                        http.post(url).multipart(form)
                    }
                    ("POST", "/api/v1/documents") => http.post(url).json(&json!({"direction": "incoming", "register_id": id, "doc_type": "CV", "summary": format!("Văn bản thử {n}")})),
                    ("POST", "/records") => http.post(url).form(&[("register", id.to_string()), ("code", format!("T{n}")), ("title", "Hồ sơ thử".into()), ("opened_on", "01/01/2024".into())]),
                    ("POST", "/records/archive") => http.post(url).form(&[("register", id.to_string())]),
                    ("POST", "/records/{id}/close") => http.post(url).form(&[("on", today.as_str())]),
                    ("POST", "/documents/{id}/withdraw") => http.post(url).form(&[("version", "1"), ("reason", "thử")]),
                    ("POST", "/documents/{id}/status" | "/api/v1/documents/{id}/status") => {
                        let version = s.app.document(&system, *id).await.map(|d| d.row.version).unwrap_or(1);
                        if path.starts_with("/api/") {
                            http.post(url).json(&json!({"version": version, "to": "filed"}))
                        } else {
                            http.post(url).form(&[("version", version.to_string()), ("to", "filed".into())])
                        }
                    }
                    ("POST", "/documents/{id}/records") => http.post(url).form(&[("record", record_of_side.to_string())]),
                    ("POST", "/documents/{id}/attachments") => {
                        let part = reqwest::multipart::Part::bytes(b"noi dung thu".to_vec()).file_name("thu.txt");
                        http.post(url).multipart(reqwest::multipart::Form::new().part("file", part))
                    }
                    ("POST", "/clusters/{id}/rules") => http.post(url).form(&[("scale", "1000"), ("threshold", "50")]),
                    ("POST", "/api/v1/clusters/{id}/rules") => http.post(url).json(&json!({"rotation": [], "scale": 1000, "leading_vote_threshold_pct": 50})),
                    ("POST", "/clusters/{id}/years") => http.post(url).form(&[("year", "2030")]),
                    ("POST", "/api/v1/clusters/{id}/years") => http.post(url).json(&json!({"year": 2030, "members": []})),
                    ("POST", "/clusters/{id}/campaigns") => http.post(url).form(&[("kind", "regular"), ("year", "2030"), ("title", &format!("Phong trào thử {n}"))]),
                    ("POST", "/api/v1/clusters/{id}/campaigns") => http.post(url).json(&json!({"kind": "regular", "year": 2030, "title": format!("Phong trào thử {n}")})),
                    ("POST", "/clusters/{id}/meetings") => http.post(url).form(&[("kind", "seminar"), ("held_on", "10/10/2024"), ("locality", "Hà Nội"), ("place", "Hội trường")]),
                    ("POST", "/api/v1/clusters/{id}/meetings") => http.post(url).json(&json!({"kind": "seminar", "held_on": "2024-10-10", "locality": "Hà Nội", "place": "Hội trường", "unit_ids": []})),
                    ("POST", "/campaigns/{id}/criteria") => http.post(url).form(&[("criteria", "1 | Tiêu chí thử | 1000")]),
                    ("POST", "/api/v1/campaigns/{id}/criteria") => http.post(url).json(&json!([{"code": "1", "title": "Tiêu chí thử", "max_points": 1000, "kind": "normal"}])),
                    ("POST", "/campaigns/{id}/covenant") => http.post(url).form(&[("org", file.to_string()), ("status", "absent".into()), ("reason", "Đi công tác".into())]),
                    ("POST", "/api/v1/campaigns/{id}/covenant") => http.post(url).json(&json!({"org_id": file, "status": "absent", "reason": "Đi công tác"})),
                    ("POST", "/campaigns/{id}/registrations") => http.post(url).form(&[("org", file.to_string()), ("targets", "Chỉ tiêu thử".into())]),
                    ("POST", "/api/v1/campaigns/{id}/registrations") => http.post(url).json(&json!({"org_id": file, "targets": ["Chỉ tiêu thử"]})),
                    ("POST", "/meetings/{id}/outcome") => http.post(url).form(&[("version", "1"), ("discussion", "Thảo luận thử"), ("conclusions", "Kết luận thử")]),
                    ("POST", "/meetings/{id}/tasks") => http.post(url).form(&[("title", "Nhiệm vụ thử")]),
                    ("POST", "/api/v1/meetings/{id}/tasks") => http.post(url).json(&json!({"title": "Nhiệm vụ thử"})),
                    ("POST", "/tasks/{id}") => http.post(url).form(&[("version", task_version(*id).await.to_string()), ("status", "in_progress".into()), ("note", format!("Tiến độ {n}"))]),
                    ("POST", "/api/v1/tasks/{id}") => http.post(url).json(&json!({"version": task_version(*id).await, "status": "in_progress", "note": format!("Tiến độ {n}")})),
                    ("POST", "/rounds/{id}/adjustments") => http.post(url).form(&[("org", satra_board.to_string()), ("points", "-1".into()), ("reason", format!("Điều chỉnh thử {n}"))]),
                    ("POST", "/api/v1/rounds/{id}/adjustments") => http.post(url).json(&json!({"org_id": satra_board, "centi": -100, "reason": format!("Điều chỉnh thử {n}")})),
                    ("POST", "/rounds/{id}/assignments") => http.post(url).form(&[("x", "y")]),
                    ("POST", "/api/v1/rounds/{id}/assignments") => http.post(url).json(&json!([])),
                    ("POST", "/rounds/{id}/close" | "/rounds/{id}/reopen") => {
                        let version = s.admin.get(s.url(&format!("/api/v1/rounds/{id}"))).send().await.expect("get").json::<Value>().await.expect("json")["version"].as_i64().unwrap_or(1);
                        http.post(url).form(&[("version", version.to_string()), ("reason", "Mở lại thử".into())])
                    }
                    ("POST", "/api/v1/rounds/{id}/close" | "/api/v1/rounds/{id}/reopen") => {
                        let version = s.admin.get(s.url(&format!("/api/v1/rounds/{id}"))).send().await.expect("get").json::<Value>().await.expect("json")["version"].as_i64().unwrap_or(1);
                        http.post(url).json(&json!({"version": version, "reason": "Mở lại thử"}))
                    }
                    ("POST", "/rounds/{id}/sheet") => http.post(url).form(&[("target", samco_board.to_string()), ("role", "peer".into()), ("scorer", scorer_of_side.to_string()), ("version", "1".into()), ("score_1.1", "100".into())]),
                    ("POST", "/api/v1/rounds/{id}/sheet") => http.post(url).json(&json!({"target_id": samco_board, "role": "peer", "scorer_id": scorer_of_side, "version": 1, "scores": [{"code": "1.1", "centi": 10000}]})),
                    ("POST", "/rounds/{id}/files") => {
                        let part = reqwest::multipart::Part::bytes(b"minh chung thu".to_vec()).file_name("minhchung.txt");
                        let form = reqwest::multipart::Form::new().text("target", samco_board.to_string()).text("role", "peer").text("scorer", scorer_of_side.to_string()).text("code", "1.1").part("file", part);
                        http.post(url).multipart(form)
                    }
                    ("POST", "/clusters/{id}/polls") => http.post(url).form(&[("title", format!("Bỏ phiếu thử {n}")), ("held_on", "10/10/2024".into()), ("question", "choose_one".into()), ("mode", "electronic".into()), ("basis", "cluster".into()), ("options", "A\nB".into()), ("voters", "uyvien".into())]),
                    ("POST", "/api/v1/clusters/{id}/polls") => http.post(url).json(&json!({"title": format!("Bỏ phiếu thử {n}"), "question": "choose_one", "mode": "electronic", "basis": "cluster", "held_on": "2024-10-10", "options": [{"label": "A"}, {"label": "B"}], "voters": ["uyvien"]})),
                    ("POST", "/polls/{id}/receipt") => http.post(url).form(&[("token", "khong-co")]),
                    ("POST", "/api/v1/polls/{id}/receipt") => http.post(url).json(&json!({"receipt": "khong-co"})),
                    ("POST", "/polls/{id}/open" | "/polls/{id}/close" | "/api/v1/polls/{id}/open" | "/api/v1/polls/{id}/close" | "/campaigns/{id}/rounds" | "/api/v1/campaigns/{id}/rounds") => http.post(url).form(&[("x", "y")]),
                    ("POST", "/polls/{id}/written") => http.post(url).form(&[("voter", "uyvien"), ("choice", "0")]),
                    ("POST", "/api/v1/polls/{id}/written") => http.post(url).json(&json!({"username": "uyvien", "marks": {"chosen": [0]}})),
                    ("POST", "/polls/{id}/paper" | "/polls/{id}/vote") => http.post(url).form(&[("choice", "0")]),
                    ("POST", "/api/v1/polls/{id}/paper" | "/api/v1/polls/{id}/vote") => http.post(url).json(&json!({"chosen": [0]})),
                    ("POST", "/evaluations") => http.post(url).form(&[("org", id.to_string()), ("year", "2019".into())]),
                    ("POST", "/api/v1/evaluations") => http.post(url).json(&json!({"org_id": id, "year": 2019})),
                    ("POST", "/evaluations/{id}/cells/{cell}" | "/evaluations/{id}/subjects/{subject}") => {
                        let version = eval_version(*id, *file).await;
                        http.post(url).form(&[(format!("s{file}_v"), version.to_string()), (format!("s{file}_total"), format!("{}", n % 7 + 1)), (format!("s{file}_on_time"), "1".into())])
                    }
                    ("POST", "/api/v1/evaluations/{id}/assessments") => http.post(url).json(&json!([{"subject_id": file, "version": eval_version(*id, *file).await, "tasks": {"total": n % 7 + 1, "on_time": 1}}])),
                    ("POST", "/api/v1/evaluations/{id}/opinions") => http.post(url).json(&json!([{"subject_id": file, "version": eval_version(*id, *file).await, "level": "httnv"}])),
                    ("POST", "/evaluations/{id}/conclude" | "/evaluations/{id}/approve") => http.post(url).form(&[("action", "conclude")]),
                    ("POST", "/api/v1/evaluations/{id}/conclude" | "/api/v1/evaluations/{id}/approve") => http.post(url).json(&json!({})),
                    ("POST", "/evaluations/{id}/reopen") => http.post(url).form(&[("reason", format!("Sửa thử {n}"))]),
                    ("POST", "/api/v1/evaluations/{id}/reopen") => http.post(url).json(&json!({"reason": format!("Sửa thử {n}")})),
                    ("POST", "/members/{id}/discipline") => http.post(url).form(&[("form", "reprimand"), ("decided_on", "01/01/2021"), ("decision", "1-QĐ"), ("reason", "Thử")]),
                    ("POST", "/api/v1/members/{id}/discipline") => http.post(url).json(&json!({"form": "reprimand", "decided_on": "2021-01-01", "decision": "1-QĐ", "reason": "Thử"})),
                    ("POST", "/dossiers") => http.post(url).form(&[("proposer", id.to_string()), ("nominee", format!("org:{id}")), ("title", "giay_khen".into()), ("year", "2024".into())]),
                    ("POST", "/api/v1/dossiers") => http.post(url).json(&json!({"proposer_id": id, "nominee": format!("org:{id}"), "title": "giay_khen", "year": 2024})),
                    ("POST", "/people") => http.post(url).form(&[("org", id.to_string()), ("full_name", format!("Người thử {n}"))]),
                    ("POST", "/api/v1/people") => http.post(url).json(&json!({"org_id": id, "full_name": format!("Người thử {n}")})),
                    ("POST", "/dossiers/{id}") => http.post(url).form(&[("version", dossier_version(*id).await.to_string()), ("title", "giay_khen".into()), ("achievements", format!("Thành tích {n}"))]),
                    ("POST", "/dossiers/{id}/copy" | "/api/v1/dossiers/{id}/copy") => http.post(url).form(&[("x", "y")]),
                    ("POST", "/dossiers/{id}/files") => {
                        let part = reqwest::multipart::Part::bytes(b"them".to_vec()).file_name("them.txt");
                        http.post(url).multipart(reqwest::multipart::Form::new().part("file", part))
                    }
                    ("POST", "/dossiers/{id}/steps") => http.post(url).form(&[("version", dossier_version(*id).await.to_string()), ("action", "review".into())]),
                    ("POST", "/api/v1/dossiers/{id}/steps") => http.post(url).json(&json!({"version": dossier_version(*id).await, "action": "review"})),
                    ("POST", "/decisions") => http.post(url).form(&[("issuer", id.to_string()), ("number_symbol", format!("{n}-QĐ/ĐU")), ("decided_on", "01/02/2024".into()), ("signer", "Bí thư".into()), ("summary", "Khen thưởng".into())]),
                    ("POST", "/api/v1/decisions") => http.post(url).json(&json!({"issuer_id": id, "number_symbol": format!("{n}-QĐ/ĐU"), "decided_on": "2024-02-01", "signer": "Bí thư", "summary": "Khen thưởng", "awards": [{"title": "giay_khen", "year": 2024, "nominee": format!("org:{id}")}]})),
                    ("POST", "/awards/{id}/revoke") => http.post(url).form(&[("decided_on", "01/03/2024"), ("decision", "9-QĐ/ĐU"), ("reason", "Thành tích không đúng"), ("recovery", "Thu hồi giấy khen")]),
                    ("POST", "/api/v1/awards/{id}/revoke") => http.post(url).json(&json!({"decided_on": "2024-03-01", "decision": "9-QĐ/ĐU", "reason": "Thành tích không đúng"})),
                    ("POST", "/people/{id}/initiatives") => http.post(url).form(&[("name", format!("Sáng kiến {n}")), ("level", "grassroots".into()), ("recognized_on", "01/03/2024".into()), ("decision", "3-QĐ".into())]),
                    ("POST", "/api/v1/people/{id}/initiatives") => http.post(url).json(&json!({"name": format!("Sáng kiến {n}"), "level": "grassroots", "recognized_on": "2024-03-01", "decision": "3-QĐ"})),
                    ("POST", "/commendation/rules") => http.post(url).form(&[("body", "{}"), ("note", "thử")]),
                    ("POST", "/api/v1/commendation/rules") => http.post(url).json(&json!({"body": "{}", "note": "thử"})),
                    (m, p) => panic!("the matrix has no request for {m} {p}"),
                };
                let status = request.send().await.expect("request").status().as_u16();
                let expected: &[u16] = match (guard, *caller) {
                    (Guard::Public, _) => &[200, 303, 400, 403, 422],
                    (_, "anonymous") if path.starts_with("/api/") => &[401],
                    (_, "anonymous") => &[303],
                    // An upload's job is its uploader's alone: an id nobody was given is not found.
                    _ if route.path == "/import/jobs/{id}" => &[404],
                    (Guard::SignedIn, _) => &[200, 303],
                    (g, c) if !allowed(c, g, *inside, *side) => &[403],
                    // The admin may ask for a package of a local transfer: refused on its merits.
                    (Guard::ExportPackage, _) => &[200, 422],
                    _ if method == "GET" => &[200],
                    // Allowed to try: it is done, or refused on its merits (an open transfer, a
                    // badge not due), never for lack of rights.
                    _ => &[200, 201, 204, 303, 409, 422],
                };
                assert!(expected.contains(&status), "{caller} {method} {path} (side {side:?}, inside {inside}) → {status}, expected {expected:?}");
                if guard == Guard::Public && *caller == "anonymous" {
                    assert_ne!(status, 401);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "{checked} cases");
}

async fn lists_are_scoped(s: Server) {
    let today = thidua_core::date::iso(thidua_app::today());
    let names = |v: &Value| -> BTreeSet<String> {
        v["orgs"].as_array().expect("orgs").iter().map(|o| o["name"].as_str().expect("name").to_owned()).collect()
    };
    let get = |c: reqwest::Client, path: String| async move { c.get(path).send().await.expect("get").json::<Value>().await.expect("json") };
    let all = names(&get(s.admin.clone(), s.url(&format!("/api/v1/orgs?date={today}"))).await);

    let officer = names(&get(s.as_user("chuyenvien").await, s.url(&format!("/api/v1/orgs?date={today}"))).await);
    assert_eq!(officer.len(), 5, "the committee, its two organs and two cells: {officer:?}");
    assert!(officer.iter().all(|n| n.contains("Tổng Công ty Thương mại Sài Gòn")));

    let leader = names(&get(s.as_user("cumtruong").await, s.url("/api/v1/orgs?date=2024-06-01")).await);
    assert_eq!(leader.len(), 11, "Cụm 7's member boards: {leader:?}");
    assert!(leader.iter().all(|n| n.starts_with("Ban Tổ chức Đảng ủy")));

    let viewer = names(&get(s.as_user("lanhdao").await, s.url(&format!("/api/v1/orgs?date={today}"))).await);
    assert!(viewer.contains("Thành ủy Thành phố Hồ Chí Minh") && !viewer.contains("Cục Tổ chức cán bộ, Bộ Công an"));
    assert!(viewer.len() < all.len());

    let clusters = get(s.as_user("chuyenvien").await, s.url("/api/v1/clusters")).await;
    let cluster_names: BTreeSet<&str> = clusters.as_array().expect("list").iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(cluster_names, BTreeSet::from(["Cụm thi đua 2 – Văn phòng Thành ủy", "Cụm thi đua 7 – Ban Tổ chức Thành ủy"]));
}

/// The cluster and register lists check their items at once (chains from the registry in memory,
/// memberships read once), the tree and the member list walk down from the grants; each item
/// checked alone through the single-item path gives the same answer, for every demo account.
async fn bulk_checks_agree(s: Server) {
    let system = Principal::system();
    let clusters = s.app.clusters(&system).await.expect("clusters");
    let registers = s.app.readable_registers(&system).await.expect("registers");
    assert!(clusters.len() >= 4 && registers.len() >= 4, "{} clusters, {} registers", clusters.len(), registers.len());
    let today = thidua_app::today();
    let orgs = s.app.orgs_on(&system, today).await.expect("orgs");
    let members = s.app.members(&system, None, 100_000, 0).await.expect("members");
    assert!(orgs.len() >= 20 && members.len() >= 50, "{} organizations, {} members", orgs.len(), members.len());
    for account in ACCOUNTS {
        let (_, token) = s.app.create_token(&system, account.username, "bulk-check").await.expect("token");
        let p = s.app.token_principal(&token).await.expect("principal");
        let listed: BTreeSet<i64> = s.app.clusters(&p).await.expect("clusters").iter().map(|c| c.id.0).collect();
        let mut alone = BTreeSet::new();
        for c in &clusters {
            if s.app.cluster_rules(&p, c.id).await.is_ok() {
                alone.insert(c.id.0);
            }
        }
        assert_eq!(listed, alone, "clusters of {}", account.username);
        let listed: BTreeSet<i64> = s.app.readable_registers(&p).await.expect("registers").iter().map(|(o, _)| o.0).collect();
        let mut alone = BTreeSet::new();
        for (org, _) in &registers {
            if s.app.register_records(&p, *org).await.is_ok() {
                alone.insert(org.0);
            }
        }
        assert_eq!(listed, alone, "registers of {}", account.username);
        if account.username == "chuyenvien" {
            assert!(!listed.is_empty() && listed.len() < registers.len(), "a unit officer reads some registers, not all: {listed:?}");
        }
        // The tree and the member list are walked down from the grants; each item alone asks `can`.
        let listed: BTreeSet<i64> = s.app.orgs_on(&p, today).await.expect("orgs").iter().map(|v| v.org.0).collect();
        let mut alone = BTreeSet::new();
        for v in &orgs {
            if s.app.org_detail(&p, v.org, today).await.is_ok() {
                alone.insert(v.org.0);
            }
        }
        assert_eq!(listed, alone, "organizations of {}", account.username);
        let listed: BTreeSet<i64> = s.app.members(&p, None, 100_000, 0).await.expect("members").iter().map(|m| m.id.0).collect();
        let mut alone = BTreeSet::new();
        for m in &members {
            if s.app.member(&p, m.id).await.is_ok() {
                alone.insert(m.id.0);
            }
        }
        assert_eq!(listed, alone, "members of {}", account.username);
    }
}

async fn csrf_required(s: Server) {
    let (c, status, csrf) = browser_login(&s, "admin", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let today = thidua_core::date::iso(thidua_app::today());
    let org = id_by_name(&s, &format!("/api/v1/orgs?date={today}"), "Ban Tổ chức Thành ủy").await;
    let body = json!({"date": today, "change": {"type": "rename", "org_id": org, "name": "Ban Tổ chức Thành ủy (thử)"}});
    let before = s.app.org_event_count().await.expect("count");
    for token in [None, Some("sai"), Some(&"0".repeat(64)[..])] {
        let mut r = c.post(s.url("/api/v1/org-events")).json(&body);
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        let r = r.send().await.expect("post");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let answer: Value = r.json().await.expect("json");
        assert_eq!(answer["error"]["code"], "csrf");
        assert!(answer["error"]["message"].as_str().expect("message").contains("tải lại trang"));
    }
    assert_eq!(s.app.org_event_count().await.expect("count"), before, "a refused write changed nothing");
    let r = c.post(s.url("/api/v1/org-events")).header("x-csrf-token", &csrf).json(&body).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);

    // The sign-out form needs the token too; without it the session survives.
    let r = c.post(s.url("/logout")).form(&[("csrf_token", "sai")]).send().await.expect("logout");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(c.get(s.url("/orgs")).send().await.expect("get").status(), StatusCode::OK);
    let r = c.post(s.url("/logout")).form(&[("csrf_token", csrf.as_str())]).send().await.expect("logout");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(s.url("/orgs")).send().await.expect("get").status(), StatusCode::SEE_OTHER);

    // The sign-in form is protected by its own token: a forged post is refused.
    let r = client().post(s.url("/login")).form(&[("username", "admin"), ("password", PASSWORD), ("csrf_token", "x")]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Bearer-token callers carry no ambient cookie and need no CSRF token.
    let r = s.admin.post(s.url("/api/v1/org-events")).json(&json!({"date": today, "change": {"type": "rename", "org_id": org, "name": "Ban Tổ chức Thành ủy"}})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn session_rotates(s: Server) {
    // A session id planted before sign-in (session fixation) is not the one issued.
    let planted = "a".repeat(64);
    let c = client();
    let page = c.get(s.url("/login")).send().await.expect("page").text().await.expect("html");
    let csrf = between(&page, "name=\"csrf_token\" value=\"", "\"").expect("csrf");
    let r = c
        .post(s.url("/login"))
        .header("cookie", format!("thidua_session={planted}; thidua_login_csrf={csrf}"))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf_token", &csrf)])
        .send()
        .await
        .expect("login");
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|h| h.to_str().expect("ascii").to_owned()).collect();
    let session = set.iter().find(|c| c.starts_with("thidua_session=")).expect("session cookie");
    assert!(!session.contains(&planted));
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && !session.contains("Secure"), "{session}");
    let first = session.split(';').next().expect("pair").to_owned();

    let r = client().post(s.url("/login")).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "an empty form is a clear 400");
    // Behind a TLS proxy the cookie is marked Secure.
    let c = client();
    let page = c.get(s.url("/login")).send().await.expect("page").text().await.expect("html");
    let csrf = between(&page, "name=\"csrf_token\" value=\"", "\"").expect("csrf");
    let r = c
        .post(s.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf_token", &csrf)])
        .send()
        .await
        .expect("login");
    let secure = r.headers().get_all("set-cookie").iter().any(|h| h.to_str().is_ok_and(|v| v.starts_with("thidua_session=") && v.contains("; Secure")));
    assert!(secure);
    let second = r.headers().get_all("set-cookie").iter().find_map(|h| h.to_str().ok().filter(|v| v.starts_with("thidua_session="))).expect("cookie");
    assert_ne!(second.split(';').next(), Some(first.as_str()), "every sign-in gets a new session id");
}

async fn token_revocation(s: Server) {
    let (id, token) = s.app.create_token(&Principal::system(), "lanhdao", "báo cáo").await.expect("token");
    let c = bearer_client(&token);
    assert_eq!(c.get(s.url("/api/v1/orgs")).send().await.expect("get").status(), StatusCode::OK);
    s.app.revoke_token(&Principal::system(), id).await.expect("revoke");
    let r = c.get(s.url("/api/v1/orgs")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let answer: Value = r.json().await.expect("json");
    assert_eq!(answer["error"]["message"], "Bạn cần đăng nhập để tiếp tục.");
    assert!(s.app.revoke_token(&Principal::system(), id).await.is_err(), "a token is revoked once");
    // A disabled user's tokens stop too.
    let (_, token) = s.app.create_token(&Principal::system(), "uyvien", "").await.expect("token");
    s.app.disable_user(&Principal::system(), "uyvien").await.expect("disable");
    assert_eq!(bearer_client(&token).get(s.url("/api/v1/orgs")).send().await.expect("get").status(), StatusCode::UNAUTHORIZED);
    // Garbage tokens are refused, not crashed on.
    for bad in ["", "x", "thd_", &"f".repeat(5000)] {
        let status = bearer_client(bad).get(s.url("/api/v1/orgs")).send().await.map(|r| r.status().as_u16()).unwrap_or(401);
        assert_eq!(status, 401, "{bad:.10}");
    }
}

async fn security_headers(s: Server) {
    for path in ["/login", "/orgs", "/api/v1/orgs", "/healthz", "/khong-co"] {
        let r = s.admin.get(s.url(path)).send().await.expect("get");
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let body = r.text().await.expect("body");
        assert!(!body.contains("<script"), "{path} carries inline script");
    }
}

async fn writes_are_audited(s: Server) {
    let today = thidua_core::date::iso(thidua_app::today());
    let org = id_by_name(&s, &format!("/api/v1/orgs?date={today}"), "Ban Tổ chức Đảng ủy Tổng Công ty Thương mại Sài Gòn").await;
    let officer = s.as_user("chuyenvien").await;
    let r = officer
        .post(s.url("/api/v1/org-events"))
        .json(&json!({"date": today, "basis": "Quyết định 5-QĐ/ĐU", "change": {"type": "rename", "org_id": org, "name": "Ban Tổ chức Đảng ủy SATRA"}}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    // A refused write leaves no entry.
    let r = officer.post(s.url("/api/v1/org-events")).json(&json!({"date": today, "change": {"type": "dissolve", "org_id": org + 100000}})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let page = s.admin.get(s.url(&format!("/admin/audit?actor=chuyenvien&resource=org:{org}"))).send().await.expect("get").text().await.expect("html");
    assert!(page.contains("org.rename") && page.contains("Quyết định 5-QĐ/ĐU"), "{page}");
    assert_eq!(page.matches("<tr><td>").count(), 1, "exactly the one accepted write");
    let page = s.admin.get(s.url("/admin/audit?resource=user:")).send().await.expect("get").text().await.expect("html");
    assert!(page.contains("user.create") && page.contains("user:chuyenvien"));
    let page = s.admin.get(s.url("/admin/audit?from=01/01/2000&to=01/01/2001")).send().await.expect("get").text().await.expect("html");
    assert!(page.contains("Không có mục nào khớp bộ lọc."));
    let r = s.admin.get(s.url("/admin/audit?from=32/01/2020")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(officer.get(s.url("/admin/audit")).send().await.expect("get").status(), StatusCode::FORBIDDEN);
}

async fn idle_session_expires(s: Server) {
    let (c, status, _) = browser_login(&s, "lanhdao", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(c.get(s.url("/orgs")).send().await.expect("get").status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let r = c.get(s.url("/orgs")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=/orgs");
    assert_eq!(c.get(s.url("/api/v1/orgs")).send().await.expect("get").status(), StatusCode::UNAUTHORIZED);
}

async fn absolute_session_expires(s: Server) {
    let (c, status, _) = browser_login(&s, "lanhdao", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Busy all along, the session still ends at its absolute limit.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = c.get(s.url("/")).send().await;
    }
    assert_eq!(c.get(s.url("/orgs")).send().await.expect("get").status(), StatusCode::SEE_OTHER);
}

async fn login_throttled(s: Server) {
    for _ in 0..3 {
        let (_, status, body) = browser_login(&s, "thuky", "sai-mat-khau").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    }
    // The account is now locked, even with the right password, and the message says for how long.
    let (_, status, body) = browser_login(&s, "thuky", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."), "{body}");
    // Other accounts still sign in from here until the address reaches its own limit.
    let (_, status, _) = browser_login(&s, "admin", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for user in ["nobody1", "nobody2", "nobody3"] {
        let (_, status, _) = browser_login(&s, user, "sai-mat-khau").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, status, _) = browser_login(&s, "admin", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "six failures from one address block it");
    // A forwarded address from a peer that is not the trusted proxy changes nothing.
    let (_, status, _) = browser_login_from(&s, "admin", PASSWORD, Some("198.51.100.2")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "X-Forwarded-For is not trusted by default");
    let log = s.app.audit_entries(&Principal::system(), &thidua_app::audit::AuditFilter { resource: Some("user:thuky".into()), limit: 50, ..Default::default() }).await.expect("audit");
    assert_eq!(log.iter().filter(|e| e.action == "login.failed").count(), 3);
}

async fn throttled_behind_proxy(s: Server) {
    // Six failures from one client, each as another account, through the proxy.
    for user in ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5", "nobody6"] {
        let (_, status, _) = browser_login_from(&s, user, "sai-mat-khau", Some("203.0.113.7")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, status, _) = browser_login_from(&s, "admin", PASSWORD, Some("203.0.113.7")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "that client is refused");
    // Everyone else behind the same proxy still signs in.
    let (_, status, _) = browser_login_from(&s, "admin", PASSWORD, Some("198.51.100.2")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "another client is not");
    // A header that is not an address is not a client: the proxy's own address counts.
    let (_, status, _) = browser_login_from(&s, "thuky", PASSWORD, Some("not-an-address")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
