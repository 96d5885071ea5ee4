//! The service layer: the one place that decides who may do what. Server functions and
//! REST handlers both call these functions.

pub mod account;
pub mod admin;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod superadmin;
pub mod tickets;
