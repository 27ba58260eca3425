//! A list request's parameters (RFC 7644 §3.4.2): `filter`, `startIndex`,
//! `count`, `attributes`, `excludedAttributes`, from a query string or a
//! `POST /.search` body, and the list response.

use serde_json::{Map, Value, json};

use super::error::{ScimError, ScimResult, ScimType};
use super::schema::{LIST_RESPONSE, MAX_RESULTS};

/// How many resources a page holds when the request does not say.
pub const DEFAULT_COUNT: u64 = 100;

/// What a list request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: Option<String>,
    /// 1-based.
    pub start_index: u64,
    pub count: u64,
    /// Top-level or `attr.sub` names, lower-cased.
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: None,
            start_index: 1,
            count: DEFAULT_COUNT,
            attributes: Vec::new(),
            excluded: Vec::new(),
        }
    }
}

fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|a| {
            let a = a.trim();
            // `urn:…:User:name.givenName` names the core attribute.
            let a = match a.rfind(':') {
                Some(i) if a.to_ascii_lowercase().starts_with("urn:") => &a[i + 1..],
                _ => a,
            };
            a.to_ascii_lowercase()
        })
        .filter(|a| !a.is_empty())
        .collect()
}

/// RFC 7644: a `startIndex` below 1 is 1; a negative `count` is 0.
fn number(name: &str, value: &str) -> ScimResult<i64> {
    value.trim().parse::<i64>().map_err(|_| {
        ScimError::bad(
            ScimType::InvalidValue,
            format!(
                "{name} must be a whole number, not {}.",
                crate::domain::shown(value)
            ),
        )
    })
}

impl ListQuery {
    /// From `?filter=…&startIndex=…` (parameter names in any case).
    pub fn from_pairs<'a>(pairs: impl Iterator<Item = (String, String)> + 'a) -> ScimResult<Self> {
        let mut query = ListQuery::default();
        for (key, value) in pairs {
            query.set(&key, &value)?;
        }
        Ok(query)
    }

    fn set(&mut self, key: &str, value: &str) -> ScimResult<()> {
        match key.to_ascii_lowercase().as_str() {
            "filter" => self.filter = (!value.trim().is_empty()).then(|| value.to_owned()),
            "startindex" => self.start_index = number("startIndex", value)?.max(1) as u64,
            "count" => self.count = (number("count", value)?.max(0) as u64).min(MAX_RESULTS),
            "attributes" => self.attributes = names(value),
            "excludedattributes" => self.excluded = names(value),
            // sortBy/sortOrder: sorting is not supported (the provider
            // config says so); the order is always by id.
            _ => {}
        }
        Ok(())
    }

    /// From a `SearchRequest` body.
    pub fn from_search(body: &Value) -> ScimResult<Self> {
        let Value::Object(body) = body else {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                "The body must be a JSON object.",
            ));
        };
        let mut query = ListQuery::default();
        for (key, value) in body {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => continue,
            };
            query.set(key, &text)?;
        }
        Ok(query)
    }

    /// Whether the response should hold `attribute` (top level).
    pub fn wants(&self, attribute: &str) -> bool {
        let attribute = attribute.to_ascii_lowercase();
        let named = |list: &[String]| {
            list.iter()
                .any(|a| a == &attribute || a.split('.').next() == Some(attribute.as_str()))
        };
        if !self.attributes.is_empty() {
            return named(&self.attributes);
        }
        !self.excluded.iter().any(|a| a == &attribute)
    }

    /// A resource with only the attributes asked for (`id` and `schemas`
    /// always stay).
    pub fn project(&self, mut doc: Map<String, Value>) -> Map<String, Value> {
        let always = |key: &str| key == "id" || key == "schemas";
        if !self.attributes.is_empty() {
            doc.retain(|key, value| {
                let key = key.to_ascii_lowercase();
                if always(&key) {
                    return true;
                }
                if self.attributes.contains(&key) {
                    return true;
                }
                let subs: Vec<&str> = self
                    .attributes
                    .iter()
                    .filter_map(|a| a.strip_prefix(&format!("{key}.")))
                    .collect();
                if subs.is_empty() {
                    return false;
                }
                keep_subs(value, &subs);
                true
            });
        }
        for excluded in &self.excluded {
            if always(excluded) {
                continue;
            }
            match excluded.split_once('.') {
                Some((attr, sub)) => {
                    if let Some((_, value)) =
                        doc.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(attr))
                    {
                        drop_sub(value, sub);
                    }
                }
                None => doc.retain(|k, _| !k.eq_ignore_ascii_case(excluded)),
            }
        }
        doc
    }
}

fn keep_subs(value: &mut Value, subs: &[&str]) {
    match value {
        Value::Object(o) => o.retain(|k, _| subs.iter().any(|s| k.eq_ignore_ascii_case(s))),
        Value::Array(items) => items.iter_mut().for_each(|i| keep_subs(i, subs)),
        _ => {}
    }
}

fn drop_sub(value: &mut Value, sub: &str) {
    match value {
        Value::Object(o) => o.retain(|k, _| !k.eq_ignore_ascii_case(sub)),
        Value::Array(items) => items.iter_mut().for_each(|i| drop_sub(i, sub)),
        _ => {}
    }
}

/// A `ListResponse`.
pub fn list_response(total: u64, start_index: u64, resources: Vec<Map<String, Value>>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> ScimResult<ListQuery> {
        ListQuery::from_pairs(url::form_urlencoded::parse(q.as_bytes()).into_owned())
    }

    #[test]
    fn paging_is_clamped_as_the_rfc_says() {
        let q = query("startIndex=0&count=-5").unwrap();
        assert_eq!((q.start_index, q.count), (1, 0));
        let q = query("STARTINDEX=7&Count=5000").unwrap();
        assert_eq!((q.start_index, q.count), (7, MAX_RESULTS));
        assert_eq!(
            query("count=ten").unwrap_err().scim_type,
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn attributes_project_and_exclude() {
        let doc: Map<String, Value> = serde_json::from_value(json!({
            "schemas": ["s"], "id": "1", "userName": "a", "externalId": "x",
            "name": {"givenName": "A", "familyName": "B"}, "members": [{"value": "2"}]
        }))
        .unwrap();
        let q = query("attributes=externalId,name.givenName").unwrap();
        assert_eq!(
            Value::Object(q.project(doc.clone())),
            json!({"schemas": ["s"], "id": "1", "externalId": "x", "name": {"givenName": "A"}})
        );
        assert!(!q.wants("members"));
        let q = query("excludedAttributes=members,name.familyName,id").unwrap();
        assert!(!q.wants("members"));
        assert_eq!(
            Value::Object(q.project(doc)),
            json!({"schemas": ["s"], "id": "1", "userName": "a", "externalId": "x", "name": {"givenName": "A"}})
        );
    }
}
