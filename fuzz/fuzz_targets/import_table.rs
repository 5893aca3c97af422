//! The spreadsheet and CSV reader every import goes through never panics, whatever the file:
//! truncated or hostile zip archives (bombs included), broken XML, any bytes as CSV.
//! Run: `bash fuzz/run.sh import_table` (see fuzz/README.md).
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use thidua_office::table::{for_each_row, Format};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Xlsx, Format::Csv] {
        let mut cells = 0usize;
        let _ = for_each_row(data, format, &mut |_, _, row| {
            cells += row.len();
            for c in row {
                let _ = c.text();
            }
            ControlFlow::Continue(())
        });
    }
});
