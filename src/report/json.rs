//! The model as JSON (`export --to json`): the [`ModelView`] of a topology, pretty-printed.
//!
//! Owns: the JSON export's text. Must never: decide a verdict, or do I/O.

pub use crate::model::view::*;

use crate::model::Topology;

/// The model as pretty JSON, with a final newline.
pub fn render(t: &Topology) -> String {
    let mut s = serde_json::to_string_pretty(&ModelView::of(t)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
