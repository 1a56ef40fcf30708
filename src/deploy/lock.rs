//! Deploy locks: at most one wharf run changes a stack at a time, across machines.
//!
//! A lock is an object `locks/<stack>.json` in the application's bucket, created with a
//! conditional write (S3 `If-None-Match: *`), so of two runs that ask at once exactly
//! one gets it. It holds a [`Lease`]: who holds it, with which command, since when, and
//! until when. The holder renews the lease while it works (a conditional replace on the
//! object's ETag) and deletes the object when it is done; a lease that was not renewed
//! in time (the holder crashed, or its machine went away) has expired, and the next run
//! takes it over with the same conditional replace, so that two runs never both take
//! over one expired lease. The lock covers a stack's change set, its execution and the
//! rollout that follows; images are built before it is taken.
//!
//! The decisions are pure ([`decide`]); the store is a trait ([`LockStore`]) that `aws`
//! implements with S3 and tests script.

use crate::api::AwsError;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;

/// How long a lease lasts without renewal: 2 minutes.
pub const LEASE: Duration = Duration::from_secs(120);

/// How often the holder renews its lease: every 30 s, a quarter of [`LEASE`].
pub const RENEW_EVERY: Duration = Duration::from_secs(30);

/// What a lock object holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Who holds it: `user@host (pid N)`.
    pub holder: String,
    /// The command it runs (`wharf svc deploy -n web -e test`).
    pub command: String,
    /// When it was taken, in milliseconds since the epoch.
    pub started_ms: i64,
    /// When it expires unless renewed, in milliseconds since the epoch.
    pub expires_ms: i64,
}

impl Lease {
    /// A lease for `holder` running `command`, taken at `now_ms`.
    pub fn new(holder: String, command: String, now_ms: i64) -> Self {
        Lease {
            holder,
            command,
            started_ms: now_ms,
            expires_ms: now_ms + lease_ms(),
        }
    }

    /// The same lease, renewed at `now_ms`.
    pub fn renewed(&self, now_ms: i64) -> Self {
        Lease {
            expires_ms: now_ms + lease_ms(),
            ..self.clone()
        }
    }
}

fn lease_ms() -> i64 {
    i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}

/// The object key of `stack`'s lock.
pub fn key(stack: &str) -> String {
    format!("locks/{stack}.json")
}

/// Conditional object storage, as S3 offers it.
pub trait LockStore: Sync {
    /// Creates `key` with `body` unless it exists: its ETag, or `None` when it exists.
    fn create(
        &self,
        key: &str,
        body: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// The object's body and ETag, or `None` when there is none.
    fn read(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>, AwsError>> + Send;
    /// Replaces `key` with `body` if its ETag is still `etag`: the new ETag, or `None`
    /// when the object changed or is gone.
    fn replace(
        &self,
        key: &str,
        etag: &str,
        body: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// Deletes `key` if its ETag is still `etag` (a lock that was taken over is left).
    fn delete(&self, key: &str, etag: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// What to do about a lock object found in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Someone holds it.
    Held(Lease),
    /// Its lease expired: take it over.
    Expired(Lease),
    /// It cannot be read as a lease (written by something else): treat it as held, so
    /// that nothing is overwritten that wharf does not understand.
    Unreadable,
}

/// How far past a full lease an expiry may lie and still be believed: 15 minutes, for
/// clocks that disagree between machines. A lease claiming more was not written by a
/// wharf run (which only ever writes now + [`LEASE`]) and counts as expired.
pub const CLOCK_SLACK_MS: i64 = 15 * 60 * 1000;

/// Decides about the lock object `body` found at `now_ms`. The lease's text is cleaned of
/// control characters (anyone who can write to the bucket can write it, and it is shown
/// on terminals).
pub fn decide(body: &str, now_ms: i64) -> Decision {
    match serde_json::from_str::<Lease>(body) {
        Ok(l) => {
            let l = Lease {
                holder: printable(&l.holder),
                command: printable(&l.command),
                ..l
            };
            if l.expires_ms <= now_ms || l.expires_ms > now_ms + lease_ms() + CLOCK_SLACK_MS {
                Decision::Expired(l)
            } else {
                Decision::Held(l)
            }
        }
        Err(_) => Decision::Unreadable,
    }
}

/// `text` without control characters, at most 200 characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// A lock this run holds: the stack, the object's current ETag and the lease in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The stack.
    pub stack: String,
    /// The lock object's ETag, for renewals and the release.
    pub etag: String,
    /// The lease written.
    pub lease: Lease,
    /// The lease this one took over, when the previous holder's had expired.
    pub took_over: Option<Lease>,
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockError {
    /// Another run holds it.
    #[error(
        "stack {stack} is being deployed by {holder} (`{command}`, since {since}); wharf runs one deploy of a stack at a time"
    )]
    #[diagnostic(
        code(wharf::deploy::locked),
        help(
            "wait for that run to finish (deploy commands can queue behind it with `--wait-lock`); a lock whose holder went away expires 2 minutes after its last renewal"
        )
    )]
    Held {
        /// The stack.
        stack: String,
        /// Who holds it.
        holder: String,
        /// Their command.
        command: String,
        /// Since when (UTC).
        since: String,
    },
    /// The lock object is not a lease wharf wrote.
    #[error(
        "the lock object of stack {stack} ({key}) is not one wharf wrote; wharf leaves it alone"
    )]
    #[diagnostic(
        code(wharf::deploy::lock_unreadable),
        help(
            "look at the object in the application's bucket, and delete it if nothing is deploying"
        )
    )]
    Unreadable {
        /// The stack.
        stack: String,
        /// The object key.
        key: String,
    },
    /// `--wait-lock` waited as long as it may.
    #[error("stopped waiting for the lock of stack {stack} after {after}: {holder} still holds it")]
    #[diagnostic(code(wharf::deploy::lock_timeout))]
    TimedOut {
        /// The stack.
        stack: String,
        /// The bound, in words.
        after: String,
        /// Who holds it.
        holder: String,
    },
    /// The store failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] AwsError),
}

