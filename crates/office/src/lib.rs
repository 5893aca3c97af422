//! Documents in the Party's format (Hướng dẫn 36-HD/VPTW): the heading block with the issuing body,
//! number and symbol on the left and "ĐẢNG CỘNG SẢN VIỆT NAM" with place and date on the right, the
//! type and summary, the body, recipients and the signature block; Times New Roman 14 on A4.
#![deny(clippy::unwrap_used)]

pub mod chart;
pub mod table;
mod text;
mod xlsx;

pub use text::{extract_text, minimal_pdf};
pub use xlsx::{csv, xlsx, Book, Cell, Sheet, IN_MEMORY_ROWS};

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

/// A document to render.
#[derive(Debug, Clone, Default)]
pub struct PartyDocument {
    /// The superior committee, printed above the issuer (may be empty).
    pub superior: String,
    /// The issuing body, e.g. "Đảng ủy Tổng Công ty Thương mại Sài Gòn".
    pub issuer: String,
    /// Number and symbol line, e.g. "Số 12-GGT/ĐU".
    pub number: String,
    /// Place and date, e.g. "Thành phố Hồ Chí Minh, ngày 21 tháng 11 năm 2026".
    pub place_date: String,
    /// The document type as printed, e.g. "GIẤY GIỚI THIỆU".
    pub title: String,
    /// Trích yếu, printed under the title.
    pub summary: Option<String>,
    pub body: Vec<String>,
    /// E.g. "T/M BAN THƯỜNG VỤ" then "BÍ THƯ".
    pub signer_title: Vec<String>,
    pub signer_name: String,
    /// Nơi nhận.
    pub recipients: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the document could not be written: {0}")]
pub struct OfficeError(String);

const FONT: &str = "Times New Roman";
/// 14 pt, in half-points.
const SIZE: usize = 28;
const HALF_WIDTH: usize = 4600;

fn run(text: &str) -> Run {
    Run::new().add_text(text).size(SIZE).fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
}

fn centered(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center)
}

fn cell(paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs.into_iter().fold(TableCell::new().width(HALF_WIDTH, WidthType::Dxa), |c, p| c.add_paragraph(p))
}

/// Renders the document as docx bytes.
pub fn docx(doc: &PartyDocument) -> Result<Vec<u8>, OfficeError> {
    let mut left = Vec::new();
    if !doc.superior.trim().is_empty() {
        left.push(centered(run(&doc.superior.to_uppercase())));
    }
    left.push(centered(run(&doc.issuer.to_uppercase()).bold()));
    left.push(centered(run("*")));
    left.push(centered(run(&doc.number)));
    let right = vec![
        centered(run("ĐẢNG CỘNG SẢN VIỆT NAM").bold().underline("single")),
        centered(run("")),
        centered(run(&doc.place_date).italic()),
    ];
    let heading = Table::without_borders(vec![TableRow::new(vec![cell(left), cell(right)])]).set_grid(vec![HALF_WIDTH, HALF_WIDTH]);

    let mut d = Docx::new()
        // A4, margins 20/20/30/15 mm, in twentieths of a point.
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1701).right(850))
        .default_fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(SIZE)
        .add_table(heading)
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(run(&doc.title.to_uppercase()).bold()));
    if let Some(summary) = &doc.summary {
        d = d.add_paragraph(centered(run(summary).bold()));
    }
    d = d.add_paragraph(Paragraph::new());
    for text in &doc.body {
        d = d.add_paragraph(Paragraph::new().add_run(run(text)).align(AlignmentType::Both));
    }
    let mut recipients = vec![Paragraph::new().add_run(run("Nơi nhận:").bold().italic().underline("single"))];
    recipients.extend(doc.recipients.iter().map(|r| Paragraph::new().add_run(run(&format!("- {r},")).size(24))));
    let mut signature: Vec<Paragraph> = doc.signer_title.iter().map(|l| centered(run(l).bold())).collect();
    signature.extend([centered(run("")), centered(run("")), centered(run(&doc.signer_name).bold())]);
    let closing = Table::without_borders(vec![TableRow::new(vec![cell(recipients), cell(signature)])]).set_grid(vec![HALF_WIDTH, HALF_WIDTH]);
    d = d.add_paragraph(Paragraph::new()).add_table(closing);

    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| OfficeError(e.to_string()))?;
    Ok(out.into_inner())
}

