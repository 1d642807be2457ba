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

named_record! {
    /// The cost lines of section 6 (stable names): of one path, discounted to t = 0 (currency;
    /// income negative), or sums and means of them. Lines of features a scenario may leave
    /// out (`counting`) are left out of the JSON when 0, their default, so that the files of
    /// scenarios without them stay as they were.
    #[serde(bound(
        serialize = "T: Serialize + Default + PartialEq",
        deserialize = "T: Deserialize<'de> + Default"
    ))]
    #[schemars(bound = "T: JsonSchema + Serialize + Default + PartialEq")]
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
        /// Cycle counts of drifting stock records: `stock.count_cost` per count (currency;
        /// absent from the JSON when 0).
        #[serde(default, skip_serializing_if = "is_default")]
        counting,
    }
}

/// Whether `v` is its type's default (a line left out of the JSON).
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl CostLines<f64> {
    /// The sum of all lines: the path's total discounted cost (currency), summed in the order
    /// of the names.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }
}

named_record! {
    /// Unit counts (stable names): of one path (units), or sums and means of them.
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
        assert_eq!(UnitCounts::<u64>::LEN, 15);
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
        assert_eq!(keys, UnitCounts::<u64>::NAMES);
    }
}
