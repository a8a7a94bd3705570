//! Shared code of the example programs: the deterministic synthetic workload the README's main
//! command (`cargo run -p scrm-examples --bin demo`) runs the sample playbook over, and the run
//! itself, so the tests check exactly what the demo prints.

pub mod fold_native;
pub mod run;
pub mod workload;
