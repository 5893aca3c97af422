//! Demo documents: the registers of the seeds' committees with their terms, the documents the seeds
//! name (with their real numbers and dates), two work records, and — loaded separately, being large —
//! the 2023 register traffic of Đảng ủy Khối Doanh nghiệp Trung ương, generated so that its
//! Ban Tổ chức's figures are exactly those of seed 003: 4.290/9.317 incoming handled, 1.054/1.709
//! outgoing drafted (61,67%).

use jiff::civil::Date;
use thidua_core::audit::AuditRecord;
use thidua_core::docnum::DocNumber;
use thidua_core::org::OrgId;
use thidua_store::{Direction, DocumentRow, Tx, WorkRecordRow};

use super::{day, World};
use crate::{App, AppError};

const TRAFFIC_MARK: &str = "demo_traffic";

/// `(key, issuer code)` of the organizations that keep a register.
const REGISTERS: [(&str, &str); 8] = [
    ("tu", "TU"),
    ("btc_tu", "BTCTU"),
    ("vp_tu", "VPTU"),
    ("btctw", "BTCTW"),
    ("dukdn", "ĐUK"),
    ("du_satra", "ĐU"),
    ("du_resco", "ĐU"),
    ("du_bql", "ĐU"),
];

/// Committee terms as `(key, name, start, end)`. The boundaries are illustrative: each is the close
/// of a congress as best known, to be checked against the congress records.
type Term = (&'static str, &'static str, (i16, i8, i8), Option<(i16, i8, i8)>);
const TERMS: [Term; 11] = [
    ("tu", "Nhiệm kỳ IX (2010–2015)", (2010, 10, 1), Some((2015, 10, 10))),
    ("tu", "Nhiệm kỳ X (2015–2020)", (2015, 10, 11), Some((2020, 10, 17))),
    ("tu", "Nhiệm kỳ XI (2020–2025)", (2020, 10, 18), Some((2025, 10, 15))),
    ("tu", "Nhiệm kỳ XII (2025–2030)", (2025, 10, 16), None),
    ("btctw", "Khóa XIII (2021–2026)", (2021, 2, 1), Some((2026, 1, 22))),
    ("btctw", "Khóa XIV (2026–2031)", (2026, 1, 23), None),
    ("dukdn", "Nhiệm kỳ 2020–2025", (2020, 9, 1), Some((2025, 1, 31))),
    ("du_satra", "Nhiệm kỳ 2020–2025", (2020, 7, 1), None),
    ("du_resco", "Nhiệm kỳ 2020–2025", (2020, 7, 1), None),
    ("du_bql", "Nhiệm kỳ 2020–2025", (2020, 7, 1), None),
    ("btc_tu", "Nhiệm kỳ XI (2020–2025)", (2020, 10, 18), None),
];

fn symbol(text: &str) -> Result<DocNumber, AppError> {
    text.parse().map_err(|e| AppError::Document(crate::DocumentProblem::Symbol(e)))
}

