//! A User as a SCIM JSON document, and PATCH applied to it (RFC 7644
//! §3.5.2) as identity providers really send it: op names in any case,
//! with and without `path`, path-less values with dotted or URN-prefixed
//! keys, value filters (`emails[type eq "work"].value`), `add` on a
//! single-valued attribute, string booleans. The patched document is then
//! read exactly as a PUT body would be, so PUT and PATCH share every rule.
//!
//! Group membership is not patched here: it is set-based in SQL
//! (`groups_service`), never loaded.

use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult, ScimType};
use super::filter::{CompareOp, Filter, PatchPath, Value as FilterValue, parse_patch_path};
use super::schema::{ENTERPRISE_USER, MAX_OPERATIONS, USER};

/// An attribute Roster keeps for a resource: its canonical name, and its
/// sub-attributes (empty for a simple one).
pub struct Attribute {
    pub name: &'static str,
    pub multi: bool,
    pub subs: &'static [&'static str],
}

const fn simple(name: &'static str) -> Attribute {
    Attribute {
        name,
        multi: false,
        subs: &[],
    }
}

const NAME_SUBS: &[&str] = &[
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
];
const VALUE_SUBS: &[&str] = &["value", "display", "type", "primary"];

/// The User's writable attributes (the core schema's part Roster keeps).
pub const USER_ATTRIBUTES: &[Attribute] = &[
    simple("externalId"),
    simple("userName"),
    Attribute {
        name: "name",
        multi: false,
        subs: NAME_SUBS,
    },
    simple("displayName"),
    simple("nickName"),
    simple("title"),
    simple("userType"),
    simple("preferredLanguage"),
    simple("locale"),
    simple("timezone"),
    simple("active"),
    simple("password"),
    Attribute {
        name: "emails",
        multi: true,
        subs: VALUE_SUBS,
    },
    Attribute {
        name: "phoneNumbers",
        multi: true,
        subs: VALUE_SUBS,
    },
];

/// The enterprise extension's attributes.
pub const ENTERPRISE_ATTRIBUTES: &[Attribute] = &[
    simple("employeeNumber"),
    simple("costCenter"),
    simple("organization"),
    simple("division"),
    simple("department"),
    Attribute {
        name: "manager",
        multi: false,
        subs: &["value", "$ref", "displayName"],
    },
];

/// Attributes a client may not write (400 mutability when a PATCH names
/// them; ignored in a PUT body, as RFC 7644 §3.5.1 says).
const READ_ONLY: &[&str] = &["id", "meta", "groups", "schemas"];

fn find<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

fn canonical_sub(attribute: &Attribute, name: &str) -> Option<&'static str> {
    attribute
        .subs
        .iter()
        .copied()
        .find(|s| s.eq_ignore_ascii_case(name))
}

/// "True"/"false" as sent by some providers, as JSON booleans.
fn boolean(value: Value) -> Value {
    match &value {
        Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        _ => value,
    }
}

/// One value of a complex attribute (`{"Value": …, "Primary": "true"}`)
/// with its keys in canonical case, unknown ones dropped.
fn canonical_item(attribute: &Attribute, value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, v) in object {
                if let Some(sub) = canonical_sub(attribute, &key) {
                    let v = if sub == "primary" { boolean(v) } else { v };
                    out.insert(sub.to_owned(), v);
                }
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// One attribute's value with its keys in canonical case and unknown
/// sub-attributes dropped.
fn canonical_value(attribute: &Attribute, value: Value) -> Value {
    let complex = |value: Value| canonical_item(attribute, value);
    if attribute.subs.is_empty() {
        return if attribute.name == "active" {
            boolean(value)
        } else {
            value
        };
    }
    match value {
        Value::Array(items) if attribute.multi => {
            Value::Array(items.into_iter().map(complex).collect())
        }
        other if attribute.multi && !other.is_null() => Value::Array(vec![complex(other)]),
        other => complex(other),
    }
}

/// A User body (POST, PUT, or a document after PATCH) with canonical keys,
/// unknown attributes dropped, read-only ones ignored.
pub fn canonical_user(body: &Value) -> ScimResult<Map<String, Value>> {
    let Value::Object(body) = body else {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            "The body must be a JSON object.",
        ));
    };
    let mut out = Map::new();
    for (key, value) in body {
        if key.eq_ignore_ascii_case(ENTERPRISE_USER) {
            if let Value::Object(extension) = value {
                let mut kept = Map::new();
                for (k, v) in extension {
                    if let Some(a) = find(ENTERPRISE_ATTRIBUTES, k) {
                        kept.insert(a.name.to_owned(), canonical_value(a, v.clone()));
                    }
                }
                out.insert(ENTERPRISE_USER.to_owned(), Value::Object(kept));
            }
        } else if let Some(a) = find(USER_ATTRIBUTES, key) {
            out.insert(a.name.to_owned(), canonical_value(a, value.clone()));
        }
    }
    Ok(out)
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: Op,
    pub path: Option<String>,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// Reads a PatchOp body's `Operations`.
