//! SCIM 2.0 over HTTP against the real router, on SQLite and PostgreSQL:
//! discovery; Users created, found by every filter form, paged, projected,
//! replaced, patched in the forms providers send, deactivated (sessions end)
//! and deleted (restorable); Groups with set-based membership changes; and
//! every refusal as a SCIM error with its status and `scimType`. Each step
//! counts what changed in the database (rows, audit entries, sessions).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, RestAnswer, TestApp, count, scalar, spawn_app};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Asserts a SCIM error with `status` (and `scim_type`, when given).
fn refused(answer: &RestAnswer, status: u16, scim_type: Option<&str>) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(
        answer.content_type, "application/scim+json",
        "{:?}",
        answer.body
    );
    assert_eq!(
        answer.body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(answer.body["status"], status.to_string());
    assert!(
        answer.body["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(
        answer.body["scimType"].as_str(),
        scim_type,
        "{:?}",
        answer.body
    );
}

async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> RestAnswer {
    app.rest(method, &format!("/scim/v2{path}"), token, body)
        .await
}

/// The ids a list answer holds, in order.
fn ids(answer: &RestAnswer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn filtered(app: &TestApp, token: &str, resource: &str, filter: &str) -> RestAnswer {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish();
    scim(
        app,
        Method::GET,
        &format!("/{resource}?{query}"),
        token,
        None,
    )
    .await
}

async fn discovery_describes_what_is_served(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let token = app.api_token("root", None).await;

    let config = scim(&app, Method::GET, "/ServiceProviderConfig", &token, None).await;
    assert_eq!(config.status, 200);
    assert_eq!(config.content_type, "application/scim+json");
    assert_eq!(config.body["patch"]["supported"], true);
    assert_eq!(config.body["filter"]["supported"], true);
    assert_eq!(config.body["bulk"]["supported"], false);

    let types = scim(&app, Method::GET, "/ResourceTypes", &token, None).await;
    assert_eq!(types.body["totalResults"], 2);
    let user_type = scim(&app, Method::GET, "/ResourceTypes/User", &token, None).await;
    assert_eq!(user_type.body["schemaExtensions"][0]["schema"], ENTERPRISE);
    refused(
        &scim(&app, Method::GET, "/ResourceTypes/Printer", &token, None).await,
        404,
        None,
    );

    let schemas = scim(&app, Method::GET, "/Schemas", &token, None).await;
    assert_eq!(schemas.body["totalResults"], 6);
    let user = scim(&app, Method::GET, &format!("/Schemas/{USER}"), &token, None).await;
    let attributes: Vec<&str> = user.body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(attributes.contains(&"userName") && attributes.contains(&"emails"));
    refused(
        &scim(&app, Method::GET, "/Schemas/urn:nothing", &token, None).await,
        404,
        None,
    );
    refused(
        &scim(&app, Method::GET, "/Printers", &token, None).await,
        404,
        None,
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/ServiceProviderConfig",
            &token,
            Some(json!({})),
        )
        .await,
        405,
        None,
    );
    // No token, a wrong one: 401 in SCIM's format, with a challenge.
    let anonymous = scim(&app, Method::GET, "/Users", "roster_nope", None).await;
    refused(&anonymous, 401, None);
    assert!(anonymous.headers.contains_key("www-authenticate"));
}
both_backends!(discovery_describes_what_is_served);

async fn users_are_provisioned_found_and_projected(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let token = app.api_token("root", None).await;

    // An email as userName: a username derived from it; the userName kept.
    let dana = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({
            "schemas": [USER, ENTERPRISE],
            "userName": "Dana.Scully@Example.com",
            "externalId": "okta-00u1",
            "name": {"givenName": "Dana", "familyName": "Scully"},
            "emails": [{"value": "dana@example.com", "type": "work", "primary": true}],
            "phoneNumbers": [{"value": "tel:+1-201-555-0123;ext=42", "type": "work"}],
            "title": "Agent",
            "favouriteColour": "red",
            ENTERPRISE: {"employeeNumber": "701", "department": "X-Files"}
        })),
    )
    .await;
    assert_eq!(dana.status, 201, "{:?}", dana.body);
    assert_eq!(dana.content_type, "application/scim+json");
    let dana_id = dana.body["id"].as_str().unwrap().to_owned();
    assert_eq!(dana.body["userName"], "Dana.Scully@Example.com");
    assert_eq!(dana.body["title"], "Agent");
    assert_eq!(dana.body[ENTERPRISE]["department"], "X-Files");
    assert!(
        dana.body.get("favouriteColour").is_none(),
        "unknown attributes are ignored"
    );
    assert_eq!(
        dana.headers["etag"],
        dana.body["meta"]["version"].as_str().unwrap()
    );
    assert!(
        dana.headers["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/scim/v2/Users/{dana_id}"))
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE username = 'dana.scully' AND email = 'dana@example.com' \
             AND name = 'Dana Scully' AND phone = '12015550123' AND phone_ext = '42' \
             AND external_id = 'okta-00u1' AND password_hash IS NULL AND invited_at IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.create' \
             AND actor_username = 'root' AND client LIKE 'via SCIM%' AND target_username = 'dana.scully'"
        )
        .await,
        1
    );
    // A UUID userName (too long for a username) and a plain username.
    for (user_name, email, external, active) in [
        (
            "2819c223-7f76-453a-919d-413861904646",
            "fox@example.com",
            "okta-00u2",
            true,
        ),
        ("walter", "walter@fbi.example.org", "entra-7", false),
    ] {
        let made = scim(
            &app,
            Method::POST,
            "/Users",
            &token,
            Some(json!({
                "userName": user_name, "externalId": external, "active": active,
                "displayName": format!("Person {external}"),
                "emails": [{"value": email, "type": "work"}]
            })),
        )
        .await;
        assert_eq!(made.status, 201, "{:?}", made.body);
        assert_eq!(made.body["active"], active);
    }
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE username = '2819c223-7f76-453a-919d-41386190' AND is_active = TRUE").await,
        1
    );
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE username = 'walter' AND scim_user_name IS NULL AND is_active = FALSE").await,
        1
    );

    // Refusals: nothing written.
    let users_before = count(&app.db, "SELECT COUNT(*) FROM users").await;
    refused(
        &scim(&app, Method::POST, "/Users", &token, Some(json!({"userName": "dana.scully@EXAMPLE.com", "emails": [{"value": "x@example.com"}]}))).await,
        409,
        Some("uniqueness"),
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/Users",
            &token,
            Some(json!({"userName": "skinner", "emails": [{"value": "dana@example.com"}]})),
        )
        .await,
        409,
        Some("uniqueness"),
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/Users",
            &token,
            Some(json!({"userName": "no-email"})),
        )
        .await,
        400,
        Some("invalidValue"),
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/Users",
            &token,
            Some(json!({"emails": [{"value": "a@b.org"}]})),
        )
        .await,
        400,
        Some("invalidValue"),
    );
    let broken = app
        .client
        .post(format!("{}/scim/v2/Users", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/scim+json")
        .body("{\"userName\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let broken: Value = broken.json().await.unwrap();
    assert_eq!(broken["scimType"], "invalidSyntax");
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users").await,
        users_before
    );

    // Filters, each run in SQL, against what the test knows of the rows.
    let everyone = ids(&scim(&app, Method::GET, "/Users", &token, None).await);
    assert_eq!(everyone.len(), 4);
    let by_id = format!(r#"id eq "{dana_id}""#);
    let cases: Vec<(&str, usize)> = vec![
        (r#"userName eq "dana.scully@example.COM""#, 1),
        (r#"userName eq "WALTER""#, 1),
        (r#"userName sw "dana""#, 1),
        (r#"userName co "7F76""#, 1),
        (r#"userName ew "@example.com""#, 1),
        (r#"externalId eq "okta-00u1""#, 1),
        (r#"externalId eq "OKTA-00U1""#, 0),
        (r#"externalId sw "okta""#, 2),
        (r#"externalId pr"#, 3),
        (r#"emails[type eq "work" and value co "@fbi."]"#, 1),
        (r#"emails.value ew "example.com""#, 3),
        (r#"name.familyName eq "scully""#, 1),
        (r#"displayName co "person""#, 2),
        (r#"active eq false"#, 1),
        (r#"active eq "True""#, 3),
        (r#"not (active eq true)"#, 1),
        (
            r#"externalId sw "okta" and not (userName sw "dana") or userName eq "walter""#,
            2,
        ),
        (
            r#"(userName eq "root" or userName eq "walter") and active eq true"#,
            1,
        ),
        (r#"meta.created gt "2000-01-01T00:00:00Z""#, 4),
        (r#"meta.lastModified lt "2000-01-01T00:00:00Z""#, 0),
        (r#"phoneNumbers.value eq "12015550123""#, 1),
        (&by_id, 1),
        (r#"title eq "Agent" or userName eq "root""#, usize::MAX),
    ];
    for (filter, expected) in cases {
        let answer = filtered(&app, &token, "Users", filter).await;
        assert!(answer.status != 500, "{filter}");
        if expected == usize::MAX {
            refused(&answer, 400, Some("invalidFilter"));
            continue;
        }
        assert_eq!(ids(&answer).len(), expected, "{filter}");
        assert_eq!(answer.body["totalResults"], expected, "{filter}");
    }
    for bad in [
        "userName eq",
        "userName zz \"a\"",
        "(userName eq \"a\"",
        "emails[type eq \"work\"",
    ] {
        refused(
            &filtered(&app, &token, "Users", bad).await,
            400,
            Some("invalidFilter"),
        );
    }
    // POST /.search gives the same answer as the query.
    let searched = scim(
        &app,
        Method::POST,
        "/Users/.search",
        &token,
        Some(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                    "filter": "externalId sw \"okta\"", "attributes": ["userName"]}),
        ),
    )
    .await;
    assert_eq!(ids(&searched).len(), 2);
    assert!(searched.body["Resources"][0].get("emails").is_none());

    // POST /.search at the root: users, then groups, paged across both; a
    // filter only users can take selects users.
    let made = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "X-Files"})),
    )
    .await;
    assert_eq!(made.status, 201);
    let root = |body: Value| scim(&app, Method::POST, "/.search", &token, Some(body));
    let all = root(json!({})).await;
    assert_eq!(all.body["totalResults"], 5);
    assert_eq!(all.body["Resources"][4]["meta"]["resourceType"], "Group");
    let tail = root(json!({"startIndex": 4, "count": 10})).await;
    let kinds: Vec<&str> = tail.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["User", "Group"]);
    let users_only = root(json!({"filter": "userName sw \"dana\""})).await;
    assert_eq!(users_only.body["totalResults"], 1);
    let named = root(json!({"filter": "displayName eq \"X-Files\""})).await;
    assert_eq!(named.body["totalResults"], 1);
    refused(
        &root(json!({"filter": "title eq \"x\""})).await,
        400,
        Some("invalidFilter"),
    );
    scim(
        &app,
        Method::DELETE,
        &format!("/Groups/{}", made.body["id"].as_str().unwrap()),
        &token,
        None,
    )
    .await;

    // Paging: stable order by id, every user exactly once.
    let mut paged = Vec::new();
    for start in [1, 3] {
        let page = scim(
            &app,
            Method::GET,
            &format!("/Users?startIndex={start}&count=2"),
            &token,
            None,
        )
        .await;
        assert_eq!(page.body["totalResults"], 4);
        assert_eq!(page.body["startIndex"], start);
        paged.extend(ids(&page));
    }
    assert_eq!(paged, everyone);
    let none = scim(&app, Method::GET, "/Users?count=0", &token, None).await;
    assert_eq!(
        (none.body["totalResults"].as_u64(), ids(&none).len()),
        (Some(4), 0)
    );

    // attributes / excludedAttributes, on one and on a list.
    let only = scim(
        &app,
        Method::GET,
        &format!("/Users/{dana_id}?attributes=externalId,name.givenName"),
        &token,
        None,
    )
    .await;
    assert_eq!(only.body["externalId"], "okta-00u1");
    assert_eq!(only.body["name"], json!({"givenName": "Dana"}));
    assert!(only.body.get("userName").is_none() && only.body["id"] == json!(dana_id));
    let without = scim(
        &app,
        Method::GET,
        "/Users?excludedAttributes=emails,meta",
        &token,
        None,
    )
    .await;
    assert!(
        without.body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("emails").is_none() && r.get("meta").is_none())
    );
    refused(
        &scim(&app, Method::GET, "/Users/999999", &token, None).await,
        404,
        None,
    );
    refused(
        &scim(&app, Method::GET, "/Users/not-a-number", &token, None).await,
        404,
        None,
    );
}
both_backends!(users_are_provisioned_found_and_projected);

async fn user_id(app: &TestApp, token: &str, user_name: &str) -> String {
    let answer = filtered(app, token, "Users", &format!("userName eq \"{user_name}\"")).await;
    ids(&answer).pop().expect("the user exists")
}

async fn users_are_patched_as_providers_send_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("mulder", &["User"], false).await;
    let token = app.api_token("root", None).await;
    let id = user_id(&app, &token, "mulder").await;
    let path = format!("/Users/{id}");
    let patch = |ops: Value| Some(json!({"schemas": [PATCH], "Operations": ops}));
    let updates = || async {
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.update'",
        )
        .await
    };

    // Entra: path-less Replace with dotted keys, and a string boolean.
    let mulder = app.signed_in("mulder").await;
    assert_eq!(mulder.whoami().await.as_deref(), Some("mulder"));
    let answer = scim(&app, Method::PATCH, &path, &token, patch(json!([
        {"op": "Replace", "value": {"name.givenName": "Fox", "name.familyName": "Mulder", "active": "False"}}
    ]))).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["active"], false);
    assert_eq!(answer.body["name"]["givenName"], "Fox");
    // Deactivated: the session ended at once, with its reason.
    assert_eq!(mulder.whoami().await, None);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE username = 'mulder' AND is_active = FALSE AND name = 'Fox Mulder' AND given_name = 'Fox'").await,
        1
    );
    let after_first = updates().await;
    assert!(after_first >= 2, "is_active and name audited");

    // Okta: Add on a value path that matches nothing creates the value; a
    // filtered replace changes only the matching value; ops in any case.
    let answer = scim(&app, Method::PATCH, &path, &token, patch(json!([
        {"op": "add", "path": "emails[type eq \"home\"].value", "value": "fox@home.example.org"},
        {"op": "REPLACE", "path": "emails[type eq \"work\"].value", "value": "fox.mulder@example.com"},
        {"op": "add", "path": "title", "value": "Special Agent"},
        {"op": "add", "path": "title", "value": "Agent"},
        {"op": "replace", "path": "active", "value": "true"}
    ]))).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["title"], "Agent");
    assert_eq!(answer.body["emails"].as_array().unwrap().len(), 2);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE username = 'mulder' AND email = 'fox.mulder@example.com' AND is_active = TRUE").await,
        1
    );
    // Remove by filter and by path; the extension by URN path.
    let answer = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        patch(json!([
            {"op": "remove", "path": "emails[type eq \"home\"]"},
            {"op": "remove", "path": "title"},
            {"op": "add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "42"}
        ])),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(answer.body.get("title").is_none());
    assert_eq!(answer.body["emails"].as_array().unwrap().len(), 1);
    assert_eq!(answer.body[ENTERPRISE]["employeeNumber"], "42");

    // Refused PATCHes change nothing, and say why.
    let version = answer.body["meta"]["version"].as_str().unwrap().to_owned();
    let before = updates().await;
    for (ops, status, scim_type) in [
        (
            json!([{"op": "replace", "path": "id", "value": "1"}]),
            400,
            Some("mutability"),
        ),
        (
            json!([{"op": "replace", "path": "groups", "value": []}]),
            400,
            Some("mutability"),
        ),
        (json!([{"op": "remove"}]), 400, Some("noTarget")),
        (
            json!([{"op": "replace", "path": "emails[type eq \"pager\"]", "value": {"value": "a@b.org"}}]),
            400,
            Some("noTarget"),
        ),
        (
            json!([{"op": "jump", "path": "title", "value": "x"}]),
            400,
            Some("invalidSyntax"),
        ),
        (
            json!([{"op": "replace", "path": "title[", "value": "x"}]),
            400,
            Some("invalidPath"),
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "not an email"}]),
            400,
            Some("invalidValue"),
        ),
        // The first operation is fine, the second is not: neither is kept.
        (
            json!([{"op": "add", "path": "title", "value": "Kept?"}, {"op": "replace", "path": "userName", "value": "root"}]),
            409,
            Some("uniqueness"),
        ),
    ] {
        let answer = scim(&app, Method::PATCH, &path, &token, patch(ops.clone())).await;
        refused(&answer, status, scim_type);
    }
    assert_eq!(updates().await, before);
    let current = scim(&app, Method::GET, &path, &token, None).await;
    assert!(current.body.get("title").is_none());
    assert_eq!(current.body["meta"]["version"], version);

    // If-Match: a stale version is refused with 412; the current one works.
    let stale = app
        .client
        .patch(format!("{}/scim/v2{path}", app.address))
        .bearer_auth(&token)
        .header("if-match", "W/\"1\"")
        .json(&json!({"schemas": [PATCH], "Operations": [{"op": "add", "path": "nickName", "value": "Spooky"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let fresh = app
        .client
        .patch(format!("{}/scim/v2{path}", app.address))
        .bearer_auth(&token)
        .header("if-match", &version)
        .json(&json!({"schemas": [PATCH], "Operations": [{"op": "add", "path": "nickName", "value": "Spooky"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);

    // PUT replaces: what is left out is gone (the phone, the extension).
    let answer = scim(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({
            "schemas": [USER], "userName": "fox.mulder", "externalId": "okta-9",
            "name": {"formatted": "Fox W. Mulder"},
            "emails": [{"value": "fox.mulder@example.com", "primary": true}],
            "phoneNumbers": [{"value": "+44 20 7946 0018", "type": "mobile"}],
            "active": true
        })),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["userName"], "fox.mulder");
    assert!(answer.body.get("nickName").is_none() && answer.body.get(ENTERPRISE).is_none());
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE username = 'fox.mulder' AND name = 'Fox W. Mulder' \
                        AND phone = '442079460018' AND external_id = 'okta-9' AND scim_attributes NOT LIKE '%Spooky%'").await,
        1
    );
    // A password goes through the strength rule; a strong one is stored.
    refused(
        &scim(
            &app,
            Method::PATCH,
            &path,
            &token,
            patch(json!([{"op": "replace", "path": "password", "value": "password"}])),
        )
        .await,
        400,
        Some("invalidValue"),
    );
    let before_reset = app.visitor();
    assert_eq!(
        before_reset
            .sign_in("fox.mulder", crate::helpers::STRONG_PASSWORD)
            .await
            .status(),
        200
    );
    let strong = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        patch(json!([{"op": "replace", "path": "password", "value": "Lantern-Orchard-Quartz-61"}])),
    )
    .await;
    assert_eq!(strong.status, 200, "{:?}", strong.body);
    assert!(strong.body.get("password").is_none(), "never returned");
    assert_eq!(
        before_reset.whoami().await,
        None,
        "a password set ends the user's sessions"
    );
    assert_eq!(
        app.visitor()
            .sign_in("fox.mulder", "Lantern-Orchard-Quartz-61")
            .await
            .status(),
        200
    );
}
both_backends!(users_are_patched_as_providers_send_it);

async fn deleting_a_user_is_a_restorable_soft_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("krycek", &["User"], false).await;
    let token = app.api_token("root", None).await;
    let id = user_id(&app, &token, "krycek").await;
    let krycek = app.signed_in("krycek").await;

    let deleted = scim(&app, Method::DELETE, &format!("/Users/{id}"), &token, None).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(krycek.whoami().await, None, "their session ended");
    refused(
        &scim(&app, Method::GET, &format!("/Users/{id}"), &token, None).await,
        404,
        None,
    );
    refused(
        &scim(&app, Method::DELETE, &format!("/Users/{id}"), &token, None).await,
        404,
        None,
    );
    assert!(ids(&filtered(&app, &token, "Users", "userName eq \"krycek\"").await).is_empty());
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE username = 'krycek' AND deleted_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.delete' AND target_username = 'krycek'").await, 1);
    // Restorable from the console (the REST API's restore is the page's).
    let restored = app
        .rest(Method::POST, "/api/v1/users/krycek/restore", &token, None)
        .await;
    assert!(restored.status < 300, "{:?}", restored.body);
    assert_eq!(
        scim(&app, Method::GET, &format!("/Users/{id}"), &token, None)
            .await
            .status,
        200
    );
    // The token's owner cannot delete themselves over SCIM either.
    let root = user_id(&app, &token, "root").await;
    let own = scim(
        &app,
        Method::DELETE,
        &format!("/Users/{root}"),
        &token,
        None,
    )
    .await;
    refused(&own, 409, None);
}
both_backends!(deleting_a_user_is_a_restorable_soft_delete);

async fn groups_are_teams_with_set_based_members(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let mut member_ids = Vec::new();
    for name in ["ann", "bob", "cyrus", "deena"] {
        member_ids.push(app.create_user(name, &["User"], false).await.to_string());
    }
    let token = app.api_token("root", None).await;
    let members =
        |ids: &[&String]| Value::Array(ids.iter().map(|id| json!({"value": id})).collect());
    let in_team = || async {
        count(&app.db, "SELECT COUNT(*) FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE t.name = 'Lone Gunmen'").await
    };
    let db = &app.db;
    let audited = |action: &'static str| async move {
        count(
            db,
            &format!("SELECT COUNT(*) FROM audit_entries WHERE action = '{action}'"),
        )
        .await
    };

    let made = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Lone Gunmen", "externalId": "grp-1",
            "members": members(&[&member_ids[0], &member_ids[1]])
        })),
    )
    .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let group = made.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{group}");
    assert_eq!(made.body["members"].as_array().unwrap().len(), 2);
    assert_eq!(in_team().await, 2);
    assert_eq!(audited("team.member_add").await, 2);
    refused(
        &scim(
            &app,
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"displayName": "lone gunmen"})),
        )
        .await,
        409,
        Some("uniqueness"),
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"displayName": "a/b"})),
        )
        .await,
        400,
        Some("invalidValue"),
    );
    refused(
        &scim(
            &app,
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"displayName": "Ghosts", "members": [{"value": "987654"}]})),
        )
        .await,
        400,
        Some("invalidValue"),
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM teams").await, 1);

    // Filters over groups; members left out when asked (Entra does).
    assert_eq!(
        ids(&filtered(&app, &token, "Groups", "displayName eq \"LONE GUNMEN\"").await),
        vec![group.clone()]
    );
    assert_eq!(
        ids(&filtered(&app, &token, "Groups", "externalId eq \"grp-1\"").await).len(),
        1
    );
    assert_eq!(
        ids(&filtered(
            &app,
            &token,
            "Groups",
            &format!("members.value eq \"{}\"", member_ids[1])
        )
        .await)
        .len(),
        1
    );
    assert_eq!(
        ids(&filtered(
            &app,
            &token,
            "Groups",
            &format!("members eq \"{}\"", member_ids[3])
        )
        .await)
        .len(),
        0
    );
    let lean = scim(
        &app,
        Method::GET,
        "/Groups?excludedAttributes=members",
        &token,
        None,
    )
    .await;
    assert!(lean.body["Resources"][0].get("members").is_none());
    // A user's groups, read-only.
    let ann = scim(
        &app,
        Method::GET,
        &format!("/Users/{}", member_ids[0]),
        &token,
        None,
    )
    .await;
    assert_eq!(ann.body["groups"][0]["display"], "Lone Gunmen");

    let patch = |ops: Value| Some(json!({"schemas": [PATCH], "Operations": ops}));
    // Add (with one already in: nothing twice), remove by filter, remove by
    // value list, rename: one request, 204.
    let answer = scim(&app, Method::PATCH, &path, &token, patch(json!([
        {"op": "Add", "path": "members", "value": members(&[&member_ids[1], &member_ids[2], &member_ids[3]])},
        {"op": "Remove", "path": format!("members[value eq \"{}\"]", member_ids[0])},
        {"op": "remove", "path": "members", "value": [{"value": member_ids[1]}]},
        {"op": "replace", "value": {"displayName": "The Lone Gunmen", "externalId": "grp-2"}}
    ]))).await;
    assert_eq!(answer.status, 204, "{:?}", answer.body);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM teams WHERE name = 'The Lone Gunmen' AND external_id = 'grp-2'"
        )
        .await,
        1
    );
    let now: Vec<String> = {
        let answer = scim(&app, Method::GET, &path, &token, None).await;
        answer.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(now, vec![member_ids[2].clone(), member_ids[3].clone()]);
    assert_eq!(audited("team.member_add").await, 4);
    assert_eq!(audited("team.member_remove").await, 2);
    // Okta renames with the group's own id and schemas in a path-less value.
    let answer = scim(&app, Method::PATCH, &path, &token, patch(json!([
        {"op": "replace", "value": {"id": group, "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "The Lone Gunmen"}}
    ]))).await;
    assert_eq!(answer.status, 204, "{:?}", answer.body);
    // A PUT without members (read with them excluded) keeps them.
    let answer = scim(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"displayName": "The Lone Gunmen", "externalId": "grp-2"})),
    )
    .await;
    assert_eq!(
        answer.body["members"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        answer.body
    );
    // A team named beyond ASCII is found and changed like any other.
    let accented = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "Équipe", "members": members(&[&member_ids[0]])})),
    )
    .await;
    assert_eq!(accented.status, 201, "{:?}", accented.body);
    let accented_path = format!("/Groups/{}", accented.body["id"].as_str().unwrap());
    let answer = scim(
        &app,
        Method::PATCH,
        &accented_path,
        &token,
        patch(json!([{"op": "add", "path": "members", "value": members(&[&member_ids[1]])}])),
    )
    .await;
    assert_eq!(answer.status, 204, "{:?}", answer.body);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE t.name = 'Équipe'").await, 2);
    assert_eq!(
        scim(&app, Method::DELETE, &accented_path, &token, None)
            .await
            .status,
        204
    );
    // A refused operation keeps the others out too.
    let answer = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        patch(json!([
            {"op": "add", "path": "members", "value": [{"value": member_ids[0]}]},
            {"op": "add", "path": "members", "value": [{"value": "424242"}]}
        ])),
    )
    .await;
    refused(&answer, 400, Some("invalidValue"));
    assert_eq!(audited("team.member_add").await, 6);
    // Replace: exactly these members.
    let answer = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        patch(json!([
            {"op": "replace", "path": "members", "value": members(&[&member_ids[0]])}
        ])),
    )
    .await;
    assert_eq!(answer.status, 204);
    // PUT: the document as a whole.
    let answer = scim(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({
            "displayName": "Gunmen", "members": members(&[&member_ids[1], &member_ids[2]])
        })),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["members"].as_array().unwrap().len(), 2);
    assert!(answer.body.get("externalId").is_none());
    // Deleted users are not members to SCIM.
    app.execute(&format!(
        "UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE id = {}",
        member_ids[1]
    ))
    .await;
    let answer = scim(&app, Method::GET, &path, &token, None).await;
    assert_eq!(
        answer.body["members"],
        json!([{"value": member_ids[2], "$ref": format!("{}/Users/{}", answer.body["meta"]["location"].as_str().unwrap().rsplit_once("/Groups/").unwrap().0, member_ids[2]), "type": "User"}])
    );
    // DELETE: the team goes, its members stay users.
    let users = count(&app.db, "SELECT COUNT(*) FROM users").await;
    assert_eq!(
        scim(&app, Method::DELETE, &path, &token, None).await.status,
        204
    );
    refused(
        &scim(&app, Method::GET, &path, &token, None).await,
        404,
        None,
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM user_teams").await, 0);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, users);
}
both_backends!(groups_are_teams_with_set_based_members);

