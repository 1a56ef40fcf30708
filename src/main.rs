//! The `wharf` binary: a shim over the library.

fn main() -> std::process::ExitCode {
    wharf::main()
}
