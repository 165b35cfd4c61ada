/* transitions.c — the organisation key transitions a device follows after
 * a rotation (transitions.h). */
#include <stdio.h>
#include <string.h>

#include "constat/base/hash.h"
#include "constat/record/record.h"
#include "constat/vault/transitions.h"

static constat_status walk_back(constat_vault *v, const constat_note_verifier *now,
                                uint64_t *idx, size_t cap, size_t *n, constat_error *err);

constat_status constat_vault_org_transitions(constat_vault *v, uint64_t *idx, size_t cap,
                                             size_t *n, constat_error *err)
{
    return walk_back(v, &constat_vault_org_key(v)->pub, idx, cap, n, err);
}

constat_status constat_vault_log_transitions(constat_vault *v, uint64_t *idx, size_t cap,
                                             size_t *n, constat_error *err)
{
    return walk_back(v, &constat_vault_log_key(v)->pub, idx, cap, n, err);
}

/* From the key `now` back through each transition's "retires". */
static constat_status walk_back(constat_vault *v, const constat_note_verifier *now,
                                uint64_t *idx, size_t cap, size_t *n, constat_error *err)
{
    char kid[CONSTAT_KEY_NAME_MAX + 16], id[64], hex[65];
    uint8_t h[32];
    size_t got = 0;
    constat_status st = CONSTAT_OK;

    *n = 0;
    constat_record_key_id(now, kid, sizeof kid);
    for (;;) {
        uint64_t at;
        constat_buf leaf;
        constat_leaf l;
        const char *retires, *kind;
        constat_error fe;

        constat_sha256(kid, strlen(kid), h);
        constat_hex(h, 32, hex);
        snprintf(id, sizeof id, "transition-%.16s", hex);
        constat_error_clear(&fe);
        if (constat_vault_find(v, id, &at, &fe) != CONSTAT_OK)
            break; /* the first key: no transition brought it in */
        if (got == cap)
            return constat_error_set(err, CONSTAT_ELIMIT, "more than %zu organisation key "
                                     "transitions (or a cycle of them)", cap);
        constat_buf_init(&leaf);
        st = constat_vault_leaf(v, at, &leaf, err);
        if (st == CONSTAT_OK)
            st = constat_leaf_parse(leaf.data, leaf.len, &l, err);
        constat_buf_free(&leaf);
        if (st != CONSTAT_OK)
            return st == CONSTAT_ENOMEM ? st
                                         : constat_error_set(err, CONSTAT_EIO, "leaf %llu (%s): "
                                                             "not readable",
                                                             (unsigned long long)at, id);
        kind = json_string_value(json_object_get(l.record, "kind"));
        retires = json_string_value(json_object_get(l.record, "retires"));
        if (!kind || strcmp(kind, "key_transition") != 0 || !retires ||
            strlen(retires) >= sizeof kid) {
            constat_leaf_free(&l);
            return constat_error_set(err, CONSTAT_EIO, "leaf %llu (%s): not a key transition "
                                     "naming the key it retires", (unsigned long long)at, id);
        }
        idx[got++] = at;
        snprintf(kid, sizeof kid, "%s", retires);
        constat_leaf_free(&l);
    }
    for (size_t i = 0; i < got / 2; i++) { /* walked newest first */
        uint64_t t = idx[i];
        idx[i] = idx[got - 1 - i];
        idx[got - 1 - i] = t;
    }
    *n = got;
    return st;
}

typedef struct {
    constat_error *err;
    int said;
} follow_fail;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    follow_fail *f = ctx;
    if (!f->said++)
        constat_error_set(f->err, CONSTAT_EVERIFY, "key transition at leaf %lld: %s",
                          (long long)index, msg);
}

static constat_status follow(int log, const constat_note_verifier *pinned,
                             const constat_note_verifier *current,
                             const uint8_t *const *leaves, const size_t *lens,
                             const uint64_t *indices, size_t n, size_t *steps, char at[40],
                             constat_error *err);

constat_status constat_transitions_follow(const constat_note_verifier *pinned,
                                          const constat_note_verifier *current,
                                          const uint8_t *const *leaves, const size_t *lens,
                                          const uint64_t *indices, size_t n, size_t *steps,
                                          char at[40], constat_error *err)
{
    return follow(0, pinned, current, leaves, lens, indices, n, steps, at, err);
}

constat_status constat_transitions_follow_log(const constat_note_verifier *pinned,
                                              const constat_note_verifier *current,
                                              const uint8_t *const *leaves, const size_t *lens,
                                              const uint64_t *indices, size_t n, size_t *steps,
                                              char at[40], constat_error *err)
{
    return follow(1, pinned, current, leaves, lens, indices, n, steps, at, err);
}

static constat_status follow(int log, const constat_note_verifier *pinned,
                             const constat_note_verifier *current,
                             const uint8_t *const *leaves, const size_t *lens,
                             const uint64_t *indices, size_t n, size_t *steps, char at[40],
                             constat_error *err)
{
    const char *what = log ? "log" : "organisation";
    constat_keychain c;
    follow_fail f = {err, 0};
    size_t bad = 0, from = (size_t)-1;
    constat_status st;

    if (steps)
        *steps = 0;
    if (at)
        at[0] = '\0';
    if (!pinned || !current || (n && (!leaves || !lens || !indices)))
        return constat_error_set(err, CONSTAT_EINVAL, "key transitions: missing argument");
    if (memcmp(pinned->pk, current->pk, sizeof pinned->pk) == 0)
        return CONSTAT_OK;
    if (log)
        constat_keychain_init_log(&c);
    else
        constat_keychain_init(&c);
    for (size_t i = 0; i < n; i++) {
        if (i && indices[i] <= indices[i - 1])
            return constat_error_set(err, CONSTAT_EVERIFY, "key transition at leaf %llu: "
                                     "not after the one at leaf %llu (log order)",
                                     (unsigned long long)indices[i],
                                     (unsigned long long)indices[i - 1]);
        st = constat_keychain_feed(&c, indices[i], leaves[i], lens[i], on_fail, &f, &bad, err);
        if (st != CONSTAT_OK)
            return st;
        if (bad)
            return CONSTAT_EVERIFY; /* on_fail set err */
    }
    if (c.n == 0 || (c.n == 1 && n == 0))
        return constat_error_set(err, CONSTAT_EVERIFY, "the %s key changed and no key "
                                 "transition leads to the new key", what);
    for (size_t i = 0; i < c.n; i++)
        if (memcmp(c.k[i].ver.pk, pinned->pk, sizeof pinned->pk) == 0 && from == (size_t)-1)
            from = i;
    if (from == (size_t)-1)
        return constat_error_set(err, CONSTAT_EVERIFY, "no key transition starts from the "
                                 "%s key pinned at enrolment (%s): the keys shown are not ones "
                                 "it signed for", what, pinned->name);
    if (memcmp(c.k[c.n - 1].ver.pk, current->pk, sizeof current->pk) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY, "the key transitions end at %s, not at "
                                 "the %s key the server says is in force",
                                 c.k[c.n - 1].key_id, what);
    if (steps)
        *steps = c.n - 1 - from;
    if (at)
        snprintf(at, 40, "%s", c.k[c.n - 1].at);
    return CONSTAT_OK;
}