/// A document the seeds name: `(register key, number and symbol, date, issuer, summary)`.
type Named = (&'static str, &'static str, Option<(i16, i8, i8)>, &'static str, &'static str);
const NAMED: [Named; 9] = [
    ("tu", "969-CV/TU", Some((2023, 5, 23)), "Ban Thường vụ Thành ủy", "Về hoàn thiện mô hình tổ chức của một số loại hình tổ chức cơ sở Đảng"),
    ("tu", "1439-QĐ/TU", Some((2023, 7, 14)), "Ban Thường vụ Thành ủy", "Quy định về chức năng, nhiệm vụ, quyền hạn, tổ chức bộ máy, mối quan hệ và chế độ làm việc của Đảng ủy cấp trên cơ sở trong doanh nghiệp Nhà nước"),
    ("tu", "20-CT/TU", Some((2022, 12, 29)), "Thành ủy", "Chỉ thị về tăng cường công tác văn thư, lưu trữ"),
    ("tu", "01-ĐA/TU", Some((2021, 2, 5)), "Ban Thường vụ Thành ủy", "Đề án về hỗ trợ phát triển tài năng trẻ và lãnh đạo tương lai của Thành phố"),
    ("tu", "02-ĐA/TU", Some((2014, 3, 24)), "Ban Thường vụ Thành ủy", "Đề án về phòng, chống các biểu hiện suy thoái về tư tưởng chính trị “tự diễn biến”, “tự chuyển hóa” và phản bác các quan điểm sai trái"),
    ("tu", "1374-QĐ/TU", None, "Ban Thường vụ Thành ủy", "Quy định của Ban Thường vụ Thành ủy (trích yếu và ngày ban hành chưa rõ trong nguồn; dữ liệu minh họa)"),
    ("btctw", "04-HD/BTCTW", Some((2021, 5, 17)), "Hội đồng Thi đua, khen thưởng Ngành Tổ chức xây dựng Đảng", "Hướng dẫn công tác thi đua, khen thưởng Ngành Tổ chức xây dựng Đảng"),
    // Received by Thành ủy from the Politburo.
    ("tu", "114-QĐ/TW", Some((2023, 7, 11)), "Bộ Chính trị", "Quy định về kiểm soát quyền lực và phòng, chống tham nhũng, tiêu cực trong công tác cán bộ"),
    ("tu", "117-QĐ/TW", Some((2023, 8, 18)), "Bộ Chính trị", "Quy định về xin lỗi và phục hồi quyền lợi của tổ chức Đảng, đảng viên bị kỷ luật oan"),
];

