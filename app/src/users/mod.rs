//! Users: the directory itself. The table and the user page come with their
//! own pieces of work; account creation is here because the command line
//! (`roster create-user`) and the New User page share it.

#[cfg(feature = "ssr")]
pub mod service;
