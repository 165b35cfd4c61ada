/* cmd_witness.c — `constat witness init|key|add-log|logs|cosign|alerts|serve`:
 * this organisation as a C2SP tlog-witness of other organisations' logs
 * (docs/witness.md). The decisions are constat_witness_add_checkpoint's. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "constat/witness/witness.h"
#include "witness_http.h"

/* The witness key in guarded memory; NULL after printing the error. */
static constat_note_signer *load_key(constat_vault *v, int create, int *rc)
{
    constat_note_signer *k = sodium_malloc(sizeof *k);
    constat_error err;
    constat_status st;
    if (!k) {
        fprintf(stderr, "constat: out of memory\n");
        *rc = 3;
        return NULL;
    }
    st = constat_vault_witness_key(v, create, k, &err);
    if (st != CONSTAT_OK) {
        sodium_free(k);
        *rc = cli_report_error("witness key", st, &err);
        return NULL;
    }
    return k;
}

static void free_key(constat_note_signer *k)
{
    if (k) {
        constat_note_signer_wipe(k);
        sodium_free(k);
    }
}

static int print_vkey(const constat_note_signer *k)
{
    char vkey[600];
    if (constat_note_verifier_format(&k->pub, vkey, sizeof vkey) != CONSTAT_OK)
        return 3;
    printf("%s\n", cli_text(vkey));
    return 0;
}

static int print_log(void *ctx, const char *origin, const char *vkey, uint64_t size)
{
    json_t *items = ctx;
    if (items)
        return json_array_append_new(items, json_pack("{s:s, s:s, s:I}", "origin", origin,
                                                      "vkey", vkey, "cosigned_size",
                                                      (json_int_t)size)) != 0 ? -1 : 0;
    printf("%s\t%s\tcosigned size %llu\n", cli_text(origin), cli_text(vkey),
           (unsigned long long)size);
    return 0;
}

struct alerts {
    size_t n;
    json_t *items; /* --json: the alerts, else NULL */
};

static int print_alert(void *ctx, int64_t id, const char *origin, const char *reason,
                       int64_t created_at, const char *note_a, const char *note_b)
{
    char when[40];
    struct alerts *a = ctx;
    a->n++;
    constat_rfc3339_format(created_at, 0, when);
    if (a->items)
        return json_array_append_new(
                   a->items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
                                       "origin", origin, "created_at", when, "reason", reason,
                                       "checkpoint_cosigned", note_a ? note_a : "",
                                       "checkpoint_refused", note_b ? note_b : "")) != 0
                   ? -1
                   : 0;
    printf("alert %lld: log %s, %s\n%s\n--- checkpoint cosigned before:\n%s"
           "--- checkpoint refused:\n%s\n",
           (long long)id, cli_text(origin), when, cli_text(reason), cli_text_lines(note_a),
           cli_text_lines(note_b));
    return 0;
}

/* --proof FILE: an optional "old N" line, then one base64 hash per line. */
static int read_proof(const char *path, constat_proof *p, uint64_t *old, int *has_old)
{
    constat_buf b;
    constat_buf_init(&b);
    int rc = cli_read_file(path, &b, CONSTAT_WITNESS_BODY_MAX);
    size_t pos = 0, line = 0;
    p->n = 0;
    *has_old = 0;
    while (rc == 0 && pos < b.len) {
        const char *s = (const char *)b.data + pos;
        const char *nl = memchr(s, '\n', b.len - pos);
        size_t ll = nl ? (size_t)(nl - s) : b.len - pos, got = 0;
        line++;
        if (line == 1 && ll > 4 && memcmp(s, "old ", 4) == 0) {
            char num[32];
            if (ll - 4 >= sizeof num) {
                rc = 2;
            } else {
                memcpy(num, s + 4, ll - 4);
                num[ll - 4] = 0;
                rc = cli_parse_u64("old size", num, old);
                *has_old = rc == 0;
            }
        } else if (ll > 0) {
            if (p->n == CONSTAT_WITNESS_MAX_PROOF) {
                fprintf(stderr, "constat: %s: more than %d proof hashes\n", cli_text(path),
                        CONSTAT_WITNESS_MAX_PROOF);
                rc = 2;
            } else if (ll != 44 || constat_unbase64(s, ll, p->hash[p->n], 32, &got) != 0 ||
                       got != 32) {
                fprintf(stderr, "constat: %s line %zu: not a base64 32-byte hash\n", cli_text(path),
                        line);
                rc = 2;
            } else {
                p->n++;
            }
        }
        pos += ll + 1;
    }
    constat_buf_free(&b);
    return rc;
}

