-- Who is on a ticket (see `domain::presence`): one row per open page of the staff working it,
-- said again every 20 s while visible and lapsing at `expires_at` (unix milliseconds) on its
-- own; each instance removes lapsed rows and tells the other pages through `live_events`.
CREATE TABLE ticket_presence (
    ticket_id  BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    tab        TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id, tab)
);
CREATE INDEX ticket_presence_expires ON ticket_presence (expires_at);
