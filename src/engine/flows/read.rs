//! Flow-log readers: turn the bytes of a flow log into [`FlowRecord`]s, one at a time.
//!
//! This module owns parsing only. It reads AWS VPC flow logs (the default version 2 text
//! format, or any custom format named by a header line) and Azure NSG flow logs (version 1
//! and 2) and VNet flow logs (version 4), plain or gzip-compressed, and hands every record,
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
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::net::{IpAddr, Ipv4Addr};
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
const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// The `--log-format` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// Decide from the first bytes: JSON (`{` or `[`) is Azure, anything else AWS.
    #[default]
    Auto,
    /// AWS VPC flow log text.
    Aws,
    /// Azure NSG or VNet flow log JSON.
    Azure,
    /// GCP VPC flow logs or firewall-rule logs: Cloud Logging JSON, one entry per line.
    Gcp,
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
    /// The format read: `Aws` or `Azure` (never `Auto`).
    pub format: LogFormat,
    /// Whether the input was gzip-compressed.
    pub compressed: bool,
}

/// Recognises a log from its first bytes: gzip magic, else JSON (first non-blank byte after
/// an optional UTF-8 byte order mark is `{` or `[`), else AWS text.
#[must_use]
pub fn detect(first_bytes: &[u8]) -> Detected {
    if first_bytes.starts_with(&GZIP_MAGIC) {
        return Detected::Gzip;
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
/// `LogFormat::Auto` picks AWS text or Azure JSON from the first decompressed bytes.
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
    let format = if detect(&prefix) == Detected::Azure {
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

// ---------------------------------------------------------------------------------------
// AWS VPC flow logs
// ---------------------------------------------------------------------------------------

/// What a column of an AWS line means to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Interface,
    Src,
    Dst,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    Status,
    Direction,
    Ignore,
}

/// Number of roles that fill a slot (all but `Ignore`).
const SLOTS: usize = Role::Ignore as usize;

/// AWS field names of the roles, indexed by role.
const ROLE_NAMES: [&str; SLOTS] = [
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "flow-direction",
];

/// Roles a record cannot do without, in the order they are reported missing.
const REQUIRED: [Role; 6] = [
    Role::Src,
    Role::Dst,
    Role::SrcPort,
    Role::DstPort,
    Role::Protocol,
    Role::Action,
];

/// The columns of the current AWS format.
struct Layout {
    roles: Vec<Role>,
    present: [bool; SLOTS],
    /// A required field the header lacks: data lines are unreadable.
    missing: Option<&'static str>,
}

impl Layout {
    /// The default version 2 format.
    fn v2() -> Self {
        Self::from_names(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol \
             packets bytes start end action log-status"
                .split(' ')
                .map(str::as_bytes),
        )
    }

    fn from_names<'n>(names: impl Iterator<Item = &'n [u8]>) -> Self {
        let mut present = [false; SLOTS];
        let roles = names
            .map(|name| {
                let role = ROLE_NAMES
                    .iter()
                    .position(|known| known.as_bytes() == name)
                    .map_or(Role::Ignore, role_at);
                if role != Role::Ignore {
                    // A repeated name: the first column wins.
                    if present[role as usize] {
                        return Role::Ignore;
                    }
                    present[role as usize] = true;
                }
                role
            })
            .collect();
        let missing = REQUIRED
            .iter()
            .find(|role| !present[**role as usize])
            .map(|role| ROLE_NAMES[*role as usize]);
        Self {
            roles,
            present,
            missing,
        }
    }
}

fn role_at(index: usize) -> Role {
    const ALL: [Role; SLOTS] = [
        Role::Interface,
        Role::Src,
        Role::Dst,
        Role::SrcPort,
        Role::DstPort,
        Role::Protocol,
        Role::Packets,
        Role::Bytes,
        Role::Start,
        Role::End,
        Role::Action,
        Role::Status,
        Role::Direction,
    ];
    ALL.get(index).copied().unwrap_or(Role::Ignore)
}

/// Whitespace-separated fields of an AWS line.
fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty())
}

/// Whether `line` (without a leading `#`) names fields: every word is lower-case letters and
/// hyphens, and it names `srcaddr` and `dstaddr`.
fn is_header(line: &[u8]) -> bool {
    let (mut src, mut dst, mut any) = (false, false, false);
    for word in fields(line) {
        let well_formed = word[0].is_ascii_lowercase()
            && word.iter().all(|b| b.is_ascii_lowercase() || *b == b'-');
        if !well_formed {
            return false;
        }
        any = true;
        src |= word == b"srcaddr";
        dst |= word == b"dstaddr";
    }
    any && src && dst
}

