/* main.c — the constat program: one command table, dispatch, help. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    {"init", cmd_init, "create a new vault (keys, database, empty log)",
     "constat init --org NAME --origin ORIGIN [--dir DIR]"},
    {"monitor", cmd_monitor, "enrol a monitor, or list enrolled monitors",
     "constat monitor add NAME [--dir DIR]\n       constat monitor list [--dir DIR] [--json]"},
    {"record", cmd_record, "sign and log one record (JSON); print its receipt",
     "constat record [FILE|-] --monitor NAME [--attach FILE]... [--dir DIR] [--json]"},
    {"attach", cmd_attach, "store evidence files and log them for an incident",
     "constat attach RECORD_ID FILE... --monitor NAME [--dir DIR] [--json]"},
    {"custody", cmd_custody, "log a chain-of-custody event for an evidence file",
     "constat custody EVIDENCE_ID --event copied|handed_over|sealed|received --to WHO\n"
     "                [--note TEXT] --monitor NAME [--dir DIR]"},
    {"import", cmd_import, "import incidents from a CSV file (docs/formats.md)",
     "constat import FILE.csv --monitor NAME [--dir DIR] [--taxonomy FILE] [--quiet]"},
    {"keys", cmd_keys, "print the log and organisation public keys (for --trust)",
     "constat keys [--dir DIR]"},
    {"checkpoint", cmd_checkpoint, "sign and print a checkpoint of the log",
     "constat checkpoint [--dir DIR]"},
    {"prove", cmd_prove, "print an inclusion or consistency proof",
     "constat prove inclusion INDEX [--size N] [--dir DIR] [--json]\n"
     "       constat prove consistency OLD NEW [--dir DIR] [--json]"},
    {"log", cmd_log, "list logged records, optionally filtered",
     "constat log [--kind K] [--category C] [--place P] [--from DATE] [--to DATE] [--dir DIR] [--json]"},
    {"show", cmd_show, "show one record: fields, signature, inclusion",
     "constat show ID|INDEX [--dir DIR] [--json] [--private]"},
    {"report", cmd_report, "write the HTML report, figures.json and CSV",
     "constat report --out DIR [--dir DIR] [--taxonomy FILE]"},
    {"dossier", cmd_dossier, "write a self-contained dossier for verifiers",
     "constat dossier --out DIR [--from DATE] [--to DATE] [--category C] [--place P]\n"
     "                [--with-evidence] [--dir DIR]"},
    {"verify", cmd_verify, "verify a dossier (offline) or a whole vault",
     "constat verify DIR [--trust FILE] [--tsa-ca FILE] [--witness-policy FILE] [--json]\n"
     "       constat verify --tiles DIR|URL [--log-key VKEY | --trust FILE]\n"
     "                      [--since-checkpoint FILE] [--json]"},
    {"tiles", cmd_tiles, "publish the log as C2SP tlog-tiles static files",
     "constat tiles export OUTDIR [--dir DIR]"},
    {"tsa", cmd_tsa, "configure RFC 3161 time-stamping authorities",
     "constat tsa add NAME URL --ca FILE [--dir DIR]\n       constat tsa list [--dir DIR] [--json]"},
    {"timestamp", cmd_timestamp, "have the newest checkpoint time-stamped (RFC 3161)",
     "constat timestamp [--tsa URL --ca FILE] [--dir DIR]"},
    {"witness", cmd_witness, "witness other organisations' logs (C2SP tlog-witness)",
     "constat witness init|key|logs|alerts [--dir DIR]\n"
     "       constat witness add-log ORIGIN VKEY [--dir DIR]\n"
     "       constat witness cosign CHECKPOINT [--proof FILE] [--dir DIR]\n"
     "       constat witness serve --listen IPV4:PORT [--port-file FILE] [--dir DIR]"},
    {"publish", cmd_publish, "get the newest checkpoint cosigned by the configured witnesses",
     "constat publish [--dir DIR]\n"
     "       constat publish add WITNESS_VKEY URL [--dir DIR]\n"
     "       constat publish witnesses|cosigned [--dir DIR]"},
    {"help", cmd_help, "show the commands, or one command's usage", "constat help [COMMAND]"},
    {"version", cmd_version, "print the version", "constat version"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int cli_usage(const char *command)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, command) == 0) {
            fprintf(stderr, "usage: %s\n", commands[i].usage);
            return CLI_EXIT_USAGE;
        }
    fprintf(stderr, "constat: unknown command '%s' (see 'constat help')\n", cli_text(command));
    return CLI_EXIT_USAGE;
}

static void print_help(FILE *f)
{
    fprintf(f, "constat %s — signed, append-only records of field observations\n\n"
               "usage: constat COMMAND [ARGS]\n\ncommands:\n", CONSTAT_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nThe vault is --dir DIR, else $CONSTAT_DIR, else ./constat-vault.\n"
               "Sealed keys take their passphrase from $CONSTAT_PASSPHRASE or a prompt.\n"
               "Exit status: 0 ok, 1 verification failed, 2 usage or bad input, 3 i/o or key error.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        for (size_t i = 0; i < NCOMMANDS; i++)
            if (strcmp(commands[i].name, argv[1]) == 0) {
                printf("usage: %s\n\n%s\n", commands[i].usage, commands[i].summary);
                return cli_finish_stdout(0);
            }
        return cli_usage(argv[1]);
    }
    print_help(stdout);
    return cli_finish_stdout(0);
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("constat %s\n", CONSTAT_VERSION);
    return cli_finish_stdout(0);
}

int main(int argc, char **argv)
{
    if (constat_init() != CONSTAT_OK) {
        fprintf(stderr, "constat: cannot initialise libsodium\n");
        return 3;
    }
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "constat: '%s' is not a command (see 'constat help')\n", cli_text(argv[1]));
    return CLI_EXIT_USAGE;
}
