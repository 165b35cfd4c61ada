/*
 * file.h — whole-file reads with a size limit and durable directory
 * entries, shared by the library and the CLI.
 */
#ifndef CONSTAT_FILE_H
#define CONSTAT_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Read `f` (already open for reading; the caller opens it, so it chooses how:
 * fopen, stdin, or a descriptor it checked first such as a regular file
 * opened without following symbolic links) to its end, appending the bytes
 * to `out` (not reset first). At most `max` bytes in all may be read: the
 * limit counts only what this call appends. `f` is neither closed nor
 * rewound. On error `out` keeps what was appended so far (the caller frees
 * or resets it as usual) and errno is left as the failing call set it.
 * Messages carry no path: callers add it (constat_error_prefix).
 * Errors: CONSTAT_ELIMIT "larger than <max> bytes", CONSTAT_ENOMEM
 * "out of memory", CONSTAT_EIO "read error". */
constat_status constat_file_read(FILE *f, size_t max, constat_buf *out, constat_error *err);

/* fsync(2) the directory `dir` (a NUL-terminated path), so that entries
 * just created or renamed in it survive a crash (POSIX fsync, "durable
 * rename"). Returns 0, or -1 with errno set (open or fsync failed). */
int constat_fsync_dir(const char *dir);

#endif
