//! Parse, then validate: YAML text → [`RawFile`] (serde-saphyr, with spans and limits) →
//! [`Topology`] (every id resolved, every address checked), or every defect found.
//!
//! Owns: the only YAML calls of the program and all input validation (SPEC §6, first
//! paragraph). Must never: panic on any input, or stop at the first defect when it can go on.

use std::path::Path;
use std::sync::Arc;

mod base;
mod parse;
mod validate;

pub use base::{BaseKind, BaseRequest, BaseResolver, no_importer};

#[cfg(test)]
use parse::{entry_cut, parse, split_blanks};
#[cfg(test)]
use parse::{parse_one, parse_split, top_level_sections};
use validate::Validator;

use super::Topology;
use super::error::{ErrorCode as C, InputError, LoadError};
use super::raw::{Pos, RawFile};

/// Files larger than this are refused before parsing. The largest generated topology ("L":
/// 40,000 endpoints, 20,000 rules) is about 9 MB; 64 MB leaves room for seven times that while
/// keeping a hostile file from holding the parser for long.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Read and load a topology file (a `base:` in it is an error: see [`load_with_base`]).
pub fn load(path: &Path) -> Result<Topology, LoadError> {
    load_with_base(path, &mut no_importer)
}

/// Read and load a topology file; a `base:` (SPEC §12) is imported by `resolve`, its paths
/// relative to the file's folder.
pub fn load_with_base(path: &Path, resolve: &mut BaseResolver<'_>) -> Result<Topology, LoadError> {
    load_with_base_then(path, resolve, &|| {})
}

/// [`load_with_base`], calling `free` when the rest of the load leaves a core free: once the
/// first half of a large file's YAML is parsed (the other half, then validation, run on one
/// thread), or once a small file's is. It may be called more than once, from either thread;
/// a caller can start other work then.
pub fn load_with_base_then(
    path: &Path,
    resolve: &mut BaseResolver<'_>,
    free: &(dyn Fn() + Sync),
) -> Result<Topology, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path);
    if let Ok(m) = &meta
        && m.len() > MAX_FILE_BYTES as u64
    {
        return Err(LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::TooLarge,
                Pos::default(),
                format!(
                    "the file is {} MB, more than the {} MB a topology may be",
                    m.len() >> 20,
                    MAX_FILE_BYTES >> 20
                ),
                "split the design, or generate a smaller one with `zonescope gen`",
            ),
        ));
    }
    // Bounded for every kind of input (stdin, a FIFO, /dev/zero), not only regular files.
    let bytes = read_capped(path, MAX_FILE_BYTES).map_err(|e| {
        LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::Io,
                Pos::default(),
                format!("cannot read the file: {e}"),
                "check the path and that the file is readable",
            ),
        )
    })?;
    let Some(bytes) = bytes else {
        return Err(LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::TooLarge,
                Pos::default(),
                format!(
                    "the input is larger than the {} MB a topology may be",
                    MAX_FILE_BYTES >> 20
                ),
                "split the design, or generate a smaller one with `zonescope gen`",
            ),
        ));
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let line = text[..good.min(text.len())].matches('\n').count() as u32 + 1;
            return Err(LoadError::single(
                &name,
                Arc::from(text.as_str()),
                InputError::new(
                    C::Yaml,
                    Pos {
                        line,
                        column: 1,
                        offset: good,
                        len: 1,
                    },
                    "the file is not valid UTF-8",
                    "save the file as UTF-8 text",
                ),
            ));
        }
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    load_str_then(&text, &name, dir, resolve, free)
}