async fn each_operation_needs_its_permission(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let viewer = app.api_token("root", Some(&["users.view"])).await;
    let editor = app
        .api_token("root", Some(&["users.view", "users.edit"]))
        .await;
    let id: i64 = scalar(&app.db, "SELECT id FROM users WHERE username = 'root'").await;
    let user = json!({"userName": "scully", "emails": [{"value": "scully@example.com"}]});
    let patch =
        json!({"schemas": [PATCH], "Operations": [{"op": "add", "path": "title", "value": "x"}]});
    let password = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "password", "value": "Lantern-Orchard-Quartz-61"}]});
    for (token, method, path, body, status) in [
        (&viewer, Method::GET, "/Users".to_owned(), None, 200),
        (&viewer, Method::GET, "/Groups".to_owned(), None, 200),
        (
            &viewer,
            Method::POST,
            "/Users".to_owned(),
            Some(user.clone()),
            403,
        ),
        (
            &viewer,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch.clone()),
            403,
        ),
        (&viewer, Method::DELETE, format!("/Users/{id}"), None, 403),
        (
            &viewer,
            Method::POST,
            "/Groups".to_owned(),
            Some(json!({"displayName": "X"})),
            403,
        ),
        (
            &editor,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch.clone()),
            200,
        ),
        (
            &editor,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(password.clone()),
            403,
        ),
        (
            &editor,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(
                json!({"Operations": [{"op": "replace", "path": format!("{USER}:password"), "value": "Lantern-Orchard-Quartz-61"}]}),
            ),
            403,
        ),
        (
            &editor,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(
                json!({"Operations": [{"OP": "replace", "PATH": "Password", "VALUE": "Lantern-Orchard-Quartz-61"}]}),
            ),
            403,
        ),
        (
            &editor,
            Method::PATCH,
            format!("/Users/{id}"),
            Some(
                json!({"Operations": [{"op": "replace", "Value": {"PASSWORD": "Lantern-Orchard-Quartz-61"}}]}),
            ),
            403,
        ),
        (
            &editor,
            Method::PUT,
            format!("/Users/{id}"),
            Some(
                json!({"userName": "root", "emails": [{"value": "root@example.com"}], "password": "Lantern-Orchard-Quartz-61"}),
            ),
            403,
        ),
        (
            &editor,
            Method::POST,
            "/Users".to_owned(),
            Some(user.clone()),
            403,
        ),
    ] {
        let answer = scim(&app, method.clone(), &path, token, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.body);
        if status == 403 {
            refused(&answer, 403, None);
        }
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM teams").await, 0);
}
both_backends!(each_operation_needs_its_permission);

