//! Shared fixtures for cr's examples, integration tests and benchmarks: live structs modelled
//! on real kernel state and the image headers derived for them. Not published.
#![forbid(unsafe_code)]

pub mod s390;
