//! The playbook loader never panics on any text, in either format, and reports at least one
//! problem whenever it refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrm_core::Playbook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for result in [Playbook::from_json(text), Playbook::from_toml(text)] {
        if let Err(e) = result {
            assert!(!e.problems().is_empty());
        }
    }
});