pub(super) async fn build(w: &mut World<'_>) -> Result<(), AppError> {
    for (key, code) in REGISTERS {
        let org = w.id(key)?;
        w.tx.set_register(org, code).await?;
    }
    let mut terms = std::collections::HashMap::new();
    for (key, name, from, to) in TERMS {
        let org = w.id(key)?;
        let (y, m, d) = from;
        let id = w.tx.add_term(org, name, day(y, m, d), to.map(|(y, m, d)| day(y, m, d))).await?;
        terms.entry(key).or_insert_with(Vec::new).push((id, day(y, m, d), to.map(|(y, m, d)| day(y, m, d))));
    }
    let term_of = |key: &str, on: Date| {
        terms.get(key).and_then(|list| list.iter().find(|(_, from, to)| *from <= on && to.is_none_or(|t| on <= t))).map(|(id, _, _)| *id)
    };
    let now = crate::auth::now_unix();
    let mut ids = std::collections::HashMap::new();
    for (key, text, date, issuer, summary) in NAMED {
        let sym = symbol(text)?;
        let on = date.map(|(y, m, d)| day(y, m, d));
        let received = sym.issuer == "TW";
        let org = w.id(key)?;
        let mut row = DocumentRow::new(if received { Direction::Incoming } else { Direction::Outgoing }, org, &sym.doc_type, summary, "system");
        row.number = Some(i64::from(sym.number));
        row.issuer_code = Some(sym.issuer.clone());
        row.symbol = Some(sym.to_string());
        row.issued_on = on;
        row.issuer_name = Some(issuer.into());
        if received {
            let arrival = on.and_then(|d| d.checked_add(jiff::Span::new().days(3)).ok());
            row.arrival_on = arrival;
            row.arrival_number = Some(i64::from(sym.number) % 500 + 1);
            row.scope = arrival.map(|a| format!("arrival:{}", a.year()));
        } else {
            let term = on.and_then(|d| term_of(key, d));
            row.scope = term.map(|t| format!("term:{t}"));
            if let Some(t) = term {
                // Numbering continues after the seeds' numbers.
                w.tx.set_next_number(org, &format!("term:{t}"), &sym.doc_type, i64::from(sym.number) + 1).await?;
            }
        }
        let id = w.tx.insert_document(&row, now).await?;
        w.documents.insert(format!("{key}:{text}"), id);
        ids.insert(text, id);
    }
    // The same four texts reached SATRA's party committee and were disseminated at Cụm 7's briefing
    // at Mũi Né on 22/9/2023; SATRA keeps them in a work record of that meeting.
    let satra = w.id("du_satra")?;
    let mut filed = Vec::new();
    for (n, text) in ["969-CV/TU", "1439-QĐ/TU", "114-QĐ/TW", "117-QĐ/TW"].iter().enumerate() {
        let (_, _, date, issuer, summary) = NAMED.iter().find(|d| d.1 == *text).copied().ok_or(AppError::NotFound)?;
        let sym = symbol(text)?;
        let mut row = DocumentRow::new(Direction::Incoming, satra, &sym.doc_type, summary, "system");
        row.number = Some(i64::from(sym.number));
        row.issuer_code = Some(sym.issuer.clone());
        row.symbol = Some(sym.to_string());
        row.issued_on = date.map(|(y, m, d)| day(y, m, d));
        row.issuer_name = Some(issuer.into());
        row.arrival_on = Some(day(2023, 9, 5 + n as i8));
        row.arrival_number = Some(412 + n as i64);
        row.scope = Some("arrival:2023".into());
        row.unit = Some(w.id("btc_satra")?);
        row.status = "filed".into();
        let id = w.tx.insert_document(&row, now).await?;
        w.documents.insert(format!("du_satra:{text}"), id);
        filed.push(id);
    }
    w.tx.set_next_number(satra, "arrival:2023", "ĐẾN", 416).await?;
    let record = WorkRecordRow {
        id: 0,
        org: satra,
        code: "07/2023/CTĐ7".into(),
        title: "Hồ sơ hội nghị giao ban và sinh hoạt chuyên đề quý III/2023 Cụm thi đua 7".into(),
        opened_on: day(2023, 9, 1),
        closed_on: Some(day(2023, 9, 30)),
        retention_years: Some(10),
        keeper: "Võ Thị Lan".into(),
        status: "closed".into(),
        archived_on: None,
    };
    let rec = w.tx.create_work_record(&record).await?;
    for d in &filed {
        w.tx.file_document(rec, *d).await?;
    }
    // Thành ủy's office keeps the directive on clerical and archive work in an open record, with its
    // text attached, so a search for its words finds it through the attachment.
    let tu = w.id("tu")?;
    let text = "Tăng cường công tác văn thư, lưu trữ; lập hồ sơ công việc và nộp lưu hồ sơ, tài liệu vào lưu trữ cơ quan; số hóa tài liệu lưu trữ.";
    let hash = thidua_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
    w.tx.put_blob(&thidua_store::BlobPlace::Database, &hash, text.as_bytes()).await?;
    let directive = *ids.get("20-CT/TU").ok_or(AppError::NotFound)?;
    let attachment = thidua_store::AttachmentRow {
        id: 0,
        document: directive,
        hash,
        name: "Chỉ thị 20-CT-TU.txt".into(),
        content_type: "text/plain; charset=utf-8".into(),
        size: text.len() as i64,
        text: text.into(),
    };
    w.tx.add_attachment(&attachment).await?;
    // SATRA's copy of 20-CT/TU's text travels with the briefing's documents.
    w.tx.add_attachment(&thidua_store::AttachmentRow { document: filed[0], ..attachment.clone() }).await?;
    let record = WorkRecordRow {
        id: 0,
        org: tu,
        code: "01/2023/VT".into(),
        title: "Hồ sơ triển khai Chỉ thị 20-CT/TU về tăng cường công tác văn thư, lưu trữ".into(),
        opened_on: day(2023, 1, 3),
        closed_on: None,
        retention_years: None,
        keeper: "Văn phòng Thành ủy".into(),
        status: "open".into(),
        archived_on: None,
    };
    let rec = w.tx.create_work_record(&record).await?;
    w.tx.file_document(rec, directive).await?;
    // RESCO's party committee received the directive too, with its text, and keeps an open record.
    let resco = w.id("du_resco")?;
    let (_, _, date, issuer, summary) = NAMED.iter().find(|d| d.1 == "20-CT/TU").copied().ok_or(AppError::NotFound)?;
    let mut row = DocumentRow::new(Direction::Incoming, resco, "CT", summary, "system");
    row.number = Some(20);
    row.issuer_code = Some("TU".into());
    row.symbol = Some("20-CT/TU".into());
    row.issued_on = date.map(|(y, m, d)| day(y, m, d));
    row.issuer_name = Some(issuer.into());
    row.arrival_on = Some(day(2023, 1, 4));
    row.arrival_number = Some(3);
    row.scope = Some("arrival:2023".into());
    row.status = "assigned".into();
    row.assigned_to = Some("Lê Thị Thu".into());
    row.deadline = Some(day(2023, 2, 28));
    let copy = w.tx.insert_document(&row, now).await?;
    w.tx.set_next_number(resco, "arrival:2023", "ĐẾN", 4).await?;
    w.tx.add_attachment(&thidua_store::AttachmentRow { document: copy, ..attachment.clone() }).await?;
    let record = WorkRecordRow {
        id: 0,
        org: resco,
        code: "02/2023/VT".into(),
        title: "Hồ sơ thực hiện Chỉ thị 20-CT/TU tại Đảng bộ Tổng Công ty Địa ốc Sài Gòn".into(),
        opened_on: day(2023, 1, 5),
        closed_on: None,
        retention_years: Some(20),
        keeper: "Lê Thị Thu".into(),
        status: "open".into(),
        archived_on: None,
    };
    w.tx.create_work_record(&record).await?;
    let record = AuditRecord { actor: "system".into(), action: "demo.documents".into(), resource: "system".into(), summary: format!("{} documents", NAMED.len() + 4) };
    w.tx.audit(None, &record).await?;
    Ok(())
}

