//! The start-up configuration (`Config`): `Leptos.toml` (or the file named by `HELPDESK_CONFIG`), then
//! `HELPDESK_…` environment variables, which win. Every setting has a default; a bad
//! value stops start-up with a message naming the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use crate::server::secret::Secret;
use crate::server::tracing_setup::LogFormat;

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// Base address used in links sent by mail; `https://…` also marks cookies `Secure`.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client; nobody else's is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub database_url: String,
    pub database_max_connections: u32,
    pub token_ttl_hours: i64,
    /// A session with no request for this many seconds ends (beside the token's lifetime);
    /// set in minutes.
    pub idle_timeout_secs: i64,
    /// HS256 secret; when absent one is generated once and kept in the database.
    pub jwt_secret: Option<Secret<String>>,
    /// Seed the demo accounts and tickets into an empty database.
    pub demo: bool,
    pub mail: MailConfig,
    /// How long (seconds) live events are kept for streams that reconnect.
    pub events_keep_secs: i64,
    pub rate_limit: RateLimitConfig,
    pub bootstrap: BootstrapConfig,
    /// A separate address serving only `/metrics`; when absent `/metrics` is on `addr`.
    pub metrics_addr: Option<SocketAddr>,
    pub log_format: LogFormat,
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// e.g. `smtps://user:pass@smtp.example.com`; when absent mail goes to `outbox_dir`.
    pub smtp_url: Option<Secret<String>>,
    pub from: String,
    pub outbox_dir: PathBuf,
    /// Mails the outbox sends at once, each on a pooled SMTP connection of its own.
    pub smtp_connections: u32,
    /// The address replies come to (each recipient gets it with a signed `+token`); `None`:
    /// the sender's address.
    pub reply_to: Option<String>,
    /// Mail every active admin about each new ticket.
    pub notify_admins: bool,
    /// The bearer secret of `POST /api/mail/inbound`; unset: the endpoint is off.
    pub inbound_secret: Option<Secret<String>>,
    /// A mail from an address with no account opens a ticket for a new account (else it is
    /// recorded and left).
    pub unknown_senders_create: bool,
    /// Raw messages taken in are kept up to this size (bytes), for admins to read.
    pub keep_raw_bytes: usize,
    /// Mails taken in from one sender per hour that may cause notifications; later ones are
    /// taken in and tell nobody (a loop with another machine stops here).
    pub notices_per_sender_hour: u32,
    /// The mailbox mail is taken from; `None`: no IMAP.
    pub imap: Option<crate::server::inbound::imap::ImapAccount>,
    /// How often that mailbox is looked at when its server cannot IDLE.
    pub imap_poll: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// Failed sign-ins per account from one address: the owner elsewhere is never locked out.
    pub failures_per_account: u32,
    pub failures_per_ip: u32,
    /// Registrations, password resets and reset mails per client address.
    pub requests_per_ip: u32,
    pub window_secs: u64,
    /// Failed sign-ins per account from all addresses together; a browser that has signed in
    /// to the account before (its device cookie) is not held by it.
    pub failures_per_account_total: u32,
    /// Successful sign-ins per account: each costs a hash, so one account cannot keep every
    /// hashing slot busy.
    pub sign_ins_per_account: u32,
    /// Sign-ins being checked at once from one address (IPv6: one /64); more wait a second.
    pub sign_ins_in_flight_per_ip: u32,
}

/// The first super admin of a production install on an empty database.
#[derive(Debug, Clone)]
pub struct BootstrapConfig {
    pub admin_email: String,
    pub admin_name: String,
    /// When absent a password is generated and printed once.
    pub admin_password: Option<Secret<String>>,
}

/// One documented setting: its key in the file, its environment variable and default.
pub struct Spec {
    pub key: &'static str,
    pub env: &'static str,
    pub default: &'static str,
    pub about: &'static str,
}

