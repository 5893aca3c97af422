//! Importing spreadsheets from units that do not use thidua yet: a template per kind, a dry run
//! that reports every problem by sheet, row and column and changes nothing, and an import that is
//! all-or-nothing and idempotent (a row matching a record by its key updates it, or leaves it be).

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use jiff::civil::Date;
use thidua_core::access::Action;
use thidua_core::date::parse_date;
use thidua_core::member::{check_party_card, Cccd, Gender, MemberError, MemberId, MemberRecord};
use thidua_core::evaluation::{Level, SubjectKind};
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec, OrgVersion};
use thidua_core::vi::fold;
use thidua_office::table::{for_each_row, Format, Value};
use thidua_office::{Cell, Sheet};
use thidua_store::{AwardFilter, DecisionRow, Direction, DocumentRow, EvalRoundRow, MemberRow, NewSubject, Nominee, PersonRow};

use crate::commendation::NomineeRef;
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::evaluation::is_grassroots;
use crate::{today, App, AppError};

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// Đảng viên, matched by CCCD.
    Members,
    /// Kết quả xếp loại chất lượng đảng viên of past years, matched by CCCD and year.
    Evaluations,
    /// Tổ chức đảng, matched by name under their parent.
    Orgs,
    /// Khen thưởng of past years, by decision: matched by issuer and number, then by title, year
    /// and recipient.
    Awards,
    /// Sổ văn bản đến, đi kept on paper: matched by number within the register's sequence.
    Documents,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [ImportKind::Orgs, ImportKind::Members, ImportKind::Evaluations, ImportKind::Awards, ImportKind::Documents];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Members => "members",
            ImportKind::Evaluations => "evaluations",
            ImportKind::Orgs => "orgs",
            ImportKind::Awards => "awards",
            ImportKind::Documents => "documents",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The template's columns: header (Vietnamese, as printed), whether required, width.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Members => MEMBER_COLUMNS,
            ImportKind::Evaluations => EVALUATION_COLUMNS,
            ImportKind::Orgs => ORG_COLUMNS,
            ImportKind::Awards => AWARD_COLUMNS,
            ImportKind::Documents => DOCUMENT_COLUMNS,
        }
    }
}

/// A column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The field it fills, as problems name it.
    pub field: &'static str,
    /// The header printed in the template; files are matched on it without regard to case or
    /// diacritics.
    pub header: &'static str,
    pub required: bool,
    pub width: u8,
}

const MEMBER_COLUMNS: &[Column] = &[
    Column { field: "full_name", header: "Họ và tên", required: true, width: 28 },
    Column { field: "birth_date", header: "Ngày sinh", required: true, width: 12 },
    Column { field: "gender", header: "Giới tính", required: true, width: 10 },
    Column { field: "cccd", header: "Số CCCD", required: true, width: 16 },
    Column { field: "party_card", header: "Số thẻ đảng viên", required: false, width: 16 },
    Column { field: "admitted_on", header: "Ngày vào Đảng", required: true, width: 14 },
    Column { field: "official_on", header: "Ngày chính thức", required: false, width: 14 },
    Column { field: "org", header: "Tổ chức đảng", required: true, width: 36 },
    Column { field: "phone", header: "Điện thoại", required: false, width: 14 },
    Column { field: "email", header: "Thư điện tử", required: false, width: 24 },
    Column { field: "address", header: "Địa chỉ", required: false, width: 36 },
];

const EVALUATION_COLUMNS: &[Column] = &[
    Column { field: "cccd", header: "Số CCCD", required: true, width: 16 },
    Column { field: "full_name", header: "Họ và tên", required: false, width: 28 },
    Column { field: "year", header: "Năm", required: true, width: 8 },
    Column { field: "level", header: "Xếp loại", required: true, width: 36 },
];

const ORG_COLUMNS: &[Column] = &[
    Column { field: "name", header: "Tên tổ chức", required: true, width: 40 },
    Column { field: "short_name", header: "Tên viết tắt", required: false, width: 16 },
    Column { field: "kind", header: "Loại", required: true, width: 24 },
    Column { field: "parent", header: "Trực thuộc", required: false, width: 40 },
    Column { field: "founded_on", header: "Ngày thành lập", required: true, width: 14 },
];

const AWARD_COLUMNS: &[Column] = &[
    Column { field: "number", header: "Số quyết định", required: true, width: 20 },
    Column { field: "decided_on", header: "Ngày quyết định", required: true, width: 14 },
    Column { field: "issuer", header: "Cơ quan quyết định", required: true, width: 36 },
    Column { field: "signer", header: "Người ký", required: false, width: 24 },
    Column { field: "award", header: "Danh hiệu, hình thức", required: true, width: 36 },
    Column { field: "year", header: "Năm", required: true, width: 8 },
    Column { field: "collective", header: "Tập thể được khen", required: false, width: 36 },
    Column { field: "cccd", header: "Số CCCD", required: false, width: 16 },
    Column { field: "full_name", header: "Họ và tên", required: false, width: 28 },
    Column { field: "unit", header: "Đơn vị", required: false, width: 36 },
];

const DOCUMENT_COLUMNS: &[Column] = &[
    Column { field: "register", header: "Sổ văn bản", required: true, width: 36 },
    Column { field: "direction", header: "Văn bản đến hay đi", required: true, width: 10 },
    Column { field: "doc_type", header: "Loại văn bản", required: false, width: 10 },
    Column { field: "symbol", header: "Số, ký hiệu", required: false, width: 16 },
    Column { field: "issued_on", header: "Ngày ban hành", required: false, width: 14 },
    Column { field: "issuer_name", header: "Cơ quan ban hành", required: false, width: 30 },
    Column { field: "summary", header: "Trích yếu", required: true, width: 60 },
    Column { field: "signer", header: "Người ký", required: false, width: 24 },
    Column { field: "recipients", header: "Nơi nhận", required: false, width: 30 },
    Column { field: "arrival_number", header: "Số đến", required: false, width: 8 },
    Column { field: "arrival_on", header: "Ngày đến", required: false, width: 14 },
];

/// Kinds of organization as a file names them.
const ORG_KINDS: [(OrgKind, &str); 11] = [
    (OrgKind::CentralCommittee, "Ban Chấp hành Trung ương"),
    (OrgKind::ProvincialCommittee, "Tỉnh ủy, Thành ủy"),
    (OrgKind::UpperGrassrootsCommittee, "Đảng ủy cấp trên cơ sở"),
    (OrgKind::GrassrootsCommittee, "Đảng bộ cơ sở"),
    (OrgKind::Cell, "Chi bộ"),
    (OrgKind::OrganizationBoard, "Ban Tổ chức"),
    (OrgKind::CommitteeOffice, "Văn phòng cấp ủy"),
    (OrgKind::InspectionCommission, "Ủy ban Kiểm tra"),
    (OrgKind::PropagandaBoard, "Ban Tuyên giáo"),
    (OrgKind::PartyBuildingBoard, "Ban Xây dựng Đảng"),
    (OrgKind::Agency, "Cơ quan, đơn vị"),
];

/// A kind of organization as the organizations template writes it.
pub fn org_kind_name(kind: OrgKind) -> &'static str {
    ORG_KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, name)| name)
}

fn parse_kind(text: &str) -> Option<OrgKind> {
    let key = header_key(text);
    match key.as_str() {
        "tinhuy" | "thanhuy" => return Some(OrgKind::ProvincialCommittee),
        "dangbo" | "dangbocoso" => return Some(OrgKind::GrassrootsCommittee),
        "chibocoso" => return Some(OrgKind::Cell),
        _ => {}
    }
    ORG_KINDS.iter().find(|(k, name)| header_key(name) == key || header_key(k.code()) == key).map(|(k, _)| *k)
}

