//! Characters that fold on their own: the table that lets a scan skip normalisation.
//!
//! Folding (NFC, width, case: [`super::super::fold`]) needs context only around characters that
//! normalisation may combine or reorder; every other character folds to one character by itself.
//! For those the folded form is looked up in one table instead of computed, and a message made
//! only of them (nearly every chat message) is scanned without the normalisation tables.

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, is_nfc_quick};

use crate::tagging::normalize::fold_each;

/// In [`bmp`]: the character does not fold on its own (see [`simple_fold`]). U+FFFF, a
/// noncharacter, is counted among them so that the table fits 16 bits.
pub(super) const NOT_SIMPLE: u16 = u16::MAX;

/// The one character `c` folds to, when `c` folds on its own: it has canonical combining class
/// 0 and is NFC whatever surrounds it (NFC quick check "yes"), and its case and width folding
/// give exactly one character. A text made only of such characters passes the NFC quick check,
/// so [`fold`](super::super::fold) is this function character by character.
pub(super) fn simple_fold(c: char) -> Option<char> {
    if canonical_combining_class(c) != 0 || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes {
        return None;
    }
    let mut buf = [0u8; 4];
    let (mut count, mut folded) = (0, None);
    fold_each(c.encode_utf8(&mut buf), |f| {
        count += 1;
        folded = Some(f);
    });
    if count == 1 { folded } else { None }
}

/// [`simple_fold`] of every character of the Basic Multilingual Plane, by code point, as a
/// 16-bit code point or [`NOT_SIMPLE`] (also for folds outside the plane). Built once per
/// process (128 KiB), shared by every matcher.
pub(super) fn bmp() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=0xFFFF_u32)
            .map(|cp| {
                char::from_u32(cp)
                    .and_then(simple_fold)
                    .and_then(|f| u16::try_from(u32::from(f)).ok())
                    .filter(|&f| f != NOT_SIMPLE)
                    .unwrap_or(NOT_SIMPLE)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagging::fold;

    #[test]
    fn simple_characters_fold_alone_and_the_others_are_marked() {
        assert_eq!(simple_fold('Ａ'), Some('a'));
        assert_eq!(simple_fold('价'), Some('价'));
        assert_eq!(simple_fold('\u{3000}'), Some(' '));
        assert_eq!(simple_fold('\u{301}'), None, "a combining mark composes");
        assert_eq!(
            simple_fold('\u{F900}'),
            None,
            "a compatibility ideograph changes under NFC"
        );
        assert_eq!(simple_fold('İ'), None, "lower-cases to two characters");
        let table = bmp();
        assert_eq!(table.len(), 0x1_0000);
        assert_eq!(table['Ｖ' as usize], u16::from(b'v'));
        assert_eq!(table[0x301], NOT_SIMPLE);
    }

    #[test]
    fn every_simple_character_folds_like_fold() {
        for (cp, &f) in bmp().iter().enumerate() {
            let Some(c) = char::from_u32(cp as u32) else {
                continue;
            };
            if f != NOT_SIMPLE {
                let folded = char::from_u32(u32::from(f)).map(String::from);
                assert_eq!(folded, Some(fold(&c.to_string())), "U+{cp:04X}");
            }
        }
    }
}
