//! Manifests: reading, overriding, interpolating, decoding and validating the
//! application, environment and service manifests of a workspace.
//!
//! Pure except for reading files through [`files`]. Nothing here knows AWS or the
//! terminal; problems are collected as [`diag::Diagnostic`]s with positions. Every bound
//! the loader puts on its input is in [`limits`].

pub mod access_logs;
pub mod addons;
pub mod app;
pub mod cdn;
pub mod common;
pub mod decode;
pub mod diag;
pub mod dns;
pub mod duration;
pub mod env_file;
pub mod environment;
pub mod fargate;
pub mod files;
pub mod interpolate;
pub mod limits;
pub mod overrides;
pub mod patches;
pub mod schema;
pub mod secret_names;
pub mod service;
pub mod source;
pub mod validate;
pub mod workspace;
pub mod yaml;
