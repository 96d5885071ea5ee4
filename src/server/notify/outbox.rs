//! The outbox worker: sends what the changes wrote to the outbox. It claims due mail in
//! batches (each for a lease, so instances never take the same mail and a dead one's mail is
//! taken again after it), hands each to the mail server, and records the attempt: sent only
//! once the server accepted it; otherwise tried again later, with a growing pause, until the
//! server refuses it for good or it has been tried `MAX_ATTEMPTS` times.

use crate::server::mail::DeliveryError;
use crate::server::startup::Core;
use crate::server::store::{MailOutcome, QueuedMail};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// How long a claimed mail is left to its sender: longer than an SMTP exchange may take
/// (lettre's timeout is a minute), so a mail is taken again only when its sender is gone.
pub const LEASE_SECS: i64 = 300;
/// Mails claimed at once; `mail.smtp_connections` of them are sent at once.
const BATCH: i64 = 256;
/// How often the outbox is looked at when nothing wakes the worker (mail written by another
/// instance, retries coming due).
const POLL: Duration = Duration::from_secs(5);
/// The pause before each claim, in which the mails of the changes committing meanwhile join
/// the batch. Claiming and recording a batch are two writes, made with the one writer on
/// SQLite: claimed as each change woke the worker, every notified change cost three more
/// writes (the claim, the record, and a claim finding nothing) beside its own.
const GATHER: Duration = Duration::from_millis(100);
/// After this many attempts a mail is given up (about half a day of trying).
pub const MAX_ATTEMPTS: i64 = 12;

/// The pause before attempt `attempts + 1`: 30 s, doubling, at most 4 hours.
pub fn retry_delay_secs(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(1, 20).saturating_sub(1)).min(4 * 3600)
}

/// What an attempt's result means for the mail.
pub fn outcome(result: Result<(), DeliveryError>, attempts: i64, now: i64) -> MailOutcome {
    match result {
        Ok(()) => MailOutcome::Sent,
        Err(e) if e.permanent => MailOutcome::GiveUp { error: e.message },
        Err(e) if attempts >= MAX_ATTEMPTS => {
            MailOutcome::GiveUp { error: format!("{} (gave up after {attempts} attempts)", e.message) }
        }
        Err(e) => MailOutcome::Retry { error: e.message, at: now + retry_delay_secs(attempts) },
    }
}

/// Runs while the core lives (it holds the core weakly: a test's app that is dropped takes its
/// worker with it).
pub fn spawn(core: &Arc<Core>) -> tokio::task::JoinHandle<()> {
    let (weak, wake) = (Arc::downgrade(core), core.mail_wake.clone());
    tokio::spawn(async move {
        loop {
            // Armed before looking, so a wake-up that comes while sending is not lost.
            let woken = wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let Some(core) = weak.upgrade() else { return };
            let sent = match send_due(&core).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: reading due mail failed");
                    0
                }
            };
            drop(core);
            if sent == 0 {
                let _ = tokio::time::timeout(POLL, woken).await;
            }
            tokio::time::sleep(GATHER).await;
        }
    })
}

/// Claims one batch of due mail and sends it; returns how many mails were attempted. The
/// attempts are recorded together once the batch is done (one commit): a sender that dies
/// before leaves the batch to be taken again after its lease, so a mail may go twice, never
/// not at all.
pub async fn send_due(core: &Core) -> Result<usize, crate::server::store::StoreError> {
    let now = chrono::Utc::now().timestamp();
    let batch = core.store.claim_mail(now, LEASE_SECS, BATCH).await?;
    let attempted = batch.len();
    let outcomes: Vec<(i64, MailOutcome)> =
        futures_util::stream::iter(batch).map(|mail| send_one(core, mail)).buffer_unordered(core.config.mail.smtp_connections as usize).collect().await;
    if !outcomes.is_empty() {
        if let Err(e) = core.store.mails_attempted(chrono::Utc::now().timestamp(), &outcomes).await {
            // The leases run out and the mails are tried again: sent twice at worst, never lost.
            tracing::error!(error = %e, mails = outcomes.len(), "outbox: recording attempts failed");
        }
    }
    Ok(attempted)
}

async fn send_one(core: &Core, mail: QueuedMail) -> (i64, MailOutcome) {
    let result = core.mailer.deliver(&mail).await;
    let now = chrono::Utc::now().timestamp();
    let outcome = outcome(result, mail.attempts, now);
    match &outcome {
        MailOutcome::Sent => {
            metrics::counter!("mail_sent_total").increment(1);
            tracing::info!(mail_id = mail.id, kind = mail.kind, ticket_id = mail.ticket_id, "mail sent");
        }
        MailOutcome::Retry { error, at } => {
            tracing::warn!(mail_id = mail.id, attempts = mail.attempts, error, retry_in = at - now, "mail not sent; will retry")
        }
        MailOutcome::GiveUp { error } => {
            metrics::counter!("mail_failed_total").increment(1);
            tracing::error!(mail_id = mail.id, attempts = mail.attempts, error, "mail given up")
        }
    }
    (mail.id, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_result_becomes_sent_a_later_retry_or_given_up() {
        let transient = || Err(DeliveryError { permanent: false, message: "421 try later".into() });
        assert_eq!(outcome(Ok(()), 1, 1000), MailOutcome::Sent);
        assert_eq!(outcome(transient(), 1, 1000), MailOutcome::Retry { error: "421 try later".into(), at: 1030 });
        assert_eq!(outcome(transient(), 2, 1000), MailOutcome::Retry { error: "421 try later".into(), at: 1060 });
        assert!(matches!(outcome(transient(), MAX_ATTEMPTS, 1000), MailOutcome::GiveUp { .. }));
        let refused = Err(DeliveryError { permanent: true, message: "550 no such user".into() });
        assert_eq!(outcome(refused, 1, 1000), MailOutcome::GiveUp { error: "550 no such user".into() });
    }

    #[test]
    fn the_pause_grows_and_is_bounded() {
        let pauses: Vec<i64> = (1..=MAX_ATTEMPTS).map(retry_delay_secs).collect();
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]), "{pauses:?}");
        assert_eq!(pauses[0], 30);
        assert_eq!(*pauses.last().unwrap(), 4 * 3600);
        let total: i64 = pauses[..(MAX_ATTEMPTS - 1) as usize].iter().sum();
        assert!((12 * 3600..48 * 3600).contains(&total), "tried for {total} s before giving up");
    }
}
