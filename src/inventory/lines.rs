//! The cost lines and unit counts of a path, defined once.
//!
//! [`CostLines`] and [`UnitCounts`] hold one value per line or count, by name. The same struct
//! carries a path's discounted costs (`CostLines<f64>`), a run's exact sums
//! (`CostLines<ExactSum>`) and the means of the summary; every consumer iterates them by name
//! ([`CostLines::NAMES`], [`CostLines::values`], [`CostLines::map`]) instead of by position in an
//! array, so a new line is one new field here and nothing else to keep in step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The number of identifiers given (a constant expression).
macro_rules! count {
    () => { 0 };
    ($first:ident $($rest:ident)*) => { 1 + count!($($rest)*) };
}

/// Defines a record of named values of one type: the struct, its names in order, and the
/// conversions to and from an array, so that the names are written exactly once.
macro_rules! named_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<$t:ident = $default:ty> {
            $( $(#[$field_meta:meta])* $field:ident, )+
        }
    ) => {
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        $(#[$meta])*
        pub struct $name<$t = $default> {
            $( $(#[$field_meta])* pub $field: $t, )+
        }

        impl<$t> $name<$t> {
            /// Number of values.
            pub const LEN: usize = count!($($field)+);

            /// The names, in order (stable: they are the keys of `summary.json` and the
            /// column suffixes of the CSV files).
            pub const NAMES: [&'static str; count!($($field)+)] = [$(stringify!($field)),+];

            /// The values in the order of the names.
            pub fn values(&self) -> [$t; count!($($field)+)]
            where
                $t: Copy,
            {
                [$(self.$field),+]
            }

            /// The record from values in the order of the names.
            pub fn from_values(values: [$t; count!($($field)+)]) -> Self {
                let [$($field),+] = values;
                $name { $($field),+ }
            }

            /// Applies `f` to every value, name by name.
            pub fn map<U>(self, mut f: impl FnMut($t) -> U) -> $name<U> {
                $name { $($field: f(self.$field)),+ }
            }

            /// Applies `f` to each value of `self` with the value of the same name in `other`.
            pub fn update_with<U>(&mut self, other: &$name<U>, mut f: impl FnMut(&mut $t, &U)) {
                $( f(&mut self.$field, &other.$field); )+
            }

            /// (name, value) pairs in order.
            pub fn named(&self) -> impl Iterator<Item = (&'static str, &$t)> {
                Self::NAMES.iter().copied().zip([$(&self.$field),+])
            }
        }
    };
}

/// Whether `value` is its type's default (zero): the lines and counts of optional features
/// (`repair`, …) are left out of `summary.json` and the shards' records when zero, so that
/// the outputs of scenarios without the feature stay what they were, byte for byte.
pub fn is_zero<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// The cost lines and unit counts that only scenarios with `[repair]` have: the CSV files
/// of other scenarios leave their columns out (the JSON leaves them out when zero).
pub const REPAIR_ONLY: [&str; 6] = [
    "repair",
    "returned",
    "washed",
    "repaired",
    "in_repair_at_horizon",
    "cores_waiting_at_horizon",
];

named_record! {
    /// The cost lines of section 6 (stable names): of one path, discounted to t = 0 (currency;
    /// income negative), or sums and means of them. Lines of optional features (after
    /// `end_of_horizon`: `repair`, `counting`) are absent from the JSON when zero, so that the
    /// files of scenarios without them stay as they were.
    #[serde(bound(
        serialize = "T: Serialize + Default + PartialEq",
        deserialize = "T: Deserialize<'de> + Default"
    ))]
    #[schemars(bound = "T: JsonSchema + Default + PartialEq + Serialize")]
    pub struct CostLines<T = f64> {
        /// Last-time buy at t = 0 (currency).
        last_time_buy,
        /// Carrying cost of units on hand (currency).
        holding,
        /// Scrapping: salvage income, or disposal fees (currency; income is negative).
        disposal,
        /// Income from releases to partners (currency; income is negative).
        release,
        /// Buy-backs from partners, with request fees (currency).
        buyback,
        /// Re-manufacture runs: setup and unit costs (currency).
        remanufacture,
        /// Shortage penalties (currency).
        shortage,
        /// Waiting cost of backorders (currency).
        backorder,
        /// Disposal of the stock left at the horizon at the salvage value (currency; income is
        /// negative).
        end_of_horizon,
        /// Repairs (paid at their start) and washed-out cores (at their return), currency;
        /// `[repair]` only (absent from the JSON when zero).
        #[serde(default, skip_serializing_if = "is_zero")]
        repair,
        /// Cycle counts of drifting stock records: `stock.count_cost` per count (currency;
        /// absent from the JSON when 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        counting,
    }
}

impl CostLines<f64> {
    /// The sum of all lines: the path's total discounted cost (currency), summed in the order
    /// of the names.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }
}

named_record! {
    /// Unit counts (stable names): of one path (units), or sums and means of them. Counts
    /// of optional features (after `remanufacture_runs`) are absent from the JSON when zero.
    #[serde(bound(
        serialize = "T: Serialize + Default + PartialEq",
        deserialize = "T: Deserialize<'de> + Default"
    ))]
    #[schemars(bound = "T: JsonSchema + Default + PartialEq + Serialize")]
    pub struct UnitCounts<T = u64> {
        /// Units asked for by customers (units).
        demanded,
        /// Units served from stock at once (units).
        filled_from_stock,
        /// Units that found no stock (units).
        short,
        /// Short units lost: lost sales (units).
        lost,
        /// Short units that waited: backorders (units).
        backordered,
        /// Backordered units served later (units).
        backorders_filled,
        /// Units scrapped (units).
        scrapped,
        /// Units released to partners (units).
        released,
        /// Units delivered by partners (units).
        bought_back,
        /// Units delivered by re-manufacture (units).
        remanufactured,
        /// Units lost in storage (units).
        lost_in_storage,
        /// Units on hand at the horizon, disposed of at the salvage value (units).
        on_hand_at_horizon,
        /// Backorders still open at the horizon (units).
        open_backorders_at_horizon,
        /// Units ordered but not delivered by the horizon (units).
        on_order_at_horizon,
        /// Re-manufacture runs ordered (runs, not units).
        remanufacture_runs,
        /// Cores returned by customers (units; `[repair]` only, absent from the JSON when
        /// zero, like the four counts after it).
        #[serde(default, skip_serializing_if = "is_zero")]
        returned,
        /// Returned cores washed out: not repairable, scrapped (units; absent from the JSON
        /// when zero).
        #[serde(default, skip_serializing_if = "is_zero")]
        washed,
        /// Units repaired into stock (units; absent from the JSON when zero).
        #[serde(default, skip_serializing_if = "is_zero")]
        repaired,
        /// Units in repair at the horizon (units; absent from the JSON when zero).
        #[serde(default, skip_serializing_if = "is_zero")]
        in_repair_at_horizon,
        /// Repairable cores not repaired by the horizon: waiting for a slot, or returned
        /// after the shop's window closed (units; absent from the JSON when zero).
        #[serde(default, skip_serializing_if = "is_zero")]
        cores_waiting_at_horizon,
    }
}

