//! Flow-log readers: turn the bytes of a flow log into [`FlowRecord`]s, one at a time.
//!
//! This module owns parsing only. It reads AWS VPC flow logs (the default version 2 text
//! format, or any custom format named by a header line) and Azure NSG flow logs (version 1
//! and 2) and VNet flow logs (version 4), plain or gzip-compressed, and AWS VPC flow logs
//! in Apache Parquet (`read_parquet.rs`, with the `parquet` feature), and hands every record,
//! skipped record and unreadable line to a callback as a [`ReadEvent`].
//!
//! What it must never do:
//! - classify: mapping addresses to zones and comparing the observed action with the design
//!   belongs to the caller;
//! - keep records after their callback returns, or grow memory with the log's length: AWS
//!   text is read line by line into one reused buffer (a line longer than [`MAX_LINE`] bytes
//!   is reported, not stored); an Azure blob is streamed record by record
//!   (`azure_stream.rs`), at most one record of at most 64 MB held at a time;
//! - allocate per record where avoidable: a [`FlowRecord`] borrows its strings from the
//!   line buffer or the record's tuple string, addresses and numbers are parsed from bytes;
//! - panic, hang or fail on any input: a malformed line, tuple, header, JSON document or
//!   compressed stream becomes a [`ReadEvent::Unreadable`] and reading goes on where it can.
//!   Only an error of the underlying reader is returned as an `Err`.
//!
//! Line numbers are 1-based. For AWS text a record's `line` is its line in the
//! (decompressed) file. For Azure JSON it is the line on which the tuple's string ends in
//! the (decompressed) document (a tuple holds no newline, so the line it is on).

#![allow(
    clippy::doc_markdown,
    reason = "product names such as VNet and ICMPv6 are prose, not code"
)]

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io::{self, Cursor, Read};
use std::net::IpAddr;
use std::rc::Rc;

use serde::de::{IgnoredAny, MapAccess, SeqAccess};

/// Longest AWS line that is parsed; a longer one is reported as [`Problem::LineTooLong`]
/// and skipped without being stored.
pub const MAX_LINE: usize = 64 * 1024;

/// How much of an unreadable over-long line, or of a JSON line, is shown as its text.
const SAMPLE_LEN: usize = 256;

/// Leading whitespace read while looking for the first byte of a log, at most.
const PEEK_LIMIT: usize = 64 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The first (and last) four bytes of an Apache Parquet file.
pub const PARQUET_MAGIC: [u8; 4] = *b"PAR1";
const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// The `--log-format` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// Decide from the first bytes: `PAR1` is Parquet, JSON (`{` or `[`) is Azure (or GCP),
    /// anything else AWS text.
    #[default]
    Auto,
    /// AWS VPC flow log text.
    Aws,
    /// Azure NSG or VNet flow log JSON.
    Azure,
    /// GCP VPC flow logs or firewall-rule logs: Cloud Logging JSON, one entry per line.
    Gcp,
    /// AWS VPC flow logs in Apache Parquet (S3 delivery's `parquet` file format).
    Parquet,
}

/// What [`detect`] sees in the first bytes of a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detected {
    /// AWS VPC flow log text (also: empty, blank or unrecognisable input).
    Aws,
    /// Azure flow log JSON.
    Azure,
    /// A gzip stream; the format inside is found after decompressing.
    Gzip,
    /// An Apache Parquet file (`PAR1`).
    Parquet,
}

/// The action a flow log recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// AWS `ACCEPT`; Azure NSG decision `A`; Azure VNet flow states `B`, `C`, `E`.
    Accept,
    /// AWS `REJECT`; Azure NSG decision `D`; Azure VNet flow state `D`.
    Reject,
}

/// Direction of a flow relative to the logged interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Azure `I`; AWS `flow-direction` `ingress`.
    Inbound,
    /// Azure `O`; AWS `flow-direction` `egress`.
    Outbound,
}

