//! What is kept of each recorded event: its fingerprint, time, type, and the value of each
//! property its meters read, once per property (a count and a sum over `tokens` keep one value).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::aggregate::Input;
use super::event::{EventView, Operation};
use super::{Aggregation, Meter};
use crate::billing::parse_decimal;

/// A fast hasher for small integer keys the library makes itself (meter index and period day),
/// never for ids a caller chooses (those keep the standard, DoS-resistant hasher).
#[derive(Default, Clone, Copy)]
pub(super) struct SmallKeyHasher(u64);

impl std::hash::Hasher for SmallKeyHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z ^ (z >> 27)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(17) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The type index of an event no meter reads.
pub(super) const UNMETERED: u32 = u32::MAX;

/// How the meters of one event type read an event.
#[derive(Debug, Clone)]
pub(super) struct TypeSpec {
    /// The meters reading this type, in playbook order.
    pub meters: Vec<u16>,
    /// The distinct properties they read.
    pub fields: Vec<FieldSpec>,
    /// For each entry of `meters`, the index of its property in `fields`.
    pub meter_field: Vec<Option<usize>>,
}

#[derive(Debug, Clone)]
pub(super) struct FieldSpec {
    pub name: String,
    /// Read as a decimal by a sum, max, latest or weighted meter.
    pub numeric: bool,
    /// Read as a value by a unique-count meter.
    pub unique: bool,
    /// The first meter reading it, named in messages.
    pub reader: String,
}

impl TypeSpec {
    /// The specs of every event type the meters read, and each type's name.
    pub fn build(meters: &[Meter]) -> Vec<(String, TypeSpec)> {
        let mut types: Vec<(String, TypeSpec)> = Vec::new();
        for (i, meter) in meters.iter().enumerate() {
            let Ok(m) = u16::try_from(i) else { continue };
            let at = match types.iter().position(|(name, _)| *name == meter.event) {
                Some(at) => at,
                None => {
                    types.push((
                        meter.event.clone(),
                        TypeSpec {
                            meters: Vec::new(),
                            fields: Vec::new(),
                            meter_field: Vec::new(),
                        },
                    ));
                    types.len() - 1
                }
            };
            let spec = &mut types[at].1;
            let field = match (meter.aggregation, meter.field.as_deref()) {
                (Aggregation::Count, _) | (_, None) => None,
                (aggregation, Some(name)) => {
                    let f = match spec.fields.iter().position(|f| f.name == name) {
                        Some(f) => f,
                        None => {
                            spec.fields.push(FieldSpec {
                                name: name.to_owned(),
                                numeric: false,
                                unique: false,
                                reader: meter.id.clone(),
                            });
                            spec.fields.len() - 1
                        }
                    };
                    if aggregation == Aggregation::UniqueCount {
                        spec.fields[f].unique = true;
                    } else {
                        spec.fields[f].numeric = true;
                    }
                    Some(f)
                }
            };
            spec.meters.push(m);
            spec.meter_field.push(field);
        }
        types
    }

    /// The input the `j`-th meter of this type takes from `record`.
    pub fn input(&self, j: usize, aggregation: Aggregation, record: &Record) -> Option<Input> {
        let Some(Some(f)) = self.meter_field.get(j) else {
            return Some(Input::Count);
        };
        let value = record.values.get(*f)?;
        match aggregation {
            Aggregation::Count => Some(Input::Count),
            Aggregation::UniqueCount => value.key.map(|key| Input::Unique {
                key,
                add: record.operation == Operation::Add,
            }),
            _ => value.number.map(Input::Number),
        }
    }

    /// Reads the event's properties, or says which one a meter cannot read and why.
    pub fn read(
        &self,
        e: &EventView<'_>,
        mut intern: impl FnMut(&str) -> u32,
    ) -> Result<Values, (String, String)> {
        match self.fields.as_slice() {
            [] => Ok(Values::None),
            [one] => one.read(e, &mut intern).map(Values::One),
            many => many
                .iter()
                .map(|f| f.read(e, &mut intern))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| Values::Many(v.into_boxed_slice())),
        }
    }
}

impl FieldSpec {
    fn read(
        &self,
        e: &EventView<'_>,
        intern: &mut impl FnMut(&str) -> u32,
    ) -> Result<FieldValue, (String, String)> {
        let path = || format!("properties.{}", self.name);
        let Some(text) = e.properties.get(&self.name) else {
            return Err((
                path(),
                format!(
                    "meter {:?} reads property {:?}, which the event lacks",
                    self.reader, self.name
                ),
            ));
        };
        let number = if self.numeric {
            Some(parse_decimal(text, "").map_err(|err| {
                let message = err
                    .problems()
                    .first()
                    .map(|p| p.message.clone())
                    .unwrap_or_default();
                (path(), format!("meter {:?}: {message}", self.reader))
            })?)
        } else {
            None
        };
        let key = self.unique.then(|| intern(text));
        Ok(FieldValue { number, key })
    }
}

/// A property's value as its meters read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FieldValue {
    pub number: Option<Decimal>,
    /// The interned text, for unique counts.
    pub key: Option<u32>,
}

/// The values of an event's read properties, stored inline for the usual single property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Values {
    None,
    One(FieldValue),
    Many(Box<[FieldValue]>),
}

impl Values {
    pub fn get(&self, i: usize) -> Option<&FieldValue> {
        match self {
            Values::None => None,
            Values::One(v) => (i == 0).then_some(v),
            Values::Many(v) => v.get(i),
        }
    }

    /// The same values with each unique-count key mapped by `f` (merging another state's keys).
    pub fn map_keys(self, mut f: impl FnMut(u32) -> u32) -> Values {
        let mut map = |v: FieldValue| FieldValue {
            number: v.number,
            key: v.key.map(&mut f),
        };
        match self {
            Values::None => Values::None,
            Values::One(v) => Values::One(map(v)),
            Values::Many(vs) => Values::Many(vs.into_vec().into_iter().map(map).collect()),
        }
    }
}

/// A recorded event: enough to recognise a replay or a conflict, and to apply it again when
/// merging into another state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub fingerprint: u64,
    pub at: DateTime<Utc>,
    /// The index of its type's spec, or [`UNMETERED`].
    pub kind: u32,
    pub operation: Operation,
    pub values: Values,
}

impl Record {
    pub fn metered(&self) -> bool {
        self.kind != UNMETERED
    }
}
