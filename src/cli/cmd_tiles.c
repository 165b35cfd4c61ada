/* cmd_tiles.c — `constat tiles export DIR`: publish the log as C2SP
 * tlog-tiles static files; and `constat tiles audit DIR|URL` (also
 * `constat verify --tiles DIR|URL`, from cmd_verify.c), the audit of such a
 * publication. docs/tiles.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "constat/log/tlog.h"
#include "constat/vault/keychain.h"

static int tiles_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *out;
    constat_vault *v;
    constat_tlog_source src;
    constat_tlog_export_stats stats;
    constat_error err;
    constat_status st;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("tiles");
    }
    if (optind + 1 != argc)
        return cli_usage("tiles");
    out = argv[optind];
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_tlog_vault_source(v, &src);
    constat_error_clear(&err);
    cli_publish_modes(); /* tiles are for any web server: the caller's umask, not 077 */
    st = constat_tlog_export(out, &src, &stats, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error(out, st, &err);
    printf("published %llu entries (tree size %llu) in %s: %llu file(s) written, %llu "
           "unchanged; checkpoint %s\n",
           (unsigned long long)stats.entries, (unsigned long long)stats.size, cli_text(out),
           (unsigned long long)stats.files_written, (unsigned long long)stats.files_unchanged,
           stats.checkpoint_written ? "written" : "unchanged");
    if (stats.files_replaced)
        fprintf(stderr, "constat: warning: %llu file(s) in %s held other bytes than the log "
                        "(torn or tampered) and were rewritten, the first %s\n",
                (unsigned long long)stats.files_replaced, cli_text(out),
                cli_text(stats.first_replaced));
    return cli_finish_stdout(0);
}

/* `constat tiles audit DIR|URL [--log-key VKEY | --trust FILE]
 * [--since-checkpoint FILE] [--json]`: the same audit as `verify --tiles` */
static int tiles_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"trust", required_argument, NULL, 't'},
        {"log-key", required_argument, NULL, 'k'},
        {"since-checkpoint", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *trust = NULL, *log_key = NULL, *since = NULL;
    int json = 0, c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': trust = optarg; break;
        case 'k': log_key = optarg; break;
        case 's': since = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("tiles");
        }
    }
    if (optind + 1 != argc)
        return cli_usage("tiles");
    return cli_tiles_audit(argv[optind], trust, log_key, since, json);
}

int cmd_tiles(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return tiles_export(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "audit") == 0)
        return tiles_audit(argc - 1, argv + 1);
    return cli_usage("tiles");
}

struct audit_out {
    unsigned long count;
    int json;
    json_t *list;
};

static void on_failure(void *ctx, int64_t index, const char *msg)
{
    struct audit_out *o = ctx;
    o->count++;
    if (o->json) {
        json_array_append_new(o->list, index >= 0
                                           ? json_pack("{s:I, s:s}", "index", (json_int_t)index,
                                                       "message", msg)
                                           : json_pack("{s:s}", "message", msg));
        return;
    }
    printf("FAIL: %s\n", cli_text(msg));
}

/* The log keys the transitions among the published entries lead to from
 * the pinned one (docs/vault.md "Log key rotation"). */
struct key_follow {
    constat_keychain kc;
    struct audit_out *o;
    /* transitions not followed: failures only if the pinned key does not
     * sign the checkpoint (it may be a later key than they retire) */
    char why[4][CONSTAT_ERROR_MSG_MAX + 200];
    int64_t at[4];
    size_t nwhy;
};

static void follow_fail(void *ctx, int64_t index, const char *msg)
{
    struct key_follow *k = ctx;
    if (k->nwhy < 4) {
        snprintf(k->why[k->nwhy], sizeof k->why[k->nwhy], "%s", msg);
        k->at[k->nwhy++] = index;
    }
}

static void follow_entry(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
    struct key_follow *k = ctx;
    size_t bad = 0;
    constat_error e;
    if (constat_keychain_feed(&k->kc, index, data, len, follow_fail, k, &bad, &e) != CONSTAT_OK)
        on_failure(k->o, (int64_t)index, e.msg); /* more log keys than a chain holds */
}

static const constat_note_verifier *follow_key(void *ctx, uint64_t size)
{
    struct key_follow *k = ctx;
    const constat_key_era *e = k->kc.n > 1 ? constat_keychain_for_size(&k->kc, size) : NULL;
    for (size_t i = 0; i < k->nwhy; i++)
        on_failure(k->o, k->at[i], k->why[i]);
    k->nwhy = 0;
    return e && e != &k->kc.k[0] ? &e->ver : NULL;
}

