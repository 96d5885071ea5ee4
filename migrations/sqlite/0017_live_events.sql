-- Recent ticket changes, for the live event stream (`GET /api/events`): one row per ticket per
-- change, written in the change's transaction; a stream that reconnects reads what it missed
-- from here. Kept for `events.keep_minutes`. `at` is unix seconds.
CREATE TABLE live_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              BIGINT  NOT NULL,
    ticket_id       BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    requester_id    BIGINT  NOT NULL,
    assignee_id     BIGINT,
    assignee_before BIGINT,
    status          TEXT,
    staff_only      BOOLEAN NOT NULL
);
CREATE INDEX live_events_at ON live_events (at);
