//! Reading mail that comes in: parsing a raw message (`parse`) and finding the reply in it
//! (`quotes`), and the worker that takes it from a mailbox (`imap`). What is done with it is
//! `services::inbound`.

pub mod flowed;
pub mod imap;
pub mod parse;
pub mod quotes;
