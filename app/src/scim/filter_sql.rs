//! A parsed SCIM filter as a SQL condition over `users` or `teams`: every
//! filter runs in the database, never over rows loaded into memory.
//!
//! Each SCIM attribute a filter may name maps to one [`Field`]: a column (or
//! expression) and how it compares. Strings that SCIM says ignore case
//! (`caseExact: false`) are compared as `lower(column)` against
//! `lower(value)`, both in SQL, so the two sides agree on both databases;
//! `userName`'s `lower(coalesce(scim_user_name, username))` is exactly the
//! expression migration 24 indexes.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ExprTrait};

use super::filter::{AttrPath, CompareOp, Filter, FilterError, Value};
use crate::entities::{team, user, user_team};

/// What a SCIM attribute is in SQL.
#[derive(Debug, Clone)]
pub enum Field {
    /// A text column; `case_exact: false` compares lower-cased.
    Text {
        expr: SimpleExpr,
        case_exact: bool,
    },
    Bool(SimpleExpr),
    Time(SimpleExpr),
    /// A numeric id column, shown to SCIM as a string.
    Id(SimpleExpr),
    /// A value every resource has (Roster's one email is `work`, primary).
    Fixed(Value),
    /// `groups`/`groups.value` of a user, `members`/`members.value` of a
    /// group: whether a membership with that id exists.
    Membership(Membership),
}

/// Which side of `user_teams` a membership field looks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// The user's teams (a user's `groups`).
    TeamsOfUser,
    /// The team's live members (a group's `members`).
    MembersOfTeam,
}

/// Which resource a filter is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Group,
}

impl Resource {
    /// The attributes a filter may name, for the error listing them.
    fn attributes(self) -> &'static str {
        match self {
            Resource::User => {
                "id, userName, externalId, displayName, name.formatted, name.givenName, \
                 name.familyName, emails, emails.value, emails.type, emails.primary, \
                 phoneNumbers.value, active, groups.value, meta.created, meta.lastModified"
            }
            Resource::Group => {
                "id, displayName, externalId, members.value, meta.created, meta.lastModified"
            }
        }
    }

    fn core_urn(self) -> &'static str {
        match self {
            Resource::User => super::schema::USER,
            Resource::Group => super::schema::GROUP,
        }
    }

    /// The SQL of attribute `path`, or why it cannot be filtered on.
    pub fn field(self, path: &AttrPath) -> Result<Field, FilterError> {
        if let Some(urn) = &path.urn
            && !urn.eq_ignore_ascii_case(self.core_urn())
        {
            return Err(self.unknown(path));
        }
        let text = |expr: SimpleExpr, case_exact| Field::Text { expr, case_exact };
        let field = match self {
            Resource::User => {
                let col = |c: user::Column| Expr::col((user::Entity, c));
                if path.is("id") {
                    Field::Id(col(user::Column::Id))
                } else if path.is("userName") {
                    text(user_name_key(), false)
                } else if path.is("externalId") {
                    text(col(user::Column::ExternalId), true)
                } else if path.is("displayName") || path.is_sub("name", "formatted") {
                    text(col(user::Column::Name), false)
                } else if path.is_sub("name", "givenName") {
                    text(col(user::Column::GivenName), false)
                } else if path.is_sub("name", "familyName") {
                    text(col(user::Column::FamilyName), false)
                } else if path.is("emails") || path.is_sub("emails", "value") {
                    text(col(user::Column::Email), false)
                } else if path.is_sub("emails", "type") || path.is_sub("phoneNumbers", "type") {
                    Field::Fixed(Value::Str("work".to_owned()))
                } else if path.is_sub("emails", "primary") {
                    Field::Fixed(Value::Bool(true))
                } else if path.is("phoneNumbers") || path.is_sub("phoneNumbers", "value") {
                    text(col(user::Column::Phone), false)
                } else if path.is("active") {
                    Field::Bool(col(user::Column::IsActive))
                } else if path.is_sub("meta", "created") {
                    Field::Time(col(user::Column::CreatedAt))
                } else if path.is_sub("meta", "lastModified") {
                    Field::Time(col(user::Column::UpdatedAt))
                } else if path.is("groups") || path.is_sub("groups", "value") {
                    Field::Membership(Membership::TeamsOfUser)
                } else {
                    return Err(self.unknown(path));
                }
            }
            Resource::Group => {
                let col = |c: team::Column| Expr::col((team::Entity, c));
                if path.is("id") {
                    Field::Id(col(team::Column::Id))
                } else if path.is("displayName") {
                    text(col(team::Column::Name), false)
                } else if path.is("externalId") {
                    text(col(team::Column::ExternalId), true)
                } else if path.is("members") || path.is_sub("members", "value") {
                    Field::Membership(Membership::MembersOfTeam)
                } else if path.is_sub("meta", "created") {
                    Field::Time(col(team::Column::CreatedAt))
                } else if path.is_sub("meta", "lastModified") {
                    Field::Time(col(team::Column::UpdatedAt))
                } else {
                    return Err(self.unknown(path));
                }
            }
        };
        Ok(field)
    }

    fn unknown(self, path: &AttrPath) -> FilterError {
        FilterError(format!(
            "{} cannot be filtered on. Filter on: {}.",
            crate::domain::shown(&path.to_string()),
            self.attributes()
        ))
    }
}