/// What is wrong with a cell, a row or the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportIssue {
    /// The file is not a readable xlsx or UTF-8 CSV.
    Unreadable,
    /// An xlsx file whose parts would unpack past the limit (a zip bomb), so it is not read.
    UnpacksTooLarge { max_mib: u64 },
    /// The file has no data row under its header.
    Empty,
    /// More rows than one import takes.
    TooManyRows { max: u32 },
    /// A required column is not in the header row.
    MissingColumn,
    /// The value is not one of those the column takes.
    NotInList { value: String, allowed: &'static str },
    /// No live party organization by this name that the importer may edit.
    UnknownOrg(String),
    /// Several organizations have this name.
    AmbiguousOrg(String),
    /// The organization is outside what the importer may change.
    OutsideScope(String),
    /// The same key appears on an earlier row.
    DuplicateInFile { first_row: u32 },
    /// The member is already recorded in another organization: that changes by a transfer.
    OrgDiffers { current: String },
    /// No member has this CCCD.
    UnknownMember(String),
    /// The name in the file is not the recorded name of the member with this CCCD.
    NameDiffers { recorded: String },
    /// Not a year between 1930 and this one.
    BadYear(String),
    /// The member was admitted after that year.
    BeforeAdmission { year: i16 },
    /// That year's round of the member's grassroots organization is under way: its results are
    /// entered there, step by step.
    RoundOpen { year: i16 },
    /// The organization cannot be made as the row says (a parent not yet founded that day, …).
    Org(thidua_core::org::OrgError),
    /// A parent named by a later row: parents come first.
    ParentLater(String),
    /// The row names no recipient, or more than one (a collective, a CCCD, or a name and unit).
    OneRecipient,
    /// The title is not given to this kind of recipient.
    WrongRecipient(String),
    /// The title is above what the issuer confers.
    AboveIssuer(String),
    /// The document number and symbol, type or register cannot be used as written.
    Document(crate::DocumentProblem),
    Member(MemberError),
}

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub sheet: String,
    /// The row as the spreadsheet numbers it (0 for the file as a whole).
    pub row: u32,
    /// The column's header (empty for the file or the row as a whole).
    pub column: String,
    pub issue: ImportIssue,
}

/// What an import did, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub problems: Vec<ImportProblem>,
    /// Whether the database was changed (never on a dry run or with problems).
    pub written: bool,
}

/// Most data rows one import takes.
pub const MAX_ROWS: u32 = 10_000_000;
/// Most problems listed: enough to fix a file, not a flood.
pub const MAX_PROBLEMS: usize = 1000;

/// Where an import stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Rows read and checked so far (the total is known only at the end of the file).
    Checking,
    /// Rows written out of `total`.
    Writing { total: u32 },
}

/// The header row matched to the kind's columns: the index of each column found.
struct Header {
    at: HashMap<&'static str, usize>,
}

fn header_key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

impl Header {
    fn read(kind: ImportKind, cells: &[Value]) -> Header {
        let mut at = HashMap::new();
        for (i, cell) in cells.iter().enumerate() {
            let key = header_key(&cell.text());
            if let Some(c) = kind.columns().iter().find(|c| header_key(c.header) == key) {
                at.entry(c.field).or_insert(i);
            }
        }
        Header { at }
    }

    fn get<'c>(&self, cells: &'c [Value], field: &str) -> Option<&'c Value> {
        self.at.get(field).and_then(|i| cells.get(*i)).filter(|v| !v.is_empty())
    }
}

/// A row read into a member record, with where it is.
struct MemberLine {
    row: u32,
    record: MemberRecord,
}

/// Organizations an import may name: live today, by folded name.
struct OrgNames {
    by_name: HashMap<String, Vec<OrgId>>,
    editable: HashSet<OrgId>,
    names: HashMap<OrgId, String>,
}

fn cell_date(v: &Value) -> Option<Date> {
    match v {
        Value::Date(y, m, d) => Date::new(*y, *m, *d).ok(),
        other => parse_date(&other.text()),
    }
}

fn clean_text(v: &Value) -> String {
    let text = v.text();
    // Most cells are ASCII words with single spaces (numbers, codes, levels): `text` has trimmed
    // them, so they are already clean.
    if text.is_ascii() && !text.contains("  ") && !text.bytes().any(|b| b != b' ' && b.is_ascii_whitespace() || b == 0x0b) {
        return text;
    }
    text.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A CCCD cell: Excel keeps one typed as a number without its leading zero (every province code
/// but one starts with 0), so a whole number gets it back.
fn cccd_text(v: &Value) -> String {
    match v {
        Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e12 => format!("{:012}", *n as u64),
        other => clean_text(other),
    }
}

impl App {
    /// The template of a kind: its header row, an example row, and a sheet explaining the columns.
    pub fn import_template(&self, kind: ImportKind) -> Result<Vec<u8>, AppError> {
        let columns = kind.columns();
        let example: Vec<Cell> = match kind {
            ImportKind::Documents => vec![
                Cell::Text("Thành ủy …".into()),
                Cell::Text("Đi".into()),
                Cell::Empty,
                Cell::Text("969-CV/TU".into()),
                Cell::Date(2023, 3, 10),
                Cell::Empty,
                Cell::Text("Về việc …".into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ],
            ImportKind::Awards => vec![
                Cell::Text("12-QĐ/ĐU".into()),
                Cell::Date(2024, 1, 15),
                Cell::Text("Đảng ủy …".into()),
                Cell::Text("Nguyễn Văn A".into()),
                Cell::Text("Giấy khen".into()),
                Cell::Int(2023),
                Cell::Empty,
                Cell::Text("079085001234".into()),
                Cell::Empty,
                Cell::Empty,
            ],
            ImportKind::Orgs => vec![Cell::Text("Chi bộ Phòng Kế hoạch".into()), Cell::Empty, Cell::Text("Chi bộ".into()), Cell::Text("Đảng bộ cơ sở …".into()), Cell::Date(2020, 1, 1)],
            ImportKind::Evaluations => vec![Cell::Text("079085001234".into()), Cell::Text("Nguyễn Văn An".into()), Cell::Int(2024), Cell::Text("HTXSNV".into())],
            ImportKind::Members => vec![
                Cell::Text("Nguyễn Văn An".into()),
                Cell::Date(1985, 3, 14),
                Cell::Text("Nam".into()),
                Cell::Text("079085001234".into()),
                Cell::Text("".into()),
                Cell::Date(2010, 5, 19),
                Cell::Date(2011, 5, 19),
                Cell::Text("Chi bộ …".into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ],
        };
        let data = Sheet {
            name: "Dữ liệu".into(),
            title: None,
            headers: columns.iter().map(|c| c.header.to_owned()).collect(),
            widths: columns.iter().map(|c| f64::from(c.width)).collect(),
            rows: vec![example],
        };
        let guide = Sheet {
            name: "Hướng dẫn".into(),
            title: Some("Hướng dẫn điền mẫu nhập dữ liệu".into()),
            headers: vec!["Cột".into(), "Bắt buộc".into(), "Cách ghi".into()],
            widths: vec![22.0, 10.0, 80.0],
            rows: columns.iter().map(|c| vec![Cell::Text(c.header.into()), Cell::Text(if c.required { "Có" } else { "Không" }.into()), Cell::Text(column_hint(c.field).into())]).collect(),
        };
        Ok(thidua_office::xlsx(&[data, guide])?)
    }

    /// Checks a file and, unless `dry_run` or a problem is found, imports it in one transaction.
    /// `progress(phase, done)` is called every few hundred rows.
    pub async fn import(&self, p: &Principal, kind: ImportKind, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        let report = match kind {
            ImportKind::Members => self.import_members(p, bytes, dry_run, progress).await,
            ImportKind::Evaluations => self.import_evaluations(p, bytes, dry_run, progress).await,
            ImportKind::Orgs => self.import_orgs(p, bytes, dry_run, progress).await,
            ImportKind::Awards => self.import_awards(p, bytes, dry_run, progress).await,
            ImportKind::Documents => self.import_documents(p, bytes, dry_run, progress).await,
        }?;
        if report.written && report.created + report.updated >= BULK_ROWS {
            self.store.refresh_statistics().await?;
        }
        Ok(report)
    }

    async fn importable_orgs(&self, p: &Principal, action: Action) -> Result<OrgNames, AppError> {
        let versions = self.store.orgs_on(today()).await?;
        let mut by_name: HashMap<String, Vec<OrgId>> = HashMap::new();
        let mut names = HashMap::new();
        for v in &versions {
            by_name.entry(fold(&v.name)).or_default().push(v.org);
            names.insert(v.org, v.name.clone());
        }
        let editable = self.visible_for(p, action, versions).await?.into_iter().map(|v| v.org).collect();
        Ok(OrgNames { by_name, editable, names })
    }

    async fn import_members(&self, p: &Principal, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        let orgs = self.importable_orgs(p, Action::EditMember).await?;
        if orgs.editable.is_empty() {
            return Err(AppError::Forbidden);
        }
        let existing = self.store.member_ids_by_cccd().await?;
        let today = today();
        let mut lines: Vec<MemberLine> = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let Reading { mut report, sheet, present } = read_file(ImportKind::Members, bytes, progress, &mut |row, h, cells, problems| {
            if let Some(record) = member_row(h, cells, &orgs, today, problems) {
                if let Some(key) = record.cccd.as_ref().map(|c| c.as_str().to_owned()) {
                    match seen.get(&key) {
                        Some(first_row) => problems.push(("cccd", ImportIssue::DuplicateInFile { first_row: *first_row })),
                        None => {
                            seen.insert(key, row);
                        }
                    }
                }
                if problems.is_empty() {
                    lines.push(MemberLine { row, record });
                }
            }
        });

        // The members already recorded: updated when the file says something new, never moved.
        let known: Vec<MemberId> = lines.iter().filter_map(|l| l.record.cccd.as_ref().and_then(|c| existing.get(c.as_str())).copied()).collect();
        let current: HashMap<MemberId, MemberRow> = self.store.members_by_ids(&known).await?.into_iter().map(|r| (r.id, r)).collect();
        let mut plan: Vec<(MemberRecord, Option<(MemberId, i64)>)> = Vec::with_capacity(lines.len());
        for line in lines {
            let found = line.record.cccd.as_ref().and_then(|c| existing.get(c.as_str())).and_then(|id| current.get(id));
            match found {
                None => {
                    report.created += 1;
                    plan.push((line.record, None));
                }
                // A member recorded where the importer may not look: said without naming where.
                Some(row) if !orgs.editable.contains(&row.record.org) => {
                    report.add(&sheet, line.row, header_of(MEMBER_COLUMNS, "cccd"), ImportIssue::Member(MemberError::DuplicateCccd));
                }
                Some(row) if row.record.org != line.record.org => {
                    let name = orgs.names.get(&row.record.org).cloned().unwrap_or_default();
                    report.add(&sheet, line.row, header_of(MEMBER_COLUMNS, "org"), ImportIssue::OrgDiffers { current: name });
                }
                Some(row) => {
                    // What the file has no column for stays as recorded.
                    let keep = |field: &str| !present.contains(field);
                    let old = &row.record;
                    let new = line.record;
                    let merged = MemberRecord {
                        party_card: if keep("party_card") { old.party_card.clone() } else { new.party_card },
                        official_on: if keep("official_on") { old.official_on } else { new.official_on },
                        phone: if keep("phone") { old.phone.clone() } else { new.phone },
                        email: if keep("email") { old.email.clone() } else { new.email },
                        address: if keep("address") { old.address.clone() } else { new.address },
                        seriously_ill: old.seriously_ill,
                        ..new
                    };
                    if merged == row.record {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        plan.push((merged, Some((row.id, row.version))));
                    }
                }
            }
        }
        report.problems.sort_by_key(|x| x.row);
        if dry_run || !report.problems.is_empty() {
            return Ok(report);
        }

        let now = now_unix();
        let total = u32::try_from(plan.len()).unwrap_or(u32::MAX);
        let mut tx = self.store.begin().await?;
        let mut done = 0usize;
        // New members go in many per statement; an update is checked against its version each.
        let (new, known): (Vec<_>, Vec<_>) = plan.iter().partition(|(_, known)| known.is_none());
        for chunk in new.chunks(2_000) {
            let records: Vec<&MemberRecord> = chunk.iter().map(|(record, _)| record).collect();
            tx.create_members(&records, &p.username, "imported", now).await?;
            done += chunk.len();
            progress(Phase::Writing { total }, u32::try_from(done).unwrap_or(u32::MAX));
        }
        for (record, known) in known {
            let Some((id, version)) = known else { continue };
            if !tx.update_member(*id, record, *version).await? {
                return Err(AppError::Conflict);
            }
            tx.add_member_change(*id, &p.username, "updated by import", now).await?;
            done += 1;
            if done.is_multiple_of(500) {
                progress(Phase::Writing { total }, u32::try_from(done).unwrap_or(u32::MAX));
            }
        }
        progress(Phase::Writing { total }, total);
        finish(tx, p, ImportKind::Members, report).await
    }
}

impl ImportReport {
    /// Records a problem, up to `MAX_PROBLEMS`.
    fn add(&mut self, sheet: &str, row: u32, column: String, issue: ImportIssue) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(ImportProblem { sheet: sheet.to_owned(), row, column, issue });
        }
    }
}

/// What is done with each data row: its number, the header, the cells, and where its problems go
/// (by field).
type RowCheck<'a> = dyn FnMut(u32, &Header, &[Value], &mut Vec<(&'static str, ImportIssue)>) + 'a;

