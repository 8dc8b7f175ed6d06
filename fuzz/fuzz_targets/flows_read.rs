//! The flow-log readers never panic or hang on any bytes, in any format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zonescope::engine::flows::read::{LogFormat, read_log};

fuzz_target!(|data: &[u8]| {
    for format in [LogFormat::Auto, LogFormat::Aws, LogFormat::Azure] {
        let _ = read_log(data, format, |_| {});
    }
});
