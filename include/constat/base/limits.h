/*
 * limits.h — named limits for every input libconstat accepts. Each is
 * enforced with CONSTAT_ELIMIT and tested at and just past the limit.
 */
#ifndef CONSTAT_LIMITS_H
#define CONSTAT_LIMITS_H

/* A record's canonical JSON, and a leaf, in bytes: 65,535, the largest entry
 * a C2SP tlog-tiles entry bundle can hold (u16 length prefix), so every
 * leaf of every log can be published as tiles. Evidence files are bound by
 * hash, so records stay small. */
#define CONSTAT_RECORD_MAX_BYTES 65535u
/* Any count in a record (persons, items, vehicles, officers), inclusive. A
 * larger number is a typing error, and the cap keeps every figure's sum over
 * a million records far below 2^53, where JSON numbers stop being exact. */
#define CONSTAT_COUNT_MAX 1000000000LL
/* Nesting depth of a JSON value we parse (objects + arrays). */
#define CONSTAT_JSON_MAX_DEPTH 32
/* One CSV line (physical or, with quoted newlines, logical), in bytes. */
#define CONSTAT_CSV_LINE_MAX (64u * 1024u)
/* Columns in a CSV row. */
#define CONSTAT_CSV_MAX_FIELDS 64
/* Hashes in an inclusion or consistency proof (RFC 9162 2.1.3, 2.1.4). */
#define CONSTAT_PROOF_MAX_HASHES 64
/* A signed note, whole, in bytes (C2SP signed-note). */
#define CONSTAT_NOTE_MAX_BYTES (16u * 1024u)
/* Signature lines on one note we examine (C2SP requires >= 16). */
#define CONSTAT_NOTE_MAX_SIGS 100
/* A key name in a note or verifier key string, in bytes. */
#define CONSTAT_KEY_NAME_MAX 256
/* A CSV import file, in bytes. */
#define CONSTAT_IMPORT_MAX_BYTES (512ull * 1024u * 1024u)
/* Tree size: leaves in one log (2^48, far above any association's need). */
#define CONSTAT_LOG_MAX_SIZE (1ull << 48)
/* Width of a C2SP tlog-tiles tile, and the tile height. */
#define CONSTAT_TILE_WIDTH 256
#define CONSTAT_TILE_HEIGHT 8

#endif
