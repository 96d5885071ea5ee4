//! One synthetic ticket and its history at a time, for `helpdesk seed`.

use super::vocab::{Rng, Writer, Zipf};
use crate::domain::{Priority, SlaHours};
use chrono::{DateTime, SecondsFormat, Utc};

pub const DAY: i64 = 86_400;

pub struct Ticket {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: &'static str,
    pub status: &'static str,
    pub assigned_to: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub resolution_notes: Option<String>,
    pub due_at: i64,
    pub version: i64,
}

pub struct Event {
    pub ticket_id: i64,
    pub actor_id: i64,
    pub kind: &'static str,
    pub detail: String,
    pub internal: bool,
    pub created_at: String,
}

/// A stored timestamp, exactly as sqlx encodes a whole-second `DateTime<Utc>`.
pub fn ts(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Makes tickets with their history: created over the last two years in id order, most old
/// ones closed, agents and requesters chosen with a skew (agent1 and user1 are the busiest).
pub struct Generator {
    pub writer: Writer,
    pub rng: Rng,
    pub users: Vec<i64>,
    pub user_zipf: Zipf,
    pub agents: Vec<(i64, String)>,
    pub agent_zipf: Zipf,
    pub admin: i64,
    pub categories: Vec<String>,
    pub sla: SlaHours,
    pub first_id: i64,
    pub count: u64,
    pub now: i64,
}

impl Generator {
    pub fn ticket(&mut self, i: u64, events: &mut Vec<Event>) -> Ticket {
        let rng = &mut self.rng;
        let (start, latest) = (self.now - 730 * DAY, self.now - 60);
        let created = start + ((i as f64 + rng.unit()) / self.count as f64 * (latest - 1800 - start) as f64) as i64;
        let priority = match rng.unit() {
            u if u < 0.3 => Priority::Low,
            u if u < 0.7 => Priority::Medium,
            u if u < 0.92 => Priority::High,
            _ => Priority::Critical,
        };
        let sla_secs = 3600 * self.sla.for_priority(priority);
        // Most tickets are resolved within about their SLA, some well after it; one whose
        // resolution time has not yet passed is still being worked on.
        let u = rng.unit();
        let resolved_at = created + 120 + (sla_secs as f64 * (0.05 + 1.6 * u * u)) as i64;
        let closed = !self.agents.is_empty()
            && resolved_at <= latest
            && rng.chance(if self.now - created > 30 * DAY { 0.93 } else { 0.75 });
        let status = match (closed, rng.below(5)) {
            (true, _) => "closed",
            _ if self.agents.is_empty() => "open",
            (false, 0 | 1) => "open",
            (false, 2 | 3) => "in-progress",
            _ => "on-hold",
        };
        let requester = self.users[self.user_zipf.sample(rng)];
        let agent = (!self.agents.is_empty() && (status != "open" || rng.chance(0.5)))
            .then(|| self.agents[self.agent_zipf.sample(rng)].clone());
        let end = if closed { resolved_at } else { latest.min(created + 14 * DAY) };
        let id = self.first_id + i as i64;
        let at = |rng: &mut Rng, from: f64, to: f64| {
            ts(created + ((end - created) as f64 * (from + (to - from) * rng.unit())) as i64)
        };
        let first_event = events.len();
        let mut push = |actor_id, kind, detail: String, internal, created_at| {
            events.push(Event { ticket_id: id, actor_id, kind, detail, internal, created_at })
        };
        let printer = rng.chance(1.0 / 3.0);
        let (title, description) = self.writer.ticket(rng, printer);
        push(requester, "created", String::new(), false, ts(created));
        let mut resolution = None;
        if let Some((agent_id, name)) = &agent {
            push(self.admin, "assigned", name.clone(), false, at(rng, 0.02, 0.1));
            if status == "open" && rng.chance(0.3) {
                push(*agent_id, "reply", self.writer.reply(rng), false, at(rng, 0.25, 0.45));
            }
        }
        if let (Some((agent_id, _)), true) = (&agent, status != "open") {
            push(*agent_id, "status", "open → in-progress".into(), false, at(rng, 0.1, 0.25));
            if rng.chance(0.7) {
                push(*agent_id, "reply", self.writer.reply(rng), false, at(rng, 0.25, 0.45));
            }
            if rng.chance(0.4) {
                push(*agent_id, "note", self.writer.note(rng), true, at(rng, 0.45, 0.55));
            }
            if rng.chance(0.4) {
                push(requester, "reply", self.writer.user_reply(rng), false, at(rng, 0.55, 0.7));
            }
            if status == "on-hold" || (closed && rng.chance(0.15)) {
                push(*agent_id, "status", "in-progress → on-hold".into(), false, at(rng, 0.7, 0.85));
            }
            if closed {
                let notes = self.writer.resolution(rng);
                push(*agent_id, "closed", notes.clone(), false, ts(end));
                resolution = Some(notes);
            }
        }
        let history = &events[first_event..];
        Ticket {
            id,
            user_id: requester,
            title,
            description,
            category: self.rng.pick(&self.categories).clone(),
            priority: priority.as_str(),
            status,
            assigned_to: agent.map(|(id, _)| id),
            created_at: ts(created),
            updated_at: history.iter().map(|e| &e.created_at).max().cloned().unwrap_or_else(|| ts(created)),
            closed_at: closed.then(|| ts(end)),
            resolution_notes: resolution,
            due_at: created + sla_secs,
            version: 1 + history.iter().filter(|e| matches!(e.kind, "assigned" | "status" | "closed")).count() as i64,
        }
    }
}
