//! Event and customer decoding never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrm_core::{Customer, Event};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Event::from_json(text);
    let _ = Customer::from_json(text);
});
