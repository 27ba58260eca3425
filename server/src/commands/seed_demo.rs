//! `roster seed-demo --users N [--password P]`: realistic, varied demo users
//! (names from several locales, phones, roles, teams, every account state, and
//! sign-in history over two years), inserted in batches in one transaction.
//! Running it again adds N more users; it never fails on duplicates.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::auth::password::hash_password;
use app::domain::NewPassword;
use app::entities::{role, team, user, user_role, user_team};
use chrono::{DateTime, TimeDelta, Utc};
use fake::Fake;
use fake::faker::name::raw::{FirstName, LastName};
use fake::locales::{DE_DE, EN, FR_FR, IT_IT, PT_BR};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait,
};

use super::CommandError;

/// Rows per INSERT: 26 bound columns × 1,000 rows stays under SQLite's limit
/// of 32,766 parameters per statement (PostgreSQL allows 65,535).
const BATCH: usize = 1_000;

pub const DEMO_TEAMS: [&str; 8] = [
    "Engineering",
    "Sales",
    "Marketing",
    "Customer Support",
    "Finance",
    "Operations",
    "Human Resources",
    "Legal",
];

const CLIENTS: [&str; 8] = [
    "Firefox on Linux",
    "Chrome on Windows",
    "Edge on Windows",
    "Safari on macOS",
    "Chrome on macOS",
    "Safari on iOS",
    "Chrome on Android",
    "Firefox on Windows",
];

const EMAIL_DOMAINS: [&str; 4] = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub requested: u32,
    pub inserted: u64,
    pub elapsed: Duration,
}

pub async fn seed_demo(
    db: &DatabaseConnection,
    count: u32,
    password: Option<String>,
    mut progress: impl FnMut(u64, u32),
) -> Result<SeedReport, CommandError> {
    let started = Instant::now();
    // Demo data: the length rule applies, the strength rule does not, so a
    // memorable demo password works. Hashed once for every seeded user.
    let password_hash = match password {
        Some(p) => {
            let p = NewPassword::parse(&p).map_err(|e| CommandError::Invalid(e.to_string()))?;
            let hash = tokio::task::spawn_blocking(move || hash_password(&p))
                .await
                .map_err(|e| CommandError::Internal(format!("password hashing failed: {e}")))?
                .map_err(|e| CommandError::Internal(e.to_string()))?;
            Some(hash)
        }
        None => None,
    };

    let txn = app::db::begin_write(db).await?;
    let roles: HashMap<String, i64> = role::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.name, r.id))
        .collect();
    let role_id = |name: &str| {
        roles.get(name).copied().ok_or_else(|| {
            CommandError::Invalid(format!(
                "the built-in role '{name}' is missing; run `roster migrate`"
            ))
        })
    };
    let extra_roles = [
        (role_id("Support")?, 0.06),
        (role_id("Viewer")?, 0.04),
        (role_id("User Manager")?, 0.02),
        (role_id("Administrator")?, 0.005),
    ];
    let base_role = role_id("User")?;
    let team_ids = ensure_demo_teams(&txn).await?;

    // Numbering continues after the highest id, so a second run makes new
    // usernames instead of colliding with the first run's.
    let max_id: Option<i64> = user::Entity::find()
        .select_only()
        .column_as(user::Column::Id.max(), "max_id")
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    let first_number = max_id.unwrap_or(0) + 1;

    let mut rng = StdRng::from_os_rng();
    let now = Utc::now();
    let mut inserted: u64 = 0;
    let mut done: u32 = 0;
    while done < count {
        let n = BATCH.min((count - done) as usize);
        let people: Vec<DemoUser> = (0..n)
            .map(|i| {
                DemoUser::generate(
                    &mut rng,
                    first_number + i64::from(done) + i as i64,
                    now,
                    password_hash.as_deref(),
                )
            })
            .collect();

        // The rows written (a clash with an older user skips that one) come
        // back with their ids, to attach roles and teams: looking them up
        // by username afterwards took seconds a batch on PostgreSQL.
        let mut insert = user::Entity::insert_many(people.iter().map(DemoUser::active_model))
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .into_query();
        insert.returning(
            sea_orm::sea_query::Query::returning()
                .columns([user::Column::Username, user::Column::Id]),
        );
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(n);
        for row in txn.query_all(&insert).await? {
            ids.insert(row.try_get("", "username")?, row.try_get("", "id")?);
        }
        inserted += ids.len() as u64;

        let mut user_roles = Vec::with_capacity(n + n / 8);
        let mut user_teams = Vec::with_capacity(n * 2);
        for person in &people {
            let Some(&id) = ids.get(&person.username) else {
                continue;
            };
            user_roles.push(user_role::ActiveModel {
                user_id: Set(id),
                role_id: Set(base_role),
            });
            for (role, share) in extra_roles {
                if rng.random_bool(share) {
                    user_roles.push(user_role::ActiveModel {
                        user_id: Set(id),
                        role_id: Set(role),
                    });
                }
            }
            let team_count = match rng.random_range(0..100) {
                0..15 => 0,
                15..75 => 1,
                _ => 2,
            };
            let first_team = rng.random_range(0..team_ids.len());
            for k in 0..team_count {
                let team = team_ids[(first_team + k * 3) % team_ids.len()];
                user_teams.push(user_team::ActiveModel {
                    user_id: Set(id),
                    team_id: Set(team),
                });
            }
        }
        user_role::Entity::insert_many(user_roles)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        user_team::Entity::insert_many(user_teams)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;

        done += n as u32;
        progress(inserted, count);
    }
    txn.commit().await?;
    // A bulk load changes the table's shape: refresh the planner's
    // statistics so the Users table's indexes are chosen at once.
    {
        // PostgreSQL: VACUUM also marks the new pages all-visible, so
        // pages can be read from the index alone (autovacuum would, later).
        let statement = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "VACUUM ANALYZE",
            _ => "ANALYZE",
        };
        db.execute_unprepared(statement).await?;
    }
    Ok(SeedReport {
        requested: count,
        inserted,
        elapsed: started.elapsed(),
    })
}

