//! `[[policy]]` (with its `retain` and `replenishment`) and `[sweep]`.

use super::supply::replenishment;
use super::{Bound, Key, Kind, Limits, TableSpec};

/// The policy kinds (`policy[].kind`).
pub const KINDS: &[&str] = &["hold", "scrap", "partner_release"];
/// Most dispositions one policy may have over the horizon.
pub const MAX_REVIEWS: u64 = 10_000;
/// Most points a sweep may have (grid or Latin hypercube).
pub const MAX_POINTS: usize = 100_000;
/// Most segments of a dotted key (`[sweep]` keys, parts-CSV columns): the deepest scenario
/// key has four (`policy.<name>.retain.quantile`), and a deeper one would only nest tables
/// without end.
pub const MAX_KEY_SEGMENTS: usize = 8;
/// Most multiply-adds of the exact-quantile recursion that validating the points of one
/// `[sweep]` may take, all points together (about a minute on one core).
pub const MAX_SWEEP_VALIDATION_WORK: f64 = 1e11;

/// `[[policy]]`.
pub mod keys {
    use super::*;

    /// `policy[].name`.
    pub const NAME: Key = Key::new(
        "name",
        Kind::Text,
        Limits::None,
        "",
        "required",
        "The policy's name, in outputs and in sweep keys (policy.<name>.retain); at most 200 characters.",
    )
    .rule("non-empty, unique");
    /// `policy[].kind`.
    pub const KIND: Key = Key::new(
        "kind",
        Kind::Choice(KINDS),
        Limits::None,
        "",
        "required",
        "hold: keep everything; scrap: dispose of units above R for the salvage value; partner_release: release units above R to the partners.",
    )
    .rule("partner_release needs at least one [[partner]]");
    /// `policy[].at_years`.
    pub const AT_YEARS: Key = Key::number(
        "at_years",
        Bound::NonNegative,
        "years, before the horizon",
        "0",
        "Time of the (first) disposition.",
    )
    .limited_by(&["scenario.horizon_years"], "< horizon_years; not for hold")
    .label("Disposition time (years)");
    /// `policy[].retain`.
    pub const RETAIN: Key = Key::new(
        "retain",
        Kind::Retain,
        Limits::Integer(0, i64::MAX),
        "units retained",
        "required for scrap and partner_release",
        "R, the retained level: a whole number of units; { cover_years = y }: R = ceil(expected units demanded in (t, t + y]); { quantile = q }: R = smallest k with P(units demanded in (t, T] ≤ k) ≥ q (exact compound-Poisson distribution, Panjer recursion); \"optimal\": R of least mean total cost, found by the optimiser before the run.",
    )
    .limited_by(
        &[
            "demand.*",
            "scenario.horizon_years",
            "policy[].at_years",
            "policy[].review_every_years",
        ],
        "not for hold; a warning if a whole number above the starting stock; \"optimal\" not with review_every_years; quantiles: the remaining demand below 20 million units, the recursions of all reviews together below about 10^10 operations",
    )
        .label("Retained level (units)");
    /// `policy[].review_every_years`.
    pub const REVIEW_EVERY_YEARS: Key = Key::number(
        "review_every_years",
        Bound::Positive,
        "years between reviews",
        "none",
        "Repeat the disposition every this many years, recomputing R for the remaining horizon.",
    )
    .limited_by(
        &["scenario.horizon_years"],
        "at most 10,000 reviews over the horizon; not for hold",
    )
    .label("Review interval (years)");
    /// `policy[].replenishment`.
    pub const REPLENISHMENT: Key = Key::table(
        "replenishment",
        Kind::Table,
        "[replenishment]",
        "{ reorder_point = s, order_up_to = S } overriding [replenishment] for this policy.",
    );
}

/// `[[policy]]`.
pub static POLICY: TableSpec = TableSpec {
    path: "policy[]",
    about: "At least one; the first is the baseline every other policy is compared with, on the same paths.",
    keys: &[
        keys::NAME,
        keys::KIND,
        keys::AT_YEARS,
        keys::RETAIN,
        keys::REVIEW_EVERY_YEARS,
        keys::REPLENISHMENT,
    ],
};

