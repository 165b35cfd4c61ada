/* main.c — the constat program: one command table, dispatch, help. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    {"init", cmd_init},         {"monitor", cmd_monitor},       {"record", cmd_record},
    {"attach", cmd_attach},     {"custody", cmd_custody},       {"correct", cmd_correct},
    {"retract", cmd_retract},   {"import", cmd_import},
    {"taxonomy", cmd_taxonomy}, {"keys", cmd_keys},             {"checkpoint", cmd_checkpoint},
    {"prove", cmd_prove},       {"log", cmd_log},               {"show", cmd_show},
    {"report", cmd_report},     {"dossier", cmd_dossier},       {"verify", cmd_verify},
    {"tiles", cmd_tiles},       {"tsa", cmd_tsa},               {"timestamp", cmd_timestamp},
    {"witness", cmd_witness},   {"publish", cmd_publish},       {"disclose", cmd_disclose},
    {"erase", cmd_erase},       {"serve", cmd_serve},           {"user", cmd_user},
    {"audit", cmd_audit},       {"submit", cmd_submit},         {"help", cmd_help},
    {"version", cmd_version},   {"register", cmd_register},     {"vault", cmd_vault},
    {"simulate", cmd_simulate},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
    fprintf(f, "constat %s — signed, append-only records of field observations\n\n"
               "Usage: constat COMMAND [ARGS]\n"
               "       constat COMMAND --help | -h\n"
               "       constat help [COMMAND]\n\nCommands:\n", CONSTAT_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const cli_help *h = cli_help_find(commands[i].name);
        fprintf(f, "  %-11s %s\n", commands[i].name, h ? h->summary : "");
    }
    fprintf(f, "\nThe vault is --dir DIR, else $CONSTAT_DIR, else ./constat-vault.\n"
               "Sealed keys take their passphrase from $CONSTAT_PASSPHRASE or a prompt.\n"
               "'constat help record' explains every field of a record.\n\n"
               "Exit codes:\n"
               "  0  success\n"
               "  1  a verification failed\n"
               "  2  usage error or bad input\n"
               "  3  I/O error, or the vault keys cannot be opened\n");
}

/* `constat help [COMMAND]`, `constat --help`, `constat help --help`. */
static int cmd_help(int argc, char **argv)
{
    if (cli_help_wanted(argc, argv)) { /* constat help --help: this command's own */
        cli_help_print(cli_help_find("help"), stdout);
        return cli_finish_stdout(0);
    }
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        if (argc == 2)
            fprintf(stderr, "help: unrecognized option '%s'\n", argv[1]);
        return cli_usage("help");
    }
    if (argc > 1) {
        const cli_help *h = cli_help_find(argv[1]);
        if (!h) {
            fprintf(stderr, "constat: '%s' is not a command (see 'constat help')\n", argv[1]);
            return CLI_EXIT_USAGE;
        }
        cli_help_print(h, stdout);
        return cli_finish_stdout(0);
    }
    print_help(stdout);
    return cli_finish_stdout(0);
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage("version");
    printf("constat %s\n", CONSTAT_VERSION);
    return cli_finish_stdout(0);
}

int main(int argc, char **argv)
{
    if (constat_init() != CONSTAT_OK) {
        fprintf(stderr, "constat: cannot initialise libsodium\n");
        return 3;
    }
    /* everything a command writes (vault files, WAL, evidence, keys, exports)
     * is 0600 in 0700 folders unless the code says otherwise */
    cli_caller_umask = (unsigned)umask(077);
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, argv[1]) == 0) {
            /* --help or -h anywhere among the arguments: the command's help */
            if (strcmp(argv[1], "help") != 0 && cli_help_wanted(argc - 1, argv + 1)) {
                const cli_help *h = cli_help_find(argv[1]);
                if (h) {
                    cli_help_print(h, stdout);
                    return cli_finish_stdout(0);
                }
            }
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "constat: '%s' is not a command (see 'constat help')\n", cli_text(argv[1]));
    return CLI_EXIT_USAGE;
}
