//! Nothing here: the tests (`tests/downstream.rs`) use the five SDKs as a downstream crate would, through
//! what their READMEs show, with no direct dependency on `sdk-core`.
