/* seclude_unveil from C, with OpenBSD's commit: bad letters (EINVAL) and a
 * missing path (ENOENT) are refused; after unveil(NULL, NULL) the unveiled
 * file opens, another does not (EACCES), further unveils fail (EPERM), and
 * chmod, which Landlock cannot check, is refused (EPERM). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seclude.h"

int main(void) {
    int fails = 0;
    if (seclude_landlock_abi() < 1) {
        printf("unveil: skipped (no Landlock)\n");
        return 0;
    }
    if (seclude_unveil("/etc/hostname", "q") != -1 || seclude_errno() != EINVAL) {
        printf("FAIL: bad letters: %s\n", seclude_error());
        fails++;
    }
    if (seclude_unveil("/nonexistent/x", "r") != -1 || seclude_errno() != ENOENT) {
        printf("FAIL: a missing path: %s\n", seclude_error());
        fails++;
    }
    if (seclude_unveil("/etc/hostname", "r") != 0 || seclude_unveil(NULL, NULL) != 0) {
        printf("FAIL: unveil: %s\n", seclude_error());
        return 1;
    }
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd < 0) {
        printf("FAIL: the unveiled file: errno %d\n", errno);
        fails++;
    }
    errno = 0;
    if (open("/etc/passwd", O_RDONLY) != -1 || errno != EACCES) {
        printf("FAIL: another file: errno %d\n", errno);
        fails++;
    }
    if (seclude_unveil("/etc", "r") != -1 || seclude_errno() != EPERM) {
        printf("FAIL: an unveil after the commit\n");
        fails++;
    }
    errno = 0;
    if (fchmod(fd, 0644) != -1 || errno != EPERM) {
        printf("FAIL: fchmod: errno %d\n", errno);
        fails++;
    }
    printf("unveil: %s\n", fails ? "FAIL" : "ok");
    return fails != 0;
}
