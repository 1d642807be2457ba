//! `[sweep]`: a scenario evaluated at many points, each a set of [`overrides`](crate::scenario::overrides)
//! of scenario fields by dotted name.
//!
//! ```toml
//! [sweep]
//! "demand.rate" = [2.0, 4.0, 8.0]          # a grid: the full factorial of the lists
//! policy.scrap-60.retain = [20, 60, 120]   # nested (unquoted) keys work too
//! ```
//!
//! or a Latin hypercube over `[lo, hi]` ranges: `design = "latin_hypercube"`, `points = N`,
//! optional `seed` (default: the scenario's `simulation.seed`). Each range is cut into N equal
//! strata and each stratum is used by exactly one point; a range of two integers gives whole
//! numbers.
//!
//! [`SweepPlan::load`] validates the base scenario, the `[sweep]` table and every point (the
//! overridden document goes through the normal validation, so every range check applies to
//! swept values); problems of a point are reported at the `[sweep]` line of the key that
//! caused them, all at once. It also builds the one-at-a-time points of the tornado chart.
//! [`SweepPlan::from_toml_cancellable`] does the same with a cancel flag and a progress
//! callback; validating the exact-quantile retained levels of all points may take at most
//! [`MAX_SWEEP_VALIDATION_WORK`] multiply-adds (about a minute), a larger sweep is refused.
//!
//! The steps: the entries of `[sweep]` are read into settings and parameters
//! (`read_entries`), the design is chosen and its points' values are made (`design`,
//! `point_values`), the cost of validating them is estimated (`affordable`), and every point
//! is validated (`points::validate_all`).

mod points;
pub mod run;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use toml::Value;
use toml::de::{DeTable, DeValue};

use self::points::Points;
use crate::error::{InputError, Problem, Severity};
use crate::scenario::keys::policy::sweep as sweep_keys;
use crate::scenario::overrides::{OverrideKey, get_value, shorten_key};
use crate::scenario::{LoadError, LoadedScenario, Scenario};
pub use run::{SweepJob, SweepRun, run_sweep};

pub use crate::scenario::keys::policy::{MAX_POINTS, MAX_SWEEP_VALIDATION_WORK};

/// Why [`SweepPlan::from_toml_cancellable`] returned no plan: bad input (exit code 2), or the
/// cancel flag was set.
pub type SweepLoadError = LoadError;

/// How the points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// The full factorial of the listed values.
    Grid,
    /// `points` points, one per stratum of every range.
    LatinHypercube {
        /// Number of points (and of strata per range).
        points: usize,
        /// Seed of the stratum permutations and the positions within strata.
        seed: u64,
    },
}

/// One swept parameter.
#[derive(Debug, Clone)]
pub struct SweepParameter {
    /// The dotted key (also the column header of `sweep.csv`).
    pub key: OverrideKey,
    /// 1-based line and column of the key in the file.
    pub line: usize,
    /// Column of the key.
    pub column: usize,
    /// The scenario's own value of the field (`None`: not set, the default applies).
    pub base: Option<Value>,
}

/// One point: the value of every parameter and the validated scenario.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// One value per parameter, in parameter order.
    pub values: Vec<Value>,
    /// The scenario with the values applied.
    pub scenario: Scenario,
}

/// One-at-a-time point for the tornado chart: parameter `parameter` at its lowest or highest
/// swept value, every other field at the scenario's own value.
#[derive(Debug, Clone)]
pub struct OatPoint {
    /// Index into [`SweepPlan::parameters`].
    pub parameter: usize,
    /// "low" or "high".
    pub level: &'static str,
    /// The parameter's value.
    pub value: Value,
    /// The scenario with that one value applied.
    pub scenario: Scenario,
}

/// A validated sweep of one scenario file.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// The scenario as written (without overrides), with its warnings.
    pub base: LoadedScenario,
    /// The design (a scenario without `[sweep]` is a grid of one point).
    pub design: Design,
    /// Swept parameters, in file order.
    pub parameters: Vec<SweepParameter>,
    /// The points, in order (grid: the first parameter varies slowest).
    pub points: Vec<SweepPoint>,
    /// The one-at-a-time points (numeric parameters only), low then high per parameter.
    pub oat: Vec<OatPoint>,
}

