//! What a user meets when things go wrong around wharf: closed output pipes, missing or
//! bad AWS credentials, an endpoint that refuses connections. Each ends with one clear
//! sentence and advice, never a panic or an SDK dump.

use crate::util::{Dir, wharf, wharf_std, workspace};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;

/// A pipe whose reading end is already closed: writing to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// A workspace with enough manifest errors to fill a pipe buffer many times over.
fn noisy_workspace() -> Dir {
    let d = workspace();
    let mut text = String::from("name: test\ntype: Environment\n");
    for i in 0..400 {
        text.push_str(&format!("bogus_{i}: 1\n"));
    }
    d.write("wharf/environments/test/manifest.yml", &text);
    d
}

fn run_with(d: &Dir, args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::Output {
    let mut cmd = wharf_std(d.path());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("wharf runs")
}

#[test]
fn closed_stderr_ends_quietly_as_for_sigpipe() {
    let d = noisy_workspace();
    for output in ["human", "json"] {
        let out = run_with(
            &d,
            &["--output", output, "validate"],
            Stdio::piped(),
            closed_pipe().into(),
        );
        // The diagnostics (human) or the closing error report (json) go to stderr.
        assert_eq!(out.status.code(), Some(141), "--output {output}: {out:?}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("panicked"),
            "{out:?}"
        );
    }
}

#[test]
fn closed_stdout_ends_quietly_as_for_sigpipe() {
    let d = noisy_workspace();
    // JSON mode writes every diagnostic to stdout.
    let out = run_with(
        &d,
        &["--output", "json", "validate"],
        closed_pipe().into(),
        Stdio::piped(),
    );
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.is_empty(),
        "nothing is said about the closed pipe: {stderr}"
    );
    // A large listing on stdout in human mode.
    let out = run_with(
        &Dir::new(),
        &["schema"],
        closed_pipe().into(),
        Stdio::piped(),
    );
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn output_that_cannot_be_written_is_a_failure_not_a_success() {
    // `wharf svc package > out.yml` on a full disk must not exit 0 with an empty file.
    let d = workspace();
    for args in [
        &["schema"][..],
        &["env", "package", "-n", "test"],
        &["--output", "json", "svc", "ls", "--local"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = run_with(&d, args, full.into(), Stdio::piped());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("could not write its output to stdout: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn both_streams_closed_end_quietly() {
    let d = noisy_workspace();
    for args in [
        &["validate"][..],
        &["--output", "json", "validate"],
        &["schema"],
        &["env", "package", "-n", "test"],
    ] {
        let out = run_with(&d, args, closed_pipe().into(), closed_pipe().into());
        let code = out.status.code();
        assert!(code == Some(141) || code == Some(0), "{args:?}: {out:?}");
    }
}

/// `wharf env ls` against `endpoint` with throw-away credentials (or none).
fn env_ls(d: &Dir, endpoint: Option<&str>, credentials: bool) -> (Option<i32>, String) {
    let vars: Vec<(&str, &str)> = endpoint
        .map(|e| ("AWS_ENDPOINT_URL", e))
        .into_iter()
        .collect();
    env_ls_with(d, &vars, credentials)
}

/// [`env_ls`] with more environment variables; every AWS call may take 5 s at most.
fn env_ls_with(d: &Dir, vars: &[(&str, &str)], credentials: bool) -> (Option<i32>, String) {
    let home = Dir::new();
    let mut cmd = wharf(d.path());
    cmd.args(["env", "ls", "--region", "us-east-1"])
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE");
    if credentials {
        cmd.env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "not-a-secret");
    }
    cmd.env("WHARF_AWS_CALL_TIMEOUT", "5")
        .envs(vars.iter().copied());
    let out = cmd.output().expect("wharf runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts one clear sentence (said once), the advice, and no SDK dump.
fn assert_clear(stderr: &str, sentence: &str, advice: &str) {
    assert_eq!(
        stderr.matches(sentence).count(),
        1,
        "`{sentence}` once:\n{stderr}"
    );
    assert!(stderr.contains(advice), "advice `{advice}`:\n{stderr}");
    for dump in ["DispatchFailure", "ConnectorError", "SdkError", "source:"] {
        assert!(!stderr.contains(dump), "SDK dump `{dump}`:\n{stderr}");
    }
}

#[test]
fn no_credentials_is_one_sentence_with_advice() {
    let (code, stderr) = env_ls(&workspace(), None, false);
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        "DescribeStacks on stack demo-test failed: no AWS credentials were found",
        "aws configure",
    );
}

#[test]
fn refused_connection_names_the_endpoint_and_its_setting() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, stderr) = env_ls(&workspace(), Some(&url), true);
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        &format!("could not connect to the AWS endpoint {url}: connection refused"),
        "(set by AWS_ENDPOINT_URL)",
    );
}

#[test]
fn a_service_endpoint_variable_is_named_in_the_advice() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, stderr) = env_ls_with(
        &workspace(),
        &[("AWS_ENDPOINT_URL_CLOUDFORMATION", &url)],
        true,
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        &format!("could not connect to the AWS endpoint {url}: connection refused"),
        "(set by AWS_ENDPOINT_URL_CLOUDFORMATION)",
    );
}