async fn hostile_requests_get_scim_errors_never_a_500(backend: Backend) {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let user = app.create_user("target", &["User"], false).await;
    let token = app.api_token("root", None).await;
    let group = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "Target"})),
    )
    .await;
    let group = group.body["id"].as_str().unwrap().to_owned();
    let mut rng = StdRng::seed_from_u64(7644);
    let hostile_string = |rng: &mut StdRng| -> Value {
        match rng.random_range(0..7) {
            0 => json!("\u{0}"),
            1 => json!("x".repeat(10_000)),
            2 => json!(99999999999999999999.0),
            3 => json!([[[[[]]]]]),
            4 => json!({"value": {"value": null}}),
            5 => json!(true),
            _ => Value::String(
                (0..rng.random_range(0..40))
                    .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('?'))
                    .collect(),
            ),
        }
    };
    let attributes = [
        "userName",
        "externalId",
        "name",
        "displayName",
        "emails",
        "phoneNumbers",
        "active",
        "password",
        "members",
        "title",
        "Operations",
        "filter",
        "startIndex",
        "count",
        "attributes",
        ENTERPRISE,
    ];
    let routes = [
        (Method::POST, "/Users".to_owned()),
        (Method::PUT, format!("/Users/{user}")),
        (Method::PATCH, format!("/Users/{user}")),
        (Method::POST, "/Users/.search".to_owned()),
        (Method::POST, "/Groups".to_owned()),
        (Method::PUT, format!("/Groups/{group}")),
        (Method::PATCH, format!("/Groups/{group}")),
        (Method::POST, "/Groups/.search".to_owned()),
        (Method::POST, "/.search".to_owned()),
    ];
    let mut refusals = 0;
    for (method, path) in &routes {
        for round in 0..40 {
            let body: Vec<u8> = match round {
                0 => b"{\"userName\": ".to_vec(),
                1 => b"[1, 2]".to_vec(),
                2 => (0..300).map(|_| rng.random()).collect(),
                3 => format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
                _ => {
                    let mut doc = serde_json::Map::new();
                    for _ in 0..rng.random_range(1..6) {
                        let key = attributes[rng.random_range(0..attributes.len())];
                        let op = ["add", "Replace", "remove", "x"][rng.random_range(0..4)];
                        let value = if key == "Operations" {
                            json!([{"op": op,
                                    "path": hostile_string(&mut rng), "value": hostile_string(&mut rng)}])
                        } else {
                            hostile_string(&mut rng)
                        };
                        doc.insert(key.to_owned(), value);
                    }
                    Value::Object(doc).to_string().into_bytes()
                }
            };
            let response = app
                .client
                .request(method.clone(), format!("{}/scim/v2{path}", app.address))
                .bearer_auth(&token)
                .header("content-type", "application/scim+json")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: no answer ({e})"));
            let status = response.status().as_u16();
            assert!(
                status < 500,
                "{method} {path} answered {status} to {:?}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
            if status >= 400 {
                refusals += 1;
                let content_type = response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                assert_eq!(content_type, "application/scim+json", "{method} {path}");
            }
        }
    }
    assert!(refusals > routes.len() * 20, "hostile bodies are refused");
    // Random filters: refused or answered, never a 500.
    for _ in 0..200 {
        let pieces = [
            "userName",
            "emails[",
            "]",
            "(",
            ")",
            " eq ",
            " pr",
            " and ",
            " or ",
            "not ",
            "\"x\"",
            "true",
            ".value",
            "meta.created",
            " gt ",
            "\"2026\"",
            "members",
            "\\",
        ];
        let filter: String = (0..rng.random_range(0..12))
            .map(|_| pieces[rng.random_range(0..pieces.len())])
            .collect();
        for resource in ["Users", "Groups"] {
            let answer = filtered(&app, &token, resource, &filter).await;
            assert!(
                answer.status == 200 || answer.status == 400,
                "{filter:?}: {:?}",
                answer.body
            );
        }
    }
    // More operations than one request may carry.
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({"op": "add", "path": "title", "value": "x"}))
        .collect();
    refused(
        &scim(
            &app,
            Method::PATCH,
            &format!("/Users/{user}"),
            &token,
            Some(json!({"Operations": many})),
        )
        .await,
        400,
        Some("tooMany"),
    );
}
both_backends!(hostile_requests_get_scim_errors_never_a_500);

async fn a_token_over_its_rate_limit_gets_a_scim_429(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, &[("ROSTER_API_RATE_LIMIT", "3")]).await;
    app.create_user("root", &["Administrator"], false).await;
    let token = app.api_token("root", None).await;
    for _ in 0..3 {
        assert_eq!(
            scim(&app, Method::GET, "/Users", &token, None).await.status,
            200
        );
    }
    let answer = scim(&app, Method::GET, "/Users", &token, None).await;
    refused(&answer, 429, None);
    assert!(answer.headers.contains_key("retry-after"));
}
both_backends!(a_token_over_its_rate_limit_gets_a_scim_429);
