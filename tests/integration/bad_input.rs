//! Bad input, case by case (docs/reliability.md): each invalid scenario gets exit code 2 and a
//! message naming the file, the line, the key, the bad value and what is allowed; legal but
//! suspicious values get warnings. The cases are edits of one valid scenario that uses every
//! table, so each case changes one thing.

use std::fs;
use std::path::Path;

/// A valid scenario using every table. Every line a case edits is unique in it.
pub const BASE: &str = r#"[scenario]
name = "base"
horizon_years = 20
discount_rate = 0.05
[simulation]
paths = 2000
seed = 7
[report]
step_years = 1
[part]
unit_cost = 100
on_hand = 200
last_time_buy = 10
sale_price = 150
[demand]
model = "exponential"
rate = 20
half_life_years = 5
[demand.order_size]
distribution = "poisson"
mean = 1.5
[demand.uncertainty]
rate_cv = 0.3
[demand.obsolescence]
annual_probability = 0.02
[stock]
shrinkage_rate = 0.01
[costs]
holding_rate = 0.1
salvage_value = 5
shortage_penalty = 2000
unmet_demand = "backorder"
backorder_cost_per_year = 50
[replenishment]
reorder_point = 0
order_up_to = 2
[remanufacture]
setup_cost = 10000
unit_cost = 300
cost_escalation = 0.02
lead_time_years = 0.5
available_until_years = 15
min_batch = 5
[[partner]]
name = "dealers"
share = 0.6
release_price = 20
buyback_price = 250
reliability = 0.9
response_days = 14
attrition_rate = 0.1
order_fee = 10
[[partner]]
name = "broker"
share = 0.4
release_price = 15
buyback_price = 280
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap"
kind = "scrap"
retain = 50
at_years = 1
review_every_years = 5
[[policy]]
name = "release"
kind = "partner_release"
retain = { quantile = 0.9 }
replenishment = { reorder_point = 1, order_up_to = 3 }
"#;

/// Where the problem is expected.
#[derive(Debug, Clone, Copy)]
enum At {
    /// The line of the (first) edited line, plus an offset (for inserted lines).
    Edit(usize),
    /// The line of this exact line of the base (a table header for a missing key).
    Line(&'static str),
    /// This line number.
    Number(usize),
}

/// One bad input: edits of [`BASE`] (each replaces a whole, unique line), and the problem
/// expected: its key, where, and a fragment of its message.
struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    key: &'static str,
    at: At,
    fragment: &'static str,
}

const fn case(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    key: &'static str,
    at: At,
    fragment: &'static str,
) -> Case {
    Case {
        name,
        edits,
        key,
        at,
        fragment,
    }
}

use crate::common::pimsim;
use At::{Edit, Line, Number};

