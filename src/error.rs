//! The error type every command returns, and the exit code each kind maps to.
//!
//! Exit codes follow the project convention: 2 for anything the user typed or fed in
//! (bad flags, unknown ids, malformed files), 1 for runtime failures (no adapter,
//! device lost, a GEMM that failed verification). Messages are one line each.

use std::fmt;

/// A failure that ends a command, with the line shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage or bad input: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Something went wrong while running: exit code 1.
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    /// Builds a usage error from anything printable.
    pub fn usage(message: impl fmt::Display) -> Self {
        Error::Usage(message.to_string())
    }

    /// Builds a runtime error from anything printable.
    pub fn runtime(message: impl fmt::Display) -> Self {
        Error::Runtime(message.to_string())
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Runtime(_) => 1,
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;
