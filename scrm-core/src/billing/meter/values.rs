//! Reading a metering state: values per customer, meter and period; transactions.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::aggregate::{Aggregate, Input};
use super::metering::{CustomerState, MeterValue, Metering, Slot};
use super::record::UNMETERED;
use crate::error::{Error, ErrorKind, Result};

impl Metering {
    /// Every value, sorted by customer id, meter id and period.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when a time-weighted value overflows.
    pub fn values(&self) -> Result<Vec<MeterValue>> {
        // Customers sorted by id once, meters ranked by id once, and each customer's slots
        // sorted by (meter rank, period): the order of one sort of all values by (customer id,
        // meter id, period start), without comparing the ids of every value.
        let mut customers: Vec<&CustomerState> = self.customers.iter().collect();
        customers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut by_id: Vec<usize> = (0..self.meters.len()).collect();
        by_id.sort_by(|&a, &b| {
            let id = |m: usize| self.meters.get(m).map(|m| m.id.as_str());
            id(a).cmp(&id(b))
        });
        let mut rank = vec![0usize; self.meters.len()];
        for (r, &m) in by_id.iter().enumerate() {
            if let Some(place) = rank.get_mut(m) {
                *place = r;
            }
        }
        let mut out = Vec::new();
        let mut here: Vec<(usize, DateTime<Utc>, u16, &Slot)> = Vec::new();
        for state in customers {
            here.clear();
            here.extend(state.slots.iter().map(|(&(m, _), slot)| {
                let r = rank.get(usize::from(m)).copied().unwrap_or(usize::MAX);
                (r, slot.period.start(), m, slot)
            }));
            here.sort_by_key(|&(r, start, _, _)| (r, start));
            for &(_, _, m, slot) in &here {
                let Some(meter) = self.meters.get(usize::from(m)) else {
                    continue;
                };
                // Only a time-weighted value can fail, and names its path: built only then.
                let path = match slot.aggregate {
                    Aggregate::WeightedSum { .. } => format!("values.{}.{}", state.id, meter.id),
                    _ => String::new(),
                };
                out.push(MeterValue {
                    customer_id: state.id.clone(),
                    meter_id: meter.id.clone(),
                    period: slot.period,
                    value: slot.aggregate.value(&slot.period, &path)?,
                    events: slot.events,
                });
            }
        }
        Ok(out)
    }

    /// The value of `meter_id` for `customer_id` in the period containing `at` (zero when the
    /// customer has no events there).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an unknown meter, or as [`values`](Metering::values).
    pub fn value(&self, customer_id: &str, meter_id: &str, at: DateTime<Utc>) -> Result<Decimal> {
        let m = self.meter_index(meter_id)?;
        let Some(state) = self.state(customer_id) else {
            return Ok(Decimal::ZERO);
        };
        let period = state.clock.cycle.period(at, state.clock.timezone)?;
        match state.slots.get(&(m, period.first_day())) {
            Some(slot) => slot.aggregate.value(&slot.period, meter_id),
            None => Ok(Decimal::ZERO),
        }
    }

    /// The values of a numeric meter's events for `customer_id` in the period containing `at`,
    /// in time order (then by event id): the transactions a percentage charge prices one by one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an unknown meter or one that reads no number.
    pub fn transactions(
        &self,
        customer_id: &str,
        meter_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Decimal>> {
        let m = self.meter_index(meter_id)?;
        if !self.meters[usize::from(m)].aggregation.numeric() {
            return Err(Error::at(
                ErrorKind::Validation,
                "meter",
                format!("meter {meter_id:?} reads no number, so it has no transactions"),
            ));
        }
        let Some(state) = self.state(customer_id) else {
            return Ok(Vec::new());
        };
        let period = state.clock.cycle.period(at, state.clock.timezone)?;
        let meter = &self.meters[usize::from(m)];
        let kind = self
            .by_event
            .get(&meter.event)
            .copied()
            .unwrap_or(UNMETERED);
        let Some(spec) = self.types.get(kind as usize) else {
            return Ok(Vec::new());
        };
        let Some(j) = spec.meters.iter().position(|&x| x == m) else {
            return Ok(Vec::new());
        };
        let mut found: Vec<(DateTime<Utc>, &str, Decimal)> = state
            .records
            .iter()
            .filter(|(_, r)| r.kind == kind && period.contains(r.at))
            .filter_map(|(id, r)| match spec.input(j, meter.aggregation, r) {
                Some(Input::Number(v)) => Some((r.at, id, v)),
                _ => None,
            })
            .collect();
        found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        Ok(found.into_iter().map(|(_, _, v)| v).collect())
    }
}
