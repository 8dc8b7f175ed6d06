//! User key bindings: `keys.toml` in the config directory (`$ZONESCOPE_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/zonescope`, else `~/.config/zonescope`), laid over the default table
//! [`super::keymap::BINDINGS`] into the effective [`Keymap`] the event loop, the help screen
//! and the footer all read.
//!
//! The file is TOML of one shape: a `[context]` header (normal, finder, port, help, matrix,
//! flows, small) and lines `action = "key"` or `action = ["key", "key"]`; `#` comments. The
//! action names are the table's (`set_source`, `open_finder`, …); keys are written as the help
//! writes them (`x`, `X`, `Ctrl-x`, `Alt-x`, `Enter`, `Esc`, `Tab`, `F2`, `Up`, `PgDn`, …).
//!
//! Owns: reading that file into a [`Keymap`], and its errors (`file:line`, what is wrong, the
//! fix). Must never: change state, or leave a key bound to two actions of one context.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::keymap::{BINDINGS, Ctx};

/// One effective binding: in this context, these keys do this action.
#[derive(Debug, Clone)]
pub struct Entry {
    pub ctx: Ctx,
    pub keys: Vec<(KeyCode, KeyModifiers)>,
    pub label: String,
    pub action: Action,
    pub name: String,
    pub hint: &'static str,
    pub help: &'static str,
}

/// The effective key table: the defaults with the user's `keys.toml` over them.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub entries: Vec<Entry>,
    /// The file the user bindings came from, if any.
    pub source: Option<PathBuf>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut entries = Vec::new();
        for b in BINDINGS {
            for &ctx in b.ctx {
                entries.push(Entry {
                    ctx,
                    keys: b.keys.to_vec(),
                    label: b.label.to_string(),
                    action: b.action.clone(),
                    name: binding_name(b),
                    hint: b.hint,
                    help: b.help,
                });
            }
        }
        Keymap {
            entries,
            source: None,
        }
    }
}

/// A binding's name in `keys.toml`: its action's (`set_source`), except Ctrl-C's quit from
/// anywhere (`quit_anywhere`), so that `quit` is `q`'s.
fn binding_name(b: &super::keymap::Binding) -> String {
    let name = action_name(&b.action);
    if b.label == "Ctrl-C" {
        format!("{name}_anywhere")
    } else {
        name
    }
}

/// `SetSource` → `set_source`: an action's name in `keys.toml`.
pub fn action_name(a: &Action) -> String {
    let dbg = format!("{a:?}");
    let head = dbg.split(['(', ' ', '{']).next().unwrap_or("");
    let mut out = String::new();
    for (i, c) in head.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn ctx_name(c: Ctx) -> &'static str {
    match c {
        Ctx::Normal => "normal",
        Ctx::Finder => "finder",
        Ctx::Port => "port",
        Ctx::Help => "help",
        Ctx::Matrix => "matrix",
        Ctx::Flows => "flows",
        Ctx::Finding => "finding",
        Ctx::Small => "small",
    }
}