/// `userName` as stored for lookups: what the provider sent, or the
/// username when it sent that; lower-cased in [`compare`]. Migration 24
/// indexes `lower(` this `)`.
pub fn user_name_key() -> SimpleExpr {
    Func::coalesce([
        Expr::col((user::Entity, user::Column::ScimUserName)),
        Expr::col((user::Entity, user::Column::Username)),
    ])
    .into()
}

/// The condition `filter` stands for over `resource`.
pub fn condition(resource: Resource, filter: &Filter) -> Result<Condition, FilterError> {
    Ok(match filter {
        Filter::And(a, b) => Condition::all()
            .add(condition(resource, a)?)
            .add(condition(resource, b)?),
        Filter::Or(a, b) => Condition::any()
            .add(condition(resource, a)?)
            .add(condition(resource, b)?),
        Filter::Not(inner) => condition(resource, inner)?.not(),
        Filter::Present(path) => present(resource.field(path)?),
        Filter::Compare(path, op, value) => compare(resource.field(path)?, *op, value, path)?,
        Filter::ValuePath(parent, inner) => {
            if parent.sub.is_some() {
                return Err(FilterError(format!(
                    "{parent}[…] filters a sub-attribute; filter the attribute itself."
                )));
            }
            condition(resource, &relative_to(parent, inner)?)?
        }
    })
}

/// The inner filter of `parent[…]` with its paths made full
/// (`type` → `emails.type`).
fn relative_to(parent: &AttrPath, filter: &Filter) -> Result<Filter, FilterError> {
    let boxed = |f: &Filter| relative_to(parent, f).map(Box::new);
    Ok(match filter {
        Filter::Compare(path, op, value) => {
            Filter::Compare(inner_path(parent, path)?, *op, value.clone())
        }
        Filter::Present(path) => Filter::Present(inner_path(parent, path)?),
        Filter::And(a, b) => Filter::And(boxed(a)?, boxed(b)?),
        Filter::Or(a, b) => Filter::Or(boxed(a)?, boxed(b)?),
        Filter::Not(a) => Filter::Not(boxed(a)?),
        Filter::ValuePath(..) => {
            return Err(FilterError(
                "A value filter cannot hold another value filter.".to_owned(),
            ));
        }
    })
}

fn inner_path(parent: &AttrPath, path: &AttrPath) -> Result<AttrPath, FilterError> {
    if path.urn.is_some() || path.sub.is_some() {
        return Err(FilterError(format!(
            "Inside {parent}[…] name sub-attributes alone (value, type…), not {path}."
        )));
    }
    Ok(path.under(parent))
}

fn always(yes: bool) -> Condition {
    Condition::all().add(Expr::cust(if yes { "1 = 1" } else { "1 = 0" }))
}

fn present(field: Field) -> Condition {
    match field {
        Field::Text { expr, .. } => Condition::all()
            .add(expr.clone().is_not_null())
            .add(expr.ne("")),
        Field::Bool(_) | Field::Time(_) | Field::Id(_) => always(true),
        Field::Fixed(value) => always(value != Value::Null),
        Field::Membership(side) => Condition::all().add(Expr::exists(memberships(side, None))),
    }
}

