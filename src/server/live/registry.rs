//! The open streams of this instance, by who may hear what: every admin's stream, and each
//! other person's streams by their id. The pump hands an event only to the streams the one
//! visibility rule lets hear of it (the admins, its requester, its assignee before and after),
//! so a change wakes those streams and no other: 2 000 requesters' open pages cost a change
//! nothing but a lookup.

use super::Published;
use crate::domain::Role;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Events waiting for one stream; a stream this far behind is told to reload.
const QUEUED: usize = 256;

struct Entry {
    id: u64,
    role: Role,
    caller: i64,
    sender: mpsc::Sender<Arc<Published>>,
    /// Set when an event did not fit: the stream tells its page to fetch again.
    lagged: Arc<AtomicBool>,
}

#[derive(Default)]
struct Streams {
    next_id: u64,
    /// Admins' and super admins' streams: they hear of every ticket.
    admins: Vec<Entry>,
    /// Everyone else's, by person.
    people: HashMap<i64, Vec<Entry>>,
}

#[derive(Default)]
pub struct Registry {
    streams: Mutex<Streams>,
    open: AtomicI64,
}

/// One stream's place in the registry: what it receives, and its removal when dropped.
pub struct Subscription {
    pub events: mpsc::Receiver<Arc<Published>>,
    pub lagged: Arc<AtomicBool>,
    /// The newest event id handed out when the stream joined: it hears of every later one.
    pub cursor: i64,
    registry: Arc<Registry>,
    id: u64,
    role: Role,
    caller: i64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.registry.remove(self.id, self.role, self.caller);
    }
}

fn is_admin(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Superadmin)
}

