/* Processes that test how seclude tells the program it started (and its
 * forks) from the programs executed after it, under execpromises (-e).
 * Built static: seclude hears nothing from it but the calls its filter
 * sends.
 *
 *   forker          forks and exits at once; the fork, 0.2 s later, opens
 *                   an IPv4 socket (inet) and says what happened
 *   lone-thread     forks; the fork's main thread ends (SYS_exit) and
 *                   another thread of it opens the socket
 *   own-priority    forks; the fork sets its own priority by its pid
 *                   (setpriority(PRIO_PROCESS, getpid()))
 *   launcher PROG…  forks and ends its only thread with exit (not
 *                   exit_group: an end seclude does not see); the fork
 *                   executes PROG… (a daemonizer)
 *   attacker        run by the launcher, holding only the execpromises:
 *                   forks until a child of its own gets the launcher's
 *                   pid (passed in LAUNCHER_PID: on a busy machine the
 *                   pid before its own may be another process's), which
 *                   forks, and each of those opens the socket; "pid
 *                   held" if another process kept that pid all along
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *who, int result) {
    printf("%s: %s\n", who, result >= 0 ? "allowed" : strerror(errno));
    fflush(stdout);
}

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

static void *lone_thread(void *arg) {
    (void)arg;
    pause_ms(100);
    say("lone thread", socket(AF_INET, SOCK_STREAM, 0));
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    const char *mode = argv[1];
    if (strcmp(mode, "forker") == 0) {
        if (fork() == 0) {
            pause_ms(200);
            say("fork", socket(AF_INET, SOCK_STREAM, 0));
        }
        return 0;
    }
    if (strcmp(mode, "lone-thread") == 0) {
        pid_t p = fork();
        if (p == 0) {
            pthread_t t;
            pthread_create(&t, 0, lone_thread, 0);
            syscall(SYS_exit, 0); /* this thread only */
        }
        waitpid(p, 0, 0);
        pause_ms(300);
        return 0;
    }
    if (strcmp(mode, "own-priority") == 0) {
        say("started", setpriority(PRIO_PROCESS, getpid(), 0));
        pid_t p = fork();
        if (p == 0) {
            say("fork", setpriority(PRIO_PROCESS, getpid(), 0));
            return 0;
        }
        waitpid(p, 0, 0);
        return 0;
    }
    if (strcmp(mode, "launcher") == 0 && argc > 2) {
        char own[32];
        snprintf(own, sizeof own, "%ld", (long)getpid());
        setenv("LAUNCHER_PID", own, 1);
        if (fork() == 0) {
            extern char **environ;
            execve(argv[2], argv + 2, environ);
            _exit(127);
        }
        /* exit, not exit_group: an end seclude does not see. */
        syscall(SYS_exit, 0);
        return 0;
    }
    if (strcmp(mode, "attacker") == 0) {
        const char *launcher = getenv("LAUNCHER_PID");
        pid_t target = launcher ? (pid_t)atol(launcher) : getpid() - 1;
        long held = 0;
        say("executed", socket(AF_INET, SOCK_STREAM, 0));
        pid_t z = fork();
        if (z == 0) {
            say("its fork", socket(AF_INET, SOCK_STREAM, 0));
            _exit(0);
        }
        waitpid(z, 0, 0);
        for (long n = 0; n < 200000; n++) {
            pid_t p = fork();
            if (p < 0)
                continue;
            if (p == 0) {
                if (getpid() != target)
                    _exit(0);
                pid_t y = fork();
                if (y == 0) {
                    say("fork of the one with the launcher's pid", socket(AF_INET, SOCK_STREAM, 0));
                    _exit(0);
                }
                waitpid(y, 0, 0);
                say("the one with the launcher's pid", socket(AF_INET, SOCK_STREAM, 0));
                _exit(0);
            }
            waitpid(p, 0, 0);
            if (p == target) {
                printf("pid taken after %ld forks\n", n + 1);
                return 0;
            }
            /* Now and then: is another process holding it? (EPERM: one
             * outside the sandbox, which Landlock's scope hides.) */
            if (n % 20000 == 19999 && (kill(target, 0) == 0 || errno == EPERM))
                held++;
        }
        printf(held ? "pid held by another process\n" : "pid never taken\n");
        return 1;
    }
    return 2;
}
