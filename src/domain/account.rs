use super::Role;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who is signed in, as pages and token claims know them. Never holds a password hash.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(with = "crate::domain::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub is_active: bool,
    pub department: String,
    pub phone: String,
}

/// A syntactically valid email address, trimmed and lower-cased (emails are case-insensitive here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid("email", "Email is required."));
        }
        if email.len() > 254 {
            return Err(AppError::invalid("email", "Email must be at most 254 characters."));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(AppError::invalid("email", "Email must be an address like name@example.com."));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy, for registration, reset and change.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// `field` names the input the password came from; `confirm` must repeat it when given.
    pub fn parse(field: &str, raw: &str, confirm: Option<&str>) -> Result<Self, AppError> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(AppError::invalid(field, "Password is required."));
        }
        if chars < Self::MIN {
            return Err(AppError::invalid(
                field,
                format!("Password must be at least {} characters.", Self::MIN),
            ));
        }
        if chars > Self::MAX {
            return Err(AppError::invalid(
                field,
                format!("Password must be at most {} characters.", Self::MAX),
            ));
        }
        if let Some(confirm) = confirm {
            if confirm != raw {
                return Err(AppError::invalid("confirmPassword", "Passwords do not match."));
            }
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// Trimmed text of `min..=max` characters; single-line text admits no control characters,
/// multi-line text admits line breaks and tabs.
pub(crate) fn checked_text(
    field: &str,
    label: &str,
    raw: &str,
    (min, max): (usize, usize),
    multiline: bool,
) -> Result<String, AppError> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars < min {
        return Err(AppError::invalid(field, if min <= 1 {
            format!("{label} is required.")
        } else {
            format!("{label} must be at least {min} characters.")
        }));
    }
    if chars > max {
        return Err(AppError::invalid(field, format!("{label} must be at most {max} characters.")));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !text.chars().all(allowed) {
        return Err(AppError::invalid(field, format!("{label} must not contain control characters.")));
    }
    Ok(text.to_string())
}

fn bounded_text(field: &str, label: &str, raw: &str, min: usize, max: usize) -> Result<String, AppError> {
    checked_text(field, label, raw, (min, max), false)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        bounded_text("name", "Name", raw, 1, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional phone number: digits and the usual separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let phone = bounded_text("phone", "Phone", raw, 0, 30)?;
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if !phone.chars().all(allowed) {
            return Err(AppError::invalid(
                "phone",
                "Phone may contain only digits, spaces and + - ( ) .",
            ));
        }
        Ok(Self(phone))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional department name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department(String);

impl Department {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        bounded_text("department", "Department", raw, 0, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  John@Example.COM ").unwrap().as_str(), "john@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected_naming_the_field() {
        for bad in ["", "   ", "john", "john@", "@example.com", "john@example", "jo hn@example.com", "a@b@c.com", "john@.com"] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("email"), "{bad:?}");
        }
    }

    #[test]
    fn passwords_follow_the_length_policy() {
        assert!(NewPassword::parse("password", "short", None).is_err());
        assert!(NewPassword::parse("password", &"x".repeat(129), None).is_err());
        assert!(NewPassword::parse("password", "long enough", None).is_ok());
        let err = NewPassword::parse("password", "long enough", Some("different")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("confirmPassword"));
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let pw = NewPassword::parse("password", "secret-value", None).unwrap();
        assert!(!format!("{pw:?}").contains("secret"));
    }

    #[test]
    fn names_phones_and_departments_are_bounded() {
        assert!(PersonName::parse("  ").is_err());
        assert!(PersonName::parse(&"n".repeat(101)).is_err());
        assert_eq!(PersonName::parse(" Ada ").unwrap().as_str(), "Ada");
        assert!(Phone::parse("+1 (555) 010-2000").is_ok());
        assert!(Phone::parse("").is_ok());
        assert_eq!(Phone::parse("call me").unwrap_err().field.as_deref(), Some("phone"));
        assert!(Department::parse("").is_ok());
        assert!(Department::parse(&"d".repeat(101)).is_err());
    }
}
