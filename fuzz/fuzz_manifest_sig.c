/* fuzz_manifest_sig.c — arbitrary bytes as a dossier's manifest.sig (first
 * byte even) or as a --trust file (first byte odd), verified against a
 * small fixed dossier folder. Invariants: no crash, no hang; a manifest.sig
 * that is not the organisation's signature never verifies (the harness
 * holds no valid one: the dossier also lacks records, so the result is
 * always a failure or a trust-file error), and the summary never claims a
 * signed manifest for fuzzed bytes other than the real signature. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "constat/constat.h"
#include "constat/dossier/verify.h"

static char g_dir[256], g_sig[300], g_trust[300];

static void put(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

static void cleanup(void)
{
    char p[300];
    static const char *const files[] = {"manifest.sig", "manifest.json", "keys/org.vkey"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/keys", g_dir);
    rmdir(p);
    rmdir(g_dir);
    unlink(g_trust);
}

static void setup(void)
{
    static const char manifest[] =
        "{\"files\":{},\"org\":\"org\",\"origin\":\"o\",\"records\":0,\"tree_size\":0,\"v\":1}";
    constat_note_signer s;
    constat_error err;
    uint8_t seed[32] = {1};
    char vk[1024], p[300];
    char tmpl[] = "/tmp/fuzz_manifest_sig.XXXXXX";

    if (constat_init() != CONSTAT_OK || !mkdtemp(tmpl))
        abort();
    snprintf(g_dir, sizeof g_dir, "%s", tmpl);
    snprintf(p, sizeof p, "%s/keys", g_dir);
    if (mkdir(p, 0700) != 0)
        abort();
    if (constat_note_signer_from_seed("org", CONSTAT_NOTE_ALG_ED25519, seed, &s, &err) !=
            CONSTAT_OK ||
        constat_note_verifier_format(&s.pub, vk, sizeof vk) != CONSTAT_OK)
        abort();
    constat_note_signer_wipe(&s);
    snprintf(p, sizeof p, "%s/keys/org.vkey", g_dir);
    put(p, vk, strlen(vk));
    snprintf(p, sizeof p, "%s/manifest.json", g_dir);
    put(p, manifest, sizeof manifest - 1);
    snprintf(g_sig, sizeof g_sig, "%s/manifest.sig", g_dir);
    /* outside the dossier, so that it is not an unlisted file */
    snprintf(g_trust, sizeof g_trust, "%s.trust", g_dir);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    constat_verify_opts o = {NULL};
    constat_verify_summary sum;
    constat_error err;
    constat_status st;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        put(g_trust, data + 1, size - 1);
        put(g_sig, "{}", 2);
        o.trust_file = g_trust;
    } else {
        put(g_sig, data + 1, size - 1);
    }
    st = constat_verify_dossier(g_dir, &o, NULL, NULL, &sum, &err);
    /* records.jsonl and the rest are missing: never OK */
    if (st == CONSTAT_OK)
        abort();
    if (st == CONSTAT_EVERIFY && sum.manifest_signed)
        abort(); /* the harness never holds the organisation's signature */
    if (st != CONSTAT_EVERIFY && st != CONSTAT_EINVAL && st != CONSTAT_ENOTFOUND &&
        st != CONSTAT_EIO && st != CONSTAT_ELIMIT)
        abort();
    if (err.msg[0] == '\0')
        abort();
    return 0;
}
