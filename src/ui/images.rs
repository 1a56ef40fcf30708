//! Image build and push progress, three ways: on a terminal a spinner per service
//! showing its latest output line (several builds run at once); in logs and CI
//! timestamped lines prefixed with the service; in JSON mode `image_*` events.

use super::Ui;
use super::mode::Mode;
use crate::image::pipeline::{ImageError, ImageReporter, Published};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The reporter that fits the output mode.
pub fn reporter(ui: &Ui) -> Arc<dyn ImageReporter> {
    match ui.mode() {
        Mode::Human => Arc::new(Live::new(ui.color())),
        Mode::Plain => Arc::new(Plain),
        Mode::Json => Arc::new(Json(*ui)),
    }
}

/// How a finished image reads in one line.
pub fn describe(r: &Result<Published, ImageError>) -> String {
    match r {
        Ok(p) => p.summary(),
        Err(e) => format!("failed: {e}"),
    }
}

/// A spinner per service.
struct Live {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
    color: bool,
}

impl Live {
    fn new(color: bool) -> Self {
        Live {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(BTreeMap::new()),
            color,
        }
    }

    fn bar(&self, service: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(service.to_string())
            .or_insert_with(|| {
                let b = self.multi.add(ProgressBar::new_spinner());
                b.set_style(
                    ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b.set_prefix(service.to_string());
                b.enable_steady_tick(Duration::from_millis(120));
                b
            })
            .clone()
    }
}

impl ImageReporter for Live {
    fn step(&self, service: &str, message: &str) {
        self.bar(service).set_message(message.to_string());
    }
    fn output(&self, service: &str, line: &str) {
        let line = line.trim();
        if !line.is_empty() {
            self.bar(service).set_message(line.to_string());
        }
    }
    fn finished(&self, service: &str, r: &Result<Published, ImageError>) {
        let bar = self.bar(service);
        let mark = super::mark(r.is_ok(), self.color);
        bar.finish_and_clear();
        let _ = self
            .multi
            .println(format!("{mark} image {service}: {}", describe(r)));
    }
}

/// Timestamped lines on stderr, prefixed with the service.
struct Plain;

impl ImageReporter for Plain {
    fn step(&self, service: &str, message: &str) {
        super::logln!("image {service}: {message}");
    }
    fn output(&self, service: &str, line: &str) {
        super::logln!("image {service}| {line}");
    }
    fn finished(&self, service: &str, r: &Result<Published, ImageError>) {
        super::logln!("image {service}: {}", describe(r));
    }
}

/// `image_step`, `image_output` and `image_finished` events on stdout.
struct Json(Ui);

impl ImageReporter for Json {
    fn step(&self, service: &str, message: &str) {
        self.0.event(
            "image_step",
            &serde_json::json!({"service": service, "message": message}),
        );
    }
    fn output(&self, service: &str, line: &str) {
        self.0.event(
            "image_output",
            &serde_json::json!({"service": service, "line": line}),
        );
    }
    fn finished(&self, service: &str, r: &Result<Published, ImageError>) {
        let data = match r {
            Ok(p) => serde_json::json!({"service": service, "ok": true, "image": p}),
            Err(e) => serde_json::json!({"service": service, "ok": false, "error": e.to_string()}),
        };
        self.0.event("image_finished", &data);
    }
}
