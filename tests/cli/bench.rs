//! The benchmark's smoke run: `bench/run --smoke` on tiny data, so the script cannot rot.

use crate::common::*;

#[test]
fn the_benchmark_script_runs_at_tiny_sizes() {
    let env = Env::new();
    let ics = std::path::Path::new(env!("CARGO_BIN_EXE_ics"));
    // `cargo test` builds the examples next to the binaries.
    let gen = ics.parent().unwrap().join("examples").join("gen-bench");
    assert!(
        gen.exists(),
        "gen-bench example not built at {}",
        gen.display()
    );
    let out = env.path("bench.md");
    let status = std::process::Command::new(repo_file("bench/run"))
        .args(["--smoke", "--ics"])
        .arg(ics)
        .arg("--gen")
        .arg(&gen)
        .arg("--out")
        .arg(&out)
        .arg("--work")
        .arg(env.path("work"))
        .status()
        .expect("run bench/run (needs python3 and the sqlite3 shell)");
    assert!(status.success());
    let report = std::fs::read_to_string(&out).unwrap();
    for needle in [
        "# Benchmarks (smoke run)",
        "| 400 values | `ics import-values` |",
        "sqlite3 `.import`",
        "| 800 values | `ics progress --period FY2024 --format csv` |",
        "## Bounds (issue 6)",
        "| record on the shipped strategy (ms) |",
    ] {
        assert!(
            report.contains(needle),
            "report lacks {needle:?}:\n{report}"
        );
    }
    // The generator is deterministic: the same seed gives the same files.
    let again = env.path("again");
    std::process::Command::new(&gen)
        .args([
            "--indicators",
            "100",
            "--years",
            "2",
            "--history-quarters",
            "4",
            "--out",
        ])
        .arg(&again)
        .status()
        .unwrap();
    let first = std::fs::read(env.path("work/n400/values.csv")).unwrap();
    assert_eq!(first, std::fs::read(again.join("values.csv")).unwrap());
    assert_eq!(
        std::fs::read(env.path("work/n400/framework.toml")).unwrap(),
        std::fs::read(again.join("framework.toml")).unwrap()
    );
}
