//! One module per subcommand: its clap arguments and the function that runs it. The
//! dispatch from a parsed command line lives in `cli`.

pub mod catalog;
pub mod compare;
pub mod devices;
pub mod diff;
pub mod merge;
pub mod model_args;
pub mod project;
pub mod report;
pub mod run;
pub mod timeline;
