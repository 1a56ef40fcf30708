//! Manifests: reading, overriding, interpolating, decoding and validating the
//! application, environment and service manifests of a workspace.
//!
//! Pure except for reading files in [`workspace`]. Nothing here knows AWS or the
//! terminal; problems are collected as [`diag::Diagnostic`]s with positions.

pub mod app;
pub mod common;
pub mod decode;
pub mod diag;
pub mod duration;
pub mod environment;
pub mod fargate;
pub mod interpolate;
pub mod overrides;
pub mod schema;
pub mod service;
pub mod source;
pub mod validate;
pub mod workspace;
pub mod yaml;
