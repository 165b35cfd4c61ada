/*
 * evidence.h — evidence files bound to incidents (docs/evidence.md):
 * streaming SHA-256 and a content-addressed store inside the vault, capture
 * metadata read from EXIF (libexif), the `evidence` and `custody` records
 * (docs/record.md), and the plausibility flags that compare a file's capture
 * metadata with the incident it supports.
 *
 * The flags are never stored in a record: anyone holding the evidence record
 * and the incident record recomputes them (constat_evidence_flags), which is
 * what `constat show`, the report, the dossier and `constat verify` do.
 */
#ifndef CONSTAT_EVIDENCE_H
#define CONSTAT_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/base/hash.h"
#include "constat/log/note.h"
#include "constat/vault/vault.h"

/* Read buffer of the streaming hash and copy, in bytes (one allocation per
 * file, whatever its size). */
#define CONSTAT_EVIDENCE_BLOCK (1u << 20)
/* Bytes of a file libmagic examines for its media type: every signature of
 * the media types we see lies within them, and libmagic's working memory
 * grows with this (about 5 x; it is the largest part of attach's peak). */
#define CONSTAT_EVIDENCE_MAGIC_BYTES (64u * 1024u)
/* Largest evidence file accepted, in bytes (a day of video fits). */
#define CONSTAT_EVIDENCE_MAX_BYTES (64ull << 30)
/* Bytes of a file examined for EXIF: the APP1 segment must start within
 * them (libexif's loader stops at the first non-APPn JPEG marker anyway). */
#define CONSTAT_EXIF_SCAN_MAX (4u << 20)
/* make / model strings, and an invalid date as written, kept from EXIF, in
 * bytes (longer ones are cut). */
#define CONSTAT_EXIF_TEXT_MAX 64
/* The description of a malformed EXIF structure, in bytes. */
#define CONSTAT_EXIF_PROBLEM_MAX 200
/* Flag thresholds (docs/evidence.md): a capture time more than this many
 * seconds outside the incident's [occurred.start, occurred.end], or a
 * capture position more than this many metres from place.lat_e7/lon_e7. */
#define CONSTAT_EVIDENCE_TIME_SLACK_S 3600
#define CONSTAT_EVIDENCE_DIST_SLACK_M 2000
/* The evidence store inside a vault directory. */
#define CONSTAT_EVIDENCE_DIR "evidence/sha256"

/* ## Capture metadata */

/* What a file says about its own capture. Every has_* is 0 when the tag is
 * absent, unreadable or not a real value (zero GPS denominators, a missing
 * hemisphere reference, the camera default date 0000:00:00, hour 24...). A
 * DateTimeOriginal that is written but is not a time sets time_invalid, with
 * the text as written (docs/evidence.md). */
typedef struct {
    int has_local_time;       /* DateTimeOriginal, a real calendar time */
    char local_time[20];      /* "YYYY-MM-DDTHH:MM:SS" (no offset) */
    int time_invalid;         /* DateTimeOriginal written but not a time (never with
                                 has_local_time); all blanks, the standard's "unknown",
                                 is absent, not invalid */
    char time_raw[CONSTAT_EXIF_TEXT_MAX + 1]; /* its text as written ("0000:00:00
                                 00:00:00"), printable ASCII; "" unless time_invalid */
    int has_offset;           /* OffsetTimeOriginal, "+HH:MM" / "-HH:MM" */
    int offset_s;             /* seconds east of UTC */
    int has_gps;              /* GPS latitude and longitude, both */
    int64_t lat_e7, lon_e7;   /* degrees x 10^7, rounded (WGS 84) */
    int has_alt;              /* GPSAltitude (+ GPSAltitudeRef) */
    int64_t alt_cm;           /* centimetres above (negative: below) sea level */
    char make[CONSTAT_EXIF_TEXT_MAX + 1];  /* "" when absent; printable ASCII */
    char model[CONSTAT_EXIF_TEXT_MAX + 1]; /* "" when absent; printable ASCII */
    int exif_malformed;       /* the IFD structure is broken: a pointer in a cycle, to
                                 an IFD already read, outside the block or into the
                                 TIFF header (nothing behind it is reported) */
    char exif_problem[CONSTAT_EXIF_PROBLEM_MAX + 1]; /* the first such pointer, naming
                                 its IFD and offset ("Exif IFD pointer in IFD 0 points
                                 back to IFD 0 at offset 8 (cycle)"); "" when well formed */
} constat_capture;

