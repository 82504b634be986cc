//! Benchmark data generator: a big framework and a values CSV, deterministic from a seed.
//!
//! ```text
//! cargo run --release --example gen-bench -- --indicators 20000 --years 25 --out DIR \
//!     [--history-quarters N] [--annual] [--recode N] [--seed 42]
//! ```
//! writes `DIR/framework.toml` (goals of 10 objectives of 10 quarterly indicators each, one DO
//! per 10 goals linked to objectives, a baseline and a target per fiscal year),
//! `DIR/framework-b.toml` (the same with 1 % of nodes changed: retitled, re-targeted, removed or
//! added) and `DIR/values.csv` (`indicator,period,value`: every indicator, every quarter of the
//! last `--years` fiscal years ending FY2024, or only the last `--history-quarters` quarters: the
//! same strategy with a shorter history). With `--recode N` it also writes
//! `DIR/framework-r.toml`: the same strategy with `N` codes changed and nothing else, half of
//! them objectives (the DOs' `supports` follow them) and half indicators, spread evenly (what
//! renumbering a strategy in a revision looks like to `ics diff`). With `--annual` the
//! indicators report once a fiscal year instead (the annual shape): `values.csv` then holds one
//! value per fiscal year, and `--history-quarters N` means the last N fiscal years.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use ics::framework::dump::to_toml;
use ics::framework::*;
use ics::period::FiscalPeriod;

/// xorshift64*: small, deterministic, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Options {
    indicators: usize,
    years: i32,
    history_quarters: Option<i32>,
    annual: bool,
    recode: usize,
    out: PathBuf,
    seed: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        indicators: 20_000,
        years: 25,
        history_quarters: None,
        annual: false,
        recode: 0,
        out: PathBuf::from("bench-data"),
        seed: 42,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--indicators" => {
                o.indicators = val()?.parse().map_err(|_| "--indicators takes a number")?
            }
            "--years" => o.years = val()?.parse().map_err(|_| "--years takes a number")?,
            "--out" => o.out = PathBuf::from(val()?),
            "--history-quarters" => {
                o.history_quarters = Some(
                    val()?
                        .parse()
                        .map_err(|_| "--history-quarters takes a number")?,
                )
            }
            "--annual" => o.annual = true,
            "--recode" => o.recode = val()?.parse().map_err(|_| "--recode takes a number")?,
            "--seed" => o.seed = val()?.parse().map_err(|_| "--seed takes a number")?,
            _ => {
                return Err(format!(
                    "unknown argument `{a}`; use --indicators N --years N --out DIR \
                     --history-quarters N --annual --recode N --seed N"
                ))
            }
        }
    }
    if o.indicators < 100 || !o.indicators.is_multiple_of(100) {
        return Err(
            "--indicators must be a multiple of 100 (10 objectives x 10 indicators per goal)"
                .into(),
        );
    }
    if o.recode > o.indicators / 10 + o.indicators / 2 {
        return Err(format!(
            "--recode takes at most {} codes for {} indicators (half objectives, half indicators)",
            o.indicators / 10 + o.indicators / 2,
            o.indicators
        ));
    }
    Ok(o)
}

const LAST_YEAR: i32 = 2024;

