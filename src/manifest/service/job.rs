//! Scheduled Job fields (`on.schedule`, `retries`, `timeout`) and the schedule's
//! conversion to an EventBridge schedule expression, following Copilot's rules
//! (<https://aws.github.io/copilot-cli/docs/manifest/scheduled-job/>) and AWS's syntax
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html>).
//! Pure.

use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::duration::{self, Duration};
use crate::manifest::yaml::Node;
use schemars::JsonSchema;

/// A Scheduled Job's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// `on.schedule`: when the job runs.
    pub schedule: Spanned<Schedule>,
    /// Times a failed task is run again (0–10). Default 0.
    pub retries: Option<Spanned<u32>>,
    /// Longest a run may take, retries included; the task is stopped then. Default none.
    pub timeout: Option<Spanned<Duration>>,
}

/// `on`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct On {
    /// When the job runs: a 5-field cron (`0 3 * * *`), `cron(...)`, `rate(...)`,
    /// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, `@every 30m`, or `none`
    /// (deployed, never triggered).
    pub schedule: String,
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// An AWS cron expression's six fields (minutes hours day-of-month month
    /// day-of-week year), as written inside `cron(...)`.
    Cron(String),
    /// Every `value` `unit`s (`minute`, `hour` or `day`).
    Rate {
        /// How many units.
        value: u64,
        /// `minute`, `hour` or `day`.
        unit: &'static str,
    },
    /// Never triggered by a schedule; run with `wharf job run`.
    None,
}

/// Why a schedule could not be read: the message, and how to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// What is wrong.
    pub message: String,
    /// How to write it.
    pub help: &'static str,
}

const HELP: &str = "write a 5-field cron like `0 3 * * *` (UTC), `cron(0 3 * * ? *)`, `rate(6 hours)`, `@daily`, `@every 30m` or `none`";

impl Schedule {
    /// Reads `on.schedule`.
    ///
    /// # Errors
    /// What is wrong with the text, e.g. a field out of range or a rate under a minute.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let t = text.trim();
        let err = |message: String| ScheduleError {
            message,
            help: HELP,
        };
        let preset = |s: &str| Ok(Schedule::Cron(s.to_string()));
        match t {
            "none" => return Ok(Schedule::None),
            "@yearly" | "@annually" => return preset("0 0 1 1 ? *"),
            "@monthly" => return preset("0 0 1 * ? *"),
            "@weekly" => return preset("0 0 ? * 1 *"),
            "@daily" | "@midnight" => return preset("0 0 * * ? *"),
            "@hourly" => return preset("0 * * * ? *"),
            _ => {}
        }
        if let Some(every) = t.strip_prefix("@every ") {
            let d = duration::parse(every).map_err(|e| err(format!("`{every}`: {}", e.0)))?;
            let ms = d.as_millis();
            if ms < 60_000 || ms % 60_000 != 0 {
                return Err(err(format!(
                    "`@every {every}` must be a whole number of minutes, at least one (EventBridge's finest rate)"
                )));
            }
            // Always in minutes, as Copilot writes it (`@every 2h` is `rate(120 minutes)`).
            return Ok(Schedule::Rate {
                value: ms / 60_000,
                unit: "minute",
            });
        }
        if t.starts_with('@') {
            return Err(err(format!("unknown schedule `{t}`")));
        }
        if let Some(inner) = t.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            return parse_rate(inner).map_err(err);
        }
        if let Some(inner) = t.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            let fields: Vec<&str> = inner.split_whitespace().collect();
            if fields.len() != 6 {
                return Err(err(format!(
                    "`cron(...)` needs 6 fields (minutes hours day-of-month month day-of-week year), found {}",
                    fields.len()
                )));
            }
            check_fields(&fields[..5], true).map_err(err)?;
            return Ok(Schedule::Cron(fields.join(" ")));
        }
        let fields: Vec<&str> = t.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(err(format!(
                "a cron schedule needs 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            )));
        }
        check_fields(&fields, false).map_err(err)?;
        let (mut dom, mut dow) = (fields[2].to_string(), aws_day_of_week(fields[4]));
        match (dom.as_str(), dow.as_str()) {
            (_, "*") => dow = "?".into(),
            ("*", _) => dom = "?".into(),
            _ => {
                return Err(err(format!(
                    "`{t}` sets both the day of the month and the day of the week; EventBridge takes one of them"
                )));
            }
        }
        Ok(Schedule::Cron(format!(
            "{} {} {dom} {} {dow} *",
            fields[0], fields[1], fields[3]
        )))
    }

    /// The EventBridge schedule expression, `None` for a job never triggered.
    pub fn expression(&self) -> Option<String> {
        match self {
            Schedule::Cron(c) => Some(format!("cron({c})")),
            Schedule::Rate { value, unit } => Some(format!(
                "rate({value} {unit}{})",
                if *value == 1 { "" } else { "s" }
            )),
            Schedule::None => None,
        }
    }
}

