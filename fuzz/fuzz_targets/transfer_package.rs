//! Opening a transfer package from another installation never panics: any bytes as the file, and
//! any text as the payload of a package sealed with a real key (so that parsing the member's
//! record, dates and attached files is reached, past the signature check).
//! Run: `bash fuzz/run.sh transfer_package` (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua_app::package::seal;
use thidua_app::App;

fuzz_target!(|data: &[u8]| {
    let _ = App::open_package(data);
    if let Ok(payload) = std::str::from_utf8(data)
        && let Ok(sealed) = seal(payload.to_owned(), &[7; 32])
    {
        let _ = App::open_package(&sealed);
    }
});
