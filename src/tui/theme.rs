//! Colours and text styles of the explorer, in one place. Honours `NO_COLOR`: without colour,
//! emphasis is carried by bold, reverse and underline only.
//!
//! Owns: every `Style` the views use. Must never: read state other than its own two switches,
//! or be bypassed by a view hard-coding a colour.

use ratatui::style::{Color, Modifier, Style};

use super::app::BackendRole;
use crate::model::Verdict;

/// The palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Colours allowed (no `NO_COLOR`).
    pub color: bool,
    /// High contrast (presentation mode).
    pub contrast: bool,
}

const ZONE_COLORS: [Color; 8] = [
    Color::LightBlue,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightYellow,
    Color::LightCyan,
    Color::LightRed,
    Color::Blue,
    Color::Green,
];

impl Theme {
    /// Colour unless `NO_COLOR` is set to something non-empty.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            contrast: false,
        }
    }

    pub fn plain() -> Theme {
        Theme {
            color: false,
            contrast: false,
        }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        if self.contrast && self.color {
            Style::new().fg(Color::White)
        } else {
            Style::new()
        }
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.dim(),
        }
    }

    pub fn selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Rgb(40, 60, 90))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The big verdict badge.
    pub fn verdict(self, v: Verdict) -> Style {
        let bg = match v {
            Verdict::Allow => Color::Green,
            Verdict::Deny => Color::Red,
            Verdict::NoRoute => Color::Yellow,
        };
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A verdict as coloured text.
    pub fn verdict_text(self, v: Verdict) -> Style {
        let c = match v {
            Verdict::Allow => Color::LightGreen,
            Verdict::Deny => Color::LightRed,
            Verdict::NoRoute => Color::Yellow,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }

    pub fn allow(self) -> Style {
        self.fg(Color::LightGreen)
    }

    pub fn deny(self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A zone, by its position in the file.
    pub fn zone(self, ix: usize) -> Style {
        self.fg(ZONE_COLORS[ix % ZONE_COLORS.len()])
    }

    /// `h`'s emphasis without colour: reverse video and bold, which neither the path (bold
    /// and underline) nor a plain row uses, so hubs, spokes and transit firewalls stand out
    /// under `NO_COLOR` too.
    fn emphasis(self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn hub(self, emphasised: bool) -> Style {
        let s = self.fg(Color::LightMagenta);
        if emphasised {
            s.patch(self.emphasis())
        } else {
            s.add_modifier(Modifier::BOLD)
        }
    }

    pub fn spoke(self, emphasised: bool) -> Style {
        let s = self.fg(Color::LightCyan);
        if emphasised {
            s.patch(self.emphasis())
        } else {
            s
        }
    }

    pub fn firewall(self, emphasised: bool) -> Style {
        let s = self.fg(Color::LightYellow);
        if emphasised {
            s.patch(self.emphasis())
        } else {
            s
        }
    }

    /// A gateway backend by its role in the `m` view (`allowed`: the design lets the
    /// gateway reach it). Without colour the roles differ by modifier: serving reversed,
    /// failover underlined, standby dim, unused crossed out (or bold when it is denied).
    pub fn backend(self, role: BackendRole, allowed: bool) -> Style {
        if !self.color {
            let m = match role {
                BackendRole::Serving => Modifier::BOLD | Modifier::REVERSED,
                BackendRole::Failover => Modifier::UNDERLINED,
                BackendRole::Standby => Modifier::DIM,
                BackendRole::Unused if allowed => Modifier::DIM | Modifier::CROSSED_OUT,
                BackendRole::Unused => Modifier::BOLD | Modifier::CROSSED_OUT,
            };
            return Style::new().add_modifier(m);
        }
        match role {
            BackendRole::Serving => self.allow(),
            BackendRole::Failover => self.warn(),
            BackendRole::Standby => self.dim(),
            BackendRole::Unused if allowed => self.disabled(),
            BackendRole::Unused => self.deny(),
        }
    }

    /// Something on the traced path.
    pub fn path(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// Something a what-if switched off.
    pub fn disabled(self) -> Style {
        self.dim().add_modifier(Modifier::CROSSED_OUT)
    }

    pub fn matched(self) -> Style {
        self.fg(Color::LightYellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}
