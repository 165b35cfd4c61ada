/*
 * cmd_submit.c — `constat submit`: the small C client of `constat serve`
 * (docs/api.md), for tests, scripts and as the reference of what a phone app
 * does. It keeps the monitor's private key in a local file (0600) that the
 * server never sees:
 *
 *   constat submit enrol    --server URL --key FILE --name NAME --code CODE
 *   constat submit record   --server URL --key FILE [--json] RECORD.json
 *   constat submit evidence --server URL --key FILE --incident ID [--json] FILE
 *
 * A record goes in two steps: prepare (the server fills org, monitor,
 * recorded_at and the id, turns the sealed person identifiers into
 * pseudonyms and the sealed private values into commitments), then the
 * client checks the prepared record says what it sent, signs it with its
 * own key and submits the leaf; the receipt is verified offline against the
 * log key pinned at enrolment.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/http.h"
#include "cli.h"
#include "constat/vault/transitions.h"
#include "constat/base/hash.h"
#include "constat/evidence/evidence.h"
#include "constat/record/canon.h"
#include "constat/vault/accounts.h"
#include "constat/vault/receipt.h"

#define REPLY_MAX (4u << 20)
/* The largest evidence file sent: the server's limit of POST /api/v1/evidence. */
#define SERVE_UPLOAD_MAX (64u << 20)

typedef struct {
    char server[1024];
    char name[CONSTAT_KEY_NAME_MAX + 1];
    constat_note_signer signer;
    constat_note_verifier org, log;
    constat_http *http;
    char csrf[80];
} client;

/* ---- the device key file ---- */

static int key_write(const char *path, const char *name, const uint8_t seed[32],
                     const char *org_vkey, const char *log_vkey, const char *server)
{
    char b64[64];
    json_t *o;
    char *text;
    int fd, ok;
    constat_base64(seed, 32, b64);
    o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "v", 1, "name", name, "seed", b64,
                  "org_key", org_vkey, "log_key", log_vkey, "server", server);
    sodium_memzero(b64, sizeof b64);
    text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text)
        return 3;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fprintf(stderr, "constat: %s: %s\n", cli_text(path),
                errno == EEXIST ? "already exists (one key file a monitor; not replaced)"
                                : strerror(errno));
        sodium_memzero(text, strlen(text));
        free(text);
        return errno == EEXIST ? CLI_EXIT_USAGE : 3;
    }
    ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) && write(fd, "\n", 1) == 1 &&
         fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(text, strlen(text));
    free(text);
    if (!ok) {
        fprintf(stderr, "constat: %s: cannot write it\n", cli_text(path));
        unlink(path);
        return 3;
    }
    return 0;
}

static int key_read(const char *path, client *c)
{
    constat_buf text;
    constat_error err;
    json_t *o = NULL;
    const char *name, *seed, *org, *logk;
    uint8_t raw[32];
    size_t n = 0;
    int rc = 0;

    constat_buf_init(&text);
    if ((rc = cli_read_file(path, &text, 64 * 1024)) != 0)
        return rc;
    if (constat_json_parse((const char *)text.data, text.len, path, 1, &o, &err) != CONSTAT_OK) {
        rc = cli_report_error(NULL, CONSTAT_EINVAL, &err);
        goto out;
    }
    name = json_string_value(json_object_get(o, "name"));
    seed = json_string_value(json_object_get(o, "seed"));
    org = json_string_value(json_object_get(o, "org_key"));
    logk = json_string_value(json_object_get(o, "log_key"));
    {
        const char *bad = !name ? "name" : !seed ? "seed" : !org ? "org_key" : !logk ? "log_key"
                                                                                 : NULL;
        if (!bad && (constat_unbase64(seed, strlen(seed), raw, sizeof raw, &n) != CONSTAT_OK ||
                     n != 32 ||
                     constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, raw,
                                                   &c->signer, &err) != CONSTAT_OK))
            bad = "seed (or name)";
        if (!bad && constat_note_verifier_parse(org, &c->org, &err) != CONSTAT_OK)
            bad = "org_key";
        if (!bad && constat_note_verifier_parse(logk, &c->log, &err) != CONSTAT_OK)
            bad = "log_key";
        if (bad) {
            fprintf(stderr, "constat: %s: not a device key file of constat submit enrol (field "
                            "%s missing or not valid)\n",
                    cli_text(path), bad);
            rc = CLI_EXIT_USAGE;
            goto out;
        }
    }
    snprintf(c->name, sizeof c->name, "%s", name);
