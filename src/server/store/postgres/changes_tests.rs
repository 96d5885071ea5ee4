use super::*;
use crate::domain::Priority;

/// A store in a schema of its own with a requester (1), two agents (2, 3) and `tickets` open
/// tickets of the requester.
async fn store_with_tickets(schema: &str, tickets: usize) -> Option<(Store, Vec<i64>)> {
    let url = std::env::var("HELPDESK_TEST_POSTGRES_URL").ok()?;
    let store = Store::connect_in_new_schema(&url, schema, 6).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES
         (1, 'Requester', 'r@x.io', 'h', 'user', now()), (2, 'Agent A', 'a@x.io', 'h', 'agent', now()),
         (3, 'Agent B', 'b@x.io', 'h', 'agent', now())",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for n in 0..tickets {
        let mut c = store.changes().await.unwrap();
        let title = format!("Ticket {n}");
        let t = NewTicket { requester: 1, actor: 1, title: &title, description: "d", category: "technical", priority: Priority::Low, due_at: 0 };
        ids.push(c.create(t).await.unwrap());
        c.commit().await.unwrap();
    }
    Some((store, ids))
}

async fn assign(store: Store, ticket: i64, agent: i64, cap: i64) -> bool {
    let mut c = store.changes().await.unwrap();
    let update = TicketUpdate { assigned_to: Some(agent), max_open_for_assignee: Some(cap), ..Default::default() };
    let event = NewEvent { kind: EventKind::Assigned, detail: String::new(), internal: false };
    let done = c.update(ticket, None, 1, &update, &[event]).await.unwrap();
    c.commit().await.unwrap();
    done
}

#[tokio::test]
async fn simultaneous_assignments_never_exceed_the_cap() {
    let Some((store, ids)) = store_with_tickets("t_changes_cap", 6).await else { return };
    let tries = ids.iter().map(|&id| tokio::spawn(assign(store.clone(), id, 2, 2)));
    let mut done = 0;
    for t in tries {
        done += usize::from(t.await.unwrap());
    }
    assert_eq!(done, 2, "exactly the cap's worth of assignments landed");
    assert_eq!(store.open_load(2).await.unwrap(), 2);
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_stale_version_writes_nothing_and_closed_is_final() {
    let Some((store, ids)) = store_with_tickets("t_changes_version", 1).await else { return };
    let edit = |title: &str| TicketUpdate { title: Some(title.into()), bump_version: true, ..Default::default() };
    let mut c = store.changes().await.unwrap();
    assert!(c.update(ids[0], Some(1), 1, &edit("First"), &[]).await.unwrap());
    assert!(!c.update(ids[0], Some(1), 1, &edit("Second"), &[]).await.unwrap(), "version 1 is gone");
    let close = TicketUpdate { status: Some(TicketStatus::Closed), closed: Some((Utc::now(), "done".into())), ..Default::default() };
    assert!(c.update(ids[0], None, 1, &close, &[]).await.unwrap());
    assert!(!c.update(ids[0], None, 1, &edit("Third"), &[]).await.unwrap(), "a closed ticket stays as it was");
    let changed = c.commit().await.unwrap();
    assert_eq!(changed.len(), 2);
    let ticket = store.ticket(ids[0], chrono::Utc::now()).await.unwrap().unwrap();
    assert_eq!((ticket.title.as_str(), ticket.version, ticket.status), ("First", 2, TicketStatus::Closed));
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dropped_change_leaves_nothing_behind() {
    let Some((store, ids)) = store_with_tickets("t_changes_rollback", 1).await else { return };
    {
        let mut c = store.changes().await.unwrap();
        assert!(c.delete(ids[0]).await.unwrap());
    }
    assert!(store.ticket(ids[0], chrono::Utc::now()).await.unwrap().is_some(), "not committed, so not deleted");
    assert_eq!(store.ticket_counts(crate::domain::TicketScope::All).await.unwrap().open, 1);
}
