//! The Statistics page's figures and series (`app::statistics::service`)
//! on seeded data, against counts made here from the rows themselves; and
//! the page over HTTP, rendered on the server with its chart and links.

use std::collections::BTreeMap;

use app::audit::AuditAction;
use app::entities::{audit_entry, user};
use app::statistics::Figure;
use app::statistics::service::{GROWTH_DAYS, SIGN_IN_DAYS, statistics};
use chrono::{Datelike, Duration, Utc};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::helpers::{Backend, TestDb, spawn_app};

async fn figures_and_series_equal_counts_made_from_the_rows(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    // 600 users over two years, every account state among them.
    server::commands::seed_demo::seed_demo(&db, 600, None, |_, _| {})
        .await
        .unwrap();
    let now = Utc::now();
    // Some are signed in now; some were added in the last days (seed-demo
    // spreads them over two years).
    db.execute_unprepared("UPDATE users SET signed_in_since = last_signin_at WHERE id % 7 = 0 AND last_signin_at IS NOT NULL")
        .await
        .unwrap();
    for (id, days_ago) in [(3, 1), (4, 3), (5, 10), (6, 20), (8, 45), (9, 0)] {
        user::Entity::update_many()
            .col_expr(
                user::Column::CreatedAt,
                sea_orm::sea_query::Expr::value(
                    now - Duration::days(days_ago) - Duration::minutes(5),
                ),
            )
            .filter(user::Column::Id.eq(id))
            .exec(&db)
            .await
            .unwrap();
    }
    // Sign-ins and refusals over 40 days (the oldest fall outside the 30).
    let entries = (0..400i64).map(|i| audit_entry::ActiveModel {
        occurred_at: Set(now - Duration::hours(i * 7 % (40 * 24))),
        action: Set(if i % 3 == 0 {
            AuditAction::SignInFailed
        } else {
            AuditAction::SignIn
        }
        .key()
        .to_owned()),
        actor_username: Set(Some(format!("user{}", i % 13))),
        ..Default::default()
    });
    audit_entry::Entity::insert_many(entries)
        .exec(&db)
        .await
        .unwrap();
    // Noise that is not a sign-in.
    db.execute_unprepared("UPDATE audit_entries SET action = 'user.lock' WHERE id % 50 = 0")
        .await
        .unwrap();

    let stats = statistics(&db, now).await.unwrap();

    // The figures, counted here from every row.
    let users = user::Entity::find().all(&db).await.unwrap();
    let live: Vec<&user::Model> = users.iter().filter(|u| u.deleted_at.is_none()).collect();
    let count =
        |keep: &dyn Fn(&user::Model) -> bool| live.iter().filter(|u| keep(u)).count() as u64;
    let expected = [
        (Figure::Total, live.len() as u64),
        (Figure::Active, count(&|u| u.is_active)),
        (Figure::Inactive, count(&|u| !u.is_active)),
        (
            Figure::Locked,
            count(&|u| u.locked_at.is_some() && u.locked_until.is_none_or(|t| t > now)),
        ),
        (Figure::Suspended, count(&|u| u.suspended_at.is_some())),
        (
            Figure::Invited,
            count(&|u| u.invited_at.is_some() && u.password_hash.is_none()),
        ),
        (Figure::SignedInNow, count(&|u| u.signed_in_since.is_some())),
        (
            Figure::AddedLast7Days,
            count(&|u| u.created_at >= now - Duration::days(7)),
        ),
        (
            Figure::AddedLast30Days,
            count(&|u| u.created_at >= now - Duration::days(30)),
        ),
    ];
    assert_eq!(stats.figures, expected.to_vec());
    for (figure, n) in &expected {
        assert!(*n > 0, "{figure:?}: the seed has some");
        if *figure != Figure::Total {
            assert!(*n < live.len() as u64, "{figure:?}: not everyone");
        }
    }

    // Sign-ins per day, counted from the entries.
    let all = audit_entry::Entity::find().all(&db).await.unwrap();
    let today = now.date_naive();
    assert_eq!(stats.sign_ins.len() as i64, SIGN_IN_DAYS);
    assert_eq!(stats.sign_ins.last().unwrap().day, today.to_string());
    for day in &stats.sign_ins {
        let on_day = |action: AuditAction| {
            all.iter()
                .filter(|e| {
                    e.action == action.key() && e.occurred_at.date_naive().to_string() == day.day
                })
                .count() as u64
        };
        assert_eq!(day.sign_ins, on_day(AuditAction::SignIn), "{}", day.day);
        assert_eq!(day.failed, on_day(AuditAction::SignInFailed), "{}", day.day);
    }
    let shown: u64 = stats.sign_ins.iter().map(|d| d.sign_ins + d.failed).sum();
    assert!(shown > 100, "most entries are within the 30 days");
    assert!(shown < 392, "the oldest and the locks are left out");

    // Growth: the users added in each month and day, counted here.
    let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
    for u in &live {
        *by_month
            .entry(format!(
                "{:04}-{:02}",
                u.created_at.year(),
                u.created_at.month()
            ))
            .or_default() += 1;
    }
    let first_month = by_month.keys().next().unwrap().clone();
    assert_eq!(stats.growth_by_month.first().unwrap().period, first_month);
    assert_eq!(
        stats.growth_by_month.last().unwrap().period,
        format!("{:04}-{:02}", today.year(), today.month())
    );
    let mut total = 0;
    for point in &stats.growth_by_month {
        let added = by_month.get(&point.period).copied().unwrap_or(0);
        total += added;
        assert_eq!(
            (point.added, point.total),
            (added, total),
            "{}",
            point.period
        );
    }
    assert_eq!(
        total,
        live.len() as u64,
        "the last month ends at Total users"
    );
    assert_eq!(stats.growth_by_day.len() as i64, GROWTH_DAYS);
    for point in &stats.growth_by_day {
        let end = chrono::NaiveDate::parse_from_str(&point.period, "%Y-%m-%d").unwrap();
        let until_then = live
            .iter()
            .filter(|u| u.created_at.date_naive() <= end)
            .count() as u64;
        let that_day = live
            .iter()
            .filter(|u| u.created_at.date_naive() == end)
            .count() as u64;
        assert_eq!(
            (point.added, point.total),
            (that_day, until_then),
            "{}",
            point.period
        );
    }
}
both_backends!(figures_and_series_equal_counts_made_from_the_rows);