int cli_tiles_audit(const char *location, const char *trust, const char *log_key,
                    const char *since, int json)
{
    struct key_follow *kf = NULL;
    constat_note_verifier key;
    constat_tlog_audit_opts opts;
    constat_tlog_audit_summary sum;
    constat_error err;
    constat_status st;
    constat_buf since_buf;
    struct audit_out o = {0, json, NULL};
    char root[64];
    int rc;

    memset(&opts, 0, sizeof opts);
    constat_error_clear(&err);
    if (trust && log_key) {
        fprintf(stderr, "constat: give the log key with --log-key or --trust, not both\n");
        return CLI_EXIT_USAGE;
    }
    if (log_key) {
        st = constat_note_verifier_parse(log_key, &key, &err);
        if (st != CONSTAT_OK)
            return cli_report_error("--log-key", st, &err);
        opts.log_key = &key;
    } else if (trust) {
        st = constat_tlog_trust_log_key(trust, &key, &err);
        if (st != CONSTAT_OK)
            return cli_report_error(trust, st, &err);
        opts.log_key = &key;
    }
    constat_buf_init(&since_buf);
    if (since) {
        if ((rc = cli_read_file(since, &since_buf, CONSTAT_NOTE_MAX_BYTES)) != 0) {
            constat_buf_free(&since_buf);
            return rc;
        }
        opts.since_checkpoint = since_buf.data ? (const char *)since_buf.data : "";
        opts.since_len = since_buf.len;
    }
    if (json)
        o.list = json_array();
    if (opts.log_key && (kf = calloc(1, sizeof *kf)) != NULL) {
        constat_keychain_init_log(&kf->kc);
        kf->kc.n = 1;
        kf->kc.k[0].ver = key;
        constat_record_key_id(&key, kf->kc.k[0].key_id, sizeof kf->kc.k[0].key_id);
        kf->kc.k[0].transition = -1;
        kf->o = &o;
        opts.entry = follow_entry;
        opts.key_for_size = follow_key;
        opts.hook_ctx = kf;
    }
    st = constat_tlog_audit(location, &opts, on_failure, &o, &sum, &err);
    constat_buf_free(&since_buf);
    constat_base64(sum.root, 32, root);
    if (json) {
        json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:I, s:s, s:b, s:b, s:I, s:I, s:I, s:o}",
                              "kind", "tiles", "location", location, "ok", st == CONSTAT_OK,
                              "origin", sum.origin, "tree_size", (json_int_t)sum.size, "root",
                              root, "key_pinned", sum.key_pinned, "signature_ok",
                              sum.signature_ok, "entries", (json_int_t)sum.entries, "tiles",
                              (json_int_t)sum.tiles, "bundles", (json_int_t)sum.bundles,
                              "failures", o.list);
        if (j && sum.key_followed)
            json_object_set_new(j, "log_key_followed", json_true());
        if (j && sum.since_checked)
            json_object_set_new(j, "since_size", json_integer((json_int_t)sum.since_size));
        char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(j);
    } else if (st == CONSTAT_OK || st == CONSTAT_EVERIFY) {
        printf("published log %s\n", cli_text(location));
        printf("  checkpoint: %s, size %llu, root %s\n",
               sum.origin[0] ? cli_text(sum.origin) : "?",
               (unsigned long long)sum.size, root);
        if (sum.key_pinned && sum.key_followed && kf) {
            const constat_key_era *e = constat_keychain_for_size(&kf->kc, sum.size);
            printf("  signature:  valid by the log key %s, reached from the pinned log key\n"
                   "              through the log key transitions among the entries:\n",
                   cli_text(e->key_id));
            for (size_t i = 1; i < kf->kc.n; i++)
                printf("    leaf %lld: %s -> %s (checkpoints of size %llu and more)\n",
                       (long long)kf->kc.k[i].transition, cli_text(kf->kc.k[i - 1].key_id),
                       cli_text(kf->kc.k[i].key_id), (unsigned long long)kf->kc.k[i].from);
        } else if (sum.key_pinned)
            printf("  signature:  %s by the pinned log key\n",
                   sum.signature_ok ? "valid" : "NOT valid");
        else
            printf("  signature:  not checked (no --log-key or --trust): this audit shows "
                   "the publication is internally consistent, not who published it\n");
        printf("  recomputed: %llu entries from %llu bundle(s), %llu tile(s) compared\n",
               (unsigned long long)sum.entries, (unsigned long long)sum.bundles,
               (unsigned long long)sum.tiles);
        if (sum.since_checked)
            printf("  consistent with your earlier checkpoint of size %llu: %s\n",
                   (unsigned long long)sum.since_size, st == CONSTAT_OK ? "yes" : "see above");
        if (st == CONSTAT_OK)
            printf("VERIFIED: every entry, tile and the checkpoint root agree%s.\n",
                   !sum.key_pinned       ? ""
                   : sum.key_followed ? ", signed by the log key the pinned one handed over to"
                                      : ", signed by the pinned log key");
        else
            printf("NOT VERIFIED: %lu failure(s) above.\n", o.count);
    }
    free(kf);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY)
        return cli_report_error(location, st, &err);
    return cli_finish_stdout(st == CONSTAT_OK ? 0 : 1);
}
