//! Integration tests: hostile text (issue 12 items 12-14). Terminal control sequences in a
//! partner's file or in recorded values must reach no terminal raw: every text output shows
//! them escaped (`\u{1b}`), and markdown output neutralises markup.

#[allow(unused_imports)]
use crate::common::*;

/// Clear screen, an OSC 8 hyperlink, a bell, a colour code and a right-to-left override.
const EVIL: &str =
    r"\u001b[2J\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007\u001b[31mred\u202e";

/// `MINI` with hostile text in the strategy title, a node title, an indicator title and unit.
fn hostile_framework(version: &str) -> String {
    MINI.replace(
        "title = \"Mini strategy\"",
        &format!("title = \"Mini {EVIL} strategy\""),
    )
    .replace(
        "title = \"Goal one\"",
        &format!("title = \"Goal {EVIL} one\""),
    )
    .replace(
        "title = \"Indicator one\"",
        &format!("title = \"Indicator {EVIL} one\""),
    )
    .replace("unit = \"people\"", &format!("unit = \"people{EVIL}\""))
    .replace("version = \"v1\"", &format!("version = \"{version}\""))
}

/// No raw control character (other than line feed) and no bidi override in either stream.
#[track_caller]
fn harmless(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = text.chars().find(|c| {
            (c.is_control() && *c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        }) {
            panic!("`{what}` wrote a raw {c:?} to {stream}:\n{text}");
        }
    }
}

/// A database holding the hostile framework (under a clean label) and hostile values.
fn env() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", &hostile_framework("v1"));
    let run = env.ics(&["load", fw.to_str().unwrap()]).ok();
    harmless("load", &run);
    // The title is shown, escaped.
    assert!(run.stdout.contains(r"\u{1b}[2J"), "{}", run.stdout);
    env
}

