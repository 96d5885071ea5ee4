//! Outgoing mail: through SMTP when configured, otherwise as `.eml` files in the outbox folder.
//! Mail leaves through the outbox (`notify::outbox`), which calls `deliver` for each one.

use crate::error::AppError;
use crate::server::config::MailConfig;
use crate::server::store::QueuedMail;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart};
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

/// Text fit for one header line: line breaks and other control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Why a mail was not delivered, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    pub permanent: bool,
    pub message: String,
}

impl DeliveryError {
    fn transient(message: impl Into<String>) -> Self {
        DeliveryError { permanent: false, message: message.into() }
    }
}

impl Mailer {
    pub fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from,
        }
    }

    /// Hands one outbox mail to the SMTP server (or writes it to the outbox folder). `Ok` only
    /// when the server accepted it. Every mail says it was generated automatically
    /// (`Auto-Submitted`, RFC 3834), so well-behaved autoresponders do not answer it, and is
    /// threaded under its ticket (`In-Reply-To`, `References`).
    pub async fn deliver(&self, mail: &QueuedMail) -> Result<(), DeliveryError> {
        let permanent = |message: String| DeliveryError { permanent: true, message };
        let to: Mailbox = mail.to_address.parse().map_err(|e| permanent(format!("not a deliverable address: {e}")))?;
        let mut builder = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(one_line(&mail.subject))
            .message_id(Some(format!("<{}>", one_line(&mail.message_id))))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"), "All".into()));
        if let Some(thread) = &mail.thread_id {
            builder = builder.in_reply_to(format!("<{}>", one_line(thread))).references(format!("<{}>", one_line(thread)));
        }
        if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse::<Mailbox>().ok()) {
            builder = builder.reply_to(reply_to);
        }
        let message = match &mail.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), html.clone())),
            None => builder.header(ContentType::TEXT_PLAIN).body(readable_body(mail.body_text.clone())),
        }
        .map_err(|e| permanent(format!("the mail cannot be built: {e}")))?;
        match self {
            Mailer::Smtp { transport, .. } => transport.send(message).await.map(|_| ()).map_err(|e| DeliveryError {
                permanent: e.is_permanent(),
                message: format!("SMTP: {e}"),
            }),
            Mailer::Outbox { dir, .. } => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| DeliveryError::transient(format!("outbox folder: {e}")))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| DeliveryError::transient(format!("outbox folder: {e}")))
            }
        }
    }

    pub fn new(settings: &MailConfig) -> Result<Mailer, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("mail.from: {e}"))?;
        Ok(match &settings.smtp_url {
            Some(url) => Mailer::Smtp {
                // One pooled connection for each mail the outbox sends at once: an SMTP exchange
                // is mostly waiting (lettre writes a message's end apart from its body and the
                // server acknowledges late), so mails go side by side, not one after another.
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("mail.smtp_url: {e}"))?
                    .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(settings.smtp_connections))
                    .build(),
                from,
            },
            None => Mailer::Outbox { dir: settings.outbox_dir.clone(), from },
        })
    }

    /// Sends one plain-text mail. The subject may carry user text (a ticket title, a name): it is
    /// reduced to one line here, so no caller can add a header by slipping in a line break.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), AppError> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().map_err(|_| AppError::invalid("email", "Email is not deliverable."))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(one_line(subject))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The header block of a written mail (everything before the first empty line).
    fn headers_of(mail: &str) -> Vec<String> {
        mail.split("\r\n\r\n").next().unwrap_or_default().split("\r\n").map(str::to_string).collect()
    }

    #[tokio::test]
    async fn hostile_subjects_and_bodies_cannot_add_headers() {
        let dir = std::env::temp_dir().join(format!("helpdesk-mail-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mailer = Mailer::Outbox { dir: dir.clone(), from: "Help Desk <helpdesk@localhost>".parse().unwrap() };
        let subject = "Printer\r\nBcc: victim@example.com\nX-Evil: 1 </title><script>";
        let body = "Hello =cmd|' /C calc'!A0,\r\n\r\nBcc: victim@example.com\r\n".to_string();
        mailer.send("user@example.com", subject, body).await.expect("the mail is written");
        assert!(mailer.send("a@b.c\r\nBcc: victim@example.com", "x", String::new()).await.is_err());

        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let mail = std::fs::read_to_string(&file).unwrap();
        let headers = headers_of(&mail);
        let names: Vec<&str> = headers.iter().filter(|l| !l.starts_with([' ', '\t'])).filter_map(|l| l.split(':').next()).collect();
        assert!(!names.iter().any(|n| n.eq_ignore_ascii_case("bcc") || n.eq_ignore_ascii_case("x-evil")), "{headers:?}");
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("to")).count(), 1, "{headers:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
