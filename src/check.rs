//! Checking a whole workspace held in memory, end to end and without I/O: load every
//! manifest, validate each service for each environment, package the stacks when the
//! manifests are valid, and render every diagnostic for people and as JSON.
//!
//! This is what `wharf validate` and `wharf svc package` do, minus the disk and the
//! terminal. The fuzz target (`fuzz/fuzz_targets/workspace.rs`) drives it with
//! [`workspace_from_bytes`], and unit tests replay what fuzzing found through it.

use crate::compile::workspace::{main_digests, package_all};
use crate::manifest::decode::KeyIndex;
use crate::manifest::files::MemFiles;
use crate::manifest::schema::SchemaKeys;
use crate::manifest::workspace::{Flavor, Location, Workspace};
use crate::ui::diagnostics::{render_human, to_json};
use std::path::Path;
use std::sync::OnceLock;

/// The service manifest of a workspace built by [`workspace_from_bytes`].
pub const SERVICE: &str = "wharf/api/manifest.yml";
/// Its environment manifest.
pub const ENVIRONMENT: &str = "wharf/environments/test/manifest.yml";
/// Its application manifest.
pub const APP: &str = "wharf/app.yml";

const DEFAULT_SERVICE: &str =
    "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";
const DEFAULT_ENVIRONMENT: &str = "name: test\ntype: Environment\n";
const DEFAULT_APP: &str = "name: demo\n";

/// A workspace from arbitrary bytes: the parts between NUL bytes become [`SERVICE`],
/// [`ENVIRONMENT`] and [`APP`], in that order (a NUL cannot appear in YAML text anyway);
/// a part that is missing gets a small valid manifest, an empty part stays empty.
///
/// So that a few bytes can describe the huge inputs that cross the limits, byte `0x01`
/// followed by bytes `n` and `k` stands for the `n` bytes before it repeated `k` more
/// times (`- \x01\x02\xff` is 256 levels of `- `; markers compound). No part grows
/// past [`MAX_EXPANDED_PART`] bytes.
pub fn workspace_from_bytes(data: &[u8]) -> MemFiles {
    let mut parts = data.splitn(3, |b| *b == 0);
    let mut files = MemFiles::new();
    for (path, default) in [
        (SERVICE, DEFAULT_SERVICE),
        (ENVIRONMENT, DEFAULT_ENVIRONMENT),
        (APP, DEFAULT_APP),
    ] {
        files.insert(path, expand(parts.next().unwrap_or(default.as_bytes())));
    }
    files
}

/// Largest part [`workspace_from_bytes`] expands to: 2 MiB, twice the file size limit.
pub const MAX_EXPANDED_PART: usize = 2 * crate::manifest::limits::MAX_FILE_BYTES;

fn expand(part: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i..] {
            [1, n, k, ..] => {
                let n = usize::from(n).min(out.len());
                let chunk = out[out.len() - n..].to_vec();
                for _ in 0..k {
                    if out.len() + chunk.len() > MAX_EXPANDED_PART {
                        break;
                    }
                    out.extend_from_slice(&chunk);
                }
                i += 3;
            }
            _ => {
                out.push(part[i]);
                i += 1;
            }
        }
    }
    out
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// The diagnostics as people see them, concatenated.
    pub human: String,
    /// Stacks packaged (only when there are no errors).
    pub stacks: usize,
}

/// The schema key index, built once for all checks in a process.
struct SharedKeys;

impl KeyIndex for SharedKeys {
    fn parents_of(&self, key: &str) -> Vec<String> {
        static KEYS: OnceLock<SchemaKeys> = OnceLock::new();
        KEYS.get_or_init(SchemaKeys::build).parents_of(key)
    }
}

/// Loads the `wharf/` workspace in `files`, validates it for every environment, packages
/// it for each environment when it is valid, and renders each diagnostic both ways.
pub fn check(files: &MemFiles) -> Outcome {
    check_with(files, true, usize::MAX)
}

/// [`check`], packaging only when `package` is set, and rendering for people only the
/// first `render` diagnostics (as sorted for output; all are rendered as JSON). The fuzz
/// target leaves packaging out and renders a few, to spend its runs on the loader and
/// validator rather than on wrapping the same kind of text again.
pub fn check_with(files: &MemFiles, package: bool, render: usize) -> Outcome {
    let location = Location {
        dir: "wharf".into(),
        flavor: Flavor::Wharf,
    };
    check_at(files, location, package, render)
}

