//! Build-time facts for results files, so two results files can be compared knowing what
//! produced them: `built` records the build (versions of every locked dependency, from
//! Cargo.lock; target, profile, rustc) in `OUT_DIR/built.rs`, and the git commit
//! fleetbench was built from (where the source is a git checkout) is passed as an
//! environment variable.

use std::process::Command;

fn main() {
    built::write_built_file().expect("write the build-information file");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    if let Some(commit) = git_commit() {
        println!("cargo:rustc-env=FLEETBENCH_GIT_COMMIT={commit}");
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
