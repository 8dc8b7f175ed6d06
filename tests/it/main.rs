//! The integration tests, one binary with a module per area (as ripgrep does): one link of the
//! crate instead of one per file. Shared fixtures live in `tests/fixtures/`.

mod check;
mod cli;
mod diff;
mod export;
mod flows_read;
mod flows_report;
mod generator;
mod hostile;
mod invalid_files;
mod matrix;
mod policy_props;
mod ports;
mod reference_aws;
mod samples;
mod trace_props;
mod trace_table;
mod tui;
mod tui_tmux;
mod whatif;
mod zone_roles;
