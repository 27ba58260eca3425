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
/// WebAssembly; once hydrated, pointing at (or focusing) a group of bars
/// shows its numbers in the line under the chart. Several series draw side
/// by side within each label's slot, each in its own colour
/// (`.chart-series-N`).
///
/// Accessible by construction: the SVG is one image named by `title`
/// (screen readers do not walk 90 rectangles), and the same numbers follow
/// in a real table, folded into "Show the numbers" for sighted readers.
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
    /// and the hover details); the last label is always printed.
    #[prop(default = 1)]
    label_every: usize,
) -> impl IntoView {
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
    let y_of = move |value: u64| TOP + plot_height * (1.0 - value as f64 / top as f64);
    let hovered = RwSignal::new(None::<usize>);

    let grid = [0, top / 2, top]
        .into_iter()
        .map(|value| {
            let y = y_of(value);
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y/>
                <text class="chart-axis" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{value.to_string()}</text>
            }
        })
        .collect_view();
    let every = label_every.max(1);
    let axis_labels = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i + 1 == labels.len())
        .map(|(i, label)| {
            let x = LEFT + slot_width * (i as f64 + 0.5);
            view! {
                <text class="chart-axis" x=x y=HEIGHT - 8.0 text-anchor="middle">{label.clone()}</text>
            }
        })
        .collect_view();
    let groups = (0..labels.len())
        .map(|i| {
            let x0 = LEFT + slot_width * i as f64 + slot_width * 0.1;
            let bars = series
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    let value = s.values.get(i).copied().unwrap_or(0);
                    let y = y_of(value);
                    view! {
                        <rect
                            class=format!("chart-bar chart-series-{n}")
                            x=x0 + bar_width * n as f64
                            y=y
                            width=bar_width
                            height=(TOP + plot_height - y).max(0.0)
                        />
                    }
                })
                .collect_view();
            view! {
                <g
                    class="chart-slot"
                    class:chart-slot-hovered=move || hovered.get() == Some(i)
                    on:mouseenter=move |_| hovered.set(Some(i))
                >
                    // The whole slot's height answers the pointer, not
                    // only the bars (a zero is still a place to point at).
                    <rect class="chart-hit" x=LEFT + slot_width * i as f64 y=TOP width=slot_width height=plot_height/>
                    {bars}
                </g>
            }
        })
        .collect_view();

    let details = {
        let labels = labels.clone();
        let series = series.clone();
        move || match hovered.get() {
            Some(i) => {
                let numbers = series
                    .iter()
                    .map(|s| format!("{}: {}", s.name, s.values.get(i).copied().unwrap_or(0)))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{}: {numbers}", labels.get(i).cloned().unwrap_or_default())
            }
            None => "Point at a bar for its numbers.".to_owned(),
        }
    };
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
                .map(|s| view! { <td class="numeric">{s.values.get(i).copied().unwrap_or(0)}</td> })
                .collect_view();
            view! { <tr><th scope="row">{label.clone()}</th>{cells}</tr> }
        })
        .collect_view();

    view! {
        <figure class="chart" on:mouseleave=move |_| hovered.set(None)>
            <figcaption class="chart-title">{title.clone()}</figcaption>
            {legend}
            <svg
                class="chart-drawing"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=title.clone()
            >
                {grid}
                {groups}
                {axis_labels}
            </svg>
            <p class="chart-details muted" aria-hidden="true">{details}</p>
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
    use super::nice_ceiling;

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