/// What a file held: the report so far, the sheet read and the fields it has columns for.
struct Reading {
    report: ImportReport,
    sheet: String,
    present: HashSet<&'static str>,
}

/// Rows above the header a file may have (a title, a date line) before one must be the header.
const TITLE_ROWS: u32 = 10;

/// An import writing this many rows or more refreshes the database's planner statistics.
const BULK_ROWS: u32 = 10_000;

/// Reads the first sheet of a file of `kind` (the template's guide sheet is not read): the header
/// row (under a title, as thidua's own exports have), then every data row through `each`.
fn read_file(kind: ImportKind, bytes: &[u8], progress: &(dyn Fn(Phase, u32) + Sync), each: &mut RowCheck<'_>) -> Reading {
    let columns = kind.columns();
    let mut report = ImportReport::default();
    let mut header: Option<(String, Header)> = None;
    let mut problems: Vec<(&'static str, ImportIssue)> = Vec::new();
    let mut above = 0u32;
    let read = for_each_row(bytes, Format::sniff(bytes), &mut |sheet, row, cells| {
        let blank = cells.iter().all(Value::is_empty);
        let Some((first, h)) = &header else {
            if blank {
                return ControlFlow::Continue(());
            }
            let h = Header::read(kind, cells);
            above += 1;
            if h.at.is_empty() && above < TITLE_ROWS {
                return ControlFlow::Continue(());
            }
            for c in columns.iter().filter(|c| c.required && !h.at.contains_key(c.field)) {
                report.add(sheet, row, c.header.into(), ImportIssue::MissingColumn);
            }
            header = Some((sheet.to_owned(), h));
            return if report.problems.is_empty() { ControlFlow::Continue(()) } else { ControlFlow::Break(()) };
        };
        if first != sheet {
            return ControlFlow::Break(());
        }
        if blank {
            return ControlFlow::Continue(());
        }
        report.rows += 1;
        if report.rows > MAX_ROWS {
            report.add(sheet, row, String::new(), ImportIssue::TooManyRows { max: MAX_ROWS });
            return ControlFlow::Break(());
        }
        problems.clear();
        each(row, h, cells, &mut problems);
        for (field, issue) in problems.drain(..) {
            report.add(sheet, row, header_of(columns, field), issue);
        }
        if report.rows.is_multiple_of(1000) {
            progress(Phase::Checking, report.rows);
        }
        ControlFlow::Continue(())
    });
    let present = header.as_ref().map(|(_, h)| h.at.keys().copied().collect()).unwrap_or_default();
    let sheet = header.map(|(s, _)| s).unwrap_or_default();
    if read.is_err() {
        let issue = if thidua_office::table::unpacks_too_large(bytes) { ImportIssue::UnpacksTooLarge { max_mib: thidua_office::table::MAX_UNPACKED >> 20 } } else { ImportIssue::Unreadable };
        report.add("", 0, String::new(), issue);
    } else if report.problems.is_empty() && report.rows == 0 {
        report.add(&sheet, 0, String::new(), ImportIssue::Empty);
    }
    progress(Phase::Checking, report.rows);
    Reading { report, sheet, present }
}

impl App {
    async fn import_evaluations(&self, p: &Principal, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        let today = today();
        let versions = self.store.orgs_on(today).await?;
        let editable: HashSet<OrgId> = self.visible_for(p, Action::EditOrgs, versions.clone()).await?.into_iter().map(|v| v.org).collect();
        if editable.is_empty() {
            return Err(AppError::Forbidden);
        }
        // Results go to the round of the member's grassroots organization (as the tree stands
        // today), worked out once per organization rather than once per row.
        let by_id: HashMap<OrgId, OrgVersion> = versions.into_iter().map(|v| (v.org, v)).collect();
        let grassroots: HashMap<OrgId, OrgId> = by_id
            .keys()
            .filter_map(|org| {
                let mut at = by_id.get(org);
                for _ in 0..64 {
                    let v = at?;
                    if is_grassroots(v, &by_id) {
                        return Some((*org, v.org));
                    }
                    at = v.parent.and_then(|p| by_id.get(&p));
                }
                None
            })
            .collect();
        drop(by_id);
        let members = self.store.member_basics().await?;
        let by_cccd: HashMap<&str, MemberId> = members.iter().filter_map(|m| Some((m.cccd.as_deref()?, m.id))).collect();
        let facts: HashMap<MemberId, (&str, OrgId, i16)> = members.iter().map(|m| (m.id, (m.name.as_str(), m.org, m.admitted))).collect();
        let mut lines: Vec<ResultLine> = Vec::new();
        // About 25 bytes a row: sized once rather than grown through a million rows.
        let mut seen: HashMap<(MemberId, i16), u32> = HashMap::with_capacity(bytes.len() / 25);
        let Reading { mut report, sheet, .. } = read_file(ImportKind::Evaluations, bytes, progress, &mut |row, h, cells, problems| {
            // A member outside the importer's organizations is as unknown as one not recorded:
            // a CCCD must not tell whose it is, nor where they are.
            let member: Option<(MemberId, OrgId, OrgId)> = match h.get(cells, "cccd").map(cccd_text).filter(|c| !c.is_empty()) {
                None => {
                    problems.push(("cccd", ImportIssue::Member(MemberError::Required { field: "cccd" })));
                    None
                }
                Some(c) => {
                    let digits: Cow<str> = if c.contains(char::is_whitespace) { c.chars().filter(|c| !c.is_whitespace()).collect::<String>().into() } else { c.as_str().into() };
                    let found = by_cccd.get(digits.as_ref()).and_then(|m| facts.get(m).map(|f| (*m, f))).and_then(|(m, f)| grassroots.get(&f.1).filter(|g| editable.contains(g)).map(|g| (m, f.1, *g)));
                    if found.is_none() {
                        problems.push(("cccd", ImportIssue::UnknownMember(c)));
                    }
                    found
                }
            };
            let year: Option<i16> = required(h, cells, "year", problems, |y| y.parse::<i16>().ok().filter(|y| (1930..=today.year()).contains(y)).ok_or(ImportIssue::BadYear(y)));
            let level: Option<Level> = required(h, cells, "level", problems, |l| parse_level(&l).ok_or(ImportIssue::NotInList { value: l, allowed: "HTXSNV, HTTNV, HTNV, KHTNV" }));
            let Some((member, cell, grassroots)) = member else { return };
            let Some((name, _, admitted)) = facts.get(&member) else { return };
            if let Some(written) = h.get(cells, "full_name").map(clean_text).filter(|s| !s.is_empty())
                && fold(&written) != fold(name)
            {
                problems.push(("full_name", ImportIssue::NameDiffers { recorded: (*name).to_owned() }));
            }
            let (Some(year), Some(level)) = (year, level) else { return };
            if year < *admitted {
                problems.push(("year", ImportIssue::BeforeAdmission { year }));
            }
            match seen.get(&(member, year)) {
                Some(first_row) => problems.push(("year", ImportIssue::DuplicateInFile { first_row: *first_row })),
                None => {
                    seen.insert((member, year), row);
                }
            }
            if problems.is_empty() {
                lines.push(ResultLine { row, member, cell, grassroots, year, level });
            }
        });
        drop(seen);

        // What is recorded already: a result of that member and year is updated or left be; a
        // round under way is not written into.
        let (first, last) = lines.iter().fold((i16::MAX, i16::MIN), |(a, b), l| (a.min(l.year), b.max(l.year)));
        let recorded: HashMap<(MemberId, i16), (i64, Option<Level>, i64)> =
            if lines.is_empty() { HashMap::new() } else { self.store.member_results(first, last).await?.into_iter().map(|(m, y, id, l, round)| ((m, y), (id, l, round))).collect() };
        let all_rounds = self.store.eval_rounds().await?;
        let round_by_id: HashMap<i64, EvalRoundRow> = all_rounds.iter().map(|r| (r.id, r.clone())).collect();
        let rounds: HashMap<(OrgId, i16), EvalRoundRow> = all_rounds.into_iter().map(|r| ((r.org, r.year), r)).collect();
        let mut changes: Vec<(i64, Level)> = Vec::new();
        let mut touched: HashSet<i64> = HashSet::new();
        let mut additions: Vec<&ResultLine> = Vec::new();
        for line in &lines {
            if rounds.get(&(line.grassroots, line.year)).is_some_and(|r| r.concluded.is_none()) {
                report.add(&sheet, line.row, header_of(EVALUATION_COLUMNS, "year"), ImportIssue::RoundOpen { year: line.year });
                continue;
            }
            match recorded.get(&(line.member, line.year)) {
                Some((_, Some(level), _)) if *level == line.level => report.unchanged += 1,
                // A result kept in another organization's round (before a transfer): changed only
                // where the importer may, and once that round is concluded.
                Some((_, _, round)) if round_by_id.get(round).is_none_or(|r| !editable.contains(&r.org)) => {
                    report.add(&sheet, line.row, header_of(EVALUATION_COLUMNS, "cccd"), ImportIssue::UnknownMember(String::new()));
                }
                Some((_, _, round)) if round_by_id.get(round).is_some_and(|r| r.concluded.is_none()) => {
                    report.add(&sheet, line.row, header_of(EVALUATION_COLUMNS, "year"), ImportIssue::RoundOpen { year: line.year });
                }
                Some((id, _, round)) => {
                    report.updated += 1;
                    changes.push((*id, line.level));
                    touched.insert(*round);
                }
                None => {
                    report.created += 1;
                    additions.push(line);
                }
            }
        }
        report.problems.sort_by_key(|x| x.row);
        if dry_run || !report.problems.is_empty() {
            return Ok(report);
        }

        let total = report.created + report.updated;
        let mut tx = self.store.begin().await?;
        tx.set_concluded_levels(&changes, &p.username, today).await?;
        progress(Phase::Writing { total }, u32::try_from(changes.len()).unwrap_or(u32::MAX));
        // A year missing from the records gets its round, concluded as the results are.
        let mut round_of: HashMap<(OrgId, i16), i64> = rounds.iter().map(|(key, r)| (*key, r.id)).collect();
        for line in &additions {
            if let Entry::Vacant(slot) = round_of.entry((line.grassroots, line.year)) {
                let source = self.rules.evaluation_for(line.year).map(|r| r.source.clone()).unwrap_or_default();
                let id = tx.create_eval_round(line.grassroots, line.year, &source, &p.username).await?.ok_or(AppError::Conflict)?;
                if !tx.set_round_concluded(id, 1, true, &p.username, today).await? {
                    return Err(AppError::Conflict);
                }
                slot.insert(id);
            }
        }
        additions.sort_unstable_by_key(|l| (l.year, l.member));
        let mut done = changes.len();
        for chunk in additions.chunks(WRITE_CHUNK) {
            let results: Vec<(i64, NewSubject, Level)> = chunk
                .iter()
                .map(|l| (round_of[&(l.grassroots, l.year)], NewSubject { kind: SubjectKind::Member, member: Some(l.member), org: None, cell: l.cell }, l.level))
                .collect();
            tx.add_concluded(&results, &p.username, today).await?;
            touched.extend(results.iter().map(|r| r.0));
            done += chunk.len();
            progress(Phase::Writing { total }, u32::try_from(done).unwrap_or(u32::MAX));
        }
        for round in &touched {
            tx.touch_eval_round(*round).await?;
        }
        finish(tx, p, ImportKind::Evaluations, report).await
    }
}

/// One organization row, checked.
struct OrgLine {
    row: u32,
    name: String,
    short_name: Option<String>,
    kind: OrgKind,
    parent: Option<String>,
    founded_on: Date,
}

impl App {
    /// Organizations are made in one transaction, row after row, each by the registry's own
    /// event (so the same checks apply); a dry run makes them and rolls back.
    async fn import_orgs(&self, p: &Principal, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        let today = today();
        let orgs = self.importable_orgs(p, Action::EditOrgs).await?;
        if orgs.editable.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut lines: Vec<OrgLine> = Vec::new();
        let Reading { mut report, sheet, .. } = read_file(ImportKind::Orgs, bytes, progress, &mut |row, h, cells, problems| {
            let text = |field: &str| h.get(cells, field).map(clean_text).filter(|s| !s.is_empty());
            let name = required(h, cells, "name", problems, Ok);
            let kind = required(h, cells, "kind", problems, |k| parse_kind(&k).ok_or(ImportIssue::NotInList { value: k, allowed: "Chi bộ, Đảng bộ cơ sở, Đảng ủy cấp trên cơ sở, Tỉnh ủy, Ban Tổ chức, …" }));
            let founded_on = match h.get(cells, "founded_on") {
                None => {
                    problems.push(("founded_on", ImportIssue::Member(MemberError::Required { field: "founded_on" })));
                    None
                }
                Some(v) => match cell_date(v) {
                    Some(d) if d > today => {
                        problems.push(("founded_on", ImportIssue::Member(MemberError::BadDate { field: "founded_on" })));
                        None
                    }
                    Some(d) => Some(d),
                    None => {
                        problems.push(("founded_on", ImportIssue::Member(MemberError::BadDate { field: "founded_on" })));
                        None
                    }
                },
            };
            if let (Some(name), Some(kind), Some(founded_on)) = (name, kind, founded_on)
                && problems.is_empty()
            {
                lines.push(OrgLine { row, name, short_name: text("short_name"), kind, parent: text("parent"), founded_on });
            }
        });
        // Rows with problems are left out; the others are still tried, so every problem is listed.
        let total = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        let system_wide = p.has_system(Action::EditOrgs);
        let live = self.store.orgs_on(today).await?;
        let mut made: HashMap<String, (OrgId, u32)> = HashMap::new();
        let mut tx = self.store.begin().await?;
        for (done, line) in lines.iter().enumerate() {
            let parent = match &line.parent {
                None if system_wide => None,
                None => {
                    report.add(&sheet, line.row, header_of(ORG_COLUMNS, "parent"), ImportIssue::Member(MemberError::Required { field: "parent" }));
                    continue;
                }
                Some(name) => {
                    let key = fold(name);
                    let mine: Vec<OrgId> = orgs.by_name.get(&key).map(Vec::as_slice).unwrap_or_default().iter().copied().filter(|o| orgs.editable.contains(o)).collect();
                    match (made.get(&key), mine.as_slice()) {
                        (Some((id, _)), _) => Some(*id),
                        (None, [one]) => Some(*one),
                        (None, []) if lines.iter().any(|l| fold(&l.name) == key && l.row > line.row) => {
                            report.add(&sheet, line.row, header_of(ORG_COLUMNS, "parent"), ImportIssue::ParentLater(name.clone()));
                            continue;
                        }
                        (None, []) => {
                            report.add(&sheet, line.row, header_of(ORG_COLUMNS, "parent"), ImportIssue::UnknownOrg(name.clone()));
                            continue;
                        }
                        (None, _) => {
                            report.add(&sheet, line.row, header_of(ORG_COLUMNS, "parent"), ImportIssue::AmbiguousOrg(name.clone()));
                            continue;
                        }
                    }
                }
            };
            // The same name under the same parent twice in the file, or already recorded.
            let key = fold(&line.name);
            let same_parent = |l: &OrgLine| l.parent.as_deref().map(fold) == line.parent.as_deref().map(fold);
            if let Some(first) = lines.iter().find(|l| l.row < line.row && fold(&l.name) == key && same_parent(l)) {
                report.add(&sheet, line.row, header_of(ORG_COLUMNS, "name"), ImportIssue::DuplicateInFile { first_row: first.row });
                continue;
            }
            if let Some(existing) = live.iter().find(|v| v.parent == parent && fold(&v.name) == key) {
                report.unchanged += 1;
                made.insert(key, (existing.org, line.row));
                continue;
            }
            let spec = OrgSpec { kind: line.kind, name: line.name.clone(), short_name: line.short_name.clone(), parent };
            match tx.record_org_event(line.founded_on, OrgChange::Create(NewOrg { org: (), spec }), Some("Nhập từ tệp".into())).await {
                Ok(event) => {
                    report.created += 1;
                    if let Some(created) = event.change.created().first() {
                        made.insert(key, (created.org, line.row));
                    }
                }
                Err(thidua_store::StoreError::Org(e)) => report.add(&sheet, line.row, header_of(ORG_COLUMNS, "name"), ImportIssue::Org(e)),
                Err(e) => return Err(e.into()),
            }
            if done % 100 == 99 {
                progress(Phase::Writing { total }, u32::try_from(done + 1).unwrap_or(u32::MAX));
            }
        }
        report.problems.sort_by_key(|x| x.row);
        if dry_run || !report.problems.is_empty() || report.created == 0 {
            // Rolled back: a dry run made them only to check them.
            return Ok(report);
        }
        finish(tx, p, ImportKind::Orgs, report).await
    }
}

/// One award row, read.
struct AwardLine {
    row: u32,
    number: String,
    decided_on: Date,
    issuer: String,
    signer: String,
    title: String,
    year: i16,
    collective: Option<String>,
    cccd: Option<String>,
    person: Option<(String, String)>,
}

/// A recipient as the file named it, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Recipient {
    Nominee(NomineeRef),
    /// Someone not yet recorded: made in the import's transaction.
    NewPerson { name: String, unit: OrgId },
}