pub fn operations(body: &Value) -> ScimResult<Vec<Operation>> {
    let syntax = |detail: &str| ScimError::bad(ScimType::InvalidSyntax, detail);
    let Value::Object(body) = body else {
        return Err(syntax("The body must be a JSON object."));
    };
    let list = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        .map(|(_, v)| v)
        .ok_or_else(|| syntax("The body has no \"Operations\"."))?;
    let Value::Array(list) = list else {
        return Err(syntax("\"Operations\" must be a list."));
    };
    if list.is_empty() {
        return Err(syntax("\"Operations\" is empty."));
    }
    if list.len() > MAX_OPERATIONS {
        return Err(ScimError::bad(
            ScimType::TooMany,
            format!(
                "{} operations are more than Roster takes in one request ({MAX_OPERATIONS}); send them in several.",
                list.len()
            ),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(item) = item else {
                return Err(syntax(&format!("Operation {} is not an object.", i + 1)));
            };
            let field = |name: &str| {
                item.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            };
            let op = match field("op") {
                Some(Value::String(op)) if op.eq_ignore_ascii_case("add") => Op::Add,
                Some(Value::String(op)) if op.eq_ignore_ascii_case("replace") => Op::Replace,
                Some(Value::String(op)) if op.eq_ignore_ascii_case("remove") => Op::Remove,
                _ => {
                    return Err(syntax(&format!(
                        "Operation {}: \"op\" must be add, replace or remove.",
                        i + 1
                    )));
                }
            };
            let path = match field("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => Some(p),
                Some(_) => {
                    return Err(syntax(&format!(
                        "Operation {}: \"path\" must be a string.",
                        i + 1
                    )));
                }
            };
            let value = field("value");
            if op != Op::Remove && value.is_none() {
                return Err(syntax(&format!(
                    "Operation {}: \"value\" is missing.",
                    i + 1
                )));
            }
            if op == Op::Remove && path.is_none() && value.is_none() {
                return Err(ScimError::bad(
                    ScimType::NoTarget,
                    format!("Operation {}: remove needs a \"path\".", i + 1),
                ));
            }
            Ok(Operation { op, path, value })
        })
        .collect()
}

/// Applies `operation` to a User document (canonical keys).
pub fn apply_to_user(doc: &mut Map<String, Value>, operation: &Operation) -> ScimResult<()> {
    let Some(path) = &operation.path else {
        // No path: the value is an object of attributes, each applied as
        // if it were the path (`name.givenName` and URN keys included).
        let Some(Value::Object(values)) = &operation.value else {
            return Err(ScimError::bad(
                ScimType::InvalidValue,
                "Without a \"path\", \"value\" must be an object of attributes.",
            ));
        };
        for (key, value) in values {
            // Okta sends the resource's own `id` (and `schemas`) in a
            // path-less replace: not a change.
            if ["schemas", "id", "meta"]
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k))
            {
                continue;
            }
            apply_to_user(
                doc,
                &Operation {
                    op: operation.op,
                    path: Some(key.clone()),
                    value: Some(value.clone()),
                },
            )?;
        }
        return Ok(());
    };
    // The extension as a whole: `"path": "urn:…:enterprise:2.0:User"`.
    if path.trim().eq_ignore_ascii_case(ENTERPRISE_USER) {
        return apply_extension(doc, operation);
    }
    let parsed = parse_patch_path(path).map_err(|e| ScimError::bad(ScimType::InvalidPath, e.0))?;
    let (container, attributes): (&mut Map<String, Value>, &[Attribute]) =
        match parsed.attr.urn.as_deref() {
            Some(urn) if urn.eq_ignore_ascii_case(ENTERPRISE_USER) => {
                let entry = doc
                    .entry(ENTERPRISE_USER.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                let Value::Object(extension) = entry else {
                    return Err(ScimError::new(
                        500,
                        None,
                        "The extension could not be made.",
                    ));
                };
                (extension, ENTERPRISE_ATTRIBUTES)
            }
            Some(urn) if !urn.eq_ignore_ascii_case(USER) => {
                // An extension Roster does not keep: ignored, like any
                // unknown attribute.
                return Ok(());
            }
            _ => (doc, USER_ATTRIBUTES),
        };
    if READ_ONLY
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&parsed.attr.attr))
    {
        return Err(ScimError::bad(
            ScimType::Mutability,
            format!("{} is read-only.", parsed.attr.attr),
        ));
    }
    let Some(attribute) = find(attributes, &parsed.attr.attr) else {
        return Ok(()); // Unknown attributes are ignored.
    };
    apply_at(container, attribute, &parsed, operation)?;
    if let Some(Value::Object(extension)) = doc.get(ENTERPRISE_USER)
        && extension.is_empty()
    {
        doc.remove(ENTERPRISE_USER);
    }
    Ok(())
}

