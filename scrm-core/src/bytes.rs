//! Equality of short byte strings without a call to `memcmp`.
//!
//! Ids, type names and tag ids are mostly a few bytes long, and the hot loops compare them once
//! or more per event. A slice comparison calls `memcmp`, whose call and setup cost more than the
//! comparison of a short string; [`same`] compares up to 16 bytes as two overlapping words.

/// Whether `a` and `b` hold the same bytes (strings or byte slices).
#[inline]
pub(crate) fn same(a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> bool {
    let (a, b) = (a.as_ref(), b.as_ref());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        // The first, middle and last bytes cover every byte of up to three.
        1..=3 => [0, n / 2, n - 1].into_iter().all(|i| a.get(i) == b.get(i)),
        // Two overlapping words cover every byte.
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        // Longer ids of one kind often share a prefix and differ at the end.
        _ => a.last() == b.last() && a == b,
    }
}

/// Whether `text` is one of `list` (event kinds a rule names, matched once per event).
#[inline]
pub(crate) fn among(list: &[String], text: &str) -> bool {
    list.iter().any(|s| same(s, text))
}

/// The `N` bytes of `s` from `at` (both slices compared have the same length, so a range past
/// the end, which cannot occur, reads as the same for both).
#[inline]
fn word<const N: usize>(s: &[u8], at: usize) -> Option<[u8; N]> {
    s.get(at..at + N).and_then(|w| <[u8; N]>::try_from(w).ok())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// `same` is slice equality, on any bytes and on near-equal strings of every length
        /// (one byte changed anywhere).
        #[test]
        fn same_is_equality(
            a in prop::collection::vec(any::<u8>(), 0..40),
            b in prop::collection::vec(any::<u8>(), 0..40),
            at in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, a.clone()));
            if !a.is_empty() {
                let mut c = a.clone();
                let i = at.index(c.len());
                c[i] ^= flip;
                prop_assert!(!same(&a, &c));
            }
        }
    }
}
