/* verify_keys.c — the chain of organisation keys of a dossier, from its
 * key_transition records (verify_keys.h). */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <jansson.h>

#include "constat/record/record.h"
#include "dossier/verify_keys.h"

/* One pair of lines, without their newline; 0 at the end of either file. */
static int next_pair(FILE *rf, FILE *pf, char **r, size_t *rc, ssize_t *rl, char **p,
                     size_t *pc, ssize_t *pl)
{
    *rl = getline(r, rc, rf);
    *pl = getline(p, pc, pf);
    if (*rl < 0 || *pl < 0)
        return 0;
    if (*rl > 0 && (*r)[*rl - 1] == '\n')
        (*r)[--*rl] = '\0';
    if (*pl > 0 && (*p)[*pl - 1] == '\n')
        (*p)[--*pl] = '\0';
    return 1;
}

constat_status constat_dossier_org_chain(const char *dir, const constat_note_verifier *first,
                                         constat_keychain *kc, constat_failure_fn fail,
                                         void *ctx, size_t *bad, constat_error *err)
{
    return constat_dossier_key_chain(dir, first, 0, kc, fail, ctx, bad, err);
}

constat_status constat_dossier_key_chain(const char *dir, const constat_note_verifier *first,
                                         int log, constat_keychain *kc,
                                         constat_failure_fn fail, void *ctx, size_t *bad,
                                         constat_error *err)
{
    const char *what = log ? "log" : "organisation";
    char path[4096];
    FILE *rf, *pf;
    char *r = NULL, *p = NULL;
    size_t rc = 0, pc = 0;
    ssize_t rl, pl;
    constat_status st = CONSTAT_OK;

    if (log)
        constat_keychain_init_log(kc);
    else
        constat_keychain_init(kc);
    snprintf(path, sizeof path, "%s/records.jsonl", dir);
    rf = fopen(path, "rb");
    snprintf(path, sizeof path, "%s/proofs.jsonl", dir);
    pf = fopen(path, "rb");
    while (rf && pf && st == CONSTAT_OK && next_pair(rf, pf, &r, &rc, &rl, &p, &pc, &pl)) {
        struct { uint64_t index; } pline;
        json_t *pj, *ij;
        size_t before = kc->n;
        if (!strstr(r, "\"key_transition\""))
            continue;
        /* the index only: the line checks of verify.c check the rest */
        pj = json_loadb(p, (size_t)pl, JSON_REJECT_DUPLICATES, NULL);
        ij = json_object_get(pj, "index");
        if (!json_is_integer(ij) || json_integer_value(ij) < 0) {
            json_decref(pj);
            continue; /* reported by the line checks */
        }
        pline.index = (uint64_t)json_integer_value(ij);
        json_decref(pj);
        st = constat_keychain_feed(kc, pline.index, (const uint8_t *)r, (size_t)rl, fail, ctx,
                                   bad, err);
        /* the first key of the chain is the trusted one, not whatever the
         * first transition says it retires */
        if (st == CONSTAT_OK && before == 0 && kc->n > 0 && first &&
            sodium_memcmp(kc->k[0].ver.pk, first->pk, 32) != 0) {
            char msg[CONSTAT_KEY_NAME_MAX * 2 + 300], kid[CONSTAT_KEY_NAME_MAX + 16];
            constat_record_key_id(first, kid, sizeof kid);
            snprintf(msg, sizeof msg, "leaf %llu: the first key transition retires %s, not the "
                     "%s key %s this dossier is verified with: the chain of %s keys is broken "
                     "and not followed", (unsigned long long)pline.index, kc->k[0].key_id,
                     what, kid, what);
            (*bad)++;
            if (fail)
                fail(ctx, (int64_t)pline.index, msg);
            if (log)
                constat_keychain_init_log(kc);
            else
                constat_keychain_init(kc);
            break;
        }
    }
    free(r);
    free(p);
    if (rf)
        fclose(rf);
    if (pf)
        fclose(pf);
    if (st == CONSTAT_OK && kc->n == 0 && first) {
        kc->n = 1;
        kc->k[0].ver = *first;
        constat_record_key_id(first, kc->k[0].key_id, sizeof kc->k[0].key_id);
        kc->k[0].transition = -1;
    }
    return st;
}

const constat_note_verifier *constat_dossier_org_key_for(const constat_keychain *kc,
                                                         const char *key_id,
                                                         const constat_note_verifier *dflt)
{
    const constat_key_era *e = kc && key_id ? constat_keychain_find(kc, key_id) : NULL;
    return e ? &e->ver : dflt;
}