/// Every setting, in the order the README documents them.
pub const SPECS: &[Spec] = &[
    Spec { key: "server.addr", env: "HELPDESK_ADDR", default: "127.0.0.1:3000", about: "address and port to listen on" },
    Spec { key: "server.public_url", env: "HELPDESK_PUBLIC_URL", default: "http://127.0.0.1:3000", about: "base URL for links in mail; https makes cookies Secure" },
    Spec { key: "server.trusted_proxies", env: "HELPDESK_TRUSTED_PROXIES", default: "", about: "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is honoured" },
    Spec { key: "database.url", env: "HELPDESK_DATABASE_URL", default: "sqlite://helpdesk.db", about: "SQLite file (created and migrated at start), sqlite::memory: for a throwaway database, or a postgres:// URL (migrated at start; for several app instances)" },
    Spec { key: "database.max_connections", env: "HELPDESK_DATABASE_MAX_CONNECTIONS", default: "8", about: "reader connections to a SQLite file, or connections to PostgreSQL" },
    Spec { key: "auth.token_ttl_hours", env: "HELPDESK_TOKEN_TTL_HOURS", default: "24", about: "lifetime of a sign-in token" },
    Spec { key: "auth.idle_timeout_minutes", env: "HELPDESK_IDLE_TIMEOUT_MINUTES", default: "120", about: "a session with no request for this long ends" },
    Spec { key: "auth.jwt_secret", env: "HELPDESK_JWT_SECRET", default: "", about: "token signing secret (≥ 32 chars); empty: generated once and stored in the database" },
    Spec { key: "demo.enabled", env: "HELPDESK_DEMO", default: "", about: "seed demo users and tickets into an empty database; empty: on for debug builds, off for release" },
    Spec { key: "mail.smtp_url", env: "HELPDESK_SMTP_URL", default: "", about: "SMTP server URL; empty: write mail as .eml files to the outbox" },
    Spec { key: "mail.smtp_connections", env: "HELPDESK_SMTP_CONNECTIONS", default: "16", about: "mails sent at once, each on an SMTP connection of its own (an exchange is mostly waiting); lower it for a relay that allows fewer connections" },
    Spec { key: "mail.from", env: "HELPDESK_MAIL_FROM", default: "Help Desk <helpdesk@localhost>", about: "sender of outgoing mail" },
    Spec { key: "mail.outbox_dir", env: "HELPDESK_OUTBOX_DIR", default: "outbox", about: "folder for .eml files when no SMTP server is set" },
    Spec { key: "mail.reply_to", env: "HELPDESK_MAIL_REPLY_TO", default: "", about: "the support address replies go to (each recipient gets it as support+<signed token>@…); empty: the sender's address" },
    Spec { key: "mail.notify_admins", env: "HELPDESK_MAIL_NOTIFY_ADMINS", default: "false", about: "mail every admin about each new ticket (each can still switch it off on their profile)" },
    Spec { key: "mail.inbound_secret", env: "HELPDESK_MAIL_INBOUND_SECRET", default: "", about: "bearer secret (≥ 32 characters) of POST /api/mail/inbound, which takes one raw mail from a mail server's pipe; empty: the endpoint is off" },
    Spec { key: "mail.unknown_senders", env: "HELPDESK_MAIL_UNKNOWN_SENDERS", default: "create", about: "a mail from an address without an account: create (an account and its ticket) or ignore (record it only)" },
    Spec { key: "mail.keep_raw_kb", env: "HELPDESK_MAIL_KEEP_RAW_KB", default: "1024", about: "raw mails taken in are kept up to this size, for admins to read" },
    Spec { key: "mail.notices_per_sender_hour", env: "HELPDESK_MAIL_NOTICES_PER_SENDER_HOUR", default: "30", about: "mails taken in from one sender per hour that may cause notification mails; later ones tell nobody" },
    Spec { key: "mail.imap_url", env: "HELPDESK_MAIL_IMAP_URL", default: "", about: "a mailbox to take mail from: imaps://user:password@imap.example.com/INBOX (TLS; port 993 unless given), or imap://… to a server on this machine; unread mail is taken in and marked read once stored; empty: no IMAP" },
    Spec { key: "mail.imap_poll_secs", env: "HELPDESK_MAIL_IMAP_POLL_SECS", default: "60", about: "how often that mailbox is looked at when its server cannot IDLE (with IDLE, new mail is taken at once)" },
    Spec { key: "events.keep_minutes", env: "HELPDESK_EVENTS_KEEP_MINUTES", default: "60", about: "how long ticket changes are kept for event streams that reconnect (GET /api/events with Last-Event-ID); a client gone longer is told to reload" },
    Spec { key: "rate_limit.failures_per_account", env: "HELPDESK_LOGIN_FAILURES_PER_ACCOUNT", default: "5", about: "failed sign-ins allowed per account from one client address per window" },
    Spec { key: "rate_limit.failures_per_ip", env: "HELPDESK_LOGIN_FAILURES_PER_IP", default: "30", about: "failed sign-ins allowed per client address per window" },
    Spec { key: "rate_limit.failures_per_account_total", env: "HELPDESK_LOGIN_FAILURES_PER_ACCOUNT_TOTAL", default: "20", about: "failed sign-ins allowed per account from all addresses per window; a browser that signed in to it before is not held" },
    Spec { key: "rate_limit.sign_ins_per_account", env: "HELPDESK_SIGN_INS_PER_ACCOUNT", default: "60", about: "successful sign-ins allowed per account per window" },
    Spec { key: "rate_limit.sign_ins_in_flight_per_ip", env: "HELPDESK_SIGN_INS_IN_FLIGHT_PER_IP", default: "8", about: "sign-ins checked at once from one client address (IPv6: per /64); more are asked to retry in a second" },
    Spec { key: "rate_limit.requests_per_ip", env: "HELPDESK_REQUESTS_PER_IP", default: "20", about: "registrations, password resets and reset mails allowed per client address per window" },
    Spec { key: "rate_limit.window_secs", env: "HELPDESK_LOGIN_WINDOW_SECS", default: "900", about: "length of the rate-limit window in seconds" },
    Spec { key: "bootstrap.admin_email", env: "HELPDESK_ADMIN_EMAIL", default: "admin@localhost.localdomain", about: "email of the first super admin on an empty production database" },
    Spec { key: "bootstrap.admin_name", env: "HELPDESK_ADMIN_NAME", default: "Super Admin", about: "name of that first super admin" },
    Spec { key: "bootstrap.admin_password", env: "HELPDESK_ADMIN_PASSWORD", default: "", about: "its password; empty: generated and printed once" },
    Spec { key: "metrics.addr", env: "HELPDESK_METRICS_ADDR", default: "", about: "address serving only /metrics (Prometheus); empty: /metrics on server.addr, for loopback or a super admin token" },
    Spec { key: "log.format", env: "HELPDESK_LOG_FORMAT", default: "text", about: "log lines as text or json (one object per line)" },
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("setting `{key}` ({env}): {reason}")]
pub struct ConfigError {
    pub key: String,
    pub env: String,
    pub reason: String,
}

