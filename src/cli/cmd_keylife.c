/* cmd_keylife.c — `constat monitor revoke NAME --from TIME --reason TEXT`
 * (docs/vault.md "Revocation"), `constat monitor rotate NAME` (docs/vault.md
 * "Rotation"), `constat keys history`, and the refusal to sign with a
 * revoked monitor key. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "constat/vault/keylife.h"
#include "constat/vault/keyrot.h"

/* cmd_keyrot.c: print, after an organisation key's line of `keys history`,
 * the leaves it is in force for and the transitions around it. */
void cli_keys_org_era(const constat_keychain *c, const constat_key_era *e);

int cli_monitor_revoke(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},
        {"reason", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *from = NULL, *reason = NULL;
    constat_vault *v;
    constat_error err;
    constat_status st;
    uint64_t index = 0;
    int64_t t;
    int off, c, rc;

    optind = 2; /* argv[1] is "revoke" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'f': from = optarg; break;
        case 'r': reason = optarg; break;
        default: return cli_usage("monitor");
        }
    }
    if (!from || !reason || argc - optind != 1)
        return cli_usage("monitor");
    if (constat_rfc3339_parse(from, &t, &off) != CONSTAT_OK) {
        fprintf(stderr, "constat: monitor revoke: --from %s: not an RFC 3339 time with an "
                        "offset (2026-11-28T14:00:00+01:00)\n", cli_text(from));
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    st = constat_vault_monitor_revoke(v, argv[optind], t, reason, cli_now(), &index, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error("monitor revoke", st, &err);
    printf("revoked the key of monitor %s from %s (revocation record at leaf %llu, signed by "
           "the organisation key)\nrecords that key signed at or after that time, or logged "
           "from now on, fail verification\n", cli_text(argv[optind]), cli_text(from),
           (unsigned long long)index);
    return cli_finish_stdout(0);
}

/* $CONSTAT_TEST_ROTATE_KILL (tests only: tests/e2e/t0720-rotate.sh): "file"
 * or "txn" kills the process at that step of the rotation. */
static int rotate_kill(const char *step)
{
    const char *k = getenv("CONSTAT_TEST_ROTATE_KILL");
    if (k && strcmp(k, step) == 0)
        raise(SIGKILL);
    return 0;
}

int cli_monitor_rotate(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    char kid[CONSTAT_KEY_NAME_MAX + 16];
    constat_vault *v;
    constat_error err;
    constat_status st;
    uint64_t index = 0;
    int c, rc;

    optind = 2; /* argv[1] is "rotate" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("monitor");
    }
    if (argc - optind != 1)
        return cli_usage("monitor");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    if (getenv("CONSTAT_TEST_ROTATE_KILL"))
        constat_rotate_test_hook = rotate_kill;
    constat_error_clear(&err);
    st = constat_vault_monitor_rotate(v, argv[optind], cli_now(), &index, kid, sizeof kid, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error("monitor rotate", st, &err);
    printf("rotated the key of monitor %s: new key %s (rotation record at leaf %llu, signed by "
           "the organisation key)\nrecords signed from now on use the new key; the old key "
           "fails verification for records recorded from now on\n", cli_text(argv[optind]),
           cli_text(kid), (unsigned long long)index);
    return cli_finish_stdout(0);
}

int cli_monitor_refuse_revoked(constat_vault *v, const char *monitor)
{
    constat_note_signer s;
    constat_error err;
    json_t *revs = NULL, *r;
    char kid[CONSTAT_KEY_NAME_MAX + 16];

    constat_error_clear(&err);
    if (constat_vault_monitor_key(v, monitor, &s, &err) != CONSTAT_OK)
        return 0; /* the caller reports an unknown monitor */
    constat_record_key_id(&s.pub, kid, sizeof kid);
    constat_note_signer_wipe(&s);
    if (constat_vault_revocations(v, &revs, &err) != CONSTAT_OK)
        return cli_report_error(monitor, err.code, &err);
    r = json_object_get(revs, kid);
    if (r) {
        fprintf(stderr, "constat: %s: the key %s of monitor %s was revoked by leaf %lld "
                        "(from %s, reason: %s); nothing signed with it is logged\n",
                cli_text(monitor), cli_text(kid), cli_text(monitor),
                (long long)json_integer_value(json_object_get(r, "leaf")),
                cli_text(json_string_value(json_object_get(r, "from"))),
                cli_text(json_string_value(json_object_get(r, "reason"))));
        json_decref(revs);
        return CLI_EXIT_USAGE;
    }
    json_decref(revs);
    return 0;
}

/* The log keys of `keys history`: one line per key of the chain with the
 * checkpoint sizes it signs and the transitions around it. */
static void print_log_keys(constat_vault *v, const constat_keychain *logs)
{
    uint64_t size = constat_vault_size(v);
    char lk[CONSTAT_KEY_NAME_MAX + 16];

    if (logs->n <= 1) {
        constat_record_key_id(&constat_vault_log_key(v)->pub, lk, sizeof lk);
        printf("log key %s: signs every checkpoint (leaves 0 .. %llu); never rotated\n",
               cli_text(lk), (unsigned long long)(size ? size - 1 : 0));
        return;
    }
    for (size_t i = 0; i < logs->n; i++) {
        const constat_key_era *e = &logs->k[i];
        printf("log key %s: signs the checkpoints of tree sizes %llu .. ", cli_text(e->key_id),
               (unsigned long long)e->from);
        if (i + 1 < logs->n)
            printf("%llu", (unsigned long long)logs->k[i + 1].from - 1);
        else
            printf("%llu (the current key)", (unsigned long long)size);
        if (e->transition >= 0)
            printf("; in force from size %llu (key transition at leaf %lld, %s)",
                   (unsigned long long)e->from, (long long)e->transition, cli_text(e->at));
        else
            printf("; the first log key");
        if (i + 1 < logs->n)
            printf("; RETIRED by the key transition at leaf %lld (%s, signed by it and the new "
                   "key): new key %s", (long long)logs->k[i + 1].transition,
                   cli_text(logs->k[i + 1].at), cli_text(logs->k[i + 1].key_id));
        putchar('\n');
    }
}

/* `constat keys history`: for each key that signs in this log, the leaves
 * it signed (first, last, count) and, for monitor keys, the enrolment and
 * any revocation. */
struct khist {
    json_t *keys; /* key id -> {"first","last","count"} */
    json_t *order; /* key ids in order of first use */
    constat_status st;
};

static int khist_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct khist *h = ctx;
    constat_leaf l;
    constat_error e;
    json_t *k;

    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return 0; /* verify names it */
    k = json_object_get(h->keys, l.key_id);
    if (!k) {
        k = json_pack("{s:I, s:I, s:I}", "first", (json_int_t)index, "last", (json_int_t)index,
                      "count", (json_int_t)0);
        if (!k || json_object_set_new(h->keys, l.key_id, k) != 0 ||
            json_array_append_new(h->order, json_string(l.key_id)) != 0) {
            h->st = CONSTAT_ENOMEM;
            constat_leaf_free(&l);
            return 1;
        }
    }
    json_object_set_new(k, "last", json_integer((json_int_t)index));
    json_object_set_new(k, "count", json_integer(json_integer_value(json_object_get(k, "count")) +
                                                 1));
    constat_leaf_free(&l);
    return 0;
}