/// Topics of the generated traffic (trích yếu): the everyday work of a bloc committee's boards.
pub(crate) const TOPICS: [&str; 16] = [
    "công tác tổ chức xây dựng Đảng",
    "kiện toàn cấp ủy, ban thường vụ",
    "quy hoạch cán bộ lãnh đạo, quản lý",
    "kết nạp đảng viên",
    "chuyển sinh hoạt đảng",
    "xét tặng Huy hiệu Đảng",
    "kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên",
    "công tác thi đua, khen thưởng",
    "bảo vệ chính trị nội bộ",
    "luân chuyển, điều động cán bộ",
    "đào tạo, bồi dưỡng cán bộ",
    "sắp xếp tổ chức bộ máy",
    "công tác văn thư, lưu trữ",
    "tổng kết công tác năm",
    "sơ kết 6 tháng đầu năm",
    "đại hội đảng bộ các cấp",
];

pub(crate) const SOURCES: [&str; 6] = ["Ban Bí thư", "Ban Tổ chức Trung ương", "Văn phòng Trung ương Đảng", "Ủy ban Kiểm tra Trung ương", "Đảng ủy Tập đoàn Điện lực Việt Nam", "Đảng ủy Tổng công ty Đầu tư và Kinh doanh vốn nhà nước"];

/// Outgoing types with their share of 1.709 documents.
pub(crate) const OUT_TYPES: [(&str, usize); 6] = [("CV", 980), ("TB", 260), ("BC", 190), ("KH", 120), ("QĐ", 110), ("HD", 49)];

/// The working days of 2023, Monday to Friday.
fn days_of_2023() -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = day(2023, 1, 3);
    while d.year() == 2023 {
        if !matches!(d.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday) {
            out.push(d);
        }
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    out
}

