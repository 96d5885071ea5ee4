//! Mail in: one raw message becomes a reply on the right ticket, a new ticket, or a record of
//! why neither, and every mail is recorded with that outcome and its reason.
//!
//! A mail is a reply when it carries a valid reply token of its sender, or names one of our
//! mails (`In-Reply-To`/`References`) or a ticket in its subject (`[#N]`) and comes from that
//! ticket's requester. Anyone else who mentions a ticket gets a ticket of their own that says
//! which one it mentioned: a sender never replies in another's name, and staff act by mail only
//! through their own reply token, never by `From` alone. The same Message-ID is taken once;
//! mail a machine sent is recorded and left alone, so nothing answers an autoresponder.

use crate::domain::{may_see, works_on, EventKind, Priority, Role, TicketStatus};
use crate::error::AppError;
use crate::server::inbound::parse::{self, Incoming};
use crate::server::inbound::quotes;
use crate::server::notify::reply_token;
use crate::server::security::{hash_password, random_token};
use crate::server::startup::Core;
use crate::server::store::{Constraint, InboundRecord, NewEvent, NewTicket, NewUser, StoreError, TicketUpdate, UserRecord};

pub use super::inbound_admin::{list, process_again, raw};

/// What was done with a mail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Taken {
    /// created, replied, duplicate, suppressed or rejected.
    #[schema(example = "replied")]
    pub outcome: String,
    pub ticket: Option<i64>,
    #[schema(example = "threaded by reply token")]
    pub reason: String,
}

enum Decision {
    Reply { ticket: i64, person: UserRecord, reason: String },
    New { mentioned: Option<i64>, reason: String },
}

/// Text cut to `max` characters, without control characters (but line breaks, if `multiline`).
fn fit(text: &str, max: usize, multiline: bool) -> String {
    let clean: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control() || (multiline && matches!(c, '\n' | '\t')))
        .map(|c| if c == '\t' && !multiline { ' ' } else { c })
        .collect();
    clean.chars().take(max).collect()
}

/// One mail as it came: its bytes (all of them, or its header when it is too large to take),
/// its size, and the way it came (`api` or `imap`).
struct Received<'a> {
    raw: &'a [u8],
    size: usize,
    source: &'a str,
}

impl Received<'_> {
    fn record(&self, core: &Core, mail: Option<&Incoming>, outcome: &str, ticket: Option<i64>, reason: String) -> InboundRecord {
        InboundRecord {
            message_id: mail.map(|m| m.message_id.clone()).unwrap_or_else(|| format!("unreadable:{}", random_token(8))),
            received_at: chrono::Utc::now().timestamp(),
            source: self.source.to_string(),
            sender: mail.and_then(|m| m.from.clone()).unwrap_or_default(),
            subject: mail.map(|m| fit(&m.subject, 300, false)).unwrap_or_default(),
            outcome: outcome.to_string(),
            ticket_id: ticket,
            reason,
            raw: (self.raw.len() <= core.config.mail.keep_raw_bytes).then(|| self.raw.to_vec()),
            raw_size: self.size as i64,
        }
    }
}

/// A mail too large to take in (`size` bytes; `header` is its header alone): recorded as
/// rejected with what its header says, so an admin sees it and finds it in the mailbox.
pub async fn too_large(core: &Core, header: &[u8], size: usize, source: &str) -> Result<Taken, AppError> {
    let got = Received { raw: header, size, source };
    let mail = parse::parse(header, &core.mail_identity.domain);
    let reason = format!("the mail is {} KB, over the {} KB a mail may have; left in the mailbox", size / 1024, crate::server::http::MAIL_BODY_LIMIT / 1024);
    let r = got.record(core, mail.as_ref(), "rejected", None, reason);
    core.store.record_inbound(&r).await?;
    Ok(Taken { outcome: r.outcome, ticket: None, reason: r.reason })
}

