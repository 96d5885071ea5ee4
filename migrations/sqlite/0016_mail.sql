-- Outgoing mail. Each mail is written in the transaction of the change that causes it; the
-- outbox worker sends it (claiming it for `lease_until`, so a crashed sender's mail is taken
-- again), records every attempt, and marks it sent only after the server accepted it.
-- Times are unix seconds.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,   -- a notice kind, or password-reset
    ticket_id       INTEGER,            -- no foreign key: a mail outlives a deleted ticket
    recipient_id    INTEGER,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT,
    message_id      TEXT    NOT NULL,   -- ours, without the angle brackets
    thread_id       TEXT,               -- the ticket's thread: In-Reply-To and References
    reply_to        TEXT,               -- the recipient's own signed reply address
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,            -- given up: refused for good, or too many attempts
    last_error      TEXT
);
CREATE UNIQUE INDEX mail_outbox_by_message_id ON mail_outbox (message_id);
-- The queue: only what is still to send, so its size is the outbox's depth, not its history.
CREATE INDEX mail_outbox_unsent ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_failed ON mail_outbox (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX mail_outbox_by_ticket ON mail_outbox (ticket_id);

-- Every delivery attempt: when, and the server's refusal (NULL: accepted).
CREATE TABLE mail_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    mail_id INTEGER NOT NULL REFERENCES mail_outbox (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    error   TEXT
);
CREATE INDEX mail_attempts_by_mail ON mail_attempts (mail_id);
CREATE INDEX mail_attempts_errors ON mail_attempts (id) WHERE error IS NOT NULL;

-- The notification kinds each person switched off (domain::NoticeKind).
CREATE TABLE mail_opt_outs (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Every mail taken in (the inbound endpoint or the mailbox), with what was done with it and
-- why; the raw message is kept up to a size set in the settings.
CREATE TABLE inbound_mails (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  TEXT    NOT NULL,   -- the mail's Message-ID, or sha256:<digest> of a mail without one
    received_at INTEGER NOT NULL,
    source      TEXT    NOT NULL,   -- api or imap
    sender      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,   -- created, replied, duplicate, suppressed, rejected
    ticket_id   INTEGER,
    reason      TEXT    NOT NULL,
    raw         BLOB,
    raw_size    INTEGER NOT NULL
);
-- A mail becomes a ticket or a reply once: another copy (fetched again, or delivered to two
-- addresses) is recorded as a duplicate beside it. A mail left alone (suppressed, rejected)
-- may be taken again, e.g. after a setting changed.
CREATE UNIQUE INDEX inbound_mails_once ON inbound_mails (message_id) WHERE outcome IN ('created', 'replied');
CREATE INDEX inbound_mails_by_ticket ON inbound_mails (ticket_id);