out:
    sodium_memzero(raw, sizeof raw);
    if (text.data)
        sodium_memzero(text.data, text.len);
    constat_buf_free(&text);
    json_decref(o);
    return rc;
}

/* ---- HTTP ---- */

static int set_type(client *c, const char *type)
{
    char ct[80], cs[128];
    const char *h[3] = {ct, c->csrf[0] ? cs : NULL, NULL};
    constat_error err;
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    snprintf(cs, sizeof cs, "X-CSRF-Token: %s", c->csrf);
    if (constat_http_set_headers(c->http, h, &err) != CONSTAT_OK)
        return cli_report_error("submit", CONSTAT_ENOMEM, &err);
    return 0;
}

static int open_client(client *c, const char *server)
{
    constat_http_options o;
    constat_error err;
    size_t n = strlen(server);
    memset(&o, 0, sizeof o);
    o.timeout_s = 60;
    o.connect_timeout_s = 10;
    o.cookies = 1;
    o.user_agent = "constat-submit/" CONSTAT_VERSION;
    if (!constat_http_url_ok(server, sizeof c->server - 64)) {
        fprintf(stderr, "constat: submit: --server must be an http:// or https:// URL\n");
        return CLI_EXIT_USAGE;
    }
    while (n > 0 && server[n - 1] == '/')
        n--;
    snprintf(c->server, sizeof c->server, "%.*s", (int)n, server);
    if (constat_http_open(&o, &c->http, &err) != CONSTAT_OK)
        return cli_report_error("submit", CONSTAT_EIO, &err);
    return set_type(c, "application/json");
}

/* Call `path` with `body` (NULL: GET) and parse the JSON answer into *out.
 * Returns the HTTP status, or 0 after printing a transport error. */
static long call(client *c, const char *path, const void *body, size_t len, json_t **out)
{
    char url[1200];
    constat_buf reply;
    constat_error err;
    long status = 0;
    *out = NULL;
    snprintf(url, sizeof url, "%s%s", c->server, path);
    constat_buf_init(&reply);
    if (constat_http_request(c->http, url, body, len, REPLY_MAX, &reply, &status, NULL, &err) !=
        CONSTAT_OK) {
        fprintf(stderr, "constat: %s\n", cli_text(err.msg));
        constat_buf_free(&reply);
        return 0;
    }
    *out = json_loadb(reply.data ? (const char *)reply.data : "", reply.len, 0, NULL);
    constat_buf_free(&reply);
    return status;
}

static long call_json(client *c, const char *path, json_t *body, json_t **out)
{
    char *text = json_dumps(body, JSON_COMPACT);
    long st;
    json_decref(body);
    if (!text)
        return 0;
    st = call(c, path, text, strlen(text), out);
    sodium_memzero(text, strlen(text));
    free(text);
    return st;
}

/* Print the server's refusal; returns the exit code. */
static int refused(const char *what, long status, json_t *reply)
{
    const char *e = json_string_value(json_object_get(reply, "error"));
    const char *f = json_string_value(json_object_get(reply, "field"));
    if (status == 0)
        return 3;
    /* "code: unknown enrolment code" names its field already */
    if (f && e && strncmp(e, f, strlen(f)) == 0 && e[strlen(f)] == ':')
        f = NULL;
    fprintf(stderr, "constat: %s: server answered %ld: %s%s%s%s\n", what, status,
            e ? cli_text(e) : "(no error message)", f ? " (field " : "", f ? cli_text(f) : "",
            f ? ")" : "");
    json_decref(reply);
    return status >= 500 || status == 429 ? 3 : CLI_EXIT_USAGE;
}

static int login(client *c)
{
    char *pw = cli_user_password("password: ", 0);
    json_t *reply;
    long st;
    const char *csrf;
    if (!pw) {
        fprintf(stderr, "constat: submit: no password (set CONSTAT_USER_PASSWORD or run on a "
                        "terminal)\n");
        return CLI_EXIT_USAGE;
    }
    st = call_json(c, "/api/v1/login", json_pack("{s:s, s:s}", "name", c->name, "password", pw),
                   &reply);
    cli_passphrase_free(pw);
    if (st != 200)
        return refused("login", st, reply);
    csrf = json_string_value(json_object_get(reply, "csrf"));
    snprintf(c->csrf, sizeof c->csrf, "%s", csrf ? csrf : "");
    json_decref(reply);
    return set_type(c, "application/json");
}

