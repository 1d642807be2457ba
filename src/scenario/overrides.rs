//! Overrides of scenario fields by dotted name, applied to the TOML document before validation,
//! so that every type and range check of the scenario applies to the overriding values too.
//!
//! Used by `[sweep]` (each point is a set of overrides) and meant for the portfolio command
//! (CSV columns named by dotted key). The API is narrow: [`OverrideKey::parse`] reads a dotted
//! name, [`apply_overrides`] / [`apply_overrides_to_table`] write values into a document.
//!
//! Key syntax:
//! - `table.key` or deeper, e.g. `demand.rate`, `costs.holding.capital`,
//!   `scenario.horizon_years`, `demand.order_size.mean`;
//! - for the arrays of tables `[[policy]]` and `[[partner]]` the element is chosen by its
//!   `name`: `policy.scrap-60.retain`, `partner.dealer.reliability`; or by 0-based index:
//!   `policy[0].retain`, `partner[1].share` (use the index form for names with dots).
//!
//! A key may name a field the document does not set (it is added, as if written in the file);
//! whether it exists in the schema is decided by the normal validation that follows, which
//! names unknown keys with a suggestion.
//!
//! A key has at most [`MAX_KEY_SEGMENTS`] segments (the deepest scenario key has four): a
//! deeper one is refused when it is parsed, before it could nest tables without end.

use std::fmt;

use toml::{Table, Value};

pub use super::keys::policy::MAX_KEY_SEGMENTS;

/// Longest key text shown in a message, in characters.
const SHOWN_KEY_CHARS: usize = 120;

/// `key` for messages: at most [`MAX_KEY_SEGMENTS`] segments and about 120 characters, the
/// rest elided with "…" (a key of thousands of segments would fill the screen).
pub fn shorten_key(key: &str) -> String {
    let mut segments = key.split('.');
    let kept: Vec<&str> = segments.by_ref().take(MAX_KEY_SEGMENTS).collect();
    let mut short = kept.join(".");
    let mut cut = segments.next().is_some();
    if short.chars().count() > SHOWN_KEY_CHARS {
        short = short.chars().take(SHOWN_KEY_CHARS).collect();
        cut = true;
    }
    if cut {
        short.push('…');
    }
    short
}

/// One segment of a dotted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An element of an array of tables by 0-based index (`policy[0]`).
    Index(String, usize),
}

/// A parsed dotted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideKey {
    /// The key as written.
    pub text: String,
    segments: Vec<Segment>,
}

/// Why an override cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The key is not a dotted name.
    #[error("`{}` is not a dotted scenario key: {reason}", shorten_key(key))]
    Syntax {
        /// The key as written.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The key goes through something that is not a table, or names an element that does
    /// not exist.
    #[error("`{}`: {reason}", shorten_key(key))]
    Path {
        /// The key as written.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// `text` with its first character mapped by `case` ("partner dealers" → "Partner dealers").
fn first_char<I: Iterator<Item = char>>(text: &str, case: impl Fn(char) -> I) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => case(first).chain(chars).collect(),
        None => String::new(),
    }
}

/// Arrays of tables whose elements are chosen by name.
const NAMED_ARRAYS: &[&str] = &["policy", "partner"];

impl OverrideKey {
    /// The key's name for a chart axis or a table column, from the key table's label: "Demand
    /// half-life (years)" for `demand.half_life_years`, "Partner dealers: buy-back
    /// reliability (share of requests honoured)" for `partner.dealers.reliability`, with
    /// "currency" replaced by `currency` (e.g. "EUR"). A key the table has no label for keeps
    /// its dotted text.
    pub fn title(&self, currency: &str) -> String {
        let mut path: Vec<String> = Vec::new();
        let mut element = None;
        let mut segments = self.segments.iter().peekable();
        while let Some(segment) = segments.next() {
            match segment {
                Segment::Key(array)
                    if path.is_empty() && NAMED_ARRAYS.contains(&array.as_str()) =>
                {
                    let Some(Segment::Key(name)) = segments.next() else {
                        return self.text.clone();
                    };
                    path.push(format!("{array}[]"));
                    element = Some(format!("{array} {name}"));
                }
                Segment::Index(array, i) if path.is_empty() => {
                    path.push(format!("{array}[]"));
                    element = Some(format!("{array}[{i}]"));
                }
                Segment::Key(key) => path.push(key.clone()),
                Segment::Index(..) => return self.text.clone(),
            }
        }
        let label = match super::keys::find(&path.join(".")) {
            Some(key) if !key.label.is_empty() => key.label.replace("currency", currency),
            _ => return self.text.clone(),
        };
        match element {
            None => label,
            Some(element) => format!(
                "{}: {}",
                first_char(&element, char::to_uppercase),
                first_char(&label, char::to_lowercase)
            ),
        }
    }

