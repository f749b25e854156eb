/* A program that leaves COUNT orphans to seclude, its subreaper, and ends
 * when the test says: tests/cli_run.rs, end_among_orphans. Built static:
 * under `stdio rpath proc` none of its calls waits for an answer from
 * seclude, which the test stops for a while.
 *
 *   orphans COUNT
 *
 * Each orphan is forked by a child that ends at once, so it is seclude's
 * child, and waits for the program's word (EOF on a pipe only the program
 * writes to), then ends. The program prints "ready PID" (its pid) once
 * all are waiting; on a line on its standard input it lets them end and
 * prints "gone" once every one has said it is ending (so the test knows
 * that seclude has COUNT ended children to reap); at EOF on its standard
 * input it returns 7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    int count = atoi(argv[1]);
    /* go: the orphans' EOF when the program closes its end; gone: a byte
     * from each orphan just before it ends. */
    int go[2], gone[2];
    if (pipe(go) != 0 || pipe(gone) != 0)
        return 3;
    for (int i = 0; i < count; i++) {
        pid_t child = fork();
        if (child < 0)
            return 4;
        if (child == 0) {
            if (fork() == 0) {
                char byte;
                close(go[1]);
                close(gone[0]);
                (void)!read(go[0], &byte, 1);
                (void)!write(gone[1], "x", 1);
                _exit(0);
            }
            _exit(0);
        }
        if (waitpid(child, 0, 0) != child)
            return 5;
    }
    close(go[0]);
    close(gone[1]);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        return 7;
    close(go[1]);
    char byte;
    for (int i = 0; i < count; i++)
        if (read(gone[0], &byte, 1) != 1)
            return 6;
    printf("gone\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin))
        ;
    return 7;
}
