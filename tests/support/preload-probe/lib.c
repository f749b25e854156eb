#include "probe.h"
char seclude_probe_lib[256];
__attribute__((constructor)) static void ctor(void) { seclude_probe(seclude_probe_lib, sizeof seclude_probe_lib, "constructor"); }
