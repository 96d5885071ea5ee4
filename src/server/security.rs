//! Passwords (argon2id), sign-in tokens (JWT HS256) and random secrets.

use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use jsonwebtoken::{errors::ErrorKind as JwtErrorKind, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// An argon2 PHC string. Deliberately neither `Serialize` nor `Display`.
#[derive(Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// argon2id with the OWASP minimum: 19 MiB memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing slots: one per core. Each hash takes a core for tens of milliseconds and 19 MiB,
/// so more at once would only queue on the CPU while memory grows with every request waiting.
static HASH_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// How long a request waits for a hashing slot before it is told to come back (503).
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Password hashes computed or verified since the process started.
static HASHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many argon2 computations (hashes and verifications) this process has run: what
/// unauthenticated requests could make it spend.
pub fn hashes_computed() -> u64 {
    HASHES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `work` (a hash) off the async runtime in one of `slots`. The slot goes with the work,
/// not with the request: a client that hangs up does not free it before the hash it started
/// has finished, so "at most one hash per core" holds whatever clients do.
async fn in_slot<T: Send + 'static>(
    slots: &'static tokio::sync::Semaphore,
    wait: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let slot = slot_of(slots, wait).await?;
    HASHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(tokio::task::spawn_blocking(move || {
        let done = work();
        drop(slot);
        done
    })
    .await?)
}

async fn slot_of(slots: &tokio::sync::Semaphore, wait: std::time::Duration) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
    match tokio::time::timeout(wait, slots.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(AppError::internal()),
        Err(_) => {
            tracing::warn!("every password hashing slot stayed busy; asking the client to retry");
            Err(AppError::busy(1))
        }
    }
}

/// Hashes off the async runtime: a hash takes tens of milliseconds of CPU.
pub async fn hash_password(password: String) -> Result<PasswordHash, AppError> {
    in_slot(&HASH_SLOTS, HASH_WAIT, move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| PasswordHash(hash.to_string()))
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::internal()
            })
    })
    .await?
}

/// Verifies off the async runtime. With no stored hash (unknown account) it checks against a
/// dummy hash anyway, so a wrong email takes as long as a wrong password.
pub async fn verify_password(password: String, hash: Option<PasswordHash>) -> Result<bool, AppError> {
    let known = hash.is_some();
    let hash = match hash {
        Some(hash) => hash,
        None => dummy_hash().await?,
    };
    let matches = in_slot(&HASH_SLOTS, HASH_WAIT, move || {
        let Ok(parsed) = argon2::PasswordHash::new(&hash.0) else {
            tracing::error!("stored password hash is malformed");
            return false;
        };
        argon2().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await?;
    Ok(known && matches)
}

async fn dummy_hash() -> Result<PasswordHash, AppError> {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash.clone());
    }
    let hash = hash_password(random_token(16)).await?;
    Ok(DUMMY.get_or_init(|| hash).clone())
}

/// `bytes` random bytes from the OS, hex encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("the OS random source is available");
    hex(&buf)
}

/// SHA-256 of a token, hex encoded: what the database keeps instead of the token itself.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The claims of the contract (id, email, role, name, exp) plus the issue time and the
/// session the token belongs to (it is honoured only while that session is open).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub name: String,
    pub exp: i64,
    pub iat: i64,
    pub sid: String,
}

/// A browser's proof that it has signed in to an account before (OWASP's "device cookie"):
/// failures from it are not held against the account's ceiling across all addresses.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeviceClaims {
    /// The account's email, as signed in.
    device_of: String,
    exp: i64,
    /// Random: two devices of one account never carry the same cookie.
    nonce: String,
}

