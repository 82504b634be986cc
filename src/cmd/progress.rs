//! `ics progress`: progress against targets for one fiscal period, for the strategy review.

use std::io::Write;
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};

use super::dest::{self, Dest};
use super::Context;
use crate::cli::{ProgressArgs, ProgressFormat, StatusArg};
use crate::clock;
use crate::error::Error;
use crate::files::output;
use crate::framework::Framework;
use crate::period::{FiscalPeriod, PeriodRange, MIN_YEAR};
use crate::progress::{self, PeriodValue, Selection, Status};
use crate::render::progress as render;
use crate::render::{plural, xlsx, Term};
use crate::store::{SharedRead, Storage, Targets, VersionInfo};
use crate::Outcome;

fn status(s: StatusArg) -> Status {
    match s {
        StatusArg::Exceeded => Status::Exceeded,
        StatusArg::OnTarget => Status::OnTarget,
        StatusArg::Short => Status::Short,
        StatusArg::Incomplete => Status::Incomplete,
        StatusArg::NoData => Status::NoData,
        StatusArg::NoTarget => Status::NoTarget,
    }
}

/// The values the report needs: the period's fiscal year (with its quarters) and, for the
/// trend or a cumulative indicator's running total, the strategy's fiscal years through it;
/// one query when one range holds both.
fn values(
    store: &dyn Storage,
    version: &VersionInfo,
    period: FiscalPeriod,
    years: &[FiscalPeriod],
) -> Result<Vec<PeriodValue>, Error> {
    let fy = period.fiscal_year().span();
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return store.current_totals(version, fy);
    };
    let mut out =
        store.current_totals(version, PeriodRange::fiscal_years(first.year, last.year))?;
    if period.year < first.year || period.year > last.year {
        out.extend(store.current_totals(version, fy)?);
    }
    Ok(out)
}

/// The values a cumulative indicator's running total needs that [`values`] did not read: the
/// fiscal years from the strategy's start (or the earliest there can be) up to those read.
/// None when no indicator is cumulative.
pub fn running_totals(
    store: &dyn Storage,
    version: &VersionInfo,
    fw: &Framework,
    period: FiscalPeriod,
    years: &[FiscalPeriod],
) -> Result<Vec<PeriodValue>, Error> {
    if !fw.indicators().any(|(_, i)| i.cumulative) {
        return Ok(Vec::new());
    }
    let from = fw.strategy.start.map_or(MIN_YEAR, |s| s.year);
    let covered = match (years.first(), years.last()) {
        (Some(f), Some(l)) if (f.year..=l.year + 1).contains(&period.year) => f.year,
        _ => period.year,
    };
    if from >= covered {
        return Ok(Vec::new());
    }
    store.current_totals(version, PeriodRange::fiscal_years(from, covered - 1))
}

/// The progress report of `period` (default: [`super::review_period`]) as `ics progress
/// --format json` builds it, on one connection and without a trend (the dashboard of `ics
/// serve`). `store` counts what the report should count ([`crate::store::Workflow::set_counted`]);
/// with `include_submitted`, the submitted rows are marked.
pub fn report(
    store: &dyn Storage,
    period: Option<FiscalPeriod>,
    sel: &Selection,
    include_submitted: bool,
) -> Result<progress::Report, Error> {
    let version = store.resolve_version(None)?;
    let targets = match period {
        Some(p) => Targets::Between(p.fiscal_year().span()),
        None => Targets::All,
    };
    let fw = store.framework_lean(&version, targets)?;
    if let Some(code) = &sel.node {
        progress::find_node(&fw, code)?;
    }
    let period = super::review_period(period, store, &version, &fw)?;
    let mut values = values(store, &version, period, &[])?;
    values.extend(running_totals(store, &version, &fw, period, &[])?);
    let mut report = progress::build(&fw, &version.label, period, &values, sel)?;
    if include_submitted {
        mark_submitted(store, &mut report, period)?;
    }
    Ok(report)
}