/// Raw values from the file and the environment, looked up by spec.
struct Sources<'a> {
    file: toml::Table,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Sources<'_> {
    fn spec(key: &str) -> &'static Spec {
        SPECS.iter().find(|s| s.key == key).expect("every key read has a spec")
    }

    fn error(spec: &Spec, reason: impl Into<String>) -> ConfigError {
        ConfigError { key: spec.key.into(), env: spec.env.into(), reason: reason.into() }
    }

    fn raw(&self, spec: &Spec) -> Result<String, ConfigError> {
        if let Some(value) = (self.env)(spec.env) {
            return Ok(value);
        }
        let (section, name) = spec.key.split_once('.').expect("keys are section.name");
        let value = self.file.get(section).and_then(|s| s.as_table()).and_then(|t| t.get(name));
        match value {
            None => Ok(spec.default.to_string()),
            Some(toml::Value::String(s)) => Ok(s.clone()),
            Some(toml::Value::Integer(i)) => Ok(i.to_string()),
            Some(toml::Value::Boolean(b)) => Ok(b.to_string()),
            Some(other) => Err(Self::error(spec, format!("unsupported value {other}"))),
        }
    }

    fn text(&self, key: &str) -> Result<String, ConfigError> {
        self.raw(Self::spec(key)).map(|s| s.trim().to_string())
    }

    fn optional(&self, key: &str) -> Result<Option<String>, ConfigError> {
        self.text(key).map(|s| (!s.is_empty()).then_some(s))
    }

    fn parsed<T: FromStr>(&self, key: &str, expected: &str) -> Result<T, ConfigError> {
        let spec = Self::spec(key);
        let raw = self.text(key)?;
        raw.parse().map_err(|_| Self::error(spec, format!("{raw:?} is not {expected}")))
    }

    fn positive<T: FromStr + PartialOrd + Default>(&self, key: &str) -> Result<T, ConfigError> {
        let value: T = self.parsed(key, "a positive whole number")?;
        if value <= T::default() {
            return Err(Self::error(Self::spec(key), "must be greater than 0"));
        }
        Ok(value)
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.text(key)?.to_ascii_lowercase().as_str() {
            "" => Ok(default),
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            other => Err(Self::error(Self::spec(key), format!("{other:?} is not true or false"))),
        }
    }
}

