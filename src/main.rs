use std::process::ExitCode;

fn main() -> ExitCode {
    persona::main()
}
