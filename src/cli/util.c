/* util.c — helpers shared by the commands (see cli.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"

#ifndef CONSTAT_DATA_DIR
#define CONSTAT_DATA_DIR "data"
#endif

const char *cli_vault_dir(const char *opt)
{
    const char *env;
    if (opt)
        return opt;
    env = getenv("CONSTAT_DIR");
    if (env && *env)
        return env;
    return "constat-vault";
}

static char *read_tty_line(const char *prompt)
{
    char *line = sodium_malloc(1024);
    struct termios old, quiet;
    int fd, echo_off = 0;
    size_t n = 0;

    if (!line)
        return NULL;
    fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        sodium_free(line);
        return NULL;
    }
    /* echo off (dropping what was typed ahead) before the prompt, so an
     * answer typed as soon as the prompt shows is neither echoed nor lost */
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    if (write(fd, prompt, strlen(prompt)) < 0) { /* best effort */ }
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r <= 0 || c == '\n' || c == '\r')
            break;
        if (n < 1023)
            line[n++] = c;
    }
    line[n] = 0;
    if (echo_off)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) { /* best effort */ }
    close(fd);
    return line;
}

static char *env_secret(const char *name)
{
    const char *env = getenv(name);
    size_t n;
    char *p;

    if (!env)
        return NULL;
    n = strlen(env);
    p = sodium_malloc(n + 1);
    if (p)
        memcpy(p, env, n + 1);
    return p;
}

char *cli_passphrase(const char *prompt, int confirm)
{
    char *p = NULL;

    if (confirm) {
        (void)cli_passphrase_new(prompt, &p); /* NULL on its failures */
        return p;
    }
    if (getenv("CONSTAT_PASSPHRASE"))
        return env_secret("CONSTAT_PASSPHRASE");
    if (!isatty(STDIN_FILENO))
        return NULL;
    return read_tty_line(prompt);
}

int cli_passphrase_new(const char *prompt, char **out)
{
    int try;

    *out = NULL;
    if (getenv("CONSTAT_PASSPHRASE")) {
        *out = env_secret("CONSTAT_PASSPHRASE");
        if (!*out) {
            fprintf(stderr, "constat: out of memory reading $CONSTAT_PASSPHRASE\n");
            return 3;
        }
        return 0;
    }
    if (!isatty(STDIN_FILENO))
        return 0;
    for (try = 1; try <= CLI_PASSPHRASE_TRIES; try++) {
        char *p = read_tty_line(prompt), *q;
        if (!p) {
            fprintf(stderr, "constat: cannot read a passphrase from the terminal (/dev/tty)\n");
            return 3;
        }
        if (!*p) {
            /* an Enter typed by mistake must not leave the keys in clear */
            sodium_free(p);
            fprintf(stderr, "constat: an empty passphrase would leave the keys NOT sealed: "
                            "type one (an unsealed vault: init --no-passphrase) (try %d of %d)\n", try, CLI_PASSPHRASE_TRIES);
            continue;
        }
        q = read_tty_line("repeat passphrase: ");
        if (!q) {
            sodium_free(p);
            fprintf(stderr, "constat: cannot read a passphrase from the terminal (/dev/tty)\n");
            return 3;
        }
        if (strcmp(p, q) == 0) {
            sodium_free(q);
            *out = p;
            return 0;
        }
        sodium_free(p);
        sodium_free(q);
        fprintf(stderr, "constat: the two passphrases differ (try %d of %d)\n", try,
                CLI_PASSPHRASE_TRIES);
    }
    fprintf(stderr, "constat: no passphrase after %d tries: nothing was written\n",
            CLI_PASSPHRASE_TRIES);
    return CLI_EXIT_USAGE;
}

char *cli_user_password(const char *prompt, int confirm)
{
    char *a, *b;
    if (getenv("CONSTAT_USER_PASSWORD"))
        return env_secret("CONSTAT_USER_PASSWORD");
    if (!isatty(STDIN_FILENO))
        return NULL;
    for (int try = 0; try < CLI_PASSPHRASE_TRIES; try++) {
        a = read_tty_line(prompt);
        if (!a || !confirm)
            return a;
        b = read_tty_line("repeat password: ");
        if (b && strcmp(a, b) == 0) {
            cli_passphrase_free(b);
            return a;
        }
        cli_passphrase_free(a);
        cli_passphrase_free(b);
        fprintf(stderr, "constat: the two passwords differ; again\n");
    }
    return NULL;
}

