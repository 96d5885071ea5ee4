//! The settings' sources, defaults and refusals.

use super::*;

fn load(file: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_sources(Some(file), &move |name| {
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s = load("", &[]).unwrap();
    assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
    assert_eq!(s.token_ttl_hours, 24);
    assert_eq!(s.database_url, "sqlite://helpdesk.db");
    assert!(s.jwt_secret.is_none());
    assert!(s.mail.smtp_url.is_none());
}

#[test]
fn the_file_sets_values_and_the_environment_overrides_them() {
    let file = "[server]\naddr = \"0.0.0.0:8080\"\n[auth]\ntoken_ttl_hours = 12\n";
    let s = load(file, &[("HELPDESK_TOKEN_TTL_HOURS", "2")]).unwrap();
    assert_eq!(s.addr.to_string(), "0.0.0.0:8080");
    assert_eq!(s.token_ttl_hours, 2);
}

#[test]
fn a_bad_value_names_the_setting() {
    let cases = [
        ("HELPDESK_ADDR", "nowhere", "server.addr"),
        ("HELPDESK_TOKEN_TTL_HOURS", "0", "auth.token_ttl_hours"),
        ("HELPDESK_TOKEN_TTL_HOURS", "day", "auth.token_ttl_hours"),
        ("HELPDESK_DEMO", "maybe", "demo.enabled"),
        ("HELPDESK_JWT_SECRET", "short", "auth.jwt_secret"),
        ("HELPDESK_DATABASE_URL", "mysql://x", "database.url"),
        ("HELPDESK_PUBLIC_URL", "example.com", "server.public_url"),
        ("HELPDESK_MAIL_FROM", "not a mailbox", "mail.from"),
        ("HELPDESK_ADMIN_PASSWORD", "short", "bootstrap.admin_password"),
        ("HELPDESK_TRUSTED_PROXIES", "10.0.0.1, proxy.local", "server.trusted_proxies"),
        ("HELPDESK_REQUESTS_PER_IP", "0", "rate_limit.requests_per_ip"),
        ("HELPDESK_METRICS_ADDR", "port 9100", "metrics.addr"),
        ("HELPDESK_LOG_FORMAT", "xml", "log.format"),
    ];
    for (env, value, key) in cases {
        let err = load("", &[(env, value)]).unwrap_err();
        assert_eq!(err.key, key, "{env}={value}");
        assert!(err.to_string().contains(env));
    }
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() {
    let s = load("", &[("HELPDESK_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
    let shown: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
    assert!(load("", &[]).unwrap().trusted_proxies.is_empty());
}

#[test]
fn the_committed_settings_file_states_the_defaults() {
    let committed = include_str!("../../Leptos.toml");
    let from_file = load(committed, &[]).unwrap();
    let defaults = load("", &[]).unwrap();
    assert_eq!(format!("{from_file:?}"), format!("{defaults:?}"));
    for spec in SPECS {
        assert!(committed.contains(spec.env), "Leptos.toml documents {}", spec.env);
    }
}

#[test]
fn operations_settings_default_to_text_logs_and_metrics_on_the_main_address() {
    let s = load("", &[]).unwrap();
    assert_eq!((s.metrics_addr, s.log_format), (None, LogFormat::Text));
    let s = load("[metrics]\naddr = \"127.0.0.1:9100\"\n", &[("HELPDESK_LOG_FORMAT", "json")]).unwrap();
    assert_eq!(s.metrics_addr.map(|a| a.to_string()).as_deref(), Some("127.0.0.1:9100"));
    assert_eq!(s.log_format, LogFormat::Json);
}

#[test]
fn secrets_never_appear_in_the_debug_output() {
    let secrets = [
        ("HELPDESK_JWT_SECRET", "jwt-secret-that-is-long-enough-0123456789"),
        ("HELPDESK_SMTP_URL", "smtps://mailer:smtp-password-42@smtp.example.com"),
        ("HELPDESK_ADMIN_PASSWORD", "bootstrap-password-77"),
    ];
    let s = load("", &secrets).unwrap();
    let shown = format!("{s:?}");
    for (env, value) in secrets {
        assert!(!shown.contains(value), "{env} leaks into {shown}");
    }
    assert!(!shown.contains("smtp-password-42"));
    assert_eq!(shown.matches("Secret([redacted])").count(), 3);
    assert_eq!(s.jwt_secret.as_ref().map(|x| x.expose().as_str()), Some(secrets[0].1));
}

#[test]
fn every_spec_has_a_distinct_env_variable() {
    let envs: std::collections::HashSet<_> = SPECS.iter().map(|s| s.env).collect();
    assert_eq!(envs.len(), SPECS.len());
    assert!(SPECS.iter().all(|s| s.env.starts_with("HELPDESK_")));
}