/// A [sweep] entry being read: key, its segments, span of the key and the value.
struct Entry<'a> {
    parts: Vec<String>,
    key_span: Range<usize>,
    value: &'a toml::Spanned<DeValue<'a>>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

fn flatten<'a>(table: &'a DeTable<'a>, prefix: &[String], out: &mut Vec<Entry<'a>>) {
    for (k, v) in table.iter() {
        let mut parts = prefix.to_vec();
        parts.push(k.get_ref().to_string());
        if prefix.is_empty() && ["design", "points", "seed"].contains(&parts[0].as_str()) {
            out.push(Entry {
                parts,
                key_span: k.span(),
                value: v,
            });
            continue;
        }
        match v.get_ref() {
            DeValue::Table(t) => flatten(t, &parts, out),
            _ => out.push(Entry {
                parts,
                key_span: k.span(),
                value: v,
            }),
        }
    }
}

fn to_value(v: &DeValue<'_>) -> Option<Value> {
    Some(match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            Value::Integer(i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()?)
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().ok()?),
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|x| to_value(x.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(t) => Value::Table(
            t.iter()
                .map(|(k, x)| Some((k.get_ref().to_string(), to_value(x.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// A value as a cell or message fragment: numbers and strings as they are, others as TOML.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

struct Reporter<'p> {
    path: &'p Path,
    text: &'p str,
    problems: Vec<Problem>,
    seen: HashSet<(usize, usize, String)>,
}

impl Reporter<'_> {
    fn error(&mut self, span: Range<usize>, key: &str, value: Option<String>, message: String) {
        let dedupe = format!("{key}\u{0}{value:?}\u{0}{message}");
        self.error_once(span, key, value, message, dedupe);
    }

    /// Reports a problem unless one with the same position and `dedupe` text was reported.
    fn error_once(
        &mut self,
        span: Range<usize>,
        key: &str,
        value: Option<String>,
        message: String,
        dedupe: String,
    ) {
        let (line, column) = position(self.text, span.start);
        let dedupe = (line, column, dedupe);
        if !self.seen.insert(dedupe) {
            return;
        }
        self.problems.push(Problem {
            severity: Severity::Error,
            file: self.path.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            value,
            message,
        });
    }
}

/// A swept parameter being read: the parameter, the span of its key, its values.
type Param = (SweepParameter, Range<usize>, Vec<Value>);

/// What the entries of `[sweep]` say.
struct Settings {
    /// "grid" or "latin_hypercube".
    design: String,
    /// `points`, when given and valid.
    points: Option<usize>,
    /// The Latin hypercube's seed.
    seed: u64,
    /// The swept parameters, in file order.
    params: Vec<Param>,
}

/// The state of reading one file's `[sweep]`: the file, the scenario as a plain document,
/// and the problems found so far.
struct SweepReader<'p> {
    rep: Reporter<'p>,
    plain: toml::Table,
    sweep_span: Range<usize>,
    /// Multiply-adds of the exact-quantile recursions of the points validated so far.
    work: f64,
    /// The most `work` may grow to.
    budget: f64,
}

impl SweepPlan {
    /// Reads a scenario file and validates it with its `[sweep]` (see the module docs).
    pub fn load(path: &Path) -> Result<SweepPlan, InputError> {
        let text = Scenario::read_text(path)?;
        Self::from_toml(path, &text)
    }

    /// [`SweepPlan::load`] from text.
    pub fn from_toml(path: &Path, text: &str) -> Result<SweepPlan, InputError> {
        let never = AtomicBool::new(false);
        match Self::from_toml_cancellable(path, text, &never, &|_| {}) {
            Ok(plan) => Ok(plan),
            Err(SweepLoadError::Input(e)) => Err(e),
            Err(SweepLoadError::Cancelled) => unreachable!("the flag is never set"),
        }
    }

    /// [`SweepPlan::from_toml`] that stops with [`SweepLoadError::Cancelled`] within a few
    /// milliseconds once `cancel` is set, and calls `progress(n)` after each of the points
    /// (then the one-at-a-time points) is validated, n counting them from 1.
    ///
    /// A sweep whose exact-quantile retained levels would take more than
    /// [`MAX_SWEEP_VALIDATION_WORK`] multiply-adds to validate, all points together, is
    /// refused at `[sweep]`: up front from the scenario as written (points × its recursions),
    /// and while validating, as soon as the points validated so far exceed it.
    pub fn from_toml_cancellable(
        path: &Path,
        text: &str,
        cancel: &AtomicBool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<SweepPlan, SweepLoadError> {
        Self::load_within(path, text, cancel, progress, MAX_SWEEP_VALIDATION_WORK)
    }

    /// [`SweepPlan::from_toml_cancellable`] with `budget` multiply-adds of quantile
    /// recursions for validating the points.
    fn load_within(
        path: &Path,
        text: &str,
        cancel: &AtomicBool,
        progress: &(dyn Fn(u64) + Sync),
        budget: f64,
    ) -> Result<SweepPlan, SweepLoadError> {
        let base = Scenario::from_toml(path, text).map_err(SweepLoadError::Input)?;
        let doc = DeTable::parse(text).expect("the scenario parsed already");
        let Some(sweep) = doc.get_ref().get("sweep") else {
            let point = SweepPoint {
                values: Vec::new(),
                scenario: base.scenario.clone(),
            };
            return Ok(SweepPlan {
                base,
                design: Design::Grid,
                parameters: Vec::new(),
                points: vec![point],
                oat: Vec::new(),
            });
        };
        let mut reader = SweepReader {
            rep: Reporter {
                path,
                text,
                problems: Vec::new(),
                seen: HashSet::new(),
            },
            plain: text.parse().expect("the scenario parsed already"),
            sweep_span: sweep.span(),
            work: 0.0,
            budget,
        };
        let DeValue::Table(table) = sweep.get_ref() else {
            reader.rep.error(
                reader.sweep_span.clone(),
                "sweep",
                None,
                "expected a table [sweep] of dotted keys and lists of values".into(),
            );
            return Err(reader.into_error());
        };
        let mut entries = Vec::new();
        flatten(table, &[], &mut entries);
        entries.sort_by_key(|e| e.key_span.start);
        let settings = reader.read_entries(&entries, base.scenario.simulation.seed);
        let design = reader.design(&settings);
        let point_values = reader.point_values(design, &settings.params);
        let params = settings.params;
        let oat = 2 * params
            .iter()
            .filter(|p| p.2.iter().all(|v| number(v).is_some()))
            .count();
        if !reader.affordable(&base.scenario, point_values.len(), oat) {
            return Err(reader.into_error());
        }
        let keys: Vec<OverrideKey> = params.iter().map(|p| p.0.key.clone()).collect();
        let points = Points {
            text,
            keys: &keys,
            canon: keys
                .iter()
                .map(|k| k.canonical(&reader.plain).unwrap_or_default())
                .collect(),
            spans: params.iter().map(|p| p.1.clone()).collect(),
            cancel,
            progress,
        };
        let (swept, oat) = reader.validate_all(&points, point_values, &params)?;
        if !reader.rep.problems.is_empty() {
            return Err(reader.into_error());
        }
        Ok(SweepPlan {
            base,
            design,
            parameters: params.into_iter().map(|p| p.0).collect(),
            points: swept,
            oat,
        })
    }
}

impl SweepReader<'_> {
    fn into_error(self) -> SweepLoadError {
        SweepLoadError::Input(InputError::Problems(self.rep.problems))
    }

    /// The design settings and the swept parameters of the `[sweep]` entries.
    fn read_entries(&mut self, entries: &[Entry<'_>], default_seed: u64) -> Settings {
        let mut settings = Settings {
            design: "grid".to_string(),
            points: None,
            seed: default_seed,
            params: Vec::new(),
        };
        let mut canonical_seen: HashSet<String> = HashSet::new();
        let text = self.rep.text;
        for e in entries {
            let name = format!("sweep.{}", shorten_key(&e.parts.join(".")));
            let vspan = e.value.span();
            let vtext = text.get(vspan.clone()).map(|s| s.trim().to_string());
            match e.parts[0].as_str() {
                "design" if e.parts.len() == 1 => match e.value.get_ref() {
                    DeValue::String(s) if sweep_keys::DESIGN.choices().contains(&s.as_ref()) => {
                        settings.design = s.to_string()
                    }
                    _ => self.rep.error(
                        vspan,
                        &name,
                        vtext,
                        "allowed: \"grid\" (default, the full factorial of the lists) or \
                         \"latin_hypercube\" (with `points` and [lo, hi] ranges)"
                            .into(),
                    ),
                },
                "points" if e.parts.len() == 1 => {
                    let (min, max) = sweep_keys::POINTS.integer_limits();
                    match to_value(e.value.get_ref()) {
                        Some(Value::Integer(n)) if n >= min && n <= max => {
                            settings.points = Some(n as usize)
                        }
                        _ => self.rep.error(
                            vspan,
                            &name,
                            vtext,
                            format!("must be a whole number of points in [{min}, {max}]"),
                        ),
                    }
                }
                "seed" if e.parts.len() == 1 => match to_value(e.value.get_ref()) {
                    Some(Value::Integer(n)) if n >= sweep_keys::SEED.integer_limits().0 => {
                        settings.seed = n as u64
                    }
                    _ => self
                        .rep
                        .error(vspan, &name, vtext, "must be a whole number ≥ 0".into()),
                },
                _ => {
                    if let Some(param) = self.read_parameter(e, &name, &mut canonical_seen) {
                        settings.params.push(param);
                    }
                }
            }
        }
        if settings.params.is_empty() && self.rep.problems.is_empty() {
            self.rep.error(
                self.sweep_span.clone(),
                "sweep",
                None,
                "no parameter to sweep; add e.g. \"demand.rate\" = [2.0, 4.0]".into(),
            );
        }
        settings
    }

    /// One swept parameter: its key (resolved against the scenario) and its list of values.
    fn read_parameter(
        &mut self,
        e: &Entry<'_>,
        name: &str,
        canonical_seen: &mut HashSet<String>,
    ) -> Option<Param> {
        let key_error = |rep: &mut Reporter<'_>, message: String| {
            rep.error(e.key_span.clone(), name, None, message);
        };
        let key = match OverrideKey::from_segments(&e.parts) {
            Ok(k) => k,
            Err(err) => {
                key_error(&mut self.rep, err.to_string());
                return None;
            }
        };
        let canonical = match key.canonical(&self.plain) {
            Some(c) => c,
            None => {
                let mut probe = self.plain.clone();
                let err = crate::scenario::overrides::apply_overrides_to_table(
                    &mut probe,
                    &[(key.clone(), Value::Integer(0))],
                )
                .expect_err("an unresolvable key fails");
                key_error(&mut self.rep, err.to_string());
                return None;
            }
        };
        if canonical.starts_with("simulation.") {
            key_error(
                &mut self.rep,
                "every point runs with the same seed and number of paths (common random \
                 numbers); set them with --seed and --paths, not in [sweep]"
                    .into(),
            );
            return None;
        }
        if canonical.starts_with("sweep") {
            key_error(&mut self.rep, "a sweep cannot sweep itself".into());
            return None;
        }
        if !canonical_seen.insert(canonical.clone()) {
            key_error(
                &mut self.rep,
                format!("`{canonical}` is swept twice; give it one list"),
            );
            return None;
        }
        let vspan = e.value.span();
        let vtext = self
            .rep
            .text
            .get(vspan.clone())
            .map(|s| s.trim().to_string());
        let values = match to_value(e.value.get_ref()) {
            Some(Value::Array(values)) if !values.is_empty() => values,
            Some(Value::Array(_)) => {
                self.rep.error(
                    vspan,
                    name,
                    vtext,
                    "an empty list; give at least one value".into(),
                );
                return None;
            }
            _ => {
                self.rep.error(
                    vspan,
                    name,
                    vtext,
                    "expected a list of values, e.g. [1.0, 2.0, 4.0] (or [lo, hi] with design = \
                     \"latin_hypercube\")"
                        .into(),
                );
                return None;
            }
        };
        let (line, column) = position(self.rep.text, e.key_span.start);
        Some((
            SweepParameter {
                base: get_value(&self.plain, &key).cloned(),
                key,
                line,
                column,
            },
            e.key_span.clone(),
            values,
        ))
    }

    /// The design, with errors for `points` given or missing where it does not belong.
    fn design(&mut self, settings: &Settings) -> Design {
        let lhs = settings.design == "latin_hypercube";
        if lhs && settings.points.is_none() {
            self.rep.error(
                self.sweep_span.clone(),
                "sweep.points",
                None,
                "design = \"latin_hypercube\" needs `points`, the number of points, e.g. 20".into(),
            );
        }
        if !lhs && settings.points.is_some() {
            self.rep.error(
                self.sweep_span.clone(),
                "sweep.points",
                None,
                "`points` applies to design = \"latin_hypercube\" only; a grid has one point \
                 per combination of the listed values"
                    .into(),
            );
        }
        if lhs {
            Design::LatinHypercube {
                points: settings.points.unwrap_or(0),
                seed: settings.seed,
            }
        } else {
            Design::Grid
        }
    }

    /// The ranges [lo, hi] of a Latin hypercube, one per parameter (with errors for the
    /// others).
    fn ranges(&mut self, params: &[Param]) -> Vec<(f64, f64, bool)> {
        let mut ranges = Vec::new();
        for (p, span, values) in params {
            let name = format!("sweep.{}", p.key);
            let vtext = Some(format!(
                "[{}]",
                values.iter().map(value_text).collect::<Vec<_>>().join(", ")
            ));
            let nums: Vec<Option<f64>> = values.iter().map(number).collect();
            match nums.as_slice() {
                [Some(lo), Some(hi)] if lo <= hi && lo.is_finite() && hi.is_finite() => {
                    let integer = values.iter().all(|v| matches!(v, Value::Integer(_)));
                    ranges.push((*lo, *hi, integer));
                }
                [Some(lo), Some(hi)] => self.rep.error(
                    span.clone(),
                    &name,
                    vtext,
                    format!("a range [lo, hi] needs lo ≤ hi; here lo = {lo} > hi = {hi}"),
                ),
                _ => self.rep.error(
                    span.clone(),
                    &name,
                    vtext,
                    "with design = \"latin_hypercube\" each parameter is a range of two numbers \
                     [lo, hi]"
                        .into(),
                ),
            }
        }
        ranges
    }

    /// The values of every point of the design. The points of the well-formed parameters are
    /// validated even when other entries have problems, so that `check` reports everything
    /// at once.
    fn point_values(&mut self, design: Design, params: &[Param]) -> Vec<Vec<Value>> {
        if let Design::LatinHypercube { points, seed } = design {
            let ranges = self.ranges(params);
            return if points > 0 && ranges.len() == params.len() {
                latin_hypercube(&ranges, points, seed)
            } else {
                Vec::new()
            };
        }
        if params.is_empty() {
            return Vec::new();
        }
        let count = params
            .iter()
            .try_fold(1usize, |acc, (_, _, v)| acc.checked_mul(v.len()));
        match count {
            Some(n) if n <= MAX_POINTS => {
                grid(&params.iter().map(|p| &p.2[..]).collect::<Vec<_>>())
            }
            _ => {
                self.rep.error(
                    self.sweep_span.clone(),
                    "sweep",
                    None,
                    format!(
                        "the grid has more than {MAX_POINTS} points (the product of the list \
                         lengths); use fewer values or design = \"latin_hypercube\""
                    ),
                );
                Vec::new()
            }
        }
    }
}

/// Whether scenario `text` has a `[sweep]` table (false for text that is not valid TOML; its
/// validation reports that).
pub fn has_sweep(text: &str) -> bool {
    DeTable::parse(text).is_ok_and(|doc| doc.get_ref().get("sweep").is_some())
}

/// The full factorial of `lists`, the first list varying slowest.
fn grid(lists: &[&[Value]]) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for list in lists {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                list.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(v.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// `n` points over `ranges` (lo, hi, integer): each range is cut into `n` equal strata, each
/// used by exactly one point (a seeded random permutation per parameter), at a seeded random
/// position within the stratum. Integer ranges are cut over [lo, hi + 1) and rounded down.
pub fn latin_hypercube(ranges: &[(f64, f64, bool)], n: usize, seed: u64) -> Vec<Vec<Value>> {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(ranges.len());
    for &(lo, hi, integer) in ranges {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        let column: Vec<Value> = strata
            .iter()
            .map(|&s| {
                let u = (s as f64 + rng.random::<f64>()) / n as f64;
                if integer {
                    let width = hi - lo + 1.0;
                    Value::Integer(((lo + u * width).floor()).min(hi) as i64)
                } else {
                    Value::Float(lo + u * (hi - lo))
                }
            })
            .collect();
        columns.push(column);
    }
    (0..n)
        .map(|k| columns.iter().map(|c| c[k].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_stops_once_the_points_so_far_exceed_the_budget() {
        // The scenario as written retains by cover_years (no recursion); the swept values
        // switch to a quantile, which only the points reveal.
        let text = "[scenario]\nhorizon_years = 10\n[part]\nunit_cost = 10\non_hand = 50\n\
                    [demand]\nmodel = \"constant\"\nrate = 400\n[costs]\nholding_rate = 0.1\n\
                    shortage_penalty = 100\n[[policy]]\nname = \"s\"\nkind = \"scrap\"\n\
                    retain = { cover_years = 2 }\n[sweep]\n\
                    \"policy.s.retain\" = [{ quantile = 0.5 }, { quantile = 0.6 }, { quantile = 0.7 }]\n\
                    \"part.on_hand\" = [10, 20]\n";
        let never = AtomicBool::new(false);
        let count = std::sync::atomic::AtomicU64::new(0);
        let progress = |n: u64| count.store(n, std::sync::atomic::Ordering::Relaxed);
        let path = Path::new("s.toml");
        let plan = SweepPlan::load_within(path, text, &never, &progress, 1e12).unwrap();
        assert_eq!(plan.points.len(), 6);
        assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), 6 + 2);
        // About 4,000 units, some 10^4 multiply-adds per point: a budget of two points.
        let per_point = super::points::tests_support::work(&plan.points[0].scenario);
        assert!(per_point > 1000.0, "{per_point}");
        let err = SweepPlan::load_within(path, text, &never, &progress, 2.5 * per_point)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("s.toml:16:1: error: `sweep`: validating the points up to sweep point 2 already takes about"),
            "{err}"
        );
        assert!(err.contains("use fewer points"), "{err}");
    }

    #[test]
    fn grid_is_the_full_factorial_first_slowest() {
        let a = [Value::Integer(1), Value::Integer(2)];
        let b = [Value::Integer(10), Value::Integer(20), Value::Integer(30)];
        let g = grid(&[&a, &b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![Value::Integer(1), Value::Integer(10)]);
        assert_eq!(g[1], vec![Value::Integer(1), Value::Integer(20)]);
        assert_eq!(g[5], vec![Value::Integer(2), Value::Integer(30)]);
    }

    #[test]
    fn latin_hypercube_uses_each_stratum_once() {
        let n = 17;
        let pts = latin_hypercube(&[(1.0, 3.0, false), (-5.0, 5.0, false)], n, 7);
        assert_eq!(
            pts,
            latin_hypercube(&[(1.0, 3.0, false), (-5.0, 5.0, false)], n, 7)
        );
        for (j, (lo, hi)) in [(1.0, 3.0), (-5.0, 5.0)].into_iter().enumerate() {
            let mut used = vec![0; n];
            for p in &pts {
                let x = p[j].as_float().unwrap();
                let s = (((x - lo) / (hi - lo)) * n as f64).floor() as usize;
                used[s.min(n - 1)] += 1;
            }
            assert!(used.iter().all(|&c| c == 1), "{used:?}");
        }
    }
}
