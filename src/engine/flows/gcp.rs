//! GCP flow logs as Cloud Logging exports them: one JSON `LogEntry` per line, the record in
//! `jsonPayload`. VPC Flow Logs entries (`logName` …`compute.googleapis.com%2Fvpc_flows`)
//! record sampled traffic that was delivered; firewall-rule logging entries (…`%2Ffirewall`)
//! carry `disposition` `ALLOWED` or `DENIED`. Both have `jsonPayload.connection`
//! (`src_ip`, `dest_ip`, `src_port`, `dest_port`, `protocol`, the IANA number); flow logs
//! also `bytes_sent`, `packets_sent`, `start_time` and `end_time` (int64 values are JSON
//! strings in the export, as proto3 JSON writes them; numbers are read too).
//!
//! Owns: turning such lines into [`FlowRecord`]s. Must never: keep a line after its record is
//! handed out, fail on a malformed line (it is unreadable, reading goes on), or guess a field
//! the entry lacks (a missing port is 0, missing counters 0, a missing time none).

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read};
use std::net::IpAddr;

use serde_json::Value;

use super::read::{Action, FlowRecord, Out, Problem, ReadEvent};
use super::window::parse_time;

/// A JSON number or a string holding one.
fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn time(v: Option<&Value>) -> Option<u64> {
    v?.as_str().and_then(|s| parse_time(s).ok())
}

/// Reads GCP log lines; returns the number of the last line (for a broken stream).
pub(crate) fn read_gcp<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    out: &mut Out<F>,
) -> io::Result<u64> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut buf = Vec::with_capacity(2048);
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(line_no);
        }
        line_no += 1;
        out.stats.lines += 1;
        let text = buf.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let entry: Value = match serde_json::from_slice(text) {
            Ok(v) => v,
            Err(e) => {
                out.unreadable(
                    line_no,
                    String::from_utf8_lossy(&text[..text.len().min(256)]),
                    Problem::Json {
                        message: e.to_string(),
                    },
                );
                continue;
            }
        };
        let p = &entry["jsonPayload"];
        let c = &p["connection"];
        let ip = |k: &str| c[k].as_str().and_then(|s| s.trim().parse::<IpAddr>().ok());
        let (Some(src), Some(dst)) = (ip("src_ip"), ip("dest_ip")) else {
            let field = if c.is_object() {
                if ip("src_ip").is_none() {
                    "jsonPayload.connection.src_ip"
                } else {
                    "jsonPayload.connection.dest_ip"
                }
            } else {
                "jsonPayload.connection"
            };
            out.unreadable(
                line_no,
                String::from_utf8_lossy(&text[..text.len().min(256)]),
                Problem::BadValue { field },
            );
            continue;
        };
        let port = |k: &str| number(c.get(k)).and_then(|n| u16::try_from(n).ok());
        let Some(protocol) = number(c.get("protocol")).and_then(|n| u8::try_from(n).ok()) else {
            out.unreadable(
                line_no,
                String::from_utf8_lossy(&text[..text.len().min(256)]),
                Problem::BadValue {
                    field: "jsonPayload.connection.protocol",
                },
            );
            continue;
        };
        let denied = p["disposition"]
            .as_str()
            .is_some_and(|d| d.eq_ignore_ascii_case("DENIED"));
        let reference = p["rule_details"]["reference"].as_str();
        let start = time(p.get("start_time")).or_else(|| time(entry.get("timestamp")));
        let rec = FlowRecord {
            line: line_no,
            src,
            dst,
            src_port: port("src_port").unwrap_or(0),
            dst_port: port("dest_port").unwrap_or(0),
            protocol,
            packets: number(p.get("packets_sent")).unwrap_or(0),
            bytes: number(p.get("bytes_sent")).unwrap_or(0),
            start,
            end: time(p.get("end_time")),
            action: if denied {
                Action::Reject
            } else {
                Action::Accept
            },
            interface: None,
            direction: None,
            // A firewall entry names the connection as its initiator opened it (no reply
            // halves): its rule marks it so.
            rule: reference,
            state: None,
        };
        out.record(rec);
    }
}

/// Whether the first line of `prefix` is a Cloud Logging entry with a `jsonPayload`.
pub(crate) fn looks_like_gcp(prefix: &[u8]) -> bool {
    let first = prefix.split(|b| *b == b'\n').next().unwrap_or(prefix);
    let text: Cow<'_, str> = String::from_utf8_lossy(first);
    text.trim_start().starts_with('{') && text.contains("\"jsonPayload\"")
}
