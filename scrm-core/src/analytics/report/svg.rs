//! Inline SVG bar charts and HTML escaping for the report: plain strings, no dependency.

use std::fmt::Write;

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: a label, its value, and a note printed after the value.
pub(crate) struct Bar {
    pub label: String,
    pub value: u64,
    pub note: String,
}

/// The share of `value` in `max` as a length out of `full` pixels (at least 1 for a non-zero
/// value so it stays visible).
fn length(value: u64, max: u64, full: u64) -> u64 {
    if max == 0 || value == 0 {
        return 0;
    }
    let scaled = u128::from(value) * u128::from(full) / u128::from(max);
    u64::try_from(scaled).unwrap_or(full).max(1)
}

const LABEL_W: u64 = 170;
const BAR_W: u64 = 420;
const ROW_H: u64 = 26;

/// Horizontal bars, one row per bar, scaled to the largest value; `title` is the accessible
/// name of the chart.
pub(crate) fn horizontal(title: &str, bars: &[Bar], color: &str) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let height = ROW_H * bars.len() as u64 + 8;
    let width = LABEL_W + BAR_W + 190;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{}</title>"#,
        escape(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4 + ROW_H * i as u64;
        let w = length(bar.value, max, BAR_W);
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="label">{label}</text><rect x="{LABEL_W}" y="{y}" width="{w}" height="{bh}" fill="{color}"><title>{label}: {value}</title></rect><text x="{vx}" y="{ty}" class="value">{value} {note}</text>"#,
            lx = LABEL_W - 8,
            ty = y + 15,
            label = escape(&bar.label),
            bh = ROW_H - 6,
            value = bar.value,
            vx = LABEL_W + w + 6,
            note = escape(&bar.note),
        );
    }
    svg.push_str("</svg>");
    svg
}

const COL_W: u64 = 44;
const PLOT_H: u64 = 180;

/// Vertical bars (a histogram), one column per bar, labels under the columns.
pub(crate) fn vertical(title: &str, bars: &[Bar], color: &str) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let width = COL_W * bars.len() as u64 + 20;
    let height = PLOT_H + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{}</title>"#,
        escape(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let x = 10 + COL_W * i as u64;
        let h = length(bar.value, max, PLOT_H);
        let y = 20 + PLOT_H - h;
        let _ = write!(
            svg,
            r#"<rect x="{rx}" y="{y}" width="{bw}" height="{h}" fill="{color}"><title>{label}: {value}</title></rect><text x="{cx}" y="{vy}" text-anchor="middle" class="value">{value}</text><text x="{cx}" y="{ly}" text-anchor="middle" class="tick">{label}</text>"#,
            rx = x + 4,
            bw = COL_W - 8,
            label = escape(&bar.label),
            value = bar.value,
            cx = x + COL_W / 2,
            vy = y.saturating_sub(4).max(12),
            ly = PLOT_H + 38,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
    }

    #[test]
    fn bars_scale_to_the_largest_and_stay_visible() {
        assert_eq!(length(50, 100, 400), 200);
        assert_eq!(length(1, 1_000_000, 400), 1);
        assert_eq!(length(0, 10, 400), 0);
        assert_eq!(length(5, 0, 400), 0);
        let svg = horizontal(
            "t",
            &[Bar {
                label: "<b>".into(),
                value: 3,
                note: String::new(),
            }],
            "#123",
        );
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(r#"width="420""#));
    }
}