fn framework(o: &Options, rng: &mut Rng) -> Framework {
    let goals = o.indicators / 100;
    let first = LAST_YEAR - o.years + 1;
    let mut nodes = Vec::with_capacity(goals * 11 + goals / 10 + 1);
    let mut dos = Vec::new();
    for g in 0..goals {
        let gcode = format!("G{g:04}");
        let mut goal = Node::new(
            NodeKind::Goal,
            &gcode,
            &format!("Mission goal {g} of the benchmark strategy"),
            None,
        );
        goal.description = Some(format!("Synthetic goal {g}, generated for the benchmark."));
        nodes.push(goal);
        for ob in 0..10 {
            let ocode = format!("{gcode}.O{ob}");
            let mut obj = Node::new(
                NodeKind::Objective,
                &ocode,
                &format!(
                    "Objective {ob} under goal {g}: improve outcome {}",
                    rng.next() % 1000
                ),
                Some(&gcode),
            );
            obj.justification = Some(format!(
                "Justification of objective {ob} of goal {g}, which matters for reasons {}.",
                rng.next() % 10_000
            ));
            for i in 0..10 {
                let base = 50.0 + rng.unit() * 50.0;
                let targets: ics::framework::TargetMap = (first..=LAST_YEAR)
                    .map(|y| {
                        (
                            FiscalPeriod::year(y),
                            ((base + (y - first) as f64 * 2.0) * 100.0).round() / 100.0,
                        )
                    })
                    .collect();
                obj.indicators.push(Indicator {
                    code: format!("{ocode}.I{i}"),
                    title: format!("Indicator {i} of objective {ob}, goal {g}"),
                    unit: "people".into(),
                    direction: if i % 4 == 3 {
                        Direction::Decrease
                    } else {
                        Direction::Increase
                    },
                    baseline: Some(Baseline {
                        period: FiscalPeriod::year(first - 1),
                        value: (base * 100.0).round() / 100.0,
                    }),
                    targets,
                    frequency: if o.annual {
                        Frequency::Annual
                    } else {
                        Frequency::Quarterly
                    },
                    aggregation: Aggregation::Sum,
                    disaggregations: BTreeMap::new(),
                    standard_code: None,
                    source: Some("synthetic".into()),
                    definition: Some("A synthetic indicator for the benchmark.".into()),
                    illustrative: true,
                    cumulative: false,
                    ratio: None,
                    pirs: Default::default(),
                });
            }
            if g % 10 == 0 && ob < 2 {
                dos.push(ocode.clone());
            }
            nodes.push(obj);
        }
    }
    for (d, chunk) in dos.chunks(2).enumerate() {
        let mut node = Node::new(
            NodeKind::DevelopmentObjective,
            &format!("DO{d}"),
            &format!("Development objective {d}"),
            None,
        );
        node.supports = chunk.to_vec();
        nodes.push(node);
    }
    Framework {
        strategy: Strategy {
            code: "bench".into(),
            title: "Benchmark strategy".into(),
            version: "bench-a".into(),
            country: None,
            description: None,
            approved: None,
            updated: None,
            start: Some(FiscalPeriod::year(first)),
            end: Some(FiscalPeriod::year(LAST_YEAR)),
            iati: None,
            cdcs: None,
        },
        settings: Settings::default(),
        nodes,
    }
}

/// Change 1 % of the nodes: retitle, re-target, remove, add.
fn revise(fw: &Framework, rng: &mut Rng) -> Framework {
    let mut b = fw.clone();
    b.strategy.version = "bench-b".into();
    let n = b.nodes.len();
    let changes = (n / 100).max(4);
    for k in 0..changes {
        let i = (rng.next() as usize) % n;
        let node = &mut b.nodes[i];
        match k % 4 {
            0 => node.title.push_str(" (revised)"),
            1 => {
                if let Some(ind) = node.indicators.first_mut() {
                    if let Some(t) = ind.targets.values_mut().last() {
                        *t += 1.0;
                    }
                }
            }
            2 => node.justification = Some("Rewritten justification for the revision.".into()),
            _ => {
                if node.kind == NodeKind::Objective {
                    node.indicators.pop();
                }
            }
        }
    }
    let parent = b.nodes[0].code.clone();
    b.nodes.insert(
        1,
        Node::new(
            NodeKind::Objective,
            "NEW.O1",
            "A new objective added in the revision",
            Some(&parent),
        ),
    );
    b
}