/// Azure flow state of a tuple (NSG version 2 and VNet flow logs; absent in NSG version 1
/// and AWS). One flow appears as several tuples: `Begin`, then `Continue`s, then `End`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowState {
    /// `B`: the flow was created; counters are empty (zero).
    Begin,
    /// `C`: an ongoing flow; counters since the last tuple.
    Continue,
    /// `E`: the flow ended; counters since the last tuple.
    End,
    /// `D` (VNet flow logs only): the flow was denied.
    Denied,
}

/// Why an AWS line carries no record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SkipKind {
    /// `log-status` `NODATA`: no traffic in the capture window.
    NoData,
    /// `log-status` `SKIPDATA`: records were skipped during the capture window.
    SkipData,
}

/// One flow record. Strings borrow from the reader's buffer: copy what you need to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowRecord<'a> {
    /// 1-based line number (see the module documentation for Azure JSON).
    pub line: u64,
    /// Source address (AWS `srcaddr`, not `pkt-srcaddr`).
    pub src: IpAddr,
    /// Destination address (AWS `dstaddr`, not `pkt-dstaddr`).
    pub dst: IpAddr,
    /// Source port (0 for ICMP).
    pub src_port: u16,
    /// Destination port (0 for ICMP).
    pub dst_port: u16,
    /// IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6); Azure `T`/`U` become 6/17.
    pub protocol: u8,
    /// Packets. Azure: packets out plus packets in (empty counters count 0). AWS: 0 when
    /// the format has no `packets` field or it is `-`.
    pub packets: u64,
    /// Bytes. Azure: bytes out plus bytes in. AWS: 0 when absent or `-`.
    pub bytes: u64,
    /// Start of the capture window in Unix seconds (Azure: the tuple's time; a time of
    /// 10^11 or more is taken as milliseconds, as VNet flow logs write, and divided by 1000).
    pub start: Option<u64>,
    /// End of the capture window in Unix seconds (AWS only).
    pub end: Option<u64>,
    /// The action the log recorded.
    pub action: Action,
    /// AWS `interface-id`; Azure MAC address (NSG `mac`, VNet `macAddress`).
    pub interface: Option<&'a str>,
    /// Azure `I`/`O`; AWS `flow-direction` in custom formats that have it.
    pub direction: Option<Direction>,
    /// Azure rule of the flow group (e.g. `DefaultRule_DenyAllInBound`); None for AWS.
    pub rule: Option<&'a str>,
    /// Azure flow state; None for AWS and NSG version 1.
    pub state: Option<FlowState>,
}

/// What the reader found, in input order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadEvent<'a> {
    /// A flow record.
    Record(FlowRecord<'a>),
    /// An AWS line with `log-status` NODATA or SKIPDATA.
    Skipped {
        /// 1-based line number.
        line: u64,
        /// NODATA or SKIPDATA.
        kind: SkipKind,
    },
    /// A line, tuple, header or stream that could not be read; reading goes on.
    Unreadable {
        /// 1-based line number.
        line: u64,
        /// The line (AWS; at most [`MAX_LINE`] bytes, an over-long one cut) or the tuple
        /// (Azure) or the JSON line at fault, lossily decoded; empty for a broken stream.
        text: Cow<'a, str>,
        /// Why.
        why: Problem,
    },
}

