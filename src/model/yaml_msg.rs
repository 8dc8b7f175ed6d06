//! Parser messages rewritten as messages about the file.
//!
//! Owns: turning what the YAML library says ("use from_str_multiple…", "set DuplicateKeyPolicy
//! in Options", "budget breached: Aliases { aliases: 50001 }", "invalid i64") into what is
//! wrong with the file and how to fix it, naming the key where the library does not. Must
//! never: name a library type or option, or change a message it does not recognise.

/// The message and help for the parser message `msg` at `line`/`column` (1-based) of `text`;
/// `None` when `msg` is already about the file.
pub fn about_the_file(msg: &str, text: &str, line: u32, column: u32) -> Option<(String, String)> {
    if msg.starts_with("multiple YAML documents") {
        return Some((
            "the file holds more than one YAML document (a second `---` line)".into(),
            "a topology is one document: remove the `---` and merge the parts, or put each design in its own file".into(),
        ));
    }
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest).trim();
        return Some((
            format!("the key `{key}` is given twice in the same item"),
            format!("keep one `{key}:`; YAML keys are unique within a mapping"),
        ));
    }
    if let Some(rest) = msg.strip_prefix("budget breached: ") {
        let what = rest.split([' ', '{']).next().unwrap_or(rest);
        let count = rest
            .split(|c: char| !c.is_ascii_digit())
            .find(|s| !s.is_empty());
        let what = match what {
            "Aliases" => "YAML aliases (`*name`)",
            "Depth" => "nesting depth",
            "Nodes" | "Events" => "YAML nodes",
            "Anchors" => "YAML anchors (`&name`)",
            _ => "size",
        };
        return Some((
            match count {
                Some(n) => format!("the file goes past the parser's limit on {what} ({n} reached)"),
                None => format!("the file goes past the parser's limit on {what}"),
            },
            "stay within the limit: remove YAML anchors and aliases (write items out), flatten deep nesting, or split the design".into(),
        ));
    }
    if let Some(ty) = msg.strip_prefix("invalid ") {
        let ty = ty.trim();
        if matches!(ty, "i64" | "u64" | "i32" | "u32" | "u16" | "u8" | "f64") {
            let (key, value) = key_and_value(text, line, column);
            let kind = if ty == "f64" {
                "a number"
            } else {
                "a whole number"
            };
            let m = match (key, value) {
                (Some(k), Some(v)) => {
                    format!("`{k}` must be {kind}, and `{v}` is not one in range")
                }
                (Some(k), None) => format!("`{k}` must be {kind} in range"),
                _ => format!("this value must be {kind} in range"),
            };
            return Some((m, "write the number without quotes or units, within the range the key takes (assets/topology.schema.json)".into()));
        }
    }
    None
}

/// The key whose value starts at `line`/`column`, and that value, read from the text.
fn key_and_value(text: &str, line: u32, column: u32) -> (Option<String>, Option<String>) {
    let Some(l) = text
        .split(['\n', '\r'])
        .nth(line.saturating_sub(1) as usize)
    else {
        return (None, None);
    };
    let col = l
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(l.len(), |(i, _)| i);
    let before = l[..col].trim_end();
    let key = before.strip_suffix(':').map(|b| {
        let start = b
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        b[start..].to_string()
    });
    let value: String = l[col..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | ']' | '#'))
        .collect();
    let value = value.trim();
    let value =
        (!value.is_empty()).then(|| crate::text_safe::escape(value).chars().take(40).collect());
    (key.filter(|k| !k.is_empty()), value)
}
