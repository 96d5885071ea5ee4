//! The integration tests, as one test binary (one link instead of one per file): each module
//! is what was a file of its own under `tests/`. `hash_budget` stays a binary of its own: it
//! counts the process' password hashes, which other tests running beside it would add to.

#[path = "../common/mod.rs"]
mod common;

mod api_admin;
mod api_auth;
mod api_profile;
mod api_tickets;
mod backup;
mod concurrency;
mod counters;
mod crash;
mod events;
mod events_direct;
mod files;
mod hostile_text;
mod imap;
mod inbound;
mod inbound_admin;
mod instances;
mod integrity;
mod mail_corpus;
mod migrate_round_trip;
mod notifications;
mod openapi;
mod ops;
mod pages;
mod paging;
mod postgres_outage;
mod postgres_schema;
mod presence;
mod sessions;
mod shutdown;
mod smtp;
mod startup;
mod throttling;
mod write_path;