/// The same strategy with `count` codes changed and nothing else: half of them objectives
/// (every k-th, so the DOs' `supports` are rewritten to follow) and the rest indicators, spread
/// evenly. Titles stay, so `ics diff` must find each one as `recoded` by its title.
fn recode(fw: &Framework, count: usize) -> Framework {
    let mut r = fw.clone();
    r.strategy.version = "bench-r".into();
    let objectives: Vec<usize> = (0..r.nodes.len())
        .filter(|&i| r.nodes[i].kind == NodeKind::Objective)
        .collect();
    let wanted_objectives = (count / 2).min(objectives.len());
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    if let Some(step) = objectives.len().checked_div(wanted_objectives) {
        for &i in objectives.iter().step_by(step).take(wanted_objectives) {
            let node = &mut r.nodes[i];
            let new = format!("R-{}", node.code);
            renamed.insert(std::mem::replace(&mut node.code, new.clone()), new);
        }
    }
    for node in &mut r.nodes {
        if let Some(new) = node.parent.as_ref().and_then(|p| renamed.get(p)) {
            node.parent = Some(new.clone());
        }
        for s in &mut node.supports {
            if let Some(n) = renamed.get(s) {
                *s = n.clone();
            }
        }
    }
    let wanted_indicators = count - wanted_objectives;
    let total = r.indicator_count();
    if let Some(step) = total.checked_div(wanted_indicators) {
        let mut k = 0usize;
        let mut done = 0usize;
        for node in &mut r.nodes {
            for ind in &mut node.indicators {
                if k.is_multiple_of(step) && done < wanted_indicators {
                    ind.code = format!("R-{}", ind.code);
                    done += 1;
                }
                k += 1;
            }
        }
    }
    r
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut rng = Rng(o.seed.max(1));
    if let Err(e) = std::fs::create_dir_all(&o.out) {
        eprintln!("error: cannot create `{}`: {e}", o.out.display());
        std::process::exit(2);
    }
    let fw = framework(&o, &mut rng);
    let fw_b = revise(&fw, &mut rng);
    let write = |name: &str, text: String| {
        let path = o.out.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            std::process::exit(2);
        });
    };
    write("framework.toml", to_toml(&fw));
    write("framework-b.toml", to_toml(&fw_b));
    if o.recode > 0 {
        write("framework-r.toml", to_toml(&recode(&fw, o.recode)));
    }
    let path = o.out.join("values.csv");
    let file = std::fs::File::create(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        std::process::exit(2);
    });
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rows = 0u64;
    let result = (|| -> std::io::Result<()> {
        writeln!(w, "indicator,period,value")?;
        if o.annual {
            // One value per fiscal year: the last `--history-quarters` years, ending FY2024.
            let years = o.history_quarters.unwrap_or(o.years).max(1);
            for (_, ind) in fw.indicators() {
                for y in LAST_YEAR - years + 1..=LAST_YEAR {
                    let v = (rng.unit() * 10000.0).round() / 100.0;
                    writeln!(w, "{},FY{y},{v}", ind.code)?;
                    rows += 1;
                }
            }
            return w.flush();
        }
        let quarters = o
            .history_quarters
            .unwrap_or(o.years * 4)
            .clamp(1, o.years * 4);
        // Quarters counted back from FY2024Q4: quarter index 0 is FY(LAST_YEAR)Q4.
        let first_index = LAST_YEAR * 4 + 3 - (quarters - 1);
        for (_, ind) in fw.indicators() {
            for i in first_index..=LAST_YEAR * 4 + 3 {
                let (y, q) = (i / 4, i % 4 + 1);
                let v = (rng.unit() * 2500.0).round() / 100.0;
                writeln!(w, "{},FY{y}Q{q},{v}", ind.code)?;
                rows += 1;
            }
        }
        w.flush()
    })();
    if let Err(e) = result {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        std::process::exit(2);
    }
    println!(
        "wrote framework.toml ({} nodes, {} indicators), framework-b.toml, values.csv ({rows} rows) to {}",
        fw.nodes.len(),
        fw.indicator_count(),
        o.out.display()
    );
}