/* ---- enrol ---- */

static int do_enrol(const char *server, const char *keyfile, const char *name, const char *code,
                    const char *pin_org)
{
    client c;
    uint8_t seed[32];
    char vkey[512], logk[512], orgk[512];
    json_t *info = NULL, *reply = NULL;
    char *pw = NULL;
    long st;
    int rc;

    memset(&c, 0, sizeof c);
    if (access(keyfile, F_OK) == 0) {
        fprintf(stderr, "constat: %s: already exists (one key file a monitor; not replaced)\n",
                cli_text(keyfile));
        return CLI_EXIT_USAGE;
    }
    if ((rc = open_client(&c, server)) != 0)
        return rc;
    st = call(&c, "/api/v1/info", NULL, 0, &info);
    if (st != 200) {
        rc = refused("info", st, info);
        goto out;
    }
    snprintf(orgk, sizeof orgk, "%s", json_string_value(json_object_get(info, "org_key"))
                                          ? json_string_value(json_object_get(info, "org_key"))
                                          : "");
    snprintf(logk, sizeof logk, "%s", json_string_value(json_object_get(info, "log_key"))
                                          ? json_string_value(json_object_get(info, "log_key"))
                                          : "");
    if (pin_org && strcmp(pin_org, orgk) != 0) {
        fprintf(stderr, "constat: submit enrol: the server's organisation key is not the one "
                        "given with --org-key; nothing sent\n");
        rc = 1;
        goto out;
    }
    randombytes_buf(seed, sizeof seed);
    if (constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, &c.signer, NULL) !=
            CONSTAT_OK ||
        constat_note_verifier_format(&c.signer.pub, vkey, sizeof vkey) != CONSTAT_OK) {
        fprintf(stderr, "constat: submit enrol: \"%s\" is not a valid monitor name\n",
                cli_text(name));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    pw = cli_user_password("choose a password: ", 1);
    if (!pw) {
        fprintf(stderr, "constat: submit enrol: no password (set CONSTAT_USER_PASSWORD or run "
                        "on a terminal)\n");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    /* the key file first: a key the server enrols is never lost */
    if ((rc = key_write(keyfile, name, seed, orgk, logk, c.server)) != 0)
        goto out;
    st = call_json(&c, "/api/v1/enrol",
                   json_pack("{s:s, s:s, s:s}", "code", code, "vkey", vkey, "password", pw),
                   &reply);
    if (st != 201) {
        unlink(keyfile);
        rc = refused("enrol", st, reply);
        reply = NULL;
        goto out;
    }
    printf("enrolled monitor %s (enrolment record at leaf %lld)\nmonitor key: %s\n"
           "private key kept in %s (never sent)\n",
           cli_text(name), (long long)json_integer_value(json_object_get(reply, "enrolment_index")),
           cli_text(vkey), cli_text(keyfile));
out:
    sodium_memzero(seed, sizeof seed);
    constat_note_signer_wipe(&c.signer);
    cli_passphrase_free(pw);
    json_decref(info);
    json_decref(reply);
    constat_http_close(c.http);
    return rc;
}

/* ---- records ---- */

/* v rounded to the 0.01-degree grid of coarse positions (degrees x 10^7,
 * halves away from zero; docs/record.md "Location precision"). */
static json_int_t coarse_e7(json_int_t v)
{
    return (v >= 0 ? v + 50000 : v - 50000) / 100000 * 100000;
}

/* `prepared` says what `sent` said, but for what a coarse record's intake
 * changes: each lat_e7/lon_e7 rounded to the grid, each precision_m raised
 * by 1000 m. Members of `prepared` that `sent` lacks are not looked at. */
static int same_but_coarse(const json_t *sent, const json_t *prepared)
{
    const char *k;
    json_t *v;
    if (!json_is_object(sent))
        return json_equal((json_t *)sent, (json_t *)prepared);
    if (!json_is_object(prepared))
        return 0;
    json_object_foreach((json_t *)sent, k, v) {
        const json_t *p = json_object_get(prepared, k);
        if ((strcmp(k, "lat_e7") == 0 || strcmp(k, "lon_e7") == 0) && json_is_integer(v)) {
            if (!json_is_integer(p) || json_integer_value(p) != coarse_e7(json_integer_value(v)))
                return 0;
        } else if (strcmp(k, "precision_m") == 0 && json_is_integer(v)) {
            if (!json_is_integer(p) || json_integer_value(p) != json_integer_value(v) + 1000)
                return 0;
        } else if (!same_but_coarse(v, p)) {
            return 0;
        }
    }
    return 1;
}

/* The prepared evidence capture `p` is the sent one `v` made coarse (the
 * incident's position is coarse: lat_e7/lon_e7 on the grid, no alt_cm, the
 * exact values in the sealed private capture_exact, docs/record.md). */
static int coarse_capture(const json_t *v, const json_t *p, const json_t *prepared)
{
    json_t *want = json_deep_copy(v), *la = json_object_get(v, "lat_e7"),
           *lo = json_object_get(v, "lon_e7");
    int same;
    if (!want || !json_is_integer(la) || !json_is_integer(lo) ||
        !json_object_get(json_object_get(prepared, "private"), "capture_exact")) {
        json_decref(want);
        return 0;
    }
    json_object_set_new(want, "lat_e7", json_integer(coarse_e7(json_integer_value(la))));
    json_object_set_new(want, "lon_e7", json_integer(coarse_e7(json_integer_value(lo))));
    json_object_del(want, "alt_cm");
    same = json_equal(want, p);
    json_decref(want);
    return same;
}

/* The prepared record keeps every member the monitor wrote (an evidence
 * capture position may come back coarse, coarse_capture). */
static int same_as_sent(const json_t *sent, const json_t *prepared)
{
    const char *k;
    json_t *v;
    const char *lp = json_string_value(json_object_get(sent, "location_precision"));
    int coarse = lp && strcmp(lp, "coarse") == 0;
    json_object_foreach((json_t *)sent, k, v) {
        const json_t *p = json_object_get(prepared, k);
        /* "location_precision" is never in a leaf; a coarse record's
         * positions come back on the grid */
        if (strcmp(k, "location_precision") == 0)
            continue;
        if (coarse && (strcmp(k, "place") == 0 || strcmp(k, "transport") == 0)) {
            if (!same_but_coarse(v, p))
                return 0;
        } else if (strcmp(k, "affected") == 0) {
            const char *ak;
            json_t *av;
            json_object_foreach(v, ak, av) if (!json_equal(av, json_object_get(p, ak)))
                return 0;
        } else if (strcmp(k, "categories") == 0) {
            size_t i;
            json_t *cat;
            if (!json_is_array(p) || !json_is_array(v))
                return 0;
            json_array_foreach(v, i, cat) {
                size_t j;
                json_t *pc;
                int found = 0;
                json_array_foreach(p, j, pc) found |= json_equal(cat, pc);
                if (!found)
                    return 0;
            }
        } else if (strcmp(k, "capture") == 0) {
            if (!json_equal(v, p) && !coarse_capture(v, p, prepared))
                return 0;
        } else if (!json_equal(v, p)) {
            return 0;
        }
    }
    return 1;
}

/* The key file at `path` with its org_key replaced by `org_vkey` and its
 * log_key by `log_vkey` (either NULL: kept): written
 * whole to path.new (0600), fsync'd, renamed over it, the folder fsync'd,
 * so a crash leaves the old file or the new one. */
static int key_repin(const char *path, const char *org_vkey, const char *log_vkey)
{
    constat_buf text;
    constat_error err;
    json_t *o = NULL;
    char tmp[4200], dir[4200], *out = NULL, *slash;
    int rc = 0, fd = -1, ok;

    constat_buf_init(&text);
    if ((rc = cli_read_file(path, &text, 64 * 1024)) != 0)
        return rc;
    if (constat_json_parse((const char *)text.data, text.len, path, 1, &o, &err) != CONSTAT_OK ||
        (org_vkey && json_object_set_new(o, "org_key", json_string(org_vkey)) != 0) ||
        (log_vkey && json_object_set_new(o, "log_key", json_string(log_vkey)) != 0) ||
        !(out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
        rc = 3;
        goto done;
    }
    snprintf(tmp, sizeof tmp, "%s.new", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    ok = fd >= 0 && write(fd, out, strlen(out)) == (ssize_t)strlen(out) &&
         write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "constat: %s: cannot write it: %s\n", cli_text(path), strerror(errno));
        unlink(tmp);
        rc = 3;
        goto done;
    }
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(fd);
        close(fd);
    }
done:
    if (out) {
        sodium_memzero(out, strlen(out));
        free(out);
    }
    if (text.data)
        sodium_memzero(text.data, text.len);
    constat_buf_free(&text);
    json_decref(o);
    return rc;
}