impl App {
    async fn import_awards(&self, p: &Principal, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        let today = today();
        let issuers = self.importable_orgs(p, Action::DecideCommendation).await?;
        if issuers.editable.is_empty() {
            return Err(AppError::Forbidden);
        }
        let (_, book) = self.commendation_rules().await?;
        let mut lines: Vec<AwardLine> = Vec::new();
        let Reading { mut report, sheet, .. } = read_file(ImportKind::Awards, bytes, progress, &mut |row, h, cells, problems| {
            let text = |field: &str| h.get(cells, field).map(clean_text).filter(|s| !s.is_empty());
            let number = required(h, cells, "number", problems, Ok);
            let issuer = required(h, cells, "issuer", problems, Ok);
            let title = required(h, cells, "award", problems, Ok);
            let decided_on = match h.get(cells, "decided_on").map(|v| (v, cell_date(v))) {
                None => {
                    problems.push(("decided_on", ImportIssue::Member(MemberError::Required { field: "decided_on" })));
                    None
                }
                Some((_, Some(d))) if d <= today => Some(d),
                Some(_) => {
                    problems.push(("decided_on", ImportIssue::Member(MemberError::BadDate { field: "decided_on" })));
                    None
                }
            };
            let year = required(h, cells, "year", problems, |y| y.parse::<i16>().ok().filter(|y| (1930..=today.year()).contains(y)).ok_or(ImportIssue::BadYear(y)));
            if let (Some(y), Some(d)) = (year, decided_on)
                && y > d.year()
            {
                problems.push(("year", ImportIssue::BadYear(y.to_string())));
            }
            let collective = text("collective");
            let cccd = h.get(cells, "cccd").map(cccd_text).filter(|s| !s.is_empty());
            let person = text("full_name").map(|n| (n, text("unit").unwrap_or_default()));
            if usize::from(collective.is_some()) + usize::from(cccd.is_some()) + usize::from(person.is_some()) != 1 || person.as_ref().is_some_and(|(_, u)| u.is_empty() && cccd.is_none()) {
                problems.push(("collective", ImportIssue::OneRecipient));
            }
            if let (Some(number), Some(issuer), Some(title), Some(decided_on), Some(year), true) = (number, issuer, title, decided_on, year, problems.is_empty()) {
                lines.push(AwardLine { row, number, decided_on, issuer, signer: text("signer").unwrap_or_default(), title, year, collective, cccd, person });
            }
        });

        // Each row resolved against the registry: the issuer, the title, the recipient.
        let by_cccd = self.store.member_ids_by_cccd().await?;
        let all = self.store.orgs_on(today).await?;
        let mut by_name: HashMap<String, Vec<OrgId>> = HashMap::new();
        for v in &all {
            by_name.entry(fold(&v.name)).or_default().push(v.org);
        }
        let mut subtrees: HashMap<OrgId, HashSet<OrgId>> = HashMap::new();
        let mut decisions: HashMap<(OrgId, String), Option<i64>> = HashMap::new();
        let mut seen: HashMap<(OrgId, String, i16, Recipient), u32> = HashMap::new();
        let mut plan: Vec<(OrgId, String, Date, String, String, i16, Recipient)> = Vec::new();
        let column = |f: &str| header_of(AWARD_COLUMNS, f);
        for line in &lines {
            let key = fold(&line.issuer);
            let mine: Vec<OrgId> = issuers.by_name.get(&key).map(Vec::as_slice).unwrap_or_default().iter().copied().filter(|o| issuers.editable.contains(o)).collect();
            let issuer = match mine.as_slice() {
                [one] => *one,
                [] => {
                    report.add(&sheet, line.row, column("issuer"), ImportIssue::UnknownOrg(line.issuer.clone()));
                    continue;
                }
                _ => {
                    report.add(&sheet, line.row, column("issuer"), ImportIssue::AmbiguousOrg(line.issuer.clone()));
                    continue;
                }
            };
            let Some(entry) = book.catalog.iter().find(|e| e.code == line.title || fold(&e.name) == fold(&line.title)).cloned() else {
                report.add(&sheet, line.row, column("award"), ImportIssue::NotInList { value: line.title.clone(), allowed: "danh mục danh hiệu, hình thức khen thưởng" });
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = subtrees.entry(issuer) {
                let mut under: HashSet<OrgId> = self.subtree(issuer, line.decided_on).await?.into_iter().collect();
                under.extend(self.subtree(issuer, today).await?);
                slot.insert(under);
            }
            let under = &subtrees[&issuer];
            let unit_named = |name: &str| -> Option<OrgId> {
                let found: Vec<OrgId> = by_name.get(&fold(name)).map(Vec::as_slice).unwrap_or_default().iter().copied().filter(|o| under.contains(o)).collect();
                if let [one] = found.as_slice() { Some(*one) } else { None }
            };
            // A recipient outside the issuer is as unknown as one not recorded.
            let recipient = if let Some(name) = &line.collective {
                match unit_named(name) {
                    Some(o) => Recipient::Nominee(NomineeRef::Org(o)),
                    None => {
                        report.add(&sheet, line.row, column("collective"), ImportIssue::UnknownOrg(name.clone()));
                        continue;
                    }
                }
            } else if let Some(cccd) = &line.cccd {
                let member = match by_cccd.get(cccd) {
                    Some(m) => self.store.member(*m).await?.filter(|row| under.contains(&row.record.org)).map(|row| row.id),
                    None => None,
                };
                match member {
                    Some(m) => Recipient::Nominee(NomineeRef::Member(m)),
                    None => {
                        report.add(&sheet, line.row, column("cccd"), ImportIssue::UnknownMember(cccd.clone()));
                        continue;
                    }
                }
            } else if let Some((name, unit)) = &line.person {
                let Some(unit) = unit_named(unit) else {
                    report.add(&sheet, line.row, column("unit"), ImportIssue::UnknownOrg(unit.clone()));
                    continue;
                };
                match self.store.persons_in(&[unit]).await?.into_iter().find(|x| fold(&x.full_name) == fold(name)) {
                    Some(person) => Recipient::Nominee(NomineeRef::Person(person.id)),
                    None => Recipient::NewPerson { name: name.clone(), unit },
                }
            } else {
                continue;
            };
            if let Recipient::Nominee(n) = recipient
                && self.fits(&entry, n).await.is_err()
            {
                report.add(&sheet, line.row, column("award"), ImportIssue::WrongRecipient(entry.name.clone()));
                continue;
            }
            if entry.level > self.issuer_reach(issuer, line.decided_on).await? {
                report.add(&sheet, line.row, column("award"), ImportIssue::AboveIssuer(entry.name.clone()));
                continue;
            }
            let key = (issuer, entry.code.clone(), line.year, recipient.clone());
            if let Some(first_row) = seen.get(&key) {
                report.add(&sheet, line.row, column("award"), ImportIssue::DuplicateInFile { first_row: *first_row });
                continue;
            }
            seen.insert(key, line.row);
            // Already in the registry: left be.
            let held = match &recipient {
                Recipient::Nominee(NomineeRef::Org(o)) => !self.store.awards(&AwardFilter { orgs: Some(vec![*o]), title: Some(entry.code.clone()), from_year: Some(line.year), to_year: Some(line.year), ..AwardFilter::default() }).await?.into_iter().filter(|a| a.nominee == Nominee::Org(*o)).collect::<Vec<_>>().is_empty(),
                Recipient::Nominee(n) => {
                    let person = match n {
                        NomineeRef::Person(id) => Some(*id),
                        NomineeRef::Member(m) => self.store.person_for_member(*m).await?.map(|x| x.id),
                        NomineeRef::Org(_) => None,
                    };
                    match person {
                        Some(id) => !self.store.awards(&AwardFilter { person: Some(id), title: Some(entry.code.clone()), from_year: Some(line.year), to_year: Some(line.year), ..AwardFilter::default() }).await?.is_empty(),
                        None => false,
                    }
                }
                Recipient::NewPerson { .. } => false,
            };
            if held {
                report.unchanged += 1;
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = decisions.entry((issuer, line.number.clone())) {
                slot.insert(self.store.decisions(Some(&[issuer]), None).await?.into_iter().find(|d| d.number_symbol == line.number).map(|d| d.id));
            }
            report.created += 1;
            plan.push((issuer, line.number.clone(), line.decided_on, line.signer.clone(), entry.code.clone(), line.year, recipient));
        }
        report.problems.sort_by_key(|x| x.row);
        if dry_run || !report.problems.is_empty() || plan.is_empty() {
            return Ok(report);
        }

        let total = u32::try_from(plan.len()).unwrap_or(u32::MAX);
        let mut tx = self.store.begin().await?;
        let mut people: HashMap<(String, OrgId), i64> = HashMap::new();
        for (done, (issuer, number, decided_on, signer, title, year, recipient)) in plan.into_iter().enumerate() {
            let decision = match decisions.get(&(issuer, number.clone())).copied().flatten() {
                Some(id) => id,
                None => {
                    let row = DecisionRow { id: 0, issuer, number_symbol: number.clone(), decided_on, signer, summary: "Nhập từ tệp".into() };
                    let id = tx.add_decision(&row, &p.username).await?.ok_or(AppError::Conflict)?;
                    decisions.insert((issuer, number), Some(id));
                    id
                }
            };
            let nominee = match recipient {
                Recipient::Nominee(NomineeRef::Org(o)) => Nominee::Org(o),
                Recipient::Nominee(other) => Nominee::Person(self.ensure_person(&mut tx, p, other).await?),
                Recipient::NewPerson { name, unit } => {
                    let key = (fold(&name), unit);
                    let id = match people.get(&key) {
                        Some(id) => *id,
                        None => tx.add_person(&PersonRow { id: 0, full_name: name, org: unit, member: None, position: None }, &p.username).await?,
                    };
                    people.insert(key, id);
                    Nominee::Person(id)
                }
            };
            tx.add_award(decision, &title, year, nominee).await?;
            if done % 500 == 499 {
                progress(Phase::Writing { total }, u32::try_from(done + 1).unwrap_or(u32::MAX));
            }
        }
        finish(tx, p, ImportKind::Awards, report).await
    }
}

/// One register row, read.
struct DocumentLine {
    row: u32,
    register: String,
    incoming: bool,
    doc_type: Option<String>,
    symbol: Option<String>,
    issued_on: Option<Date>,
    issuer_name: Option<String>,
    summary: String,
    signer: Option<String>,
    recipients: Option<String>,
    arrival_number: Option<i64>,
    arrival_on: Option<Date>,
}

impl App {
    /// Documents of a paper register: each in the register's sequence as numbered on paper (an
    /// incoming one without a number is given the next), the sequences then continuing after.
    async fn import_documents(&self, p: &Principal, bytes: &[u8], dry_run: bool, progress: &(dyn Fn(Phase, u32) + Sync)) -> Result<ImportReport, AppError> {
        use thidua_core::docnum::{doc_type, DocNumber};
        let today = today();
        let registers = self.writable_registers(p).await?;
        if registers.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut lines: Vec<DocumentLine> = Vec::new();
        let Reading { mut report, sheet, .. } = read_file(ImportKind::Documents, bytes, progress, &mut |row, h, cells, problems| {
            let text = |field: &str| h.get(cells, field).map(clean_text).filter(|s| !s.is_empty());
            let mut date = |field: &'static str| match h.get(cells, field).map(|v| (v, cell_date(v))) {
                None => None,
                Some((_, Some(d))) if d <= today => Some(d),
                Some(_) => {
                    problems.push((field, ImportIssue::Member(MemberError::BadDate { field })));
                    None
                }
            };
            let (issued_on, arrival_on) = (date("issued_on"), date("arrival_on"));
            let register = required(h, cells, "register", problems, Ok);
            let incoming = required(h, cells, "direction", problems, |d| match header_key(&d).as_str() {
                "den" | "vanbanden" | "incoming" => Ok(true),
                "di" | "vanbandi" | "outgoing" => Ok(false),
                _ => Err(ImportIssue::NotInList { value: d, allowed: "Đến, Đi" }),
            });
            let summary = required(h, cells, "summary", problems, |s| if s.chars().count() > 2000 { Err(ImportIssue::Document(crate::DocumentProblem::Summary)) } else { Ok(s) });
            let arrival_number = match text("arrival_number") {
                None => None,
                Some(n) => match n.parse::<i64>().ok().filter(|n| *n > 0) {
                    Some(n) => Some(n),
                    None => {
                        problems.push(("arrival_number", ImportIssue::NotInList { value: n, allowed: "1, 2, 3…" }));
                        None
                    }
                },
            };
            let symbol = text("symbol");
            if incoming == Some(false) && symbol.is_none() {
                problems.push(("symbol", ImportIssue::Member(MemberError::Required { field: "symbol" })));
            }
            if let (Some(register), Some(incoming), Some(summary), true) = (register, incoming, summary, problems.is_empty()) {
                lines.push(DocumentLine {
                    row,
                    register,
                    incoming,
                    doc_type: text("doc_type"),
                    symbol,
                    issued_on,
                    issuer_name: text("issuer_name"),
                    summary,
                    signer: text("signer"),
                    recipients: text("recipients"),
                    arrival_number,
                    arrival_on,
                });
            }
        });
        let column = |f: &str| header_of(DOCUMENT_COLUMNS, f);
        let mut plan: Vec<DocumentRow> = Vec::new();
        let mut seen: HashMap<(OrgId, String, Option<String>, i64), u32> = HashMap::new();
        for line in &lines {
            let found: Vec<OrgId> = registers.iter().filter(|(_, n)| fold(n) == fold(&line.register)).map(|(o, _)| *o).collect();
            let [register] = found.as_slice() else {
                report.add(&sheet, line.row, column("register"), if found.is_empty() { ImportIssue::UnknownOrg(line.register.clone()) } else { ImportIssue::AmbiguousOrg(line.register.clone()) });
                continue;
            };
            let parsed = match line.symbol.as_deref().map(str::parse::<DocNumber>) {
                Some(Ok(n)) => Some(n),
                Some(Err(e)) => {
                    report.add(&sheet, line.row, column("symbol"), ImportIssue::Document(crate::DocumentProblem::Symbol(e)));
                    continue;
                }
                None => None,
            };
            let kind = match (&parsed, line.doc_type.as_deref()) {
                (Some(n), _) => n.doc_type.clone(),
                (None, Some(t)) => match doc_type(t) {
                    Ok(t) => t.to_owned(),
                    Err(e) => {
                        report.add(&sheet, line.row, column("doc_type"), ImportIssue::Document(crate::DocumentProblem::Symbol(e)));
                        continue;
                    }
                },
                (None, None) => {
                    report.add(&sheet, line.row, column("doc_type"), ImportIssue::Member(MemberError::Required { field: "doc_type" }));
                    continue;
                }
            };
            let mut row = DocumentRow {
                id: 0,
                direction: if line.incoming { Direction::Incoming } else { Direction::Outgoing },
                org: *register,
                unit: None,
                doc_type: kind.clone(),
                number: parsed.as_ref().map(|n| i64::from(n.number)),
                issuer_code: parsed.as_ref().map(|n| n.issuer.clone()),
                symbol: parsed.as_ref().map(ToString::to_string),
                scope: None,
                issued_on: line.issued_on,
                issuer_name: line.issuer_name.clone(),
                summary: line.summary.clone(),
                signer: line.signer.clone(),
                recipients: line.recipients.clone(),
                secrecy: None,
                urgency: None,
                arrival_number: line.arrival_number,
                arrival_on: None,
                assigned_to: None,
                deadline: None,
                status: if line.incoming { "filed".into() } else { "issued".into() },
                status_on: Some(today),
                withdrawn_reason: None,
                created_by: p.username.clone(),
                version: 1,
            };
            // Outgoing: numbered in the register's own sequence of the committee's term.
            let (scope, number, seq_type) = if line.incoming {
                let arrival = line.arrival_on.or(line.issued_on).unwrap_or(today);
                row.arrival_on = Some(arrival);
                (format!("arrival:{}", arrival.year()), line.arrival_number, None)
            } else {
                let code = self.store.register_code(*register).await?;
                let n = parsed.as_ref().map(|n| n.issuer.clone());
                if code.is_none() || n != code {
                    report.add(&sheet, line.row, column("symbol"), ImportIssue::Document(crate::DocumentProblem::NoRegister));
                    continue;
                }
                let issued = line.issued_on.unwrap_or(today);
                row.issued_on = Some(issued);
                let Some(term) = self.store.term_on(*register, issued).await? else {
                    report.add(&sheet, line.row, column("issued_on"), ImportIssue::Document(crate::DocumentProblem::NoTerm(issued)));
                    continue;
                };
                (format!("term:{}", term.id), row.number, Some(kind.clone()))
            };
            row.scope = Some(scope.clone());
            if let Some(number) = number {
                let key = (*register, scope.clone(), seq_type.clone(), number);
                if let Some(first_row) = seen.get(&key) {
                    report.add(&sheet, line.row, column("symbol"), ImportIssue::DuplicateInFile { first_row: *first_row });
                    continue;
                }
                seen.insert(key, line.row);
                if self.store.document_numbered(*register, &scope, seq_type.as_deref(), number).await?.is_some() {
                    report.unchanged += 1;
                    continue;
                }
            }
            report.created += 1;
            plan.push(row);
        }
        report.problems.sort_by_key(|x| x.row);
        if dry_run || !report.problems.is_empty() || plan.is_empty() {
            return Ok(report);
        }
        let total = u32::try_from(plan.len()).unwrap_or(u32::MAX);
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        // Numbers from paper first, so one given by the program never takes one of theirs.
        for row in &plan {
            let scope = row.scope.clone().unwrap_or_default();
            match row.direction {
                Direction::Outgoing => tx.raise_next_number(row.org, &scope, &row.doc_type, row.number.unwrap_or(0) + 1).await?,
                Direction::Incoming => tx.raise_next_number(row.org, &scope, "ĐẾN", row.arrival_number.unwrap_or(0) + 1).await?,
            }
        }
        for (done, mut row) in plan.into_iter().enumerate() {
            if row.direction == Direction::Incoming && row.arrival_number.is_none() {
                let scope = row.scope.clone().unwrap_or_default();
                row.arrival_number = Some(tx.next_number(row.org, &scope, "ĐẾN").await?);
            }
            tx.insert_document(&row, now).await?;
            if done % 500 == 499 {
                progress(Phase::Writing { total }, u32::try_from(done + 1).unwrap_or(u32::MAX));
            }
        }
        finish(tx, p, ImportKind::Documents, report).await
    }
}

/// Audits the import (counts, never rows) and commits it.
async fn finish(mut tx: thidua_store::Tx, p: &Principal, kind: ImportKind, mut report: ImportReport) -> Result<ImportReport, AppError> {
    let summary = format!("{} rows: {} created, {} updated, {} unchanged", report.rows, report.created, report.updated, report.unchanged);
    tx.audit(p.user, &p.record(&format!("import.{}", kind.code()), "system", summary)).await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

fn header_of(columns: &[Column], field: &str) -> String {
    columns.iter().find(|c| c.field == field).map(|c| c.header.to_owned()).unwrap_or_default()
}

/// How a column is written, for the template's guide.
fn column_hint(field: &str) -> &'static str {
    match field {
        "full_name" => "Họ và tên đầy đủ, có dấu.",
        "birth_date" | "admitted_on" => "Ngày theo dạng dd/mm/yyyy, ví dụ 19/05/2010.",
        "official_on" => "Ngày chính thức (dd/mm/yyyy), để trống nếu đang là đảng viên dự bị.",
        "gender" => "Nam hoặc Nữ.",
        "cccd" => "12 chữ số; dùng để nhận biết đảng viên (đã có trong chương trình khi nhập kết quả xếp loại).",
        "party_card" => "6 đến 12 chữ số.",
        "org" => "Tên chi bộ, đảng bộ đúng như trong chương trình.",
        "phone" | "email" | "address" => "Không bắt buộc.",
        "year" => "Năm đánh giá, ví dụ 2024.",
        "name" => "Tên đầy đủ của tổ chức.",
        "short_name" => "Không bắt buộc.",
        "kind" => "Chi bộ, Đảng bộ cơ sở, Đảng ủy cấp trên cơ sở, Tỉnh ủy, Thành ủy, Ban Tổ chức, Văn phòng cấp ủy, Ủy ban Kiểm tra, Ban Tuyên giáo, Ban Xây dựng Đảng, Cơ quan, đơn vị.",
        "parent" => "Tên tổ chức cấp trên: đã có trong chương trình, hoặc ở một dòng phía trên của tệp. Để trống cho tổ chức cao nhất.",
        "founded_on" => "Ngày thành lập (dd/mm/yyyy).",
        "number" => "Số, ký hiệu quyết định, ví dụ 12-QĐ/ĐU.",
        "register" => "Tên cấp ủy, cơ quan giữ sổ văn bản.",
        "direction" => "Đến hoặc Đi.",
        "doc_type" => "Viết tắt loại văn bản (CV, QĐ, TB…); với văn bản đi, lấy từ số, ký hiệu.",
        "symbol" => "Số, ký hiệu như trên văn bản, ví dụ 969-CV/TU (bắt buộc với văn bản đi).",
        "issued_on" | "arrival_on" => "Ngày (dd/mm/yyyy).",
        "issuer_name" => "Với văn bản đến: nơi gửi.",
        "summary" => "Trích yếu nội dung.",
        "recipients" => "Không bắt buộc.",
        "arrival_number" => "Với văn bản đến: số đến trong sổ; để trống để chương trình cấp số tiếp theo.",
        "decided_on" => "Ngày ký quyết định (dd/mm/yyyy).",
        "issuer" => "Tên cơ quan, tổ chức đảng ra quyết định.",
        "signer" => "Không bắt buộc.",
        "award" => "Tên danh hiệu, hình thức khen thưởng như trong danh mục (ví dụ: Giấy khen, Chiến sĩ thi đua cơ sở).",
        "collective" => "Với tập thể: tên tổ chức được khen.",
        "unit" => "Với người không phải đảng viên: đơn vị công tác (ghi cùng Họ và tên).",
        "level" => "HTXSNV, HTTNV, HTNV, KHTNV hoặc ghi đầy đủ (Hoàn thành xuất sắc nhiệm vụ…).",
        _ => "",
    }
}

/// Reads one member row; problems are pushed with their field. `None` when the row cannot make a
/// record at all.
fn member_row(h: &Header, cells: &[Value], orgs: &OrgNames, today: Date, problems: &mut Vec<(&'static str, ImportIssue)>) -> Option<MemberRecord> {
    let text = |field: &str| h.get(cells, field).map(clean_text).filter(|s| !s.is_empty());
    let mut required = |field: &'static str| {
        let v = text(field);
        if v.is_none() {
            problems.push((field, ImportIssue::Member(MemberError::Required { field })));
        }
        v
    };
    let full_name = required("full_name");
    let gender_text = required("gender");
    let org_text = required("org");
    let birth_text = required("birth_date");
    let admitted_text = required("admitted_on");
    let cccd_text = h.get(cells, "cccd").map(cccd_text).filter(|s| !s.is_empty());
    if cccd_text.is_none() {
        problems.push(("cccd", ImportIssue::Member(MemberError::Required { field: "cccd" })));
    }
    let mut date = |field: &'static str, present: bool| -> Option<Date> {
        if !present {
            return None;
        }
        let d = h.get(cells, field).and_then(cell_date);
        if d.is_none() {
            problems.push((field, ImportIssue::Member(MemberError::BadDate { field })));
        }
        d
    };
    let birth_date = date("birth_date", birth_text.is_some());
    let admitted_on = date("admitted_on", admitted_text.is_some());
    let official_on = date("official_on", text("official_on").is_some());
    let gender = gender_text.as_deref().and_then(|g| match fold(g).as_str() {
        "nam" | "male" | "m" => Some(Gender::Male),
        "nu" | "female" | "f" => Some(Gender::Female),
        _ => {
            problems.push(("gender", ImportIssue::NotInList { value: g.to_owned(), allowed: "Nam, Nữ" }));
            None
        }
    });
    // Among the organizations the importer may change first: "Chi bộ 1" exists under many parents.
    let org = org_text.as_deref().and_then(|name| {
        let all = orgs.by_name.get(&fold(name)).map(Vec::as_slice).unwrap_or_default();
        let mine: Vec<OrgId> = all.iter().copied().filter(|o| orgs.editable.contains(o)).collect();
        match (mine.as_slice(), all) {
            ([one], _) => Some(*one),
            ([], []) => {
                problems.push(("org", ImportIssue::UnknownOrg(name.to_owned())));
                None
            }
            ([], _) => {
                problems.push(("org", ImportIssue::OutsideScope(name.to_owned())));
                None
            }
            _ => {
                problems.push(("org", ImportIssue::AmbiguousOrg(name.to_owned())));
                None
            }
        }
    });
    let party_card = text("party_card").and_then(|c| match check_party_card(&c) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(("party_card", ImportIssue::Member(e)));
            None
        }
    });
    let (full_name, birth_date, gender, admitted_on, org) = (full_name?, birth_date?, gender?, admitted_on?, org?);
    let cccd = match cccd_text.as_deref().map(|c| Cccd::parse(c, birth_date, gender)) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            problems.push(("cccd", ImportIssue::Member(e)));
            None
        }
        None => None,
    };
    let record = MemberRecord {
        full_name,
        birth_date,
        gender,
        cccd,
        party_card,
        admitted_on,
        official_on,
        org,
        phone: text("phone"),
        email: text("email"),
        address: text("address"),
        seriously_ill: false,
    };
    for e in record.validate(today) {
        problems.push((e.field(), ImportIssue::Member(e)));
    }
    record.cccd.is_some().then_some(record)
}

