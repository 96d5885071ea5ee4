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

/// Text fit for one header line: line breaks and other control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("mail.from: {e}"))?;
        Ok(match &settings.smtp_url {
            Some(url) => Mailer::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("mail.smtp_url: {e}"))?
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
