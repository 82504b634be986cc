//! Sign-in passwords for `ics serve`: argon2id hashes (default parameters, a random salt),
//! stored as PHC strings. Neither the password nor its hash is ever printed.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::Error;

/// The shortest password accepted.
pub const MIN_LEN: usize = 8;
/// The longest: hashing costs time, and nobody types more.
pub const MAX_LEN: usize = 1024;

/// Refuse a password too short or too long to be one.
pub fn check(password: &str) -> Result<(), Error> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(Error::input(format!(
            "the password is too short ({n} characters); use at least {MIN_LEN}"
        )));
    }
    if password.len() > MAX_LEN {
        return Err(Error::input(format!(
            "the password is too long; use at most {MAX_LEN} bytes"
        )));
    }
    Ok(())
}

/// The argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, Error> {
    check(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|_| Error::input("the system has no random numbers to salt the password"))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|_| Error::input("the password could not be hashed"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| Error::input("the password could not be hashed"))
}

/// Whether `password` matches the stored `hash` (false for a hash that cannot be read).
pub fn verify(hash: &str, password: &str) -> bool {
    if password.len() > MAX_LEN {
        return false;
    }
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to check against when the user does not exist or has no password, so that a wrong
/// name takes as long to refuse as a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password, matches nothing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(!a.contains("correct horse"));
        assert!(verify(&a, "correct horse"));
        assert!(!verify(&a, "correct horsE"));
        assert!(!verify("not a hash", "correct horse"));
        assert!(!verify(decoy(), "correct horse"));
    }

    #[test]
    fn too_short_and_too_long_are_refused() {
        assert!(hash("short").is_err());
        assert!(check(&"x".repeat(MAX_LEN + 1)).is_err());
        assert!(check("eight ch").is_ok());
    }
}
