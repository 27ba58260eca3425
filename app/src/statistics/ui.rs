//! `/statistics`: the figures, each a link to the Users table view that
//! lists those users, and three charts (sign-ins per day, growth by month
//! and by day), each with its numbers as a table. Server-rendered, so it
//! reads without the WebAssembly.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{GrowthPoint, Statistics, get_statistics};
use crate::components::{BarChart, ChartSeries, ErrorList, PageHeader};

#[component]
pub fn StatisticsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_statistics());
    view! {
        <Title text="Statistics"/>
        <PageHeader title="Statistics">
            <button type="button" class="button" on:click=move |_| data.refetch()>"Refresh"</button>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">"Counting…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move { data.await.map(|data| view! { <Figures data/> }) })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn Figures(data: Statistics) -> impl IntoView {
    let figures = data
        .figures
        .iter()
        .map(|(figure, value)| {
            let label = figure.label();
            view! {
                <li class="figure">
                    // Label first, so the link's name is "Total users 135",
                    // its own text in reading order (the CSS shows the
                    // number on top).
                    <a href=crate::components::based(&figure.href())>
                        <span class="figure-label">{label}</span>
                        <span class="figure-value">{*value}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let days: Vec<String> = data.sign_ins.iter().map(|d| short_day(&d.day)).collect();
    let sign_ins = vec![
        ChartSeries {
            name: "Sign-ins",
            values: data.sign_ins.iter().map(|d| d.sign_ins).collect(),
        },
        ChartSeries {
            name: "Refused sign-ins",
            values: data.sign_ins.iter().map(|d| d.failed).collect(),
        },
    ];
    let growth = |points: &[GrowthPoint], short: fn(&str) -> String| {
        (
            points.iter().map(|p| short(&p.period)).collect::<Vec<_>>(),
            vec![ChartSeries {
                name: "Users",
                values: points.iter().map(|p| p.total).collect(),
            }],
        )
    };
    let (months, by_month) = growth(&data.growth_by_month, |m| m.to_owned());
    let month_every = (months.len() / 12).max(1);
    let (growth_days, by_day) = growth(&data.growth_by_day, short_day);
    view! {
        <section aria-labelledby="figures-heading">
            <h2 id="figures-heading" class="visually-hidden">"Users by state"</h2>
            <ul class="figures">{figures}</ul>
        </section>
        <section class="card" aria-labelledby="sign-ins-heading">
            <h2 id="sign-ins-heading">"Sign-ins"</h2>
            <BarChart title="Sign-ins and refused sign-ins per day, last 30 days" labels=days series=sign_ins label_every=7/>
        </section>
        <section class="card" aria-labelledby="growth-heading">
            <h2 id="growth-heading">"Growth"</h2>
            <BarChart title="User growth by month, users at each month's end" labels=months series=by_month label_every=month_every/>
            <BarChart title="User growth by day, last 90 days" labels=growth_days series=by_day label_every=15/>
        </section>
    }
    .into_any()
}

/// `2026-12-06` → `Dec 6`.
fn short_day(day: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.split('-').skip(1);
    match (
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(m @ 1..=12), Some(d)) => format!("{} {d}", MONTHS[m - 1]),
        _ => day.to_owned(),
    }
}
