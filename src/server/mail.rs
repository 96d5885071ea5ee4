//! Outgoing mail: through SMTP when configured, otherwise as `.eml` files in the outbox folder.

use crate::error::AppError;
use crate::server::settings::MailSettings;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Outbox { dir: PathBuf, from: Mailbox },
}

/// Plain 7-bit text when possible, so links stay intact and clickable in any mail reader;
/// quoted-printable only when the text needs it (e.g. a name with accents).
fn readable_body(text: String) -> Body {
    Body::new_with_encoding(text, ContentTransferEncoding::SevenBit).unwrap_or_else(Body::new)
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("mail.from: {e}"))?;
        Ok(match &settings.smtp_url {
            Some(url) => Mailer::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("mail.smtp_url: {e}"))?
                    .build(),
                from,
            },
            None => Mailer::Outbox { dir: settings.outbox_dir.clone(), from },
        })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), AppError> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().map_err(|_| AppError::invalid("email", "Email is not deliverable."))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(readable_body(body))
            .map_err(|e| {
                tracing::error!(error = %e, "building mail failed");
                AppError::internal()
            })?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(|e| {
                    tracing::error!(error = %e, "SMTP delivery failed");
                    AppError::internal()
                })?;
            }
            Mailer::Outbox { dir, .. } => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    tracing::error!(error = %e, dir = %dir.display(), "cannot create the outbox folder");
                    AppError::internal()
                })?;
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await.map_err(|e| {
                    tracing::error!(error = %e, "writing mail to the outbox failed");
                    AppError::internal()
                })?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), subject, "mail written to the outbox");
            }
        }
        Ok(())
    }
}
