//! Personal API tokens. A token is `tb_` plus 32 random characters; only its
//! SHA-256 is stored (the token has enough entropy that a slow hash adds
//! nothing), and it is shown once, when created.

use super::state::AppState;
use crate::domain::{parse_token_name, ApiTokenView, AppError, NewApiToken};
use crate::store::UserRow;
use rand::Rng;
use sha2::{Digest, Sha256};

pub const TOKEN_PREFIX: &str = "tb_";
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// `len` random characters from an alphabet without look-alikes.
pub fn random_secret(len: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub async fn create(state: &AppState, user: &UserRow, name: &str) -> Result<NewApiToken, AppError> {
    let name = parse_token_name(name)?;
    let token = format!("{TOKEN_PREFIX}{}", random_secret(32));
    let prefix: String = token.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let row = state
        .store
        .create_api_token(user.id(), &name, &hash_secret(&token), &prefix, state.now())
        .await?;
    Ok(NewApiToken {
        token,
        view: row.view(),
    })
}

pub async fn list(state: &AppState, user: &UserRow) -> Result<Vec<ApiTokenView>, AppError> {
    Ok(state
        .store
        .api_tokens(user.id())
        .await?
        .iter()
        .map(|t| t.view())
        .collect())
}

pub async fn revoke(state: &AppState, user: &UserRow, id: i64) -> Result<(), AppError> {
    Ok(state
        .store
        .revoke_api_token(user.id(), id, state.now())
        .await?)
}

/// The user behind a bearer token, if it is live.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Option<UserRow>, AppError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(state
        .store
        .user_by_api_token(&hash_secret(token), state.now())
        .await?)
}
