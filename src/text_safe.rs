//! Making text from the input safe to print on a terminal.
//!
//! Owns: the one rule for what of a name, id, log line or file snippet may reach a terminal
//! unchanged. Control characters (C0 incl. ESC and NUL, DEL, C1), bidirectional overrides and
//! isolates, and zero-width characters are shown as visible escapes (`\x1b`, `\u{202e}`), so a
//! crafted name cannot move the cursor, set the clipboard (`ESC ]52`), or reorder what is shown.
//!
//! Must never: change printable text (letters of any script, punctuation, emoji pass through), or
//! be skipped by a text output that prints something read from a file.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Bidi controls and zero-width characters: invisible, yet they change what a reader sees.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

fn push_escaped(out: &mut String, c: char) {
    let n = c as u32;
    if n < 0x100 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// `s` with every unsafe character (newlines and tabs included) escaped: for one-line fields.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_keeping(s, &[])
}

/// `s` with every unsafe character escaped except newline and tab: for multi-line text.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape_keeping(s, &['\n', '\t'])
}

fn escape_keeping<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep.contains(&c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with each unsafe character (newline, tab and CR before LF kept) replaced by visible
/// characters of the same byte length (`?`, `¿`, `�`), so byte offsets into it stay valid: for
/// file snippets in error reports.
pub fn same_length_display(s: &str) -> Cow<'_, str> {
    let bad = |i: usize, c: char| {
        is_unsafe(c) && c != '\n' && c != '\t' && !(c == '\r' && s[i + 1..].starts_with('\n'))
    };
    if !s.char_indices().any(|(i, c)| bad(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if bad(i, c) {
            out.push_str(match c.len_utf8() {
                1 => "?",
                2 => "¿",
                3 => "\u{FFFD}",
                _ => "????",
            });
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer that escapes what passes through it (keeping newlines and tabs): every text output
/// of the command line goes through one, so a name, id or log line from the input cannot drive
/// the terminal. With `allow_sgr`, complete colour sequences (`ESC [ digits ; … m`, the only
/// ones zonescope itself writes when colour is on) pass; every other escape is shown.
pub struct Escaping<'w> {
    inner: &'w mut dyn std::io::Write,
    allow_sgr: bool,
    pending: Vec<u8>,
}

impl<'w> Escaping<'w> {
    pub fn new(inner: &'w mut dyn std::io::Write, allow_sgr: bool) -> Self {
        Escaping {
            inner,
            allow_sgr,
            pending: Vec::new(),
        }
    }

    /// Escape `text`; return how many bytes of it were consumed (a possibly incomplete colour
    /// sequence at the end is left for the next write unless `last`).
    fn emit(&mut self, text: &str, last: bool) -> std::io::Result<usize> {
        let mut out = String::with_capacity(text.len());
        let mut consumed = text.len();
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if c == '\x1b' && self.allow_sgr {
                let rest = &text[i + 1..];
                let body_len = rest.strip_prefix('[').map(|b| {
                    b.bytes()
                        .take_while(|x| x.is_ascii_digit() || *x == b';')
                        .count()
                });
                match body_len {
                    Some(n) if rest.len() > n + 1 && rest.as_bytes()[n + 1] == b'm' => {
                        out.push_str(&text[i..i + n + 3]);
                        for _ in 0..n + 2 {
                            iter.next();
                        }
                        continue;
                    }
                    Some(n) if rest.len() == n + 1 && !last => {
                        consumed = i;
                        break;
                    }
                    None if rest.is_empty() && !last => {
                        consumed = i;
                        break;
                    }
                    _ => {}
                }
            }
            if is_unsafe(c) && c != '\n' && c != '\t' {
                push_escaped(&mut out, c);
            } else {
                out.push(c);
            }
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(consumed)
    }
}

impl std::io::Write for Escaping<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Fast path: plain text passes as is.
        if self.pending.is_empty()
            && let Ok(s) = std::str::from_utf8(buf)
            && !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t')
        {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        self.pending.extend_from_slice(buf);
        // Escape whole UTF-8 characters only; keep an incomplete tail for the next write.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let head: Vec<u8> = self.pending.drain(..valid).collect();
        let text = String::from_utf8_lossy(&head).into_owned();
        let used = self.emit(&text, false)?;
        if used < text.len() {
            let mut keep = text.as_bytes()[used..].to_vec();
            keep.extend_from_slice(&self.pending);
            self.pending = keep;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&rest).into_owned();
            self.emit(&text, true)?;
        }
        self.inner.flush()
    }
}

impl Drop for Escaping<'_> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_shown_not_sent() {
        let s = "db\x1b]52;c;aGk=\x07";
        assert_eq!(escape(s), "db\\x1b]52;c;aGk=\\x07");
    }

    #[test]
    fn bidi_c1_del_zero_width() {
        assert_eq!(escape("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape("a\u{9b}b\u{7f}"), "a\\x9bb\\x7f");
        assert_eq!(escape("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(escape("x\0y"), "x\\x00y");
    }

    #[test]
    fn snippets_keep_their_byte_offsets() {
        let s = "a\x1b]52\u{9b}\u{202e}z\r\nb\rc";
        let d = same_length_display(s);
        assert_eq!(d.len(), s.len());
        assert_eq!(d, "a?]52¿\u{FFFD}z\r\nb?c");
    }

    #[test]
    fn printable_text_passes() {
        assert!(matches!(
            escape("Zürich 東京 ✓ → 10.0.0.0/8"),
            Cow::Borrowed(_)
        ));
        assert_eq!(escape_text("a\n\tb"), "a\n\tb");
        assert_eq!(escape("a\nb"), "a\\x0ab");
    }

    #[test]
    fn escaping_writer_splits_utf8_safely() {
        use std::io::Write;
        let mut out = Vec::new();
        {
            let mut w = Escaping::new(&mut out, false);
            let bytes = "é\x1b[2J".as_bytes();
            w.write_all(&bytes[..1]).unwrap();
            w.write_all(&bytes[1..]).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "é\\x1b[2J");
    }

    #[test]
    fn colour_passes_only_when_allowed_and_only_colour() {
        use std::io::Write;
        let mut out = Vec::new();
        {
            let mut w = Escaping::new(&mut out, true);
            w.write_all(b"\x1b[1;31mFAIL\x1b[0m \x1b]52;c;aGk=\x07 \x1b[2J \x1b[")
                .unwrap();
            w.write_all(b"32mok\x1b").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[1;31mFAIL\x1b[0m \\x1b]52;c;aGk=\\x07 \\x1b[2J \x1b[32mok\\x1b"
        );
    }
}