const CASES: &[Case] = &[
    // [scenario]
    case(
        "negative horizon",
        &[("horizon_years = 20", "horizon_years = -5")],
        "scenario.horizon_years",
        Edit(0),
        "must be a number in [0.001, 1000) (years)",
    ),
    case(
        "zero horizon",
        &[("horizon_years = 20", "horizon_years = 0")],
        "scenario.horizon_years",
        Edit(0),
        "must be a number in [0.001, 1000)",
    ),
    case(
        "horizon in days",
        &[("horizon_years = 20", "horizon_years = 7300")],
        "scenario.horizon_years",
        Edit(0),
        "must be a number in [0.001, 1000)",
    ),
    case(
        "horizon as a string",
        &[("horizon_years = 20", "horizon_years = \"20\"")],
        "scenario.horizon_years",
        Edit(0),
        "expected a number in [0.001, 1000) (years), found a string",
    ),
    case(
        "horizon as a date",
        &[("horizon_years = 20", "horizon_years = 2045-01-01")],
        "scenario.horizon_years",
        Edit(0),
        "found a date-time",
    ),
    case(
        "infinite horizon",
        &[("horizon_years = 20", "horizon_years = inf")],
        "scenario.horizon_years",
        Edit(0),
        "must be a number in [0.001, 1000)",
    ),
    case(
        "missing horizon",
        &[("horizon_years = 20", "")],
        "scenario.horizon_years",
        Line("[scenario]"),
        "missing required key; expected a number in [0.001, 1000) (years)",
    ),
    case(
        "discount rate in percent",
        &[("discount_rate = 0.05", "discount_rate = 12")],
        "scenario.discount_rate",
        Edit(0),
        "must be a number in [0, 10) (fraction per year)",
    ),
    case(
        "discount rate as text",
        &[("discount_rate = 0.05", "discount_rate = \"5%\"")],
        "scenario.discount_rate",
        Edit(0),
        "found a string",
    ),
    // [simulation], [report]
    case(
        "zero paths",
        &[("paths = 2000", "paths = 0")],
        "simulation.paths",
        Edit(0),
        "must be a whole number in [1, 10^12] (demand paths)",
    ),
    case(
        "fractional paths",
        &[("paths = 2000", "paths = 2.5e3")],
        "simulation.paths",
        Edit(0),
        "found a float",
    ),
    case(
        "negative seed",
        &[("seed = 7", "seed = -7")],
        "simulation.seed",
        Edit(0),
        "must be a whole number ≥ 0 (seed)",
    ),
    case(
        "zero report step",
        &[("step_years = 1", "step_years = 0")],
        "report.step_years",
        Edit(0),
        "must be a number > 0",
    ),
    case(
        "too many report points",
        &[("step_years = 1", "step_years = 0.001")],
        "report.step_years",
        Edit(0),
        "at most 1000 are allowed",
    ),
    // [part]
    case(
        "negative unit cost",
        &[("unit_cost = 100", "unit_cost = -100")],
        "part.unit_cost",
        Edit(0),
        "must be a number in [0, 10^12], 0 or at least 1e-6 in size (currency per unit)",
    ),
    case(
        "absurd unit cost",
        &[("unit_cost = 100", "unit_cost = 1e15")],
        "part.unit_cost",
        Edit(0),
        "must be a number in [0, 10^12]",
    ),
    case(
        "vanishing unit cost",
        &[("unit_cost = 100", "unit_cost = 6.1e-309")],
        "part.unit_cost",
        Edit(0),
        "0 or at least 1e-6 in size",
    ),
    case(
        "horizon of a minute",
        &[("horizon_years = 20", "horizon_years = 0.000002")],
        "scenario.horizon_years",
        Edit(0),
        "must be a number in [0.001, 1000) (years)",
    ),
    case(
        "negative stock",
        &[("on_hand = 200", "on_hand = -5")],
        "part.on_hand",
        Edit(0),
        "must be a whole number in [0, 10^12] (units)",
    ),
    case(
        "fractional stock",
        &[("on_hand = 200", "on_hand = 200.0")],
        "part.on_hand",
        Edit(0),
        "expected a whole number in [0, 10^12] (units), found a float",
    ),
    case(
        "stock beyond 64 bits",
        &[("on_hand = 200", "on_hand = 99999999999999999999")],
        "part.on_hand",
        Edit(0),
        "must be a whole number in [0, 10^12] (units)",
    ),
    case(
        "missing stock",
        &[("on_hand = 200", "")],
        "part.on_hand",
        Line("[part]"),
        "missing required key",
    ),
    case(
        "misspelt stock",
        &[("on_hand = 200", "on_hnad = 200")],
        "part.on_hnad",
        Edit(0),
        "unknown key; did you mean `on_hand`?",
    ),
    case(
        "last-time buy as text",
        &[("last_time_buy = 10", "last_time_buy = \"ten\"")],
        "part.last_time_buy",
        Edit(0),
        "found a string",
    ),
    // [demand]
    case(
        "misspelt model",
        &[("model = \"exponential\"", "model = \"exponentail\"")],
        "demand.model",
        Edit(0),
        "unknown value; did you mean \"exponential\"?",
    ),
    case(
        "negative rate",
        &[("rate = 20", "rate = -20")],
        "demand.rate",
        Edit(0),
        "must be a number ≥ 0 (orders per year at t = 0)",
    ),
    case(
        "enormous rate",
        &[("rate = 20", "rate = 1e12")],
        "demand.rate",
        Edit(0),
        "expected orders per path",
    ),
    case(
        "zero half-life",
        &[("half_life_years = 5", "half_life_years = 0")],
        "demand.half_life_years",
        Edit(0),
        "must be a number > 0 (years)",
    ),
    case(
        "half-life and decay rate",
        &[(
            "half_life_years = 5",
            "half_life_years = 5\ndecay_rate = 0.1",
        )],
        "demand.decay_rate",
        Edit(1),
        "give either half_life_years or decay_rate, not both",
    ),
    case(
        "parameter of another model",
        &[("half_life_years = 5", "half_life_years = 5\nend_years = 30")],
        "demand.end_years",
        Edit(1),
        "not a parameter of model \"exponential\"",
    ),
    case(
        "negative entry of a rate table",
        &[
            ("model = \"exponential\"", "model = \"table\""),
            ("rate = 20", "rates = [5, -1, 3]"),
            ("half_life_years = 5", ""),
        ],
        "demand.rates[1]",
        Edit(1),
        "must be a number ≥ 0 (orders per year)",
    ),
    case(
        "installed base growing too fast",
        &[
            ("model = \"exponential\"", "model = \"installed_base\""),
            ("rate = 20", "units_in_field = 1000\nfailure_rate = 0.05"),
            (
                "half_life_years = 5",
                "retirement_scale_years = 40\nretirement_shape = 0.05\nfailure_growth = 9",
            ),
        ],
        "demand.units_in_field",
        Edit(1),
        "gives about 8.274e20 expected orders per path over 20 years",
    ),
    case(
        "installed base growing without bound",
        &[
            ("horizon_years = 20", "horizon_years = 900"),
            ("model = \"exponential\"", "model = \"installed_base\""),
            ("rate = 20", "units_in_field = 1000\nfailure_rate = 0.05"),
            (
                "half_life_years = 5",
                "retirement_scale_years = 40\nretirement_shape = 0.05\nfailure_growth = 9",
            ),
        ],
        "demand.units_in_field",
        Number(17),
        "overflows",
    ),
    case(
        "misspelt order-size distribution",
        &[("distribution = \"poisson\"", "distribution = \"poison\"")],
        "demand.order_size.distribution",
        Edit(0),
        "did you mean \"poisson\"?",
    ),
    case(
        "order size below one",
        &[("mean = 1.5", "mean = 0.5")],
        "demand.order_size.mean",
        Edit(0),
        "must be a number in [1, 10^6]",
    ),
    case(
        "vanishing order-size dispersion",
        &[
            (
                "distribution = \"poisson\"",
                "distribution = \"negative_binomial\"",
            ),
            ("mean = 1.5", "mean = 3\ndispersion = 1e-320"),
        ],
        "demand.order_size.dispersion",
        Edit(2),
        "must be a number in [0.000000001, 10^6)",
    ),
    case(
        "order-size probabilities not summing to one",
        &[
            ("distribution = \"poisson\"", "distribution = \"table\""),
            ("mean = 1.5", "pmf = [0.5, 0.4]"),
        ],
        "demand.order_size.pmf",
        Edit(1),
        "must sum to 1 (they sum to 0.9",
    ),
    case(
        "negative rate uncertainty",
        &[("rate_cv = 0.3", "rate_cv = -0.3")],
        "demand.uncertainty.rate_cv",
        Edit(0),
        "must be a number in [0, 10]",
    ),
    case(
        "vanishing rate uncertainty",
        &[("rate_cv = 0.3", "rate_cv = 1e-12")],
        "demand.uncertainty.rate_cv",
        Edit(0),
        "indistinguishable from none, write 0",
    ),
    case(
        "certain sudden death",
        &[("annual_probability = 0.02", "annual_probability = 1.0")],
        "demand.obsolescence.annual_probability",
        Edit(0),
        "must be a number in [0, 1)",
    ),
    case(
        "sudden-death probability in percent",
        &[("annual_probability = 0.02", "annual_probability = 2")],
        "demand.obsolescence.annual_probability",
        Edit(0),
        "must be a number in [0, 1)",
    ),
    // [stock]
    case(
        "negative shrinkage",
        &[("shrinkage_rate = 0.01", "shrinkage_rate = -0.01")],
        "stock.shrinkage_rate",
        Edit(0),
        "must be a number in [0, 1000] (losses per unit-year)",
    ),
    case(
        "shrinkage of a huge stock",
        &[("on_hand = 200", "on_hand = 1000000000000")],
        "stock.shrinkage_rate",
        Line("shrinkage_rate = 0.01"),
        "losses per path",
    ),
    // [stock]: drifting records
    case(
        "negative unrecorded shrinkage",
        &[(
            "shrinkage_rate = 0.01",
            "shrinkage_rate = 0.01\nunrecorded_shrinkage_rate = -0.02",
        )],
        "stock.unrecorded_shrinkage_rate",
        Edit(1),
        "must be a number in [0, 1000] (unrecorded losses per unit-year)",
    ),
    case(
        "cycle counts every zero years",
        &[(
            "shrinkage_rate = 0.01",
            "shrinkage_rate = 0.01\ncount_every_years = 0",
        )],
        "stock.count_every_years",
        Edit(1),
        "must be a number in [0.001, 1000] (years between cycle counts)",
    ),
    case(
        "a count cost without counts",
        &[(
            "shrinkage_rate = 0.01",
            "shrinkage_rate = 0.01\ncount_cost = 80",
        )],
        "stock.count_cost",
        Edit(1),
        "needs `count_every_years`",
    ),
    case(
        "a negative count cost",
        &[(
            "shrinkage_rate = 0.01",
            "shrinkage_rate = 0.01\ncount_every_years = 1\ncount_cost = -80",
        )],
        "stock.count_cost",
        Edit(2),
        "currency per count",
    ),
    case(
        "unrecorded shrinkage of a huge stock",
        &[
            ("shrinkage_rate = 0.01", "unrecorded_shrinkage_rate = 0.01"),
            ("on_hand = 200", "on_hand = 1000000000000"),
        ],
        "stock.unrecorded_shrinkage_rate",
        Edit(0),
        "losses per path",
    ),
    // [costs]
    case(
        "holding rate in percent",
        &[("holding_rate = 0.1", "holding_rate = 12")],
        "costs.holding_rate",
        Edit(0),
        "must be a number in [0, 10] (fraction of unit cost per year)",
    ),
    case(
        "holding rate and components",
        &[(
            "backorder_cost_per_year = 50",
            "backorder_cost_per_year = 50\n[costs.holding]\nstorage = 0.05",
        )],
        "costs.holding",
        Edit(1),
        "give either holding_rate or [costs.holding], not both",
    ),
    case(
        "missing shortage penalty",
        &[("shortage_penalty = 2000", "")],
        "costs.shortage_penalty",
        Line("[costs]"),
        "missing required key",
    ),
    case(
        "unknown unmet-demand rule",
        &[("unmet_demand = \"backorder\"", "unmet_demand = \"backlog\"")],
        "costs.unmet_demand",
        Edit(0),
        "allowed: \"lost\", \"backorder\"",
    ),
    case(
        "backorder cost with lost sales",
        &[("unmet_demand = \"backorder\"", "unmet_demand = \"lost\"")],
        "costs.backorder_cost_per_year",
        Line("backorder_cost_per_year = 50"),
        "only used with unmet_demand = \"backorder\"",
    ),
    case(
        "salvage value as text",
        &[("salvage_value = 5", "salvage_value = \"cheap\"")],
        "costs.salvage_value",
        Edit(0),
        "found a string",
    ),
    case(
        "salvage value not a number",
        &[("salvage_value = 5", "salvage_value = nan")],
        "costs.salvage_value",
        Edit(0),
        "must be a number in [-10^12, 10^12]",
    ),
    // [replenishment]
    case(
        "order-up-to level not above the reorder point",
        &[("order_up_to = 2", "order_up_to = 0")],
        "replenishment.order_up_to",
        Edit(0),
        "must be greater than reorder_point (0)",
    ),
    case(
        "reorder point far below zero",
        &[("reorder_point = 0", "reorder_point = -2000000000")],
        "replenishment.reorder_point",
        Edit(0),
        "must be a whole number in [-10^9, 10^12]",
    ),
    // [remanufacture]
    case(
        "missing lead time",
        &[("lead_time_years = 0.5", "")],
        "remanufacture.lead_time_years",
        Line("[remanufacture]"),
        "missing required key",
    ),
    case(
        "cost escalation of minus one",
        &[("cost_escalation = 0.02", "cost_escalation = -1")],
        "remanufacture.cost_escalation",
        Edit(0),
        "must be a number in (-1, 10)",
    ),
    case(
        "cost escalation in percent over centuries",
        &[
            ("cost_escalation = 0.02", "cost_escalation = 3"),
            ("horizon_years = 20", "horizon_years = 200"),
            ("available_until_years = 15", "available_until_years = 150"),
        ],
        "remanufacture.cost_escalation",
        Edit(0),
        "at most 10^30 is allowed",
    ),
    case(
        "zero minimum batch",
        &[("min_batch = 5", "min_batch = 0")],
        "remanufacture.min_batch",
        Edit(0),
        "must be a whole number in [1, 10^12] (units)",
    ),
    case(
        "enabled as text",
        &[(
            "setup_cost = 10000",
            "enabled = \"yes\"\nsetup_cost = 10000",
        )],
        "remanufacture.enabled",
        Edit(0),
        "expected true or false, found a string",
    ),
    // [[partner]]
    case(
        "duplicate partner name",
        &[("name = \"broker\"", "name = \"dealers\"")],
        "partner[1].name",
        Edit(0),
        "partner names must be unique",
    ),
    case(
        "empty partner name",
        &[("name = \"dealers\"", "name = \"\"")],
        "partner[0].name",
        Edit(0),
        "must not be empty",
    ),
    case(
        "shares not summing to one",
        &[("share = 0.4", "share = 0.5")],
        "partner",
        Number(44),
        "partner shares must sum to 1 (they sum to 1.1)",
    ),
    case(
        "reliability above one",
        &[("reliability = 0.9", "reliability = 1.2")],
        "partner[0].reliability",
        Edit(0),
        "must be a number in [0, 1] (probability a request is honoured)",
    ),
    case(
        "negative buy-back price",
        &[("buyback_price = 250", "buyback_price = -250")],
        "partner[0].buyback_price",
        Edit(0),
        "must be a number in [0, 10^12]",
    ),
    case(
        "negative response time",
        &[("response_days = 14", "response_days = -3")],
        "partner[0].response_days",
        Edit(0),
        "must be a number in [0, 365250] (days from request to delivery, at most 1000 years)",
    ),
    case(
        "attrition rate beyond any storage",
        &[("attrition_rate = 0.1", "attrition_rate = 1e308")],
        "partner[0].attrition_rate",
        Edit(0),
        "must be a number in [0, 1000] (losses per unit-year)",
    ),
    case(
        "missing release price",
        &[("release_price = 15", "")],
        "partner[1].release_price",
        Number(53),
        "missing required key",
    ),
    case(
        "misspelt partner key",
        &[("attrition_rate = 0.1", "atrition_rate = 0.1")],
        "partner[0].atrition_rate",
        Edit(0),
        "did you mean `attrition_rate`?",
    ),
    // [[policy]]
    case(
        "duplicate policy name",
        &[("name = \"release\"", "name = \"scrap\"")],
        "policy[2].name",
        Edit(0),
        "policy names must be unique",
    ),
    case(
        "misspelt policy kind",
        &[("kind = \"hold\"", "kind = \"hodl\"")],
        "policy[0].kind",
        Edit(0),
        "unknown value; did you mean \"hold\"?",
    ),
    case(
        "hold policy with a retained level",
        &[("kind = \"hold\"", "kind = \"hold\"\nretain = 5")],
        "policy[0].retain",
        Edit(1),
        "a hold policy keeps everything",
    ),
    case(
        "scrap policy without a retained level",
        &[("retain = 50", "")],
        "policy[1].retain",
        Number(61),
        "missing required key",
    ),
    case(
        "negative retained level",
        &[("retain = 50", "retain = -1")],
        "policy[1].retain",
        Edit(0),
        "must be a whole number ≥ 0 (units retained)",
    ),
    case(
        "optimal retained level with reviews",
        &[("retain = 50", "retain = \"optimal\"")],
        "policy[1].retain",
        Edit(0),
        "remove review_every_years",
    ),
    case(
        "quantile above one",
        &[("retain = { quantile = 0.9 }", "retain = { quantile = 1.5 }")],
        "policy[2].retain.quantile",
        Edit(0),
        "must be a number in (0, 1)",
    ),
    case(
        "two retention rules",
        &[(
            "retain = { quantile = 0.9 }",
            "retain = { quantile = 0.9, cover_years = 5 }",
        )],
        "policy[2].retain",
        Edit(0),
        "give exactly one of cover_years or quantile",
    ),
    case(
        "disposition after the horizon",
        &[("at_years = 1", "at_years = 25")],
        "policy[1].at_years",
        Edit(0),
        "must be a number in [0, 20) (years, before the horizon)",
    ),
    case(
        "zero review period",
        &[("review_every_years = 5", "review_every_years = 0")],
        "policy[1].review_every_years",
        Edit(0),
        "must be a number > 0",
    ),
    case(
        "misspelt key of a policy's replenishment",
        &[(
            "replenishment = { reorder_point = 1, order_up_to = 3 }",
            "replenishment = { reorder_piont = 1, order_up_to = 3 }",
        )],
        "policy[2].replenishment.reorder_piont",
        Edit(0),
        "did you mean `reorder_point`?",
    ),
    // The file as a whole
    case(
        "a [sweep] table",
        &[("[report]", "[sweep]\nrate = [1, 2]\n[report]")],
        "sweep.rate",
        Edit(1),
        "expected at least table.key",
    ),
    case(
        "misspelt table",
        &[("[stock]", "[stok]")],
        "stok",
        Edit(0),
        "unknown key; did you mean `stock`?",
    ),
    case(
        "two values on one line",
        &[("rate = 20", "rate = 20 20")],
        "(syntax)",
        Edit(0),
        "not valid TOML",
    ),
    case(
        "a key given twice",
        &[("rate = 20", "rate = 20\nrate = 21")],
        "(syntax)",
        Edit(1),
        "not valid TOML",
    ),
    case(
        "a table given as a number",
        &[
            ("[scenario]", "simulation = 5000\n[scenario]"),
            ("[simulation]", ""),
            ("paths = 2000", ""),
            ("seed = 7", ""),
        ],
        "simulation",
        Edit(0),
        "expected a table, found an integer",
    ),
];

