//! SCIM Users over Roster's accounts: read, list with a filter in SQL,
//! create, replace (PUT), patch and delete, each in one transaction, each
//! change audited as done by the token's owner "via SCIM" through the same
//! services the console uses (`save_edit_in`, account creation, the bulk
//! Delete), so every rule of the console applies here too.
//!
//! The mapping (README, "SCIM"): `userName` ↔ username, or, when the
//! provider's `userName` is not a username as written (an email address, a
//! UUID, other case), a username derived from it while the `userName` is
//! kept for lookups; `name`/`displayName` ↔ name; the primary (else first
//! work, else first) of `emails` ↔ email; of `phoneNumbers` ↔ phone and
//! extension; `active` ↔ Active/Inactive; `groups` ↔ teams (read-only).
//! The other attributes Roster does not use (title, locale, the enterprise
//! extension…) and the provider's own lists of emails and phone numbers are
//! kept as sent and returned as sent, until the field they describe is
//! changed in the console.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, ExprTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::{Map, Value, json};

use super::document::{self, apply_to_user, canonical_user};
use super::error::{ScimError, ScimResult, ScimType};
use super::filter::parse_filter;
use super::filter_sql::{Resource, condition, user_name_key};
use super::list::{ListQuery, list_response};
use super::schema::{ENTERPRISE_USER, USER};
use super::{Scim, check_version, timestamp};
use crate::audit::AuditAction;
use crate::audit::service::{AuditEvent, record};
use crate::auth::password::check_strength;
use crate::auth::service::{revoke_other_sessions, store_chosen_password};
use crate::auth::{Permission, SessionEndReason};
use crate::db::{Window, begin_write, sqlite_users_index};
use crate::directory::Selection;
use crate::domain::{EmailAddress, NewPassword, PersonName, Phone, PhoneExt, Username};
use crate::effects::AfterCommit;
use crate::entities::{team, user, user_team};
use crate::users::bulk::api::BulkAction;
use crate::users::create::service::{NewProfile, insert_account_as};
use crate::users::detail::api::UserEdit;
use crate::users::detail::service::{names_of_roles, names_of_teams, save_edit_in};
use crate::users::table::service::live_total;

/// The role a provisioned user starts with.
const DEFAULT_ROLE: &str = "User";
/// The attributes Roster keeps as the provider sent them.
const KEPT: &[&str] = &[
    "name",
    "displayName",
    "nickName",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "emails",
    "phoneNumbers",
    ENTERPRISE_USER,
];

/// The teams of each user on a page: one query.
async fn teams_of(
    conn: &impl ConnectionTrait,
    user_ids: &[i64],
) -> ScimResult<Vec<(i64, i64, String)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user_team::Entity::find()
        .select_only()
        .column(user_team::Column::UserId)
        .column(team::Column::Id)
        .column(team::Column::Name)
        .inner_join(team::Entity)
        .filter(user_team::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_asc(team::Column::Name)
        .into_tuple()
        .all(conn)
        .await?)
}

fn kept_of(user: &user::Model) -> Map<String, Value> {
    match user
        .scim_attributes
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
    {
        Some(Value::Object(kept)) => kept,
        _ => Map::new(),
    }
}

/// Roster's phone number as SCIM shows it: `+` digits, `;ext=` extension.
fn phone_value(user: &user::Model) -> Option<String> {
    let phone = user.phone.as_deref()?;
    Some(match user.phone_ext.as_deref() {
        Some(ext) => format!("{phone};ext={ext}"),
        None => phone.to_owned(),
    })
}

