//! The one guard: who is calling, and may they do this? Used by server functions, pages
//! and the REST API alike.

use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use crate::server::security::TokenError;
use crate::server::startup::{AppState, Core};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{header, request::Parts, Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "helpdesk_session";

/// A signed-in, active user, as the database knows them now (role changes apply at once),
/// and the address the request came from (for the audit trail).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: SessionUser,
    pub ip: String,
    /// The session the caller's token belongs to (signing out ends it).
    pub session: String,
}

impl std::ops::Deref for CurrentUser {
    type Target = SessionUser;
    fn deref(&self) -> &SessionUser {
        &self.user
    }
}

impl CurrentUser {
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("Access denied"))
        }
    }
}

/// The browser's proof of an earlier sign-in to an account (see `rate_limit`).
pub const DEVICE_COOKIE: &str = "helpdesk_device";

/// The token of an `Authorization: Bearer …` header (the scheme in any case, as RFC 7235
/// has it). The one reading of that header: the token reader and the cross-site check both
/// ask this.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let scheme = value.get(..7)?;
    scheme.eq_ignore_ascii_case("bearer ").then(|| value[7..].trim())
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// The bearer token of an API client, else the session cookie of a browser.
pub fn token_from_headers(headers: &HeaderMap) -> Option<&str> {
    bearer_token(headers).or_else(|| cookie(headers, SESSION_COOKIE))
}

/// Whether a request can only be signed in by a token it carries itself (a bearer header and
/// no session cookie): then no other site can be riding on it, and the cross-site check may
/// skip it. A request that carries the session cookie is checked, whatever else it carries.
pub fn carries_only_a_bearer(headers: &HeaderMap) -> bool {
    bearer_token(headers).is_some() && cookie(headers, SESSION_COOKIE).is_none()
}

pub async fn authenticate(core: &Core, headers: &HeaderMap, ip: String) -> Result<CurrentUser, AppError> {
    let token = token_from_headers(headers)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::unauthorized("No token provided"))?;
    let claims = core.keys.decode(token).map_err(|e| match e {
        TokenError::Expired => AppError::unauthorized("Token expired"),
        TokenError::Invalid => AppError::unauthorized("Invalid token"),
    })?;
    let now = chrono::Utc::now().timestamp();
    let idle = core.config.idle_timeout_secs;
    // Signed out, idle too long, password changed or reset, deactivated or deleted: the
    // session is gone.
    let (record, last_seen) = core
        .store
        .session_user(&claims.sid, claims.id, now, now - idle)
        .await?
        .ok_or_else(|| AppError::unauthorized("Session ended; sign in again"))?;
    // Refreshed a few times per timeout at most: a busy session costs a write a minute.
    if last_seen < now - crate::server::store::TOUCH_EVERY_SECS.min(idle / 4) {
        core.store.touch_session(&claims.sid, now).await?;
    }
    if !record.profile.is_active {
        return Err(AppError::unauthorized("Account is deactivated"));
    }
    let p = record.profile;
    Ok(CurrentUser { user: SessionUser { id: p.id, name: p.name, email: p.email, role: p.role }, ip, session: claims.sid })
}

/// The role of the person a token signs in, while its session lasts and the account is active;
/// read without counting as activity (an open event stream does not keep a session alive).
pub async fn still_signed_in(core: &Core, token: &str) -> Option<Role> {
    let claims = core.keys.decode(token).ok()?;
    let now = chrono::Utc::now().timestamp();
    let (record, _) = core.store.session_user(&claims.sid, claims.id, now, now - core.config.idle_timeout_secs).await.ok()??;
    record.profile.is_active.then_some(record.profile.role)
}

/// The client's address, for rate limits and the audit trail: the connection's peer, or —
/// when the peer is one of the trusted reverse proxies — the last address in
/// `X-Forwarded-For` that is not a trusted proxy (what the proxies themselves appended; the
/// client can write anything to the left of it).
pub fn client_ip(extensions: &Extensions, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> String {
    let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_string();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.ip().to_canonical();
    if !is_trusted(&client) {
        return client.to_string();
    }
    let hops = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !is_trusted(&client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client.to_string()
}

/// The client's address (see [`client_ip`]) as an extractor.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(ClientIp(client_ip(&parts.extensions, &parts.headers, &state.core.config.trusted_proxies)))
    }
}

/// The `Set-Cookie` value that signs a browser in.
pub fn session_cookie(core: &Core, token: &str) -> String {
    let secure = if core.config.secure_cookies() { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        core.keys.ttl_secs()
    )
}

