/*
 * dossier.c — writing a dossier (dossier.h, docs/dossier.md) and the filter
 * that selects its incidents.
 *
 * The dossier is built in a temporary sibling directory, verified there with
 * the same code a sceptic runs, and only then renamed into place: a crash or
 * an error leaves no half-written folder that someone could hand out, and a
 * dossier constat writes always verifies. VERIFY.md is generated from text
 * embedded here so the library needs no data file at run time.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/dossier/dossier.h"
#include "constat/evidence/evidence.h"
#include "constat/base/hash.h"
#include "constat/base/text.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"
#include "constat/record/record.h"
#include "constat/analysis/report.h"
#include "constat/analysis/pseudonyms.h"
#include "constat/evidence/tsa.h"
#include "constat/dossier/verify.h"
#include "constat/vault/leaves_parsed.h"
#include "constat/witness/witness_policy.h"
#include "base/text.h"
#include "dossier/public_dossier.h"
#include "constat/base/file.h"
#include "constat/vault/org_name.h"
#include "constat/vault/keyrot.h"



/* ---- small file helpers --------------------------------------------------- */

static constat_status write_file(const char *dir, const char *rel, const void *data,
                                 size_t len, constat_error *err)
{
    char path[4096];
    FILE *f;
    int bad;

    constat_bprintf(path, sizeof path, "%s/%s", dir, rel);
    f = fopen(path, "wbx");
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot create: %s", path,
                                 strerror(errno));
    bad = len > 0 && fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad)
        return constat_error_set(err, CONSTAT_EIO, "%s: write failed: %s", path,
                                 strerror(errno));
    return CONSTAT_OK;
}

static constat_status slurp(const char *path, size_t max, constat_buf *out, constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_status rc;

    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: cannot open: %s", path, strerror(errno));
    rc = constat_file_read(f, max, out, err);
    fclose(f);
    if (rc != CONSTAT_OK && rc != CONSTAT_ENOMEM && err)
        constat_error_prefix(err, "%s: ", path);
    return rc;
}

