//! The Users table's listing: sort, search, filters, paging and bad
//! parameters, on SQLite and PostgreSQL, through the service and over HTTP.

use app::entities::{session, team, user, user_role, user_team};
use app::users::table::service::list_page;
use app::users::{StatusBadge, UserListQuery, UserPage};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap()
}

/// A user row as the listing tests insert it, created on March `day`.
fn user_row(username: &str, name: &str, day: u32) -> user::ActiveModel {
    user::ActiveModel {
        username: Set(username.to_owned()),
        email: Set(format!("{username}@example.com")),
        name: Set(name.to_owned()),
        must_change_password: Set(false),
        is_active: Set(true),
        failed_signin_count: Set(0),
        created_at: Set(at(day)),
        updated_at: Set(at(day)),
        version: Set(1),
        ..Default::default()
    }
}

/// Inserts a user row directly (the listing is what is tested, not creation).
async fn insert(
    app: &TestApp,
    username: &str,
    name: &str,
    day: u32,
    change: impl FnOnce(&mut user::ActiveModel),
) -> i64 {
    let mut model = user_row(username, name, day);
    change(&mut model);
    let id = model.insert(&app.db).await.unwrap().id;
    let role_id = app::entities::role::Entity::find()
        .filter(app::entities::role::Column::Name.eq("User"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    user_role::ActiveModel {
        user_id: Set(id),
        role_id: Set(role_id),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

async fn page(app: &TestApp, params: &[(&str, &str)]) -> UserPage {
    let query = UserListQuery::from_params(|k| {
        params
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .expect("valid parameters");
    list_page(&app.db, &query, Utc::now())
        .await
        .expect("listed")
}

/// Pages 1 to `pages` of the view `params` (without `page`): the usernames
/// they show, in order, and each page's total.
async fn every_page(app: &TestApp, params: &[(&str, &str)], pages: u64) -> (Vec<String>, Vec<u64>) {
    let (mut shown, mut totals) = (Vec::new(), Vec::new());
    for number in 1..=pages {
        let number = number.to_string();
        let mut params = params.to_vec();
        params.push(("page", &number));
        let page = page(app, &params).await;
        totals.push(page.total);
        shown.extend(page.rows.into_iter().map(|r| r.username));
    }
    (shown, totals)
}

/// `ascending` as a view sorted in direction `dir` shows it.
fn in_direction(mut ascending: Vec<String>, dir: &str) -> Vec<String> {
    if dir == "desc" {
        ascending.reverse();
    }
    ascending
}

fn names(page: &UserPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.username.as_str()).collect()
}

/// Five people in every state the table shows, plus a team.
async fn directory(app: &TestApp) {
    let now = Utc::now();
    let ann = insert(app, "ann", "Ann Lee", 1, |u| {
        u.last_activity_at = Set(Some(now - Duration::minutes(5)));
        u.last_signin_at = Set(Some(now - Duration::hours(2)));
        u.signed_in_since = Set(Some(now - Duration::hours(2)));
        u.last_signin_ip = Set(Some("10.0.0.1".to_owned()));
        u.last_signin_client = Set(Some("Firefox 121 on Linux".to_owned()));
        u.phone = Set(Some("5550100".to_owned()));
        u.phone_ext = Set(Some("12".to_owned()));
    })
    .await;
    // Ann is signed in: her session is open (presence follows sessions).
    session::ActiveModel {
        user_id: Set(ann),
        token_hash: Set("0".repeat(64)),
        created_at: Set(now - Duration::hours(2)),
        last_seen_at: Set(now - Duration::minutes(5)),
        expires_at: Set(now + Duration::hours(10)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    insert(app, "bob", "Bob Stone", 2, |u| {
        u.last_activity_at = Set(Some(now - Duration::days(3)));
        u.locked_at = Set(Some(now));
        u.is_active = Set(false);
    })
    .await;
    insert(app, "cleo", "Cléo Ðurić", 3, |u| {
        u.last_activity_at = Set(Some(now - Duration::minutes(1)));
        u.must_change_password = Set(true);
        u.suspended_at = Set(Some(now));
    })
    .await;
    insert(app, "dee_50%", "Dee Fifty", 4, |u| {
        u.invited_at = Set(Some(now));
    })
    .await;
    insert(app, "eve", "Eve Gone", 5, |u| {
        u.deleted_at = Set(Some(now));
    })
    .await;
    let sales = team::ActiveModel {
        name: Set("Sales".to_owned()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let bob = user::Entity::find()
        .filter(user::Column::Username.eq("bob"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    user_team::ActiveModel {
        user_id: Set(bob.id),
        team_id: Set(sales.id),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn sorting_search_and_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    directory(&app).await;

    // Default: by username, deleted users hidden, with every column filled in.
    let first = page(&app, &[]).await;
    assert_eq!(names(&first), ["ann", "bob", "cleo", "dee_50%"]);
    assert_eq!(first.total, 4);
    let ann = &first.rows[0];
    assert_eq!(ann.roles, ["User"]);
    assert!(ann.signed_in);
    assert_eq!(ann.time_logged_in.as_deref(), Some("2 h 0 min"));
    assert_eq!(
        ann.last_location.as_deref(),
        Some("10.0.0.1 · Firefox 121 on Linux")
    );
    assert_eq!(ann.created_at, "03-01-2026 09:30");
    assert_eq!(
        (ann.phone.as_deref(), ann.phone_ext.as_deref()),
        (Some("5550100"), Some("12"))
    );
    let bob = &first.rows[1];
    assert!(!bob.active);
    assert_eq!(bob.badges, [StatusBadge::Locked]);
    assert_eq!(
        first.rows[2].badges,
        [StatusBadge::MustChangePassword, StatusBadge::Suspended]
    );
    assert_eq!(first.rows[3].badges, [StatusBadge::Invited]);

    // Sorting, both ways; users without a value come last either way.
    let by = |sort: &'static str, dir: &'static str| {
        let app = &app;
        async move { names(&page(app, &[("sort", sort), ("dir", dir)]).await).join(",") }
    };
    assert_eq!(by("username", "desc").await, "dee_50%,cleo,bob,ann");
    assert_eq!(by("name", "asc").await, "ann,bob,cleo,dee_50%");
    assert_eq!(by("last_activity", "desc").await, "cleo,ann,bob,dee_50%");
    assert_eq!(by("last_activity", "asc").await, "bob,ann,cleo,dee_50%");
    assert_eq!(by("created_at", "desc").await, "dee_50%,cleo,bob,ann");
    assert_eq!(by("status", "asc").await, "bob,ann,cleo,dee_50%");
    assert_eq!(
        by("time_logged_in", "desc").await.split(',').next(),
        Some("ann")
    );
    for key in app::users::SortKey::ALL {
        for dir in ["asc", "desc"] {
            let sorted = page(&app, &[("sort", key.key()), ("dir", dir)]).await;
            assert_eq!(sorted.total, 4, "{} {dir}", key.key());
            assert_eq!(sorted.rows.len(), 4, "{} {dir}", key.key());
        }
    }

    // Search: within username, email or name, any case; % and _ are literal.
    let search = |q: &'static str| {
        let app = &app;
        async move { names(&page(app, &[("q", q)]).await).join(",") }
    };
    assert_eq!(search("STONE").await, "bob");
    assert_eq!(search("cle").await, "cleo");
    assert_eq!(search("ann@example").await, "ann");
    assert_eq!(search("50%").await, "dee_50%");
    assert_eq!(search("e_f").await, "", "_ is not a wildcard");
    assert_eq!(search("nobody-at-all").await, "");

    // Filters.
    let filter = |params: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move { names(&page(app, params).await).join(",") }
    };
    assert_eq!(filter(&[("status", "active")]).await, "ann,cleo,dee_50%");
    assert_eq!(filter(&[("status", "inactive")]).await, "bob");
    assert_eq!(filter(&[("status", "locked")]).await, "bob");
    assert_eq!(filter(&[("status", "must_change_password")]).await, "cleo");
    assert_eq!(filter(&[("status", "invited")]).await, "dee_50%");
    assert_eq!(filter(&[("status", "suspended")]).await, "cleo");
    assert_eq!(filter(&[("status", "deleted")]).await, "eve");
    assert_eq!(
        filter(&[("deleted", "include")]).await,
        "ann,bob,cleo,dee_50%,eve"
    );
    assert_eq!(filter(&[("signed_in", "yes")]).await, "ann");
    assert_eq!(filter(&[("signed_in", "no")]).await, "bob,cleo,dee_50%");
    assert_eq!(filter(&[("team", "sales")]).await, "bob");
    assert_eq!(filter(&[("role", "user"), ("q", "ann")]).await, "ann");
    assert_eq!(filter(&[("role", "Administrator")]).await, "");

    let query = UserListQuery::from_params(|k| (k == "role").then(|| "Wizard".to_owned())).unwrap();
    let error = list_page(&app.db, &query, Utc::now()).await.unwrap_err();
    assert_eq!(error.field(), Some("role"));
}

async fn paging(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = Utc::now();
    for i in 0..23 {
        insert(
            &app,
            &format!("user{i:02}"),
            "Some One",
            1 + (i % 27),
            |u| {
                // Some without a value, some sharing one: the order still
                // has to be the same from either end.
                if i % 3 != 0 {
                    u.last_activity_at = Set(Some(now - Duration::minutes(i64::from(i % 4))));
                }
            },
        )
        .await;
    }
    let first = page(&app, &[("per_page", "10")]).await;
    assert_eq!(first.total, 23);
    assert_eq!(first.page_count(), 3);
    assert_eq!(names(&first)[0], "user00");
    let third = page(&app, &[("per_page", "10"), ("page", "3")]).await;
    assert_eq!(names(&third), ["user20", "user21", "user22"]);
    // Past the end: no rows, and the total still says how many there are.
    let beyond = page(&app, &[("per_page", "10"), ("page", "9")]).await;
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, 23);

    // Later pages are read from the other end of the list: page by page,
    // every sort still shows each user once, in the same order as one page
    // holding them all.
    for key in app::users::SortKey::ALL {
        for dir in ["asc", "desc"] {
            let sort = [("sort", key.key()), ("dir", dir)];
            let all = page(&app, &[&sort[..], &[("per_page", "100")]].concat()).await;
            let mut paged = Vec::new();
            for number in ["1", "2", "3"] {
                let params = [&sort[..], &[("per_page", "10"), ("page", number)]].concat();
                paged.extend(
                    page(&app, &params)
                        .await
                        .rows
                        .into_iter()
                        .map(|r| r.username),
                );
            }
            let all: Vec<String> = all.rows.into_iter().map(|r| r.username).collect();
            assert_eq!(paged, all, "{} {dir}", key.key());
        }
    }
}

async fn plain_total(app: &TestApp) -> u64 {
    page(app, &[]).await.total
}

/// The plain view's total is kept by the database: it follows users being
/// added, deleted, restored and removed, and a rolled-back change.
async fn plain_total_follows_every_change(backend: Backend) {
    use sea_orm::{ConnectionTrait, TransactionTrait};

    let app = spawn_app(backend).await;
    for name in ["ann", "bob", "cat", "dan"] {
        insert(&app, name, "Some One", 1, |_| {}).await;
    }
    insert(&app, "eve", "Eve Gone", 1, |u| {
        u.deleted_at = Set(Some(Utc::now()))
    })
    .await;
    assert_eq!(plain_total(&app).await, 4);

    app.execute("UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE username IN ('ann', 'bob')")
        .await;
    assert_eq!(plain_total(&app).await, 2);
    app.execute("UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE username = 'ann'")
        .await;
    assert_eq!(
        plain_total(&app).await,
        2,
        "deleting a deleted user again changes nothing"
    );
    app.execute("UPDATE users SET deleted_at = NULL WHERE username IN ('bob', 'eve')")
        .await;
    assert_eq!(plain_total(&app).await, 4);
    app.execute("DELETE FROM users WHERE username IN ('ann', 'cat')")
        .await;
    assert_eq!(
        plain_total(&app).await,
        3,
        "ann was deleted already; cat was shown"
    );

    let transaction = app.db.begin().await.unwrap();
    transaction
        .execute_unprepared("UPDATE users SET deleted_at = CURRENT_TIMESTAMP")
        .await
        .unwrap();
    transaction.rollback().await.unwrap();
    assert_eq!(plain_total(&app).await, 3);
    // And it is what counting says.
    let counted = page(&app, &[("q", "example.com")]).await.total;
    assert_eq!(counted, 3);
}

/// Every user not deleted (or everyone) whose username, email or name
/// contains `q`, by username, computed here from all rows.
async fn expected_matches(app: &TestApp, q: &str, include_deleted: bool) -> Vec<String> {
    let mut found: Vec<String> = user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| include_deleted || u.deleted_at.is_none())
        .filter(|u| {
            [&u.username, &u.email, &u.name]
                .iter()
                .any(|text| text.to_lowercase().contains(q))
        })
        .map(|u| u.username)
        .collect();
    found.sort();
    found
}

/// A search's total and pages are what the rows say, as users are added,
/// deleted, restored, renamed (deleted or not), and purged. On SQLite the
/// total comes from two trigram indexes (everyone, and the deleted users
/// alone), kept by triggers; a search matching most users finds its pages
/// by walking the username index from either end. Each search is counted
/// once per change (`search_counts`): every step pages through the same
/// searches again, and a kept total that missed a change fails it.
async fn search_total_follows_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..48 {
        let name = if i % 4 == 3 {
            "Bo Other"
        } else {
            "Joanne Smith"
        };
        insert(&app, &format!("u{i:02}"), name, 1, |u| {
            if i % 10 == 0 {
                u.deleted_at = Set(Some(Utc::now()));
            }
        })
        .await;
    }
    let check = |step: &'static str| {
        let app = &app;
        async move {
            // A trigram's worth ("ANN") and a text too short for one ("AN").
            for (include, q) in [(false, "ANN"), (true, "ANN"), (false, "AN"), (true, "AN")] {
                let mut want = expected_matches(app, &q.to_lowercase(), include).await;
                let deleted = if include { "include" } else { "hide" };
                let first = page(app, &[("q", q), ("deleted", deleted), ("per_page", "10")]).await;
                assert_eq!(
                    first.total,
                    want.len() as u64,
                    "{step}, {q}, deleted {deleted}"
                );
                // Both directions: a later page may be a slice of the
                // search's kept matches, read from either end.
                for dir in ["asc", "desc"] {
                    let params = [
                        ("q", q),
                        ("deleted", deleted),
                        ("per_page", "10"),
                        ("dir", dir),
                    ];
                    let (paged, _) = every_page(app, &params, first.page_count()).await;
                    let expected = in_direction(want.clone(), dir);
                    assert_eq!(paged, expected, "{step}, {q}, deleted {deleted}, {dir}");
                }
                want.clear();
            }
        }
    };
    check("seeded").await;
    app.execute(
        "UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE username IN ('u01', 'u02', 'u03')",
    )
    .await;
    check("deleted three").await;
    app.execute("UPDATE users SET name = 'Bo Other' WHERE username = 'u01'")
        .await;
    app.execute("UPDATE users SET name = 'Annabel Lee' WHERE username = 'u03'")
        .await;
    check("renamed two deleted users").await;
    app.execute("UPDATE users SET deleted_at = NULL WHERE username IN ('u01', 'u10')")
        .await;
    check("restored two").await;
    app.execute("UPDATE users SET deleted_at = CURRENT_TIMESTAMP, email = 'x@annex.org' WHERE username = 'u07'")
        .await;
    check("deleted and renamed at once").await;
    app.execute("UPDATE users SET email = 'anna@example.org' WHERE username = 'u11'")
        .await;
    app.execute("UPDATE users SET name = 'Bo Other' WHERE username = 'u12'")
        .await;
    check("renamed two live users").await;
    insert(&app, "u48", "Hannah Brown", 1, |_| {}).await;
    check("added one").await;
    app.execute("DELETE FROM users WHERE username IN ('u02', 'u05', 'u20')")
        .await;
    check("purged").await;
}

/// The plain view's users in `column`'s order (then id), as the database
/// sorts them: what paging through it must show.
async fn plain_order(app: &TestApp, column: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = format!("SELECT username FROM users WHERE deleted_at IS NULL ORDER BY {column}, id");
    app.db
        .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Deep pages of the plain view start at anchors that earlier pages taught
/// (`page_anchors`): each round pages through every order in both
/// directions, and between rounds users are added, deleted, renamed,
/// restored and purged. An anchor of an earlier round used after a change
/// starts a page one user or more away from where it should.
async fn deep_pages_follow_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    // 1,000 users whose username, email address and name orders differ.
    let users: Vec<user::ActiveModel> = (0..1000)
        .map(|i| {
            let mut row = user_row(
                &format!("u{i:04}"),
                &format!("Name {:04}", (i * 37) % 1000),
                1,
            );
            row.email = Set(format!("e{:04}@example.com", 999 - i));
            row
        })
        .collect();
    user::Entity::insert_many(users)
        .exec(&app.db)
        .await
        .unwrap();
    let check = |step: &'static str| {
        let app = &app;
        async move {
            for (sort, column) in [
                ("username", "username"),
                ("email", "email"),
                ("name", "name"),
            ] {
                let want = plain_order(app, column).await;
                for dir in ["asc", "desc"] {
                    let params = [("sort", sort), ("dir", dir), ("per_page", "25")];
                    let pages = want.len().div_ceil(25) as u64;
                    let (paged, totals) = every_page(app, &params, pages).await;
                    for total in totals {
                        assert_eq!(total, want.len() as u64, "{step}, {sort} {dir}");
                    }
                    assert_eq!(
                        paged,
                        in_direction(want.clone(), dir),
                        "{step}, {sort} {dir}"
                    );
                }
            }
        }
    };
    check("seeded").await;
    check("seeded, again from the anchors").await;
    insert(&app, "a0000", "Aaron First", 1, |u| {
        u.email = Set("a0000@example.com".to_owned())
    })
    .await;
    check("added one before everyone").await;
    app.execute("UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE username IN ('u0003', 'u0250', 'u0990')")
        .await;
    check("deleted three").await;
    app.execute("UPDATE users SET username = 'zz0010', email = 'zz@example.com', name = 'Zed' WHERE username = 'u0010'")
        .await;
    check("renamed one to the end").await;
    app.execute("UPDATE users SET deleted_at = NULL WHERE username = 'u0250'")
        .await;
    check("restored one").await;
    app.execute("DELETE FROM users WHERE username IN ('u0001', 'u0400')")
        .await;
    check("purged two").await;
}

async fn over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    directory(&app).await;
    app.create_user("viewer", &["Viewer"], false).await;
    let viewer = app.signed_in("viewer").await;
    let response = viewer
        .call(
            "list_users",
            &[("view", "q=bob&sort=last_activity&dir=desc")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["total"], 1);
    assert_eq!(body["rows"][0]["username"], "bob");

    let bad = viewer
        .call("list_users", &[("view", "sort=password_hash")])
        .await;
    assert_eq!(bad.status(), 422);
    let error: app::error::AppError = bad.json().await.unwrap();
    assert_eq!(error.field(), Some("sort"));
    assert!(
        error
            .to_string()
            .starts_with("Cannot sort by 'password_hash'"),
        "{error}"
    );
}

async fn csv_export(backend: Backend) {
    let app = spawn_app(backend).await;
    directory(&app).await;
    app.create_user("viewer", &["Viewer"], false).await;
    let viewer = app.signed_in("viewer").await;
    let response = viewer
        .get("/users/export.csv?q=example.com&sort=last_activity&dir=desc&page=1&per_page=10")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"users-")
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Username,Email Address,Name,Roles,Login Status"));
    // Every matching user (not just a page), in the view's order: the
    // viewer, active this instant, first.
    let usernames: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(usernames, ["viewer", "cleo", "ann", "bob", "dee_50%"]);
    assert!(text.contains("Inactive, Locked"), "{text}");
    // Compressed, the stream still ends cleanly.
    let compressed = viewer
        .client
        .get(format!("{}/users/export.csv", viewer.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert!(!compressed.bytes().await.expect("the whole body").is_empty());

    // A user without the permission is sent away; a bad view is refused.
    app.create_user("nobody", &["User"], false).await;
    let plain = app.signed_in("nobody").await;
    assert_eq!(plain.get("/users/export.csv").await.status(), 303);
    let bad = viewer.get("/users/export.csv?sort=secret").await;
    assert_eq!(bad.status(), 422);
}

both_backends!(sorting_search_and_filters);
both_backends!(csv_export);
both_backends!(paging);
both_backends!(plain_total_follows_every_change);
both_backends!(search_total_follows_every_change);
both_backends!(deep_pages_follow_every_change);
both_backends!(over_http);
