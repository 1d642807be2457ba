//! One table of every scenario key: its dotted path, type, unit, default, allowed values or
//! limits and meaning.
//!
//! The validator reads its key lists (unknown keys and their "did you mean" hints), its
//! selector parameters (which keys belong to which demand model or order-size distribution)
//! and its numeric limits from these tables, and `docs/scenario-reference.md` is rendered from
//! them ([`reference_markdown`]; a test keeps the committed file equal to it). The tables are
//! grouped by scenario table: [`general`] (the top level, `[scenario]`, `[simulation]`,
//! `[report]`, `[part]`, `[stock]`, `[costs]`), [`demand`], [`supply`] (`[replenishment]`,
//! `[remanufacture]`, `[[partner]]`) and [`policy`] (`[[policy]]` and `[sweep]`).

pub mod demand;
pub mod general;
pub mod policy;
mod render;
pub mod repair;
pub mod supply;

pub use render::reference_markdown;

/// Smallest non-zero amount of money (currency).
pub const MIN_MONEY: f64 = 1e-6;

/// What a number may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// x ≥ 0.
    NonNegative,
    /// x > 0, and a normal floating-point number (at least 2.2·10^-308, [`f64::MIN_POSITIVE`]):
    /// these keys are divided by, and the reciprocal of a subnormal number overflows.
    Positive,
    /// lo ≤ x ≤ hi.
    Closed(f64, f64),
    /// lo ≤ x < hi.
    HalfOpen(f64, f64),
    /// lo < x < hi.
    Open(f64, f64),
    /// An amount of money in [lo, hi] that is 0 or at least [`MIN_MONEY`] in size: a
    /// vanishing non-zero price is a typo, and ratios to it (GMROI) would overflow.
    Money(f64, f64),
}

impl Bound {
    /// Whether `x` is finite and within the bound.
    pub fn admits(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Bound::NonNegative => x >= 0.0,
                Bound::Positive => x >= f64::MIN_POSITIVE,
                Bound::Closed(lo, hi) => x >= lo && x <= hi,
                Bound::HalfOpen(lo, hi) => x >= lo && x < hi,
                Bound::Open(lo, hi) => x > lo && x < hi,
                Bound::Money(lo, hi) => x >= lo && x <= hi && (x == 0.0 || x.abs() >= MIN_MONEY),
            }
    }

    /// The bound in words for messages, e.g. "a number in [0, 10)".
    pub fn describe(self) -> String {
        match self {
            Bound::Money(lo, hi) => format!(
                "a number in [{}, {}], 0 or at least {MIN_MONEY:e} in size",
                num(lo),
                num(hi)
            ),
            other => format!("a number {}", other.interval()),
        }
    }

    /// The bound as a range, e.g. "in [0, 10)" or "≥ 0" (for the reference page).
    pub fn interval(self) -> String {
        match self {
            Bound::NonNegative => "≥ 0".into(),
            Bound::Positive => "> 0".into(),
            Bound::Closed(lo, hi) | Bound::Money(lo, hi) => {
                format!("in [{}, {}]", num(lo), num(hi))
            }
            Bound::HalfOpen(lo, hi) => format!("in [{}, {})", num(lo), num(hi)),
            Bound::Open(lo, hi) => format!("in ({}, {})", num(lo), num(hi)),
        }
    }

    /// The lower limit and whether it is itself allowed.
    pub fn lower(self) -> (f64, bool) {
        match self {
            Bound::NonNegative => (0.0, true),
            Bound::Positive => (f64::MIN_POSITIVE, true),
            Bound::Closed(lo, _) | Bound::HalfOpen(lo, _) | Bound::Money(lo, _) => (lo, true),
            Bound::Open(lo, _) => (lo, false),
        }
    }

    /// The upper limit and whether it is itself allowed; `None` when there is none.
    pub fn upper(self) -> Option<(f64, bool)> {
        match self {
            Bound::NonNegative | Bound::Positive => None,
            Bound::Closed(_, hi) | Bound::Money(_, hi) => Some((hi, true)),
            Bound::HalfOpen(_, hi) | Bound::Open(_, hi) => Some((hi, false)),
        }
    }
}

/// A limit for messages: powers of ten from a million up as `10^k`, others as written.
pub fn num(x: f64) -> String {
    if x.abs() >= 1e6 && x.is_finite() {
        let e = crate::elementary::log10(x.abs()).round();
        if crate::elementary::pow(10f64, e) == x.abs() {
            return format!("{}10^{e}", if x < 0.0 { "-" } else { "" });
        }
    }
    format!("{x}")
}

