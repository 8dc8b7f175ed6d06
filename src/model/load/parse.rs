//! Parsing: YAML text → [`RawFile`] with spans (serde-saphyr, with limits); large files split at
//! their top-level sections (the largest cut at an entry) and parsed in parallel when that gives
//! the same result.
//!
//! Must never: validate (that is [`super::validate`]).

use crate::model::error::{ErrorCode as C, InputError};
use crate::model::raw::{Pos, RawFile};

use super::{SPLIT_PARSE_MIN_BYTES, offset_of};

pub(super) fn parse(text: &str) -> Result<RawFile, InputError> {
    parse_then(text, &|| {})
}

/// [`parse`], calling `free` as soon as the parse leaves a core free (the first half of a
/// split parse done), if it does.
pub(super) fn parse_then(text: &str, free: &(dyn Fn() + Sync)) -> Result<RawFile, InputError> {
    if text.len() >= SPLIT_PARSE_MIN_BYTES
        && let Some(raw) = parse_split_then(text, free)
    {
        return Ok(raw);
    }
    parse_one(text)
}

/// The byte ranges of the top-level keys of a plain one-document file, or `None` when the file
/// uses what a split parse cannot keep apart: several documents or directives, anchors or
/// aliases (an unquoted `*` or any `&`), a key written twice, a flow mapping at the top.
pub(super) fn top_level_sections(text: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    if text.contains('&') {
        return None;
    }
    let bytes = text.as_bytes();
    // (`match_indices` finds each `*` with a vectorised search: the files are megabytes)
    if text
        .match_indices('*')
        .any(|(i, _)| !(i > 0 && matches!(bytes[i - 1], b'"' | b'\'' | b'.' | b'-')))
    {
        return None;
    }
    let mut sections: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.as_bytes().first().copied().unwrap_or(b' ');
        if line.starts_with("---") || line.starts_with("...") || first == b'%' || first == b'{' {
            return None;
        }
        if first.is_ascii_alphabetic() || first == b'_' {
            let key = line.split(':').next()?.trim().to_string();
            if sections.iter().any(|(k, _)| *k == key) {
                return None;
            }
            if let Some(last) = sections.last_mut() {
                last.1.end = offset;
            }
            sections.push((key, offset..text.len()));
        }
        offset += line.len();
    }
    Some(sections)
}

/// The sequence sections whose entries [`append`] concatenates: a split parse may cut one of
/// these at an entry, the first entries parsed by one half and the rest by the other. (The
/// mapping sections, `service_tags` and `address_groups`, are kept whole.)
const SPLITTABLE: [&str; 10] = [
    "zones",
    "networks",
    "peerings",
    "endpoints",
    "rule_sets",
    "policies",
    "dns",
    "expect",
    "application_security_groups",
    "route_tables",
];

/// Where a block-sequence section `range` (its key line first) can be cut nearest the byte
/// `middle`: the start of an entry (a line at the entries' indentation that begins with `- `).
/// The key line stays on both sides; `None` when the section is no block sequence or has fewer
/// than two entries.
///
/// Such a line cannot be inside a scalar: a block scalar's lines are indented deeper than its
/// entry, a quoted scalar left open at the cut makes the first side fail (and the file is then
/// parsed whole), and a plain scalar cannot go on at an entry's indentation.
pub(super) fn entry_cut(
    text: &str,
    range: &std::ops::Range<usize>,
    middle: usize,
) -> Option<(usize, usize)> {
    let body = &text[range.clone()];
    let key_end = range.start + body.find('\n')? + 1;
    let mut indent = None;
    let mut best: Option<usize> = None;
    let mut offset = key_end;
    for line in text[key_end..range.end].split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let ind = line.len() - trimmed.len();
        let blank = trimmed.trim().is_empty() || trimmed.starts_with('#');
        if !blank {
            let is_entry = trimmed.starts_with("- ") || trimmed.trim_end() == "-";
            match indent {
                None if is_entry => indent = Some(ind),
                None => return None,
                // (the first entry set `indent`: a cut is never before it)
                Some(n) if ind == n && is_entry => {
                    if best.is_none_or(|b| b.abs_diff(middle) > offset.abs_diff(middle)) {
                        best = Some(offset);
                    }
                }
                Some(n) if ind <= n => return None,
                Some(_) => {}
            }
        }
        offset += line.len();
    }
    best.map(|cut| (key_end, cut))
}

