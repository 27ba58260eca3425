//! The `roster` command line. Scripts and tests depend on these names
//! (PRODUCT.md section 9): keep them.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Roster: user directory and administration console"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default when no command is given).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create a user. The password is read from ROSTER_PASSWORD or standard input.
    CreateUser(CreateUserArgs),
    /// Create an administrator (a user with the Administrator role).
    CreateAdmin(CreateAdminArgs),
    /// Fill the database with realistic demo users.
    SeedDemo(SeedDemoArgs),
    /// Create an API token for a user; prints its secret, alone, on standard output.
    CreateApiToken(CreateApiTokenArgs),
}

#[derive(Debug, Args)]
pub struct CreateApiTokenArgs {
    /// Whose token it is: it acts as this user.
    #[arg(long)]
    pub username: String,
    /// What it is for, e.g. "Okta provisioning".
    #[arg(long)]
    pub name: String,
    /// A permission key it holds (repeatable), e.g. users.view; by default
    /// every permission of the user a token may hold.
    #[arg(long = "permission")]
    pub permissions: Vec<String>,
    /// How long it works, e.g. 30d (at most 365d).
    #[arg(long, default_value = "90d")]
    pub expires: String,
}

/// Who the account is: shared by `create-user` and `create-admin`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub email: String,
    /// Display name; defaults to the username.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// A role to give the user (repeatable). Defaults to "User".
    #[arg(long = "role")]
    pub roles: Vec<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long = "phone-ext")]
    pub phone_ext: Option<String>,
    /// The password is temporary: the user must change it at first sign-in.
    #[arg(long)]
    pub temporary: bool,
}

#[derive(Debug, Args)]
pub struct CreateAdminArgs {
    #[command(flatten)]
    pub account: AccountArgs,
}

#[derive(Debug, Args)]
pub struct SeedDemoArgs {
    /// How many users to add.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub users: u32,
    /// Give every seeded user this password (hashed once; demo data only).
    /// Without it, seeded users have no password and cannot sign in.
    #[arg(long)]
    pub password: Option<String>,
}
