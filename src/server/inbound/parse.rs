//! One raw RFC 822 mail, read with mail-parser (any charset; an HTML-only mail becomes plain
//! text, never markup) into what the help desk decides by: who sent it, to which addresses,
//! what it refers to, whether a machine sent it, and its text.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The mail's Message-ID, or for a mail without one a digest of its bytes (so the same
    /// mail taken twice is still one).
    pub message_id: String,
    /// The sender's address, lower case.
    pub from: Option<String>,
    pub from_name: String,
    /// Every address it was sent to (To, Cc, Delivered-To, X-Original-To), lower case.
    pub recipients: Vec<String>,
    pub subject: String,
    /// The ids it answers (In-Reply-To, then References).
    pub refers_to: Vec<String>,
    /// Why a machine sent it, if one did (then nothing answers it).
    pub automatic: Option<String>,
    /// The text (an HTML-only mail's text), as sent.
    pub text: String,
    /// The names of its attachments and inline images.
    pub attachments: Vec<String>,
    /// Message-IDs of mails it carries inside (a delivery report quotes the mail it reports on).
    pub quoted_ids: Vec<String>,
}

fn addresses(address: Option<&Address<'_>>) -> Vec<String> {
    let Some(address) = address else { return Vec::new() };
    address.iter().filter_map(|a| a.address()).map(|a| a.trim().to_ascii_lowercase()).collect()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.trim().to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Why a machine sent this mail, if one did: RFC 3834's `Auto-Submitted`, the bulk and list
/// markers, loop markers, mailer daemons, delivery reports and our own mail coming back.
fn automatic(message: &mail_parser::Message<'_>, from: Option<&str>, message_id: &str, our_domain: &str) -> Option<String> {
    let raw = |name: &str| message.header_raw(name).map(|v| v.trim().to_string());
    if let Some(value) = raw("Auto-Submitted") {
        let kind = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if kind != "no" {
            return Some(format!("Auto-Submitted: {kind}"));
        }
    }
    if let Some(value) = raw("Precedence") {
        let value = value.to_ascii_lowercase();
        if ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str()) {
            return Some(format!("Precedence: {value}"));
        }
    }
    for header in ["X-Loop", "List-Id", "X-Autoreply", "X-Autorespond"] {
        if raw(header).is_some() {
            return Some(format!("{header} is set"));
        }
    }
    if let Some(from) = from {
        let local = from.split('@').next().unwrap_or("");
        if ["mailer-daemon", "postmaster", "noreply", "no-reply"].contains(&local) {
            return Some(format!("sent by {local}"));
        }
    }
    if message.content_type().is_some_and(|c| c.ctype().eq_ignore_ascii_case("multipart") && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))) {
        return Some("a delivery report".into());
    }
    if message_id.rsplit('@').next().is_some_and(|domain| domain.eq_ignore_ascii_case(our_domain)) {
        return Some("one of our own mails".into());
    }
    None
}

/// The mail, or `None` when the bytes are not a mail at all.
pub fn parse(raw: &[u8], our_domain: &str) -> Option<Incoming> {
    let message = MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let message_id = match message.message_id().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => id.to_string(),
        None => format!("sha256:{}", crate::server::security::hex(&Sha256::digest(raw))),
    };
    let from_address = message.from().and_then(|a| a.first());
    let from = from_address.and_then(|a| a.address()).map(|a| a.trim().to_ascii_lowercase());
    let from_name = from_address.and_then(|a| a.name()).map(str::to_string).unwrap_or_default();
    let mut recipients = addresses(message.to());
    recipients.extend(addresses(message.cc()));
    for header in ["Delivered-To", "X-Original-To"] {
        if let Some(value) = message.header_raw(header) {
            recipients.extend(value.split(',').map(|a| a.trim().trim_matches(['<', '>']).to_ascii_lowercase()));
        }
    }
    let mut refers_to = ids(message.in_reply_to());
    refers_to.extend(ids(message.references()));
    let automatic = automatic(&message, from.as_deref(), &message_id, our_domain);
    let mut text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let flowed = message.text_part(0).and_then(|p| p.content_type()).filter(|c| c.attribute("format").is_some_and(|f| f.eq_ignore_ascii_case("flowed")));
    if let Some(kind) = flowed {
        text = super::flowed::unflow(&text, kind.attribute("delsp").is_some_and(|d| d.eq_ignore_ascii_case("yes")));
    }
    let attachments = message
        .attachments()
        .map(|part| part.attachment_name().map(str::to_string).unwrap_or_else(|| "(unnamed)".into()))
        .collect();
    // Below the mail's own header block: the `Message-ID:` lines of the mails it quotes.
    let raw_text = String::from_utf8_lossy(raw);
    let body_start = raw_text.find("\r\n\r\n").or_else(|| raw_text.find("\n\n")).unwrap_or(raw_text.len());
    let quoted_ids = raw_text[body_start..]
        .lines()
        .filter_map(|l| l.get(..11).filter(|h| h.eq_ignore_ascii_case("message-id:")).map(|_| l[11..].trim()))
        .map(|id| id.trim_matches(['<', '>']).to_string())
        .filter(|id| !id.is_empty())
        .take(5)
        .collect();
    Some(Incoming {
        message_id,
        quoted_ids,
        from,
        from_name,
        recipients,
        subject: message.subject().unwrap_or("").trim().to_string(),
        refers_to,
        automatic,
        text,
        attachments,
    })
}

/// The ticket number a subject names (`[#123]`), if any.
pub fn ticket_in_subject(subject: &str) -> Option<i64> {
    let start = subject.find("[#")? + 2;
    let digits: String = subject[start..].chars().take_while(char::is_ascii_digit).collect();
    subject[start + digits.len()..].starts_with(']').then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_names_a_ticket_only_in_brackets() {
        assert_eq!(ticket_in_subject("Re: [#123] Printer"), Some(123));
        assert_eq!(ticket_in_subject("AW: Re: [#7]"), Some(7));
        assert_eq!(ticket_in_subject("Ticket #123"), None);
        assert_eq!(ticket_in_subject("[#12a] x"), None);
        assert_eq!(ticket_in_subject("[#] x"), None);
        assert_eq!(ticket_in_subject("[#99999999999999999999] x"), None);
    }
}
