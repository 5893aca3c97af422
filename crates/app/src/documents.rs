//! Document registers (văn bản đến, đi), attachments, work records (hồ sơ công việc), search and
//! processing statistics.

use std::collections::BTreeSet;

use jiff::civil::Date;
use sha2::{Digest, Sha256};
use thidua_core::access::{can, Action};
use thidua_core::audit::hex;
use thidua_core::date::format_date;
use thidua_core::docnum::{doc_type, DocNumber};
use thidua_core::org::OrgId;
use thidua_core::vi::fold;
use thidua_store::index_terms;
pub use thidua_store::{AttachmentRow, Direction, DocumentRow, SearchFilter, WorkRecordRow};
use unicode_normalization::UnicodeNormalization;

use crate::auth::{now_unix, Principal};
use crate::members::sniff;
use crate::{today, App, AppError, DocumentProblem, FileProblem};

/// Largest attachment of a document.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// The most results a search ranks: its pages are slices of them.
pub const SEARCH_RESULTS: i64 = 200;

/// Matches ranked for each result a search shows: the newest four times the page.
const CANDIDATES_PER_RESULT: i64 = 4;

/// A document as a clerk registers it.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub register: OrgId,
    /// The unit that drafted (outgoing) or handles (incoming) it.
    pub unit: Option<OrgId>,
    /// A type code as typed (`CV`, `qd`…).
    pub doc_type: String,
    /// Outgoing: the day it is issued. Incoming: the date of the source document.
    pub issued_on: Option<Date>,
    pub summary: String,
    pub signer: Option<String>,
    pub recipients: Option<String>,
    pub secrecy: Option<String>,
    pub urgency: Option<String>,
    /// Incoming: the source's number and symbol, as typed.
    pub source_symbol: Option<String>,
    /// Incoming: the issuing body.
    pub issuer_name: Option<String>,
    /// Incoming: the day it arrived (today when absent).
    pub arrival_on: Option<Date>,
    pub assigned_to: Option<String>,
    pub deadline: Option<Date>,
}

/// A file to attach: its name and bytes.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A document with what its page shows.
#[derive(Debug, Clone)]
pub struct DocumentDetail {
    pub row: DocumentRow,
    pub attachments: Vec<AttachmentRow>,
    pub register_name: String,
    pub unit_name: Option<String>,
    pub overdue: bool,
    pub may_edit: bool,
}

/// Processing statistics of a unit within a register, as the seeds report them: "4.290/9.317
/// incoming handled; 1.054/1.709 outgoing issued (61,67%)".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statistics {
    pub incoming_total: i64,
    pub incoming_by_unit: i64,
    pub outgoing_total: i64,
    pub outgoing_by_unit: i64,
}

/// Statuses of incoming documents, in the order they are reached.
pub const INCOMING_STATUSES: [&str; 5] = ["received", "assigned", "in_progress", "handled", "filed"];

pub fn incoming_move_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("received", "assigned") | ("assigned", "in_progress") | ("assigned" | "in_progress", "handled") | ("received" | "assigned" | "in_progress" | "handled", "filed")
    )
}

fn is_open_incoming(d: &DocumentRow) -> bool {
    d.direction == Direction::Incoming && !matches!(d.status.as_str(), "handled" | "filed")
}

