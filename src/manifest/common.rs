//! Small value types shared by several manifests: command lines, platforms, either/or
//! shapes. Each reads itself from a node and describes itself in the JSON Schema. Pure.

use super::decode::{Cx, Decode, Spanned};
use super::yaml::{Node, Value};
use schemars::JsonSchema;

/// A TCP or UDP port number, 1 to 65535. Out-of-range values are reported when read,
/// in the same words as every other range: "`image.port` is 0, must be from 1 to 65535".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Port(pub u16);

impl Port {
    /// The smallest port.
    pub const MIN: u16 = 1;
    /// The largest port.
    pub const MAX: u16 = 65535;
}

impl std::fmt::Display for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl JsonSchema for Port {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Port".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port number.",
            "type": "integer",
            "minimum": Port::MIN,
            "maximum": Port::MAX
        })
    }
}

impl Decode for Port {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let n = match &node.value {
            Value::Scalar(s) if s.style == super::yaml::Style::Plain => s.text.parse::<i128>().ok(),
            _ => None,
        };
        match n {
            Some(n) if (i128::from(Port::MIN)..=i128::from(Port::MAX)).contains(&n) => {
                u16::try_from(n).ok().map(Port)
            }
            Some(n) => {
                cx.error(
                    super::diag::Code::Range,
                    node.span,
                    format!(
                        "`{}` is {n}, must be from {} to {}",
                        cx.path(),
                        Port::MIN,
                        Port::MAX
                    ),
                );
                None
            }
            None => {
                cx.type_error(node, "a port number from 1 to 65535");
                None
            }
        }
    }
}

/// A command line: a list of arguments, or a string split like a shell would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command(pub Vec<String>);

impl Command {
    /// The arguments.
    pub fn args(&self) -> &[String] {
        &self.0
    }
}

impl JsonSchema for Command {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Command".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A command: a string split like a shell would, or a list of arguments.",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

impl Decode for Command {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Seq(_) => Vec::<String>::decode(node, cx).map(Command),
            Value::Scalar(s) if !node.is_null() => match shell_split(&s.text) {
                Some(args) => Some(Command(args)),
                None => {
                    let path = cx.path();
                    cx.invalid(node.span, format!("`{path}` has an unclosed quote"), None);
                    None
                }
            },
            _ => {
                cx.type_error(node, "a string or a list of strings");
                None
            }
        }
    }
}

/// Splits a command string into arguments: spaces separate, single and double quotes
/// group, backslash escapes. `None` for an unclosed quote.
pub fn shell_split(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                cur.push(chars.next()?);
                in_word = true;
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        out.push(cur);
    }
    Some(out)
}

/// Operating system family of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub enum OsFamily {
    #[serde(rename = "LINUX")]
    Linux,
    #[serde(rename = "WINDOWS_SERVER_2019_CORE")]
    WindowsServer2019Core,
    #[serde(rename = "WINDOWS_SERVER_2019_FULL")]
    WindowsServer2019Full,
    #[serde(rename = "WINDOWS_SERVER_2022_CORE")]
    WindowsServer2022Core,
    #[serde(rename = "WINDOWS_SERVER_2022_FULL")]
    WindowsServer2022Full,
}

impl OsFamily {
    /// Whether this is a Windows family.
    pub fn is_windows(self) -> bool {
        self != OsFamily::Linux
    }
}

/// CPU architecture of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum Arch {
    X86_64,
    Arm64,
}

/// `platform`: `linux/x86_64`, `linux/arm64`, `windows/x86_64`, or
/// `{osfamily, architecture}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// OS family.
    pub os: OsFamily,
    /// Architecture.
    pub arch: Arch,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: OsFamily::Linux,
            arch: Arch::X86_64,
        }
    }
}

const PLATFORM_STRINGS: &[&str] = &[
    "linux/amd64",
    "linux/x86_64",
    "linux/arm64",
    "linux/arm",
    "windows/amd64",
    "windows/x86_64",
];
const OS_FAMILIES: &[&str] = &[
    "linux",
    "windows_server_2019_core",
    "windows_server_2019_full",
    "windows_server_2022_core",
    "windows_server_2022_full",
];
const ARCHES: &[&str] = &["x86_64", "amd64", "arm64", "arm"];

