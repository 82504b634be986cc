//! Integration tests: the small things a first trial found (issue 12 item 20): `history` at
//! common terminal widths, the man page's references, the `FY2024 Q2` message, and the
//! `record --help` examples on the shipped strategy.

#[allow(unused_imports)]
use crate::common::*;

/// The shipped strategy with its sample values and a corrected value with a long note.
fn demo_env() -> Env {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2022",
        "21",
        "--note",
        "revised after the ENAHO survey came out in May",
        "--source",
        "INEI ENAHO 2022 technical report",
        "--by",
        "M&E team",
    ])
    .ok();
    env
}

#[test]
fn history_fits_common_widths_without_breaking_words() {
    let env = demo_env();
    for columns in (80..=100).step_by(5).chain([120, 160]) {
        let run = env
            .ics_env(
                &["history", "IND-POVERTY"],
                &[("COLUMNS", &columns.to_string())],
            )
            .ok();
        for line in run.stdout.lines() {
            assert!(
                width(line) <= columns,
                "a line wider than {columns}:\n{}",
                run.stdout
            );
        }
        // Headers, statuses, names, times and the words of notes and sources stay whole.
        for word in [
            "recorded",
            "current;",
            "corrects",
            "replaced",
            "M&E",
            "team",
            "tester",
            "12:00:00",
            "revised",
            "ENAHO",
            "survey",
            "technical",
            "report",
            "percent",
        ] {
            let whole = run
                .stdout
                .split(|c: char| c.is_whitespace() || "│┆\"".contains(c))
                .any(|w| w == word || w.trim_end_matches([',', '.', ';', ':']) == word);
            assert!(
                whole,
                "`{word}` broken at {columns} columns:\n{}",
                run.stdout
            );
        }
        // Nothing is lost: every note is shown, in the table or under it.
        run.stdout_has("revised after the")
            .stdout_has("INEI ENAHO 2022");
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn the_man_page_refers_to_no_missing_page() {
    let env = Env::new();
    let man = env.ics(&["man"]).ok().stdout;
    assert!(!man.contains("ics\\-load"), "{man}");
    assert!(!man.contains("ics-load"), "{man}");
}

#[test]
fn a_space_inside_a_period_is_named() {
    let env = demo_env();
    env.ics(&["record", "IND-POVERTY", "FY2024 Q2", "3"])
        .fails()
        .stderr_has("remove the space: `FY2024Q2`");
    env.ics(&["history", "IND-POVERTY", "--period", "fy2021  q3"])
        .fails()
        .stderr_has("remove the space: `FY2021Q3`");
}

#[test]
fn every_record_help_example_runs_on_the_shipped_strategy() {
    let env = Env::new();
    env.load_shipped();
    let help = env.ics(&["record", "--help"]).ok().stdout;
    let examples: Vec<&str> = help
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ics record "))
        .collect();
    assert!(!examples.is_empty(), "{help}");
    for example in examples {
        // An example may end in a comment in parentheses.
        let example = example.split("   (").next().unwrap_or(example);
        let args = shell_words(example.trim_start_matches("ics "));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.ics(&args).ok();
    }
}

/// Split a help example like a shell would (double quotes only).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[test]
fn the_review_page_keeps_headings_with_their_cards_and_lists_links() {
    let env = demo_env();
    env.ics(&["report", "--period", "FY2022", "--out", "review.html"])
        .ok();
    let html = std::fs::read_to_string(env.path("review.html")).unwrap();
    // "Supports" and "Supported by" list their objectives; no title's full stop runs into a
    // separator.
    assert!(
        !html.contains(".;") && !html.contains(".</bdi>;"),
        "a `.;` is left"
    );
    assert!(
        html.contains("<div class=\"links\">Supports <ul><li>"),
        "{html}"
    );
    // Each node's heading, links and first card sit in one block that is not split across
    // printed pages.
    assert!(html.contains(".keep { break-inside: avoid; page-break-inside: avoid; }"));
    let sections: Vec<&str> = html.split("<section class=\"node ").skip(1).collect();
    assert!(sections.len() > 10);
    let mut with_cards = 0;
    for section in sections {
        let section = &section[..section.find("</section>").unwrap()];
        let keep = section.find("<div class=\"keep\">").expect("a keep block");
        assert!(keep < section.find("<h").unwrap(), "{section}");
        if let Some(end) = section.find("</article>\n") {
            with_cards += 1;
            assert!(
                section[end..].starts_with("</article>\n</div>\n"),
                "the first card is not in the heading's block:\n{section}"
            );
        }
    }
    assert!(with_cards > 5);
}

/// Exit 2 with exactly one `error:` line and at most one `help:` line after it.
#[track_caller]
fn one_line_error(run: Run) -> Run {
    let run = run.fails();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        (1..=2).contains(&lines.len())
            && lines[0].starts_with("error: ")
            && lines[1..].iter().all(|l| l.starts_with("help: ")),
        "not one error line and one help line:\n{}",
        run.stderr
    );
    run
}

#[test]
fn command_line_mistakes_are_one_error_line_and_one_help_line() {
    let env = Env::new();
    one_line_error(env.ics(&["recrd"]))
        .stderr_has("unrecognized subcommand `recrd`")
        .stderr_has("help: ")
        .stderr_has("`record`");
    one_line_error(env.ics(&["record"]))
        .stderr_has("`<INDICATOR>`")
        .stderr_has("`<PERIOD>`")
        .stderr_has("help: run `ics record --help`");
    one_line_error(env.ics(&["record", "I1", "FY2020", "1", "--note", "X", "--clear-note"]))
        .stderr_has("`--clear-note`")
        .stderr_has("help: run `ics record --help`");
    one_line_error(env.ics(&["--db", "", "tree"])).stderr_has("`--db <PATH>`");
    one_line_error(env.ics(&["progress", "--format", "foo"]))
        .stderr_has("`foo`")
        .stderr_has("help: possible values: table, csv, json, markdown");
    one_line_error(env.ics(&[])).stderr_has("help: run `ics --help`");
    // A control sequence in a mistyped argument is shown escaped.
    let run = one_line_error(env.ics(&["history", "x", "--\x1b[2J"]));
    assert!(!run.stderr.contains('\x1b'), "{}", run.stderr);
    assert_eq!(env.fingerprint(), "<none>");
    // Help and version still go to stdout with exit 0.
    env.ics(&["--help"]).ok().stdout_has("Usage: ics");
    env.ics(&["record", "--help"])
        .ok()
        .stdout_has("Usage: ics record");
    env.ics(&["--version"]).ok().stdout_has("ics ");
}

#[test]
fn help_and_version_into_a_full_disk_are_an_error() {
    let env = Env::new();
    for args in [
        &["--help"][..],
        &["--version"],
        &["record", "--help"],
        &["help"],
    ] {
        one_line_error(env.ics_to_full_disk(args)).stderr_has("the disk is full");
    }
}

#[test]
fn the_after_commit_warning_is_true_when_nothing_changed() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "I1", "FY2021", "25"]).ok();
    let before = env.fingerprint();
    // The same value again changes nothing; the warning must not claim it saved changes.
    let run = env.ics_to_full_disk(&["record", "I1", "FY2021", "25"]).ok();
    assert_eq!(env.fingerprint(), before);
    run.stderr_has("warning: the command succeeded (anything it changed is saved)")
        .stderr_has("the disk is full");
    let run = env.ics_to_full_disk(&["load", fw.to_str().unwrap()]).ok();
    assert!(
        !run.stderr.contains("its changes are saved"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_period_near_miss_says_what_is_wrong() {
    let env = demo_env();
    let before = env.fingerprint();
    for sep in ["-", "/", "_", "."] {
        let period = format!("FY2024{sep}Q2");
        let run = one_line_error(env.ics(&["record", "IND-POVERTY", &period, "3"]))
            .stderr_has("write the quarter right after the year, as `FY2024Q2`");
        assert!(!run.stderr.contains("four digits"), "{}", run.stderr);
    }
    one_line_error(env.ics(&["record", "IND-POVERTY", "FY2024x", "3"])).stderr_has(
        "`FY2024x` is not a period: after the year comes nothing (a fiscal year) or Q1 to Q4",
    );
    let run = one_line_error(env.ics(&["history", "IND-POVERTY", "--period", "FY\x1b[2J"]))
        .stderr_has("after `FY` comes the fiscal year in four digits");
    assert!(!run.stderr.contains('\x1b'), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn history_with_a_long_name_fits_narrow_terminals() {
    let env = demo_env();
    let name = "monitoring.evaluation.specialist.lima@state.gov";
    env.ics(&["record", "IND-COUNTERFEIT", "FY2020", "23", "--by", name])
        .ok();
    // A correction makes the status column wide too, and a disaggregated value adds a column.
    env.ics(&[
        "record",
        "IND-COUNTERFEIT",
        "FY2020",
        "24",
        "--by",
        name,
        "--note",
        "recount",
    ])
    .ok();
    for columns in [60, 65, 70, 80, 90, 100] {
        for code in ["IND-COUNTERFEIT", "IND-POVERTY"] {
            let run = env
                .ics_env(&["history", code], &[("COLUMNS", &columns.to_string())])
                .ok();
            for line in run.stdout.lines() {
                assert!(
                    width(line) <= columns,
                    "a line wider than {columns}:\n{}",
                    run.stdout
                );
            }
            if code == "IND-COUNTERFEIT" {
                // The name is shown in full somewhere: in the table or under it.
                run.stdout_has(name);
            }
        }
    }
}
