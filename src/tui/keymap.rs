//! The one table of key bindings. The `?` help screen and the footer hints are generated from
//! [`BINDINGS`]; the event loop maps keys through [`lookup`].
//!
//! Owns: which key does what in which mode. Must never: change state, or be duplicated
//! anywhere else (a key named in a help text that is not in this table is a bug).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::{App, Mode};

/// The key contexts: each [`Mode`] has its own bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Normal,
    Finder,
    Port,
    Help,
    Matrix,
    Flows,
    /// One finding in full (Enter on a finding).
    Finding,
    /// The terminal is smaller than the explorer needs: only quitting (and resizing) works.
    Small,
}

impl Ctx {
    /// The context of the app as it is drawn now: [`Ctx::Small`] while the "needs 80×24"
    /// screen is shown, else the mode's.
    pub fn of_app(app: &App) -> Ctx {
        if app.areas().too_small {
            Ctx::Small
        } else {
            Ctx::of(&app.mode)
        }
    }

    pub fn of(mode: &Mode) -> Ctx {
        match mode {
            Mode::Normal => Ctx::Normal,
            Mode::Finder(_) => Ctx::Finder,
            Mode::Port(_) => Ctx::Port,
            Mode::Help(_) => Ctx::Help,
            Mode::Matrix(_) => Ctx::Matrix,
            Mode::Flows(_) => Ctx::Flows,
            Mode::Finding(_) => Ctx::Finding,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Ctx::Normal => "Explore",
            Ctx::Finder => "Finder (/)",
            Ctx::Port => "Port editor (p)",
            Ctx::Help => "Help (?)",
            Ctx::Matrix => "Zone matrix (z)",
            Ctx::Flows => "Observed flows (o)",
            Ctx::Finding => "Finding (Enter on a finding)",
            Ctx::Small => "Terminal too small (the \"needs 80×24\" screen; enlarge it to go on)",
        }
    }

    pub const ALL: [Ctx; 8] = [
        Ctx::Normal,
        Ctx::Finder,
        Ctx::Port,
        Ctx::Matrix,
        Ctx::Flows,
        Ctx::Finding,
        Ctx::Help,
        Ctx::Small,
    ];
}

/// One binding: in these contexts, these keys do this action.
#[derive(Debug)]
pub struct Binding {
    pub ctx: &'static [Ctx],
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in help and footer.
    pub label: &'static str,
    pub action: Action,
    /// Short footer hint; empty: help only.
    pub hint: &'static str,
    pub help: &'static str,
}

const N: KeyModifiers = KeyModifiers::NONE;
const C: KeyModifiers = KeyModifiers::CONTROL;
const S: KeyModifiers = KeyModifiers::SHIFT;

use Ctx::{
    Finder as F, Finding as Fd, Flows as Fl, Help as H, Matrix as M, Normal as No, Port as P,
    Small as Sm,
};

