//! SCIM discovery (RFC 7643 §5–7, RFC 7644 §4): what Roster supports and
//! which attributes its Users and Groups have, as the documents
//! `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` serve.
//! Providers read these to decide what to send, so they say exactly what
//! the services do.

use serde_json::{Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SERVICE_PROVIDER_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Most resources one list page returns.
pub const MAX_RESULTS: u64 = 1000;
/// Most operations one PATCH request may carry.
pub const MAX_OPERATIONS: usize = 1000;

/// `/ServiceProviderConfig`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://github.com/roster/roster/blob/main/README.md#scim",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": true},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API token",
            "description": "An API token of a user who holds the users and teams permissions, sent as Authorization: Bearer roster_…",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        }
    })
}

/// `/ResourceTypes`: `User` (with the enterprise extension) and `Group`.
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A Roster account",
            "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
        }),
        json!({
            "schemas": [RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A Roster team",
            "schema": GROUP,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
        }),
    ]
}

/// One attribute's definition.
struct Attr {
    name: &'static str,
    kind: &'static str,
    multi: bool,
    required: bool,
    case_exact: bool,
    mutability: &'static str,
    returned: &'static str,
    uniqueness: &'static str,
    description: &'static str,
    sub: Vec<Value>,
    reference_types: &'static [&'static str],
    canonical: &'static [&'static str],
}

fn attr(name: &'static str, kind: &'static str, description: &'static str) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        case_exact: false,
        mutability: "readWrite",
        returned: "default",
        uniqueness: "none",
        description,
        sub: Vec::new(),
        reference_types: &[],
        canonical: &[],
    }
}

impl Attr {
    fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    fn mutability(mut self, m: &'static str) -> Self {
        self.mutability = m;
        self
    }
    fn returned(mut self, r: &'static str) -> Self {
        self.returned = r;
        self
    }
    fn unique(mut self) -> Self {
        self.uniqueness = "server";
        self
    }
    fn sub(mut self, sub: Vec<Attr>) -> Self {
        self.sub = sub.into_iter().map(Attr::json).collect();
        self
    }
    fn refs(mut self, types: &'static [&'static str]) -> Self {
        self.reference_types = types;
        self
    }
    fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical = values;
        self
    }

    fn json(self) -> Value {
        let mut value = json!({
            "name": self.name,
            "type": self.kind,
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability,
            "returned": self.returned,
            "uniqueness": self.uniqueness,
        });
        if !self.sub.is_empty() {
            value["subAttributes"] = Value::Array(self.sub);
        }
        if !self.reference_types.is_empty() {
            value["referenceTypes"] = json!(self.reference_types);
        }
        if !self.canonical.is_empty() {
            value["canonicalValues"] = json!(self.canonical);
        }
        value
    }
}

