//! The loader never panics, whatever the text: it returns a topology or input errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = zonescope::model::load_str(text, "fuzz.yaml") {
            // Rendering the report must not panic either (spans inside the text).
            let _ = e.render(false, 3);
        }
    }
});
