/*
 * file.c — bounded whole-file reads and directory fsync (file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "constat/base/file.h"

constat_status constat_file_read(FILE *f, size_t max, constat_buf *out, constat_error *err)
{
    char chunk[65536];
    size_t start = out->len, n;
    int e;

    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len - start + n > max)
            return constat_error_set(err, CONSTAT_ELIMIT, "larger than %zu bytes", max);
        if (constat_buf_append(out, chunk, n) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    if (ferror(f)) {
        e = errno;
        constat_error_set(err, CONSTAT_EIO, "read error");
        errno = e;
        return CONSTAT_EIO;
    }
    return CONSTAT_OK;
}

int constat_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc, e;
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    e = errno;
    close(fd);
    errno = e;
    return rc;
}