fn parse_os(s: &str) -> Option<OsFamily> {
    Some(match s.to_ascii_lowercase().as_str() {
        "linux" => OsFamily::Linux,
        "windows" | "windows_server_2019_core" => OsFamily::WindowsServer2019Core,
        "windows_server_2019_full" => OsFamily::WindowsServer2019Full,
        "windows_server_2022_core" => OsFamily::WindowsServer2022Core,
        "windows_server_2022_full" => OsFamily::WindowsServer2022Full,
        _ => return None,
    })
}

fn parse_arch(s: &str) -> Option<Arch> {
    Some(match s.to_ascii_lowercase().as_str() {
        "x86_64" | "amd64" => Arch::X86_64,
        "arm64" | "arm" => Arch::Arm64,
        _ => return None,
    })
}

impl Decode for Platform {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar(_) => {
                let s = String::decode(node, cx)?;
                let parsed = s.split_once('/').and_then(|(os, arch)| {
                    let os = match os {
                        "linux" => OsFamily::Linux,
                        "windows" => OsFamily::WindowsServer2019Core,
                        _ => return None,
                    };
                    Some(Platform {
                        os,
                        arch: parse_arch(arch)?,
                    })
                });
                if parsed.is_none() {
                    let path = cx.path();
                    cx.invalid(
                        node.span,
                        format!("`{path}` is not a known platform: `{s}`"),
                        Some(one_of(&s, PLATFORM_STRINGS)),
                    );
                }
                parsed
            }
            Value::Map(_) => {
                let mut f = super::decode::Fields::new(node, cx, "platform")?;
                let os: Option<Spanned<String>> = f.req(cx, "osfamily");
                let arch: Option<Spanned<String>> = f.req(cx, "architecture");
                f.finish(cx);
                let (os, arch) = (os?, arch?);
                let o = parse_os(&os);
                if o.is_none() {
                    cx.invalid(
                        os.span,
                        format!("`{}` is not a known OS family", os.value),
                        Some(one_of(&os, OS_FAMILIES)),
                    );
                }
                let a = parse_arch(&arch);
                if a.is_none() {
                    cx.invalid(
                        arch.span,
                        format!("`{}` is not a known architecture", arch.value),
                        Some(one_of(&arch, ARCHES)),
                    );
                }
                Some(Platform { os: o?, arch: a? })
            }
            Value::Seq(_) => {
                cx.type_error(node, "a string like `linux/arm64` or a mapping");
                None
            }
        }
    }
}

impl JsonSchema for Platform {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Platform".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Operating system and CPU architecture of the task.",
            "anyOf": [
                {"type": "string", "enum": PLATFORM_STRINGS},
                {"type": "object", "additionalProperties": false, "required": ["osfamily", "architecture"],
                 "properties": {"osfamily": {"type": "string", "enum": OS_FAMILIES}, "architecture": {"type": "string", "enum": ARCHES}}}
            ]
        })
    }
}

/// "expected one of a, b, c" plus the closest value.
pub fn one_of(got: &str, allowed: &[&str]) -> String {
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match super::decode::suggest(got, allowed) {
        Some(s) => format!("did you mean `{s}`? expected one of {list}"),
        None => format!("expected one of {list}"),
    }
}

/// Reads a string that must be one of `allowed` (matched exactly).
pub fn decode_choice(
    node: &Node,
    cx: &mut Cx,
    allowed: &[&'static str],
) -> Option<Spanned<&'static str>> {
    let s = String::decode(node, cx)?;
    match allowed.iter().find(|a| **a == s) {
        Some(a) => Some(Spanned::new(*a, node.span)),
        None => {
            let path = cx.path();
            cx.invalid(
                node.span,
                format!("`{path}` cannot be `{s}`"),
                Some(one_of(&s, allowed)),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_split_handles_quotes_and_escapes() {
        assert_eq!(shell_split("npm start").unwrap(), ["npm", "start"]);
        assert_eq!(
            shell_split(r#"sh -c "echo 'hi there'""#).unwrap(),
            ["sh", "-c", "echo 'hi there'"]
        );
        assert_eq!(shell_split(r"a\ b ''").unwrap(), ["a b", ""]);
        assert!(shell_split("echo 'oops").is_none());
        assert!(shell_split("   ").unwrap().is_empty());
    }

    #[test]
    fn one_of_suggests() {
        assert!(one_of("linux/arm65", PLATFORM_STRINGS).starts_with("did you mean `linux/arm64`"));
    }
}