/// Parse a large file on two threads: each parses a copy in which the other half's parts are
/// blanked (each line made a comment of the same length, [`blank_out`]), so lines, columns and
/// byte offsets stay exact; `version` stays in both. The largest sequence sections are cut at an entry, their
/// first entries in one half and the rest in the other, so that the halves take as long
/// whatever a section's entries cost to parse; the other sections balance the halves by size.
/// The halves merge into one [`RawFile`]. Any failure returns `None`, and the caller parses the
/// whole file the ordinary way (so errors are always the ordinary parser's).
#[cfg(test)]
pub(super) fn parse_split(text: &str) -> Option<RawFile> {
    parse_split_then(text, &|| {})
}

/// [`parse_split`], calling `free` when the first half is parsed (the other goes on alone).
fn parse_split_then(text: &str, free: &(dyn Fn() + Sync)) -> Option<RawFile> {
    let sections = top_level_sections(text)?;
    if sections.len() < 2 {
        return None;
    }
    let blank = split_blanks(text, &sections);
    let half = |side: usize| -> String {
        let mut bytes = text.as_bytes().to_vec();
        for range in &blank[side] {
            blank_out(&mut bytes[range.clone()]);
        }
        String::from_utf8(bytes).unwrap_or_default()
    };
    let (a, b) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let raw = parse_one(&half(1)).ok();
            free();
            raw
        });
        let mine = parse_one(&half(0)).ok();
        free();
        (mine, other.join().ok().flatten())
    });
    let (mut a, b) = (a?, b?);
    append(&mut a, b);
    Some(a)
}

/// Blank the whole lines of `bytes` (a range that starts at a line): each non-empty line
/// becomes a comment at column 0, `#` and spaces, its newline kept, so that lines, columns and
/// offsets stay. Spaces alone would not do: a block scalar just before the range would take
/// lines of spaces deeper than its indentation as lines of its text, where the line the range
/// held (at a lesser indentation) ended it, as a comment at column 0 does.
fn blank_out(bytes: &mut [u8]) {
    let mut line_start = true;
    for b in bytes {
        if *b == b'\n' {
            line_start = true;
            continue;
        }
        *b = if line_start { b'#' } else { b' ' };
        line_start = false;
    }
}

/// The byte ranges each side of a split parse blanks ([`parse_split`]).
pub(super) fn split_blanks(
    text: &str,
    sections: &[(String, std::ops::Range<usize>)],
) -> [Vec<std::ops::Range<usize>>; 2] {
    let mut blank: [Vec<std::ops::Range<usize>>; 2] = [Vec::new(), Vec::new()];
    let mut weight = [0usize; 2];
    let (mut cut_up, mut whole): (Vec<usize>, Vec<usize>) = (0..sections.len())
        .filter(|&i| sections[i].0 != "version")
        .partition(|&i| {
            let (key, range) = &sections[i];
            range.len() >= text.len() / 32 && SPLITTABLE.contains(&key.as_str())
        });
    // The sections kept whole balance the halves by size, largest first.
    whole.sort_by_key(|&i| std::cmp::Reverse(sections[i].1.len()));
    let mut assign = |i: usize, weight: &mut [usize; 2]| {
        let s = usize::from(weight[1] < weight[0]);
        weight[s] += sections[i].1.len();
        blank[1 - s].push(sections[i].1.clone());
    };
    for i in whole {
        assign(i, &mut weight);
    }
    // Each section cut up gives its first entries to side 0 and the rest to side 1 (`append`
    // keeps the order), cut where the halves come closest to the same size.
    cut_up.sort_by_key(|&i| sections[i].1.start);
    let mut cuts = Vec::new();
    for i in cut_up {
        let range = &sections[i].1;
        let target = (range.start + range.end + weight[1]).saturating_sub(weight[0]) / 2;
        match entry_cut(text, range, target.clamp(range.start, range.end)) {
            Some((key_end, cut)) => {
                weight[0] += cut - range.start;
                weight[1] += range.end - cut;
                cuts.push((key_end, cut, range.end));
            }
            None => assign(i, &mut weight),
        }
    }
    for (key_end, cut, end) in cuts {
        blank[0].push(cut..end);
        blank[1].push(key_end..cut);
    }
    blank
}

