//! SCIM Groups over Roster's teams: `displayName` ↔ name, `externalId`
//! kept, `members` ↔ the team's users that are not deleted. Membership
//! changes go through the teams service's set-based `change_members_in`
//! (one `INSERT … SELECT` or `DELETE` and one audit entry per user
//! changed): adding one member to a team of 50,000 reads neither the team
//! nor its members. A PATCH answers 204, so it does not send the team back
//! either.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Map, Value, json};

use super::document::{Op, Operation, operations};
use super::error::{ScimError, ScimResult, ScimType};
use super::filter::{CompareOp, Filter, Value as FilterValue, parse_filter, parse_patch_path};
use super::filter_sql::{Resource, condition};
use super::list::{ListQuery, list_response};
use super::schema::GROUP;
use super::{Scim, check_version, etag, timestamp};
use crate::db::begin_write;
use crate::directory::Selection;
use crate::entities::{team, user, user_team};
use crate::teams::service::{
    Membership, change_members_in, create_team_in, delete_team_in, find_by_name, update_team_in,
};

/// The live members of `team_ids`, as (team, user id), by user id.
async fn members_of(conn: &impl ConnectionTrait, team_ids: &[i64]) -> ScimResult<Vec<(i64, i64)>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user_team::Entity::find()
        .select_only()
        .column(user_team::Column::TeamId)
        .column(user_team::Column::UserId)
        .inner_join(user::Entity)
        .filter(user_team::Column::TeamId.is_in(team_ids.iter().copied()))
        .filter(user::Column::DeletedAt.is_null())
        .order_by_asc(user_team::Column::UserId)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The live members of one team, by user id.
async fn member_ids_of(conn: &impl ConnectionTrait, team_id: i64) -> ScimResult<Vec<i64>> {
    Ok(members_of(conn, &[team_id])
        .await?
        .into_iter()
        .map(|(_, user)| user)
        .collect())
}

/// A team's document; `members` is `None` when they were not asked for.
pub fn render(base: &str, team: &team::Model, members: Option<&[i64]>) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([GROUP]));
    doc.insert("id".into(), json!(team.id.to_string()));
    doc.insert("displayName".into(), json!(team.name));
    if let Some(external) = &team.external_id {
        doc.insert("externalId".into(), json!(external));
    }
    if let Some(members) = members.filter(|m| !m.is_empty()) {
        doc.insert(
            "members".into(),
            Value::Array(
                members
                    .iter()
                    .map(|id| {
                        json!({
                            "value": id.to_string(),
                            "$ref": format!("{base}/Users/{id}"),
                            "type": "User",
                        })
                    })
                    .collect(),
            ),
        );
    }
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "created": timestamp(team.created_at),
            "lastModified": timestamp(team.updated_at),
            "location": format!("{base}/Groups/{}", team.id),
            "version": etag(team.version),
        }),
    );
    doc
}

async fn find_team(conn: &impl ConnectionTrait, id: &str) -> ScimResult<team::Model> {
    let missing =
        || ScimError::not_found(format!("No group with id {}.", crate::domain::shown(id)));
    let id: i64 = id.trim().parse().map_err(|_| missing())?;
    team::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(missing)
}

/// One group, with its members when `query` wants them.
pub async fn get(scim: &Scim<'_>, id: &str, query: &ListQuery) -> ScimResult<Map<String, Value>> {
    let team = find_team(scim.db, id).await?;
    let members: Option<Vec<i64>> = if query.wants("members") {
        Some(member_ids_of(scim.db, team.id).await?)
    } else {
        None
    };
    Ok(query.project(render(&scim.base, &team, members.as_deref())))
}

