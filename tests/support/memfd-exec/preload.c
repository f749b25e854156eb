/* A shared object whose initializer says it ran: the code a program
 * writes into a memfd and preloads into a program it executes
 * (memfd-exec preload). */
#include <unistd.h>

__attribute__((constructor)) static void ran(void) {
    static const char said[] = "preloaded code ran\n";
    (void)!write(2, said, sizeof said - 1);
}