/// At most `max` bytes of `path`: `Ok(None)` when there are more. Never reads more than
/// `max + 1` bytes, whatever the file is.
pub fn read_capped(path: &Path, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    f.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// Load a topology from text; `file` names it in messages (a `base:` is an error).
pub fn load_str(text: &str, file: &str) -> Result<Topology, LoadError> {
    load_str_in(text, file, Path::new("."), &mut no_importer)
}

/// Load a topology from text whose `base:` paths are relative to `dir`, imported by `resolve`.
pub fn load_str_in(
    text: &str,
    file: &str,
    dir: &Path,
    resolve: &mut BaseResolver<'_>,
) -> Result<Topology, LoadError> {
    load_str_then(text, file, dir, resolve, &|| {})
}

fn load_str_then(
    text: &str,
    file: &str,
    dir: &Path,
    resolve: &mut BaseResolver<'_>,
    free: &(dyn Fn() + Sync),
) -> Result<Topology, LoadError> {
    let shared: Arc<str> = Arc::from(text);
    let fail = |e: InputError| LoadError::single(file, shared.clone(), e);
    if text.len() > MAX_FILE_BYTES {
        return Err(fail(InputError::new(
            C::TooLarge,
            Pos::default(),
            format!(
                "the topology text is larger than {} MB",
                MAX_FILE_BYTES >> 20
            ),
            "split the design",
        )));
    }
    // YAML breaks lines at CR too (a classic Mac file): a CR-only file is not one comment line.
    if text
        .split(['\n', '\r'])
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
    {
        return Err(fail(InputError::new(
            C::Empty,
            Pos {
                line: 1,
                column: 1,
                offset: 0,
                len: 0,
            },
            "the file is empty: there is no topology in it",
            "start with `version: 1`, then `zones:`, `networks:` and `endpoints:` (see samples/)",
        )));
    }
    let mut raw = parse::parse_then(text, free).map_err(fail)?;
    free();
    if let Some(b) = raw.base.take() {
        return base::load_on_base(text, file, dir, raw, &b, resolve);
    }
    let topology = validate_raw(&raw, file, shared);
    if text.len() >= SPLIT_PARSE_MIN_BYTES {
        // The raw structs of a large file take milliseconds to free (13 ms for an L design):
        // not on the way to the answer. Without a thread, the failed spawn drops them itself.
        let _ = std::thread::Builder::new().spawn(move || drop(raw));
    }
    topology
}

/// Load a design document built in memory (an importer's), skipping the YAML text: the
/// document is read into the raw structs through a JSON value, every place unknown, and
/// validated as a file is. `None` when that gives any defect (or the document does not read as
/// a file), so the caller loads its YAML with [`load_str`] to report each defect at its line;
/// a document without defects gives the topology the YAML would. Direct input of an export
/// opens so without writing and parsing megabytes of YAML.
pub fn load_document<T: serde::Serialize>(doc: &T, file: &str) -> Option<Topology> {
    let raw = raw_of_document(doc)?;
    if raw.base.is_some() {
        return None;
    }
    validate_raw(&raw, file, Arc::from("")).ok()
}

/// A document read into the raw structs through a JSON value (every place unknown).
fn raw_of_document<T: serde::Serialize>(doc: &T) -> Option<RawFile> {
    use serde::Deserialize;
    RawFile::deserialize(serde_json::to_value(doc).ok()?).ok()
}

/// Validate a parsed file whose spans point into `shared`: the topology, or every defect.
fn validate_raw(raw: &RawFile, file: &str, shared: Arc<str>) -> Result<Topology, LoadError> {
    let mut v = Validator::new(file, shared.clone());
    v.run(raw);
    if v.errors.is_empty() {
        Ok(v.finish())
    } else {
        Err(LoadError {
            file: file.to_string(),
            text: shared,
            errors: v.errors,
        })
    }
}

/// A serialisable design document (an importer's, see `crate::import::doc`) as topology YAML:
/// the only YAML writer of the program, next to its only reader.
pub fn to_yaml<T: serde::Serialize>(doc: &T) -> Result<String, String> {
    let body = serde_saphyr::to_string(doc).map_err(|e| e.to_string())?;
    Ok(format!(
        "# yaml-language-server: $schema=https://zonescope.dev/topology.schema.json\n{body}"
    ))
}

/// A `--zones MAP` file: `{ZONE: [selector, ...]}` (SPEC §12), or the error with its place.
pub fn zone_map_from_yaml(
    text: &str,
    file: &str,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, LoadError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<std::collections::BTreeMap<String, Vec<String>>>(
        text, options,
    )
    .map_err(|e| {
        let (at, msg) = parse::place_and_message(text, &e);
        LoadError::single(
            file,
            Arc::from(text),
            InputError::new(
                C::Yaml,
                at,
                format!("not a zone map: {msg}"),
                "write one zone per key, each with a list: `data: [subnet-0abc, 10.2.0.0/16, Tier=db]`",
            ),
        )
    })
}

/// Files at least this large are parsed in two halves on two threads (see [`parse_split`]).
const SPLIT_PARSE_MIN_BYTES: usize = 1 << 20;

/// The byte offset of a 1-based line and column (clamped to the text).
fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return (offset + col).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// "an endpoint", "a zone", "an NSG".
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']) || noun.starts_with("NSG");
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// Edit distance, for "did you mean" hints.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The JSON Schema of the file format, generated from the raw structs.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(RawFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever a split parse happens, it equals the ordinary one; returns whether it happened.
    fn same(text: &str) -> bool {
        let one = format!("{:?}", parse_one(text).expect("parses"));
        match parse_split(text) {
            Some(raw) => {
                assert_eq!(one, format!("{raw:?}"));
                true
            }
            None => false,
        }
    }

    #[test]
    fn a_split_parse_equals_the_ordinary_one_positions_included() {
        for sample in [
            "samples/azure-hub-spoke.yaml",
            "samples/aws-isolated-ai.yaml",
            "tests/fixtures/trace/routing-and-rules.yaml",
        ] {
            let path = format!("{}/{sample}", env!("CARGO_MANIFEST_DIR"));
            same(&std::fs::read_to_string(path).unwrap());
        }
        let m = crate::generate::generate(&crate::generate::GenParams::size("S").unwrap());
        assert!(same(&m), "a generated topology splits");
    }

    /// Debug text without the places (which only the YAML path knows).
    fn placeless(raw: &RawFile) -> String {
        let mut s = format!("{raw:?}");
        while let Some(i) = s.find("Pos {") {
            let end = s[i..].find('}').map_or(s.len(), |j| i + j + 1);
            s.replace_range(i..end, "Pos");
        }
        s
    }

    #[test]
    fn a_document_reads_without_yaml_as_its_yaml_does() {
        let mut texts: Vec<(String, String)> = [
            "samples/azure-hub-spoke.yaml",
            "samples/aws-isolated-ai.yaml",
            "samples/azure-openai-multiregion.yaml",
            "tests/fixtures/trace/routing-and-rules.yaml",
        ]
        .iter()
        .map(|f| {
            let path = format!("{}/{f}", env!("CARGO_MANIFEST_DIR"));
            ((*f).to_string(), std::fs::read_to_string(path).unwrap())
        })
        .collect();
        texts.push((
            "gen S".into(),
            crate::generate::generate(&crate::generate::GenParams::size("S").unwrap()),
        ));
        for (name, text) in texts {
            // The document as an importer would hold it: plain data, no places.
            let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
            let direct = raw_of_document(&doc).unwrap_or_else(|| panic!("{name}: reads"));
            let via = parse_one(&text).expect("parses");
            assert_eq!(placeless(&direct), placeless(&via), "{name}");
            // Validation reads nothing but the raw structs: the same topology, less the places.
            let t = load_document(&doc, "x").unwrap_or_else(|| panic!("{name}: no defect"));
            let y = load_str(&text, "x").expect("loads");
            assert_eq!(
                (t.endpoints().len(), t.rule_sets.len(), t.subnets.len()),
                (y.endpoints().len(), y.rule_sets.len(), y.subnets.len()),
                "{name}"
            );
        }
    }

    /// A merge key (`<<`) expands as YAML 1.1 says, the item's own keys first: the file is
    /// read with the parser's merging on (a file without `<<` is read with it off).
    #[test]
    fn merge_keys_expand_and_repeated_keys_are_errors() {
        let merged =
            "version: 1\nzones:\n  - &z {id: a, description: shared}\n  - <<: *z\n    id: b\n";
        let plain = "version: 1\nzones:\n  - {id: a, description: shared}\n  - id: b\n    description: shared\n";
        assert_eq!(
            placeless(&parse_one(merged).expect("parses")),
            placeless(&parse_one(plain).expect("parses"))
        );
        for repeated in [
            "version: 1\nzones:\n  - id: a\n    id: b\n",
            "version: 1\nservice_tags:\n  T: [10.0.0.0/8]\n  T: [10.0.0.0/8]\n",
        ] {
            let e = parse_one(repeated).expect_err(repeated);
            assert!(
                e.message.contains("given twice"),
                "{repeated}: {}",
                e.message
            );
        }
    }

    #[test]
    fn a_document_with_a_defect_is_left_to_the_yaml_path() {
        let doc = serde_json::json!({"version": 1, "zones": [{"id": "a"}, {"id": "a"}]});
        assert!(load_document(&doc, "x").is_none());
        let doc = serde_json::json!({"version": 1, "zones": [], "unknown_key": 1});
        assert!(load_document(&doc, "x").is_none());
    }

    /// A file whose bulk is one section: the halves cut it at an entry (never inside a block
    /// scalar, a nested list or a comment at the middle), and the parse is the ordinary one.
    #[test]
    fn a_large_section_is_cut_at_an_entry_and_parses_as_a_whole() {
        let mut text = String::from("version: 1\nzones:\n  - id: a\nendpoints:\n");
        for i in 0..40 {
            text.push_str(&format!(
                "  - id: e{i}\n    zone: a\n    description: |\n      line one\n      - not an entry\n    ports: [443, 8443]\n    rules:\n      - x\n  # - a comment, not an entry\n"
            ));
        }
        text.push_str("  -\n    id: last\n    zone: a\n");
        let sections = top_level_sections(&text).unwrap();
        let blank = split_blanks(&text, &sections);
        let eps = &sections.iter().find(|(k, _)| k == "endpoints").unwrap().1;
        for side in &blank {
            let cut = side
                .iter()
                .find(|r| eps.contains(&r.start))
                .expect("both sides cut");
            // the key line stays on both sides; a cut is at the start of an entry
            assert!(cut.start > eps.start + "endpoints:\n".len() - 1);
            let at = if cut.end == eps.end {
                cut.start
            } else {
                cut.end
            };
            assert!(
                text[at..].starts_with("  - id: e"),
                "cut at {:?}",
                &text[at..at + 20]
            );
        }
        // wherever the middle is asked for, the cut is at an entry of the section
        for middle in (eps.start..eps.end).step_by(7) {
            let (key_end, cut) = entry_cut(&text, eps, middle).expect("a cut");
            assert_eq!(key_end, eps.start + "endpoints:\n".len());
            assert!(
                text[cut..].starts_with("  - id: e") || text[cut..].starts_with("  -\n"),
                "cut for {middle} at {:?}",
                &text[cut..cut + 20]
            );
        }
        assert!(same(&text), "the file splits");
        let raw = parse_split(&text).unwrap();
        assert_eq!(raw.endpoints.len(), 41);
    }

    /// The ways a line at the entries' indentation can start with `- ` inside something else,
    /// or look like an entry: `{i}` is the entries' indentation.
    const TRAPS: [&str; 12] = [
        "",
        "{i}  description: |\n{i}    - a block scalar's line\n{i}    -\n{i}    # not a comment\n",
        "{i}  description: \"open\n{i}- quoted, going on\"\n",
        "{i}  description: 'open\n{i}- single-quoted, going on'\n",
        "{i}  rules: [x,\n{i}- y]\n",
        "{i}  rules: [x,\n{i}  y]\n",
        "{i}# - a comment like an entry\n",
        "{i}  description: plain\n{i}    going on\n",
        "{i}  rules:\n{i}    - a\n{i}  # a comment\n",
        "\n\n",
        "{i}-\n{i}  id: bare-dash-{n}\n",
        "{i}  description: >\n{i}    folded\n\n{i}    - still folded\n",
    ];

    fn trap_file(ind: &str, traps: &[usize]) -> String {
        let mut text = String::from("version: 1\nzones:\n  - id: a\nendpoints:\n");
        for (n, &k) in traps.iter().enumerate() {
            text.push_str(&format!("{ind}- id: e{n}\n{ind}  zone: a\n"));
            text.push_str(&TRAPS[k].replace("{i}", ind).replace("{n}", &n.to_string()));
        }
        text.push_str("rule_sets:\n  - id: rs\n    kind: nsg\n    rules: []\n");
        text
    }

    proptest::proptest! {
        /// Whenever the split parse gives a file, the ordinary parse gives the same one, and it
        /// never gives one the ordinary parse refuses: whatever the entries hold where the cut
        /// falls (block, quoted, flow and plain scalars, comments, bare dashes).
        #[test]
        fn a_split_parse_never_differs_from_the_ordinary_one(
            indented in proptest::bool::ANY,
            traps in proptest::collection::vec(0..TRAPS.len(), 2..40),
        ) {
            let text = trap_file(if indented { "  " } else { "" }, &traps);
            let one = parse_one(&text).map(|r| format!("{r:?}"));
            if let Some(split) = parse_split(&text) {
                proptest::prop_assert_eq!(one.ok(), Some(format!("{split:?}")), "{}", text);
            }
        }
    }

    /// The traps split: the property above does not pass by never cutting.
    #[test]
    fn files_of_traps_are_cut() {
        let traps: Vec<usize> = (0..40).map(|n| n % TRAPS.len()).collect();
        let clean: Vec<usize> = vec![0; 40];
        let cut = [(&traps, "  "), (&clean, ""), (&clean, "  ")]
            .into_iter()
            .filter(|(t, ind)| parse_split(&trap_file(ind, t)).is_some())
            .count();
        assert!(cut >= 2, "{cut}");
    }

    #[test]
    fn files_a_split_cannot_keep_apart_are_parsed_whole() {
        assert!(top_level_sections("version: 1\nname: &a x\n").is_none());
        assert!(top_level_sections("version: 1\nzones: [*a]\n").is_none());
        assert!(top_level_sections("version: 1\nzones: []\nzones: []\n").is_none());
        assert!(top_level_sections("---\nversion: 1\n").is_none());
        assert!(top_level_sections("version: 1\nrule_sets: [{ports: \"*\"}]\n").is_some());
    }

    #[test]
    fn errors_always_come_from_the_ordinary_parse() {
        let text = "version: 1\nzones:\n  - id: a\n    colour: red\n";
        assert!(parse_split(text).is_none());
        let e = parse(text).unwrap_err();
        assert_eq!((e.at.line, e.at.column), (4, 5));
    }
}
