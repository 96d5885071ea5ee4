//! The store contract: every test here is written once and runs against SQLite always and
//! against PostgreSQL whenever `HELPDESK_TEST_POSTGRES_URL` is set (the test command sets it),
//! through the one `Store` the services call, so the two backends cannot differ without a
//! test failing.

use super::*;
use crate::domain::{EventKind, Priority, Role, SystemSettings, TicketScope, TicketStatus};
use crate::server::security::PasswordHash;
use chrono::Utc;

/// A fresh store of each backend under test, named after the test (PostgreSQL schemas must
/// differ between tests running at once).
pub(super) async fn stores(test: &str) -> Vec<Store> {
    let mut stores = vec![Store::connect("sqlite::memory:", 2).await.expect("an in-memory SQLite store")];
    if let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") {
        stores.push(Store::connect_postgres_schema(&url, &format!("c_{test}"), 6).await.expect("a PostgreSQL schema"));
    }
    stores
}

pub(super) fn hash(text: &str) -> PasswordHash {
    PasswordHash::from_stored(text.to_string())
}

pub(super) async fn user(store: &Store, email: &str, role: Role, password_hash: &PasswordHash) -> i64 {
    let new = NewUser { name: "Someone", email, password_hash, role, department: "", phone: "" };
    store.insert_user(new, None).await.expect("a new account").profile.id
}

pub(super) async fn ticket(store: &Store, requester: i64, title: &str) -> i64 {
    let mut c = store.changes().await.unwrap();
    let t = NewTicket { requester, actor: requester, title, description: "d", category: "technical", priority: Priority::High, due_at: 0 };
    let id = c.create(t).await.unwrap();
    c.commit().await.unwrap();
    id
}

fn audit<'a>(detail: &'a str) -> AuditRecord<'a> {
    AuditRecord { actor_id: None, actor_email: "a@x.io", action: "sign-in", target: "a@x.io", detail, ip: "192.0.2.1" }
}

#[tokio::test]
async fn a_throttle_counts_every_hit_in_its_window_and_starts_over_after_it() {
    for store in stores("throttles").await {
        let kind = store.kind();
        let hits: Vec<i64> = futures_util::future::join_all((0..5).map(|_| store.throttle_hit("k", 60, 1000)))
            .await
            .into_iter()
            .map(|h| h.unwrap().count)
            .collect();
        assert_eq!(hits.iter().max(), Some(&5), "{kind:?}: simultaneous hits are each counted: {hits:?}");
        assert_eq!(store.throttle_peek("k", 60, 1059).await.unwrap(), Some(Hits { count: 5, window_start: 1000 }), "{kind:?}");
        assert_eq!(store.throttle_hit("k", 60, 1059).await.unwrap(), Hits { count: 6, window_start: 1000 }, "{kind:?}");
        assert_eq!(store.throttle_peek("k", 60, 1060).await.unwrap(), None, "{kind:?}: the window is over");
        assert_eq!(store.throttle_hit("k", 60, 1060).await.unwrap(), Hits { count: 1, window_start: 1060 }, "{kind:?}");
        store.throttle_clear("k").await.unwrap();
        assert_eq!(store.throttle_peek("k", 60, 1061).await.unwrap(), None, "{kind:?}");
        assert_eq!(store.throttle_hit("other", 60, 1062).await.unwrap().count, 1, "{kind:?}: keys are separate");
    }
}

#[tokio::test]
async fn concurrent_first_starts_agree_on_one_secret() {
    for store in stores("secrets").await {
        let tries = (0..8).map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.secret_or_insert("signing", &format!("candidate-{n}")).await.unwrap() })
        });
        let mut seen: Vec<String> = Vec::new();
        for t in tries {
            seen.push(t.await.unwrap());
        }
        seen.dedup();
        assert_eq!(seen.len(), 1, "{:?}: every start got the same secret: {seen:?}", store.kind());
        assert_eq!(store.secret_or_insert("signing", "later").await.unwrap(), seen[0]);
    }
}

