//! Where a report goes and in which format (`--format`, `--output`, repeatable).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::OutputArgs;
use crate::error::CliError;
use crate::logging::use_colour;
use crate::report::{self, Format, RenderOptions, Report};

/// How to fix an output path that cannot be written, appended to the message.
const OUTPUT_FIX: &str = "pass --output a file in an existing directory you can write to";

/// The `--output` value that means standard output.
const STDOUT: &str = "-";

/// True when the report lists `pass` results: `--include-passing`, or a JUnit output, which
/// has a test case for every subject. Otherwise the engine keeps passes as counts only, which
/// is most of the memory of a large run.
pub fn lists_passing(args: &OutputArgs) -> bool {
    args.include_passing || targets(args).is_ok_and(|t| t.iter().any(|(format, _)| *format == Format::Junit))
}

/// Each output with its format: the files of `--output` (`None` for standard output), or
/// standard output alone. Contradictions are bad input: a `--format` that a file's extension
/// contradicts, standard output twice, the same file twice.
fn targets(args: &OutputArgs) -> Result<Vec<(Format, Option<PathBuf>)>, CliError> {
    if args.output.is_empty() {
        return Ok(vec![(args.format.unwrap_or(Format::Text), None)]);
    }
    let mut out: Vec<(Format, Option<PathBuf>)> = Vec::new();
    for path in &args.output {
        let path = (path.as_os_str() != STDOUT).then(|| path.clone());
        let from_extension = path.as_deref().and_then(format_from_extension);
        let format = match (args.format, from_extension) {
            (Some(flag), Some(ext)) if flag != ext => {
                return Err(CliError::Usage(format!(
                    "--format {} contradicts the extension of {} ({}); drop --format, or name the file \
                     with the extension of the format you want",
                    flag.name(),
                    path.as_deref()
                        .map(Path::display)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    ext.name()
                )));
            }
            (flag, ext) => flag.or(ext).unwrap_or(Format::Text),
        };
        if out.iter().any(|(_, p)| p == &path) {
            let what = path
                .as_deref()
                .map_or_else(|| "standard output (-)".to_owned(), |p| p.display().to_string());
            return Err(CliError::Usage(format!(
                "--output names {what} twice; give each report its own file"
            )));
        }
        out.push((format, path));
    }
    Ok(out)
}

/// The report's destinations, checked before the run so that a mistyped path costs seconds,
/// not a whole run.
pub struct Destination {
    targets: Vec<Target>,
    include_passing: bool,
    include_skipped: bool,
}

struct Target {
    format: Format,
    /// `None`: standard output.
    path: Option<PathBuf>,
    /// The file did not exist before: remove the empty placeholder if the run fails.
    created: bool,
}

impl Destination {
    /// Settles each output's format and checks each file is writable (creating it empty if it
    /// did not exist; an existing file is left untouched until the report is ready).
    ///
    /// A file's format is `--format`, else its extension (`.txt`, `.json`, `.sarif`, `.xml` →
    /// JUnit, `.md`, `.html`/`.htm`, `.csv`), else text. Standard output is text unless
    /// `--format` says otherwise, on a terminal or not: a person piping the report into a pager
    /// wants the same text, and a script that parses the report names its format.
    pub fn prepare(args: &OutputArgs) -> Result<Self, CliError> {
        let mut prepared = Vec::new();
        for (format, path) in targets(args)? {
            let created = match &path {
                Some(path) => match claim(path) {
                    Ok(created) => created,
                    Err(err) => {
                        Self::remove_placeholders(&prepared);
                        return Err(err);
                    }
                },
                None => false,
            };
            prepared.push(Target {
                format,
                path,
                created,
            });
        }
        Ok(Self {
            targets: prepared,
            include_passing: args.include_passing,
            include_skipped: args.include_skipped,
        })
    }

    /// Renders the report in each format and writes it out. Returns one line for standard
    /// error when any report went to a file: the verdict and where the reports are.
    pub fn write(self, report: &Report) -> Result<Option<String>, CliError> {
        let mut files = Vec::new();
        for target in &self.targets {
            let opts = RenderOptions {
                include_passing: self.include_passing,
                include_skipped: self.include_skipped,
                color: target.format == Format::Text
                    && target.path.is_none()
                    && use_colour(std::io::stdout()),
            };
            match &target.path {
                Some(path) => {
                    let written = fs::File::create(path).and_then(|file| {
                        let mut out = std::io::BufWriter::new(file);
                        report::write(report, target.format, &opts, &mut out)?;
                        out.flush()
                    });
                    written.map_err(|e| {
                        CliError::Usage(format!(
                            "cannot write the report to {}: {e}; {OUTPUT_FIX}",
                            path.display()
                        ))
                    })?;
                    files.push(path.display().to_string());
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    report::write(report, target.format, &opts, &mut out)?;
                    out.flush()?;
                }
            }
        }
        Ok((!files.is_empty()).then(|| {
            let noun = if files.len() == 1 { "report" } else { "reports" };
            format!("{} {noun}: {}", report::verdict(report), files.join(", "))
        }))
    }

