//! Build-time facts for results files: the git commit fleetbench was built from (where the
//! source is a git checkout) and the exact wgpu version resolved in Cargo.lock, so two
//! results files can be compared knowing what produced them.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    if let Some(commit) = git_commit() {
        println!("cargo:rustc-env=FLEETBENCH_GIT_COMMIT={commit}");
    }
    if let Some(version) = locked_version("wgpu") {
        println!("cargo:rustc-env=FLEETBENCH_WGPU_VERSION={version}");
    }
}

fn git_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && commit.len() == 40).then_some(commit)
}

/// The version of `name` in Cargo.lock (a `[[package]]` entry's `version` line).
fn locked_version(name: &str) -> Option<String> {
    let lock = std::fs::read_to_string("Cargo.lock").ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}