async fn traffic(tx: &mut Tx, register: OrgId, board: OrgId, term: i64) -> Result<usize, AppError> {
    let now = crate::auth::now_unix();
    let days = days_of_2023();
    // A fixed linear congruential sequence: the same demo every time.
    let mut seed: u64 = 2023;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let mut count = 0;
    // 9.317 incoming, of which the Ban Tổ chức handled 4.290: every document whose index falls
    // in the first 4.290 of a fixed shuffle.
    let total_in = 9317;
    for i in 0..total_in {
        let on = days[i * days.len() / total_in];
        let mut row = DocumentRow::new(Direction::Incoming, register, "CV", &format!("Về {}", TOPICS[next(TOPICS.len())]), "system");
        let source_number = 1 + next(1500) as u32;
        let source_type = ["CV", "TB", "HD", "KH", "QĐ"][next(5)];
        row.doc_type = source_type.into();
        row.symbol = Some(DocNumber { number: source_number, doc_type: source_type.into(), issuer: ["BTCTW", "TW", "VPTW", "UBKTTW", "ĐU", "ĐU"][i % 6].into() }.to_string());
        row.issuer_code = row.symbol.as_ref().and_then(|s| s.split('/').nth(1)).map(str::to_owned);
        row.number = Some(i64::from(source_number));
        row.issuer_name = Some(SOURCES[i % SOURCES.len()].into());
        row.issued_on = on.checked_sub(jiff::Span::new().days(2)).ok();
        row.arrival_on = Some(on);
        row.arrival_number = Some(i as i64 + 1);
        row.scope = Some("arrival:2023".into());
        // 4.290 of 9.317: spread evenly through the year.
        row.unit = ((i * 4290) / total_in != ((i + 1) * 4290) / total_in).then_some(board);
        row.status = if i % 50 == 0 { "in_progress".into() } else { "filed".into() };
        tx.insert_document(&row, now).await?;
        count += 1;
    }
    tx.set_next_number(register, "arrival:2023", "ĐẾN", total_in as i64 + 1).await?;
    // 1.709 outgoing, of which the Ban Tổ chức drafted 1.054.
    let total_out: usize = OUT_TYPES.iter().map(|(_, n)| n).sum();
    let mut i = 0;
    for (kind, n) in OUT_TYPES {
        for k in 0..n {
            let on = days[(i * days.len()) / total_out];
            let mut row = DocumentRow::new(Direction::Outgoing, register, kind, &format!("Về {}", TOPICS[next(TOPICS.len())]), "system");
            let number = k as u32 + 1;
            row.number = Some(i64::from(number));
            row.issuer_code = Some("ĐUK".into());
            row.symbol = Some(DocNumber { number, doc_type: kind.into(), issuer: "ĐUK".into() }.to_string());
            row.scope = Some(format!("term:{term}"));
            row.issued_on = Some(on);
            row.issuer_name = Some("Đảng ủy Khối Doanh nghiệp Trung ương".into());
            row.unit = ((i * 1054) / total_out != ((i + 1) * 1054) / total_out).then_some(board);
            tx.insert_document(&row, now).await?;
            i += 1;
            count += 1;
        }
        tx.set_next_number(register, &format!("term:{term}"), kind, n as i64 + 1).await?;
    }
    Ok(count)
}

impl App {
    /// Loads the 2023 register traffic of the demo (about 11.000 documents) once.
    pub async fn load_demo_traffic(&self) -> Result<Option<usize>, AppError> {
        if self.store.meta(TRAFFIC_MARK).await?.is_some() {
            return Ok(None);
        }
        let system = crate::auth::Principal::system();
        let on = day(2023, 6, 30);
        let register = self
            .store
            .orgs_on(on)
            .await?
            .into_iter()
            .find(|v| v.name == "Đảng ủy Khối Doanh nghiệp Trung ương")
            .map(|v| v.org)
            .ok_or(AppError::NotFound)?;
        let board = self
            .store
            .orgs_on(on)
            .await?
            .into_iter()
            .find(|v| v.name == "Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương")
            .map(|v| v.org)
            .ok_or(AppError::NotFound)?;
        let term = self.store.term_on(register, on).await?.ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        let n = traffic(&mut tx, register, board, term.id).await?;
        tx.set_meta(TRAFFIC_MARK, "1").await?;
        tx.audit(None, &system.record("demo.traffic", "system", format!("{n} documents"))).await?;
        tx.commit().await?;
        Ok(Some(n))
    }
}
