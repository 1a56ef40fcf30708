//! Rollout watching: what a poll of ECS says (`snapshot`), and the pure state machine
//! that turns a sequence of polls into progress and a verdict (`machine`). The polling
//! itself (AWS calls, intervals, throttling) is in `poll`; rendering is in `ui`.

pub mod machine;
pub mod poll;
pub mod snapshot;

#[cfg(test)]
mod tests;
