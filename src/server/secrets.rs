//! The master key that encrypts platform tokens at rest. It comes from
//! configuration, or is generated into the data folder on first start (with
//! a warning: losing that file means reconnecting every channel).

use anyhow::Context;
use base64::Engine;
use rand::RngCore;
use std::path::Path;

pub const KEY_FILE: &str = "master.key";

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn generate() -> MasterKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        MasterKey(k)
    }

    pub fn parse(text: &str) -> anyhow::Result<MasterKey> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .context("the secret key must be base64")?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| {
            anyhow::anyhow!("the secret key must be 32 bytes (44 base64 characters)")
        })?;
        Ok(MasterKey(bytes))
    }

    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }
}

/// The configured key, else the one in the data folder, else a new one
/// written there (readable by the owner only).
pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<MasterKey> {
    if let Some(text) = configured {
        return MasterKey::parse(text).context("TONGBU_SECRET_KEY");
    }
    let path = data_dir.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return MasterKey::parse(&text).with_context(|| format!("the key in {}", path.display()));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let key = MasterKey::generate();
    write_private(&path, &key.encode())?;
    tracing::warn!(
        path = %path.display(),
        "no secret key configured: generated a new master key. Back this file up, or set \
         TONGBU_SECRET_KEY; without it, stored channel tokens cannot be decrypted"
    );
    Ok(key)
}

/// Where a rotation writes the next key before re-encrypting with it.
pub const NEXT_KEY_FILE: &str = "master.key.next";
/// Where the key before the last rotation is kept, for recovery.
pub const PREVIOUS_KEY_FILE: &str = "master.key.previous";

/// The key a rotation moves to: the one an interrupted rotation already
/// wrote, else a new one written now (before any row is re-encrypted with
/// it, so no row can end up under a key that exists nowhere).
pub fn next_key(data_dir: &Path) -> anyhow::Result<MasterKey> {
    let path = data_dir.join(NEXT_KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return MasterKey::parse(&text).with_context(|| format!("the key in {}", path.display()));
    }
    std::fs::create_dir_all(data_dir)?;
    let key = MasterKey::generate();
    write_private(&path, &key.encode())?;
    Ok(key)
}

/// After the database moved to the next key: it becomes the key file, the
/// old one is kept as `master.key.previous`.
pub fn promote_next_key(data_dir: &Path) -> anyhow::Result<()> {
    let current = data_dir.join(KEY_FILE);
    if current.exists() {
        std::fs::rename(&current, data_dir.join(PREVIOUS_KEY_FILE))?;
    }
    std::fs::rename(data_dir.join(NEXT_KEY_FILE), &current)?;
    Ok(())
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_generated_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(None, dir.path()).unwrap();
        let b = load_or_create(None, dir.path()).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_wins_and_must_be_32_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let k = MasterKey::generate();
        let loaded = load_or_create(Some(&k.encode()), dir.path()).unwrap();
        assert_eq!(loaded.bytes(), k.bytes());
        assert!(!dir.path().join(KEY_FILE).exists());
        assert!(load_or_create(Some("c2hvcnQ="), dir.path()).is_err());
        assert_eq!(format!("{k:?}"), "MasterKey([redacted])");
    }
}