/* Remove a directory tree we created (no symlinks are followed: lstat). */
static void rmtree(const char *path, int depth)
{
    DIR *d;
    struct dirent *de;
    struct stat st;

    if (depth > 16 || lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    if (d) {
        while ((de = readdir(d)) != NULL) {
            char sub[4096];
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            constat_bprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            rmtree(sub, depth + 1);
        }
        closedir(d);
    }
    rmdir(path);
}

/* Every regular file under root/rel, as paths relative to root. */
typedef struct {
    char **v;
    size_t n, cap;
} strlist;

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static constat_status list_files(const char *root, const char *rel, int depth, strlist *out,
                                 constat_error *err)
{
    char path[4096];
    DIR *d;
    struct dirent *de;
    constat_status rc = CONSTAT_OK;

    if (depth > 8)
        return constat_error_set(err, CONSTAT_EINTERNAL, "%s: directories nested too deep",
                                 root);
    constat_bprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    d = opendir(path);
    if (!d)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot list: %s", path,
                                 strerror(errno));
    while (rc == CONSTAT_OK && (de = readdir(d)) != NULL) {
        char sub[4096], full[4096];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        constat_bprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        constat_bprintf(full, sizeof full, "%s/%s", root, sub);
        if (lstat(full, &st) != 0) {
            rc = constat_error_set(err, CONSTAT_EIO, "%s: %s", full, strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = list_files(root, sub, depth + 1, out, err);
        } else if (S_ISREG(st.st_mode)) {
            if (out->n == out->cap) {
                size_t nc = out->cap ? out->cap * 2 : 32;
                char **nv = realloc(out->v, nc * sizeof *nv);
                if (!nv) {
                    rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                    break;
                }
                out->v = nv;
                out->cap = nc;
            }
            out->v[out->n] = strdup(sub);
            if (!out->v[out->n]) {
                rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                break;
            }
            out->n++;
        }
    }
    closedir(d);
    return rc;
}

/* ---- collecting the leaves ---------------------------------------------- */

typedef struct {
    uint64_t index;
    char key_id[CONSTAT_KEY_NAME_MAX + 10];
    int needed;
} enrol_ref;

typedef struct {
    uint64_t index;
    json_t *record;     /* own reference */
    char key_id[CONSTAT_KEY_NAME_MAX + 10];
} sel_ref;

typedef struct {
    const constat_dossier_filter *f;
    enrol_ref *en;
    size_t nen, capen;
    sel_ref *sel;
    size_t nsel, capsel;
    sel_ref *ev;        /* evidence and custody records (docs/evidence.md) */
    size_t nev, capev;
    constat_status rc;
    constat_error *err;
} collect_ctx;

/* Keep an evidence or custody record; which ones travel is decided once
 * every selected incident is known (they name their incident by id). */
static int collect_evidence(collect_ctx *c, uint64_t index, const constat_leaf *l)
{
    if (c->nev == c->capev) {
        size_t nc = c->capev ? c->capev * 2 : 16;
        sel_ref *nv = realloc(c->ev, nc * sizeof *nv);
        if (!nv)
            return 0;
        c->ev = nv;
        c->capev = nc;
    }
    c->ev[c->nev].index = index;
    c->ev[c->nev].record = json_incref(l->record);
    memcpy(c->ev[c->nev].key_id, l->key_id, sizeof c->ev[c->nev].key_id);
    c->ev[c->nev].key_id[sizeof c->ev[c->nev].key_id - 1] = '\0';
    c->nev++;
    return 1;
}

/* Drop the evidence and custody records whose incident is not selected,
 * and the corrections and retractions of records that do not travel. */
static constat_status select_evidence(collect_ctx *c, constat_error *err)
{
    json_t *ids;
    size_t kept = 0;
    int pass;

    if (c->nev == 0)
        return CONSTAT_OK;
    ids = json_object();
    if (!ids)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->nsel; i++) {
        const char *id = json_string_value(json_object_get(c->sel[i].record, "id"));
        if (id && json_object_set_new(ids, id, json_true())) {
            json_decref(ids);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    /* pass 0: evidence and custody (by incident); pass 1: amendments (by the
     * id they name, an incident or an evidence record kept in pass 0) */
    for (pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->nev; i++) {
            const json_t *r = c->ev[i].record;
            const char *kind = json_string_value(json_object_get(r, "kind"));
            int amend = kind && (strcmp(kind, "correction") == 0 ||
                                 strcmp(kind, "retraction") == 0 ||
                                 strcmp(kind, "erasure") == 0);
            const char *t;
            if (!r || amend != pass)
                continue;
            if (kind && (strcmp(kind, "revocation") == 0 || strcmp(kind, "key_transition") == 0))
                continue; /* every revocation and key transition travels (docs/dossier.md) */
            /* register entries and shifts travel with every dossier: the
             * findings figures read them (docs/indicators.md) */
            if (kind && (strcmp(kind, "register") == 0 || strcmp(kind, "shift") == 0))
                continue;
            t = json_string_value(json_object_get(
                r, !amend && kind && strcmp(kind, "pseudonym_binding") == 0 ? "record"
                   : !amend ? "incident"
                          : strcmp(kind, "correction") == 0 ? "corrects"
                          : strcmp(kind, "erasure") == 0    ? "erases"
                                                            : "retracts"));
            if (t && json_object_get(ids, t)) {
                const char *id = json_string_value(json_object_get(r, "id"));
                if (!amend && kind && strcmp(kind, "evidence") == 0 && id &&
                    json_object_set_new(ids, id, json_true())) {
                    json_decref(ids);
                    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                }
            } else {
                json_decref(c->ev[i].record);
                c->ev[i].record = NULL;
            }
        }
    }
    for (size_t i = 0; i < c->nev; i++)
        if (c->ev[i].record)
            c->ev[kept++] = c->ev[i];
    c->nev = kept;
    json_decref(ids);
    return CONSTAT_OK;
}

/* One leaf, parsed (by collect_chunk) or not, in log order. */
static int collect_parsed(collect_ctx *c, uint64_t index, constat_leaf *pl, constat_status pst,
                          const constat_error *pe)
{
    constat_leaf l = *pl;
    constat_error e;
    const char *kind;
    json_t *k;

    memset(pl, 0, sizeof *pl);
    constat_error_clear(&e);
    if (pst != CONSTAT_OK) {
        c->rc = constat_error_set(c->err, CONSTAT_EVERIFY,
                                  "leaf %" PRIu64 " in the vault is not a canonical leaf: %s",
                                  index, pe->msg);
        return 1;
    }
    k = json_object_get(l.record, "kind");
    kind = json_is_string(k) ? json_string_value(k) : "";
    if (strcmp(kind, "monitor_enrolment") == 0 || strcmp(kind, "monitor_rotation") == 0) {
        /* a rotation enrols its new key; every rotation travels, as every
         * revocation does (docs/dossier.md) */
        json_t *vk = json_object_get(l.record, "vkey");
        constat_note_verifier mv;
        if (!json_is_string(vk) ||
            constat_note_verifier_parse(json_string_value(vk), &mv, &e) != CONSTAT_OK) {
            c->rc = constat_error_set(c->err, CONSTAT_EVERIFY,
                                      "leaf %" PRIu64 ": enrolment without a valid vkey", index);
            constat_leaf_free(&l);
            return 1;
        }
        if (c->nen == c->capen) {
            size_t nc = c->capen ? c->capen * 2 : 16;
            enrol_ref *nv = realloc(c->en, nc * sizeof *nv);
            if (!nv)
                goto nomem;
            c->en = nv;
            c->capen = nc;
        }
        memset(&c->en[c->nen], 0, sizeof c->en[c->nen]);
        c->en[c->nen].index = index;
        c->en[c->nen].needed = strcmp(kind, "monitor_rotation") == 0;
        constat_record_key_id(&mv, c->en[c->nen].key_id, sizeof c->en[c->nen].key_id);
        c->nen++;
    } else if (strcmp(kind, "evidence") == 0 || strcmp(kind, "custody") == 0 ||
               strcmp(kind, "correction") == 0 || strcmp(kind, "retraction") == 0 ||
               strcmp(kind, "erasure") == 0 || strcmp(kind, "revocation") == 0 ||
               strcmp(kind, "register") == 0 || strcmp(kind, "shift") == 0 ||
               strcmp(kind, "key_transition") == 0 ||
               strcmp(kind, "pseudonym_binding") == 0) { /* travels with its record */
        if (!collect_evidence(c, index, &l))
            goto nomem;
    } else if (constat_dossier_filter_match(c->f, l.record)) {
        if (c->nsel == c->capsel) {
            size_t nc = c->capsel ? c->capsel * 2 : 64;
            sel_ref *nv = realloc(c->sel, nc * sizeof *nv);
            if (!nv)
                goto nomem;
            c->sel = nv;
            c->capsel = nc;
        }
        c->sel[c->nsel].index = index;
        c->sel[c->nsel].record = json_incref(l.record);
        memcpy(c->sel[c->nsel].key_id, l.key_id, sizeof c->sel[c->nsel].key_id);
        c->sel[c->nsel].key_id[sizeof c->sel[c->nsel].key_id - 1] = '\0';
        c->nsel++;
    }
    constat_leaf_free(&l);
    return 0;
nomem:
    constat_leaf_free(&l);
    c->rc = constat_error_set(c->err, CONSTAT_ENOMEM, "out of memory");
    return 1;
}

/* Parsing every leaf of the vault is the longest part of choosing what a
 * dossier holds: the leaves are parsed on every core
 * (constat_vault_leaves_parsed), then taken in log order as before. */
static int collect_one(void *ctx, uint64_t index, constat_leaf *l, constat_status st,
                       const constat_error *e)
{
    return collect_parsed(ctx, index, l, st, e);
}

/* ---- VERIFY.md ------------------------------------------------------------ */

static const char VERIFY_PROVES[] =
    "## What this dossier proves\n"
    "\n"
    "1. **Who recorded each incident.** Every record in `records.jsonl` carries an Ed25519\n"
    "   signature. Incident records are signed by a monitor's key; that key is published in a\n"
    "   `monitor_enrolment` record, earlier in the same log, signed by the organisation key\n"
    "   (`keys/org.vkey`). A record changed by one byte no longer verifies.\n"
    "2. **That each record is in the organisation's log, at a fixed place.** Each record comes\n"
    "   with an inclusion proof (`proofs.jsonl`) to the checkpoint (`checkpoint`), which is\n"
    "   signed by the log key (`keys/log.vkey`). The log is append-only: the checkpoint commits\n"
    "   to every leaf from 0 to its size, in order. The organisation cannot remove, alter,\n"
    "   reorder or back-date a record without producing a checkpoint with a different root,\n"
    "   which anyone holding this checkpoint (or an earlier one and a consistency proof) will\n"
    "   notice.\n"
    "3. **That the figures follow from the records.** `figures.json` (and the report in\n"
    "   `report/`) is recomputed from the incident records listed here; every figure row names\n"
    "   the leaves it counts, so anyone can recount.\n"
    "4. **When each record existed at the latest (if `timestamps/` is present).** Each\n"
    "   `timestamps/<n>.tsr` is an RFC 3161 token by a time-stamping authority over the exact\n"
    "   bytes of `timestamps/<n>.checkpoint`, an earlier (or the same) signed checkpoint;\n"
    "   `timestamps/<n>.json` carries the consistency proof from that checkpoint to this\n"
    "   dossier's. A record at leaf index i existed no later than the token's time when that\n"
    "   checkpoint's size is greater than i: its *proven time* is the earliest such token.\n"
    "   The figure `delay_event_to_proven` counts incidents by the delay from the end of the\n"
    "   event to that time (or `not_proven`); `constat verify` recomputes it from the tokens\n"
    "   that verify.\n"
    "   This rests on the TSA: check its certificate chain against a CA you trust\n"
    "   (`constat verify --tsa-ca FILE`) rather than `timestamps/<n>.ca.pem`. A token made\n"
    "   while the TSA certificate was valid stands after it expires; `constat verify` then\n"
    "   names it with the certificate's dates (by hand, `openssl ts -verify` needs\n"
    "   `-attime` set inside that validity, as it judges at the current time). It proves\n"
    "   existence by that time, never that the event happened then, nor that the record was\n"
    "   not written later than `recorded_at` says but before the token (docs/time.md).\n"
    "5. **That evidence files are the ones logged, unchanged.** An `evidence` record, signed\n"
    "   by a monitor, binds a file by its SHA-256 and size to the incident it names. If\n"
    "   `evidence/sha256/` is present, `constat verify` re-hashes every file there (or check\n"
    "   with `sha256sum`: the file name is its hash). `evidence/files.tsv` gives for each file\n"
    "   the record that binds it, its media type and a file name with that type's extension\n"
    "   (`.jpg` for `image/jpeg`): copy the file under that name to open it; `constat verify`\n"
    "   checks that this listing matches the records. `custody` records are signed statements\n"
    "   of who received each file, in log order. `constat verify` also prints *flags*: capture\n"
    "   time more than 1 h outside the incident's time, or capture position more than 2 km\n"
    "   from its place, read from the file's own metadata (EXIF). Flags are warnings, never\n"
    "   failures.\n"
    "6. **That other organisations saw this exact tree (if the checkpoint is cosigned).**\n"
    "   Lines after the log's signature in `checkpoint` are cosignatures (C2SP\n"
    "   tlog-cosignature) by witnesses, named in the Witnesses section above. Each witness\n"
    "   signed, at the time it states, that it saw the log sign this size and root, and that\n"
    "   they extend every checkpoint of this log it had cosigned before. A witness that keeps\n"
    "   its state never cosigns another tree for this log later: the organisation cannot show\n"
    "   a different history for this size afterwards without that witness noticing. Require\n"
    "   the witnesses you rely on, by keys you obtained from them, with a policy file\n"
    "   (`constat verify --witness-policy FILE`).\n"
    "7. **That the organisation published exactly this selection and these files.**\n"
    "   `manifest.sig` is the organisation key's signature over `manifest.json`, which states\n"
    "   the selection (`filter`, the number of `records`, the log `origin` and `tree_size`)\n"
    "   and lists every file of this folder with its SHA-256: records, proofs, checkpoint,\n"
    "   keys, taxonomy, figures, the report in `report/`, this text (VERIFY.md and\n"
    "   VERIFY.fr.md), timestamps, evidence files and their listing. Whoever holds the dossier cannot drop records (and recompute the\n"
    "   figures), rewrite the report or this text, remove a file or add one without the\n"
    "   check failing: `constat verify` fails on a missing or invalid `manifest.sig`, on any\n"
    "   listed file that is missing or changed, and on any file present that is not listed.\n"
    "\n"
    "## What it does NOT prove\n"
    "\n"
    "- **What the witnesses checked.** A cosignature does not prove that the records are\n"
    "  true, nor that the witness read or checked their contents, nor when they were written\n"
    "  before the cosignature's time. It vouches for the log's history only, and only as far\n"
    "  as the witness is independent of the organisation and keeps its state (a witness that\n"
    "  lost its database could cosign a fork).\n"
    "- **That the events happened as described.** A signature shows who wrote a record and that\n"
    "  it has not changed since; not that it is true. Weigh it with corroboration by other\n"
    "  monitors and organisations, and with the evidence files bound by hash (`evidence`).\n"
    "- **Imported `publication` records** (`source.type` = `publication`) attest only who\n"
    "  recorded what, from which public source (`source.reference`): the facts are the\n"
    "  source's, not a monitor's observation.\n"
    "- **When.** `recorded_at` and `occurred` are stated by the monitor's device. The log\n"
    "  proves order; a date is proven only by a checkpoint covering the record that was\n"
    "  published, witnessed or timestamped independently at a known date (point 4 gives an\n"
    "  upper bound — existence no later than — never the time of the event).\n"
    "- **That the keys belong to whom they claim.** This folder carries its own copies of the\n"
    "  keys. Pin them: compare the log key with one the organisation published elsewhere\n"
    "  (website, earlier report, court filing), and run the check with `--trust`.\n"
    "- **Completeness.** This is a selection (see Selection above). Its completeness is the\n"
    "  organisation's statement: the signed manifest proves the organisation published this\n"
    "  selection under this filter, not that no matching record was left out (the\n"
    "  organisation itself can still choose a subset of its log). Gaps between leaf indices\n"
    "  are log entries not in the selection (other incidents, shifts, other enrolments). It\n"
    "  does not show that monitors observed everything that happened. To check that nothing\n"
    "  matching the selection was left out, ask for every leaf up to the checkpoint size and\n"
    "  verify them against the same checkpoint.\n"
    "- **Private fields** (narratives, names, contacts) appear only as commitments under\n"
    "  `private`; they prove that a value was fixed at recording time, not what it is.\n"
    "- **What an evidence file shows, or when and where it was taken.** EXIF time and GPS are\n"
    "  written by the device, often wrong (unset camera clocks) and easily edited; the file may\n"
    "  have been edited before it was logged. A flag is a reason to look closer, its absence is\n"
    "  not corroboration, and a file without metadata is not suspect. A custody record shows a\n"
    "  monitor *stated* the hand-over, not that it happened. Custody notes are public text.\n"
    "- **That the organisation key is the organisation's.** The manifest signature is only as\n"
    "  good as the organisation key you check it with: pin it (`org` line of the trust file).\n"
    "\n";

static const char VERIFY_HOW[] =
    "## How to check, with constat\n"
    "\n"
    "    constat verify THIS-FOLDER\n"
    "    constat verify THIS-FOLDER --trust trusted-keys.txt\n"
    "    constat verify THIS-FOLDER --trust trusted-keys.txt --witness-policy policy.txt\n"
    "\n"
    "`trusted-keys.txt` holds keys you obtained independently, one per line:\n"
    "\n"
    "    log <log verifier key>\n"
    "    org <organisation verifier key>\n"
    "\n"
    "Without `--trust` the keys are taken from `keys/` and the output says so: the dossier is\n"
    "then shown consistent with itself, not tied to the organisation. Exit status: 0 every\n"
    "check passed; 1 a check failed (each failure names the leaf, the record id and the\n"
    "check); 2 bad input; 3 file or system error. The check needs no network.\n"
    "\n"
    "`policy.txt` names the witnesses you rely on and how many must have cosigned:\n"
    "\n"
    "    witness <name> <witness verifier key, type 0x04>\n"
    "    quorum <k>\n"
    "\n"
    "The output says which listed witnesses cosigned and when. Fewer than k valid\n"
    "cosignatures, or a listed witness's cosignature that does not verify, is a failure.\n"
    "\n"
    "## How to check by hand, with other tools\n"
    "\n"
    "- **Files.** `records.jsonl` line *i* and `proofs.jsonl` line *i* describe the same\n"
    "  leaf. Leaf indices ascend. `sha256sum` of each file equals its entry in\n"
    "  `manifest.json` `files`, and `files` lists every file of the folder except\n"
    "  `manifest.json` and `manifest.sig`.\n"
    "- **Evidence files.** `evidence/files.tsv` (tab-separated, one header line) gives for\n"
    "  each file of `evidence/sha256/`: its path, the id of the `evidence` record that binds\n"
    "  it, the incident, the media type and a suggested name with that type's extension. The\n"
    "  bound file stays the one named by its hash; a copy under the suggested name opens in\n"
    "  the usual program.\n"
    "- **Manifest signature.** `manifest.sig` is `{\"key_id\":\"<name>+<hex8>\",\n"
    "  \"signature\":\"<base64>\"}`: an Ed25519 signature by the organisation key over the\n"
    "  bytes `constat-manifest-v1` and a newline, followed by `manifest.json` exactly as\n"
    "  stored.\n"
    "- **Leaf hash** (RFC 9162 section 2.1.1): SHA-256 of a zero byte followed by the line's\n"
    "  bytes without the newline. It must equal `leaf_hash` (base64) of the same line of\n"
    "  `proofs.jsonl`:\n"
    "\n"
    "      sed -n 1p records.jsonl | tr -d '\\n' | { printf '\\000'; cat; } |\n"
    "        openssl dgst -sha256 -binary | base64\n"
    "\n"
    "- **Leaf and record signature.** A leaf is the RFC 8785 (JCS) canonical JSON\n"
    "  `{\"key_id\":...,\"record\":{...},\"signature\":...}`. The signature (base64, Ed25519) is\n"
    "  over the bytes `constat-record-v1` and a newline, followed by the `record` value exactly\n"
    "  as it appears in the leaf (it is its JCS form). `key_id` is `name+hex8`: the key name and\n"
    "  the first 4 bytes, in hex, of SHA-256(name, 0x0A, 0x01, public key).\n"
    "- **Verifier keys** (C2SP signed-note): `name+hex8+base64(0x01 || 32-byte Ed25519 public\n"
    "  key)`. A monitor's key is the `vkey` of its `monitor_enrolment` record; the enrolment is\n"
    "  signed by the organisation key, and the monitor name is the key name.\n"
    "- **Checkpoint** (C2SP tlog-checkpoint, a signed note): three lines of text (the origin,\n"
    "  the tree size in decimal, the base64 root hash), a blank line, then signature lines\n"
    "  `\xe2\x80\x94 <key name> <base64(4-byte key id || 64-byte signature)>`. The Ed25519 signature is\n"
    "  over the text up to and including the newline that ends the last text line. The origin\n"
    "  must be the log key's name.\n"
    "- **Cosignatures** (C2SP tlog-cosignature): a line `\xe2\x80\x94 <witness name>\n"
    "  <base64(4-byte key id || 8-byte big-endian time || 64-byte signature)>`. The key id is\n"
    "  computed as for other keys with 0x04 in place of 0x01; the Ed25519 signature is over\n"
    "  `cosignature/v1`, a newline, `time <decimal time>`, a newline, then the checkpoint text.\n"
    "- **Inclusion proof** (RFC 9162 section 2.1.3.2): with leaf index `fn`, tree size `n`,\n"
    "  `sn = n - 1`, `r = leaf_hash`; for each hash `p` of `proof` in order: if `sn` is 0,\n"
    "  fail; if `fn` is odd or `fn == sn`, set `r = SHA-256(0x01 || p || r)` and then, while\n"
    "  `fn` is even and not 0, halve `fn` and `sn`; otherwise set `r = SHA-256(0x01 || r ||\n"
    "  p)`; then halve `fn` and `sn` (integer division). At the end `sn` must be 0 and `r` must\n"
    "  equal the checkpoint's root.\n"
    "- **Figures.** Each row of `figures.json` gives a key, a value and the leaf indices it\n"
    "  counts; the value is a count of, or a sum over, exactly those incident records (the\n"
    "  definitions are in constat's docs/indicators.md). `report/figures.json` is the same\n"
    "  file.\n"
    "\n"
    "## En fran\xc3\xa7" "ais\n"
    "\n"
    "Ce dossier prouve : qui a enregistr\xc3\xa9 chaque incident (signature d'un observateur dont\n"
    "la cl\xc3\xa9 a \xc3\xa9t\xc3\xa9 enr\xc3\xb4l\xc3\xa9" "e par la cl\xc3\xa9 de l'organisation) ; que chaque "
    "enregistrement\n"
    "figure dans un journal en ajout seul, dont le point de contr\xc3\xb4le est sign\xc3\xa9 par la "
    "cl\xc3\xa9\n"
    "du journal (l'organisation ne peut ni retirer ni antidater un enregistrement sans changer\n"
    "ce point de contr\xc3\xb4le) ; que chaque chiffre se recalcule \xc3\xa0 partir des "
    "enregistrements\n"
    "list\xc3\xa9s ; que l'organisation a publi\xc3\xa9 exactement cette s\xc3\xa9lection et ces\n"
    "fichiers (`manifest.sig`, sign\xc3\xa9 par la cl\xc3\xa9 de l'organisation sur `manifest.json`).\n"
    "\n"
    "Il ne prouve pas : que les faits se sont d\xc3\xa9roul\xc3\xa9s comme d\xc3\xa9" "crits ; pour "
    "les\n"
    "enregistrements import\xc3\xa9s (`publication`), autre chose que qui a relev\xc3\xa9 quoi "
    "dans quelle\n"
    "source publique ; que les cl\xc3\xa9s appartiennent \xc3\xa0 qui elles pr\xc3\xa9tendent "
    "(comparez la cl\xc3\xa9\n"
    "du journal avec une cl\xc3\xa9 publi\xc3\xa9" "e ailleurs et utilisez `--trust`) ; "
    "l'exhaustivit\xc3\xa9 de\n"
    "l'observation ; l'exhaustivit\xc3\xa9 de la s\xc3\xa9lection, qui reste une d\xc3\xa9" "claration de\n"
    "l'organisation (le filtre est indiqu\xc3\xa9 et sign\xc3\xa9).\n"
    "\n"
    "Les cosignatures de t\xc3\xa9moins (lignes apr\xc3\xa8s la signature du journal dans\n"
    "`checkpoint`) prouvent que ces organisations ont vu cet arbre exact \xc3\xa0 l'heure\n"
    "indiqu\xc3\xa9" "e : le journal ne peut plus montrer une autre histoire pour cette taille sans\n"
    "qu'elles le remarquent. Elles ne prouvent ni que les faits sont vrais, ni que les\n"
    "t\xc3\xa9moins ont lu les enregistrements.\n"
    "\n"
    "V\xc3\xa9rifier, hors ligne : `constat verify DOSSIER [--trust FICHIER] "
    "[--witness-policy FICHIER]`.\n"
    "\n"
    "Le texte complet en fran\xc3\xa7" "ais est dans `VERIFY.fr.md`.\n";

static const char VERIFY_PROVES_FR[] =
    "## Ce que ce dossier prouve\n"
    "\n"
    "1. **Qui a enregistré chaque incident.** Chaque enregistrement de `records.jsonl` porte une\n"
    "   signature Ed25519. Les incidents sont signés par la clé d'un observateur ; cette clé est\n"
    "   publiée dans un enregistrement `monitor_enrolment`, plus tôt dans le même journal, signé\n"
    "   par la clé de l'organisation (`keys/org.vkey`). Un enregistrement modifié d'un seul octet\n"
    "   ne se vérifie plus.\n"
    "2. **Que chaque enregistrement figure dans le journal de l'organisation, à une place fixe.**\n"
    "   Chaque enregistrement est accompagné d'une preuve d'inclusion (`proofs.jsonl`) menant au\n"
    "   point de contrôle (`checkpoint`), signé par la clé du journal (`keys/log.vkey`). Le\n"
    "   journal est en ajout seul : le point de contrôle engage chaque feuille de 0 à sa taille,\n"
    "   dans l'ordre. L'organisation ne peut ni retirer, ni modifier, ni réordonner, ni antidater\n"
    "   un enregistrement sans produire un point de contrôle de racine différente, ce que\n"
    "   remarquera quiconque détient ce point de contrôle (ou un précédent et une preuve de\n"
    "   cohérence).\n"
    "3. **Que les chiffres découlent des enregistrements.** `figures.json` (et le rapport dans\n"
    "   `report/`) est recalculé à partir des incidents listés ici ; chaque ligne de chiffre\n"
    "   nomme les feuilles qu'elle compte, de sorte que chacun peut recompter.\n"
    "4. **Quand chaque enregistrement existait au plus tard (si `timestamps/` est présent).**\n"
    "   Chaque `timestamps/<n>.tsr` est un jeton RFC 3161 d'une autorité d'horodatage portant\n"
    "   sur les octets exacts de `timestamps/<n>.checkpoint`, un point de contrôle signé\n"
    "   antérieur (ou le même) ; `timestamps/<n>.json` contient la preuve de cohérence de ce\n"
    "   point de contrôle vers celui du dossier. Un enregistrement à l'indice de feuille i\n"
    "   existait au plus tard à l'heure du jeton lorsque la taille de ce point de contrôle est\n"
    "   supérieure à i : son *heure prouvée* est celle du premier de ces jetons.\n"
    "   Le chiffre `delay_event_to_proven` compte les incidents selon le délai entre la fin de\n"
    "   l'événement et cette heure (ou `not_proven`) ; `constat verify` le recalcule à partir\n"
    "   des jetons qui se vérifient.\n"
    "   Cela repose sur l'autorité d'horodatage : vérifiez sa chaîne de certificats avec une\n"
    "   autorité de certification en laquelle vous avez confiance (`constat verify --tsa-ca\n"
    "   FICHIER`) plutôt qu'avec `timestamps/<n>.ca.pem`. Un jeton fait pendant la validité du\n"
    "   certificat de l'autorité reste valable après son expiration ; `constat verify` le\n"
    "   signale alors avec les dates du certificat (à la main, `openssl ts -verify` demande\n"
    "   `-attime` dans cette période de validité, car il juge à l'heure actuelle). Il prouve\n"
    "   l'existence à cette heure, jamais que l'événement a eu lieu à ce moment, ni que\n"
    "   l'enregistrement n'a pas été écrit plus tard que ne le dit `recorded_at` mais avant le\n"
    "   jeton (docs/time.md).\n"
    "5. **Que les fichiers de preuve sont ceux qui ont été journalisés, inchangés.** Un\n"
    "   enregistrement `evidence`, signé par un observateur, lie un fichier, par son SHA-256 et\n"
    "   sa taille, à l'incident qu'il nomme. Si `evidence/sha256/` est présent, `constat verify`\n"
    "   recalcule l'empreinte de chaque fichier qui s'y trouve (ou vérifiez avec `sha256sum` : le\n"
    "   nom du fichier est son empreinte). `evidence/files.tsv` donne pour chaque fichier\n"
    "   l'enregistrement qui le lie, son type de média et un nom de fichier avec l'extension de\n"
    "   ce type (`.jpg` pour `image/jpeg`) : copiez le fichier sous ce nom pour l'ouvrir ;\n"
    "   `constat verify` vérifie que cette liste correspond aux enregistrements. Les\n"
    "   enregistrements `custody` sont des déclarations signées de qui a reçu chaque fichier,\n"
    "   dans l'ordre du journal. `constat verify` affiche aussi des *signalements* : heure de\n"
    "   prise de vue à plus d'une heure de l'heure de l'incident, ou position de prise de vue à\n"
    "   plus de 2 km de son lieu, lues dans les métadonnées du fichier lui-même (EXIF). Les\n"
    "   signalements sont des avertissements, jamais des échecs.\n"
    "6. **Que d'autres organisations ont vu cet arbre exact (si le point de contrôle est\n"
    "   cosigné).** Les lignes qui suivent la signature du journal dans `checkpoint` sont des\n"
    "   cosignatures (C2SP tlog-cosignature) de témoins, nommés dans la section Témoins\n"
    "   ci-dessus. Chaque témoin a signé, à l'heure qu'il indique, qu'il a vu le journal signer\n"
    "   cette taille et cette racine, et qu'elles prolongent chaque point de contrôle de ce\n"
    "   journal qu'il avait cosigné auparavant. Un témoin qui conserve son état ne cosigne\n"
    "   jamais plus tard un autre arbre pour ce journal : l'organisation ne peut pas montrer\n"
    "   ensuite une autre histoire pour cette taille sans que ce témoin le remarque. Exigez les\n"
    "   témoins sur lesquels vous vous appuyez, par des clés que vous avez obtenues d'eux, avec\n"
    "   un fichier de politique (`constat verify --witness-policy FICHIER`).\n"
    "7. **Que l'organisation a publié exactement cette sélection et ces fichiers.**\n"
    "   `manifest.sig` est la signature, par la clé de l'organisation, de `manifest.json`, qui\n"
    "   indique la sélection (`filter`, le nombre d'enregistrements `records`, l'origine\n"
    "   `origin` du journal et sa taille `tree_size`) et liste chaque fichier de ce dossier avec\n"
    "   son SHA-256 : enregistrements, preuves, point de contrôle, clés, taxonomie, chiffres, le\n"
    "   rapport dans `report/`, ce texte (VERIFY.md et VERIFY.fr.md), horodatages, fichiers de\n"
    "   preuve et leur liste. Quiconque détient le dossier ne peut ni retirer des\n"
    "   enregistrements (et recalculer les chiffres), ni réécrire le rapport ou ce texte, ni\n"
    "   retirer ou ajouter un fichier sans que la vérification échoue : `constat verify` échoue\n"
    "   si `manifest.sig` manque ou n'est pas valide, si un fichier listé manque ou a changé, et\n"
    "   si un fichier présent n'est pas listé.\n"
    "\n"
    "## Ce qu'il ne prouve PAS\n"
    "\n"
    "- **Ce que les témoins ont vérifié.** Une cosignature ne prouve ni que les enregistrements\n"
    "  sont vrais, ni que le témoin a lu ou vérifié leur contenu, ni quand ils ont été écrits\n"
    "  avant l'heure de la cosignature. Elle ne garantit que l'histoire du journal, et seulement\n"
    "  dans la mesure où le témoin est indépendant de l'organisation et conserve son état (un\n"
    "  témoin qui a perdu sa base de données pourrait cosigner une bifurcation).\n"
    "- **Que les faits se sont déroulés comme décrits.** Une signature montre qui a écrit un\n"
    "  enregistrement et qu'il n'a pas changé depuis ; pas qu'il est vrai. Pesez-le avec la\n"
    "  corroboration d'autres observateurs et d'autres organisations, et avec les fichiers de\n"
    "  preuve liés par empreinte (`evidence`).\n"
    "- **Les enregistrements importés de type `publication`** (`source.type` = `publication`)\n"
    "  attestent seulement qui a relevé quoi, dans quelle source publique (`source.reference`) :\n"
    "  les faits sont ceux de la source, pas l'observation d'un observateur.\n"
    "- **Quand.** `recorded_at` et `occurred` sont indiqués par l'appareil de l'observateur. Le\n"
    "  journal prouve l'ordre ; une date n'est prouvée que par un point de contrôle couvrant\n"
    "  l'enregistrement qui a été publié, cosigné par un témoin ou horodaté de façon\n"
    "  indépendante à une date connue (le point 4 donne une borne supérieure — existence au\n"
    "  plus tard à cette heure — jamais l'heure de l'événement).\n"
    "- **Que les clés appartiennent à qui elles prétendent.** Ce dossier porte ses propres\n"
    "  copies des clés. Épinglez-les : comparez la clé du journal avec une clé que\n"
    "  l'organisation a publiée ailleurs (site web, rapport antérieur, pièce déposée en\n"
    "  justice), et lancez la vérification avec `--trust`.\n"
    "- **L'exhaustivité.** Ceci est une sélection (voir Sélection ci-dessus). Son exhaustivité\n"
    "  est une déclaration de l'organisation : le manifeste signé prouve que l'organisation a\n"
    "  publié cette sélection sous ce filtre, pas qu'aucun enregistrement correspondant n'a été\n"
    "  omis (l'organisation peut toujours choisir une partie de son journal). Les écarts entre\n"
    "  indices de feuilles sont des entrées du journal hors de la sélection (autres incidents,\n"
    "  services, autres enrôlements). Il ne montre pas non plus que les observateurs ont vu\n"
    "  tout ce qui s'est passé. Pour vérifier que rien de ce qui correspond à la sélection n'a\n"
    "  été omis, demandez toutes les feuilles jusqu'à la taille du point de contrôle et\n"
    "  vérifiez-les avec ce même point de contrôle.\n"
    "- **Les champs privés** (récits, noms, coordonnées) n'apparaissent que sous forme\n"
    "  d'engagements dans `private` ; ils prouvent qu'une valeur a été fixée au moment de\n"
    "  l'enregistrement, pas ce qu'elle est.\n"
    "- **Ce que montre un fichier de preuve, ni quand ni où il a été pris.** L'heure et la\n"
    "  position GPS de l'EXIF sont écrites par l'appareil, souvent fausses (horloges d'appareil\n"
    "  non réglées) et faciles à modifier ; le fichier a pu être retouché avant d'être\n"
    "  journalisé. Un signalement est une raison de regarder de plus près, son absence n'est pas\n"
    "  une corroboration, et un fichier sans métadonnées n'est pas suspect. Un enregistrement\n"
    "  `custody` montre qu'un observateur a *déclaré* la remise, pas qu'elle a eu lieu. Les notes\n"
    "  de garde sont un texte public.\n"
    "- **Que la clé de l'organisation est bien celle de l'organisation.** La signature du\n"
    "  manifeste ne vaut que ce que vaut la clé de l'organisation avec laquelle vous la\n"
    "  vérifiez : épinglez-la (ligne `org` du fichier de confiance).\n"
    "\n";

static const char VERIFY_HOW_FR[] =
    "## Vérifier, avec constat\n"
    "\n"
    "    constat verify CE-DOSSIER\n"
    "    constat verify CE-DOSSIER --trust cles-de-confiance.txt\n"
    "    constat verify CE-DOSSIER --trust cles-de-confiance.txt --witness-policy policy.txt\n"
    "\n"
    "`cles-de-confiance.txt` contient des clés que vous avez obtenues de façon indépendante, une\n"
    "par ligne :\n"
    "\n"
    "    log <clé de vérification du journal>\n"
    "    org <clé de vérification de l'organisation>\n"
    "\n"
    "Sans `--trust`, les clés sont prises dans `keys/` et la sortie le dit : le dossier est alors\n"
    "montré cohérent avec lui-même, pas rattaché à l'organisation. Code de sortie : 0 toutes les\n"
    "vérifications ont réussi ; 1 une vérification a échoué (chaque échec nomme la feuille,\n"
    "l'identifiant de l'enregistrement et la vérification) ; 2 entrée invalide ; 3 erreur de\n"
    "fichier ou du système. La vérification n'a besoin d'aucun réseau.\n"
    "\n"
    "`policy.txt` nomme les témoins sur lesquels vous vous appuyez et combien doivent avoir\n"
    "cosigné :\n"
    "\n"
    "    witness <nom> <clé de vérification du témoin, type 0x04>\n"
    "    quorum <k>\n"
    "\n"
    "La sortie indique quels témoins listés ont cosigné, et quand. Moins de k cosignatures\n"
    "valides, ou la cosignature d'un témoin listé qui ne se vérifie pas, est un échec.\n"
    "\n"
    "## Vérifier à la main, avec d'autres outils\n"
    "\n"
    "- **Fichiers.** La ligne *i* de `records.jsonl` et la ligne *i* de `proofs.jsonl` décrivent\n"
    "  la même feuille. Les indices de feuilles sont croissants. Le `sha256sum` de chaque fichier\n"
    "  est égal à son entrée dans `files` de `manifest.json`, et `files` liste tous les fichiers\n"
    "  du dossier sauf `manifest.json` et `manifest.sig`.\n"
    "- **Fichiers de preuve.** `evidence/files.tsv` (valeurs séparées par des tabulations, une\n"
    "  ligne d'en-tête) donne pour chaque fichier de `evidence/sha256/` : son chemin,\n"
    "  l'identifiant de l'enregistrement `evidence` qui le lie, l'incident, le type de média et\n"
    "  un nom suggéré avec l'extension de ce type. Le fichier lié reste celui qui porte son\n"
    "  empreinte pour nom ; une copie sous le nom suggéré s'ouvre avec le logiciel habituel.\n"
    "- **Signature du manifeste.** `manifest.sig` est `{\"key_id\":\"<nom>+<hex8>\",\n"
    "  \"signature\":\"<base64>\"}` : une signature Ed25519 par la clé de l'organisation sur les\n"
    "  octets `constat-manifest-v1` et un saut de ligne, suivis de `manifest.json` exactement tel\n"
    "  qu'il est stocké.\n"
    "- **Empreinte de feuille** (RFC 9162 section 2.1.1) : SHA-256 d'un octet nul suivi des\n"
    "  octets de la ligne sans son saut de ligne. Elle doit être égale à `leaf_hash` (base64) de\n"
    "  la même ligne de `proofs.jsonl` :\n"
    "\n"
    "      sed -n 1p records.jsonl | tr -d '\\n' | { printf '\\000'; cat; } |\n"
    "        openssl dgst -sha256 -binary | base64\n"
    "\n"
    "- **Signature de la feuille et de l'enregistrement.** Une feuille est le JSON canonique\n"
    "  RFC 8785 (JCS) `{\"key_id\":...,\"record\":{...},\"signature\":...}`. La signature (base64,\n"
    "  Ed25519) porte sur les octets `constat-record-v1` et un saut de ligne, suivis de la valeur\n"
    "  `record` exactement telle qu'elle figure dans la feuille (c'est sa forme JCS). `key_id`\n"
    "  est `nom+hex8` : le nom de la clé et les 4 premiers octets, en hexadécimal, de\n"
    "  SHA-256(nom, 0x0A, 0x01, clé publique).\n"
    "- **Clés de vérification** (C2SP signed-note) : `nom+hex8+base64(0x01 || clé publique\n"
    "  Ed25519 de 32 octets)`. La clé d'un observateur est le `vkey` de son enregistrement\n"
    "  `monitor_enrolment` ; l'enrôlement est signé par la clé de l'organisation, et le nom de\n"
    "  l'observateur est le nom de la clé.\n"
    "- **Point de contrôle** (C2SP tlog-checkpoint, une note signée) : trois lignes de texte\n"
    "  (l'origine, la taille de l'arbre en décimal, l'empreinte racine en base64), une ligne\n"
    "  vide, puis des lignes de signature `— <nom de la clé> <base64(identifiant de clé de 4\n"
    "  octets || signature de 64 octets)>`. La signature Ed25519 porte sur le texte jusqu'au saut\n"
    "  de ligne qui termine la dernière ligne de texte, inclus. L'origine doit être le nom de la\n"
    "  clé du journal.\n"
    "- **Cosignatures** (C2SP tlog-cosignature) : une ligne `— <nom du témoin>\n"
    "  <base64(identifiant de clé de 4 octets || heure de 8 octets gros-boutiste || signature de\n"
    "  64 octets)>`. L'identifiant de clé se calcule comme pour les autres clés, avec 0x04 à la\n"
    "  place de 0x01 ; la signature Ed25519 porte sur `cosignature/v1`, un saut de ligne,\n"
    "  `time <heure en décimal>`, un saut de ligne, puis le texte du point de contrôle.\n"
    "- **Preuve d'inclusion** (RFC 9162 section 2.1.3.2) : avec l'indice de feuille `fn`, la\n"
    "  taille de l'arbre `n`, `sn = n - 1`, `r = leaf_hash` ; pour chaque empreinte `p` de\n"
    "  `proof`, dans l'ordre : si `sn` vaut 0, échec ; si `fn` est impair ou `fn == sn`, poser\n"
    "  `r = SHA-256(0x01 || p || r)` puis, tant que `fn` est pair et non nul, diviser `fn` et\n"
    "  `sn` par deux ; sinon poser `r = SHA-256(0x01 || r || p)` ; puis diviser `fn` et `sn` par\n"
    "  deux (division entière). À la fin, `sn` doit valoir 0 et `r` doit être égal à la racine du\n"
    "  point de contrôle.\n"
    "- **Chiffres.** Chaque ligne de `figures.json` donne une clé, une valeur et les indices des\n"
    "  feuilles qu'elle compte ; la valeur est un décompte, ou une somme, sur exactement ces\n"
    "  incidents (les définitions sont dans docs/indicators.md de constat).\n"
    "  `report/figures.json` est le même fichier.\n";

/* Values from the vault and the caller (organisation name, origin, the
 * filter's place text) are escaped for Markdown text (constat/base/text.h):
 * a newline in the organisation's name cannot start a line of its own that
 * reads as one of ours, nor a U+202E reorder the keys a reader compares. */
static constat_status verify_md(constat_buf *b, const char *org, const char *origin,
                                uint64_t size, const uint8_t root[32], const char *logvk,
                                const char *orgvk, uint64_t records, uint64_t incidents,
                                uint64_t monitors, const char *scope, const char *when,
                                const char *witnesses_md, const char *log_rot_md, int french)
{
    char root64[64];
    constat_status rc;
    constat_buf e[6];
    const char *raw[6] = {org, origin, logvk, orgvk, scope, when};

    constat_base64(root, 32, root64);
    rc = CONSTAT_OK;
    for (size_t i = 0; i < 6; i++) {
        constat_buf_init(&e[i]);
        if (rc == CONSTAT_OK)
            rc = constat_text_escape(&e[i], raw[i] ? raw[i] : "");
        if (rc == CONSTAT_OK)
            rc = constat_buf_append(&e[i], "", 1); /* a string even when empty */
    }
    if (rc == CONSTAT_OK && french)
        rc = constat_buf_printf(b,
                                "# Vérifier ce dossier\n"
                                "\n"
                                "- Organisation : %s\n"
                                "- Journal : %s\n"
                                "- Point de contrôle : taille de l'arbre %" PRIu64
                                ", racine `%s`\n"
                                "- Clé du journal : `%s`\n"
                                "- Clé de l'organisation : `%s`\n"
                                "- Enregistrements : %" PRIu64 " (%" PRIu64 " incidents, %" PRIu64
                                " enrôlements d'observateurs)\n"
                                "- Sélection : %s\n"
                                "- Écrit le : %s\n"
                                "\n"
                                "Ce dossier permet à chacun de vérifier, hors ligne et sans faire\n"
                                "confiance à l'organisation, ce que ses enregistrements prouvent.\n"
                                "Comparez les deux clés ci-dessus avec des copies publiées ailleurs\n"
                                "avant de vous y fier. Le même texte en anglais est dans `VERIFY.md`.\n"
                                "\n",
                                (const char *)e[0].data, (const char *)e[1].data, size, root64,
                                (const char *)e[2].data, (const char *)e[3].data, records,
                                incidents, monitors, (const char *)e[4].data,
                                (const char *)e[5].data);
    else if (rc == CONSTAT_OK)
        rc = constat_buf_printf(b,
                                "# Verifying this dossier\n"
                                "\n"
                                "- Organisation: %s\n"
                                "- Log: %s\n"
                                "- Checkpoint: tree size %" PRIu64 ", root `%s`\n"
                                "- Log key: `%s`\n"
                                "- Organisation key: `%s`\n"
                                "- Records: %" PRIu64 " (%" PRIu64 " incidents, %" PRIu64
                                " monitor enrolments)\n"
                                "- Selection: %s\n"
                                "- Written: %s\n"
                                "\n"
                                "This folder lets anyone check, offline and without trusting the\n"
                                "organisation, what its records prove. Compare the two keys above\n"
                                "with copies published elsewhere before relying on them.\n"
                                "The same text in French is in `VERIFY.fr.md`.\n"
                                "\n",
                                (const char *)e[0].data, (const char *)e[1].data, size, root64,
                                (const char *)e[2].data, (const char *)e[3].data, records,
                                incidents, monitors, (const char *)e[4].data,
                                (const char *)e[5].data);
    for (size_t i = 0; i < 6; i++)
        constat_buf_free(&e[i]);
    /* after a log key rotation: which key signs which checkpoints */
    if (rc == CONSTAT_OK && log_rot_md && log_rot_md[0])
        rc = constat_text_escape_n(b, log_rot_md, strlen(log_rot_md), CONSTAT_ESC_KEEP_NEWLINE);
    /* the witnesses section names witnesses by their key names, taken from
     * their cosignatures: its own line breaks kept, anything else escaped */
    if (rc == CONSTAT_OK)
        rc = constat_text_escape_n(b, witnesses_md, witnesses_md ? strlen(witnesses_md) : 0,
                                   CONSTAT_ESC_KEEP_NEWLINE);
    if (rc == CONSTAT_OK)
        rc = constat_buf_puts(b, french ? VERIFY_PROVES_FR : VERIFY_PROVES);
    if (rc == CONSTAT_OK)
        rc = constat_buf_puts(b, french ? VERIFY_HOW_FR : VERIFY_HOW);
    return rc;
}

/* ---- writing ---------------------------------------------------------------- */

/* manifest.sig: the organisation key signs "constat-manifest-v1\n" ||
 * manifest.json, so that the selection (filter, record count), the file list
 * and every file's hash (report, VERIFY.md, figures) are the organisation's
 * statement: a holder of the dossier cannot drop records, rewrite the report
 * or add a file and still verify. JCS {"key_id","signature"}. */
static constat_status sign_manifest(constat_vault *v, const char *tmp, const constat_buf *man,
                                    constat_error *err)
{
    static const char ctx[] = "constat-manifest-v1\n";
    const constat_note_signer *org = constat_vault_org_key(v);
    constat_buf msg, out;
    uint8_t sig[crypto_sign_BYTES];
    char kid[CONSTAT_KEY_NAME_MAX + 16], sig64[100];
    json_t *o;
    constat_status rc;

    if (!org)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "manifest.sig: the vault's organisation key is not available");
    constat_buf_init(&msg);
    constat_buf_init(&out);
    if (constat_buf_append(&msg, ctx, sizeof ctx - 1) != CONSTAT_OK ||
        constat_buf_append(&msg, man->data, man->len) != CONSTAT_OK) {
        constat_buf_free(&msg);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    crypto_sign_detached(sig, NULL, msg.data, msg.len, org->sk);
    constat_buf_free(&msg);
    constat_record_key_id(&org->pub, kid, sizeof kid);
    constat_base64(sig, sizeof sig, sig64);
    o = json_pack("{s:s, s:s}", "key_id", kid, "signature", sig64);
    if (!o)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    rc = constat_canon(o, &out, err);
    json_decref(o);
    if (rc == CONSTAT_OK)
        rc = write_file(tmp, "manifest.sig", out.data, out.len, err);
    constat_buf_free(&out);
    return rc;
}

/* sel_ref pointers by leaf index */
static int selref_idx_cmp(const void *a, const void *b)
{
    uint64_t x = (*(sel_ref *const *)a)->index, y = (*(sel_ref *const *)b)->index;
    return x < y ? -1 : x > y;
}

static int u64cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int strpcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Proven times as the dossier's verifier will recompute them: from the
 * tokens constat_tsa_dossier_write puts in timestamps/ (checkpoint size
 * 0 < s <= tree_size), so that delay_event_to_proven verifies. */
static constat_status dossier_times(constat_vault *v, uint64_t tree_size,
                                    const constat_indexed_record *recs, size_t n,
                                    constat_proven_time *out, constat_error *err)
{
    constat_tsa_timeline tl;
    constat_status rc;

    constat_tsa_timeline_init(&tl);
    rc = constat_tsa_timeline_load_upto(v, tree_size, &tl, err);
    for (size_t i = 0; rc == CONSTAT_OK && i < n; i++)
        out[i].proven = constat_tsa_timeline_proven(&tl, recs[i].index, &out[i].time, NULL);
    constat_tsa_timeline_free(&tl);
    return rc;
}

/* ---- inclusion proofs for many leaves ----------------------------------- */

/* Proofs of leaves taken in ascending order share most of their nodes, and
 * a node below a tile's top is hashed from up to 128 of the tile's hashes.
 * This node reader (the vault's, plus memory) keeps the last tile read at
 * each tile level and the last two nodes of each level, so a dossier of
 * every leaf hashes each node about once instead of once per proof. */
typedef struct {
    int have;
    uint64_t n;
    unsigned width;
    uint8_t h[CONSTAT_TILE_WIDTH * CONSTAT_HASH_SIZE];
} ptile;

typedef struct {
    int have;
    uint64_t index;
    uint8_t h[CONSTAT_HASH_SIZE];
} pnode;

typedef struct {
    constat_vault *v;
    ptile tile[8];        /* node level / 8 */
    pnode node[64][2];
    unsigned next[64];
    constat_buf tmp;
} prover;

/* Tile (level tl, index n) holding at least `need` hashes: a full tile if
 * the vault has it, else exactly the hashes needed (the right edge). */
static constat_status prover_tile(prover *p, unsigned tl, uint64_t n, unsigned need,
                                  const ptile **out, constat_error *err)
{
    ptile *t = &p->tile[tl];
    constat_status st;
    unsigned w = CONSTAT_TILE_WIDTH;

    if (!t->have || t->n != n || t->width < need) {
        t->have = 0;
        constat_buf_reset(&p->tmp);
        st = constat_vault_tile(p->v, tl, n, w, &p->tmp, err);
        if (st == CONSTAT_ENOTFOUND) {
            w = need;
            constat_buf_reset(&p->tmp);
            st = constat_vault_tile(p->v, tl, n, w, &p->tmp, err);
        }
        if (st == CONSTAT_ENOTFOUND)
            return constat_error_set(err, CONSTAT_EIO,
                                     "vault.db: tile %u/%" PRIu64 " is missing or has fewer "
                                     "than %u hashes", tl, n, need);
        if (st != CONSTAT_OK)
            return st;
        memcpy(t->h, p->tmp.data, (size_t)w * CONSTAT_HASH_SIZE);
        t->width = w;
        t->n = n;
        t->have = 1;
    }
    *out = t;
    return CONSTAT_OK;
}

/* constat_node_reader: node (level, i) is the root of 2^(level % 8)
 * consecutive hashes of tile level level / 8, as in the vault. */
static constat_status prover_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                  constat_error *err)
{
    prover *p = ctx;
    constat_tile_span sp;
    const ptile *t = NULL;
    pnode *slot;
    constat_status st;

    if ((st = constat_tile_node_span(level, index, 0, &sp, err)) != CONSTAT_OK)
        return st;
    for (int i = 0; i < 2; i++)
        if (p->node[level][i].have && p->node[level][i].index == index) {
            memcpy(out, p->node[level][i].h, 32);
            return CONSTAT_OK;
        }
    st = prover_tile(p, sp.tile_level, sp.tile_n, sp.width, &t, err);
    if (st != CONSTAT_OK)
        return st;
    constat_tile_subtree_root(t->h + (size_t)sp.off * CONSTAT_HASH_SIZE, sp.count, out);
    slot = &p->node[level][p->next[level]];
    p->next[level] ^= 1;
    slot->have = 1;
    slot->index = index;
    memcpy(slot->h, out, 32);
    return CONSTAT_OK;
}