/* The transitions of `list` (GET /api/v1/key-transitions' "transitions" or
 * "log_transitions"), at most CONSTAT_KEYCHAIN_MAX, into leaves/lens/idx;
 * each receipt checked against `log` when it is given. 0, or 1 (said). */
static int take_transitions(const json_t *list, const char *which,
                            const constat_note_verifier *log, const uint8_t **leaves,
                            size_t *lens, uint64_t *idx, size_t *n)
{
    constat_error err;
    size_t i;

    *n = 0;
    if (!json_is_array(list) || json_array_size(list) > CONSTAT_KEYCHAIN_MAX) {
        fprintf(stderr, "constat: the server's %s are not a list of at most %d; nothing sent\n",
                which, CONSTAT_KEYCHAIN_MAX);
        return 1;
    }
    for (i = 0; i < json_array_size(list); i++) {
        json_t *t = json_array_get(list, i);
        const char *leaf = json_string_value(json_object_get(t, "leaf"));
        json_t *ix = json_object_get(t, "index"), *receipt = json_object_get(t, "receipt");
        constat_error_clear(&err);
        if (!leaf || !json_is_integer(ix) || json_integer_value(ix) < 0 ||
            (log && (constat_receipt_verify(receipt, (const uint8_t *)leaf, strlen(leaf), log,
                                            &err) != CONSTAT_OK ||
                     json_integer_value(json_object_get(receipt, "index")) !=
                         json_integer_value(ix)))) {
            fprintf(stderr, "constat: %s %zu: its receipt does not verify against the log key "
                            "%s%s%s; nothing sent\n", which, i,
                    log ? cli_text(log->name) : "", err.msg[0] ? ": " : "", cli_text(err.msg));
            return 1;
        }
        leaves[*n] = (const uint8_t *)leaf;
        lens[*n] = strlen(leaf);
        idx[(*n)++] = (uint64_t)json_integer_value(ix);
    }
    return 0;
}