/// A policy's `retain` as an inline table.
pub mod retain {
    use super::*;

    /// `policy[].retain.cover_years`.
    pub const COVER_YEARS: Key = Key::number(
        "cover_years",
        Bound::Open(0.0, 1000.0),
        "years of expected demand",
        "",
        "R = ceil(expected units demanded in (t, t + y]).",
    )
    .label("Retained cover (years of demand)");
    /// `policy[].retain.quantile`.
    pub const QUANTILE: Key = Key::number(
        "quantile",
        Bound::Open(0.0, 1.0),
        "probability of covering the remaining demand",
        "",
        "R = smallest k with P(units demanded in (t, T] ≤ k) ≥ q.",
    )
    .rule("q must be reached by the exact distribution computed in double precision (refused when the plan is built, at this key)")
        .label("Retained level's demand quantile");
}

/// A policy's `retain = { … }`.
pub static RETAIN: TableSpec = TableSpec {
    path: "policy[].retain",
    about: "The retained level as an inline table: exactly one of cover_years or quantile.",
    keys: &[retain::COVER_YEARS, retain::QUANTILE],
};

/// A policy's `replenishment = { … }`.
pub static POLICY_REPLENISHMENT: TableSpec = TableSpec {
    path: "policy[].replenishment",
    about: "Overrides [replenishment] for one policy; a key left out keeps the scenario's value (S is raised to s + 1 if needed).",
    keys: &[
        Key {
            default: "replenishment.reorder_point",
            ..replenishment::REORDER_POINT
        },
        Key {
            default: "replenishment.order_up_to, raised to s + 1 if needed",
            ..replenishment::ORDER_UP_TO
        }
        .limited_by(&["policy[].replenishment.reorder_point"], "> reorder_point"),
    ],
};

/// `[sweep]`.
pub mod sweep {
    use super::*;

    /// `sweep.design`.
    pub const DESIGN: Key = Key::new(
        "design",
        Kind::Choice(&["grid", "latin_hypercube"]),
        Limits::None,
        "",
        "\"grid\"",
        "grid: the full factorial of the lists, the first key varying slowest; latin_hypercube: points points over [lo, hi] ranges, one per stratum of every range.",
    );
    /// `sweep.points`.
    pub const POINTS: Key = Key::integer(
        "points",
        1,
        MAX_POINTS as i64,
        "points",
        "required with latin_hypercube",
        "Number of points of a Latin hypercube (and of strata per range).",
    )
    .rule("only with design = \"latin_hypercube\"")
    .label("Sweep points");
    /// `sweep.seed`.
    pub const SEED: Key = Key::integer(
        "seed",
        0,
        i64::MAX,
        "seed",
        "simulation.seed",
        "Seed of the Latin hypercube's stratum permutations and positions.",
    )
    .label("Sweep seed");
    /// `sweep.<dotted key>`.
    pub const PARAMETER: Key = Key::new(
        "<dotted key>",
        Kind::Values,
        Limits::None,
        "",
        "",
        "A swept scenario field by its dotted name (demand.rate, policy.<name>.retain, partner[0].share, …) and its values: a non-empty list, or [lo, hi] with latin_hypercube.",
    )
    .rule("at most 8 segments; not simulation.*; each point is validated as a scenario of its own");
}

/// `[sweep]`.
pub static SWEEP: TableSpec = TableSpec {
    path: "sweep",
    about: "The scenario evaluated at many points on the same paths. At most 100,000 points. Validating the points (each with its plan) may take at most 10^11 multiply-adds of the exact-quantile recursion in all (about a minute): a larger sweep is refused at [sweep], up front when the scenario as written shows it (points × the recursions of its quantile policies), else as soon as the points validated so far exceed it; use fewer points, or cover_years or a number of units instead of a quantile.",
    keys: &[sweep::DESIGN, sweep::POINTS, sweep::SEED, sweep::PARAMETER],
};
