//! The AWS VPC flow-log reader: the default version 2 text format or a custom format named by a
//! header line, read line by line into one reused buffer.
//!
//! Must never: classify a record, or hold more than one line.

use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr};

use super::{Broken, FlowRecord, MAX_LINE, Out, Problem, ReadEvent, SAMPLE_LEN, SkipKind};

/// What a column of an AWS line means to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
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
pub(super) const SLOTS: usize = Role::Ignore as usize;

/// AWS field names of the roles, indexed by role.
pub(super) const ROLE_NAMES: [&str; SLOTS] = [
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
pub(super) const REQUIRED: [Role; 6] = [
    Role::Src,
    Role::Dst,
    Role::SrcPort,
    Role::DstPort,
    Role::Protocol,
    Role::Action,
];

/// The columns of the current AWS format.
pub(super) struct Layout {
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

pub(super) fn role_at(index: usize) -> Role {
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
pub(super) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty())
}

/// Whether `line` (without a leading `#`) names fields: every word is lower-case letters and
/// hyphens, and it names `srcaddr` and `dstaddr`.
pub(super) fn is_header(line: &[u8]) -> bool {
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
pub(super) fn read_aws<R: Read, F: FnMut(ReadEvent<'_>)>(
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
pub(super) fn too_long<F: FnMut(ReadEvent<'_>)>(
    carry: &mut Vec<u8>,
    line_no: u64,
    out: &mut Out<F>,
) {
    let sample = &carry[..SAMPLE_LEN.min(carry.len())];
    out.unreadable(
        line_no,
        String::from_utf8_lossy(sample),
        Problem::LineTooLong,
    );
    carry.clear();
}

/// `line` without trailing carriage returns.
pub(super) fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r'] = line {
        line = rest;
    }
    line
}

/// Index of the first `\n` in `haystack`, eight bytes at a time.
#[inline]
pub(super) fn find_newline(haystack: &[u8]) -> Option<usize> {
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
pub(super) fn aws_line<F: FnMut(ReadEvent<'_>)>(
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

pub(super) enum Parsed<'a> {
    Record(FlowRecord<'a>),
    Skipped(SkipKind),
}

/// Parses one AWS data line.
#[inline]
pub(super) fn parse_aws<'a>(
    layout: &Layout,
    line: &'a [u8],
    line_no: u64,
) -> Result<Parsed<'a>, Problem> {
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
    // The fields' meaning is shared with the Parquet reader (`aws_fields.rs`).
    super::aws_fields::record(
        &super::aws_fields::TextFields {
            present: &layout.present,
            slot: &slot,
        },
        line_no,
    )
}

/// Parses a decimal `u64`: ASCII digits only, no sign, no overflow.
#[inline]
pub(super) fn parse_num(text: &[u8]) -> Option<u64> {
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
pub(super) fn parse_ip(text: &[u8]) -> Option<IpAddr> {
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
pub(super) fn parse_ipv4(text: &[u8]) -> Option<Ipv4Addr> {
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