/* Before anything is sealed: the log key and the organisation key the
 * server has in force are the ones the key file pins, or ones those keys
 * signed for through the key_transition leaves of the log (GET
 * /api/v1/key-transitions, transitions.h): the log keys' chain first
 * (followed from the pinned log key; then each of its receipts checked
 * against the key it leads to), then the organisation keys' (each receipt
 * checked against the log key now trusted, the chain followed from the
 * pinned organisation key); then the key file pins the new keys. Else
 * nothing is sent (docs/cli.md "submit"). */
/* The key id "name+hex8" of v, in out[cap]. */
static const char *kid_of(const constat_note_verifier *v, char *out, size_t cap)
{
    constat_record_key_id(v, out, cap);
    return out;
}

static int follow_keys(client *c, const char *keypath)
{
    char ka[CONSTAT_KEY_NAME_MAX + 16], kb[CONSTAT_KEY_NAME_MAX + 16];
    json_t *info = NULL, *tr = NULL;
    constat_note_verifier org, logv;
    constat_error err;
    const char *orgk, *logk;
    const uint8_t *leaves[CONSTAT_KEYCHAIN_MAX];
    size_t lens[CONSTAT_KEYCHAIN_MAX], n = 0, steps = 0;
    uint64_t idx[CONSTAT_KEYCHAIN_MAX];
    char at[40];
    int new_org, new_log;
    long st;
    int rc = 0;

    st = call(c, "/api/v1/info", NULL, 0, &info);
    if (st != 200)
        return refused("info", st, info);
    orgk = json_string_value(json_object_get(info, "org_key"));
    logk = json_string_value(json_object_get(info, "log_key"));
    if (!orgk || constat_note_verifier_parse(orgk, &org, &err) != CONSTAT_OK || !logk ||
        constat_note_verifier_parse(logk, &logv, &err) != CONSTAT_OK) {
        fprintf(stderr, "constat: the server's /api/v1/info gives no organisation or log key\n");
        rc = 1;
        goto out;
    }
    new_org = memcmp(org.pk, c->org.pk, sizeof org.pk) != 0;
    new_log = memcmp(logv.pk, c->log.pk, sizeof logv.pk) != 0;
    if (!new_org && !new_log)
        goto out;
    st = call(c, "/api/v1/key-transitions", NULL, 0, &tr);
    if (st != 200) {
        rc = refused("key-transitions", st, tr);
        tr = NULL;
        goto out;
    }
    if (new_log) {
        if ((rc = take_transitions(json_object_get(tr, "log_transitions"), "log key transition",
                                   NULL, leaves, lens, idx, &n)) != 0)
            goto out;
        constat_error_clear(&err);
        if (constat_transitions_follow_log(&c->log, &logv, leaves, lens, idx, n, &steps, at,
                                           &err) != CONSTAT_OK) {
            fprintf(stderr, "constat: the server's log key %s is not the one %s pins (%s), "
                            "and it cannot be followed to: %s; nothing sent (enrol this device "
                            "again if the organisation says its log key changed)\n",
                    cli_text(kid_of(&logv, ka, sizeof ka)), cli_text(keypath),
                    cli_text(kid_of(&c->log, kb, sizeof kb)), cli_text(err.msg));
            rc = 1;
            goto out;
        }
        /* the chain is the pinned key's word: the leaves must be in the log it leads to */
        if ((rc = take_transitions(json_object_get(tr, "log_transitions"), "log key transition",
                                   &logv, leaves, lens, idx, &n)) != 0)
            goto out;
        fprintf(stderr, "constat: the log key was rotated (%zu transition%s, the last recorded at "
                        "%s), each signed by the key before it and by the new one, from the key "
                        "pinned at enrolment\n", steps, steps == 1 ? "" : "s", cli_text(at));
        c->log = logv;
    }
    if (new_org) {
        if ((rc = take_transitions(json_object_get(tr, "transitions"), "key transition", &c->log,
                                   leaves, lens, idx, &n)) != 0)
            goto out;
        constat_error_clear(&err);
        if (constat_transitions_follow(&c->org, &org, leaves, lens, idx, n, &steps, at, &err) !=
            CONSTAT_OK) {
            fprintf(stderr, "constat: the server's organisation key %s is not the one %s pins "
                            "(%s), and it cannot be followed to: %s; nothing sent (enrol this "
                            "device again if the organisation says its key changed)\n",
                    cli_text(kid_of(&org, ka, sizeof ka)), cli_text(keypath),
                    cli_text(kid_of(&c->org, kb, sizeof kb)), cli_text(err.msg));
            rc = 1;
            goto out;
        }
        fprintf(stderr, "constat: the organisation key was rotated (%zu transition%s, the last "
                        "recorded at %s), each signed by the key before it and by the new one, "
                        "from the key pinned at enrolment\n",
                steps, steps == 1 ? "" : "s", cli_text(at));
        c->org = org;
    }
    if ((rc = key_repin(keypath, new_org ? orgk : NULL, new_log ? logk : NULL)) != 0)
        goto out;
    fprintf(stderr, "constat: %s now pins the new key%s\n", cli_text(keypath),
            new_org && new_log ? "s" : "");
out:
    json_decref(info);
    json_decref(tr);
    return rc;
}

