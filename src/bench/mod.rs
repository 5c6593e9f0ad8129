//! The benchmarks behind `tongbu bench …`: each builds its world through
//! the same store, server and scheduler a deployment runs, drives it, and
//! fails when a target or an invariant is missed. They sit above every
//! other layer because they wire all of them together, like `cli`.

pub mod deliver;
pub mod report;
pub mod world;
