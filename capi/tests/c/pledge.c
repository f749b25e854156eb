/* seclude_pledge from C: a bad word is refused with EINVAL and a message,
 * a file opens before the pledge and not after (EPERM), a second pledge
 * cannot widen. Prints "pledge: ok" and exits 0 when all holds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "seclude.h"

int main(void) {
    int fails = 0;
    if (seclude_pledge("stdio rpth", NULL) != -1 || seclude_errno() != EINVAL ||
        !strstr(seclude_error(), "\"rpth\"")) {
        printf("FAIL: a bad word: %d %s\n", seclude_errno(), seclude_error());
        fails++;
    }
    int before = open("/etc/hostname", O_RDONLY);
    if (before < 0) {
        printf("FAIL: open before the pledge\n");
        fails++;
    }
    close(before);
    if (seclude_pledge("stdio", NULL) != 0) {
        printf("FAIL: pledge: %s\n", seclude_error());
        return 1;
    }
    errno = 0;
    int after = open("/etc/hostname", O_RDONLY);
    if (after != -1 || errno != EPERM) {
        printf("FAIL: open after the pledge: %d, errno %d\n", after, errno);
        fails++;
    }
    if (seclude_pledge("stdio rpath", NULL) != -1) {
        printf("FAIL: a pledge widened\n");
        fails++;
    }
    printf("pledge: %s\n", fails ? "FAIL" : "ok");
    return fails != 0;
}
