/*
 * cli.h — what the command files of the constat program share: the command
 * table entry, vault opening with the passphrase rules, error printing and
 * exit codes (errors.h: 1 verification failed, 2 usage or bad input, 3 I/O).
 */
#ifndef CONSTAT_CLI_H
#define CONSTAT_CLI_H

#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "constat/constat.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"

#define CLI_EXIT_USAGE 2

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_command;

/* One command's help (help.c, the only place help texts live). */
#define CLI_HELP_MAX_OPTIONS 16
typedef struct {
    const char *flag; /* "--dir DIR", or a subcommand/argument: "add NAME" */
    const char *text; /* lines separated by '\n', no final newline */
} cli_help_option;

typedef struct {
    const char *name;        /* the command, as typed */
    const char *summary;     /* one line, no final period */
    const char *usage;       /* usage lines ("constat ..."), separated by '\n' */
    const char *description; /* what it does, lines separated by '\n' */
    cli_help_option options[CLI_HELP_MAX_OPTIONS]; /* ended by a NULL flag */
    const char *example;     /* command lines, separated by "\n  " */
    const char *exit_codes;  /* "0  ...\n" lines */
    const char *extra;       /* more (record fields), or NULL */
} cli_help;

/* The help of command `name`, or NULL (a static entry). */
const cli_help *cli_help_find(const char *name);
/* 1 if argv[1..argc-1] holds "--help" or "-h" before any "--". */
int cli_help_wanted(int argc, char **argv);
/* Print the whole help: Usage, description, options, example, exit codes. */
void cli_help_print(const cli_help *h, FILE *f);

