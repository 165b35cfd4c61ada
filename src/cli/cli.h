/*
 * cli.h — what the command files of the constat program share: the command
 * table entry, vault opening with the passphrase rules, error printing and
 * exit codes (errors.h: 1 verification failed, 2 usage or bad input, 3 I/O).
 */
#ifndef CONSTAT_CLI_H
#define CONSTAT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "constat/constat.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"

#define CLI_EXIT_USAGE 2

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;
} cli_command;

/* Every command's entry point: argv[0] is the command name. */
int cmd_init(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_dossier(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_tsa(int argc, char **argv);
int cmd_timestamp(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_custody(int argc, char **argv);

/* Evidence (cmd_attach.c): attach files to an incident, printing one block
 * per file (or a JSON array); returns the exit code. And the evidence part
 * of `constat show` for an incident or evidence record: files with their
 * flags, chains of custody; returns how many files are flagged. */
int cli_attach_files(constat_vault *v, const char *incident_id, char **files, int nfiles,
                     const char *monitor, int json);
int cli_show_evidence(constat_vault *v, const json_t *record, FILE *f);
int cmd_tiles(int argc, char **argv);

/* `constat verify --tiles DIR|URL` (cmd_tiles.c): audit a C2SP tlog-tiles
 * publication; trust, log_key and since may be NULL. Returns the exit code. */
int cli_tiles_audit(const char *location, const char *trust, const char *log_key,
                    const char *since, int json);

/* The vault directory: --dir if given, else $CONSTAT_DIR, else "constat-vault". */
const char *cli_vault_dir(const char *opt);

/* Open the vault, asking for the passphrase ($CONSTAT_PASSPHRASE, else a
 * prompt on the terminal) only if its keys are sealed. Prints the error and
 * returns the exit code (0 on success). */
int cli_open_vault(const char *dir, constat_vault **out);

/* Open the vault for reading: with its keys if no passphrase is needed
 * (or $CONSTAT_PASSPHRASE is set), otherwise without them — never asks.
 * Prints the error and returns the exit code (0 on success). */
int cli_open_vault_public(const char *dir, constat_vault **out);

/* Read a passphrase: $CONSTAT_PASSPHRASE if set, else prompt on /dev/tty
 * (twice when `confirm`), else NULL. Returned memory is sodium_malloc'd:
 * release with cli_passphrase_free. */
char *cli_passphrase(const char *prompt, int confirm);
void cli_passphrase_free(char *p);

/* Print "constat: <what>: <message>" for an error; returns its exit code. */
int cli_report_error(const char *what, constat_status st, const constat_error *err);

/* Print usage of the named command to stderr and return CLI_EXIT_USAGE. */
int cli_usage(const char *command);

/* The taxonomy: --taxonomy if given, else $CONSTAT_TAXONOMY, else the one
 * installed with the program (CONSTAT_DATA_DIR/taxonomy/calais.json). */
const char *cli_taxonomy_path(const char *opt);
int cli_load_taxonomy(const char *opt, constat_taxonomy **out);

/* Read a whole file ("-" = stdin) into a buffer. Prints the error. */
int cli_read_file(const char *path, constat_buf *out, size_t max);

/* Current time in seconds since the epoch; $CONSTAT_NOW (RFC 3339 or epoch
 * seconds) overrides it for reproducible demos and tests. */
int64_t cli_now(void);

/* Parse a non-negative decimal integer argument; prints the error. */
int cli_parse_u64(const char *what, const char *s, uint64_t *out);

/* Check stdout was fully written (git's rule): returns 3 on failure. */
int cli_finish_stdout(int rc);

/* `s` (NULL = "") made safe to print: control characters, bidirectional
 * overrides/isolates and bytes that are not UTF-8 made visible
 * (constat_text_escape, constat/base/text.h), so that record or dossier
 * text cannot start a line, move the cursor or reorder what is shown.
 * Every value that comes from a record, a dossier or another outside source
 * is printed through it. The result stays valid until 16 more calls (a ring
 * of buffers: enough for the arguments of one printf); "?" when out of
 * memory. */
const char *cli_text(const char *s);

/* As cli_text for a block of several lines (an indented JSON dump, a note):
 * its newlines are kept, everything else is escaped. Same lifetime. */
const char *cli_text_lines(const char *s);

/* Print a proof as base64 lines / JSON. */
void cli_print_b64(FILE *f, const uint8_t *h, size_t n);

#endif
