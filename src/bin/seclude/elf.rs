//! What seclude needs to know about a program before running it: whether
//! a dynamic loader runs first (an ELF `PT_INTERP`, or a `#!` script whose
//! interpreter has one) and which machine it is for.
//!
//! The facts are read from the file, never trusted for security: a wrong
//! answer only decides whether the loader's allowance applies at all.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What kind of executable a file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Executable {
    /// An ELF file: its machine (`e_machine`), class (32 or 64 bits) and
    /// its loader (`PT_INTERP`), if dynamically linked.
    Elf {
        machine: u16,
        bits: u8,
        interpreter: Option<PathBuf>,
    },
    /// A `#!` script and its interpreter's path.
    Script { interpreter: PathBuf },
    /// Something else (the kernel will refuse it, or a binfmt_misc handler
    /// will run it).
    Other,
}

/// `EM_X86_64`.
pub const EM_X86_64: u16 = 62;
/// `EM_386`.
pub const EM_386: u16 = 3;
/// `EM_AARCH64`.
pub const EM_AARCH64: u16 = 183;

/// The machine seclude itself runs on, as an ELF `e_machine`, if known.
pub const NATIVE_MACHINE: Option<u16> = if cfg!(target_arch = "x86_64") {
    Some(EM_X86_64)
} else if cfg!(target_arch = "aarch64") {
    Some(EM_AARCH64)
} else if cfg!(target_arch = "x86") {
    Some(EM_386)
} else {
    None
};

/// Reads what [`Executable`] says about `path`.
pub fn inspect(path: &Path) -> std::io::Result<Executable> {
    use std::os::unix::fs::OpenOptionsExt;
    // Without blocking (a FIFO's open waits for a writer), and judged by
    // what was opened: only a regular file can be executed.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(seclude::sys::fd::O_NONBLOCK as i32)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    // A header, and program headers that usually follow it directly; a
    // file whose headers lie further is read again at their offset.
    let mut head = vec![0u8; 4096];
    let n = read_up_to(&mut file, &mut head)?;
    head.truncate(n);
    Ok(parse(&head, |offset, len| {
        use std::io::{Seek, SeekFrom};
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(offset)).ok()?;
        let n = read_up_to(&mut file, &mut buf).ok()?;
        buf.truncate(n);
        Some(buf)
    }))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match file.read(&mut buf[total..])? {
            0 => break,
            n => total += n,
        }
    }
    Ok(total)
}

