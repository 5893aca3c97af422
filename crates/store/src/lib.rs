//! Persistence of thidua on SQLite (embedded default, one file) or PostgreSQL, chosen by URL.
//!
//! One repository API over `sqlx::AnyPool`: the same runtime queries run on both backends (`$n`
//! placeholders, ISO-text dates, `i64` ids); only the migrations differ, and a test keeps their
//! schemas in step. Every write goes through a [`Tx`], one database transaction.
#![deny(clippy::unwrap_used)]

mod accounts;
mod audit;
mod ballots;
mod bulk;
mod clusters;
mod commendation;
mod db;
mod documents;
mod emulation;
mod evaluation;
mod export;
mod members;
mod orgs;
mod scoring;
mod transfers;

pub use accounts::{SessionRow, TokenRow, UserId, UserRow};
pub use audit::AuditFilter;
pub use ballots::{BallotRow, PollOptionRow, PollRow, VoterRow};
pub use bulk::Cell;
pub use commendation::{AwardFilter, AwardRow, DecisionRow, DossierFileRow, DossierRow, DossierStepRow, InitiativeRow, Nominee, PersonRow, RevocationRow, RulebookRow, StreakRow};
pub use db::{sqlite_path, Backend, Store, StoreError, Tx};
pub use documents::{index_terms, AttachmentRow, BlobPlace, Direction, DocumentRow, SearchFilter, TermRow, WorkRecordRow};
pub use emulation::{AttendeeRow, CampaignRow, KeyTaskRow, MeetingRow, RegistrationRow, TaskNoteRow, TopicRow};
pub use export::{EXPORT_FORMAT, EXPORT_VERSION};
pub use evaluation::{DisciplineRow, EvalReopeningRow, EvalRoundRow, EvalRow, NewSubject, Step, YearResult};
pub use members::{BadgeRow, ChangeRow, FileMeta, MemberBasics, MemberRow, PositionRow};
pub use scoring::{AdjustmentRow, LineRow, ReopeningRow, RoundRow, ScoreFileRow, SheetRow};
pub use transfers::{StepRow, TransferRow};
