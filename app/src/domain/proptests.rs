//! Property tests over hostile input: every domain parser, and the query
//! strings of the Users table and the Audit page (which the browser, the
//! server functions and the REST API all read). None panics; whatever is
//! accepted is in its normal form (parsing it again gives it back); every
//! refusal says why in one readable line, and the query strings' refusals
//! name the parameter they are about.

use proptest::prelude::*;

use super::{
    Description, EmailAddress, NewPassword, PersonName, Phone, PhoneExt, RoleName, TeamName,
    Username,
};
use crate::audit::AuditQuery;
use crate::directory::query::UserListQuery;
use crate::live::message::MessageBody;

/// What a careless or hostile client may send: any Unicode (control
/// characters, right-to-left overrides, NUL), near-valid text, long runs,
/// and well-formed addresses.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \\t\\na-zA-Z0-9._@+%'\"\\\\/?#-]{0,40}",
        "\\PC{0,60}",
        prop::collection::vec(any::<char>(), 0..700).prop_map(|cs| cs.into_iter().collect()),
        ("[a-zA-Z0-9._+-]{1,20}", "[a-z0-9-]{1,20}", "[a-z]{2,6}")
            .prop_map(|(local, domain, tld)| format!("{local}@{domain}.{tld}")),
        "[0-9 ]{0,20}",
    ]
}

/// A refusal a person can read: not empty, one line without control
/// characters, and not endless whatever was sent.
fn assert_clear(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty message");
    prop_assert!(
        !message.chars().any(char::is_control),
        "a control character in {message:?}"
    );
    prop_assert!(
        message.chars().count() <= 300,
        "a message of {} characters: {message:?}",
        message.chars().count()
    );
    Ok(())
}

/// A parser's properties: no panic, accepted values in normal form, clear
/// refusals.
macro_rules! parser_properties {
    ($($test:ident: $parse:expr, $text:expr;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]
            $(
                #[test]
                fn $test(input in hostile()) {
                    match $parse(&input) {
                        Ok(value) => {
                            let again = $parse($text(&value));
                            prop_assert_eq!(again.ok(), Some(value), "not in normal form");
                        }
                        Err(error) => assert_clear(&error.to_string())?,
                    }
                }
            )*
        }
    };
}

parser_properties! {
    usernames: Username::parse, Username::as_str;
    email_addresses: EmailAddress::parse, EmailAddress::as_str;
    person_names: PersonName::parse, PersonName::as_str;
    phone_numbers: Phone::parse, Phone::as_str;
    phone_extensions: PhoneExt::parse, PhoneExt::as_str;
    role_names: RoleName::parse, RoleName::as_str;
    team_names: TeamName::parse, TeamName::as_str;
    descriptions: Description::parse, Description::as_str;
    new_passwords: NewPassword::parse, NewPassword::expose;
    message_bodies: MessageBody::parse, MessageBody::as_str;
}

/// A query string as the browser or a script may send it: known parameter
/// names and unknown ones, hostile values, percent-encoded or raw.
fn query_string() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "q",
        "status",
        "role",
        "team",
        "signed_in",
        "deleted",
        "sort",
        "dir",
        "page",
        "per_page",
        "actor",
        "target",
        "action",
        "since",
        "until",
        "impersonated",
        "before",
        "after",
        "at",
    ])
    .prop_map(str::to_owned);
    let name = prop_oneof![4 => known, 1 => "[a-z_]{0,8}"];
    let value = prop_oneof![
        hostile(),
        "-?[0-9]{0,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        prop::sample::select(vec![
            "yes",
            "no",
            "include",
            "hide",
            "asc",
            "desc",
            "locked",
            "oldest",
            "newest",
            "username",
            "last_signin",
            "50",
            "0",
        ])
        .prop_map(str::to_owned),
    ];
    let pairs = prop::collection::vec((name, value, any::<bool>()), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(name, value, encode)| {
                if encode {
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair(&name, &value)
                        .finish()
                } else {
                    format!("{name}={value}")
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    prop_oneof![4 => pairs, 1 => any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// The Users table's view: accepted views read back from their own
    /// address; refusals name their parameter.
    #[test]
    fn users_table_query_strings(text in query_string()) {
        match UserListQuery::from_query_string(&text) {
            Ok(query) => {
                let address = query.href();
                let again = UserListQuery::from_query_string(
                    address.split_once('?').map_or("", |(_, params)| params),
                );
                prop_assert_eq!(again.ok(), Some(query), "{} does not read back", address);
            }
            Err(error) => {
                prop_assert!(error.form_field().is_some(), "{error:?} names no parameter");
                assert_clear(&error.to_string())?;
            }
        }
    }

    /// The Audit page's filters: never a panic; refusals name their
    /// parameter.
    #[test]
    fn audit_query_strings(text in query_string()) {
        if let Err(error) = AuditQuery::from_query_string(&text) {
            prop_assert!(error.form_field().is_some(), "{error:?} names no parameter");
            assert_clear(&error.to_string())?;
        }
    }
}
