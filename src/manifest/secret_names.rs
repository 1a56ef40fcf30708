//! Names that look like they hold secrets, and hiding their values in what wharf shows.
//!
//! A plain variable whose name looks secret (`STRIPE_KEY: sk_live_…`) is a warning that
//! never repeats the value; and the source lines shown under any diagnostic (the line of
//! an error and the lines around it) show such a value as `*`s, whatever the error is,
//! even when the file does not parse. Pure.

/// Parts of a name that make it look like it holds a secret, even inside a longer word
/// (`DBPASSWORD`).
const SECRET_PARTS: &[&str] = &["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIAL"];

/// Whole words that make a name look like it holds a secret (`GITHUB_TOKEN`, but not
/// `TOKENIZER`).
const SECRET_WORDS: &[&str] = &["TOKEN", "APIKEY", "PRIVATE"];

/// Names ending in `KEY` that usually hold no secret.
const PLAIN_KEYS: &[&str] = &[
    "PUBLIC_KEY",
    "CACHE_KEY",
    "PARTITION_KEY",
    "SORT_KEY",
    "HASH_KEY",
    "PRIMARY_KEY",
    "ROUTING_KEY",
    "RANGE_KEY",
    "IDEMPOTENCY_KEY",
    "KMS_KEY",
];

/// Whether a variable name looks like it holds a secret: a secret part or word
/// (`DB_PASSWORD`, `GithubToken`), or a name ending in the word `KEY` (`STRIPE_KEY`,
/// `SIGNING_KEY`, `API_KEY`) other than the usual non-secret keys (`CACHE_KEY`, …).
pub fn looks_secret(name: &str) -> bool {
    // Words split at `_`, `-`, `.` and lower-to-upper case changes (`stripeKey`).
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if (!ch.is_ascii_alphanumeric() || (prev_lower && ch.is_ascii_uppercase()))
            && !word.is_empty()
        {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        if ch.is_ascii_alphanumeric() {
            word.push(ch.to_ascii_uppercase());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // `private` alone is a manifest key (`subnets.private`, `http.private`), not a
    // secret's name; `PRIVATE_KEY` and `privateToken` still are.
    if words.len() == 1 && words[0] == "PRIVATE" {
        return false;
    }
    let joined = words.join("_");
    if SECRET_PARTS.iter().any(|p| joined.contains(p))
        || SECRET_WORDS.iter().any(|w| words.iter().any(|x| x == w))
    {
        return true;
    }
    words.last().is_some_and(|w| w == "KEY" || w == "KEYS")
        && !PLAIN_KEYS.iter().any(|p| joined.ends_with(p))
}

/// The byte range of the value on one source line of the form `NAME: value` (block
/// mapping entry, optionally a `- ` list item) whose name looks secret; `None` for any
/// other line, and for values that are references rather than secrets (an SSM parameter
/// path `/…` or an ARN).
pub fn secret_value(line: &str) -> Option<std::ops::Range<usize>> {
    let body_start = line.len() - line.trim_start_matches([' ', '-']).len();
    let body = &line[body_start..];
    let colon = body.find(':')?;
    let name = body[..colon].trim().trim_matches(['"', '\'']);
    if name.is_empty() || name.contains(char::is_whitespace) || !looks_secret(name) {
        return None;
    }
    let after = &body[colon + 1..];
    let value = after.trim();
    let value = value.split_once(" #").map_or(value, |(v, _)| v.trim_end());
    let unquoted = value.trim_matches(['"', '\'', '[', '{', ' ']);
    if value.is_empty() || unquoted.starts_with('/') || unquoted.starts_with("arn:") {
        return None;
    }
    let start = body_start + colon + 1 + (after.len() - after.trim_start().len());
    Some(start..start + value.len())
}

/// `line` with the value of a secret-looking name replaced by `*`, one per byte, so
/// every other offset on the line stays where it was.
pub fn mask_line(line: &str) -> std::borrow::Cow<'_, str> {
    match secret_value(line) {
        Some(r) => {
            let mut s = String::with_capacity(line.len());
            s.push_str(&line[..r.start]);
            s.push_str(&"*".repeat(r.len()));
            s.push_str(&line[r.end..]);
            std::borrow::Cow::Owned(s)
        }
        None => std::borrow::Cow::Borrowed(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_secret_looking_names_are_masked() {
        assert_eq!(
            mask_line("  STRIPE_KEY: sk_live_123"),
            "  STRIPE_KEY: ***********"
        );
        assert_eq!(
            mask_line("  DB_PASSWORD: \"hunter2\"  # old"),
            "  DB_PASSWORD: *********  # old"
        );
        assert_eq!(
            mask_line("  STRIPE_KEY: [sk_live_123]"),
            "  STRIPE_KEY: *************"
        );
        assert_eq!(
            mask_line("  - GITHUB_TOKEN: ghp_x"),
            "  - GITHUB_TOKEN: *****"
        );
        assert_eq!(
            mask_line("  STRIPE_KEY: 'sk_live_123"),
            "  STRIPE_KEY: ************"
        );
    }

    #[test]
    fn other_lines_and_references_are_shown() {
        for line in [
            "  CACHE_KEY: users",
            "  PORT: 80",
            "  DB_PASSWORD: /shop/test/db-password",
            "  DB_PASSWORD: arn:aws:ssm:us-east-1:123456789012:parameter/x",
            "  DB_PASSWORD:",
            "variables:",
            "  # STRIPE_KEY is set below",
            "",
            "      private: [{cidr: 10.0.2.0/24}, {cidr: 10.0.3.0/24}]",
        ] {
            assert_eq!(mask_line(line), line);
        }
        assert_ne!(mask_line("  PRIVATE_KEY: abc"), "  PRIVATE_KEY: abc");
    }

    #[test]
    fn masking_keeps_every_offset() {
        let line = "  API_KEY: \u{e9}t\u{e9} # note";
        let masked = mask_line(line);
        assert_eq!(masked.len(), line.len());
        assert!(masked.ends_with(" # note"));
    }
}