/// One page of groups matching the filter, by id.
pub async fn list(scim: &Scim<'_>, query: &ListQuery) -> ScimResult<Value> {
    let mut select = team::Entity::find();
    if let Some(filter) = &query.filter {
        select = select.filter(condition(Resource::Group, &parse_filter(filter)?)?);
    }
    let total = select.clone().count(scim.db).await?;
    let teams = if query.count == 0 {
        Vec::new()
    } else {
        select
            .order_by_asc(team::Column::Id)
            .offset(query.start_index - 1)
            .limit(query.count)
            .all(scim.db)
            .await?
    };
    let members = if query.wants("members") {
        let ids: Vec<i64> = teams.iter().map(|t| t.id).collect();
        Some(members_of(scim.db, &ids).await?)
    } else {
        None
    };
    let resources = teams
        .iter()
        .map(|t| {
            let mine: Option<Vec<i64>> = members.as_ref().map(|all| {
                all.iter()
                    .filter(|(team, _)| *team == t.id)
                    .map(|(_, u)| *u)
                    .collect()
            });
            query.project(render(&scim.base, t, mine.as_deref()))
        })
        .collect();
    Ok(list_response(total, query.start_index, resources))
}

fn invalid(message: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidValue, message)
}

/// The user ids of a `members` value: a list of `{"value": "12"}` (or one).
fn member_ids(value: &Value) -> ScimResult<Vec<i64>> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    let mut ids = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for item in items {
        let raw = match item {
            Value::Object(o) => o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("value"))
                .map(|(_, v)| v),
            other => Some(other),
        };
        let id = match raw {
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        }
        .ok_or_else(|| invalid("members: every member needs a \"value\" holding a user's id."))?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Refuses ids that are no live user's.
async fn ensure_users(conn: &impl ConnectionTrait, ids: &[i64]) -> ScimResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut found: Vec<i64> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let part: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .filter(user::Column::DeletedAt.is_null())
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(part);
    }
    let found: std::collections::HashSet<i64> = found.into_iter().collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .take(5)
        .map(|id| id.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "members: no user with id {}.",
            missing.join(", ")
        )))
    }
}

/// One change to a team's members, in the order the request gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MemberChange {
    Add(Vec<i64>),
    Remove(Vec<i64>),
    /// Exactly these members (PUT, `replace` on `members`).
    Set(Vec<i64>),
}

/// What a request asks of a team.
#[derive(Debug, Default)]
struct GroupChange {
    name: Option<String>,
    external_id: Option<Option<String>>,
    members: Vec<MemberChange>,
}

fn text_value(value: Option<&Value>, attribute: &str) -> ScimResult<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().any(char::is_control) => Err(invalid(format!(
            "{attribute} must not contain control characters."
        ))),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(invalid(format!("{attribute} must be a string."))),
    }
}

fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A whole Group document (POST, PUT).
fn whole(body: &Value) -> ScimResult<GroupChange> {
    let Value::Object(body) = body else {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            "The body must be a JSON object.",
        ));
    };
    let name = text_value(field(body, "displayName"), "displayName")?
        .ok_or_else(|| invalid("displayName is required."))?;
    let external_id = text_value(field(body, "externalId"), "externalId")?;
    // A document without `members` (read with them excluded, as Entra
    // does) leaves the members as they are.
    let members = match field(body, "members") {
        Some(value) => vec![MemberChange::Set(member_ids(value)?)],
        None => Vec::new(),
    };
    Ok(GroupChange {
        name: Some(name),
        external_id: Some(external_id),
        members,
    })
}

/// The user ids a `members[value eq "…"]` path names (`or` of such).
fn ids_in_filter(filter: &Filter) -> ScimResult<Vec<i64>> {
    match filter {
        Filter::Compare(path, CompareOp::Eq, FilterValue::Str(value))
            if path.attr.eq_ignore_ascii_case("value") && path.sub.is_none() =>
        {
            Ok(value.trim().parse::<i64>().into_iter().collect())
        }
        Filter::Or(a, b) => {
            let mut ids = ids_in_filter(a)?;
            ids.extend(ids_in_filter(b)?);
            Ok(ids)
        }
        _ => Err(ScimError::bad(
            ScimType::InvalidFilter,
            "A members filter may only say value eq \"id\" (joined with or).",
        )),
    }
}

