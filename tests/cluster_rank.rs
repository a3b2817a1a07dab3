//! Rank detection from each launcher's environment and `--output` placeholder expansion,
//! through the library API and through `fleetbench run` as a launched rank would run it.

mod common;

use std::path::Path;

use assert_cmd::Command;
use fleetbench::cluster::RankInfo;
use fleetbench::cluster::rank::expand_output;
use fleetbench::results::Launcher;
use serde_json::Value;

fn detect(vars: &[(&str, &str)]) -> fleetbench::error::Result<RankInfo> {
    let env = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    RankInfo::detect_with(&env, &|| "kernel-host".to_string()).map_err(Into::into)
}

#[test]
fn no_launcher_means_no_rank() {
    let info = detect(&[]).unwrap();
    assert_eq!(info.launcher, None);
    assert_eq!(
        (info.rank, info.world_size, info.local_rank),
        (None, None, None)
    );
    assert_eq!(info.host, "kernel-host");
}

#[test]
fn slurm_variables_are_read() {
    let info = detect(&[
        ("SLURM_PROCID", "5"),
        ("SLURM_NTASKS", "8"),
        ("SLURM_LOCALID", "1"),
        ("SLURM_JOB_ID", "4242"),
    ])
    .unwrap();
    assert_eq!(info.launcher, Some(Launcher::Slurm));
    assert_eq!(info.rank, Some(5));
    assert_eq!(info.world_size, Some(8));
    assert_eq!(info.local_rank, Some(1));
    assert_eq!(info.job_id.as_deref(), Some("4242"));
}

#[test]
fn slurm_node_name_wins_over_the_hostname_srun_copied_from_the_submit_host() {
    // srun exports the submitting shell's environment, HOSTNAME included when exported.
    let info = detect(&[
        ("SLURM_PROCID", "2"),
        ("SLURM_NTASKS", "3"),
        ("HOSTNAME", "login01"),
        ("SLURMD_NODENAME", "node3"),
    ])
    .unwrap();
    assert_eq!(info.host, "node3");
}

#[test]
fn open_mpi_variables_are_read() {
    let info = detect(&[
        ("OMPI_COMM_WORLD_RANK", "2"),
        ("OMPI_COMM_WORLD_SIZE", "3"),
        ("OMPI_COMM_WORLD_LOCAL_RANK", "0"),
        ("FLEETBENCH_JOB_ID", "bench-7"),
    ])
    .unwrap();
    assert_eq!(info.launcher, Some(Launcher::Mpi));
    assert_eq!(
        (info.rank, info.world_size, info.local_rank),
        (Some(2), Some(3), Some(0))
    );
    assert_eq!(info.job_id.as_deref(), Some("bench-7"));
}

#[test]
fn kubernetes_indexed_job_is_read_with_pod_hostname() {
    let info = detect(&[
        ("JOB_COMPLETION_INDEX", "3"),
        ("FLEETBENCH_WORLD_SIZE", "4"),
        ("FLEETBENCH_JOB_ID", "fleetbench-acceptance"),
        ("HOSTNAME", "fleetbench-acceptance-3-x7k2p"),
    ])
    .unwrap();
    assert_eq!(info.launcher, Some(Launcher::Kubernetes));
    assert_eq!(
        (info.rank, info.world_size, info.local_rank),
        (Some(3), Some(4), Some(0))
    );
    assert_eq!(info.host, "fleetbench-acceptance-3-x7k2p");
    // Without FLEETBENCH_WORLD_SIZE the world size is unknown, not guessed.
    let bare = detect(&[("JOB_COMPLETION_INDEX", "0")]).unwrap();
    assert_eq!(bare.world_size, None);
}

#[test]
fn malformed_rank_variables_are_usage_errors() {
    for vars in [
        &[("SLURM_PROCID", "abc")][..],
        &[("SLURM_PROCID", "-1")][..],
        &[("SLURM_PROCID", "0"), ("SLURM_NTASKS", "two")][..],
        &[("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "1")][..],
        &[("JOB_COMPLETION_INDEX", "x")][..],
    ] {
        let err = detect(vars).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{vars:?}: {err}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}

fn slurm_rank() -> RankInfo {
    detect(&[
        ("SLURM_PROCID", "1"),
        ("SLURM_NTASKS", "2"),
        ("SLURM_LOCALID", "1"),
        ("SLURM_JOB_ID", "99"),
        ("HOSTNAME", "gpu-node-3"),
    ])
    .unwrap()
}

#[test]
fn placeholders_expand() {
    let out = expand_output(
        Path::new("results/{job}/{host}-{rank}-{local_rank}.json"),
        &slurm_rank(),
    )
    .unwrap();
    assert_eq!(out, Path::new("results/99/gpu-node-3-1-1.json"));
    // No placeholder: unchanged, launched or not.
    let plain = expand_output(Path::new("out.json"), &RankInfo::default()).unwrap();
    assert_eq!(plain, Path::new("out.json"));
}

#[test]
fn placeholder_values_cannot_escape_the_directory() {
    let mut rank = slurm_rank();
    rank.job_id = Some("../../etc/x".into());
    let out = expand_output(Path::new("r/{job}.json"), &rank).unwrap();
    assert_eq!(out, Path::new("r/.._.._etc_x.json"));
}

#[test]
fn unknown_or_unavailable_placeholders_are_usage_errors() {
    let err = fleetbench::Error::from(
        expand_output(Path::new("r/{node}.json"), &slurm_rank()).unwrap_err(),
    );
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string().contains("unknown placeholder {node}"),
        "{err}"
    );
    let outside = RankInfo {
        host: "h".into(),
        ..RankInfo::default()
    };
    let err =
        fleetbench::Error::from(expand_output(Path::new("r/{rank}.json"), &outside).unwrap_err());
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("{rank}"), "{err}");
    // {host} needs no launcher.
    let host = expand_output(Path::new("r/{host}.json"), &outside).unwrap();
    assert_eq!(host, Path::new("r/h.json"));
}

fn fleetbench() -> Command {
    Command::cargo_bin("fleetbench").expect("binary")
}

#[test]
fn run_rejects_a_bad_placeholder_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    let output = fleetbench()
        .env("SLURM_PROCID", "0")
        .env("SLURM_NTASKS", "1")
        .args(["run", "--output"])
        .arg(dir.path().join("{node}.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unknown placeholder {node}"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_launched_run_records_its_rank_and_expands_its_output() {
    if !common::cli_adapter_or_skip("a_launched_run_records_its_rank_and_expands_its_output") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    common::small_run("tiled", "f32", "32", 1)
        .env_remove("OMPI_COMM_WORLD_RANK")
        .env_remove("JOB_COMPLETION_INDEX")
        .env("SLURM_PROCID", "1")
        .env("SLURM_NTASKS", "3")
        .env("SLURM_LOCALID", "0")
        .env("SLURM_JOB_ID", "555")
        .args(["--format", "json", "--output"])
        .arg(dir.path().join("{job}-{rank}.json"))
        .assert()
        .success();
    let file = dir.path().join("555-1.json");
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let cluster = &results["cluster"];
    assert_eq!(cluster["launcher"], "slurm");
    assert_eq!(cluster["rank"], 1);
    assert_eq!(cluster["world_size"], 3);
    assert_eq!(cluster["local_rank"], 0);
    assert_eq!(cluster["job_id"], "555");
    assert!(!cluster["host"].as_str().unwrap().is_empty());
}
