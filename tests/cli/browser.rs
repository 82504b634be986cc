//! `ics serve` in a real browser (issue 18): Debian's `chromium`, driven through
//! `chromedriver` by the WebDriver client crate fantoccini. A reporter signs in and enters the
//! period's values through the data-entry form, uploads a file with a bad row and sees its
//! line error, an approver returns one value, the reporter fixes it on the indicator page, the
//! approver approves them, and the dashboard shows them; every page visited is checked with axe-core when
//! `ICS_AXE` names `axe.min.js`.
//!
//! Without chromium and chromedriver the test says it skipped; with `ICS_REQUIRE_BROWSER=1`
//! (as `.ci/run` sets) it fails instead.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::Env;
use crate::web::{mission, password, Server};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A running chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free port, or `None` (skipped, said once) when the browser is missing.
fn driver() -> Option<Driver> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let why = format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing (apt install chromium chromium-driver)"
        );
        if std::env::var("ICS_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("browser tests are required (ICS_REQUIRE_BROWSER=1) but cannot run: {why}");
        }
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: the browser tests: {why}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver { child, url })
}

async fn browser(driver: &Driver) -> Client {
    // Two providers are compiled in (through other crates); say which one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"],
        }),
    );
    ClientBuilder::rustls()
        .expect("a TLS configuration")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Fill the field `css` with `text`.
async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// The page's text; empty while a navigation replaces the page (the body found goes stale).
async fn text(c: &Client) -> String {
    match c.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Wait (up to 10 s) until the page's text holds `needle`; the text.
async fn wait_for(c: &Client, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let body = text(c).await;
        if body.contains(needle) || started.elapsed() > Duration::from_secs(10) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_in(c: &Client, base: &str, name: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#name", name).await;
    fill(c, "#password", &password(name)).await;
    click(c, "form[action='/login'] button[type=submit]").await;
    let body = wait_for(c, name).await;
    assert!(body.contains(name), "not signed in as {name}:\n{body}");
}

async fn sign_out(c: &Client, base: &str) {
    // From the dashboard: an error page has no header to sign out from.
    c.goto(&format!("{base}/")).await.unwrap();
    click(c, "form[action='/logout'] button").await;
    let body = wait_for(c, "User name").await;
    assert!(body.contains("User name"), "not signed out:\n{body}");
}

/// axe-core on the current page: no serious or critical violation.
async fn accessible(c: &Client, page: &str) {
    let Ok(path) = std::env::var("ICS_AXE") else {
        return;
    };
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    c.execute(&source, vec![]).await.expect("inject axe-core");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ')')))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let found: Vec<String> = serde_json::from_value(result).unwrap_or_default();
    assert!(found.is_empty(), "{page}: {found:#?}");
}

/// The row number of `code` on the data-entry page (its hidden `indN` field).
async fn entry_row(c: &Client, code: &str) -> String {
    for e in c
        .find_all(Locator::Css("input[type=hidden][name^=ind]"))
        .await
        .unwrap()
    {
        if e.attr("value").await.unwrap().as_deref() == Some(code) {
            let name = e.attr("name").await.unwrap().unwrap_or_default();
            return name.trim_start_matches("ind").to_string();
        }
    }
    panic!("no data-entry row for {code}");
}

/// With `ICS_SCREENSHOTS=DIR`, save the page as `DIR/NAME.png` (the README's pictures).
async fn screenshot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("ICS_SCREENSHOTS") else {
        return;
    };
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