    /// The run did not happen: do not leave empty report files behind that were not there.
    pub fn abandon(self) {
        Self::remove_placeholders(&self.targets);
    }

    fn remove_placeholders(targets: &[Target]) {
        for t in targets.iter().filter(|t| t.created) {
            if let Some(path) = &t.path {
                let _ = fs::remove_file(path);
            }
        }
    }
}

/// Checks `path` can be written, creating it empty when it does not exist; true when it was
/// created.
fn claim(path: &Path) -> Result<bool, CliError> {
    if path.is_dir() {
        return Err(CliError::Usage(format!(
            "--output {} is a directory; give a file name",
            path.display()
        )));
    }
    let created = !path.exists();
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| {
            CliError::Usage(format!(
                "cannot write the report to {}: {e}; {OUTPUT_FIX}",
                path.display()
            ))
        })?;
    Ok(created)
}

fn format_from_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        "xml" => Format::Junit,
        "md" | "markdown" => Format::Markdown,
        "html" | "htm" => Format::Html,
        "txt" => Format::Text,
        "csv" => Format::Csv,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(format: Option<Format>, output: &[PathBuf]) -> OutputArgs {
        OutputArgs {
            format,
            output: output.to_vec(),
            ..OutputArgs::default()
        }
    }

    fn formats(d: &Destination) -> Vec<(Format, bool)> {
        d.targets.iter().map(|t| (t.format, t.path.is_some())).collect()
    }

    #[test]
    fn format_follows_flag_then_extension_then_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.SARIF");
        assert_eq!(
            formats(&Destination::prepare(&args(None, std::slice::from_ref(&p))).unwrap()),
            [(Format::Sarif, true)]
        );
        assert_eq!(
            formats(&Destination::prepare(&args(Some(Format::Sarif), &[p])).unwrap()),
            [(Format::Sarif, true)]
        );
        assert_eq!(
            formats(&Destination::prepare(&args(None, &[])).unwrap()),
            [(Format::Text, false)]
        );
        assert_eq!(
            formats(&Destination::prepare(&args(Some(Format::Csv), &[PathBuf::from("-")])).unwrap()),
            [(Format::Csv, false)]
        );
        let p = dir.path().join("report");
        assert_eq!(
            formats(&Destination::prepare(&args(Some(Format::Json), &[p])).unwrap()),
            [(Format::Json, true)]
        );
    }

    #[test]
    fn several_outputs_take_their_formats_from_their_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = ["r.html", "r.json", "r.sarif", "r.csv"]
            .iter()
            .map(|n| dir.path().join(n))
            .chain([PathBuf::from("-")])
            .collect();
        let d = Destination::prepare(&args(None, &files)).unwrap();
        assert_eq!(
            formats(&d),
            [
                (Format::Html, true),
                (Format::Json, true),
                (Format::Sarif, true),
                (Format::Csv, true),
                (Format::Text, false)
            ]
        );
        let report = crate::report::sample::report();
        let line = d.write(&report).unwrap().expect("files were written");
        assert!(line.starts_with("FAIL: "), "{line}");
        assert!(line.contains("r.html") && line.contains("r.csv"), "{line}");
    }

    #[test]
    fn contradictions_are_bad_input_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("a.html");
        let json = dir.path().join("b.json");
        let err = Destination::prepare(&args(Some(Format::Html), &[html.clone(), json.clone()]))
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("contradicts the extension of"), "{err}");
        assert!(!html.exists() && !json.exists(), "placeholders are removed");
        let twice = [PathBuf::from("-"), PathBuf::from("-")];
        assert_eq!(
            Destination::prepare(&args(None, &twice))
                .err()
                .unwrap()
                .exit_code(),
            2
        );
        let same = [json.clone(), json];
        assert_eq!(
            Destination::prepare(&args(None, &same))
                .err()
                .unwrap()
                .exit_code(),
            2
        );
    }

    #[test]
    fn unwritable_paths_are_bad_input_and_placeholders_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let err = Destination::prepare(&args(None, &[dir.path().join("no/such/dir/r.json")]))
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            Destination::prepare(&args(None, &[dir.path().to_path_buf()]))
                .err()
                .unwrap()
                .exit_code(),
            2
        );
        let p = dir.path().join("r.json");
        Destination::prepare(&args(None, std::slice::from_ref(&p)))
            .unwrap()
            .abandon();
        assert!(!p.exists());
        fs::write(&p, "old").unwrap();
        Destination::prepare(&args(None, std::slice::from_ref(&p)))
            .unwrap()
            .abandon();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "old",
            "an existing file is left alone"
        );
    }
}
