//! The dashboards' reads. On SQLite each question is a call into the process's page cache and
//! they run side by side; PostgreSQL asks them in turn on one connection (see
//! `postgres::dashboards`).

use super::{Backend, Store};
use crate::domain::{AdminDashboard, HomeSummary, SuperDashboard, TicketScope};
use crate::server::store::StoreError;
use chrono::{DateTime, Utc};

impl Store {
    /// A scope's counts, overdue tickets and `recent` tickets updated last; with `agent_stats`
    /// and an agent's queue, that agent's own figures.
    pub async fn home_summary(&self, scope: TicketScope, agent_stats: bool, recent: i64, now: DateTime<Utc>) -> Result<HomeSummary, StoreError> {
        if let Backend::Postgres(s) = &self.backend {
            return s.home_summary(scope, agent_stats, recent, now).await.map_err(|e| e.during("store.home_summary"));
        }
        let agent = async {
            match (agent_stats, scope) {
                (true, TicketScope::AssignedTo(id)) => self.agent_stats(id).await.map(Some),
                _ => Ok(None),
            }
        };
        let (counts, overdue, recent, agent) = tokio::try_join!(
            self.ticket_counts(scope),
            self.overdue_count(scope, now),
            self.recent_tickets(scope, recent, now),
            agent
        )?;
        Ok(HomeSummary { counts, overdue, recent, agent })
    }

    /// The admin's overview: counts, unassigned and overdue tickets, every agent's figures and
    /// the `recent` tickets updated last.
    pub async fn admin_overview(&self, recent: i64, now: DateTime<Utc>) -> Result<AdminDashboard, StoreError> {
        if let Backend::Postgres(s) = &self.backend {
            return s.admin_overview(recent, now).await.map_err(|e| e.during("store.admin_overview"));
        }
        let (counts, (unassigned, overdue), agents, recent) = tokio::try_join!(
            self.ticket_counts(TicketScope::All),
            self.unassigned_and_overdue(now),
            self.agent_performance(None),
            self.recent_tickets(TicketScope::All, recent, now),
        )?;
        Ok(AdminDashboard { counts, unassigned, overdue, agents, recent, mail: Default::default() })
    }

    /// The super admin's overview: accounts by role, ticket counts, the `recent` newest
    /// accounts and tickets updated last.
    pub async fn super_overview(&self, recent: i64, now: DateTime<Utc>) -> Result<SuperDashboard, StoreError> {
        if let Backend::Postgres(s) = &self.backend {
            return s.super_overview(recent, now).await.map_err(|e| e.during("store.super_overview"));
        }
        let (by_role, counts, recent_users, recent_tickets) = tokio::try_join!(
            self.role_counts(),
            self.ticket_counts(TicketScope::All),
            self.recent_users(recent),
            self.recent_tickets(TicketScope::All, recent, now),
        )?;
        Ok(SuperDashboard::new(by_role, &counts, recent_users, recent_tickets))
    }
}