/* ---- figures and report, beside the records ----------------------------- */

/* The figures and the report need only the records already parsed; they
 * are computed and written on a thread of their own while this one copies
 * the leaves and their proofs out of the vault. */
typedef struct {
    const char *tmp;
    const constat_indexed_record *recs;
    size_t nr, nsel;
    const constat_taxonomy *tax;
    const constat_proven_time *times;
    const constat_report_meta *meta;
    json_t *figures;      /* out */
    constat_status rc;
    constat_error err;
} report_job;

static void *report_thread(void *arg)
{
    report_job *j = arg;
    constat_buf b;
    char rd[4200];

    constat_buf_init(&b);
    constat_error_clear(&j->err);
    j->rc = constat_figures_compute_timed(j->recs, j->nr, j->tax, j->times, &j->figures,
                                          &j->err);
    if (j->rc == CONSTAT_OK)
        j->rc = constat_canon(j->figures, &b, &j->err);
    if (j->rc == CONSTAT_OK)
        j->rc = write_file(j->tmp, "figures.json", b.data, b.len, &j->err);
    constat_buf_free(&b);
    if (j->rc != CONSTAT_OK)
        return NULL;
    constat_bprintf(rd, sizeof rd, "%s/report", j->tmp);
    {
        /* the selected incidents (first in recs) and the erasures, which the
         * report marks; the verifier hands it the same (verify.c) */
        constat_indexed_record *rr = malloc((j->nr + 1) * sizeof *rr);
        constat_proven_time *rt = malloc((j->nr + 1) * sizeof *rt);
        size_t k = 0;
        if (!rr || !rt) {
            j->rc = constat_error_set(&j->err, CONSTAT_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < j->nr; i++) {
                const char *kind = json_string_value(json_object_get(j->recs[i].record,
                                                                     "kind"));
                if (i < j->nsel || (kind && strcmp(kind, "erasure") == 0)) {
                    rr[k] = j->recs[i];
                    if (j->times)
                        rt[k] = j->times[i];
                    k++;
                }
            }
            j->rc = constat_report_write_timed(rd, rr, k, j->tax, j->times ? rt : NULL,
                                               j->figures, j->meta, &j->err);
        }
        free(rr);
        free(rt);
    }
    return NULL;
}