/// Why something was unreadable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// The line or tuple has the wrong number of fields.
    FieldCount {
        /// Fields the format has (Azure NSG: 13, or 8 for version 1).
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A field does not hold a valid value; `field` is its name in the format.
    BadValue {
        /// The field's name (AWS header name, or Azure tuple field).
        field: &'static str,
    },
    /// The input ends in the middle of this line: it has no newline and does not parse, or
    /// the compressed stream broke within it.
    Truncated,
    /// The line is longer than [`MAX_LINE`] bytes.
    LineTooLong,
    /// An AWS header line lacks a field a record needs.
    BadHeader {
        /// The first missing field.
        missing: &'static str,
    },
    /// An AWS data line follows a header that lacks a field a record needs.
    NoUsableHeader {
        /// The first missing field.
        missing: &'static str,
    },
    /// An Azure `flowTuples` entry is not a string.
    TupleNotString,
    /// The Azure JSON document is malformed; reading stops at this point of it.
    Json {
        /// The parser's message.
        message: String,
    },
    /// The gzip stream is corrupt or truncated; reading stopped here.
    Decompress {
        /// The decompressor's message.
        message: String,
    },
    /// The Parquet file is broken (footer, schema, page or column), or this build cannot read
    /// it; reading of the file stopped here.
    Parquet {
        /// The decoder's message.
        message: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FieldCount { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            Self::BadValue { field } => write!(f, "bad value for field `{field}`"),
            Self::Truncated => f.write_str("line is cut off (input ends within it)"),
            Self::LineTooLong => write!(f, "line longer than {MAX_LINE} bytes"),
            Self::BadHeader { missing } => write!(f, "header line lacks field `{missing}`"),
            Self::NoUsableHeader { missing } => {
                write!(f, "the last header line lacks field `{missing}`")
            }
            Self::TupleNotString => f.write_str("flow tuple is not a string"),
            Self::Json { message } => write!(f, "malformed JSON: {message}"),
            Self::Decompress { message } => write!(f, "gzip stream is broken: {message}"),
            Self::Parquet { message } => write!(f, "Parquet file is unreadable: {message}"),
        }
    }
}

impl std::error::Error for Problem {}

/// Counts over one log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Flow records handed out.
    pub records: u64,
    /// NODATA and SKIPDATA lines.
    pub skipped: u64,
    /// Unreadable events (lines, tuples, headers, broken documents or streams).
    pub unreadable: u64,
    /// Lines in the (decompressed) input, blank and comment lines included.
    pub lines: u64,
    /// AWS `#` annotation lines (not counting `#` lines that are header lines).
    pub comments: u64,
    /// AWS header lines (with or without a leading `#`).
    pub headers: u64,
    /// The format read: `Aws`, `Azure`, `Gcp` or `Parquet` (never `Auto`).
    pub format: LogFormat,
    /// Whether the input was gzip-compressed.
    pub compressed: bool,
}

/// Recognises a log from its first bytes: gzip magic, else Parquet magic (`PAR1`), else JSON
/// (first non-blank byte after an optional UTF-8 byte order mark is `{` or `[`), else AWS text.
#[must_use]
pub fn detect(first_bytes: &[u8]) -> Detected {
    if first_bytes.starts_with(&GZIP_MAGIC) {
        return Detected::Gzip;
    }
    if first_bytes.starts_with(&PARQUET_MAGIC) {
        return Detected::Parquet;
    }
    let body = first_bytes.strip_prefix(&UTF8_BOM).unwrap_or(first_bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Detected::Azure,
        _ => Detected::Aws,
    }
}