#[test]
fn a_period_through_the_browser() {
    let Some(driver) = driver() else {
        return;
    };
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let base = server.base.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        // The reporter signs in and enters the period's values through the data-entry form.
        sign_in(&c, &base, "ana.econ").await;
        accessible(&c, "dashboard").await;
        c.goto(&format!("{base}/entry?period=FY2022"))
            .await
            .unwrap();
        accessible(&c, "data entry").await;
        // The one FY2022 figure of the reporter's scope that a source states: poverty "nearly
        // 20 percent" (000_608dc83dc96755f6.txt, a page dated 2022-04-26), typed with a slip
        // (2 for 20) that the approver catches. No figure here is invented: the screenshots
        // go into the README.
        let n = entry_row(&c, "IND-POVERTY").await;
        fill(&c, &format!("#value{n}"), "2").await;
        fill(&c, &format!("#note{n}"), SOURCE_NOTE).await;
        screenshot(&c, "data-entry").await;
        click(
            &c,
            "form[method=post][action^='/entry'] button[type=submit]",
        )
        .await;
        let saved = wait_for(&c, "saved 1 row").await;
        assert!(saved.contains("saved 1 row"), "{saved}");
        c.goto(&format!("{base}/indicator/IND-POVERTY"))
            .await
            .unwrap();
        accessible(&c, "indicator page").await;
        // An upload with a bad row shows its line, and nothing is imported.
        let bad = env.write(
            "bad.csv",
            "indicator,period,value\nIND-POVERTY,FY2022,lots\n",
        );
        c.goto(&format!("{base}/upload")).await.unwrap();
        accessible(&c, "upload").await;
        c.find(Locator::Css("#file"))
            .await
            .unwrap()
            .send_keys(bad.to_str().unwrap())
            .await
            .unwrap();
        click(&c, "form[action='/upload'] button[type=submit]").await;
        let refused = wait_for(&c, "bad.csv:2:").await;
        assert!(
            refused.contains("bad.csv:2: `lots` is not a number"),
            "{refused}"
        );
        sign_out(&c, &base).await;

        // The approver returns it with a reason.
        sign_in(&c, &base, "bo.po").await;
        c.goto(&format!("{base}/review")).await.unwrap();
        accessible(&c, "approval queue").await;
        screenshot(&c, "approval-queue").await;
        assert!(text(&c).await.contains("IND-POVERTY"));
        fill(
            &c,
            "form[action='/review/return'] input[name=reason]",
            RETURN_REASON,
        )
        .await;
        click(&c, "form[action='/review/return'] button[type=submit]").await;
        sign_out(&c, &base).await;

        // The reporter fixes it.
        sign_in(&c, &base, "ana.econ").await;
        c.goto(&format!("{base}/indicator/IND-POVERTY"))
            .await
            .unwrap();
        assert!(text(&c).await.contains(RETURN_REASON), "{}", text(&c).await);
        fill(&c, "#period", "FY2022").await;
        fill(&c, "#value", "20").await;
        click(&c, "form[action$='/record'] button[type=submit]").await;
        sign_out(&c, &base).await;

        // The approver approves it; the dashboard shows it.
        sign_in(&c, &base, "bo.po").await;
        c.goto(&format!("{base}/review")).await.unwrap();
        click(&c, "form[action='/review/approve'] button[type=submit]").await;
        wait_for(&c, "Approval queue").await;
        c.goto(&format!("{base}/?period=FY2022")).await.unwrap();
        let dashboard = text(&c).await;
        let poverty = dashboard
            .lines()
            .find(|l| l.contains("IND-POVERTY"))
            .unwrap_or_default();
        assert!(
            poverty.contains("National poverty rate in Peru") && poverty.contains("20"),
            "{dashboard}"
        );
        screenshot(&c, "dashboard").await;
        // A phone can read it: at 390 pixels wide the page itself never scrolls sideways
        // (a wide table scrolls within its own box).
        c.set_window_size(390, 844).await.unwrap();
        for page in [
            "/?period=FY2022",
            "/indicator/IND-POVERTY",
            "/review",
            "/status?period=FY2022",
            "/tree",
            "/diff",
            "/log",
        ] {
            c.goto(&format!("{base}{page}")).await.unwrap();
            let widths = c
                .execute(
                    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                    vec![],
                )
                .await
                .unwrap();
            let (scroll, client) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
            assert!(
                scroll <= client + 1.0,
                "{page} is {scroll} px wide on a {client} px phone"
            );
            if page.starts_with("/?") {
                screenshot(&c, "dashboard-phone").await;
                accessible(&c, "dashboard on a phone").await;
            }
        }
        c.set_window_size(1280, 1000).await.unwrap();
        c.goto(&format!("{base}/status?period=FY2022"))
            .await
            .unwrap();
        accessible(&c, "status").await;
        c.close().await.unwrap();
    });
    // The CLI agrees.
    let rows = env
        .ics(&["progress", "--period", "FY2022", "--format", "json"])
        .ok()
        .json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "IND-POVERTY")
        .unwrap()
        .clone();
    assert_eq!(row["actual"], 20.0);
    let history = env
        .ics(&["history", "IND-POVERTY", "--format", "json"])
        .ok();
    assert!(
        history
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["note"] == SOURCE_NOTE),
        "{}",
        history.stdout
    );
}

/// What the reporter types in the note, and the approver's reason to return the slip.
const SOURCE_NOTE: &str =
    "\"Nearly 20 percent today\", page dated 2022-04-26 (000_608dc83dc96755f6.txt)";
const RETURN_REASON: &str = "2 percent? The note says nearly 20 percent";
