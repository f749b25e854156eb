/* A program that writes code into a memfd and tries to run it, for the
 * test that seclude keeps a program holding "exec" from executing a memfd
 * (issue 17). Built static, so that the code it copies (itself) would run
 * if the exec went through.
 *
 *   exec SELF   memfd_create(MFD_CLOEXEC), the program SELF copied into it
 *               and read back, its close-on-exec flag, then
 *               execve("/proc/self/fd/N", [.., "payload"]): says what
 *               happened at each step
 *   mfd-exec    memfd_create(MFD_EXEC): says what happened
 *   mfd-huge    memfd_create(MFD_HUGETLB): says what happened
 *   shm         a memfd as shared memory: memfd_create(MFD_CLOEXEC),
 *               ftruncate, mmap(PROT_READ|PROT_WRITE, MAP_SHARED), a
 *               write through the mapping read back with pread
 *   payload     what the memfd holds says it ran
 *   preload SO PROGRAM
 *               memfd_create(0), the shared object SO copied into it,
 *               then PROGRAM executed with LD_PRELOAD=/proc/self/fd/N:
 *               its loader maps the memfd if it may, and SO's
 *               initializer says so
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MFD_CLOEXEC_ 0x1u
#define MFD_EXEC_ 0x10u

static int memfd(const char *name, unsigned flags) {
    return (int)syscall(SYS_memfd_create, name, flags);
}

static int copy(int to, const char *path) {
    char buf[65536];
    int from = open(path, O_RDONLY | O_CLOEXEC);
    if (from < 0)
        return -1;
    for (;;) {
        ssize_t n = read(from, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 || write(to, buf, (size_t)n) != n)
            return -1;
    }
    close(from);
    return 0;
}

int main(int argc, char **argv) {
    extern char **environ;
    if (argc < 2)
        return 2;
    if (!strcmp(argv[1], "payload")) {
        puts("payload ran");
        return 0;
    }
    if (!strcmp(argv[1], "mfd-exec")) {
        int fd = memfd("executable", MFD_CLOEXEC_ | MFD_EXEC_);
        printf("memfd_create MFD_EXEC: %s\n", fd < 0 ? strerror(errno) : "created");
        return 0;
    }
    if (!strcmp(argv[1], "mfd-huge")) {
        int fd = memfd("huge", MFD_CLOEXEC_ | 0x4u);
        printf("memfd_create MFD_HUGETLB: %s\n", fd < 0 ? strerror(errno) : "created");
        return 0;
    }
    if (!strcmp(argv[1], "shm")) {
        int fd = memfd("shared", MFD_CLOEXEC_);
        if (fd < 0 || ftruncate(fd, 4096) != 0) {
            printf("memfd: %s\n", strerror(errno));
            return 1;
        }
        char *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
            printf("mmap: %s\n", strerror(errno));
            return 1;
        }
        memcpy(map, "shared", 6);
        char back[7] = {0};
        if (pread(fd, back, 6, 0) != 6)
            return 1;
        printf("shared memory: %s\n", back);
        return 0;
    }
    if (!strcmp(argv[1], "exec") && argc == 3) {
        int fd = memfd("payload", MFD_CLOEXEC_);
        if (fd < 0) {
            printf("memfd_create: %s\n", strerror(errno));
            return 0;
        }
        char head[4];
        if (copy(fd, argv[2]) != 0 || pread(fd, head, 4, 0) != 4 || memcmp(head, "\177ELF", 4)) {
            printf("copy: %s\n", strerror(errno));
            return 1;
        }
        printf("memfd written and read, close-on-exec %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        char *args[] = {argv[0], "payload", NULL};
        fflush(stdout);
        execve(path, args, environ);
        printf("execve: %s\n", strerror(errno));
        return 0;
    }
    if (!strcmp(argv[1], "preload") && argc == 4) {
        int fd = memfd("library", 0);
        if (fd < 0 || copy(fd, argv[2]) != 0) {
            printf("memfd: %s\n", strerror(errno));
            return 1;
        }
        char preload[64];
        snprintf(preload, sizeof preload, "LD_PRELOAD=/proc/self/fd/%d", fd);
        char *args[] = {argv[3], NULL};
        char *env[] = {preload, NULL};
        fflush(stdout);
        execve(argv[3], args, env);
        printf("execve: %s\n", strerror(errno));
        return 0;
    }
    return 2;
}