/* Prepare, check, sign, submit and verify one record input (not changed). */
static int submit_input(client *c, const json_t *input, const char *what, int json)
{
    json_t *draft = json_deep_copy(input), *env = json_object(), *reply = NULL, *record = NULL;
    constat_buf sealed, leaf;
    constat_error err;
    const char *sp;
    char *text = NULL;
    long st;
    int rc = 0;

    constat_buf_init(&sealed);
    constat_buf_init(&leaf);
    if (!draft || !env) {
        rc = 3;
        goto out;
    }
    /* what is private travels sealed to the organisation, never in clear */
    if (json_object_get(draft, "private")) {
        json_object_set(env, "private", json_object_get(draft, "private"));
        json_object_del(draft, "private");
    }
    if (json_object_get(json_object_get(draft, "affected"), "person_identifiers")) {
        json_t *aff = json_object_get(draft, "affected");
        json_object_set(env, "person_identifiers", json_object_get(aff, "person_identifiers"));
        json_object_del(aff, "person_identifiers");
    }
    if (json_object_size(env)) {
        text = json_dumps(env, JSON_COMPACT);
        if (!text || constat_seal_b64(&c->org, (const uint8_t *)text, strlen(text), &sealed,
                                      &err) != CONSTAT_OK) {
            rc = 3;
            goto out;
        }
    }
    st = call_json(c, "/api/v1/records/prepare",
                   json_pack("{s:O, s:s*}", "record", draft, "sealed",
                             sealed.data ? (const char *)sealed.data : NULL),
                   &reply);
    if (st != 200) {
        rc = refused(what, st, reply);
        reply = NULL;
        goto out;
    }
    record = json_incref(json_object_get(reply, "record"));
    if (!json_is_object(record) || !same_as_sent(draft, record) ||
        strcmp(json_string_value(json_object_get(record, "monitor"))
                   ? json_string_value(json_object_get(record, "monitor"))
                   : "",
               c->name) != 0) {
        fprintf(stderr, "constat: %s: the server's prepared record does not say what was sent; "
                        "not signed\n",
                cli_text(what));
        rc = 1;
        goto out;
    }
    if (constat_record_sign(record, &c->signer, &leaf, &err) != CONSTAT_OK) {
        rc = cli_report_error(what, CONSTAT_EINVAL, &err);
        goto out;
    }
    if (constat_buf_append(&leaf, "", 1) != CONSTAT_OK) {
        rc = 3;
        goto out;
    }
    sp = json_string_value(json_object_get(reply, "sealed_private"));
    {
        json_t *r2 = NULL;
        st = call_json(c, "/api/v1/records",
                       json_pack("{s:s, s:s*}", "leaf", (const char *)leaf.data,
                                 "sealed_private", sp),
                       &r2);
        json_decref(reply);
        reply = r2;
    }
    if (st != 201 && st != 200) {
        rc = refused(what, st, reply);
        reply = NULL;
        goto out;
    }
    if (st == 200) {
        /* a replay: the receipt is of the leaf logged first, which must
         * hold the same content (only recorded_at may differ) */
        const char *stored = json_string_value(json_object_get(reply, "leaf"));
        constat_leaf l;
        uint8_t mine[32], theirs[32];
        int same = 0;
        if (stored &&
            constat_leaf_parse((const uint8_t *)stored, strlen(stored), &l, &err) == CONSTAT_OK) {
            same = constat_record_content_hash(record, mine, &err) == CONSTAT_OK &&
                   constat_record_content_hash(l.record, theirs, &err) == CONSTAT_OK &&
                   memcmp(mine, theirs, 32) == 0;
            constat_leaf_free(&l);
        }
        if (!same) {
            fprintf(stderr, "constat: %s: the server's earlier leaf is not this content\n",
                    cli_text(what));
            rc = 1;
            goto out;
        }
        constat_buf_reset(&leaf);
        if (constat_buf_puts(&leaf, stored) != CONSTAT_OK ||
            constat_buf_append(&leaf, "", 1) != CONSTAT_OK) {
            rc = 3;
            goto out;
        }
    }
    if (constat_receipt_verify(reply, leaf.data, leaf.len - 1, &c->log, &err) != CONSTAT_OK) {
        fprintf(stderr, "constat: %s: the receipt does not verify: %s\n", cli_text(what),
                cli_text(err.msg));
        rc = 1;
        goto out;
    }
    if (st == 200)
        fprintf(stderr, "constat: the same content was already logged: its receipt\n");
    cli_print_receipt(reply, json);
    fprintf(stderr, "receipt verified offline against the log key %s\n", cli_text(c->log.name));
out:
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    constat_buf_free(&sealed);
    constat_buf_free(&leaf);
    json_decref(draft);
    json_decref(env);
    json_decref(reply);
    json_decref(record);
    return rc;
}