/// Mark the rows that count a submitted value; the submitted values of `period`'s year.
fn mark_submitted(
    store: &dyn Storage,
    report: &mut progress::Report,
    period: FiscalPeriod,
) -> Result<Vec<crate::workflow::SubmittedValue>, Error> {
    let submitted = crate::workflow::submitted_values(store, period.fiscal_year().span())?;
    for line in &mut report.lines {
        if let progress::Line::Row(r) = line {
            r.submitted = submitted
                .iter()
                .any(|s| s.indicator == r.indicator && r.period.contains(&s.period));
        }
    }
    Ok(submitted)
}

/// glibc grows a thread's heap one page per system call (`mprotect`): 1,150 calls for the
/// values of 20,000 indicators. Asking for 32 MiB of slack at each growth takes that to a
/// handful; the slack is address space, made resident only where it is used.
fn roomier_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter, and no other thread is running yet.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 32 << 20);
    }
}

pub fn run(cx: &Context, args: &ProgressArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    if args.format == ProgressFormat::Xlsx {
        dest::needs_out("xlsx", args.out.as_deref(), "progress.xlsx")?;
    }
    let period = super::period_arg(args.period.as_deref(), false)?;
    let trend = args.format == ProgressFormat::Table;
    // With the period given and no trend to show, the values need nothing from the framework:
    // a second connection, opened on another thread from the start, reads them while this one
    // reads the framework ([`report_with`]); for a CSV, the thread then makes the last 9/20 of
    // the rows while this one makes the first 11/20 ([`MINE`]).
    let shared = period.is_some() && !trend;
    if shared {
        roomier_heaps();
    }
    // What both threads read once made: declared before the threads, so both can borrow it.
    // A big strategy's framework, values and report are hundreds of thousands of small
    // allocations, and the process ends when this command returns: freeing them one by one
    // was about 9 % of `progress` on 20,000 indicators (callgrind), so they are left to the
    // exit.
    let made = std::mem::ManuallyDrop::new(Made::default());
    std::thread::scope(|s| {
        let (send, read_to_help) = mpsc::channel::<Arc<SharedRead>>();
        let (read_done, helped) = mpsc::channel::<()>();
        let (send_rows, receive_rows) = mpsc::channel::<RowsJob>();
        let (opened, main_opened) = mpsc::channel::<()>();
        // A helper that cannot start or open its connection leaves the chunks to this one. On a
        // server it connects only once this one has (a server may have one connection left),
        // so it never takes the connection the command needs.
        let server = crate::store::is_server(&cx.db_path());
        let made = &*made;
        let here = if shared { current_cpu() } else { None };
        let helper = shared
            .then(|| {
                std::thread::Builder::new()
                    .spawn_scoped(s, move || {
                        // Asked here, where it costs the command nothing (and before this
                        // thread's processors change, below).
                        cores();
                        leave_cpu(here);
                        let early = if server {
                            None
                        } else {
                            // Once the command's connection is open (its end let go).
                            let _ = receive(&main_opened);
                            cx.open_counted(&args.review).ok()
                        };
                        let read = receive(&read_to_help)?;
                        let other = match early {
                            Some(other) => other,
                            None => cx.open_counted(&args.review).ok()?,
                        };
                        other.help_read(&read);
                        // The read is this connection's no longer: the command may finish it.
                        drop(read);
                        drop(read_done);
                        drop(other);
                        let job = receive(&receive_rows)?;
                        job.make(made)
                    })
                    .ok()
            })
            .flatten();
        // A new thread may be queued behind this one on its processor until the scheduler's
        // next tick (4 ms on the benchmark's machine): it is let run now, and moves itself to
        // another ([`leave_cpu`]).
        if helper.is_some() {
            std::thread::yield_now();
        }
        report_with(
            cx,
            args,
            out,
            period,
            trend,
            Helper {
                opened,
                send,
                helped,
                send_rows,
                thread: helper,
            },
            made,
        )
    })
}

/// The framework, values and their grouping, made once by the command's thread and read by
/// both threads (the helper makes its part of a CSV's rows from them).
#[derive(Default)]
struct Made<'a> {
    fw: OnceLock<Framework>,
    values: OnceLock<Vec<PeriodValue>>,
    prepared: OnceLock<progress::Prepared<'a>>,
}

