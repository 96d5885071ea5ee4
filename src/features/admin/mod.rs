//! The admin's pages: dashboard, all tickets with bulk assignment, reports.

mod charts;
mod dashboard;
mod mail;
mod reports;

pub use dashboard::AdminHome;
pub use mail::InboundMailPage;
pub use reports::ReportsPage;

use crate::domain::{AdminDashboard, AgentChoice, Report};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::admin as service, services::assignment, services::tickets};

/// How many agents the dashboard lists: the busiest (the reports list them all).
pub const DASHBOARD_AGENTS: usize = 10;

/// The dashboard as its page shows it: the busiest agents only, and how many there are.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdminHomeData {
    pub dashboard: AdminDashboard,
    pub agents_total: usize,
}

#[server(prefix = "/rpc", endpoint = "admin/dashboard", output = crate::codec::Json)]
pub async fn load_admin_dashboard() -> Result<AdminHomeData, AppError> {
    rpc::finish(rpc::once_per_render("admin/dashboard".to_string(), || async {
        let core = rpc::core()?;
        let mut dashboard = service::dashboard(&core, &rpc::caller(&core).await?).await?;
        // A help desk of hundreds of agents would otherwise send and draw them all, each time.
        let (agents, agents_total) = crate::domain::busiest(std::mem::take(&mut dashboard.agents), DASHBOARD_AGENTS);
        dashboard.agents = agents;
        Ok(AdminHomeData { dashboard, agents_total })
    })
    .await)
}

/// Sends the waiting mail now and tries mail given up on again; back to the dashboard.
#[server(prefix = "/rpc", endpoint = "admin/mail/retry", output = crate::codec::Json)]
pub async fn retry_mail() -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::retry_mail(&core, &rpc::caller(&core).await?).await?;
        leptos_axum::redirect("/admin?mail=retried");
        Ok(())
    }
    .await)
}

/// Agents with their current load, for assignment choices.
#[server(prefix = "/rpc", endpoint = "admin/agents", output = crate::codec::Json)]
pub async fn admin_agents() -> Result<Vec<AgentChoice>, AppError> {
    rpc::finish(rpc::once_per_render("admin/agents".to_string(), || async {
        let core = rpc::core()?;
        let agents = service::agents(&core, &rpc::caller(&core).await?).await?;
        Ok(agents.into_iter().map(AgentChoice::from).collect())
    })
    .await)
}

/// Assigns (or, with `reassign`, moves) a ticket; an empty agent means the least-loaded one.
#[server(prefix = "/rpc", endpoint = "admin/assign", output = crate::codec::Json)]
pub async fn assign_ticket(id: i64, agent_id: Option<String>, reassign: Option<String>) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let agent = parse_agent(agent_id.as_deref())?;
        match (agent, reassign.is_some()) {
            (Some(agent), false) => assignment::assign(&core, &caller, id, agent).await?,
            (Some(agent), true) => assignment::reassign(&core, &caller, id, agent).await?,
            (None, false) => assignment::assign_least_loaded(&core, &caller, id).await?,
            (None, true) => return Err(AppError::invalid("agent_id", "Choose the agent to reassign the ticket to.")),
        };
        Ok(())
    }
    .await)
}

#[cfg(feature = "ssr")]
fn parse_agent(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty() && *s != "least-loaded") {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| AppError::invalid("agent_id", "Choose an agent from the list.")),
    }
}

/// Assigns every selected ticket; reports how many went through and why others did not.
#[server(prefix = "/rpc", endpoint = "admin/bulk-assign", output = crate::codec::Json)]
pub async fn bulk_assign(ids: Option<Vec<i64>>, agent_id: Option<String>) -> Result<String, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let ids = ids.unwrap_or_default();
        let agent = parse_agent(agent_id.as_deref())?;
        let outcome = assignment::bulk_assign(&core, &caller, &ids, agent).await?;
        let mut summary = format!("Assigned {} of {} selected tickets.", outcome.assigned.len(), outcome.assigned.len() + outcome.refused.len());
        if !outcome.refused.is_empty() {
            let reasons: Vec<String> = outcome.refused.iter().map(|r| format!("#{}: {}", r.id, r.reason)).collect();
            summary.push_str(&format!(" Not assigned: {}", reasons.join(" ")));
        }
        Ok(summary)
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "admin/delete-ticket", output = crate::codec::Json)]
pub async fn delete_ticket(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        tickets::delete(&core, &caller, id, confirm.is_some()).await?;
        leptos_axum::redirect("/admin/tickets?deleted=1");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "admin/report", output = crate::codec::Json)]
pub async fn load_report(from: Option<String>, to: Option<String>) -> Result<Report, AppError> {
    rpc::finish(rpc::once_per_render(format!("admin/report {from:?} {to:?}"), || async {
        let core = rpc::core()?;
        service::report(&core, &rpc::caller(&core).await?, from.as_deref(), to.as_deref()).await
    })
    .await)
}
