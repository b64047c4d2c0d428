//! The command line (`CONTRACTS.md` §3).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "ssync-doctor",
    version,
    about = "Finds which of KB 3212785's causes breaks Dynamics 365 server-side synchronization (HTTP 401)."
)]
pub struct Cli {
    /// Only errors on standard error (no warnings, no progress bar).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More log lines on standard error (-v: what the run does, -vv: debug, -vvv: every request).
    /// RUST_LOG, when set, takes precedence.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The configuration file (connection defaults, checks, waivers). Default: ssync-doctor.toml
    /// in the working directory, when there is one. See docs/configuration.md.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose a live environment (Dataverse, Microsoft Graph, EWS; read-only).
    Run {
        /// Diagnose the evidence bundle in FILE (written by `collect`) instead of a live
        /// environment: no connection, no network; the connection flags are ignored. `-` reads
        /// the bundle from standard input.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        selection: SelectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The same diagnosis against a simulated tenant started in this process (no account needed).
    Demo {
        #[command(flatten)]
        scenario: ScenarioArgs,
        #[command(flatten)]
        selection: SelectionArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Record every fact the selected checks read into an evidence bundle, to analyse later
    /// with `run --from` or hand to support (no secret or token is ever in it).
    Collect(Box<CollectArgs>),
    /// Every registered check with its metadata.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text, ignore_case = true)]
        format: ListFormat,
        /// Instead of the checks, the permissions they need: the Microsoft Graph application
        /// permissions and Dataverse table privileges, each with the checks that need it.
        #[arg(long)]
        permissions: bool,
        /// With --permissions: only what these checks need. Repeatable.
        #[arg(long = "check", value_name = "ID", requires = "permissions")]
        checks: Vec<String>,
    },
    /// What a check looks for, why it leads to the 401, and how to fix it.
    Explain {
        /// The check id, e.g. mailbox-address-mismatch.
        id: String,
    },
    /// Read a server-side synchronization alert; name the symptom, the checks that apply and the
    /// command that runs them. Exit 0 when the alert is recognised, 2 when it is not.
    Triage {
        /// The alert text; `-` or nothing reads it from standard input.
        text: Option<String>,
    },
    /// Sign in and make one cheap read per permission the selected checks need; list what is
    /// missing and how to grant it. Exit 0 when all is granted, 1 when something is missing.
    Preflight {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        selection: SelectionArgs,
    },
    /// Print a shell completion script, e.g. `ssync-doctor completions bash > /etc/bash_completion.d/ssync-doctor`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The simulated tenant on its own.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve the simulated tenant on 127.0.0.1 until Ctrl-C; prints its URLs and a ready-to-paste
    /// `ssync-doctor run` line.
    Serve {
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
}

/// `collect`: where the facts come from, which run, and where the bundle goes.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    /// Collect from a simulated tenant started in this process instead of a live environment
    /// (the connection flags are then ignored).
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Write the bundle (JSON) to this file.
    #[arg(long, short = 'o', value_name = "PATH", help_heading = "Output")]
    pub output: PathBuf,
    /// Replace e-mail addresses, domains, host names and people's names by stable pseudonyms,
    /// so the bundle can be shared.
    #[arg(long, help_heading = "Output")]
    pub redact: bool,
    /// With --redact: write the table from original to pseudonym to this file (keep it private;
    /// it undoes the redaction). Never written into the bundle.
    #[arg(long, value_name = "PATH", requires = "redact", help_heading = "Output")]
    pub pseudonyms: Option<PathBuf>,
}

/// Where a live environment is and who signs in. The client secret is read only from
/// `AZURE_CLIENT_SECRET` (a flag value would end up in shell history and process lists).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// The environment URL, e.g. https://contoso.crm.dynamics.com (the Web API is URL/api/data/v9.2/).
    #[arg(long, env = "SSYNC_ORG_URL", value_name = "URL")]
    pub org_url: Option<String>,
    /// The Entra tenant of the app registration.
    #[arg(long, env = "AZURE_TENANT_ID", value_name = "ID")]
    pub tenant_id: Option<String>,
    /// The app registration's application (client) id (with a managed identity: the client id of
    /// a user-assigned identity). Its secret comes from AZURE_CLIENT_SECRET, a certificate from
    /// AZURE_CLIENT_CERTIFICATE_PATH, a federated token from AZURE_FEDERATED_TOKEN_FILE.
    #[arg(long, env = "AZURE_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// How to sign in. `auto` tries, in order: AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
    /// AZURE_FEDERATED_TOKEN_FILE, the managed identity, the Azure CLI.
    #[arg(long, value_enum, default_value_t = AuthMode::Auto)]
    pub auth: AuthMode,
    /// The Microsoft cloud; sets the identity host and Graph URL. Default: from the environment
    /// URL's domain, else public.
    #[arg(long, env = "SSYNC_CLOUD", value_enum)]
    pub cloud: Option<CloudArg>,
    /// The identity service, overriding the cloud's (tests, private endpoints)
    /// [default: from --cloud, https://login.microsoftonline.com].
    // No clap default: the configuration file comes between the environment and the default.
    #[arg(long, env = "AZURE_AUTHORITY_HOST", value_name = "URL")]
    pub authority_host: Option<String>,
    /// Microsoft Graph, overriding the cloud's [default: from --cloud, https://graph.microsoft.com].
    #[arg(long, env = "SSYNC_GRAPH_URL", value_name = "URL")]
    pub graph_url: Option<String>,
}

