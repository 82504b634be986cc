//! Unit tests of the output policy; the command-line tests are in `tests/cli/outfile.rs`.

use super::*;
use crate::files::atomic::{temp_name, temp_pid, STALE_AFTER};
use std::fs::{File, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

const PAGE: &[u8] =
    b"<!DOCTYPE html><head><meta name=\"generator\" content=\"ics 0.1.0\"></head><p>new</p>";

/// An earlier review page, as ics writes its start.
const OLD_PAGE: &str =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta name=\"generator\" content=\"ics 0.1.0\">\n<p>old</p>";

/// An earlier IATI export, as ics writes its start.
const OLD_IATI: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- written by ics 0.1.0 -->\n<iati-activities version=\"2.03\">\n</iati-activities>\n";

fn message(e: Error) -> String {
    let mut out = Vec::new();
    e.report(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn refused(out: &OutputFile, needle: &str) {
    let m = message(out.write(PAGE).unwrap_err());
    assert!(m.contains(needle), "{m}");
}

#[test]
fn an_input_of_the_command_is_refused_under_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("framework.toml");
    fs::write(&fw, "").unwrap(); // empty: the kind check alone would let it through
    fs::create_dir(dir.path().join("sub")).unwrap();
    let other_name = dir.path().join("sub/../framework.toml");
    let out = OutputFile::new(&other_name, HTML_REPORT).input(&fw, "the framework file");
    refused(
        &out,
        "is the framework file; the report will not overwrite it",
    );
    // A hard link is the same file under another name.
    let linked = dir.path().join("linked.html");
    fs::hard_link(&fw, &linked).unwrap();
    let out = OutputFile::new(&linked, HTML_REPORT).input(&fw, "the framework file");
    refused(&out, "is the framework file");
    assert_eq!(fs::read(&fw).unwrap(), b"");
}

#[test]
fn the_database_and_its_companions_are_refused_even_before_they_exist() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ics.db");
    fs::write(&db, "").unwrap();
    let out = OutputFile::new(&db, HTML_REPORT).database(&crate::store::database_files(&db));
    refused(&out, "is the database this command uses");
    // No WAL yet: refused by its resolved location, so it can never be created as a page.
    let wal = dir.path().join("ics.db-wal");
    let out = OutputFile::new(&wal, HTML_REPORT).database(&crate::store::database_files(&db));
    refused(&out, "is the write-ahead log of the database");
    assert!(!wal.exists());
    let shm = dir.path().join("ics.db-shm");
    fs::write(&shm, "").unwrap();
    let out = OutputFile::new(&shm, HTML_REPORT).database(&crate::store::database_files(&db));
    refused(&out, "shared-memory index");
}

#[test]
fn folders_fifos_and_devices_are_refused_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &OutputFile::new(dir.path(), HTML_REPORT),
        "is a folder; --out needs a file name",
    );
    let fifo = dir.path().join("pipe");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    // Opening a FIFO with no reader would block forever; the check never opens it.
    refused(
        &OutputFile::new(&fifo, HTML_REPORT),
        "is a named pipe (FIFO)",
    );
    refused(
        &OutputFile::new(Path::new("/dev/null"), IATI_XML),
        "`/dev/null` is a device, not a regular file; the IATI export will not write to it",
    );
}

#[test]
fn an_earlier_output_is_replaced_and_anything_else_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    fs::write(&page, format!("\u{feff}  {}", OLD_PAGE.to_lowercase())).unwrap();
    OutputFile::new(&page, HTML_REPORT).write(PAGE).unwrap();
    assert_eq!(fs::read(&page).unwrap(), PAGE);
    let notes = dir.path().join("notes.html");
    fs::write(&notes, "my notes").unwrap();
    refused(
        &OutputFile::new(&notes, HTML_REPORT),
        "exists and is not a review page written by ics",
    );
    assert_eq!(fs::read(&notes).unwrap(), b"my notes");
    let xml = dir.path().join("x.xml");
    fs::write(&xml, OLD_IATI).unwrap();
    OutputFile::new(&xml, IATI_XML).write(b"<?xml?>").unwrap();
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "a temporary file is left: {names:?}");
}

