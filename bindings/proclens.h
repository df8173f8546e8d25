/* The C surface proclens calls: libfuse3's low-level API and the few libc calls it needs.
 * jextract reads this file with the options in jextract.args. */
#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <unistd.h>
