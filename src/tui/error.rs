//! Why the explorer could not start or run (the command line turns it into exit 2).
//!
//! Owns: [`Error`] and [`Options`], the explorer's own inputs and failures, so that the explorer
//! never names the command line (the command line names the explorer). Must never: print.

use std::path::PathBuf;

use crate::model::LoadError;

/// What to explore: the file, a flow to trace at start, presentation mode, flow logs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub file: PathBuf,
    pub trace: Option<String>,
    pub present: bool,
    pub flows: Vec<PathBuf>,
}

/// Why the explorer could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{message}")]
    Usage { message: String, help: String },
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: help.into(),
        }
    }
}