#[test]
fn the_old_permissions_are_kept_and_a_read_only_file_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    for mode in [0o600, 0o640, 0o604] {
        fs::write(&page, "").unwrap();
        fs::set_permissions(&page, Permissions::from_mode(mode)).unwrap();
        OutputFile::new(&page, HTML_REPORT).write(PAGE).unwrap();
        let now = fs::metadata(&page).unwrap().permissions().mode() & 0o7777;
        assert_eq!(now, mode, "mode {mode:o} became {now:o}");
        assert_eq!(fs::read(&page).unwrap(), PAGE);
    }
    fs::write(&page, "<html>kept</html>").unwrap();
    fs::set_permissions(&page, Permissions::from_mode(0o444)).unwrap();
    refused(
        &OutputFile::new(&page, HTML_REPORT),
        "is read-only (mode 0444)",
    );
    assert_eq!(fs::read(&page).unwrap(), b"<html>kept</html>");
}

#[test]
fn a_symbolic_link_is_written_through_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    let real = dir.path().join("real/r.html");
    fs::write(&real, OLD_PAGE).unwrap();
    let link = dir.path().join("link.html");
    std::os::unix::fs::symlink("real/r.html", &link).unwrap();
    OutputFile::new(&link, HTML_REPORT).write(PAGE).unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&real).unwrap(), PAGE);
    // A dangling link: the file it names is created.
    let dangling = dir.path().join("new.html");
    std::os::unix::fs::symlink("real/new-target.html", &dangling).unwrap();
    OutputFile::new(&dangling, HTML_REPORT).write(PAGE).unwrap();
    assert_eq!(
        fs::read(dir.path().join("real/new-target.html")).unwrap(),
        PAGE
    );
    // A link to the database is refused like the database.
    let db = dir.path().join("ics.db");
    fs::write(&db, "SQLite format 3\0").unwrap();
    let to_db = dir.path().join("db.html");
    std::os::unix::fs::symlink(&db, &to_db).unwrap();
    refused(
        &OutputFile::new(&to_db, HTML_REPORT).database(&crate::store::database_files(&db)),
        "is the database",
    );
}

#[test]
fn temporary_names_carry_the_process_id_and_stale_ones_are_swept() {
    let name = temp_name(std::ffi::OsStr::new("r.html"), 4242);
    assert_eq!(name, PathBuf::from(".r.html.ics-4242.tmp"));
    assert_eq!(temp_pid(name.as_os_str()), Some(4242));
    // Names that are not UTF-8, or cut mid-character to stay short, still carry the id.
    let odd = std::ffi::OsStr::from_bytes(b"r\xff.html");
    assert_eq!(temp_pid(temp_name(odd, 7).as_os_str()), Some(7));
    let long = format!("x{}", "é".repeat(120));
    assert_eq!(
        temp_pid(temp_name(std::ffi::OsStr::new(&long), 9).as_os_str()),
        Some(9)
    );
    for not_ours in [
        ".r.html.tmp",
        "r.html.ics-1.tmp",
        ".ics-1.tmp",
        ".r.ics-x1.tmp",
    ] {
        assert_eq!(temp_pid(std::ffi::OsStr::new(not_ours)), None, "{not_ours}");
    }
    let dir = tempfile::tempdir().unwrap();
    // A process that has ended: its id is free.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = dir
        .path()
        .join(temp_name(std::ffi::OsStr::new("a.html"), dead));
    let live = dir
        .path()
        .join(temp_name(std::ffi::OsStr::new("b.html"), 1));
    let other = dir.path().join("keep.tmp");
    for p in [&stale, &live, &other] {
        fs::write(p, "x").unwrap();
    }
    OutputFile::new(&dir.path().join("r.html"), HTML_REPORT)
        .write(PAGE)
        .unwrap();
    assert!(
        !stale.exists(),
        "the temporary file of a dead process is left"
    );
    assert!(live.exists() && other.exists());
    // An old one goes even if its process id is in use again.
    let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
    File::options()
        .write(true)
        .open(&live)
        .unwrap()
        .set_modified(old)
        .unwrap();
    OutputFile::new(&dir.path().join("r.html"), HTML_REPORT)
        .write(PAGE)
        .unwrap();
    assert!(!live.exists());
}