/// How to take a lock.
#[derive(Debug, Clone)]
pub struct Acquire {
    /// Who asks, and with which command.
    pub holder: String,
    /// The command.
    pub command: String,
    /// Wait for the holder to finish instead of refusing (`--wait-lock`), this long at
    /// most.
    pub wait: Option<Duration>,
    /// Time between looks while waiting.
    pub poll: Duration,
}

/// Takes the lock of `stack`: creates it, takes over an expired one, or (with
/// `wait`) waits for the holder to release it, telling `waiting` once who it waits for.
///
/// # Errors
/// [`LockError::Held`] when another run holds it and there is no waiting;
/// [`LockError::TimedOut`] when waiting took too long; [`LockError::Unreadable`] for an
/// object wharf did not write; [`LockError::Aws`] when the store fails.
pub async fn acquire<S: LockStore>(
    store: &S,
    stack: &str,
    how: &Acquire,
    now_ms: impl Fn() -> i64,
    waiting: &(dyn Fn(&Lease) + Sync),
) -> Result<Held, LockError> {
    let key = key(stack);
    let asked = std::time::Instant::now();
    let mut said = false;
    loop {
        let lease = Lease::new(how.holder.clone(), how.command.clone(), now_ms());
        let body = serde_json::to_string(&lease).expect("a lease serializes");
        if let Some(etag) = store.create(&key, &body).await? {
            return Ok(Held {
                stack: stack.into(),
                etag,
                lease,
                took_over: None,
            });
        }
        let holder = match store.read(&key).await? {
            // Released between the two calls: try again at once.
            None => continue,
            Some((found, etag)) => match decide(&found, now_ms()) {
                Decision::Expired(old) => {
                    if let Some(etag) = store.replace(&key, &etag, &body).await? {
                        return Ok(Held {
                            stack: stack.into(),
                            etag,
                            lease,
                            took_over: Some(old),
                        });
                    }
                    // Someone else took it over first.
                    continue;
                }
                Decision::Held(l) => l,
                Decision::Unreadable => {
                    return Err(LockError::Unreadable {
                        stack: stack.into(),
                        key,
                    });
                }
            },
        };
        match how.wait {
            Some(limit) if asked.elapsed() < limit => {
                if !said {
                    waiting(&holder);
                    said = true;
                }
                tokio::time::sleep(how.poll).await
            }
            Some(limit) => {
                return Err(LockError::TimedOut {
                    stack: stack.into(),
                    after: super::stack::duration_words(limit),
                    holder: holder.holder,
                });
            }
            None => {
                return Err(LockError::Held {
                    stack: stack.into(),
                    holder: holder.holder,
                    command: holder.command,
                    since: crate::clock::utc(holder.started_ms),
                });
            }
        }
    }
}