/* Every command's entry point: argv[0] is the command name. */
int cmd_init(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_keys(int argc, char **argv);
/* cmd_seal.c: `constat vault seal`, and `constat keys recipient|passwd`
 * (args: what follows "keys", options removed). */
int cmd_vault(int argc, char **argv);
int cli_keys_sub(const char *dir, int n, char **args);
int cmd_prove(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_simulate(int argc, char **argv); /* cmd_simulate.c */
int cmd_dossier(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_tsa(int argc, char **argv);
int cmd_timestamp(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_custody(int argc, char **argv);
int cmd_correct(int argc, char **argv);
int cmd_retract(int argc, char **argv);
/* The path every record takes, from a file, `record --new`, `correct` and
 * `retract` (cmd_record.c): fill in and validate (constat_intake_prepare),
 * refuse an id already in the log (naming its leaf) and a correction or
 * retraction the log does not allow (constat_intake_amend_check), sign with
 * the monitor's key, append, print the receipt, then attach the files.
 * `private_values` (may be NULL) are stored with the record when its own
 * input has none (a correction's replacement brings them). `what` names the
 * input in messages. Returns the exit code. */
int cli_log_input(constat_vault *v, const constat_taxonomy *tax, const json_t *input,
                  const json_t *private_values, const char *what, const char *monitor,
                  char **attach, int nattach, int json);
int cmd_taxonomy(int argc, char **argv);

/* Selective disclosure (cmd_disclose.c): `constat disclose`, `constat keys
 * recipient-new NAME` (argv as given to cmd_keys), and the disclosure check
 * of `constat verify DOSSIER --disclosure DIR [--key FILE]` (after the
 * dossier's own verification). Each returns the exit code. */
int cmd_disclose(int argc, char **argv);
/* Key life cycle (cmd_keylife.c): `constat monitor revoke NAME --from TIME
 * --reason TEXT` (argv as given to cmd_monitor), and the check before
 * signing with a monitor's key: 0 if it is not revoked, else CLI_EXIT_USAGE
 * with the revocation printed (3 on a vault error). */
int cli_monitor_revoke(int argc, char **argv);
int cli_monitor_rotate(int argc, char **argv);
int cli_monitor_refuse_revoked(constat_vault *v, const char *monitor);
/* `constat keys history [--dir DIR]` (argv as given to cmd_keys). */
int cli_keys_history(int argc, char **argv);
/* `constat keys rotate --org [--reason TEXT] [--dir DIR]` (cmd_keyrot.c). */
int cli_keys_rotate(int argc, char **argv);
/* 1 and *out when `kid` is one of the organisation keys of the log's
 * key transitions (keyrot.h), else 0 (cmd_keyrot.c). */
int cli_org_key_of(constat_vault *v, const char *kid, constat_note_verifier *out);
/* `constat erase RECORD --reason TEXT --monitor NAME` (cmd_erase.c). */
int cmd_erase(int argc, char **argv);
int cli_keys_recipient_new(int argc, char **argv);
int cli_verify_disclosure(const char *dossier, const char *disclosure, const char *keyfile);

/* Evidence (cmd_attach.c): attach files to an incident, printing one block
 * per file (or a JSON array); returns the exit code. And the evidence part
 * of `constat show` for an incident or evidence record: files with their
 * flags, chains of custody; returns how many files are flagged. */
int cli_attach_files(constat_vault *v, const char *incident_id, char **files, int nfiles,
                     const char *monitor, int json);
int cli_show_evidence(constat_vault *v, const json_t *record, FILE *f);
int cmd_tiles(int argc, char **argv);

/* `constat report --pdf` (report_pdf.c): print DIR/index.html to
 * DIR/report.pdf with headless Chromium. Returns 0, or 3 with a message
 * when chromium is not installed or fails. */
int cli_report_pdf(const char *dir);

/* `constat verify DIR` on a public report folder (verify_public.c): prints
 * each failure and the verdict (json: one JSON object). Returns the exit
 * code: 0 verified, 1 not, 2/3 bad input or I/O. */
int cli_verify_public(const char *dir, const char *trust, int json);

/* `constat verify --tiles DIR|URL` (cmd_tiles.c): audit a C2SP tlog-tiles
 * publication; trust, log_key and since may be NULL. Returns the exit code. */
int cli_tiles_audit(const char *location, const char *trust, const char *log_key,
                    const char *since, int json);

/* `record --new` (record_new.c). The template: a JSON object to edit, with
 * whole-line // comments that list the taxonomy's categories (numbered as
 * `constat taxonomy` does) and the optional members; `occurred` is filled
 * with `now` in local time, `place` and `categories` are left empty so that
 * an unedited template is refused; `monitor` (may be NULL) is named in the
 * command to run. Returns 0, or 3 if `out` fails. */
int cli_record_template(FILE *out, const constat_taxonomy *tax, const char *taxonomy_path,
                        const char *monitor, int64_t now);
/* The questions, read line by line from `in`, prompts and reasons on `out`:
 * the monitor (when `monitor` is NULL, one of the enrolled ones), the
 * categories (numbers or ids of `tax`), start and end in local time
 * (YYYY-MM-DD HH:MM, or a date for the whole day, or RFC 3339) converted to
 * RFC 3339 with the local offset, place, coordinates in decimal degrees
 * converted to degrees x 10^7, source, people affected, public summary and
 * private narrative. An invalid answer is asked again with the reason. On 0
 * *input is the record (caller json_decref's) and `chosen` (cap bytes) the
 * monitor; 2 when the input ends or the record is not confirmed (nothing
 * is logged), 3 on an error of the vault (printed). */
int cli_record_ask(FILE *in, FILE *out, constat_vault *v, const constat_taxonomy *tax,
                   const char *monitor, char *chosen, size_t cap, int64_t now, json_t **input);

/* The item actions of the record model, NULL-terminated (cmd_taxonomy.c). */
extern const char *const cli_item_actions[];
/* The unit of item kind `kind` of `tax` as `constat taxonomy` shows it
 * ("items", "currency EUR", "currency" when none is stated) into out[cap]
 * (cmd_taxonomy.c). */
void cli_item_unit_text(const constat_taxonomy *tax, const char *kind, char *out, size_t cap);

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

/* Read a passphrase to unlock keys: $CONSTAT_PASSPHRASE if set (even empty),
 * else one prompt on /dev/tty when standard input is a terminal, else NULL
 * (also NULL when /dev/tty cannot be opened or memory runs out). With
 * `confirm`, behaves as cli_passphrase_new and returns NULL on its failures.
 * Returned memory is sodium_malloc'd: release with cli_passphrase_free. */
char *cli_passphrase(const char *prompt, int confirm);

/* How many times cli_passphrase_new asks before giving up. */
#define CLI_PASSPHRASE_TRIES 3

/* Choose a new passphrase (to seal keys). *out is set to $CONSTAT_PASSPHRASE
 * if set (an empty one means: do not seal); else, when standard input is not
 * a terminal, to NULL (not sealed); else it is asked on /dev/tty: `prompt`
 * then "repeat passphrase: ", exactly two prompts a try; on a mismatch it
 * says so and asks both again, up to CLI_PASSPHRASE_TRIES tries. An empty
 * answer on the terminal is refused (it would leave the keys unsealed) and
 * counts as a try. Returns 0 with *out set (sodium_malloc'd or NULL: release
 * with cli_passphrase_free); CLI_EXIT_USAGE after the last failed try, 3 when
 * the terminal cannot be read or memory runs out, with the message printed
 * and *out NULL. */
int cli_passphrase_new(const char *prompt, char **out);

void cli_passphrase_free(char *p);

/* An account password: $CONSTAT_USER_PASSWORD if set (tests, scripts), else
 * asked on /dev/tty when standard input is a terminal (twice with
 * `confirm`, up to CLI_PASSPHRASE_TRIES tries), else NULL. Release with
 * cli_passphrase_free. */
char *cli_user_password(const char *prompt, int confirm);

/* For the servers: block SIGINT, SIGTERM and SIGHUP in this thread (and the
 * threads it starts after) so that sigwait(set) sees them, and ignore
 * SIGPIPE. */
void cli_block_stop_signals(sigset_t *set);
/* Write "PORT\n" to `path` (NULL: nothing); prints and returns 3 on failure. */
int cli_write_port_file(const char *path, unsigned port);

/* The lock that keeps `constat serve` and the commands that change the
 * vault's keys under it apart (docs/vault.md "Organisation key rotation"):
 * <vault_dir>/serve.lock, flock'd shared by every server of the vault and
 * exclusive by `keys rotate --org` and `vault seal`. Returns the descriptor
 * to hold (close it to release), or -1 after printing why, naming `cmd`:
 * a server runs (for exclusive), a key change runs (for shared), or the
 * file cannot be opened. */
int cli_serve_lock(const char *vault_dir, int exclusive, const char *cmd);

/* Print a receipt (constat_vault_receipt, receipt.h) as `constat record`
 * does: text lines, or the JSON object with --json (cmd_record.c). */
void cli_print_receipt(const json_t *r, int json);

int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_submit(int argc, char **argv);
/* Add account `name` with `role` (cmd_user.c), the password from
 * CONSTAT_USER_PASSWORD or asked twice; prints and returns the exit code. */
int cli_user_add(constat_vault *v, const char *name, const char *role);
/* Write an SVG QR code of `text` to `path` (0600, replaced if it exists;
 * qr.c). Prints and returns the exit code. */
int cli_qr_svg(const char *text, const char *path);

/* The length of PATH without its trailing slashes ("out/" is the folder out;
 * "/" stays "/"); 0 for NULL. */
size_t cli_path_len(const char *path);

/* Print "constat: <what>: <message>" for an error (just the message when it
 * already starts with "<what>: "); returns its exit code. */
int cli_report_error(const char *what, constat_status st, const constat_error *err);

/* --k N of `report --public` and `dossier --public` (cmd_report.c): *k gets
 * N when it is an integer from CONSTAT_DISCLOSURE_K_MIN to _MAX and 0 is
 * returned; else a message on stderr and exit code 2. */
int cli_public_k(const char *s, int *k);

/* Print the usage lines of the named command to stderr, with a pointer to
 * its --help, and return CLI_EXIT_USAGE. */
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

/* Report a constat_dossier_filter_check() error under the flag the user
 * typed ("filter.from: ..." printed as "--from: ..."); returns the exit code. */
int cli_filter_error(constat_status st, const constat_error *err);

/* The umask the program was started with, before main() set 077 for the
 * vault's own files. */
extern unsigned cli_caller_umask;

/* Write from now on with the caller's umask: for folders meant to be
 * published (`report --public`, `tiles export`), which a web server running
 * as another user must read (docs/tiles.md, docs/cli.md). */
void cli_publish_modes(void);

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

/* The one shape of every listing command's --json (docs/cli.md "JSON
 * output"): prints to stdout, indented, the object
 *   {"v": 1, "command": COMMAND, "items": [...], ...members of extra}
 * `command` is the command as typed ("log", "monitor list"); `items` a JSON
 * array, one element per listed thing; `extra` (may be NULL) an object whose
 * members are added after items (v, command and items are never replaced).
 * Takes ownership of items and extra (json_decref'd in every case). Returns
 * 0, or 3 (printed) when out of memory or items is not an array. */
int cli_json_listing(const char *command, json_t *items, json_t *extra);

/* Print a proof as base64 lines / JSON. */
void cli_print_b64(FILE *f, const uint8_t *h, size_t n);

#endif