/// `--auth`: one credential, or the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum AuthMode {
    /// The first of the credentials below that is configured and signs in.
    #[default]
    Auto,
    /// Client secret from AZURE_CLIENT_SECRET.
    Secret,
    /// Certificate from AZURE_CLIENT_CERTIFICATE_PATH (PEM, or PFX with AZURE_CLIENT_CERTIFICATE_PASSWORD).
    Certificate,
    /// Federated token from AZURE_FEDERATED_TOKEN_FILE (GitHub Actions, Azure DevOps, AKS).
    WorkloadIdentity,
    /// The managed identity of the Azure resource (IDENTITY_ENDPOINT/IDENTITY_HEADER, else the
    /// instance metadata service).
    ManagedIdentity,
    /// `az account get-access-token` of the signed-in Azure CLI.
    AzureCli,
}

/// `--cloud` names ([`ssync_core::cloud::Cloud`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloudArg {
    /// Global Azure (also GCC for identity and Graph).
    Public,
    /// US Government Community Cloud (GCC).
    Usgov,
    /// US Government GCC High.
    Usgovhigh,
    /// US Government DoD.
    Usgovdod,
    /// Azure operated by 21Vianet.
    China,
}

impl From<CloudArg> for ssync_core::cloud::Cloud {
    fn from(c: CloudArg) -> Self {
        use ssync_core::cloud::Cloud;
        match c {
            CloudArg::Public => Cloud::Public,
            CloudArg::Usgov => Cloud::UsGov,
            CloudArg::Usgovhigh => Cloud::UsGovHigh,
            CloudArg::Usgovdod => Cloud::UsGovDod,
            CloudArg::China => Cloud::China,
        }
    }
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Selection")]
pub struct SelectionArgs {
    /// Every active mailbox that uses server-side synchronization for incoming, outgoing or
    /// appointments/contacts/tasks (the default).
    #[arg(long, conflicts_with = "mailbox")]
    pub all: bool,
    /// Just this mailbox: its e-mail address (or its name as an alert shows it). Repeatable.
    #[arg(long, value_name = "ADDRESS")]
    pub mailbox: Vec<String>,
    /// Run only this check. Repeatable.
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,
    /// Do not run this check. Repeatable.
    #[arg(long = "skip-check", value_name = "ID")]
    pub skip_checks: Vec<String>,
    /// Only mailboxes whose last test or synchronisation failed (incoming, outgoing,
    /// appointments/contacts/tasks or overall status "Failure" in Dynamics 365).
    #[arg(long)]
    pub failing: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Report format (any case). Default: from each --output file's extension (.txt, .json,
    /// .sarif, .xml, .md, .html, .csv), else text. A format that contradicts a file's
    /// extension is an error.
    #[arg(long, value_enum, ignore_case = true)]
    pub format: Option<Format>,
    /// Write the report to this file instead of standard output; `-` is standard output.
    /// Repeatable: one run, several files, each in the format of its extension.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Vec<PathBuf>,
    /// List passing results too (text, Markdown, HTML, JSON, CSV).
    #[arg(long)]
    pub include_passing: bool,
    /// List skipped results too in the formats for people (text, Markdown, HTML); they are
    /// otherwise only counted.
    #[arg(long)]
    pub include_skipped: bool,
    /// Exit 0 even when a check fails (errors in input or connection still exit 2 or 3).
    #[arg(long)]
    pub exit_zero: bool,
}

/// Which simulated tenant to start.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Scenario")]
pub struct ScenarioArgs {
    /// A scenario file (TOML) instead of the bundled `contoso`.
    #[arg(long, value_name = "FILE", conflicts_with = "mailboxes")]
    pub scenario: Option<PathBuf>,
    /// A generated tenant of N healthy mailboxes instead of `contoso` (for load and timing).
    #[arg(long, value_name = "N")]
    pub mailboxes: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}
