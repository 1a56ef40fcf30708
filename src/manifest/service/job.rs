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
    /// Never triggered by a schedule; runs when its state machine is started.
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
            if (fields[2] == "?") == (fields[4] == "?") {
                return Err(err(format!(
                    "`{t}`: EventBridge needs `?` in exactly one of day-of-month and day-of-week"
                )));
            }
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

impl Schedule {
    /// The next `n` times (Unix seconds, UTC) after `after` that a cron schedule fires,
    /// found minute by minute over at most five years. `None` for a rate (its times
    /// count from when EventBridge created the rule), for `none`, and for the AWS-only
    /// forms `L`, `W` and `#`, which wharf does not evaluate.
    pub fn next_runs(&self, after: u64, n: usize) -> Option<Vec<u64>> {
        let Schedule::Cron(c) = self else { return None };
        if c.contains(['L', 'W', '#']) {
            return None;
        }
        let f: Vec<&str> = c.split_whitespace().collect();
        let sets = [
            expand(f[0], 0, 59, &[])?,
            expand(f[1], 0, 23, &[])?,
            expand(f[2], 1, 31, &[])?,
            expand(f[3], 1, 12, &MONTHS)?,
            expand(f[4], 1, 7, &DAYS)?,
        ];
        let years = if f[5] == "*" {
            None
        } else {
            Some(expand(f[5], 1970, 2199, &[])?)
        };
        let mut out = Vec::new();
        let mut t = (after / 60 + 1) * 60;
        let end = after + 5 * 366 * 86_400;
        while out.len() < n && t < end {
            let days = t / 86_400;
            let (y, mo, d) = civil(days as i64);
            let dow = ((days + 4) % 7) as u32 + 1; // 1970-01-01 was a Thursday; 1 = Sunday.
            let day_ok = if f[2] == "?" {
                sets[4].contains(&dow)
            } else {
                sets[2].contains(&d)
            };
            let ok_day = day_ok
                && sets[3].contains(&mo)
                && years.as_ref().is_none_or(|ys| ys.contains(&(y as u32)));
            if !ok_day {
                t = (days + 1) * 86_400;
                continue;
            }
            let (h, m) = ((t % 86_400 / 3600) as u32, (t % 3600 / 60) as u32);
            if sets[1].contains(&h) && sets[0].contains(&m) {
                out.push(t);
            }
            t += 60;
        }
        Some(out)
    }
}