/// Takes in one raw mail (from `source`: `api` or `imap`).
pub async fn take(core: &Core, raw: &[u8], source: &str) -> Result<Taken, AppError> {
    let got = Received { raw, size: raw.len(), source };
    let record = |mail: Option<&Incoming>, outcome: &'static str, ticket: Option<i64>, reason: String| got.record(core, mail, outcome, ticket, reason);
    let Some(mail) = parse::parse(raw, &core.mail_identity.domain) else {
        let r = record(None, "rejected", None, "not a mail message".into());
        core.store.record_inbound(&r).await?;
        return Ok(Taken { outcome: "rejected".into(), ticket: None, reason: r.reason });
    };
    let done = |r: InboundRecord| async move {
        let taken = Taken { outcome: r.outcome.clone(), ticket: r.ticket_id, reason: r.reason.clone() };
        core.store.record_inbound(&r).await.map(|_| taken)
    };
    if let Some((_, ticket)) = core.store.inbound_taken(&mail.message_id).await? {
        return Ok(done(record(Some(&mail), "duplicate", ticket, "this Message-ID was taken in already".into())).await?);
    }
    if let Some(why) = &mail.automatic {
        // A delivery report about one of our mails is kept with that mail's ticket.
        let about = core.store.sent_mail_of(&mail.quoted_ids).await?.map(|(ticket, _)| ticket);
        let reason = match about {
            Some(ticket) => format!("suppressed: {why}, about our mail on #{ticket}"),
            None => format!("suppressed: {why}"),
        };
        return Ok(done(record(Some(&mail), "suppressed", about, reason)).await?);
    }
    let Some(sender) = mail.from.clone() else {
        return Ok(done(record(Some(&mail), "rejected", None, "the mail names no sender address".into())).await?);
    };
    let decision = decide(core, &mail, &sender).await?;
    // Each mail that becomes a ticket or reply counts against its sender's hourly budget of
    // notifications: past it, the mail is still taken in, and tells nobody.
    let now = chrono::Utc::now().timestamp();
    let hits = core.store.throttle_hit(&format!("mail-in:{sender}"), 3600, now).await?;
    let tell = hits.count <= i64::from(core.config.mail.notices_per_sender_hour);
    let quiet = |reason: String| if tell { reason } else { format!("{reason}; tells nobody: this sender's mails this hour are past mail.notices_per_sender_hour") };
    let result = match decision {
        Decision::Reply { ticket, person, reason } => {
            let r = record(Some(&mail), "replied", Some(ticket), quiet(reason));
            reply(core, &mail, ticket, person, r, tell).await
        }
        Decision::New { mentioned, reason } => {
            let requester = match core.store.user_by_email(&sender).await? {
                Some(user) if user.profile.is_active => user,
                Some(_) => {
                    let reason = format!("{reason}; but the sender's account is deactivated");
                    return Ok(done(record(Some(&mail), "rejected", None, reason)).await?);
                }
                None if core.config.mail.unknown_senders_create => new_account(core, &mail, &sender).await?,
                None => {
                    let reason = format!("{reason}; but the sender has no account (mail.unknown_senders is ignore)");
                    return Ok(done(record(Some(&mail), "rejected", None, reason)).await?);
                }
            };
            let r = record(Some(&mail), "created", None, quiet(reason));
            create(core, &mail, requester, mentioned, r, tell).await
        }
    };
    match result {
        // Another copy of this mail was taken in meanwhile (fetched twice, two addresses).
        Err(StoreError::Conflict(Constraint::InboundOnce)) => {
            let ticket = core.store.inbound_taken(&mail.message_id).await?.and_then(|(_, t)| t);
            Ok(done(record(Some(&mail), "duplicate", ticket, "this Message-ID was taken in already".into())).await?)
        }
        other => Ok(other??),
    }
}

