//! Generates `PROMISES.md` (the promise → syscalls table) from the table.
