//! The account model's two forms agree: one user per state (and the edges
//! between states: an automatic lock run out or still running, an accepted
//! invitation), and for every flag the SQL condition selects exactly the
//! users whose Rust state has it; likewise "can sign in" and "switched off".

use std::collections::BTreeSet;

use app::domain::account_state::{can_sign_in, condition, switched_off};
use app::domain::{AccountState, StatusFilter};
use app::entities::user;
use chrono::{TimeDelta, Utc};
use sea_orm::{Condition, EntityTrait, QueryFilter, QuerySelect};

use crate::helpers::{Backend, insert_bare_user_sql, spawn_app};

/// Username and the `SET` clause giving that user its state.
fn states() -> Vec<(&'static str, String)> {
    let now = Utc::now();
    let at = |delta: TimeDelta| format!("'{}'", (now + delta).to_rfc3339());
    let past = at(TimeDelta::days(-3));
    vec![
        ("plain", "name = name".into()),
        ("inactive", "is_active = FALSE".into()),
        ("locked", format!("locked_at = {past}")),
        (
            "lockrunning",
            format!(
                "locked_at = {past}, locked_until = {}",
                at(TimeDelta::hours(1))
            ),
        ),
        (
            "lockranout",
            format!(
                "locked_at = {past}, locked_until = {}",
                at(TimeDelta::hours(-1))
            ),
        ),
        ("mustchange", "must_change_password = TRUE".into()),
        (
            "invited",
            format!("invited_at = {past}, password_hash = NULL"),
        ),
        (
            "accepted",
            format!("invited_at = {past}, password_hash = 'x'"),
        ),
        ("suspended", format!("suspended_at = {past}")),
        ("deleted", format!("deleted_at = {past}")),
        (
            "everything",
            format!(
                "is_active = FALSE, locked_at = {past}, must_change_password = TRUE, \
                 invited_at = {past}, password_hash = NULL, suspended_at = {past}, deleted_at = {past}"
            ),
        ),
    ]
}

async fn ids(db: &sea_orm::DatabaseConnection, condition: Condition) -> BTreeSet<i64> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(condition)
        .into_tuple::<i64>()
        .all(db)
        .await
        .expect("query runs")
        .into_iter()
        .collect()
}

async fn rust_and_sql_forms_agree(backend: Backend) {
    let app = spawn_app(backend).await;
    for (name, set) in states() {
        app.execute(&insert_bare_user_sql(name, &format!("{name}@example.com")))
            .await;
        app.execute(&format!(
            "UPDATE users SET password_hash = 'x' WHERE username = '{name}'"
        ))
        .await;
        app.execute(&format!("UPDATE users SET {set} WHERE username = '{name}'"))
            .await;
    }
    let now = Utc::now();
    let users = user::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(users.len(), states().len());
    let rust = |pick: &dyn Fn(AccountState) -> bool| -> BTreeSet<i64> {
        users
            .iter()
            .filter(|u| pick(AccountState::of(u, now)))
            .map(|u| u.id)
            .collect()
    };
    for flag in StatusFilter::ALL {
        let sql = ids(&app.db, condition(flag, now)).await;
        assert_eq!(sql, rust(&|s| s.has(flag)), "{flag:?}");
        // Every flag is held by someone and missed by someone: the seed
        // covers each state.
        assert!(!sql.is_empty() && sql.len() < users.len(), "{flag:?}");
    }
    let may = ids(&app.db, can_sign_in(now)).await;
    assert_eq!(may, rust(&|s| s.can_sign_in()), "can sign in");
    let names: BTreeSet<&str> = users
        .iter()
        .filter(|u| may.contains(&u.id))
        .map(|u| u.username.as_str())
        .collect();
    // An invited user is not barred: accepting the invitation signs them
    // in (a sign-in by password also needs a password, which they lack).
    assert_eq!(
        names,
        BTreeSet::from(["accepted", "invited", "lockranout", "mustchange", "plain"])
    );
    assert_eq!(
        ids(&app.db, switched_off(now)).await,
        rust(&|s| s.switched_off()),
        "switched off"
    );
}

both_backends!(rust_and_sql_forms_agree);