/// A PATCH request's operations as one change.
fn patched(operations: &[Operation]) -> ScimResult<GroupChange> {
    let mut change = GroupChange::default();
    for operation in operations {
        if operation.path.is_none() {
            let Some(Value::Object(values)) = &operation.value else {
                return Err(invalid(
                    "Without a \"path\", \"value\" must be an object of attributes.",
                ));
            };
            for (key, value) in values {
                // Okta sends the group's own `id` (and `schemas`) in a
                // path-less replace: not a change.
                if ["schemas", "id", "meta"]
                    .iter()
                    .any(|k| key.eq_ignore_ascii_case(k))
                {
                    continue;
                }
                apply(
                    &mut change,
                    &Operation {
                        op: operation.op,
                        path: Some(key.clone()),
                        value: Some(value.clone()),
                    },
                )?;
            }
            continue;
        }
        apply(&mut change, operation)?;
    }
    Ok(change)
}

fn apply(change: &mut GroupChange, operation: &Operation) -> ScimResult<()> {
    let path = operation.path.as_deref().unwrap_or_default();
    let parsed = parse_patch_path(path).map_err(|e| ScimError::bad(ScimType::InvalidPath, e.0))?;
    if parsed
        .attr
        .urn
        .as_deref()
        .is_some_and(|urn| !urn.eq_ignore_ascii_case(GROUP))
    {
        return Ok(()); // An extension Roster does not keep.
    }
    let attr = parsed.attr.attr.as_str();
    let value = operation.value.as_ref();
    if ["id", "meta", "schemas"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(attr))
    {
        return Err(ScimError::bad(
            ScimType::Mutability,
            format!("{attr} is read-only."),
        ));
    }
    if attr.eq_ignore_ascii_case("displayName") {
        match operation.op {
            Op::Remove => {
                return Err(ScimError::bad(
                    ScimType::Mutability,
                    "displayName is required: it cannot be removed.",
                ));
            }
            _ => {
                change.name = Some(
                    text_value(value, "displayName")?
                        .ok_or_else(|| invalid("displayName is required."))?,
                );
            }
        }
    } else if attr.eq_ignore_ascii_case("externalId") {
        change.external_id = Some(match operation.op {
            Op::Remove => None,
            _ => text_value(value, "externalId")?,
        });
    } else if attr.eq_ignore_ascii_case("members") {
        let from_value = || member_ids(value.unwrap_or(&Value::Null));
        let member = match (operation.op, &parsed.filter) {
            (Op::Remove, Some(filter)) => MemberChange::Remove(ids_in_filter(filter)?),
            (Op::Remove, None) if value.is_some() => MemberChange::Remove(from_value()?),
            (Op::Remove, None) => MemberChange::Set(Vec::new()),
            (_, Some(_)) => {
                return Err(ScimError::bad(
                    ScimType::InvalidPath,
                    "Members are added or replaced by value, without a filter.",
                ));
            }
            (Op::Add, None) => MemberChange::Add(from_value()?),
            (Op::Replace, None) => MemberChange::Set(from_value()?),
        };
        change.members.push(member);
    }
    // Unknown attributes are ignored.
    Ok(())
}