void cli_block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_serve_lock(const char *vault_dir, int exclusive, const char *cmd)
{
    char path[4096];
    int fd, r;
    if (snprintf(path, sizeof path, "%s/serve.lock", vault_dir) >= (int)sizeof path) {
        fprintf(stderr, "constat: %s: %s: path too long\n", cmd, cli_text(vault_dir));
        return -1;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fprintf(stderr, "constat: %s: %s: %s\n", cmd, cli_text(path), strerror(errno));
        return -1;
    }
    do
        r = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK && exclusive)
            fprintf(stderr, "constat: %s: constat serve is running on the vault %s: stop it "
                            "first, then start it again after this command (a server that "
                            "keeps running would go on with the old keys); nothing changed\n",
                    cmd, cli_text(vault_dir));
        else if (e == EWOULDBLOCK)
            fprintf(stderr, "constat: %s: a change of the vault's keys (keys rotate or vault "
                            "seal) is running on %s: start the server when it has "
                            "finished\n",
                    cmd, cli_text(vault_dir));
        else
            fprintf(stderr, "constat: %s: %s: lock: %s\n", cmd, cli_text(path), strerror(e));
        return -1;
    }
    return fd;
}

int cli_write_port_file(const char *path, unsigned port)
{
    FILE *f;
    if (!path)
        return 0;
    f = fopen(path, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
        fprintf(stderr, "constat: cannot write %s\n", cli_text(path));
        return 3;
    }
    return 0;
}

void cli_passphrase_free(char *p)
{
    if (p)
        sodium_free(p);
}

#define TEXT_RING 16

static const char *ring_text(const char *s, unsigned flags)
{
    static char *ring[TEXT_RING];
    static unsigned next;
    constat_buf b;
    size_t len;
    unsigned i = next++ % TEXT_RING;

    free(ring[i]);
    ring[i] = NULL;
    constat_buf_init(&b);
    if (constat_text_escape_n(&b, s ? s : "", s ? strlen(s) : 0, flags) != CONSTAT_OK ||
        constat_buf_append(&b, "", 1) != CONSTAT_OK) {
        constat_buf_free(&b);
        return "?";
    }
    ring[i] = (char *)constat_buf_detach(&b, &len);
    return ring[i];
}

const char *cli_text(const char *s)
{
    return ring_text(s, 0);
}

const char *cli_text_lines(const char *s)
{
    return ring_text(s, CONSTAT_ESC_KEEP_NEWLINE);
}

size_t cli_path_len(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n;
}

int cli_report_error(const char *what, constat_status st, const constat_error *err)
{
    /* messages name records, files and fields from outside input */
    const char *msg = err && err->msg[0] ? err->msg : constat_status_name(st);
    size_t wl = cli_path_len(what); /* "out/" named "out" by the library */
    /* a message that already starts with "WHAT: " is not prefixed twice */
    if (what && strncmp(msg, what, wl) == 0 && msg[wl] == ':' && msg[wl + 1] == ' ')
        what = NULL;
    if (what)
        fprintf(stderr, "constat: %s: %s\n", cli_text(what), cli_text(msg));
    else
        fprintf(stderr, "constat: %s\n", cli_text(msg));
    return constat_status_exit_code(st);
}

int cli_open_vault(const char *dir, constat_vault **out)
{
    constat_error err;
    constat_status st;
    char *pass = NULL;

    constat_error_clear(&err);
    st = constat_vault_open(dir, NULL, out, &err);
    if (st == CONSTAT_ECRYPTO) {
        pass = cli_passphrase("passphrase for the vault keys: ", 0);
        if (!pass) {
            fprintf(stderr, "constat: %s: the vault keys are sealed; set CONSTAT_PASSPHRASE "
                            "or run on a terminal to be asked\n", cli_text(dir));
            return 3;
        }
        constat_error_clear(&err);
        st = constat_vault_open(dir, pass, out, &err);
        cli_passphrase_free(pass);
    }
    if (st != CONSTAT_OK)
        return cli_report_error(dir, st, &err);
    return 0;
}

int cli_open_vault_public(const char *dir, constat_vault **out)
{
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    /* with its keys when that needs no passphrase (unsealed, or
     * $CONSTAT_PASSPHRASE given), else without them: reading needs none */
    st = constat_vault_open(dir, getenv("CONSTAT_PASSPHRASE"), out, &err);
    if (st == CONSTAT_ECRYPTO && !getenv("CONSTAT_PASSPHRASE")) {
        constat_error_clear(&err);
        st = constat_vault_open_public(dir, out, &err);
    }
    if (st != CONSTAT_OK)
        return cli_report_error(dir, st, &err);
    return 0;
}

