//! GCP flow logs as Cloud Logging exports them: one JSON `LogEntry` per line, the record in
//! `jsonPayload`. VPC Flow Logs entries (`logName` …`compute.googleapis.com%2Fvpc_flows`)
//! record sampled traffic that was delivered; firewall-rule logging entries (…`%2Ffirewall`)
//! carry `disposition` `ALLOWED` or `DENIED`. Both have `jsonPayload.connection`
//! (`src_ip`, `dest_ip`, `src_port`, `dest_port`, `protocol`, the IANA number); flow logs
//! also `bytes_sent`, `packets_sent`, `start_time` and `end_time` (int64 values are JSON
//! strings in the export, as proto3 JSON writes them; numbers are read too).
//!
//! Only those fields are read, borrowed from the line: the rest of an entry is skipped, a
//! value of an unexpected type is read as absent, and a repeated key takes its last value.
//!
//! Owns: turning such lines into [`FlowRecord`]s. Must never: keep a line after its record is
//! handed out, fail on a malformed line (it is unreadable, reading goes on), or guess a field
//! the entry lacks (a missing port is 0, missing counters 0, a missing time none).

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read};
use std::net::IpAddr;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::read::{Action, FlowRecord, LMap, Out, Problem, ReadEvent};
use super::window::parse_time;

/// A JSON value as the reader takes it: a string, an unsigned integer, or anything else
/// (ignored). Strings are borrowed from the line when they hold no escape.
#[derive(Default)]
enum Scalar<'a> {
    #[default]
    Other,
    Str(Cow<'a, str>),
    Num(u64),
}

impl Scalar<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A JSON number or a string holding one (int64 values are strings in the export).
    fn number(&self) -> Option<u64> {
        match self {
            Scalar::Num(n) => Some(*n),
            Scalar::Str(s) => s.trim().parse().ok(),
            Scalar::Other => None,
        }
    }

    fn time(&self) -> Option<u64> {
        self.as_str().and_then(|s| parse_time(s).ok())
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar::Num(v))
            }
            // A negative or fractional number is not a count, a port or a protocol.
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(u64::try_from(v).map_or(Scalar::Other, Scalar::Num))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads an object's fields into `T` through `field`: keys it does not know are skipped, a
/// repeated key takes the last value (as a JSON object read whole would).
macro_rules! fields {
    ($t:ident, $($key:literal => $f:ident),+ $(,)?) => {
        impl<'de> Deserialize<'de> for $t<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $t<'de>;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $t::default();
                        while let Some(key) = map.next_key::<Scalar<'de>>()? {
                            match key.as_str() {
                                $(Some($key) => out.$f = map.next_value()?,)+
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

/// The parts of a Cloud Logging `LogEntry` the reader uses.
#[derive(Default)]
struct Entry<'a> {
    payload: LMap<Payload<'a>>,
    timestamp: Scalar<'a>,
}
fields!(Entry, "jsonPayload" => payload, "timestamp" => timestamp);

#[derive(Default)]
struct Payload<'a> {
    connection: LMap<Connection<'a>>,
    disposition: Scalar<'a>,
    rule_details: LMap<RuleDetails<'a>>,
    start_time: Scalar<'a>,
    end_time: Scalar<'a>,
    packets_sent: Scalar<'a>,
    bytes_sent: Scalar<'a>,
}
fields!(Payload,
    "connection" => connection,
    "disposition" => disposition,
    "rule_details" => rule_details,
    "start_time" => start_time,
    "end_time" => end_time,
    "packets_sent" => packets_sent,
    "bytes_sent" => bytes_sent,
);

#[derive(Default)]
struct Connection<'a> {
    src_ip: Scalar<'a>,
    dest_ip: Scalar<'a>,
    src_port: Scalar<'a>,
    dest_port: Scalar<'a>,
    protocol: Scalar<'a>,
}
fields!(Connection,
    "src_ip" => src_ip,
    "dest_ip" => dest_ip,
    "src_port" => src_port,
    "dest_port" => dest_port,
    "protocol" => protocol,
);

#[derive(Default)]
struct RuleDetails<'a> {
    reference: Scalar<'a>,
}
fields!(RuleDetails, "reference" => reference);

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
        // Only the fields read are kept, borrowed from the line (an entry of any other
        // shape is read as one without them).
        let entry = match serde_json::from_slice::<LMap<Entry<'_>>>(text) {
            Ok(v) => v.0.unwrap_or_default(),
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
        let p = entry.payload.0.unwrap_or_default();
        let ip = |v: &Scalar<'_>| v.as_str().and_then(|s| s.trim().parse::<IpAddr>().ok());
        let (c, src, dst) = match p
            .connection
            .0
            .as_ref()
            .map(|c| (c, ip(&c.src_ip), ip(&c.dest_ip)))
        {
            Some((c, Some(src), Some(dst))) => (c, src, dst),
            read => {
                let field = match read {
                    None => "jsonPayload.connection",
                    Some((_, None, _)) => "jsonPayload.connection.src_ip",
                    Some(_) => "jsonPayload.connection.dest_ip",
                };
                out.unreadable(
                    line_no,
                    String::from_utf8_lossy(&text[..text.len().min(256)]),
                    Problem::BadValue { field },
                );
                continue;
            }
        };
        let port = |v: &Scalar<'_>| v.number().and_then(|n| u16::try_from(n).ok());
        let Some(protocol) = c.protocol.number().and_then(|n| u8::try_from(n).ok()) else {
            out.unreadable(
                line_no,
                String::from_utf8_lossy(&text[..text.len().min(256)]),
                Problem::BadValue {
                    field: "jsonPayload.connection.protocol",
                },
            );
            continue;
        };
        let denied = p
            .disposition
            .as_str()
            .is_some_and(|d| d.eq_ignore_ascii_case("DENIED"));
        let reference = p.rule_details.0.as_ref().and_then(|r| r.reference.as_str());
        let start = p.start_time.time().or_else(|| entry.timestamp.time());
        let rec = FlowRecord {
            line: line_no,
            src,
            dst,
            src_port: port(&c.src_port).unwrap_or(0),
            dst_port: port(&c.dest_port).unwrap_or(0),
            protocol,
            packets: p.packets_sent.number().unwrap_or(0),
            bytes: p.bytes_sent.number().unwrap_or(0),
            start,
            end: p.end_time.time(),
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