typedef struct {
    char first[CONSTAT_ERROR_MSG_MAX];
    int n;
} selfcheck;

static void selfcheck_fail(void *ctx, int64_t index, const char *msg)
{
    selfcheck *sc = ctx;
    (void)index;
    if (sc->n++ == 0)
        constat_bprintf(sc->first, sizeof sc->first, "%s", msg);
}

static constat_status dir_usable(const char *outdir, constat_error *err)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int empty = 1;

    if (lstat(outdir, &st) != 0) {
        if (errno == ENOENT)
            return CONSTAT_OK;
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", outdir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return constat_error_set(err, CONSTAT_ECONFLICT, "%s: exists and is not a directory",
                                 outdir);
    d = opendir(outdir);
    if (!d)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", outdir, strerror(errno));
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    closedir(d);
    if (!empty)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "%s: exists and is not empty; choose a new folder", outdir);
    return CONSTAT_OK;
}

/* records.jsonl, proofs.jsonl, checkpoint, keys/, taxonomy.json and
 * timestamps/ into tmp. */
static constat_status write_leaves(constat_vault *v, const char *tmp, const uint64_t *order,
                                   size_t norder, const constat_checkpoint *cp,
                                   const constat_buf *note, const char *logvk,
                                   const char *orgvk, const char *taxonomy_path,
                                   constat_error *err)
{
    constat_buf b, line;
    FILE *rf = NULL, *pf = NULL;
    prover *pv = NULL;
    constat_status rc = CONSTAT_OK;

    constat_buf_init(&b);
    constat_buf_init(&line);
    pv = calloc(1, sizeof *pv);
    if (!pv) {
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto done;
    }
    pv->v = v;
    constat_buf_init(&pv->tmp);
    {
        char rp[4200], pp[4200];
        constat_bprintf(rp, sizeof rp, "%s/records.jsonl", tmp);
        constat_bprintf(pp, sizeof pp, "%s/proofs.jsonl", tmp);
        rf = fopen(rp, "wbx");
        pf = fopen(pp, "wbx");
        if (!rf || !pf) {
            rc = constat_error_set(err, CONSTAT_EIO, "%s: cannot create: %s", tmp,
                                   strerror(errno));
            goto done;
        }
        for (size_t i = 0; i < norder; i++) {
            constat_proof proof;
            uint8_t lh[32];
            char b64[64];

            constat_buf_reset(&b);
            constat_buf_reset(&line);
            rc = constat_vault_leaf(v, order[i], &b, err);
            if (rc == CONSTAT_OK)
                rc = constat_merkle_prove_inclusion(prover_node, pv, order[i], cp->size, &proof,
                                                    err);
            if (rc != CONSTAT_OK)
                goto done;
            constat_merkle_leaf_hash(b.data, b.len, lh);
            constat_base64(lh, 32, b64);
            rc = constat_buf_printf(&line, "{\"index\":%" PRIu64 ",\"leaf_hash\":\"%s\","
                                    "\"proof\":[", order[i], b64);
            for (size_t k = 0; rc == CONSTAT_OK && k < proof.n; k++) {
                constat_base64(proof.hash[k], 32, b64);
                rc = constat_buf_printf(&line, "%s\"%s\"", k ? "," : "", b64);
            }
            if (rc == CONSTAT_OK)
                rc = constat_buf_puts(&line, "]}\n");
            if (rc != CONSTAT_OK) {
                rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                goto done;
            }
            if (fwrite(b.data, 1, b.len, rf) != b.len || fputc('\n', rf) == EOF ||
                fwrite(line.data, 1, line.len, pf) != line.len) {
                rc = constat_error_set(err, CONSTAT_EIO, "%s: write failed: %s", tmp,
                                       strerror(errno));
                goto done;
            }
        }
        {
            int bad = fflush(rf) != 0 || fsync(fileno(rf)) != 0;
            bad |= fflush(pf) != 0 || fsync(fileno(pf)) != 0;
            bad |= fclose(rf) != 0;
            bad |= fclose(pf) != 0;
            rf = pf = NULL;
            if (bad) {
                rc = constat_error_set(err, CONSTAT_EIO, "%s: write failed: %s", tmp,
                                       strerror(errno));
                goto done;
            }
        }
    }

    /* checkpoint, keys, taxonomy */
    rc = write_file(tmp, "checkpoint", note->data, note->len, err);
    if (rc != CONSTAT_OK)
        goto done;
    {
        char kd[4200];
        constat_bprintf(kd, sizeof kd, "%s/keys", tmp);
        if (mkdir(kd, 0755) != 0) {
            rc = constat_error_set(err, CONSTAT_EIO, "%s: %s", kd, strerror(errno));
            goto done;
        }
    }
    constat_buf_reset(&b);
    if (constat_buf_printf(&b, "%s\n", logvk) != CONSTAT_OK) {
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto done;
    }
    rc = write_file(tmp, "keys/log.vkey", b.data, b.len, err);
    if (rc != CONSTAT_OK)
        goto done;
    constat_buf_reset(&b);
    if (constat_buf_printf(&b, "%s\n", orgvk) != CONSTAT_OK) {
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto done;
    }
    rc = write_file(tmp, "keys/org.vkey", b.data, b.len, err);
    if (rc != CONSTAT_OK)
        goto done;
    constat_buf_reset(&b);
    rc = slurp(taxonomy_path, CONSTAT_DOSSIER_JSON_MAX, &b, err);
    if (rc == CONSTAT_OK)
        rc = write_file(tmp, "taxonomy.json", b.data, b.len, err);
    if (rc != CONSTAT_OK)
        goto done;
    /* RFC 3161 tokens over this checkpoint or earlier ones (tsa.h) */
    rc = constat_tsa_dossier_write(v, tmp, cp->size, NULL, err);
done:
    if (rf)
        fclose(rf);
    if (pf)
        fclose(pf);
    if (pv)
        constat_buf_free(&pv->tmp);
    free(pv);
    constat_buf_free(&b);
    constat_buf_free(&line);
    return rc;
}

