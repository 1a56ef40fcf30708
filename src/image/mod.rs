//! Container images: what a build depends on (`context`), what to build (`spec`), the
//! engine commands (`engine`), tags (`tag`), and the pipeline that builds, pushes to ECR
//! and returns the digests that stacks deploy (`pipeline`), and its errors (`error`).

pub mod context;
pub mod dockerfile;
pub mod engine;
pub mod error;
pub mod pipeline;
pub mod registry;
pub mod spec;
pub mod tag;
