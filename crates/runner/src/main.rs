//! The `ssync-doctor` binary: all the work is in the library so that a team can build its
//! own runner with its own checks linked in (see `docs/writing-a-check.md`).

fn main() -> std::process::ExitCode {
    ssync_runner::main()
}
