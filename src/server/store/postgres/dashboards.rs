//! The dashboards' reads, each on one connection. A dashboard asks four or five small
//! questions; on a connection each of its own, every question also costs taking a connection
//! from the pool and sqlx's check of it on return (a round trip), more than the question.

use super::counters::{agent_stats_in, agent_totals_in, counts_in};
use super::tickets::{overdue_in, recent_in};
use super::shared::{role_counts_in, user_page_in};
use super::Store;
use crate::domain::{AdminDashboard, HomeSummary, SuperDashboard, TicketScope};
use crate::server::store::StoreError;
use chrono::{DateTime, Utc};

impl Store {
    /// A scope's counts, overdue tickets and `recent` tickets updated last; with `agent_stats`
    /// and an agent's queue, that agent's own figures.
    #[tracing::instrument(skip_all, name = "store.home_summary")]
    pub async fn home_summary(&self, scope: TicketScope, agent_stats: bool, recent: i64, now: DateTime<Utc>) -> Result<HomeSummary, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let counts = counts_in(&mut conn, scope).await?;
        let overdue = overdue_in(&mut conn, scope, now).await?;
        let agent = match (agent_stats, scope) {
            // The queue's counts are the agent's.
            (true, TicketScope::AssignedTo(id)) => Some(agent_stats_in(&mut conn, id, &counts).await?),
            _ => None,
        };
        let recent = recent_in(&mut conn, scope, recent, now).await?;
        Ok(HomeSummary { counts, overdue, recent, agent })
    }

    /// The admin's overview: counts, unassigned and overdue tickets, every agent's figures and
    /// the `recent` tickets updated last.
    #[tracing::instrument(skip_all, name = "store.admin_overview")]
    pub async fn admin_overview(&self, recent: i64, now: DateTime<Utc>) -> Result<AdminDashboard, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let counts = counts_in(&mut conn, TicketScope::All).await?;
        let unassigned = counts_in(&mut conn, TicketScope::AssignedTo(0)).await?;
        let overdue = overdue_in(&mut conn, TicketScope::All, now).await?;
        let agents = agent_totals_in(&mut conn).await?;
        let recent = recent_in(&mut conn, TicketScope::All, recent, now).await?;
        Ok(AdminDashboard { counts, unassigned: unassigned.total - unassigned.closed, overdue, agents, recent, mail: Default::default() })
    }

    /// The super admin's overview: accounts by role, ticket counts, the `recent` newest
    /// accounts and tickets updated last.
    #[tracing::instrument(skip_all, name = "store.super_overview")]
    pub async fn super_overview(&self, recent: i64, now: DateTime<Utc>) -> Result<SuperDashboard, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let by_role = role_counts_in(&mut conn).await?;
        let counts = counts_in(&mut conn, TicketScope::All).await?;
        let recent_users = user_page_in(&mut conn, None, None, 1, recent as u32).await?;
        let recent_tickets = recent_in(&mut conn, TicketScope::All, recent, now).await?;
        Ok(SuperDashboard::new(by_role, &counts, recent_users, recent_tickets))
    }
}