#[test]
fn a_profile_that_does_not_exist_is_named() {
    let files = Dir::new();
    files.write("config", "[profile other]\nregion = us-east-1\n");
    let config = files.path().join("config");
    let (code, stderr) = env_ls_with(
        &workspace(),
        &[
            ("AWS_PROFILE", "nope"),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ],
        true,
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        "the AWS profile `nope` (from AWS_PROFILE) is not in the AWS config or credentials file",
        "aws configure list-profiles",
    );
    // The profile that exists is used.
    let (_, stderr) = env_ls_with(
        &workspace(),
        &[
            ("AWS_PROFILE", "other"),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
        true,
    );
    assert!(!stderr.contains("is not in the AWS config"), "{stderr}");
}

#[test]
fn an_endpoint_that_never_answers_fails_instead_of_hanging() {
    // A wedged proxy, or AWS_ENDPOINT_URL pointing at the wrong port: the connection is
    // accepted and nothing ever comes back. The listener holds every connection open
    // until the test ends.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(32) {
            held.push(stream);
        }
    });
    let (code, stderr) = env_ls(&workspace(), Some(&url), true);
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        &format!("the AWS endpoint {url} did not answer in time"),
        "(set by AWS_ENDPOINT_URL)",
    );
}

/// An endpoint that answers every request with one CloudFormation error.
fn error_endpoint(code: &'static str, message: &'static str) -> String {
    let xml = format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
    );
    answering(format!(
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
        xml.len()
    ))
}

/// An endpoint that answers every request with `response` (a whole HTTP response).
fn answering(response: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        // Bounded: a handful of requests (the SDK's attempts), then the thread ends.
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { return };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = s.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn an_endpoint_that_is_not_aws_is_said_to_be_so() {
    // `python -m http.server`, or a proxy's own 404 page.
    let url = answering(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".into(),
    );
    let (code, stderr) = env_ls(&workspace(), Some(&url), true);
    assert_eq!(code, Some(1), "{stderr}");
    assert_clear(
        &stderr,
        &format!(
            "{url} (set by AWS_ENDPOINT_URL) answered HTTP 404 without an AWS error: it does not look like an AWS endpoint"
        ),
        "check that something answers",
    );
    assert!(!stderr.contains("no message"), "{stderr}");
}

/// AWS answers `env ls` with error `code`; wharf says `sentence` once, with `advice`.
fn answers_with(code: &'static str, message: &'static str, sentence: &str, advice: &str) {
    let url = error_endpoint(code, message);
    let (exit, stderr) = env_ls(&workspace(), Some(&url), true);
    assert_eq!(exit, Some(1), "{code}: {stderr}");
    assert_clear(&stderr, sentence, advice);
}

#[test]
fn expired_token_says_how_to_refresh() {
    answers_with(
        "ExpiredToken",
        "The security token included in the request is expired",
        "DescribeStacks on stack demo-test failed: The security token included in the request is expired",
        "aws sso login",
    );
}

#[test]
fn access_denied_names_the_operation() {
    answers_with(
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks",
        "is not authorized to perform: cloudformation:DescribeStacks",
        "not allowed to call DescribeStacks",
    );
}

#[test]
fn unknown_access_key_says_so() {
    answers_with(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        "The security token included in the request is invalid.",
        "AWS does not know it",
    );
}

#[test]
fn verbose_adds_the_sdk_error_chain() {
    let home = Dir::new();
    let out = wharf(workspace().path())
        .args(["env", "ls", "--region", "us-east-1", "--verbose"])
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no AWS credentials were found"), "{stderr}");
    assert!(stderr.contains("AWS SDK error:"), "{stderr}");
    assert!(stderr.contains("CredentialsNotLoaded"), "{stderr}");
}
