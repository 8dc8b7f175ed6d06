//! The error renderer never panics and never lets a control character through, whatever the
//! text and whatever the defects: each report is rendered from one shared copy of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = zonescope::model::load_str(&text, "fuzz\u{1b}.yaml") {
        for color in [false, true] {
            let out = e.render(color, 20);
            if !color {
                assert!(
                    !out
                        .chars()
                        .any(|c| !matches!(c, '\n' | '\t') && zonescope::text_safe::is_unsafe(c)),
                    "a control character reached the report"
                );
            }
        }
        let _ = e.plain();
        let _ = e.to_string();
    }
});
