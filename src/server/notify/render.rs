//! A notification mail's subject and bodies. Everything a person wrote (titles, replies,
//! names) is hostile: the HTML body escapes it, the subject is reduced to one line by the
//! mailer, and nothing of it is ever a header name or an address.

use crate::domain::{EventKind, NoticeKind};
use crate::ui::escape_html as escape;

/// What one mail says.
pub struct Notice<'a> {
    pub kind: NoticeKind,
    pub ticket_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub actor: &'a str,
    pub recipient: &'a str,
    /// The change's events: kind, internal, detail. Internal ones are never shown.
    pub events: &'a [(EventKind, bool, String)],
    pub ticket_url: &'a str,
    pub profile_url: &'a str,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `[#123] Title`: the same for every mail of a ticket, so mail clients keep one thread.
pub fn subject(ticket_id: i64, title: &str) -> String {
    format!("[#{ticket_id}] {title}")
}

fn headline(n: &Notice<'_>) -> String {
    let (actor, id) = (n.actor, n.ticket_id);
    match n.kind {
        NoticeKind::Reply => format!("{actor} replied on your ticket #{id}."),
        NoticeKind::Status => format!("{actor} changed the status of your ticket #{id}."),
        NoticeKind::Closed => format!("{actor} closed your ticket #{id}."),
        NoticeKind::Assigned => format!("{actor} assigned ticket #{id} to you."),
        NoticeKind::RequesterReply => format!("{actor} replied on ticket #{id}, which you work on."),
        NoticeKind::NewTicket => format!("{actor} raised ticket #{id}."),
    }
}

/// Each public event as a label and its text.
fn blocks<'a>(n: &'a Notice<'a>) -> Vec<(&'static str, &'a str)> {
    n.events
        .iter()
        .filter(|(_, internal, _)| !internal)
        .filter_map(|(kind, _, detail)| {
            let label = match kind {
                EventKind::Created => return Some(("Description", n.description)),
                EventKind::Reply => "Reply",
                EventKind::Status => "Status",
                EventKind::Closed => "Resolution",
                EventKind::Assigned => "Assigned to",
                EventKind::Reassigned => "Reassigned",
                EventKind::Priority => "Priority",
                EventKind::Category => "Category",
                EventKind::Edited => "Edited",
                EventKind::Note => return None,
            };
            Some((label, detail.as_str()))
        })
        .collect()
}

pub fn render(n: &Notice<'_>) -> Rendered {
    let headline = headline(n);
    let blocks = blocks(n);
    let footer = format!(
        "You get this mail because \"{}\" is on in your notification settings. Switch it off on your profile: {}",
        n.kind.label(),
        n.profile_url
    );

    let above = crate::server::inbound::quotes::REPLY_ABOVE;
    let mut text = format!("{above}\r\n\r\nHello {},\r\n\r\n{headline}\r\n\r\n  {}\r\n\r\n", n.recipient, n.title);
    for (label, detail) in &blocks {
        text.push_str(&format!("{label}:\r\n{}\r\n\r\n", detail.replace('\n', "\r\n").replace("\r\r\n", "\r\n")));
    }
    text.push_str(&format!("Open the ticket: {}\r\n\r\n-- \r\n{footer}\r\n", n.ticket_url));

    let mut html = String::from("<!DOCTYPE html><html><body style=\"font-family:sans-serif;color:#1f2937\">");
    html.push_str(&format!("<p style=\"color:#4b5563;font-size:.85em\">{}</p>", escape(above)));
    html.push_str(&format!("<p>Hello {},</p><p>{}</p>", escape(n.recipient), escape(&headline)));
    html.push_str(&format!("<p style=\"font-size:1.1em\"><strong>{}</strong></p>", escape(n.title)));
    for (label, detail) in &blocks {
        html.push_str(&format!(
            "<p><strong>{}</strong></p><div style=\"white-space:pre-wrap;border-left:3px solid #cbd5e1;padding-left:.75em\">{}</div>",
            escape(label),
            escape(detail)
        ));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">Open ticket #{}</a></p><hr><p style=\"color:#4b5563;font-size:.9em\">{}</p></body></html>",
        escape(n.ticket_url),
        n.ticket_id,
        escape(&footer)
    ));
    Rendered { subject: subject(n.ticket_id, n.title), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_in_html_and_internal_notes_never_show() {
        let events = vec![
            (EventKind::Reply, false, "<script>alert(1)</script> & \"quoted\"".to_string()),
            (EventKind::Note, true, "internal: the customer is difficult".to_string()),
            (EventKind::Status, false, "open → in-progress".to_string()),
        ];
        let notice = Notice {
            kind: NoticeKind::Reply,
            ticket_id: 42,
            title: "<img src=x onerror=alert(1)>",
            description: "",
            actor: "Eve <b>",
            recipient: "Bob",
            events: &events,
            ticket_url: "http://127.0.0.1:3000/tickets/42",
            profile_url: "http://127.0.0.1:3000/profile",
        };
        let r = render(&notice);
        assert_eq!(r.subject, "[#42] <img src=x onerror=alert(1)>");
        assert!(!r.html.contains("<script>") && !r.html.contains("<img") && !r.html.contains("<b>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"), "{}", r.html);
        for body in [&r.text, &r.html] {
            assert!(!body.contains("internal: the customer"), "{body}");
            assert!(body.contains("http://127.0.0.1:3000/tickets/42"), "{body}");
            assert!(body.contains("open → in-progress"), "{body}");
        }
        assert!(r.text.contains("Eve <b> replied on your ticket #42."), "{}", r.text);
    }

    #[test]
    fn a_closing_mail_carries_the_resolution_and_a_new_ticket_its_description() {
        let closed = vec![(EventKind::Closed, false, "Replaced the toner.".to_string())];
        let mut n = Notice {
            kind: NoticeKind::Closed,
            ticket_id: 7,
            title: "Printer",
            description: "It prints blank pages.",
            actor: "Agent John",
            recipient: "Jane",
            events: &closed,
            ticket_url: "u",
            profile_url: "p",
        };
        let r = render(&n);
        assert!(r.text.contains("Resolution:\r\nReplaced the toner."), "{}", r.text);
        let created = vec![(EventKind::Created, false, String::new())];
        n.kind = NoticeKind::NewTicket;
        n.events = &created;
        assert!(render(&n).text.contains("Description:\r\nIt prints blank pages."));
    }
}
