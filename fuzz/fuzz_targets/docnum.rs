//! The document-number parser never panics, and what it prints parses back to the same number.
//! Run: `cargo fuzz run docnum` (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua_core::docnum::DocNumber;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(number) = text.parse::<DocNumber>()
    {
        let strict = number.to_string();
        assert_eq!(strict.parse::<DocNumber>(), Ok(number), "{strict}");
    }
});
