/* fuzz_note.c — arbitrary bytes as a signed note (with a fixed Ed25519 and
 * a fixed cosignature/v1 verifier), as a checkpoint body, as one signature
 * line, and as vkey / skey strings. Checks invariants the parsers promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"

#define VKEY_PETER "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define VKEY_WIT1 "Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk"

static constat_note note;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static constat_note_verifier v[2];
    const char *msg = (const char *)data;
    constat_error err;
    constat_checkpoint cp;
    constat_note_sig sig;
    char *str;
    constat_status st;

    if (!ready) {
        if (constat_init() != CONSTAT_OK ||
            constat_note_verifier_parse(VKEY_PETER, &v[0], NULL) != CONSTAT_OK ||
            constat_note_verifier_parse(VKEY_WIT1, &v[1], NULL) != CONSTAT_OK)
            abort();
        ready = 1;
    }

    st = constat_note_open(msg, size, v, 2, &note, &err);
    if (st == CONSTAT_OK) {
        if (note.nverified == 0 || note.text_len == 0 || note.text_len >= size ||
            note.nsigs > CONSTAT_NOTE_MAX_SIGS)
            abort();
        for (size_t i = 0; i < note.nsigs; i++)
            if (note.sigs[i].line_off + note.sigs[i].line_len >= size)
                abort();
    }
    if (st == CONSTAT_OK || st == CONSTAT_EVERIFY) {
        /* the text of a parsed note may also be a checkpoint */
        if (note.text_len > 0 && constat_checkpoint_parse(msg, note.text_len, &cp, &err) ==
                                     CONSTAT_OK &&
            cp.ext_off + cp.ext_len != note.text_len)
            abort();
    }
    if (constat_checkpoint_parse(msg, size, &cp, &err) == CONSTAT_OK) {
        constat_buf b;
        constat_buf_init(&b);
        /* re-formatting the parsed fields gives back the first three lines */
        if (constat_checkpoint_format(cp.origin, cp.size, cp.root, &b, &err) != CONSTAT_OK ||
            b.len != cp.ext_off || memcmp(b.data, data, b.len) != 0)
            abort();
        constat_buf_free(&b);
    }
    if (constat_note_sig_parse(msg, size, &sig, &err) == CONSTAT_OK &&
        (sig.line_len > size || sig.sig_len == 0 || sig.name[0] == '\0'))
        abort();

    /* key strings are C strings */
    str = malloc(size + 1);
    if (!str)
        return 0;
    memcpy(str, data, size);
    str[size] = '\0';
    {
        constat_note_verifier pv;
        constat_note_signer ps;
        char out[600];
        if (constat_note_verifier_parse(str, &pv, &err) == CONSTAT_OK) {
            constat_note_verifier again;
            if (constat_note_verifier_format(&pv, out, sizeof out) != CONSTAT_OK ||
                constat_note_verifier_parse(out, &again, &err) != CONSTAT_OK ||
                memcmp(&again, &pv, sizeof pv) != 0)
                abort();
        }
        if (constat_note_signer_parse(str, &ps, &err) == CONSTAT_OK) {
            if (constat_note_signer_format(&ps, out, sizeof out) != CONSTAT_OK)
                abort();
            constat_note_signer_wipe(&ps);
        }
    }
    free(str);
    return 0;
}