typedef struct {
    const char *origin;
    uint64_t size;
    int found;
} size_query;

static int find_size(void *ctx, const char *origin, const char *vkey, uint64_t size)
{
    size_query *q = ctx;
    (void)vkey;
    if (strcmp(origin, q->origin) == 0) {
        q->size = size;
        q->found = 1;
        return 1;
    }
    return 0;
}

static int cosign(constat_vault *v, const char *cp_path, const char *proof_path)
{
    constat_note_signer *k;
    constat_witness_outcome out;
    constat_proof proof = {0};
    constat_buf note, sig;
    constat_error err;
    constat_status st;
    uint64_t old = 0;
    int has_old = 0, rc = 0;

    if (proof_path && (rc = read_proof(proof_path, &proof, &old, &has_old)) != 0)
        return rc;
    constat_buf_init(&note);
    constat_buf_init(&sig);
    if ((rc = cli_read_file(cp_path, &note, CONSTAT_NOTE_MAX_BYTES)) != 0)
        goto done;
    if (!has_old) {
        /* the old size is the one this witness holds: the request is then
         * about the consistency of the proof, not about agreeing on a size */
        char origin[CONSTAT_KEY_NAME_MAX + 1];
        const char *nl = memchr(note.data, '\n', note.len);
        size_t ol = nl ? (size_t)(nl - (const char *)note.data) : 0;
        size_query q = {origin, 0, 0};
        if (ol > 0 && ol <= CONSTAT_KEY_NAME_MAX) {
            memcpy(origin, note.data, ol);
            origin[ol] = 0;
            st = constat_witness_logs(v, find_size, &q, &err);
            if (st != CONSTAT_OK) {
                rc = cli_report_error("witness cosign", st, &err);
                goto done;
            }
            old = q.size;
        }
    }
    if (!(k = load_key(v, 1, &rc)))
        goto done;
    st = constat_witness_add_checkpoint(v, k, old, &proof, (const char *)note.data, note.len,
                                        (uint64_t)cli_now(), &sig, &out, &err);
    free_key(k);
    if (st != CONSTAT_OK) {
        fprintf(stderr, "constat: witness cosign: refused (HTTP %d)%s: %s\n", out.http,
                out.alert ? ", evidence kept (constat witness alerts)" : "", cli_text(err.msg));
        if (out.http == 409 && out.size_known)
            fprintf(stderr, "constat: this witness holds size %llu\n",
                    (unsigned long long)out.size);
        rc = constat_status_exit_code(st);
        goto done;
    }
    fwrite(sig.data, 1, sig.len, stdout);
done:
    constat_buf_free(&note);
    constat_buf_free(&sig);
    return rc;
}

static int64_t server_now(void)
{
    return cli_now();
}

static int serve(constat_vault *v, const char *listen, const char *port_file)
{
    witness_http_config cfg;
    witness_http *srv = NULL;
    constat_note_signer *k;
    sigset_t set;
    char errbuf[256];
    unsigned port = 0;
    int rc = 0, sig = 0;

    if (!(k = load_key(v, 1, &rc)))
        return rc;
    cfg.vault = v;
    cfg.key = k;
    cfg.now = server_now;
    cfg.log = stderr;
    /* block the stop signals before the server thread starts, so it inherits
     * the mask and only sigwait below sees them */
    cli_block_stop_signals(&set);
    if (witness_http_start(&cfg, listen, &srv, &port, errbuf, sizeof errbuf) != 0) {
        fprintf(stderr, "constat: witness serve: %s\n", cli_text(errbuf));
        free_key(k);
        return 3;
    }
    printf("witness %s listening on http://%.*s:%u/add-checkpoint\n", cli_text(k->pub.name),
           (int)(strrchr(listen, ':') - listen), listen, port);
    fflush(stdout);
    rc = cli_write_port_file(port_file, port);
    if (rc == 0)
        sigwait(&set, &sig);
    witness_http_stop(srv);
    free_key(k);
    if (rc == 0)
        fprintf(stderr, "witness: stopped (signal %d)\n", sig);
    return rc;
}

