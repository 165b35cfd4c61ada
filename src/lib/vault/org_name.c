/* org_name.c — the organisation's display name (org_name.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "constat/vault/org_name.h"

constat_status constat_org_display_check(const char *name, constat_error *err)
{
    const unsigned char *u = (const unsigned char *)name;
    size_t n = name ? strlen(name) : 0, i = 0;

    if (n == 0 || n > CONSTAT_ORG_DISPLAY_MAX)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "organisation display name: must be 1-%d bytes",
                                 CONSTAT_ORG_DISPLAY_MAX);
    if (u[0] == ' ' || u[n - 1] == ' ')
        return constat_error_set(err, CONSTAT_EINVAL, "organisation display name: must not "
                                                      "start or end with a space");
    while (i < n) {
        unsigned cp, k;
        if (u[i] < 0x80) {
            cp = u[i];
            k = 1;
        } else if (u[i] >= 0xC2 && u[i] <= 0xDF) {
            cp = u[i] & 0x1Fu;
            k = 2;
        } else if (u[i] >= 0xE0 && u[i] <= 0xEF) {
            cp = u[i] & 0x0Fu;
            k = 3;
        } else if (u[i] >= 0xF0 && u[i] <= 0xF4) {
            cp = u[i] & 0x07u;
            k = 4;
        } else {
            goto bad_utf8;
        }
        if (i + k > n)
            goto bad_utf8;
        for (unsigned j = 1; j < k; j++) {
            if ((u[i + j] & 0xC0) != 0x80)
                goto bad_utf8;
            cp = (cp << 6) | (u[i + j] & 0x3Fu);
        }
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad_utf8;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            return constat_error_set(err, CONSTAT_EINVAL, "organisation display name: control "
                                     "character U+%04X at byte %zu", cp, i);
        if (cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return constat_error_set(err, CONSTAT_EINVAL, "organisation display name: "
                                     "bidirectional control U+%04X at byte %zu", cp, i);
        i += k;
    }
    return CONSTAT_OK;
bad_utf8:
    return constat_error_set(err, CONSTAT_EINVAL,
                             "organisation display name: not valid UTF-8 at byte %zu", i);
}

/* The ASCII letters of a Latin letter written as UTF-8 C3 xx (U+00C0 to
 * U+00FF, the accented letters of French, Spanish, German, Portuguese...)
 * or C5 92/93 (Œ, œ), lower-case; NULL for a sign (×, ÷) or another byte. */
static const char *fold_latin(const unsigned char *p)
{
    static const char *const c3[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"};
    if (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF)
        return c3[p[1] - 0x80];
    if (p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x93))
        return "oe";
    return NULL;
}

int constat_org_key_name(const char *display, char *out, size_t cap)
{
    size_t k = 0;
    int dash = 0;
    if (!display || cap < 2)
        return -1;
    for (const unsigned char *p = (const unsigned char *)display; *p; p++) {
        int c = *p;
        char one[2] = {(char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c), 0};
        const char *letters = fold_latin(p);
        int keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        if (letters)
            p++; /* the second byte of the letter */
        else if (keep)
            letters = one;
        else {
            dash = k > 0;
            continue;
        }
        if (k + strlen(letters) + (size_t)dash >= cap || k + (size_t)dash + strlen(letters) > 64)
            break;
        if (dash)
            out[k++] = '-';
        dash = 0;
        for (; *letters; letters++)
            out[k++] = *letters;
    }
    out[k] = 0;
    return k ? 0 : -1;
}

constat_status constat_org_display_write(const char *dir, const char *name, constat_error *err)
{
    char path[4096], tmp[4120];
    FILE *f;
    constat_status st = constat_org_display_check(name, err);
    if (st != CONSTAT_OK)
        return st;
    if ((size_t)snprintf(path, sizeof path, "%s/org-name", dir) >= sizeof path)
        return constat_error_set(err, CONSTAT_EINVAL, "path too long: %s/org-name", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    if (fprintf(f, "%s\n", name) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        unlink(tmp);
        return constat_error_set(err, CONSTAT_EIO, "%s: write failed", tmp);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    }
    return CONSTAT_OK;
}

constat_status constat_org_display_read(const char *dir, char *out, size_t cap,
                                        constat_error *err)
{
    char path[4096];
    FILE *f;
    size_t n;
    if (cap <= CONSTAT_ORG_DISPLAY_MAX + 1)
        return constat_error_set(err, CONSTAT_EINVAL, "display name buffer too small");
    if ((size_t)snprintf(path, sizeof path, "%s/org-name", dir) >= sizeof path)
        return constat_error_set(err, CONSTAT_EINVAL, "path too long: %s/org-name", dir);
    f = fopen(path, "r");
    if (!f)
        return errno == ENOENT
                   ? constat_error_set(err, CONSTAT_ENOTFOUND, "%s: no display name", path)
                   : constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = 0;
    if (n && out[n - 1] == '\n')
        out[--n] = 0;
    if (memchr(out, 0, n) || constat_org_display_check(out, err) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a valid display name", path);
    return CONSTAT_OK;
}

void constat_org_shown(const char *display, const char *key, char *out, size_t cap)
{
    if (display && *display)
        snprintf(out, cap, "%s (%s)", display, key ? key : "");
    else
        snprintf(out, cap, "%s", key ? key : "");
}
