//! Text of attachments for search: PDF, DOCX and plain text. Best effort: a file whose text
//! cannot be read is still kept, it just adds nothing to the index.

/// Largest amount of text kept per attachment, to bound the index.
const MAX_CHARS: usize = 200_000;
/// Largest decompressed PDF stream read, so a crafted file cannot exhaust memory.
const MAX_PDF_STREAM: usize = 64 * 1024 * 1024;

/// The text of a file of the given type (as sniffed from its content).
pub fn extract_text(bytes: &[u8], content_type: &str) -> String {
    let text = if content_type.starts_with("application/pdf") {
        pdf_text(bytes)
    } else if content_type.contains("wordprocessingml") {
        crate::docx_paragraphs(bytes).map(|p| p.join("\n")).unwrap_or_default()
    } else if content_type.starts_with("text/") {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        String::new()
    };
    text.chars().take(MAX_CHARS).collect()
}

/// A one-page PDF with one line of ASCII text, written by hand: a sample for demos and tests that
/// need a real PDF without a fixture file.
pub fn minimal_pdf(line: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({line}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

fn pdf_text(bytes: &[u8]) -> String {
    let Ok(doc) = lopdf::Document::load_mem(bytes) else { return String::new() };
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text_with_limit(&pages, MAX_PDF_STREAM).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minimal_pdf as tiny_pdf;

    #[test]
    fn reads_pdf_docx_and_text() {
        let pdf = extract_text(&tiny_pdf("Chi thi tang cuong van thu luu tru"), "application/pdf");
        assert!(pdf.contains("Chi thi tang cuong van thu luu tru"), "{pdf:?}");
        let doc = crate::PartyDocument { title: "Báo cáo".into(), body: vec!["Công tác văn thư, lưu trữ".into()], ..Default::default() };
        let docx = crate::docx(&doc).expect("docx");
        let text = extract_text(&docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert!(text.contains("Công tác văn thư, lưu trữ"), "{text}");
        assert_eq!(extract_text("Thi đua".as_bytes(), "text/plain; charset=utf-8"), "Thi đua");
        assert_eq!(extract_text(b"%PDF-1.4 garbage", "application/pdf"), "", "unreadable files add no text");
        assert_eq!(extract_text(b"\x89PNG", "image/png"), "");
    }
}
