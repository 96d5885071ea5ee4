//! A change's history on both backends: its entries land in the order given, the change
//! reports the state it wrote, and the conversation (what the answer to every change shows)
//! is read apart from the rest of the history.

use super::contract_tests::{stores, ticket, with_people};
use super::*;
use crate::domain::{EventKind, TicketState, TicketStatus};

#[tokio::test]
async fn a_change_writes_its_entries_in_order_and_the_conversation_is_read_apart_from_the_history() {
    for store in stores("conversation").await {
        let kind = store.kind();
        let (requester, agent, _) = with_people(&store).await;
        let id = ticket(&store, requester, "Talked about").await;
        let entry = |kind, detail: &str, internal| NewEvent { kind, detail: detail.into(), internal };
        let mut c = store.changes().await.unwrap();
        let assign = TicketUpdate { assigned_to: Some(agent), ..Default::default() };
        assert!(c.update(id, None, agent, &assign, &[entry(EventKind::Assigned, "Agent", false)]).await.unwrap(), "{kind:?}");
        // One change, three entries: a status change with a reply and an internal note.
        let hold = TicketUpdate { status: Some(TicketStatus::OnHold), ..Default::default() };
        let entries = [
            entry(EventKind::Status, "on-hold", false),
            entry(EventKind::Reply, "Waiting for the part.", false),
            entry(EventKind::Note, "Ordered it.", true),
        ];
        assert!(c.update(id, None, agent, &hold, &entries).await.unwrap(), "{kind:?}");
        let changed = c.commit().await.unwrap();
        let after: Vec<Option<TicketState>> = changed.iter().map(|c| c.after).collect();
        let (assigned, held) = (TicketState { status: TicketStatus::Open, assignee: Some(agent) }, TicketState { status: TicketStatus::OnHold, assignee: Some(agent) });
        assert_eq!(after, [Some(assigned), Some(held)], "{kind:?}: each change reports the state it wrote");

        let read = |events: Vec<crate::domain::TicketEvent>| events.into_iter().map(|e| (e.kind, e.detail)).collect::<Vec<_>>();
        let history = read(store.ticket_events(id, true).await.unwrap());
        let kinds: Vec<EventKind> = history.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [EventKind::Created, EventKind::Assigned, EventKind::Status, EventKind::Reply, EventKind::Note], "{kind:?}");
        let staff = read(store.ticket_conversation(id, true).await.unwrap());
        let reply = (EventKind::Reply, "Waiting for the part.".to_string());
        assert_eq!(staff, [reply.clone(), (EventKind::Note, "Ordered it.".to_string())], "{kind:?}: the staff's conversation");
        assert_eq!(read(store.ticket_conversation(id, false).await.unwrap()), [reply], "{kind:?}: the requester's, without the note");
    }
}