/// The document of a user with its teams. `for_patch` leaves out what
/// Roster would only derive (a name the provider never sent), so a patched
/// document does not read derived values back as sent ones.
pub fn render(
    base: &str,
    user: &user::Model,
    teams: &[(i64, String)],
    for_patch: bool,
) -> Map<String, Value> {
    let kept = kept_of(user);
    let mut doc = Map::new();
    let mut schemas = vec![json!(USER)];
    if kept.contains_key(ENTERPRISE_USER) {
        schemas.push(json!(ENTERPRISE_USER));
    }
    doc.insert("schemas".into(), Value::Array(schemas));
    doc.insert("id".into(), json!(user.id.to_string()));
    if let Some(external) = &user.external_id {
        doc.insert("externalId".into(), json!(external));
    }
    doc.insert(
        "userName".into(),
        json!(user.scim_user_name.as_deref().unwrap_or(&user.username)),
    );
    for key in KEPT {
        if let Some(v) = kept.get(*key) {
            doc.insert((*key).to_owned(), v.clone());
        }
    }
    // A user provisioned over SCIM reads back as the provider wrote them
    // (an attribute it removed stays absent); one made in the console shows
    // what Roster knows. Every user has an email address.
    let provisioned = user.scim_attributes.is_some();
    if !provisioned && !for_patch {
        doc.entry("name")
            .or_insert_with(|| json!({ "formatted": user.name }));
        doc.entry("displayName").or_insert_with(|| json!(user.name));
    }
    doc.entry("emails")
        .or_insert_with(|| json!([{ "value": user.email, "type": "work", "primary": true }]));
    if let Some(phone) = phone_value(user).filter(|_| !provisioned) {
        doc.entry("phoneNumbers")
            .or_insert_with(|| json!([{ "value": phone, "type": "work" }]));
    }
    doc.insert("active".into(), json!(user.is_active));
    if !teams.is_empty() {
        doc.insert(
            "groups".into(),
            Value::Array(
                teams
                    .iter()
                    .map(|(id, name)| {
                        json!({
                            "value": id.to_string(),
                            "$ref": format!("{base}/Groups/{id}"),
                            "display": name,
                            "type": "direct",
                        })
                    })
                    .collect(),
            ),
        );
    }
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": timestamp(user.created_at),
            "lastModified": timestamp(user.updated_at),
            "location": format!("{base}/Users/{}", user.id),
            "version": super::etag(user.version),
        }),
    );
    doc
}

/// A live (not deleted) user by SCIM id.
async fn live_user(conn: &impl ConnectionTrait, id: &str) -> ScimResult<user::Model> {
    let missing = || ScimError::not_found(format!("No user with id {}.", crate::domain::shown(id)));
    let id: i64 = id.trim().parse().map_err(|_| missing())?;
    user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(missing)
}

/// One user's document.
pub async fn get(scim: &Scim<'_>, id: &str) -> ScimResult<Map<String, Value>> {
    let user = live_user(scim.db, id).await?;
    let teams: Vec<(i64, String)> = teams_of(scim.db, &[user.id])
        .await?
        .into_iter()
        .map(|(_, id, name)| (id, name))
        .collect();
    Ok(render(&scim.base, &user, &teams, false))
}

/// The ids of the live users in `window` of all of them by id: walked
/// from the nearer end over the live users' index alone (on SQLite a
/// covering index of exactly them), never reading the rows skipped.
async fn live_ids(conn: &impl ConnectionTrait, window: Window) -> ScimResult<Vec<i64>> {
    if window.take == 0 {
        return Ok(Vec::new());
    }
    let order = if window.reversed {
        Order::Desc
    } else {
        Order::Asc
    };
    let backend = conn.get_database_backend();
    let mut statement = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::DeletedAt.is_null())
        .order_by(user::Column::Id, order)
        .offset(window.skip)
        .limit(window.take)
        .build(backend);
    if backend == DbBackend::Sqlite {
        sqlite_users_index(&mut statement, "idx_users_live");
    }
    let mut ids = conn
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "id"))
        .collect::<Result<Vec<_>, _>>()?;
    if window.reversed {
        ids.reverse();
    }
    Ok(ids)
}