/// A certificate (Bằng khen, Giấy khen): the issuer, the form, the recipient, the achievement and
/// the decision line, on a landscape A4 page.
#[derive(Debug, Clone, Default)]
pub struct Certificate {
    /// The issuing body, as printed at the top.
    pub issuer: String,
    /// "BẰNG KHEN" or "GIẤY KHEN".
    pub form: String,
    /// "Đồng chí …" or the collective's name.
    pub recipient: String,
    /// What it is awarded for.
    pub reason: String,
    /// "Quyết định số …, ngày … tháng … năm …".
    pub decision_line: String,
    /// Who signed the decision.
    pub signer: String,
}

/// Renders a certificate as docx bytes.
pub fn certificate(c: &Certificate) -> Result<Vec<u8>, OfficeError> {
    let big = |text: &str, half_points: usize| run(text).size(half_points);
    let d = Docx::new()
        // A4 landscape.
        .page_size(16838, 11906)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1134).right(1134))
        .default_fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(SIZE)
        .add_paragraph(centered(run("ĐẢNG CỘNG SẢN VIỆT NAM").bold()))
        .add_paragraph(centered(run(&c.issuer).bold()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(big(&c.form, 64).bold()))
        .add_paragraph(centered(run("tặng").italic()))
        .add_paragraph(centered(big(&c.recipient, 40).bold()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(run(&c.reason)))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(run(&c.decision_line).italic()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new().add_run(run(&c.signer).bold()).align(AlignmentType::Right));
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| OfficeError(e.to_string()))?;
    Ok(out.into_inner())
}

/// The text of a docx, paragraph by paragraph (empty ones left out), read from
/// `word/document.xml`: enough to check what a generated document says and in what order.
pub fn docx_paragraphs(bytes: &[u8]) -> Result<Vec<String>, OfficeError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| OfficeError(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml").map_err(|e| OfficeError(e.to_string()))?.read_to_string(&mut xml).map_err(|e| OfficeError(e.to_string()))?;
    let unescape = |t: &str| t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
    Ok(xml
        .split("</w:p>")
        .map(|p| {
            p.split("<w:t")
                .skip(1)
                // Text runs only: `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl…>`, `<w:tc…>`.
                .filter(|t| t.starts_with(['>', ' ']))
                .filter_map(|t| t.split_once('>').map(|(_, rest)| unescape(rest.split("</w:t>").next().unwrap_or(""))))
                .collect::<String>()
        })
        .filter(|p| !p.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_party_heading_and_blocks_are_in_order() {
        let doc = PartyDocument {
            superior: "Thành ủy Thành phố Hồ Chí Minh".into(),
            issuer: "Đảng ủy Tổng Công ty Thương mại Sài Gòn".into(),
            number: "Số 12-GGT/ĐU".into(),
            place_date: "Thành phố Hồ Chí Minh, ngày 21 tháng 11 năm 2026".into(),
            title: "Giấy giới thiệu".into(),
            summary: Some("chuyển sinh hoạt đảng chính thức".into()),
            body: vec!["Giới thiệu đồng chí Võ Thị Lan <Satra> & Co.".into()],
            signer_title: vec!["T/M BAN THƯỜNG VỤ".into(), "PHÓ BÍ THƯ".into()],
            signer_name: "Trần Văn A".into(),
            recipients: vec!["Như trên".into(), "Lưu".into()],
        };
        let bytes = docx(&doc).expect("docx");
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let p = docx_paragraphs(&bytes).expect("readable");
        assert_eq!(p[0], "THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "table markup is not read as text");
        let pos = |needle: &str| p.iter().position(|x| x.contains(needle)).unwrap_or_else(|| panic!("{needle} in {p:?}"));
        assert!(pos("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH") < pos("ĐẢNG ỦY TỔNG CÔNG TY THƯƠNG MẠI SÀI GÒN"));
        assert!(pos("Số 12-GGT/ĐU") < pos("ĐẢNG CỘNG SẢN VIỆT NAM"));
        assert!(pos("ĐẢNG CỘNG SẢN VIỆT NAM") < pos("ngày 21 tháng 11 năm 2026"));
        assert!(pos("ngày 21 tháng 11 năm 2026") < pos("GIẤY GIỚI THIỆU"));
        assert!(pos("GIẤY GIỚI THIỆU") < pos("Võ Thị Lan <Satra> & Co."), "text is escaped and read back");
        assert!(pos("Nơi nhận:") < pos("PHÓ BÍ THƯ"));
    }
}