static int upload(client *c, const char *path, const char *incident, json_t **input)
{
    constat_buf data;
    json_t *reply = NULL;
    uint8_t h[32], sh[32];
    const char *hex, *media, *base;
    constat_capture cap;
    long st;
    int rc;

    *input = NULL;
    constat_buf_init(&data);
    if ((rc = cli_read_file(path, &data, SERVE_UPLOAD_MAX)) != 0)
        return rc;
    constat_sha256(data.data, data.len, h);
    if ((rc = set_type(c, "application/octet-stream")) != 0)
        goto out;
    st = call(c, "/api/v1/evidence", data.len ? (const void *)data.data : "", data.len, &reply);
    if ((rc = set_type(c, "application/json")) != 0)
        goto out;
    if (st != 201 && st != 200) {
        rc = refused(path, st, reply);
        reply = NULL;
        goto out;
    }
    hex = json_string_value(json_object_get(reply, "sha256"));
    media = json_string_value(json_object_get(reply, "media_type"));
    if (!hex || !media || constat_unhex(hex, sh, 32) != CONSTAT_OK || memcmp(h, sh, 32) != 0) {
        fprintf(stderr, "constat: %s: the server stored other bytes than were sent\n",
                cli_text(path));
        rc = 1;
        goto out;
    }
    memset(&cap, 0, sizeof cap);
    if (strcmp(media, "image/jpeg") == 0 && constat_exif_read_file(path, &cap, NULL) != CONSTAT_OK)
        memset(&cap, 0, sizeof cap);
    base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    *input = constat_evidence_input(incident, h, (uint64_t)data.len, media, &cap, base);
    rc = *input ? 0 : 3;
out:
    constat_buf_free(&data);
    json_decref(reply);
    return rc;
}

