/* What code that runs before seclude's loading marker can do: open a file
 * (PROBE_FILE, given at compile time) and make executable memory three
 * ways. Used by tests/cli_run.rs, run in an IFUNC resolver, a preinit
 * function and a library constructor, then in main. Raw system calls:
 * an IFUNC resolver runs before libc is initialised. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
static inline void seclude_probe(char *out, size_t room, const char *who) {
    long fd = syscall(SYS_openat, AT_FDCWD, PROBE_FILE, O_RDONLY);
    long anon = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long wx = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long rw = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long mp = rw < 0 && rw > -4096 ? -1 : syscall(SYS_mprotect, rw, 4096, PROT_READ | PROT_EXEC);
    size_t used = strlen(out);
    snprintf(out + used, room - used, "%s: open %s, anonymous exec %s, write+exec %s, mprotect exec %s\n", who,
             fd >= 0 ? "yes" : "no", (anon >= 0 || anon < -4095) ? "yes" : "no",
             (wx >= 0 || wx < -4095) ? "yes" : "no", mp == 0 ? "yes" : "no");
}