constat_status constat_dossier_write(constat_vault *v, const char *outdir,
                                     const constat_dossier_filter *f,
                                     const constat_taxonomy *tax, const char *taxonomy_path,
                                     constat_dossier_summary *out, constat_error *err)
{
    return constat_dossier_write_opt(v, outdir, f, tax, taxonomy_path, 0, out, err);
}

/* Everything constat_dossier_write_opt carries from one step to the next. */
typedef struct {
    constat_vault *v;
    const constat_dossier_filter *f;
    const constat_taxonomy *tax;
    const char *taxonomy_path;
    unsigned flags;
    int public_k; /* 0, or a public dossier with this k (public_dossier.h) */
    const void *published; /* a published-figures CSV, or NULL */
    size_t published_len;
    constat_buf validation; /* its table (constat_validation_html), maybe empty */
    constat_error *err;
    collect_ctx cc;
    constat_buf note;   /* the checkpoint, with the witnesses' cosignatures */
    constat_buf scope;  /* constat_dossier_filter_describe(f), NUL-terminated */
    constat_checkpoint cp;
    const constat_note_verifier *logv, *orgv;
    constat_note_verifier org_first; /* the chain's first organisation key (keys/org.vkey) */
    int have_first;
    constat_note_verifier log_first; /* the chain's first log key (keys/log.vkey) */
    int have_log_first;
    char lognow[CONSTAT_DOSSIER_VKEY_MAX]; /* the key that signs the checkpoint (public/) */
    char log_rot_md[2][2048];  /* VERIFY.md, VERIFY.fr.md: the log key transitions */
    char tmp[4200], dirclean[4096], logvk[CONSTAT_DOSSIER_VKEY_MAX],
        orgvk[CONSTAT_DOSSIER_VKEY_MAX], when[32];
    uint64_t *order;    /* leaf indices written, ascending */
    size_t norder, nmon, nfiles;
    size_t namend;      /* corrections and retractions among cc.ev */
    size_t nevidence;   /* evidence and custody records among cc.ev */
    constat_indexed_record *recs; /* incidents, then evidence and custody records */
    size_t nr;
    constat_proven_time *times; /* parallel to recs */
    json_t *figures;
    int made_tmp;
    constat_dossier_cosig cosigs[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];
    size_t ncosigs, nwitnesses;
    constat_report_meta meta;
    report_job rj;
    /* the display name (init --org-name; "" when none) and the organisation
     * as the report shows it: "DISPLAY (KEY)" */
    char org_name[CONSTAT_ORG_DISPLAY_MAX + 2], org_shown[CONSTAT_ORG_DISPLAY_MAX + 160];
} dossier_job;

