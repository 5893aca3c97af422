//! The edge where failures become responses: every handler returns [`Problem`], and the
//! [`render_problems`] middleware, which knows the request's language and whether it came to the
//! API, turns it into a localized HTML page or JSON body. This is the only place that maps errors to
//! statuses and messages.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use thidua_app::auth::AccountError;
use thidua_app::{AppError, BallotProblem, DocumentProblem, FieldChange, FieldProblem, FileProblem, Invalid, PackageProblem, RoundProblem, TransferProblem};
use thidua_app::commendation::CommendationProblem;
use thidua_core::commendation::{DossierState, RulebookError};
use thidua_app::evaluation::EvalProblem;
use thidua_core::ballot::PollError;
use thidua_core::evaluation::EvaluationError;
use thidua_core::emulation::{CriteriaLineError, EmulationError};
use thidua_core::scoring::ScoringError;
use thidua_core::docnum::DocNumberError;
use thidua_core::badge::BadgeError;
use thidua_core::member::MemberError;
use thidua_core::transfer::{TransferError, TransferState};
use thidua_core::cluster::ClusterError;
use thidua_core::date::format_date;
use thidua_core::org::{OrgError, OrgLabel};

use crate::api::{ChangeDetail, ErrorBody, ErrorDetail, FieldError};
use crate::auth::Caller;
use crate::i18n::{lang_of, T};
use crate::pages::Chrome;

/// Why a request failed, before it is put into words.
#[derive(Debug)]
pub enum Problem {
    App(AppError),
    NotFound,
    BadDate(String),
    BadYear(String),
    BadId(String),
    BadKind(String),
    BadPage(String),
    BadRequest(String),
    /// A state-changing request without the session's CSRF token.
    Csrf,
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        Problem::App(e)
    }
}

impl From<JsonRejection> for Problem {
    fn from(e: JsonRejection) -> Problem {
        Problem::BadRequest(e.body_text())
    }
}