/// Reads AWS text; returns the number of the line the input ended in.
///
/// Lines are parsed in place in the reader's buffer; only a line that straddles two fills
/// of the buffer is copied, into `carry`, which never holds more than [`MAX_LINE`] bytes.
fn read_aws<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    out: &mut Out<F>,
    broken: &Broken,
) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(256 * 1024, input);
    let mut carry: Vec<u8> = Vec::new();
    // Within a line longer than MAX_LINE: `carry` holds its first bytes as a sample.
    let mut overlong = false;
    let mut layout = Layout::v2();
    let mut line_no = 0u64;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let mut used = 0;
        while let Some(i) = find_newline(&available[used..]) {
            let line = &available[used..used + i];
            used += i + 1;
            line_no += 1;
            if overlong {
                overlong = false;
                too_long(&mut carry, line_no, out);
            } else if carry.len() + line.len() > MAX_LINE {
                carry.extend_from_slice(&line[..SAMPLE_LEN.min(line.len())]);
                too_long(&mut carry, line_no, out);
            } else if carry.is_empty() {
                aws_line(trim_end(line), line_no, true, &mut layout, out, broken);
            } else {
                carry.extend_from_slice(line);
                aws_line(trim_end(&carry), line_no, true, &mut layout, out, broken);
                carry.clear();
            }
        }
        let tail = &available[used..];
        if !overlong {
            if carry.len() + tail.len() > MAX_LINE {
                overlong = true;
                let room = SAMPLE_LEN.saturating_sub(carry.len());
                carry.truncate(SAMPLE_LEN);
                carry.extend_from_slice(&tail[..room.min(tail.len())]);
            } else {
                carry.extend_from_slice(tail);
            }
        }
        let len = available.len();
        reader.consume(len);
    }
    if overlong {
        line_no += 1;
        too_long(&mut carry, line_no, out);
    } else if !carry.is_empty() {
        line_no += 1;
        aws_line(trim_end(&carry), line_no, false, &mut layout, out, broken);
        carry.clear();
    } else {
        // The input ended with a newline (or was empty): a break is on the next line.
        out.stats.lines = line_no;
        return Ok(line_no + 1);
    }
    out.stats.lines = line_no;
    Ok(line_no)
}

/// Reports an over-long line from the sample of it in `carry`, and empties `carry`.
fn too_long<F: FnMut(ReadEvent<'_>)>(carry: &mut Vec<u8>, line_no: u64, out: &mut Out<F>) {
    let sample = &carry[..SAMPLE_LEN.min(carry.len())];
    out.unreadable(
        line_no,
        String::from_utf8_lossy(sample),
        Problem::LineTooLong,
    );
    carry.clear();
}

/// `line` without trailing carriage returns.
fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r'] = line {
        line = rest;
    }
    line
}

