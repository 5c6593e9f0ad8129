//! OAuth building blocks shared by the connect flows: unguessable `state`
//! values, PKCE (RFC 7636, S256 only) and query strings for consent URLs.
//!
//! Invariants: every random value comes from the operating system's CSPRNG;
//! a PKCE verifier never appears in `Debug` output (it is as good as the
//! authorization code it protects).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes as base64url without padding.
pub fn random_urlsafe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A fresh `state` value for one consent round trip (256 bits).
pub fn new_state() -> String {
    random_urlsafe(32)
}

/// A PKCE verifier and its S256 challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    /// Sent only with the code exchange; kept server-side until then.
    pub verifier: String,
    /// Sent in the consent URL.
    pub challenge: String,
}

impl Pkce {
    /// A new pair: 64 random bytes give an 86-character verifier, inside
    /// RFC 7636's 43..=128 range and using only its unreserved characters.
    #[allow(clippy::new_without_default)] // a random value is not a "default"
    pub fn new() -> Pkce {
        Pkce::from_verifier(random_urlsafe(64))
    }

    /// The pair for a verifier kept from earlier.
    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = s256_challenge(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"[redacted]")
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))` without padding (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `k=v&k=v` with every value percent-encoded and spaces as `%20`: some
/// consent pages split `scope` on literal spaces and do not read `+`.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    // form_urlencoded writes a space as '+' and a literal '+' as "%2B", so
    // every '+' left in its output stands for a space.
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let pkce = Pkce::from_verifier(verifier);
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn new_pkce_verifier_is_long_random_and_unreserved() {
        let a = Pkce::new();
        let b = Pkce::new();
        assert!(
            (43..=128).contains(&a.verifier.len()),
            "{}",
            a.verifier.len()
        );
        assert!(a
            .verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.challenge, s256_challenge(&a.verifier));
        assert!(!format!("{a:?}").contains(&a.verifier));
    }

    #[test]
    fn states_differ_and_are_urlsafe() {
        let (a, b) = (new_state(), new_state());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn query_encodes_spaces_as_percent_20() {
        assert_eq!(
            query(&[("scope", "a b+c"), ("redirect_uri", "http://h/cb?x=1&y")]),
            "scope=a%20b%2Bc&redirect_uri=http%3A%2F%2Fh%2Fcb%3Fx%3D1%26y"
        );
    }
}
