//! The loader's limits: how large, deep and wide one manifest may be.
//!
//! Manifests are untrusted input (a cloned repository, a pull request), so the loader
//! never works without bounds: a file past a limit gets one error at the place the limit
//! was crossed (`file:line:col`, code `wharf::manifest::limit`) that names the limit, and
//! the file is not used further. Every limit is far above what a real manifest needs
//! (the manifests of the Copilot corpus wharf is tested against are at most 5 KiB), and
//! together they bound the time and memory one file can cost.
//!
//! This module is the one place the limits are defined; change them here only.

/// Largest manifest file: 1 MiB. CloudFormation itself accepts at most 1 MB per
/// template, and a manifest is far smaller than the templates it becomes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Deepest nesting of lists and mappings: 64 levels, counted after aliases are expanded
/// (an alias to a deep anchor nests that deep where it is used).
pub const MAX_DEPTH: usize = 64;

/// Most YAML nodes (scalars, lists, mappings) one file may build: 100,000. Every copy
/// counts: an anchor's node is counted again each time an alias uses it (and once more
/// when the anchor is remembered), so nested aliases ("billion laughs") stop here instead
/// of expanding without end.
pub const MAX_NODES: usize = 100_000;

/// Most bytes of scalar text (keys and values) one file may build, counted like
/// [`MAX_NODES`]: 4 MiB, four times [`MAX_FILE_BYTES`]. Bounds aliases to long strings.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Most keys in one mapping: 10,000 (after `<<` merge keys are applied). ECS accepts at
/// most 64 KiB for a whole task definition, far less than 10,000 variables.
pub const MAX_KEYS_PER_MAP: usize = 10_000;

/// Most environments one service manifest's `environments:` block may override: 64.
/// A service is checked once for each of them, so this bounds that work.
pub const MAX_OVERRIDE_ENVIRONMENTS: usize = 64;

/// Most diagnostics shown for one file: 100. The rest are still counted (and still make
/// the run fail) and are summed up in one final note for the file.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 100;

/// Longest key or value `did you mean …?` suggestions are computed for: 100 characters.
/// Nobody mistypes a 100-character field name, and edit distance costs the product of the
/// two lengths.
pub const MAX_SUGGEST_CHARS: usize = 100;

/// Widest source excerpt shown under a diagnostic: 160 characters of the line around the
/// column. Longer lines are cut with `…` on either side.
pub const MAX_EXCERPT_CHARS: usize = 160;
