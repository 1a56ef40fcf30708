//! wharf's own environment variables, read and checked once per command: how often
//! CloudFormation and ECS are polled, the size above which templates go through the
//! application's bucket, and the bound of one AWS call. A value that is set but not a
//! number is an error naming the variable, never a silent default.

use std::sync::OnceLock;
use std::time::Duration;

/// Milliseconds between polls of CloudFormation (default 2000).
pub const POLL_INTERVAL_MS: &str = "WHARF_POLL_INTERVAL_MS";
/// Milliseconds between polls of an ECS rollout (default 3000, the watcher's own).
pub const WATCH_INTERVAL_MS: &str = "WHARF_WATCH_INTERVAL_MS";
/// Template size in bytes above which templates are uploaded (default 51,200).
pub const INLINE_TEMPLATE_LIMIT_VAR: &str = "WHARF_INLINE_TEMPLATE_LIMIT";
/// Seconds one AWS call may take, retries included (default 30, at most 3600).
pub const AWS_CALL_TIMEOUT_VAR: &str = "WHARF_AWS_CALL_TIMEOUT";

/// The longest poll interval: a minute (a slower poll would outlast short timeouts).
pub const MAX_INTERVAL_MS: u64 = 60_000;

/// CloudFormation's limit for a template sent inline, in bytes.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// The settings of this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Between polls of CloudFormation.
    pub poll_interval: Duration,
    /// Between polls of an ECS rollout; `None`: the watcher's default.
    pub watch_interval: Option<Duration>,
    /// Templates larger than this (bytes) go through the application's bucket.
    pub inline_template_limit: usize,
    /// The bound of one AWS call, retries included; `None`: the default.
    pub aws_call_timeout: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll_interval: Duration::from_secs(2),
            watch_interval: None,
            inline_template_limit: INLINE_TEMPLATE_LIMIT,
            aws_call_timeout: None,
        }
    }
}

impl Settings {
    /// Reads the variables through `lookup` (an empty value counts as unset).
    ///
    /// # Errors
    /// A sentence naming the first variable whose value is not a whole number, or is 0.
    pub fn resolve(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let number = |var: &str, unit: &str, max: u64| -> Result<Option<u64>, String> {
            match lookup(var).filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 && n <= max => Ok(Some(n)),
                    _ => Err(format!(
                        "{var}={v:?} is not a number of {unit} from 1 to {max}"
                    )),
                },
            }
        };
        let d = Settings::default();
        Ok(Settings {
            poll_interval: number(POLL_INTERVAL_MS, "milliseconds", MAX_INTERVAL_MS)?
                .map_or(d.poll_interval, Duration::from_millis),
            watch_interval: number(WATCH_INTERVAL_MS, "milliseconds", MAX_INTERVAL_MS)?
                .map(Duration::from_millis),
            inline_template_limit: number(
                INLINE_TEMPLATE_LIMIT_VAR,
                "bytes",
                INLINE_TEMPLATE_LIMIT as u64,
            )?
            .map_or(d.inline_template_limit, |n| {
                usize::try_from(n).unwrap_or(INLINE_TEMPLATE_LIMIT)
            }),
            aws_call_timeout: number(AWS_CALL_TIMEOUT_VAR, "seconds", 3600)?
                .map(Duration::from_secs),
        })
    }
}

static CURRENT: OnceLock<Settings> = OnceLock::new();

/// Reads the process environment into this run's settings; the first call wins.
///
/// # Errors
/// As [`Settings::resolve`].
pub fn init() -> Result<(), String> {
    let s = Settings::resolve(|k| std::env::var(k).ok())?;
    let _ = CURRENT.set(s);
    Ok(())
}

/// This run's settings ([`init`]); the defaults when it was never called (tests).
pub fn current() -> Settings {
    CURRENT.get().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Settings, String> {
        Settings::resolve(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn unset_or_empty_is_the_default_and_numbers_are_taken() {
        assert_eq!(from(&[]).unwrap(), Settings::default());
        assert_eq!(
            from(&[(POLL_INTERVAL_MS, "")]).unwrap(),
            Settings::default()
        );
        assert_eq!(
            from(&[(POLL_INTERVAL_MS, " ")]).unwrap(),
            Settings::default()
        );
        let s = from(&[
            (POLL_INTERVAL_MS, "100"),
            (WATCH_INTERVAL_MS, "250"),
            (INLINE_TEMPLATE_LIMIT_VAR, "1000"),
            (AWS_CALL_TIMEOUT_VAR, "5"),
        ])
        .unwrap();
        assert_eq!(s.poll_interval, Duration::from_millis(100));
        assert_eq!(s.watch_interval, Some(Duration::from_millis(250)));
        assert_eq!(s.inline_template_limit, 1000);
        assert_eq!(s.aws_call_timeout, Some(Duration::from_secs(5)));
    }

    #[test]
    fn a_value_that_is_not_a_number_is_an_error_naming_the_variable() {
        for bad in ["abc", "-5", "0", "1.5", "60001", "18446744073709551615"] {
            let e = from(&[(WATCH_INTERVAL_MS, bad)]).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "WHARF_WATCH_INTERVAL_MS=\"{bad}\" is not a number of milliseconds from 1 to 60000"
                )),
                "{e}"
            );
        }
        assert!(from(&[(AWS_CALL_TIMEOUT_VAR, "3601")]).is_err());
        assert!(from(&[(INLINE_TEMPLATE_LIMIT_VAR, "51201")]).is_err());
        let e = from(&[(AWS_CALL_TIMEOUT_VAR, "soon")]).unwrap_err();
        assert!(e.contains("seconds"), "{e}");
    }
}
