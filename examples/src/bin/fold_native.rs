//! The native Rust fold of an events file with Rust's default allocator: see
//! `scrm_examples::fold_native`.

fn main() -> std::process::ExitCode {
    scrm_examples::fold_native::main()
}