/// One page of users matching the query's filter, ordered by id. Without
/// a filter (a provider reading every user, page by page) the total is
/// the live users' kept count and the page is found in their index; a
/// filter is counted and paged in SQL.
pub async fn list(scim: &Scim<'_>, query: &ListQuery) -> ScimResult<Value> {
    let (total, page_ids) = match &query.filter {
        None => {
            let total = match live_total(scim.db).await? {
                Some(total) => total,
                None => {
                    user::Entity::find()
                        .filter(user::Column::DeletedAt.is_null())
                        .count(scim.db)
                        .await?
                }
            };
            let window = Window::nearer_end(total, query.start_index - 1, query.count);
            (total, live_ids(scim.db, window).await?)
        }
        Some(filter) => {
            let select = user::Entity::find()
                .filter(user::Column::DeletedAt.is_null())
                .filter(condition(Resource::User, &parse_filter(filter)?)?);
            let total = select.clone().count(scim.db).await?;
            let ids: Vec<i64> = if query.count == 0 {
                Vec::new()
            } else {
                select
                    .select_only()
                    .column(user::Column::Id)
                    .order_by_asc(user::Column::Id)
                    .offset(query.start_index - 1)
                    .limit(query.count)
                    .into_tuple()
                    .all(scim.db)
                    .await?
            };
            (total, ids)
        }
    };
    let users = if page_ids.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(page_ids.iter().copied()))
            .order_by_asc(user::Column::Id)
            .all(scim.db)
            .await?
    };
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let wanted = query.wants("groups");
    let teams = if wanted {
        teams_of(scim.db, &ids).await?
    } else {
        Vec::new()
    };
    let resources = users
        .iter()
        .map(|u| {
            let mine: Vec<(i64, String)> = teams
                .iter()
                .filter(|(user, ..)| *user == u.id)
                .map(|(_, id, name)| (*id, name.clone()))
                .collect();
            query.project(render(&scim.base, u, &mine, false))
        })
        .collect();
    Ok(list_response(total, query.start_index, resources))
}

/// What a User document asks Roster to store.
struct Desired {
    user_name: String,
    external_id: Option<String>,
    name: PersonName,
    given_name: Option<String>,
    family_name: Option<String>,
    email: EmailAddress,
    phone: Option<Phone>,
    phone_ext: Option<PhoneExt>,
    active: Option<bool>,
    password: Option<String>,
    kept: Map<String, Value>,
}

fn invalid(attribute: &str, message: impl std::fmt::Display) -> ScimError {
    ScimError::bad(ScimType::InvalidValue, format!("{attribute}: {message}"))
}

fn text<'a>(value: Option<&'a Value>, attribute: &str) -> ScimResult<Option<&'a str>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        // PostgreSQL's text holds no NUL, and no name needs a control
        // character: refused, not stored.
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            Err(invalid(attribute, "must not contain control characters."))
        }
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(invalid(attribute, "must be a string.")),
    }
}

/// The value Roster keeps of a multi-valued attribute: the primary one,
/// else the first `work` one, else the first.
fn chosen(values: Option<&Value>) -> Option<&Map<String, Value>> {
    let Some(Value::Array(items)) = values else {
        return None;
    };
    let objects: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
    objects
        .iter()
        .find(|o| o.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| {
            objects
                .iter()
                .find(|o| o.get("type").and_then(Value::as_str) == Some("work"))
        })
        .or_else(|| objects.first())
        .copied()
}

/// `+1 (201) 555-0123;ext=12`, `tel:+1-201-555-0123`, `2015550123 x12` →
/// Roster's digits and extension.
fn parse_phone(value: &str) -> ScimResult<(Phone, Option<PhoneExt>)> {
    let lower = value.trim().to_lowercase();
    let number = lower.strip_prefix("tel:").unwrap_or(&lower);
    let (number, ext) = [";ext=", " ext.", " ext", " x"]
        .iter()
        .find_map(|sep| number.split_once(sep))
        .map_or((number, None), |(n, e)| (n, Some(e.trim())));
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let phone = Phone::parse(&digits).map_err(|e| invalid("phoneNumbers", e))?;
    let ext =
        PhoneExt::parse_optional(ext.unwrap_or("")).map_err(|e| invalid("phoneNumbers", e))?;
    Ok((phone, ext))
}