/// The `Set-Cookie` value that marks a browser as one that has signed in to an account.
pub fn device_cookie(core: &Core, value: &str) -> String {
    let secure = if core.config.secure_cookies() { "; Secure" } else { "" };
    let max_age = crate::server::security::DEVICE_TTL_SECS;
    format!("{DEVICE_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that signs a browser out.
pub fn cleared_cookie(core: &Core) -> String {
    let secure = if core.config.secure_cookies() { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ip = client_ip(&parts.extensions, &parts.headers, &state.core.config.trusted_proxies);
        authenticate(&state.core, &parts.headers, ip).await
    }
}

/// Extractors that make a route's signature say who may call it: the caller, authenticated,
/// with one of the route's roles, or the request is answered 401/403 before the handler runs.
/// The services check their own rules again.
macro_rules! role_callers {
    ($( $(#[$meta:meta])* $name:ident: [$($role:ident),+], $refusal:literal; )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone)]
            pub struct $name(pub CurrentUser);

            impl $name {
                pub const ROLES: &'static [Role] = &[$(Role::$role),+];
            }

            impl FromRequestParts<AppState> for $name {
                type Rejection = AppError;

                async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
                    let caller = CurrentUser::from_request_parts(parts, state).await?;
                    caller.require(Self::ROLES).map_err(|_| AppError::forbidden($refusal))?;
                    Ok($name(caller))
                }
            }
        )*
    };
}

role_callers! {
    /// An admin or the super admin.
    AdminCaller: [Admin, Superadmin], "Admin access required";
    /// An agent (their own queue: admins have theirs under `/api/admin`).
    AgentCaller: [Agent], "Agent access required";
    /// Anyone who works tickets: agents and admins.
    StaffCaller: [Agent, Admin, Superadmin], "Only the assigned agent or an admin can do this.";
    SuperadminCaller: [Superadmin], "Super admin access required";
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip_of(peer: &str, forwarded: Option<&'static str>, trusted: &[&str]) -> String {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 4000)));
        let mut headers = HeaderMap::new();
        if let Some(value) = forwarded {
            headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        }
        let trusted: Vec<ipnet::IpNet> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        client_ip(&extensions, &headers, &trusted)
    }

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case_and_a_bearer_header_shuts_the_cookie_out() {
        let cases: [(&[(&str, &str)], Option<&str>, Option<&str>); 7] = [
            (&[("authorization", "Bearer abc")], Some("abc"), Some("abc")),
            (&[("authorization", "bearer abc")], Some("abc"), Some("abc")),
            (&[("authorization", "BEARER abc"), ("cookie", "helpdesk_session=c")], Some("abc"), Some("abc")),
            (&[("authorization", "Basic abc"), ("cookie", "helpdesk_session=c")], None, Some("c")),
            (&[("authorization", "Bear")], None, None),
            (&[("cookie", "a=1; helpdesk_session=c")], None, Some("c")),
            (&[], None, None),
        ];
        for (pairs, bearer, token) in cases {
            let headers = with(pairs);
            assert_eq!((bearer_token(&headers), token_from_headers(&headers)), (bearer, token), "{pairs:?}");
        }
    }

    #[test]
    fn only_a_request_with_a_bearer_and_no_session_cookie_skips_the_cross_site_check() {
        let cases: [(&[(&str, &str)], bool); 5] = [
            (&[("authorization", "Bearer abc")], true),
            (&[("authorization", "BEARER abc")], true),
            (&[("authorization", "BEARER abc"), ("cookie", "helpdesk_session=c")], false),
            (&[("authorization", "Basic abc")], false),
            (&[("cookie", "helpdesk_session=c")], false),
        ];
        for (pairs, skips) in cases {
            assert_eq!(carries_only_a_bearer(&with(pairs)), skips, "{pairs:?}");
        }
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let cases = [
            // (peer, X-Forwarded-For, trusted proxies, the client's address)
            ("203.0.113.9", Some("1.2.3.4"), &[][..], "203.0.113.9"),
            ("203.0.113.9", Some("1.2.3.4"), &["127.0.0.1/32"][..], "203.0.113.9"),
            ("127.0.0.1", Some("198.51.100.7"), &["127.0.0.1/32"][..], "198.51.100.7"),
            // A client's own X-Forwarded-For sits left of what the proxy appended.
            ("127.0.0.1", Some("6.6.6.6, 198.51.100.7"), &["127.0.0.1/32"][..], "198.51.100.7"),
            ("127.0.0.1", Some("198.51.100.7, 10.0.0.5"), &["127.0.0.1/32", "10.0.0.0/8"][..], "198.51.100.7"),
            ("127.0.0.1", Some("garbage, 198.51.100.7"), &["127.0.0.1/32"][..], "198.51.100.7"),
            ("127.0.0.1", None, &["127.0.0.1/32"][..], "127.0.0.1"),
            ("::ffff:127.0.0.1", Some("198.51.100.7"), &["127.0.0.1/32"][..], "198.51.100.7"),
        ];
        for (peer, forwarded, trusted, expected) in cases {
            assert_eq!(ip_of(peer, forwarded, trusted), expected, "{peer} {forwarded:?} {trusted:?}");
        }
    }
}
