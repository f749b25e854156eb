#include "probe.h"
extern char seclude_probe_lib[256];
static char early[512];
static void preinit(void) { seclude_probe(early, sizeof early, "preinit"); }
__attribute__((section(".preinit_array"), used)) static void (*preinit_entry)(void) = preinit;
static int impl(void) { return 1; }
static void *resolve(void) { seclude_probe(early, sizeof early, "ifunc"); return (void *)impl; }
int chosen(void) __attribute__((ifunc("resolve")));
int main(void) {
    char late[256] = "";
    seclude_probe(late, sizeof late, "main");
    printf("%s%s%s", early, seclude_probe_lib, late);
    return chosen() == 1 ? 0 : 1;
}
