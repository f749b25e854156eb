/* seclude.h: seclude for C programs (libseclude.a, libseclude.so).
 *
 * OpenBSD's pledge() and unveil() on Linux (seccomp and Landlock), and a
 * policy object with an isolated launch in the shape of exile.h. No libc
 * and no allocator underneath: a program built with -nostdlib links it
 * too, providing memcpy, memmove, memset and memcmp as GCC requires of any
 * freestanding program.
 *
 * Every function returns 0 (seclude_wait: the child's status) or -1; after
 * -1, seclude_errno() is the error number and seclude_error() a message
 * naming what was wrong (the last failure of any thread).
 *
 * This file is checked against the library by capi's tests. */
#ifndef SECLUDE_H
#define SECLUDE_H

#ifdef __cplusplus
extern "C" {
#endif

/* A policy for seclude_launch: 256 bytes the caller owns, set up by
 * seclude_policy_init. */
typedef struct seclude_policy { unsigned long long opaque_[32]; } seclude_policy;

/* A launched child: its pid, the write end of its standard input and the
 * read end of its standard output (-1 once closed). */
typedef struct seclude_child { int pid; int to_child; int from_child; } seclude_child;

/* The error number of the last failure, 0 if none. */
int seclude_errno(void);
/* Its message, NUL-terminated, in a static buffer. */
const char *seclude_error(void);

/* pledge(2): from now on only the system calls the promises allow
 * ("stdio rpath"); a refused call fails with EPERM. execpromises (NULL:
 * none) are what an executed program gets. NULL promises: those held. */
int seclude_pledge(const char *promises, const char *execpromises);
/* unveil(2) on Landlock: path stays reachable with permissions (r w x c);
 * unveil(NULL, NULL) commits (ENOSYS without Landlock). Also refused after
 * the commit, as Landlock cannot check them: mode, owner, times and
 * extended attributes (EPERM), io_uring (ENOSYS), and before Landlock ABI
 * 9 (Linux 7.1) new UNIX sockets (EPERM: socket(AF_UNIX), datagram
 * socketpair; syslog(3) then logs nothing). */
int seclude_unveil(const char *path, const char *permissions);
/* Before the commit: allow new UNIX sockets although Landlock cannot
 * confine connecting to them by path (every pathname socket is then
 * reachable). EPERM after the commit. */
int seclude_unveil_unconfined_unix(void);
/* This kernel's Landlock version, 0 if none. */
int seclude_landlock_abi(void);

/* Policies for seclude_launch. */
int seclude_policy_init(seclude_policy *policy);
/* "net,pid": user, mount, net, pid, ipc, uts, cgroup. */
int seclude_policy_namespaces(seclude_policy *policy, const char *list);
/* Run as uid/gid (root only). */
int seclude_policy_ids(seclude_policy *policy, unsigned int uid, unsigned int gid);
/* Keep capabilities (default: all dropped). */
int seclude_policy_keep_capabilities(seclude_policy *policy, int keep);
/* "cpu", "address_space", "file_size", "open_files", "processes". */
int seclude_policy_limit(seclude_policy *policy, const char *name, unsigned long long value);
/* Promises for the child, as seclude_pledge. */
int seclude_policy_pledge(seclude_policy *policy, const char *promises, const char *execpromises);

/* Runs function(argument) in a child confined by policy (NULL: only
 * capabilities dropped); write to child->to_child for its standard input,
 * read its standard output from child->from_child. */
int seclude_launch(seclude_policy *policy, int (*function)(void *), void *argument, seclude_child *child);
/* Waits for it: its exit status, or 128 + the signal that killed it. */
int seclude_wait(seclude_child *child);

#ifdef __cplusplus
}
#endif

#endif
