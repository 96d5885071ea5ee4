-- Exercises every counter and rollup trigger path of migrations/postgres/0001_schema.sql on a
-- freshly migrated, empty database: inserts, every kind of ticket change, deletes, and account
-- changes. Afterwards tests/postgres/mismatches.sql must return no rows.
-- Run: psql -v ON_ERROR_STOP=1 -d DB -f tests/postgres/exercise.sql
--
-- A session time zone far from UTC: the day and month keys must still be UTC dates.
SET TIME ZONE 'America/New_York';

-- Accounts of every role; one already deleted when inserted (not counted).
INSERT INTO users (name, email, password_hash, role, department, phone, created_at, deleted_at) VALUES
    ('Uma User',    'uma@example.com',    'h', 'user',       'Sales', '', '2025-11-01T09:00:00Z', NULL),
    ('Ulf User',    'ulf@example.com',    'h', 'user',       '',      '', '2025-11-02T09:00:00Z', NULL),
    ('Ursula User', 'ursula@example.com', 'h', 'user',       '',      '', '2025-11-03T09:00:00Z', NULL),
    ('Ada Agent',   'ada@example.com',    'h', 'agent',      'IT',    '', '2025-11-04T09:00:00Z', NULL),
    ('Abe Agent',   'abe@example.com',    'h', 'agent',      'IT',    '', '2025-11-05T09:00:00Z', NULL),
    ('Ari Agent',   'ari@example.com',    'h', 'agent',      'IT',    '', '2025-11-06T09:00:00Z', NULL),
    ('Alma Admin',  'alma@example.com',   'h', 'admin',      '',      '', '2025-11-07T09:00:00Z', NULL),
    ('Axel Admin',  'axel@example.com',   'h', 'admin',      '',      '', '2025-11-08T09:00:00Z', NULL),
    ('Sam Super',   'sam@example.com',    'h', 'superadmin', '',      '', '2025-11-09T09:00:00Z', NULL),
    ('Sue Super',   'sue@example.com',    'h', 'superadmin', '',      '', '2025-11-10T09:00:00Z', NULL),
    ('Gone User',   'deleted-0@deleted.invalid', '!', 'user', '',     '', '2025-10-01T09:00:00Z', '2025-10-02T09:00:00Z');
-- One more, alone (a single-row insert).
INSERT INTO users (name, email, password_hash, role, created_at)
    VALUES ('Uli User', 'uli@example.com', 'h', 'user', '2025-11-11T09:00:00Z');

-- Tickets in every status and priority, several categories, with and without an assignee and
-- a deadline (hours after creation), some closed (one closed without a closing time, as legacy
-- rows may be). Times straddle UTC midnights and month ends, with fractions of a second.
INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to,
                     created_at, updated_at, closed_at, resolution_notes, due_at)
SELECT r.id, v.title, v.description, v.category, v.priority, v.status, a.id,
       v.created::timestamptz, v.created::timestamptz, v.closed::timestamptz,
       CASE WHEN v.status = 'closed' THEN 'Done.' END,
       floor(extract(epoch FROM v.created::timestamptz))::bigint + 3600 * v.due_hours
