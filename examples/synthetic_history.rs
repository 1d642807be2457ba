//! A synthetic ERP-style demand history with known true parameters, for `pimsim fit`.
//!
//! ```sh
//! cargo run --release --example synthetic_history -- --seed 1 --parts 300 --out scenarios/history/
//! ```
//!
//! writes `history.csv` (`part,period,quantity,eop`: one row per order line, dated
//! `YYYY-MM-DD`, from 2018-01 to 2025-12) and `true_parameters.csv` (the parameters each part was
//! drawn with, in the columns of the parts CSV that `pimsim fit` writes) and `part_master.csv`
//! (what an ERP's part master holds and a history does not: unit cost, stock and prices, in
//! dotted scenario keys, for `pimsim portfolio`).
//!
//! Each part gets an end of production (EOP) month, uniform in 2018-01..2022-12. Before its EOP
//! the part sells at its constant production-phase rate λ0 (these rows are not fitted); from the
//! EOP on, orders follow the part's true model with t = 0 at the start of the EOP month:
//!
//! - 40 % exponential: λ0·e^(−βt), half-life uniform in [1, 8] years;
//! - 30 % linear: λ0·max(0, 1 − t/τ), τ uniform in [3, 15] years;
//! - 30 % constant: λ0.
//!
//! λ0 is log-uniform in [1, 40] orders per year. Order sizes: 30 % `one`, 20 % `poisson` (mean
//! uniform in [1.2, 3]), 30 % `geometric` (mean in [1.2, 4]), 20 % `negative_binomial` (mean in
//! [1.5, 6], dispersion in [0.3, 2]).
//!
//! Orders are simulated exactly with pimsim's own demand generator (inversion of the
//! cumulative intensity; never a per-month approximation); an order at t years after the EOP
//! is dated in month ⌊12t⌋ after the EOP month, on the day that matches its position in that
//! month. Everything is a function of the seed: parameters from one stream per part, arrivals
//! and sizes from the generator's streams keyed by (seed, part).
//!
//! The part master draws from streams of its own (seed ⊕ a constant, keyed by part), so adding
//! it left `history.csv` and `true_parameters.csv` byte for byte as they were. Per part:
//!
//! - `part.unit_cost`: log-normal, median 80, σ = 1.1 of its logarithm (half the parts between
//!   about 38 and 170; a few above 1,000), rounded to cents;
//! - `part.on_hand`: today's stock (at the end of the history, 2025-12), as an ERP shows it: the
//!   stock left at the EOP — the true expected units of the first year after the EOP times a
//!   cover log-uniform in [3, 40] years, rounded (often far more than the decaying demand will
//!   need) — less the units ordered since the EOP in `history.csv`, at least 0;
//! - `costs.salvage_value`: 2–12 % of the unit cost; `costs.shortage_penalty`: 2–6 times it;
//! - `remanufacture.unit_cost`: 1.3–2 times it; `remanufacture.setup_cost`: 10–40 times it;
//! - `partner.dealers.release_price`: 15–30 % of it; `partner.dealers.buyback_price`: 1–1.3
//!   times it (the dealers of `scenarios/portfolio_template.toml`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;
use pimsim::demand::{DemandGenerator, DemandModel, DemandPath, Intensity, OrderSize};
use pimsim::discount::Discount;
use pimsim::elementary;
use pimsim::rng::{Stream, StreamFactory, uniform_open};

/// First month of the history: 2018-01 (as year·12 + month − 1).
const FIRST: i64 = 2018 * 12;
/// Months of history: 2018-01 .. 2025-12.
const MONTHS: i64 = 96;
/// EOP months are drawn from the first 60 months (2018-01 .. 2022-12).
const EOP_MONTHS: i64 = 60;

#[derive(Parser)]
#[command(about = "Write a synthetic demand history with known true parameters")]
struct Args {
    /// Seed of every random draw.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of parts.
    #[arg(long, default_value_t = 300)]
    parts: u64,
    /// Output directory (created if missing).
    #[arg(long, default_value = "scenarios/history")]
    out: PathBuf,
}

