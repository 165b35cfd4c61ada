/* test_keylife.c — rotation of a monitor key (docs/vault.md "Rotation"):
 * the new key in force after the rotation, the old one failing from the
 * rotation's second on (T - 1 passes, T fails, both logged after it), in
 * the vault's verification and in a dossier's; a rotation not signed by the
 * organisation key; the state left by an interrupted rotation. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "verify_failures.h"

#define TAXONOMY CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json"
#include "constat/dossier/dossier.h"
#include "constat/vault/intake.h"
#include "constat/vault/keylife.h"
#include "constat/vault/vault.h"


/* Append incident `id` recorded at `at`, signed by `signer`; its leaf. */
static uint64_t add_incident(fixture *f, const char *id, int64_t at,
                             const constat_note_signer *signer)
{
    char when[32];
    json_t *in, *rec = NULL, *priv = NULL;
    constat_intake_item item;
    constat_append_item view;
    constat_error err;
    uint64_t first = 0;
    size_t appended = 0;

    constat_rfc3339_format(at, 0, when);
    in = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:[s], s:{s:s}}",
                   "kind", "incident", "id", id, "recorded_at", when, "occurred", "start",
                   "2026-11-28T07:40:00+01:00", "end", "2026-11-28T09:15:00+01:00",
                   "precision", "minute", "place", "name", "Rue des Verrotieres", "commune",
                   "Calais", "country", "France", "categories", "eviction", "source", "type",
                   "direct_observation");
    assert_non_null(in);
    if (constat_intake_prepare(f->v, in, "alice", T + 86400, NULL, &rec, &priv, &err) !=
            CONSTAT_OK ||
        constat_intake_sign(rec, priv, signer, &item, &err) != CONSTAT_OK)
        fail_msg("incident %s: %s", id, err.msg);
    constat_intake_item_view(&item, &view);
    if (constat_vault_append(f->v, &view, 1, &first, &appended, NULL, NULL, NULL, &err) !=
        CONSTAT_OK)
        fail_msg("append %s: %s", id, err.msg);
    assert_int_equal(appended, 1);
    constat_intake_item_free(&item);
    json_decref(in);
    json_decref(rec);
    json_decref(priv);
    return first;
}

/* Write a dossier of every incident into parent/name; its status. */
static constat_status dossier(fixture *f, const char *name, constat_error *err)
{
    char out[700];
    constat_taxonomy *tax = NULL;
    constat_status st;
    snprintf(out, sizeof out, "%s/%s", f->parent, name);
    if (constat_taxonomy_load(TAXONOMY, &tax, err) != CONSTAT_OK)
        fail_msg("taxonomy: %s", err->msg);
    st = constat_dossier_write(f->v, out, NULL, tax, TAXONOMY, NULL, err);
    constat_taxonomy_free(tax);
    return st;
}

static void test_rotate_boundary(void **state)
{
    fixture f;
    failures fl;
    constat_note_signer cur;
    constat_error err;
    char kid_old[128], kid_new[128], kid_cur[128], want[600];
    uint64_t rleaf = 0, a, late, at, neu;
    json_t *rots;

    (void)state;
    fx_new(&f);
    a = add_incident(&f, "inc-a", T - 60, &f.old);
    assert_int_equal(a, 1);
    constat_record_key_id(&f.old.pub, kid_old, sizeof kid_old);
    assert_int_equal(constat_vault_monitor_rotate(f.v, "alice", T, &rleaf, kid_new,
                                                  sizeof kid_new, &err), CONSTAT_OK);
    assert_int_equal(rleaf, 2);
    assert_string_not_equal(kid_new, kid_old);
    assert_int_equal(strncmp(kid_new, "alice+", 6), 0);
    /* the vault now signs with the new key */
    assert_int_equal(constat_vault_monitor_key(f.v, "alice", &cur, &err), CONSTAT_OK);
    constat_record_key_id(&cur.pub, kid_cur, sizeof kid_cur);
    assert_string_equal(kid_cur, kid_new);
    neu = add_incident(&f, "inc-new", T, &cur);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* the rotation as the log has it */
    assert_int_equal(constat_vault_rotations(f.v, &rots, &err), CONSTAT_OK);
    assert_int_equal(json_object_size(rots), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rots, kid_old), "leaf")),
                     2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(rots, kid_old),
                                                          "new_key_id")), kid_new);
    assert_string_equal(json_string_value(json_object_get(json_object_get(rots, kid_old),
                                                          "at")), "2026-11-29T10:00:00Z");
    json_decref(rots);

    /* the old key, one second before the rotation, logged after it: passes
     * (a record made before the rotation and submitted late) */
    late = add_incident(&f, "inc-late", T - 1, &f.old);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);
    /* a dossier across the change verifies */
    if (dossier(&f, "d1", &err) != CONSTAT_OK)
        fail_msg("dossier across a rotation: %s", err.msg);
    /* the old key at the rotation's second: fails, naming the rotation */
    at = add_incident(&f, "inc-at", T, &f.old);
    assert_int_equal(tu_verify_all(f.v, &fl), 1);
    assert_int_equal(fl.idx[0], (int64_t)at);
    snprintf(want, sizeof want, "leaf %llu (record inc-at): signed by %s, a key RETIRED by the "
             "rotation at leaf 2 (2026-11-29T10:00:00Z, new key %s): its recorded_at is at or "
             "after the rotation", (unsigned long long)at, kid_old, kid_new);
    assert_string_equal(fl.msg[0], want);
    /* and the dossier writer's own verification refuses it */
    {
        char out[700];
        snprintf(out, sizeof out, "%s/d2", f.parent);
        assert_int_equal(dossier(&f, "d2", &err), CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "RETIRED by the rotation at leaf 2"));
        assert_int_not_equal(access(out, F_OK), 0);
    }
    (void)neu;
    (void)late;
    constat_note_signer_wipe(&cur);
    fx_free(&f);
}