/// Applies `change` to `team` in `txn`; says whether anything changed.
async fn write(
    scim: &Scim<'_>,
    txn: &DatabaseTransaction,
    team: &team::Model,
    change: GroupChange,
) -> ScimResult<bool> {
    let mut name = team.name.clone();
    let mut changed = false;
    if let Some(new) = change.name.filter(|n| n != &team.name) {
        name = update_team_in(
            txn,
            &scim.actor,
            team.id,
            team.version,
            &new,
            &team.description,
        )
        .await?;
        changed = true;
    }
    if let Some(external_id) = change.external_id
        && external_id != team.external_id
    {
        if external_id
            .as_ref()
            .is_some_and(|e| e.chars().count() > 255)
        {
            return Err(invalid("externalId must be at most 255 characters."));
        }
        team::Entity::update_many()
            .col_expr(team::Column::ExternalId, Expr::value(external_id))
            .filter(team::Column::Id.eq(team.id))
            .exec(txn)
            .await?;
        changed = true;
    }
    for member in change.members {
        let (add, remove) = match member {
            MemberChange::Add(ids) => (ids, Vec::new()),
            MemberChange::Remove(ids) => (Vec::new(), ids),
            MemberChange::Set(ids) => {
                let now = member_ids_of(txn, team.id).await?;
                let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
                let present: std::collections::HashSet<i64> = now.iter().copied().collect();
                let add = ids
                    .iter()
                    .filter(|id| !present.contains(id))
                    .copied()
                    .collect();
                let remove = now.into_iter().filter(|id| !wanted.contains(id)).collect();
                (add, remove)
            }
        };
        ensure_users(txn, &add).await?;
        // A selection of ids holds at most 10,000 (the bulk actions'
        // limit): larger changes go in parts, in the same transaction.
        for (change, ids) in [(Membership::Add, add), (Membership::Remove, remove)] {
            for part in ids.chunks(10_000) {
                let selection = Selection::Ids(part.to_vec());
                let done = change_members_in(txn, &scim.actor, &name, change, &selection).await?;
                changed |= done.succeeded > 0;
            }
        }
    }
    if changed {
        // The team's version is its ETag: any change moves it.
        team::Entity::update_many()
            .col_expr(team::Column::UpdatedAt, Expr::value(Utc::now()))
            .col_expr(
                team::Column::Version,
                Expr::col(team::Column::Version).add(1),
            )
            .filter(team::Column::Id.eq(team.id))
            .exec(txn)
            .await?;
    }
    Ok(changed)
}

/// Team `id` as `txn` now holds it, with its members.
async fn as_stored(
    scim: &Scim<'_>,
    txn: &DatabaseTransaction,
    id: i64,
) -> ScimResult<Map<String, Value>> {
    let stored = find_team(txn, &id.to_string()).await?;
    let members = member_ids_of(txn, id).await?;
    Ok(render(&scim.base, &stored, Some(&members)))
}

/// `POST /Groups`.
pub async fn create(scim: &Scim<'_>, body: &Value) -> ScimResult<Map<String, Value>> {
    let change = whole(body)?;
    let txn = begin_write(scim.db).await?;
    let name = create_team_in(
        &txn,
        &scim.actor,
        change.name.as_deref().unwrap_or_default(),
        "",
    )
    .await?;
    let team = find_by_name(&txn, &name)
        .await?
        .ok_or_else(|| ScimError::new(500, None, "The new group vanished."))?;
    write(
        scim,
        &txn,
        &team,
        GroupChange {
            name: None,
            ..change
        },
    )
    .await?;
    let doc = as_stored(scim, &txn, team.id).await?;
    txn.commit().await?;
    Ok(doc)
}

/// `PUT /Groups/{id}`: name, externalId and exactly the members sent.
pub async fn replace(
    scim: &Scim<'_>,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> ScimResult<Map<String, Value>> {
    let change = whole(body)?;
    let txn = begin_write(scim.db).await?;
    let team = find_team(&txn, id).await?;
    check_version(if_match, team.version)?;
    write(scim, &txn, &team, change).await?;
    let doc = as_stored(scim, &txn, team.id).await?;
    txn.commit().await?;
    Ok(doc)
}

/// `PATCH /Groups/{id}`: all operations or none; answers nothing (204).
pub async fn patch(
    scim: &Scim<'_>,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> ScimResult<()> {
    let change = patched(&operations(body)?)?;
    let txn = begin_write(scim.db).await?;
    let team = find_team(&txn, id).await?;
    check_version(if_match, team.version)?;
    write(scim, &txn, &team, change).await?;
    txn.commit().await?;
    Ok(())
}

/// `DELETE /Groups/{id}`: the team goes; its members stay users.
pub async fn delete(scim: &Scim<'_>, id: &str, if_match: Option<&str>) -> ScimResult<()> {
    let txn = begin_write(scim.db).await?;
    let team = find_team(&txn, id).await?;
    check_version(if_match, team.version)?;
    delete_team_in(&txn, &scim.actor, team.id, team.version).await?;
    txn.commit().await?;
    Ok(())
}