/* Check the arguments and the filter; the output folder, without trailing
 * slashes, into dirclean, and it must be absent or empty. */
static constat_status dw_check_args(dossier_job *j, const char *outdir)
{
    constat_error *err = j->err;
    constat_status rc;
    size_t dl;

    if (!j->v || !outdir || !*outdir || !j->tax || !j->taxonomy_path)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "dossier: vault, folder, taxonomy and its path are required");
    /* a public dossier is published: the evidence files would publish
     * their EXIF GPS positions (docs/dossier.md "Public dossier") */
    if (j->public_k && (j->flags & CONSTAT_DOSSIER_WITH_EVIDENCE))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "dossier: --public with --with-evidence: a public dossier is "
                                 "published, and the evidence files would publish what they "
                                 "hold (the EXIF GPS position of a photo, faces); write the "
                                 "public dossier without --with-evidence (the hashes travel); "
                                 "nothing written");
    rc = constat_dossier_filter_check(j->f, j->tax, err);
    if (rc != CONSTAT_OK)
        return rc;
    dl = strlen(outdir);
    while (dl > 1 && outdir[dl - 1] == '/')
        dl--;
    if (dl > 3000)
        return constat_error_set(err, CONSTAT_EINVAL, "dossier: folder path too long");
    memcpy(j->dirclean, outdir, dl);
    j->dirclean[dl] = '\0';
    return dir_usable(j->dirclean, err);
}

/* The vault's checkpoint, opened and parsed, with the cosignatures of the
 * witnesses that cover it added to the note. */
static constat_status dw_checkpoint(dossier_job *j)
{
    constat_error *err = j->err;
    constat_note opened;
    constat_buf cosigned;
    constat_status rc;

    /* The checkpoint first: everything else is cut at its size. */
    rc = constat_vault_checkpoint(j->v, &j->note, err);
    if (rc != CONSTAT_OK)
        return rc;
    j->logv = &constat_vault_log_key(j->v)->pub;
    j->orgv = j->have_first ? &j->org_first : &constat_vault_org_key(j->v)->pub;
    rc = constat_note_open((const char *)j->note.data, j->note.len, j->logv, 1, &opened, err);
    if (rc == CONSTAT_OK)
        rc = constat_checkpoint_parse((const char *)j->note.data, opened.text_len, &j->cp, err);
    if (rc != CONSTAT_OK) {
        constat_error_prefix(err, "the vault's checkpoint: ");
        return rc;
    }
    /* The witnesses' cosignatures travel in the same file when they cover
     * this very checkpoint (witness_policy.h); the log signature and the
     * proofs read it unchanged, since unknown signature lines are ignored. */
    constat_buf_init(&cosigned);
    rc = constat_witness_dossier_note(j->v, (const char *)j->note.data, j->note.len, &cosigned,
                                      j->cosigs, CONSTAT_WITNESS_POLICY_MAX_WITNESSES,
                                      &j->ncosigs, &j->nwitnesses, err);
    if (rc == CONSTAT_OK) {
        constat_buf t = j->note;
        j->note = cosigned;
        cosigned = t;
    }
    constat_buf_free(&cosigned);
    return rc;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A filter listing record ids (filter.ids): each is a selected incident,
 * else CONSTAT_ENOTFOUND naming the first that is not. */
static constat_status dw_ids_found(dossier_job *j)
{
    const char **got = malloc((j->cc.nsel + 1) * sizeof *got);
    constat_status rc = CONSTAT_OK;
    size_t n = 0;

    if (!got)
        return constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < j->cc.nsel; i++) {
        const char *id = json_string_value(json_object_get(j->cc.sel[i].record, "id"));
        if (id)
            got[n++] = id;
    }
    qsort(got, n, sizeof *got, str_cmp);
    for (size_t i = 0; i < j->f->nids; i++)
        if (!bsearch(&j->f->ids[i], got, n, sizeof *got, str_cmp)) {
            rc = constat_error_set(j->err, CONSTAT_ENOTFOUND,
                                   "filter.ids[%zu]: \"%.128s\" is no incident of the log (up to "
                                   "the checkpoint of size %" PRIu64 "): no dossier written",
                                   i, j->f->ids[i], j->cp.size);
            break;
        }
    free(got);
    return rc;
}

/* Read the checkpoint's leaves into cc: the selected incidents, every
 * enrolment, every evidence and custody record; none selected is an error. */
static constat_status dw_collect(dossier_job *j)
{
    constat_error *err = j->err;
    constat_status rc;
    constat_buf what;

    j->cc.f = j->f;
    j->cc.err = err;
    rc = constat_vault_leaves_parsed(j->v, 0, j->cp.size, 0, collect_one, &j->cc, err);
    if (j->cc.rc != CONSTAT_OK)
        rc = j->cc.rc;
    if (rc == CONSTAT_OK && j->f && j->f->nids)
        rc = dw_ids_found(j);
    if (rc != CONSTAT_OK || j->cc.nsel > 0)
        return rc;
    /* An empty dossier proves nothing and usually means a mistyped filter. */
    constat_buf_init(&what);
    if (constat_dossier_filter_describe(j->f, 0, &what) != CONSTAT_OK ||
        constat_buf_append(&what, "", 1) != CONSTAT_OK)
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    else
        rc = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "no incident matches the selection (%.600s) among the %" PRIu64
                               " leaves of the checkpoint: no dossier written",
                               (const char *)what.data, j->cp.size);
    constat_buf_free(&what);
    return rc;
}

/* The enrolment before index that enrols key_id, or cc->nen if none does. */
static size_t dw_enrolment_of(const collect_ctx *cc, const char *key_id, uint64_t index)
{
    size_t j;
    for (j = 0; j < cc->nen; j++)
        if (strcmp(cc->en[j].key_id, key_id) == 0 && cc->en[j].index < index)
            break;
    return j;
}

/* Mark the enrolments the selected incidents, and then their evidence and
 * custody records (chosen here), were signed under; an unenrolled signer
 * is an error. */
static constat_status dw_need_enrolments(dossier_job *j)
{
    collect_ctx *cc = &j->cc;
    constat_status rc;

    /* Each selected incident brings the enrolment of the key that signed it. */
    for (size_t i = 0; i < cc->nsel; i++) {
        size_t e = dw_enrolment_of(cc, cc->sel[i].key_id, cc->sel[i].index);
        if (e == cc->nen) {
            json_t *id = json_object_get(cc->sel[i].record, "id");
            return constat_error_set(j->err, CONSTAT_EVERIFY,
                                     "leaf %" PRIu64 " (record %.128s): signed by key %.128s, "
                                     "which no earlier enrolment in the vault enrols",
                                     cc->sel[i].index,
                                     json_is_string(id) ? json_string_value(id) : "?",
                                     cc->sel[i].key_id);
        }
        cc->en[e].needed = 1;
    }
    /* Evidence and custody records of the selected incidents travel with
     * them, and so do the corrections and retractions of what travels; all
     * bring their signers' enrolments too. */
    rc = select_evidence(cc, j->err);
    if (rc != CONSTAT_OK)
        return rc;
    for (size_t i = 0; i < cc->nev; i++) {
        const char *k = json_string_value(json_object_get(cc->ev[i].record, "kind"));
        if (k && (strcmp(k, "correction") == 0 || strcmp(k, "retraction") == 0))
            j->namend++;
        else if (k && (strcmp(k, "evidence") == 0 || strcmp(k, "custody") == 0))
            j->nevidence++;
    }
    for (size_t i = 0; i < cc->nev; i++) {
        const char *k = json_string_value(json_object_get(cc->ev[i].record, "kind"));
        size_t e;
        if (k && (strcmp(k, "revocation") == 0 || strcmp(k, "key_transition") == 0))
            continue; /* signed by the organisation key, as enrolments are */
        if (k && (strcmp(k, "register") == 0 || strcmp(k, "pseudonym_binding") == 0))
            continue; /* signed by the organisation key, which travels anyway */
        if (k && strcmp(k, "erasure") == 0) { /* the organisation's (docs/vault.md "Erasure") */
            char ok[CONSTAT_KEY_NAME_MAX + 16];
            constat_record_key_id(&constat_vault_org_key(j->v)->pub, ok, sizeof ok);
            if (strcmp(cc->ev[i].key_id, ok) == 0 ||
                (strncmp(cc->ev[i].key_id, constat_vault_org(j->v), strlen(constat_vault_org(j->v))) == 0 &&
                 cc->ev[i].key_id[strlen(constat_vault_org(j->v))] == '+'))
                continue; /* a retired organisation key's (its name is the org's) */
        }
        e = dw_enrolment_of(cc, cc->ev[i].key_id, cc->ev[i].index);
        if (e == cc->nen)
            return constat_error_set(j->err, CONSTAT_EVERIFY,
                                     "leaf %" PRIu64 ": signed by key %.128s, which no earlier "
                                     "enrolment in the vault enrols", cc->ev[i].index,
                                     cc->ev[i].key_id);
        cc->en[e].needed = 1;
    }
    return CONSTAT_OK;
}

