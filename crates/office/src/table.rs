//! Spreadsheets in: the rows of xlsx sheets and CSV files, read one at a time so a file of
//! hundreds of thousands of rows is never held as cells.

use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{DataRef, Reader, Xlsx};

use crate::OfficeError;

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// A cell the spreadsheet keeps as a date.
    Date(i16, i8, i8),
}

impl Value {
    /// The cell as a clerk would have typed it: trimmed text, whole numbers without ".0", dates
    /// as dd/mm/yyyy.
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.trim().to_owned(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::Date(y, m, d) => format!("{d:02}/{m:02}/{y:04}"),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// What is called with each row: the sheet, the row number and the cells.
pub type RowFn<'a> = dyn FnMut(&str, u32, &[Value]) -> ControlFlow<()> + 'a;

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// By content: an xlsx file is a zip archive.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") { Format::Xlsx } else { Format::Csv }
    }
}

/// Most bytes the parts of an xlsx file may expand to: a small file that unpacks into gigabytes
/// (a zip bomb) is refused before anything is read.
pub const MAX_UNPACKED: u64 = 512 << 20;

/// Calls `each(sheet, row, cells)` for every row that has a cell, in order; `row` counts from 1
/// as the spreadsheet shows it and `cells[0]` is column A. Returning `Break` stops the reading.
pub fn for_each_row(bytes: &[u8], format: Format, each: &mut RowFn<'_>) -> Result<(), OfficeError> {
    match format {
        Format::Xlsx => xlsx_rows(bytes, each),
        Format::Csv => csv_rows(bytes, each),
    }
}

/// What the parts of an xlsx file declare they unpack to, in all; an error when it is not a zip.
fn unpacked_size(bytes: &[u8]) -> Result<u64, zip::result::ZipError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        unpacked = unpacked.saturating_add(archive.by_index_raw(i)?.size());
    }
    Ok(unpacked)
}

/// Whether an xlsx file would unpack past [`MAX_UNPACKED`] (a zip bomb): such a file is not read,
/// and the person who sent it is told why.
pub fn unpacks_too_large(bytes: &[u8]) -> bool {
    unpacked_size(bytes).is_ok_and(|n| n > MAX_UNPACKED)
}

fn xlsx_rows(bytes: &[u8], each: &mut RowFn<'_>) -> Result<(), OfficeError> {
    let unreadable = |e: &dyn std::fmt::Display| OfficeError(format!("the spreadsheet cannot be read: {e}"));
    if unpacked_size(bytes).map_err(|e| unreadable(&e))? > MAX_UNPACKED {
        return Err(OfficeError("the spreadsheet unpacks to more than 512 MiB".into()));
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    for sheet in book.sheet_names() {
        let mut cells = book.worksheet_cells_reader(&sheet).map_err(|e| unreadable(&e))?;
        let mut row: Option<u32> = None;
        let mut values: Vec<Value> = Vec::new();
        while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
            let (r, c) = cell.get_position();
            if row != Some(r) {
                if let Some(done) = row
                    && each(&sheet, done + 1, &values).is_break()
                {
                    return Ok(());
                }
                row = Some(r);
                values.clear();
            }
            // Columns past XFD do not exist; a cell claiming one is a damaged file.
            let c = usize::try_from(c).ok().filter(|c| *c < 16_384).ok_or_else(|| unreadable(&"column out of range"))?;
            if values.len() <= c {
                values.resize(c + 1, Value::Empty);
            }
            values[c] = value(cell.get_value());
        }
        if let Some(done) = row
            && each(&sheet, done + 1, &values).is_break()
        {
            return Ok(());
        }
    }
    Ok(())
}

fn value(d: &DataRef<'_>) -> Value {
    match d {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_owned()),
        DataRef::Bool(b) => Value::Text(b.to_string()),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Value::Date(i16::try_from(y).unwrap_or(i16::MAX), m as i8, d as i8)
        }
        DataRef::DateTime(dt) => Value::Number(dt.as_f64()),
        DataRef::Error(e) => Value::Text(format!("#{e}")),
    }
}

fn csv_rows(bytes: &[u8], each: &mut RowFn<'_>) -> Result<(), OfficeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| OfficeError("the CSV file is not UTF-8 text".into()))?;
    // Excel set to Vietnamese writes ';' between fields.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut values: Vec<Value> = Vec::new();
    let mut line = 0u32;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(OfficeError(format!("the CSV file cannot be read: {e}"))),
        }
        line = record.position().map_or(line + 1, |p| u32::try_from(p.record() + 1).unwrap_or(u32::MAX));
        values.clear();
        values.extend(record.iter().map(|f| if f.is_empty() { Value::Empty } else { Value::Text(f.to_owned()) }));
        if each("CSV", line, &values).is_break() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{xlsx, Cell, Sheet};

    fn rows(bytes: &[u8]) -> Vec<(String, u32, Vec<Value>)> {
        let mut out = Vec::new();
        for_each_row(bytes, Format::sniff(bytes), &mut |s, r, v| {
            out.push((s.to_owned(), r, v.to_vec()));
            ControlFlow::Continue(())
        })
        .expect("read");
        out
    }

    #[test]
    fn an_xlsx_written_here_reads_back_with_types() {
        let sheet = Sheet {
            name: "Đảng viên".into(),
            title: None,
            headers: vec!["Họ và tên".into(), "Ngày sinh".into(), "Số".into()],
            widths: vec![],
            rows: vec![vec![Cell::Text("Nguyễn Thị Ánh".into()), Cell::Date(1980, 2, 29), Cell::Int(4290)], vec![Cell::Empty, Cell::Empty, Cell::Int(7)]],
        };
        let read = rows(&xlsx(&[sheet]).expect("xlsx"));
        assert_eq!(read.len(), 3);
        assert_eq!((read[0].0.as_str(), read[0].1), ("Đảng viên", 1));
        assert_eq!(read[1].2, [Value::Text("Nguyễn Thị Ánh".into()), Value::Date(1980, 2, 29), Value::Number(4290.0)]);
        assert_eq!(read[1].2[1].text(), "29/02/1980");
        assert_eq!(read[2].1, 3);
        assert_eq!(read[2].2[2].text(), "7");
    }

    #[test]
    fn csv_with_a_bom_semicolons_and_quotes() {
        let read = rows("\u{feff}Họ và tên;Ghi chú\r\n\"Lê Văn Đức\";\"có ; dấu\"\r\n".as_bytes());
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].2, [Value::Text("Lê Văn Đức".into()), Value::Text("có ; dấu".into())]);
        assert_eq!(read[1].1, 2);
        assert!(for_each_row(b"\xff\xfe", Format::Csv, &mut |_, _, _| ControlFlow::Continue(())).is_err());
        assert!(for_each_row(b"PK\x03\x04garbage", Format::Xlsx, &mut |_, _, _| ControlFlow::Continue(())).is_err());
    }
}
