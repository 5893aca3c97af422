//! Lists as spreadsheets: Vietnamese headers, real dates and numbers, a frozen header row and
//! column widths.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook};

use crate::OfficeError;

/// One cell: text, a whole number, or a date (shown as dd/mm/yyyy).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(i16, i8, i8),
    Empty,
}

/// One worksheet: a title line above the table, the header row, and the rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub title: Option<String>,
    pub headers: Vec<String>,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
}

fn err(e: rust_xlsxwriter::XlsxError) -> OfficeError {
    OfficeError(e.to_string())
}

/// Sheets longer than this are written row by row through a temporary file, their texts inline
/// (no shared table of them in memory): a province's members held as worksheet cells took some
/// 500 MB, and the server must stay small.
pub const IN_MEMORY_ROWS: usize = 5_000;

/// The workbook as xlsx bytes.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, OfficeError> {
    let mut book = Book::new();
    for sheet in sheets {
        let at = book.sheet(&sheet.name, sheet.title.as_deref(), &sheet.headers, &sheet.widths, sheet.rows.len() > IN_MEMORY_ROWS)?;
        for values in &sheet.rows {
            book.row(at, values)?;
        }
    }
    book.finish()
}

/// A workbook written as its rows come: a sheet of many rows goes through a temporary file, so
/// a province's members need not all be in memory at once.
pub struct Book {
    book: Workbook,
    /// The next row of each sheet.
    next: Vec<u32>,
    text: Format,
    date: Format,
}

impl Default for Book {
    fn default() -> Book {
        Book::new()
    }
}

impl Book {
    pub fn new() -> Book {
        let border = rust_xlsxwriter::FormatBorder::Thin;
        Book {
            book: Workbook::new(),
            next: Vec::new(),
            text: Format::new().set_text_wrap().set_border(border).set_font_name("Times New Roman"),
            date: Format::new().set_num_format("dd/mm/yyyy").set_border(border).set_font_name("Times New Roman"),
        }
    }

    /// Adds a sheet with its title line and header row; `many` (more than a few thousand rows)
    /// writes it row by row through a temporary file, its rows then strictly in order. Returns
    /// the sheet's position for [`Book::row`].
    pub fn sheet(&mut self, name: &str, title: Option<&str>, headers: &[String], widths: &[f64], many: bool) -> Result<usize, OfficeError> {
        let ws = if many { self.book.add_worksheet_with_constant_memory().map_err(err)? } else { self.book.add_worksheet() };
        // Sheet names are at most 31 characters and exclude a few symbols.
        let name: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(if name.is_empty() { "Sheet1" } else { &name }).map_err(err)?;
        let mut row: u32 = 0;
        if let Some(t) = title {
            ws.write_string_with_format(0, 0, t, &Format::new().set_bold().set_font_size(14).set_font_name("Times New Roman")).map_err(err)?;
            row = 2;
        }
        let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_border(rust_xlsxwriter::FormatBorder::Thin).set_font_name("Times New Roman");
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, h, &header).map_err(err)?;
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        ws.set_freeze_panes(row + 1, 0).map_err(err)?;
        self.next.push(row + 1);
        Ok(self.next.len() - 1)
    }

    /// Writes the next row of sheet `at`.
    pub fn row(&mut self, at: usize, values: &[Cell]) -> Result<(), OfficeError> {
        let Some(row) = self.next.get_mut(at) else { return Err(OfficeError(format!("no sheet {at}"))) };
        let ws = self.book.worksheet_from_index(at).map_err(err)?;
        for (c, v) in values.iter().enumerate() {
            let c = c as u16;
            match v {
                Cell::Text(s) => ws.write_string_with_format(*row, c, s, &self.text).map_err(err)?,
                Cell::Int(n) => ws.write_number_with_format(*row, c, *n as f64, &self.text).map_err(err)?,
                Cell::Date(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y as u16, *m as u8, *d as u8).map_err(err)?;
                    ws.write_date_with_format(*row, c, &dt, &self.date).map_err(err)?
                }
                Cell::Empty => ws.write_blank(*row, c, &self.text).map_err(err)?,
            };
        }
        *row += 1;
        Ok(())
    }

    /// The workbook as xlsx bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, OfficeError> {
        self.book.save_to_buffer().map_err(err)
    }
}

