//! The native Rust fold of an events file with mimalloc, the Python module's allocator: see
//! `scrm_examples::fold_native`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    scrm_examples::fold_native::main()
}