/* `witness logs`: the logs this witness cosigns, as text or --json. */
static int list_logs(constat_vault *v, int json)
{
    json_t *items = json ? json_array() : NULL;
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    st = constat_witness_logs(v, print_log, items, &err);
    if (st != CONSTAT_OK) {
        json_decref(items);
        return cli_report_error("witness logs", st, &err);
    }
    return json ? cli_json_listing("witness logs", items, NULL) : 0;
}

/* `witness alerts`: the checkpoints this witness refused to cosign, as text or --json. */
static int list_alerts(constat_vault *v, int json)
{
    struct alerts a = {0, json ? json_array() : NULL};
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    st = constat_witness_alerts(v, print_alert, &a, &err);
    if (st != CONSTAT_OK) {
        json_decref(a.items);
        return cli_report_error("witness alerts", st, &err);
    }
    if (json)
        return cli_json_listing("witness alerts", a.items, NULL);
    if (a.n == 0)
        printf("no alerts\n");
    return 0;
}

int cmd_witness(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"proof", required_argument, NULL, 'p'},
        {"listen", required_argument, NULL, 'l'},
        {"port-file", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *proof = NULL, *listen = NULL, *port_file = NULL, *sub;
    constat_vault *v;
    constat_error err;
    constat_status st;
    int c, rc = 0, nargs, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'p': proof = optarg; break;
        case 'l': listen = optarg; break;
        case 'f': port_file = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("witness");
        }
    }
    if (optind >= argc)
        return cli_usage("witness");
    sub = argv[optind];
    nargs = argc - optind - 1;
    if ((strcmp(sub, "init") == 0 || strcmp(sub, "key") == 0 || strcmp(sub, "logs") == 0 ||
         strcmp(sub, "alerts") == 0 || strcmp(sub, "serve") == 0) ? nargs != 0
        : strcmp(sub, "add-log") == 0 ? nargs != 2
        : strcmp(sub, "cosign") == 0  ? nargs != 1
                                      : 1)
        return cli_usage("witness");
    if ((proof && strcmp(sub, "cosign") != 0) ||
        ((listen || port_file) && strcmp(sub, "serve") != 0) ||
        (strcmp(sub, "serve") == 0 && !listen) ||
        (json && strcmp(sub, "logs") != 0 && strcmp(sub, "alerts") != 0))
        return cli_usage("witness");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    if (strcmp(sub, "init") == 0 || strcmp(sub, "key") == 0) {
        constat_note_signer *k = load_key(v, strcmp(sub, "init") == 0, &rc);
        if (k) {
            if (strcmp(sub, "init") == 0)
                printf("# witness key of %s: logs configure it with\n"
                       "# constat publish add THIS_KEY URL\n",
                       cli_text(constat_vault_org(v)));
            rc = print_vkey(k);
            free_key(k);
        }
    } else if (strcmp(sub, "add-log") == 0) {
        st = constat_witness_log_add(v, argv[optind + 1], argv[optind + 2], cli_now(), &err);
        if (st != CONSTAT_OK)
            rc = cli_report_error("witness add-log", st, &err);
        else
            printf("witnessing %s\n", cli_text(argv[optind + 1]));
    } else if (strcmp(sub, "logs") == 0) {
        rc = list_logs(v, json);
    } else if (strcmp(sub, "alerts") == 0) {
        rc = list_alerts(v, json);
    } else if (strcmp(sub, "cosign") == 0) {
        rc = cosign(v, argv[optind + 1], proof);
    } else {
        rc = serve(v, listen, port_file);
    }
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