/// A required cell read by `parse`, which names what is wrong with a value it refuses.
fn required<T>(h: &Header, cells: &[Value], field: &'static str, problems: &mut Vec<(&'static str, ImportIssue)>, parse: impl FnOnce(String) -> Result<T, ImportIssue>) -> Option<T> {
    match h.get(cells, field).map(clean_text).filter(|s| !s.is_empty()) {
        None => {
            problems.push((field, ImportIssue::Member(MemberError::Required { field })));
            None
        }
        Some(v) => parse(v).map_err(|issue| problems.push((field, issue))).ok(),
    }
}

/// A level as written: the abbreviation or the words, with or without diacritics.
fn parse_level(text: &str) -> Option<Level> {
    // The abbreviation as written, the common case, without folding.
    if let Some(level) = Level::ALL.into_iter().find(|l| text.eq_ignore_ascii_case(l.abbreviation())) {
        return Some(level);
    }
    let key = header_key(text);
    Level::ALL.into_iter().find(|l| {
        let words = match l {
            Level::Htxsnv => "hoanthanhxuatsacnhiemvu",
            Level::Httnv => "hoanthanhtotnhiemvu",
            Level::Htnv => "hoanthanhnhiemvu",
            Level::Khtnv => "khonghoanthanhnhiemvu",
        };
        key == header_key(l.abbreviation()) || key == words
    })
}

/// One result row, checked.
struct ResultLine {
    row: u32,
    member: MemberId,
    /// The member's cell, whose grid lists the result.
    cell: OrgId,
    /// The organization whose round of the year holds the result.
    grassroots: OrgId,
    year: i16,
    level: Level,
}

/// Rows written between two progress reports.
const WRITE_CHUNK: usize = 20_000;