/* A new key used before the rotation that brings it in fails; a rotation
 * signed by someone other than the organisation is reported and gives no
 * key. */
static void test_rotation_forged(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_note_signer mallory;
    char vk[512], old[128];
    uint8_t seed[32] = {7};
    json_t *rec;
    uint64_t idx = 0;

    (void)state;
    fx_new(&f);
    constat_record_key_id(&f.old.pub, old, sizeof old);
    assert_int_equal(constat_note_signer_from_seed("alice", CONSTAT_NOTE_ALG_ED25519, seed,
                                                   &mallory, &err), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&mallory.pub, vk, sizeof vk), CONSTAT_OK);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "monitor_rotation", "id", "rotation-forged", "org", ORG, "monitor", "alice",
                    "retires", old, "vkey", vk, "recorded_at", "2026-11-29T10:00:00Z");
    assert_int_equal(constat_record_validate(rec, NULL, &err), CONSTAT_OK);
    /* signed by the monitor's own (old) key, not the organisation's */
    idx = tu_append_signed(f.v, rec, "rotation-forged", "monitor_rotation", &f.old);
    add_incident(&f, "inc-m", T, &mallory);
    assert_int_equal(tu_verify_all(f.v, &fl), 2);
    assert_int_equal(fl.idx[0], (int64_t)idx);
    assert_non_null(strstr(fl.msg[0], "rotation not signed by the organisation key"));
    assert_non_null(strstr(fl.msg[1], "(record inc-m): signed by key alice+"));
    assert_non_null(strstr(fl.msg[1], "not a key enrolled or rotated in for monitor \"alice\""));
    /* the forged rotation retires nothing */
    add_incident(&f, "inc-old", T + 5, &f.old);
    assert_int_equal(tu_verify_all(f.v, &fl), 2);
    json_decref(rec);
    constat_note_signer_wipe(&mallory);
    fx_free(&f);
}

/* Interrupted before the commit (the hook fails the transaction): the old
 * key stays in force, the new key file is gone, nothing is logged; the
 * rotation then runs again. Unknown monitors are refused. */
static int fail_txn;
static int rotate_hook(const char *step)
{
    return strcmp(step, "txn") == 0 && fail_txn;
}

static int count_files(const char *d)
{
    DIR *dir = opendir(d);
    struct dirent *e;
    int n = 0;
    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

static void test_rotate_rollback(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_note_signer cur;
    char kid[128], kid_old[128], kid_cur[128], path[800];
    uint64_t size;

    (void)state;
    fx_new(&f);
    constat_record_key_id(&f.old.pub, kid_old, sizeof kid_old);
    assert_int_equal(constat_vault_monitor_rotate(f.v, "carol", T, NULL, kid, sizeof kid, &err),
                     CONSTAT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no monitor \"carol\" is enrolled"));
    size = constat_vault_size(f.v);
    constat_rotate_test_hook = rotate_hook;
    fail_txn = 1;
    assert_int_equal(constat_vault_monitor_rotate(f.v, "alice", T, NULL, kid, sizeof kid, &err),
                     CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "rotation interrupted"));
    {
        char p2[800];
        snprintf(p2, sizeof p2, "%s/keys/monitors", f.dir);
        /* only the enrolled key file is left */
        assert_int_equal(count_files(p2), 1);
    }
    fail_txn = 0;
    constat_rotate_test_hook = NULL;
    assert_int_equal(constat_vault_size(f.v), size);
    assert_int_equal(constat_vault_monitor_key(f.v, "alice", &cur, &err), CONSTAT_OK);
    constat_record_key_id(&cur.pub, kid_cur, sizeof kid_cur);
    assert_string_equal(kid_cur, kid_old);
    constat_note_signer_wipe(&cur);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);
    assert_int_equal(constat_vault_monitor_rotate(f.v, "alice", T, NULL, kid, sizeof kid, &err),
                     CONSTAT_OK);
    snprintf(path, sizeof path, "%s/keys/monitors/%s.key", f.dir, kid);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotate_boundary),
        cmocka_unit_test(test_rotation_forged),
        cmocka_unit_test(test_rotate_rollback),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
