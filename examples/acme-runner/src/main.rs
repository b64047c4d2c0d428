//! `acme-doctor`: ssync-doctor with Acme's own checks linked in. Every command, flag, format
//! and exit code is the bundled runner's.

// Naming the crate keeps its `inventory` registration in the binary.
use acme_checks as _;

fn main() -> std::process::ExitCode {
    ssync_runner::main()
}