/// Reads a canonical User document. `current` is the user it replaces:
/// what the document does not say (a name, an email) stays theirs.
fn desired(doc: &Map<String, Value>, current: Option<&user::Model>) -> ScimResult<Desired> {
    let user_name = text(doc.get("userName"), "userName")?
        .ok_or_else(|| invalid("userName", "is required."))?
        .to_owned();
    if user_name.chars().count() > 255 {
        return Err(invalid("userName", "must be at most 255 characters."));
    }
    let external_id = text(doc.get("externalId"), "externalId")?.map(str::to_owned);
    if external_id
        .as_ref()
        .is_some_and(|e| e.chars().count() > 255)
    {
        return Err(invalid("externalId", "must be at most 255 characters."));
    }
    let name_object = match doc.get("name") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(invalid("name", "must be an object.")),
    };
    let part = |key: &str| text(name_object.get(key), &format!("name.{key}"));
    let given_name = part("givenName")?.map(str::to_owned);
    let family_name = part("familyName")?.map(str::to_owned);
    let joined: Vec<&str> = [part("givenName")?, part("middleName")?, part("familyName")?]
        .into_iter()
        .flatten()
        .collect();
    let name_text = match part("formatted")? {
        Some(formatted) => formatted.to_owned(),
        None if !joined.is_empty() => joined.join(" "),
        None => match text(doc.get("displayName"), "displayName")? {
            Some(display) => display.to_owned(),
            None => current.map_or_else(|| user_name.clone(), |c| c.name.clone()),
        },
    };
    let name = PersonName::parse(&name_text).map_err(|e| invalid("name", e))?;

    let email_text = match chosen(doc.get("emails")) {
        Some(email) => text(email.get("value"), "emails.value")?
            .ok_or_else(|| invalid("emails", "the chosen address has no value."))?
            .to_owned(),
        None => match (EmailAddress::parse(&user_name), current) {
            (Ok(email), _) => email.to_string(),
            (Err(_), Some(current)) => current.email.clone(),
            (Err(_), None) => {
                return Err(invalid(
                    "emails",
                    "Roster needs an email address for every user: send one in emails, or a userName that is one.",
                ));
            }
        },
    };
    let email = EmailAddress::parse(&email_text).map_err(|e| invalid("emails", e))?;

    let (phone, phone_ext) = match chosen(doc.get("phoneNumbers")) {
        Some(number) => match text(number.get("value"), "phoneNumbers.value")? {
            Some(value) => {
                let (phone, ext) = parse_phone(value)?;
                (Some(phone), ext)
            }
            None => (None, None),
        },
        None => (None, None),
    };
    let active = match doc.get("active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(invalid("active", "must be true or false.")),
    };
    let password = text(doc.get("password"), "password")?.map(str::to_owned);
    let mut kept = Map::new();
    for key in KEPT {
        if let Some(v) = doc.get(*key).filter(|v| !v.is_null()) {
            kept.insert((*key).to_owned(), v.clone());
        }
    }
    Ok(Desired {
        user_name,
        external_id,
        name,
        given_name: given_name.map(|g| g.chars().take(100).collect()),
        family_name: family_name.map(|f| f.chars().take(100).collect()),
        email,
        phone,
        phone_ext,
        active,
        password,
        kept,
    })
}

/// Refuses a `userName` another user (not `except`) has, ignoring case.
async fn ensure_user_name_free(
    conn: &impl ConnectionTrait,
    user_name: &str,
    except: Option<i64>,
) -> ScimResult<()> {
    let mut taken = user::Entity::find().filter(
        Expr::expr(Func::lower(user_name_key())).eq(Func::lower(Expr::val(user_name.to_owned()))),
    );
    if let Some(id) = except {
        taken = taken.filter(user::Column::Id.ne(id));
    }
    if let Some(holder) = taken.one(conn).await? {
        let deleted = if holder.deleted_at.is_some() {
            " by a user deleted in Roster (restore or permanently delete them in the console)"
        } else {
            ""
        };
        return Err(ScimError::new(
            409,
            Some(ScimType::Uniqueness),
            format!(
                "userName: {} is already taken{deleted}.",
                crate::domain::shown(user_name)
            ),
        ));
    }
    Ok(())
}

