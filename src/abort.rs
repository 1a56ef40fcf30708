//! Last words: what a run must still do when the user stops it at once (a second
//! Ctrl-C ends the process without unwinding), such as releasing the deploy locks it
//! holds, so that the next run is not refused for two minutes by a process that is
//! gone. An action is registered while it matters and unregistered when its guard
//! drops.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A future to run at abort.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send>>;
type Action = Box<dyn FnOnce() -> Task + Send>;

static ACTIONS: Mutex<Vec<(u64, Action)>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Keeps an action registered; dropping it unregisters the action.
#[derive(Debug)]
#[must_use = "the action is unregistered when this is dropped"]
pub struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut a) = ACTIONS.lock() {
            a.retain(|(id, _)| *id != self.0);
        }
    }
}

/// Registers `action` to run if the process is stopped at once, until the guard drops.
pub fn on_abort(action: impl FnOnce() -> Task + Send + 'static) -> Registered {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut a) = ACTIONS.lock() {
        a.push((id, Box::new(action)));
    }
    Registered(id)
}

/// Runs every registered action, together, for at most `limit`; each runs once.
pub async fn run(limit: Duration) {
    let actions: Vec<Action> = match ACTIONS.lock() {
        Ok(mut a) => a.drain(..).map(|(_, f)| f).collect(),
        Err(_) => return,
    };
    let all = futures_join(actions.into_iter().map(|f| f()).collect());
    let _ = tokio::time::timeout(limit, all).await;
}

async fn futures_join(tasks: Vec<Task>) {
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    for h in handles {
        let _ = h.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    /// One test: the registry is the process's, and parallel tests would share it.
    #[tokio::test]
    async fn actions_run_once_dropped_ones_never_and_slow_ones_are_cut() {
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = |ran: &Arc<AtomicUsize>| {
            let ran = ran.clone();
            move || -> Task {
                Box::pin(async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
            }
        };
        let kept = on_abort(counter(&ran));
        let dropped = on_abort(counter(&ran));
        drop(dropped);
        run(Duration::from_secs(5)).await;
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        run(Duration::from_secs(5)).await;
        assert_eq!(ran.load(Ordering::SeqCst), 1, "each action runs once");
        drop(kept);

        let _slow = on_abort(|| -> Task { Box::pin(std::future::pending()) });
        let fast = on_abort(counter(&ran));
        let started = std::time::Instant::now();
        run(Duration::from_millis(50)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(ran.load(Ordering::SeqCst), 2, "the others still ran");
        drop(fast);
    }
}
