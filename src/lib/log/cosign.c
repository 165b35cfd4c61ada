/* cosign.c — cosigning a checkpoint (C2SP tlog-cosignature "Signing"):
 * check that the body is a checkpoint, sign the cosignature/v1 message
 * (cosignature.c) and write the note signature line (note.c). This is what
 * a witness does; verification of the result is note.c + cosignature.c. */
#include <string.h>

#include <sodium.h>

#include "constat/log/note.h"

constat_status constat_cosignature_sign(const char *body, size_t len, uint64_t timestamp,
                                        const constat_note_signer *witness, constat_buf *out,
                                        constat_error *err)
{
    constat_checkpoint cp;
    constat_buf msg;
    uint8_t blob[CONSTAT_COSIG_V1_LEN];
    constat_status st;

    if (!body || !witness || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "cosign: missing argument");
    if (witness->pub.alg != CONSTAT_NOTE_ALG_COSIGNATURE_V1)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "cosign: witness %s has algorithm 0x%02x, want 0x04",
                                 witness->pub.name, witness->pub.alg);
    if (timestamp > CONSTAT_COSIG_MAX_TIMESTAMP)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "cosign: timestamp %llu exceeds 2^63-1",
                                 (unsigned long long)timestamp);
    st = constat_checkpoint_parse(body, len, &cp, err);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "cosign: ");

    constat_buf_init(&msg);
    st = constat_cosignature_message(body, len, timestamp, &msg);
    if (st != CONSTAT_OK) {
        constat_buf_free(&msg);
        return constat_error_set(err, st, "cosign: out of memory");
    }
    for (int i = 0; i < 8; i++)
        blob[i] = (uint8_t)(timestamp >> (56 - 8 * i));
    crypto_sign_detached(blob + 8, NULL, msg.data, msg.len, witness->sk);
    constat_buf_free(&msg);
    st = constat_note_sig_format(witness->pub.name, witness->pub.key_id, blob, sizeof blob,
                                 out);
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "cosign: cannot write the signature line for %s",
                                 witness->pub.name);
    return CONSTAT_OK;
}