FROM (VALUES
    ('uma@example.com',    'Printer jams on floor 3', 'The office printer jams on every job', 'technical', 'low',      'open',        NULL,               '2026-01-05T10:00:00Z',     NULL,                       72),
    ('uma@example.com',    'Cannot reset password',   'The reset mail never arrives',         'account',   'medium',   'in-progress', 'ada@example.com',  '2026-01-05T23:30:00.250Z', NULL,                       48),
    ('ulf@example.com',    'Invoice total wrong',     'Charged twice for January',            'billing',   'high',     'on-hold',     'abe@example.com',  '2026-01-06T08:15:00Z',     NULL,                       24),
    ('ulf@example.com',    'Phishing mail reported',  'Suspicious link in a mail',            'security',  'critical', 'closed',      'ada@example.com',  '2026-01-06T23:59:59.600Z', '2026-01-07T01:00:00.200Z', 4),
    ('uma@example.com',    'VPN drops hourly',        'The tunnel resets every hour',         'technical', 'low',      'closed',      'abe@example.com',  '2026-01-08T09:00:00Z',     '2026-01-20T09:00:00Z',     72),
    ('ursula@example.com', 'Old monitor flickers',    'The screen flickers at startup',       'general',   'medium',   'closed',      NULL,               '2025-12-30T12:00:00Z',     '2026-01-02T12:00:00.499Z', NULL),
    ('ulf@example.com',    'Server room too hot',     'The air conditioning failed',          'general',   'critical', 'open',        'alma@example.com', '2026-01-10T07:00:00Z',     NULL,                       NULL),
    ('ursula@example.com', 'Printer toner empty',     'Need new toner for the printer',       'technical', 'high',     'open',        'ada@example.com',  '2026-02-03T11:00:00Z',     NULL,                       24),
    ('uma@example.com',    'Refund request',          'Refund the duplicate charge',          'billing',   'low',      'in-progress', 'abe@example.com',  '2025-12-31T23:59:59Z',     NULL,                       72),
    ('ulf@example.com',    'Account locked',          'Locked after failed sign-ins',         'account',   'high',     'closed',      'ari@example.com',  '2026-02-28T20:00:00Z',     '2026-03-01T20:00:00.500Z', 24),
    ('ursula@example.com', 'Badge reader broken',     'The door badge reader is offline',     'security',  'critical', 'on-hold',     NULL,               '2026-02-01T02:00:00Z',     NULL,                       NULL),
    ('uma@example.com',    'Laptop slow',             'It takes minutes to boot',             'technical', 'medium',   'open',        'ari@example.com',  '2026-01-31T23:30:00Z',     NULL,                       48),
    ('ulf@example.com',    'Legacy closed ticket',    'Closed before closing times were kept','general',   'low',      'closed',      'ada@example.com',  '2025-11-15T10:00:00Z',     NULL,                       72),
    ('ursula@example.com', 'Email quota full',        'The mailbox is over its quota',        'account',   'low',      'open',        NULL,               '2026-02-14T15:00:00Z',     NULL,                       72),
    ('sam@example.com',    'Coffee machine',          'The café machine is broken',           'general',   'medium',   'in-progress', 'ari@example.com',  '2026-02-14T16:00:00Z',     NULL,                       48)
) AS v (requester, title, description, category, priority, status, agent, created, closed, due_hours)
JOIN users r ON r.email = v.requester
LEFT JOIN users a ON a.email = v.agent;

-- One more ticket alone (a single-row insert), unassigned and closed at once.
INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, closed_at, due_at)
SELECT id, 'Duplicate of another ticket', 'Same as the printer one', 'technical', 'high', 'closed',
       '2026-01-09T12:00:00Z', '2026-01-09T12:05:00Z', '2026-01-09T12:05:00Z', 1767960000
FROM users WHERE email = 'uli@example.com';

-- History and the audit trail.
INSERT INTO ticket_events (ticket_id, actor_id, kind, created_at)
    SELECT id, user_id, 'created', created_at FROM tickets;
INSERT INTO ticket_events (ticket_id, actor_id, kind, detail, internal, created_at)
    SELECT t.id, u.id, v.kind, v.detail, v.internal, '2026-02-20T10:00:00Z'
    FROM (VALUES ('Printer jams on floor 3', 'ada@example.com', 'reply', 'Have you tried turning it off?', FALSE),
                 ('Printer jams on floor 3', 'ada@example.com', 'note',  'Third time this month',          TRUE),
                 ('VPN drops hourly',        'abe@example.com', 'note',  'Firmware issue',                 TRUE),
                 ('Invoice total wrong',     'alma@example.com', 'assigned', 'Abe Agent',                  FALSE))
         AS v (title, actor, kind, detail, internal)
    JOIN tickets t ON t.title = v.title JOIN users u ON u.email = v.actor;
INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip)
    SELECT v.at::timestamptz, u.id, v.email, v.action, v.target, v.detail, '127.0.0.1'
    FROM (VALUES ('2026-01-05T10:00:00Z', 'sam@example.com',  'user.create', 'ada@example.com', 'role agent'),
                 ('2026-01-05T10:01:00Z', 'alma@example.com', 'settings.update', 'settings', 'sla'),
                 ('2026-01-05T10:02:00Z', 'ann@example.com',  'sign-in', 'ticket #5', ''))
         AS v (at, email, action, target, detail)
    LEFT JOIN users u ON u.email = v.email;

-- The tables without triggers, for completeness.
INSERT INTO sessions (id, user_id, created_at, expires_at)
    SELECT 'sid-' || id, id, 1767600000, 1767600000 + 86400 FROM users WHERE deleted_at IS NULL;
INSERT INTO throttles (key, window_start, count) VALUES ('signin:uma@example.com', 1767600000, 2);
INSERT INTO password_resets (token_hash, user_id, expires_at) SELECT 'hash-abe', id, 1767603600 FROM users WHERE email = 'abe@example.com';
INSERT INTO app_secrets (name, value) VALUES ('jwt', 'secret') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (key, value) VALUES ('maxTicketsPerAgent', '12') ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- Status changes: start work, put on hold, close (with closing time), reopen.
UPDATE tickets SET status = 'in-progress', updated_at = '2026-02-20T11:00:00Z', version = version + 1
    WHERE title = 'Printer jams on floor 3';
UPDATE tickets SET status = 'on-hold', updated_at = '2026-02-20T11:00:00Z' WHERE title = 'Laptop slow';
UPDATE tickets SET status = 'closed', closed_at = '2026-01-06T10:00:00.700Z', resolution_notes = 'Mail fixed',
                   updated_at = '2026-01-06T10:00:00.700Z'
    WHERE title = 'Cannot reset password';
UPDATE tickets SET status = 'open', closed_at = NULL, resolution_notes = NULL, updated_at = '2026-02-20T11:00:00Z'
    WHERE title = 'Phishing mail reported';
-- Closed while unassigned, and assigned and closed in one statement.
UPDATE tickets SET status = 'closed', closed_at = '2026-02-21T03:30:00Z' WHERE title = 'Badge reader broken';
UPDATE tickets SET status = 'closed', closed_at = '2026-02-15T09:00:00Z',
                   assigned_to = (SELECT id FROM users WHERE email = 'ada@example.com')
    WHERE title = 'Email quota full';

-- Assignment: assign, reassign, unassign.
UPDATE tickets SET assigned_to = (SELECT id FROM users WHERE email = 'ari@example.com') WHERE title = 'Printer jams on floor 3';
UPDATE tickets SET assigned_to = (SELECT id FROM users WHERE email = 'ada@example.com') WHERE title = 'Invoice total wrong';
UPDATE tickets SET assigned_to = NULL WHERE title = 'Printer toner empty';
-- Reassigning a closed ticket moves its resolution time to the new agent.
UPDATE tickets SET assigned_to = (SELECT id FROM users WHERE email = 'ari@example.com') WHERE title = 'Cannot reset password';

-- Requester change.
UPDATE tickets SET user_id = (SELECT id FROM users WHERE email = 'ulf@example.com') WHERE title = 'Coffee machine';

-- Priority (with its new deadline) and category changes.
UPDATE tickets SET priority = 'low', due_at = floor(extract(epoch FROM created_at))::bigint + 72 * 3600
    WHERE title = 'Server room too hot';
UPDATE tickets SET priority = 'critical' WHERE title = 'Account locked';
UPDATE tickets SET category = 'account' WHERE title = 'Refund request';