/// Renews `held` at `now_ms`. `false` when the lock is no longer this run's (it was
/// taken over after this run failed to renew it in time).
///
/// # Errors
/// When the store fails.
pub async fn renew<S: LockStore>(
    store: &S,
    held: &mut Held,
    now_ms: i64,
) -> Result<bool, AwsError> {
    let lease = held.lease.renewed(now_ms);
    let body = serde_json::to_string(&lease).expect("a lease serializes");
    match store.replace(&key(&held.stack), &held.etag, &body).await? {
        Some(etag) => {
            held.etag = etag;
            held.lease = lease;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Releases `held` (a lock taken over by another run in the meantime is left alone).
///
/// # Errors
/// When the store fails.
pub async fn release<S: LockStore>(store: &S, held: &Held) -> Result<(), AwsError> {
    store.delete(&key(&held.stack), &held.etag).await
}

/// Releases the lock of `stack` if `holder` (this run: `user@host (pid N)`) holds it:
/// for a lock this run took but never learned it had (the request that created it was
/// cut off by a Ctrl-C). A lock of anyone else is left.
///
/// # Errors
/// When the store fails.
pub async fn release_if_held_by<S: LockStore>(
    store: &S,
    stack: &str,
    holder: &str,
) -> Result<(), AwsError> {
    let key = key(stack);
    if let Some((body, etag)) = store.read(&key).await?
        && serde_json::from_str::<Lease>(&body).is_ok_and(|l| l.holder == holder)
    {
        store.delete(&key, &etag).await?;
    }
    Ok(())
}

/// Releases every lock of `held`, each tried even when another fails; the stacks whose
/// lock could not be released, with why (their leases expire by themselves).
pub async fn release_all<S: LockStore>(store: &S, held: &[Held]) -> Vec<(String, AwsError)> {
    let mut failed = Vec::new();
    for h in held {
        if let Err(e) = release(store, h).await {
            failed.push((h.stack.clone(), e));
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// An in-memory store with S3's conditional semantics; ETags count writes.
    #[derive(Default)]
    struct Store {
        objects: Mutex<BTreeMap<String, (String, String)>>,
        writes: Mutex<u32>,
    }

    impl Store {
        fn etag(&self) -> String {
            let mut w = self.writes.lock().unwrap();
            *w += 1;
            format!("\"e{w}\"")
        }
    }

    impl LockStore for Store {
        async fn create(&self, key: &str, body: &str) -> Result<Option<String>, AwsError> {
            let etag = self.etag();
            let mut o = self.objects.lock().unwrap();
            if o.contains_key(key) {
                return Ok(None);
            }
            o.insert(key.into(), (body.into(), etag.clone()));
            Ok(Some(etag))
        }
        async fn read(&self, key: &str) -> Result<Option<(String, String)>, AwsError> {
            Ok(self.objects.lock().unwrap().get(key).cloned())
        }
        async fn replace(
            &self,
            key: &str,
            etag: &str,
            body: &str,
        ) -> Result<Option<String>, AwsError> {
            let new = self.etag();
            let mut o = self.objects.lock().unwrap();
            match o.get(key) {
                Some((_, e)) if e == etag => {
                    o.insert(key.into(), (body.into(), new.clone()));
                    Ok(Some(new))
                }
                _ => Ok(None),
            }
        }
        async fn delete(&self, key: &str, etag: &str) -> Result<(), AwsError> {
            let mut o = self.objects.lock().unwrap();
            if o.get(key).is_some_and(|(_, e)| e == etag) {
                o.remove(key);
            }
            Ok(())
        }
    }

    async fn take(
        store: &Store,
        stack: &str,
        how: &Acquire,
        now: impl Fn() -> i64,
    ) -> Result<Held, LockError> {
        acquire(store, stack, how, now, &|_| {}).await
    }

    fn how(holder: &str, wait: Option<Duration>) -> Acquire {
        Acquire {
            holder: holder.into(),
            command: format!("wharf svc deploy ({holder})"),
            wait,
            poll: Duration::from_millis(1),
        }
    }

    #[tokio::test]
    async fn a_lock_taken_unawares_is_released_only_by_its_holder() {
        let store = Store::default();
        let a = how("a@host (pid 1)", None);
        take(&store, "s", &a, || 0).await.unwrap();
        release_if_held_by(&store, "s", "b@host (pid 2)")
            .await
            .unwrap();
        assert!(
            store.objects.lock().unwrap().contains_key("locks/s.json"),
            "not b's"
        );
        release_if_held_by(&store, "s", "a@host (pid 1)")
            .await
            .unwrap();
        assert!(store.objects.lock().unwrap().is_empty(), "a's, released");
        release_if_held_by(&store, "s", "a@host (pid 1)")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn one_run_at_a_time_and_the_second_is_told_who_holds_it() {
        let store = Store::default();
        let first = take(&store, "shop-test-web", &how("a@ci", None), || 1_000)
            .await
            .unwrap();
        assert_eq!(first.took_over, None);
        let second = take(&store, "shop-test-web", &how("b@ci", None), || 2_000).await;
        match second {
            Err(e @ LockError::Held { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("stack shop-test-web is being deployed by a@ci"),
                    "{msg}"
                );
                assert!(msg.contains("`wharf svc deploy (a@ci)`"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        // Another stack is not held.
        take(&store, "shop-test-api", &how("b@ci", None), || 2_000)
            .await
            .unwrap();
        // Released, the stack can be taken again.
        release(&store, &first).await.unwrap();
        take(&store, "shop-test-web", &how("b@ci", None), || 3_000)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew_or_release_it() {
        let store = Store::default();
        let mut old = take(&store, "s", &how("a@ci", None), || 0).await.unwrap();
        let after = lease_ms() + 1;
        let new = take(&store, "s", &how("b@ci", None), || after)
            .await
            .unwrap();
        assert_eq!(
            new.took_over.as_ref().map(|l| l.holder.as_str()),
            Some("a@ci")
        );
        assert!(
            !renew(&store, &mut old, after).await.unwrap(),
            "no longer a@ci's"
        );
        release(&store, &old).await.unwrap();
        let (body, _) = store.read(&key("s")).await.unwrap().unwrap();
        assert!(body.contains("b@ci"), "the new holder's lock stays: {body}");
    }

    #[tokio::test]
    async fn release_all_releases_every_lock_it_is_given() {
        let store = Store::default();
        let held = vec![
            take(&store, "a", &how("a@ci", None), || 0).await.unwrap(),
            take(&store, "b", &how("a@ci", None), || 0).await.unwrap(),
        ];
        assert!(release_all(&store, &held).await.is_empty());
        assert_eq!(store.read(&key("a")).await.unwrap(), None);
        assert_eq!(store.read(&key("b")).await.unwrap(), None);
    }

    #[tokio::test]
    async fn renewing_keeps_the_lease_alive() {
        let store = Store::default();
        let mut held = take(&store, "s", &how("a@ci", None), || 0).await.unwrap();
        let later = lease_ms() - 1;
        assert!(renew(&store, &mut held, later).await.unwrap());
        // Past the first expiry, but renewed: still held.
        let r = take(&store, "s", &how("b@ci", None), || lease_ms() + 10).await;
        assert!(matches!(r, Err(LockError::Held { .. })), "{r:?}");
    }

    #[tokio::test]
    async fn waiting_is_bounded_and_an_unknown_object_is_left_alone() {
        let store = Store::default();
        take(&store, "s", &how("a@ci", None), || 0).await.unwrap();
        let told = std::sync::atomic::AtomicUsize::new(0);
        let r = acquire(
            &store,
            "s",
            &how("b@ci", Some(Duration::from_millis(5))),
            || 1,
            &|l| {
                assert_eq!(l.holder, "a@ci");
                told.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            },
        )
        .await;
        assert_eq!(
            told.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "told once"
        );
        assert!(
            matches!(&r, Err(LockError::TimedOut { holder, .. }) if holder == "a@ci"),
            "{r:?}"
        );
        store.create(&key("x"), "not json").await.unwrap();
        let r = take(&store, "x", &how("b@ci", None), || 1).await;
        assert!(matches!(r, Err(LockError::Unreadable { .. })), "{r:?}");
    }

    #[test]
    fn a_forged_or_hostile_lease_neither_blocks_for_ever_nor_reaches_the_terminal() {
        let forged = Lease {
            holder: "x\u{1b}[31m\nfake".into(),
            command: "c\u{7}".into(),
            started_ms: 0,
            expires_ms: 99_999_999_999_999,
        };
        let body = serde_json::to_string(&forged).unwrap();
        match decide(&body, 1_000) {
            Decision::Expired(l) => {
                assert_eq!(l.holder, "x[31mfake");
                assert_eq!(l.command, "c");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decisions() {
        let l = Lease::new("a".into(), "c".into(), 0);
        let body = serde_json::to_string(&l).unwrap();
        assert_eq!(decide(&body, 1), Decision::Held(l.clone()));
        assert_eq!(decide(&body, l.expires_ms), Decision::Expired(l));
        assert_eq!(decide("{}", 1), Decision::Unreadable);
    }
}
