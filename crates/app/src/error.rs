use thidua_core::badge::BadgeError;
use thidua_core::cluster::ClusterError;
use thidua_core::ballot::PollError;
use thidua_core::emulation::{CriteriaLineError, EmulationError};
use thidua_core::scoring::ScoringError;
use thidua_core::member::MemberError;
use thidua_core::org::OrgError;
use thidua_core::rulebook::RulebookError;
use thidua_core::transfer::TransferError;
use thidua_store::StoreError;

use crate::auth::AccountError;

/// What a use case can fail with. Everything but `Internal` and `NoRandomness` is the user's to
/// fix (4xx at the web edge); those two are ours (5xx, logged without member data).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_minutes} minutes")]
    TooManyAttempts { retry_after_minutes: i64 },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("the database already holds data that is not the demo world")]
    NotEmpty,
    /// Every problem with a member record, each naming its field.
    #[error("the member record has {} problems", .0.len())]
    Member(Vec<MemberError>),
    #[error(transparent)]
    Badge(#[from] BadgeError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
    #[error(transparent)]
    TransferTarget(#[from] TransferProblem),
    #[error(transparent)]
    File(#[from] FileProblem),
    #[error(transparent)]
    Package(#[from] PackageProblem),
    #[error(transparent)]
    Document(#[from] DocumentProblem),
    #[error(transparent)]
    Rules(RulebookError),
    #[error(transparent)]
    Emulation(#[from] EmulationError),
    #[error(transparent)]
    Criteria(#[from] CriteriaLineError),
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    #[error(transparent)]
    Round(#[from] RoundProblem),
    #[error(transparent)]
    Poll(#[from] PollError),
    #[error(transparent)]
    Ballot(#[from] BallotProblem),
    #[error(transparent)]
    Evaluation(#[from] crate::evaluation::EvalProblem),
    #[error(transparent)]
    Commendation(#[from] crate::commendation::CommendationProblem),
    /// Problems with the fields of a form or request, each naming its field.
    #[error("{} fields are invalid", .0.len())]
    Invalid(Vec<FieldProblem>),
    /// Someone else changed the record since it was read; nothing was overwritten.
    #[error("the record was changed by someone else")]
    Conflict,
    /// As `Conflict`, for a record whose fields can be compared: how what was saved meanwhile
    /// differs from what this edit would have saved.
    #[error("the record was changed by someone else in {} fields", .0.len())]
    Changed(Vec<FieldChange>),
    #[error("the system's random number source failed")]
    NoRandomness,
    #[error(transparent)]
    Internal(StoreError),
}

impl From<thidua_office::OfficeError> for AppError {
    /// A document we generate failed to render: ours to fix.
    fn from(e: thidua_office::OfficeError) -> AppError {
        AppError::Internal(StoreError::Corrupt(e.to_string()))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Org(e) => AppError::Org(e),
            StoreError::Cluster(e) => AppError::Cluster(e),
            // Checks before a write name what is missing; this is the floor under them: an id that
            // names nothing is the caller's mistake, not the server's.
            e if e.is_foreign_key_violation() => {
                tracing::warn!(error = %e, "a write named a record that does not exist");
                AppError::NotFound
            }
            other => AppError::Internal(other),
        }
    }
}

/// Why a transfer cannot be addressed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferProblem {
    #[error("the receiving organization was dissolved with no successor")]
    NoSuccessor,
    #[error("the receiving organization was split; choose one of: {}", .0.join(", "))]
    Ambiguous(Vec<String>),
    #[error("the member already has an open transfer")]
    AlreadyOpen,
    #[error("give a receiving organization")]
    NoReceiver,
}

/// Why an uploaded file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("the file is larger than {max_mib} MiB")]
    TooLarge { max_mib: usize },
    #[error("the file is empty")]
    Empty,
    #[error("only PDF, Word (docx), JPEG, PNG and plain-text files are accepted")]
    UnsupportedType,
}

/// Why a transfer package is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageProblem {
    #[error("the file is not a thidua transfer package")]
    Unreadable,
    #[error("the package was altered after it was sealed: {0}")]
    Tampered(&'static str),
    #[error("packages are made for transfers to another installation")]
    NotExternal,
    #[error("a member with this CCCD is already registered here")]
    AlreadyHere,
}

/// Why a document or work record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentProblem {
    #[error("the number and symbol cannot be read: {0}")]
    Symbol(thidua_core::docnum::DocNumberError),
    #[error("the summary is empty or longer than 2000 characters")]
    Summary,
    #[error("this organization keeps no document register")]
    NoRegister,
    #[error("no committee term covers {0}: declare the term first")]
    NoTerm(jiff::civil::Date),
    #[error("the date is in the future")]
    FutureDate,
    #[error("a document cannot go from {from} to {to}")]
    Status { from: String, to: String },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("name the officer who handles it")]
    AssigneeRequired,
    #[error("the work record code is empty or already used")]
    RecordCode,
    #[error("the work record is {0}")]
    RecordState(String),
    #[error("the document belongs to another register")]
    OtherRegister,
}

impl AppError {
    /// A save refused for a newer version: what differs, or a plain conflict when nothing does
    /// (the other officer saved the same).
    pub fn changed(changes: Vec<FieldChange>) -> AppError {
        if changes.is_empty() { AppError::Conflict } else { AppError::Changed(changes) }
    }
}

/// One field someone else saved differently while this edit was being made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    /// Which one, for a field repeated per item (a criterion's code).
    pub item: Option<String>,
    /// As saved by the other officer.
    pub saved: String,
    /// As this edit would have saved it.
    pub yours: String,
}

impl FieldChange {
    /// The change of `field`, if the two values differ.
    pub fn of(field: &'static str, item: Option<&str>, saved: impl ToString, yours: impl ToString) -> Option<FieldChange> {
        let (saved, yours) = (saved.to_string(), yours.to_string());
        (saved != yours).then(|| FieldChange { field, item: item.map(str::to_owned), saved, yours })
    }
}

/// What is wrong with one field of a form or request; forms show it next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: Invalid,
}

impl FieldProblem {
    pub fn new(field: &'static str, problem: Invalid) -> FieldProblem {
        FieldProblem { field, problem }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Required,
    TooLong { max: usize },
    /// A date that cannot be read (the front end parses dates).
    BadDate,
    /// Not a unit of the cluster in the year concerned.
    NotMember,
    /// No document with this number and symbol in the registers of the cluster's units.
    UnknownDocument(String),
    /// The cluster has no membership recorded for the year.
    NoMembership(i16),
    /// Earlier than the meeting it belongs to.
    BeforeMeeting,
    InFuture,
    /// Outside the campaign's year, or a year outside 1930–2100.
    OutOfRange,
    /// A value that is not one of those offered.
    Choice,
    /// An end before its start.
    Period,
    /// More entries than a list takes.
    TooMany { max: usize },
    /// A document with a secrecy level (độ mật), which is not linked to cluster records.
    SecretDocument(String),
    /// Already recorded once, and only one is allowed (e.g. the regular campaign of a year).
    Taken,
}

/// Why a scoring round refuses an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundProblem {
    #[error("the campaign already has a scoring round")]
    Exists,
    #[error("the campaign's criteria table does not add up yet")]
    NoTable,
    #[error("the cluster has no leader that year to score as leader")]
    NoLeader,
    #[error("the round is closed")]
    Closed,
    #[error("the round is open")]
    NotClosed,
    #[error("the sheet was submitted and can no longer change")]
    Submitted,
    #[error("{missing} sheets are not submitted yet")]
    Incomplete { missing: usize },
    #[error("this unit is not assigned to score that one")]
    NotAssigned,
    #[error("the scorer does not fit the role")]
    WrongScorer,
    #[error("peers are assigned only when the cluster's rules say so")]
    NotAssignedMode,
    #[error("{units} units have nobody assigned to cross-score them")]
    Unassigned { units: usize },
}

/// Why a ballot or poll action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotProblem {
    #[error("the poll is not open")]
    NotOpen,
    #[error("the poll has been opened already")]
    NotDraft,
    #[error("the poll is not closed yet")]
    NotClosed,
    #[error("this vote has been cast already")]
    AlreadyVoted,
    #[error("not in this poll's electorate")]
    NotVoter,
    #[error("the ballot does not fit the question")]
    InvalidMarks,
    #[error("as many ballots as voters have been entered")]
    BoxFull,
    #[error("too few ballots to show a count without revealing a vote")]
    TooFewToShow,
    #[error("not possible in a poll of this kind")]
    WrongMode,
    #[error("no active account {0}")]
    UnknownAccount(String),
}
