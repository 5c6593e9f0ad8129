//! One scheduler per SQLite database. SQLite has one writer and no
//! row locks to share work with, so a second scheduler would only contend;
//! it is refused with a clear message instead. The lock is an OS file lock
//! beside the database: released by the kernel when the process dies, even
//! by `kill -9`, so a restart never waits for a stale lease.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

/// Held for the life of the scheduler.
pub struct SchedulerLock {
    _file: File,
    pub path: PathBuf,
}

/// Where the lock of a SQLite database lives; `None` for PostgreSQL, where
/// any number of schedulers share the work.
pub fn lock_path(database_url: &str) -> Option<PathBuf> {
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;
    if !database_url.starts_with("sqlite:") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(database_url).ok()?;
    let db = opts.get_filename().to_owned();
    let mut name = db.file_name()?.to_owned();
    name.push(".scheduler.lock");
    Some(db.with_file_name(name))
}

/// Takes the scheduler lock of `database_url` (nothing to take on
/// PostgreSQL). An error names who holds it.
pub fn acquire(database_url: &str) -> anyhow::Result<Option<SchedulerLock>> {
    let Some(path) = lock_path(database_url) else {
        return Ok(None);
    };
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.rewind()?;
            write!(file, "{}", std::process::id())?;
            file.flush()?;
            Ok(Some(SchedulerLock { _file: file, path }))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            anyhow::bail!(
                "another Tongbu scheduler (process {}) is already running on this SQLite database; \
                 SQLite allows one. Stop it first, run `tongbu serve` with TONGBU_SCHEDULER=0 \
                 beside a single `tongbu worker`, or move to PostgreSQL to run several workers.",
                if holder.is_empty() { "unknown" } else { holder }
            )
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_scheduler_on_one_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let first = acquire(&url).unwrap().expect("a lock on SQLite");
        let err = acquire(&url).err().expect("second refused").to_string();
        assert!(err.contains("already running"), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(first);
        assert!(acquire(&url).unwrap().is_some(), "free again once released");
        assert!(acquire("postgres://localhost/x").unwrap().is_none());
    }
}
