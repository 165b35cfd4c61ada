/* report_pdf.c — `constat report --pdf`: the written index.html printed to
 * DIR/report.pdf by headless Chromium, when it is installed (the optional
 * group `pdf` of scripts/install-deps). No network: the page has no
 * outside resource, and Chromium is given a file:// URL. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT;
}

/* The first executable `name` on PATH into out, or 0. */
static int find_on_path(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        struct stat sb;
        if (len && (size_t)snprintf(out, cap, "%.*s/%s", (int)len, path, name) < cap &&
            stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
            return 1;
        path = end ? end + 1 : NULL;
    }
    return 0;
}

/* The last bytes (at most 2 KiB) of Chromium's log, on stderr, as text. */
static void show_log_tail(const char *path)
{
    char buf[2048];
    FILE *f = fopen(path, "rb");
    size_t n;
    long at;

    if (!f)
        return;
    if (fseek(f, 0, SEEK_END) == 0 && (at = ftell(f)) > (long)sizeof buf - 1)
        fseek(f, at - (long)(sizeof buf - 1), SEEK_SET);
    else
        rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (n)
        fprintf(stderr, "constat: --pdf: chromium said (last lines):\n%s%s", cli_text_lines(buf),
                buf[n - 1] == '\n' ? "" : "\n");
}

int cli_report_pdf(const char *dir)
{
    char exe[PATH_MAX], abs[PATH_MAX], url[PATH_MAX + 32], pdf[PATH_MAX + 32];
    char profile[] = "/tmp/constat-chromium-XXXXXX", profarg[64], logpath[64];
    posix_spawn_file_actions_t fa;
    char *argv[9];
    pid_t pid;
    int status, e;

    if (!find_on_path("chromium", exe, sizeof exe)) {
        fprintf(stderr, "constat: --pdf: chromium is not installed (sh scripts/install-deps pdf "
                        "installs it): %s/index.html is written, no PDF\n", cli_text(dir));
        return 3;
    }
    if (!realpath(dir, abs)) {
        fprintf(stderr, "constat: %s: %s\n", cli_text(dir), strerror(errno));
        return 3;
    }
    snprintf(url, sizeof url, "file://%s/index.html", abs);
    snprintf(pdf, sizeof pdf, "--print-to-pdf=%s/report.pdf", abs);
    argv[0] = exe;
    argv[1] = (char *)"--headless";
    argv[2] = (char *)"--no-sandbox"; /* as root in CI */
    argv[3] = (char *)"--disable-gpu";
    argv[4] = (char *)"--no-pdf-header-footer";
    /* a profile of its own, removed after: runs never share one */
    if (!mkdtemp(profile)) {
        fprintf(stderr, "constat: --pdf: cannot create a temporary folder: %s\n",
                strerror(errno));
        return 3;
    }
    snprintf(profarg, sizeof profarg, "--user-data-dir=%s", profile);
    argv[5] = profarg;
    argv[6] = pdf;
    argv[7] = url;
    argv[8] = NULL;
    /* Chromium's own chatter (GPU, D-Bus, fonts) goes to a log in the
     * profile, shown only when it printed no PDF */
    snprintf(logpath, sizeof logpath, "%s/chromium.log", profile);
    e = posix_spawn_file_actions_init(&fa);
    if (e == 0 && (e = posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT |
                                                        O_TRUNC | O_CLOEXEC, 0600)) == 0 &&
        (e = posix_spawn_file_actions_adddup2(&fa, 1, 2)) == 0)
        e = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        nftw(profile, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        fprintf(stderr, "constat: --pdf: cannot start %s: %s\n", cli_text(exe), strerror(e));
        return 3;
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "constat: --pdf: %s\n", strerror(errno));
            status = -1;
            break;
        }
    snprintf(pdf, sizeof pdf, "%s/report.pdf", abs);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(pdf, F_OK) != 0) {
        show_log_tail(logpath);
        nftw(profile, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        fprintf(stderr, "constat: --pdf: chromium did not print %s/report.pdf\n", cli_text(dir));
        return 3;
    }
    nftw(profile, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("  printed to %s/report.pdf (headless Chromium)\n", cli_text(dir));
    return 0;
}
