/* A thread that keeps making a call the promises refuse (so that seclude
 * hears from it all the time) while the main thread execs /usr/bin/true:
 * tests/cli_run.rs, an_exec_beside_a_busy_thread_loads_the_new_program. */
#include <pthread.h>
#include <unistd.h>

static void *busy(void *unused) {
    (void)unused;
    for (;;)
        access("/nonexistent", F_OK);
    return 0;
}

int main(void) {
    pthread_t thread;
    if (pthread_create(&thread, 0, busy, 0) != 0)
        return 2;
    usleep(2000);
    char *argv[] = {"true", 0};
    execv("/usr/bin/true", argv);
    return 127;
}
