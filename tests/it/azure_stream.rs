//! Azure JSON flow logs are streamed (issue 16, item 4): records are handed out while the input
//! is still being read, one value's size is capped, wrong-shaped JSON is unreadable (not zero
//! records), and one bad string does not lose the other records.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use zonescope::engine::flows::read::{LogFormat, Problem, ReadEvent, Stats, read_log};

const TUPLE: &str = "1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,";

fn record() -> String {
    format!(
        r#"{{"properties":{{"flows":[{{"rule":"r","flows":[{{"mac":"m","flowTuples":["{TUPLE}"]}}]}}]}}}}"#
    )
}

fn read(bytes: &[u8]) -> (Stats, Vec<(u64, String)>) {
    let mut bad = Vec::new();
    let stats = read_log(bytes, LogFormat::Azure, |e| {
        if let ReadEvent::Unreadable { line, why, .. } = e {
            bad.push((line, why.to_string()));
        }
    })
    .unwrap();
    (stats, bad)
}

#[test]
fn wrong_shaped_json_is_unreadable_not_zero_records() {
    for (doc, unreadable) in [
        (r#"{"records":"nope"}"#, 1),
        (r#"{"records":{"a":1}}"#, 1),
        (r#"[1,"x",null]"#, 3),
        (r#""just a string""#, 1),
        ("42", 1),
        (r#"{"hello":"world"}"#, 1),
    ] {
        let (stats, bad) = read(doc.as_bytes());
        assert_eq!(stats.records, 0, "{doc}");
        assert_eq!(stats.unreadable, unreadable, "{doc}: {bad:?}");
    }
}

#[test]
fn one_bad_string_does_not_lose_the_other_records() {
    // A tuple with bytes that are not UTF-8, between two good records.
    let mut doc = format!("{{\"records\":[{},", record()).into_bytes();
    doc.extend_from_slice(
        b"{\"properties\":{\"flows\":[{\"rule\":\"r\",\"flows\":[{\"mac\":\"m\",\"flowTuples\":[\"15421\xff\xfe02,bad\"]}]}]}},",
    );
    doc.extend_from_slice(format!("{}]}}", record()).as_bytes());
    let (stats, bad) = read(&doc);
    assert_eq!((stats.records, stats.unreadable), (2, 1), "{bad:?}");
}

/// `{"records":[` then records without end, counting what was produced.
struct Endless {
    produced: Rc<Cell<u64>>,
    seen_by_callback: Rc<Cell<u64>>,
    pending: Vec<u8>,
    started: bool,
    ended: bool,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            let n = self.produced.get();
            if self.ended {
                return Ok(0);
            }
            if n >= 2000 {
                self.ended = true;
                // Streaming: by now the first records have reached the callback.
                assert!(
                    self.seen_by_callback.get() > 0,
                    "2,000 records read and none handed out: the log is read whole"
                );
                self.pending.extend_from_slice(b"]}");
            } else {
                if self.started {
                    self.pending.push(b',');
                } else {
                    self.pending.extend_from_slice(b"{\"records\":[");
                    self.started = true;
                }
                self.pending.extend_from_slice(record().as_bytes());
                self.produced.set(n + 1);
            }
        }
        let k = buf.len().min(self.pending.len());
        buf[..k].copy_from_slice(&self.pending[..k]);
        self.pending.drain(..k);
        Ok(k)
    }
}

#[test]
fn records_are_handed_out_while_the_log_is_read() {
    let seen = Rc::new(Cell::new(0));
    let input = Endless {
        produced: Rc::new(Cell::new(0)),
        seen_by_callback: Rc::clone(&seen),
        pending: Vec::new(),
        started: false,
        ended: false,
    };
    let stats = read_log(input, LogFormat::Azure, |e| {
        if matches!(e, ReadEvent::Record(_)) {
            seen.set(seen.get() + 1);
        }
    })
    .unwrap();
    assert_eq!((stats.records, stats.unreadable), (2000, 0));
}

/// `{"records":[` and then whitespace for ever.
struct Spaces {
    started: bool,
}

impl Read for Spaces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.started = true;
            let head = b"{\"records\":[";
            buf[..head.len()].copy_from_slice(head);
            return Ok(head.len());
        }
        buf.fill(b' ');
        Ok(buf.len())
    }
}

#[test]
fn one_value_is_capped_and_reading_stops_with_an_unreadable() {
    // Without the cap this never ends; with it, the value stops at 64 MB.
    let mut bad = Vec::new();
    let stats = read_log(
        Spaces { started: false }.take(80 << 20),
        LogFormat::Azure,
        |e| {
            if let ReadEvent::Unreadable { why, .. } = e {
                bad.push(why);
            }
        },
    )
    .unwrap();
    assert_eq!(stats.unreadable, 1);
    assert!(
        matches!(&bad[0], Problem::Json { message } if message.contains("64 MB")),
        "{bad:?}"
    );
}