/// The pure part of [`inspect`]: `head` is the start of the file and
/// `read_at(offset, len)` reads elsewhere.
pub fn parse(head: &[u8], mut read_at: impl FnMut(u64, usize) -> Option<Vec<u8>>) -> Executable {
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let text = String::from_utf8_lossy(line);
        return match text.split_whitespace().next() {
            Some(interpreter) => Executable::Script {
                interpreter: PathBuf::from(interpreter),
            },
            None => Executable::Other,
        };
    }
    if head.len() < 52 || &head[..4] != b"\x7fELF" {
        return Executable::Other;
    }
    let bits = match head[4] {
        1 => 32,
        2 => 64,
        _ => return Executable::Other,
    };
    let little = match head[5] {
        1 => true,
        2 => false,
        _ => return Executable::Other,
    };
    let u16_at = |b: &[u8], o: usize| -> Option<u64> {
        let v = b.get(o..o + 2)?;
        Some(if little {
            u16::from_le_bytes([v[0], v[1]])
        } else {
            u16::from_be_bytes([v[0], v[1]])
        } as u64)
    };
    let u32_at = |b: &[u8], o: usize| -> Option<u64> {
        let v: [u8; 4] = b.get(o..o + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(v)
        } else {
            u32::from_be_bytes(v)
        } as u64)
    };
    let u64_at = |b: &[u8], o: usize| -> Option<u64> {
        let v: [u8; 8] = b.get(o..o + 8)?.try_into().ok()?;
        Some(if little {
            u64::from_le_bytes(v)
        } else {
            u64::from_be_bytes(v)
        })
    };
    let word = |b: &[u8], o: usize| {
        if bits == 64 {
            u64_at(b, o)
        } else {
            u32_at(b, o)
        }
    };
    let Some(machine) = u16_at(head, 18) else {
        return Executable::Other;
    };
    // e_phoff, e_phentsize, e_phnum.
    let (phoff, phentsize, phnum) = if bits == 64 {
        (u64_at(head, 32), u16_at(head, 54), u16_at(head, 56))
    } else {
        (u32_at(head, 28), u16_at(head, 42), u16_at(head, 44))
    };
    let (Some(phoff), Some(phentsize), Some(phnum)) = (phoff, phentsize, phnum) else {
        return Executable::Other;
    };
    // Untrusted numbers: a sane entry size, at most 64 KiB of table.
    let min_entry = if bits == 64 { 56 } else { 32 };
    if phentsize < min_entry || phentsize * phnum > 0x10000 {
        return Executable::Other;
    }
    let table_len = (phentsize * phnum) as usize;
    let Some(table_end) = (phoff as usize).checked_add(table_len) else {
        return Executable::Other;
    };
    let table: Vec<u8> = match head.get(phoff as usize..table_end) {
        Some(t) => t.to_vec(),
        None => match read_at(phoff, table_len) {
            Some(t) if t.len() == table_len => t,
            _ => return Executable::Other,
        },
    };
    const PT_INTERP: u64 = 3;
    let mut interpreter = None;
    for i in 0..phnum as usize {
        let ph = &table[i * phentsize as usize..(i + 1) * phentsize as usize];
        if u32_at(ph, 0) != Some(PT_INTERP) {
            continue;
        }
        // p_offset and p_filesz.
        let (offset, size) = if bits == 64 {
            (word(ph, 8), word(ph, 32))
        } else {
            (word(ph, 4), word(ph, 16))
        };
        let (Some(offset), Some(size)) = (offset, size) else {
            return Executable::Other;
        };
        let size = size.min(4096) as usize;
        let Some(end) = (offset as usize).checked_add(size) else {
            return Executable::Other;
        };
        let bytes = match head.get(offset as usize..end) {
            Some(b) => b.to_vec(),
            None => read_at(offset, size).unwrap_or_default(),
        };
        let path = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
        interpreter = Some(PathBuf::from(String::from_utf8_lossy(path).into_owned()));
        // The kernel runs the first PT_INTERP and ignores any later one:
        // so must this reader, or a program could name a system loader in
        // a second entry and be run by a loader of its own.
        break;
    }
    Executable::Elf {
        machine: machine as u16,
        bits,
        interpreter,
    }
}

/// Whether `loader` is a system dynamic loader, trusted to run the
/// preloaded marker before the program's own code: an `ld-*.so*` or
/// `ld64.so*` file below /lib, /lib64, /usr/lib or /usr/lib64 (after
/// symbolic links), owned by root and writable by nobody else, in a
/// directory owned by root. A program naming any other file as its
/// loader gets no loading allowance.
pub fn trusted_loader(loader: &Path) -> bool {
    examine_loader(loader).is_some()
}

/// A system loader as [`trusted_loader`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedLoader {
    /// The file it is (device and inode, after symbolic links).
    pub file: (u64, u64),
    /// Whether it is musl's, which is also its C library: calls from its
    /// code are not only the loader's.
    pub is_musl: bool,
}

/// What seclude found a loader path to be, and when: the file's device,
/// inode, owner, mode and change time as `stat` (following links) saw
/// them. The change time tells a file from a later one that reuses its
/// inode number (a loader an upgrade replaced, freed, and the number given
/// to another root-owned file with the same mode): a new inode's is the
/// time it was made.
struct Examined {
    path: PathBuf,
    seen: (u64, u64, u32, u32, i64, i64),
    found: Option<TrustedLoader>,
}

/// Loaders examined earlier in this run. Examining walks the path link
/// by link (about ten `readlink` calls) and stats the file and its
/// directory; it was done three times per exec, while the program waited
/// on its first loader call. An entry holds while a `stat` of the path
/// sees the same file, owner and mode: a loader replaced by an upgrade is
/// another inode and is examined again.
static EXAMINED: std::sync::Mutex<Vec<Examined>> = std::sync::Mutex::new(Vec::new());

