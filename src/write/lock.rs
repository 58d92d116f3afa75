//! One writer at a time per output directory: an exclusive lock on the
//! directory itself (`flock(2)` on it; no lock file lands in the
//! repository) for a render, a shared one for a check.

use std::fs;
use std::path::Path;

use super::WriteOptions;
use crate::error::{Diagnostic, Error, Result};

/// A held lock, released when dropped (or when the process ends).
#[derive(Debug)]
pub(super) struct OutLock(#[allow(dead_code)] fs::File);

impl OutLock {
    /// The exclusive lock of a render: waits for another render or check
    /// (saying so), or fails at once when `options.wait` is off.
    pub(super) fn exclusive(out: &Path, options: &WriteOptions) -> Result<OutLock> {
        fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
        let dir = fs::File::open(out).map_err(|e| Error::io("open", out, e))?;
        match dir.try_lock() {
            Ok(()) => return Ok(OutLock(dir)),
            Err(fs::TryLockError::Error(e)) => return Err(Error::io("lock", out, e)),
            Err(fs::TryLockError::WouldBlock) => {}
        }
        if !options.wait {
            return Err(Error::Usage(
                Diagnostic::new(format!(
                    "another gen is writing or checking {}",
                    out.display()
                ))
                .help("try again when it has finished, or leave out --no-wait to wait for it"),
            ));
        }
        if let Some(notify) = options.notify {
            notify(&format!(
                "waiting for another gen to finish with {}",
                out.display()
            ));
        }
        dir.lock().map_err(|e| Error::io("lock", out, e))?;
        Ok(OutLock(dir))
    }

    /// The shared lock of a check, when `out` exists: checks run beside
    /// each other, never beside a render.
    pub(super) fn shared(out: &Path) -> Result<Option<OutLock>> {
        let Ok(dir) = fs::File::open(out) else {
            return Ok(None);
        };
        dir.lock_shared().map_err(|e| Error::io("lock", out, e))?;
        Ok(Some(OutLock(dir)))
    }
}
