//! The SCIM filter grammar (RFC 7644 §3.4.2.2) parsed into a small tree,
//! and the paths of PATCH operations (§3.5.2), which share its pieces.
//!
//! Written here rather than taken from a crate: the crates on crates.io
//! either apply a filter to rows already in memory (`scim-filter`) or give
//! no tree we could translate to SQL; Roster's filters must run in the
//! database (`filter_sql`). The parser is a recursive descent over tokens,
//! with `not` binding tighter than `and`, and `and` tighter than `or`; it is
//! property-tested never to panic on any input.
//!
//! Attribute names and operators are case-insensitive; string values keep
//! their case (whether a comparison ignores case is the attribute's rule,
//! decided in SQL).

use std::fmt;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value`.
    Compare(AttrPath, CompareOp, Value),
    /// `attr pr`.
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: the inner filter's paths are sub-attributes
    /// of `attr`.
    ValuePath(AttrPath, Box<Filter>),
}

/// `[urn:…:]attr[.sub]`, names kept as written (compare them with
/// [`AttrPath::is`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, when the path names one (an extension's attribute).
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Whether this path is `attr` (with no sub-attribute), ignoring case.
    pub fn is(&self, attr: &str) -> bool {
        self.sub.is_none() && self.attr.eq_ignore_ascii_case(attr)
    }

    /// Whether this path is `attr.sub`, ignoring case.
    pub fn is_sub(&self, attr: &str, sub: &str) -> bool {
        self.attr.eq_ignore_ascii_case(attr)
            && self
                .sub
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(sub))
    }

    /// The path with `sub` as a sub-attribute of `parent` (a value path's
    /// inner filter names `type`, meaning `emails.type`).
    pub fn under(&self, parent: &AttrPath) -> AttrPath {
        AttrPath {
            urn: parent.urn.clone(),
            attr: parent.attr.clone(),
            sub: Some(self.attr.clone()),
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        write!(f, "{}", self.attr)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// `eq ne co sw ew gt ge lt le`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }
}

/// A comparison's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl Value {
    /// The value as text (a number or boolean as written in JSON).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Num(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
        }
    }
}

/// Why a filter or path did not parse; the message is what the SCIM error's
/// `detail` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest filter accepted; providers send short ones.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest nesting of parentheses and `not`, so a hostile filter cannot
/// exhaust the stack.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    /// An attribute path, operator or keyword: letters, digits, `_ - . : $`.
    Word(String),
    Str(String),
    Num(f64),
}

fn tokens(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '[' => {
                chars.next();
                out.push(Token::OpenBracket);
            }
            ']' => {
                chars.next();
                out.push(Token::CloseBracket);
            }
            '"' => {
                // A JSON string: find its closing quote, then let serde_json
                // read the escapes.
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (i, c) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        end = Some(i);
                        break;
                    }
                }
                let end = end.ok_or_else(|| {
                    FilterError(format!(
                        "The string starting at character {at} is not closed."
                    ))
                })?;
                let text: String = serde_json::from_str(&input[at..=end]).map_err(|_| {
                    FilterError(format!(
                        "The string starting at character {at} has a bad escape."
                    ))
                })?;
                if text.chars().any(char::is_control) {
                    return Err(FilterError(format!(
                        "The string starting at character {at} holds a control character."
                    )));
                }
                out.push(Token::Str(text));
            }
            c if c.is_ascii_alphanumeric() || "_-.:$+".contains(c) => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_ascii_alphanumeric() || "_-.:$+".contains(c) {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let numeric = word.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                    && word.parse::<f64>().is_ok_and(f64::is_finite);
                out.push(if numeric {
                    Token::Num(word.parse().unwrap_or_default())
                } else {
                    Token::Word(word)
                });
            }
            other => {
                return Err(FilterError(format!(
                    "Unexpected character {} at {at}.",
                    crate::domain::shown(&other.to_string())
                )));
            }
        }
    }
    Ok(out)
}

/// Reads `[urn:]attr[.sub]` from a word.
pub fn attr_path(word: &str) -> Result<AttrPath, FilterError> {
    let bad = || {
        FilterError(format!(
            "{} is not an attribute path.",
            crate::domain::shown(word)
        ))
    };
    // A URN is everything up to the last ':'; the attribute follows.
    let (urn, rest) = match word.rfind(':') {
        Some(i) if word[..i].to_ascii_lowercase().starts_with("urn:") => {
            (Some(word[..i].to_owned()), &word[i + 1..])
        }
        Some(_) => return Err(bad()),
        None => (None, word),
    };
    let mut parts = rest.split('.');
    let attr = parts.next().unwrap_or_default();
    let sub = parts.next();
    let name_ok = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '$')
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    if parts.next().is_some() || !name_ok(attr) || sub.is_some_and(|s| !name_ok(s)) {
        return Err(bad());
    }
    Ok(AttrPath {
        urn,
        attr: attr.to_owned(),
        sub: sub.map(str::to_owned),
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn deeper(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError(format!(
                "The filter nests deeper than {MAX_DEPTH} levels."
            )));
        }
        Ok(())
    }

    /// or-expression: and-expression { "or" and-expression }.
    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.next();
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.next();
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
            self.next();
            self.deeper()?;
            let inner = self.group()?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Token::Open) {
            self.deeper()?;
            let inner = self.group()?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.attribute_expression()
    }

    /// "(" filter ")".
    fn group(&mut self) -> Result<Filter, FilterError> {
        self.next(); // the '('
        let inner = self.or()?;
        match self.next() {
            Some(Token::Close) => Ok(inner),
            _ => Err(FilterError("A '(' is not closed by ')'.".to_owned())),
        }
    }

    fn attribute_expression(&mut self) -> Result<Filter, FilterError> {
        let path = match self.next() {
            Some(Token::Word(word)) => attr_path(&word)?,
            Some(other) => {
                return Err(FilterError(format!(
                    "Expected an attribute name, found {}.",
                    describe(&other)
                )));
            }
            None => return Err(FilterError("The filter ends too early.".to_owned())),
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.next();
            self.deeper()?;
            let inner = self.or()?;
            self.depth -= 1;
            if self.next() != Some(Token::CloseBracket) {
                return Err(FilterError(format!("The '[' after {path} is not closed.")));
            }
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        let op = match self.next() {
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("pr") => {
                return Ok(Filter::Present(path));
            }
            Some(Token::Word(word)) => CompareOp::parse(&word).ok_or_else(|| {
                FilterError(format!(
                    "{} is not an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr).",
                    crate::domain::shown(&word)
                ))
            })?,
            Some(other) => {
                return Err(FilterError(format!(
                    "Expected an operator after {path}, found {}.",
                    describe(&other)
                )));
            }
            None => {
                return Err(FilterError(format!("Expected an operator after {path}.")));
            }
        };
        let value = match self.next() {
            Some(Token::Str(s)) => Value::Str(s),
            Some(Token::Num(n)) => Value::Num(n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
            Some(other) => {
                return Err(FilterError(format!(
                    "Expected a value (a quoted string, number, true, false or null) after {path}, found {}.",
                    describe(&other)
                )));
            }
            None => {
                return Err(FilterError(format!("Expected a value after {path}.")));
            }
        };
        Ok(Filter::Compare(path, op, value))
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Open => "'('".to_owned(),
        Token::Close => "')'".to_owned(),
        Token::OpenBracket => "'['".to_owned(),
        Token::CloseBracket => "']'".to_owned(),
        Token::Word(w) => crate::domain::shown(w),
        Token::Str(s) => format!("the string {}", crate::domain::shown(s)),
        Token::Num(n) => format!("the number {n}"),
    }
}

/// Parses a whole filter.
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(FilterError(format!(
            "The filter is longer than {MAX_FILTER_LEN} characters."
        )));
    }
    let mut parser = Parser {
        tokens: tokens(input)?,
        at: 0,
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(FilterError("The filter is empty.".to_owned()));
    }
    let filter = parser.or()?;
    match parser.next() {
        None => Ok(filter),
        Some(extra) => Err(FilterError(format!(
            "Unexpected {} after a complete filter (join filters with and / or).",
            describe(&extra)
        ))),
    }
}

/// A PATCH operation's `path`: `attr`, `attr.sub`, `urn:…:attr`,
/// `attr[filter]` or `attr[filter].sub`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    /// The `[filter]` choosing which values of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`.
    pub sub: Option<String>,
}