/// Every key binding of the explorer.
pub static BINDINGS: &[Binding] = &[
    Binding {
        ctx: &[No, F, P, H, M, Fl, Fd, Sm],
        keys: &[(KeyCode::Char('c'), C)],
        label: "Ctrl-C",
        action: Action::Quit,
        hint: "",
        help: "quit, from anywhere",
    },
    Binding {
        ctx: &[No, M, Fl, Fd, Sm],
        keys: &[(KeyCode::Char('q'), N)],
        label: "q",
        action: Action::Quit,
        hint: "quit",
        help: "quit",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('?'), N), (KeyCode::Char('?'), S)],
        label: "?",
        action: Action::Help,
        hint: "help",
        help: "this help",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('/'), N)],
        label: "/",
        action: Action::OpenFinder,
        hint: "find",
        help: "fuzzy-find an endpoint, subnet, network, rule, IP, CIDR or FQDN",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('s'), N)],
        label: "s",
        action: Action::SetSource,
        hint: "from",
        help: "use the selected item as the source",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('d'), N)],
        label: "d",
        action: Action::SetDest,
        hint: "to",
        help: "use the selected item as the destination",
    },
    Binding {
        ctx: &[No, M],
        keys: &[(KeyCode::Char('p'), N)],
        label: "p",
        action: Action::EditPort,
        hint: "port",
        help: "edit the port and protocol (443, 5432/tcp, 53/udp)",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('x'), N)],
        label: "x",
        action: Action::Swap,
        hint: "",
        help: "swap source and destination, and trace",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "trace",
        help: "trace the flow source → destination:port (tree: toggle a folder when no flow is set)",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::F(2), N)],
        label: "F2",
        action: Action::Present,
        hint: "present",
        help: "presentation mode: big verdict, high contrast, secondary panes hidden",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('o'), N)],
        label: "o",
        action: Action::OpenFlows,
        hint: "flows",
        help: "observed flows (--flows LOG): drift, broken calls and anomalies from the flow logs",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('h'), N)],
        label: "h",
        action: Action::ToggleHubSpoke,
        hint: "hubs",
        help: "highlight the hub-and-spoke structure: hubs, spokes, transit firewalls",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('m'), N)],
        label: "m",
        action: Action::ToggleMultiRegion,
        hint: "regions",
        help: "multi-region paths: each gateway backend's region, priority, verdict and failover",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('w'), N)],
        label: "w",
        action: Action::WhatIf,
        hint: "what-if",
        help: "what-if: disable (again: re-enable) the selected endpoint, network, region or rule; in the trace pane, the deciding rule",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('W'), S), (KeyCode::Char('W'), N)],
        label: "W",
        action: Action::ResetWhatIf,
        hint: "",
        help: "what-if: enable everything again (and undo an applied fix)",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('f'), N)],
        label: "f",
        action: Action::ApplyFix,
        hint: "",
        help: "what-if: apply the trace's suggested rules and trace again (nothing is written; W undoes)",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('z'), N)],
        label: "z",
        action: Action::OpenMatrix,
        hint: "matrix",
        help: "zone × zone matrix on the current port",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char('r'), N)],
        label: "r",
        action: Action::Reload,
        hint: "",
        help: "reload the file, and the flow logs of --flows (the file also reloads by itself when it changes on disk)",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Tab, N)],
        label: "Tab",
        action: Action::FocusNext,
        hint: "",
        help: "focus the next pane",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::BackTab, S), (KeyCode::BackTab, N)],
        label: "Shift-Tab",
        action: Action::FocusPrev,
        hint: "",
        help: "focus the previous pane",
    },
    Binding {
        ctx: &[No, F, H, M, Fl, Fd],
        keys: &[(KeyCode::Up, N), (KeyCode::Char('k'), N)],
        label: "↑/k",
        action: Action::Up,
        hint: "",
        help: "move up",
    },
    Binding {
        ctx: &[No, F, H, M, Fl, Fd],
        keys: &[(KeyCode::Down, N), (KeyCode::Char('j'), N)],
        label: "↓/j",
        action: Action::Down,
        hint: "",
        help: "move down",
    },
    Binding {
        ctx: &[No, F, H, Fl, Fd],
        keys: &[(KeyCode::PageUp, N)],
        label: "PgUp",
        action: Action::PageUp,
        hint: "",
        help: "page up",
    },
    Binding {
        ctx: &[No, F, H, Fl, Fd],
        keys: &[(KeyCode::PageDown, N)],
        label: "PgDn",
        action: Action::PageDown,
        hint: "",
        help: "page down",
    },
    Binding {
        ctx: &[No, H, Fl, Fd],
        keys: &[(KeyCode::Home, N), (KeyCode::Char('g'), N)],
        label: "Home/g",
        action: Action::Home,
        hint: "",
        help: "go to the top",
    },
    Binding {
        ctx: &[No, H, Fl, Fd],
        keys: &[
            (KeyCode::End, N),
            (KeyCode::Char('G'), S),
            (KeyCode::Char('G'), N),
        ],
        label: "End/G",
        action: Action::End,
        hint: "",
        help: "go to the bottom",
    },
    Binding {
        ctx: &[No, M],
        keys: &[(KeyCode::Left, N)],
        label: "←",
        action: Action::Left,
        hint: "",
        help: "tree: collapse, or go to the parent; matrix: previous column",
    },
    Binding {
        ctx: &[No, M],
        keys: &[(KeyCode::Right, N)],
        label: "→",
        action: Action::Right,
        hint: "",
        help: "tree: expand; matrix: next column",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Char(' '), N)],
        label: "Space",
        action: Action::Toggle,
        hint: "",
        help: "tree: collapse or expand",
    },
    Binding {
        ctx: &[No],
        keys: &[(KeyCode::Esc, N)],
        label: "Esc",
        action: Action::Cancel,
        hint: "",
        help: "leave presentation mode; clear the status message",
    },
    // Finder
    Binding {
        ctx: &[F],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "pick",
        help: "pick: as the source if none is set, else as the destination, then trace",
    },
    Binding {
        ctx: &[F],
        keys: &[(KeyCode::Char('s'), C)],
        label: "Ctrl-S",
        action: Action::SetSource,
        hint: "as source",
        help: "pick as the source",
    },
    Binding {
        ctx: &[F],
        keys: &[(KeyCode::Char('d'), C)],
        label: "Ctrl-D",
        action: Action::SetDest,
        hint: "as dest",
        help: "pick as the destination",
    },
    Binding {
        ctx: &[F, P],
        keys: &[(KeyCode::Backspace, N)],
        label: "Backspace",
        action: Action::Backspace,
        hint: "",
        help: "delete a character (in the port editor, the selected old value)",
    },
    Binding {
        ctx: &[F, P],
        keys: &[(KeyCode::Char('u'), C)],
        label: "Ctrl-U",
        action: Action::ClearLine,
        hint: "",
        help: "clear the line",
    },
    Binding {
        ctx: &[F],
        keys: &[(KeyCode::Esc, N)],
        label: "Esc",
        action: Action::Cancel,
        hint: "close",
        help: "close the finder",
    },
    // Port editor
    Binding {
        ctx: &[P],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "apply",
        help: "apply PORT[/PROTO] (tcp, udp, icmp, https, http)",
    },
    Binding {
        ctx: &[P],
        keys: &[(KeyCode::Esc, N)],
        label: "Esc",
        action: Action::Cancel,
        hint: "cancel",
        help: "keep the old port",
    },
    // Matrix
    Binding {
        ctx: &[M],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "open trace",
        help: "open the cell's example trace (a blocked one first)",
    },
    Binding {
        ctx: &[M],
        keys: &[(KeyCode::Esc, N), (KeyCode::Char('z'), N)],
        label: "Esc/z",
        action: Action::Cancel,
        hint: "close",
        help: "close the matrix",
    },
    // Observed flows
    Binding {
        ctx: &[Fl],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "trace",
        help: "trace the selected record's flow as the design sees it (its addresses, port, protocol)",
    },
    Binding {
        ctx: &[Fl],
        keys: &[(KeyCode::Char('r'), N)],
        label: "r",
        action: Action::Reload,
        hint: "reload",
        help: "read the design and the flow logs again",
    },
    Binding {
        ctx: &[Fl],
        keys: &[(KeyCode::Esc, N), (KeyCode::Char('o'), N)],
        label: "Esc/o",
        action: Action::Cancel,
        hint: "close",
        help: "close the observed flows",
    },
    // Finding detail
    Binding {
        ctx: &[Fd],
        keys: &[(KeyCode::Enter, N)],
        label: "Enter",
        action: Action::Confirm,
        hint: "trace it",
        help: "trace the finding's evidence flow (the trace pane keeps the finding's text above it)",
    },
    Binding {
        ctx: &[Fd],
        keys: &[(KeyCode::Left, N)],
        label: "←",
        action: Action::Left,
        hint: "previous",
        help: "the previous finding",
    },
    Binding {
        ctx: &[Fd],
        keys: &[(KeyCode::Right, N)],
        label: "→",
        action: Action::Right,
        hint: "next",
        help: "the next finding",
    },
    Binding {
        ctx: &[Fd],
        keys: &[(KeyCode::Esc, N)],
        label: "Esc",
        action: Action::Cancel,
        hint: "back",
        help: "back to the findings",
    },
    // Help
    Binding {
        ctx: &[H],
        keys: &[
            (KeyCode::Esc, N),
            (KeyCode::Char('?'), N),
            (KeyCode::Char('q'), N),
        ],
        label: "Esc/?/q",
        action: Action::Cancel,
        hint: "close",
        help: "close the help",
    },
];