fn user_attributes() -> Vec<Value> {
    vec![
        attr("userName", "string", "Unique identifier for the User, used to sign in. An email address is accepted: the username is derived from it (README, SCIM).")
            .required()
            .unique()
            .json(),
        attr("name", "complex", "The components of the user's real name.")
            .sub(vec![
                attr("formatted", "string", "The full name, as shown in Roster."),
                attr("familyName", "string", "The family name."),
                attr("givenName", "string", "The given name."),
                attr("middleName", "string", "The middle name(s)."),
                attr("honorificPrefix", "string", "Honorific prefix."),
                attr("honorificSuffix", "string", "Honorific suffix."),
            ])
            .json(),
        attr("displayName", "string", "The name shown for the user (Roster's name).").json(),
        attr("nickName", "string", "Casual name.").json(),
        attr("title", "string", "The user's title.").json(),
        attr("userType", "string", "Relationship to the organization.").json(),
        attr("preferredLanguage", "string", "Preferred language.").json(),
        attr("locale", "string", "Locale.").json(),
        attr("timezone", "string", "Time zone (IANA name).").json(),
        // Every Roster user is active or not, so the attribute is always
        // there (it cannot be removed); left out of a POST it is true, of
        // a PUT it stays as it was.
        attr("active", "boolean", "Whether the user may sign in; false ends their sessions at once.")
            .required()
            .json(),
        attr("password", "string", "A new password; it must pass Roster's strength rule. Never returned.")
            .mutability("writeOnly")
            .returned("never")
            .json(),
        attr("emails", "complex", "Email addresses; Roster keeps one (the primary, or the first work address) and needs one for every user.")
            .multi()
            .required()
            .sub(vec![
                attr("value", "string", "The email address.").required(),
                attr("display", "string", "A label."),
                attr("type", "string", "work, home or other.").canonical(&["work", "home", "other"]),
                attr("primary", "boolean", "The primary address."),
            ])
            .json(),
        attr("phoneNumbers", "complex", "Phone numbers; Roster keeps one, with an optional extension (;ext=).")
            .multi()
            .sub(vec![
                attr("value", "string", "The phone number.").required(),
                attr("display", "string", "A label."),
                attr("type", "string", "work, mobile, other…").canonical(&["work", "home", "mobile", "fax", "pager", "other"]),
                attr("primary", "boolean", "The primary number."),
            ])
            .json(),
        attr("groups", "complex", "The teams the user is in (read-only; change them through Groups).")
            .multi()
            .mutability("readOnly")
            .sub(vec![
                attr("value", "string", "The team's id.").mutability("readOnly"),
                attr("$ref", "reference", "The team's URI.").mutability("readOnly").refs(&["Group"]),
                attr("display", "string", "The team's name.").mutability("readOnly"),
                attr("type", "string", "direct.").mutability("readOnly").canonical(&["direct"]),
            ])
            .json(),
    ]
}

fn enterprise_attributes() -> Vec<Value> {
    vec![
        attr("employeeNumber", "string", "Employee number.").json(),
        attr("costCenter", "string", "Cost center.").json(),
        attr("organization", "string", "Organization.").json(),
        attr("division", "string", "Division.").json(),
        attr("department", "string", "Department.").json(),
        attr("manager", "complex", "The user's manager.")
            .sub(vec![
                attr("value", "string", "The manager's id."),
                attr("$ref", "reference", "The manager's URI.").refs(&["User"]),
                attr("displayName", "string", "The manager's name.").mutability("readOnly"),
            ])
            .json(),
    ]
}

fn group_attributes() -> Vec<Value> {
    vec![
        attr(
            "displayName",
            "string",
            "The team's name (2 to 50 characters, none of / ? # % \\).",
        )
        .required()
        .unique()
        .json(),
        attr("members", "complex", "The team's members (users).")
            .multi()
            .sub(vec![
                attr("value", "string", "The member's id.").mutability("immutable"),
                attr("$ref", "reference", "The member's URI.")
                    .mutability("immutable")
                    .refs(&["User"]),
                attr("display", "string", "The member's name.").mutability("readOnly"),
                attr("type", "string", "User.")
                    .mutability("immutable")
                    .canonical(&["User"]),
            ])
            .json(),
    ]
}

/// The read-only attributes of the discovery documents themselves (RFC
/// 7643 §8.7.2): listed in `/Schemas` as the RFC asks.
fn read_only(name: &'static str, kind: &'static str, description: &'static str) -> Attr {
    attr(name, kind, description).mutability("readOnly")
}

fn supported(name: &'static str, description: &'static str, more: Vec<Attr>) -> Value {
    let mut sub = vec![read_only("supported", "boolean", "Whether it is supported.").required()];
    sub.extend(more);
    read_only(name, "complex", description)
        .required()
        .sub(sub)
        .json()
}

fn service_provider_config_attributes() -> Vec<Value> {
    vec![
        read_only("documentationUri", "reference", "Human-readable help.")
            .refs(&["external"])
            .json(),
        supported("patch", "PATCH.", vec![]),
        supported(
            "bulk",
            "Bulk operations.",
            vec![
                read_only("maxOperations", "integer", "Most operations.").required(),
                read_only("maxPayloadSize", "integer", "Largest payload.").required(),
            ],
        ),
        supported(
            "filter",
            "Filters.",
            vec![read_only("maxResults", "integer", "Most resources returned.").required()],
        ),
        supported("changePassword", "Changing a password.", vec![]),
        supported("sort", "Sorting.", vec![]),
        supported("etag", "ETags.", vec![]),
        read_only("authenticationSchemes", "complex", "How to authenticate.")
            .multi()
            .required()
            .sub(vec![
                read_only("type", "string", "The scheme.").required(),
                read_only("name", "string", "Its name.").required(),
                read_only("description", "string", "What it is.").required(),
                read_only("specUri", "reference", "Its specification.").refs(&["external"]),
                read_only("documentationUri", "reference", "Its help.").refs(&["external"]),
                read_only("primary", "boolean", "The preferred scheme."),
            ])
            .json(),
    ]
}

