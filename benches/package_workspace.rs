//! Packages a generated workspace of 20 services for one environment, in one process:
//! load and check every manifest, then compile the environment stack and 20 service
//! stacks. Prints min / median / max over repeated runs. Target: ≤ 50 ms.
//!
//! Run: `cargo bench --bench package_workspace`.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};
use wharf::compile::workspace::package_all;
use wharf::manifest::schema::LazyKeys;
use wharf::manifest::workspace::{Workspace, find};

const SERVICES: usize = 20;
const RUNS: usize = 50;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn generate(root: &Path) {
    write(
        root,
        "wharf/app.yml",
        "name: bench\nregion: us-east-1\ntags:\n  team: perf\n",
    );
    write(
        root,
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/abc]\nobservability:\n  container_insights: true\n",
    );
    for i in 0..SERVICES {
        let text = if i % 2 == 0 {
            format!(
                "name: web{i}\ntype: Load Balanced Web Service\nimage:\n  build: web{i}/Dockerfile\n  port: 8080\nhttp:\n  path: /web{i}\n  healthcheck:\n    path: /health\n    interval: 10s\ncount:\n  range: 1-10\n  cpu_percentage: 70\n  requests: 300\nvariables:\n  LOG_LEVEL: info\n  INDEX: '{i}'\nsecrets:\n  DB: /bench/db\nenvironments:\n  prod:\n    cpu: 512\n    memory: 1024\n"
            )
        } else {
            format!(
                "name: api{i}\ntype: Backend Service\nimage:\n  location: 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:{i}\n  port: 9000\n  healthcheck:\n    command: [CMD-SHELL, 'true']\nnetwork:\n  vpc:\n    placement: private\nsecrets:\n  TOKEN:\n    secretsmanager: bench/token\nenvironments:\n  prod:\n    count: 2\n"
            )
        };
        let name = if i % 2 == 0 {
            format!("web{i}")
        } else {
            format!("api{i}")
        };
        write(root, &format!("wharf/{name}/manifest.yml"), &text);
    }
}

fn once(root: &Path) -> (Duration, usize) {
    let start = Instant::now();
    let loc = find(root).expect("workspace");
    let mut ws = Workspace::load(loc, root, Box::new(|_| None), Box::new(LazyKeys::default()));
    let digests = wharf::compile::workspace::main_digests(
        ws.service_names(),
        &format!("sha256:{}", "ab".repeat(32)),
    );
    let stacks = package_all(&mut ws, "prod", &digests.into())
        .expect("renders")
        .expect("valid manifests");
    let bytes = stacks
        .iter()
        .map(|p| p.template.len() + p.config.to_json().len())
        .sum();
    (start.elapsed(), bytes)
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());
    let (_, bytes) = once(tmp.path()); // warm the file cache
    let mut times: Vec<Duration> = (0..RUNS).map(|_| once(tmp.path()).0).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "package {SERVICES} services + environment ({} KiB of output): min {:.2} ms, median {:.2} ms, max {:.2} ms over {RUNS} runs",
        bytes / 1024,
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS - 1])
    );
}
