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

/// A writer that escapes what passes through it (keeping newlines and tabs), for text outputs
/// that print names from the file. It must not be used for output that carries its own colour
/// codes; those are added after escaping.
pub struct Escaping<'w> {
    inner: &'w mut dyn std::io::Write,
    pending: Vec<u8>,
}

impl<'w> Escaping<'w> {
    pub fn new(inner: &'w mut dyn std::io::Write) -> Self {
        Escaping {
            inner,
            pending: Vec::new(),
        }
    }
}

impl std::io::Write for Escaping<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Escape whole UTF-8 characters only; keep an incomplete tail for the next write.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let head: Vec<u8> = self.pending.drain(..valid).collect();
        let text = String::from_utf8_lossy(&head);
        self.inner.write_all(escape_text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&rest);
            self.inner.write_all(escape_text(&text).as_bytes())?;
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
            let mut w = Escaping::new(&mut out);
            let bytes = "é\x1b[2J".as_bytes();
            w.write_all(&bytes[..1]).unwrap();
            w.write_all(&bytes[1..]).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "é\\x1b[2J");
    }
}
