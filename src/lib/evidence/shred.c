/* shred.c — overwrite then unlink a stored evidence file (erasure,
 * docs/vault.md "Erasure"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "constat/base/file.h"
#include "constat/evidence/evidence.h"
#include "constat/evidence/shred.h"

constat_status constat_evidence_shred(const char *root, const char *hex, int *removed,
                                      constat_error *err)
{
    char path[PATH_MAX], *slash;
    static const char zeros[65536];
    struct stat sb;
    off_t left;
    int fd;
    constat_status st;

    if (removed)
        *removed = 0;
    if ((st = constat_evidence_path(root, hex, path, sizeof path)) != CONSTAT_OK)
        return constat_error_set(err, st, "evidence %.64s: not a SHA-256 hex name", hex);
    fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return CONSTAT_OK;
    if (fd < 0 && errno == EACCES && chmod(path, 0600) == 0) /* stored read-only */
        fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open to shred: %s", path,
                                 strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return constat_error_set(err, CONSTAT_EIO, "%s: not a regular file", path);
    }
    for (left = sb.st_size; left > 0;) {
        size_t n = left > (off_t)sizeof zeros ? sizeof zeros : (size_t)left;
        ssize_t w = write(fd, zeros, n);
        if (w <= 0) {
            int e = errno;
            close(fd);
            return constat_error_set(err, CONSTAT_EIO, "%s: cannot overwrite: %s", path,
                                     strerror(e));
        }
        left -= w;
    }
    if (fsync(fd) != 0 || close(fd) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot sync the overwrite", path);
    if (unlink(path) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot unlink: %s", path,
                                 strerror(errno));
    if ((slash = strrchr(path, '/')) != NULL) {
        *slash = '\0';
        (void)constat_fsync_dir(path);
    }
    if (removed)
        *removed = 1;
    return CONSTAT_OK;
}
