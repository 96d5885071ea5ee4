//! Per-recipient reply addresses: `support+<token>@example.com`, where the token names the
//! ticket and the person it was sent to and is signed (HMAC-SHA256 under a key generated once
//! per installation), so a reply to it can be trusted to come from that conversation and a
//! made-up or altered token is worth nothing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signature bytes kept in a token: 80 bits, hex encoded.
const SIGNATURE_BYTES: usize = 10;

fn mac(key: &[u8], ticket: i64, user: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(format!("reply:{ticket}:{user}").as_bytes());
    mac
}

/// The token for replies by `user` on `ticket`.
pub fn token(key: &[u8], ticket: i64, user: i64) -> String {
    let signature = mac(key, ticket, user).finalize().into_bytes();
    format!("t{ticket}u{user}s{}", crate::server::security::hex(&signature[..SIGNATURE_BYTES]))
}

/// The ticket and person a token names, if it is one of ours and unaltered.
pub fn read(key: &[u8], token: &str) -> Option<(i64, i64)> {
    let rest = token.trim().to_ascii_lowercase();
    let rest = rest.strip_prefix('t')?;
    let (ticket, rest) = rest.split_once('u')?;
    let (user, signature) = rest.split_once('s')?;
    let (ticket, user): (i64, i64) = (ticket.parse().ok()?, user.parse().ok()?);
    if signature.len() != SIGNATURE_BYTES * 2 {
        return None;
    }
    let bytes: Vec<u8> =
        (0..signature.len()).step_by(2).map(|i| u8::from_str_radix(signature.get(i..i + 2)?, 16).ok()).collect::<Option<_>>()?;
    mac(key, ticket, user).verify_truncated_left(&bytes).ok()?;
    Some((ticket, user))
}

/// `base` (`support@example.com`) with the token added to its local part.
pub fn address(base: &str, token: &str) -> String {
    match base.rsplit_once('@') {
        Some((local, domain)) => format!("{local}+{token}@{domain}"),
        None => base.to_string(),
    }
}

/// The token in an address's local part (`support+<token>@…`), if any.
pub fn token_in(address: &str) -> Option<&str> {
    let local = address.rsplit_once('@')?.0;
    local.split_once('+').map(|(_, token)| token).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_ticket_and_person_and_any_change_breaks_it() {
        let key = b"installation key";
        let t = token(key, 123, 45);
        assert_eq!(read(key, &t), Some((123, 45)));
        assert_eq!(read(key, &t.to_uppercase()), Some((123, 45)), "mail systems may change the case of a local part");
        assert_eq!(read(b"another installation", &t), None);
        assert_eq!(read(key, &t.replace("t123", "t124")), None, "another ticket");
        assert_eq!(read(key, &t.replace("u45", "u46")), None, "another person");
        let mut forged = t.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(read(key, &forged), None, "another signature");
        for junk in ["", "t", "t1u2s", "t1u2sxyz", "tXuYs00", "t1u2s00000000000000000000000000000000"] {
            assert_eq!(read(key, junk), None, "{junk:?}");
        }
    }

    #[test]
    fn the_token_rides_in_the_local_part_of_the_support_address() {
        let key = b"k";
        let to = address("support@example.com", &token(key, 7, 9));
        assert!(to.starts_with("support+t7u9s") && to.ends_with("@example.com"), "{to}");
        assert_eq!(token_in(&to).and_then(|t| read(key, t)), Some((7, 9)));
        assert_eq!(token_in("support@example.com"), None);
        assert_eq!(token_in("support+@example.com"), None);
    }
}