named_record! {
    /// Counts of drifting stock records (issue 18 part 3; only with `stock.records`): of one
    /// path (units or counts), or sums and means of them.
    pub struct RecordCounts<T = u64> {
        /// Units lost in storage without the records seeing it (units).
        unrecorded_lost,
        /// Cycle counts made (counts).
        counts,
        /// Cycle counts at which the records were right (counts).
        accurate_counts,
        /// Units on record but not on hand, found by cycle counts (units).
        phantom_found_at_counts,
        /// Units on record but not on hand, found by picks that emptied the shelf: customer
        /// orders, backorders filled from a delivery, dispositions (units).
        phantom_found_by_picks,
        /// Units short on customer orders that the records said were in stock: shortages
        /// caused by phantom stock (units).
        phantom_short,
        /// Units on record at the horizon (the physical stock is `on_hand_at_horizon`; units).
        recorded_on_hand_at_horizon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_fields_agree() {
        let lines = CostLines::<f64> {
            holding: 2.0,
            end_of_horizon: -1.0,
            ..CostLines::default()
        };
        let values = lines.values();
        assert_eq!(CostLines::<f64>::NAMES[1], "holding");
        assert_eq!(values[1], 2.0);
        assert_eq!(values[8], -1.0);
        assert_eq!(values[9], 0.0);
        assert_eq!(CostLines::from_values(values), lines);
        assert_eq!(lines.total(), 1.0);
        let named: Vec<(&str, f64)> = lines.named().map(|(n, v)| (n, *v)).collect();
        assert_eq!(named[8], ("end_of_horizon", -1.0));
        // A zero `counting` line is left out of the JSON, a non-zero one written.
        let json = serde_json::to_value(lines).unwrap();
        assert!(json.get("counting").is_none());
        let counted = CostLines::<f64> {
            counting: 2.5,
            ..lines
        };
        assert_eq!(serde_json::to_value(counted).unwrap()["counting"], 2.5);
        let back: CostLines<f64> = serde_json::from_value(json).unwrap();
        assert_eq!(back, lines);
        let counts = UnitCounts::<u64> {
            short: 3,
            ..UnitCounts::default()
        };
        assert_eq!(UnitCounts::<u64>::LEN, 20);
        assert_eq!(counts.map(|u| u * 2).short, 6);
        let mut sums = UnitCounts::<u64>::default();
        sums.update_with(&counts, |a, b| *a += b);
        sums.update_with(&counts, |a, b| *a += b);
        assert_eq!(sums.short, 6);
    }

    #[test]
    fn serialized_keys_are_the_names_in_order() {
        let json = serde_json::to_string(&UnitCounts::<u64>::default()).unwrap();
        let keys: Vec<&str> = json
            .trim_matches(['{', '}'])
            .split(',')
            .map(|kv| kv.split(':').next().unwrap().trim_matches('"'))
            .collect();
        assert_eq!(keys, UnitCounts::<u64>::NAMES[..15]);
        let with_repair = UnitCounts::<u64> {
            repaired: 2,
            ..UnitCounts::default()
        };
        let json = serde_json::to_string(&with_repair).unwrap();
        assert!(json.contains("\"repaired\":2") && !json.contains("washed"));
        let back: UnitCounts<u64> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, with_repair);
    }
}
