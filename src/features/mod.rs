//! One module per area of the product: its server functions and its pages.

pub mod admin;
pub mod auth;
pub mod home;
pub mod profile;
pub mod superadmin;
pub mod tickets;