#[test]
fn a_missing_folder_and_an_empty_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &OutputFile::new(&dir.path().join("no/r.html"), HTML_REPORT),
        "does not exist",
    );
    refused(
        &OutputFile::new(Path::new(""), HTML_REPORT),
        "--out needs a file name",
    );
    refused(
        &OutputFile::new(&dir.path().join("new/"), HTML_REPORT),
        "is a folder",
    );
}

#[test]
fn only_a_file_ics_wrote_is_taken_for_an_earlier_output() {
    let recognised = |kind: OutputKind, text: &str| (kind.recognise)(text.as_bytes());
    assert!(recognised(IATI_XML, OLD_IATI));
    assert!(recognised(
        IATI_XML,
        "\u{feff}\n<!-- note -->\n<!-- written by ics 0.2.0 -->\n<iati-activities>"
    ));
    for other in [
        "<?xml version=\"1.0\"?>\n<project/>\n",
        "<?xml version=\"1.0\"?>\n<!-- written by ics 0.1.0 -->\n<project/>\n",
        "<?xml version=\"1.0\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"2026-01-01T00:00:00Z\">",
        "<?xml version=\"1.0\"?>\n<iati-activities-list><!-- written by ics 0.1.0 -->",
        "<?xml version=\"1.0\"?><!-- written by ics 0.1.0 --><iati-activitiesx>",
        "<?xml version=\"1.0\"",
        "<!-- written by ics 0.1.0 --",
    ] {
        assert!(!recognised(IATI_XML, other), "{other}");
    }
    assert!(recognised(HTML_REPORT, OLD_PAGE));
    assert!(!recognised(HTML_REPORT, "<!DOCTYPE html><p>mine"));
    assert!(!recognised(
        HTML_REPORT,
        "<p>mine</p><meta name=\"generator\" content=\"ics 0.1.0\">"
    ));
}

#[test]
fn a_tracking_table_is_recognised_in_each_format_and_nothing_else() {
    let mine = [
        "\u{FEFF}indicator,title,node,path,unit,direction,baseline,cumulative,period,disaggregation,target\n",
        "indicator,title,node,path,unit,direction,baseline,cumulative,period,disaggregation,target\n",
        "Indicator tracking table, FY2018 to FY2022: Peru (version v1)\n",
        "# Indicator tracking table, FY2018 to FY2022: Peru (version v1)\n",
        "[\n  {\n    \"indicator\": \"A\",\n    \"cumulative\": false,\n    \"periods\": [\n",
        "[]\n",
    ];
    for head in mine {
        assert!(is_track_output(head.as_bytes()), "{head:?}");
    }
    let others = [
        "indicator,period,value\n",
        "[\n  {\n    \"indicator\": \"A\",\n    \"period\": \"FY2021\"\n  }\n]\n",
        "[1, 2]\n",
        "[] and more\n",
        "# Notes\n",
        "mine\n",
    ];
    for head in others {
        assert!(!is_track_output(head.as_bytes()), "{head:?}");
    }
}

/// A workbook as `ics` writes it, made by the shared writer.
fn ics_workbook(rows: usize) -> Vec<u8> {
    use crate::render::xlsx::{About, Book, Cell, Column, Kind};
    let mut book = Book::new("S", vec![Column::new("value", Kind::Number)]).unwrap();
    // Pseudo-random numbers: a workbook larger than the 4 KB head once compressed.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        book.row(&[Cell::from((x % 1_000_000_007) as f64 / 7.0)])
            .unwrap();
    }
    book.finish(&About::new("t", "2026-01-15T12:00:00Z"))
        .unwrap()
}