const char *cli_taxonomy_path(const char *opt)
{
    const char *env;
    if (opt)
        return opt;
    env = getenv("CONSTAT_TAXONOMY");
    if (env && *env)
        return env;
    return CONSTAT_DATA_DIR "/taxonomy/calais.json";
}

int cli_load_taxonomy(const char *opt, constat_taxonomy **out)
{
    constat_error err;
    constat_status st;
    const char *path = cli_taxonomy_path(opt);

    constat_error_clear(&err);
    st = constat_taxonomy_load(path, out, &err);
    if (st != CONSTAT_OK)
        return cli_report_error(path, st, &err);
    return 0;
}

int cli_read_file(const char *path, constat_buf *out, size_t max)
{
    FILE *f;
    constat_error err;
    constat_status st;
    int is_stdin = strcmp(path, "-") == 0;

    f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "constat: %s: %s\n", cli_text(path), strerror(errno));
        return errno == ENOENT ? 2 : 3;
    }
    constat_error_clear(&err);
    st = constat_file_read(f, max, out, &err);
    if (!is_stdin)
        fclose(f);
    if (st == CONSTAT_ELIMIT) {
        fprintf(stderr, "constat: %s: larger than the limit of %zu bytes\n",
                is_stdin ? "standard input" : cli_text(path), max);
        return 2;
    }
    if (st != CONSTAT_OK) {
        fprintf(stderr, "constat: %s: %s\n", cli_text(path), err.msg);
        return 3;
    }
    return 0;
}

int64_t cli_now(void)
{
    const char *env = getenv("CONSTAT_NOW");
    if (env && *env) {
        int64_t t;
        int off;
        char *end;
        long long v;
        if (constat_rfc3339_parse(env, &t, &off) == CONSTAT_OK)
            return t;
        errno = 0;
        v = strtoll(env, &end, 10);
        if (!errno && *end == 0)
            return (int64_t)v;
        fprintf(stderr, "constat: warning: ignoring unparsable CONSTAT_NOW '%s'\n", cli_text(env));
    }
    return (int64_t)time(NULL);
}

int cli_parse_u64(const char *what, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+') {
        fprintf(stderr, "constat: %s: expected a non-negative integer, got '%s'\n", what,
                cli_text(s));
        return 2;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "constat: %s: expected a non-negative integer, got '%s'\n", what,
                cli_text(s));
        return 2;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_filter_error(constat_status st, const constat_error *err)
{
    constat_error e;
    if (err && strncmp(err->msg, "filter.", 7) == 0) {
        constat_error_set(&e, st, "--%s", err->msg + 7);
        return cli_report_error(NULL, st, &e);
    }
    return cli_report_error("filter", st, err);
}

unsigned cli_caller_umask = 022;

void cli_publish_modes(void)
{
    umask((mode_t)(cli_caller_umask & 0777));
}

int cli_finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "constat: could not write standard output\n");
        return 3;
    }
    return rc;
}

void cli_print_b64(FILE *f, const uint8_t *h, size_t n)
{
    char b64[256];
    if (n > 180)
        return;
    constat_base64(h, n, b64);
    fputs(b64, f);
}

int cli_json_listing(const char *command, json_t *items, json_t *extra)
{
    json_t *o = json_object();
    char *s = NULL;
    int rc = 3;
    if (o && items && json_is_array(items) && command) {
        json_object_set_new(o, "v", json_integer(1));
        json_object_set_new(o, "command", json_string(command));
        json_object_set(o, "items", items);
        if (extra && json_is_object(extra)) {
            const char *k;
            json_t *val;
            json_object_foreach(extra, k, val) {
                /* the envelope's own members are never overwritten */
                if (strcmp(k, "v") != 0 && strcmp(k, "command") != 0 && strcmp(k, "items") != 0)
                    json_object_set(o, k, val);
            }
        }
        s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    }
    if (s) {
        puts(s);
        rc = 0;
    } else {
        fprintf(stderr, "constat: %s: out of memory\n", command ? command : "json");
    }
    free(s);
    json_decref(o);
    json_decref(items);
    json_decref(extra);
    return rc;
}
