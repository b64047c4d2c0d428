//! Renders the sample report (`ssync_runner::report::sample`) in one format to standard output.
//! `scripts/check-html.sh` uses it to get an HTML report without a tenant.
//!
//! Usage: `cargo run -p ssync-runner --example render_report -- [text|json|sarif|junit|markdown|html]
//! [--color] [--include-passing] [--include-skipped] [--hostile]`
//!
//! `--hostile` puts markup into the first failing finding (subject name, message, a mailbox and
//! an evidence value) so that the browser check can show it is displayed, not executed.

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
        include_skipped: args.iter().any(|a| a == "--include-skipped"),
        color: args.iter().any(|a| a == "--color"),
    };
    let mut sample = report::sample::report();
    if args.iter().any(|a| a == "--hostile") {
        make_hostile(&mut sample);
    }
    print!("{}", report::render(&sample, format, &opts));
    std::process::ExitCode::SUCCESS
}

/// Markup that would mark the page (`data-pwned`) if the report ever let it run.
fn make_hostile(report: &mut report::Report) {
    let Some(f) = report
        .findings
        .iter_mut()
        .find(|f| f.status == ssync_core::Status::Fail)
    else {
        return;
    };
    f.subject.name = r#"<script>document.body.setAttribute("data-pwned","script")</script>"#.into();
    f.message = r#"<img src=x onerror="document.body.setAttribute('data-pwned','img')">"#.into();
    f.mailboxes = vec![r#""><svg onload="document.body.setAttribute('data-pwned','svg')">"#.into()];
    f.evidence.insert(
        "hostile".into(),
        r#"</td></tr></table><b id="pwned">x</b>"#.into(),
    );
    f.evidence.insert(
        "nested".into(),
        serde_json::json!({"inner": r#"<b id="pwned">y</b>"#, "list": [{"k": "<i>"}]}),
    );
    f.remediation = Some(r#"1. Step <b id="pwned">z</b> **bold**"#.to_owned().into());
}