    /// Parses `demand.rate`, `policy.scrap-60.retain`, `policy[0].retain`; at most
    /// [`MAX_KEY_SEGMENTS`] segments.
    pub fn parse(text: &str) -> Result<OverrideKey, OverrideError> {
        let syntax = |reason: &str| OverrideError::Syntax {
            key: text.to_string(),
            reason: reason.to_string(),
        };
        let depth = text.split('.').count();
        if depth > MAX_KEY_SEGMENTS {
            return Err(syntax(&format!(
                "{depth} segments; a dotted key has at most {MAX_KEY_SEGMENTS} (the deepest \
                 scenario key has four, e.g. `policy.<name>.retain.quantile`)"
            )));
        }
        let mut segments = Vec::new();
        for part in text.split('.') {
            let part = part.trim();
            if part.is_empty() {
                return Err(syntax("an empty segment (two dots, or a dot at an end)"));
            }
            if let Some(open) = part.find('[') {
                let name = &part[..open];
                let index = part[open + 1..]
                    .strip_suffix(']')
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| syntax("an index is written `name[0]`"))?;
                if name.is_empty() {
                    return Err(syntax("an index needs an array name, e.g. `policy[0]`"));
                }
                segments.push(Segment::Index(name.to_string(), index));
            } else {
                segments.push(Segment::Key(part.to_string()));
            }
        }
        if segments.len() < 2 {
            return Err(syntax(
                "expected at least table.key, e.g. `demand.rate` or `part.on_hand`",
            ));
        }
        Ok(OverrideKey {
            text: text.to_string(),
            segments,
        })
    }

    /// Builds a key from the segments of a nested TOML table: `[sweep] policy.a-b.retain`
    /// parses as nested tables, `"demand.rate"` as one quoted key; both are the dotted name
    /// of their segments joined by dots.
    pub fn from_segments(parts: &[String]) -> Result<OverrideKey, OverrideError> {
        OverrideKey::parse(&parts.join("."))
    }

    /// The key as validation names it, with array elements by index (`policy[2].retain`),
    /// resolved against `doc`; `None` when it cannot be resolved.
    pub fn canonical(&self, doc: &Table) -> Option<String> {
        let (path, _) = self.resolve(doc).ok()?;
        Some(path)
    }

    /// Resolves the key against `doc`: its canonical name and the steps to the field.
    fn resolve(&self, doc: &Table) -> Result<(String, Vec<Step>), OverrideError> {
        let err = |reason: String| OverrideError::Path {
            key: self.text.clone(),
            reason,
        };
        let mut steps = Vec::new();
        let mut names = Vec::new();
        let mut i = 0;
        let mut current: Option<&Table> = Some(doc);
        while i < self.segments.len() {
            let last = i + 1 == self.segments.len();
            match &self.segments[i] {
                Segment::Index(name, index) => {
                    let items = current
                        .and_then(|t| t.get(name))
                        .and_then(Value::as_array)
                        .ok_or_else(|| {
                            err(format!("the scenario has no array of tables [[{name}]]"))
                        })?;
                    let item = items.get(*index).and_then(Value::as_table).ok_or_else(|| {
                        err(format!(
                            "[[{name}]] has {} element(s); index {index} is out of range",
                            items.len()
                        ))
                    })?;
                    if last {
                        return Err(err(format!(
                            "names a whole [[{name}]] element; add a field, e.g. `{name}[{index}].retain`"
                        )));
                    }
                    steps.push(Step::Element(name.clone(), *index));
                    names.push(format!("{name}[{index}]"));
                    current = Some(item);
                    i += 1;
                }
                Segment::Key(key) if i == 0 && NAMED_ARRAYS.contains(&key.as_str()) => {
                    let items = current
                        .and_then(|t| t.get(key))
                        .and_then(Value::as_array)
                        .ok_or_else(|| {
                            err(format!("the scenario has no array of tables [[{key}]]"))
                        })?;
                    let element_names: Vec<&str> = items
                        .iter()
                        .filter_map(|v| v.as_table()?.get("name")?.as_str())
                        .collect();
                    let Some(Segment::Key(wanted)) = self.segments.get(1) else {
                        return Err(err(format!(
                            "expected `{key}.<name>.<field>` or `{key}[<index>].<field>`"
                        )));
                    };
                    let index = items
                        .iter()
                        .position(|v| {
                            v.as_table()
                                .and_then(|t| t.get("name"))
                                .and_then(Value::as_str)
                                == Some(wanted.as_str())
                        })
                        .ok_or_else(|| {
                            let suggestion = element_names
                                .iter()
                                .map(|n| (strsim::jaro_winkler(wanted, n), *n))
                                .filter(|(s, _)| *s > 0.8)
                                .max_by(|a, b| a.0.total_cmp(&b.0))
                                .map(|(_, n)| format!("did you mean `{key}.{n}`? "))
                                .unwrap_or_default();
                            err(format!(
                                "no [[{key}]] is named \"{wanted}\"; {suggestion}names: {}",
                                element_names
                                    .iter()
                                    .map(|n| format!("\"{n}\""))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })?;
                    if self.segments.len() < 3 {
                        return Err(err(format!(
                            "names a whole [[{key}]] element; add a field, e.g. `{key}.{wanted}.retain`"
                        )));
                    }
                    steps.push(Step::Element(key.clone(), index));
                    names.push(format!("{key}[{index}]"));
                    current = items[index].as_table();
                    i += 2;
                }
                Segment::Key(key) => {
                    names.push(key.clone());
                    if last {
                        steps.push(Step::Field(key.clone()));
                    } else {
                        let next = current.and_then(|t| t.get(key));
                        match next {
                            Some(Value::Table(t)) => current = Some(t),
                            None => current = None,
                            Some(other) => {
                                return Err(err(format!(
                                    "`{}` is {}, not a table",
                                    names.join("."),
                                    type_name(other)
                                )));
                            }
                        }
                        steps.push(Step::Table(key.clone()));
                    }
                    i += 1;
                }
            }
        }
        Ok((names.join("."), steps))
    }
}

impl fmt::Display for OverrideKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

enum Step {
    Table(String),
    Element(String, usize),
    Field(String),
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// The value `key` has in `doc`, if it is set there.
pub fn get_value<'d>(doc: &'d Table, key: &OverrideKey) -> Option<&'d Value> {
    let (_, steps) = key.resolve(doc).ok()?;
    let mut current = doc;
    for step in steps {
        match step {
            Step::Table(k) => current = current.get(&k)?.as_table()?,
            Step::Element(k, i) => current = current.get(&k)?.as_array()?.get(i)?.as_table()?,
            Step::Field(k) => return current.get(&k),
        }
    }
    None
}

