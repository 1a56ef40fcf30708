//! wharf: declarative deployments of containers to AWS ECS, from Copilot-style manifests.
//!
//! The pipeline is visible in the modules: [`manifest`] (read and check) → [`compile`]
//! (CloudFormation) → deploy and watch (later). [`cli`] parses arguments and wires the
//! pieces; [`ui`] decides where every byte of output goes.
#![deny(missing_docs)]

pub mod manifest;
