/*
 * keyfile.c — sealed and plain key files (see keyfile.h, docs/vault.md).
 *
 * The KDF parameters travel in the header line so that a vault sealed with
 * the fast test parameters, or with stronger ones later, still opens; the
 * header is the AEAD's associated data so they cannot be lowered by editing
 * the file, and the accepted range is bounded so a crafted file cannot ask
 * Argon2id for gigabytes. Secrets and base64 text holding them live in
 * sodium_malloc'd memory and are wiped before release.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/base/file.h"
#include "vault/keyfile.h"

#define HEADER_PLAIN CONSTAT_KEYFILE_MAGIC " plain"
#define HEADER_SEALED CONSTAT_KEYFILE_MAGIC " sealed argon2id13 "

void constat_kek_params(unsigned long long *opslimit, size_t *memlimit)
{
    const char *mode = getenv("CONSTAT_KDF");
    if (mode && strcmp(mode, "fast") == 0) {
        *opslimit = crypto_pwhash_OPSLIMIT_MIN;
        *memlimit = crypto_pwhash_MEMLIMIT_MIN;
    } else {
        *opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
        *memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
    }
}

void constat_kek_wipe(constat_kek *k)
{
    if (k)
        sodium_memzero(k, sizeof *k);
}

constat_status constat_kek_derive(constat_kek *k, const char *passphrase, const uint8_t *salt,
                                  unsigned long long opslimit, size_t memlimit,
                                  constat_error *err)
{
    constat_kek_wipe(k);
    if (!passphrase || !passphrase[0])
        return constat_error_set(err, CONSTAT_EINVAL, "empty passphrase");
    if (salt)
        memcpy(k->salt, salt, sizeof k->salt);
    else
        randombytes_buf(k->salt, sizeof k->salt);
    if (crypto_pwhash(k->key, sizeof k->key, passphrase, strlen(passphrase), k->salt,
                      opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        constat_kek_wipe(k);
        return constat_error_set(err, CONSTAT_ENOMEM,
                                 "Argon2id could not allocate %zu bytes", memlimit);
    }
    k->opslimit = opslimit;
    k->memlimit = memlimit;
    k->valid = 1;
    return CONSTAT_OK;
}

constat_status constat_keyfile_encode(const uint8_t *secret, size_t len, const constat_kek *kek,
                                      char *out, size_t cap, size_t *outlen, constat_error *err)
{
    char header[128];
    int hl;
    size_t blen, need;

    if (len == 0 || len > CONSTAT_KEYFILE_SECRET_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "key secret of %zu bytes", len);
    if (kek) {
        uint8_t raw[CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE + CONSTAT_KEYFILE_SECRET_MAX +
                    CONSTAT_KEYFILE_TAG];
        size_t rawlen = CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE + len + CONSTAT_KEYFILE_TAG;
        unsigned long long clen = 0;

        if (!kek->valid)
            return constat_error_set(err, CONSTAT_EINTERNAL, "key-encryption key not derived");
        hl = snprintf(header, sizeof header, HEADER_SEALED "%llu %zu", kek->opslimit,
                      kek->memlimit);
        if (hl < 0 || (size_t)hl >= sizeof header)
            return constat_error_set(err, CONSTAT_EINTERNAL, "key file header too long");
        memcpy(raw, kek->salt, CONSTAT_KEYFILE_SALT);
        randombytes_buf(raw + CONSTAT_KEYFILE_SALT, CONSTAT_KEYFILE_NONCE);
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            raw + CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE, &clen, secret, len,
            (const unsigned char *)header, (unsigned long long)hl, NULL,
            raw + CONSTAT_KEYFILE_SALT, kek->key);
        blen = constat_base64_len(rawlen);
        need = (size_t)hl + 1 + blen; /* blen counts the NUL, which becomes '\n' */
        if (need + 1 > cap)
            return constat_error_set(err, CONSTAT_ELIMIT, "key file buffer too small");
        memcpy(out, header, (size_t)hl);
        out[hl] = '\n';
        constat_base64(raw, rawlen, out + hl + 1);
        sodium_memzero(raw, sizeof raw);
    } else {
        hl = (int)strlen(HEADER_PLAIN);
        blen = constat_base64_len(len);
        need = (size_t)hl + 1 + blen;
        if (need + 1 > cap)
            return constat_error_set(err, CONSTAT_ELIMIT, "key file buffer too small");
        memcpy(out, HEADER_PLAIN, (size_t)hl);
        out[hl] = '\n';
        constat_base64(secret, len, out + hl + 1);
    }
    out[need - 1] = '\n';
    out[need] = '\0';
    *outlen = need;
    return CONSTAT_OK;
}

