//! The title bar: `zonescope · design name` on the left, `file · counts` on the right, fitted
//! to the width without cutting a word: the counts go first (from the last), then the name is
//! shortened at a word boundary (with `…`), then the file loses its directories, then the name
//! goes; only a bar narrower than the file name itself cuts the file (from the left, `…`).
//!
//! Owns: choosing the title's words for a width. Must never: change state or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::report::plural;
use crate::tui::app::App;

/// The shortest name a title keeps before it drops counts: this many characters (or the
/// whole name when it is shorter), cut at a word.
const NAME_MIN: usize = 20;

/// Words a shortened name does not end on.
const SMALL_WORDS: [&str; 14] = [
    "a", "an", "the", "in", "of", "with", "over", "and", "to", "for", "on", "at", "by", "or",
];

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let t = &app.topo;
    let counts = [
        plural(t.networks().len(), "network", "networks"),
        plural(t.endpoints().len(), "endpoint", "endpoints"),
        plural(app.region_count, "region", "regions"),
    ];
    let (left, right) = fit_title(&t.name, &app.file_label(), &counts, usize::from(area.width));
    let pad = usize::from(area.width).saturating_sub(width(&left) + width(&right));
    let th = app.theme.header();
    let line = Line::from(vec![
        Span::styled(left, th),
        Span::styled(" ".repeat(pad), th),
        Span::styled(right, th),
    ]);
    Paragraph::new(line).render(area, buf);
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The left and right parts of the title for `w` columns (together at most `w` wide, with at
/// least one space between them when both are there).
pub fn fit_title(name: &str, file: &str, counts: &[String], w: usize) -> (String, String) {
    let right = |file: &str, k: usize| {
        let mut parts = vec![file.to_string()];
        parts.extend(counts.iter().take(k).cloned());
        format!(" {} ", parts.join(" · "))
    };
    let base = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |f| f.to_string_lossy().into_owned());
    let files: Vec<&str> = if base == file {
        vec![file]
    } else {
        vec![file, &base]
    };
    let name = name.trim();
    let min_name = cut_at_word(name, NAME_MIN.min(width(name))).unwrap_or_default();
    for f in &files {
        for k in (0..=counts.len()).rev() {
            let r = right(f, k);
            // " zonescope · " + name + a space before the right part.
            let room = w.saturating_sub(width(&r) + " zonescope · ".len() + 1);
            if name.is_empty() {
                if width(&r) + " zonescope".len() < w {
                    return (" zonescope".to_string(), r);
                }
                continue;
            }
            if let Some(n) = cut_at_word(name, room)
                && width(&n) >= width(&min_name)
            {
                return (format!(" zonescope · {n}"), r);
            }
        }
    }
    // No room for the name: the brand and the file, then the file alone.
    let f = files.last().copied().unwrap_or(file);
    let r = right(f, 0);
    if width(&r) + " zonescope".len() < w {
        return (" zonescope".to_string(), r);
    }
    if width(&r) <= w {
        return (String::new(), r);
    }
    // Narrower than the file name: its end (the name of the file) is kept.
    let keep = w.saturating_sub(1);
    let tail: String = {
        let chars: Vec<char> = f.chars().collect();
        chars[chars.len().saturating_sub(keep)..].iter().collect()
    };
    let cut = if w == 0 {
        String::new()
    } else {
        format!("…{tail}")
    };
    (String::new(), cut)
}

/// `s` in at most `w` characters, cut after a whole word outside parentheses (trailing
/// punctuation dropped) with `…`; `None` when not even the first word fits.
fn cut_at_word(s: &str, w: usize) -> Option<String> {
    if width(s) <= w {
        return Some(s.to_string());
    }
    let mut best = None;
    for (i, c) in s.char_indices() {
        if c == ' ' {
            let head = s[..i].trim_end_matches([' ', ',', ';', ':', '—', '-', '–', '(', '·']);
            // Never inside parentheses: `deployment (seed…` reads as a cut.
            let open = head.matches('(').count() > head.matches(')').count();
            // Nor after a small word: `Azure OpenAI in a…` says less than `Azure OpenAI…`.
            let last = head.rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
            let small = SMALL_WORDS.contains(&last.as_str());
            if !head.is_empty() && !open && !small && width(head) < w {
                best = Some(format!("{head}…"));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "Azure AI landing zone — hub-spoke, Azure OpenAI in two regions";
    const FILE: &str = "samples/azure-hub-spoke.yaml";

    fn counts() -> Vec<String> {
        vec![
            "6 networks".to_string(),
            "14 endpoints".to_string(),
            "2 regions".to_string(),
        ]
    }

    /// Every word of the title is whole: a word of the output is a word of the input, or
    /// one with `…` after it.
    fn whole_words(out: &str) {
        let words: Vec<&str> = NAME
            .split(' ')
            .chain(FILE.split(' '))
            .chain([
                "zonescope",
                "·",
                "networks",
                "endpoints",
                "regions",
                "6",
                "14",
                "2",
            ])
            .chain(["azure-hub-spoke.yaml"])
            .collect();
        for w in out.split_whitespace() {
            let bare = w.trim_end_matches('…');
            assert!(
                words
                    .iter()
                    .any(|x| *x == bare || x.trim_end_matches(',') == bare),
                "`{w}` is cut in `{out}`"
            );
        }
    }

    #[test]
    fn at_120_columns_everything_but_the_end_of_the_name() {
        let (l, r) = fit_title(NAME, FILE, &counts(), 120);
        assert_eq!(
            r,
            " samples/azure-hub-spoke.yaml · 6 networks · 14 endpoints · 2 regions "
        );
        assert_eq!(l, " zonescope · Azure AI landing zone — hub-spoke…");
        assert!(width(&l) + width(&r) < 120);
        let (l, _) = fit_title(
            "AWS isolated AI deployment (reference design)",
            "samples/aws-isolated-ai.yaml",
            &counts(),
            120,
        );
        assert_eq!(l, " zonescope · AWS isolated AI deployment…");
    }

    #[test]
    fn at_80_columns_the_file_and_the_name_stay() {
        let (l, r) = fit_title(NAME, FILE, &counts(), 80);
        assert!(r.contains(FILE), "{r}");
        assert!(l.contains("Azure AI landing zone"), "{l}");
        assert!(width(&l) + width(&r) < 80);
    }

    #[test]
    fn no_word_is_cut_at_any_width_and_it_always_fits() {
        for w in 0..200 {
            let (l, r) = fit_title(NAME, FILE, &counts(), w);
            let both = format!("{l}{r}");
            assert!(width(&both) <= w, "{w}: `{both}`");
            if w >= FILE.len() + 2 {
                whole_words(&both);
            }
            if !l.is_empty() && !r.is_empty() {
                assert!(width(&both) < w || l.ends_with(' ') || r.starts_with(' '));
            }
        }
        let (l, r) = fit_title("", FILE, &counts(), 120);
        assert_eq!(l, " zonescope");
        assert!(r.contains("2 regions"));
    }
}