/// Over HTTP, without JavaScript: the figures are links to the Users
/// table views that list the same users, and the charts are SVG images
/// with accessible names and their numbers in tables.
#[tokio::test]
async fn the_page_is_rendered_on_the_server_with_links_and_charts() {
    let app = spawn_app(Backend::Sqlite).await;
    app.create_user("admin", &["Administrator"], false).await;
    app.create_user("ann", &["User"], false).await;
    let admin = app.signed_in("admin").await;
    let response = admin.get("/statistics").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    // A figure's link is named by its own text: the label, then the number.
    let link_text = |href: &str| -> Option<String> {
        let start = html.find(&format!(r#"<li class="figure"><a href="{href}">"#))?;
        let start = start + r#"<li class="figure">"#.len();
        let rest = &html[start..];
        let inner = &rest[rest.find('>')? + 1..rest.find("</a>")?];
        let words: Vec<&str> = inner
            .split(['<', '>'])
            .step_by(2)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        Some(words.join(" "))
    };
    assert_eq!(
        link_text("/users").as_deref(),
        Some("Total users 2"),
        "Total users links to the Users table"
    );
    assert_eq!(
        link_text("/users?status=locked").as_deref(),
        Some("Locked 0")
    );
    assert!(html.contains(r#"role="img" aria-label="User growth by month"#));
    assert!(html.contains("Show the numbers"));
    // Today's bar of the daily growth chart: its tooltip says two users.
    let today = Utc::now().format("%b %-d").to_string();
    assert!(
        html.contains(&format!("<title>{today}: Users: 2</title>")),
        "{today}"
    );
}
