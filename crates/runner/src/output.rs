//! Where a report goes and in which format (`--format`, `--output`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::OutputArgs;
use crate::error::CliError;
use crate::logging::use_colour;
use crate::report::{self, Format, RenderOptions, Report};

/// How to fix an output path that cannot be written, appended to the message.
const OUTPUT_FIX: &str = "pass --output a file in an existing directory you can write to";

/// The format a report will be written in: `--format`, else the `--output` extension, else
/// text.
pub fn format_of(args: &OutputArgs) -> Format {
    args.format
        .or_else(|| args.output.as_deref().and_then(format_from_extension))
        .unwrap_or(Format::Text)
}

/// True when the report lists `pass` results: `--include-passing`, or JUnit, which has a test
/// case for every subject. Otherwise the engine keeps passes as counts only, which is most of
/// the memory of a large run.
pub fn lists_passing(args: &OutputArgs) -> bool {
    args.include_passing || format_of(args) == Format::Junit
}

/// The report's destination, checked before the run so that a mistyped path costs seconds,
/// not a whole run.
pub struct Destination {
    format: Format,
    path: Option<PathBuf>,
    /// The file did not exist before: remove the empty placeholder if the run fails.
    created: bool,
    include_passing: bool,
}

impl Destination {
    /// Checks `--output` is writable (creating it empty if it did not exist; an existing file
    /// is left untouched until the report is ready) and settles the format.
    ///
    /// Without `--format` the format follows the output file's extension (`.json`, `.sarif`,
    /// `.xml` → JUnit, `.md`, `.html`/`.htm`), and is `text` otherwise, on a terminal or not:
    /// a person piping the report into a pager wants the same text, and a script that parses
    /// the report names its format.
    pub fn prepare(args: &OutputArgs) -> Result<Self, CliError> {
        let format = format_of(args);
        let mut created = false;
        if let Some(path) = &args.output {
            if path.is_dir() {
                return Err(CliError::Usage(format!(
                    "--output {} is a directory; give a file name",
                    path.display()
                )));
            }
            created = !path.exists();
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
        }
        Ok(Self {
            format,
            path: args.output.clone(),
            created,
            include_passing: args.include_passing,
        })
    }

    /// Renders the report and writes it out.
    pub fn write(self, report: &Report) -> Result<(), CliError> {
        let opts = RenderOptions {
            include_passing: self.include_passing,
            color: self.format == Format::Text && self.path.is_none() && use_colour(std::io::stdout()),
        };
        match &self.path {
            Some(path) => {
                let written = fs::File::create(path).and_then(|file| {
                    let mut out = std::io::BufWriter::new(file);
                    report::write(report, self.format, &opts, &mut out)?;
                    out.flush()
                });
                written.map_err(|e| {
                    CliError::Usage(format!(
                        "cannot write the report to {}: {e}; {OUTPUT_FIX}",
                        path.display()
                    ))
                })
            }
            None => {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                report::write(report, self.format, &opts, &mut out)?;
                out.flush()?;
                Ok(())
            }
        }
    }

    /// The run did not happen: do not leave an empty report file behind that was not there.
    pub fn abandon(self) {
        if let (true, Some(path)) = (self.created, &self.path) {
            let _ = fs::remove_file(path);
        }
    }
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
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(format: Option<Format>, output: Option<PathBuf>) -> OutputArgs {
        OutputArgs {
            format,
            output,
            ..OutputArgs::default()
        }
    }

    #[test]
    fn format_follows_flag_then_extension_then_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.sarif");
        assert_eq!(
            Destination::prepare(&args(None, Some(p.clone()))).unwrap().format,
            Format::Sarif
        );
        assert_eq!(
            Destination::prepare(&args(Some(Format::Json), Some(p)))
                .unwrap()
                .format,
            Format::Json
        );
        assert_eq!(
            Destination::prepare(&args(None, None)).unwrap().format,
            Format::Text
        );
        let p = dir.path().join("report");
        assert_eq!(
            Destination::prepare(&args(None, Some(p))).unwrap().format,
            Format::Text
        );
    }

    #[test]
    fn unwritable_paths_are_bad_input_and_placeholders_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let err = Destination::prepare(&args(None, Some(dir.path().join("no/such/dir/r.json"))))
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            Destination::prepare(&args(None, Some(dir.path().to_path_buf())))
                .err()
                .unwrap()
                .exit_code(),
            2
        );
        let p = dir.path().join("r.json");
        Destination::prepare(&args(None, Some(p.clone())))
            .unwrap()
            .abandon();
        assert!(!p.exists());
        fs::write(&p, "old").unwrap();
        Destination::prepare(&args(None, Some(p.clone())))
            .unwrap()
            .abandon();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "old",
            "an existing file is left alone"
        );
    }
}
