//! Exact numbers from Arrow decimals, without allocating.

use std::fmt::{self, Write};

use scrm_core::Number;

/// The number a `decimal128(p, scale)` cell stands for: `mantissa * 10^-scale`, exactly (finer
/// than 28 decimal places is rounded, as the core rounds every number). `None` only for a
/// magnitude the core cannot hold (10^38 or more).
#[inline]
pub(crate) fn decimal_number(mantissa: i128, scale: i8) -> Option<Number> {
    // Fast path: whole numbers that fit an i64, the common case for scores.
    if scale >= 0 {
        let unit = 10i128.checked_pow(u32::from(scale.unsigned_abs()))?;
        if mantissa % unit == 0
            && let Ok(whole) = i64::try_from(mantissa / unit)
        {
            return Some(Number::from(whole));
        }
    }
    // `{mantissa}e{-scale}` is at most 40 + 5 bytes; the core reads that form exactly.
    let mut buf = NumberText::default();
    write!(buf, "{mantissa}e{}", -i32::from(scale)).ok()?;
    buf.as_str().parse().ok()
}

/// A small stack buffer to write a number into.
pub(crate) struct NumberText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for NumberText {
    fn default() -> NumberText {
        NumberText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl NumberText {
    pub(crate) fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl Write for NumberText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
