//! A page's view as URL parameters: reading a query string and writing an
//! address back. Shared by every view kept in the URL (the Users table,
//! the Audit page, the Statistics page's links).

/// A query string (without the `?`) as a lookup by parameter name; a name
/// given twice counts once, with its first value.
pub fn parse_query(text: &str) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// `path?name=value&…`, or `path` alone when there are no parameters.
pub fn href(path: &str, params: Vec<(&'static str, String)>) -> String {
    if params.is_empty() {
        return path.to_owned();
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, &value);
    }
    format!("{path}?{}", serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_reads_back_as_its_parameters() {
        let address = href(
            "/audit",
            vec![("target", "bob smith".into()), ("at", "oldest".into())],
        );
        assert_eq!(address, "/audit?target=bob+smith&at=oldest");
        let get = parse_query(address.split_once('?').unwrap().1);
        assert_eq!(get("target").as_deref(), Some("bob smith"));
        assert_eq!(get("actor"), None);
        assert_eq!(href("/users", Vec::new()), "/users");
    }
}
