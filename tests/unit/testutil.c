/* testutil.c — see testutil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    if (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)
        fail_msg("short read on %s", path);
    p[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return p;
}

char *tu_read_vector(const char *relpath, size_t *len)
{
    char path[4096];
    if (relpath[0] == '/')
        return tu_read_file(relpath, len);
    snprintf(path, sizeof path, "%s/%s", CONSTAT_VECTORS, relpath);
    return tu_read_file(path, len);
}

size_t tu_unbase64(const char *b64, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (constat_unbase64(b64, strlen(b64), out, cap, &n) != CONSTAT_OK)
        fail_msg("bad base64 in vector: %s", b64);
    return n;
}

char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/constat-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d)
        fail_msg("mkdtemp failed");
    return strdup(d);
}

void tu_rmrf(const char *dir)
{
    char cmd[4200];
    if (!dir || strncmp(dir, "/tmp/constat-test-", 18) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}
