//! The command line (`CONTRACTS.md` §3).

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ssync-doctor",
    version,
    about = "Finds which of KB 3212785's causes breaks Dynamics 365 server-side synchronization (HTTP 401)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every registered check with its metadata.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// What a check looks for, why it leads to the 401, and how to fix it.
    Explain {
        /// The check id, e.g. mailbox-address-mismatch.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}
