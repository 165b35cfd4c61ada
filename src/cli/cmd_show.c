/* cmd_show.c — `constat show`: one record with its signature and inclusion
 * checked against the vault's newest checkpoint. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_records.h"
#include "constat/evidence/tsa.h"
#include "constat/vault/keylife.h"

struct find_vkey {
    const char *name;
    char vkey[600];
};

static int find_monitor(void *ctx, const char *name, const char *vkey, uint64_t index)
{
    struct find_vkey *f = ctx;
    (void)index;
    if (strcmp(name, f->name) == 0) {
        snprintf(f->vkey, sizeof f->vkey, "%s", vkey);
        return 1;
    }
    return 0;
}

/* 1 and *out if a rotation in the log brought in key `kid`. */
static int rotated_key(constat_vault *v, const char *kid, constat_note_verifier *out)
{
    json_t *rots = NULL, *r;
    const char *k;
    constat_error err;
    int found = 0;

    if (constat_vault_rotations(v, &rots, &err) != CONSTAT_OK)
        return 0;
    json_object_foreach(rots, k, r)
        if (!found && strcmp(json_string_value(json_object_get(r, "new_key_id")), kid) == 0)
            found = constat_note_verifier_parse(json_string_value(json_object_get(r, "vkey")),
                                                out, &err) == CONSTAT_OK;
    json_decref(rots);
    return found;
}

/* Check the leaf's signature against the key the vault knows for its signer. */
static const char *signature_verdict(constat_vault *v, const constat_leaf *l, char *buf,
                                     size_t cap)
{
    const char *kind = json_string_value(json_object_get(l->record, "kind"));
    constat_note_verifier ver;
    constat_error err;

    char ok[CONSTAT_KEY_NAME_MAX + 16];

    constat_error_clear(&err);
    constat_record_key_id(&constat_vault_org_key(v)->pub, ok, sizeof ok);
    if (cli_org_key_of(v, l->key_id, &ver)) {
        /* a key the organisation signed with before a key transition (keyrot.h) */
    } else if ((kind && strcmp(kind, "monitor_enrolment") == 0) || strcmp(l->key_id, ok) == 0) {
        /* enrolments, rotations, revocations, erasures, register entries */
        ver = constat_vault_org_key(v)->pub;
    } else if (rotated_key(v, l->key_id, &ver)) {
        /* a key a rotation brought in (docs/vault.md "Rotation") */
    } else {
        struct find_vkey f = {json_string_value(json_object_get(l->record, "monitor")), ""};
        if (!f.name)
            return "no monitor named";
        if (constat_vault_monitor_list(v, find_monitor, &f, &err) != CONSTAT_OK || !f.vkey[0])
            return "signer is not an enrolled monitor";
        if (constat_note_verifier_parse(f.vkey, &ver, &err) != CONSTAT_OK)
            return "enrolled key unreadable";
    }
    if (constat_leaf_verify(l, &ver, &err) != CONSTAT_OK) {
        snprintf(buf, cap, "INVALID: %s", err.msg);
        return buf;
    }
    snprintf(buf, cap, "valid (key %s)", l->key_id);
    return buf;
}

/* The three times of a record (docs/time.md): when the event occurred and
 * when it was recorded, both claimed; and the earliest time an RFC 3161
 * token proves the record existed. Text to stdout, or members of `o`. */
static void show_times(constat_vault *v, uint64_t index, const json_t *rec, json_t *o)
{
    const json_t *occ = json_object_get(rec, "occurred");
    const char *start = json_string_value(json_object_get(occ, "start"));
    const char *end = json_string_value(json_object_get(occ, "end"));
    const char *recorded = json_string_value(json_object_get(rec, "recorded_at"));
    constat_tsa_timeline tl;
    constat_error err;
    int64_t t = -1;
    const char *tsa = NULL;
    int proven = 0;
    char when[32] = "";

    constat_tsa_timeline_init(&tl);
    constat_error_clear(&err);
    if (constat_tsa_timeline_load(v, &tl, &err) == CONSTAT_OK)
        proven = constat_tsa_timeline_proven(&tl, index, &t, &tsa);
    if (proven)
        constat_rfc3339_format(t, 0, when);
    if (o) {
        json_t *times = json_pack("{s:s?, s:s?, s:s?}", "occurred_start", start, "occurred_end",
                                  end, "recorded_at", recorded);
        if (times) {
            json_object_set_new(times, "proven", proven ? json_string(when) : json_null());
            if (proven)
                json_object_set_new(times, "proven_tsa", json_string(tsa));
            json_object_set_new(o, "times", times);
        }
    } else {
        printf("times:\n");
        if (start)
            printf("  occurred (claimed):         %s%s%s\n", cli_text(start), end ? " to " : "",
                   cli_text(end));
        printf("  recorded (claimed, device): %s\n",
               recorded ? cli_text(recorded) : "(not stated)");
        if (proven)
            printf("  existed by (proven):        %s (RFC 3161 token by TSA %s)\n", when,
                   cli_text(tsa));
        else
            printf("  existed by (proven):        no proven time (no RFC 3161 token covers it; "
                   "run 'constat timestamp')\n");
    }
    constat_tsa_timeline_free(&tl);
}

