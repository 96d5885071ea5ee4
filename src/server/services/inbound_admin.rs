//! The admin's view of mail taken in: the list with each mail's outcome and reason, the raw
//! message, and taking a kept mail in again.

use super::admin::admin;
use super::inbound::{take, Taken};
use crate::domain::{InboundMail, InboundPage};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;

/// The newest mails taken in, 50 a page, before the id `before`; and the id to ask for next.
pub async fn list(core: &Core, caller: &CurrentUser, before: Option<i64>) -> Result<InboundPage, AppError> {
    admin(caller)?;
    const PAGE: i64 = 50;
    let rows = core.store.inbound_page(before, PAGE + 1).await?;
    let next = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].id);
    let mails = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| InboundMail {
            id: r.id,
            message_id: r.message_id,
            received_at: chrono::DateTime::from_timestamp(r.received_at, 0).unwrap_or_default(),
            source: r.source,
            sender: r.sender,
            subject: r.subject,
            outcome: r.outcome,
            ticket: r.ticket_id,
            reason: r.reason,
            raw_size: r.raw_size,
            raw_kept: r.raw_kept,
        })
        .collect();
    Ok(InboundPage { mails, next })
}

/// The raw message of a mail taken in, if it was kept.
pub async fn raw(core: &Core, caller: &CurrentUser, id: i64) -> Result<Vec<u8>, AppError> {
    admin(caller)?;
    core.store.inbound_raw(id).await?.ok_or_else(|| AppError::not_found("No raw message is kept for this mail"))
}

/// Takes a kept mail in again (after a setting changed, say): a mail that became a ticket or a
/// reply stays that (`duplicate`).
pub async fn process_again(core: &Core, caller: &CurrentUser, id: i64) -> Result<Taken, AppError> {
    let raw = raw(core, caller, id).await?;
    tracing::info!(user_id = caller.id, inbound_id = id, "mail processed again by an admin");
    take(core, &raw, "again").await
}
