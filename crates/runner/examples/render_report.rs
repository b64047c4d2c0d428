//! Renders the sample report (`ssync_runner::report::sample`) in one format to standard output.
//! `scripts/check-html.sh` uses it to get an HTML report without a tenant.
//!
//! Usage: `cargo run -p ssync-runner --example render_report -- [text|json|sarif|junit|markdown|html] [--color]`

use clap::ValueEnum;
use ssync_runner::report::{self, Format, RenderOptions};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("text", String::as_str);
    let Ok(format) = Format::from_str(name, true) else {
        eprintln!("unknown format {name:?}");
        return std::process::ExitCode::from(2);
    };
    let opts = RenderOptions {
        include_passing: args.iter().any(|a| a == "--include-passing"),
        color: args.iter().any(|a| a == "--color"),
    };
    print!("{}", report::render(&report::sample::report(), format, &opts));
    std::process::ExitCode::SUCCESS
}