#[test]
fn every_text_output_escapes_control_sequences() {
    let env = env();
    let evil = "\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[31mred\u{202e}";
    // `record` and `import-values` refuse control characters in what they store; the refusal
    // itself quotes the text harmlessly.
    let run = env
        .ics(&["record", "I1", "FY2020", "15", "--note", evil, "--by", evil])
        .fails();
    harmless("record (refused)", &run);
    let run = env.ics(&["record", "I1", "FY2020", "15"]).ok();
    harmless("record", &run);
    assert!(run.stdout.contains(r"people\u{1b}[2J"), "{}", run.stdout);
    // Values stored before that check (or planted in a damaged file) are shown escaped: a
    // correction quotes the earlier value's recorded_by.
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute("UPDATE value SET note = ?1, recorded_by = ?1", [evil])
        .unwrap();
    let run = env.ics(&["record", "I1", "FY2020", "16"]).ok();
    harmless("record (correction)", &run);
    assert!(
        run.stdout.contains(r"recorded by \u{1b}[2J"),
        "{}",
        run.stdout
    );
    // A values file whose name and cells are hostile: refused, and the message is harmless.
    let csv_name = "values\x1b[2J.csv";
    env.write(
        csv_name,
        &format!("indicator,period,value,note\nI1,FY2021,25,\"{evil}\"\n"),
    );
    let run = env.ics(&["import-values", csv_name]).fails();
    harmless("import-values (refused)", &run);
    assert!(
        run.stderr.contains(r"values\u{1b}[2J.csv"),
        "{}",
        run.stderr
    );
    env.write(csv_name, "indicator,period,value,note\nI1,FY2021,25,fine\n");
    let run = env.ics(&["import-values", csv_name]).ok();
    harmless("import-values", &run);
    assert!(
        run.stdout.contains(r"values\u{1b}[2J.csv"),
        "{}",
        run.stdout
    );

    // A label from before labels were checked (or a damaged database) is shown escaped too.
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute(
            "UPDATE strategy_version SET label = ?1",
            [format!("v1{evil}")],
        )
        .unwrap();
    let clean = env.write("clean.toml", MINI);
    let fw = env.path("framework.toml");
    let (fw, clean) = (fw.to_str().unwrap(), clean.to_str().unwrap());
    for args in [
        &["tree"][..],
        &["tree", "--indicators"],
        &["versions"],
        &["progress", "--period", "FY2021"],
        &["progress", "--period", "FY2021", "--format", "markdown"],
        &["lint"],
        &["history", "I1"],
        &["diff", clean, fw],
        &["diff", clean, fw, "--format", "markdown"],
    ] {
        let run = env.ics(args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {run:?}");
        harmless(&args.join(" "), &run);
        assert!(
            run.stdout.contains(r"\u{1b}[2J") || run.stdout.contains(r"\\u{1b}\[2J"),
            "{args:?} does not show the escape:\n{}",
            run.stdout
        );
    }
    // Colour on: our own colours stay, the file's do not.
    let run = env.ics(&["--color", "always", "tree"]).ok();
    assert!(
        run.stdout.contains("\x1b[1m"),
        "no colour at all:\n{}",
        run.stdout
    );
    for bad in ["\x1b[2J", "\x07", "\x1b]8", "\x1b[31mred", "\u{202e}"] {
        assert!(
            !run.stdout.contains(bad),
            "raw {bad:?} with colour on:\n{}",
            run.stdout
        );
    }
}

#[test]
fn error_messages_escape_the_values_they_quote() {
    let env = env();
    let run = env.ics(&["record", "I\x1b[2J\x07", "FY2020", "1"]).fails();
    harmless("record (unknown indicator)", &run);
    assert!(run.stderr.contains(r"I\u{1b}[2J\u{7}"), "{}", run.stderr);
    let run = env
        .ics(&["history", "I1", "--period", "FY\x1b]8;;x\x07"])
        .fails();
    harmless("history (bad period)", &run);
}

#[test]
fn markdown_outputs_neutralise_markup() {
    let env = Env::new();
    let md = r#"<script>alert(1)</script> [click](javascript:alert(1)) `code` a|b"#;
    let fw = env.write(
        "framework.toml",
        &MINI.replace("title = \"Indicator one\"", &format!("title = '{md}'")),
    );
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let run = env
        .ics(&["progress", "--period", "FY2021", "--format", "markdown"])
        .ok();
    for raw in ["<script>", "[click](javascript:", " `code` ", "a|b"] {
        assert!(!run.stdout.contains(raw), "raw {raw:?}:\n{}", run.stdout);
    }
    assert!(run.stdout.contains(r"\<script\>"), "{}", run.stdout);
    // The diff memo uses the same escaper: a code with a backtick cannot open a code span.
    let clean = env.write("clean.toml", MINI);
    let run = env.ics(&[
        "diff",
        clean.to_str().unwrap(),
        fw.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains(r"\<script\>"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("[click](javascript:"),
        "{}",
        run.stdout
    );
}

#[test]
fn reserved_and_unprintable_labels_are_refused() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    let fw = fw.to_str().unwrap();
    for (label, needle) in [
        ("@previous", "reserved"),
        ("@latest", "reserved"),
        ("@mine", "reserved"),
        ("v1\x1b[2J", "control character"),
        ("v1\u{202e}", "control character"),
        ("   ", "empty"),
        ("", "empty"),
        ("a\u{200b}b", "invisible character (U+200B)"),
        ("v\u{feff}1", "invisible character (U+FEFF)"),
        ("v\u{ad}1", "invisible character (U+00AD)"),
        ("v\u{2060}", "invisible character (U+2060)"),
        (" lead", "starts or ends with a space"),
        ("trail ", "starts or ends with a space"),
        ("v1\u{a0}", "starts or ends with a space"),
    ] {
        let run = env.ics(&["load", fw, "--label", label]).fails();
        harmless("load --label", &run);
        assert!(run.stderr.contains(needle), "{label:?}:\n{}", run.stderr);
        assert_eq!(env.fingerprint(), "<none>", "{label:?} created a database");
    }
    // The same check for `strategy.version` used as the label.
    let bad = env.write("bad.toml", &hostile_framework("@latest"));
    env.ics(&["load", bad.to_str().unwrap()])
        .fails()
        .stderr_has("reserved");
    let bad = env.write("bad2.toml", &hostile_framework(r"v\u001b[2J"));
    let run = env.ics(&["load", bad.to_str().unwrap()]).fails();
    harmless("load (hostile strategy.version)", &run);
    run.stderr_has("control character").stderr_has("--label");
    // A label with inner spaces and punctuation is still fine.
    env.ics(&["load", fw, "--label", "2020-02-07 rev. 2"]).ok();
}

#[test]
fn zero_width_characters_are_shown_in_text_output() {
    let env = Env::new();
    let fw = env.write(
        "framework.toml",
        &MINI.replace("Goal one", "Goal\u{200b}one\u{feff}"),
    );
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let run = env.ics(&["tree"]).ok();
    run.stdout_has(r"Goal\u{200b}one\u{feff}");
}
