//! argon2id password hashing (OWASP's m=19456 KiB, t=2, p=1), always on the
//! blocking pool so a burst of sign-ins cannot stall the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// A hash of a random password with the same parameters, verified against
/// when the email is unknown so both answers take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = uuid::Uuid::new_v4().to_string();
        hash_blocking(&random).expect("hashing a random password")
    })
}

/// Verifies `password` against `stored`, or against the dummy hash when
/// there is no such user (the result is then always false).
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let text = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed =
            PasswordHash::new(&text).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await?
}

/// Warms the dummy hash at start-up so the first unknown-email sign-in is
/// not slower than the rest.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_strength() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }
}
