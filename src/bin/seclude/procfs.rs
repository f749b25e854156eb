//! What seclude reads of a supervised process in /proc: strings in its
//! memory, its start time and thread count, its mappings, its auxiliary
//! vector's entries, and whether its marker is preloaded. What is read is
//! what was there when seclude looked; the process may have changed it
//! since.

use std::os::unix::ffi::OsStrExt;

/// A NUL-terminated string at `address` in process `pid` (at most a
/// page): what a path argument pointed at when seclude looked, which the
/// process may have changed since. A hint, or the name of a call seclude
/// then performs itself; never a reason to let the call continue.
pub fn read_string(pid: u32, address: u64) -> Option<std::path::PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let bytes = read_c_string(&format!("/proc/{pid}/mem"), address)?;
    Some(std::path::PathBuf::from(std::ffi::OsString::from_vec(
        bytes,
    )))
}

/// A NUL-terminated string at `address` in the memory file `mem` (a
/// /proc `mem` entry), without its NUL: at most `PATH_MAX` bytes, read up
/// to a page boundary at a time (the string may end before an unmapped
/// page). `None` if it cannot be read or is longer.
pub fn read_c_string(mem: &str, address: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mem = std::fs::File::open(mem).ok()?;
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    while len < buf.len() {
        let at = address + len as u64;
        let to_page = 4096 - (at % 4096) as usize;
        let end = (len + to_page).min(buf.len());
        let got = mem.read_at(&mut buf[len..end], at).ok()?;
        if got == 0 {
            return None;
        }
        if let Some(nul) = buf[len..len + got].iter().position(|&b| b == 0) {
            buf.truncate(len + nul);
            return Some(buf);
        }
        len += got;
    }
    None
}

/// What seclude reads of /proc/ID/stat.
pub struct ProcStat {
    /// The thread's (or process's) start time.
    pub start: u64,
    /// The number of threads of its process.
    pub threads: u64,
}

impl ProcStat {
    pub fn read(id: u32) -> Option<ProcStat> {
        let stat = read_proc(&format!("/proc/{id}/stat"))?;
        // The name (field 2) may hold spaces and parentheses: count from
        // the last ')'. Field 20 (num_threads) is the 18th after it, field
        // 22 (starttime) the 20th.
        let mut after = stat[stat.rfind(')')? + 1..].split_whitespace().skip(17);
        let threads = after.next()?.parse().ok()?;
        let start = after.nth(1)?.parse().ok()?;
        Some(ProcStat { start, threads })
    }
}

/// A thread's (or process's) start time, from /proc/ID/stat.
pub fn start_time(id: u32) -> Option<u64> {
    ProcStat::read(id).map(|stat| stat.start)
}

/// A /proc file, in a read or two: `std::fs::read_to_string` asks for its
/// size first (0 for these) and then reads from 32 bytes up, doubling,
/// about ten calls for a process's maps on each notification.
pub fn read_proc(path: &str) -> Option<String> {
    let bytes = read_proc_bytes(path)?;
    // Only the fields seclude reads must be valid: a file name in maps
    // may not be UTF-8.
    Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// [`read_proc`]'s bytes (auxv, environ). Not `File::read_to_end`,
/// which asks the file's size first too (`statx`, `lseek`).
pub fn read_proc_bytes(path: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut bytes = vec![0; 4096];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes.resize(2 * len, 0);
        }
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    bytes.truncate(len);
    Some(bytes)
}

/// One line of /proc/PID/maps.
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    pub executable: bool,
    /// Device (as `st_dev` encodes it) and inode of a mapped file.
    pub file: Option<(u64, u64)>,
}

pub fn read_maps(tgid: u32) -> Option<Vec<Mapping>> {
    let maps = read_proc(&format!("/proc/{tgid}/maps"))?;
    Some(maps.lines().filter_map(parse_mapping).collect())
}

/// `start-end perms offset major:minor inode [path]`.
pub fn parse_mapping(line: &str) -> Option<Mapping> {
    let mut fields = line.split_whitespace();
    let (start, end) = fields.next()?.split_once('-')?;
    let perms = fields.next()?;
    let _offset = fields.next()?;
    let (major, minor) = fields.next()?.split_once(':')?;
    let inode: u64 = fields.next()?.parse().ok()?;
    let major = u64::from_str_radix(major, 16).ok()?;
    let minor = u64::from_str_radix(minor, 16).ok()?;
    let dev = dev_number(major, minor);
    Some(Mapping {
        start: u64::from_str_radix(start, 16).ok()?,
        end: u64::from_str_radix(end, 16).ok()?,
        executable: perms.as_bytes().get(2) == Some(&b'x'),
        file: (inode != 0).then_some((dev, inode)),
    })
}