/// [`trusted_loader`]'s answer with the file it found, or `None` if
/// `loader` is not a trusted system loader.
pub fn examine_loader(loader: &Path) -> Option<TrustedLoader> {
    use std::os::unix::fs::MetadataExt;
    // The kernel resolves a relative PT_INTERP from the program's working
    // directory; seclude cannot know which file that is.
    if !loader.is_absolute() {
        return None;
    }
    let meta = std::fs::metadata(loader).ok()?;
    let seen = (
        meta.dev(),
        meta.ino(),
        meta.uid(),
        meta.mode(),
        meta.ctime(),
        meta.ctime_nsec(),
    );
    let mut examined = EXAMINED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = examined.iter().find(|e| e.path == loader) {
        if known.seen == seen {
            return known.found;
        }
    }
    let found = examine_uncached(loader, (seen.0, seen.1));
    examined.retain(|e| e.path != loader);
    // A program can name any number of loaders; remember a few.
    if examined.len() >= 16 {
        examined.remove(0);
    }
    examined.push(Examined {
        path: loader.to_path_buf(),
        seen,
        found,
    });
    found
}

#[cfg(test)]
thread_local! {
    /// How many times this thread examined a loader without the cache.
    static UNCACHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn examine_uncached(loader: &Path, file: (u64, u64)) -> Option<TrustedLoader> {
    use std::os::unix::fs::MetadataExt;
    #[cfg(test)]
    UNCACHED.with(|n| n.set(n.get() + 1));
    let real = std::fs::canonicalize(loader).ok()?;
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let named_like_a_loader =
        (name.starts_with("ld-") || name.starts_with("ld64.so")) && name.contains(".so");
    let in_system_dir = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"]
        .iter()
        .any(|dir| real.starts_with(dir));
    let root_owned = |m: &std::fs::Metadata| m.uid() == 0 && m.mode() & 0o022 == 0;
    // The file the canonical path names now must be the one stat saw.
    let real_meta = std::fs::metadata(&real).ok()?;
    let trusted = named_like_a_loader
        && in_system_dir
        && (real_meta.dev(), real_meta.ino()) == file
        && root_owned(&real_meta)
        && real
            .parent()
            .and_then(|dir| std::fs::metadata(dir).ok())
            .is_some_and(|m| root_owned(&m));
    trusted.then(|| TrustedLoader {
        file,
        is_musl: name.starts_with("ld-musl"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_programs_are_recognised() {
        // /bin/sh is dynamically linked on every Debian system.
        match inspect(Path::new("/bin/sh")).unwrap() {
            Executable::Elf {
                machine,
                interpreter,
                ..
            } => {
                assert_eq!(Some(machine), NATIVE_MACHINE);
                let interp = interpreter.expect("/bin/sh has a loader");
                assert!(interp.to_string_lossy().contains("ld-"), "{interp:?}");
            }
            other => panic!("/bin/sh: {other:?}"),
        }
    }

    #[test]
    fn only_system_loaders_are_trusted() {
        let Executable::Elf {
            interpreter: Some(loader),
            ..
        } = inspect(Path::new("/bin/sh")).unwrap()
        else {
            panic!("/bin/sh is dynamic");
        };
        assert!(trusted_loader(&loader), "{loader:?}");
        assert!(!trusted_loader(Path::new("/bin/sh")));
        assert!(!trusted_loader(Path::new("/nonexistent/ld-linux.so.2")));
        let dir = std::env::temp_dir().join(format!("seclude-ld-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("ld-linux-x86-64.so.2");
        std::fs::copy(&loader, &fake).unwrap();
        let trusted = trusted_loader(&fake);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!trusted, "a copy outside the system directories");
    }

    #[test]
    fn a_file_changed_since_it_was_examined_is_examined_again() {
        use std::os::unix::fs::PermissionsExt;
        let uncached = || UNCACHED.with(|n| n.get());
        let dir = std::env::temp_dir().join(format!("seclude-ld-again-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ld-linux-x86-64.so.2");
        std::fs::write(&file, b"x").unwrap();
        let start = uncached();
        assert_eq!(examine_loader(&file), None);
        assert_eq!(examine_loader(&file), None);
        assert_eq!(uncached(), start + 1, "the second answer is the cache's");
        // Same device, inode, owner and mode, as a reused inode number
        // would be; only its change time says it is another file.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_eq!(examine_loader(&file), None);
        let again = uncached();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(again, start + 2, "examined again after a change");
    }

    #[test]
    fn malformed_headers_are_other_files() {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        // e_phoff near the top of the address space, huge entries.
        elf[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
        elf[54..56].copy_from_slice(&56u16.to_le_bytes());
        elf[56..58].copy_from_slice(&1u16.to_le_bytes());
        assert_eq!(parse(&elf, |_, _| None), Executable::Other);
        elf[32..40].copy_from_slice(&64u64.to_le_bytes());
        elf[54..56].copy_from_slice(&u16::MAX.to_le_bytes());
        elf[56..58].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            parse(&elf, |_, _| panic!("no read of a 4 GiB table")),
            Executable::Other
        );
        elf[54..56].copy_from_slice(&8u16.to_le_bytes());
        assert_eq!(parse(&elf, |_, _| None), Executable::Other);
    }

    /// A 64-bit little-endian x86-64 header, `len` bytes in all, with
    /// `phnum` zeroed program headers right after it.
    fn header64(phnum: u16, len: usize) -> Vec<u8> {
        let mut elf = vec![0u8; len];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        elf[32..40].copy_from_slice(&64u64.to_le_bytes());
        elf[54..56].copy_from_slice(&56u16.to_le_bytes());
        elf[56..58].copy_from_slice(&phnum.to_le_bytes());
        elf
    }

    /// Two PT_INTERP entries: the first counts, as in the kernel's ELF
    /// loader (the reader used to keep the last).
    #[test]
    fn the_first_interpreter_counts() {
        let mut elf = header64(2, 64 + 2 * 56 + 32);
        let paths = 64 + 2 * 56;
        for (i, path) in [&b"/own/ld\0"[..], &b"/lib/ld.so\0"[..]].iter().enumerate() {
            let ph = 64 + i * 56;
            let at = paths + i * 16;
            elf[ph..ph + 4].copy_from_slice(&3u32.to_le_bytes());
            elf[ph + 8..ph + 16].copy_from_slice(&(at as u64).to_le_bytes());
            elf[ph + 32..ph + 40].copy_from_slice(&(path.len() as u64).to_le_bytes());
            elf[at..at + path.len()].copy_from_slice(path);
        }
        assert_eq!(
            parse(&elf, |_, _| None),
            Executable::Elf {
                machine: EM_X86_64,
                bits: 64,
                interpreter: Some("/own/ld".into())
            }
        );
    }

    #[test]
    fn scripts_and_other_files() {
        let none = |_, _| None;
        assert_eq!(
            parse(b"#!/bin/sh -e\necho", none),
            Executable::Script {
                interpreter: "/bin/sh".into()
            }
        );
        assert_eq!(parse(b"#!\n", none), Executable::Other);
        assert_eq!(parse(b"hello", none), Executable::Other);
        assert_eq!(parse(b"\x7fELF", none), Executable::Other);
    }

    #[test]
    fn a_static_elf_has_no_interpreter() {
        // A minimal header with one PT_LOAD.
        let mut elf = header64(1, 64 + 56);
        elf[64..68].copy_from_slice(&1u32.to_le_bytes());
        let got = parse(&elf, |_, _| None);
        assert_eq!(
            got,
            Executable::Elf {
                machine: EM_X86_64,
                bits: 64,
                interpreter: None
            }
        );
        // The same with PT_INTERP pointing at a path past the header.
        elf[64..68].copy_from_slice(&3u32.to_le_bytes());
        elf[64 + 8..64 + 16].copy_from_slice(&200u64.to_le_bytes());
        elf[64 + 32..64 + 40].copy_from_slice(&11u64.to_le_bytes());
        let got = parse(&elf, |offset, len| {
            assert_eq!((offset, len), (200, 11));
            Some(b"/lib/ld.so\0".to_vec())
        });
        assert_eq!(
            got,
            Executable::Elf {
                machine: EM_X86_64,
                bits: 64,
                interpreter: Some("/lib/ld.so".into())
            }
        );
    }
}
