//! Building blocks shared by the pages: form fields, notices, the signed-in layout and guard.

mod forms;
mod layout;
mod pager;

pub use forms::{Field, FormError, Loaded, Notice, SelectField, SubmitButton, TextAreaField};
pub use layout::{AccessDenied, NotFound, RequireRole};
pub use pager::Pager;

/// A timestamp as people read it (UTC), inside a machine-readable `<time>`.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! { <time datetime=at.to_rfc3339()>{at.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
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
/// Anything that could leave the site (`//host`, `https:…`, `/\host`) is ignored.
pub fn landing(next: Option<&str>, role: crate::domain::Role) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") => path.to_string(),
        _ => role.home().to_string(),
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
    }

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode_query("/admin?x=1&y=2"), "/admin%3Fx%3D1%26y%3D2");
    }
}