/// Which ticket the mail answers, and as whom; or that it opens a ticket of its own.
async fn decide(core: &Core, mail: &Incoming, sender: &str) -> Result<Decision, AppError> {
    let now = chrono::Utc::now();
    // 1. A reply token of the sender's own.
    let token = mail.recipients.iter().filter_map(|a| reply_token::token_in(a)).find_map(|t| reply_token::read(&core.mail_key, t));
    if let Some((ticket_id, user_id)) = token {
        let person = core.store.user_by_id(user_id).await?.filter(|p| p.profile.is_active);
        let ticket = core.store.ticket(ticket_id, now).await?;
        return Ok(match (person, ticket) {
            (Some(person), Some(ticket)) if person.profile.email.eq_ignore_ascii_case(sender) => {
                let p = &person.profile;
                let on_ticket = p.id == ticket.user_id || works_on(p.role, p.id, ticket.assigned_to);
                if !on_ticket || !may_see(p.role, p.id, ticket.user_id, ticket.assigned_to) {
                    Decision::New { mentioned: Some(ticket_id), reason: format!("new ticket: {sender} no longer works on #{ticket_id}") }
                } else if ticket.status == TicketStatus::Closed {
                    Decision::New { mentioned: Some(ticket_id), reason: format!("new ticket: #{ticket_id} is closed") }
                } else {
                    Decision::Reply { ticket: ticket_id, person, reason: "threaded by reply token".into() }
                }
            }
            (_, Some(_)) => Decision::New {
                mentioned: Some(ticket_id),
                reason: format!("new ticket: the reply address of #{ticket_id} was given to someone else than {sender}"),
            },
            (_, None) => Decision::New { mentioned: None, reason: format!("new ticket: #{ticket_id} no longer exists") },
        });
    }
    // 2. One of our mails in In-Reply-To/References, or 3. [#N] in the subject: only from the
    // ticket's requester.
    let thread_prefix = "ticket-";
    let thread_suffix = format!("@{}", core.mail_identity.domain);
    let by_thread = mail.refers_to.iter().find_map(|id| {
        let id = id.trim_matches(['<', '>']);
        id.strip_prefix(thread_prefix)?.strip_suffix(thread_suffix.as_str())?.parse::<i64>().ok()
    });
    let by_refs = match by_thread {
        Some(t) => Some(t),
        None => core.store.sent_mail_of(&mail.refers_to).await?.map(|(t, _)| t),
    };
    let (mentioned, how) = match (by_refs, parse::ticket_in_subject(&mail.subject)) {
        (Some(t), _) => (t, "In-Reply-To/References"),
        (None, Some(t)) => (t, "its subject"),
        (None, None) => return Ok(Decision::New { mentioned: None, reason: "new ticket".into() }),
    };
    let Some(ticket) = core.store.ticket(mentioned, now).await? else {
        return Ok(Decision::New { mentioned: None, reason: format!("new ticket: #{mentioned} does not exist") });
    };
    let requester = core.store.user_by_id(ticket.user_id).await?.filter(|r| r.profile.is_active);
    Ok(match requester {
        Some(r) if r.profile.email.eq_ignore_ascii_case(sender) && ticket.status != TicketStatus::Closed => {
            Decision::Reply { ticket: mentioned, person: r, reason: format!("threaded by {how}, from the requester") }
        }
        Some(r) if r.profile.email.eq_ignore_ascii_case(sender) => {
            Decision::New { mentioned: Some(mentioned), reason: format!("new ticket: #{mentioned} is closed") }
        }
        _ => Decision::New { mentioned: Some(mentioned), reason: format!("new ticket: {sender} is not on #{mentioned}") },
    })
}

/// Whether a subject says the mail forwards another (`Fwd:`, `FW:`, `WG:`, `TR:`).
fn forwarded(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    ["fwd:", "fw:", "wg:", "tr:"].iter().any(|p| lower.starts_with(p))
}

