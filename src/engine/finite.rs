//! The last guard before anything is written: every number of a result must be finite.
//!
//! `serde_json` writes NaN and infinity as `null`, which a script would read as "undefined":
//! a plausible-looking wrong answer. Scenario validation keeps every magnitude in range, so a
//! non-finite number here is a bug; [`first_non_finite`] finds it by walking any `Serialize`
//! value, so that fields added later are covered too. Figures that are undefined by design
//! (a fill rate without demand) are `Option`s, written as `null` or an empty CSV cell.

use std::fmt;

use serde::ser::{self, Serialize};

use super::RunSummary;

/// The path (e.g. `policies[1].total_cost.std_err`) of the first number in `value` that is NaN
/// or infinite, or `None` when every number is finite.
pub fn first_non_finite<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut walker = Walker {
        path: String::new(),
        found: None,
    };
    // The walker only stops early (with an error) once it has found something.
    let _ = value.serialize(&mut walker);
    walker.found
}

/// A result holds a number that is not finite: a bug (validation keeps every magnitude in
/// range), reported with the figure's path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "internal failure: the result `{path}` is not a finite number; nothing was written \
     (please report this together with the scenario file)"
)]
pub struct NotFinite {
    /// Where the number is, e.g. `policies[1].total_cost.std_err`.
    pub path: String,
}

impl RunSummary {
    /// Checks that every number of the summary and of its time series is finite: the guard
    /// that keeps NaN and infinity out of every output.
    pub fn check_finite(&self) -> Result<(), NotFinite> {
        let found = first_non_finite(self)
            .or_else(|| first_non_finite(&self.timeseries).map(|path| format!("timeseries{path}")));
        match found {
            None => Ok(()),
            Some(path) => Err(NotFinite { path }),
        }
    }
}

struct Walker {
    path: String,
    found: Option<String>,
}

impl Walker {
    fn float(&mut self, v: f64) -> Result<(), fmt::Error> {
        if v.is_finite() {
            Ok(())
        } else {
            self.found = Some(if self.path.is_empty() {
                "(the value)".to_string()
            } else {
                self.path.clone()
            });
            Err(fmt::Error)
        }
    }

    /// Serializes `value` with `segment` appended to the path.
    fn nested<T: Serialize + ?Sized>(
        &mut self,
        segment: &str,
        value: &T,
    ) -> Result<(), fmt::Error> {
        let len = self.path.len();
        if !segment.starts_with('[') && !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(segment);
        let result = value.serialize(&mut *self);
        self.path.truncate(len);
        result
    }
}

/// Sequences and maps count their elements for the path.
struct Compound<'a> {
    walker: &'a mut Walker,
    index: usize,
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        let segment = format!("[{}]", self.index);
        self.index += 1;
        self.walker.nested(&segment, value)
    }
}

macro_rules! ignore {
    ($($name:ident($ty:ty)),* $(,)?) => {
        $(fn $name(self, _v: $ty) -> Result<(), fmt::Error> { Ok(()) })*
    };
}

impl<'a> ser::Serializer for &'a mut Walker {
    type Ok = ();
    type Error = fmt::Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    ignore!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_f32(self, v: f32) -> Result<(), fmt::Error> {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), fmt::Error> {
        self.float(v)
    }
    fn serialize_none(self) -> Result<(), fmt::Error> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), fmt::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), fmt::Error> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), fmt::Error> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), fmt::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), fmt::Error> {
        self.nested(variant, value)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, fmt::Error> {
        Ok(Compound {
            walker: self,
            index: 0,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(len)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, fmt::Error> {
        self.serialize_seq(Some(len))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), fmt::Error> {
        // Keys are checked too (a float key would be unusual), under the entry's index.
        self.walker.nested(&format!("[{}]", self.index), key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), fmt::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), fmt::Error> {
        self.walker.nested(key, value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = fmt::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), fmt::Error> {
        self.walker.nested(key, value)
    }
    fn end(self) -> Result<(), fmt::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Inner {
        a: f64,
        b: Option<f64>,
        c: [f64; 2],
    }

    #[derive(serde::Serialize)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    #[test]
    fn finds_the_path_of_the_first_non_finite_number() {
        let ok = Outer {
            name: "x".into(),
            items: vec![Inner {
                a: 1.0,
                b: None,
                c: [0.0, -3.5],
            }],
        };
        assert_eq!(first_non_finite(&ok), None);
        let bad = Outer {
            name: "x".into(),
            items: vec![
                Inner {
                    a: 1.0,
                    b: Some(2.0),
                    c: [0.0, 1.0],
                },
                Inner {
                    a: 1.0,
                    b: Some(2.0),
                    c: [0.0, f64::NAN],
                },
            ],
        };
        assert_eq!(first_non_finite(&bad).as_deref(), Some("items[1].c[1]"));
        let inf = Inner {
            a: 1.0,
            b: Some(f64::INFINITY),
            c: [0.0, 0.0],
        };
        assert_eq!(first_non_finite(&inf).as_deref(), Some("b"));
    }
}