fn parse_rate(inner: &str) -> Result<Schedule, String> {
    let mut parts = inner.split_whitespace();
    let (Some(n), Some(u), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "`rate({inner})` must be a number and a unit, like `rate(5 minutes)`"
        ));
    };
    let value: u64 = n
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("`rate({inner})`: `{n}` is not a positive whole number"))?;
    let unit = match u {
        "minute" | "minutes" => "minute",
        "hour" | "hours" => "hour",
        "day" | "days" => "day",
        _ => {
            return Err(format!(
                "`rate({inner})`: the unit must be minutes, hours or days, found `{u}`"
            ));
        }
    };
    if (value == 1) != !u.ends_with('s') {
        return Err(format!(
            "`rate({inner})`: EventBridge wants `{value} {unit}{}`",
            if value == 1 { "" } else { "s" }
        ));
    }
    Ok(Schedule::Rate { value, unit })
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Checks minute, hour, day-of-month, month and day-of-week fields: numbers in range,
/// names, `*`, `,`, `-`, `/`, and in AWS form also `?`, `L`, `W` and `#`.
fn check_fields(fields: &[&str], aws: bool) -> Result<(), String> {
    let specs: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day of the month", 1, 31, &[]),
        ("month", 1, 12, &MONTHS),
        ("day of the week", if aws { 1 } else { 0 }, 7, &DAYS),
    ];
    for (field, (name, lo, hi, names)) in fields.iter().zip(specs) {
        for item in field.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            if let Some(s) = step
                && s.parse::<u32>().map_or(true, |v| v == 0 || v > hi)
            {
                return Err(format!(
                    "`{field}`: `/{s}` is not a valid step for the {name}"
                ));
            }
            if range == "*" || (aws && matches!(range, "?" | "L")) {
                continue;
            }
            let special = |p: &str| {
                aws && (p.ends_with('W') || p.ends_with('L') || p.contains('#'))
                    && p.trim_end_matches(['W', 'L'])
                        .split('#')
                        .all(|x| x.parse::<u32>().is_ok() || names.contains(&x))
            };
            let ok = |p: &str| {
                p.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v))
                    || names.iter().any(|n| n.eq_ignore_ascii_case(p))
                    || special(p)
            };
            let valid = match range.split_once('-') {
                Some((a, b)) => ok(a) && ok(b),
                None => ok(range),
            };
            if !valid {
                return Err(format!(
                    "`{item}` is not a valid {name} (allowed: {lo}-{hi}{})",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" or {}-{}", names[0], names[names.len() - 1])
                    }
                ));
            }
        }
    }
    Ok(())
}

