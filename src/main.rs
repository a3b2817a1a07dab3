//! The `fleetbench` binary: parse the command line, run the command, map errors to exit
//! codes (0 ok, 1 runtime failure, 2 bad usage or input). All work lives in the library.

use clap::Parser;
use clap::error::ErrorKind;
use fleetbench::cli::Cli;

fn main() {
    quiet_headless_gl();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => exit_on_clap_error(err),
    };
    if let Err(err) = fleetbench::cli::execute(cli) {
        eprintln!("error: {}", err.one_line());
        std::process::exit(err.exit_code());
    }
}

/// Help and version go to stdout with exit 0; usage errors become one line on stderr with
/// exit 2 (clap's own multi-line message is folded into that line).
fn exit_on_clap_error(err: clap::Error) -> ! {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        err.exit();
    }
    // clap quotes the value as typed: a carriage return in it would start the line again.
    let rendered = err.render().to_string().replace('\r', "\n");
    let line = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"))
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("{line} (see --help)");
    std::process::exit(2);
}

/// On a headless Linux machine, Mesa's GL path asks libwayland for a display, which prints
/// "error: XDG_RUNTIME_DIR is invalid" twice when the variable is unset: noise that reads
/// like a fleetbench failure. Pointing it at the temp directory (no compositor socket
/// there) keeps the probe silent; nothing else in fleetbench reads it.
fn quiet_headless_gl() {
    if cfg!(target_os = "linux") && std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        // SAFETY: called first thing in main, before any thread exists.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir()) };
    }
}
