fn main() -> std::process::ExitCode {
    gwlint::tune_allocator();
    gwlint::cli::main()
}
