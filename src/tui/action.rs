//! Every thing a user (or the event loop) can ask the explorer to do, as data.
//!
//! Owns: [`Action`]. Must never: carry terminal types beyond plain coordinates, or do work
//! (that is `update`).

use crate::engine::check::Finding;
use crate::engine::flows::FlowReport;
use crate::model::{LoadError, Topology};

/// One request to change the explorer's state.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    /// Move the selection (or scroll) in the focused pane / open list.
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Collapse / expand in the tree; previous / next column in the matrix.
    Left,
    Right,
    /// Collapse or expand the selected tree row.
    Toggle,
    FocusNext,
    FocusPrev,
    /// Enter: trace (normal), pick (finder), apply (port), open the cell's trace (matrix).
    Confirm,
    /// Esc: close the open mode.
    Cancel,
    OpenFinder,
    /// A printable character typed into the finder or the port field.
    Input(char),
    Backspace,
    /// Ctrl-U: clear the finder's or the port editor's line.
    ClearLine,
    /// Use the selection (tree, finder) as the source / the destination.
    SetSource,
    SetDest,
    EditPort,
    Swap,
    ToggleHubSpoke,
    ToggleMultiRegion,
    /// What-if: disable (or re-enable) the selected item.
    WhatIf,
    ResetWhatIf,
    /// What-if: apply the trace's first `rules` fix to the design in memory (nothing written).
    ApplyFix,
    OpenMatrix,
    /// Open (or close) the observed flows of `--flows`.
    OpenFlows,
    Help,
    Present,
    /// Ask the event loop to reload the file.
    Reload,
    /// The event loop's answer to a reload (or to the file changing on disk).
    Loaded(Box<Result<Topology, LoadError>>),
    /// The event loop's flow report for `--flows` (at start and after each reload), or why
    /// the logs could not be read.
    FlowsLoaded(Box<Result<FlowReport, String>>),
    /// The event loop's design review (`check`'s findings) of topology number `.0` (see
    /// `App::review_gen`).
    Reviewed(u64, Box<Vec<Finding>>),
    Resize(u16, u16),
    Click(u16, u16),
    ScrollUp(u16, u16),
    ScrollDown(u16, u16),
}