fn label(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

fn days_in_month(month: i64) -> i64 {
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12) + 1);
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Appends one CSV row per order of `path`, dated from `start_month`.
fn write_orders(out: &mut String, part: &str, start_month: i64, eop: &str, path: &DemandPath) {
    for o in &path.orders {
        let months = o.time * 12.0;
        let month = start_month + months.floor() as i64;
        let day = 1
            + ((months.fract() * days_in_month(month) as f64).floor() as i64)
                .min(days_in_month(month) - 1);
        writeln!(out, "{part},{}-{day:02},{},{eop}", label(month), o.units).unwrap();
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let params = StreamFactory::new(args.seed ^ 0x005e_ed0f_7a12);
    let after_eop = StreamFactory::new(args.seed);
    let before_eop = StreamFactory::new(args.seed.wrapping_add(1));
    let mut history = String::from("part,period,quantity,eop\n");
    let mut truth = String::from(
        "part,demand.model,demand.rate,demand.half_life_years,demand.end_years,\
         demand.order_size.distribution,demand.order_size.mean,demand.order_size.dispersion,eop\n",
    );
    let master_streams = StreamFactory::new(args.seed ^ 0x6d61_7374_6572);
    let mut master = String::from(
        "part,part.unit_cost,part.on_hand,costs.salvage_value,costs.shortage_penalty,\
         remanufacture.unit_cost,remanufacture.setup_cost,partner.dealers.release_price,\
         partner.dealers.buyback_price\n",
    );
    let mut path = DemandPath::default();
    for k in 0..args.parts {
        let mut rng = params.open(k, Stream::PathRisk);
        let mut u = || uniform_open(&mut rng);
        let part = format!("P{:04}", k + 1);
        let eop_month = FIRST + (u() * EOP_MONTHS as f64).floor() as i64;
        let rate = elementary::exp(u() * elementary::ln(40.0));
        let (intensity, half_life, end) = match u() {
            x if x < 0.4 => {
                let h = 1.0 + 7.0 * u();
                let i = Intensity::Exponential {
                    rate,
                    decay_rate: std::f64::consts::LN_2 / h,
                };
                (i, Some(h), None)
            }
            x if x < 0.7 => {
                let tau = 3.0 + 12.0 * u();
                let i = Intensity::Linear {
                    rate,
                    end_years: tau,
                };
                (i, None, Some(tau))
            }
            _ => (Intensity::Constant { rate }, None, None),
        };
        let order_size = match u() {
            x if x < 0.3 => OrderSize::One,
            x if x < 0.5 => OrderSize::Poisson {
                mean: 1.2 + 1.8 * u(),
            },
            x if x < 0.8 => OrderSize::Geometric {
                mean: 1.2 + 2.8 * u(),
            },
            _ => OrderSize::NegativeBinomial {
                mean: 1.5 + 4.5 * u(),
                dispersion: 0.3 + 1.7 * u(),
            },
        };
        let eop = label(eop_month);
        let model = |intensity: Intensity| DemandModel {
            intensity,
            order_size: order_size.clone(),
            rate_cv: 0.0,
            obsolescence_annual_probability: 0.0,
        };
        // Production phase: constant λ0 from the first month of the history to the EOP.
        let pre_years = (eop_month - FIRST) as f64 / 12.0;
        if pre_years > 0.0 {
            DemandGenerator::new(
                &model(Intensity::Constant { rate }),
                pre_years,
                Discount::new(0.0),
            )
            .generate(&before_eop, k, &mut path);
            write_orders(&mut history, &part, FIRST, &eop, &path);
        }
        let post_years = (FIRST + MONTHS - eop_month) as f64 / 12.0;
        DemandGenerator::new(&model(intensity.clone()), post_years, Discount::new(0.0))
            .generate(&after_eop, k, &mut path);
        write_orders(&mut history, &part, eop_month, &eop, &path);
        let units_since_eop: u64 = path.orders.iter().map(|o| o.units).sum();

        let (dist, mean, dispersion) = match &order_size {
            OrderSize::One => ("one", None, None),
            OrderSize::Poisson { mean } => ("poisson", Some(*mean), None),
            OrderSize::Geometric { mean } => ("geometric", Some(*mean), None),
            OrderSize::NegativeBinomial { mean, dispersion } => {
                ("negative_binomial", Some(*mean), Some(*dispersion))
            }
            OrderSize::Table { .. } => unreachable!("not drawn"),
        };
        let cell = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
        let name = match intensity {
            Intensity::Constant { .. } => "constant",
            Intensity::Exponential { .. } => "exponential",
            _ => "linear",
        };
        writeln!(
            truth,
            "{part},{name},{rate:.4},{},{},{dist},{},{},{eop}",
            cell(half_life),
            cell(end),
            cell(mean),
            cell(dispersion)
        )?;

        // The part master, from its own streams.
        let mut mrng = master_streams.open(k, Stream::PathRisk);
        let mut v = || uniform_open(&mut mrng);
        let z =
            (-2.0 * elementary::ln(v())).sqrt() * elementary::cos(2.0 * std::f64::consts::PI * v());
        let unit_cost = (elementary::exp(elementary::ln(80.0) + 1.1 * z) * 100.0).round() / 100.0;
        let cover = elementary::exp(elementary::ln(3.0) + v() * elementary::ln(40.0 / 3.0));
        let first_year = model(intensity).expected_units(0.0, 1.0);
        // The ERP shows today's stock: what was left at the EOP less what has been sold since.
        let on_hand = ((cover * first_year).round() as u64).saturating_sub(units_since_eop);
        let money = |x: f64| format!("{:.2}", (x * 100.0).round() / 100.0);
        writeln!(
            master,
            "{part},{},{on_hand},{},{},{},{},{},{}",
            money(unit_cost),
            money(unit_cost * (0.02 + 0.10 * v())),
            money(unit_cost * (2.0 + 4.0 * v())),
            money(unit_cost * (1.3 + 0.7 * v())),
            money(unit_cost * (10.0 + 30.0 * v())),
            money(unit_cost * (0.15 + 0.15 * v())),
            money(unit_cost * (1.0 + 0.3 * v())),
        )?;
    }
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("history.csv"), history)?;
    std::fs::write(args.out.join("true_parameters.csv"), truth)?;
    std::fs::write(args.out.join("part_master.csv"), master)?;
    eprintln!(
        "wrote {}, {} and {}",
        args.out.join("history.csv").display(),
        args.out.join("true_parameters.csv").display(),
        args.out.join("part_master.csv").display()
    );
    Ok(())
}