/// Reads one flow log, handing each event to `on_event` in input order.
///
/// Gzip input (magic bytes `1f 8b`, several members allowed) is decompressed transparently;
/// a corrupt or truncated gzip stream ends reading with a [`Problem::Decompress`] event.
/// `LogFormat::Auto` picks Parquet, AWS text, Azure or GCP JSON from the first decompressed
/// bytes. Parquet read from a stream is copied to a temporary file first (it is read from its
/// footer); [`read_parquet_file`] reads a file in place.
///
/// # Errors
///
/// Only an I/O error of `input` itself. Malformed content is never an error.
pub fn read_log<R: Read>(
    input: R,
    format: LogFormat,
    on_event: impl FnMut(ReadEvent<'_>),
) -> io::Result<Stats> {
    let mut out = Out {
        on_event,
        stats: Stats::default(),
    };
    let broken: Broken = Rc::default();
    let mut input = input;
    let prefix = peek(&mut input)?;
    if detect(&prefix) == Detected::Gzip {
        out.stats.compressed = true;
        let inner = Guard {
            inner: flate2::read::MultiGzDecoder::new(Cursor::new(prefix).chain(input)),
            broken: Rc::clone(&broken),
        };
        read_detected(inner, format, &mut out, &broken)?;
    } else {
        read_detected(Cursor::new(prefix).chain(input), format, &mut out, &broken)?;
    }
    Ok(out.stats)
}

/// Reads the first bytes of `input`, enough for [`detect`].
fn peek<R: Read>(input: &mut R) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    while !decided(&prefix) && prefix.len() < PEEK_LIMIT {
        match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => prefix.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(prefix)
}

/// Whether `prefix` holds enough bytes for [`detect`] to be sure.
fn decided(prefix: &[u8]) -> bool {
    if prefix.len() < 2 {
        return false;
    }
    if prefix.starts_with(&GZIP_MAGIC) {
        return true;
    }
    if prefix.len() < PARQUET_MAGIC.len() && PARQUET_MAGIC.starts_with(prefix) {
        return false;
    }
    if prefix.len() < UTF8_BOM.len() && UTF8_BOM.starts_with(prefix) {
        return false;
    }
    let body = prefix.strip_prefix(&UTF8_BOM).unwrap_or(prefix);
    body.iter().any(|b| !b.is_ascii_whitespace())
}

fn read_detected<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    format: LogFormat,
    out: &mut Out<F>,
    broken: &Broken,
) -> io::Result<()> {
    if format != LogFormat::Auto {
        out.stats.format = format;
        return read_as(input, format, out, broken);
    }
    // Detect on the (decompressed) first bytes.
    let mut input = input;
    let mut prefix = peek(&mut input)?;
    let detected = detect(&prefix);
    let format = if detected == Detected::Parquet {
        LogFormat::Parquet
    } else if detected == Detected::Azure {
        // One JSON entry per line with a `jsonPayload` is GCP's Cloud Logging export: look
        // at the whole first line (up to 64 KiB).
        let mut chunk = [0u8; 4096];
        while !prefix.contains(&b'\n') && prefix.len() < PEEK_LIMIT {
            match input.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => prefix.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if super::gcp::looks_like_gcp(&prefix) {
            LogFormat::Gcp
        } else {
            LogFormat::Azure
        }
    } else {
        LogFormat::Aws
    };
    out.stats.format = format;
    read_as(Cursor::new(prefix).chain(input), format, out, broken)
}

fn read_as<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    format: LogFormat,
    out: &mut Out<F>,
    broken: &Broken,
) -> io::Result<()> {
    let break_line = match format {
        LogFormat::Azure => read_azure(input, out)?,
        LogFormat::Gcp => super::gcp::read_gcp(input, out)?,
        LogFormat::Parquet => {
            read_parquet_input(input, out)?;
            0
        }
        LogFormat::Aws | LogFormat::Auto => read_aws(input, out, broken)?,
    };
    let message = broken.borrow_mut().take();
    if let Some(message) = message {
        out.unreadable(
            break_line,
            Cow::Borrowed(""),
            Problem::Decompress { message },
        );
    }
    Ok(())
}

