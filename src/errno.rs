//! [`Errno`]: the error of a failed system call.

use core::fmt;

/// The error number a failed system call returned.
///
/// Every errno name the kernel defines for the target architecture is an
/// associated constant (`Errno::EPERM`), with the values of that
/// architecture: MIPS numbers most of them differently from the
/// asm-generic set other architectures use. The names, values and
/// descriptions are generated from the kernel's uapi headers.
///
/// `Display` prints the name and the kernel's description without
/// allocating:
///
/// ```
/// use seclude::Errno;
///
/// let mut buf = heapless::String::<64>::new();
/// core::fmt::write(&mut buf, format_args!("{}", Errno::EPERM)).unwrap();
/// assert_eq!(buf, "EPERM (Operation not permitted)");
/// assert_eq!(Errno::EPERM.raw(), 1);
/// assert_eq!(Errno::EAGAIN, Errno::EWOULDBLOCK);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Errno(u16);

#[cfg(not(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "powerpc",
    target_arch = "powerpc64"
)))]
mod numbers {
    use super::Errno;
    include!("../syscalls/errno/generic.rs");
}
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
mod numbers {
    use super::Errno;
    include!("../syscalls/errno/mips.rs");
}
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64"))]
mod numbers {
    use super::Errno;
    include!("../syscalls/errno/powerpc.rs");
}

impl Errno {
    /// The largest errno the kernel returns: a raw return value in
    /// `-4095..=-1` is an error, anything else a result.
    ///
    /// ```
    /// assert!(seclude::Errno::new(seclude::Errno::MAX as i32).is_some());
    /// ```
    pub const MAX: u16 = 4095;

    /// The errno with this raw value, if it is in `1..=4095`.
    ///
    /// ```
    /// use seclude::Errno;
    /// assert_eq!(Errno::new(2), Some(Errno::ENOENT));
    /// assert_eq!(Errno::new(0), None);
    /// ```
    pub const fn new(raw: i32) -> Option<Errno> {
        if raw >= 1 && raw <= Errno::MAX as i32 {
            Some(Errno(raw as u16))
        } else {
            None
        }
    }

    /// Decodes a raw system-call return value in the kernel's convention:
    /// `-4095..=-1` (as `usize`) is an error, anything else the result.
    ///
    /// ```
    /// use seclude::Errno;
    /// assert_eq!(Errno::result(-13isize as usize), Err(Errno::EACCES));
    /// assert_eq!(Errno::result(42), Ok(42));
    /// ```
    #[inline]
    pub const fn result(ret: usize) -> Result<usize, Errno> {
        if ret > (-(Errno::MAX as isize)) as usize - 1 {
            Err(Errno(ret.wrapping_neg() as u16))
        } else {
            Ok(ret)
        }
    }

    /// The raw value, as C's `errno` would hold it.
    ///
    /// ```
    /// assert_eq!(seclude::Errno::ENOSYS.raw(), 38);
    /// ```
    pub const fn raw(self) -> i32 {
        self.0 as i32
    }

    /// The kernel's name for this value (`"EPERM"`), if it has one.
    ///
    /// ```
    /// assert_eq!(seclude::Errno::EACCES.name(), Some("EACCES"));
    /// ```
    pub const fn name(self) -> Option<&'static str> {
        match self.entry() {
            Some((_, name, _)) => Some(name),
            None => None,
        }
    }

    /// The kernel header's description (`"Operation not permitted"`), if any.
    ///
    /// ```
    /// assert_eq!(seclude::Errno::ENOENT.description(), Some("No such file or directory"));
    /// ```
    pub const fn description(self) -> Option<&'static str> {
        match self.entry() {
            Some((_, _, description)) => Some(description),
            None => None,
        }
    }

    const fn entry(self) -> Option<(u16, &'static str, &'static str)> {
        let table = numbers::TABLE;
        let (mut lo, mut hi) = (0, table.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (value, start, name_len, desc_len) = table[mid];
            if value == self.0 {
                let start = start as usize;
                let name = text(start, name_len as usize);
                let description = text(start + name_len as usize, desc_len as usize);
                return Some((value, name, description));
            } else if value < self.0 {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        None
    }
}

/// `len` bytes of the generated errno text from `start` (all ASCII).
const fn text(start: usize, len: usize) -> &'static str {
    crate::text::slice(numbers::TEXT, start, start + len)
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.entry() {
            Some((_, name, description)) => write!(f, "{name} ({description})"),
            None => write!(f, "errno {} (unknown)", self.0),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Errno {}

#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    fn show(e: Errno) -> heapless::String<80> {
        let mut s = heapless::String::new();
        write!(s, "{e}").unwrap();
        s
    }

    #[test]
    fn display_names_and_describes() {
        assert_eq!(show(Errno::EPERM), "EPERM (Operation not permitted)");
        assert_eq!(show(Errno::ENOSYS), "ENOSYS (Invalid system call number)");
        assert_eq!(show(Errno::new(4000).unwrap()), "errno 4000 (unknown)");
    }

    #[test]
    fn aliases_share_a_value_and_display_the_first_name() {
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        if cfg!(any(target_arch = "powerpc", target_arch = "powerpc64")) {
            // powerpc's EDEADLOCK is an errno of its own (58), no alias.
            assert_ne!(Errno::EDEADLOCK, Errno::EDEADLK);
            assert_eq!(Errno::EDEADLOCK.name(), Some("EDEADLOCK"));
        } else {
            assert_eq!(
                Errno::EDEADLOCK.name(),
                Errno::EDEADLK.name().or(Some("EDEADLOCK"))
            );
        }
        assert_eq!(Errno::EWOULDBLOCK.name(), Some("EAGAIN"));
    }

    #[test]
    fn result_splits_at_minus_4095() {
        assert_eq!(Errno::result(0), Ok(0));
        assert_eq!(Errno::result(-1isize as usize), Err(Errno::EPERM));
        assert_eq!(
            Errno::result(-4095isize as usize),
            Err(Errno::new(4095).unwrap())
        );
        assert_eq!(Errno::result(-4096isize as usize), Ok(-4096isize as usize));
        assert_eq!(Errno::result(usize::MAX / 2), Ok(usize::MAX / 2));
    }

    #[test]
    fn new_rejects_out_of_range() {
        assert_eq!(Errno::new(0), None);
        assert_eq!(Errno::new(-1), None);
        assert_eq!(Errno::new(4096), None);
        assert_eq!(Errno::new(1), Some(Errno::EPERM));
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(numbers::TABLE.windows(2).all(|p| p[0].0 < p[1].0));
        assert!(numbers::TABLE.len() > 120);
        assert!(numbers::TEXT.is_ascii());
    }

    #[test]
    fn every_entry_has_a_name_and_a_description() {
        for &(value, ..) in numbers::TABLE {
            let e = Errno(value);
            let name = e.name().unwrap();
            assert!(
                name.starts_with('E')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
                "{name}"
            );
            assert!(!e.description().unwrap().is_empty(), "{name}");
        }
    }
}