/// How long a device cookie is recognised.
pub const DEVICE_TTL_SECS: i64 = 180 * 24 * 3600;

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &str, ttl_hours: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            ttl_secs: ttl_hours * 3600,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// A token for `user` in session `sid`, issued at `now` (unix seconds).
    pub fn issue(&self, user: &SessionUser, sid: &str, now: i64) -> Result<String, AppError> {
        self.encode(&Claims {
            id: user.id,
            email: user.email.clone(),
            role: user.role,
            name: user.name.clone(),
            exp: now + self.ttl_secs,
            iat: now,
            sid: sid.to_string(),
        })
    }

    /// A device cookie's value for the account `email`, issued at `now`.
    pub fn device_token(&self, email: &str, now: i64) -> Result<String, AppError> {
        let claims = DeviceClaims { device_of: email.to_string(), exp: now + DEVICE_TTL_SECS, nonce: random_token(8) };
        jsonwebtoken::encode(&Header::default(), &claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "device token signing failed");
            AppError::internal()
        })
    }

    /// The account a device cookie was issued for, if it is ours and unexpired.
    pub fn device_of(&self, token: &str) -> Option<String> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<DeviceClaims>(token, &self.decoding, &validation).ok().map(|data| data.claims.device_of)
    }

    pub fn encode(&self, claims: &Claims) -> Result<String, AppError> {
        jsonwebtoken::encode(&Header::default(), claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "token signing failed");
            AppError::internal()
        })
    }

    pub fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                JwtErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_waits_briefly_for_a_free_slot_then_is_refused_with_503() {
        let slots = tokio::sync::Semaphore::new(1);
        let wait = std::time::Duration::from_millis(50);
        let held = slot_of(&slots, wait).await.expect("a free slot");
        let refused = slot_of(&slots, wait).await.unwrap_err();
        assert_eq!((refused.status(), refused.retry_after), (503, Some(1)));
        drop(held);
        assert!(slot_of(&slots, wait).await.is_ok(), "a slot freed is taken again");
    }

    #[tokio::test]
    async fn a_request_dropped_mid_hash_keeps_its_slot_until_the_hash_has_finished() {
        let slots: &'static tokio::sync::Semaphore = Box::leak(Box::new(tokio::sync::Semaphore::new(1)));
        let wait = std::time::Duration::from_millis(50);
        let (started_tx, started) = std::sync::mpsc::channel();
        let request = tokio::spawn(in_slot(slots, wait, move || {
            started_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
        }));
        tokio::task::spawn_blocking(move || started.recv().unwrap()).await.unwrap();
        request.abort(); // the client hung up
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(slots.available_permits(), 0, "the hash still runs, so its slot stays taken");
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(slots.available_permits(), 1, "the slot is free once the hash is done");
    }

    fn user() -> SessionUser {
        SessionUser { id: 7, name: "Ada".into(), email: "ada@example.com".into(), role: Role::Agent }
    }

    #[tokio::test]
    async fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse".into(), Some(hash.clone())).await.unwrap());
        assert!(!verify_password("wrong horse".into(), Some(hash)).await.unwrap());
        assert!(!verify_password("correct horse".into(), None).await.unwrap());
    }

    #[test]
    fn a_token_round_trips_its_claims() {
        let keys = TokenKeys::new("a-test-secret-that-is-long-enough!!", 24);
        let claims = keys.decode(&keys.issue(&user(), "s1", chrono::Utc::now().timestamp()).unwrap()).unwrap();
        assert_eq!((claims.id, claims.role, claims.name.as_str(), claims.sid.as_str()), (7, Role::Agent, "Ada", "s1"));
        assert_eq!(claims.exp - claims.iat, 24 * 3600);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let keys = TokenKeys::new("a-test-secret-that-is-long-enough!!", 24);
        let now = chrono::Utc::now().timestamp();
        let expired = keys
            .encode(&Claims { id: 7, email: "a@b.c".into(), role: Role::User, name: "A".into(), exp: now - 10, iat: now - 100, sid: "s".into() })
            .unwrap();
        assert_eq!(keys.decode(&expired).unwrap_err(), TokenError::Expired);

        let token = keys.issue(&user(), "s1", now).unwrap();
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.decode(&tampered).unwrap_err(), TokenError::Invalid);

        let other = TokenKeys::new("another-secret-that-is-long-enough!", 24);
        assert_eq!(other.decode(&token).unwrap_err(), TokenError::Invalid);
        assert_eq!(keys.decode("not.a.token").unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn a_device_token_names_its_account_and_is_no_session_token() {
        let keys = TokenKeys::new("a-test-secret-that-is-long-enough!!", 24);
        let now = chrono::Utc::now().timestamp();
        let device = keys.device_token("ada@example.com", now).unwrap();
        assert_eq!(keys.device_of(&device).as_deref(), Some("ada@example.com"));
        assert_eq!(keys.decode(&device).unwrap_err(), TokenError::Invalid, "a device cookie signs nobody in");
        let session = keys.issue(&user(), "s1", now).unwrap();
        assert_eq!(keys.device_of(&session), None, "a session token is no device cookie");
        let other = TokenKeys::new("another-secret-that-is-long-enough!", 24);
        assert_eq!(other.device_of(&device), None);
        assert_eq!(keys.device_of(&keys.device_token("ada@example.com", now - DEVICE_TTL_SECS - 1).unwrap()), None, "expired");
    }

    #[test]
    fn random_tokens_differ_and_digests_are_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 64);
        assert_eq!(token_digest("abc"), token_digest("abc"));
        assert_ne!(token_digest("abc"), token_digest("abd"));
    }
}
