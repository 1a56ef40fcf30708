//! What wharf reads from a Dockerfile before building: the build arguments it declares
//! (`ARG NAME` or `ARG NAME=default`, several per instruction, line continuations,
//! comments), and which lines of an engine's build output are noise about things wharf
//! already handles. Pure.
//!
//! Follows the Dockerfile reference (<https://docs.docker.com/reference/dockerfile/#arg>):
//! instructions are case-insensitive, `\` continues a line, and the proxy variables are
//! predefined build arguments that need no `ARG`.

use std::collections::BTreeSet;

/// Build arguments every builder accepts without an `ARG` instruction.
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Build arguments the builder sets itself for the target and build platforms
/// (<https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope>).
const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// The names of the build arguments `dockerfile` declares with `ARG`.
pub fn declared_args(dockerfile: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut instruction = String::new();
    for line in dockerfile.lines() {
        let trimmed = line.trim_start();
        if instruction.is_empty() && trimmed.starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                instruction.push_str(head);
                instruction.push(' ');
                continue;
            }
            None => instruction.push_str(line),
        }
        let mut words = instruction.split_whitespace();
        if words.next().is_some_and(|w| w.eq_ignore_ascii_case("ARG")) {
            for w in words {
                let name = w.split('=').next().unwrap_or("");
                if !name.is_empty() {
                    out.insert(name.to_string());
                }
            }
        }
        instruction.clear();
    }
    out
}

/// Whether a build argument reaches the build: declared by the Dockerfile, or predefined.
pub fn accepts(declared: &BTreeSet<String>, name: &str) -> bool {
    declared.contains(name) || PREDEFINED_ARGS.contains(&name)
}

/// Lines of build output that only repeat what wharf knows and said already:
/// - the docker CLI's notice that its legacy builder is deprecated (shown when buildx is
///   not installed; `docker build` uses BuildKit whenever buildx is there);
/// - podman's warning that the platform arguments it adds itself for `--platform`
///   (`TARGETARCH`, …) were not consumed by a Dockerfile that does not use them.
pub fn is_noise(line: &str) -> bool {
    let l = line.trim();
    if l.starts_with("DEPRECATED: The legacy builder is deprecated")
        || l.starts_with("Install the buildx component to build images with BuildKit")
        || l == "https://docs.docker.com/go/buildx/"
    {
        return true;
    }
    if let Some(rest) = l.strip_prefix("[Warning] one or more build args were not consumed:") {
        let names = rest.trim().trim_start_matches('[').trim_end_matches(']');
        return names.split_whitespace().all(|n| PLATFORM_ARGS.contains(&n));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_of_arg() {
        let d = "# syntax=docker/dockerfile:1\n\
                 ARG BASE=debian:12\n\
                 FROM $BASE\n\
                 arg VERSION\n\
                 # ARG COMMENTED\n\
                 ARG A=1 B \\\n  C=3\n\
                 RUN echo ARG NOT_AN_ARG\n";
        let got: Vec<String> = declared_args(d).into_iter().collect();
        assert_eq!(got, ["A", "B", "BASE", "C", "VERSION"]);
    }

    #[test]
    fn proxies_need_no_arg() {
        let declared = declared_args("FROM x\nARG VERSION\n");
        assert!(accepts(&declared, "VERSION"));
        assert!(accepts(&declared, "HTTPS_PROXY"));
        assert!(!accepts(&declared, "UNUSED"));
    }

    #[test]
    fn only_known_noise_is_dropped() {
        assert!(is_noise(
            "DEPRECATED: The legacy builder is deprecated and will be removed in a future release."
        ));
        assert!(is_noise(
            "            Install the buildx component to build images with BuildKit:"
        ));
        assert!(is_noise(
            "[Warning] one or more build args were not consumed: [TARGETARCH TARGETOS TARGETPLATFORM]"
        ));
        // A user's own unconsumed argument is news.
        assert!(!is_noise(
            "[Warning] one or more build args were not consumed: [TARGETARCH VERSION]"
        ));
        assert!(!is_noise("Step 1/2 : FROM scratch"));
    }
}
