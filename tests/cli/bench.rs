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
        "| 400 quarterly values | `ics import-values` |",
        "sqlite3 `.import`",
        "| 800 quarterly values | `ics progress --period FY2024 --format csv` |",
        "| 800 quarterly values | `ics diff` (two frameworks, 20 codes changed) |",
        "## Bounds (issues 6 and 12)",
        "| progress on the smaller database, ratio to the sqlite3 query (quarterly) |",
        "| progress on the smaller database, ratio to the sqlite3 query (annual) |",
        "| 800 annual values | `ics progress --period FY2024 --format csv` |",
        "| diff of the big frameworks with codes changed (s) |",
        "| tree of the big strategy (ms) |",
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
    let first = std::fs::read(env.path("work/n400-quarterly/values.csv")).unwrap();
    assert_eq!(first, std::fs::read(again.join("values.csv")).unwrap());
    assert_eq!(
        std::fs::read(env.path("work/n400-quarterly/framework.toml")).unwrap(),
        std::fs::read(again.join("framework.toml")).unwrap()
    );
    // The annual shape: the indicators report once a year, one value per fiscal year.
    let annual = std::fs::read_to_string(env.path("work/n800-annual/values.csv")).unwrap();
    let periods: std::collections::BTreeSet<&str> = annual
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(periods.len(), 8, "{periods:?}");
    assert!(periods.iter().all(|p| !p.contains('Q')), "{periods:?}");
    assert_eq!(annual.lines().count(), 801);
    let fw = std::fs::read_to_string(env.path("work/n800-annual/framework.toml")).unwrap();
    assert!(!fw.contains("quarterly"), "annual indicators");
    let fw = std::fs::read_to_string(env.path("work/n800-quarterly/framework.toml")).unwrap();
    assert!(fw.contains("frequency = \"quarterly\""));
}

/// `gen-bench --recode N` changes exactly N codes (objectives and indicators) and nothing else,
/// so `ics diff` finds N recodes: the benchmark's recode case measures what it says.
#[test]
fn the_recoded_benchmark_framework_differs_only_in_codes() {
    let env = Env::new();
    let ics = std::path::Path::new(env!("CARGO_BIN_EXE_ics"));
    let gen = ics.parent().unwrap().join("examples").join("gen-bench");
    let dir = env.path("data");
    let status = std::process::Command::new(&gen)
        .args([
            "--indicators",
            "200",
            "--years",
            "2",
            "--recode",
            "30",
            "--out",
        ])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let run = env.ics(&[
        "diff",
        "data/framework.toml",
        "data/framework-r.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let changes = json["changes"].as_array().unwrap();
    let kinds = |kind: &str| {
        changes
            .iter()
            .filter(|c| c["change"] == "recoded" && c["kind"] == kind)
            .count()
    };
    assert_eq!((kinds("objective"), kinds("indicator")), (15, 15));
    // Besides the version, nothing but recodes.
    let others: Vec<&serde_json::Value> = changes
        .iter()
        .filter(|c| c["change"] != "recoded" && c["field"] != "version")
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}