/// The username for `user_name`, and the `userName` to keep beside it
/// when the two differ. A user who keeps their `userName` keeps their
/// username; otherwise a valid username is used as is (lower-cased), and
/// anything else (an email address, a UUID) gives one derived from it: the
/// part before `@`, lower-cased, reduced to letters, digits and `. _ -`,
/// at most 32 characters, with `-2`, `-3`… when it is taken.
async fn username_for(
    conn: &impl ConnectionTrait,
    user_name: &str,
    current: Option<&user::Model>,
) -> ScimResult<(Username, Option<String>)> {
    let keep = |username: &str| (user_name != username).then(|| user_name.to_owned());
    if let Some(current) = current {
        let key = current
            .scim_user_name
            .as_deref()
            .unwrap_or(&current.username);
        if key.to_lowercase() == user_name.to_lowercase() {
            let username =
                Username::parse(&current.username).map_err(|e| invalid("userName", e))?;
            return Ok((username, keep(&current.username)));
        }
    }
    let taken = |candidate: String| async move {
        let mut found = user::Entity::find().filter(user::Column::Username.eq(candidate));
        if let Some(current) = current {
            found = found.filter(user::Column::Id.ne(current.id));
        }
        found.count(conn).await.map(|n| n > 0)
    };
    if let Ok(username) = Username::parse(user_name) {
        if taken(username.to_string()).await? {
            return Err(ScimError::new(
                409,
                Some(ScimType::Uniqueness),
                format!("userName: the username {username} is already taken."),
            ));
        }
        return Ok((username.clone(), keep(username.as_str())));
    }
    let local = user_name
        .split('@')
        .next()
        .unwrap_or(user_name)
        .to_lowercase();
    let mut base: String = local
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        .collect();
    base = base
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(Username::MAX_LEN)
        .collect();
    if base.chars().count() < Username::MIN_LEN {
        base = format!("{base}-user").trim_start_matches('-').to_owned();
    }
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            let suffix = format!("-{n}");
            let room = Username::MAX_LEN - suffix.len();
            format!("{}{suffix}", base.chars().take(room).collect::<String>())
        };
        let Ok(username) = Username::parse(&candidate) else {
            continue;
        };
        if !taken(username.to_string()).await? {
            return Ok((username, Some(user_name.to_owned())));
        }
    }
    Err(invalid(
        "userName",
        "no free username could be derived from it.",
    ))
}

/// What a SCIM write keeps: always a JSON object, even empty, which marks
/// the user as provisioned (see [`render`]).
fn kept_json(kept: &Map<String, Value>) -> Option<String> {
    Some(Value::Object(kept.clone()).to_string())
}

/// The kept SCIM attributes after the console changed a user's name, email
/// or phone: the provider's copies of those fields now say what Roster
/// holds, so SCIM never reads back a value the console replaced.
pub fn kept_after_console_edit(
    current: &user::Model,
    name: &str,
    email: &str,
    phone: Option<&str>,
    phone_ext: Option<&str>,
) -> Option<String> {
    current.scim_attributes.as_ref()?;
    let mut kept = kept_of(current);
    if current.name != name {
        if kept.contains_key("name") {
            kept.insert("name".into(), json!({ "formatted": name }));
        }
        if kept.contains_key("displayName") {
            kept.insert("displayName".into(), json!(name));
        }
    }
    if current.email != email && kept.contains_key("emails") {
        kept.insert(
            "emails".into(),
            json!([{ "value": email, "type": "work", "primary": true }]),
        );
    }
    if current.phone.as_deref() != phone || current.phone_ext.as_deref() != phone_ext {
        let edited = user::Model {
            phone: phone.map(str::to_owned),
            phone_ext: phone_ext.map(str::to_owned),
            ..current.clone()
        };
        match phone_value(&edited) {
            Some(value) => {
                kept.insert(
                    "phoneNumbers".into(),
                    json!([{ "value": value, "type": "work" }]),
                );
            }
            None => {
                kept.remove("phoneNumbers");
            }
        }
    }
    kept_json(&kept)
}

/// Checks a password sent with a user against the strength rule (with
/// their username, email and name) and hashes it.
async fn hashed_password(
    scim: &Scim<'_>,
    desired: &Desired,
    username: &str,
) -> ScimResult<Option<String>> {
    let Some(password) = &desired.password else {
        return Ok(None);
    };
    let password = NewPassword::parse(password).map_err(|e| invalid("password", e))?;
    check_strength(
        &password,
        &[username, desired.email.as_str(), desired.name.as_str()],
    )
    .map_err(|e| invalid("password", e))?;
    let hash = scim
        .auth
        .hashing()
        .hash(&password)
        .await
        .map_err(crate::error::AppError::from)?;
    Ok(Some(hash))
}

