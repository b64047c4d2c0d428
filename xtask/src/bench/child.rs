//! Runs the measured command as a child process and reads what it cost: wall time and peak
//! resident memory.
//!
//! Peak memory is the child's `ru_maxrss` as `wait4(2)` reports it for that one process (in
//! KiB on Linux). `getrusage(RUSAGE_CHILDREN)` would mix in every process this xtask ever
//! waited for — `cargo build`'s compilers included — and polling `/proc/<pid>/status`
//! (`VmHWM`) could miss a short peak between two polls; `wait4` has neither problem.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub status: ExitStatus,
    pub wall: Duration,
    /// Peak resident set size of the child, in bytes.
    pub peak_rss: u64,
}

/// Spawns `cmd` and blocks until it ends. Its standard error goes to `log`, each line
/// prefixed with the seconds since the start, so the log shows where the time went.
pub fn run(cmd: &mut Command, log: File) -> Result<Measured, String> {
    let started = Instant::now();
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let stderr = child.stderr.take();
    let copier = std::thread::spawn(move || {
        let Some(stderr) = stderr else { return };
        let mut log = std::io::BufWriter::new(log);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = writeln!(log, "[{:>8.3} s] {line}", started.elapsed().as_secs_f64());
        }
    });
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| format!("pid out of range: {e}"))?;
    let mut raw_status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` is never waited on
        // below); both out-pointers point to live, writable values of the right types.
        let r = unsafe { libc::wait4(pid, &mut raw_status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waiting for the child: {err}"));
        }
    }
    let wall = started.elapsed();
    // The child is reaped; dropping `Child` neither waits nor kills.
    drop(child);
    let _ = copier.join();
    let status = std::os::unix::process::ExitStatusExt::from_raw(raw_status);
    Ok(Measured {
        status,
        wall,
        peak_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child_that_allocates() {
        let log = || File::create("/dev/null").unwrap();
        // `dd` with a 64 MiB block size holds one block in memory.
        let mut dd = Command::new("dd");
        dd.args(["if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]);
        let m = run(&mut dd, log()).unwrap();
        assert!(m.status.success());
        assert!(m.peak_rss > 60 * 1024 * 1024, "{}", m.peak_rss);
        let small = run(&mut Command::new("true"), log()).unwrap();
        assert!(small.peak_rss < m.peak_rss);
        assert!(!run(&mut Command::new("false"), log()).unwrap().status.success());
    }

    #[test]
    fn stamps_each_line_of_standard_error() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.txt");
        let mut sh = Command::new("sh");
        sh.args(["-c", "echo one >&2; echo two >&2"]);
        run(&mut sh, File::create(&path).unwrap()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with('[') && lines[0].ends_with("s] one"),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
