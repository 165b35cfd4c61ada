/* cmd_serve.c — `constat serve`: the organisation's HTTP server (docs/api.md):
 * the JSON API under /api/v1/, the witness endpoint and the read-only C2SP
 * tiles, over one vault. The HTTP machinery is in src/server/serve_*.c. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "constat/base/file.h"
#include "serve.h"

#ifndef CONSTAT_DATA_DIR
#define CONSTAT_DATA_DIR "data"
#endif

static int64_t serve_now(void)
{
    return cli_now();
}

static int read_pem(const char *path, constat_buf *out)
{
    if (!path)
        return 0;
    if (cli_read_file(path, out, 1 << 20) != 0)
        return 3;
    if (constat_buf_append(out, "", 1) != CONSTAT_OK)
        return 3;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"queue", required_argument, NULL, 'q'},
        {"batch", required_argument, NULL, 'b'},
        {"window-us", required_argument, NULL, 'w'},
        {"port-file", required_argument, NULL, 'p'},
        {"taxonomy", required_argument, NULL, 'x'},
        {"routes", no_argument, NULL, 'r'},
        {"session-idle", required_argument, NULL, 'I'},
        {"session-max", required_argument, NULL, 'M'},
        {"client-timeout", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *listen = NULL, *cert = NULL, *key = NULL, *port_file = NULL,
               *taxo = NULL;
    uint64_t threads = 0, queue = 1024, batch = 256, window = 2000;
    uint64_t idle = SERVE_SESSION_IDLE, smax = SERVE_SESSION_MAX, ctimeout = SERVE_CONNECTION_TIMEOUT;
    serve_ctx ctx;
    serve_http *srv = NULL;
    constat_buf cert_pem, key_pem, published;
    constat_note_signer wk;
    constat_error err;
    sigset_t set;
    char errbuf[256];
    unsigned port = 0;
    int c, rc = 0, sig = 0, have_wk = 0, lockfd = -1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'l': listen = optarg; break;
        case 'c': cert = optarg; break;
        case 'k': key = optarg; break;
        case 'p': port_file = optarg; break;
        case 'x': taxo = optarg; break;
        case 't': if (cli_parse_u64("--threads", optarg, &threads)) return CLI_EXIT_USAGE; break;
        case 'q': if (cli_parse_u64("--queue", optarg, &queue)) return CLI_EXIT_USAGE; break;
        case 'b': if (cli_parse_u64("--batch", optarg, &batch)) return CLI_EXIT_USAGE; break;
        case 'w': if (cli_parse_u64("--window-us", optarg, &window)) return CLI_EXIT_USAGE; break;
        case 'I': if (cli_parse_u64("--session-idle", optarg, &idle)) return CLI_EXIT_USAGE; break;
        case 'M': if (cli_parse_u64("--session-max", optarg, &smax)) return CLI_EXIT_USAGE; break;
        case 'T':
            if (cli_parse_u64("--client-timeout", optarg, &ctimeout)) return CLI_EXIT_USAGE;
            break;
        case 'r':
            serve_routes_print(stdout);
            return cli_finish_stdout(0);
        default: return cli_usage("serve");
        }
    }
    if (threads == 0) { /* one pool thread a core: submissions wait suspended, not in threads */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 64 ? 64 : (uint64_t)n;
    }
    if (!listen || optind != argc || !cert != !key || threads < 1 || threads > 64 ||
        queue > 100000 || batch < 1 || batch > 4096 || window > 1000000 || idle < 1 ||
        smax < 1 || idle > 30 * 86400 || smax > 30 * 86400 || ctimeout < 1 || ctimeout > 3600)
        return cli_usage("serve");
    memset(&ctx, 0, sizeof ctx);
    constat_buf_init(&cert_pem);
    constat_buf_init(&key_pem);
    constat_buf_init(&published);
    if ((rc = read_pem(cert, &cert_pem)) || (rc = read_pem(key, &key_pem)))
        goto out;
    if ((rc = cli_load_taxonomy(taxo, &ctx.tax)) != 0)
        goto out;
    ctx.taxonomy_path = cli_taxonomy_path(taxo);
    {
        /* a dossier's validation table, as `constat dossier` makes it: the
         * bundled published figures, when there */
        FILE *pf = fopen(CONSTAT_DATA_DIR "/demo/published_figures.csv", "rb");
        constat_error_clear(&err);
        if (pf && constat_file_read(pf, 4u * 1024 * 1024, &published, &err) == CONSTAT_OK) {
            ctx.published = published.data;
            ctx.published_len = published.len;
        }
        if (pf)
            fclose(pf);
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &ctx.vault)) != 0)
        goto out;
    if ((lockfd = cli_serve_lock(constat_vault_dir(ctx.vault), 0, "serve")) < 0) {
        rc = 3;
        goto out;
    }
    constat_error_clear(&err);
    /* the vault's witness key, if it has one: then /add-checkpoint is served */
    if (constat_vault_witness_key(ctx.vault, 0, &wk, &err) == CONSTAT_OK) {
        have_wk = 1;
        ctx.witness_key = &wk;
    }
    pthread_mutex_init(&ctx.lock, NULL);
    ctx.tls = cert != NULL;
    ctx.log = stderr;
    ctx.now = serve_now;
    ctx.session_idle = (unsigned)idle;
    ctx.session_max = (unsigned)smax;
    ctx.client_timeout = (unsigned)ctimeout;
    ctx.sessions = serve_sessions_new();
    ctx.cache = serve_cache_new();
    ctx.intake = serve_intake_start(&ctx, (unsigned)queue, (unsigned)batch, (unsigned)window);
    if (!ctx.sessions || !ctx.intake || !ctx.cache) {
        fprintf(stderr, "constat: serve: out of memory\n");
        rc = 3;
        goto out;
    }
    cli_block_stop_signals(&set);
    if (serve_http_start(&ctx, listen, (unsigned)threads, cert ? (char *)cert_pem.data : NULL,
                         key ? (char *)key_pem.data : NULL, &srv, &port, errbuf,
                         sizeof errbuf) != 0) {
        fprintf(stderr, "constat: serve: %s\n", cli_text(errbuf));
        rc = 3;
        goto out;
    }
    printf("constat serve: %s on %s://%.*s:%u/ (API under /api/v1/%s)\n",
           cli_text(constat_vault_org(ctx.vault)), cert ? "https" : "http",
           (int)(strrchr(listen, ':') - listen), listen, port,
           have_wk ? ", witness at /add-checkpoint" : "");
    fflush(stdout);
    rc = cli_write_port_file(port_file, port);
    if (rc == 0)
        sigwait(&set, &sig);
    serve_http_stop(srv);
    if (rc == 0)
        fprintf(stderr, "serve: stopped (signal %d)\n", sig);
out:
    serve_intake_stop(ctx.intake);
    serve_sessions_free(ctx.sessions);
    serve_cache_free(ctx.cache);
    json_decref(ctx.revoked);
    if (have_wk)
        constat_note_signer_wipe(&wk);
    if (ctx.vault) {
        constat_vault_close(ctx.vault);
        pthread_mutex_destroy(&ctx.lock);
    }
    constat_taxonomy_free(ctx.tax);
    if (lockfd >= 0)
        close(lockfd);
    if (key_pem.data)
        sodium_memzero(key_pem.data, key_pem.len);
    constat_buf_free(&cert_pem);
    constat_buf_free(&key_pem);
    constat_buf_free(&published);
    return cli_finish_stdout(rc);
}
