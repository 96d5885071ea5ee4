//! The mailbox to take mail from, read from one URL (`mail.imap_url`):
//! `imaps://user:password@imap.example.com[:993][/Folder]` speaks TLS from the first byte;
//! `imap://…` speaks in the clear and is accepted only for this machine (a password sent in
//! the clear over a network is a password given away).

use crate::server::secret::Secret;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapAccount {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub user: String,
    pub password: Secret<String>,
    /// The folder read (`INBOX` unless the URL names one).
    pub folder: String,
}

fn is_this_machine(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.to_canonical().is_loopback())
}

fn decoded(part: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl ImapAccount {
    /// Reads the URL; the error says what is wrong with it, never what the password is.
    pub fn parse(text: &str) -> Result<ImapAccount, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            other => return Err(format!("the scheme is {other:?}; use imaps:// (or imap:// on this machine)")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("names no server")?.to_string();
        if !tls && !is_this_machine(&host) {
            return Err(format!("imap:// sends the password in the clear; use imaps:// for {host}"));
        }
        let user = decoded(url.username());
        let password = url.password().map(decoded).unwrap_or_default();
        if user.is_empty() || password.is_empty() {
            return Err("needs a user and a password (imaps://user:password@host)".into());
        }
        let folder = decoded(url.path().trim_start_matches('/'));
        Ok(ImapAccount {
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            host: host.trim_matches(['[', ']']).to_string(),
            tls,
            user,
            password: Secret::new(password),
            folder: if folder.is_empty() { "INBOX".into() } else { folder },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_server_account_and_folder_and_refuses_a_password_in_the_clear_over_a_network() {
        let cases: &[(&str, Result<(&str, u16, bool, &str, &str, &str), &str>)] = &[
            ("imaps://help%40example.com:p%40ss+w@imap.example.com", Ok(("imap.example.com", 993, true, "help@example.com", "p@ss+w", "INBOX"))),
            ("imaps://u:p@imap.example.com:1993/Support%20Desk", Ok(("imap.example.com", 1993, true, "u", "p", "Support Desk"))),
            ("imap://u:p@127.0.0.1:1143", Ok(("127.0.0.1", 1143, false, "u", "p", "INBOX"))),
            ("imap://u:p@localhost", Ok(("localhost", 143, false, "u", "p", "INBOX"))),
            ("imap://u:p@[::1]:1143/INBOX", Ok(("::1", 1143, false, "u", "p", "INBOX"))),
            ("imap://u:p@imap.example.com", Err("imap:// sends the password in the clear; use imaps:// for imap.example.com")),
            ("imap://u:p@10.0.0.5", Err("imap:// sends the password in the clear; use imaps:// for 10.0.0.5")),
            ("pop3://u:p@mail.example.com", Err("the scheme is \"pop3\"; use imaps:// (or imap:// on this machine)")),
            ("imaps://imap.example.com", Err("needs a user and a password (imaps://user:password@host)")),
            ("imaps://u@imap.example.com", Err("needs a user and a password (imaps://user:password@host)")),
        ];
        for (text, expected) in cases {
            let got = ImapAccount::parse(text);
            match (got, expected) {
                (Ok(a), Ok((host, port, tls, user, password, folder))) => assert_eq!(
                    (a.host.as_str(), a.port, a.tls, a.user.as_str(), a.password.expose().as_str(), a.folder.as_str()),
                    (*host, *port, *tls, *user, *password, *folder),
                    "{text}"
                ),
                (Err(e), Err(reason)) => assert_eq!(e, *reason, "{text}"),
                (got, _) => panic!("{text}: {got:?}, expected {expected:?}"),
            }
        }
        assert!(ImapAccount::parse("not a url").unwrap_err().starts_with("not a URL"));
        assert!(!format!("{:?}", ImapAccount::parse("imaps://u:hunter2@h").unwrap()).contains("hunter2"), "the password never prints");
    }
}
