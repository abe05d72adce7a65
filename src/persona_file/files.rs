//! Reading and writing the text files the CLI edits: size-limited reads of regular files, and
//! atomic replacement that survives a kill (its leftovers are cleaned up by the next write).

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest working copy or brief read: far above any persona (the API takes 1 MiB bodies),
/// far below what would hurt to hold in memory.
pub const MAX_TEXT_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The text of a regular file (symbolic links followed) of at most `MAX_TEXT_FILE_BYTES`:
/// a device, a directory or a pipe is refused before anything is read.
pub fn read_text_file(path: &Path) -> io::Result<String> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(not_a_regular_file(&metadata));
    }
    read_limited(fs::File::open(path)?)
}

/// The text of a brief: a regular file as [`read_text_file`] reads it, or a pipe or a character
/// device (`-f <(cat brief.md)`, `-f /dev/stdin`), read up to the same cap, so that a pipe that
/// never ends is refused once past it. A named pipe is opened without waiting for a writer (with
/// none, it reads as empty). A directory, a block device or a socket is refused.
pub fn read_text_stream(path: &Path) -> io::Result<String> {
    let metadata = fs::metadata(path)?;
    if metadata.is_file() || !is_stream(&metadata) {
        return read_text_file(path);
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        options.custom_flags(libc::O_NONBLOCK);
        let file = options.open(path)?;
        // Opened: from now on a read waits for the writer's data, as reading a pipe does.
        let descriptor = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns, with flags it read just before.
        let flags = unsafe { libc::fcntl(descriptor, libc::F_GETFL) };
        if flags < 0
            || unsafe { libc::fcntl(descriptor, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0
        {
            return Err(io::Error::last_os_error());
        }
        read_limited(file)
    }
    #[cfg(not(unix))]
    read_limited(options.open(path)?)
}

/// Whether `metadata` is a pipe or a character device: text a brief may be read from.
fn is_stream(metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        file_type.is_fifo() || file_type.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

/// All of `reader` as text, or an error once it passes `MAX_TEXT_FILE_BYTES` (checked before
/// the text is decoded, so a cut inside a character still reads as "too large").
pub fn read_limited(reader: impl io::Read) -> io::Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_TEXT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} MiB",
                MAX_TEXT_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text (is it a binary file?)",
        )
    })
}

fn not_a_regular_file(metadata: &fs::Metadata) -> io::Error {
    let kind = if metadata.is_dir() {
        "a directory"
    } else {
        special_kind(metadata)
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}, not a regular file"),
    )
}

/// What a file that is neither regular nor a directory is, in words.
fn special_kind(metadata: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = metadata;
    "a device, pipe or socket"
}

/// Replaces `path` with `contents` atomically: writes a new file beside it, fsyncs it and renames
/// it over `path`, keeping `path`'s permissions. A symbolic link is written through (the file it
/// points to is replaced, the link stays); a directory, device or pipe is refused. On error the
/// target is untouched.
pub fn write_atomic(path: &Path, contents: &str) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = &follow_symlinks(path)?;
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let existing_permissions = match fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => return Err(not_a_regular_file(&metadata)),
        Ok(metadata) => Some(metadata.permissions()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();

    let (temp_path, file) = loop {
        let attempt = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(file_name);
        temp_name.push(format!(".{}.{nanos}.{attempt}.tmp", std::process::id()));
        let temp_path = directory.join(temp_name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => break (temp_path, file),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    };

    let result = (|| {
        let mut file = file;
        // The mode first: the contents of a private file are never readable under a wider one.
        if let Some(permissions) = existing_permissions {
            file.set_permissions(permissions)?;
        }
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp_path, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp_path);
        return result;
    }
    // Make the rename itself durable; not every platform can open a directory for this.
    if let Ok(directory_handle) = fs::File::open(directory) {
        let _ = directory_handle.sync_all();
    }
    remove_stale_temp_files(directory, file_name);
    Ok(())
}

/// The path a chain of symbolic links ends at (which need not exist yet); `path` itself when it
/// is not a link.
fn follow_symlinks(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// How old a temporary file of `write_atomic` must be before it is taken for the leftover of a
/// write that was killed: a write still going on finishes in far less.
const STALE_TEMP_AFTER: Duration = Duration::from_secs(600);

/// Removes what earlier writes of `file_name` left behind when they were killed between
/// creating their temporary file (`.NAME.PID.NANOS.N.tmp`) and renaming it.
fn remove_stale_temp_files(directory: &Path, file_name: &std::ffi::OsStr) {
    let Some(file_name) = file_name.to_str() else {
        return;
    };
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(numbers) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            continue;
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        let ours = parts.len() == 3
            && parts
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        let stale = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AFTER);
        if ours && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_content_and_leaves_no_temp_files() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("mert.yaml");
        write_atomic(&path, "first\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "first\n");
        write_atomic(&path, "second, longer contents\n").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "second, longer contents\n"
        );
        write_atomic(&path, "").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
        let names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["mert.yaml"]);
    }

    #[test]
    fn write_atomic_removes_what_killed_writes_left_but_not_live_ones() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("mert.yaml");
        let leftover = |name: &str, age: Duration| {
            let file = fs::File::create(directory.path().join(name)).unwrap();
            file.set_modified(SystemTime::now() - age).unwrap();
        };
        let hour = Duration::from_secs(3600);
        leftover(".mert.yaml.4242.123456.0.tmp", hour);
        leftover(".mert.yaml.4243.654321.1.tmp", Duration::ZERO);
        leftover(".other.yaml.4242.123456.0.tmp", hour);
        leftover(".mert.yaml.notes.tmp", hour);
        write_atomic(&path, "new\n").unwrap();
        let mut names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".mert.yaml.4243.654321.1.tmp",
                ".mert.yaml.notes.tmp",
                ".other.yaml.4242.123456.0.tmp",
                "mert.yaml"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_permissions_and_cleans_up_on_error() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("private.yaml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, "new").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let target_is_directory = directory.path().join("subdir");
        fs::create_dir(&target_is_directory).unwrap();
        assert!(write_atomic(&target_is_directory, "x").is_err());
        let mut names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["private.yaml", "subdir"]);
        assert!(write_atomic(&directory.path().join("missing/dir/file.yaml"), "x").is_err());
    }
}
