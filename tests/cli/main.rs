//! End-to-end tests of the `wharf` binary: one test binary, a module per command.

mod compat;
mod copilot_cli;
mod editors;
mod hostile;
mod init;
mod misc;
mod package;
mod trust;
mod util;
mod validate;