impl Registry {
    /// Adds a stream of `caller`, reading `cursor` under the same lock the pump hands events
    /// out under: the stream has every event after the cursor it is given.
    pub fn subscribe(self: &Arc<Self>, role: Role, caller: i64, cursor: &AtomicI64) -> Subscription {
        let (sender, events) = mpsc::channel(QUEUED);
        let lagged = Arc::new(AtomicBool::new(false));
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.next_id += 1;
        let id = streams.next_id;
        let entry = Entry { id, role, caller, sender, lagged: lagged.clone() };
        if is_admin(role) {
            streams.admins.push(entry);
        } else {
            streams.people.entry(caller).or_default().push(entry);
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        let cursor = cursor.load(Ordering::Acquire);
        drop(streams);
        Subscription { events, lagged, cursor, registry: self.clone(), id, role, caller }
    }

    fn remove(&self, id: u64, role: Role, caller: i64) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if is_admin(role) {
            streams.admins.retain(|e| e.id != id);
        } else if let Some(list) = streams.people.get_mut(&caller) {
            list.retain(|e| e.id != id);
            if list.is_empty() {
                streams.people.remove(&caller);
            }
        }
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    /// How many streams are open in this instance.
    pub fn open(&self) -> i64 {
        self.open.load(Ordering::Relaxed)
    }

    /// Where the pump starts: streams that join hear of what comes after `at`.
    pub fn start_at(&self, at: i64, cursor: &AtomicI64) {
        let _streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        cursor.store(at, Ordering::Release);
    }

    /// Hands each event to the streams that may hear of it, then moves `cursor` past them,
    /// under one lock (see `subscribe`).
    pub fn dispatch(&self, events: Vec<Published>, cursor: &AtomicI64) {
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        for published in events {
            let published = Arc::new(published);
            let record = &published.record;
            let give = |entry: &Entry| {
                let wanted = record.may_receive(entry.role, entry.caller) || record.concerns_account(entry.caller);
                if wanted && entry.sender.try_send(published.clone()).is_err() {
                    entry.lagged.store(true, Ordering::Release);
                }
            };
            streams.admins.iter().for_each(give);
            let mut people = vec![record.requester];
            people.extend(record.assignee);
            people.extend(record.assignee_before);
            people.sort_unstable();
            people.dedup();
            for person in people {
                if let Some(list) = streams.people.get(&person) {
                    list.iter().for_each(give);
                }
            }
            cursor.store(record.id, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LiveKind, LiveRecord, TicketStatus};

    fn event(id: i64, requester: i64, assignee: Option<i64>, staff_only: bool) -> Published {
        Published::of(LiveRecord {
            id,
            at: 0,
            ticket: 100 + id,
            kind: if staff_only { LiveKind::Note } else { LiveKind::Reply },
            requester,
            assignee,
            assignee_before: None,
            status: Some(TicketStatus::Open),
            staff_only,
        })
    }

    fn ids(sub: &mut Subscription) -> Vec<i64> {
        let mut got = Vec::new();
        while let Ok(p) = sub.events.try_recv() {
            got.push(p.record.id);
        }
        got
    }

    #[test]
    fn each_event_reaches_only_the_streams_that_may_hear_of_it() {
        let registry = Arc::new(Registry::default());
        let cursor = AtomicI64::new(0);
        let (mut admin, mut requester, mut other, mut agent, mut other_agent) = (
            registry.subscribe(Role::Admin, 1, &cursor),
            registry.subscribe(Role::User, 10, &cursor),
            registry.subscribe(Role::User, 11, &cursor),
            registry.subscribe(Role::Agent, 20, &cursor),
            registry.subscribe(Role::Agent, 21, &cursor),
        );
        assert_eq!(registry.open(), 5);
        registry.dispatch(vec![event(1, 10, Some(20), false), event(2, 10, Some(20), true), event(3, 11, None, false)], &cursor);
        assert_eq!(cursor.load(Ordering::Acquire), 3);
        assert_eq!(ids(&mut admin), vec![1, 2, 3]);
        assert_eq!(ids(&mut requester), vec![1], "the requester hears of the reply, not the note");
        assert_eq!(ids(&mut other), vec![3]);
        assert_eq!(ids(&mut agent), vec![1, 2]);
        assert_eq!(ids(&mut other_agent), Vec::<i64>::new());
        // A stream that joins now starts after what was handed out.
        let late = registry.subscribe(Role::User, 10, &cursor);
        assert_eq!(late.cursor, 3);
        drop((admin, late));
        assert_eq!(registry.open(), 4);
    }

    #[test]
    fn news_of_an_account_reaches_that_accounts_streams_only() {
        let registry = Arc::new(Registry::default());
        let cursor = AtomicI64::new(0);
        let (mut admin, mut other_admin, mut user, mut other_user) = (
            registry.subscribe(Role::Admin, 1, &cursor),
            registry.subscribe(Role::Admin, 2, &cursor),
            registry.subscribe(Role::User, 10, &cursor),
            registry.subscribe(Role::User, 11, &cursor),
        );
        let account = |id, user| {
            Published::of(LiveRecord { id, at: 0, ticket: 0, kind: LiveKind::Account, requester: user, assignee: None, assignee_before: None, status: None, staff_only: true })
        };
        registry.dispatch(vec![account(1, 10), account(2, 1)], &cursor);
        assert_eq!((ids(&mut user), ids(&mut other_user)), (vec![1], vec![]));
        assert_eq!((ids(&mut admin), ids(&mut other_admin)), (vec![2], vec![]), "admins hear of every ticket, not of every account");
    }

    #[test]
    fn a_stream_that_falls_behind_is_marked_to_reload() {
        let registry = Arc::new(Registry::default());
        let cursor = AtomicI64::new(0);
        let mut slow = registry.subscribe(Role::Admin, 1, &cursor);
        registry.dispatch((1..=QUEUED as i64 + 1).map(|id| event(id, 10, None, false)).collect(), &cursor);
        assert!(slow.lagged.load(Ordering::Acquire));
        assert_eq!(ids(&mut slow).len(), QUEUED);
    }
}
