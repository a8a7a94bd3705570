//! Error locations: `line 1, column 19: <message>` followed by the line and a caret under the spot.

/// The widest excerpt of a line shown, in characters; longer lines are cut around the error.
const EXCERPT_CHARS: usize = 72;

/// `message` located at byte `offset` of `text`, with a caret excerpt.
///
/// Columns count characters (not bytes), from 1. The caret is placed by display width, so it sits
/// under the right character when the line holds Chinese text (two columns per character).
pub(crate) fn locate(text: &str, offset: usize, message: &str) -> String {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line_text = text[line_start..line_end].trim_end_matches('\r');
    let line = text[..line_start].matches('\n').count() + 1;
    let column = text[line_start..offset].chars().count() + 1;

    let chars: Vec<char> = line_text.chars().collect();
    let caret_at = column - 1;
    let first = caret_at.saturating_sub(EXCERPT_CHARS / 2);
    let last = (first + EXCERPT_CHARS).min(chars.len());
    let first = if last - first < EXCERPT_CHARS {
        last.saturating_sub(EXCERPT_CHARS)
    } else {
        first
    };
    let mut shown = String::new();
    let mut pad = String::new();
    if first > 0 {
        shown.push('…');
        pad.push(' ');
    }
    for (i, &c) in chars.iter().enumerate().take(last).skip(first) {
        shown.push(c);
        if i < caret_at {
            pad.push_str(match c {
                '\t' => "\t",
                c if is_wide(c) => "  ",
                _ => " ",
            });
        }
    }
    if last < chars.len() {
        shown.push('…');
    }
    format!("line {line}, column {column}: {message}\n  {shown}\n  {pad}^")
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// East Asian wide and full-width characters, which terminals draw two columns wide.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_sit_under_the_character() {
        assert_eq!(
            locate("a and\n  b ]", 10, "oops"),
            "line 2, column 5: oops\n    b ]\n      ^"
        );
        assert_eq!(
            locate("has_tag(\"高意向\") x", 21, "m"),
            "line 1, column 16: m\n  has_tag(\"高意向\") x\n                    ^"
        );
        assert_eq!(locate("", 0, "m"), "line 1, column 1: m\n  \n  ^");
    }

    #[test]
    fn long_lines_are_cut_around_the_error() {
        let text = format!("{}]{}", "a".repeat(100), "b".repeat(100));
        let shown = locate(&text, 100, "m");
        let lines: Vec<&str> = shown.lines().collect();
        assert!(lines[1].starts_with("  …a") && lines[1].ends_with("b…"));
        let caret = lines[2].len() - 1;
        assert_eq!(lines[1].chars().nth(caret), Some(']'));
    }
}
