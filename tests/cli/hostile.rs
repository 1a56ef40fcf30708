//! Hostile and broken manifests (found by fuzzing the loader): each is a located error
//! with exit code 2, never a panic (101), an abort (134), a hang, or a silent skip.

use crate::util::{json_lines, wharf, workspace};
use predicates::prelude::*;

const API: &str = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";

/// Runs `wharf validate` (with `args`) and asserts exit code 2; returns stderr.
fn invalid(d: &crate::util::Dir, args: &[&str]) -> String {
    let out = wharf(d.path())
        .arg("validate")
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `wharf validate --output json` and asserts exit code 2; returns the events.
fn invalid_json(d: &crate::util::Dir) -> Vec<serde_json::Value> {
    let out = wharf(d.path())
        .args(["validate", "--output", "json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    json_lines(&out.stdout)
}

#[test]
fn a_column_past_65535_is_reported_not_a_panic() {
    let d = workspace();
    d.write(
        "wharf/app.yml",
        &format!("{{name: demo,{}bogus: 1}}\n", " ".repeat(65_540)),
    );
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/app.yml:1:65553: unknown key `bogus` in application manifest"),
        "{err}"
    );
    assert!(
        err.len() < 4_000,
        "the long line is cut: {} bytes",
        err.len()
    );
    let events = invalid_json(&d);
    assert_eq!(events[0]["data"]["column"], 65553, "{events:?}");
}

#[test]
fn deep_block_nesting_is_a_located_error_not_an_abort() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &format!("{}x\n", "- ".repeat(4_000)),
    );
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/api/manifest.yml:1:129: lists and mappings nest more than 64 levels deep here, the limit for a manifest"),
        "{err}"
    );
}

#[test]
fn nested_aliases_are_a_limit_error_not_gigabytes() {
    // The classic "billion laughs", 1.2 KB: nine levels of ten aliases each.
    let mut text = String::from("a0: &a0 [\"lol\"]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(",");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let d = workspace();
    d.write("wharf/api/manifest.yml", &format!("{API}{text}"));
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/api/manifest.yml:11:")
            && err
                .contains("this file builds more than 100000 YAML nodes, the limit for a manifest"),
        "{err}"
    );
}

#[test]
fn thousands_of_override_blocks_are_a_limit_error() {
    let manifest = |n: usize| {
        let blocks: String = (0..n)
            .map(|i| format!("  env{i}:\n    count: 1\n"))
            .collect();
        format!("{API}environments:\n{blocks}")
    };
    let d = workspace();
    d.write("wharf/api/manifest.yml", &manifest(5_000));
    let err = invalid(&d, &[]);
    assert!(
        err.contains(
            "wharf/api/manifest.yml:135:3: `environments` overrides more than 64 environments"
        ),
        "{err}"
    );
    // As found by fuzzing: 20,000 blocks (380 KB) ran for minutes.
    d.write("wharf/api/manifest.yml", &manifest(20_000));
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/api/manifest.yml:20007:3: this mapping has more than 10000 keys"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    let mut bytes = API.replace("nginx", "ngin").into_bytes();
    bytes.splice(bytes.len() - 12..bytes.len() - 12, [0xFF]);
    std::fs::write(d.path().join("wharf/api/manifest.yml"), &bytes).unwrap();
    let events = invalid_json(&d);
    let diag = &events[0]["data"];
    assert_eq!(diag["code"], "wharf::manifest::encoding", "{events:?}");
    assert_eq!(diag["file"], "wharf/api/manifest.yml");
    assert_eq!(
        (diag["line"].as_u64(), diag["column"].as_u64()),
        (Some(4), Some(17))
    );
    let err = invalid(&d, &[]);
    assert!(
        err.contains(
            "wharf/api/manifest.yml:4:17: wharf/api/manifest.yml is not valid UTF-8: byte 0xFF"
        ),
        "{err}"
    );
}

#[test]
fn a_manifest_that_is_a_directory_fails_validation() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    std::fs::create_dir_all(d.path().join("wharf/web/manifest.yml")).unwrap();
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/web/manifest.yml:1:1: cannot read wharf/web/manifest.yml: it is a directory, not a regular file"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_manifest_linked_to_a_device_or_nowhere_fails_validation() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    std::fs::create_dir_all(d.path().join("wharf/web")).unwrap();
    std::fs::create_dir_all(d.path().join("wharf/worker")).unwrap();
    // Reading /dev/zero would never end; a dangling link was skipped.
    std::os::unix::fs::symlink("/dev/zero", d.path().join("wharf/web/manifest.yml")).unwrap();
    std::os::unix::fs::symlink("nowhere.yml", d.path().join("wharf/worker/manifest.yml")).unwrap();
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/web/manifest.yml:1:1: cannot read wharf/web/manifest.yml: it is a special file (a device, a pipe or a socket), not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("wharf/worker/manifest.yml:1:1: cannot read wharf/worker/manifest.yml: No such file or directory"),
        "{err}"
    );
}

#[test]
fn a_manifest_over_1_mib_is_refused_at_the_limit() {
    let d = workspace();
    let line = format!("# {}\n", "x".repeat(1021));
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}{}", line.repeat(1025)),
    );
    let err = invalid(&d, &[]);
    assert!(
        err.contains("wharf/api/manifest.yml is larger than 1 MiB, the limit for a manifest"),
        "{err}"
    );
    assert!(err.contains("wharf/api/manifest.yml:1029:957:"), "{err}");
}

#[test]
fn a_file_with_many_problems_shows_the_first_100_and_counts_the_rest() {
    let keys: String = (0..150).map(|i| format!("bogus{i}: 1\n")).collect();
    let d = workspace();
    d.write("wharf/api/manifest.yml", &format!("{API}{keys}"));
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains("unknown key `bogus99`")
            .and(predicate::str::contains("unknown key `bogus100`").not())
            .and(predicate::str::contains(
                "50 more problems in wharf/api/manifest.yml not shown (50 errors, 0 warnings)",
            ))
            .and(predicate::str::contains("150 errors in the manifests")),
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_service_directory_whose_name_is_not_utf8_fails_validation() {
    use std::os::unix::ffi::OsStrExt;
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    let dir = d
        .path()
        .join("wharf")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("manifest.yml"), API).unwrap();
    let err = invalid(&d, &[]);
    assert!(
        err.contains("the directory name `caf\u{FFFD}` is not valid UTF-8"),
        "{err}"
    );
}
