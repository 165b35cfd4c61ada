/* fuzz_add_checkpoint.c — arbitrary bytes as a tlog-witness add-checkpoint
 * body: the strict parser (a body it accepts formats back to the same
 * bytes), then the witness decision on a scratch vault witnessing the
 * tessera test log. The checkpoint part is used twice: as received (the
 * signature almost never verifies: 400/403/404 paths), and, when its text is
 * a checkpoint of that log, re-signed with the log's published test key so
 * the size, fork and consistency paths (200/400/409/422) run too. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "constat/constat.h"
#include "constat/witness/witness.h"

#define ORIGIN "example.com/log/testdata"
#define VKEY "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define SKEY "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"

static char g_dir[64];
static constat_vault *g_vault;
static constat_note_signer g_wit, g_log;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static void cleanup(void)
{
    constat_vault_close(g_vault);
    if (g_dir[0])
        nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    char vdir[96];
    if (constat_init() != CONSTAT_OK)
        abort();
    snprintf(g_dir, sizeof g_dir, "/tmp/fuzz_add_checkpoint.XXXXXX");
    if (!mkdtemp(g_dir))
        abort();
    snprintf(vdir, sizeof vdir, "%s/w", g_dir);
    if (constat_vault_create(vdir, "fuzz.example", "fuzz.example/log", NULL, NULL) !=
            CONSTAT_OK ||
        constat_vault_open(vdir, NULL, &g_vault, NULL) != CONSTAT_OK ||
        constat_vault_witness_key(g_vault, 1, &g_wit, NULL) != CONSTAT_OK ||
        constat_witness_log_add(g_vault, ORIGIN, VKEY, 0, NULL) != CONSTAT_OK ||
        constat_note_signer_parse(SKEY, &g_log, NULL) != CONSTAT_OK)
        abort();
    atexit(cleanup);
}

static void decide(const constat_witness_request *rq, const char *note, size_t len)
{
    constat_witness_outcome res;
    constat_error err;
    constat_buf out;
    constat_status st;

    constat_buf_init(&out);
    st = constat_witness_add_checkpoint(g_vault, &g_wit, rq->old_size, &rq->proof, note, len,
                                        1764410000u, &out, &res, &err);
    if ((st == CONSTAT_OK) != (res.http == 200))
        abort();
    if (res.http != 200 && res.http != 400 && res.http != 403 && res.http != 404 &&
        res.http != 409 && res.http != 422)
        abort();
    if (st == CONSTAT_OK) {
        /* one cosignature line that verifies on the checkpoint text */
        constat_note_sig sig;
        const char *end = NULL;
        for (size_t i = 0; i + 1 < len; i++)
            if (note[i] == '\n' && note[i + 1] == '\n') {
                end = note + i + 1;
                break;
            }
        if (!end || out.len == 0 || out.data[out.len - 1] != '\n' ||
            memchr(out.data, '\n', out.len) != out.data + out.len - 1 ||
            constat_note_sig_parse((const char *)out.data, out.len, &sig, &err) !=
                CONSTAT_OK ||
            constat_cosignature_verify(note, (size_t)(end - note), sig.sig, sig.sig_len,
                                       &g_wit.pub, NULL, &err) != CONSTAT_OK)
            abort();
    } else if (out.len != 0) {
        abort();
    }
    constat_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    constat_witness_request rq;
    constat_checkpoint cp;
    constat_error err;
    constat_buf again, signed_note;
    const char *in = (const char *)data;

    if (!g_vault)
        setup();
    if (constat_witness_request_parse(in, size, &rq, &err) != CONSTAT_OK)
        return 0;
    if (rq.note_off == 0 || rq.note_off >= size || rq.proof.n > CONSTAT_WITNESS_MAX_PROOF)
        abort();
    constat_buf_init(&again);
    if (constat_witness_request_format(rq.old_size, &rq.proof, in + rq.note_off,
                                       size - rq.note_off, &again) != CONSTAT_OK ||
        again.len != size || memcmp(again.data, data, size) != 0)
        abort();
    constat_buf_free(&again);

    decide(&rq, in + rq.note_off, size - rq.note_off);

    constat_buf_init(&signed_note);
    if (constat_checkpoint_parse(in + rq.note_off, size - rq.note_off, &cp, &err) ==
            CONSTAT_OK &&
        strcmp(cp.origin, ORIGIN) == 0 &&
        constat_note_sign(in + rq.note_off, size - rq.note_off, &g_log, 1, &signed_note,
                          &err) == CONSTAT_OK)
        decide(&rq, (const char *)signed_note.data, signed_note.len);
    constat_buf_free(&signed_note);
    return 0;
}
