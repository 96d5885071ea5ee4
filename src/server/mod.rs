//! Everything that runs only on the server (feature `ssr`).

pub mod api;
pub mod csv;
pub mod guard;
pub mod http;
pub mod inbound;
pub mod live;
pub mod mail;
pub mod rate_limit;
pub mod metrics;
pub mod notify;
pub mod ops;
pub mod rpc;
pub mod secret;
pub mod security;
pub mod services;
pub mod config;
pub mod startup;
pub mod store;
pub mod tracing_setup;
pub mod upkeep;

pub use startup::{build_router, AppState, Core};
