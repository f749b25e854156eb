/* seclude_unveil from C, with OpenBSD's commit: bad letters (EINVAL) and a
 * missing path (ENOENT) are refused; after unveil(NULL, NULL) the unveiled
 * file opens, another does not (EACCES), further unveils fail (EPERM), and
 * chmod, which Landlock cannot check, is refused (EPERM), as are new UNIX
 * sockets before Landlock ABI 9 (a stream pair stays); with "unix" as its
 * argument, after seclude_unveil_unconfined_unix, UNIX sockets stay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seclude.h"

int main(int argc, char **argv) {
    int fails = 0;
    int unconfined = argc > 1 && !strcmp(argv[1], "unix");
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
    if (unconfined && seclude_unveil_unconfined_unix() != 0) {
        printf("FAIL: seclude_unveil_unconfined_unix: %s\n", seclude_error());
        return 1;
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
    errno = 0;
    int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int refused = unix_fd == -1 && errno == EPERM;
    if (refused != (!unconfined && seclude_landlock_abi() < 9)) {
        printf("FAIL: socket(AF_UNIX): %d, errno %d\n", unix_fd, errno);
        fails++;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) {
        printf("FAIL: a stream socketpair: errno %d\n", errno);
        fails++;
    }
    if (seclude_unveil_unconfined_unix() != -1 || seclude_errno() != EPERM) {
        printf("FAIL: seclude_unveil_unconfined_unix after the commit\n");
        fails++;
    }
    printf("unveil: %s\n", fails ? "FAIL" : "ok");
    return fails != 0;
}