/// The file mapped executable at `ip` in process `tgid`, now: asked of
/// the kernel for that one address (Linux 6.11), or else found in the
/// whole of /proc/PID/maps.
pub fn mapped_file_at(tgid: u32, ip: u64) -> Option<(u64, u64)> {
    use std::os::fd::AsRawFd;
    let maps = std::fs::File::open(format!("/proc/{tgid}/maps")).ok()?;
    match seclude::sys::mem::mapping_at(maps.as_raw_fd(), ip) {
        Ok(found) => {
            let m = found.filter(|m| m.executable && m.inode != 0)?;
            Some((dev_number(m.dev_major.into(), m.dev_minor.into()), m.inode))
        }
        Err(_) => mapped_file_in_text(tgid, ip),
    }
}

/// [`mapped_file_at`] from the text of /proc/PID/maps (before Linux 6.11).
fn mapped_file_in_text(tgid: u32, ip: u64) -> Option<(u64, u64)> {
    read_maps(tgid)?
        .into_iter()
        .find(|m| (m.start..m.end).contains(&ip) && m.executable)?
        .file
}

/// A device number as `st_dev` encodes it, from its major and minor.
fn dev_number(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | ((major & !0xfff) << 32) | (minor & 0xff) | ((minor & !0xff) << 12)
}

/// Whether `LD_PRELOAD` in the process's (initial) environment names one
/// of its descriptors that is seclude's marker memfd.
pub fn marker_preloaded(tgid: u32) -> bool {
    let Some(environ) = read_proc_bytes(&format!("/proc/{tgid}/environ")) else {
        return false;
    };
    let Some(preload) = environ
        .split(|&b| b == 0)
        .find_map(|var| var.strip_prefix(b"LD_PRELOAD="))
    else {
        return false;
    };
    String::from_utf8_lossy(preload)
        .split([':', ' '])
        .filter_map(|item| item.strip_prefix("/proc/self/fd/"))
        .filter_map(|fd| fd.parse::<u32>().ok())
        .any(|fd| {
            std::fs::read_link(format!("/proc/{tgid}/fd/{fd}"))
                .is_ok_and(|target| target.as_os_str().as_bytes().starts_with(MARKER_LINK))
        })
}

/// What /proc/PID/fd/N shows for the marker memfd.
const MARKER_LINK: &[u8] = b"/memfd:seclude-marker ";

/// The value of the auxiliary vector's entry `kind`, if it has one.
pub fn auxv_entry(auxv: &[u8], kind: u64) -> Option<u64> {
    let word = size_of::<usize>();
    let read = |b: &[u8]| -> u64 {
        let mut bytes = [0u8; 8];
        if cfg!(target_endian = "little") {
            bytes[..word].copy_from_slice(b);
            u64::from_le_bytes(bytes)
        } else {
            bytes[8 - word..].copy_from_slice(b);
            u64::from_be_bytes(bytes)
        }
    };
    auxv.chunks_exact(2 * word)
        .find_map(|pair| (read(&pair[..word]) == kind).then(|| read(&pair[word..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_answer_and_the_maps_text_agree() {
        // This function's own code: an executable mapping of the test
        // binary.
        let pid = std::process::id();
        let here = the_kernels_answer_and_the_maps_text_agree as *const () as usize as u64;
        let text = mapped_file_in_text(pid, here);
        assert!(text.is_some());
        assert_eq!(mapped_file_at(pid, here), text);
        // A writable, not executable, address: none either way.
        let data = &pid as *const u32 as u64;
        assert_eq!(mapped_file_in_text(pid, data), None);
        assert_eq!(mapped_file_at(pid, data), None);
    }

    #[test]
    fn maps_lines_name_files_as_stat_does() {
        use std::os::unix::fs::MetadataExt;
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let meta = std::fs::metadata(&exe).unwrap();
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let line = maps
            .lines()
            .find(|l| {
                l.ends_with(exe.to_str().unwrap())
                    && l.split_whitespace().nth(1).unwrap().contains('x')
            })
            .unwrap();
        let m = parse_mapping(line).unwrap();
        assert!(m.executable);
        assert_eq!(m.file, Some((meta.dev(), meta.ino())));
        // Large device numbers, as glibc's makedev encodes them: major
        // 0x123, minor 0x45678.
        let m = parse_mapping("1000-2000 r-xp 00000000 123:45678 9 /x").unwrap();
        assert_eq!(m.file, Some((0x4561_2378, 9)));
        assert!(
            parse_mapping("1000-2000 rw-p 00000000 00:00 0")
                .unwrap()
                .file
                .is_none()
        );
    }
}