/// Writes the SCIM-only columns of user `id` when they differ from
/// `current`'s, with an audit entry per changed one.
async fn write_scim_columns(
    scim: &Scim<'_>,
    txn: &DatabaseTransaction,
    current: &user::Model,
    scim_user_name: Option<String>,
    desired: &Desired,
    now: DateTime<Utc>,
) -> ScimResult<()> {
    let kept = kept_json(&desired.kept);
    let changed = current.external_id != desired.external_id
        || current.scim_user_name != scim_user_name
        || current.given_name != desired.given_name
        || current.family_name != desired.family_name
        || current.scim_attributes != kept;
    if !changed {
        return Ok(());
    }
    user::Entity::update_many()
        .col_expr(
            user::Column::ExternalId,
            Expr::value(desired.external_id.clone()),
        )
        .col_expr(
            user::Column::ScimUserName,
            Expr::value(scim_user_name.clone()),
        )
        .col_expr(
            user::Column::GivenName,
            Expr::value(desired.given_name.clone()),
        )
        .col_expr(
            user::Column::FamilyName,
            Expr::value(desired.family_name.clone()),
        )
        .col_expr(user::Column::ScimAttributes, Expr::value(kept.clone()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(current.id))
        .exec(txn)
        .await?;
    let changes = [
        ("external_id", &current.external_id, &desired.external_id),
        ("scim_user_name", &current.scim_user_name, &scim_user_name),
        ("scim_attributes", &current.scim_attributes, &kept),
    ];
    for (field, old, new) in changes {
        if old != new {
            record(
                txn,
                &scim.actor,
                AuditEvent {
                    target_user_id: Some(current.id),
                    target_username: Some(current.username.clone()),
                    field: Some(field),
                    old_value: old.clone(),
                    new_value: new.clone(),
                    ..AuditEvent::new(AuditAction::Update)
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// `POST /Users`.
pub async fn create(
    scim: &Scim<'_>,
    body: &Value,
) -> ScimResult<(Map<String, Value>, AfterCommit)> {
    let doc = canonical_user(body)?;
    let desired = desired(&doc, None)?;
    let txn = begin_write(scim.db).await?;
    ensure_user_name_free(&txn, &desired.user_name, None).await?;
    let (username, scim_user_name) = username_for(&txn, &desired.user_name, None).await?;
    // Hashing before the transaction would need the username first; a
    // password sent at creation is rare (providers use SSO), so the
    // transaction waits for it.
    let password_hash = hashed_password(scim, &desired, username.as_str()).await?;
    let now = Utc::now();
    let profile = NewProfile {
        username,
        email: desired.email.clone(),
        name: desired.name.clone(),
        phone: desired.phone.clone(),
        phone_ext: desired.phone_ext.clone(),
        roles: vec![DEFAULT_ROLE.to_owned()],
        teams: Vec::new(),
    };
    let created = insert_account_as(
        &txn,
        &scim.actor,
        &profile,
        password_hash,
        false,
        false,
        now,
    )
    .await?;
    write_scim_columns(scim, &txn, &created, scim_user_name, &desired, now).await?;
    if desired.active == Some(false) {
        user::Entity::update_many()
            .col_expr(user::Column::IsActive, Expr::value(false))
            .filter(user::Column::Id.eq(created.id))
            .exec(&txn)
            .await?;
    }
    let stored = user::Entity::find_by_id(created.id)
        .one(&txn)
        .await?
        .ok_or(ScimError::new(500, None, "The new user vanished."))?;
    txn.commit().await?;
    tracing::info!(user_id = stored.id, "user provisioned over SCIM");
    Ok((
        render(&scim.base, &stored, &[], false),
        AfterCommit::none().users_changed(),
    ))
}

/// `PUT /Users/{id}`: the document replaces the user's attributes.
pub async fn replace(
    scim: &Scim<'_>,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> ScimResult<(Map<String, Value>, AfterCommit)> {
    let current = live_user(scim.db, id).await?;
    check_version(if_match, current.version)?;
    let doc = canonical_user(body)?;
    write(scim, current, doc).await
}

/// `PATCH /Users/{id}`: the operations applied to the user's document, in
/// order, then stored as a replacement; all or nothing.
pub async fn patch(
    scim: &Scim<'_>,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> ScimResult<(Map<String, Value>, AfterCommit)> {
    let operations = document::operations(body)?;
    let current = live_user(scim.db, id).await?;
    check_version(if_match, current.version)?;
    let mut doc = canonical_user(&Value::Object(render(&scim.base, &current, &[], true)))?;
    for operation in &operations {
        apply_to_user(&mut doc, operation)?;
    }
    write(scim, current, doc).await
}

/// Stores a User document over `current`: Roster's own fields through the
/// user page's `save_edit_in` (uniqueness, no self-deactivation,
/// deactivation ends sessions, one audit entry per field), then SCIM's.
async fn write(
    scim: &Scim<'_>,
    current: user::Model,
    doc: Map<String, Value>,
) -> ScimResult<(Map<String, Value>, AfterCommit)> {
    let desired = desired(&doc, Some(&current))?;
    // However the password came (a path in any case, a URN, a path-less
    // value), setting one needs the permission to set passwords.
    if desired.password.is_some() && !scim.caller.can(Permission::ResetPasswords) {
        return Err(ScimError::new(
            403,
            None,
            format!(
                "Setting a password needs the permission \"{}\" ({}).",
                Permission::ResetPasswords.label(),
                Permission::ResetPasswords.key()
            ),
        ));
    }
    let txn = begin_write(scim.db).await?;
    ensure_user_name_free(&txn, &desired.user_name, Some(current.id)).await?;
    let (username, scim_user_name) = username_for(&txn, &desired.user_name, Some(&current)).await?;
    let password_hash = hashed_password(scim, &desired, username.as_str()).await?;
    let edit = UserEdit {
        id: current.id,
        version: current.version,
        username: username.to_string(),
        email: desired.email.to_string(),
        name: desired.name.to_string(),
        phone: desired
            .phone
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        phone_ext: desired
            .phone_ext
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        active: desired.active.unwrap_or(current.is_active),
        roles: names_of_roles(&txn, current.id).await?,
        teams: names_of_teams(&txn, current.id).await?,
    };
    let updated = save_edit_in(&txn, scim.auth.settings(), &scim.actor, scim.caller, &edit).await?;
    let now = Utc::now();
    let after_edit = user::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ScimError::not_found("No such user."))?;
    write_scim_columns(scim, &txn, &after_edit, scim_user_name, &desired, now).await?;
    let password_set = password_hash.is_some();
    if let Some(hash) = password_hash {
        store_chosen_password(&txn, current.id, hash, now).await?;
        // As when an administrator sets one: every session of the user ends.
        revoke_other_sessions(
            &txn,
            scim.auth.settings(),
            current.id,
            None,
            SessionEndReason::PasswordSet,
            now,
        )
        .await?;
        record(
            &txn,
            &scim.actor,
            AuditEvent {
                target_user_id: Some(current.id),
                target_username: Some(updated.username.clone()),
                ..AuditEvent::new(AuditAction::PasswordSet)
            },
        )
        .await?;
    }
    let stored = user::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ScimError::not_found("No such user."))?;
    let teams: Vec<(i64, String)> = teams_of(&txn, &[current.id])
        .await?
        .into_iter()
        .map(|(_, id, name)| (id, name))
        .collect();
    txn.commit().await?;
    let mut after = AfterCommit::none().users_changed();
    if updated.sessions_ended || password_set {
        after = after.sessions_ended_of(&[current.id]);
    }
    Ok((render(&scim.base, &stored, &teams, false), after))
}

/// `DELETE /Users/{id}`: the console's Delete (soft: restorable from the
/// console; sessions end), after which SCIM answers 404 for the user.
pub async fn delete(scim: &Scim<'_>, id: &str, if_match: Option<&str>) -> ScimResult<AfterCommit> {
    let current = live_user(scim.db, id).await?;
    check_version(if_match, current.version)?;
    let (outcome, after) = crate::users::bulk::service::run(
        scim.db,
        scim.auth,
        scim.outbox,
        &scim.actor,
        &BulkAction::Delete,
        &Selection::Ids(vec![current.id]),
    )
    .await?;
    if outcome.succeeded == 0 {
        let reason = outcome
            .skipped
            .first()
            .map_or("refused", |s| s.reason.as_str());
        return Err(ScimError::new(
            409,
            None,
            format!("{} was not deleted: {reason}.", current.username),
        ));
    }
    Ok(after)
}
