//! The new text of a reply: what the sender wrote above the quote of our mail. Cut at our
//! "reply above this line" marker, at the quote headers of Gmail, Outlook, Apple Mail and
//! Thunderbird ("On … wrote:", "-----Original Message-----", "From: … Sent: …"), at a
//! signature ("-- ", "Sent from my …"), and without trailing "> " lines. The full mail stays
//! kept beside it; when cutting would leave nothing, the whole text is the reply.

/// The line our notification mails start with; a reply is cut where it reappears.
pub const REPLY_ABOVE: &str = "##- Reply above this line to answer on the ticket -##";

fn is_quote_header(line: &str, next: Option<&str>) -> bool {
    let l = line.trim();
    if l.contains(REPLY_ABOVE) || l.contains("Reply above this line") {
        return true;
    }
    // Outlook and Thunderbird separators.
    if l.starts_with("-----Original Message-----") || l.starts_with("-------- Original Message --------") {
        return true;
    }
    if l.len() >= 20 && l.chars().all(|c| c == '_') {
        // Outlook's rule before the quoted header block.
        return true;
    }
    // Outlook's header block without a rule: "From: …" followed by "Sent: …" or "Date: …".
    if l.starts_with("From: ") && next.is_some_and(|n| n.trim_start().starts_with("Sent: ") || n.trim_start().starts_with("Date: ")) {
        return true;
    }
    // Gmail, Apple Mail, Thunderbird: "On <date>, <name> wrote:" (Gmail may wrap it in two).
    if l.starts_with("On ") || l.starts_with("Am ") || l.starts_with("Le ") || l.starts_with("El ") {
        if l.ends_with("wrote:") {
            return true;
        }
        // German, French, Spanish: "Am … schrieb Name <address>:", "Le … a écrit :", "El … escribió:".
        if l.ends_with(':') && [" schrieb", " a écrit", " escribió"].iter().any(|w| l.contains(w)) {
            return true;
        }
        if next.is_some_and(|n| n.trim_end().ends_with("wrote:")) && !l.ends_with('.') {
            return true;
        }
    }
    false
}

fn is_signature(line: &str) -> bool {
    line == "-- " || line == "--" || line.trim_start().starts_with("Sent from my ") || line.trim() == "Get Outlook for iOS"
}

/// The reply's own text, trimmed.
pub fn reply_text(body: &str) -> String {
    let body = body.replace("\r\n", "\n");
    let lines: Vec<&str> = body.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if is_quote_header(line, lines.get(i + 1).copied()) || is_signature(line) {
            end = i;
            break;
        }
    }
    let mut kept: Vec<&str> = lines[..end].to_vec();
    while kept.last().is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('>')) {
        kept.pop();
    }
    let text = kept.join("\n").trim().to_string();
    if !text.is_empty() {
        return text;
    }
    // Nothing above the quote: a reply written below it (Thunderbird's default), or the whole
    // text when there is none either.
    let below = below_the_quote(&lines[end..]);
    if below.is_empty() {
        body.trim().to_string()
    } else {
        below
    }
}

/// What was written under a `>` quote that follows its header line ("On … wrote:"), up to a
/// signature: a bottom-posted reply. Empty when the quote is not `>`-quoted.
fn below_the_quote(lines: &[&str]) -> String {
    let Some(first_quoted) = lines.iter().position(|l| l.trim_start().starts_with('>')) else { return String::new() };
    // The header may be wrapped over two lines; anything else before the quote is not this shape.
    if first_quoted > 2 {
        return String::new();
    }
    let mut kept = Vec::new();
    for line in &lines[first_quoted..] {
        if is_signature(line) {
            break;
        }
        if !line.trim_start().starts_with('>') {
            kept.push(*line);
        }
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quote_formats_of_common_mail_programs_are_cut() {
        let cases: &[(&str, &str)] = &[
            ("gmail", "Thanks, that fixed it.\n\nOn Mon, 7 Dec 2026 at 10:02, Help Desk <support@example.com> wrote:\n> Agent John replied\n> Try again"),
            ("gmail wrapped", "Thanks, that fixed it.\n\nOn Mon, 7 Dec 2026 at 10:02, Help Desk\n<support@example.com> wrote:\n> quoted"),
            ("apple mail", "Thanks, that fixed it.\n\n> On 7 Dec 2026, at 10:02, Help Desk <support@example.com> wrote:\n> \n> quoted"),
            ("thunderbird", "Thanks, that fixed it.\n\nOn 07/12/2026 10:02, Help Desk wrote:\n> quoted"),
            ("outlook", "Thanks, that fixed it.\n\n________________________________\nFrom: Help Desk <support@example.com>\nSent: Monday, December 7, 2026 10:02\nTo: Jane\nSubject: [#12] Printer"),
            ("outlook plain", "Thanks, that fixed it.\r\n\r\n-----Original Message-----\r\nFrom: Help Desk\r\nquoted"),
            ("outlook header block", "Thanks, that fixed it.\n\nFrom: Help Desk <support@example.com>\nSent: Monday\nquoted"),
            ("our marker", "Thanks, that fixed it.\n\n##- Reply above this line to answer on the ticket -##\nHello Jane"),
            ("signature", "Thanks, that fixed it.\n-- \nJane Doe\nACME"),
            ("phone", "Thanks, that fixed it.\n\nSent from my iPhone\n\n> quoted"),
            ("german", "Thanks, that fixed it.\n\nAm 07.12.2026 um 10:02 schrieb Help Desk <support@example.com>:\n> quoted"),
            ("bare quote", "Thanks, that fixed it.\n\n> old text\n> more"),
            ("thunderbird below the quote", "On 07/12/2026 10:02, Help Desk wrote:\n> Please try again now.\n> \n\nThanks, that fixed it.\n\n-- \nJane Doe"),
        ];
        for (client, mail) in cases {
            assert_eq!(reply_text(mail), "Thanks, that fixed it.", "{client}");
        }
    }

    #[test]
    fn text_without_a_quote_is_kept_whole_and_a_reply_that_is_all_quote_keeps_everything() {
        assert_eq!(reply_text("Line one.\n\nLine two, On the other hand.\n"), "Line one.\n\nLine two, On the other hand.");
        assert_eq!(reply_text("> only a quote"), "> only a quote");
        assert_eq!(reply_text("  \n"), "");
        // "On" at the start of an ordinary sentence is not a quote header.
        assert_eq!(reply_text("On Monday it broke again.\nPlease help."), "On Monday it broke again.\nPlease help.");
    }
}
