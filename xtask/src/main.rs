//! `cargo xtask …`: chores that keep the repository consistent.
//!
//! - `cargo xtask docs` regenerates `docs/checks.md` from the checks' metadata, and the
//!   command-line reference (`docs/cli.md`, `docs/man/`) from the clap definition;
//!   `cargo xtask docs --check` fails when the committed file is stale (CI runs it).
//! - `cargo xtask new-check SLUG` scaffolds a check crate and wires it into the runner.
//! - `cargo xtask prove-new-check` scaffolds `demo-probe` in a copy of the workspace, runs
//!   `cargo test --workspace` there and counts the files changed outside the new crate.
//! - `cargo xtask bench` measures whole runs against the simulated tenant (docs/performance.md).

mod bench;
mod cli_reference;
mod docs;
mod new_check;
mod prove;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Args {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate docs/checks.md from the registered checks' metadata, and docs/cli.md and
    /// docs/man/ from the command-line definition.
    Docs {
        /// Do not write; fail when the file on disk differs from what would be generated.
        #[arg(long)]
        check: bool,
    },
    /// Scaffold crates/checks/SLUG: Cargo.toml, explain and remediation text, the check with
    /// its registration, tests; and wire it into the workspace and the runner.
    NewCheck {
        /// The check id, lower-case kebab-case (custom checks use a prefix: acme-…).
        slug: String,
    },
    /// Proof that adding a check keeps the workspace green: in a throwaway copy, `new-check
    /// demo-probe`, `cargo test --workspace`, and at most 3 files changed outside the crate.
    ProveNewCheck {
        /// Keep the copy (its path is printed) instead of removing it.
        #[arg(long)]
        keep: bool,
    },
    /// Whole-run benchmark: `ssync-doctor run --all` against simulated tenants of N mailboxes
    /// with latency and service protection limits (docs/performance.md).
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.task {
        Task::Docs { check } => docs::run(&workspace_root(), check),
        Task::NewCheck { slug } => new_check::run(&workspace_root(), &slug),
        Task::ProveNewCheck { keep } => prove::run(&workspace_root(), keep),
        Task::Bench(args) => bench::run(&workspace_root(), &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}