/// Reads AWS VPC flow logs in Apache Parquet held in a file, in place (only the needed
/// columns, one batch of rows at a time); the counterpart of [`read_log`] for a file known
/// (or detected, [`Detected::Parquet`]) to be Parquet.
///
/// # Errors
///
/// None today: a broken file is a [`Problem::Parquet`] event. The `io::Result` keeps the
/// signature of [`read_log`].
pub fn read_parquet_file(
    file: std::fs::File,
    on_event: impl FnMut(ReadEvent<'_>),
) -> io::Result<Stats> {
    let mut out = Out {
        on_event,
        stats: Stats {
            format: LogFormat::Parquet,
            ..Stats::default()
        },
    };
    #[cfg(feature = "parquet")]
    pq::read_parquet_guarded(file, &mut out);
    #[cfg(not(feature = "parquet"))]
    {
        drop(file);
        no_parquet(&mut out);
    }
    Ok(out.stats)
}

/// A Parquet log read from a stream: checked for its magic, then copied to a temporary file.
fn read_parquet_input<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    out: &mut Out<F>,
) -> io::Result<()> {
    let mut input = input;
    let prefix = peek(&mut input)?;
    if !prefix.starts_with(&PARQUET_MAGIC) {
        out.unreadable(
            0,
            Cow::Borrowed(""),
            Problem::Parquet {
                message: "the file does not start with `PAR1`: it is not Apache Parquet".into(),
            },
        );
        return Ok(());
    }
    #[cfg(feature = "parquet")]
    pq::read_parquet_stream(Cursor::new(prefix).chain(input), out)?;
    #[cfg(not(feature = "parquet"))]
    no_parquet(out);
    Ok(())
}

#[cfg(not(feature = "parquet"))]
fn no_parquet<F: FnMut(ReadEvent<'_>)>(out: &mut Out<F>) {
    out.unreadable(
        0,
        Cow::Borrowed(""),
        Problem::Parquet {
            message: "this build of zonescope reads no Parquet (built without the `parquet` \
                      feature)"
                .into(),
        },
    );
}

/// Set when the gzip stream broke, with the decompressor's message.
type Broken = Rc<RefCell<Option<String>>>;

/// Turns a decompression failure into the end of the stream, noting it in `broken`.
struct Guard<R> {
    inner: R,
    broken: Broken,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.broken.borrow().is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput
                        | io::ErrorKind::InvalidData
                        | io::ErrorKind::UnexpectedEof
                ) =>
            {
                *self.broken.borrow_mut() = Some(e.to_string());
                Ok(0)
            }
            other => other,
        }
    }
}

/// The callback and the counts.
pub(crate) struct Out<F> {
    on_event: F,
    pub(crate) stats: Stats,
}

impl<F: FnMut(ReadEvent<'_>)> Out<F> {
    #[inline]
    pub(crate) fn record(&mut self, record: FlowRecord<'_>) {
        self.stats.records += 1;
        (self.on_event)(ReadEvent::Record(record));
    }

    fn skipped(&mut self, line: u64, kind: SkipKind) {
        self.stats.skipped += 1;
        (self.on_event)(ReadEvent::Skipped { line, kind });
    }

    pub(crate) fn unreadable(&mut self, line: u64, text: Cow<'_, str>, why: Problem) {
        self.stats.unreadable += 1;
        (self.on_event)(ReadEvent::Unreadable { line, text, why });
    }
}

#[path = "read_aws.rs"]
mod aws;
#[path = "aws_fields.rs"]
mod aws_fields;
use aws::{parse_ip, parse_num, read_aws};

#[cfg(feature = "parquet")]
#[path = "read_parquet.rs"]
mod pq;

// ---------------------------------------------------------------------------------------
// Azure NSG and VNet flow logs
// ---------------------------------------------------------------------------------------

/// Which tuple format a `flowTuples` array holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TupleKind {
    /// NSG flow logs: `records[].properties.flows[].flows[].flowTuples`.
    Nsg,
    /// VNet flow logs: `records[].flowRecords.flows[].flowGroups[].flowTuples`.
    Vnet,
}

