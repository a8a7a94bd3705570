//! Name and text normalisation for matching: trim, Unicode NFC, full-width to half-width, case.
//!
//! Chinese input methods produce full-width Latin letters and digits (`ＶＩＰ`, `１２３`) and an
//! ideographic space; customers type `vip`, `VIP` and `ＶＩＰ` for the same thing. Matching folds
//! them all to one form. Display names are kept as written.

use unicode_normalization::UnicodeNormalization;

/// Folds one character: full-width ASCII variants (U+FF01..U+FF5E) to ASCII, the ideographic
/// space (U+3000) to a space, and letters to lower case.
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    };
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
    } else if has_no_case(c) {
        out(c); // the bulk of Chinese text: skip the case tables
    } else {
        c.to_lowercase().for_each(&mut *out);
    }
}

/// CJK punctuation, kana and ideographs, and Hangul syllables, which have no case.
fn has_no_case(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

/// Characters that are NFC whatever surrounds them: they are unchanged by NFC, have canonical
/// combining class 0 and compose with nothing. Latin below the combining diacritics, CJK
/// punctuation and kana (without the tone and sound marks), the unified ideographs, and the
/// full-width forms: the whole of most Chinese chat. Text made only of these skips the NFC
/// tables entirely.
fn surely_nfc(c: char) -> bool {
    matches!(c, '\0'..='\u{2FF}' | '\u{3000}'..='\u{3029}' | '\u{3030}'..='\u{3098}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF5E}')
}

/// Calls `out` with each character of the matching form of `text` (see [`fold`]), without
/// building it: the keyword scan reads a message once and allocates nothing.
pub(crate) fn fold_each(text: &str, mut out: impl FnMut(char)) {
    // Most text is already NFC (every IME emits it); checking that first avoids recomposing it.
    let already_nfc = text.chars().all(surely_nfc)
        || unicode_normalization::is_nfc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes;
    if already_nfc {
        for c in text.chars() {
            fold_char(c, &mut out);
        }
    } else {
        for c in text.nfc() {
            fold_char(c, &mut out);
        }
    }
}

/// The matching form of `text`: NFC, width-folded, lower-cased (not trimmed: offsets in a message
/// do not matter, but a keyword's own spaces do).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_each(text, |c| out.push(c));
    out
}

/// The matching form of a name: [`fold`] of the trimmed name with inner runs of white space
/// collapsed to one space.
pub fn fold_name(name: &str) -> String {
    let folded = fold(name);
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_fold_to_one_form() {
        assert_eq!(fold("ＶＩＰ客户"), "vip客户");
        assert_eq!(fold("Vip客户"), "vip客户");
        assert_eq!(fold("价格　多少"), "价格 多少");
        assert_eq!(fold_name("  高意向  客户 "), "高意向 客户");
    }

    #[test]
    fn nfc_makes_composed_and_decomposed_equal() {
        assert_eq!(fold("Cafe\u{301}"), fold("Caf\u{e9}"));
    }
}
