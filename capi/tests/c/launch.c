/* seclude_launch from C, pipes both ways: the child, pledged to "stdio",
 * upper-cases what it reads and writes it back, then finds open() refused
 * and returns 7. Bad policy values are refused (EINVAL). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "seclude.h"

static int upper(void *argument) {
    (void)argument;
    char buf[256];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (write(1, buf, (size_t)n) != n)
            return 9;
    }
    errno = 0;
    return open("/etc/hostname", O_RDONLY) == -1 && errno == EPERM ? 7 : 8;
}

int main(void) {
    int fails = 0;
    seclude_policy policy;
    if (seclude_policy_init(&policy) != 0 ||
        seclude_policy_pledge(&policy, "stdio", NULL) != 0 ||
        seclude_policy_limit(&policy, "open_files", 32) != 0) {
        printf("FAIL: policy: %s\n", seclude_error());
        return 1;
    }
    if (seclude_policy_limit(&policy, "stack", 1) != -1 || seclude_errno() != EINVAL) {
        printf("FAIL: an unknown limit\n");
        fails++;
    }
    if (seclude_policy_namespaces(&policy, "nett") != -1 || seclude_errno() != EINVAL) {
        printf("FAIL: an unknown namespace\n");
        fails++;
    }
    seclude_child child;
    if (seclude_launch(&policy, upper, NULL, &child) != 0) {
        printf("FAIL: launch: %s\n", seclude_error());
        return 1;
    }
    const char *text = "hello, child";
    if (write(child.to_child, text, strlen(text)) != (ssize_t)strlen(text))
        fails++;
    close(child.to_child);
    child.to_child = -1;
    char got[64] = {0};
    size_t len = 0;
    ssize_t n;
    while ((n = read(child.from_child, got + len, sizeof got - 1 - len)) > 0)
        len += (size_t)n;
    if (strcmp(got, "HELLO, CHILD") != 0) {
        printf("FAIL: read back \"%s\"\n", got);
        fails++;
    }
    int status = seclude_wait(&child);
    if (status != 7) {
        printf("FAIL: child status %d\n", status);
        fails++;
    }
    printf("launch: %s\n", fails ? "FAIL" : "ok");
    return fails != 0;
}