/// Index of the first `\n` in `haystack`, eight bytes at a time.
#[inline]
fn find_newline(haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let mut chunks = haystack.chunks_exact(8);
    let mut base = 0usize;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Zero bytes of `x` mark newlines; the lowest flagged byte is exact.
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(base + (zeros.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| *b == b'\n')
        .map(|i| base + i)
}

/// Handles one AWS line (without its line end).
#[inline]
fn aws_line<F: FnMut(ReadEvent<'_>)>(
    line: &[u8],
    line_no: u64,
    terminated: bool,
    layout: &mut Layout,
    out: &mut Out<F>,
    broken: &Broken,
) {
    let Some(start) = line.iter().position(|b| !b.is_ascii_whitespace()) else {
        return; // blank
    };
    let body = &line[start..];
    if let Some(comment) = body.strip_prefix(b"#") {
        // A `#` line naming every field a record needs is a header; any other is a comment.
        if is_header(comment) {
            let candidate = Layout::from_names(fields(comment));
            if candidate.missing.is_none() {
                *layout = candidate;
                out.stats.headers += 1;
                return;
            }
        }
        out.stats.comments += 1;
        return;
    }
    if body[0].is_ascii_lowercase() && is_header(body) {
        *layout = Layout::from_names(fields(body));
        out.stats.headers += 1;
        if let Some(missing) = layout.missing {
            out.unreadable(
                line_no,
                String::from_utf8_lossy(line),
                Problem::BadHeader { missing },
            );
        }
        return;
    }
    let result = match layout.missing {
        Some(missing) => Err(Problem::NoUsableHeader { missing }),
        None => parse_aws(layout, body, line_no),
    };
    // A line the input ends in without a newline is cut off if it does not parse, or if the
    // compressed stream broke.
    let cut = !terminated && (result.is_err() || broken.borrow().is_some());
    match result {
        _ if cut => out.unreadable(line_no, String::from_utf8_lossy(line), Problem::Truncated),
        Ok(Parsed::Record(record)) => out.record(record),
        Ok(Parsed::Skipped(kind)) => out.skipped(line_no, kind),
        Err(why) => out.unreadable(line_no, String::from_utf8_lossy(line), why),
    }
}

enum Parsed<'a> {
    Record(FlowRecord<'a>),
    Skipped(SkipKind),
}

/// Parses one AWS data line.
#[inline]
fn parse_aws<'a>(layout: &Layout, line: &'a [u8], line_no: u64) -> Result<Parsed<'a>, Problem> {
    let mut slot: [&[u8]; SLOTS] = [b""; SLOTS];
    let mut found = 0usize;
    let mut rest = line;
    // Skip blanks, then take one field.
    while let Some(begin) = rest.iter().position(|b| !b.is_ascii_whitespace()) {
        rest = &rest[begin..];
        let len = rest
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(rest.len());
        let (field, tail) = rest.split_at(len);
        if let Some(role) = layout.roles.get(found)
            && *role != Role::Ignore
        {
            slot[*role as usize] = field;
        }
        found += 1;
        rest = tail;
    }
    if found != layout.roles.len() {
        return Err(Problem::FieldCount {
            expected: layout.roles.len(),
            found,
        });
    }
    let bad = |role: Role| Problem::BadValue {
        field: ROLE_NAMES[role as usize],
    };
    let get = |role: Role| {
        let value = slot[role as usize];
        (layout.present[role as usize] && value != b"-").then_some(value)
    };
    if layout.present[Role::Status as usize] {
        match slot[Role::Status as usize] {
            b"OK" | b"-" => {}
            b"NODATA" => return Ok(Parsed::Skipped(SkipKind::NoData)),
            b"SKIPDATA" => return Ok(Parsed::Skipped(SkipKind::SkipData)),
            _ => return Err(bad(Role::Status)),
        }
    }
    let src = parse_ip(slot[Role::Src as usize]).ok_or_else(|| bad(Role::Src))?;
    let dst = parse_ip(slot[Role::Dst as usize]).ok_or_else(|| bad(Role::Dst))?;
    let src_port = parse_num(slot[Role::SrcPort as usize])
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| bad(Role::SrcPort))?;
    let dst_port = parse_num(slot[Role::DstPort as usize])
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| bad(Role::DstPort))?;
    let protocol = parse_num(slot[Role::Protocol as usize])
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| bad(Role::Protocol))?;
    let action = match slot[Role::Action as usize] {
        b"ACCEPT" => Action::Accept,
        b"REJECT" => Action::Reject,
        _ => return Err(bad(Role::Action)),
    };
    let optional = |role: Role| match get(role) {
        None => Ok(None),
        Some(value) => parse_num(value).map(Some).ok_or_else(|| bad(role)),
    };
    let packets = optional(Role::Packets)?.unwrap_or(0);
    let bytes = optional(Role::Bytes)?.unwrap_or(0);
    let start = optional(Role::Start)?;
    let end = optional(Role::End)?;
    let interface = match get(Role::Interface) {
        None => None,
        Some(value) => Some(std::str::from_utf8(value).map_err(|_| bad(Role::Interface))?),
    };
    let direction = match get(Role::Direction) {
        None => None,
        Some(b"ingress") => Some(Direction::Inbound),
        Some(b"egress") => Some(Direction::Outbound),
        Some(_) => return Err(bad(Role::Direction)),
    };
    Ok(Parsed::Record(FlowRecord {
        line: line_no,
        src,
        dst,
        src_port,
        dst_port,
        protocol,
        packets,
        bytes,
        start,
        end,
        action,
        interface,
        direction,
        rule: None,
        state: None,
    }))
}

/// Parses a decimal `u64`: ASCII digits only, no sign, no overflow.
#[inline]
fn parse_num(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in text {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    Some(value)
}

/// Parses an IPv4 or IPv6 address, dotted-quad IPv4 without allocating or UTF-8 checks.
#[inline]
fn parse_ip(text: &[u8]) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(text) {
        return Some(IpAddr::V4(v4));
    }
    if !text.contains(&b':') {
        return None;
    }
    // `::ffff:10.0.1.20` is the IPv4 address 10.0.1.20 (RFC 4291 §2.5.5.2), not an IPv6 one.
    std::str::from_utf8(text)
        .ok()?
        .parse::<IpAddr>()
        .ok()
        .map(|a| a.to_canonical())
}

/// Dotted-quad IPv4 as std accepts it: four decimal octets, no leading zeros.
#[inline]
fn parse_ipv4(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut index = 0usize;
    let mut value: u16 = 0;
    let mut digits = 0u8;
    for &b in text {
        if b == b'.' {
            if digits == 0 || index == 3 {
                return None;
            }
            octets[index] = u8::try_from(value).ok()?;
            index += 1;
            value = 0;
            digits = 0;
        } else {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 || (digits == 1 && value == 0) || digits == 3 {
                return None;
            }
            value = value * 10 + u16::from(digit);
            digits += 1;
        }
    }
    if index != 3 || digits == 0 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

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
use azure_stream::read_azure;
