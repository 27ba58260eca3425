//! `roster`: serve (default), migrate, create-user, create-admin, seed-demo.
//! Errors are printed as one line on stderr; exit code 2 for bad
//! configuration or usage, 1 for a command that failed.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command};
use server::commands::{self, CommandError};
use server::config::Config;
use server::startup::Application;
use server::{db, telemetry};

/// mimalloc instead of glibc's malloc. Rendering a page allocates and frees
/// thousands of small strings across threads; under load glibc's allocator
/// took over a quarter of the CPU (`perf`: `_int_malloc`,
/// `malloc_consolidate`, `_int_free`) and its per-thread arenas held on to
/// nearly a gigabyte (Argon2's 19 MiB blocks among them).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("error: .env: {error}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(message) => {
            if !message.is_empty() {
                println!("{message}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<String, CommandError> {
    if let Command::Serve = command {
        let app = Application::build(config).await?;
        app.run_until_stopped()
            .await
            .map_err(|e| CommandError::Internal(format!("the server stopped: {e}")))?;
        return Ok(String::new());
    }

    let db = db::connect(&config.database_url)
        .await
        .map_err(server::startup::StartupError::Connect)?;
    let applied = db::migrate(&db)
        .await
        .map_err(server::startup::StartupError::Migrate)?;
    match command {
        Command::Serve => unreachable!("handled above"),
        Command::Migrate => Ok(match applied {
            0 => "The database schema is up to date; nothing to apply.".to_owned(),
            n => format!("Applied {n} migration(s); the database schema is up to date."),
        }),
        Command::CreateUser(args) => commands::create_user(&db, args).await,
        Command::CreateAdmin(args) => commands::create_admin(&db, args).await,
        Command::CreateApiToken(args) => commands::create_api_token(&db, args).await,
        Command::SeedDemo(args) => {
            let report = commands::seed_demo(&db, args.users, args.password, |done, total| {
                eprint!("\rSeeding demo users: {done}/{total}");
                let _ = std::io::stderr().flush();
            })
            .await?;
            eprintln!();
            Ok(format!(
                "Seeded {} of {} demo users in {:.1} s.",
                report.inserted,
                report.requested,
                report.elapsed.as_secs_f64()
            ))
        }
    }
}