/// The type of a key's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A string.
    Text,
    /// A number (an integer may be written).
    Number,
    /// A whole number (an integer literal).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// An array of numbers, each within the key's limits.
    Numbers,
    /// A table (its keys are in the [`TableSpec`] of that path).
    Table,
    /// An array of tables (`[[partner]]`, `[[policy]]`).
    Tables,
    /// A retained level: a whole number, an inline table or `"optimal"`.
    Retain,
    /// A list of values (a `[sweep]` parameter).
    Values,
    /// A delay: a number (fixed, within the key's limits) or a table naming a distribution
    /// (its keys are in the [`TableSpec`] of that path).
    NumberOrDistribution,
}

impl Kind {
    /// The type in words (for the reference page).
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Integer => "whole number",
            Kind::Boolean => "boolean",
            Kind::Choice(_) => "text, one of",
            Kind::Numbers => "array of numbers",
            Kind::Table => "table",
            Kind::Tables => "array of tables",
            Kind::Retain => "whole number, inline table or \"optimal\"",
            Kind::Values => "list of values",
            Kind::NumberOrDistribution => "number, or a table naming a distribution",
        }
    }
}

/// The limits of a numeric key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limits {
    /// Not a number, or no fixed limits.
    None,
    /// A number within a bound (each element, for an array of numbers).
    Number(Bound),
    /// A whole number in [min, max].
    Integer(i64, i64),
}

/// One key of a scenario table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    /// The key's name within its table, e.g. `half_life_years`.
    pub name: &'static str,
    /// The type of its value.
    pub kind: Kind,
    /// Its numeric limits.
    pub limits: Limits,
    /// What it measures (the unit in the validator's messages), e.g. "years".
    pub unit: &'static str,
    /// Its default, or "required".
    pub default: &'static str,
    /// Further rules on the value, in words (limits that involve other keys, warnings).
    pub rule: &'static str,
    /// Other keys (dotted paths) whose values narrow the limits further (see `rule`).
    pub also_limited_by: &'static [&'static str],
    /// The values of the table's selector (`model`, `distribution`) for which this key is a
    /// parameter; empty: it applies whatever the selector says.
    pub applies_to: &'static [&'static str],
    /// One line on what it means.
    pub description: &'static str,
    /// A short name with its unit for a chart's axis or a table's column, e.g. "Demand
    /// half-life (years)"; "currency" in it stands for the scenario's currency (see
    /// [`OverrideKey::title`](crate::scenario::overrides::OverrideKey::title)). Empty for keys
    /// that are not numbers.
    pub label: &'static str,
}

impl Key {
    /// A key without rules or selector; see the builder methods for those.
    pub const fn new(
        name: &'static str,
        kind: Kind,
        limits: Limits,
        unit: &'static str,
        default: &'static str,
        description: &'static str,
    ) -> Key {
        Key {
            name,
            kind,
            limits,
            unit,
            default,
            rule: "",
            also_limited_by: &[],
            applies_to: &[],
            description,
            label: "",
        }
    }

    /// A number within `bound`.
    pub const fn number(
        name: &'static str,
        bound: Bound,
        unit: &'static str,
        default: &'static str,
        description: &'static str,
    ) -> Key {
        Key::new(
            name,
            Kind::Number,
            Limits::Number(bound),
            unit,
            default,
            description,
        )
    }

    /// A whole number in [min, max].
    pub const fn integer(
        name: &'static str,
        min: i64,
        max: i64,
        unit: &'static str,
        default: &'static str,
        description: &'static str,
    ) -> Key {
        Key::new(
            name,
            Kind::Integer,
            Limits::Integer(min, max),
            unit,
            default,
            description,
        )
    }

    /// A key whose value is a table or an array of tables (`kind`).
    pub const fn table(
        name: &'static str,
        kind: Kind,
        default: &'static str,
        description: &'static str,
    ) -> Key {
        Key::new(name, kind, Limits::None, "", default, description)
    }

    /// The key with a further rule in words.
    pub const fn rule(self, rule: &'static str) -> Key {
        Key { rule, ..self }
    }