/// `user_teams` rows of the resource in the outer query (any, or the one
/// with the other side's id `id`).
fn memberships(side: Membership, id: Option<i64>) -> sea_orm::sea_query::SelectStatement {
    let mut query = Query::select();
    query.expr(Expr::val(1)).from(user_team::Entity);
    match side {
        Membership::TeamsOfUser => {
            query.and_where(
                Expr::col((user_team::Entity, user_team::Column::UserId))
                    .equals((user::Entity, user::Column::Id)),
            );
            if let Some(team) = id {
                query.and_where(user_team::Column::TeamId.eq(team));
            }
        }
        Membership::MembersOfTeam => {
            query.and_where(
                Expr::col((user_team::Entity, user_team::Column::TeamId))
                    .equals((team::Entity, team::Column::Id)),
            );
            if let Some(member) = id {
                query.and_where(user_team::Column::UserId.eq(member));
            }
            // Deleted users are not members to SCIM.
            let member = Alias::new("member");
            query.and_where(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from_as(user::Entity, member.clone())
                    .and_where(
                        Expr::col((member.clone(), user::Column::Id))
                            .equals((user_team::Entity, user_team::Column::UserId)),
                    )
                    .and_where(Expr::col((member, user::Column::DeletedAt)).is_null())
                    .to_owned(),
            ));
        }
    }
    query
}

fn like_pattern(op: CompareOp, value: &str) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    match op {
        CompareOp::Co => format!("%{escaped}%"),
        CompareOp::Sw => format!("{escaped}%"),
        _ => format!("%{escaped}"),
    }
}

fn ordered(op: CompareOp, left: SimpleExpr, right: SimpleExpr) -> SimpleExpr {
    match op {
        CompareOp::Gt => left.gt(right),
        CompareOp::Ge => left.gte(right),
        CompareOp::Lt => left.lt(right),
        _ => left.lte(right),
    }
}