int cli_keys_history(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    struct khist h = {json_object(), json_array(), CONSTAT_OK};
    constat_vault *v;
    constat_error err;
    json_t *revs = NULL, *rots = NULL, *kid;
    constat_keychain orgs, logs;
    char ok[CONSTAT_KEY_NAME_MAX + 16];
    size_t i;
    int c, rc;

    optind = 2; /* argv[1] is "history" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("keys");
    }
    if (optind != argc || !h.keys || !h.order) {
        json_decref(h.keys);
        json_decref(h.order);
        return optind != argc ? cli_usage("keys") : 3;
    }
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    if (constat_vault_leaves(v, 0, constat_vault_size(v), khist_leaf, &h, &err) != CONSTAT_OK ||
        h.st != CONSTAT_OK || constat_vault_revocations(v, &revs, &err) != CONSTAT_OK ||
        constat_vault_rotations(v, &rots, &err) != CONSTAT_OK ||
        constat_vault_org_chain(v, &orgs, NULL, NULL, NULL, &err) != CONSTAT_OK ||
        constat_vault_log_chain(v, &logs, NULL, NULL, NULL, &err) != CONSTAT_OK) {
        rc = cli_report_error("keys history", h.st ? h.st : err.code, &err);
        goto out;
    }
    constat_record_key_id(&constat_vault_org_key(v)->pub, ok, sizeof ok);
    print_log_keys(v, &logs);
    json_array_foreach(h.order, i, kid) {
        const char *k = json_string_value(kid);
        if (logs.n > 1 && constat_keychain_find(&logs, k))
            continue; /* a log key signs only its own transition: its line is above */
        const json_t *e = json_object_get(h.keys, k), *r = json_object_get(revs, k);
        const constat_key_era *oe = constat_keychain_find(&orgs, k);
        printf("%s %s: leaves %lld .. %lld (%lld signed)", oe || strcmp(k, ok) == 0
                                                               ? "org key"
                                                               : "monitor key",
               cli_text(k), (long long)json_integer_value(json_object_get(e, "first")),
               (long long)json_integer_value(json_object_get(e, "last")),
               (long long)json_integer_value(json_object_get(e, "count")));
        const json_t *ro = json_object_get(rots, k), *rot;
        const char *retired;
        json_object_foreach((json_t *)rots, retired, rot)
            if (strcmp(json_string_value(json_object_get(rot, "new_key_id")), k) == 0)
                printf("; in force from leaf %lld (%s), rotated in for %s",
                       (long long)json_integer_value(json_object_get(rot, "leaf")),
                       cli_text(json_string_value(json_object_get(rot, "at"))),
                       cli_text(retired));
        if (ro)
            printf("; RETIRED by the rotation at leaf %lld (%s): new key %s",
                   (long long)json_integer_value(json_object_get(ro, "leaf")),
                   cli_text(json_string_value(json_object_get(ro, "at"))),
                   cli_text(json_string_value(json_object_get(ro, "new_key_id"))));
        if (oe)
            cli_keys_org_era(&orgs, oe);
        if (r)
            printf("; REVOKED from %s by leaf %lld (reason: %s)",
                   cli_text(json_string_value(json_object_get(r, "from"))),
                   (long long)json_integer_value(json_object_get(r, "leaf")),
                   cli_text(json_string_value(json_object_get(r, "reason"))));
        putchar('\n');
    }
    rc = 0;
out:
    json_decref(revs);
    json_decref(rots);
    json_decref(h.keys);
    json_decref(h.order);
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
