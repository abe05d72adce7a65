//! Resource identifiers and API key secrets: a type prefix plus random base62 characters.
//! Key secrets are only ever stored as their SHA-256 hash.

use rand::Rng;
use sha2::{Digest, Sha256};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Random base62 text of `len` characters.
pub fn base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
        .collect()
}

/// A new identifier such as `psn_3kP9aLwX2vQ1`: the prefix, an underscore, 12 base62 characters.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", base62(12))
}

/// A new API key secret, `pk_live_...` or `pk_test_...`.
pub fn new_key_secret(mode: &str) -> String {
    format!("pk_{mode}_{}", base62(32))
}

/// The form in which a key secret is stored and looked up.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_base62_body() {
        let id = new_id("psn");
        assert!(id.starts_with("psn_"));
        assert_eq!(id.len(), 16);
        assert!(id[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_id("psn"), new_id("psn"));
    }

    #[test]
    fn key_hash_is_stable_and_not_the_secret() {
        let secret = new_key_secret("live");
        assert!(secret.starts_with("pk_live_"));
        assert_eq!(hash_secret(&secret), hash_secret(&secret));
        assert!(!hash_secret(&secret).contains(&secret));
    }
}
