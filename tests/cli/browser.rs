//! `ics serve` in a real browser (issue 18): Debian's `chromium`, driven through
//! `chromedriver` by the WebDriver client crate fantoccini. A reporter signs in and records a
//! value through the form, an approver returns it, the reporter fixes it, the approver
//! approves it, and the dashboard shows it; every page visited is checked with axe-core when
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

async fn sign_out(c: &Client) {
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
        // The reporter signs in and records a value through the indicator page's form.
        sign_in(&c, &base, "ana.econ").await;
        accessible(&c, "dashboard").await;
        c.goto(&format!("{base}/indicator/IND-POVERTY"))
            .await
            .unwrap();
        accessible(&c, "indicator page").await;
        fill(&c, "#period", "FY2022").await;
        fill(&c, "#value", "25.9").await;
        fill(&c, "#note", "INEI preliminary").await;
        click(&c, "form[action$='/record'] button[type=submit]").await;
        assert!(text(&c).await.contains("25.9"), "{}", text(&c).await);
        sign_out(&c).await;

        // The approver returns it with a reason.
        sign_in(&c, &base, "bo.po").await;
        c.goto(&format!("{base}/review")).await.unwrap();
        accessible(&c, "approval queue").await;
        screenshot(&c, "approval-queue").await;
        assert!(text(&c).await.contains("IND-POVERTY"));
        fill(
            &c,
            "form[action='/review/return'] input[name=reason]",
            "INEI says 25.8",
        )
        .await;
        click(&c, "form[action='/review/return'] button[type=submit]").await;
        sign_out(&c).await;

        // The reporter fixes it.
        sign_in(&c, &base, "ana.econ").await;
        c.goto(&format!("{base}/indicator/IND-POVERTY"))
            .await
            .unwrap();
        assert!(
            text(&c).await.contains("INEI says 25.8"),
            "{}",
            text(&c).await
        );
        fill(&c, "#period", "FY2022").await;
        fill(&c, "#value", "25.8").await;
        click(&c, "form[action$='/record'] button[type=submit]").await;
        sign_out(&c).await;

        // The approver approves it; the dashboard shows it.
        sign_in(&c, &base, "bo.po").await;
        c.goto(&format!("{base}/review")).await.unwrap();
        click(&c, "form[action='/review/approve'] button[type=submit]").await;
        c.goto(&format!("{base}/?period=FY2022")).await.unwrap();
        let dashboard = text(&c).await;
        assert!(dashboard.contains("25.8"), "{dashboard}");
        screenshot(&c, "dashboard").await;
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
    assert_eq!(row["actual"], 25.8);
}