/// Sets each `(key, value)` in `doc`, creating missing tables on the way. Returns each key's
/// canonical name (`policy[2].retain`), as validation messages name it.
pub fn apply_overrides_to_table(
    doc: &mut Table,
    overrides: &[(OverrideKey, Value)],
) -> Result<Vec<String>, OverrideError> {
    let mut names = Vec::with_capacity(overrides.len());
    for (key, value) in overrides {
        let (name, steps) = key.resolve(doc)?;
        let mut current = &mut *doc;
        for step in steps {
            match step {
                Step::Table(k) => {
                    current = current
                        .entry(k)
                        .or_insert_with(|| Value::Table(Table::new()))
                        .as_table_mut()
                        .expect("resolve checked that this is a table");
                }
                Step::Element(k, i) => {
                    current = current
                        .get_mut(&k)
                        .and_then(Value::as_array_mut)
                        .and_then(|a| a.get_mut(i))
                        .and_then(Value::as_table_mut)
                        .expect("resolve checked that this element exists");
                }
                Step::Field(k) => {
                    current.insert(k, value.clone());
                }
            }
        }
        names.push(name);
    }
    Ok(names)
}

/// Parses scenario `text`, applies the overrides (see [`apply_overrides_to_table`]) and
/// returns the new document as TOML text, ready for [`super::Scenario::from_toml`]. The
/// `[sweep]` table, if any, is dropped: the result is one point.
pub fn apply_overrides(
    text: &str,
    overrides: &[(OverrideKey, Value)],
) -> Result<String, OverrideError> {
    let mut doc: Table = text
        .parse()
        .map_err(|e: toml::de::Error| OverrideError::Syntax {
            key: "(document)".into(),
            reason: format!("not valid TOML: {}", e.message()),
        })?;
    doc.remove("sweep");
    apply_overrides_to_table(&mut doc, overrides)?;
    Ok(doc.to_string())
}

