//! The condition parser never panics, and what it accepts prints back to an equal tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrm_core::Condition;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(condition) = Condition::parse(text) {
        let again = Condition::parse(&condition.to_text()).expect("canonical text parses");
        assert_eq!(again, condition);
        let from_json = Condition::from_json(&condition.to_json()).expect("canonical JSON parses");
        assert_eq!(from_json, condition);
    }
    let _ = Condition::from_json(text);
});