/// The sheet as CSV for spreadsheets and scripts: UTF-8 with a byte-order mark (so Excel reads
/// the diacritics), the header row, dates as dd/mm/yyyy, numbers as digits; a text starting like
/// a formula is prefixed with `'`.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, OfficeError> {
    let mut out = ::csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&sheet.headers).map_err(|e| OfficeError(e.to_string()))?;
    for row in &sheet.rows {
        let fields = row.iter().map(|c| match c {
            // A text that a spreadsheet would take for a formula is kept as text.
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(y, m, d) => format!("{d:02}/{m:02}/{y:04}"),
            Cell::Empty => String::new(),
        });
        out.write_record(fields).map_err(|e| OfficeError(e.to_string()))?;
    }
    out.into_inner().map_err(|e| OfficeError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn headers_dates_and_numbers_are_typed() {
        let sheet = Sheet {
            name: "Mục lục hồ sơ".into(),
            title: Some("MỤC LỤC HỒ SƠ".into()),
            headers: vec!["Số hồ sơ".into(), "Tiêu đề".into(), "Ngày mở".into(), "Số tờ".into()],
            widths: vec![10.0, 40.0, 12.0, 8.0],
            rows: vec![vec![Cell::Text("01".into()), Cell::Text("Hồ sơ thi đua năm 2023".into()), Cell::Date(2023, 1, 3), Cell::Int(12)]],
        };
        let bytes = xlsx(&[sheet]).expect("xlsx");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml").expect("strings").read_to_string(&mut strings).expect("utf-8");
        assert!(strings.contains("Hồ sơ thi đua năm 2023") && strings.contains("Ngày mở"));
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut sheet).expect("utf-8");
        assert!(sheet.contains("<pane ") && sheet.contains("state=\"frozen\""), "frozen header");
        assert!(sheet.contains("<v>44929</v>"), "03/01/2023 stored as a date serial: {sheet}");
        assert!(sheet.contains("<v>12</v>"));
    }

    #[test]
    fn a_long_sheet_is_written_row_by_row_with_the_same_content() {
        let rows: Vec<Vec<Cell>> = (0..IN_MEMORY_ROWS as i64 + 10).map(|i| vec![Cell::Text(format!("Đảng viên {i}")), Cell::Int(i), Cell::Date(2025, 12, 31)]).collect();
        let sheet = Sheet { name: "Xếp loại đảng viên".into(), title: Some("Năm 2025".into()), headers: vec!["Họ và tên".into(), "Số".into(), "Ngày".into()], widths: vec![30.0, 8.0, 12.0], rows };
        let bytes = xlsx(&[sheet]).expect("xlsx");
        let mut count = 0;
        let mut last = Vec::new();
        crate::table::for_each_row(&bytes, crate::table::Format::Xlsx, &mut |_, _, cells| {
            count += 1;
            last = cells.iter().map(crate::table::Value::text).collect();
            std::ops::ControlFlow::Continue(())
        })
        .expect("read back");
        // The title, the header and every row (the blank line under the title is not a row).
        assert_eq!(count, 2 + IN_MEMORY_ROWS + 10);
        assert_eq!(last, vec![format!("Đảng viên {}", IN_MEMORY_ROWS + 9), (IN_MEMORY_ROWS + 9).to_string(), "31/12/2025".to_owned()]);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut xml).expect("utf-8");
        assert!(xml.contains("state=\"frozen\""), "frozen header");
    }

    #[test]
    fn csv_has_a_bom_the_header_and_quoted_fields() {
        let sheet = Sheet {
            name: "x".into(),
            title: Some("ignored".into()),
            headers: vec!["Tên".into(), "Ngày".into(), "Số".into()],
            widths: vec![],
            rows: vec![vec![Cell::Text("Lê, Văn \"A\"".into()), Cell::Date(2024, 9, 2), Cell::Int(4290)], vec![Cell::Text("=HYPERLINK(1)".into()), Cell::Empty, Cell::Int(-1)]],
        };
        let text = String::from_utf8(csv(&sheet).expect("csv")).expect("utf-8");
        assert_eq!(text, "\u{feff}Tên,Ngày,Số\n\"Lê, Văn \"\"A\"\"\",02/09/2024,4290\n'=HYPERLINK(1),,-1\n");
    }
}
