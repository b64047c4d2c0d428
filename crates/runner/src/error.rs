//! The one error type of the binary, mapped onto the contract's exit codes.

use ssync_core::RegistryError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: usage, configuration, an unreadable file (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The set of linked checks is inconsistent (exit 2: it is a build configuration error).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Authentication or connection failed before any check could run (exit 3).
    #[error("{0}")]
    Connection(String),
    /// Writing the output failed.
    #[error("could not write output: {0}")]
    Output(#[from] std::io::Error),
    /// The live source could not start: bad settings (2), sign-in or connection (3).
    #[error(transparent)]
    Connect(#[from] ssync_m365::ConnectError),
    /// The run could not be planned: bad selection (2) or unreadable run data (3).
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Registry(_) | CliError::Output(_) => 2,
            CliError::Connection(_) => 3,
            CliError::Connect(e) => e.exit_code(),
            CliError::Engine(e) => e.exit_code(),
        }
    }
}
