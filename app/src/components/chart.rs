use leptos::prelude::*;

/// One named series of a [`BarChart`]: a value per label.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    /// What the values count ("Sign-ins"); the legend, the table's column
    /// and the hover details say it.
    pub name: &'static str,
    pub values: Vec<u64>,
}

// The drawing's own units (the SVG scales to its box).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// A bar chart drawn as SVG on the server, so it reads without the
/// WebAssembly: pointing at a bar shows its label and numbers (each slot
/// carries an SVG `<title>`, the browser's own tooltip, so this works
/// before hydration too). Several series draw side by side within each
/// label's slot, each in its own colour (`.chart-series-N`).
///
/// Accessible by construction: the SVG is one image named by `title`
/// (screen readers do not walk 90 rectangles), and the same numbers follow
/// in a real table, folded into "Show the numbers" for sighted readers.
///
/// The drawing is written as SVG text (`svg_markup`), not as a view: it
/// never changes once drawn, and a view per rectangle type would add to
/// every visitor's WebAssembly download for nothing.
///
/// ```ignore
/// <BarChart
///     title="Sign-ins per day, last 30 days"
///     labels=days
///     series=vec![ChartSeries { name: "Sign-ins", values }]
///     label_every=7
/// />
/// ```
#[component]
pub fn BarChart(
    /// The chart's accessible name and caption.
    #[prop(into)]
    title: String,
    /// One label per slot along the bottom (a day, a month).
    labels: Vec<String>,
    series: Vec<ChartSeries>,
    /// Print every Nth label under the axis (all of them are in the table
    /// and the tooltips); the last label is always printed.
    #[prop(default = 1)]
    label_every: usize,
) -> impl IntoView {
    let drawing = svg_markup(&title, &labels, &series, label_every);
    let legend = (series.len() > 1).then(|| {
        let items = series
            .iter()
            .enumerate()
            .map(|(n, s)| {
                view! {
                    <li><span class=format!("chart-swatch chart-series-{n}") aria-hidden="true"></span>{s.name}</li>
                }
            })
            .collect_view();
        view! { <ul class="chart-legend">{items}</ul> }
    });
    let header = series
        .iter()
        .map(|s| view! { <th scope="col" class="numeric">{s.name}</th> })
        .collect_view();
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let cells = series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0).to_string())
                .map(|value| view! { <td class="numeric">{value}</td> })
                .collect_view();
            view! { <tr><th scope="row">{label.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption class="chart-title">{title.clone()}</figcaption>
            {legend}
            <div class="chart-drawing" inner_html=drawing></div>
            <details class="chart-numbers">
                <summary>"Show the numbers"</summary>
                <div class="table-scroll">
                    <table class="table">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col"></th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
    .into_any()
}

/// The chart as SVG text: grid lines at 0, half and the top, a slot per
/// label with a bar per series and a tooltip, and the labels underneath.
pub fn svg_markup(
    title: &str,
    labels: &[String],
    series: &[ChartSeries],
    label_every: usize,
) -> String {
    use std::fmt::Write;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let top = nice_ceiling(max);
    let slots = labels.len().max(1);
    let slot_width = (WIDTH - LEFT - RIGHT) / slots as f64;
    let bar_width = (slot_width * 0.8 / series.len().max(1) as f64).max(0.5);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y_of = |value: u64| TOP + plot_height * (1.0 - value as f64 / top as f64);
    let mut svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    // Writing to a String cannot fail.
    for value in [0, top / 2, top] {
        let y = y_of(value);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="chart-axis" x="{:.1}" y="{:.1}" text-anchor="end">{value}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot_width * i as f64;
        let numbers = series
            .iter()
            .map(|s| format!("{}: {}", s.name, s.values.get(i).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            svg,
            r#"<g class="chart-slot"><title>{}: {}</title><rect class="chart-hit" x="{x:.1}" y="{TOP}" width="{slot_width:.1}" height="{plot_height:.1}"/>"#,
            escape(label),
            escape(&numbers)
        );
        for (n, s) in series.iter().enumerate() {
            let y = y_of(s.values.get(i).copied().unwrap_or(0));
            let _ = write!(
                svg,
                r#"<rect class="chart-bar chart-series-{n}" x="{:.1}" y="{y:.1}" width="{bar_width:.1}" height="{:.1}"/>"#,
                x + slot_width * 0.1 + bar_width * n as f64,
                (TOP + plot_height - y).max(0.0)
            );
        }
        svg.push_str("</g>");
    }
    let every = label_every.max(1);
    for (i, label) in labels.iter().enumerate() {
        if i % every == 0 || i + 1 == labels.len() {
            let _ = write!(
                svg,
                r#"<text class="chart-axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                LEFT + slot_width * (i as f64 + 0.5),
                HEIGHT - 8.0,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Text made safe inside SVG markup and its attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The axis' top: the smallest 1, 2 or 5 times a power of ten that is at
/// least `max` (at least 1), so the grid lines fall on round numbers.
pub fn nice_ceiling(max: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for step in [1, 2, 5] {
            let candidate = step * power;
            if candidate >= max.max(1) {
                return candidate;
            }
        }
        power = power.saturating_mul(10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawing_is_one_named_image_with_a_slot_per_label() {
        let svg = svg_markup(
            "Growth <by> day",
            &["Dec 1".to_owned(), "Dec 2".to_owned()],
            &[ChartSeries {
                name: "Users",
                values: vec![3, 7],
            }],
            1,
        );
        assert!(svg.starts_with(
            r#"<svg viewBox="0 0 720 220" role="img" aria-label="Growth &lt;by&gt; day""#
        ));
        assert_eq!(svg.matches(r#"<g class="chart-slot">"#).count(), 2);
        assert!(svg.contains("<title>Dec 2: Users: 7</title>"));
        // The top of the axis is 10; 7 reaches 70 % of the plot's height.
        assert!(svg.contains(">10</text>"));
    }

    #[test]
    fn the_axis_top_is_a_round_number_at_or_above_the_largest_value() {
        for (max, top) in [
            (0, 1),
            (1, 1),
            (3, 5),
            (7, 10),
            (10, 10),
            (11, 20),
            (480, 500),
            (99_999, 100_000),
        ] {
            assert_eq!(nice_ceiling(max), top, "{max}");
        }
    }
}