/// [`apply_overrides`] with the keys as text (`"demand.rate"`, `"policy.scrap-60.retain"`),
/// e.g. the column names of a CSV file.
pub fn apply_dotted(text: &str, overrides: &[(&str, Value)]) -> Result<String, OverrideError> {
    let parsed = overrides
        .iter()
        .map(|(k, v)| Ok((OverrideKey::parse(k)?, v.clone())))
        .collect::<Result<Vec<_>, OverrideError>>()?;
    apply_overrides(text, &parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
[demand]
model = "constant"
rate = 2.0
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap-60"
kind = "scrap"
retain = 60
"#;

    fn key(k: &str) -> OverrideKey {
        OverrideKey::parse(k).unwrap()
    }

    #[test]
    fn titles_come_from_the_key_table() {
        assert_eq!(
            key("demand.half_life_years").title("EUR"),
            "Demand half-life (years)"
        );
        assert_eq!(
            key("partner.dealers.reliability").title("EUR"),
            "Partner dealers: buy-back reliability (share of requests honoured)"
        );
        assert_eq!(
            key("partner[1].buyback_price").title("EUR"),
            "Partner[1]: buy-back price (EUR per unit)"
        );
        assert_eq!(
            key("policy.scrap-60.retain.quantile").title("EUR"),
            "Policy scrap-60: retained level's demand quantile"
        );
        assert_eq!(
            key("costs.shortage_penalty").title("USD"),
            "Shortage penalty (USD per unit short)"
        );
        // Unknown keys and malformed paths keep their text.
        assert_eq!(key("demand.no_such_key").title("EUR"), "demand.no_such_key");
        assert_eq!(key("partner.dealers").title("EUR"), "partner.dealers");
    }

    /// Every key a sweep can vary (a number, numbers, a whole number or a retained level)
    /// has a label, so no axis of a sweep chart shows a raw dotted key.
    #[test]
    fn every_sweepable_key_has_a_title() {
        use crate::scenario::keys::{Kind, all_keys};
        let mut checked = 0;
        for (path, k) in all_keys() {
            if !matches!(
                k.kind,
                Kind::Number
                    | Kind::Numbers
                    | Kind::Integer
                    | Kind::Retain
                    | Kind::NumberOrDistribution
            ) {
                continue;
            }
            let dotted = path
                .replace("partner[]", "partner.north")
                .replace("policy[]", "policy.scrap");
            let title = key(&dotted).title("EUR");
            assert!(!k.label.is_empty(), "{path} has no label");
            assert_ne!(title, dotted, "{path}");
            checked += 1;
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn sets_plain_and_named_and_indexed_fields() {
        let out = apply_overrides(
            DOC,
            &[
                (key("demand.rate"), Value::Float(3.5)),
                (key("policy.scrap-60.retain"), Value::Integer(10)),
                (key("policy[0].at_years"), Value::Integer(1)),
                (key("costs.holding_rate"), Value::Float(0.2)),
            ],
        )
        .unwrap();
        let doc: Table = out.parse().unwrap();
        assert_eq!(doc["demand"]["rate"].as_float(), Some(3.5));
        assert_eq!(doc["policy"][1]["retain"].as_integer(), Some(10));
        assert_eq!(doc["policy"][0]["at_years"].as_integer(), Some(1));
        assert_eq!(doc["costs"]["holding_rate"].as_float(), Some(0.2));
    }

    #[test]
    fn dotted_text_keys_work_too() {
        let out = apply_dotted(DOC, &[("policy.hold.at_years", Value::Float(0.5))]).unwrap();
        let doc: Table = out.parse().unwrap();
        assert_eq!(doc["policy"][0]["at_years"].as_float(), Some(0.5));
        assert!(apply_dotted(DOC, &[("rate", Value::Float(1.0))]).is_err());
    }

    #[test]
    fn canonical_names_use_indices() {
        let doc: Table = DOC.parse().unwrap();
        assert_eq!(
            key("policy.scrap-60.retain").canonical(&doc).as_deref(),
            Some("policy[1].retain")
        );
        assert_eq!(
            get_value(&doc, &key("policy.scrap-60.retain")),
            Some(&Value::Integer(60))
        );
    }

    #[test]
    fn unknown_names_and_bad_paths_are_errors() {
        let doc: Table = DOC.parse().unwrap();
        let e = key("policy.scrap-6.retain").canonical(&doc);
        assert!(e.is_none());
        let err =
            apply_overrides(DOC, &[(key("policy.scrap-6.retain"), Value::Integer(1))]).unwrap_err();
        assert!(
            err.to_string().contains("did you mean `policy.scrap-60`"),
            "{err}"
        );
        let err = apply_overrides(DOC, &[(key("demand.rate.x"), Value::Integer(1))]).unwrap_err();
        assert!(err.to_string().contains("not a table"), "{err}");
        let err =
            apply_overrides(DOC, &[(key("policy[5].retain"), Value::Integer(1))]).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
        assert!(OverrideKey::parse("rate").is_err());
        assert!(OverrideKey::parse("demand..rate").is_err());
    }

    #[test]
    fn keys_deeper_than_the_limit_are_refused_with_a_short_message() {
        let limit = ["a"; MAX_KEY_SEGMENTS].join(".");
        assert!(OverrideKey::parse(&limit).is_ok());
        let deep = vec!["a"; 100_000].join(".");
        let err = OverrideKey::parse(&deep).unwrap_err().to_string();
        assert!(
            err.contains("100000 segments; a dotted key has at most 8"),
            "{err}"
        );
        assert!(err.len() < 400, "{} characters", err.len());
    }
}
