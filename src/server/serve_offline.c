/*
 * serve_offline.c — what the server adds to a record its monitor signed
 * offline on the device (docs/api.md "Submitting a record", docs/record.md
 * "Person commitments and pseudonym bindings"): the device's clock is
 * checked against the server's, and person identifiers, which only the
 * organisation can turn into pseudonyms, arrive sealed beside commitments
 * the device signed; they are opened here, checked against the
 * commitments, and their pseudonyms logged in an organisation-signed
 * binding right after the record. The identifiers are wiped, never kept.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <sodium.h>

#include "constat/log/merkle.h"
#include "constat/record/binding.h"
#include "constat/record/canon.h"
#include "constat/vault/accounts.h"
#include "serve.h"

typedef struct {
    json_t *revs;
    const constat_note_verifier *org;
} rev_scan;

static int rev_leaf(void *c, uint64_t index, const uint8_t *leaf, size_t len)
{
    static const char tag[] = "\"kind\":\"revocation\"";
    rev_scan *s = c;
    constat_leaf l;
    constat_error e;
    const char *kid;

    if (!memmem(leaf, len, tag, sizeof tag - 1))
        return 0;
    constat_error_clear(&e);
    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return 0;
    kid = json_string_value(json_object_get(l.record, "key_id"));
    if (kid && constat_leaf_verify(&l, s->org, &e) == CONSTAT_OK)
        json_object_set_new(s->revs, kid, json_integer((json_int_t)index));
    constat_leaf_free(&l);
    return 0;
}

/* The leaf of the revocation of key_id, or -1; -2 when the log could not
 * be read. Vault lock held. */
static int64_t revoked_at(serve_ctx *ctx, const char *key_id)
{
    uint64_t size = constat_vault_size(ctx->vault);
    constat_error e;
    json_t *at;
    if (!ctx->revoked && !(ctx->revoked = json_object()))
        return -2;
    if (size > ctx->revoked_upto) {
        rev_scan s = {ctx->revoked, &constat_vault_org_key(ctx->vault)->pub};
        if (constat_vault_leaves(ctx->vault, ctx->revoked_upto, size, rev_leaf, &s, &e) !=
            CONSTAT_OK)
            return -2;
        ctx->revoked_upto = size;
    }
    at = json_object_get(ctx->revoked, key_id);
    return at ? (int64_t)json_integer_value(at) : -1;
}

int serve_offline_check(serve_ctx *ctx, const constat_leaf *l, const char *leaf_text,
                        const char *sealed_persons, serve_submission *sub, serve_reply *rp)
{
    const json_t *commits =
        json_object_get(json_object_get(l->record, "affected"), "person_commitments");
    const char *rid = json_string_value(json_object_get(l->record, "id"));
    json_t *opened = NULL, *persons = NULL, *binding = NULL;
    constat_buf plain;
    constat_error err;
    constat_status st;
    uint8_t lh[32];
    char now[32];
    int rc = -1;

    constat_error_clear(&err);
    constat_buf_init(&plain);
    {
        int64_t at;
        pthread_mutex_lock(&ctx->lock);
        at = revoked_at(ctx, l->key_id);
        pthread_mutex_unlock(&ctx->lock);
        if (at == -2) {
            serve_error(rp, 500, NULL, "the log's revocations could not be read");
            return -1;
        }
        if (at >= 0) {
            serve_error(rp, 403, "key_id", "key_id: the key %s was revoked at leaf %lld: a "
                        "record it signs is no longer logged", l->key_id, (long long)at);
            return -1;
        }
    }
    if (constat_intake_not_in_future(l->record, ctx->now(), &err) != CONSTAT_OK) {
        char field[32];
        size_t n = strcspn(err.msg, ":");
        snprintf(field, sizeof field, "%.*s", (int)(n < sizeof field ? n : sizeof field - 1),
                 err.msg);
        serve_error(rp, 400, field, "%s", err.msg);
        return -1;
    }
    if (!json_array_size(commits)) {
        if (sealed_persons) {
            serve_error(rp, 400, "sealed_persons",
                        "sealed_persons: the record has no affected.person_commitments");
            return -1;
        }
        return 0;
    }
    if (!sealed_persons) {
        serve_error(rp, 400, "sealed_persons",
                    "sealed_persons: the record commits to %zu person identifiers; send them "
                    "sealed to the organisation",
                    json_array_size(commits));
        return -1;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_unseal_b64(ctx->vault, sealed_persons, SERVE_BODY_RECORD, &plain, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK ||
        constat_json_parse((const char *)plain.data, plain.len, "sealed_persons", 1, &opened,
                           &err) != CONSTAT_OK) {
        serve_error(rp, st == CONSTAT_OK || st == CONSTAT_EINVAL || st == CONSTAT_EVERIFY ? 400
                                                                                          : 500,
                    "sealed_persons", "sealed_persons: %s", err.msg);
        goto out;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_pseudonym_key(ctx->vault)
             ? constat_binding_open(l->record, opened, constat_vault_pseudonym_key(ctx->vault),
                                    &persons, &err)
             : constat_error_set(&err, CONSTAT_ECRYPTO, "the pseudonym key is not available");
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        serve_error(rp, st == CONSTAT_EINVAL ? 400 : 500,
                    st == CONSTAT_EINVAL ? "sealed_persons" : NULL, "%s", err.msg);
        goto out;
    }
    constat_merkle_leaf_hash(leaf_text, strlen(leaf_text), lh);
    constat_rfc3339_format(ctx->now(), 0, now);
    st = constat_binding_build(constat_vault_org(ctx->vault), rid, lh, now, persons, &binding,
                               &err);
    if (st == CONSTAT_OK) {
        pthread_mutex_lock(&ctx->lock);
        st = constat_intake_sign(binding, NULL, constat_vault_org_key(ctx->vault),
                                 &sub->binding, &err);
        pthread_mutex_unlock(&ctx->lock);
    }
    if (st != CONSTAT_OK) {
        serve_error(rp, 500, NULL, "pseudonym binding: %s", err.msg);
        goto out;
    }
    sub->has_binding = 1;
    rc = 0;
out:
    if (plain.data)
        sodium_memzero(plain.data, plain.len);
    constat_buf_free(&plain);
    json_decref(opened); /* jansson does not wipe: the identifiers were short-lived */
    json_decref(persons);
    json_decref(binding);
    return rc;
}
