//! Mail in over IMAP: a worker keeps one connection to the mailbox of `mail.imap_url`, takes
//! every unread mail through the same pipeline as `POST /api/mail/inbound`
//! (`services::inbound::take`, source `imap`), and marks it read only once it is stored. It
//! waits for new mail with IDLE where the server offers it (restarted every few minutes, well
//! inside the 29 the RFC allows), else looks every `mail.imap_poll_secs`.
//!
//! Nothing is lost and nothing doubled when the connection drops at any point: a mail not yet
//! marked is fetched again on the next connection, and if it was stored already it answers
//! `duplicate` (its Message-ID is taken once) and is marked then. Every command but IDLE runs
//! under a timeout, so a server that stops answering costs a reconnect, never a stuck worker.

pub mod account;

pub use account::ImapAccount;

use crate::server::startup::Core;
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The longest any command but IDLE may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// An IDLE is ended and begun again this often (servers drop an IDLE after 30 minutes, and a
/// connection that died without a word is found out here).
const IDLE_RESTART: Duration = Duration::from_secs(9 * 60);
/// The pause before connecting again after a failure: 1 s, doubling, at most 5 minutes.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(300);
/// A mail larger than this is left in the mailbox (unread) and recorded as rejected: the same
/// bound as the inbound endpoint's body.
const LARGEST_MAIL: usize = crate::server::http::MAIL_BODY_LIMIT;

trait Connection: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Connection for T {}
type Mailbox = Session<Box<dyn Connection>>;

/// Why a session with the mailbox ended; it says what failed, never a password.
#[derive(Debug)]
struct Failure(String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `step` (named `what` in errors) under the command timeout.
async fn timed<T, E: std::fmt::Display>(what: &str, step: impl Future<Output = Result<T, E>>) -> Result<T, Failure> {
    match tokio::time::timeout(COMMAND_TIMEOUT, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Failure(format!("{what}: {e}"))),
        Err(_) => Err(Failure(format!("{what}: no answer in {} s", COMMAND_TIMEOUT.as_secs()))),
    }
}

/// Starts the worker if a mailbox is set; it runs while the core lives.
pub fn spawn(core: &Arc<Core>) {
    let Some(account) = core.config.mail.imap.clone() else { return };
    let poll = core.config.mail.imap_poll;
    let weak = Arc::downgrade(core);
    tokio::spawn(async move {
        let mut pause = FIRST_PAUSE;
        loop {
            match session(&weak, &account, poll, &mut pause).await {
                Ok(()) => return,
                Err(e) => {
                    metrics::counter!("mail_imap_failures_total").increment(1);
                    tracing::warn!(server = %account.host, error = %e, retry_in_secs = pause.as_secs(), "imap: the mailbox session ended");
                }
            }
            if weak.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    });
}

async fn connect(account: &ImapAccount) -> Result<Box<dyn Connection>, Failure> {
    let tcp = timed("connect", TcpStream::connect((account.host.as_str(), account.port))).await?;
    let _ = tcp.set_nodelay(true);
    if !account.tls {
        return Ok(Box::new(tcp));
    }
    let tls = tokio_native_tls::native_tls::TlsConnector::new().map_err(|e| Failure(format!("TLS: {e}")))?;
    let tls = tokio_native_tls::TlsConnector::from(tls);
    Ok(Box::new(timed("TLS handshake", tls.connect(&account.host, tcp)).await?))
}

/// One session: signs in, then takes mail until the connection fails (an error) or the core
/// is gone (`Ok`).
async fn session(core: &Weak<Core>, account: &ImapAccount, poll: Duration, pause: &mut Duration) -> Result<(), Failure> {
    let mut client = Client::new(connect(account).await?);
    match timed("greeting", client.read_response()).await? {
        Some(_) => {}
        None => return Err(Failure("the server closed the connection before greeting".into())),
    }
    let login = client.login(&account.user, account.password.expose());
    let mut mailbox: Mailbox = timed("LOGIN", async { login.await.map_err(|(e, _)| e) }).await?;
    timed("SELECT", mailbox.select(&account.folder)).await?;
    let idle = timed("CAPABILITY", mailbox.capabilities()).await?.has_str("IDLE");
    *pause = FIRST_PAUSE;
    loop {
        if !take_unread(core, &mut mailbox).await? {
            let _ = timed("LOGOUT", mailbox.logout()).await;
            return Ok(());
        }
        while mailbox.unsolicited_responses.try_recv().is_ok() {}
        if idle {
            let mut waiting = mailbox.idle();
            timed("IDLE", waiting.init()).await?;
            let (news, _stop) = waiting.wait_with_timeout(IDLE_RESTART);
            news.await.map_err(|e| Failure(format!("IDLE: {e}")))?;
            mailbox = timed("DONE", waiting.done()).await?;
        } else {
            tokio::time::sleep(poll).await;
            timed("NOOP", mailbox.noop()).await?;
        }
        if core.strong_count() == 0 {
            return Ok(());
        }
    }
}

/// Takes every unread mail, oldest first; `false` when the core is gone.
async fn take_unread(core: &Weak<Core>, mailbox: &mut Mailbox) -> Result<bool, Failure> {
    let mut unread: Vec<u32> = timed("UID SEARCH", mailbox.uid_search("UNSEEN")).await?.into_iter().collect();
    unread.sort_unstable();
    for uid in unread {
        let size = timed("UID FETCH size", async {
            let found: Vec<_> = mailbox.uid_fetch(uid.to_string(), "RFC822.SIZE").await?.try_collect().await?;
            Ok::<_, async_imap::error::Error>(found.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.size))
        })
        .await?;
        // Gone meanwhile (moved or deleted by someone).
        let Some(size) = size.map(|s| s as usize) else { continue };
        let part = if size > LARGEST_MAIL { "BODY.PEEK[HEADER]" } else { "BODY.PEEK[]" };
        let raw = timed("UID FETCH", async {
            let found: Vec<_> = mailbox.uid_fetch(uid.to_string(), part).await?.try_collect().await?;
            let raw = found.iter().find(|f| f.uid == Some(uid)).and_then(|f| if size > LARGEST_MAIL { f.header() } else { f.body() });
            Ok::<_, async_imap::error::Error>(raw.map(<[u8]>::to_vec))
        })
        .await?;
        let Some(raw) = raw else { continue };
        let Some(core) = core.upgrade() else { return Ok(false) };
        let taken = if size > LARGEST_MAIL {
            crate::server::services::inbound::too_large(&core, &raw, size, "imap").await
        } else {
            crate::server::services::inbound::take(&core, &raw, "imap").await
        };
        drop(core);
        // Not stored (the database is away): left unread, and tried again on the next session.
        let taken = taken.map_err(|e| Failure(format!("storing mail UID {uid}: {e}")))?;
        metrics::counter!("mail_imap_taken_total").increment(1);
        tracing::info!(uid, outcome = %taken.outcome, ticket = ?taken.ticket, "imap: mail taken in");
        timed("UID STORE", async {
            let _: Vec<_> = mailbox.uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)").await?.try_collect().await?;
            Ok::<_, async_imap::error::Error>(())
        })
        .await?;
    }
    Ok(true)
}