/// A wrong line of `keys.toml`: where, what, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError {
    pub file: String,
    pub line: usize,
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for KeysError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl Keymap {
    /// The action of `key` in `ctx` (typing in the finder and the port editor included).
    pub fn lookup(&self, ctx: Ctx, key: KeyEvent) -> Option<Action> {
        let mods =
            key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
        let here = || self.entries.iter().filter(move |e| e.ctx == ctx);
        if let Some(e) = here().find(|e| e.keys.iter().any(|&(k, m)| k == key.code && m == mods)) {
            return Some(e.action.clone());
        }
        // Shifted letters arrive with SHIFT on some terminals and without on others.
        if mods == KeyModifiers::SHIFT
            && let Some(e) = here().find(|e| e.keys.iter().any(|&(k, _)| k == key.code))
        {
            return Some(e.action.clone());
        }
        match (ctx, key.code) {
            (Ctx::Finder | Ctx::Port, KeyCode::Char(c))
                if !mods.contains(KeyModifiers::CONTROL) =>
            {
                Some(Action::Input(c))
            }
            _ => None,
        }
    }

    /// The entries of a context, in table order.
    pub fn of(&self, ctx: Ctx) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.ctx == ctx)
    }

    /// Footer hints of a context: (keys, hint).
    pub fn hints(&self, ctx: Ctx) -> Vec<(&str, &str)> {
        self.of(ctx)
            .filter(|e| !e.hint.is_empty())
            .map(|e| (e.label.as_str(), e.hint))
            .collect()
    }

    /// The defaults with `keys.toml` from the config directory over them (the defaults when
    /// there is no such file).
    pub fn load_user() -> Result<Keymap, KeysError> {
        match config_dir() {
            Some(d) if d.join("keys.toml").is_file() => Keymap::from_file(&d.join("keys.toml")),
            _ => Ok(Keymap::default()),
        }
    }

    pub fn from_file(path: &Path) -> Result<Keymap, KeysError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KeysError {
            file: file.clone(),
            line: 0,
            message: format!("cannot read it: {e}"),
            help: "make it readable, or remove it to use the default keys".into(),
        })?;
        let mut k = Keymap::from_str(&text, &file)?;
        k.source = Some(path.to_path_buf());
        Ok(k)
    }

    /// `text` (a `keys.toml` named `file` in errors) over the defaults.
    pub fn from_str(text: &str, file: &str) -> Result<Keymap, KeysError> {
        let mut map = Keymap::default();
        let mut ctx: Option<Ctx> = None;
        let err = |line: usize, message: String, help: String| KeysError {
            file: file.to_string(),
            line,
            message,
            help,
        };
        let ctx_list = Ctx::ALL.map(ctx_name).join(", ");
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix('[') {
                let name = h.strip_suffix(']').map(str::trim).ok_or_else(|| {
                    err(
                        n,
                        format!("`{line}` is not a section header"),
                        "write it as `[normal]`".into(),
                    )
                })?;
                ctx = Some(
                    Ctx::ALL
                        .into_iter()
                        .find(|c| ctx_name(*c) == name)
                        .ok_or_else(|| {
                            err(
                                n,
                                format!("unknown context `[{name}]`"),
                                format!("use one of: {ctx_list}"),
                            )
                        })?,
                );
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(err(
                    n,
                    format!("`{line}` is not `action = \"key\"`"),
                    "write a binding as `set_source = \"S\"` or `trace = [\"Enter\", \"t\"]`"
                        .into(),
                ));
            };
            let name = name.trim().trim_matches('"');
            let Some(c) = ctx else {
                return Err(err(
                    n,
                    format!("`{name}` comes before any `[context]` header"),
                    format!("put it under a header such as `[normal]` (contexts: {ctx_list})"),
                ));
            };
            let names: Vec<String> = map.of(c).map(|e| e.name.clone()).collect();
            let Some(at) = map
                .entries
                .iter()
                .position(|e| e.ctx == c && e.name == name)
            else {
                let near = names
                    .iter()
                    .min_by_key(|x| distance(name, x))
                    .cloned()
                    .unwrap_or_default();
                return Err(err(
                    n,
                    format!("unknown action `{name}` in [{}]", ctx_name(c)),
                    format!(
                        "did you mean `{near}`? The actions of [{}] are: {}",
                        ctx_name(c),
                        names.join(", ")
                    ),
                ));
            };
            let keys_text = parse_value(value.trim()).ok_or_else(|| {
                err(
                    n,
                    format!("`{}` is not a key or a list of keys", value.trim()),
                    "write `\"x\"` or `[\"x\", \"Ctrl-x\"]` (keys in double quotes)".into(),
                )
            })?;
            let mut keys = Vec::new();
            for kt in &keys_text {
                let k = parse_key(kt).ok_or_else(|| {
                    err(
                        n,
                        format!("`{kt}` is not a key"),
                        "write a key as `x`, `X`, `Ctrl-x`, `Alt-x`, `Enter`, `Esc`, `Tab`, `Backspace`, `Space`, `Up`, `Down`, `Left`, `Right`, `PgUp`, `PgDn`, `Home`, `End` or `F1`…`F12`".into(),
                    )
                })?;
                keys.push(k);
            }
            // The key must not stay bound to another action of the context.
            for (j, e) in map.entries.iter().enumerate() {
                if j != at
                    && e.ctx == c
                    && let Some(kt) = keys
                        .iter()
                        .zip(&keys_text)
                        .find(|(k, _)| e.keys.contains(k))
                {
                    return Err(err(
                        n,
                        format!(
                            "`{}` is already bound to `{}` in [{}]",
                            kt.1,
                            e.name,
                            ctx_name(c)
                        ),
                        format!(
                            "bind `{}` to another key in the same file, or choose a free key for `{name}`",
                            e.name
                        ),
                    ));
                }
            }
            let e = &mut map.entries[at];
            e.keys = keys;
            e.label = keys_text.join("/");
        }
        Ok(map)
    }
}

/// The directory `keys.toml` is read from.
pub fn config_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("ZONESCOPE_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("zonescope")))
        .or_else(|| var("HOME").map(|h| h.join(".config").join("zonescope")))
}

fn strip_comment(line: &str) -> &str {
    // A `#` outside double quotes starts a comment.
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `"x"` or `["x", "y"]`: the key texts.
fn parse_value(v: &str) -> Option<Vec<String>> {
    let one = |s: &str| {
        let s = s.trim();
        let inner = s.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.is_empty() && !inner.contains('"')).then(|| inner.to_string())
    };
    if let Some(list) = v.strip_prefix('[') {
        let list = list.strip_suffix(']')?;
        let items: Option<Vec<String>> = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(one)
            .collect();
        items.filter(|v| !v.is_empty())
    } else {
        one(v).map(|k| vec![k])
    }
}

/// `Ctrl-x`, `Enter`, `F2`, `X` → the key and its modifiers, as the terminal reports them.
pub fn parse_key(s: &str) -> Option<(KeyCode, KeyModifiers)> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        if let Some(r) = rest
            .strip_prefix("Ctrl-")
            .or_else(|| rest.strip_prefix("C-"))
        {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest
            .strip_prefix("Alt-")
            .or_else(|| rest.strip_prefix("M-"))
        {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("Shift-") {
            mods |= KeyModifiers::SHIFT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "Enter" => KeyCode::Enter,
        "Esc" | "Escape" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "BackTab" => KeyCode::BackTab,
        "Backspace" => KeyCode::Backspace,
        "Space" => KeyCode::Char(' '),
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PgUp" | "PageUp" => KeyCode::PageUp,
        "PgDn" | "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Delete" | "Del" => KeyCode::Delete,
        f if f.len() >= 2 && f.starts_with('F') && f[1..].parse::<u8>().is_ok() => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        c if c.chars().count() == 1 => {
            let ch = c.chars().next()?;
            if ch.is_ascii_uppercase() && !mods.contains(KeyModifiers::CONTROL) {
                mods |= KeyModifiers::SHIFT;
            }
            KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                ch.to_ascii_lowercase()
            } else {
                ch
            })
        }
        _ => return None,
    };
    Some((code, mods))
}

/// Edit distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