/// [`check_with`] for the workspace at `location` in `files` (a `copilot/` one too).
pub fn check_at(files: &MemFiles, location: Location, package: bool, render: usize) -> Outcome {
    let vars = |k: &str| (k == "TAG").then(|| "1.0".to_string());
    let mut ws = Workspace::load_from(
        files,
        location,
        Path::new(""),
        Box::new(vars),
        Box::new(SharedKeys),
    );
    ws.validate_all(None);
    let mut human = String::new();
    for (i, d) in ws.diags.sorted(&ws.sources).into_iter().enumerate() {
        if i < render {
            human.push_str(&render_human(&d, &ws.sources, false, 100));
        }
        serde_json::to_string(&to_json(&d, &ws.sources)).expect("diagnostics serialize");
    }
    let (errors, warnings) = (ws.diags.error_count(), ws.diags.warning_count());
    let mut stacks = 0;
    if package && errors == 0 {
        let digests = main_digests(ws.service_names(), &format!("sha256:{}", "ab".repeat(32)));
        for env in ws.env_names() {
            if let Ok(Some(p)) = package_all(&mut ws, &env, &digests.clone().into()) {
                stacks += p.len();
            }
        }
    }
    Outcome {
        errors,
        warnings,
        human,
        stacks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diag::Code;
    use crate::manifest::limits::MAX_OVERRIDE_ENVIRONMENTS;

    #[test]
    fn the_defaults_are_a_valid_workspace_that_packages() {
        let out = check(&workspace_from_bytes(&[0, 0]));
        assert_eq!(
            out.errors, 3,
            "each empty manifest is an error: {}",
            out.human
        );
        let out = check(&workspace_from_bytes(DEFAULT_SERVICE.as_bytes()));
        assert_eq!((out.errors, out.stacks), (0, 2), "{}", out.human);
    }

    #[test]
    fn repeat_markers_expand_and_are_bounded() {
        assert_eq!(
            expand(b"a- \x01\x02\x40x"),
            format!("a{}x", "- ".repeat(65)).into_bytes()
        );
        assert_eq!(
            expand(b"\x01\x05\x09ab"),
            b"ab",
            "nothing before it to repeat"
        );
        assert_eq!(expand(b"ab\x01"), b"ab\x01", "an incomplete marker stays");
        let marker = b"\x01\xff\xff";
        let big = expand(&[b"abcdefgh".as_slice(), &marker.repeat(40)].concat()).len();
        assert!(
            (MAX_EXPANDED_PART - 255..=MAX_EXPANDED_PART).contains(&big),
            "{big}"
        );
    }

    fn load(files: &MemFiles) -> Workspace {
        let location = Location {
            dir: "wharf".into(),
            flavor: Flavor::Wharf,
        };
        let mut ws = Workspace::load_from(
            files,
            location,
            Path::new(""),
            Box::new(|_| None),
            Box::new(SharedKeys),
        );
        ws.validate_all(None);
        ws
    }

    #[test]
    fn override_blocks_past_the_limit_are_an_error_and_not_each_checked() {
        // Found by fuzzing: 20,000 `environments:` blocks ran for minutes; each was
        // checked, and each check looked through every earlier one.
        let blocks: String = (0..2_000)
            .map(|i| format!("  e{i}:\n    cpu: 256\n"))
            .collect();
        let files =
            workspace_from_bytes(format!("{DEFAULT_SERVICE}environments:\n{blocks}").as_bytes());
        let ws = load(&files);
        let limit = ws
            .diags
            .iter()
            .find(|d| d.code == Code::Limit)
            .expect("a limit error");
        assert_eq!(
            ws.sources.line_col(limit.span.unwrap()).to_string(),
            format!("{}:3", 7 + 2 * MAX_OVERRIDE_ENVIRONMENTS)
        );
        assert!(
            limit.message.contains(&format!(
                "more than {MAX_OVERRIDE_ENVIRONMENTS} environments"
            )),
            "{}",
            limit.message
        );
        // `test` from the workspace, then the first overridden environments only.
        assert_eq!(ws.service_checks(), 1 + MAX_OVERRIDE_ENVIRONMENTS);
    }

    #[test]
    fn a_problem_in_an_override_block_is_named_by_its_place_in_the_file() {
        let files = workspace_from_bytes(
            format!("{DEFAULT_SERVICE}environments:\n  test:\n    cpu: 100\n").as_bytes(),
        );
        let ws = load(&files);
        let paths: Vec<_> = ws.diags.iter().filter_map(|d| d.path.clone()).collect();
        assert!(
            paths.contains(&"environments.test.cpu".to_string()),
            "{paths:?}"
        );
        assert!(!paths.contains(&"cpu".to_string()), "{paths:?}");
    }

    #[test]
    fn a_manifest_that_is_a_directory_is_an_error_not_skipped() {
        // Found by fuzzing: `validate` said all was valid.
        let mut files = workspace_from_bytes(DEFAULT_SERVICE.as_bytes());
        files.insert("wharf/web/manifest.yml/notes.txt", "");
        let out = check(&files);
        assert_eq!(out.errors, 1, "{}", out.human);
        assert!(
            out.human.contains(
                "wharf/web/manifest.yml:1:1: cannot read wharf/web/manifest.yml: it is a directory"
            ),
            "{}",
            out.human
        );
    }

    #[test]
    fn more_load_balanced_services_at_one_depth_than_priorities_is_a_located_error() {
        // Listener priorities come in bands of 1,000 per path depth; a full band used to
        // make packaging search for a free priority forever.
        let mut files = workspace_from_bytes(DEFAULT_SERVICE.as_bytes());
        for i in 0..=1_000 {
            files.insert(
                format!("wharf/w{i:04}/manifest.yml"),
                format!(
                    "name: w{i:04}\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: api{i:04}\n"
                ),
            );
        }
        let mut ws = load(&files);
        assert!(!ws.diags.has_errors());
        assert!(matches!(
            package_all(
                &mut ws,
                "test",
                &crate::compile::workspace::Digests::new().into()
            ),
            Ok(None)
        ));
        let full = ws
            .diags
            .iter()
            .find(|d| d.code == Code::Limit && d.severity == crate::manifest::diag::Severity::Error)
            .expect("a limit error");
        let span = full.span.unwrap();
        let at = format!(
            "{}:{}",
            ws.sources.path(span.file).display(),
            ws.sources.line_col(span)
        );
        assert!(
            at.starts_with("wharf/w") && at.ends_with("/manifest.yml:1:7"),
            "{at}"
        );
        assert!(full.message.contains("more than 1000"), "{}", full.message);
    }

    #[test]
    fn more_load_balanced_services_than_a_load_balancer_takes_is_a_warning() {
        let mut files = workspace_from_bytes(DEFAULT_SERVICE.as_bytes());
        for i in 0..=100 {
            files.insert(
                format!("wharf/w{i:03}/manifest.yml"),
                format!(
                    "name: w{i:03}\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: w{i:03}\n"
                ),
            );
        }
        let mut ws = load(&files);
        let packaged = package_all(
            &mut ws,
            "test",
            &crate::compile::workspace::Digests::new().into(),
        );
        assert!(matches!(packaged, Ok(Some(_))), "a warning, not an error");
        let w: Vec<_> = ws.diags.iter().filter(|d| d.code == Code::Limit).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].severity, crate::manifest::diag::Severity::Warning);
        assert!(
            w[0].message
                .contains("needs 101 target groups; an Application Load Balancer takes 100"),
            "{}",
            w[0].message
        );
        // `validate` says so too.
        let mut ws = load(&files);
        ws.validate_all(None);
        let w: Vec<_> = ws.diags.iter().filter(|d| d.code == Code::Limit).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].severity, crate::manifest::diag::Severity::Warning);
    }

    /// A workspace of application `shop` with domain `example.com`, environments
    /// `test` and `prod`, and the services given as `(name, manifest body after the
    /// name)`.
    fn domain_workspace(services: &[(&str, &str)]) -> Workspace {
        let mut files = MemFiles::new();
        files.insert(APP, b"name: shop\ndomain: example.com\n".to_vec());
        for e in ["test", "prod"] {
            files.insert(
                format!("wharf/environments/{e}/manifest.yml"),
                format!("name: {e}\ntype: Environment\n").into_bytes(),
            );
        }
        for (name, body) in services {
            files.insert(
                format!("wharf/{name}/manifest.yml"),
                format!("name: {name}\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\n{body}").into_bytes(),
            );
        }
        load(&files)
    }

    fn duplicates(ws: &Workspace) -> Vec<String> {
        ws.diags
            .iter()
            .filter(|d| d.code == Code::DuplicateKey)
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn one_dns_name_points_at_one_load_balancer() {
        // Two services, one alias.
        let ws = domain_workspace(&[
            ("web", "http:\n  path: /\n  alias: www.example.com\n"),
            ("web2", "http:\n  path: /\n  alias: www.example.com\n"),
        ]);
        let d = duplicates(&ws);
        assert!(
            d.iter()
                .any(|m| m.contains("`www.example.com` is already a name of service `web`")),
            "{d:?}"
        );
        // Two services, same paths and hosts on one load balancer.
        assert!(
            d.iter()
                .any(|m| m.contains("routes the same paths and host names")),
            "{d:?}"
        );
        // An alias in the domain's zone, in two environments (one service).
        let ws = domain_workspace(&[("web", "http:\n  path: /\n  alias: www.example.com\n")]);
        let d = duplicates(&ws);
        assert!(d.iter().any(|m| m.contains("in environment `prod`") || m.contains("in environment `test`")), "{d:?}");
        // An alias that is another service's own name.
        let ws = domain_workspace(&[
            ("www", "http:\n  path: /www\n"),
            (
                "web",
                "http:\n  path: /\n  alias: www.${WHARF_ENVIRONMENT_NAME}.shop.example.com\n",
            ),
        ]);
        assert!(!duplicates(&ws).is_empty());
        // One service's NLB alias that is its own ALB name.
        let ws = domain_workspace(&[(
            "relay",
            "http:\n  path: /\nnlb:\n  port: 8443/tcp\n  alias: relay.${WHARF_ENVIRONMENT_NAME}.shop.example.com\n",
        )]);
        let d = duplicates(&ws);
        assert!(d.iter().any(|m| m.contains("(its `http`)")), "{d:?}");
        // Names of each environment's own zone: no conflict.
        let ws = domain_workspace(&[(
            "web",
            "http:\n  path: /\n  alias: www.${WHARF_ENVIRONMENT_NAME}.shop.example.com\n",
        )]);
        assert!(!ws.diags.has_errors(), "{:?}", ws.diags);
    }
}