/* Canonical decimal (no sign, no leading zero) into *v. */
static int parse_u64(const char *s, size_t n, unsigned long long *v)
{
    unsigned long long x = 0;
    if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (x > (ULLONG_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

constat_status constat_keyfile_decode(const char *text, size_t len, const char *label,
                                      const char *passphrase, constat_kek *cache,
                                      uint8_t *secret, size_t cap, size_t *outlen, int *sealed,
                                      constat_error *err)
{
    const char *nl1, *b64, *nl2;
    size_t hl, bl;
    uint8_t raw[CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE + CONSTAT_KEYFILE_SECRET_MAX +
                CONSTAT_KEYFILE_TAG];
    size_t rawlen = 0;
    int is_sealed;
    unsigned long long ops = 0, mem = 0;

    if (len > CONSTAT_KEYFILE_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: larger than %u bytes", label,
                                 (unsigned)CONSTAT_KEYFILE_MAX_BYTES);
    nl1 = memchr(text, '\n', len);
    if (!nl1)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line 1: no newline", label);
    hl = (size_t)(nl1 - text);
    b64 = nl1 + 1;
    nl2 = memchr(b64, '\n', len - hl - 1);
    if (!nl2)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line 2: no newline", label);
    bl = (size_t)(nl2 - b64);
    if ((size_t)(nl2 + 1 - text) != len)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: bytes after line 2", label);

    if (hl == strlen(HEADER_PLAIN) && memcmp(text, HEADER_PLAIN, hl) == 0) {
        is_sealed = 0;
    } else if (hl > strlen(HEADER_SEALED) &&
               memcmp(text, HEADER_SEALED, strlen(HEADER_SEALED)) == 0) {
        const char *p = text + strlen(HEADER_SEALED);
        const char *sp = memchr(p, ' ', (size_t)(nl1 - p));
        if (!sp || parse_u64(p, (size_t)(sp - p), &ops) != 0 ||
            parse_u64(sp + 1, (size_t)(nl1 - sp - 1), &mem) != 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: line 1: bad Argon2id parameters", label);
        if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
            mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: line 1: Argon2id parameters out of range", label);
        is_sealed = 1;
    } else {
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: line 1: not a constat-key-v1 header", label);
    }
    if (sealed)
        *sealed = is_sealed;
    if (constat_unbase64(b64, bl, raw, sizeof raw, &rawlen) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line 2: bad base64", label);

    if (!is_sealed) {
        if (rawlen == 0 || rawlen > cap) {
            sodium_memzero(raw, sizeof raw);
            return constat_error_set(err, CONSTAT_ELIMIT, "%s: secret of %zu bytes", label,
                                     rawlen);
        }
        memcpy(secret, raw, rawlen);
        *outlen = rawlen;
        sodium_memzero(raw, sizeof raw);
        return CONSTAT_OK;
    }

    {
        const size_t over = CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE + CONSTAT_KEYFILE_TAG;
        size_t plen;
        unsigned long long got = 0;
        constat_kek *k = cache;
        constat_kek *tmp = NULL;
        int ok;

        if (rawlen <= over || rawlen - over > cap)
            return constat_error_set(err, CONSTAT_EINVAL, "%s: line 2: sealed payload of %zu bytes",
                                     label, rawlen);
        plen = rawlen - over;
        if (!passphrase || !passphrase[0])
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "%s is sealed: a passphrase is needed (CONSTAT_PASSPHRASE)",
                                     label);
        if (!k || !k->valid || k->opslimit != ops || k->memlimit != mem ||
            sodium_memcmp(k->salt, raw, CONSTAT_KEYFILE_SALT) != 0) {
            constat_status st;
            if (!k) {
                tmp = sodium_malloc(sizeof *tmp);
                if (!tmp)
                    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                k = tmp;
            }
            st = constat_kek_derive(k, passphrase, raw, ops, (size_t)mem, err);
            if (st != CONSTAT_OK) {
                if (tmp) {
                    constat_kek_wipe(tmp);
                    sodium_free(tmp);
                }
                return constat_error_prefix(err, "%s: ", label);
            }
        }
        ok = crypto_aead_xchacha20poly1305_ietf_decrypt(
                 secret, &got, NULL, raw + CONSTAT_KEYFILE_SALT + CONSTAT_KEYFILE_NONCE,
                 rawlen - CONSTAT_KEYFILE_SALT - CONSTAT_KEYFILE_NONCE,
                 (const unsigned char *)text, hl, raw + CONSTAT_KEYFILE_SALT, k->key) == 0;
        if (tmp) {
            constat_kek_wipe(tmp);
            sodium_free(tmp);
        } else if (!ok) {
            /* a KEK that opens nothing is not worth keeping */
            constat_kek_wipe(k);
        }
        sodium_memzero(raw, sizeof raw);
        if (!ok || got != plen) {
            sodium_memzero(secret, cap);
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "wrong passphrase for %s (or the file was altered)", label);
        }
        *outlen = plen;
        return CONSTAT_OK;
    }
}

/* fsync the directory holding `path`, so a new file's entry is durable. */
static int sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n;

    if (!slash) {
        dir[0] = '.';
        n = 1;
    } else {
        n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return -1;
        memcpy(dir, path, n);
    }
    dir[n] = '\0';
    return constat_fsync_dir(dir);
}

constat_status constat_keyfile_write(const char *path, const char *label, const uint8_t *secret,
                                     size_t len, const constat_kek *kek, constat_error *err)
{
    const size_t cap = 512;
    char *text = sodium_malloc(cap);
    size_t tl = 0, off = 0;
    constat_status st;
    int fd;

    if (!text)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_keyfile_encode(secret, len, kek, text, cap, &tl, err);
    if (st != CONSTAT_OK) {
        sodium_free(text);
        return st;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        sodium_free(text);
        if (e == EEXIST)
            return constat_error_set(err, CONSTAT_ECONFLICT, "%s already exists", label);
        return constat_error_set(err, CONSTAT_EIO, "cannot create %s: %s", label, strerror(e));
    }
    while (off < tl) {
        ssize_t w = write(fd, text + off, tl - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    sodium_free(text);
    if (off != tl || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return constat_error_set(err, CONSTAT_EIO, "cannot write %s: %s", label, strerror(e));
    }
    if (close(fd) != 0 || sync_parent(path) != 0) {
        int e = errno;
        unlink(path);
        return constat_error_set(err, CONSTAT_EIO, "cannot write %s: %s", label, strerror(e));
    }
    return CONSTAT_OK;
}

constat_status constat_keyfile_read(const char *path, const char *label, const char *passphrase,
                                    constat_kek *cache, uint8_t *secret, size_t cap,
                                    size_t *outlen, int *sealed, constat_error *err)
{
    struct stat stt;
    char *text;
    size_t got = 0;
    constat_status st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return constat_error_set(err, CONSTAT_ENOTFOUND, "%s is missing", label);
        return constat_error_set(err, CONSTAT_EIO, "cannot open %s: %s", label, strerror(e));
    }
    if (fstat(fd, &stt) != 0 || !S_ISREG(stt.st_mode)) {
        close(fd);
        return constat_error_set(err, CONSTAT_EIO, "%s is not a regular file", label);
    }
    if (stt.st_size > (off_t)CONSTAT_KEYFILE_MAX_BYTES) {
        close(fd);
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: larger than %u bytes", label,
                                 (unsigned)CONSTAT_KEYFILE_MAX_BYTES);
    }
    text = sodium_malloc(CONSTAT_KEYFILE_MAX_BYTES + 1);
    if (!text) {
        close(fd);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    for (;;) {
        ssize_t r = read(fd, text + got, CONSTAT_KEYFILE_MAX_BYTES + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            sodium_free(text);
            return constat_error_set(err, CONSTAT_EIO, "cannot read %s: %s", label,
                                     strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > CONSTAT_KEYFILE_MAX_BYTES)
            break;
    }
    close(fd);
    st = constat_keyfile_decode(text, got, label, passphrase, cache, secret, cap, outlen, sealed,
                                err);
    sodium_free(text); /* sodium_free wipes */
    return st;
}

/* Overwrite the file at `path` with zeros (where the file system keeps
 * blocks in place), fsync it, unlink it. */
void constat_wipe_unlink(const char *path)
{
    static const uint8_t zeros[65536];
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        off_t left = sb.st_size;
        while (left > 0) {
            size_t take = left < (off_t)sizeof zeros ? (size_t)left : sizeof zeros;
            ssize_t w = write(fd, zeros, take);
            if (w <= 0)
                break;
            left -= w;
        }
        (void)fsync(fd);
    }
    if (fd >= 0)
        close(fd);
    unlink(path);
}
