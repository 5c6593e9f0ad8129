//! Platform tokens and app secrets at rest: AES-256-GCM under the master
//! key, with the channel id as associated data so a ciphertext copied onto
//! another channel's row fails to decrypt instead of lending that channel
//! someone else's account.
//!
//! Stored form: `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>`. The key id
//! (the first 4 bytes of SHA-256 of the key, hex) tells, after a botched
//! rotation, which key a row needs, without revealing anything about it.

use super::secrets::MasterKey;
use crate::domain::ChannelId;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the stored secret is not in a format this version reads")]
    Format,
    #[error("the stored secret was encrypted with key {found}, but the current key is {current}")]
    WrongKey { found: String, current: String },
    #[error("the stored secret does not belong to this channel or was altered")]
    Tampered,
}

/// Short public identifier of a key.
pub fn key_id(key: &MasterKey) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.bytes())[..4])
}

fn aad(channel_id: ChannelId) -> Vec<u8> {
    format!("tongbu/channel/{channel_id}").into_bytes()
}

pub fn encrypt(key: &MasterKey, channel_id: ChannelId, plaintext: &[u8]) -> String {
    let cipher = Aes256Gcm::new(key.bytes().into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad(channel_id),
            },
        )
        // Encryption only fails for inputs of ~64 GB.
        .unwrap_or_default();
    let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&sealed);
    format!(
        "{VERSION}.{}.{}",
        key_id(key),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(blob)
    )
}

pub fn decrypt(
    key: &MasterKey,
    channel_id: ChannelId,
    stored: &str,
) -> Result<Vec<u8>, CryptoError> {
    let mut parts = stored.splitn(3, '.');
    let (Some(VERSION), Some(kid), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CryptoError::Format);
    };
    let current = key_id(key);
    if kid != current {
        return Err(CryptoError::WrongKey {
            found: kid.to_owned(),
            current,
        });
    }
    let blob = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(body)
        .map_err(|_| CryptoError::Format)?;
    if blob.len() < NONCE_LEN + 16 {
        return Err(CryptoError::Format);
    }
    let (nonce, sealed) = blob.split_at(NONCE_LEN);
    Aes256Gcm::new(key.bytes().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &aad(channel_id),
            },
        )
        .map_err(|_| CryptoError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_round_trips_and_never_appears_in_the_stored_form() {
        let key = MasterKey::generate();
        let stored = encrypt(&key, ChannelId(7), b"EAAsecret-page-token");
        assert!(!stored.contains("EAAsecret"));
        assert!(stored.starts_with(&format!("v1.{}.", key_id(&key))));
        assert_eq!(
            decrypt(&key, ChannelId(7), &stored).unwrap(),
            b"EAAsecret-page-token"
        );
    }

    #[test]
    fn the_same_secret_encrypts_differently_each_time() {
        let key = MasterKey::generate();
        assert_ne!(
            encrypt(&key, ChannelId(1), b"same"),
            encrypt(&key, ChannelId(1), b"same")
        );
    }

    #[test]
    fn a_secret_moved_to_another_channel_fails_to_decrypt() {
        let key = MasterKey::generate();
        let stored = encrypt(&key, ChannelId(1), b"token of channel one");
        assert_eq!(
            decrypt(&key, ChannelId(2), &stored),
            Err(CryptoError::Tampered)
        );
    }

    #[test]
    fn an_altered_secret_fails_to_decrypt() {
        let key = MasterKey::generate();
        let stored = encrypt(&key, ChannelId(1), b"token");
        let mut bytes = stored.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert!(matches!(
            decrypt(&key, ChannelId(1), &altered),
            Err(CryptoError::Tampered | CryptoError::Format)
        ));
    }

    #[test]
    fn a_secret_under_another_key_names_both_keys() {
        let old = MasterKey::generate();
        let new = MasterKey::generate();
        let stored = encrypt(&old, ChannelId(1), b"token");
        assert_eq!(
            decrypt(&new, ChannelId(1), &stored),
            Err(CryptoError::WrongKey {
                found: key_id(&old),
                current: key_id(&new)
            })
        );
        assert_eq!(decrypt(&old, ChannelId(1), &stored).unwrap(), b"token");
    }
}