/* Read the capture metadata from `len` bytes at `data`: a JPEG file (or its
 * start), or a bare EXIF block ("Exif\0\0" + TIFF). Only what the camera
 * wrote is reported: libexif's FOLLOW_SPECIFICATION (which inserts default
 * tags) and IGNORE_UNKNOWN_TAGS (which drops tags found in an unexpected IFD)
 * are both switched off; DateTimeOriginal is taken from the EXIF IFD, else
 * from IFD 0. Before libexif reads the block, its IFD pointers (IFD 0's
 * next-IFD, Exif, GPS and Interop IFD pointers, in any IFD) are walked:
 * each IFD is read once, at most 16 of them, and a pointer in a cycle, to an
 * IFD already read, outside the block or into the TIFF header is stripped
 * from a copy (what is behind it is not read) and named in
 * out->exif_problem, so one parse takes time linear in the block's size
 * (docs/evidence.md, "Malformed EXIF"). Malformed or absent EXIF is not an
 * error: *out is then empty, or holds what the well-formed part says.
 * Errors: CONSTAT_EINVAL (NULL arguments), CONSTAT_ENOMEM. */
constat_status constat_exif_parse(const uint8_t *data, size_t len, constat_capture *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* Same, reading the file at `path` in 64 KiB blocks until libexif's loader
 * has the EXIF block or CONSTAT_EXIF_SCAN_MAX bytes were read (the file is
 * never read whole). Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO (naming the
 * path), CONSTAT_ENOMEM. */
constat_status constat_exif_read_file(const char *path, constat_capture *out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* The record's `capture` object for *c (docs/record.md, kind evidence):
 * "time" (RFC 3339) when the offset is known, else "local_time", else
 * "time_invalid" (the text as written) when the date is invalid; lat_e7,
 * lon_e7, alt_cm, make, model when present; "exif_malformed" (the problem)
 * when the EXIF structure was broken. Returns a new reference, or NULL when
 * nothing is known (or on allocation failure). */
json_t *constat_capture_to_json(const constat_capture *c);

/* ## Files and the store */

/* SHA-256 of the file at `path` streamed in CONSTAT_EVIDENCE_BLOCK blocks
 * and, when `dest_fd` >= 0, the same bytes written to dest_fd in the same
 * pass. out[32] gets the hash, *size (may be NULL) the byte count.
 * Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO (naming the path), CONSTAT_ELIMIT
 * (larger than CONSTAT_EVIDENCE_MAX_BYTES), CONSTAT_EINVAL (not a regular
 * file), CONSTAT_ENOMEM. */
constat_status constat_evidence_hash_copy(const char *path, int dest_fd,
                                          uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* The stored path of a hash under `root` (a vault or dossier directory):
 * "<root>/evidence/sha256/<hex 0-1>/<hex 2-3>/<hex>", into out[cap].
 * Errors: CONSTAT_EINVAL (hex not 64 lowercase hex digits, or too long). */
constat_status constat_evidence_path(const char *root, const char *hex, char *out, size_t cap)
    CONSTAT_WARN_UNUSED;

/* Copy the file at `path` into the store under `root`, hashing it in the
 * same pass: written to a temporary name in the store, fsync'd, made 0444,
 * renamed to its hash name, directory fsync'd. If that hash is already
 * stored (same size) the copy is dropped: *stored_new (may be NULL) says
 * which. out[32] gets the hash and *size the byte count.
 * Errors: those of constat_evidence_hash_copy; CONSTAT_ECONFLICT (a stored
 * file of that hash has another size: the store is damaged); CONSTAT_EIO. */
constat_status constat_evidence_store(const char *root, const char *path,
                                      uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                      int *stored_new, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* The same, the copy sealed at rest (docs/vault.md "Sealed at rest"):
 * encrypted with secretstream under a fresh file key sealed to every key of
 * *keys (seal.h) as it is hashed, so no clear copy is ever written; a copy
 * stored in clear by an earlier version is replaced by the sealed one. The
 * first prefix_cap bytes of the file are kept in prefix (may be NULL),
 * *prefix_len (may be NULL) gets their count: the bytes examined for the
 * media type and EXIF are the bytes hashed. Errors: as constat_evidence_store,
 * CONSTAT_EINVAL (no keys). */
constat_status constat_evidence_store_sealed(const char *root, const constat_seal_keys *keys,
                                             const char *path, uint8_t *prefix,
                                             size_t prefix_cap, size_t *prefix_len,
                                             uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                             int *stored_new, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Like constat_evidence_store_sealed, for a file received in memory (an
 * upload): the `len` bytes at `data` are hashed and sealed straight into the
 * store's temporary file, so no plaintext byte reaches the disk; their
 * libmagic MIME type into media[media_cap]. "upload" names them in
 * messages. Errors: CONSTAT_EINVAL (no keys, no bytes), CONSTAT_EIO,
 * CONSTAT_ENOMEM, as constat_evidence_store_sealed otherwise. */
constat_status constat_evidence_store_sealed_bytes(const char *root,
                                                   const constat_seal_keys *keys,
                                                   const uint8_t *data, size_t len,
                                                   char *media, size_t media_cap,
                                                   uint8_t out[CONSTAT_HASH_SIZE],
                                                   uint64_t *size, int *stored_new,
                                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* Reads up to `cap` bytes of a file into buf: the count (0 at its end), or
 * -1 with *err set (its message names the file). */
typedef long long (*constat_evidence_read_fn)(void *ctx, uint8_t *buf, size_t cap,
                                              constat_error *err);

/* Like constat_evidence_store_sealed_bytes, for a file that `rd` hands over
 * in pieces until it returns 0 (a resumable upload kept encrypted on disk,
 * decrypted as it is read): hashed and sealed in one pass, the media type
 * from its first CONSTAT_EVIDENCE_MAGIC_BYTES bytes; `label` names the file
 * in messages. Memory: two blocks, whatever the file's size. Errors:
 * CONSTAT_EINVAL (no keys, no bytes), CONSTAT_ELIMIT (more than
 * CONSTAT_EVIDENCE_MAX_BYTES), the error `rd` set, CONSTAT_ENOMEM,
 * CONSTAT_EIO, as constat_evidence_store_sealed otherwise. */
constat_status constat_evidence_store_sealed_reader(const char *root,
                                                    const constat_seal_keys *keys,
                                                    constat_evidence_read_fn rd, void *rctx,
                                                    const char *label, char *media,
                                                    size_t media_cap,
                                                    uint8_t out[CONSTAT_HASH_SIZE],
                                                    uint64_t *size, int *stored_new,
                                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* libmagic MIME type of the file at `path` ("image/jpeg"), into out[cap].
 * Reads at most CONSTAT_EVIDENCE_MAGIC_BYTES bytes of it.
 * Errors: CONSTAT_EIO (libmagic unavailable or the file unreadable). */
constat_status constat_evidence_media_type(const char *path, char *out, size_t cap,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* The file name extension of a media type, with its dot (".jpg" for
 * "image/jpeg"), from a fixed table of the types libmagic reports for
 * photographs, video, audio and documents (docs/dossier.md "Evidence file
 * listing"); parameters after ';' and ASCII case are ignored. ".bin" for
 * NULL, "" or a type not in the table. A static string; never fails. */
const char *constat_evidence_extension(const char *media_type);

/* ## Records */

/* The input object (for constat_intake_prepare) of an evidence record: kind
 * "evidence", id "ev-" + 16 hex of the file hash + "-" + 8 hex of
 * SHA-256(incident id), incident, sha256, size, media_type, capture (when
 * c has anything), and private.file_name = `file_name` (committed, never
 * logged in clear; NULL or "" to omit). New reference, NULL on ENOMEM. */
json_t *constat_evidence_input(const char *incident_id, const uint8_t sha256[32],
                               uint64_t size, const char *media_type,
                               const constat_capture *c, const char *file_name);

/* Custody events, in docs/record.md order. */
int constat_custody_event_valid(const char *event);

/* The input object of a custody record: kind "custody", evidence (hex),
 * incident, event, to, note (NULL to omit), and id "cu-" + 16 hex of
 * SHA-256(evidence hex, incident, event, to, note, now): repeating the same
 * command in the same second adds nothing, a later repetition is a new
 * event. New reference, NULL on ENOMEM. */
json_t *constat_custody_input(const char *evidence_hex, const char *incident_id,
                              const char *event, const char *to, const char *note,
                              int64_t now);

/* Result of logging one evidence file with constat_evidence_attach. */
typedef struct {
    char record_id[64];
    char sha256[65];
    uint64_t size;
    char media_type[128];
    int stored_new;       /* the file was not in the store before */
    int already_logged;   /* the same evidence record was already in the log */
    uint64_t index;       /* leaf index of the evidence record */
    constat_capture capture;
} constat_evidence_result;

/* Attach the file at `path` to incident `incident_id` of vault `v`: the
 * incident must be logged; the file is stored (constat_evidence_store), its
 * media type read (libmagic) and, for image/jpeg, its EXIF; an evidence
 * record is prepared (private file_name = the path's last component), signed
 * by `signer` (monitor `monitor`, at `now`) and appended. When the incident
 * was logged with a coarse position (its leaf commits to private
 * place_exact, docs/record.md "Location precision"), the file's GPS
 * position goes into the private capture_exact and the leaf's
 * capture.lat_e7/lon_e7 are rounded to the same 0.01-degree grid, alt_cm
 * left out; out->capture keeps what the file says. Attaching the same
 * file to the same incident again adds nothing (already_logged).
 * Errors: CONSTAT_ENOTFOUND (no such incident or file), CONSTAT_EINVAL (the
 * record is not an incident), and those of the store, intake and append. */
constat_status constat_evidence_attach(constat_vault *v, const char *incident_id,
                                       const char *path, const char *monitor,
                                       const constat_note_signer *signer, int64_t now,
                                       constat_evidence_result *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Log a custody event for the evidence record `evidence_id` of vault `v`
 * (its sha256 and incident are copied into the custody record), signed by
 * `signer` for `monitor` at `now`. *index gets its leaf index, *id[64] its
 * record id (either may be NULL).
 * Errors: CONSTAT_ENOTFOUND (no such record), CONSTAT_EINVAL (not an
 * evidence record, unknown event, empty `to`), and those of intake/append. */
constat_status constat_custody_log(constat_vault *v, const char *evidence_id,
                                   const char *event, const char *to, const char *note,
                                   const char *monitor, const constat_note_signer *signer,
                                   int64_t now, uint64_t *index, char id[64],
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* ## Flags */

/* What an evidence record's capture metadata says against its incident. */
typedef struct {
    int time_checked;   /* both the capture time and occurred.start/end known */
    int time_flag;      /* more than CONSTAT_EVIDENCE_TIME_SLACK_S outside */
    int64_t time_off_s; /* seconds outside the window (0 inside; negative: before) */
    int time_assumed_offset; /* capture time had no offset: read at occurred.start's */
    int gps_checked;    /* both capture and place coordinates known */
    int gps_flag;       /* more than CONSTAT_EVIDENCE_DIST_SLACK_M away */
    int64_t distance_m; /* haversine distance, metres, rounded */
    int time_invalid;   /* capture.time_invalid: the camera wrote a date that is none */
    char time_raw[CONSTAT_EXIF_TEXT_MAX + 1];           /* that text ("" otherwise) */
    int exif_malformed; /* capture.exif_malformed: the EXIF structure was broken */
    char exif_problem[CONSTAT_EXIF_PROBLEM_MAX + 1];    /* how ("" otherwise) */
} constat_evidence_flags;

/* Compute the flags of `evidence` (an evidence record) against `incident`
 * (the incident record it names). A capture "time" is compared as is; a
 * "local_time" is read in the UTC offset of the incident's occurred.start
 * (and time_assumed_offset is set). Distance: haversine on a sphere of
 * radius 6371008.8 m. The window's edges are inclusive: exactly 3600 s or
 * 2000 m away is not flagged. "No metadata" is not a flag, but metadata the
 * camera wrote unusably is: an invalid EXIF date (capture.time_invalid) and
 * a malformed EXIF structure (capture.exif_malformed) are flags of their own,
 * with no incident field needed.
 * Errors: CONSTAT_EINVAL (not an evidence record, or the incident is not
 * the one it names). */
constat_status constat_evidence_flags_compute(const json_t *evidence, const json_t *incident,
                                              constat_evidence_flags *out,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

/* Bytes that always hold constat_evidence_flags_describe's line. */
#define CONSTAT_EVIDENCE_FLAGS_TEXT 1024

/* One line describing the flags into out[cap] ("capture time 2 h 05 min
 * after the incident window; taken 7.3 km from the place; invalid EXIF date
 * \"0000:00:00 00:00:00\"; malformed EXIF: ..."), or "" when none is
 * raised. Returns the number of flags raised (0 to 4). */
int constat_evidence_flags_describe(const constat_evidence_flags *f, char *out, size_t cap);

/* ## Dossiers */

/* Check the file of `evidence` (an evidence record) inside dossier `dir`:
 * CONSTAT_OK when present with the logged hash and size, CONSTAT_ENOTFOUND
 * when absent, CONSTAT_EVERIFY when its hash or size differ (msg says how),
 * CONSTAT_EIO when unreadable. msg[cap] gets a message in every case. */
constat_status constat_evidence_check_file(const char *dir, const json_t *evidence,
                                           char *msg, size_t cap) CONSTAT_WARN_UNUSED;

/* The same for the vault's own store: the stored file of `evidence` in vault
 * `v`, decrypted in bounded memory when sealed and re-hashed (*rehashed 1).
 * A sealed file in a vault opened without its keys is only checked to be
 * present and sealed (CONSTAT_OK, *rehashed 0). A file stored in clear by an
 * earlier version is re-hashed as is. Errors: CONSTAT_ENOTFOUND (absent),
 * CONSTAT_EVERIFY (hash or size differ, a sealed file that does not open or
 * is truncated: msg names the file and the chunk), CONSTAT_EIO. */
constat_status constat_evidence_check_stored(constat_vault *v, const json_t *evidence,
                                             int *rehashed, char *msg,
                                             size_t cap) CONSTAT_WARN_UNUSED;

/* Copy the stored file of hash `hex` from the store of vault `v` into the
 * store under `dest_root` (same layout), decrypting it when it is sealed
 * (streaming, bounded memory: the plaintext goes only to the dossier), and
 * check its hash on the way. Errors: CONSTAT_ENOTFOUND (not in the vault's
 * store), CONSTAT_ECRYPTO (sealed, and the vault was opened without its
 * keys), CONSTAT_EVERIFY (the stored file no longer has that hash, or does
 * not open), CONSTAT_EIO. */
constat_status constat_evidence_copy_out(constat_vault *v, const char *hex,
                                         const char *dest_root, constat_error *err);

/* For each evidence record of dossier `dir` (records.jsonl) whose incident is
 * in the dossier and whose flags are raised, call fn(ctx, evidence id,
 * incident id, description). Lines that do not parse are skipped (verify
 * reports them). Errors: CONSTAT_ENOTFOUND (no records.jsonl), CONSTAT_EIO,
 * CONSTAT_ENOMEM. */
typedef void (*constat_evidence_flag_fn)(void *ctx, const char *evidence_id,
                                         const char *incident_id, const char *what);
constat_status constat_evidence_dossier_flags(const char *dir, constat_evidence_flag_fn fn,
                                              void *ctx, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