/// The mail's own text: the reply above the quote (all of a forwarded mail: what it forwards
/// is the point), and its attachments by name.
fn body_of(mail: &Incoming, max: usize) -> String {
    let mut text = if forwarded(&mail.subject) { mail.text.trim().to_string() } else { quotes::reply_text(&mail.text) };
    if !mail.attachments.is_empty() {
        text.push_str(&format!("\n\n(Attachments, kept with the mail: {})", mail.attachments.join(", ")));
    }
    if text.trim().is_empty() {
        text = fit(&mail.subject, max, false);
    }
    fit(&text, max, true)
}

async fn reply(core: &Core, mail: &Incoming, ticket: i64, person: UserRecord, r: InboundRecord, tell: bool) -> Result<Result<Taken, AppError>, StoreError> {
    let text = body_of(mail, crate::domain::NoteText::MAX);
    let events = [NewEvent { kind: EventKind::Reply, detail: if text.is_empty() { "(empty mail)".into() } else { text }, internal: false }];
    let mut changes = core.store.changes().await?;
    super::holding_writer(async {
        if !changes.update(ticket, None, person.profile.id, &TicketUpdate::default(), &events).await? {
            return Ok(Err(AppError::conflict("The ticket was closed or deleted meanwhile.")));
        }
        changes.record_inbound(&r).await?;
        let taken = Taken { outcome: "replied".into(), ticket: Some(ticket), reason: r.reason.clone() };
        Ok(super::commit_telling(core, changes, tell).await.map(|_| taken))
    })
    .await
}

async fn create(
    core: &Core,
    mail: &Incoming,
    requester: UserRecord,
    mentioned: Option<i64>,
    mut r: InboundRecord,
    tell: bool,
) -> Result<Result<Taken, AppError>, StoreError> {
    let settings = core.store.system_settings().await?;
    let mut title = fit(&mail.subject, crate::domain::TicketTitle::MAX, false);
    if title.chars().count() < crate::domain::TicketTitle::MIN {
        title = format!("Mail from {}", requester.profile.name).chars().take(crate::domain::TicketTitle::MAX).collect();
    }
    let mut description = body_of(mail, crate::domain::TicketDescription::MAX - 100);
    if let Some(n) = mentioned {
        description.push_str(&format!("\n\n(This mail mentioned ticket #{n}.)"));
    }
    let category = if settings.categories.iter().any(|c| c == "general") { "general".to_string() } else { settings.categories[0].clone() };
    let priority = Priority::Medium;
    let mut changes = core.store.changes().await?;
    super::holding_writer(async {
        let id = changes
            .create(NewTicket {
                requester: requester.profile.id,
                actor: requester.profile.id,
                title: &title,
                description: &description,
                category: &category,
                priority,
                due_at: settings.sla.due(priority, chrono::Utc::now()).timestamp(),
            })
            .await?;
        r.ticket_id = Some(id);
        changes.record_inbound(&r).await?;
        let taken = Taken { outcome: "created".into(), ticket: Some(id), reason: r.reason.clone() };
        Ok(super::commit_telling(core, changes, tell).await.map(|_| taken))
    })
    .await
}

/// An account for an unknown sender (the setting says so): a user with an unusable random
/// password, who can set one through "forgot password".
async fn new_account(core: &Core, mail: &Incoming, sender: &str) -> Result<UserRecord, AppError> {
    let email = crate::domain::Email::parse(sender)?;
    let name = fit(&mail.from_name, 100, false);
    let name = if name.chars().count() >= 2 { name } else { sender.split('@').next().unwrap_or(sender).to_string() };
    let name = crate::domain::PersonName::parse(&name).or_else(|_| crate::domain::PersonName::parse("Mail sender"))?;
    let hash = hash_password(random_token(24)).await?;
    let new = NewUser { name: name.as_str(), email: email.as_str(), password_hash: &hash, role: Role::User, department: "", phone: "" };
    match core.store.insert_user(new, None).await {
        Ok(user) => Ok(user),
        // Made meanwhile by another copy of a mail from the same sender.
        Err(StoreError::Conflict(Constraint::UserEmail)) => core.store.user_by_email(email.as_str()).await?.ok_or_else(AppError::internal),
        Err(e) => Err(e.into()),
    }
}
