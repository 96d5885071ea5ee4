//! What every HTTP exchange gets, whatever the route: cross-site state changes refused, and the
//! security headers on every response.

use crate::error::AppError;
use crate::server::startup::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a state-changing request that a browser sent from another site (CSRF), sign-in
/// included. Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); requests
/// from the app's own pages pass, and so do API clients that send a bearer token and no session
/// cookie (a cookie is what another site could ride on; a bearer token it does not have) or no
/// browser headers. Which header is a bearer token is decided once, in `guard::bearer_token`.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || crate::server::guard::carries_only_a_bearer(request.headers()) || same_origin(request.headers(), &state.core.config.public_url) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "cross-site request refused");
    AppError::forbidden("Cross-site request refused.").into_response()
}

/// The largest body any route takes: the biggest legitimate form (a ticket's 10 000-character
/// description, percent-encoded) fits several times over.
pub const BODY_LIMIT: usize = 256 * 1024;
/// The bound of the one route that takes whole mails (`POST /api/mail/inbound`).
pub const MAIL_BODY_LIMIT: usize = 25 * 1024 * 1024;

/// Bounds every request body, pages' forms and server functions included (they read whole
/// bodies into memory): a declared length over the bound is refused before a byte is read, a
/// body that grows past it while streaming is refused when it does. Either way 413, and the
/// route never runs.
pub async fn bound_body(request: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    // Most requests (every page and list read) have no body: nothing to bound or copy.
    if request.body().size_hint().exact() == Some(0) {
        return next.run(request).await;
    }
    let limit = if request.uri().path() == "/api/mail/inbound" { MAIL_BODY_LIMIT } else { BODY_LIMIT };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return AppError::too_large().into_response();
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(_) => AppError::too_large().into_response(),
    }
}

/// Whether the browser headers (if any) say the request comes from the app itself: the
/// public URL's origin, or the origin of the host it was sent to.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    match text("sec-fetch-site") {
        Some("same-origin" | "none") => {}
        // `same-site` is a sibling subdomain: another application, as far as we know.
        Some(_) => return false,
        None => {}
    }
    let Some(origin) = text("origin") else { return true };
    let host = text("host").unwrap_or_default();
    origin == public_url || (!host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}")))
}

/// This response's script nonce, made here and handed to Leptos (see [`provide_nonce`]), so
/// the policy header and the page's scripts always carry the same one.
#[derive(Clone)]
pub struct CspNonce(pub std::sync::Arc<str>);

/// Run for every page render: Leptos puts this nonce on its hydration and streaming scripts.
pub fn provide_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// A page's policy: scripts only from this origin or carrying this response's nonce,
/// WebAssembly compiled from our own files, nothing framed, forms posted only here. Inline
/// *styles* stay allowed: they cannot run code.
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

const DEFAULT_POLICY: &str =
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response; `no-store` on answers to signed-in requests, so
/// shared or back-button caches never keep a person's tickets or exports.
pub async fn security_headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let signed_in = crate::server::guard::token_from_headers(request.headers()).is_some();
    let path = request.uri().path();
    let file = path.starts_with("/pkg/").then(|| path_kind(path, state.leptos_options.hash_files));
    // Only a page can use a nonce: API, server-function and file requests skip making one.
    let page = matches!(*request.method(), Method::GET | Method::HEAD) && !["/api/", "/rpc/", "/pkg/"].iter().any(|p| path.starts_with(p));
    let nonce: Option<std::sync::Arc<str>> = page.then(|| crate::server::security::random_token(16).into());
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(CspNonce(nonce.clone()));
    }
    let mut response = next.run(request).await;
    let status = response.status();
    let html = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    // Pages get the nonce of their scripts; everything else (JSON, CSV, files) a policy that
    // allows no inline script at all.
    let policy = nonce.filter(|_| html).and_then(|nonce| HeaderValue::from_str(&page_policy(&nonce)).ok());
    secure(headers, &state.core, policy);
    if let Some(kind) = file {
        // A missing file is not cached: the next build may bring it.
        let kind = if status.is_success() { kind } else { PkgFile::Plain };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(file_cache_control(kind)));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    } else if signed_in {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The headers every response carries, whoever writes it (this middleware, or the event
/// streams written without hyper, `live::direct`): `policy` is a page's, or else the one that
/// allows no inline script.
pub fn secure(headers: &mut HeaderMap, core: &crate::server::startup::Core, policy: Option<HeaderValue>) {
    let fixed = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ("cross-origin-opener-policy", "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.unwrap_or(HeaderValue::from_static(DEFAULT_POLICY)));
    if core.config.secure_cookies() {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
}

/// What kind of client file a `/pkg/` path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PkgFile {
    /// Its name carries a hash of its content (cargo-leptos `hash-files`): it never changes.
    Hashed,
    /// A name that the next build reuses for other content (no hashing, or wasm-bindgen's
    /// snippets, which cargo-leptos leaves unhashed).
    Plain,
}

fn path_kind(path: &str, hash_files: bool) -> PkgFile {
    if hash_files && !path.starts_with("/pkg/snippets/") {
        PkgFile::Hashed
    } else {
        PkgFile::Plain
    }
}

/// A hashed file is cached for a year without asking again; any other is revalidated on
/// each use, so a new build is never hidden behind a stale copy.
fn file_cache_control(kind: PkgFile) -> &'static str {
    match kind {
        PkgFile::Hashed => "public, max-age=31536000, immutable",
        PkgFile::Plain => "no-cache",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn requests_from_the_app_itself_or_from_no_browser_pass_and_others_do_not() {
        let public = "https://help.example.com";
        let cases = [
            (vec![], true),
            (vec![("sec-fetch-site", "same-origin")], true),
            (vec![("sec-fetch-site", "none")], true),
            (vec![("origin", "https://help.example.com")], true),
            (vec![("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")], true),
            (vec![("sec-fetch-site", "cross-site")], false),
            (vec![("sec-fetch-site", "same-site"), ("origin", "https://other.example.com")], false),
            (vec![("origin", "https://evil.example")], false),
            (vec![("origin", "https://help.example.com.evil.example"), ("host", "help.example.com")], false),
            (vec![("origin", "null")], false),
        ];
        for (pairs, expected) in cases {
            assert_eq!(same_origin(&headers(&pairs), public), expected, "{pairs:?}");
        }
    }

    #[test]
    fn hashed_client_files_are_cached_for_a_year_and_others_revalidated() {
        let cases = [
            ("/pkg/helpdesk.Xq3uV1nYbHj0pW9sKlt4aA.wasm", true, "public, max-age=31536000, immutable"),
            ("/pkg/helpdesk.css", false, "no-cache"),
            ("/pkg/snippets/helpdesk-1a2b/inline0.js", true, "no-cache"),
        ];
        for (path, hash_files, expected) in cases {
            assert_eq!(file_cache_control(path_kind(path, hash_files)), expected, "{path}");
        }
    }
}