impl Config {
    /// Reads the settings file (if any) and the process environment.
    pub fn load() -> Result<Config, ConfigError> {
        let explicit = std::env::var("HELPDESK_CONFIG").ok();
        let path = explicit.clone().unwrap_or_else(|| "Leptos.toml".to_string());
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(_) if explicit.is_none() => None,
            Err(e) => {
                return Err(ConfigError {
                    key: "config file".into(),
                    env: "HELPDESK_CONFIG".into(),
                    reason: format!("cannot read {path}: {e}"),
                })
            }
        };
        Self::from_sources(file.as_deref(), &|name| std::env::var(name).ok())
    }

    pub fn from_sources(
        file: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let file = match file {
            Some(text) => toml::from_str(text).map_err(|e| ConfigError {
                key: "config file".into(),
                env: "HELPDESK_CONFIG".into(),
                reason: format!("not valid TOML: {e}"),
            })?,
            None => toml::Table::new(),
        };
        let src = Sources { file, env };

        let public_url = src.text("server.public_url")?.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(Sources::error(Sources::spec("server.public_url"), "must start with http:// or https://"));
        }
        let trusted_proxies = src
            .text("server.trusted_proxies")?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| Sources::error(Sources::spec("server.trusted_proxies"), format!("{s:?} is not an address or CIDR range")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let database_url = src.text("database.url")?;
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(Sources::error(
                Sources::spec("database.url"),
                "must be a sqlite: URL (e.g. sqlite://helpdesk.db) or a postgres:// URL (e.g. postgres://helpdesk@localhost/helpdesk)",
            ));
        }
        let jwt_secret = src.optional("auth.jwt_secret")?;
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(Sources::error(Sources::spec("auth.jwt_secret"), "must be at least 32 characters"));
        }
        let admin_password = src.optional("bootstrap.admin_password")?;
        if let Some(pw) = &admin_password {
            crate::domain::NewPassword::parse("password", pw, None)
                .map_err(|e| Sources::error(Sources::spec("bootstrap.admin_password"), e.message))?;
        }
        let admin_email = src.text("bootstrap.admin_email")?;
        crate::domain::Email::parse(&admin_email)
            .map_err(|e| Sources::error(Sources::spec("bootstrap.admin_email"), e.message))?;

        Ok(Config {
            addr: src.parsed("server.addr", "an address like 127.0.0.1:3000")?,
            public_url,
            trusted_proxies,
            database_url,
            database_max_connections: src.positive("database.max_connections")?,
            token_ttl_hours: src.positive("auth.token_ttl_hours")?,
            idle_timeout_secs: src.positive::<i64>("auth.idle_timeout_minutes")?.saturating_mul(60),
            jwt_secret: jwt_secret.map(Secret::new),
            demo: src.flag("demo.enabled", cfg!(debug_assertions))?,
            events_keep_secs: src.positive::<i64>("events.keep_minutes")?.saturating_mul(60),
            mail: MailConfig {
                smtp_url: src.optional("mail.smtp_url")?.map(Secret::new),
                smtp_connections: src.positive("mail.smtp_connections")?,
                from: src.parsed("mail.from", "a mailbox like Help Desk <helpdesk@example.com>")
                    .and_then(|from: lettre::message::Mailbox| Ok(from.to_string()))?,
                outbox_dir: PathBuf::from(src.text("mail.outbox_dir")?),
                reply_to: match src.optional("mail.reply_to")? {
                    None => None,
                    Some(_) => Some(src.parsed("mail.reply_to", "an address like support@example.com")
                        .map(|a: lettre::Address| a.to_string())?),
                },
                notify_admins: src.flag("mail.notify_admins", false)?,
                inbound_secret: match src.optional("mail.inbound_secret")? {
                    Some(secret) if secret.chars().count() < 32 => {
                        return Err(Sources::error(Sources::spec("mail.inbound_secret"), "must be at least 32 characters"));
                    }
                    other => other.map(Secret::new),
                },
                unknown_senders_create: match src.text("mail.unknown_senders")?.as_str() {
                    "create" => true,
                    "ignore" => false,
                    other => {
                        return Err(Sources::error(Sources::spec("mail.unknown_senders"), format!("{other:?} is not create or ignore")));
                    }
                },
                keep_raw_bytes: src.parsed::<usize>("mail.keep_raw_kb", "a number of kilobytes")?.saturating_mul(1024),
                notices_per_sender_hour: src.positive("mail.notices_per_sender_hour")?,
                imap: match src.optional("mail.imap_url")? {
                    None => None,
                    Some(url) => Some(
                        crate::server::inbound::imap::ImapAccount::parse(&url)
                            .map_err(|reason| Sources::error(Sources::spec("mail.imap_url"), reason))?,
                    ),
                },
                imap_poll: std::time::Duration::from_secs(src.positive("mail.imap_poll_secs")?),
            },
            rate_limit: RateLimitConfig {
                failures_per_account: src.positive("rate_limit.failures_per_account")?,
                failures_per_ip: src.positive("rate_limit.failures_per_ip")?,
                requests_per_ip: src.positive("rate_limit.requests_per_ip")?,
                window_secs: src.positive("rate_limit.window_secs")?,
                failures_per_account_total: src.positive("rate_limit.failures_per_account_total")?,
                sign_ins_per_account: src.positive("rate_limit.sign_ins_per_account")?,
                sign_ins_in_flight_per_ip: src.positive("rate_limit.sign_ins_in_flight_per_ip")?,
            },
            bootstrap: BootstrapConfig {
                admin_email,
                admin_name: src.text("bootstrap.admin_name")?,
                admin_password: admin_password.map(Secret::new),
            },
            metrics_addr: match src.optional("metrics.addr")? {
                None => None,
                Some(_) => Some(src.parsed("metrics.addr", "an address like 127.0.0.1:9100")?),
            },
            log_format: src.parsed("log.format", "text or json")?,
        })
    }

    /// The configuration for tests and throwaway demos: in-memory database, demo data, mail to `outbox_dir`.
    pub fn ephemeral(outbox_dir: PathBuf) -> Config {
        let mut settings = Config::from_sources(None, &|_| None).expect("defaults are valid");
        settings.database_url = "sqlite::memory:".into();
        settings.demo = true;
        settings.mail.outbox_dir = outbox_dir;
        settings
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