/// The part of a CSV's rows the command's thread makes itself, of those the helper can share.
const MINE: (usize, usize) = (11, 20);

/// CSV lines (no header) and how many rows they are.
type MadeRows = (Vec<u8>, usize);

/// The part of a CSV's rows the helper makes: those of `order[from..]`.
struct RowsJob {
    order: Arc<Vec<(usize, usize)>>,
    from: usize,
    period: FiscalPeriod,
    sel: Selection,
}

impl RowsJob {
    /// The CSV lines (no header) of the rows, and how many; `None` when the rows are not
    /// made yet (they always are when a job is sent) or one fails.
    fn make(&self, made: &Made<'_>) -> Option<MadeRows> {
        let prepared = made.prepared.get()?;
        let part = self.order.get(self.from..)?;
        // About 200 bytes a row (a CSV row of the bench strategy is 208).
        let mut buf = Vec::with_capacity(part.len().saturating_mul(256));
        let mut csv = render::CsvRows::rest(&mut buf);
        let rows = prepared
            .rows_of(part, self.period, &self.sel, |r| csv.row(r))
            .ok()?;
        csv.finish().ok()?;
        Some((buf, rows))
    }
}

/// What `from` brings next, or `None` once its other end is gone. A sleeping thread took 0.2
/// to 3 ms to wake on the benchmark's machine, where the other thread is usually a few
/// milliseconds from done: for up to 20 ms the wait looks again each time it has let any
/// other thread on its processor run, then it sleeps. Waiting awake for the rows took
/// `progress --format csv` on 200,000 values from 33.8 to 32.7 ms (medians of 61).
fn receive<T>(from: &mpsc::Receiver<T>) -> Option<T> {
    let since = std::time::Instant::now();
    // On one processor, waiting awake would only take time from the thread it waits for.
    let awake = cores() > 1;
    while awake && since.elapsed() < std::time::Duration::from_millis(20) {
        match from.try_recv() {
            Ok(got) => return Some(got),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            // Yielding, not spinning: a thread on this processor (the one waited for, should
            // the two share it) runs first.
            Err(mpsc::TryRecvError::Empty) => std::thread::yield_now(),
        }
    }
    from.recv().ok()
}

