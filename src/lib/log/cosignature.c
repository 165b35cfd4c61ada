/* cosignature.c — the C2SP tlog-cosignature signature algorithm
 * cosignature/v1: its signed message, its timestamp, and verification.
 *
 * This is one of the two signature algorithms a signed note can carry
 * (note.c verifies Ed25519 itself and calls here for alg 0x04), so it
 * depends on nothing but base. Making a cosignature over a checkpoint is
 * cosign.c. The cosigned message does not name the cosigner, so only the
 * key id (computed with type byte 0x04) tells a v1 cosignature from a
 * plain note signature by the same Ed25519 key. */
#include <string.h>

#include <sodium.h>

#include "constat/log/note.h"

constat_status constat_cosignature_message(const char *body, size_t len, uint64_t timestamp,
                                           constat_buf *out)
{
    constat_status st;
    if (!out || (!body && len > 0))
        return CONSTAT_EINVAL;
    if (timestamp > CONSTAT_COSIG_MAX_TIMESTAMP)
        return CONSTAT_EINVAL;
    st = constat_buf_printf(out, "cosignature/v1\ntime %llu\n", (unsigned long long)timestamp);
    if (st == CONSTAT_OK)
        st = constat_buf_append(out, body, len);
    return st;
}

constat_status constat_cosignature_timestamp(const uint8_t *sig, size_t sig_len,
                                             uint64_t *timestamp, constat_error *err)
{
    uint64_t t = 0;
    if (!sig || sig_len != CONSTAT_COSIG_V1_LEN)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "cosignature: %zu bytes after the key id, want %d", sig_len,
                                 CONSTAT_COSIG_V1_LEN);
    for (int i = 0; i < 8; i++)
        t = (t << 8) | sig[i];
    if (t > CONSTAT_COSIG_MAX_TIMESTAMP)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "cosignature: timestamp %llu exceeds 2^63-1",
                                 (unsigned long long)t);
    if (timestamp)
        *timestamp = t;
    return CONSTAT_OK;
}

constat_status constat_cosignature_verify(const char *body, size_t len, const uint8_t *sig,
                                          size_t sig_len, const constat_note_verifier *witness,
                                          uint64_t *timestamp, constat_error *err)
{
    constat_buf msg;
    uint64_t t = 0;
    constat_status st;
    int bad;

    if (!body || !witness)
        return constat_error_set(err, CONSTAT_EINVAL, "cosignature: missing argument");
    if (witness->alg != CONSTAT_NOTE_ALG_COSIGNATURE_V1)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "cosignature: verifier %s has algorithm 0x%02x, want 0x04",
                                 witness->name, witness->alg);
    st = constat_cosignature_timestamp(sig, sig_len, &t, err);
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&msg);
    st = constat_cosignature_message(body, len, t, &msg);
    if (st != CONSTAT_OK) {
        constat_buf_free(&msg);
        return constat_error_set(err, st, "cosignature: out of memory");
    }
    bad = crypto_sign_verify_detached(sig + 8, msg.data, msg.len, witness->pk);
    constat_buf_free(&msg);
    if (bad)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "cosignature by %s+%08x at time %llu does not verify",
                                 witness->name, (unsigned)witness->key_id,
                                 (unsigned long long)t);
    if (timestamp)
        *timestamp = t;
    return CONSTAT_OK;
}