/// Parses one Azure flow tuple.
fn parse_tuple<'r>(
    text: &str,
    kind: TupleKind,
    line: u64,
    rule: Option<&'r str>,
    interface: Option<&'r str>,
) -> Result<FlowRecord<'r>, Problem> {
    let mut field = [""; 13];
    let mut found = 0usize;
    for part in text.split(',') {
        if let Some(slot) = field.get_mut(found) {
            *slot = part;
        }
        found += 1;
    }
    if !(found == 13 || (kind == TupleKind::Nsg && found == 8)) {
        return Err(Problem::FieldCount {
            expected: 13,
            found,
        });
    }
    let bad = |field: &'static str| Problem::BadValue { field };
    let time = parse_num(field[0].as_bytes()).ok_or(bad("time"))?;
    let start = if time >= 100_000_000_000 {
        time / 1000
    } else {
        time
    };
    let src = parse_ip(field[1].as_bytes()).ok_or(bad("source address"))?;
    let dst = parse_ip(field[2].as_bytes()).ok_or(bad("destination address"))?;
    let port = |text: &str, name| {
        parse_num(text.as_bytes())
            .and_then(|n| u16::try_from(n).ok())
            .ok_or(bad(name))
    };
    let src_port = port(field[3], "source port")?;
    let dst_port = port(field[4], "destination port")?;
    let protocol = match field[5] {
        "T" => 6,
        "U" => 17,
        number => parse_num(number.as_bytes())
            .and_then(|n| u8::try_from(n).ok())
            .ok_or(bad("protocol"))?,
    };
    let direction = match field[6] {
        "I" => Direction::Inbound,
        "O" => Direction::Outbound,
        _ => return Err(bad("direction")),
    };
    let (action, state) = decision(kind, &field, found)?;
    let (packets, bytes) = if found == 13 {
        counters(&field)?
    } else {
        (0, 0)
    };
    Ok(FlowRecord {
        line,
        src,
        dst,
        src_port,
        dst_port,
        protocol,
        packets,
        bytes,
        start: Some(start),
        end: None,
        action,
        interface: interface.filter(|s| !s.is_empty()),
        direction: Some(direction),
        rule: rule.filter(|s| !s.is_empty()),
        state,
    })
}

/// The action and flow state of an Azure tuple.
fn decision(
    kind: TupleKind,
    field: &[&str; 13],
    found: usize,
) -> Result<(Action, Option<FlowState>), Problem> {
    let state_of = |text: &str| match text {
        "B" => Ok(FlowState::Begin),
        "C" => Ok(FlowState::Continue),
        "E" => Ok(FlowState::End),
        "D" if kind == TupleKind::Vnet => Ok(FlowState::Denied),
        _ => Err(Problem::BadValue {
            field: "flow state",
        }),
    };
    match kind {
        TupleKind::Nsg => {
            let action = match field[7] {
                "A" => Action::Accept,
                "D" => Action::Reject,
                _ => return Err(Problem::BadValue { field: "decision" }),
            };
            let state = if found == 13 {
                Some(state_of(field[8])?)
            } else {
                None
            };
            Ok((action, state))
        }
        TupleKind::Vnet => {
            let state = state_of(field[7])?;
            let action = if state == FlowState::Denied {
                Action::Reject
            } else {
                Action::Accept
            };
            Ok((action, Some(state)))
        }
    }
}

/// Packets and bytes of an Azure tuple: out plus in, an empty counter being 0.
fn counters(field: &[&str; 13]) -> Result<(u64, u64), Problem> {
    const NAMES: [&str; 4] = ["packets out", "bytes out", "packets in", "bytes in"];
    let mut value = [0u64; 4];
    for (i, name) in NAMES.iter().enumerate() {
        let text = field[9 + i];
        if !text.is_empty() {
            value[i] = parse_num(text.as_bytes()).ok_or(Problem::BadValue { field: name })?;
        }
    }
    Ok((
        value[0].saturating_add(value[2]),
        value[1].saturating_add(value[3]),
    ))
}

/// Implements the scalar `visit_*` methods of a lenient visitor, each giving `$value`.
macro_rules! lenient_scalars {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

// The streamed reader (`records` and `flowTuples` one at a time).
#[path = "azure_stream.rs"]
mod azure_stream;
pub(crate) use azure_stream::LMap;
use azure_stream::read_azure;