    /// The key with other keys that narrow its limits (and the rule saying how).
    pub const fn limited_by(self, keys: &'static [&'static str], rule: &'static str) -> Key {
        Key {
            also_limited_by: keys,
            rule,
            ..self
        }
    }

    /// The key as a parameter of these selector values only.
    pub const fn applies_to(self, values: &'static [&'static str]) -> Key {
        Key {
            applies_to: values,
            ..self
        }
    }

    /// The key with its short name for charts and tables.
    pub const fn label(self, label: &'static str) -> Key {
        Key { label, ..self }
    }

    /// The numeric bound, when the key has one.
    pub const fn bound(&self) -> Bound {
        match self.limits {
            Limits::Number(b) => b,
            _ => Bound::NonNegative,
        }
    }

    /// The allowed strings of a choice key (empty for other keys).
    pub const fn choices(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Choice(values) => values,
            _ => &[],
        }
    }

    /// The integer limits [min, max], when the key has them.
    pub const fn integer_limits(&self) -> (i64, i64) {
        match self.limits {
            Limits::Integer(min, max) => (min, max),
            _ => (i64::MIN, i64::MAX),
        }
    }
}

/// The keys of one scenario table.
#[derive(Debug)]
pub struct TableSpec {
    /// Dotted path of the table: `""` for the top level, `demand.order_size`, `partner[]`
    /// (`[]`: every element of an array of tables).
    pub path: &'static str,
    /// What the table is for, and rules across its keys.
    pub about: &'static str,
    /// Its keys, in the order the validator lists them in messages.
    pub keys: &'static [Key],
}

impl TableSpec {
    /// The key names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.keys.iter().map(|k| k.name).collect()
    }

    /// The key names except `skip`, in order.
    pub fn names_except(&self, skip: &[&str]) -> Vec<&'static str> {
        self.keys
            .iter()
            .map(|k| k.name)
            .filter(|n| !skip.contains(n))
            .collect()
    }

    /// The key called `name`.
    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The dotted path of one of its keys, e.g. `policy[].retain`.
    pub fn dotted(&self, key: &Key) -> String {
        if self.path.is_empty() {
            key.name.to_string()
        } else {
            format!("{}.{}", self.path, key.name)
        }
    }

    /// The keys that are parameters of selector value `value` (in order).
    pub fn parameters_of(&self, value: &str) -> Vec<&'static str> {
        self.keys
            .iter()
            .filter(|k| k.applies_to.contains(&value))
            .map(|k| k.name)
            .collect()
    }

    /// The keys that are parameters of some selector value (in order).
    pub fn parameters(&self) -> Vec<&'static str> {
        self.keys
            .iter()
            .filter(|k| !k.applies_to.is_empty())
            .map(|k| k.name)
            .collect()
    }
}

/// Every scenario table, in the order of the reference page.
pub static TABLES: &[&TableSpec] = &[
    &general::ROOT,
    &general::SCENARIO,
    &general::SIMULATION,
    &general::REPORT,
    &general::PART,
    &demand::DEMAND,
    &demand::ORDER_SIZE,
    &demand::UNCERTAINTY,
    &demand::OBSOLESCENCE,
    &general::STOCK,
    &general::COSTS,
    &general::HOLDING,
    &supply::REPLENISHMENT,
    &supply::REMANUFACTURE,
    &supply::LEAD_TIME,
    &repair::REPAIR,
    &supply::PARTNER,
    &supply::RESPONSE,
    &policy::POLICY,
    &policy::RETAIN,
    &policy::POLICY_REPLENISHMENT,
    &policy::SWEEP,
];

/// Every key with its dotted path (`demand.half_life_years`, `policy[].retain`), in the order
/// of [`TABLES`].
pub fn all_keys() -> Vec<(String, &'static Key)> {
    TABLES
        .iter()
        .flat_map(|t| t.keys.iter().map(move |k| (t.dotted(k), k)))
        .collect()
}

/// The key at a dotted path as [`all_keys`] names it.
pub fn find(path: &str) -> Option<&'static Key> {
    TABLES
        .iter()
        .flat_map(|t| t.keys.iter().map(move |k| (*t, k)))
        .find(|(t, k)| t.dotted(k) == path)
        .map(|(_, k)| k)
}

/// The table at a dotted path (`demand.order_size`, `partner[]`).
pub fn table(path: &str) -> Option<&'static TableSpec> {
    TABLES.iter().copied().find(|t| t.path == path)
}