impl From<FormRejection> for Problem {
    fn from(e: FormRejection) -> Problem {
        Problem::BadRequest(e.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(e: QueryRejection) -> Problem {
        Problem::BadRequest(e.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(e: PathRejection) -> Problem {
        Problem::BadRequest(e.body_text())
    }
}

/// Carried from the handler to the middleware inside the response.
#[derive(Clone)]
struct Pending(Arc<Problem>);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        if let Problem::App(e @ (AppError::Internal(_) | AppError::NoRandomness)) = &self {
            // Store errors carry no member data: queries are parameterized and values never logged.
            tracing::error!(error = %e, "request failed");
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Pending(Arc::new(self)));
        response
    }
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Problem::NotFound | Problem::App(AppError::NotFound) => StatusCode::NOT_FOUND,
            Problem::App(AppError::Internal(_) | AppError::NoRandomness) => StatusCode::INTERNAL_SERVER_ERROR,
            Problem::App(AppError::NotEmpty | AppError::Account(AccountError::UsernameTaken)) => StatusCode::CONFLICT,
            Problem::App(
                AppError::Org(_)
                | AppError::Cluster(_)
                | AppError::Account(_)
                | AppError::Member(_)
                | AppError::Badge(_)
                | AppError::Transfer(_)
                | AppError::TransferTarget(_)
                | AppError::Rules(_)
                | AppError::Emulation(_)
                | AppError::Criteria(_)
                | AppError::Invalid(_)
                | AppError::Scoring(_)
                | AppError::Poll(_),
            ) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::Ballot(BallotProblem::NotVoter)) => StatusCode::FORBIDDEN,
            Problem::App(AppError::Ballot(BallotProblem::AlreadyVoted | BallotProblem::NotOpen | BallotProblem::NotDraft | BallotProblem::NotClosed)) => StatusCode::CONFLICT,
            Problem::App(AppError::Ballot(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::Round(RoundProblem::Exists | RoundProblem::Closed | RoundProblem::NotClosed | RoundProblem::Submitted)) => StatusCode::CONFLICT,
            Problem::App(AppError::Round(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::Evaluation(EvalProblem::Exists | EvalProblem::Concluded | EvalProblem::NotConcluded | EvalProblem::Approved)) => StatusCode::CONFLICT,
            Problem::App(AppError::Evaluation(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::Commendation(CommendationProblem::Step { .. } | CommendationProblem::DecisionTaken(_) | CommendationProblem::Revoked | CommendationProblem::Duplicate { .. })) => StatusCode::CONFLICT,
            Problem::App(AppError::Commendation(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::Conflict | AppError::Changed(_) | AppError::Package(PackageProblem::AlreadyHere)) => StatusCode::CONFLICT,
            Problem::App(AppError::Package(_) | AppError::Document(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::App(AppError::File(FileProblem::TooLarge { .. })) => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::App(AppError::File(_)) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Problem::App(AppError::Unauthenticated | AppError::BadCredentials) => StatusCode::UNAUTHORIZED,
            Problem::App(AppError::Forbidden) | Problem::Csrf => StatusCode::FORBIDDEN,
            Problem::App(AppError::TooManyAttempts { .. }) => StatusCode::TOO_MANY_REQUESTS,
            Problem::BadDate(_) | Problem::BadYear(_) | Problem::BadId(_) | Problem::BadKind(_) | Problem::BadPage(_) | Problem::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
        }
    }

    /// A stable code for API clients and the message in the user's language.
    pub fn describe(&self, t: T) -> (&'static str, String) {
        match self {
            Problem::NotFound | Problem::App(AppError::NotFound) => ("not_found", t.get("error.not_found").into()),
            Problem::App(AppError::Internal(_) | AppError::NoRandomness) => ("internal", t.get("error.internal").into()),
            Problem::App(AppError::NotEmpty) => ("not_empty", t.get("error.not_empty").into()),
            Problem::App(AppError::Unauthenticated) => ("unauthenticated", t.get("error.unauthenticated").into()),
            Problem::App(AppError::Forbidden) => ("forbidden", t.get("error.forbidden").into()),
            Problem::Csrf => ("csrf", t.get("error.csrf").into()),
            Problem::App(AppError::BadCredentials) => ("bad_credentials", t.get("error.bad_credentials").into()),
            Problem::App(AppError::TooManyAttempts { retry_after_minutes }) => {
                ("too_many_attempts", t.fmt("error.too_many_attempts", &[("minutes", &retry_after_minutes.to_string())]))
            }
            Problem::App(AppError::Account(e)) => describe_account(e, t),
            Problem::App(AppError::Conflict) => ("conflict", t.get("error.conflict").into()),
            Problem::App(AppError::Changed(changes)) => {
                let lines: Vec<String> = changes
                    .iter()
                    .map(|c| {
                        let (field, saved, yours) = change_in_words(c, t);
                        t.fmt("error.changed.line", &[("field", &field), ("saved", &saved), ("yours", &yours)])
                    })
                    .collect();
                ("conflict", format!("{} {}", t.get("error.changed"), lines.join("; ")))
            }
            Problem::App(AppError::Member(errors)) => {
                let lines: Vec<String> = errors.iter().map(|e| describe_member(e, t)).collect();
                ("member.invalid", format!("{} {}", t.get("error.member.invalid"), lines.join(" ")))
            }
            Problem::App(AppError::Badge(e)) => describe_badge(e, t),
            Problem::App(AppError::Transfer(e)) => describe_transfer(e, t),
            Problem::App(AppError::TransferTarget(e)) => match e {
                TransferProblem::NoSuccessor => ("transfer.no_successor", t.get("error.transfer.no_successor").into()),
                TransferProblem::Ambiguous(names) => ("transfer.ambiguous", t.fmt("error.transfer.ambiguous", &[("names", &names.join("; "))])),
                TransferProblem::AlreadyOpen => ("transfer.already_open", t.get("error.transfer.already_open").into()),
                TransferProblem::NoReceiver => ("transfer.no_receiver", t.get("error.transfer.no_receiver").into()),
            },
            Problem::App(AppError::File(e)) => match e {
                FileProblem::TooLarge { max_mib } => ("file.too_large", t.fmt("error.file.too_large", &[("max", &max_mib.to_string())])),
                FileProblem::Empty => ("file.empty", t.get("error.file.empty").into()),
                FileProblem::UnsupportedType => ("file.unsupported", t.get("error.file.unsupported").into()),
            },
            Problem::App(AppError::Package(e)) => match e {
                PackageProblem::Unreadable => ("package.unreadable", t.get("error.package.unreadable").into()),
                PackageProblem::Tampered(what) => ("package.tampered", t.fmt("error.package.tampered", &[("what", what)])),
                PackageProblem::NotExternal => ("package.not_external", t.get("error.package.not_external").into()),
                PackageProblem::AlreadyHere => ("package.already_here", t.get("error.package.already_here").into()),
            },
            Problem::App(AppError::Document(e)) => describe_document(e, t),
            Problem::App(AppError::Rules(e)) => ("rules", t.fmt("error.rules", &[("detail", &e.to_string())])),
            Problem::App(AppError::Org(e)) => describe_org(e, t),
            Problem::App(AppError::Cluster(e)) => describe_cluster(e, t),
            Problem::App(AppError::Emulation(e)) => describe_emulation(e, t),
            Problem::App(AppError::Criteria(e)) => ("criteria.line", describe_criteria_line(e, t)),
            Problem::App(AppError::Scoring(e)) => describe_scoring(e, t),
            Problem::App(AppError::Round(e)) => describe_round(e, t),
            Problem::App(AppError::Poll(e)) => describe_poll(e, t),
            Problem::App(AppError::Ballot(e)) => describe_ballot(e, t),
            Problem::App(AppError::Evaluation(e)) => describe_eval(e, t),
            Problem::App(AppError::Commendation(e)) => describe_commendation(e, t),
            Problem::App(AppError::Invalid(problems)) => {
                let lines: Vec<String> = problems.iter().map(|p| format!("{}: {}", t.get(&format!("field.{}", p.field)), describe_field(p, t))).collect();
                ("invalid", format!("{} {}", t.get("error.invalid"), lines.join("; ")))
            }
            Problem::BadDate(v) => ("bad_date", t.fmt("error.bad_date", &[("value", v)])),
            Problem::BadYear(v) => ("bad_year", t.fmt("error.bad_year", &[("value", v)])),
            Problem::BadId(v) => ("bad_id", t.fmt("error.bad_id", &[("value", v)])),
            Problem::BadKind(v) => ("bad_kind", t.fmt("error.bad_kind", &[("value", v)])),
            Problem::BadPage(v) => ("bad_page", t.fmt("error.bad_page", &[("value", v)])),
            Problem::BadRequest(detail) => ("bad_request", t.fmt("error.bad_request", &[("detail", detail)])),
        }
    }
}

pub fn describe_org(e: &OrgError, t: T) -> (&'static str, String) {
    let label = |l: &OrgLabel| l.to_string();
    let (code, text) = match e {
        OrgError::EmptyName => ("org.empty_name", t.get("error.org.empty_name").to_owned()),
        OrgError::NameTooLong { max } => ("org.name_too_long", t.fmt("error.org.name_too_long", &[("max", &max.to_string())])),
        OrgError::Unknown(id) => ("org.unknown", t.fmt("error.org.unknown", &[("id", &id.0.to_string())])),
        OrgError::NotYetExisting { org, date } => {
            ("org.not_yet_existing", t.fmt("error.org.not_yet_existing", &[("org", &label(org)), ("date", &format_date(*date))]))
        }
        OrgError::Ended { org, since } => {
            ("org.ended", t.fmt("error.org.ended", &[("org", &label(org)), ("date", &format_date(*since))]))
        }
        OrgError::AlreadyExists { org } => ("org.already_exists", t.fmt("error.org.already_exists", &[("org", &label(org))])),
        OrgError::Cycle { org, parent } => {
            ("org.cycle", t.fmt("error.org.cycle", &[("org", &label(org)), ("parent", &label(parent))]))
        }
        OrgError::MergeIntoSelf { org } => ("org.merge_into_self", t.fmt("error.org.merge_into_self", &[("org", &label(org))])),
        OrgError::TargetInsideSource { target, ending } => (
            "org.target_inside_source",
            t.fmt("error.org.target_inside_source", &[("target", &label(target)), ("ending", &label(ending))]),
        ),
        OrgError::Duplicate { org } => ("org.duplicate", t.fmt("error.org.duplicate", &[("org", &label(org))])),
        OrgError::SplitTooFew => ("org.split_too_few", t.get("error.org.split_too_few").to_owned()),
        OrgError::MergeTooFew { min } => ("org.merge_too_few", t.fmt("error.org.merge_too_few", &[("min", &min.to_string())])),
        OrgError::HasLiveChildren { org, count } => (
            "org.has_live_children",
            t.fmt("error.org.has_live_children", &[("org", &label(org)), ("count", &count.to_string())]),
        ),
        OrgError::NoChange { org } => ("org.no_change", t.fmt("error.org.no_change", &[("org", &label(org))])),
        OrgError::SameDayLifetime { org } => {
            ("org.same_day_lifetime", t.fmt("error.org.same_day_lifetime", &[("org", &label(org))]))
        }
        OrgError::ConflictsWithLater { date, cause, .. } => {
            let (_, cause) = describe_org(cause, t);
            ("org.conflicts_with_later", t.fmt("error.org.conflicts_with_later", &[("date", &format_date(*date)), ("cause", &cause)]))
        }
    };
    (code, text)
}

fn describe_account(e: &AccountError, t: T) -> (&'static str, String) {
    match e {
        AccountError::BadUsername => ("account.bad_username", t.get("error.account.bad_username").into()),
        AccountError::WeakPassword { min } => ("account.weak_password", t.fmt("error.account.weak_password", &[("min", &min.to_string())])),
        AccountError::EmptyDisplayName => ("account.empty_display_name", t.get("error.account.empty_display_name").into()),
        AccountError::UsernameTaken => ("account.username_taken", t.get("error.account.username_taken").into()),
        AccountError::UnknownUser => ("account.unknown_user", t.get("error.account.unknown_user").into()),
        AccountError::UnknownToken => ("account.unknown_token", t.get("error.account.unknown_token").into()),
    }
}

/// One member-record problem in the user's language; forms show it next to its field.
pub fn describe_member(e: &MemberError, t: T) -> String {
    use MemberError::*;
    let field = |f: &str| t.get(&format!("member.field.{f}")).to_owned();
    match e {
        EmptyName => t.get("error.member.empty_name").into(),
        CccdLength { got } => t.fmt("error.member.cccd_length", &[("got", &got.to_string())]),
        CccdNotDigits => t.get("error.member.cccd_not_digits").into(),
        CccdProvince { code } => t.fmt("error.member.cccd_province", &[("code", code)]),
        CccdBirthYear { year } => t.fmt("error.member.cccd_birth_year", &[("year", &year.to_string())]),
        CccdGender => t.get("error.member.cccd_gender").into(),
        PartyCard => t.get("error.member.party_card").into(),
        BornInFuture => t.get("error.member.born_in_future").into(),
        AdmittedTooYoung => t.get("error.member.admitted_too_young").into(),
        AdmittedInFuture => t.get("error.member.admitted_in_future").into(),
        OfficialTooEarly => t.get("error.member.official_too_early").into(),
        OfficialInFuture => t.get("error.member.official_in_future").into(),
        TooLong { field: f } => t.fmt("error.member.too_long", &[("field", &field(f))]),
        Email => t.get("error.member.email").into(),
        GapOrder => t.get("error.member.gap_order").into(),
        GapBeforeAdmission => t.get("error.member.gap_before_admission").into(),
        DuplicateCccd => t.get("error.member.duplicate_cccd").into(),
        BadDate { field: f } => t.fmt("error.member.bad_date", &[("field", &field(f))]),
        Required { field: f } => t.fmt("error.member.required", &[("field", &field(f))]),
    }
}

fn describe_badge(e: &BadgeError, t: T) -> (&'static str, String) {
    let d = |d: &Option<jiff::civil::Date>| d.map(format_date).unwrap_or_else(|| "–".into());
    match e {
        BadgeError::NotAMilestone(y) => ("badge.not_a_milestone", t.fmt("error.badge.not_a_milestone", &[("years", &y.to_string())])),
        BadgeError::AlreadyAwarded(y) => ("badge.already_awarded", t.fmt("error.badge.already_awarded", &[("years", &y.to_string())])),
        BadgeError::Probationary => ("badge.probationary", t.get("error.badge.probationary").into()),
        BadgeError::NotDue { milestone, due, earliest } => (
            "badge.not_due",
            t.fmt("error.badge.not_due", &[("years", &milestone.to_string()), ("due", &d(due)), ("earliest", &d(earliest))]),
        ),
    }
}

/// A number-and-symbol problem in the user's language.
pub fn describe_symbol(e: &DocNumberError, t: T) -> String {
    match e {
        DocNumberError::Empty => t.get("error.symbol.empty").into(),
        DocNumberError::Shape => t.get("error.symbol.shape").into(),
        DocNumberError::Number => t.get("error.symbol.number").into(),
        DocNumberError::UnknownType(code) => t.fmt("error.symbol.unknown_type", &[("code", code)]),
        DocNumberError::StateSymbol => t.get("error.symbol.state_symbol").into(),
        DocNumberError::Issuer => t.get("error.symbol.issuer").into(),
    }
}

pub fn describe_document(e: &DocumentProblem, t: T) -> (&'static str, String) {
    match e {
        DocumentProblem::Symbol(s) => ("document.symbol", describe_symbol(s, t)),
        DocumentProblem::Summary => ("document.summary", t.get("error.document.summary").into()),
        DocumentProblem::NoRegister => ("document.no_register", t.get("error.document.no_register").into()),
        DocumentProblem::NoTerm(d) => ("document.no_term", t.fmt("error.document.no_term", &[("date", &format_date(*d))])),
        DocumentProblem::FutureDate => ("document.future_date", t.get("error.document.future_date").into()),
        DocumentProblem::Status { from, to } => (
            "document.status",
            t.fmt("error.document.status", &[("from", t.get(&format!("doc.status.{from}"))), ("to", t.get(&format!("doc.status.{to}")))]),
        ),
        DocumentProblem::ReasonRequired => ("document.reason_required", t.get("error.transfer.reason_required").into()),
        DocumentProblem::AssigneeRequired => ("document.assignee_required", t.get("error.document.assignee_required").into()),
        DocumentProblem::RecordCode => ("record.code", t.get("error.record.code").into()),
        DocumentProblem::RecordState(s) => ("record.state", t.fmt("error.record.state", &[("state", t.get(&format!("record.status.{s}")))])),
        DocumentProblem::OtherRegister => ("document.other_register", t.get("error.document.other_register").into()),
    }
}

pub fn state_label(t: T, s: TransferState) -> &'static str {
    t.get(&format!("transfer.state.{}", s.code()))
}

fn describe_transfer(e: &TransferError, t: T) -> (&'static str, String) {
    match e {
        TransferError::Illegal { from, to } => {
            ("transfer.illegal", t.fmt("error.transfer.illegal", &[("from", state_label(t, *from)), ("to", state_label(t, *to))]))
        }
        TransferError::BeforePrevious { previous } => {
            ("transfer.before_previous", t.fmt("error.transfer.before_previous", &[("date", &format_date(*previous))]))
        }
        TransferError::InFuture => ("transfer.in_future", t.get("error.transfer.in_future").into()),
        TransferError::ReasonRequired => ("transfer.reason_required", t.get("error.transfer.reason_required").into()),
        TransferError::LateWithoutReason { deadline } => {
            ("transfer.late_without_reason", t.fmt("error.transfer.late_without_reason", &[("date", &format_date(*deadline))]))
        }
        TransferError::TemporaryDuration { min, max } => (
            "transfer.temporary_duration",
            t.fmt("error.transfer.temporary_duration", &[("min", &min.to_string()), ("max", &max.to_string())]),
        ),
        TransferError::SameOrganization => ("transfer.same_organization", t.get("error.transfer.same_organization").into()),
    }
}

fn describe_cluster(e: &ClusterError, t: T) -> (&'static str, String) {
    match e {
        ClusterError::EmptyName => ("cluster.empty_name", t.get("error.cluster.empty_name").to_owned()),
        ClusterError::DuplicateMember(id) => {
            ("cluster.duplicate_member", t.fmt("error.cluster.duplicate_member", &[("id", &id.0.to_string())]))
        }
        ClusterError::TwoLeaders => ("cluster.two_leaders", t.get("error.cluster.two_leaders").to_owned()),
        ClusterError::TwoDeputies => ("cluster.two_deputies", t.get("error.cluster.two_deputies").to_owned()),
        ClusterError::YearOutOfRange(y) => {
            ("cluster.year_out_of_range", t.fmt("error.cluster.year_out_of_range", &[("year", &y.to_string())]))
        }
    }
}

fn describe_emulation(e: &EmulationError, t: T) -> (&'static str, String) {
    match e {
        EmulationError::Scale => ("emulation.scale", t.get("error.emulation.scale").into()),
        EmulationError::Threshold => ("emulation.threshold", t.get("error.emulation.threshold").into()),
        EmulationError::RotationDuplicate(o) => ("emulation.rotation_duplicate", t.fmt("error.emulation.rotation_duplicate", &[("id", &o.0.to_string())])),
        EmulationError::DuplicateCriterion(c) => ("criteria.duplicate", t.fmt("error.criteria.duplicate", &[("code", c)])),
        EmulationError::OrphanCriterion { code, parent } => ("criteria.orphan", t.fmt("error.criteria.orphan", &[("code", code), ("parent", parent)])),
        EmulationError::CriterionCycle(c) => ("criteria.cycle", t.fmt("error.criteria.cycle", &[("code", c)])),
        EmulationError::ChildrenSum { code, sum, max } => (
            "criteria.children_sum",
            t.fmt("error.criteria.children_sum", &[("code", code), ("sum", &points(t, *sum)), ("max", &points(t, u64::from(*max)))]),
        ),
        EmulationError::TableSum { sum, scale } => {
            ("criteria.table_sum", t.fmt("error.criteria.table_sum", &[("sum", &points(t, *sum)), ("scale", &points(t, u64::from(*scale)))]))
        }
        EmulationError::CriterionText(c) => ("criteria.text", t.fmt("error.criteria.text", &[("code", c)])),
        EmulationError::TooManyCriteria { max } => ("criteria.too_many", t.fmt("error.criteria.too_many", &[("max", &t.int(max))])),
        EmulationError::Quorum => ("emulation.quorum", t.get("error.emulation.quorum").into()),
        EmulationError::Scoring(e) => describe_scoring(e, t),
        EmulationError::EmptyCriterion(c) => ("criteria.empty", t.fmt("error.criteria.empty", &[("code", c)])),
        EmulationError::NestedAdjustment(c) => ("criteria.nested_adjustment", t.fmt("error.criteria.nested_adjustment", &[("code", c)])),
    }
}

pub fn describe_scoring(e: &ScoringError, t: T) -> (&'static str, String) {
    match e {
        ScoringError::Weights(sum) => ("scoring.weights", t.fmt("error.scoring.weights", &[("sum", &sum.to_string())])),
        ScoringError::NotALeaf(c) => ("scoring.not_a_leaf", t.fmt("error.scoring.not_a_leaf", &[("code", c)])),
        ScoringError::UnknownCriterion(c) => ("scoring.unknown_criterion", t.fmt("error.scoring.unknown_criterion", &[("code", c)])),
        ScoringError::OutOfRange { code, max } => ("scoring.out_of_range", t.fmt("error.scoring.out_of_range", &[("code", code), ("max", &points(t, u64::from(*max)))])),
        ScoringError::Missing(c) => ("scoring.missing", t.fmt("error.scoring.missing", &[("code", c)])),
        ScoringError::ScoresItself => ("scoring.scores_itself", t.get("error.scoring.scores_itself").into()),
        ScoringError::ReasonRequired => ("scoring.reason_required", t.get("error.scoring.reason_required").into()),
        ScoringError::ZeroAdjustment => ("scoring.zero_adjustment", t.get("error.scoring.zero_adjustment").into()),
    }
}

fn describe_commendation(e: &CommendationProblem, t: T) -> (&'static str, String) {
    match e {
        CommendationProblem::Rules(r) => {
            let detail = match r {
                RulebookError::Parse(at) => t.fmt("error.rulebook.parse", &[("at", at)]),
                RulebookError::DuplicateCode(code) => t.fmt("error.rulebook.duplicate_code", &[("code", code)]),
                RulebookError::UnknownTitle(code) => t.fmt("error.rulebook.unknown_title", &[("code", code)]),
                RulebookError::Periods(code) => t.fmt("error.rulebook.periods", &[("code", code)]),
                RulebookError::UnknownCondition(code, title) => t.fmt("error.rulebook.unknown_condition", &[("code", code), ("title", title)]),
                RulebookError::Figure(code) => t.fmt("error.rulebook.figure", &[("code", code)]),
            };
            ("commendation.rules", t.fmt("error.commendation.rules", &[("detail", &detail)]))
        }
        CommendationProblem::UnknownTitle(code) => ("commendation.unknown_title", t.fmt("error.commendation.unknown_title", &[("code", code)])),
        CommendationProblem::WrongRecipient { title } => ("commendation.wrong_recipient", t.fmt("error.commendation.wrong_recipient", &[("title", title)])),
        CommendationProblem::OutsideUnit => ("commendation.outside_unit", t.get("error.commendation.outside_unit").into()),
        CommendationProblem::Step { from, action } => (
            "commendation.step",
            t.fmt("error.commendation.step", &[("state", t.get(&format!("dossier.state.{}", from.code()))), ("action", t.get(&format!("dossier.action.{}", action.code())))]),
        ),
        CommendationProblem::NoLevelAbove => ("commendation.no_level_above", t.get("error.commendation.no_level_above").into()),
        CommendationProblem::NotHere => ("commendation.not_here", t.get("error.commendation.not_here").into()),
        CommendationProblem::DecisionTaken(n) => ("commendation.decision_taken", t.fmt("error.commendation.decision_taken", &[("number", n)])),
        CommendationProblem::Revoked => ("commendation.revoked", t.get("error.commendation.revoked").into()),
        CommendationProblem::NoSuchOption => ("commendation.no_such_option", t.get("error.commendation.no_such_option").into()),
        CommendationProblem::VoteNotForNominee => ("commendation.vote_not_for_nominee", t.get("error.commendation.vote_not_for_nominee").into()),
        CommendationProblem::VoteRequired { title } => ("commendation.vote_required", t.fmt("error.commendation.vote_required", &[("title", title)])),
        CommendationProblem::AboveIssuer { title } => ("commendation.above_issuer", t.fmt("error.commendation.above_issuer", &[("title", title)])),
        CommendationProblem::OutsideIssuer => ("commendation.outside_issuer", t.get("error.commendation.outside_issuer").into()),
        CommendationProblem::Duplicate { title, year } => ("commendation.duplicate", t.fmt("error.commendation.duplicate", &[("title", title), ("year", &year.to_string())])),
    }
}

fn describe_eval(e: &EvalProblem, t: T) -> (&'static str, String) {
    match e {
        EvalProblem::NotGrassroots => ("evaluation.not_grassroots", t.get("error.eval.not_grassroots").into()),
        EvalProblem::Exists => ("evaluation.exists", t.get("error.eval.exists").into()),
        EvalProblem::Concluded => ("evaluation.concluded", t.get("error.eval.concluded").into()),
        EvalProblem::NotConcluded => ("evaluation.not_concluded", t.get("error.eval.not_concluded").into()),
        EvalProblem::NotLive => ("evaluation.not_live", t.get("error.eval.not_live").into()),
        EvalProblem::Unassessed { count } => ("evaluation.unassessed", t.fmt("error.eval.unassessed", &[("count", &t.int(count))])),
        EvalProblem::NotInRound { ids } => {
            ("evaluation.not_in_round", t.fmt("error.eval.not_in_round", &[("ids", &ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))]))
        }
        EvalProblem::Approved => ("evaluation.approved", t.get("error.eval.approved").into()),
        EvalProblem::Quota { htxsnv, httnv, limit, pct } => (
            "evaluation.quota",
            t.fmt("error.eval.quota", &[("htxsnv", &htxsnv.to_string()), ("httnv", &httnv.to_string()), ("limit", &limit.to_string()), ("pct", &pct.to_string())]),
        ),
        EvalProblem::Row { name, error } => ("evaluation.row", format!("{name}: {}", describe_evaluation_error(error, t))),
    }
}

/// A problem with one subject's evaluation, in the user's language.
pub fn describe_evaluation_error(e: &EvaluationError, t: T) -> String {
    match e {
        EvaluationError::UnknownCriterion(code) => t.fmt("error.eval.unknown_criterion", &[("code", code)]),
        EvaluationError::OutOfRange { code, max } => t.fmt("error.eval.out_of_range", &[("code", code), ("max", &max.to_string())]),
        EvaluationError::Tasks => t.get("error.eval.tasks").into(),
        EvaluationError::Exceeding => t.get("error.eval.exceeding").into(),
        EvaluationError::UnknownTrigger(code) => t.fmt("error.eval.unknown_trigger", &[("code", code)]),
        EvaluationError::AboveConditions { allowed } => t.fmt("error.eval.above_conditions", &[("allowed", allowed)]),
    }
}

fn describe_round(e: &RoundProblem, t: T) -> (&'static str, String) {
    let (code, key) = match e {
        RoundProblem::Exists => ("round.exists", "error.round.exists"),
        RoundProblem::NoTable => ("round.no_table", "error.round.no_table"),
        RoundProblem::NoLeader => ("round.no_leader", "error.round.no_leader"),
        RoundProblem::Closed => ("round.closed", "error.round.closed"),
        RoundProblem::NotClosed => ("round.not_closed", "error.round.not_closed"),
        RoundProblem::Submitted => ("round.submitted", "error.round.submitted"),
        RoundProblem::Incomplete { missing } => return ("round.incomplete", t.fmt("error.round.incomplete", &[("count", &t.int(missing))])),
        RoundProblem::NotAssigned => ("round.not_assigned", "error.round.not_assigned"),
        RoundProblem::WrongScorer => ("round.wrong_scorer", "error.round.wrong_scorer"),
        RoundProblem::NotAssignedMode => ("round.not_assigned_mode", "error.round.not_assigned_mode"),
        RoundProblem::Unassigned { units } => return ("round.unassigned", t.fmt("error.round.unassigned", &[("count", &t.int(units))])),
    };
    (code, t.get(key).into())
}

fn describe_poll(e: &PollError, t: T) -> (&'static str, String) {
    let (code, key) = match e {
        PollError::NoOptions => ("poll.no_options", "error.poll.no_options"),
        PollError::TooManyOptions => ("poll.too_many_options", "error.poll.too_many_options"),
        PollError::OneOption => ("poll.one_option", "error.poll.one_option"),
        PollError::Max { max, options } => {
            return ("poll.max", t.fmt("error.poll.max", &[("max", &max.to_string()), ("options", &options.to_string())]));
        }
        PollError::NoElectorate => ("poll.no_electorate", "error.poll.no_electorate"),
        PollError::Share => ("poll.share", "error.poll.share"),
        PollError::ZeroThreshold => ("poll.zero_threshold", "error.poll.zero_threshold"),
    };
    (code, t.get(key).into())
}

fn describe_ballot(e: &BallotProblem, t: T) -> (&'static str, String) {
    let (code, key) = match e {
        BallotProblem::NotOpen => ("ballot.not_open", "error.ballot.not_open"),
        BallotProblem::NotDraft => ("ballot.not_draft", "error.ballot.not_draft"),
        BallotProblem::NotClosed => ("ballot.not_closed", "error.ballot.not_closed"),
        BallotProblem::AlreadyVoted => ("ballot.already_voted", "error.ballot.already_voted"),
        BallotProblem::NotVoter => ("ballot.not_voter", "error.ballot.not_voter"),
        BallotProblem::InvalidMarks => ("ballot.invalid_marks", "error.ballot.invalid_marks"),
        BallotProblem::BoxFull => ("ballot.box_full", "error.ballot.box_full"),
        BallotProblem::TooFewToShow => ("ballot.too_few", "error.ballot.too_few"),
        BallotProblem::WrongMode => ("ballot.wrong_mode", "error.ballot.wrong_mode"),
        BallotProblem::UnknownAccount(name) => return ("ballot.unknown_account", t.fmt("error.ballot.unknown_account", &[("name", name)])),
    };
    (code, t.get(key).into())
}

fn points(t: T, n: u64) -> String {
    t.int(&usize::try_from(n).unwrap_or(usize::MAX))
}

/// A criteria-table line that cannot be read, in the user's language.
pub fn describe_criteria_line(e: &CriteriaLineError, t: T) -> String {
    let (key, line) = match e {
        CriteriaLineError::Shape { line } => ("error.criteria.line_shape", line),
        CriteriaLineError::Points { line } => ("error.criteria.line_points", line),
        CriteriaLineError::Kind { line } => ("error.criteria.line_kind", line),
    };
    t.fmt(key, &[("line", &line.to_string())])
}

/// One field problem in the user's language; forms show it next to its field.
pub fn describe_field(p: &FieldProblem, t: T) -> String {
    match &p.problem {
        Invalid::Required => t.get("error.field.required").into(),
        Invalid::TooLong { max } => t.fmt("error.field.too_long", &[("max", &t.int(max))]),
        Invalid::BadDate => t.get("error.field.bad_date").into(),
        Invalid::NotMember => t.get("error.field.not_member").into(),
        Invalid::UnknownDocument(symbol) => t.fmt("error.field.unknown_document", &[("symbol", symbol)]),
        Invalid::NoMembership(year) => t.fmt("error.field.no_membership", &[("year", &year.to_string())]),
        Invalid::BeforeMeeting => t.get("error.field.before_meeting").into(),
        Invalid::InFuture => t.get("error.field.in_future").into(),
        Invalid::OutOfRange => t.get("error.field.out_of_range").into(),
        Invalid::Choice => t.get("error.field.choice").into(),
        Invalid::Period => t.get("error.field.period").into(),
        Invalid::TooMany { max } => t.fmt("error.field.too_many", &[("max", &t.int(max))]),
        Invalid::SecretDocument(symbol) => t.fmt("error.field.secret_document", &[("symbol", symbol)]),
        Invalid::Taken => t.get("error.field.taken").into(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    message: String,
}

/// A changed field in words: its label as the form has it (with the criterion it is about), and
/// the saved value and this edit's, with yes and no for criteria met, "(trống)" for nothing and
/// a dossier's state by its name.
fn change_in_words(c: &FieldChange, t: T) -> (String, String, String) {
    let label = t.get(&format!("field.{}", c.field));
    let field = match &c.item {
        Some(item) => format!("{label} {item}"),
        None => label.to_owned(),
    };
    let value = |v: &str| -> String {
        match (c.field, v) {
            (_, "") => t.get("change.empty").to_owned(),
            ("criterion_met", "true") => t.get("change.yes").to_owned(),
            ("criterion_met", "false") => t.get("change.no").to_owned(),
            ("status", code) if DossierState::from_code(code).is_some() => t.get(&format!("dossier.state.{code}")).to_owned(),
            _ => v.to_owned(),
        }
    };
    (field, value(&c.saved), value(&c.yours))
}

/// Puts a pending [`Problem`] into words: JSON under `/api/`, an HTML page elsewhere.
pub async fn render_problems(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let t = T::new(lang_of(&parts));
    let is_api = parts.uri.path().starts_with("/api/");
    let path = parts.uri.path().to_owned();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(Pending(problem)) = response.extensions().get::<Pending>().cloned() else {
        return response;
    };
    let status = response.status();
    let (code, message) = problem.describe(t);
    let mut out = if is_api {
        let mut detail = ErrorDetail { code: code.into(), message: message.clone(), fields: Vec::new(), changes: Vec::new() };
        if let Problem::App(AppError::Invalid(problems)) = problem.as_ref() {
            detail.fields = problems.iter().map(|p| FieldError { field: p.field.into(), message: describe_field(p, t) }).collect();
        }
        if let Problem::App(AppError::Changed(changes)) = problem.as_ref() {
            detail.changes = changes.iter().map(|c| ChangeDetail { field: c.field.into(), item: c.item.clone(), saved: c.saved.clone(), yours: c.yours.clone() }).collect();
        }
        let body = ErrorBody { error: detail };
        (status, Json(body)).into_response()
    } else {
        let caller = response.extensions().get::<Caller>();
        let page = ErrorPage { c: Chrome::new(t, "", &path, caller), message: message.clone() };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    };
    // Keep headers the handler set on the failed response (a redirect target, a cookie).
    for (name, value) in response.headers() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