/// The processor this thread runs on, where the system says.
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu takes nothing and only returns a number (-1 on failure).
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Move this thread off processor `cpu` (the command thread's) when it runs there and may run
/// elsewhere, then let it run anywhere again. A thread started while the command thread runs
/// was often queued on the same processor, and ran only when the scheduler next looked (a
/// tick, 4 ms on the benchmark's machine): at the 90th percentile the helper started 4.4 ms
/// after it was spawned (40 runs, median 0.64 ms), and in those runs it was on the command's
/// processor.
fn leave_cpu(cpu: Option<usize>) {
    #[cfg(target_os = "linux")]
    {
        let Some(cpu) = cpu.filter(|&c| c < libc::CPU_SETSIZE as usize) else {
            return;
        };
        if current_cpu() != Some(cpu) {
            return;
        }
        // SAFETY: a cpu_set_t is plain bits (zeroed is the empty set); the calls read and
        // write only the set passed, of the size given, for this thread (pid 0).
        unsafe {
            let mut all: libc::cpu_set_t = std::mem::zeroed();
            let size = std::mem::size_of::<libc::cpu_set_t>();
            if libc::sched_getaffinity(0, size, &mut all) != 0 {
                return;
            }
            let mut others = all;
            libc::CPU_CLR(cpu, &mut others);
            if libc::CPU_COUNT(&others) == 0 {
                return;
            }
            if libc::sched_setaffinity(0, size, &others) == 0 {
                libc::sched_setaffinity(0, size, &all);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpu;
}

/// How many processors this process may run on (asked once: the answer reads files).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The helper of [`run`]: where to send it the read, how it says it has done its share,
/// where to send it rows to make, and its thread (which gives the rows it made).
struct Helper<'s> {
    opened: mpsc::Sender<()>,
    send: mpsc::Sender<Arc<SharedRead>>,
    helped: mpsc::Receiver<()>,
    send_rows: mpsc::Sender<RowsJob>,
    thread: Option<std::thread::ScopedJoinHandle<'s, Option<MadeRows>>>,
}

/// [`run`], with its helper started; `trend` as `run` decided it (a table shows one).
fn report_with<'a>(
    cx: &Context,
    args: &ProgressArgs,
    out: &mut dyn Write,
    period: Option<FiscalPeriod>,
    trend: bool,
    helper: Helper<'_>,
    made: &'a Made<'a>,
) -> Result<Outcome, Error> {
    let Helper {
        opened,
        send,
        helped,
        send_rows,
        mut thread,
    } = helper;
    // Only a CSV's rows are made on two threads: for anything else, the helper is told now
    // that no rows will come, and ends when its share of the read is done.
    let send_rows = (args.format == ProgressFormat::Csv).then_some(send_rows);
    let store = cx.open_counted(&args.review)?;
    drop(opened);
    let version = super::version(&*store, &args.version)?;
    let kind = match args.format {
        ProgressFormat::Csv => output::ICS_CSV,
        ProgressFormat::Json => output::ICS_JSON,
        ProgressFormat::Xlsx => output::ICS_WORKBOOK,
        ProgressFormat::Table | ProgressFormat::Markdown => output::PROGRESS_TEXT,
    };
    // Checked before any work: the database, the framework file and anything else not ours.
    let mut dest = Dest::new(out, args.out.as_deref(), kind, &*store, Some(&version))?;
    // With a period given, only that fiscal year's targets are needed (the default period
    // looks at every target).
    let targets = match period {
        Some(p) => Targets::Between(p.fiscal_year().span()),
        None => Targets::All,
    };
    // No prose: the report shows none of it. With the period given and no trend to show, the
    // helper's connection reads the values while this one reads the framework, then both read
    // them (in chunks of indicators, whichever is free; read again on this connection alone
    // if a commit came between the two). Errors come in the order: finding the indicators'
    // ids, the framework's, the node's, then the values'.
    let (fw, early, indexed) = match period {
        Some(p) if !trend => {
            let read = Arc::new(store.shared_totals(&version, p.fiscal_year().span())?);
            // A helper that has stopped reads nothing.
            let _ = send.send(Arc::clone(&read));
            drop(send);
            let fw = store
                .framework_lean(&version, targets)
                .map(|fw| made.fw.get_or_init(|| fw));
            // For a CSV, what the rows need of the framework alone is made before this thread
            // joins the read: the helper reads meanwhile, and the part left after the read is
            // smaller (2.5 ms on 20,000 indicators).
            let indexed = match (&fw, &send_rows) {
                (Ok(fw), Some(_)) => Some(progress::index(fw)),
                _ => None,
            };
            if fw.is_ok() {
                store.help_read(&read);
            }
            // The helper says it is done by letting go of its end (having let go of the
            // read), or by ending, however it ends.
            if thread.is_some() {
                let _ = receive(&helped);
            }
            // With no rows to make, the helper is done: a panic of its own is passed on now,
            // before anything is written.
            if send_rows.is_none() {
                if let Some(Err(panic)) = thread.take().map(|t| t.join()) {
                    std::panic::resume_unwind(panic)
                }
            }
            let fw = fw?;
            // The helper has ended, and its share of the read with it.
            let read = Arc::try_unwrap(read).map_err(|_| {
                Error::database("the values could not all be read: a reader had not let go of them")
            })?;
            (fw, Some(store.finish_read(read)), indexed)
        }
        _ => {
            let fw = store.framework_lean(&version, targets)?;
            (made.fw.get_or_init(|| fw), None, None)
        }
    };
    if let Some(code) = &args.node {
        progress::find_node(fw, code)?;
    }
    let period = super::review_period(period, &*store, &version, fw)?;
    let years = if trend {
        fw.strategy.fiscal_years()
    } else {
        Vec::new()
    };
    let mut values = match early {
        Some(values) => values?,
        None => values(&*store, &version, period, &years)?,
    };
    values.extend(running_totals(&*store, &version, fw, period, &years)?);
    let values = made.values.get_or_init(|| values);
    let sel = Selection {
        node: args.node.clone(),
        statuses: args.status.iter().copied().map(status).collect(),
        needs_explanation: args.needs_explanation,
        trend,
    };
    // The CSV shows rows and no headers: each row is written as it is made, and the report's
    // lines are never held (on 20,000 indicators, 10 MB made and written once). The helper's
    // part of the rows is held as CSV text until this thread's part is written (about 1.8 MB
    // on 20,000 indicators); all of it is held when it goes to a file (`--out`), which is
    // written at once.
    let mut report = match args.format {
        ProgressFormat::Csv => None,
        _ => Some(progress::build(fw, &version.label, period, values, &sel)?),
    };
    let submitted = match (args.review.include_submitted, report.as_mut()) {
        (false, _) => Vec::new(),
        (true, Some(report)) => mark_submitted(&*store, report, period)?,
        (true, None) => crate::workflow::submitted_values(&*store, period.fiscal_year().span())?,
    };
    if let (Some(caution), ProgressFormat::Csv | ProgressFormat::Xlsx) =
        (crate::workflow::submitted_caution(&submitted), args.format)
    {
        eprintln!("note: {caution}");
    }
    // A file gets the table without colour and at full width.
    let term = if dest.is_file() {
        Term::plain()
    } else {
        cx.term
    };
    let rows = match &report {
        None => {
            dest.begin_csv()?;
            let prepared = made.prepared.get_or_init(|| {
                indexed
                    .unwrap_or_else(|| progress::index(fw))
                    .with_values(values)
            });
            let order = Arc::new(prepared.row_order(&sel)?);
            // The rest to the helper, when there is one to take it: a little less than half,
            // as its lines go to fresh memory (4.1 ms for its half where this thread took 3.3).
            let split = order.len() * MINE.0 / MINE.1;
            let sent = thread.is_some()
                && send_rows.is_some_and(|send| {
                    send.send(RowsJob {
                        order: Arc::clone(&order),
                        from: split,
                        period,
                        sel: sel.clone(),
                    })
                    .is_ok()
                });
            let mine = if sent { &order[..split] } else { &order[..] };
            let mut csv = render::CsvRows::new(dest.writer())?;
            let mut rows = prepared.rows_of(mine, period, &sel, |r| csv.row(r))?;
            csv.finish()?;
            if sent {
                let theirs = match thread.map(|t| t.join()) {
                    Some(Ok(theirs)) => theirs,
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => None,
                };
                match theirs {
                    Some((text, n)) => {
                        dest.writer().write_all(&text)?;
                        std::mem::forget(text);
                        rows += n;
                    }
                    // The helper could not make them: made here.
                    None => {
                        let mut csv = render::CsvRows::rest(dest.writer());
                        rows += prepared.rows_of(&order[split..], period, &sel, |r| csv.row(r))?;
                        csv.finish()?;
                    }
                }
            }
            rows
        }
        Some(report) => {
            match args.format {
                ProgressFormat::Table => write!(dest.writer(), "{}", render::table(report, term))?,
                ProgressFormat::Markdown => write!(dest.writer(), "{}", render::markdown(report))?,
                ProgressFormat::Csv => {
                    dest.begin_csv()?;
                    render::csv(report, dest.writer())?
                }
                ProgressFormat::Json => render::json(report, dest.writer())?,
                ProgressFormat::Xlsx => {
                    let about = xlsx::About::new(
                        format!("Progress for {}", report.period),
                        clock::now_utc(),
                    )
                    .fact(
                        "Strategy",
                        format!("{} ({})", version.title, version.strategy),
                    )
                    .fact("Version", version.label.as_str())
                    .fact("Period", report.period.to_string())
                    .fact("Command", dest::command_line());
                    dest.put(&render::workbook(report, about)?)?;
                }
            }
            report.rows().count()
        }
    };
    dest.finish(&format!(
        "the {period} progress report ({})",
        plural(rows, "indicator", "indicators")
    ))?;
    // Left to the exit, as the framework and values are ([`run`]).
    std::mem::forget(report);
    Ok(Outcome::Success)
}