/* The leaves to write, ascending, into order; the incidents, then their
 * evidence and custody records, into recs. */
static constat_status dw_order(dossier_job *j)
{
    const collect_ctx *cc = &j->cc;

    j->order = malloc((cc->nsel + cc->nev + cc->nen + 1) * sizeof *j->order);
    j->recs = malloc((cc->nsel + cc->nev + 1) * sizeof *j->recs);
    if (!j->order || !j->recs)
        return constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < cc->nsel; i++) {
        j->order[j->norder++] = cc->sel[i].index;
        j->recs[i].index = cc->sel[i].index;
        j->recs[i].record = json_incref(cc->sel[i].record);
    }
    for (size_t i = 0; i < cc->nev; i++)
        j->order[j->norder++] = cc->ev[i].index;
    for (size_t e = 0; e < cc->nen; e++)
        if (cc->en[e].needed) {
            j->order[j->norder++] = cc->en[e].index;
            j->nmon++;
        }
    qsort(j->order, j->norder, sizeof *j->order, u64cmp);
    j->nr = cc->nsel;
    for (size_t i = 0; i < cc->nev; i++) {
        j->recs[j->nr].index = cc->ev[i].index;
        j->recs[j->nr].record = json_incref(cc->ev[i].record);
        j->nr++;
    }
    /* the figures read the pseudonyms of records signed offline */
    return constat_records_join_pseudonyms(j->recs, j->nr, j->err);
}

/* The temporary sibling folder every file goes into until the rename. */
static constat_status dw_mktemp(dossier_job *j)
{
    constat_bprintf(j->tmp, sizeof j->tmp, "%s.tmp-XXXXXX", j->dirclean);
    if (!mkdtemp(j->tmp))
        return constat_error_set(j->err, CONSTAT_EIO,
                                 "%s: cannot create a temporary folder: %s", j->tmp,
                                 strerror(errno));
    j->made_tmp = 1;
    return CONSTAT_OK;
}

/* What the figures and the report need: the records (evidence records feed
 * the evidence_flagged figure; the report lists incidents only), their
 * proven times from the vault's tokens, and the scope; into rj. */
static constat_status dw_report_job(dossier_job *j)
{
    time_t now = time(NULL);
    constat_status rc;

    j->times = calloc(j->nr + 1, sizeof *j->times);
    rc = j->times ? dossier_times(j->v, j->cp.size, j->recs, j->nr, j->times, j->err)
                  : constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    if (rc != CONSTAT_OK)
        return rc;
    constat_rfc3339_format((int64_t)now, 0, j->when);
    if (constat_dossier_filter_describe(j->f, 0, &j->scope) != CONSTAT_OK)
        return constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    {
        constat_error de;
        if (constat_org_display_read(constat_vault_dir(j->v), j->org_name, sizeof j->org_name,
                                     &de) != CONSTAT_OK)
            j->org_name[0] = '\0';
        constat_org_shown(j->org_name, constat_vault_org(j->v), j->org_shown,
                          sizeof j->org_shown);
    }
    j->meta.org = j->org_shown;
    j->meta.origin = j->cp.origin;
    j->meta.tree_size = j->cp.size;
    j->meta.checkpoint_note = (const char *)j->note.data;
    j->meta.generated_at = j->when;
    j->meta.scope = (const char *)j->scope.data;
    if (j->published) { /* the validation table (dossier_validation.c) */
        rc = dossier_validation_html(j->published, j->published_len, j->recs, j->nr,
                                     &j->validation, j->err);
        if (rc != CONSTAT_OK)
            return rc;
        if (j->validation.len) {
            if (constat_buf_append(&j->validation, "", 1) != CONSTAT_OK)
                return constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
            j->meta.validation_html = (const char *)j->validation.data;
        }
    }
    memset(&j->rj, 0, sizeof j->rj);
    j->rj.tmp = j->tmp;
    j->rj.recs = j->recs;
    j->rj.nr = j->nr;
    j->rj.nsel = j->cc.nsel;
    j->rj.tax = j->tax;
    j->rj.times = j->times;
    j->rj.meta = &j->meta;
    return CONSTAT_OK;
}

/* The leaves, proofs, checkpoint, keys, taxonomy and time-stamps, with the
 * figures and the report written on a thread beside them. */
static constat_status dw_write_body(dossier_job *j)
{
    pthread_t report_th;
    int report_started;
    constat_status rc;

    if (constat_note_verifier_format(j->have_log_first ? &j->log_first : j->logv, j->logvk,
                                     sizeof j->logvk) != CONSTAT_OK ||
        constat_note_verifier_format(j->logv, j->lognow, sizeof j->lognow) != CONSTAT_OK ||
        constat_note_verifier_format(j->orgv, j->orgvk, sizeof j->orgvk) != CONSTAT_OK)
        return constat_error_set(j->err, CONSTAT_EINTERNAL, "cannot format the vault's keys");
    /* figures.json and report/ on their own thread (or here, after the
     * leaves, if it cannot start) while the leaves are written */
    report_started = pthread_create(&report_th, NULL, report_thread, &j->rj) == 0;
    rc = write_leaves(j->v, j->tmp, j->order, j->norder, &j->cp, &j->note, j->logvk, j->orgvk,
                      j->taxonomy_path, j->err);
    if (report_started)
        pthread_join(report_th, NULL);
    else if (rc == CONSTAT_OK)
        report_thread(&j->rj);
    j->figures = j->rj.figures;
    if (rc == CONSTAT_OK && j->rj.rc != CONSTAT_OK) {
        rc = j->rj.rc;
        if (j->err)
            *j->err = j->rj.err;
    }
    return rc;
}

/* VERIFY.md: how to check the dossier by hand, with the witnesses' part. */
static constat_status dw_verify_md(dossier_job *j)
{
    constat_buf b, wmd;
    constat_status rc;

    constat_buf_init(&b);
    constat_buf_init(&wmd);
    rc = constat_witness_dossier_md(j->cosigs, j->ncosigs, j->nwitnesses, &wmd);
    if (rc == CONSTAT_OK)
        rc = verify_md(&b, constat_vault_org(j->v), j->cp.origin, j->cp.size, j->cp.root,
                       j->logvk, j->orgvk, j->norder, j->cc.nsel, j->nmon,
                       (const char *)j->scope.data, j->when, (const char *)wmd.data,
                       j->log_rot_md[0], 0);
    constat_buf_free(&wmd);
    if (rc != CONSTAT_OK)
        rc = constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    else
        rc = write_file(j->tmp, "VERIFY.md", b.data, b.len, j->err);
    constat_buf_free(&b);
    return rc;
}

/* VERIFY.fr.md: the whole text in French, the witnesses' part and the
 * selection included. */
static constat_status dw_verify_fr_md(dossier_job *j)
{
    constat_buf b, wmd, scope_fr;
    constat_status rc;

    constat_buf_init(&b);
    constat_buf_init(&wmd);
    constat_buf_init(&scope_fr);
    rc = constat_witness_dossier_md_fr(j->cosigs, j->ncosigs, j->nwitnesses, &wmd);
    if (rc == CONSTAT_OK)
        rc = constat_dossier_filter_describe(j->f, 1, &scope_fr);
    if (rc == CONSTAT_OK)
        rc = constat_buf_append(&scope_fr, "", 1);
    if (rc == CONSTAT_OK)
        rc = verify_md(&b, constat_vault_org(j->v), j->cp.origin, j->cp.size, j->cp.root,
                       j->logvk, j->orgvk, j->norder, j->cc.nsel, j->nmon,
                       (const char *)scope_fr.data, j->when, (const char *)wmd.data,
                       j->log_rot_md[1], 1);
    constat_buf_free(&wmd);
    constat_buf_free(&scope_fr);
    if (rc != CONSTAT_OK)
        rc = constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    else
        rc = write_file(j->tmp, "VERIFY.fr.md", b.data, b.len, j->err);
    constat_buf_free(&b);
    return rc;
}

/* --with-evidence: the files themselves, at their store paths; they are
 * then listed in the manifest like every other file. */
/* 1 if an erasure among the travelling records erases `id` or `incident`
 * (its file was shredded: docs/vault.md "Erasure"). */
static int dw_erased(const dossier_job *j, const char *id, const char *incident)
{
    for (size_t i = 0; i < j->cc.nev; i++) {
        const json_t *r = j->cc.ev[i].record;
        const char *k = json_string_value(json_object_get(r, "kind"));
        const char *t = json_string_value(json_object_get(r, "erases"));
        if (k && t && strcmp(k, "erasure") == 0 &&
            ((id && strcmp(t, id) == 0) || (incident && strcmp(t, incident) == 0)))
            return 1;
    }
    return 0;
}

static constat_status dw_evidence_files(dossier_job *j)
{
    constat_status rc;

    if (!(j->flags & CONSTAT_DOSSIER_WITH_EVIDENCE))
        return CONSTAT_OK;
    for (size_t i = 0; i < j->cc.nev; i++) {
        const char *k = json_string_value(json_object_get(j->cc.ev[i].record, "kind"));
        if (!k || strcmp(k, "evidence") != 0 ||
            dw_erased(j, json_string_value(json_object_get(j->cc.ev[i].record, "id")),
                      json_string_value(json_object_get(j->cc.ev[i].record, "incident"))))
            continue;
        rc = constat_evidence_copy_out(
            j->v,
            json_string_value(json_object_get(j->cc.ev[i].record, "sha256")), j->tmp, j->err);
        if (rc != CONSTAT_OK)
            return rc;
        j->nfiles++;
    }
    return CONSTAT_OK;
}

/* Beside the hash names, the listing that gives each evidence file its
 * record, media type and a name with its extension (evidence/files.tsv),
 * in log order as records.jsonl. */
static constat_status dw_evidence_index(dossier_job *j)
{
    const json_t **evrecs;
    sel_ref **byidx;
    constat_buf b;
    constat_status rc;

    if (j->nfiles == 0)
        return CONSTAT_OK;
    evrecs = malloc(j->cc.nev * sizeof *evrecs);
    byidx = malloc(j->cc.nev * sizeof *byidx);
    if (!evrecs || !byidx) {
        free(evrecs);
        free(byidx);
        return constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < j->cc.nev; i++)
        byidx[i] = &j->cc.ev[i];
    qsort(byidx, j->cc.nev, sizeof *byidx, selref_idx_cmp);
    for (size_t i = 0; i < j->cc.nev; i++)
        evrecs[i] = byidx[i]->record;
    free(byidx);
    constat_buf_init(&b);
    rc = constat_dossier_evidence_index(j->tmp, (const json_t *const *)evrecs, j->cc.nev, &b,
                                        j->err);
    free(evrecs);
    if (rc == CONSTAT_OK && b.len > 0)
        rc = write_file(j->tmp, CONSTAT_DOSSIER_EVIDENCE_INDEX, b.data, b.len, j->err);
    constat_buf_free(&b);
    return rc;
}

/* The SHA-256 of every file in tmp, by its path there, into files. */
static constat_status dw_hash_files(dossier_job *j, json_t *files)
{
    strlist fl = {0};
    constat_status rc = list_files(j->tmp, "", 0, &fl, j->err);

    if (rc == CONSTAT_OK)
        qsort(fl.v, fl.n, sizeof *fl.v, strpcmp);
    for (size_t i = 0; rc == CONSTAT_OK && i < fl.n; i++) {
        char p[4200], hex[65];
        uint8_t h[32];
        constat_bprintf(p, sizeof p, "%s/%s", j->tmp, fl.v[i]);
        rc = constat_sha256_file(p, h, NULL, j->err);
        if (rc != CONSTAT_OK)
            break;
        constat_hex(h, 32, hex);
        if (json_object_set_new(files, fl.v[i], json_string(hex)) != 0)
            rc = constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    }
    strlist_free(&fl);
    return rc;
}