#[tokio::test]
async fn saved_settings_are_read_back_and_move_open_deadlines_only() {
    for store in stores("settings").await {
        let kind = store.kind();
        let requester = user(&store, "r@x.io", Role::User, &hash("h")).await;
        let (open, closed) = (ticket(&store, requester, "Open one").await, ticket(&store, requester, "Closed one").await);
        let mut c = store.changes().await.unwrap();
        let close = TicketUpdate { status: Some(TicketStatus::Closed), closed: Some((Utc::now(), "done".into())), ..Default::default() };
        assert!(c.update(closed, None, requester, &close, &[]).await.unwrap());
        c.commit().await.unwrap();
        let mut changed = store.system_settings().await.unwrap();
        assert_eq!(changed, SystemSettings::default(), "{kind:?}");
        changed.sla.high = 10;
        changed.max_tickets_per_agent = 3;
        store.save_system_settings(&changed, Some(audit("settings"))).await.unwrap();
        assert_eq!(store.system_settings().await.unwrap(), changed, "{kind:?}");
        let now = Utc::now();
        let open = store.ticket(open, now).await.unwrap().unwrap();
        let closed = store.ticket(closed, now).await.unwrap().unwrap();
        let rule = changed.sla.due(Priority::High, open.created_at).timestamp();
        assert_eq!(open.due_at.map(|d| d.timestamp()), Some(rule), "{kind:?}: the open ticket moved, by the domain's rule");
        assert_eq!(closed.due_at.map(|d| d.timestamp()), Some(0), "{kind:?}: the closed one did not");
    }
}

#[tokio::test]
async fn a_session_opens_only_for_the_current_password_of_an_active_account_and_ends_when_idle() {
    for store in stores("sessions").await {
        let kind = store.kind();
        let current = hash("current");
        let id = user(&store, "s@x.io", Role::User, &current).await;
        assert!(!store.open_session("stale", id, &hash("old"), 1000, 5000, None).await.unwrap(), "{kind:?}: an old password");
        assert!(store.open_session("live", id, &current, 1000, 5000, Some(audit("signed in"))).await.unwrap(), "{kind:?}");
        let (record, last_seen) = store.session_user("live", id, 1001, 900).await.unwrap().expect("an open session");
        assert_eq!((record.profile.id, last_seen), (id, 1000), "{kind:?}");
        assert!(store.session_user("live", id, 1001, 1000).await.unwrap().is_none(), "{kind:?}: idle since 1000");
        store.touch_session("live", 1500).await.unwrap();
        store.touch_session("live", 1200).await.unwrap();
        assert_eq!(store.session_user("live", id, 1501, 1000).await.unwrap().map(|s| s.1), Some(1500), "{kind:?}: never back in time");
        assert!(store.session_user("live", id, 5000, 0).await.unwrap().is_none(), "{kind:?}: expired");
        assert!(store.session_user("live", id + 1, 1501, 0).await.unwrap().is_none(), "{kind:?}: another account's id");
        assert!(store.session_user("stale", id, 1001, 0).await.unwrap().is_none(), "{kind:?}");
        store.end_session("live").await.unwrap();
        assert!(store.session_user("live", id, 1501, 0).await.unwrap().is_none(), "{kind:?}: signed out");
        assert_eq!(store.count_rows("sessions").await.unwrap(), 0, "{kind:?}");
        assert!(store.count_rows("tickets; DROP TABLE users").await.is_err(), "{kind:?}: only named tables are counted");
    }
}

#[tokio::test]
async fn a_reset_link_works_once_for_a_live_account_and_a_link_of_nobody_never() {
    for store in stores("passwords").await {
        let kind = store.kind();
        let id = user(&store, "p@x.io", Role::User, &hash("h")).await;
        let now = Utc::now().timestamp();
        store.insert_password_reset(Some(id), "mine", now + 60, None).await.unwrap();
        store.insert_password_reset(None, "nobodys", now + 60, None).await.unwrap();
        store.insert_password_reset(Some(id), "expired", now - 1, None).await.unwrap();
        assert!(store.open_session("s1", id, &hash("h"), now, now + 60, None).await.unwrap());
        for (token, open) in [("mine", true), ("nobodys", false), ("expired", false), ("unknown", false)] {
            assert_eq!(store.reset_link_open(token, now).await.unwrap(), open, "{kind:?} {token}");
        }
        let audit = ("password-reset", "with a mailed link", "192.0.2.1");
        assert_eq!(store.redeem_password_reset("nobodys", &hash("new"), now, audit).await.unwrap(), None, "{kind:?}");
        assert_eq!(store.redeem_password_reset("mine", &hash("new"), now, audit).await.unwrap(), Some(id), "{kind:?}");
        assert_eq!(store.redeem_password_reset("mine", &hash("newer"), now, audit).await.unwrap(), None, "{kind:?}: once");
        assert_eq!(store.user_by_id(id).await.unwrap().unwrap().password_hash.as_str(), "new", "{kind:?}");
        assert!(store.session_user("s1", id, now, 0).await.unwrap().is_none(), "{kind:?}: sessions end with a reset");
        store.insert_password_reset(Some(id), "second", now + 60, None).await.unwrap();
        store.set_password(id, &hash("changed"), now, audit_for(id)).await.unwrap();
        assert!(!store.reset_link_open("second", now).await.unwrap(), "{kind:?}: a password change closes open links");
    }
}