-- Deadline changes: to another day, to none, from none, within the same day, and of closed
-- tickets (their sla_met changes).
UPDATE tickets SET due_at = due_at + 10 * 86400 WHERE title = 'Laptop slow';
UPDATE tickets SET due_at = NULL WHERE title = 'Printer jams on floor 3';
UPDATE tickets SET due_at = 1767225600 WHERE title = 'Old monitor flickers';
UPDATE tickets SET due_at = due_at - due_at % 86400 + 60 WHERE title = 'Printer toner empty';
UPDATE tickets SET due_at = 1768910400 WHERE title = 'VPN drops hourly';
UPDATE tickets SET due_at = 1 WHERE title = 'Account locked';

-- Creation time changes: into another month, and of a closed ticket (its resolution time).
UPDATE tickets SET created_at = '2026-02-02T00:30:00Z' WHERE title = 'Laptop slow';
UPDATE tickets SET created_at = '2026-02-27T19:59:59.400Z' WHERE title = 'Account locked';
-- Closing time change of a closed ticket, to another day.
UPDATE tickets SET closed_at = '2026-01-03T08:00:00Z' WHERE title = 'Old monitor flickers';

-- Title and description (the search column follows; no counter changes).
UPDATE tickets SET title = 'Printer jams on floor 3 again', description = 'The printer still jams', version = version + 1
    WHERE title = 'Printer jams on floor 3';

-- Several rows in one statement.
UPDATE tickets SET status = 'on-hold', updated_at = '2026-02-22T08:00:00Z' WHERE category = 'account' AND status <> 'closed';
UPDATE tickets SET priority = 'high' WHERE priority = 'medium';

-- Writes that change nothing counted (the update triggers' WHEN skips them).
UPDATE tickets SET updated_at = '2026-02-23T08:00:00Z', version = version + 1 WHERE title = 'Server room too hot';
UPDATE tickets SET status = status, assigned_to = assigned_to, due_at = due_at WHERE title LIKE 'Printer%';

-- Deletes: a legacy closed one, a closed one with history, an open one, an on-hold one.
DELETE FROM tickets WHERE title = 'Legacy closed ticket';
DELETE FROM tickets WHERE title = 'VPN drops hourly';
DELETE FROM tickets WHERE title = 'Coffee machine';
DELETE FROM tickets WHERE title = 'Invoice total wrong';

-- Soft-deleting an agent, as the store does: the row stays, the address is freed, and the
-- agent's open tickets become unassigned.
UPDATE users SET deleted_at = '2026-02-24T09:00:00Z', is_active = FALSE,
                 email = 'deleted-' || id || '@deleted.invalid', password_hash = '!'
    WHERE email = 'abe@example.com';
UPDATE tickets SET assigned_to = NULL, version = version + 1
    WHERE assigned_to = (SELECT id FROM users WHERE name = 'Abe Agent') AND status <> 'closed';
DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = 'Abe Agent');
DELETE FROM password_resets WHERE user_id = (SELECT id FROM users WHERE name = 'Abe Agent');

-- Role changes: a live account, and a deleted one (not counted either way); a deactivation.
UPDATE users SET role = 'agent' WHERE email = 'ursula@example.com';
UPDATE users SET role = 'user' WHERE name = 'Abe Agent';
UPDATE users SET is_active = FALSE WHERE email = 'sue@example.com';
-- Deleting account rows outright: a live one and an already deleted one.
DELETE FROM users WHERE email = 'axel@example.com';
DELETE FROM users WHERE name = 'Gone User';

-- Pruning emptied daily rollup rows: the monthly sums and opened-per-day follow.
DELETE FROM rollup_created WHERE n = 0;
DELETE FROM rollup_agent WHERE n = 0 AND resolution_secs = 0;

-- More writes after the pruning, recreating pruned daily rows.
INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
SELECT u.id, 'Another laptop slow', 'Boots slowly too', 'technical', 'medium', 'open', a.id,
       '2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z', 1767866400
FROM users u, users a WHERE u.email = 'uma@example.com' AND a.email = 'ursula@example.com';
UPDATE tickets SET status = 'closed', closed_at = '2026-01-06T10:00:00Z' WHERE title = 'Another laptop slow';
