//! Output without an allocator: one line at a time, formatted on the
//! stack, and a record of the first failure (shared by both programs).

use core::fmt::{self, Write};

use seclude::sys;

/// One line of output, formatted on the stack.
pub struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Records check results; the first failure decides the exit status.
pub struct Report {
    pub status: i32,
}

impl Report {
    pub fn fail(&mut self, status: i32) {
        if self.status == 0 {
            self.status = status;
        }
    }

    /// Prints one line to stdout (a line that does not fit is cut short).
    pub fn say(&mut self, args: fmt::Arguments<'_>) {
        let mut line = Line {
            buf: [0; 160],
            len: 0,
        };
        let _ = line.write_fmt(args);
        let _ = line.write_str("\n");
        if sys::write_all(1, &line.buf[..line.len]).is_err() {
            self.fail(2);
        }
    }
}

/// `say!(report, "format", args..)`: one line through [`Report::say`].
macro_rules! say {
    ($report:expr, $($arg:tt)*) => { $report.say(format_args!($($arg)*)) };
}