fn audit_for(_id: i64) -> AuditRecord<'static> {
    AuditRecord { actor_id: None, actor_email: "p@x.io", action: "password-changed", target: "p@x.io", detail: "", ip: "" }
}

#[tokio::test]
async fn audit_entries_keep_bounded_text_and_come_back_newest_first() {
    for store in stores("audit").await {
        let kind = store.kind();
        let long = "x".repeat(5_000);
        store.record_audit(audit("first")).await.unwrap();
        store.record_audit(AuditRecord { target: &long, ..audit("second") }).await.unwrap();
        let page = store.audit_page(Some("sign-in"), None, 1, 10).await.unwrap();
        assert_eq!(page.total, 2, "{kind:?}");
        assert_eq!(page.entries[0].detail, "second", "{kind:?}: newest first");
        assert_eq!(page.entries[0].target.chars().count(), shared::sql::AUDIT_TEXT_MAX, "{kind:?}: cut to the bound");
    }
}

/// A store with a requester (returned first) and two agents.
pub(super) async fn with_people(store: &Store) -> (i64, i64, i64) {
    let h = hash("h");
    (user(store, "r@x.io", Role::User, &h).await, user(store, "a@x.io", Role::Agent, &h).await, user(store, "b@x.io", Role::Agent, &h).await)
}

async fn assign(store: Store, ticket: i64, agent: i64, cap: i64, actor: i64) -> bool {
    let mut c = store.changes().await.unwrap();
    let update = TicketUpdate { assigned_to: Some(agent), max_open_for_assignee: Some(cap), ..Default::default() };
    let event = NewEvent { kind: EventKind::Assigned, detail: String::new(), internal: false };
    let done = c.update(ticket, None, actor, &update, &[event]).await.unwrap();
    c.commit().await.unwrap();
    done
}

