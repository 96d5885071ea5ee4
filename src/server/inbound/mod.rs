//! Reading mail that comes in: parsing a raw message (`parse`) and finding the reply in it
//! (`quotes`). What is done with it is `services::inbound`.

pub mod parse;
pub mod quotes;
