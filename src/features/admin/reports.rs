//! Reports over a chosen range (default the last 30 days), with charts and CSV export.

use super::charts::{BarChart, DailyChart};
use super::dashboard::agent_table;
use super::load_report;
use crate::domain::Report;
use crate::ui::{encode_query, hours};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let params = use_query_map();
    let range = Memo::new(move |_| {
        let p = params.read();
        (p.get("from"), p.get("to"))
    });
    let report = Resource::new(move || range.get(), |(from, to)| load_report(from, to));
    view! {
        <Title text="Reports"/>
        <h1>"Reports"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <RangeForm report=r.clone()/><ReportBody r=r/> }.into_any(),
                    Err(e) => view! {
                        <RangeForm report=no_report()/>
                        <p class="form-error" role="alert">{e.message}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn no_report() -> Option<Report> {
    None
}

#[component]
fn RangeForm(#[prop(into)] report: Option<Report>) -> impl IntoView {
    let (from, to) = report.map(|r| (r.from.to_string(), r.to.to_string())).unwrap_or_default();
    let csv = format!("/api/admin/reports/export.csv?from={}&to={}", encode_query(&from), encode_query(&to));
    view! {
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Report range">
            <div class="field"><label for="report-from">"From"</label><input id="report-from" type="date" name="from" value=from/></div>
            <div class="field"><label for="report-to">"To"</label><input id="report-to" type="date" name="to" value=to/></div>
            <button type="submit" class="primary">"Show report"</button>
            <a class="button" href=csv download="report.csv">"Download report (CSV)"</a>
        </Form>
    }
}

#[component]
fn ReportBody(r: Report) -> impl IntoView {
    let s = &r.by_status;
    let statuses = vec![
        ("open".to_string(), s.open),
        ("in-progress".to_string(), s.in_progress),
        ("on-hold".to_string(), s.on_hold),
        ("closed".to_string(), s.closed),
    ];
    let compliance = r.sla_compliance().map(|p| format!("{p:.1} %")).unwrap_or_else(|| "—".into());
    view! {
        <dl class="stats">
            <div class="stat"><dt>"Tickets opened"</dt><dd data-testid="report-total">{r.total}</dd></div>
            <div class="stat"><dt>"Avg. resolution"</dt><dd>{hours(r.avg_resolution_hours)}</dd></div>
            <div class="stat"><dt>"SLA compliance"</dt><dd data-testid="sla-compliance">{compliance}</dd></div>
            <div class="stat"><dt>"Closed in range"</dt><dd>{r.sla_closed}</dd></div>
        </dl>
        <DailyChart days=r.per_day.clone()/>
        <div class="chart-grid">
            <BarChart id="chart-status" title="By status" rows=statuses/>
            <BarChart id="chart-priority" title="By priority" rows=r.by_priority.clone()/>
            <BarChart id="chart-category" title="By category" rows=r.by_category.clone()/>
        </div>
        {agent_table(r.agents, None)}
    }
}
