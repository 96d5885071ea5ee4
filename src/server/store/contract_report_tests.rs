//! The store contract for reports kept in memory (`report_memo`): a report is computed once
//! and kept while nothing changes, and every change made through the store, a ticket added
//! beneath it, an agent renamed or added shows in the next report, also after the live events
//! that marked a change were forgotten, on both databases.

use super::contract_tests::{hash, stores, ticket, user};
use super::*;
use crate::domain::{Role, TicketStatus};
use chrono::Utc;

#[tokio::test]
async fn a_report_is_kept_until_a_ticket_or_an_agent_changes() {
    for store in stores("report_memo").await {
        let kind = store.kind();
        let requester = user(&store, "u@x.io", Role::User, &hash("h")).await;
        let agent = user(&store, "a@x.io", Role::Agent, &hash("h")).await;
        let (first, second) = (ticket(&store, requester, "One").await, ticket(&store, requester, "Two").await);
        let today = Utc::now().date_naive();

        let computed = store.report(today, today).await.unwrap();
        assert_eq!((computed.total, computed.by_status.open, computed.agents.len()), (2, 2, 1), "{kind:?}");
        // Damage beneath the store, which no change makes: the kept report does not read it.
        store.execute_raw("UPDATE rollup_created SET n = n + 100").await;
        assert_eq!(store.report(today, today).await.unwrap(), computed, "{kind:?}: kept while nothing changed");
        store.execute_raw("UPDATE rollup_created SET n = n - 100").await;

        let mut c = store.changes().await.unwrap();
        let assign = TicketUpdate { assigned_to: Some(agent), ..Default::default() };
        assert!(c.update(first, None, agent, &assign, &[]).await.unwrap());
        let close = TicketUpdate { status: Some(TicketStatus::Closed), closed: Some((Utc::now(), "done".into())), ..Default::default() };
        assert!(c.update(first, None, agent, &close, &[]).await.unwrap());
        c.commit().await.unwrap();
        let changed = store.report(today, today).await.unwrap();
        assert_eq!((changed.total, changed.by_status.open, changed.by_status.closed, changed.sla_closed), (2, 1, 1, 1), "{kind:?}");
        let figures = |r: &crate::domain::Report| r.agents.iter().map(|a| (a.agent_id, a.agent_name.clone(), a.assigned, a.resolved)).collect::<Vec<_>>();
        assert_eq!(figures(&changed), [(agent, "Someone".to_string(), 1, 1)], "{kind:?}");

        store.update_profile(agent, "Renamed", "", "").await.unwrap();
        assert_eq!(figures(&store.report(today, today).await.unwrap()), [(agent, "Renamed".to_string(), 1, 1)], "{kind:?}");
        let newcomer = user(&store, "b@x.io", Role::Agent, &hash("h")).await;
        let listed = store.report(today, today).await.unwrap();
        assert_eq!(listed.agents.iter().map(|a| (a.agent_id, a.assigned)).collect::<Vec<_>>(), [(agent, 1), (newcomer, 0)], "{kind:?}");

        // After a quiet spell every live event but the newest is forgotten; a change made and
        // then forgotten in turn still shows.
        store.prune_live(i64::MAX).await.unwrap();
        assert_eq!(store.report(today, today).await.unwrap().by_status.closed, 1, "{kind:?}");
        let mut c = store.changes().await.unwrap();
        let close = TicketUpdate { status: Some(TicketStatus::Closed), closed: Some((Utc::now(), "done".into())), ..Default::default() };
        assert!(c.update(second, None, agent, &close, &[]).await.unwrap());
        c.commit().await.unwrap();
        store.prune_live(i64::MAX).await.unwrap();
        assert_eq!(store.report(today, today).await.unwrap().by_status.closed, 2, "{kind:?}: after its event was forgotten");

        // A ticket added as a seed or an import adds it, without a live event.
        store
            .execute_raw(&format!(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
                 VALUES ({requester}, 'Seeded', 'x', 'technical', 'low', 'open', '{now}', '{now}', 0)",
                now = Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ")
            ))
            .await;
        assert_eq!(store.report(today, today).await.unwrap().total, 3, "{kind:?}");
    }
}
