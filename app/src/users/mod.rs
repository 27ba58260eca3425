//! Users: the directory itself, in four sub-features, each with the same
//! three layers (see ARCHITECTURE.md):
//!
//! - `table`: the Users table (the view in the URL, listing, CSV export);
//! - `bulk`: selecting users and acting on them (the bulk actions);
//! - `detail`: the user page (edit, sessions, history, one-user actions);
//! - `create`: New User and account creation (shared with the command line).
//!
//! In each, `api.rs` is what the browser sees (types and `#[server]`
//! functions), `service.rs` the server-only work over a database
//! connection, tested alone, and `ui.rs` the components. The UI pieces the
//! sub-features share sit here, named `*_ui.rs`.

pub mod bulk;
pub mod create;
pub mod detail;
mod profile_fields_ui;
mod set_password_fields_ui;
mod status_ui;
pub mod table;

pub use crate::directory::{SortDir, SortKey, UserListQuery};
pub use crate::domain::{StatusBadge, StatusFilter};
pub use create::ui::NewUserPage;
pub use detail::ui::UserDetailPage;
pub use table::api::{FilterOptions, UserPage, UserRow, duration_text};
pub use table::ui::UsersPage;
