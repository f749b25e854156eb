#include "probe.h"
char seclude_probe_lib[256];
#include <signal.h>
#include <unistd.h>
__attribute__((constructor)) static void ctor(void) {
#ifdef PROBE_RAISE
  /* Dies before the marker's initializer runs, as a program does that
     is killed while it loads. */
  raise(PROBE_RAISE);
#endif
#ifdef PROBE_EXIT
  _exit(PROBE_EXIT);
#endif
  seclude_probe(seclude_probe_lib, sizeof seclude_probe_lib, "constructor");
}
