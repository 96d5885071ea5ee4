//! Telling people what happened: each committed ticket change writes its notification mails
//! to the outbox in its own transaction (`enqueue`, called by `services::commit`), and the
//! outbox worker sends them (`outbox`).

pub mod outbox;
pub mod render;
pub mod reply_token;

use crate::domain::{kind_to_send, notices, Audience, ChangeFacts, EventKind, NoticeKind};
use crate::error::AppError;
use crate::server::security::random_token;
use crate::server::startup::Core;
use crate::server::store::{ChangeRecord, Changes, MailPerson, NewMail};

/// Where a mail's ids and reply addresses live: the domain of the sender's address, and the
/// address replies come to.
#[derive(Debug, Clone)]
pub struct MailIdentity {
    pub domain: String,
    pub reply_base: String,
}

impl MailIdentity {
    /// From the configured sender (`Help Desk <helpdesk@example.com>`) and reply address
    /// (empty: the sender's).
    pub fn new(from: &lettre::message::Mailbox, reply_to: Option<&str>) -> MailIdentity {
        let base = reply_to.map(str::to_string).unwrap_or_else(|| from.email.to_string());
        MailIdentity { domain: from.email.domain().to_string(), reply_base: base }
    }

    /// A new Message-ID (without brackets) for a mail about `ticket`.
    pub fn message_id(&self, ticket: Option<i64>) -> String {
        match ticket {
            Some(t) => format!("{}.t{t}@{}", random_token(12), self.domain),
            None => format!("{}@{}", random_token(12), self.domain),
        }
    }

    /// The id every mail of a ticket refers to, so mail clients keep them in one thread.
    pub fn thread_id(&self, ticket: i64) -> String {
        format!("ticket-{ticket}@{}", self.domain)
    }
}

/// Writes the notification mails of every change in `changes` to the outbox, in its
/// transaction. Returns how many were written.
pub async fn enqueue(core: &Core, changes: &mut Changes) -> Result<usize, AppError> {
    let records: Vec<ChangeRecord> = changes.records().to_vec();
    let mut written = 0;
    for record in &records {
        let flags: Vec<(EventKind, bool)> = record.events.iter().map(|(k, internal, _)| (*k, *internal)).collect();
        let facts = ChangeFacts { actor: record.actor, requester: record.requester, assignee: record.assignee, events: &flags };
        let mut planned = notices(&facts);
        planned.retain(|(audience, _)| *audience != Audience::Admins || core.config.mail.notify_admins);
        if planned.is_empty() {
            continue;
        }
        // Who gets which mail, first: the ticket's text is read only when someone still has
        // that kind switched on. The people and the actor (whose name the mails give) are
        // read together, in one statement.
        let mut wanted: Vec<(i64, Vec<NoticeKind>)> = Vec::new();
        for (audience, kinds) in planned {
            let people = match audience {
                Audience::Person(id) => vec![id],
                Audience::Admins => changes.admin_ids().await?,
            };
            wanted.extend(people.into_iter().filter(|id| *id != record.actor).map(|id| (id, kinds.clone())));
        }
        if wanted.is_empty() {
            continue;
        }
        let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).chain([record.actor]).collect();
        let people = changes.mail_people(&ids).await?;
        let mut sends: Vec<(MailPerson, NoticeKind)> = Vec::new();
        for (id, kinds) in &wanted {
            let Some(person) = people.iter().find(|p| p.id == *id && p.active) else { continue };
            let off: Vec<NoticeKind> = person.opted_out.iter().filter_map(|k| NoticeKind::parse(k)).collect();
            if let Some(kind) = kind_to_send(kinds, &off) {
                sends.push((person.clone(), kind));
            }
        }
        if sends.is_empty() {
            continue;
        }
        let Some((title, description)) = changes.ticket_text(record.id).await? else { continue };
        let actor = people.iter().find(|p| p.id == record.actor).map(|p| p.name.clone()).unwrap_or_else(|| "Someone".to_string());
        for (person, kind) in sends {
            let mail = compose(core, record, &person, kind, &title, &description, &actor);
            changes.queue_mail(&mail).await?;
            written += 1;
        }
    }
    Ok(written)
}

fn compose(
    core: &Core,
    record: &ChangeRecord,
    person: &MailPerson,
    kind: NoticeKind,
    title: &str,
    description: &str,
    actor: &str,
) -> NewMail {
    let base = core.config.public_url.trim_end_matches('/');
    let ticket_url = format!("{base}/tickets/{}", record.id);
    let profile_url = format!("{base}/profile");
    let rendered = render::render(&render::Notice {
        kind,
        ticket_id: record.id,
        title,
        description,
        actor,
        recipient: &person.name,
        events: &record.events,
        ticket_url: &ticket_url,
        profile_url: &profile_url,
    });
    let identity = &core.mail_identity;
    let token = reply_token::token(&core.mail_key, record.id, person.id);
    NewMail {
        kind: kind.as_str().to_string(),
        ticket_id: Some(record.id),
        recipient_id: Some(person.id),
        to: person.email.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        message_id: identity.message_id(Some(record.id)),
        thread_id: Some(identity.thread_id(record.id)),
        reply_to: Some(reply_token::address(&identity.reply_base, &token)),
    }
}