/// Whether an incoming document is past its deadline unhandled.
pub fn overdue(d: &DocumentRow, on: Date) -> bool {
    is_open_incoming(d) && d.deadline.is_some_and(|dl| dl < on)
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl App {
    /// The registers (organizations keeping one) on which the principal may do `action`, or `None`
    /// for all of them.
    pub(crate) async fn registers_for(&self, p: &Principal, action: Action) -> Result<Option<Vec<OrgId>>, AppError> {
        if p.has_system(action) {
            return Ok(None);
        }
        let registers: BTreeSet<OrgId> = self.store.registers().await?.into_iter().map(|(o, _)| o).collect();
        let resources = self.org_resources(&registers, today()).await?;
        Ok(Some(registers.into_iter().filter(|o| resources.get(o).is_some_and(|r| can(&p.grants, action, r))).collect()))
    }

    /// Registers the principal may write to, with names, in Vietnamese order.
    pub async fn writable_registers(&self, p: &Principal) -> Result<Vec<(OrgId, String)>, AppError> {
        self.named_registers(p, Action::EditDocuments).await
    }

    /// Registers the principal may read, with names, in Vietnamese order.
    pub async fn readable_registers(&self, p: &Principal) -> Result<Vec<(OrgId, String)>, AppError> {
        self.named_registers(p, Action::ViewDocuments).await
    }

    async fn named_registers(&self, p: &Principal, action: Action) -> Result<Vec<(OrgId, String)>, AppError> {
        let ids: BTreeSet<OrgId> = match self.registers_for(p, action).await? {
            Some(list) => list.into_iter().collect(),
            None => self.store.registers().await?.into_iter().map(|(o, _)| o).collect(),
        };
        let names = self.org_names(&ids).await?;
        let mut out: Vec<(OrgId, String)> = ids.into_iter().map(|o| (o, names.get(&o).cloned().unwrap_or_default())).collect();
        thidua_core::vi::sort_by_name(&mut out, |x| &x.1);
        Ok(out)
    }

    /// Registers a document, allocating its number (outgoing, per type and committee term) or its
    /// arrival number (incoming, per year), with its attachments and index entry, in one transaction.
    pub async fn register_document(&self, p: &Principal, direction: Direction, new: &NewDocument, files: &[NewAttachment]) -> Result<DocumentRow, AppError> {
        self.require_org(p, Action::EditDocuments, new.register, today()).await?;
        let summary = new.summary.trim();
        if summary.is_empty() || summary.chars().count() > 2000 {
            return Err(DocumentProblem::Summary.into());
        }
        let kind = doc_type(&new.doc_type).map_err(DocumentProblem::Symbol)?.to_owned();
        let on = today();
        if new.issued_on.is_some_and(|d| d > on) || new.arrival_on.is_some_and(|d| d > on) {
            return Err(DocumentProblem::FutureDate.into());
        }
        let mut prepared = Vec::new();
        for f in files {
            prepared.push(self.prepare_attachment(f)?);
        }
        let mut row = DocumentRow {
            id: 0,
            direction,
            org: new.register,
            unit: new.unit,
            doc_type: kind.clone(),
            number: None,
            issuer_code: None,
            symbol: None,
            scope: None,
            issued_on: new.issued_on,
            issuer_name: clean(&new.issuer_name),
            summary: summary.nfc().collect(),
            signer: clean(&new.signer),
            recipients: clean(&new.recipients),
            secrecy: clean(&new.secrecy),
            urgency: clean(&new.urgency),
            arrival_number: None,
            arrival_on: None,
            assigned_to: clean(&new.assigned_to),
            deadline: new.deadline,
            status: String::new(),
            status_on: Some(on),
            withdrawn_reason: None,
            created_by: p.username.clone(),
            version: 1,
        };
        let mut tx;
        match direction {
            Direction::Outgoing => {
                let code = self.store.register_code(new.register).await?.ok_or(DocumentProblem::NoRegister)?;
                let issued = new.issued_on.unwrap_or(on);
                let term = self.store.term_on(new.register, issued).await?.ok_or(DocumentProblem::NoTerm(issued))?;
                tx = self.store.begin().await?;
                let scope = format!("term:{}", term.id);
                let number = tx.next_number(new.register, &scope, &kind).await?;
                let u32_number = u32::try_from(number).map_err(|_| DocumentProblem::Symbol(thidua_core::docnum::DocNumberError::Number))?;
                row.symbol = Some(DocNumber { number: u32_number, doc_type: kind.clone(), issuer: code.clone() }.to_string());
                row.number = Some(number);
                row.issuer_code = Some(code);
                row.scope = Some(scope);
                row.issued_on = Some(issued);
                row.status = "issued".into();
            }
            Direction::Incoming => {
                if let Some(symbol) = clean(&new.source_symbol) {
                    let parsed: DocNumber = symbol.parse().map_err(DocumentProblem::Symbol)?;
                    row.number = Some(i64::from(parsed.number));
                    row.issuer_code = Some(parsed.issuer.clone());
                    row.doc_type = parsed.doc_type.clone();
                    row.symbol = Some(parsed.to_string());
                }
                let arrival = new.arrival_on.unwrap_or(on);
                tx = self.store.begin().await?;
                let scope = format!("arrival:{}", arrival.year());
                row.arrival_number = Some(tx.next_number(new.register, &scope, "ĐẾN").await?);
                row.arrival_on = Some(arrival);
                row.scope = Some(scope);
                row.status = if row.assigned_to.is_some() { "assigned" } else { "received" }.into();
            }
        }
        let id = tx.insert_document(&row, now_unix()).await?;
        row.id = id;
        for (name, content_type, hash, bytes, text) in &prepared {
            tx.put_blob(&self.blobs, hash, bytes).await?;
            let a = AttachmentRow { id: 0, document: id, hash: hash.clone(), name: name.clone(), content_type: (*content_type).to_owned(), size: bytes.len() as i64, text: text.clone() };
            tx.add_attachment(&a).await?;
        }
        let summary = row.symbol.clone().or(row.arrival_number.map(|n| format!("đến số {n}"))).unwrap_or_default();
        tx.audit(p.user, &p.record(&format!("document.{}", direction.code()), format!("document:{id} org:{}", new.register.0), summary)).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub(crate) fn prepare_attachment(&self, f: &NewAttachment) -> Result<(String, &'static str, String, Vec<u8>, String), AppError> {
        if f.bytes.is_empty() {
            return Err(FileProblem::Empty.into());
        }
        if f.bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(FileProblem::TooLarge { max_mib: MAX_ATTACHMENT_BYTES / (1024 * 1024) }.into());
        }
        let content_type = sniff(&f.bytes).ok_or(FileProblem::UnsupportedType)?;
        let name: String = f.name.rsplit(['/', '\\']).next().unwrap_or("tệp").chars().filter(|c| !c.is_control()).take(200).collect();
        let name = if name.trim().is_empty() { "tệp".to_owned() } else { name };
        let text = thidua_office::extract_text(&f.bytes, content_type);
        Ok((name, content_type, hex(&Sha256::digest(&f.bytes)), f.bytes.clone(), text))
    }

    /// Attaches files to a registered document; the index follows in the same transaction.
    pub async fn attach_to_document(&self, p: &Principal, id: i64, files: &[NewAttachment]) -> Result<(), AppError> {
        let row = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditDocuments, row.org, today()).await?;
        let mut prepared = Vec::new();
        for f in files {
            prepared.push(self.prepare_attachment(f)?);
        }
        let mut tx = self.store.begin().await?;
        for (name, content_type, hash, bytes, text) in &prepared {
            tx.put_blob(&self.blobs, hash, bytes).await?;
            let a = AttachmentRow { id: 0, document: id, hash: hash.clone(), name: name.clone(), content_type: (*content_type).to_owned(), size: bytes.len() as i64, text: text.clone() };
            tx.add_attachment(&a).await?;
        }
        tx.audit(p.user, &p.record("document.attach", format!("document:{id}"), format!("{} files", prepared.len()))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws an outgoing document (thu hồi). Its number stays used: numbers are never reused.
    pub async fn withdraw_document(&self, p: &Principal, id: i64, version: i64, reason: &str) -> Result<(), AppError> {
        let row = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditDocuments, row.org, today()).await?;
        if row.direction != Direction::Outgoing || row.status != "issued" {
            return Err(DocumentProblem::Status { from: row.status, to: "withdrawn".into() }.into());
        }
        if reason.trim().is_empty() {
            return Err(DocumentProblem::ReasonRequired.into());
        }
        let mut tx = self.store.begin().await?;
        if !tx.set_document_status(id, version, "withdrawn", today(), None, Some(reason.trim())).await? {
            return Err(AppError::Conflict);
        }
        tx.audit(p.user, &p.record("document.withdraw", format!("document:{id}"), row.symbol.unwrap_or_default())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an incoming document along received → assigned → in progress → handled | filed.
    pub async fn set_incoming_status(&self, p: &Principal, id: i64, version: i64, to: &str, assigned_to: Option<&str>) -> Result<(), AppError> {
        let row = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditDocuments, row.org, today()).await?;
        if row.direction != Direction::Incoming || !incoming_move_allowed(&row.status, to) {
            return Err(DocumentProblem::Status { from: row.status, to: to.into() }.into());
        }
        let assigned_to = assigned_to.map(str::trim).filter(|a| !a.is_empty());
        if to == "assigned" && assigned_to.is_none() {
            return Err(DocumentProblem::AssigneeRequired.into());
        }
        let mut tx = self.store.begin().await?;
        if !tx.set_document_status(id, version, to, today(), assigned_to, None).await? {
            return Err(AppError::Conflict);
        }
        tx.audit(p.user, &p.record("document.status", format!("document:{id}"), format!("{} → {to}", row.status))).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn document(&self, p: &Principal, id: i64) -> Result<DocumentDetail, AppError> {
        let row = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewDocuments, row.org, today()).await?;
        let names = self.org_names(&[Some(row.org), row.unit].into_iter().flatten().collect()).await?;
        Ok(DocumentDetail {
            attachments: self.store.attachments(id).await?,
            register_name: names.get(&row.org).cloned().unwrap_or_default(),
            unit_name: row.unit.and_then(|u| names.get(&u).cloned()),
            overdue: overdue(&row, today()),
            may_edit: self.require_org(p, Action::EditDocuments, row.org, today()).await.is_ok(),
            row,
        })
    }

    /// One attachment's name, type and bytes.
    pub async fn document_attachment(&self, p: &Principal, id: i64, attachment: i64) -> Result<(AttachmentRow, Vec<u8>), AppError> {
        let d = self.document(p, id).await?;
        let a = d.attachments.into_iter().find(|a| a.id == attachment).ok_or(AppError::NotFound)?;
        let bytes = self.store.blob(&self.blobs, &a.hash).await?.ok_or(AppError::NotFound)?;
        Ok((a, bytes))
    }

    /// A register page, newest first, within the principal's registers.
    pub async fn documents(&self, p: &Principal, mut filter: SearchFilter, limit: i64, offset: i64) -> Result<Vec<DocumentRow>, AppError> {
        filter.registers = self.registers_for(p, Action::ViewDocuments).await?;
        Ok(self.store.list_documents(&filter, limit, offset).await?)
    }

    /// Every document of the registers the principal may read that `filter` keeps, newest
    /// first: a download of the register, read a thousand at a time.
    pub async fn all_documents(&self, p: &Principal, mut filter: SearchFilter) -> Result<Vec<DocumentRow>, AppError> {
        filter.registers = self.registers_for(p, Action::ViewDocuments).await?;
        let mut out: Vec<DocumentRow> = Vec::new();
        loop {
            let batch = self.store.list_documents_after(&filter, out.last(), 1000).await?;
            if batch.is_empty() {
                return Ok(out);
            }
            out.extend(batch);
        }
    }

    /// Search: every word of the query (diacritics optional, number and symbol understood), within
    /// the principal's registers and the filters. The newest `CANDIDATES_PER_RESULT × limit`
    /// matches are ranked, so a word found in a sixth of a million documents answers as fast as a
    /// rare one; among them the document of the very symbol typed comes first, then those whose
    /// summary has the words with the diacritics typed (Đảng before đang), then those with the
    /// words side by side as typed, then the newest.
    pub async fn search_documents(&self, p: &Principal, query: &str, mut filter: SearchFilter, limit: i64) -> Result<Vec<DocumentRow>, AppError> {
        let terms = index_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        filter.registers = self.registers_for(p, Action::ViewDocuments).await?;
        let limit = limit.clamp(1, SEARCH_RESULTS);
        let found = self.store.search_documents(&terms, &filter, limit * CANDIDATES_PER_RESULT).await?;
        let typed: Vec<String> = query.nfc().collect::<String>().to_lowercase().split_whitespace().map(str::to_owned).collect();
        let exact_symbol = query.parse::<DocNumber>().ok().map(|d| d.to_string());
        // Words side by side from the start of a word; the last may go on (it is a prefix).
        let phrase = format!(" {}", terms.join(" "));
        let mut scored: Vec<(u32, DocumentRow)> = found
            .into_iter()
            .map(|d| {
                let summary = d.summary.to_lowercase();
                let symbol = u32::from(exact_symbol.is_some() && d.symbol == exact_symbol);
                let exact_words = typed.iter().filter(|w| summary.contains(w.as_str()) && fold(w) != **w).count() as u32;
                let side_by_side = u32::from(terms.len() > 1 && format!(" {}", index_terms(&d.summary).join(" ")).contains(&phrase));
                (symbol * 1000 + exact_words * 10 + side_by_side, d)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        Ok(scored.into_iter().take(limit as usize).map(|(_, d)| d).collect())
    }

    /// Incoming handled by `unit` out of all incoming of `register`, and the same for outgoing, in
    /// the period.
    pub async fn document_statistics(&self, p: &Principal, register: OrgId, unit: OrgId, from: Date, to: Date) -> Result<Statistics, AppError> {
        self.require_org(p, Action::ViewDocuments, register, today()).await?;
        let (incoming_total, incoming_by_unit) = self.store.document_counts(register, unit, Direction::Incoming, from, to).await?;
        let (outgoing_total, outgoing_by_unit) = self.store.document_counts(register, unit, Direction::Outgoing, from, to).await?;
        Ok(Statistics { incoming_total, incoming_by_unit, outgoing_total, outgoing_by_unit })
    }

    /// Declares that an organization keeps a document register, with the issuer code of its
    /// symbols (TU, ĐU, BTCTU…).
    pub async fn declare_register(&self, p: &Principal, org: OrgId, issuer_code: &str) -> Result<(), AppError> {
        self.require_org(p, Action::EditOrgs, org, today()).await?;
        let code = format!("1-CV/{}", issuer_code.trim()).parse::<DocNumber>().map_err(DocumentProblem::Symbol)?.issuer;
        let mut tx = self.store.begin().await?;
        tx.set_register(org, &code).await?;
        tx.audit(p.user, &p.record("register.declare", format!("org:{}", org.0), code)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Declares a committee term: outgoing numbers start again from 01 in it.
    pub async fn declare_term(&self, p: &Principal, org: OrgId, name: &str, starts_on: Date, ends_on: Option<Date>) -> Result<i64, AppError> {
        self.require_org(p, Action::EditOrgs, org, today()).await?;
        if name.trim().is_empty() {
            return Err(DocumentProblem::Summary.into());
        }
        let mut tx = self.store.begin().await?;
        let id = tx.add_term(org, name.trim(), starts_on, ends_on).await?;
        tx.audit(p.user, &p.record("term.declare", format!("org:{}", org.0), format!("{} từ {}", name.trim(), format_date(starts_on)))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Rebuilds the search index from the documents; returns how many were indexed.
    pub async fn reindex(&self) -> Result<i64, AppError> {
        let mut tx = self.store.begin().await?;
        let n = tx.reindex_documents().await?;
        let record = thidua_core::audit::AuditRecord { actor: "system".into(), action: "search.reindex".into(), resource: "system".into(), summary: format!("{n} documents") };
        tx.audit(None, &record).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// `(documents, index entries)`: equal when the index is whole.
    pub async fn index_counts(&self) -> Result<(i64, i64), AppError> {
        Ok(self.store.index_counts().await?)
    }

    /// The counts as read at most `max_age` ago: for a health check asked every few seconds.
    pub async fn recent_index_counts(&self, max_age: std::time::Duration) -> Result<(i64, i64), AppError> {
        if let Ok(cache) = self.index_counts.lock()
            && let Some((at, counts)) = *cache
            && at.elapsed() < max_age
        {
            return Ok(counts);
        }
        let counts = self.store.index_counts().await?;
        if let Ok(mut cache) = self.index_counts.lock() {
            *cache = Some((std::time::Instant::now(), counts));
        }
        Ok(counts)
    }

    /// Opens a work record in a register.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_work_record(
        &self,
        p: &Principal,
        register: OrgId,
        code: &str,
        title: &str,
        opened_on: Date,
        retention_years: Option<i64>,
        keeper: &str,
    ) -> Result<i64, AppError> {
        self.require_org(p, Action::EditDocuments, register, today()).await?;
        let code = code.trim();
        if code.is_empty() || self.store.work_records(Some(&[register]), None).await?.iter().any(|r| r.code == code) {
            return Err(DocumentProblem::RecordCode.into());
        }
        if title.trim().is_empty() {
            return Err(DocumentProblem::Summary.into());
        }
        if opened_on > today() {
            return Err(DocumentProblem::FutureDate.into());
        }
        let row = WorkRecordRow {
            id: 0,
            org: register,
            code: code.into(),
            title: title.trim().into(),
            opened_on,
            closed_on: None,
            retention_years: retention_years.filter(|y| *y > 0),
            keeper: if keeper.trim().is_empty() { p.display_name.clone() } else { keeper.trim().into() },
            status: "open".into(),
            archived_on: None,
        };
        let mut tx = self.store.begin().await?;
        let id = tx.create_work_record(&row).await?;
        tx.audit(p.user, &p.record("record.open", format!("record:{id} org:{}", register.0), code)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Files a document of the same register into an open work record.
    pub async fn file_into_record(&self, p: &Principal, record: i64, document: i64) -> Result<(), AppError> {
        let r = self.store.work_record(record).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditDocuments, r.org, today()).await?;
        let d = self.store.document(document).await?.ok_or(AppError::NotFound)?;
        if d.org != r.org {
            return Err(DocumentProblem::OtherRegister.into());
        }
        if r.status != "open" {
            return Err(DocumentProblem::RecordState(r.status).into());
        }
        let mut tx = self.store.begin().await?;
        tx.file_document(record, document).await?;
        tx.audit(p.user, &p.record("record.file", format!("record:{record} document:{document}"), "")).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close_work_record(&self, p: &Principal, record: i64, on: Date) -> Result<(), AppError> {
        let r = self.store.work_record(record).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::EditDocuments, r.org, today()).await?;
        if on < r.opened_on || on > today() {
            return Err(DocumentProblem::FutureDate.into());
        }
        let mut tx = self.store.begin().await?;
        if !tx.set_record_status(record, "open", "closed", on).await? {
            return Err(DocumentProblem::RecordState(r.status).into());
        }
        tx.audit(p.user, &p.record("record.close", format!("record:{record}"), format_date(on))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Transfers the closed records of a register to the archive and returns the transfer list
    /// (mục lục hồ sơ) as xlsx.
    pub async fn archive_records(&self, p: &Principal, register: OrgId) -> Result<(usize, Vec<u8>), AppError> {
        self.require_org(p, Action::EditDocuments, register, today()).await?;
        let closed: Vec<WorkRecordRow> = self.store.work_records(Some(&[register]), None).await?.into_iter().filter(|r| r.status == "closed").collect();
        let names = self.org_names(&[register].into_iter().collect()).await?;
        let on = today();
        let mut rows = Vec::new();
        for (i, r) in closed.iter().enumerate() {
            let docs = self.store.record_documents(r.id).await?;
            let d = |d: Date| thidua_office::Cell::Date(d.year(), d.month(), d.day());
            rows.push(vec![
                thidua_office::Cell::Int(i as i64 + 1),
                thidua_office::Cell::Text(r.code.clone()),
                thidua_office::Cell::Text(r.title.clone()),
                d(r.opened_on),
                r.closed_on.map_or(thidua_office::Cell::Empty, d),
                thidua_office::Cell::Int(docs.len() as i64),
                thidua_office::Cell::Text(r.retention_years.map_or_else(|| "Vĩnh viễn".to_owned(), |y| format!("{y} năm"))),
                thidua_office::Cell::Text(r.keeper.clone()),
            ]);
        }
        let sheet = thidua_office::Sheet {
            name: "Mục lục hồ sơ".into(),
            title: Some(format!(
                "MỤC LỤC HỒ SƠ NỘP LƯU – {} – ngày {}",
                names.get(&register).cloned().unwrap_or_default().to_uppercase(),
                format_date(on)
            )),
            headers: ["STT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Ngày bắt đầu", "Ngày kết thúc", "Số văn bản", "Thời hạn bảo quản", "Người lập hồ sơ"]
                .map(String::from)
                .to_vec(),
            widths: vec![6.0, 16.0, 50.0, 13.0, 13.0, 10.0, 16.0, 22.0],
            rows,
        };
        let bytes = thidua_office::xlsx(&[sheet]).map_err(|e| AppError::Internal(thidua_store::StoreError::Corrupt(e.to_string())))?;
        let mut tx = self.store.begin().await?;
        for r in &closed {
            tx.set_record_status(r.id, "closed", "archived", on).await?;
        }
        tx.audit(p.user, &p.record("record.archive", format!("org:{}", register.0), format!("{} records", closed.len()))).await?;
        tx.commit().await?;
        Ok((closed.len(), bytes))
    }

    /// Work records in the principal's registers, newest first: all of them or one page.
    pub async fn work_records(&self, p: &Principal, page: Option<(i64, i64)>) -> Result<Vec<WorkRecordRow>, AppError> {
        let registers = self.registers_for(p, Action::ViewDocuments).await?;
        Ok(self.store.work_records(registers.as_deref(), page).await?)
    }

    /// The work records of one register the principal may read.
    pub async fn register_records(&self, p: &Principal, register: OrgId) -> Result<Vec<WorkRecordRow>, AppError> {
        self.require_org(p, Action::ViewDocuments, register, today()).await?;
        Ok(self.store.work_records(Some(&[register]), None).await?)
    }

    pub async fn work_record(&self, p: &Principal, id: i64) -> Result<(WorkRecordRow, Vec<DocumentRow>), AppError> {
        let r = self.store.work_record(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ViewDocuments, r.org, today()).await?;
        Ok((r, self.store.record_documents(id).await?))
    }
}