async fn ensure_demo_teams(txn: &impl sea_orm::ConnectionTrait) -> Result<Vec<i64>, CommandError> {
    let now = Utc::now();
    team::Entity::insert_many(DEMO_TEAMS.iter().map(|name| team::ActiveModel {
        name: Set((*name).to_owned()),
        description: Set(format!("The {name} department (demo data).")),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }))
    .on_conflict(
        OnConflict::column(team::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(team::Entity::find()
        .filter(team::Column::Name.is_in(DEMO_TEAMS))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

/// One generated person, before insertion.
struct DemoUser {
    username: String,
    model: user::ActiveModel,
}

impl DemoUser {
    fn generate(
        rng: &mut StdRng,
        number: i64,
        now: DateTime<Utc>,
        password_hash: Option<&str>,
    ) -> Self {
        let (first, last): (String, String) = match rng.random_range(0..10) {
            0..6 => (
                FirstName(EN).fake_with_rng(rng),
                LastName(EN).fake_with_rng(rng),
            ),
            6 => (
                FirstName(FR_FR).fake_with_rng(rng),
                LastName(FR_FR).fake_with_rng(rng),
            ),
            7 => (
                FirstName(DE_DE).fake_with_rng(rng),
                LastName(DE_DE).fake_with_rng(rng),
            ),
            8 => (
                FirstName(IT_IT).fake_with_rng(rng),
                LastName(IT_IT).fake_with_rng(rng),
            ),
            _ => (
                FirstName(PT_BR).fake_with_rng(rng),
                LastName(PT_BR).fake_with_rng(rng),
            ),
        };
        // "first.last" shortened so that, with the number, it fits the
        // 32 characters a username may have.
        let digits = number.to_string();
        let handle: String = format!("{}.{}", ascii_handle(&first), ascii_handle(&last))
            .chars()
            .take(app::domain::Username::MAX_LEN - digits.len())
            .collect();
        let username = format!("{}{digits}", handle.trim_end_matches('.'));
        let email = format!(
            "{username}@{}",
            EMAIL_DOMAINS[rng.random_range(0..EMAIL_DOMAINS.len())]
        );
        let mut name = format!("{first} {last}");
        if name.chars().count() > 50 {
            name = name
                .chars()
                .take(50)
                .collect::<String>()
                .trim_end()
                .to_owned();
        }

        let created_at = now - seconds(rng.random_range(0..730 * 86_400));
        let age = (now - created_at).num_seconds().max(1);
        // Every hundred users include one of each account state, so that
        // even a small demo shows every badge and filter; the rest are drawn.
        let roll = match number % 100 {
            1 => 10,  // invited
            2 => 30,  // must change password
            3 => 70,  // inactive
            4 => 120, // locked
            5 => 145, // suspended
            6 => 155, // deleted
            _ => rng.random_range(0..1000),
        };
        let invited = roll < 20;

        let mut model = user::ActiveModel {
            username: Set(username.clone()),
            email: Set(email),
            name: Set(name),
            phone: Set(None),
            phone_ext: Set(None),
            password_hash: Set(if invited {
                None
            } else {
                password_hash.map(str::to_owned)
            }),
            password_changed_at: Set(if invited || password_hash.is_none() {
                None
            } else {
                Some(created_at)
            }),
            must_change_password: Set((20..50).contains(&roll)),
            is_active: Set(!(50..110).contains(&roll)),
            locked_at: Set(None),
            locked_until: Set(None),
            failed_signin_count: Set(0),
            suspended_at: Set(None),
            suspended_reason: Set(None),
            invited_at: Set(invited.then_some(created_at)),
            deleted_at: Set(None),
            last_signin_at: Set(None),
            last_signin_ip: Set(None),
            last_signin_client: Set(None),
            last_activity_at: Set(None),
            // Nobody is signed in: that needs a real session.
            signed_in_since: Set(None),
            last_signed_out_at: Set(None),
            created_at: Set(created_at),
            updated_at: Set(created_at),
            version: Set(1),
            ..Default::default()
        };

        if rng.random_bool(0.75) {
            model.phone = Set(Some(format!(
                "{}{:09}",
                rng.random_range(2..10),
                rng.random_range(0..1_000_000_000u32)
            )));
            if rng.random_bool(0.25) {
                let digits = rng.random_range(2..=5);
                model.phone_ext = Set(Some(format!(
                    "{:0digits$}",
                    rng.random_range(0..10u32.pow(digits as u32))
                )));
            }
        }

        if !invited && rng.random_bool(0.85) {
            // Recent sign-ins are more common than old ones.
            let u: f64 = rng.random();
            let signin = now - seconds((age as f64 * u * u) as i64);
            let activity = (signin + seconds(rng.random_range(0..4 * 3600))).min(now);
            let signed_out = (activity + seconds(rng.random_range(0..1800))).min(now);
            model.last_signin_at = Set(Some(signin));
            model.last_activity_at = Set(Some(activity));
            model.last_signed_out_at = Set(Some(signed_out));
            model.last_signin_ip = Set(Some(demo_ip(rng)));
            model.last_signin_client =
                Set(Some(CLIENTS[rng.random_range(0..CLIENTS.len())].to_owned()));
            model.updated_at = Set(activity);
        }

        match roll {
            110..140 => {
                model.locked_at = Set(Some(now - seconds(rng.random_range(0..30 * 86_400))));
                model.failed_signin_count = Set(5);
            }
            140..150 => {
                model.suspended_at = Set(Some(now - seconds(rng.random_range(0..90 * 86_400))));
                model.suspended_reason = Set(Some("Under review (demo data).".to_owned()));
            }
            150..160 => {
                model.deleted_at = Set(Some(now - seconds(rng.random_range(0..180 * 86_400))))
            }
            _ => {}
        }
        DemoUser { username, model }
    }

    fn active_model(&self) -> user::ActiveModel {
        self.model.clone()
    }
}

fn seconds(s: i64) -> TimeDelta {
    TimeDelta::seconds(s)
}

/// "José" -> "jose": usernames are ASCII; at most 12 characters a part.
fn ascii_handle(part: &str) -> String {
    let handle: String = deunicode::deunicode(part)
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_lowercase)
        .take(12)
        .collect();
    if handle.is_empty() {
        "user".to_owned()
    } else {
        handle
    }
}

/// Addresses from the documentation ranges (RFC 5737): realistic-looking,
/// guaranteed not to be anyone's.
fn demo_ip(rng: &mut StdRng) -> String {
    let prefix = ["192.0.2", "198.51.100", "203.0.113"][rng.random_range(0..3)];
    format!("{prefix}.{}", rng.random_range(1..255))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_ascii_and_short() {
        assert_eq!(ascii_handle("José"), "jose");
        assert_eq!(ascii_handle("Müller-Lüdenscheidt"), "mullerludens");
        assert_eq!(ascii_handle("李"), "li");
        assert_eq!(ascii_handle("!!"), "user");
    }

    #[test]
    fn usernames_fit_even_with_long_numbers() {
        let mut rng = StdRng::seed_from_u64(11);
        for number in [1, 99_999_999, 999_999_999_999] {
            for _ in 0..200 {
                let u = DemoUser::generate(&mut rng, number, Utc::now(), None);
                assert!(
                    app::domain::Username::parse(&u.username).is_ok(),
                    "{}",
                    u.username
                );
                assert!(u.username.ends_with(&number.to_string()));
            }
        }
    }

    #[test]
    fn generated_users_pass_the_domain_rules() {
        let mut rng = StdRng::seed_from_u64(7);
        for n in 0..2_000 {
            let u = DemoUser::generate(&mut rng, 9_000_000 + n, Utc::now(), None);
            let m = &u.model;
            assert!(
                app::domain::Username::parse(&u.username).is_ok(),
                "{}",
                u.username
            );
            if let Set(email) = &m.email {
                assert!(app::domain::EmailAddress::parse(email).is_ok(), "{email}");
            }
            if let Set(name) = &m.name {
                assert!(app::domain::PersonName::parse(name).is_ok(), "{name}");
            }
            if let Set(Some(phone)) = &m.phone {
                assert!(app::domain::Phone::parse(phone).is_ok(), "{phone}");
            }
            if let Set(Some(ext)) = &m.phone_ext {
                assert!(app::domain::PhoneExt::parse(ext).is_ok(), "{ext}");
            }
        }
    }
}
