/* Executes itself once with an argument of the same size, so that without
 * address randomization (setarch -R) the second image has the very same
 * layout as the first: the same auxiliary vector. Each image tries to open
 * FILE and says what happened, with the auxiliary vector entries that
 * place it.
 *
 * With "nodump", each image first makes itself non-dumpable, which hides
 * its memory (and so the random bytes that tell the images apart) from a
 * supervisor that is not root.
 *
 * usage: reexec 1 FILE [nodump]   (prints "1 ..." then "2 ...") */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
    if (argc != 3 && argc != 4)
        return 2;
    if (argc == 4 && strcmp(argv[3], "nodump") == 0)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int fd = open(argv[2], O_RDONLY);
    printf("%s %s layout %lx %lx %lx %lx\n", argv[1], fd >= 0 ? "allowed" : "refused",
           getauxval(AT_RANDOM), getauxval(AT_EXECFN), getauxval(AT_SYSINFO_EHDR),
           getauxval(AT_PHDR));
    fflush(stdout);
    if (argv[1][0] == '1') {
        argv[1] = "2";
        execve(argv[0], argv, envp);
        perror("execve");
        return 1;
    }
    return 0;
}
