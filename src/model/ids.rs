//! Ids that could be mistaken for selectors, and the scripts an id is written in.
//!
//! Owns: the rule that an id (zone, network, subnet, endpoint, rule set) must not read as
//! something else a source, destination or flow can name — a service tag, `*`/`any`, an address
//! or CIDR, a declared FQDN or DNS zone, the `->`/`:` of a flow — nor hide characters (whitespace,
//! control, bidi, zero-width). Selectors look ids up first, so such an id would silently take
//! over the tag or name it copies. Must never: reject an ordinary id (letters, digits, `-`, `_`,
//! `.`), or depend on the order ids are declared in.

use std::collections::HashSet;
use std::net::IpAddr;

use ipnet::IpNet;

/// The declared FQDNs and DNS zones as an id is compared with them: trimmed, without a
/// trailing dot, in lower case; built once, so that checking every id of a file costs one
/// lookup each (a file whose endpoints have dotted ids and FQDNs is otherwise quadratic).
#[derive(Debug, Default)]
pub struct DeclaredNames(HashSet<String>);

impl DeclaredNames {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> DeclaredNames {
        DeclaredNames(names.into_iter().map(fold).collect())
    }

    fn holds(&self, id: &str) -> bool {
        self.0.contains(&fold(id))
    }
}

/// A name as [`DeclaredNames`] compares it.
fn fold(s: &str) -> String {
    s.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Service tags zonescope itself knows (case-insensitive, like Azure's).
const BUILT_IN_TAGS: [&str; 3] = ["Internet", "VirtualNetwork", "AzureLoadBalancer"];

/// What else an id names, and why that is a problem: `Some((message, help))`, or `None` for a
/// safe id. `tags` are the declared service tags; `names` the declared FQDNs and DNS zones (any
/// case, a trailing dot allowed).
pub fn impersonation(id: &str, tags: &[String], names: &DeclaredNames) -> Option<(String, String)> {
    let shown = crate::text_safe::escape(id);
    let rename =
        "rename it to a plain name such as `app-1` or `snet-data` (letters, digits, `-`, `_`, `.`)";
    if let Some(c) = id.chars().find(|c| crate::text_safe::is_unsafe(*c)) {
        return Some((
            format!(
                "the id `{shown}` contains the invisible character U+{:04X}",
                c as u32
            ),
            format!(
                "control, bidi and zero-width characters make an id look like another; {rename}"
            ),
        ));
    }
    if id.chars().any(char::is_whitespace) {
        return Some((
            format!("the id `{shown}` contains whitespace"),
            format!("a selector or flow with it would be split; {rename}"),
        ));
    }
    if id.contains("->") || id.contains(':') {
        return Some((
            format!("the id `{shown}` contains `->` or `:`, which a flow (`SRC -> DST:PORT`) uses"),
            rename.to_string(),
        ));
    }
    if id == "*" || id.eq_ignore_ascii_case("any") {
        return Some((
            format!("the id `{shown}` is the selector for any address"),
            rename.to_string(),
        ));
    }
    if id.eq_ignore_ascii_case("unzoned") {
        return Some((
            format!(
                "the id `{shown}` is the zone policy's name for ends in no zone (docs/checks.md, unzoned-endpoint)"
            ),
            rename.to_string(),
        ));
    }
    // (compared in place: this runs for every id of the file)
    if let Some(tag) = BUILT_IN_TAGS
        .iter()
        .copied()
        .chain(tags.iter().map(String::as_str))
        .find(|t| t.eq_ignore_ascii_case(id))
    {
        return Some((
            format!(
                "the id `{shown}` is the service tag `{tag}`, and would take its place in every rule"
            ),
            rename.to_string(),
        ));
    }
    if id.parse::<IpAddr>().is_ok() || id.parse::<IpNet>().is_ok() {
        return Some((
            format!(
                "the id `{shown}` is an address or CIDR, and would take its place in every rule"
            ),
            rename.to_string(),
        ));
    }
    if id.contains('.') && names.holds(id) {
        return Some((
            format!(
                "the id `{shown}` is a declared FQDN or DNS zone, and would take over its name resolution"
            ),
            rename.to_string(),
        ));
    }
    None
}

/// The writing systems of an id's letters (digits and punctuation belong to none).
pub fn scripts(id: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in id.chars().filter(|c| c.is_alphabetic()) {
        let s = match c as u32 {
            0x0000..=0x024F | 0x1E00..=0x1EFF => "Latin",
            0x0370..=0x03FF | 0x1F00..=0x1FFF => "Greek",
            0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "Cyrillic",
            0x0530..=0x058F => "Armenian",
            0x0590..=0x05FF => "Hebrew",
            0x0600..=0x06FF | 0x0750..=0x077F => "Arabic",
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF => "CJK",
            0xFF00..=0xFFEF => "Fullwidth",
            _ => "other",
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(id: &str) -> bool {
        impersonation(
            id,
            &["Storage".into()],
            &DeclaredNames::new(["api.example.com", "privatelink.openai.azure.com"]),
        )
        .is_some()
    }

    #[test]
    fn declared_names_match_in_any_case_with_or_without_the_trailing_dot() {
        // DNS names are case-insensitive and `name.` is the fully qualified `name` (RFC 4343,
        // RFC 1034 §3.1): a declared name in either form is the same name.
        let names = DeclaredNames::new(["Corp.Example.com.", " db.internal "]);
        for id in [
            "corp.example.com",
            "CORP.EXAMPLE.COM.",
            "db.internal.",
            "DB.Internal",
        ] {
            assert!(impersonation(id, &[], &names).is_some(), "{id:?} accepted");
        }
        for id in ["corp.example.co", "example.com", "db.internal.x", "app-1"] {
            assert!(impersonation(id, &[], &names).is_none(), "{id:?} rejected");
        }
    }

    #[test]
    fn impersonators_are_caught() {
        for id in [
            "Internet",
            "internet",
            "unzoned",
            "VIRTUALNETWORK",
            "AzureLoadBalancer",
            "storage",
            "*",
            "any",
            "ANY",
            "10.0.1.20",
            "10.0.0.0/8",
            "::1",
            "a -> b:22",
            "a->b",
            "a:22",
            "a b",
            "x\u{1b}]52",
            "a\u{202e}b",
            "a\u{200b}b",
            "API.example.com.",
            "privatelink.openai.azure.com",
        ] {
            assert!(bad(id), "{id:?} accepted");
        }
    }

    #[test]
    fn ordinary_ids_pass() {
        for id in [
            "app-1",
            "snet_data",
            "vm.web",
            "pe-aoai-eus",
            "Internet2",
            "10-0-1-20",
            "Zürich",
        ] {
            assert!(!bad(id), "{id:?} refused");
        }
    }

    #[test]
    fn mixed_scripts_are_seen() {
        assert_eq!(scripts("app-1"), vec!["Latin"]);
        // A Cyrillic `а` (U+0430) in a Latin word.
        assert_eq!(scripts("dаta"), vec!["Latin", "Cyrillic"]);
        assert_eq!(scripts("東京-app").len(), 2);
    }
}