/* Inclusion of a leaf in the vault's newest checkpoint (RFC 9162 §2.1.3),
 * checked here and now. */
enum inclusion_state { INC_INCLUDED, INC_PENDING, INC_NO_CHECKPOINT, INC_UNREADABLE, INC_FAILED };

struct inclusion {
    enum inclusion_state state;
    uint64_t size; /* the checkpoint's tree size (INCLUDED, PENDING, FAILED) */
    size_t hashes; /* the proof's length (INCLUDED) */
    char msg[512]; /* why (UNREADABLE, FAILED) */
};

static void check_inclusion(constat_vault *v, uint64_t index, const uint8_t lh[32],
                            struct inclusion *inc)
{
    constat_buf note;
    constat_checkpoint cp;
    constat_proof proof;
    constat_error err;
    size_t body = 0;

    memset(inc, 0, sizeof *inc);
    constat_error_clear(&err);
    constat_buf_init(&note);
    if (constat_vault_latest_checkpoint(v, &note, &err) != CONSTAT_OK) {
        inc->state = INC_NO_CHECKPOINT;
        constat_buf_free(&note);
        return;
    }
    /* the checkpoint body ends at the blank line before the signatures */
    for (size_t i = 0; i + 1 < note.len; i++)
        if (note.data[i] == '\n' && note.data[i + 1] == '\n') {
            body = i + 1;
            break;
        }
    if (!body || constat_checkpoint_parse((const char *)note.data, body, &cp, &err) !=
                     CONSTAT_OK) {
        inc->state = INC_UNREADABLE;
        snprintf(inc->msg, sizeof inc->msg, "%s", body ? err.msg : "no signature block");
    } else if (index >= cp.size) {
        inc->state = INC_PENDING;
        inc->size = cp.size;
    } else if (constat_vault_prove_inclusion(v, index, cp.size, &proof, &err) == CONSTAT_OK &&
               constat_merkle_verify_inclusion(index, cp.size, lh, &proof, cp.root, &err) ==
                   CONSTAT_OK) {
        inc->state = INC_INCLUDED;
        inc->size = cp.size;
        inc->hashes = proof.n;
    } else {
        inc->state = INC_FAILED;
        inc->size = cp.size;
        snprintf(inc->msg, sizeof inc->msg, "%s", err.msg);
    }
    constat_buf_free(&note);
}

/* show --json "inclusion" (docs/cli.md "JSON output"). */
static json_t *inclusion_json(const struct inclusion *inc)
{
    static const char *const names[] = {"included", "not_yet_checkpointed", "no_checkpoint",
                                        "checkpoint_unreadable", "failed"};
    json_t *o = json_pack("{s:s, s:b}", "state", names[inc->state], "included",
                          inc->state == INC_INCLUDED);
    if (!o)
        return NULL;
    if (inc->state == INC_INCLUDED || inc->state == INC_PENDING || inc->state == INC_FAILED)
        json_object_set_new(o, "checkpoint_size", json_integer((json_int_t)inc->size));
    if (inc->state == INC_INCLUDED)
        json_object_set_new(o, "proof_hashes", json_integer((json_int_t)inc->hashes));
    if (inc->state == INC_UNREADABLE || inc->state == INC_FAILED)
        json_object_set_new(o, "message", json_string(inc->msg));
    return o;
}

int cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"private", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *what;
    int json = 0, show_private = 0, c, rc = 0, numeric = 1;
    constat_vault *v;
    constat_error err;
    constat_status st;
    constat_buf leaf;
    constat_leaf l;
    struct inclusion inc;
    uint64_t index = 0;
    uint8_t lh[32];
    char verdict[700];
    const char *sigv;
    json_t *pv = NULL, *amends = NULL, *am;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'j': json = 1; break;
        case 'p': show_private = 1; break;
        default: return cli_usage("show");
        }
    }
    if (optind + 1 != argc)
        return cli_usage("show");
    what = argv[optind];
    for (const char *p = what; *p; p++)
        if (!isdigit((unsigned char)*p))
            numeric = 0;
    /* reading needs no passphrase; private values do, in a sealed vault
     * (docs/vault.md "Private values") */
    if ((rc = show_private ? cli_open_vault(cli_vault_dir(dir), &v)
                           : cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    constat_buf_init(&leaf);
    if (numeric)
        st = cli_parse_u64("INDEX", what, &index) ? CONSTAT_EINVAL : CONSTAT_OK;
    else
        st = constat_vault_find(v, what, &index, &err);
    if (st == CONSTAT_OK)
        st = constat_vault_leaf(v, index, &leaf, &err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, &l, &err);
    if (st != CONSTAT_OK) {
        constat_vault_close(v);
        constat_buf_free(&leaf);
        return cli_report_error(what, st, &err);
    }
    if (show_private) {
        const char *id = json_string_value(json_object_get(l.record, "id"));
        if (id && (st = constat_vault_private(v, id, &pv, &err)) != CONSTAT_OK) {
            constat_leaf_free(&l);
            constat_vault_close(v);
            constat_buf_free(&leaf);
            return cli_report_error(what, st, &err);
        }
    }
    constat_merkle_leaf_hash(leaf.data, leaf.len, lh);
    sigv = signature_verdict(v, &l, verdict, sizeof verdict);
    /* a corrected or retracted record says so, and by which leaves */
    if ((st = cli_amendments_load(v, &amends, &err)) != CONSTAT_OK) {
        json_decref(pv);
        constat_leaf_free(&l);
        constat_vault_close(v);
        constat_buf_free(&leaf);
        return cli_report_error(what, st, &err);
    }
    am = json_object_get(amends, json_string_value(json_object_get(l.record, "id")));
    check_inclusion(v, index, lh, &inc);
    if (inc.state == INC_FAILED)
        rc = 1;

    if (json) {
        json_t *o = json_pack("{s:I, s:O, s:s}", "index", (json_int_t)index, "record",
                              l.record, "key_id", l.key_id);
        char b64[64];
        constat_base64(lh, 32, b64);
        json_object_set_new(o, "leaf_hash", json_string(b64));
        json_object_set_new(o, "signature",
                            json_pack("{s:b, s:s, s:s}", "valid", strncmp(sigv, "valid", 5) == 0,
                                      "key_id", l.key_id, "result", sigv));
        json_object_set_new(o, "inclusion", inclusion_json(&inc));
        show_times(v, index, l.record, o);
        if (o && am)
            json_object_update(o, am);
        if (show_private && pv) {
            json_object_set_new(o, "private_values", pv);
            pv = NULL;
        }
        {
            char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
            if (s)
                puts(s);
            else
                rc = 3;
            free(s);
        }
        json_decref(o);
        if (inc.state == INC_FAILED)
            fprintf(stderr, "constat: leaf %llu: inclusion in checkpoint %llu FAILED: %s\n",
                    (unsigned long long)index, (unsigned long long)inc.size,
                    cli_text(inc.msg));
    } else {
        char *s = json_dumps(l.record, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("leaf %llu  leaf hash ", (unsigned long long)index);
        cli_print_b64(stdout, lh, 32);
        printf("\nsigned by %s: %s\n", cli_text(l.key_id), cli_text(sigv));
        if (am) {
            char t[400];
            cli_amendment_text(amends,
                               json_string_value(json_object_get(l.record, "id")), t,
                               sizeof t);
            printf("%s%s (constat show LEAF for each)\n",
                   json_object_get(am, "erased_by")      ? "ERASED: "
                   : json_object_get(am, "retracted_by") ? "RETRACTED: "
                                                         : "CORRECTED: ",
                   t);
        }
        /* the dump's own newlines kept; bidi and other controls in the
         * record's strings made visible (jansson escapes only C0) */
        printf("%s\n", cli_text_lines(s));
        free(s);
        show_times(v, index, l.record, NULL);
        /* evidence files of an incident (with flags), or an evidence file's
         * flags and chain of custody */
        cli_show_evidence(v, l.record, stdout);
        if (show_private && pv) {
            s = json_dumps(pv, JSON_INDENT(2) | JSON_SORT_KEYS);
            printf("private values (kept in the vault, never logged):\n%s\n",
                   s ? cli_text_lines(s) : "");
            free(s);
        } else if (show_private) {
            printf("no private values\n");
        }
        /* inclusion in the newest checkpoint, checked here and now */
        switch (inc.state) {
        case INC_INCLUDED:
            printf("included in the signed checkpoint of size %llu (proof of %zu hashes "
                   "verified)\n", (unsigned long long)inc.size, inc.hashes);
            break;
        case INC_PENDING:
            printf("not yet in a checkpoint (newest covers %llu leaves): run 'constat "
                   "checkpoint'\n", (unsigned long long)inc.size);
            break;
        case INC_NO_CHECKPOINT:
            printf("no checkpoint yet: run 'constat checkpoint'\n");
            break;
        case INC_UNREADABLE:
            printf("the newest checkpoint cannot be read: %s\n", cli_text(inc.msg));
            break;
        case INC_FAILED:
            fprintf(stderr, "constat: leaf %llu: inclusion in checkpoint %llu FAILED: %s\n",
                    (unsigned long long)index, (unsigned long long)inc.size,
                    cli_text(inc.msg));
            break;
        }
    }
    if (strncmp(sigv, "valid", 5) != 0)
        rc = 1;
    json_decref(pv);
    json_decref(amends);
    constat_leaf_free(&l);
    constat_buf_free(&leaf);
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