fn resource_type_attributes() -> Vec<Value> {
    vec![
        read_only("id", "string", "The type's id."),
        read_only("name", "string", "The type's name.").required(),
        read_only("description", "string", "What it is."),
        read_only("endpoint", "reference", "Where it is served.")
            .required()
            .refs(&["uri"]),
        read_only("schema", "reference", "Its core schema.")
            .required()
            .case_exact()
            .refs(&["uri"]),
        read_only("schemaExtensions", "complex", "Its extensions.")
            .multi()
            .sub(vec![
                read_only("schema", "reference", "The extension's schema.")
                    .required()
                    .case_exact()
                    .refs(&["uri"]),
                read_only("required", "boolean", "Whether resources must have it.").required(),
            ]),
    ]
    .into_iter()
    .map(Attr::json)
    .collect()
}

fn schema_attributes() -> Vec<Value> {
    let attribute_subs = || {
        vec![
            read_only("name", "string", "The attribute's name.")
                .required()
                .case_exact(),
            read_only("type", "string", "Its type.").required(),
            read_only("multiValued", "boolean", "Whether it holds a list.").required(),
            read_only("description", "string", "What it is."),
            read_only("required", "boolean", "Whether it must be given."),
            read_only("canonicalValues", "string", "Its usual values.").multi(),
            read_only("caseExact", "boolean", "Whether case matters."),
            read_only("mutability", "string", "Who may change it."),
            read_only("returned", "string", "When it is returned."),
            read_only("uniqueness", "string", "How unique it is."),
            read_only("referenceTypes", "string", "What it may refer to.").multi(),
        ]
    };
    let mut subs = attribute_subs();
    subs.push(
        read_only("subAttributes", "complex", "Its sub-attributes.")
            .multi()
            .sub(attribute_subs()),
    );
    vec![
        read_only("id", "string", "The schema's URI.").required(),
        read_only("name", "string", "The schema's name."),
        read_only("description", "string", "What it describes."),
        read_only("attributes", "complex", "Its attributes.")
            .multi()
            .required()
            .sub(subs),
    ]
    .into_iter()
    .map(Attr::json)
    .collect()
}

fn schema(base: &str, id: &str, name: &str, description: &str, attributes: Vec<Value>) -> Value {
    json!({
        "schemas": [SCHEMA],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}
    })
}

/// `/Schemas`: User, the enterprise extension, Group, and the discovery
/// documents' own schemas.
pub fn schemas(base: &str) -> Vec<Value> {
    vec![
        schema(base, USER, "User", "User Account", user_attributes()),
        schema(
            base,
            ENTERPRISE_USER,
            "EnterpriseUser",
            "Enterprise User",
            enterprise_attributes(),
        ),
        schema(
            base,
            GROUP,
            "Group",
            "Group (a Roster team)",
            group_attributes(),
        ),
        schema(
            base,
            SERVICE_PROVIDER_CONFIG,
            "ServiceProviderConfig",
            "What this service provider supports",
            service_provider_config_attributes(),
        ),
        schema(
            base,
            RESOURCE_TYPE,
            "ResourceType",
            "A resource type",
            resource_type_attributes(),
        ),
        schema(base, SCHEMA, "Schema", "A schema", schema_attributes()),
    ]
}

/// A list response holding every item (discovery lists are short).
pub fn list_of(items: Vec<Value>) -> Value {
    let n = items.len();
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": n,
        "startIndex": 1,
        "itemsPerPage": n,
        "Resources": items,
    })
}