/// Add every entry of `b` after those of `a` (the name and description of `a` first): the two
/// halves of a split parse, or an imported base and the design built on it.
pub(super) fn append(a: &mut RawFile, b: RawFile) {
    a.name = a.name.take().or(b.name);
    a.description = a.description.take().or(b.description);
    a.zones.extend(b.zones);
    a.networks.extend(b.networks);
    a.peerings.extend(b.peerings);
    a.endpoints.extend(b.endpoints);
    a.rule_sets.extend(b.rule_sets);
    a.policies.extend(b.policies);
    a.dns.extend(b.dns);
    a.service_tags.extend(b.service_tags);
    a.expect.extend(b.expect);
    // The sections of SPEC §11 (h12p, h12r): a half that held them must not lose them.
    a.application_security_groups
        .extend(b.application_security_groups);
    a.address_groups.extend(b.address_groups);
    a.route_tables.extend(b.route_tables);
    a.base = a.base.take().or(b.base);
}

pub(super) fn parse_one(text: &str) -> Result<RawFile, InputError> {
    // A file without `<<` has no merge key: its mappings need not remember their keys, and a
    // repeated key reaches the visitor, which rejects it (a struct's field by serde, a map's
    // key by `raw::unique_keys`). That is the same result and 4 % fewer instructions on the L
    // design; an error is worded by the strict parse, which names the repeated key itself.
    if !text.contains("<<") {
        let mut options = options(text);
        options.merge_keys = serde_saphyr::MergeKeyPolicy::AsOrdinary;
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
        if let Ok(raw) = serde_saphyr::from_str_with_options::<RawFile>(text, options) {
            return Ok(raw);
        }
    }
    serde_saphyr::from_str_with_options::<RawFile>(text, options(text))
        .map_err(|e| yaml_error(text, &e))
}

/// The parser's options for `text`: YAML as it is (merge keys, unique keys), with limits.
fn options(text: &str) -> serde_saphyr::Options {
    // Size the node and event limits to the file; keep the alias and depth limits.
    let mut budget = serde_saphyr::Budget::default();
    let scaled = text.len().saturating_mul(2);
    budget.max_nodes = budget.max_nodes.max(scaled);
    budget.max_events = budget.max_events.max(scaled.saturating_mul(2));
    budget.max_total_scalar_bytes = budget
        .max_total_scalar_bytes
        .max(text.len().saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    // (Comments are checked as YAML and then dropped by the parser: serde-saphyr is built
    // without its `comments` feature, see Cargo.toml.)
    options
}

/// Where the parser's error `e` is in `text`, and its first line without the parser's own
/// "at line" suffix.
pub(super) fn place_and_message(text: &str, e: &serde_saphyr::Error) -> (Pos, String) {
    let mut at = e.location().map(Pos::from_location).unwrap_or_default();
    if at.offset == 0 && at.line > 1 {
        at.offset = offset_of(text, at.line, at.column);
        at.len = 1;
    }
    let mut msg = e.to_string();
    if let Some(cut) = msg.find(" at line ") {
        msg.truncate(cut);
    }
    (at, msg.lines().next().unwrap_or("invalid YAML").to_string())
}

fn yaml_error(text: &str, e: &serde_saphyr::Error) -> InputError {
    let (at, msg) = place_and_message(text, e);
    let (msg, help) = match crate::model::yaml_msg::about_the_file(&msg, text, at.line, at.column) {
        Some((m, h)) => (m, h),
        None => {
            let help = yaml_help(&msg);
            (msg, help)
        }
    };
    let code = if msg.starts_with("missing field") {
        C::MissingKey
    } else {
        C::Yaml
    };
    InputError::new(code, at, msg, help)
}

fn yaml_help(msg: &str) -> String {
    if msg.starts_with("unknown field") {
        "remove the key or fix its spelling; the keys each item takes are listed in the README (The file format in brief) and assets/topology.schema.json".into()
    } else if msg.starts_with("missing field") {
        "add the key: it is required here".into()
    } else if msg.contains("budget") || msg.contains("limit") || msg.contains("alias") {
        "the file exceeds a parser limit (aliases, nesting depth or size): remove YAML anchors/aliases or flatten it".into()
    } else {
        "check the indentation and quoting near this place (strings with `:` or `#` need quotes)"
            .into()
    }
}
