//! Charts drawn as SVG by Leptos components, each followed by a table of its numbers.

use crate::domain::DayCount;
use leptos::prelude::*;

/// Horizontal bars, one per (label, value).
#[component]
pub fn BarChart(id: &'static str, title: &'static str, rows: Vec<(String, i64)>) -> impl IntoView {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = 30 * rows.len().max(1) + 10;
    let title_id = format!("{id}-title");
    view! {
        <figure class="chart card" id=id>
            <figcaption id=title_id.clone()>{title}</figcaption>
            <svg viewBox=format!("0 0 290 {height}") role="img" aria-labelledby=title_id class="bars">
                {rows.iter().enumerate().map(|(i, (label, value))| {
                    let y = 10 + i * 30;
                    let width = (*value as f64 / max as f64 * 150.0).round();
                    view! {
                        <g>
                            <text x="95" y=y + 15 text-anchor="end" class="label">{label.clone()}</text>
                            <rect x="100" y=y width=width.max(1.0) height="20" rx="3" class=format!("bar bar-{}", label.replace(' ', "-"))/>
                            <text x=106.0 + width y=y + 15 class="value">{*value}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <table class="chart-table">
                <caption class="visually-hidden">{title}</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Tickets"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(label, value)| view! { <tr><th scope="row">{label}</th><td>{value}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

/// Opened and closed tickets per day, as paired columns.
#[component]
pub fn DailyChart(days: Vec<DayCount>) -> impl IntoView {
    let max = days.iter().map(|d| d.opened.max(d.closed)).max().unwrap_or(0).max(1);
    let slot = 600.0 / days.len().max(1) as f64;
    let bar = (slot / 2.0 - 1.0).max(1.0);
    let scale = |n: i64| n as f64 / max as f64 * 170.0;
    let first = days.first().map(|d| d.day.to_string()).unwrap_or_default();
    let last = days.last().map(|d| d.day.to_string()).unwrap_or_default();
    view! {
        <figure class="chart card wide" id="chart-daily">
            <figcaption id="chart-daily-title">"Opened and closed per day"</figcaption>
            <p class="legend"><span class="key opened"></span>"Opened" <span class="key closed"></span>"Closed"</p>
            <svg viewBox="0 0 600 210" role="img" aria-labelledby="chart-daily-title" class="columns">
                <line x1="0" y1="180" x2="600" y2="180" class="axis"/>
                <text x="0" y="200" class="label">{first}</text>
                <text x="600" y="200" text-anchor="end" class="label">{last}</text>
                <text x="0" y="12" class="label">{format!("max {max}")}</text>
                {days.iter().enumerate().map(|(i, d)| {
                    let x = i as f64 * slot;
                    let (ho, hc) = (scale(d.opened), scale(d.closed));
                    view! {
                        <g>
                            <rect x=x y=180.0 - ho width=bar height=ho class="bar opened"><title>{format!("{}: {} opened", d.day, d.opened)}</title></rect>
                            <rect x=x + bar + 1.0 y=180.0 - hc width=bar height=hc class="bar closed"><title>{format!("{}: {} closed", d.day, d.closed)}</title></rect>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <details>
                <summary>"Numbers per day"</summary>
                <table class="chart-table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Opened"</th><th scope="col">"Closed"</th></tr></thead>
                    <tbody>
                        {days.into_iter().map(|d| view! { <tr><th scope="row">{d.day.to_string()}</th><td>{d.opened}</td><td>{d.closed}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
