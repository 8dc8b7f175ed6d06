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
    each_field(line, |field| {
        if let Some(role) = layout.roles.get(found)
            && *role != Role::Ignore
        {
            slot[*role as usize] = field;
        }
        found += 1;
    });
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

/// Calls `take` with each field of `line`, in order: the runs of bytes between blanks
/// ([`is_blank`]), as `line.split(u8::is_ascii_whitespace)` gives them without the empty ones.
/// (A byte at a time: word-at-a-time masks of the blanks were slower on flow-log lines, whose
/// fields are a few bytes long.)
#[inline]
pub(super) fn each_field<'a>(line: &'a [u8], mut take: impl FnMut(&'a [u8])) {
    let (mut i, n) = (0usize, line.len());
    while i < n {
        if is_blank(line[i]) {
            i += 1;
            continue;
        }
        let begin = i;
        i += 1;
        while i < n && !is_blank(line[i]) {
            i += 1;
        }
        take(&line[begin..i]);
    }
}

/// ASCII whitespace as [`u8::is_ascii_whitespace`] has it (space, tab, line feed, form feed,
/// carriage return), in one test.
#[inline]
fn is_blank(b: u8) -> bool {
    const BLANKS: u64 = 1 << b' ' | 1 << b'\t' | 1 << b'\n' | 1 << 0x0c | 1 << b'\r';
    b <= b' ' && BLANKS >> b & 1 == 1
}

/// Parses a decimal `u64`: ASCII digits only, no sign, no overflow.
#[inline]
pub(super) fn parse_num(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    if text.len() < 20 {
        // (19 digits or fewer cannot overflow)
        let mut value: u64 = 0;
        for &b in text {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            value = value * 10 + u64::from(digit);
        }
        return Some(value);
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
    if text.len() < 7 || text.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut i = 0usize;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            if text.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        // One to three digits; a leading zero only alone.
        let first = text.get(i)?.wrapping_sub(b'0');
        if first > 9 {
            return None;
        }
        let mut value = u16::from(first);
        i += 1;
        for _ in 0..2 {
            let Some(d) = text
                .get(i)
                .map(|b| b.wrapping_sub(b'0'))
                .filter(|d| *d <= 9)
            else {
                break;
            };
            if first == 0 {
                return None;
            }
            value = value * 10 + u16::from(d);
            i += 1;
        }
        *octet = u8::try_from(value).ok()?;
    }
    (i == text.len()).then(|| Ipv4Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_is_what_std_calls_ascii_whitespace() {
        for b in 0..=u8::MAX {
            assert_eq!(is_blank(b), b.is_ascii_whitespace(), "byte {b}");
        }
    }

    /// A small random generator (xorshift64) for the generated inputs.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    fn std_fields(line: &[u8]) -> Vec<&[u8]> {
        line.split(u8::is_ascii_whitespace)
            .filter(|f| !f.is_empty())
            .collect()
    }

    fn fields(line: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        each_field(line, |f| out.push(f));
        out
    }

    #[test]
    fn fields_are_those_std_splits_at_any_length_and_blank() {
        let line = b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
        assert_eq!(fields(line), std_fields(line));
        assert_eq!(fields(line).len(), 14);
        // Every byte value at every place of lines of 0 to 200 bytes, from a small random
        // generator.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let alphabet: Vec<u8> = (0..=255u8).collect();
        for len in 0..200 {
            for round in 0..40 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        match r % 8 {
                            0 | 1 => b' ',
                            2 if round % 2 == 0 => alphabet[(r >> 8) as usize % 256],
                            3 if round % 4 == 1 => {
                                [b'\t', b'\r', 0x0b, 0x0c, 0][(r >> 8) as usize % 5]
                            }
                            _ => b'a' + (r >> 8) as u8 % 26,
                        }
                    })
                    .collect();
                assert_eq!(fields(&line), std_fields(&line), "{line:?}");
            }
        }
        for b in 0..=u8::MAX {
            for at in [0, 7, 8, 63, 64, 65, 127] {
                let mut line = vec![b'a'; 130];
                line[at] = b;
                assert_eq!(fields(&line), std_fields(&line), "byte {b} at {at}");
            }
        }
    }

    #[test]
    fn ipv4_reads_as_std_reads_it() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        let mut texts: Vec<String> = [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.117.209",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "1.2.3.4.5",
            "1234.1.1.1",
            "1.2.3.4a",
            "a.b.c.d",
            "1.2.3.-4",
            "",
            "1.2.3.4 ",
            "00.0.0.0",
            "1.2.3.255",
            "1.2.3.256",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        for _ in 0..20_000 {
            let len = (next() % 18) as usize;
            texts.push(
                (0..len)
                    .map(|_| match next() % 6 {
                        0 => '.',
                        1 => '0',
                        2 => '2',
                        3 => '5',
                        4 => 'x',
                        _ => char::from(b'0' + (next() % 10) as u8),
                    })
                    .collect(),
            );
        }
        for t in texts {
            assert_eq!(
                parse_ipv4(t.as_bytes()),
                t.parse::<Ipv4Addr>().ok(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn numbers_read_as_std_reads_plain_digits() {
        let max = u64::MAX.to_string();
        let over = "18446744073709551616".to_string();
        let nineteen = "9".repeat(19);
        let twenty_nines = "9".repeat(20);
        let long_zeros = format!("{}1", "0".repeat(19));
        for text in [
            "0",
            "7",
            "42",
            "0042",
            "1418530010",
            &nineteen,
            &max,
            &over,
            &twenty_nines,
            &long_zeros,
            "",
            "-1",
            "+1",
            "1a",
            " 1",
            "1.5",
            "٣",
        ] {
            let std = if text.bytes().all(|b| b.is_ascii_digit()) {
                text.parse::<u64>().ok()
            } else {
                None
            };
            assert_eq!(parse_num(text.as_bytes()), std, "{text:?}");
        }
        assert_eq!(parse_num("1".repeat(21).as_bytes()), None);
    }
}
