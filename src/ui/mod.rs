//! Building blocks shared by the pages: form fields, notices, the signed-in layout and guard.

mod forms;
mod layout;
mod live;
mod pager;

pub use forms::{options_html, Field, FormError, Loaded, Notice, SelectField, SubmitButton, TextAreaField};
pub use layout::{AccessDenied, NotFound, RequireRole};
pub use live::{settled, use_live, LiveCursor, LiveFeed};
pub use pager::Pager;

/// A timestamp as people read it (UTC), inside a machine-readable `<time>`.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! { <time datetime=at.to_rfc3339()>{format!("{} UTC", minute_text(at))}</time> }
}

/// `2026-12-06 19:05`: a time to the minute, as the pages write it. Written out from its fields
/// rather than with chrono's `format`, whose strftime parser and writer would otherwise be in
/// the client every page loads (about 30 KB before optimisation).
pub fn minute_text(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!("{} {:02}:{:02}", day_text(at), at.hour(), at.minute())
}

/// `2026-12-06`: the day of a time (UTC).
pub fn day_text(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// An average resolution time as the pages show it: `12.3 h`, or `—` when nothing is resolved.
pub fn hours(h: Option<f64>) -> String {
    h.map(|h| format!("{h:.1} h")).unwrap_or_else(|| "—".into())
}

/// The text of the document's `<title>`: the page's title, then the product's name. Every
/// `<Title>` goes through this formatter (set once, in `App`).
pub fn document_title(page: String) -> String {
    verbatim_safe(if page.is_empty() { "Help Desk".to_string() } else { format!("{page} · Help Desk") })
}

/// Text for the places where the framework writes a string into server-rendered HTML without
/// escaping it: leptos_meta 0.8's `<title>` and the children of a `<textarea>` (tachys marks
/// textarea children as not to be escaped). A ticket titled `</title><script>…` or described
/// as `</textarea><img onerror=…>` would otherwise become markup. Escaped on the server only:
/// in the browser the text becomes `document.title` or a DOM text node, both plain text, and
/// escaping there would show `&lt;` to the reader.
pub fn verbatim_safe(text: String) -> String {
    if cfg!(feature = "ssr") { escape_html(&text) } else { text }
}

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a URL query component.
pub fn encode_query(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where to go after signing in: the requested local page, else the role's home.
/// Anything that could leave the site is ignored: `//host`, `https:…`, `/\host`, and paths with
/// whitespace or control characters, which browsers strip (`/<TAB>/host` becomes `//host`).
pub fn landing(next: Option<&str>, role: crate::domain::Role) -> String {
    let local = |path: &&str| {
        path.starts_with('/') && !path.starts_with("//") && !path.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    match next.filter(local) {
        Some(path) => path.to_string(),
        None => role.home().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn sign_in_returns_to_local_pages_only() {
        assert_eq!(landing(Some("/profile"), Role::User), "/profile");
        assert_eq!(landing(None, Role::Agent), "/agent");
        assert_eq!(landing(Some(""), Role::Admin), "/admin");
        assert_eq!(landing(Some("//evil.example"), Role::User), "/user");
        assert_eq!(landing(Some("https://evil.example"), Role::User), "/user");
        assert_eq!(landing(Some("/\\evil.example"), Role::User), "/user");
        for sneaky in ["/\t/evil.example", "/\n/evil.example", "/ /evil.example", "/x\\..\\\\evil", "/\u{0}/evil"] {
            assert_eq!(landing(Some(sneaky), Role::User), "/user", "{sneaky:?}");
        }
        assert_eq!(landing(Some("/tickets/5?x=1"), Role::User), "/tickets/5?x=1");
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape_html(r#"</title><script>x('1' && "2")</script>"#),
            "&lt;/title&gt;&lt;script&gt;x(&#39;1&#39; &amp;&amp; &quot;2&quot;)&lt;/script&gt;"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_renders_the_document_title_escaped() {
        assert_eq!(document_title(String::new()), "Help Desk");
        assert_eq!(document_title("#5 </title><b>".into()), "#5 &lt;/title&gt;&lt;b&gt; · Help Desk");
    }

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode_query("/admin?x=1&y=2"), "/admin%3Fx%3D1%26y%3D2");
    }

    #[test]
    fn times_read_as_chrono_would_write_them() {
        use chrono::TimeZone;
        for (y, mo, d, h, mi) in [(2026, 12, 6, 19, 5), (1999, 1, 31, 0, 0), (2024, 2, 29, 23, 59), (987, 10, 1, 9, 7)] {
            let at = chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, 42).unwrap();
            assert_eq!(minute_text(at), at.format("%Y-%m-%d %H:%M").to_string());
            assert_eq!(day_text(at), at.format("%Y-%m-%d").to_string());
        }
    }
}