/* The selection the dossier was cut with, as the manifest records it. */
static constat_status dw_filter_json(const constat_dossier_filter *f, json_t *filt,
                                     constat_error *err)
{
    int bad = 0;

    if (!f)
        return CONSTAT_OK;
    if (f->from)
        bad |= json_object_set_new(filt, "from", json_string(f->from));
    if (f->to)
        bad |= json_object_set_new(filt, "to", json_string(f->to));
    if (f->category)
        bad |= json_object_set_new(filt, "category", json_string(f->category));
    if (f->place)
        bad |= json_object_set_new(filt, "place", json_string(f->place));
    if (f->country)
        bad |= json_object_set_new(filt, "country", json_string(f->country));
    if (f->commune)
        bad |= json_object_set_new(filt, "commune", json_string(f->commune));
    if (f->source_type)
        bad |= json_object_set_new(filt, "source_type", json_string(f->source_type));
    if (f->nids) {
        json_t *ids = json_array();
        for (size_t i = 0; ids && i < f->nids; i++)
            bad |= json_array_append_new(ids, json_string(f->ids[i]));
        if (!ids)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        bad |= json_object_set_new(filt, "ids", ids);
    }
    if (bad)
        return constat_error_set(err, CONSTAT_EINVAL, "filter: not valid UTF-8 text");
    return CONSTAT_OK;
}

/* manifest.json (every file written, by SHA-256), canonical, and its
 * signature by the organisation's key. */
static constat_status dw_manifest(dossier_job *j)
{
    json_t *manifest = json_object(), *files = json_object(), *filt = json_object();
    constat_buf b;
    constat_status rc;

    constat_buf_init(&b);
    if (!manifest || !files || !filt)
        rc = constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    else
        rc = dw_hash_files(j, files);
    if (rc == CONSTAT_OK)
        rc = dw_filter_json(j->f, filt, j->err);
    if (rc == CONSTAT_OK &&
        (json_object_set_new(manifest, "v", json_integer(1)) ||
         json_object_set_new(manifest, "origin", json_string(j->cp.origin)) ||
         json_object_set_new(manifest, "org", json_string(constat_vault_org(j->v))) ||
         (j->org_name[0] &&
          json_object_set_new(manifest, "org_name", json_string(j->org_name))) ||
         json_object_set_new(manifest, "tree_size", json_integer((json_int_t)j->cp.size)) ||
         json_object_set_new(manifest, "records", json_integer((json_int_t)j->norder)) ||
         json_object_set_new(manifest, "generated_at", json_string(j->when)) ||
         json_object_set(manifest, "filter", filt) ||
         json_object_set(manifest, "files", files)))
        rc = constat_error_set(j->err, CONSTAT_ENOMEM, "out of memory");
    if (rc == CONSTAT_OK)
        rc = constat_canon(manifest, &b, j->err);
    if (rc == CONSTAT_OK)
        rc = write_file(j->tmp, "manifest.json", b.data, b.len, j->err);
    if (rc == CONSTAT_OK)
        rc = sign_manifest(j->v, j->tmp, &b, j->err);
    constat_buf_free(&b);
    json_decref(manifest);
    json_decref(files);
    json_decref(filt);
    return rc;
}

/* Release the parsed records and figures, now written out, and verify the
 * dossier in tmp as a reader would: one that would not verify is refused. */
static constat_status dw_selfcheck(dossier_job *j)
{
    selfcheck sc;
    constat_error ve;
    constat_status rc;

    for (size_t i = 0; i < j->cc.nsel; i++) {
        json_decref(j->cc.sel[i].record);
        j->cc.sel[i].record = NULL;
    }
    for (size_t i = 0; i < j->cc.nev; i++) {
        json_decref(j->cc.ev[i].record);
        j->cc.ev[i].record = NULL;
    }
    json_decref(j->figures);
    j->figures = NULL;

    memset(&sc, 0, sizeof sc);
    constat_error_clear(&ve);
    rc = constat_verify_dossier(j->tmp, NULL, selfcheck_fail, &sc, NULL, &ve);
    if (rc != CONSTAT_OK)
        return constat_error_set(j->err, rc == CONSTAT_EVERIFY ? CONSTAT_EVERIFY : rc,
                                 "the dossier does not verify, not written: %s",
                                 sc.n ? sc.first : ve.msg);
    return CONSTAT_OK;
}

/* Move tmp into place as the dossier's folder and fill the summary. */
static constat_status dw_publish(dossier_job *j, constat_dossier_summary *out)
{
    if (rename(j->tmp, j->dirclean) != 0)
        return constat_error_set(j->err,
                                 errno == ENOTEMPTY || errno == EEXIST ? CONSTAT_ECONFLICT
                                                                       : CONSTAT_EIO,
                                 "%s: cannot move the dossier into place: %s", j->dirclean,
                                 strerror(errno));
    j->made_tmp = 0;
    if (out) {
        out->records = j->norder;
        out->incidents = j->cc.nsel;
        out->monitors = j->nmon;
        out->evidence = j->nevidence;
        out->other = j->cc.nev - j->namend - j->nevidence;
        out->amendments = j->namend;
        out->evidence_files = j->nfiles;
        out->tree_size = j->cp.size;
        out->cosignatures = j->ncosigs;
        out->witnesses = j->nwitnesses;
        memcpy(out->root, j->cp.root, 32);
    }
    return CONSTAT_OK;
}

/* Free what the job holds and remove tmp if it was not moved into place. */
static void dw_free(dossier_job *j)
{
    if (j->made_tmp)
        rmtree(j->tmp, 0);
    for (size_t i = 0; i < j->cc.nsel; i++)
        json_decref(j->cc.sel[i].record);
    for (size_t i = 0; i < j->cc.nev; i++)
        json_decref(j->cc.ev[i].record);
    free(j->cc.ev);
    free(j->cc.sel);
    free(j->cc.en);
    free(j->order);
    for (size_t i = 0; j->recs && i < j->nr; i++)
        json_decref(j->recs[i].record);
    free(j->recs);
    free(j->times);
    json_decref(j->figures);
    constat_buf_free(&j->note);
    constat_buf_free(&j->scope);
    constat_buf_free(&j->validation);
}

/* Across a rotation of the organisation key (docs/dossier.md): keys/org.vkey
 * is the chain's FIRST key, the one a verifier pins; every key_transition
 * travels (collect_parsed), and the verifier follows them; manifest.sig is
 * by the key in force. A chain that does not verify is refused before
 * anything is written. */
static constat_status dw_org_rotated(dossier_job *j, constat_error *err)
{
    constat_keychain *kc = malloc(sizeof *kc);
    constat_status st;
    size_t bad = 0;
    if (!kc)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_vault_org_chain(j->v, kc, NULL, NULL, &bad, err);
    if (st == CONSTAT_OK && bad)
        st = constat_error_set(err, CONSTAT_EVERIFY, "the chain of organisation keys of this "
                               "log does not verify ('constat verify VAULT' names the "
                               "transition): nothing written");
    if (st == CONSTAT_OK && kc->n > 1) {
        j->org_first = kc->k[0].ver;
        j->have_first = 1;
    }
    free(kc);
    return st;
}

/* Across a rotation of the log key (docs/dossier.md "Across a log key
 * rotation"): keys/log.vkey is the chain's FIRST log key, the one a verifier
 * pinned before the rotation; every key_transition travels and the checkpoint
 * is signed by the key in force (the current one); VERIFY.md says which key
 * signs which sizes. A chain that does not verify is refused. */
static constat_status dw_log_rotated(dossier_job *j, constat_error *err)
{
    constat_keychain *kc = malloc(sizeof *kc);
    constat_status st;
    size_t bad = 0;
    if (!kc)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_vault_log_chain(j->v, kc, NULL, NULL, &bad, err);
    if (st == CONSTAT_OK && bad)
        st = constat_error_set(err, CONSTAT_EVERIFY, "the chain of log keys of this log does "
                               "not verify ('constat verify VAULT' names the transition): "
                               "nothing written");
    if (st == CONSTAT_OK && kc->n > 1) {
        size_t off[2] = {0, 0};
        j->log_first = kc->k[0].ver;
        j->have_log_first = 1;
        for (int l = 0; l < 2; l++)
            off[l] = (size_t)snprintf(j->log_rot_md[l], sizeof j->log_rot_md[l], "%s",
                                      l ? "Clés du journal : `keys/log.vkey` est la première ; "
                                          "la clé a changé par des transitions (dans "
                                          "`records.jsonl`, signées par l'ancienne et la "
                                          "nouvelle clé) :\n\n"
                                        : "Log keys: `keys/log.vkey` is the first one; the key "
                                          "was changed by key transitions (in `records.jsonl`, "
                                          "signed by the old and the new key):\n\n");
        for (size_t i = 1; i < kc->n; i++)
            for (int l = 0; l < 2; l++)
                if (off[l] < sizeof j->log_rot_md[l])
                    off[l] += (size_t)snprintf(
                        j->log_rot_md[l] + off[l], sizeof j->log_rot_md[l] - off[l],
                        l ? "- feuille %lld : `%s` -> `%s` ; les points de contrôle de "
                            "taille %llu et plus sont signés par la nouvelle clé\n"
                          : "- leaf %lld: `%s` -> `%s`; the checkpoints of tree size %llu "
                            "and more are signed by the new key\n",
                        (long long)kc->k[i].transition, kc->k[i - 1].key_id, kc->k[i].key_id,
                        (unsigned long long)kc->k[i].from);
        for (int l = 0; l < 2; l++)
            if (off[l] + 2 < sizeof j->log_rot_md[l])
                strcat(j->log_rot_md[l], "\n");
    }
    free(kc);
    return st;
}

constat_status constat_dossier_write_opt(constat_vault *v, const char *outdir,
                                         const constat_dossier_filter *f,
                                         const constat_taxonomy *tax,
                                         const char *taxonomy_path, unsigned flags,
                                         constat_dossier_summary *out, constat_error *err)
{
    return constat_dossier_write_ex(v, outdir, f, tax, taxonomy_path, flags, NULL, out, err);
}

constat_status constat_dossier_write_ex(constat_vault *v, const char *outdir,
                                        const constat_dossier_filter *f,
                                        const constat_taxonomy *tax,
                                        const char *taxonomy_path, unsigned flags,
                                        const constat_dossier_extra *extra,
                                        constat_dossier_summary *out, constat_error *err)
{
    dossier_job job, *j = &job;
    constat_status rc;

    memset(j, 0, sizeof *j);
    constat_buf_init(&j->validation);
    if (extra) {
        j->public_k = extra->public_k;
        j->published = extra->published;
        j->published_len = extra->published_len;
    }
    if (out)
        memset(out, 0, sizeof *out);
    j->v = v;
    j->f = f;
    j->tax = tax;
    j->taxonomy_path = taxonomy_path;
    j->flags = flags;
    j->err = err;
    constat_buf_init(&j->note);
    constat_buf_init(&j->scope);
    rc = dw_check_args(j, outdir);
    if (rc == CONSTAT_OK)
        rc = dw_org_rotated(j, err);
    if (rc == CONSTAT_OK)
        rc = dw_log_rotated(j, err);
    if (rc == CONSTAT_OK)
        rc = dw_checkpoint(j);
    if (rc == CONSTAT_OK)
        rc = dw_collect(j);
    if (rc == CONSTAT_OK)
        rc = dw_need_enrolments(j);
    if (rc == CONSTAT_OK)
        rc = dw_order(j);
    if (rc == CONSTAT_OK)
        rc = dw_mktemp(j);
    if (rc == CONSTAT_OK)
        rc = dw_report_job(j);
    if (rc == CONSTAT_OK)
        rc = dw_write_body(j);
    if (rc == CONSTAT_OK)
        rc = dw_verify_md(j);
    if (rc == CONSTAT_OK)
        rc = dw_verify_fr_md(j);
    if (rc == CONSTAT_OK)
        rc = dw_evidence_files(j);
    if (rc == CONSTAT_OK)
        rc = dw_evidence_index(j);
    if (rc == CONSTAT_OK && j->validation.len)
        rc = write_file(j->tmp, CONSTAT_DOSSIER_VALIDATION_CSV, j->published, j->published_len,
                        j->err);
    if (rc == CONSTAT_OK && j->public_k) /* public/: public_dossier.c */
        rc = dossier_public_write(j->tmp, j->recs, j->nr, j->figures, j->tax, &j->meta,
                                  j->lognow, j->public_k, j->err);
    if (rc == CONSTAT_OK)
        rc = dw_manifest(j);
    if (rc == CONSTAT_OK)
        rc = dw_selfcheck(j);
    if (rc == CONSTAT_OK)
        rc = dw_publish(j, out);
    dw_free(j);
    return rc;
}
