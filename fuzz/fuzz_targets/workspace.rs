//! Loads, validates and renders (not packages) a whole in-memory workspace built from the
//! input (see `wharf::check::workspace_from_bytes`): what `wharf validate` and
//! `wharf svc package` do, without the disk. Any panic, stack overflow, timeout or
//! runaway memory is a finding; replay it as a unit test in `src/check.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = wharf::check::workspace_from_bytes(data);
    let _ = wharf::check::check_with(&files, false, 8);
});