#[tokio::test]
async fn simultaneous_assignments_never_exceed_the_cap() {
    for store in stores("changes_cap").await {
        let (requester, agent, _) = with_people(&store).await;
        let mut ids = Vec::new();
        for n in 0..6 {
            ids.push(ticket(&store, requester, &format!("Ticket {n}")).await);
        }
        let tries = ids.iter().map(|&id| tokio::spawn(assign(store.clone(), id, agent, 2, requester)));
        let mut done = 0;
        for t in tries {
            done += usize::from(t.await.unwrap());
        }
        assert_eq!(done, 2, "{:?}: exactly the cap's worth of assignments landed", store.kind());
        assert_eq!(store.open_load(agent).await.unwrap(), 2);
        assert!(store.counter_mismatches().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_stale_version_writes_nothing_closed_is_final_and_each_change_is_reported() {
    for store in stores("changes_version").await {
        let kind = store.kind();
        let (requester, agent, _) = with_people(&store).await;
        let id = ticket(&store, requester, "Versioned").await;
        let edit = |title: &str| TicketUpdate { title: Some(title.into()), bump_version: true, ..Default::default() };
        let mut c = store.changes().await.unwrap();
        assert!(c.update(id, Some(1), agent, &edit("First"), &[]).await.unwrap(), "{kind:?}");
        assert!(!c.update(id, Some(1), agent, &edit("Second"), &[]).await.unwrap(), "{kind:?}: version 1 is gone");
        let reply = NewEvent { kind: EventKind::Reply, detail: "On it".into(), internal: false };
        assert!(c.update(id, None, agent, &TicketUpdate::default(), &[reply]).await.unwrap(), "{kind:?}");
        let close = TicketUpdate { status: Some(TicketStatus::Closed), closed: Some((Utc::now(), "done".into())), ..Default::default() };
        assert!(c.update(id, None, agent, &close, &[]).await.unwrap(), "{kind:?}");
        assert!(!c.update(id, None, agent, &edit("Third"), &[]).await.unwrap(), "{kind:?}: a closed ticket stays as it was");
        let changed = c.commit().await.unwrap();
        let shapes: Vec<_> = changed.iter().map(|c| (c.id, c.before.map(|b| b.status), c.after.map(|a| a.status))).collect();
        let (open, closed) = (Some(TicketStatus::Open), Some(TicketStatus::Closed));
        assert_eq!(shapes, vec![(id, open, open), (id, open, open), (id, open, closed)], "{kind:?}");
        let ticket = store.ticket(id, Utc::now()).await.unwrap().unwrap();
        assert_eq!((ticket.title.as_str(), ticket.version, ticket.status), ("First", 2, TicketStatus::Closed), "{kind:?}");
        let history: Vec<EventKind> = store.ticket_events(id, true).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(history, vec![EventKind::Created, EventKind::Reply], "{kind:?}");
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
    }
}

#[tokio::test]
async fn a_dropped_change_leaves_nothing_behind_and_a_deletion_is_committed_whole() {
    for store in stores("changes_rollback").await {
        let kind = store.kind();
        let (requester, _, _) = with_people(&store).await;
        let id = ticket(&store, requester, "Kept").await;
        {
            let mut c = store.changes().await.unwrap();
            assert!(c.delete(id).await.unwrap());
            c.audit(audit("deleted")).await.unwrap();
        }
        assert!(store.ticket(id, Utc::now()).await.unwrap().is_some(), "{kind:?}: not committed, so not deleted");
        assert_eq!(store.audit_page(None, None, 1, 10).await.unwrap().total, 0, "{kind:?}: nor audited");
        let mut c = store.changes().await.unwrap();
        assert!(c.delete(id).await.unwrap());
        c.audit(audit("deleted")).await.unwrap();
        assert_eq!(c.commit().await.unwrap().len(), 1);
        assert!(store.ticket(id, Utc::now()).await.unwrap().is_none(), "{kind:?}");
        assert_eq!(store.audit_page(None, None, 1, 10).await.unwrap().total, 1, "{kind:?}");
        assert_eq!(store.ticket_counts(TicketScope::All).await.unwrap().open, 0, "{kind:?}");
    }
}

#[tokio::test]
async fn the_demo_is_seeded_once_and_new_rows_follow_its_ids() {
    for store in stores("seed").await {
        let kind = store.kind();
        let people = [
            (1, "Sam", "super@example.com", Role::Superadmin),
            (2, "Ann", "admin@example.com", Role::Admin),
            (3, "Alice", "alice@example.com", Role::Agent),
            (4, "Jane", "jane@example.com", Role::User),
            (5, "Bob", "bob@example.com", Role::User),
        ];
        let accounts: Vec<DemoAccount> =
            people.into_iter().map(|(id, name, email, role)| DemoAccount { id, name, email, role, password_hash: hash("h") }).collect();
        let (first, second) = tokio::join!(store.seed_demo(&accounts), store.seed_demo(&accounts));
        assert_eq!([first.unwrap(), second.unwrap()].iter().filter(|seeded| **seeded).count(), 1, "{kind:?}: seeded exactly once");
        assert_eq!(user(&store, "next@example.com", Role::User, &hash("h")).await, accounts.len() as i64 + 1, "{kind:?}");
        assert_eq!(ticket(&store, 4, "After the demo").await, 4, "{kind:?}");
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
    }
}

/// A request its client gives up on can drop a store call anywhere, even while BEGIN is in
/// flight. No connection may go back to the pool inside a transaction nobody knows of: the
/// autocommit writes after it would never commit, and hold their locks.
#[tokio::test]
async fn a_change_given_up_halfway_leaves_no_connection_inside_a_transaction() {
    for store in stores("given_up").await {
        let kind = store.kind();
        for _ in 0..60 {
            // Polled once, then dropped: BEGIN is sent and its answer never awaited.
            let _ = tokio::time::timeout(std::time::Duration::ZERO, store.changes()).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        for n in 1..=20 {
            let hit = tokio::time::timeout(std::time::Duration::from_secs(10), store.throttle_hit("given-up", 600, 1000)).await;
            let hit = hit.unwrap_or_else(|_| panic!("{kind:?}: write {n} waits on a lock nobody releases")).unwrap();
            assert_eq!(hit.count, n, "{kind:?}");
        }
        assert_eq!(store.throttle_peek("given-up", 600, 1001).await.unwrap().map(|h| h.count), Some(20), "{kind:?}: every write committed");
    }
}
