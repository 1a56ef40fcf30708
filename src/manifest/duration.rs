//! Durations as Copilot manifests write them: Go's `time.ParseDuration` syntax
//! (`30s`, `1m30s`, `500ms`, `1.5h`). Pure.

use super::decode::{Cx, Decode};
use super::yaml::Node;
use std::fmt;

/// A non-negative duration with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

impl Duration {
    /// From whole seconds.
    pub const fn from_secs(s: u64) -> Self {
        Duration { millis: s * 1000 }
    }

    /// Milliseconds.
    pub fn as_millis(self) -> u64 {
        self.millis
    }

    /// Whole seconds, if the duration is a whole number of seconds.
    pub fn whole_secs(self) -> Option<u64> {
        self.millis
            .is_multiple_of(1000)
            .then_some(self.millis / 1000)
    }

    /// Seconds, rounded down.
    pub fn secs(self) -> u64 {
        self.millis / 1000
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole_secs() {
            Some(s) => write!(f, "{s}s"),
            None => write!(f, "{}ms", self.millis),
        }
    }
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

/// Parses `1h2m3.5s`-style text.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DurationError("empty duration".into()));
    }
    if t == "0" {
        return Ok(Duration { millis: 0 });
    }
    let mut rest = t;
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(DurationError(format!("`{t}` is not a duration")));
        }
        let (num, tail) = rest.split_at(num_len);
        let n: f64 = num
            .parse()
            .map_err(|_| DurationError(format!("`{num}` is not a number")))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let factor_ms = match unit {
            "ns" => 1e-6,
            "us" | "µs" | "μs" => 1e-3,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "" => {
                return Err(DurationError(format!(
                    "`{t}` has no unit; write it like `{num}s`"
                )));
            }
            u => return Err(DurationError(format!("unknown unit `{u}` in `{t}`"))),
        };
        total += n * factor_ms;
        rest = next;
    }
    if !total.is_finite() || total > 1e15 {
        return Err(DurationError(format!("`{t}` is too long")));
    }
    Ok(Duration {
        millis: total.round() as u64,
    })
}

impl Decode for Duration {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = String::decode(node, cx)?;
        match parse(&text) {
            Ok(d) => Some(d),
            Err(DurationError(msg)) => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!("`{path}` is not a valid duration: {msg}"),
                    Some("write durations like `30s`, `1m30s` or `500ms`".into()),
                );
                None
            }
        }
    }
}

impl schemars::JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
            "description": "A duration such as 30s, 1m30s or 500ms."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("2m30s").unwrap().secs(), 150);
        assert_eq!(parse("500ms").unwrap().as_millis(), 500);
        assert_eq!(parse("1.5h").unwrap().secs(), 5400);
        assert_eq!(parse("0").unwrap().as_millis(), 0);
    }

    #[test]
    fn rejects_bad_durations_with_reasons() {
        assert!(parse("30").unwrap_err().0.contains("no unit"));
        assert!(parse("10x").unwrap_err().0.contains("unknown unit"));
        assert!(parse("s").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn whole_seconds_only_when_exact() {
        assert_eq!(parse("1500ms").unwrap().whole_secs(), None);
        assert_eq!(parse("2s").unwrap().whole_secs(), Some(2));
    }
}
