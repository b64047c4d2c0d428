//! `cargo xtask new-check SLUG`: scaffolds a check crate that builds, passes its own tests,
//! shows up in `ssync-doctor list` and answers the demo as its `contoso.toml` says; adds it to
//! the runner (one line in `crates/runner/Cargo.toml`) and regenerates `docs/checks.md`.
//! Outside the new crate only those two files and `Cargo.lock` change.

use std::fs;
use std::path::Path;
use std::process::Command;

use ssync_core::registry::is_valid_id;

pub fn run(root: &Path, slug: &str) -> Result<(), String> {
    if !is_valid_id(slug) {
        return Err(format!(
            "`{slug}` is not a valid check id: use lower-case kebab-case such as `acme-profile-is-default`"
        ));
    }
    let dir = root.join("crates/checks").join(slug);
    if dir.exists() {
        return Err(format!("{} already exists", dir.display()));
    }
    let package = format!("ssync-check-{slug}");
    let type_name: String = slug
        .split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let fill = |t: &str| {
        t.replace("{slug}", slug)
            .replace("{package}", &package)
            .replace("{Type}", &type_name)
    };

    fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    for (file, template) in [
        ("Cargo.toml", CARGO_TOML),
        ("explain.md", EXPLAIN_MD),
        ("remediation.md", REMEDIATION_MD),
        ("contoso.toml", CONTOSO_TOML),
        ("src/lib.rs", LIB_RS),
        ("src/tests.rs", TESTS_RS),
    ] {
        fs::write(dir.join(file), fill(template)).map_err(|e| format!("writing {file}: {e}"))?;
    }

    insert_after(
        &root.join("crates/runner/Cargo.toml"),
        "# xtask new-check: runner dependencies",
        &format!("{package} = {{ path = \"../checks/{slug}\" }}"),
    )?;
    // Same file: cargo-shear cannot see the generated `use` line that links the crate.
    insert_after(
        &root.join("crates/runner/Cargo.toml"),
        "# xtask new-check: shear-ignored",
        &format!("    \"{package}\","),
    )?;
    println!("created crates/checks/{slug} ({package}) and added it to crates/runner/Cargo.toml");
    regenerate_docs(root)?;
    println!(
        "next: write the rule in src/lib.rs, its tests in src/tests.rs, the texts in explain.md and\n\
         remediation.md and its answers on the demo in contoso.toml, then\n  \
         cargo test -p {package}\n  cargo xtask docs\n  cargo test --workspace"
    );
    Ok(())
}

/// `docs/checks.md` comes from the checks linked into xtask, and this xtask was built before
/// the new crate existed: build it again (with the new crate) and let that regenerate the file.
/// This also records the new crate in `Cargo.lock`.
fn regenerate_docs(root: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", "xtask", "--", "docs"])
        .status()
        .map_err(|e| format!("could not start cargo to regenerate docs/checks.md: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(
            "the crate was created, but regenerating docs/checks.md failed: fix the error above, \
             then run `cargo xtask docs`"
                .into(),
        )
    }
}

fn insert_after(path: &Path, marker: &str, line: &str) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let Some(pos) = text.find(marker) else {
        return Err(format!("{} lacks the marker line `{marker}`", path.display()));
    };
    let end = pos + text[pos..].find('\n').map_or(text.len() - pos, |n| n + 1);
    let updated = format!("{}{line}\n{}", &text[..end], &text[end..]);
    fs::write(path, updated).map_err(|e| format!("writing {}: {e}", path.display()))
}

const CARGO_TOML: &str = r#"[package]
name = "{package}"
description = "ssync-doctor check `{slug}`."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true

[dependencies]
ssync-core.workspace = true

[dev-dependencies]
tokio.workspace = true
"#;

const EXPLAIN_MD: &str =
    "What `{slug}` looks for, why it breaks server-side synchronization, and how it decides
each status. (Write this in your own words; `ssync-doctor explain {slug}` prints it.)

This scaffold flags active mailboxes that use server-side synchronization but have no e-mail
address: replace it with your own rule.
";

const REMEDIATION_MD: &str = "1. Open the mailbox record in Dynamics 365.
2. Fill in the **Email Address** field and save.
3. Select **Test & Enable Mailbox**.
";

const CONTOSO_TOML: &str =
    "# What this check answers on the bundled contoso scenario (docs/contoso.md). tests/demo.rs
# runs `ssync-doctor demo` and compares each of its findings with this file. Subjects
# (mailbox addresses as the finding lists them, or profile names) not named under [status]
# get `default`. Every contoso mailbox in the run has an address, so the scaffold passes.
default = \"pass\"

# [status]
# \"frank.old@contoso.com\" = \"fail\"
";

const LIB_RS: &str = r#"//! `{slug}`: see `explain.md`.

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Flags mailboxes that have no e-mail address.
    pub struct {Type};
    id: "{slug}",
    title: "Every mailbox has an e-mail address",
    scope: Scope::Mailbox,
    severity: Severity::Warning,
    summary: "The mailbox record has no e-mail address.",
    reads: &[DataNeed::Mailboxes],
}

#[async_trait]
impl Check for {Type} {
    async fn run(&self, _ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        Ok(match mailbox.email_address.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(address) => Outcome::pass(format!("Mailbox '{}' has the address {address}.", mailbox.name)),
            None => Outcome::warn(format!("Mailbox '{}' has no e-mail address.", mailbox.name))
                .with_evidence("mailbox_id", &mailbox.id),
        })
    }
}

#[cfg(test)]
mod tests;
"#;

const TESTS_RS: &str = r#"use ssync_core::prelude::*;
use ssync_core::{MemorySource, evaluate, fixtures};

use super::{Type};

async fn run(mailbox: Mailbox) -> Outcome {
    let source = MemorySource::builder().mailbox(mailbox.clone()).build();
    evaluate(&{Type}, &CheckContext::new(&source), &Subject::Mailbox(mailbox)).await
}

#[tokio::test]
async fn mailbox_with_address_passes() {
    let out = run(fixtures::mailbox("mb", "frank@fabrikam.com")).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn mailbox_without_address_warns() {
    let mut mailbox = fixtures::mailbox("mb", "frank@fabrikam.com");
    mailbox.email_address = None;
    let out = run(mailbox).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["mailbox_id"], "mb");
}
"#;
