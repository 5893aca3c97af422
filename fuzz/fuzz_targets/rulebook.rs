//! Loading a rulebook (membership, ballots, evaluation and commendation rules, as an installation
//! may override them) never panics on any text: a bad file is refused with a message.
//! Run: `bash fuzz/run.sh rulebook` (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua_core::rulebook::Rulebook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["membership.json", "ballots.json", "evaluation.json"] {
        let _ = Rulebook::from_files(|n| (n == name).then(|| text.to_owned()));
    }
    let _ = thidua_core::commendation::Rulebook::parse(text);
});