/// The action a key does in a context; in the finder and the port editor, other printable keys
/// are typed.
pub fn lookup(ctx: Ctx, key: KeyEvent) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
    for b in BINDINGS.iter().filter(|b| b.ctx.contains(&ctx)) {
        if b.keys.iter().any(|&(k, m)| k == key.code && m == mods) {
            return Some(b.action.clone());
        }
    }
    // Shifted letters arrive with SHIFT on some terminals and without on others.
    if mods == KeyModifiers::SHIFT
        && let KeyCode::Char(c) = key.code
    {
        for b in BINDINGS.iter().filter(|b| b.ctx.contains(&ctx)) {
            if b.keys.iter().any(|&(k, _)| k == KeyCode::Char(c)) {
                return Some(b.action.clone());
            }
        }
    }
    match (ctx, key.code) {
        (Ctx::Finder | Ctx::Port, KeyCode::Char(c)) if !mods.contains(KeyModifiers::CONTROL) => {
            Some(Action::Input(c))
        }
        _ => None,
    }
}

/// The bindings of a context, in table order.
pub fn bindings(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.ctx.contains(&ctx))
}

/// Footer hints of a context: (keys, hint).
pub fn hints(ctx: Ctx) -> Vec<(&'static str, &'static str)> {
    bindings(ctx)
        .filter(|b| !b.hint.is_empty())
        .map(|b| (b.label, b.hint))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in Ctx::ALL {
            let mut seen = Vec::new();
            for b in bindings(ctx) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice in {ctx:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn typing_goes_to_the_finder() {
        let k = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
        assert!(matches!(lookup(Ctx::Finder, k), Some(Action::Input('s'))));
        assert!(matches!(lookup(Ctx::Normal, k), Some(Action::SetSource)));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(matches!(lookup(Ctx::Finder, c), Some(Action::Quit)));
    }

    #[test]
    fn every_context_has_a_way_out() {
        for ctx in Ctx::ALL {
            assert!(
                bindings(ctx).any(|b| matches!(b.action, Action::Cancel | Action::Quit)),
                "{ctx:?}"
            );
        }
    }
}