int cmd_submit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"server", required_argument, NULL, 's'},
        {"key", required_argument, NULL, 'k'},
        {"name", required_argument, NULL, 'n'},
        {"code", required_argument, NULL, 'c'},
        {"org-key", required_argument, NULL, 'o'},
        {"incident", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *server = NULL, *key = NULL, *name = NULL, *code = NULL, *org = NULL,
               *incident = NULL, *sub;
    int json = 0, c, rc;
    client cl;
    json_t *input = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': server = optarg; break;
        case 'k': key = optarg; break;
        case 'n': name = optarg; break;
        case 'c': code = optarg; break;
        case 'o': org = optarg; break;
        case 'i': incident = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("submit");
        }
    }
    if (optind >= argc || !server || !key)
        return cli_usage("submit");
    sub = argv[optind];
    if (strcmp(sub, "enrol") == 0) {
        if (optind + 1 != argc || !name || !code || incident || json)
            return cli_usage("submit");
        return cli_finish_stdout(do_enrol(server, key, name, code, org));
    }
    if ((strcmp(sub, "record") != 0 && strcmp(sub, "evidence") != 0) || optind + 2 != argc ||
        name || code || org || (strcmp(sub, "evidence") == 0) != (incident != NULL))
        return cli_usage("submit");
    memset(&cl, 0, sizeof cl);
    if ((rc = key_read(key, &cl)) != 0)
        return rc;
    if ((rc = open_client(&cl, server)) != 0 || (rc = login(&cl)) != 0 ||
        (rc = follow_keys(&cl, key)) != 0)
        goto out;
    if (strcmp(sub, "record") == 0) {
        constat_buf text;
        constat_error err;
        constat_buf_init(&text);
        rc = cli_read_file(argv[optind + 1], &text, CONSTAT_RECORD_MAX_BYTES);
        if (rc == 0 && constat_json_parse((const char *)text.data, text.len, argv[optind + 1], 1,
                                          &input, &err) != CONSTAT_OK)
            rc = cli_report_error(NULL, CONSTAT_EINVAL, &err);
        constat_buf_free(&text);
        if (rc == 0 && !json_is_object(input)) {
            fprintf(stderr, "constat: %s: not a JSON object\n", cli_text(argv[optind + 1]));
            rc = CLI_EXIT_USAGE;
        }
    } else {
        rc = upload(&cl, argv[optind + 1], incident, &input);
    }
    if (rc == 0)
        rc = submit_input(&cl, input, argv[optind + 1], json);
out:
    json_decref(input);
    constat_note_signer_wipe(&cl.signer);
    constat_http_close(cl.http);
    return cli_finish_stdout(rc);
}