/// A zip made by another program: a workbook whose properties name another generator.
fn other_zip() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(&[b'x'; 5000]).unwrap();
    zip.start_file("docProps/custom.xml", options).unwrap();
    zip.write_all(b"<property name=\"Generator\"><vt:lpwstr>Excel</vt:lpwstr></property>")
        .unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_workbook_ics_wrote_is_recognised_past_the_first_4_kb() {
    let big = ics_workbook(3000);
    assert!(big.len() > 2 * HEAD_BYTES, "{}", big.len());
    assert!(is_ics_workbook(&big));
    assert!(
        !is_ics_workbook(&big[..HEAD_BYTES]),
        "a head alone is no zip"
    );
    assert!(!is_ics_workbook(&other_zip()));
    assert!(!is_ics_workbook(b"PK\x03\x04 not really"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let out = OutputFile::new(&path, ICS_WORKBOOK);
    fs::write(&path, &big).unwrap();
    out.write(&ics_workbook(1)).unwrap();
    assert_eq!(fs::read(&path).unwrap(), ics_workbook(1));
    fs::write(&path, other_zip()).unwrap();
    let m = message(out.write(&big).unwrap_err());
    assert!(m.contains("is not a workbook written by ics"), "{m}");
    assert_eq!(fs::read(&path).unwrap(), other_zip(), "kept");
    // A workbook is no earlier CSV, and the other way round.
    fs::write(&path, &big).unwrap();
    let csv = OutputFile::new(&path, ICS_CSV);
    let m = message(csv.write(b"\xEF\xBB\xBFx\n").unwrap_err());
    assert!(m.contains("is not a CSV file written by ics"), "{m}");
}

#[test]
fn a_csv_ics_wrote_has_the_mark_and_a_known_header() {
    let progress = format!(
        "\u{feff}{}\nIND-A,x\n",
        crate::render::progress::CSV_COLUMNS.join(",")
    );
    let values = format!(
        "\u{feff}{}\r\n",
        crate::render::values::export_header(false)
    );
    let all = format!("\u{feff}{}\n", crate::render::values::export_header(true));
    for ok in [&progress, &values, &all] {
        assert!(is_ics_csv(ok.as_bytes()), "{ok}");
    }
    // Without the mark (a pipe's CSV saved by hand), with another header, or cut short.
    assert!(!is_ics_csv(&progress.as_bytes()[3..]));
    assert!(!is_ics_csv("\u{feff}indicator,period,value\n".as_bytes()));
    assert!(!is_ics_csv(
        format!(
            "\u{feff}{},extra\n",
            crate::render::progress::CSV_COLUMNS.join(",")
        )
        .as_bytes()
    ));
    assert!(!is_ics_csv("\u{feff}indicator,title".as_bytes()));
    assert_eq!(csv_preamble(true), b"\xEF\xBB\xBF");
    assert_eq!(csv_preamble(false), b"");
}

#[test]
fn json_and_text_reports_ics_wrote_are_recognised() {
    assert!(is_ics_json(b"[\n  {\n    \"indicator\": \"IND-A\""));
    assert!(is_ics_json(b"[\n  {\"indicator\":\"IND-A\""));
    assert!(is_ics_json(b"[]\n"));
    assert!(!is_ics_json(b"[]\n[1]"));
    assert!(!is_ics_json(b"{\"indicator\": 1}"));
    assert!(!is_ics_json(b"[{\"name\": \"package.json\"}]"));
    let text = PROGRESS_TEXT.recognise;
    assert!(text(b"Progress for FY2021: Peru (version v1)\n"));
    assert!(text(b"**Progress for FY2021: Peru (version v1)**\n"));
    assert!(!text(b"# My notes\nProgress for FY2021"));
}
