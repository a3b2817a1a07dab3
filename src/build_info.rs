//! What this binary was built from: the generated build information (`build.rs`, the
//! `built` crate) and the git commit, as results files record them.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/built.rs"));
}

/// The git commit fleetbench was built from, where the build had a git checkout.
pub fn git_commit() -> Option<&'static str> {
    option_env!("FLEETBENCH_GIT_COMMIT")
}

/// The version of a dependency as locked in Cargo.lock.
pub fn dependency_version(name: &str) -> Option<&'static str> {
    generated::DEPENDENCIES
        .iter()
        .find(|(dependency, _)| *dependency == name)
        .map(|(_, version)| *version)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_locked_wgpu_is_version_30() {
        let version = super::dependency_version("wgpu").unwrap();
        assert!(version.starts_with("30."), "{version}");
        assert_eq!(super::dependency_version("no-such-crate"), None);
    }
}
