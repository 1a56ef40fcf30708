//! Checks hostile manifests end to end (load, validate, package, render; see
//! `wharf::check`), each at two sizes, and prints the median time of each and the ratio
//! between them: about 2 when the work grows linearly with the input, 4 when it grows
//! with its square. The inputs are the ones fuzzing found slow or fatal, at and past the
//! loader's limits.
//!
//! Run: `cargo bench --bench loader_limits`.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};
use wharf::check::{check, workspace_from_bytes};
use wharf::manifest::files::MemFiles;

const API: &str = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";
const RUNS: usize = 5;

/// Each case: a name and the service manifest for size `n`.
type Case = (&'static str, fn(usize) -> String);

const CASES: &[Case] = &[
    ("n variables", |n| {
        let vars: String = (0..n).map(|i| format!("  V{i}: x\n")).collect();
        format!("{API}variables:\n{vars}")
    }),
    ("n variables and n secrets", |n| {
        let vars: String = (0..n).map(|i| format!("  V{i}: x\n")).collect();
        let secrets: String = (0..n).map(|i| format!("  S{i}: /p/s{i}\n")).collect();
        format!("{API}variables:\n{vars}secrets:\n{secrets}")
    }),
    ("n duplicate keys", |n| {
        let vars: String = (0..n).map(|i| format!("  V{}: x\n", i % 2)).collect();
        format!("{API}variables:\n{vars}")
    }),
    ("n unknown keys", |n| {
        let keys: String = (0..n).map(|i| format!("bogus{i}: 1\n")).collect();
        format!("{API}{keys}")
    }),
    ("n override blocks", |n| {
        let blocks: String = (0..n).map(|i| format!("  e{i}:\n    cpu: 256\n")).collect();
        format!("{API}environments:\n{blocks}")
    }),
    ("64 overrides of n variables", |n| {
        let vars: String = (0..n).map(|i| format!("  V{i}: x\n")).collect();
        let blocks: String = (0..64)
            .map(|i| format!("  e{i}:\n    variables: {{V{i}: y}}\n"))
            .collect();
        format!("{API}variables:\n{vars}environments:\n{blocks}")
    }),
    ("n-character line with an error at its end", |n| {
        format!("{{name: api,{}bogus: 1}}\n", " ".repeat(n))
    }),
    ("n nested aliases of 10", |n| {
        let mut text = format!("{API}a0: &a0 [lol]\n");
        for i in 1..=n / 1000 {
            let refs = vec![format!("*a{}", i - 1); 10].join(",");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    }),
    ("n levels of block nesting", |n| {
        format!("{}x\n", "- ".repeat(n))
    }),
];

fn median(files: &MemFiles) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(check(files));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn main() {
    let sizes = [2_500, 5_000];
    for (name, make) in CASES {
        let t: Vec<Duration> = sizes
            .iter()
            .map(|&n| median(&workspace_from_bytes(make(n).as_bytes())))
            .collect();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<44} n={:>6}: {:>8.2} ms   n={:>6}: {:>8.2} ms   ratio {:.2}",
            sizes[0],
            ms(t[0]),
            sizes[1],
            ms(t[1]),
            t[1].as_secs_f64() / t[0].as_secs_f64()
        );
    }
}