/// The 1-based line of `line` in `text`.
fn line_of(text: &str, line: &str) -> usize {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "`{line}` must be exactly one line of the text"
    );
    found[0]
}

/// Applies the edits of `case` to [`BASE`]; returns the text and the expected line.
fn apply(case: &Case) -> (String, usize) {
    let mut text = BASE.to_string();
    let mut expected = None;
    for (i, (find, replace)) in case.edits.iter().enumerate() {
        let at = line_of(&text, find);
        if i == 0 {
            expected = Some(at);
        }
        let mut lines: Vec<&str> = text.lines().collect();
        lines.splice(at - 1..at, replace.lines());
        text = lines.join("\n") + "\n";
    }
    let line = match case.at {
        Edit(offset) => expected.expect("a case edits something") + offset,
        Line(l) => line_of(&text, l),
        Number(n) => n,
    };
    (text, line)
}

/// Runs `pimsim check` on `text` written to `dir/name`; returns (exit code, stdout, stderr).
fn check(dir: &Path, name: &str, text: &[u8]) -> (Option<i32>, String, String) {
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_base_scenario_is_valid_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = check(dir.path(), "base.toml", BASE.as_bytes());
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("(3 policies, 0 warnings)"), "{out}{err}");
}

#[test]
fn every_bad_input_names_its_key_line_and_what_is_allowed() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut names = std::collections::HashSet::new();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (n, case) in CASES.iter().enumerate() {
        assert!(names.insert(case.name), "duplicate case {}", case.name);
        let (text, line) = apply(case);
        let (code, _, err) = check(dir.path(), &format!("bad{n}.toml"), text.as_bytes());
        let file = format!("bad{n}.toml:{line}:");
        let key = format!("error: `{}`", case.key);
        let hit = err
            .lines()
            .any(|l| l.contains(&file) && l.contains(&key) && l.contains(case.fragment));
        let well_formed = err
            .lines()
            .filter(|l| l.contains("error:"))
            .all(|l| l.contains(&format!("bad{n}.toml:")) && l.contains(": error: `"));
        if code != Some(2) || !hit || !well_formed || err.contains("panicked") {
            failures.push(format!(
                "case `{}`: expected exit 2 and `{file}…{key}…{}`; got {code:?}:\n{err}",
                case.name, case.fragment
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Warnings: legal but suspicious values (exit 0, the scenario runs).
#[test]
fn suspicious_values_are_warned_about_at_their_line() {
    let cases: &[Case] = &[
        case(
            "capital cost and discounting",
            &[
                ("holding_rate = 0.1", ""),
                (
                    "backorder_cost_per_year = 50",
                    "backorder_cost_per_year = 50\n[costs.holding]\ncapital = 0.06\nstorage = 0.04",
                ),
            ],
            "costs.holding.capital",
            Line("capital = 0.06"),
            "counted twice",
        ),
        case(
            "salvage above unit cost",
            &[("salvage_value = 5", "salvage_value = 150")],
            "costs.salvage_value",
            Edit(0),
            "salvage value (150) is above the unit cost (100)",
        ),
        case(
            "penalty below buy-back price",
            &[("shortage_penalty = 2000", "shortage_penalty = 260")],
            "costs.shortage_penalty",
            Edit(0),
            "below partner broker's buy-back price (280)",
        ),
        case(
            "horizon beyond a rate table",
            &[
                ("model = \"exponential\"", "model = \"table\""),
                ("rate = 20", "rates = [9, 7, 5, 3]"),
                ("half_life_years = 5", ""),
            ],
            "demand.rates",
            Edit(1),
            "the table covers 4 years but the horizon is 20 years",
        ),
        case(
            "retained level above the stock",
            &[("retain = 50", "retain = 500")],
            "policy[1].retain",
            Edit(0),
            "retains 500 units but only 210 are in stock",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let (text, line) = apply(case);
        let (code, out, err) = check(dir.path(), &format!("warn{n}.toml"), text.as_bytes());
        let file = format!("warn{n}.toml:{line}:");
        let key = format!("warning: `{}`", case.key);
        let hit = err
            .lines()
            .any(|l| l.contains(&file) && l.contains(&key) && l.contains(case.fragment));
        if code != Some(0) || !hit || !out.contains("ok: ") {
            failures.push(format!(
                "case `{}`: expected exit 0 and `{file}…{key}…{}`; got {code:?}:\n{out}{err}",
                case.name, case.fragment
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let mut text = BASE.to_string();
    for (find, replace) in [
        ("horizon_years = 20", "horizon_years = -1"),
        ("on_hand = 200", "on_hand = 1.5"),
        ("rate_cv = 0.3", "rate_cv = \"high\""),
        ("reliability = 0.9", "reliabilty = 0.9"),
        ("kind = \"hold\"", "kind = \"keep\""),
    ] {
        text = text.replace(&format!("{find}\n"), &format!("{replace}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = check(dir.path(), "many.toml", text.as_bytes());
    assert_eq!(code, Some(2));
    for (key, line) in [
        ("scenario.horizon_years", 3),
        ("part.on_hand", 12),
        ("demand.uncertainty.rate_cv", 23),
        ("partner[0].reliabilty", 49),
        ("policy[0].kind", 60),
    ] {
        assert!(
            err.contains(&format!("many.toml:{line}:")) && err.contains(&format!("`{key}`")),
            "{key} at line {line}:\n{err}"
        );
    }
    assert!(err.contains("5 errors in the input"), "{err}");
}

#[test]
fn whole_file_problems_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Not UTF-8 (an ERP export in Latin-1).
    let (code, _, err) = check(
        dir.path(),
        "latin1.toml",
        b"[part]\nname = \"Pumpe \xfcber\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("latin1.toml: cannot read") && err.contains("UTF-8"),
        "{err}"
    );
    // Empty: every required table is missing, each named.
    let (code, _, err) = check(dir.path(), "empty.toml", b"");
    assert_eq!(code, Some(2));
    for key in ["`scenario`", "`part`", "`demand`", "`costs`", "`policy`"] {
        assert!(err.contains(key), "{key}:\n{err}");
    }
    // A directory.
    let out = pimsim().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    // A device that never ends.
    let out = pimsim().args(["check", "/dev/zero"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("/dev/zero: cannot read: a device, not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Too large.
    let big = dir.path().join("big.toml");
    let mut text = String::from("# ");
    text.push_str(&"x".repeat(17 << 20));
    fs::write(&big, text).unwrap();
    let out = pimsim().arg("check").arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 16 MiB"));
    // Not TOML at all (a CSV given by mistake).
    let (code, _, err) = check(
        dir.path(),
        "parts.toml",
        b"part,period,quantity\nP-100,2024-01,3\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("parts.toml:1:") && err.contains("not valid TOML"),
        "{err}"
    );
}

/// Runs `pimsim` with `args`; returns (exit code, stderr).
fn pimsim_with(args: &[&str]) -> (Option<i32>, String) {
    let out = pimsim().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flags_name_the_flag_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let base = ["run", "scenarios/benchmark.toml", "--quiet", "--out", out];
    for (extra, fragment) in [
        (
            &["--paths", "0"][..],
            "expected a whole number of paths in [1, 1000000000000]",
        ),
        (&["--paths", "1e4"], "expected a whole number of paths"),
        (&["--paths", "10000000000000"], "[1, 1000000000000]"),
        (&["--threads", "5000"], "worker threads in [0, 1024]"),
        (&["--threads=-1"], "--threads"),
        (&["--seed=-1"], "--seed"),
        (&["--seed", "18446744073709551616"], "--seed"),
        (&["--format", "xml"], "possible values: table, json, csv"),
        (&["--colour"], "unexpected argument '--colour'"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (code, err) = pimsim_with(&args);
        assert_eq!(code, Some(2), "{extra:?}: {err}");
        assert!(err.contains(fragment), "{extra:?}: {err}");
        assert!(!Path::new(out).exists(), "{extra:?} wrote output");
    }
}

#[test]
fn too_many_paths_for_the_volumes_is_refused_before_running() {
    // 10^12 units in stock: the exact unit counters allow at most 10^6 paths.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    fs::write(
        &file,
        BASE.replace("on_hand = 200", "on_hand = 1000000000000")
            .replace("shrinkage_rate = 0.01", "shrinkage_rate = 0"),
    )
    .unwrap();
    let out = dir.path().join("o");
    let (code, err) = pimsim_with(&[
        "run",
        file.to_str().unwrap(),
        "--paths",
        "2000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--paths = 2000000: too many paths for this scenario's volumes")
            && err.contains("at most"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn unusable_output_locations_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // A path through a regular file (ENOTDIR): refused even for root.
    let file = dir.path().join("notes.txt");
    fs::write(&file, "precious").unwrap();
    let under = file.join("out");
    let (code, err) = pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "300",
        "--quiet",
        "--out",
        under.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot create the directory") && err.contains("choose another --out"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
    // The output path is a file.
    let (code, err) = pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "300",
        "--quiet",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("exists and is not a directory"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
}

/// A directory listing: names and contents.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// A small tmpfs mounted for a test, unmounted when dropped. `None` (with the reason printed)
/// where mounting is not possible (not root, no permission in a container).
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(at: &Path, options: &str) -> Option<Mount> {
        fs::create_dir_all(at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(Mount(at.to_path_buf())),
            _ => {
                eprintln!(
                    "skipped: cannot mount a tmpfs here (needs root outside a locked-down container)"
                );
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn run_into(out: &Path, paths: &str) -> (Option<i32>, String) {
    pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        paths,
        "--quiet",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_read_only_directory_gives_a_clear_error_and_keeps_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("ro"), "size=1m") else {
        return;
    };
    let out = mount.0.join("report");
    let (code, err) = run_into(&out, "300");
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&out);
    mount.remount("ro");
    let (code, err) = run_into(&out, "400");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("Read-only file system")
            && err.contains("choose another --out")
            && err.contains("no earlier file was changed"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before);
    // A fresh directory on a read-only file system.
    let (code, err) = run_into(&mount.0.join("new"), "300");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot create a staging directory"), "{err}");
}

#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("full"), "size=256k") else {
        return;
    };
    let out = mount.0.join("report");
    let (code, err) = run_into(&out, "300");
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&out);
    // Fill the file system, leaving less room than one more report needs.
    let filler = mount.0.join("filler");
    let mut f = fs::File::create(&filler).unwrap();
    let block = vec![0u8; 4096];
    while std::io::Write::write_all(&mut f, &block).is_ok() {}
    drop(f);
    let (code, err) = run_into(&out, "400");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("no earlier file was changed"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "the earlier report changed");
}

#[test]
fn a_mount_point_is_refused_as_an_output_directory() {
    // A mount point (a container's bind mount, a network share) cannot be swapped with a new
    // set: pimsim says so before it works, and writes into a directory inside it.
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("mnt"), "size=4m") else {
        return;
    };
    let (code, err) = run_into(&mount.0, "200");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is a mount point") && err.contains("inside it"),
        "{err}"
    );
    assert_eq!(fs::read_dir(&mount.0).unwrap().count(), 0);
    let (code, err) = run_into(&mount.0.join("results"), "200");
    assert_eq!(code, Some(0), "{err}");
}
