use super::*;
use crate::tagging::fold;
use proptest::prelude::*;

/// Every keyword occurrence found by brute force (substring comparison of every keyword at
/// every end) over the folded text, in the automaton's order: by end, then longest first, then
/// by index.
fn naive(patterns: &[String], text: &str) -> Vec<usize> {
    let folded: Vec<char> = fold(text).chars().collect();
    let mut found = Vec::new();
    for end in 1..=folded.len() {
        let mut here: Vec<(usize, usize)> = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let p: Vec<char> = p.chars().collect();
            if !p.is_empty() && p.len() <= end && folded[end - p.len()..end] == p[..] {
                here.push((usize::MAX - p.len(), i));
            }
        }
        here.sort_unstable();
        found.extend(here.into_iter().map(|(_, i)| i));
    }
    found
}

/// The hits of one matcher, as a caller sees them: a restart forgets the hits before it.
fn hits(matcher: &KeywordMatcher, text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    matcher.scan(text, |hit| match hit {
        Hit::Pattern(p) => found.push(p),
        Hit::Restart => found.clear(),
    });
    found
}

fn matched(patterns: &[String], text: &str) -> Vec<usize> {
    let found = hits(&KeywordMatcher::new(patterns), text);
    // Classes beyond the 16-bit character table (the normalising scan) and small pair tables
    // (the trie decides beyond them) give the same matches in the same order.
    for (far, pairs) in [(1, 0), (3, 7), (6, 64), (FAR, 0), (FAR, 100)] {
        let slow = KeywordMatcher::with_limits(patterns, far, pairs);
        assert_eq!(hits(&slow, text), found, "far = {far}, pairs = {pairs}");
    }
    found
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

#[test]
fn finds_overlapping_and_nested_keywords_in_order() {
    let patterns = strings(&["价格", "格优", "价格优惠", "优惠", "惠"]);
    // Ends: 价格 at 3; 格优 at 4; 价格优惠, 优惠, 惠 at 5 (longest first).
    assert_eq!(matched(&patterns, "这个价格优惠吗"), vec![0, 1, 2, 3, 4]);
    assert_eq!(matched(&patterns, "价价格格"), vec![0]);
    assert_eq!(matched(&patterns, "没有"), Vec::<usize>::new());
}

#[test]
fn folds_width_and_case_while_scanning() {
    let patterns = strings(&["vip", "café"]);
    assert_eq!(matched(&patterns, "我是ＶＩＰ客户"), vec![0]);
    assert_eq!(matched(&patterns, "Vip"), vec![0]);
    assert_eq!(matched(&patterns, "CAFE\u{301} au lait"), vec![1]);
}

#[test]
fn a_combining_mark_restarts_the_scan_and_drops_what_it_changes() {
    let patterns = strings(&["e", "é", "价"]);
    let matcher = KeywordMatcher::new(&patterns);
    let mut seen = Vec::new();
    matcher.scan("价e\u{301}", |hit| seen.push(hit));
    // The first attempt saw 价 and e; after the restart, 价 and é (the e composed away).
    assert_eq!(
        seen,
        vec![
            Hit::Pattern(2),
            Hit::Pattern(0),
            Hit::Restart,
            Hit::Pattern(2),
            Hit::Pattern(1)
        ]
    );
    assert_eq!(hits(&matcher, "价e\u{301}"), naive(&patterns, "价e\u{301}"));
}

#[test]
fn repeated_and_duplicate_patterns_are_each_reported() {
    let patterns = strings(&["茶", "茶", ""]);
    assert_eq!(matched(&patterns, "茶茶"), vec![0, 1, 0, 1]);
}

#[test]
fn astral_characters_match() {
    let patterns = strings(&["𠮷野家", "🍵"]);
    assert_eq!(matched(&patterns, "去𠮷野家喝🍵"), vec![0, 1]);
    assert_eq!(matched(&patterns, "去吉野家"), Vec::<usize>::new());
}

/// Many keywords over a large alphabet, with long texts: the depth-1 nodes are numbered like
/// their classes, and the pair table is exact.
#[test]
fn a_large_keyword_list_matches_like_brute_force() {
    let ideograph = |i: u32| char::from_u32(0x4E00 + i).unwrap_or('?');
    let patterns: Vec<String> = (0..800u32)
        .map(|i| {
            [ideograph(i), ideograph((i * 7 + 3) % 900), ideograph(i % 5)]
                .iter()
                .collect()
        })
        .collect();
    let matcher = KeywordMatcher::new(&patterns);
    for class in 1..=matcher.firsts {
        assert_eq!(
            matcher.step(ROOT, class),
            class,
            "depth-1 node of class {class}"
        );
    }
    let text: String = (0..3000u32)
        .map(|i| ideograph((i * 13) % 901))
        .collect::<String>()
        + &patterns[799]
        + &patterns[0];
    let found = hits(&matcher, &text);
    assert_eq!(found, naive(&patterns, &text));
    assert!(found.contains(&799) && found.contains(&0));
}

proptest! {
    /// Texts of Chinese chat and of the characters that fold or normalise: full-width and
    /// upper-case Latin, the ideographic space, a combining accent, a compatibility ideograph
    /// (NFC maps it to 豈), a character that lower-cases to two, astral ideographs and emoji.
    #[test]
    fn agrees_with_brute_force(
        patterns in prop::collection::vec("[价格优惠aAｂb茶 豈𠮷🍵é]{0,4}", 0..12),
        text in "[价格优惠茶豈aAｂbBé \u{3000}\u{301}\u{F900}İi𠮷🍵，x]{0,40}",
    ) {
        let patterns: Vec<String> = patterns.iter().map(|p| fold(p)).collect();
        prop_assert_eq!(matched(&patterns, &text), naive(&patterns, &text));
    }

    /// Many keywords over few characters, so the scan keeps entering and leaving the
    /// automaton, in long texts.
    #[test]
    fn agrees_with_brute_force_on_dense_keyword_lists(
        patterns in prop::collection::vec("[价格优惠茶aＢ]{1,5}", 1..60),
        text in "[价格优惠茶aAbＢ的]{0,200}",
    ) {
        let patterns: Vec<String> = patterns.iter().map(|p| fold(p)).collect();
        prop_assert_eq!(matched(&patterns, &text), naive(&patterns, &text));
    }
}