/// A standard cron day-of-week field (0 or 7 = Sunday) in EventBridge's numbering
/// (1 = Sunday). Names are the same in both.
fn aws_day_of_week(field: &str) -> String {
    let shift = |p: &str| match p.parse::<u32>() {
        Ok(v) => ((v % 7) + 1).to_string(),
        Err(_) => p.to_string(),
    };
    field
        .split(',')
        .map(|item| {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let body = match range.split_once('-') {
                // `5-7` (Friday to Sunday) wraps in AWS numbering: `6-7,1`.
                Some((a, "7")) if a != "0" && a.parse::<u32>().is_ok() => {
                    format!("{}-7,1", shift(a))
                }
                Some((a, b)) => format!("{}-{}", shift(a), shift(b)),
                None => shift(range),
            };
            match step {
                Some(s) => format!("{body}/{s}"),
                None => body,
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Decode for Schedule {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = String::decode(node, cx)?;
        match Schedule::parse(&text) {
            Ok(s) => Some(s),
            Err(e) => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!("`{path}` is not a valid schedule: {}", e.message),
                    Some(e.help.into()),
                );
                None
            }
        }
    }
}

/// Decodes `on` and returns its schedule.
pub(super) fn decode_on(node: &Node, cx: &mut Cx) -> Option<Spanned<Schedule>> {
    let mut f = Fields::new(node, cx, "on")?;
    let s = f.req(cx, "schedule");
    f.finish(cx);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> Option<String> {
        Schedule::parse(s).unwrap().expression()
    }

    #[test]
    fn presets_and_rates_become_eventbridge_expressions() {
        assert_eq!(expr("@daily").unwrap(), "cron(0 0 * * ? *)");
        assert_eq!(expr("@hourly").unwrap(), "cron(0 * * * ? *)");
        assert_eq!(expr("@weekly").unwrap(), "cron(0 0 ? * 1 *)");
        assert_eq!(expr("@monthly").unwrap(), "cron(0 0 1 * ? *)");
        assert_eq!(expr("@yearly").unwrap(), "cron(0 0 1 1 ? *)");
        assert_eq!(expr("@every 30m").unwrap(), "rate(30 minutes)");
        assert_eq!(expr("@every 1m").unwrap(), "rate(1 minute)");
        assert_eq!(expr("@every 2h").unwrap(), "rate(120 minutes)");
        assert_eq!(expr("@every 1h30m").unwrap(), "rate(90 minutes)");
        assert_eq!(expr("rate(5 minutes)").unwrap(), "rate(5 minutes)");
        assert_eq!(expr("rate(1 day)").unwrap(), "rate(1 day)");
        assert_eq!(expr("none"), None);
    }

    #[test]
    fn five_field_cron_gets_a_question_mark_and_aws_day_numbers() {
        assert_eq!(expr("0 3 * * *").unwrap(), "cron(0 3 * * ? *)");
        assert_eq!(
            expr("*/15 9-17 * * 1-5").unwrap(),
            "cron(*/15 9-17 ? * 2-6 *)"
        );
        assert_eq!(expr("0 0 * * 0").unwrap(), "cron(0 0 ? * 1 *)");
        assert_eq!(expr("0 0 * * 7").unwrap(), "cron(0 0 ? * 1 *)");
        assert_eq!(expr("0 0 * * 5-7").unwrap(), "cron(0 0 ? * 6-7,1 *)");
        assert_eq!(expr("0 0 * * MON-FRI").unwrap(), "cron(0 0 ? * MON-FRI *)");
        assert_eq!(expr("30 2 1 * *").unwrap(), "cron(30 2 1 * ? *)");
        assert_eq!(
            expr("cron(0 12 ? * MON#1 *)").unwrap(),
            "cron(0 12 ? * MON#1 *)"
        );
        assert_eq!(expr("cron(0 18 L * ? *)").unwrap(), "cron(0 18 L * ? *)");
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        for (s, needle) in [
            ("0 3 * *", "needs 5 fields"),
            ("61 3 * * *", "not a valid minute"),
            ("0 24 * * *", "not a valid hour"),
            (
                "0 0 1 * 1",
                "both the day of the month and the day of the week",
            ),
            ("@every 30s", "whole number of minutes"),
            ("@every 90s", "whole number of minutes"),
            ("@every soon", "`soon`"),
            ("@often", "unknown schedule"),
            ("rate(0 minutes)", "positive whole number"),
            ("rate(5 weeks)", "minutes, hours or days"),
            ("rate(1 minutes)", "wants `1 minute`"),
            ("rate(5 minute)", "wants `5 minutes`"),
            ("cron(0 3 * * *)", "needs 6 fields"),
            ("0 0 * 13 *", "not a valid month"),
            ("0 0 * * 8", "not a valid day of the week"),
            ("*/0 * * * *", "not a valid step"),
        ] {
            let e = Schedule::parse(s).unwrap_err();
            assert!(e.message.contains(needle), "{s}: {}", e.message);
        }
    }
}