fn apply_extension(doc: &mut Map<String, Value>, operation: &Operation) -> ScimResult<()> {
    match (operation.op, &operation.value) {
        (Op::Remove, _) => {
            doc.remove(ENTERPRISE_USER);
        }
        (_, Some(Value::Object(values))) => {
            for (key, value) in values {
                if key.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                apply_to_user(
                    doc,
                    &Operation {
                        op: operation.op,
                        path: Some(format!("{ENTERPRISE_USER}:{key}")),
                        value: Some(value.clone()),
                    },
                )?;
            }
        }
        _ => {
            return Err(ScimError::bad(
                ScimType::InvalidValue,
                "The extension's value must be an object of its attributes.",
            ));
        }
    }
    Ok(())
}

fn apply_at(
    container: &mut Map<String, Value>,
    attribute: &Attribute,
    path: &PatchPath,
    operation: &Operation,
) -> ScimResult<()> {
    let key = attribute.name.to_owned();
    // The sub-attribute named: `name.givenName`, or `emails[…].value`.
    let sub_name = path.attr.sub.as_deref().or(path.sub.as_deref());
    let sub = match sub_name {
        Some(name) => Some(canonical_sub(attribute, name).ok_or_else(|| {
            ScimError::bad(
                ScimType::InvalidPath,
                format!(
                    "{} has no sub-attribute {}.",
                    attribute.name,
                    crate::domain::shown(name)
                ),
            )
        })?),
        None => None,
    };
    // The value as the target takes it: a sub-attribute's as sent, one
    // value of a filtered list as one item, an attribute's whole.
    let value = operation.value.clone().map(|v| match (sub, &path.filter) {
        (Some(_), _) => v,
        (None, Some(_)) => canonical_item(attribute, v),
        (None, None) => canonical_value(attribute, v),
    });
    let sub_value = |v: Option<Value>| match (sub, v) {
        (Some("primary"), Some(v)) => Some(boolean(v)),
        (_, v) => v,
    };

    if let Some(filter) = &path.filter {
        if !attribute.multi {
            return Err(ScimError::bad(
                ScimType::InvalidPath,
                format!(
                    "{} is not multi-valued: it has no [filter].",
                    attribute.name
                ),
            ));
        }
        if !matches!(container.get(&key), Some(Value::Array(_))) {
            container.insert(key.clone(), Value::Array(Vec::new()));
        }
        let Some(Value::Array(items)) = container.get_mut(&key) else {
            return Err(ScimError::new(500, None, "A list could not be made."));
        };
        let matched: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| matches(filter, item))
            .map(|(i, _)| i)
            .collect();
        match operation.op {
            Op::Remove => {
                if let Some(sub) = sub {
                    for &i in &matched {
                        if let Value::Object(item) = &mut items[i] {
                            item.remove(sub);
                        }
                    }
                } else {
                    let mut i = 0;
                    items.retain(|_| {
                        let keep = !matched.contains(&i);
                        i += 1;
                        keep
                    });
                }
            }
            Op::Add | Op::Replace if matched.is_empty() => {
                if operation.op == Op::Replace && sub.is_none() {
                    return Err(ScimError::bad(
                        ScimType::NoTarget,
                        format!("No value of {} matches the filter.", attribute.name),
                    ));
                }
                // `emails[type eq "work"].value` on a user with no work
                // address: the address is added with the filter's values.
                let mut item = match (sub, sub_value(value)) {
                    (Some(sub), Some(v)) => Map::from_iter([(sub.to_owned(), v)]),
                    (None, Some(Value::Object(o))) => o,
                    _ => Map::new(),
                };
                for (name, v) in equalities(filter) {
                    if let Some(sub) = canonical_sub(attribute, &name) {
                        item.entry(sub.to_owned()).or_insert(v);
                    }
                }
                items.push(Value::Object(item));
            }
            Op::Add | Op::Replace => {
                let new = sub_value(value);
                for &i in &matched {
                    match (sub, &new, &mut items[i]) {
                        (Some(sub), Some(v), Value::Object(item)) => {
                            item.insert(sub.to_owned(), v.clone());
                        }
                        (None, Some(Value::Object(v)), Value::Object(item))
                            if operation.op == Op::Add =>
                        {
                            item.extend(v.clone());
                        }
                        (None, Some(v), slot) => *slot = v.clone(),
                        _ => {}
                    }
                }
            }
        }
        if items.is_empty() {
            container.remove(&key);
        }
        return Ok(());
    }

    match (sub, operation.op) {
        (None, Op::Remove) => {
            container.remove(&key);
        }
        (None, Op::Add) if attribute.multi => {
            let mut items = match container.remove(&key) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            match value {
                Some(Value::Array(new)) => {
                    for v in new {
                        // Adding a value already there changes nothing.
                        if !items.contains(&v) {
                            items.push(v);
                        }
                    }
                }
                Some(v) if !v.is_null() => items.push(v),
                _ => {}
            }
            container.insert(key, Value::Array(items));
        }
        (None, Op::Add) if !attribute.subs.is_empty() => match value {
            // Adding to a complex attribute merges its sub-attributes.
            Some(Value::Object(new)) if matches!(container.get(&key), Some(Value::Object(_))) => {
                if let Some(Value::Object(old)) = container.get_mut(&key) {
                    old.extend(new);
                }
            }
            Some(v) => {
                container.insert(key, v);
            }
            None => {}
        },
        (None, _) => {
            if let Some(v) = value {
                container.insert(key, v);
            }
        }
        (Some(sub), op) => {
            let v = sub_value(operation.value.clone());
            let set = |item: &mut Map<String, Value>| match (op, &v) {
                (Op::Remove, _) => {
                    item.remove(sub);
                }
                (_, Some(v)) => {
                    item.insert(sub.to_owned(), v.clone());
                }
                _ => {}
            };
            if attribute.multi {
                let items = container
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = items {
                    if items.is_empty() && op != Op::Remove {
                        items.push(Value::Object(Map::new()));
                    }
                    for item in items.iter_mut() {
                        if let Value::Object(item) = item {
                            set(item);
                        }
                    }
                }
            } else {
                let entry = container
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                if let Value::Object(item) = entry {
                    set(item);
                    if item.is_empty() {
                        container.remove(&key);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The `attr eq value` parts of a filter joined by `and`: what a new value
/// added through `emails[type eq "work"].value` is given.
fn equalities(filter: &Filter) -> Vec<(String, Value)> {
    match filter {
        Filter::Compare(path, CompareOp::Eq, value) if path.sub.is_none() => {
            vec![(path.attr.clone(), json_of(value))]
        }
        Filter::And(a, b) => {
            let mut all = equalities(a);
            all.extend(equalities(b));
            all
        }
        _ => Vec::new(),
    }
}

fn json_of(value: &FilterValue) -> Value {
    match value {
        FilterValue::Str(s) => Value::String(s.clone()),
        FilterValue::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        FilterValue::Bool(b) => Value::Bool(*b),
        FilterValue::Null => Value::Null,
    }
}

/// Whether one value of a multi-valued attribute (`{"type": "work",
/// "value": …}`) matches a value filter. This looks inside one resource's
/// own attribute, never across rows.
pub fn matches(filter: &Filter, item: &Value) -> bool {
    let get = |name: &str| -> Option<&Value> {
        match item {
            Value::Object(o) => o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
            // A list of plain values: `value` is the value itself.
            other if name.eq_ignore_ascii_case("value") => Some(other),
            _ => None,
        }
    };
    match filter {
        Filter::And(a, b) => matches(a, item) && matches(b, item),
        Filter::Or(a, b) => matches(a, item) || matches(b, item),
        Filter::Not(a) => !matches(a, item),
        Filter::ValuePath(..) => false,
        Filter::Present(path) => get(&path.attr).is_some_and(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            _ => true,
        }),
        Filter::Compare(path, op, wanted) => {
            let actual = get(&path.attr).cloned().map(boolean);
            compare_json(actual.as_ref(), *op, wanted)
        }
    }
}

fn compare_json(actual: Option<&Value>, op: CompareOp, wanted: &FilterValue) -> bool {
    use std::cmp::Ordering;
    let ordering = match (actual, wanted) {
        (None | Some(Value::Null), FilterValue::Null) => Some(Ordering::Equal),
        (Some(Value::String(a)), FilterValue::Str(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                CompareOp::Co => return a.contains(&b),
                CompareOp::Sw => return a.starts_with(&b),
                CompareOp::Ew => return a.ends_with(&b),
                _ => Some(a.cmp(&b)),
            }
        }
        (Some(Value::Bool(a)), FilterValue::Bool(b)) => Some(a.cmp(b)),
        (Some(Value::Number(a)), FilterValue::Num(b)) => a.as_f64().and_then(|a| a.partial_cmp(b)),
        _ => None,
    };
    match (op, ordering) {
        (CompareOp::Eq, Some(o)) => o == Ordering::Equal,
        (CompareOp::Ne, Some(o)) => o != Ordering::Equal,
        (CompareOp::Ne, None) => true,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn patched(doc: Value, ops: Value) -> ScimResult<Value> {
        let mut doc = canonical_user(&doc)?;
        for op in operations(&json!({ "Operations": ops }))? {
            apply_to_user(&mut doc, &op)?;
        }
        Ok(Value::Object(doc))
    }

    #[test]
    fn path_less_replace_with_dotted_keys_and_string_booleans() {
        let doc = patched(
            json!({"userName": "a", "active": true, "name": {"givenName": "A", "familyName": "B"}}),
            json!([{"op": "Replace", "value": {"name.givenName": "Ann", "active": "False"}}]),
        )
        .unwrap();
        assert_eq!(doc["name"], json!({"givenName": "Ann", "familyName": "B"}));
        assert_eq!(doc["active"], json!(false));
    }

    #[test]
    fn value_filters_select_add_and_remove() {
        let start = json!({"userName": "a", "emails": [
            {"value": "a@x.org", "type": "work", "primary": "True"},
            {"value": "a@home.org", "type": "home"}
        ]});
        let doc = patched(
            start.clone(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x.org"}]),
        )
        .unwrap();
        assert_eq!(
            doc["emails"][0],
            json!({"value": "b@x.org", "type": "work", "primary": true})
        );
        let doc = patched(
            start.clone(),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
        )
        .unwrap();
        assert_eq!(doc["emails"].as_array().unwrap().len(), 1);
        // Add through a filter nothing matches: a new value with the
        // filter's equalities.
        let doc = patched(
            json!({"userName": "a"}),
            json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "c@x.org"}]),
        )
        .unwrap();
        assert_eq!(doc["emails"], json!([{"value": "c@x.org", "type": "work"}]));
        // Replace of a whole value nothing matches: noTarget.
        let error = patched(
            start,
            json!([{"op": "replace", "path": "emails[type eq \"other\"]", "value": {"value": "x@y.z"}}]),
        )
        .unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::NoTarget));
    }

    #[test]
    fn add_on_single_and_multi_valued_attributes() {
        let doc = patched(
            json!({"userName": "a", "title": "Old", "emails": [{"value": "a@x.org"}]}),
            json!([
                {"op": "add", "path": "title", "value": "New"},
                {"op": "add", "path": "emails", "value": [{"value": "b@x.org"}]},
                {"op": "add", "value": {"nickName": "Al"}}
            ]),
        )
        .unwrap();
        assert_eq!(doc["title"], json!("New"));
        assert_eq!(doc["emails"].as_array().unwrap().len(), 2);
        assert_eq!(doc["nickName"], json!("Al"));
    }

    #[test]
    fn extension_by_urn_path_and_as_a_whole() {
        let doc = patched(
            json!({"userName": "a"}),
            json!([
                {"op": "add", "path": format!("{ENTERPRISE_USER}:employeeNumber"), "value": "42"},
                {"op": "replace", "path": ENTERPRISE_USER, "value": {"schemas": [ENTERPRISE_USER], "department": "Ops"}},
            ]),
        )
        .unwrap();
        assert_eq!(
            doc[ENTERPRISE_USER],
            json!({"employeeNumber": "42", "department": "Ops"})
        );
        let doc = patched(
            doc,
            json!([{"op": "remove", "path": format!("{ENTERPRISE_USER}:employeeNumber")},
                   {"op": "remove", "path": format!("{ENTERPRISE_USER}:department")}]),
        )
        .unwrap();
        assert!(doc.get(ENTERPRISE_USER).is_none());
    }

    #[test]
    fn refusals() {
        let cases = [
            (
                json!([{"op": "move", "path": "title", "value": "x"}]),
                ScimType::InvalidSyntax,
            ),
            (
                json!([{"op": "add", "path": "title"}]),
                ScimType::InvalidSyntax,
            ),
            (json!([{"op": "remove"}]), ScimType::NoTarget),
            (
                json!([{"op": "replace", "path": "id", "value": "9"}]),
                ScimType::Mutability,
            ),
            (
                json!([{"op": "replace", "path": "groups", "value": []}]),
                ScimType::Mutability,
            ),
            (
                json!([{"op": "replace", "path": "title[", "value": "x"}]),
                ScimType::InvalidPath,
            ),
            (
                json!([{"op": "replace", "path": "name.nope", "value": "x"}]),
                ScimType::InvalidPath,
            ),
            (
                json!([{"op": "replace", "value": "x"}]),
                ScimType::InvalidValue,
            ),
            (json!([]), ScimType::InvalidSyntax),
        ];
        for (ops, scim_type) in cases {
            let error = patched(json!({"userName": "a"}), ops.clone()).unwrap_err();
            assert_eq!(error.scim_type, Some(scim_type), "{ops}");
        }
        // Unknown attributes are ignored, not refused.
        patched(
            json!({"userName": "a"}),
            json!([{"op": "add", "path": "favouriteColour", "value": "blue"}]),
        )
        .unwrap();
    }
}