fn compare(
    field: Field,
    op: CompareOp,
    value: &Value,
    path: &AttrPath,
) -> Result<Condition, FilterError> {
    use CompareOp::*;
    let bad_value = |wanted: &str| {
        FilterError(format!(
            "{path} compares with {wanted}, not {}.",
            match value {
                Value::Str(s) => crate::domain::shown(s),
                Value::Num(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_owned(),
            }
        ))
    };
    let bad_op = || FilterError(format!("{path} cannot be compared with {op:?}."));
    Ok(match field {
        Field::Text { expr, case_exact } => {
            let Some(text) = value.text() else {
                return Ok(match op {
                    Eq => Condition::all().add(expr.is_null()),
                    Ne => Condition::all().add(expr.is_not_null()),
                    _ => return Err(bad_value("a string")),
                });
            };
            let (left, right): (SimpleExpr, SimpleExpr) = if case_exact {
                (expr.clone(), Expr::val(text.clone()))
            } else {
                (
                    Func::lower(expr.clone()).into(),
                    Func::lower(Expr::val(text.clone())).into(),
                )
            };
            let like = |pattern: String| {
                let pattern = if case_exact {
                    pattern
                } else {
                    pattern.to_lowercase()
                };
                left.clone().like(LikeExpr::new(pattern).escape('\\'))
            };
            match op {
                Eq => Condition::all().add(left.eq(right)),
                Ne => Condition::any().add(left.ne(right)).add(expr.is_null()),
                Co | Sw | Ew => {
                    // LIKE ignores ASCII case on SQLite; a case-exact
                    // attribute then also checks the exact substring.
                    let mut c = Condition::all().add(like(like_pattern(op, &text)));
                    if case_exact {
                        c = c.add(exact_substring(op, expr, &text));
                    }
                    c
                }
                Gt | Ge | Lt | Le => Condition::all().add(ordered(op, left, right)),
            }
        }
        Field::Bool(expr) => {
            let wanted = match value {
                Value::Bool(b) => *b,
                Value::Str(s) if s.eq_ignore_ascii_case("true") => true,
                Value::Str(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(bad_value("true or false")),
            };
            match op {
                Eq => Condition::all().add(expr.eq(wanted)),
                Ne => Condition::all().add(expr.ne(wanted)),
                _ => return Err(bad_op()),
            }
        }
        Field::Time(expr) => {
            let Value::Str(s) = value else {
                return Err(bad_value(
                    "a date and time such as \"2026-12-06T10:00:00Z\"",
                ));
            };
            let at: DateTime<Utc> = DateTime::parse_from_rfc3339(s)
                .map_err(|_| bad_value("a date and time such as \"2026-12-06T10:00:00Z\""))?
                .with_timezone(&Utc);
            match op {
                Eq => Condition::all().add(expr.eq(at)),
                Ne => Condition::all().add(expr.ne(at)),
                Gt | Ge | Lt | Le => Condition::all().add(ordered(op, expr, Expr::val(at))),
                Co | Sw | Ew => return Err(bad_op()),
            }
        }
        Field::Id(expr) => {
            let id = match value {
                Value::Str(s) => s.trim().parse::<i64>().ok(),
                Value::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Some(*n as i64),
                _ => return Err(bad_value("an id")),
            };
            match (op, id) {
                (Eq, Some(id)) => Condition::all().add(expr.eq(id)),
                (Eq, None) => always(false),
                (Ne, Some(id)) => Condition::all().add(expr.ne(id)),
                (Ne, None) => always(true),
                (Gt | Ge | Lt | Le, Some(id)) => {
                    Condition::all().add(ordered(op, expr, Expr::val(id)))
                }
                _ => return Err(bad_op()),
            }
        }
        Field::Fixed(fixed) => {
            let same = match (&fixed, value) {
                (Value::Str(a), Value::Str(b)) => a.eq_ignore_ascii_case(b),
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Bool(a), Value::Str(b)) => a.to_string().eq_ignore_ascii_case(b),
                _ => false,
            };
            match op {
                Eq => always(same),
                Ne => always(!same),
                Co | Sw | Ew => {
                    let (Value::Str(a), Value::Str(b)) = (&fixed, value) else {
                        return Err(bad_op());
                    };
                    let (a, b) = (a.to_lowercase(), b.to_lowercase());
                    always(match op {
                        Co => a.contains(&b),
                        Sw => a.starts_with(&b),
                        _ => a.ends_with(&b),
                    })
                }
                _ => return Err(bad_op()),
            }
        }
        Field::Membership(side) => {
            let id = match value {
                Value::Str(s) => s.trim().parse::<i64>().ok(),
                Value::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Some(*n as i64),
                _ => return Err(bad_value("an id")),
            };
            match (op, id) {
                (Eq, Some(id)) => Condition::all().add(Expr::exists(memberships(side, Some(id)))),
                (Eq, None) => always(false),
                (Ne, Some(id)) => {
                    Condition::all().add(Expr::exists(memberships(side, Some(id))).not())
                }
                (Ne, None) => always(true),
                _ => return Err(bad_op()),
            }
        }
    })
}

/// A case-exact `co`/`sw`/`ew`: the exact substring at the right place,
/// whatever LIKE's case rules (`substr`, `length` and `replace` mean the
/// same on both databases).
fn exact_substring(op: CompareOp, expr: SimpleExpr, text: &str) -> SimpleExpr {
    // PostgreSQL's substr takes integers, not bigints.
    let n = i32::try_from(text.chars().count()).unwrap_or(i32::MAX);
    let func = |name: &str| Func::cust(Alias::new(name));
    let length = |e: SimpleExpr| -> SimpleExpr { func("length").arg(e).into() };
    match op {
        CompareOp::Sw => SimpleExpr::from(func("substr").arg(expr).arg(1i32).arg(n)).eq(text),
        CompareOp::Ew => SimpleExpr::from(
            func("substr")
                .arg(expr.clone())
                .arg(length(expr).sub(n).add(1i32)),
        )
        .eq(text),
        // `replace` removes every exact occurrence: the length changes iff
        // there is one.
        _ => length(func("replace").arg(expr.clone()).arg(text).arg("").into()).lt(length(expr)),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::scim::filter::parse_filter;

    /// The WHERE clause a filter over users becomes, on `backend`.
    fn sql(backend: DbBackend, resource: Resource, filter: &str) -> String {
        let condition = condition(resource, &parse_filter(filter).unwrap()).unwrap();
        let statement = match resource {
            Resource::User => user::Entity::find().filter(condition).build(backend),
            Resource::Group => team::Entity::find().filter(condition).build(backend),
        }
        .to_string();
        statement
            .split_once(" WHERE ")
            .map(|(_, w)| w.to_owned())
            .unwrap_or(statement)
    }

    #[test]
    fn user_name_compares_the_indexed_expression_ignoring_case() {
        assert_eq!(
            sql(
                DbBackend::Sqlite,
                Resource::User,
                r#"userName eq "BJensen""#
            ),
            r#"LOWER(COALESCE("users"."scim_user_name", "users"."username")) = LOWER('BJensen')"#
        );
    }

    #[test]
    fn each_operator() {
        let cases = [
            (
                r#"displayName ne "a""#,
                r#"LOWER("users"."name") <> LOWER('a') OR "users"."name" IS NULL"#,
            ),
            (
                r#"displayName co "a%_""#,
                r#"LOWER("users"."name") LIKE '%a\%\_%' ESCAPE '\'"#,
            ),
            (
                r#"displayName sw "A""#,
                r#"LOWER("users"."name") LIKE 'a%' ESCAPE '\'"#,
            ),
            (
                r#"displayName ew "a""#,
                r#"LOWER("users"."name") LIKE '%a' ESCAPE '\'"#,
            ),
            (
                r#"displayName gt "m""#,
                r#"LOWER("users"."name") > LOWER('m')"#,
            ),
            (
                r#"displayName ge "m""#,
                r#"LOWER("users"."name") >= LOWER('m')"#,
            ),
            (
                r#"displayName lt "m""#,
                r#"LOWER("users"."name") < LOWER('m')"#,
            ),
            (
                r#"displayName le "m""#,
                r#"LOWER("users"."name") <= LOWER('m')"#,
            ),
            (
                r#"externalId pr"#,
                r#""users"."external_id" IS NOT NULL AND "users"."external_id" <> ''"#,
            ),
            (r#"externalId eq null"#, r#""users"."external_id" IS NULL"#),
            (
                r#"externalId sw "Ok""#,
                r#""users"."external_id" LIKE 'Ok%' ESCAPE '\' AND substr("users"."external_id", 1, 2) = 'Ok'"#,
            ),
            (r#"active eq false"#, r#""users"."is_active" = FALSE"#),
            (r#"id eq "7""#, r#""users"."id" = 7"#),
            (r#"id eq "x""#, "1 = 0"),
            (r#"emails.type eq "WORK""#, "1 = 1"),
            (r#"emails.primary eq false"#, "1 = 0"),
        ];
        for (filter, expected) in cases {
            assert_eq!(
                sql(DbBackend::Sqlite, Resource::User, filter),
                expected,
                "{filter}"
            );
        }
        let created = sql(
            DbBackend::Postgres,
            Resource::User,
            r#"meta.created gt "2026-01-02T03:04:05Z""#,
        );
        assert!(
            created.starts_with(r#""users"."created_at" > '2026-01-02 03:04:05"#),
            "{created}"
        );
    }

    #[test]
    fn precedence_and_value_paths() {
        assert_eq!(
            sql(
                DbBackend::Sqlite,
                Resource::User,
                r#"active eq true or externalId eq "a" and not (externalId eq "b")"#
            ),
            r#""users"."is_active" = TRUE OR ("users"."external_id" = 'a' AND (NOT "users"."external_id" = 'b'))"#
        );
        assert_eq!(
            sql(
                DbBackend::Sqlite,
                Resource::User,
                r#"not (externalId eq "a" or externalId eq "b") and active eq true"#
            ),
            r#"(NOT ("users"."external_id" = 'a' OR "users"."external_id" = 'b')) AND "users"."is_active" = TRUE"#
        );
        assert_eq!(
            sql(
                DbBackend::Sqlite,
                Resource::User,
                r#"emails[type eq "work" and value ew "@x.org"]"#
            ),
            r#"(1 = 1) AND LOWER("users"."email") LIKE '%@x.org' ESCAPE '\'"#
        );
        let member = sql(
            DbBackend::Sqlite,
            Resource::Group,
            r#"members[value eq "12"]"#,
        );
        assert!(
            member.starts_with("EXISTS(SELECT 1 FROM \"user_teams\""),
            "{member}"
        );
        assert!(
            member.contains("\"user_id\" = 12") && member.contains("\"deleted_at\" IS NULL"),
            "{member}"
        );
    }

    #[test]
    fn what_cannot_be_filtered_is_an_invalid_filter() {
        for (resource, filter) in [
            (Resource::User, r#"title eq "x""#),
            (
                Resource::User,
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x""#,
            ),
            (Resource::User, r#"active co "t""#),
            (Resource::User, r#"active eq "maybe""#),
            (Resource::User, r#"meta.created eq "yesterday""#),
            (Resource::User, r#"meta.created co "2026""#),
            (Resource::User, r#"emails[value[type eq "x"]]"#),
            (Resource::User, r#"emails[value.sub eq "x"]"#),
            (Resource::Group, r#"userName eq "x""#),
            (Resource::Group, r#"members gt "1""#),
        ] {
            let parsed = parse_filter(filter).unwrap_or(Filter::Present(AttrPath {
                urn: None,
                attr: "nothing".into(),
                sub: None,
            }));
            assert!(condition(resource, &parsed).is_err(), "{filter}");
        }
    }
}