/// Parses a PATCH `path`.
pub fn parse_patch_path(input: &str) -> Result<PatchPath, FilterError> {
    let input = input.trim();
    if input.len() > MAX_FILTER_LEN {
        return Err(FilterError("The path is too long.".to_owned()));
    }
    let Some(open) = input.find('[') else {
        return Ok(PatchPath {
            attr: attr_path(input)?,
            filter: None,
            sub: None,
        });
    };
    let close = input
        .rfind(']')
        .filter(|&close| close > open)
        .ok_or_else(|| {
            FilterError(format!(
                "The '[' in {} is not closed.",
                crate::domain::shown(input)
            ))
        })?;
    let attr = attr_path(&input[..open])?;
    if attr.sub.is_some() {
        return Err(FilterError(format!(
            "{} filters a sub-attribute; filter the attribute itself.",
            crate::domain::shown(input)
        )));
    }
    let filter = parse_filter(&input[open + 1..close])?;
    let rest = &input[close + 1..];
    let sub = if rest.is_empty() {
        None
    } else {
        let name = rest.strip_prefix('.').ok_or_else(|| {
            FilterError(format!(
                "Unexpected {} after ']'.",
                crate::domain::shown(rest)
            ))
        })?;
        let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            return Err(FilterError(format!(
                "{} is not a sub-attribute.",
                crate::domain::shown(name)
            )));
        }
        Some(name.to_owned())
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(attr: &str, sub: Option<&str>) -> AttrPath {
        AttrPath {
            urn: None,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        }
    }

    fn eq(attr: &str, value: &str) -> Filter {
        Filter::Compare(
            path(attr, None),
            CompareOp::Eq,
            Value::Str(value.to_owned()),
        )
    }

    #[test]
    fn every_operator_parses_in_any_case() {
        for (word, op) in [
            ("eq", CompareOp::Eq),
            ("NE", CompareOp::Ne),
            ("Co", CompareOp::Co),
            ("sw", CompareOp::Sw),
            ("ew", CompareOp::Ew),
            ("gt", CompareOp::Gt),
            ("GE", CompareOp::Ge),
            ("lt", CompareOp::Lt),
            ("le", CompareOp::Le),
        ] {
            assert_eq!(
                parse_filter(&format!("userName {word} \"bjensen\"")),
                Ok(Filter::Compare(
                    path("userName", None),
                    op,
                    Value::Str("bjensen".into())
                )),
                "{word}"
            );
        }
        assert_eq!(
            parse_filter("title PR"),
            Ok(Filter::Present(path("title", None)))
        );
    }

    #[test]
    fn values_of_every_kind() {
        assert_eq!(
            parse_filter("active eq true"),
            Ok(Filter::Compare(
                path("active", None),
                CompareOp::Eq,
                Value::Bool(true)
            ))
        );
        assert_eq!(
            parse_filter("active eq False"),
            Ok(Filter::Compare(
                path("active", None),
                CompareOp::Eq,
                Value::Bool(false)
            ))
        );
        assert_eq!(
            parse_filter("x.y ge -1.5"),
            Ok(Filter::Compare(
                path("x", Some("y")),
                CompareOp::Ge,
                Value::Num(-1.5)
            ))
        );
        assert_eq!(
            parse_filter("externalId eq null"),
            Ok(Filter::Compare(
                path("externalId", None),
                CompareOp::Eq,
                Value::Null
            ))
        );
        assert_eq!(
            parse_filter(r#"userName eq "a \"quoted\" \u00e9""#),
            Ok(eq("userName", "a \"quoted\" é"))
        );
    }

    #[test]
    fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
        let a = || Box::new(eq("a", "1"));
        let b = || Box::new(eq("b", "2"));
        let c = || Box::new(eq("c", "3"));
        assert_eq!(
            parse_filter(r#"a eq "1" or b eq "2" and c eq "3""#),
            Ok(Filter::Or(a(), Box::new(Filter::And(b(), c()))))
        );
        assert_eq!(
            parse_filter(r#"(a eq "1" or b eq "2") and c eq "3""#),
            Ok(Filter::And(Box::new(Filter::Or(a(), b())), c()))
        );
        assert_eq!(
            parse_filter(r#"not (a eq "1") and b eq "2""#),
            Ok(Filter::And(Box::new(Filter::Not(a())), b()))
        );
        assert_eq!(
            parse_filter(r#"a eq "1" AND b eq "2" Or c eq "3""#),
            Ok(Filter::Or(Box::new(Filter::And(a(), b())), c()))
        );
    }

    #[test]
    fn value_paths_and_urns() {
        assert_eq!(
            parse_filter(r#"emails[type eq "work" and value co "@example.com"]"#),
            Ok(Filter::ValuePath(
                path("emails", None),
                Box::new(Filter::And(
                    Box::new(eq("type", "work")),
                    Box::new(Filter::Compare(
                        path("value", None),
                        CompareOp::Co,
                        Value::Str("@example.com".into())
                    ))
                ))
            ))
        );
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(
            parse_filter(&format!("{urn}:employeeNumber eq \"42\"")),
            Ok(Filter::Compare(
                AttrPath {
                    urn: Some(urn.to_owned()),
                    attr: "employeeNumber".into(),
                    sub: None
                },
                CompareOp::Eq,
                Value::Str("42".into())
            ))
        );
        assert_eq!(
            parse_filter("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr"),
            Ok(Filter::Present(AttrPath {
                urn: Some("urn:ietf:params:scim:schemas:core:2.0:User".into()),
                attr: "name".into(),
                sub: Some("givenName".into())
            }))
        );
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        for (filter, says) in [
            ("", "empty"),
            ("userName", "operator"),
            ("userName eq", "value"),
            ("userName xx \"a\"", "not an operator"),
            ("userName eq \"a", "not closed"),
            ("(userName eq \"a\"", "not closed"),
            ("userName eq \"a\")", "Unexpected"),
            (
                "userName eq \"a\" userName eq \"b\"",
                "after a complete filter",
            ),
            ("emails[type eq \"work\"", "not closed"),
            ("a.b.c eq \"x\"", "not an attribute path"),
            ("userName eq bjensen", "Expected a value"),
            ("userName eq \"a\" and", "ends too early"),
            ("userName eq \"\\q\"", "bad escape"),
            ("userName ! \"a\"", "Unexpected character"),
        ] {
            let error = parse_filter(filter).expect_err(filter);
            assert!(error.0.contains(says), "{filter:?}: {}", error.0);
        }
        let deep = format!("{}a eq \"1\"{}", "(".repeat(100), ")".repeat(100));
        assert!(parse_filter(&deep).unwrap_err().0.contains("deeper"));
        let nots = format!("{}a eq \"1\"{}", "not (".repeat(100), ")".repeat(100));
        assert!(parse_filter(&nots).unwrap_err().0.contains("deeper"));
    }

    #[test]
    fn patch_paths() {
        assert_eq!(
            parse_patch_path("name.givenName"),
            Ok(PatchPath {
                attr: path("name", Some("givenName")),
                filter: None,
                sub: None
            })
        );
        assert_eq!(
            parse_patch_path(r#"members[value eq "2819c223"]"#),
            Ok(PatchPath {
                attr: path("members", None),
                filter: Some(eq("value", "2819c223")),
                sub: None
            })
        );
        assert_eq!(
            parse_patch_path(r#"emails[type eq "work"].value"#),
            Ok(PatchPath {
                attr: path("emails", None),
                filter: Some(eq("type", "work")),
                sub: Some("value".into())
            })
        );
        assert!(parse_patch_path("emails[type eq \"work\"]x").is_err());
        assert!(parse_patch_path("emails[").is_err());
        assert!(parse_patch_path("").is_err());
    }

    mod never_panics {
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn on_any_text(input in ".{0,200}") {
                let _ = super::parse_filter(&input);
                let _ = super::parse_patch_path(&input);
            }

            #[test]
            fn on_filter_shaped_text(
                input in r#"(not |\(|\)|\[|\]|and |or |userName |emails|\.value |eq |pr |co |"x" |"\\" |1 |true |urn:a:b:c |:|\.| ){0,40}"#
            ) {
                let _ = super::parse_filter(&input);
                let _ = super::parse_patch_path(&input);
            }
        }
    }
}