/// The values a cron field allows: `*`, `?`, lists, ranges, steps and names.
fn expand(field: &str, lo: u32, hi: u32, names: &[&str]) -> Option<Vec<u32>> {
    let val = |p: &str| {
        p.parse::<u32>().ok().or_else(|| {
            names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(p))
                .map(|i| i as u32 + lo)
        })
    };
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (item, 1),
        };
        let (a, b) = match range {
            "*" | "?" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (val(a)?, val(b)?),
                None if step > 1 => (val(r)?, hi),
                None => (val(r)?, val(r)?),
            },
        };
        out.extend((a..=b).step_by(step as usize));
    }
    Some(out)
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-12-01 03:00 UTC`.
pub fn utc_minute(t: u64) -> String {
    let (y, m, d) = civil((t / 86_400) as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        t % 86_400 / 3600,
        t % 3600 / 60
    )
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
    if (value == 1) == u.ends_with('s') {
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
/// (1 = Sunday). Numbers, ranges and steps become the days they mean, written as
/// EventBridge ranges (`1-5` → `2-6`, `5-7` → `1,6-7`, `0-7` → `*`); names stay as they
/// are (they mean the same in both).
fn aws_day_of_week(field: &str) -> String {
    let mut days = std::collections::BTreeSet::new();
    let mut names = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().unwrap_or(1).max(1)),
            None => (item, 1),
        };
        let bounds = match range {
            "*" => Some((0, 6)),
            r => match r.split_once('-') {
                Some((a, b)) => a.parse::<u32>().ok().zip(b.parse::<u32>().ok()),
                None => r
                    .parse::<u32>()
                    .ok()
                    .map(|v| (v, if step > 1 { 7 } else { v })),
            },
        };
        match bounds {
            Some((a, b)) => days.extend((a..=b).step_by(step as usize).map(|d| d % 7 + 1)),
            None => names.push(item.to_string()),
        }
    }
    if days.len() == 7 && names.is_empty() {
        return "*".into();
    }
    // Consecutive days as ranges.
    let days: Vec<u32> = days.into_iter().collect();
    let mut parts = Vec::new();
    let mut k = 0;
    while k < days.len() {
        let start = days[k];
        while k + 1 < days.len() && days[k + 1] == days[k] + 1 {
            k += 1;
        }
        parts.push(if days[k] == start {
            start.to_string()
        } else {
            format!("{start}-{}", days[k])
        });
        k += 1;
    }
    parts.extend(names);
    parts.join(",")
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
        assert_eq!(expr("0 0 * * 5-7").unwrap(), "cron(0 0 ? * 1,6-7 *)");
        assert_eq!(expr("0 3 * * 0-7").unwrap(), "cron(0 3 * * ? *)");
        assert_eq!(expr("0 3 * * 0-6").unwrap(), "cron(0 3 * * ? *)");
        assert_eq!(expr("0 3 * * 1-5/2").unwrap(), "cron(0 3 ? * 2,4,6 *)");
        assert_eq!(expr("0 3 * * */2").unwrap(), "cron(0 3 ? * 1,3,5,7 *)");
        assert_eq!(expr("0 3 * * 6,0").unwrap(), "cron(0 3 ? * 1,7 *)");
        assert_eq!(expr("0 0 * * MON-FRI").unwrap(), "cron(0 0 ? * MON-FRI *)");
        assert_eq!(expr("30 2 1 * *").unwrap(), "cron(30 2 1 * ? *)");
        assert_eq!(
            expr("cron(0 12 ? * MON#1 *)").unwrap(),
            "cron(0 12 ? * MON#1 *)"
        );
        assert_eq!(expr("cron(0 18 L * ? *)").unwrap(), "cron(0 18 L * ? *)");
    }

    #[test]
    fn next_runs_follow_the_cron_in_utc() {
        // 2026-12-01 05:10 UTC, a Tuesday.
        let now = 1_796_101_800;
        assert_eq!(utc_minute(now), "2026-12-01 05:10 UTC");
        let runs = |s: &str| {
            Schedule::parse(s)
                .unwrap()
                .next_runs(now, 3)
                .map(|v| v.into_iter().map(utc_minute).collect::<Vec<_>>())
        };
        assert_eq!(
            runs("0 3 * * *").unwrap(),
            [
                "2026-12-02 03:00 UTC",
                "2026-12-03 03:00 UTC",
                "2026-12-04 03:00 UTC"
            ]
        );
        assert_eq!(
            runs("@weekly").unwrap(),
            [
                "2026-12-06 00:00 UTC",
                "2026-12-13 00:00 UTC",
                "2026-12-20 00:00 UTC"
            ]
        );
        assert_eq!(
            runs("*/20 5 * * 2").unwrap(),
            [
                "2026-12-01 05:20 UTC",
                "2026-12-01 05:40 UTC",
                "2026-12-08 05:00 UTC"
            ]
        );
        // Within five years: one leap day.
        assert_eq!(runs("0 0 29 2 *").unwrap(), ["2028-02-29 00:00 UTC"]);
        assert_eq!(runs("@every 1h"), None);
        assert_eq!(runs("cron(0 18 L * ? *)"), None);
        assert_eq!(runs("none"), None);
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
            (
                "cron(0 3 * * * *)",
                "exactly one of day-of-month and day-of-week",
            ),
            (
                "cron(0 3 ? * ? *)",
                "exactly one of day-of-month and day-of-week",
            ),
            ("0 0 * 13 *", "not a valid month"),
            ("0 0 * * 8", "not a valid day of the week"),
            ("*/0 * * * *", "not a valid step"),
        ] {
            let e = Schedule::parse(s).unwrap_err();
            assert!(e.message.contains(needle), "{s}: {}", e.message);
        }
    }
}
