//! Email: what Roster sends (`templates`) and how it gets there (`outbox`).
//!
//! A message is written to the `email_outbox` table in the transaction of
//! whatever it tells of, then a worker sends it off the request path: over
//! SMTP when `SMTP_URL` is set, otherwise as an `.eml` file in the outbox
//! folder, so Roster runs with no mail server. Failures are retried with a
//! growing pause and, after the last try, kept with their error.

#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod templates;

/// The product's name, as every email shows it.
pub const PRODUCT_NAME: &str = "Roster";
