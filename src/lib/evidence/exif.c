/*
 * exif.c — capture metadata of evidence files, through libexif.
 *
 * Evidence must report what the camera wrote and nothing else, so libexif's
 * defaults are switched off (docs/evidence.md; docs/architecture.md, "Library traps"):
 * FOLLOW_SPECIFICATION would insert tags the file does not hold, and
 * IGNORE_UNKNOWN_TAGS would drop tags written into an IFD where the standard
 * does not expect them (real files put DateTimeOriginal in IFD 0). Values
 * are then checked by hand: a zero GPS denominator or a missing hemisphere
 * reference mean "no position", never 0,0; the camera default date
 * 0000:00:00 or hour 24 is no date but an invalid one, kept as written.
 * libexif's loop guard is a recursion budget, so the IFD pointers are walked
 * here first (below) and loops stripped.
 *
 * Files are fed to libexif's loader in blocks: it keeps only the APP1
 * segment (at most 64 KiB) and asks for no more once it has it, so a large
 * file is never read whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libexif/exif-data.h>
#include <libexif/exif-loader.h>
#include <libexif/exif-utils.h>

#include "constat/evidence/evidence.h"

#define GPS_TAG_LAT_REF 0x0001
#define GPS_TAG_LAT 0x0002
#define GPS_TAG_LON_REF 0x0003
#define GPS_TAG_LON 0x0004
#define GPS_TAG_ALT_REF 0x0005
#define GPS_TAG_ALT 0x0006
#define GPS_TAG_STATUS 0x0009

/* Bytes of an ASCII entry up to its first NUL, into out[cap]; 0 if the
 * entry is absent, not ASCII or empty. */
static size_t entry_text(ExifEntry *e, char *out, size_t cap)
{
    size_t n = 0;
    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || e->size == 0 || cap == 0)
        return 0;
    while (n < e->size && n + 1 < cap && e->data[n]) {
        out[n] = (char)e->data[n];
        n++;
    }
    out[n] = 0;
    return n;
}

static int digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return md[m - 1];
}

/* "YYYY:MM:DD HH:MM:SS" (date separators ':' as EXIF says, '-' tolerated)
 * into "YYYY-MM-DDTHH:MM:SS"; 0 unless it is a real time (year >= 1, no
 * month 0, no hour 24, no second 60). */
static int parse_exif_time(const char *s, char out[20])
{
    int y, mo, d, h, mi, se;
    if (strlen(s) < 19)
        return 0;
    if (!((s[4] == ':' && s[7] == ':') || (s[4] == '-' && s[7] == '-')) || s[10] != ' ' ||
        s[13] != ':' || s[16] != ':')
        return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return 0;
    /* anything after the 19 characters must be padding */
    for (size_t i = 19; s[i]; i++)
        if (s[i] != ' ')
            return 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return 0;
    snprintf(out, 20, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, se);
    return 1;
}

/* "+HH:MM" / "-HH:MM" into seconds east of UTC. */
static int parse_offset(const char *s, int *off)
{
    int h, m;
    if (strlen(s) < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &h) ||
        !digits(s + 4, 2, &m) || h > 23 || m > 59)
        return 0;
    for (size_t i = 6; s[i]; i++)
        if (s[i] != ' ')
            return 0;
    *off = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
    return 1;
}

/* Degrees from an EXIF GPS coordinate (1 to 3 rationals: degrees, minutes,
 * seconds). 0 when absent, malformed or with a zero denominator. */
static int gps_degrees(ExifEntry *e, ExifByteOrder o, long double *deg)
{
    static const long double scale[3] = {1.0L, 60.0L, 3600.0L};
    long double v = 0;
    unsigned n;
    if (!e || e->format != EXIF_FORMAT_RATIONAL || !e->data || e->components < 1)
        return 0;
    n = e->components < 3 ? (unsigned)e->components : 3;
    if (e->size < 8u * n)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        ExifRational r = exif_get_rational(e->data + 8 * i, o);
        long double part;
        if (r.denominator == 0)
            return 0;
        part = (long double)r.numerator / (long double)r.denominator;
        /* minutes and seconds are below 60: anything else is not a position */
        if (i > 0 && part >= 60.0L)
            return 0;
        v += part / scale[i];
    }
    *deg = v;
    return 1;
}

/* Printable ASCII only, trailing blanks dropped: strings end up in signed
 * JSON records and on terminals. */
static void clean_text(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            s[i] = '?';
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = 0;
}

/* libexif follows the Exif and GPS IFD pointers of IFD 0 whatever their
 * type; ExifTool, and the standard, want LONG (or IFD). A pointer of another
 * type is a malformed file, and what lies behind it is not reported: read
 * the pointer types from the TIFF header ourselves. *exif_ok / *gps_ok are
 * 0 when IFD 0 holds such a pointer with a wrong type. */
static void pointer_types(const unsigned char *b, size_t n, int *exif_ok, int *gps_ok,
                          int *gps_in_ifd0)
{
    int le;
    size_t off, cnt;
    *exif_ok = *gps_ok = 1;
    *gps_in_ifd0 = 0;
    if (n >= 6 && memcmp(b, "Exif\0\0", 6) == 0) {
        b += 6;
        n -= 6;
    }
    if (n < 8 || !((b[0] == 'I' && b[1] == 'I') || (b[0] == 'M' && b[1] == 'M')))
        return;
    le = b[0] == 'I';
#define U16(p) (le ? (size_t)((p)[0] | (p)[1] << 8) : (size_t)((p)[0] << 8 | (p)[1]))
#define U32(p) (le ? ((size_t)(p)[0] | (size_t)(p)[1] << 8 | (size_t)(p)[2] << 16 | (size_t)(p)[3] << 24) \
                   : ((size_t)(p)[0] << 24 | (size_t)(p)[1] << 16 | (size_t)(p)[2] << 8 | (size_t)(p)[3]))
    off = U32(b + 4);
    if (off > n || n - off < 2)
        return;
    cnt = U16(b + off);
    for (size_t i = 0; i < cnt && off + 2 + 12 * (i + 1) <= n; i++) {
        const unsigned char *e = b + off + 2 + 12 * i;
        size_t tag = U16(e), type = U16(e + 2);
        int good = type == EXIF_FORMAT_LONG || type == 13 /* IFD */;
        if (tag == EXIF_TAG_EXIF_IFD_POINTER && !good)
            *exif_ok = 0;
        if (tag == EXIF_TAG_GPS_INFO_IFD_POINTER) {
            *gps_in_ifd0 = good;
            if (!good)
                *gps_ok = 0;
        }
    }
#undef U16
#undef U32
}

static void extract(ExifData *ed, int exif_ok, int gps_ok, constat_capture *c)
{
    ExifByteOrder o = exif_data_get_byte_order(ed);
    ExifContent *ifd0 = ed->ifd[EXIF_IFD_0], *exif = exif_ok ? ed->ifd[EXIF_IFD_EXIF] : NULL,
                *gps = gps_ok ? ed->ifd[EXIF_IFD_GPS] : NULL;
    ExifEntry *e;
    char t[80];

    /* time: the EXIF IFD first, IFD 0 where some writers put it */
    e = exif ? exif_content_get_entry(exif, EXIF_TAG_DATE_TIME_ORIGINAL) : NULL;
    if (!e && ifd0)
        e = exif_content_get_entry(ifd0, EXIF_TAG_DATE_TIME_ORIGINAL);
    if (entry_text(e, t, sizeof t) && parse_exif_time(t, c->local_time)) {
        c->has_local_time = 1;
        e = exif ? exif_content_get_entry(exif, EXIF_TAG_OFFSET_TIME_ORIGINAL) : NULL;
        if (!e && ifd0)
            e = exif_content_get_entry(ifd0, EXIF_TAG_OFFSET_TIME_ORIGINAL);
        if (entry_text(e, t, sizeof t) && parse_offset(t, &c->offset_s))
            c->has_offset = 1;
    } else if (entry_text(e, t, sizeof t) && strspn(t, " :") != strlen(t)) {
        /* something that is not a time: kept as written, so a reader knows
         * the camera wrote an unusable date rather than none. All blanks (and
         * colons) is the standard's "unknown" (EXIF 2.3, DateTimeOriginal):
         * no date. */
        c->time_invalid = 1;
        snprintf(c->time_raw, sizeof c->time_raw, "%s", t);
        clean_text(c->time_raw);
    }

    /* GPS: only from the GPS IFD (its tag numbers mean other things elsewhere) */
    if (gps) {
        char lat_ref[8] = "", lon_ref[8] = "", status[8] = "";
        long double lat, lon;
        entry_text(exif_content_get_entry(gps, GPS_TAG_LAT_REF), lat_ref, sizeof lat_ref);
        entry_text(exif_content_get_entry(gps, GPS_TAG_LON_REF), lon_ref, sizeof lon_ref);
        entry_text(exif_content_get_entry(gps, GPS_TAG_STATUS), status, sizeof status);
        if ((lat_ref[0] == 'N' || lat_ref[0] == 'S') && (lon_ref[0] == 'E' || lon_ref[0] == 'W') &&
            status[0] != 'V' &&
            gps_degrees(exif_content_get_entry(gps, GPS_TAG_LAT), o, &lat) &&
            gps_degrees(exif_content_get_entry(gps, GPS_TAG_LON), o, &lon) && lat <= 90.0L &&
            lon <= 180.0L && !(llroundl(lat * 1e7L) == 0 && llroundl(lon * 1e7L) == 0)) {
            /* 0,0 (also after rounding to 1e-7 degree) is a receiver without a
             * fix, not a position */
            c->has_gps = 1;
            c->lat_e7 = (int64_t)llroundl(lat * 1e7L) * (lat_ref[0] == 'S' ? -1 : 1);
            c->lon_e7 = (int64_t)llroundl(lon * 1e7L) * (lon_ref[0] == 'W' ? -1 : 1);
        }
        e = exif_content_get_entry(gps, GPS_TAG_ALT);
        if (c->has_gps && e && e->format == EXIF_FORMAT_RATIONAL && e->components >= 1 &&
            e->data && e->size >= 8) {
            ExifRational r = exif_get_rational(e->data, o);
            ExifEntry *ref = exif_content_get_entry(gps, GPS_TAG_ALT_REF);
            int below = ref && ref->format == EXIF_FORMAT_BYTE && ref->data && ref->size >= 1 &&
                        ref->data[0] == 1;
            if (r.denominator != 0) {
                long double m = (long double)r.numerator / (long double)r.denominator;
                if (m < 100000.0L) { /* 100 km: beyond that it is not an altitude */
                    c->has_alt = 1;
                    c->alt_cm = (int64_t)llroundl(m * 100.0L) * (below ? -1 : 1);
                }
            }
        }
    }

    if (ifd0) {
        entry_text(exif_content_get_entry(ifd0, EXIF_TAG_MAKE), c->make, sizeof c->make);
        entry_text(exif_content_get_entry(ifd0, EXIF_TAG_MODEL), c->model, sizeof c->model);
        clean_text(c->make);
        clean_text(c->model);
    }
}

/* ---- the IFD structure, walked before libexif sees it ---------------------
 *
 * libexif follows the Exif, GPS and Interoperability IFD pointers found in
 * any IFD, and IFD 0's next-IFD pointer (to IFD 1), and guards against loops
 * only by a recursion budget: a block whose pointers lead back into
 * themselves costs it a tree of re-reads, hundreds of milliseconds for a
 * 60-byte block (docs/evidence.md). So the same pointers are walked here
 * first, each IFD read at most once and at most EXIF_IFD_MAX of them: a
 * pointer that leads back to an IFD on its own path (a cycle), to an IFD
 * already read, outside the block or into the TIFF header is stripped from a
 * copy of the block (its 12-byte entry zeroed, which libexif skips; a
 * next-IFD pointer set to 0, "none"), and the copy, now a tree libexif reads
 * in one pass, is what libexif gets. The EXIF is then reported malformed,
 * naming the first such pointer; what lay behind a stripped pointer is not
 * read. The walk reads IFDs exactly as libexif does (entry count cut to the
 * bytes there are), so libexif never follows a pointer the walk did not. */

#define EXIF_IFD_MAX 16   /* IFDs read in one block: real files have at most 5 */
#define EXIF_FIX_MAX 32   /* stripped pointers before the whole block is refused */
#define TAG_EXIF_PTR 0x8769
#define TAG_GPS_PTR 0x8825
#define TAG_INTEROP_PTR 0xa005

typedef struct {
    const unsigned char *t; /* TIFF header */
    size_t n;               /* bytes from t to the end of the block */
    int le;
    size_t seen[EXIF_IFD_MAX]; /* offsets of the IFDs read */
    const char *seen_name[EXIF_IFD_MAX];
    size_t nseen;
    size_t path[EXIF_IFD_MAX + 1]; /* offsets from IFD 0 down to the IFD being read */
    size_t depth;
    size_t fix[EXIF_FIX_MAX]; /* offsets (from t) of entries to zero, or of a next
                                 pointer to set to 0 (fix_next) */
    int fix_next[EXIF_FIX_MAX];
    size_t nfix;
    int problems;  /* pointers found wrong, fixable or not */
    int refuse;    /* the block cannot be made safe: give libexif nothing */
    char why[CONSTAT_EXIF_PROBLEM_MAX + 1]; /* the first problem */
} tiff_walk;

static size_t w16(const tiff_walk *w, size_t at)
{
    const unsigned char *p = w->t + at;
    return w->le ? (size_t)(p[0] | p[1] << 8) : (size_t)(p[0] << 8 | p[1]);
}

static size_t w32(const tiff_walk *w, size_t at)
{
    const unsigned char *p = w->t + at;
    return w->le ? ((size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24)
                 : ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3]);
}

static const char *ptr_name(size_t tag)
{
    return tag == TAG_EXIF_PTR ? "Exif IFD" : tag == TAG_GPS_PTR ? "GPS IFD" : "Interop IFD";
}

/* Note a wrong pointer: the first one names the block's fault; `at` is the
 * byte to fix (an entry, or a next pointer when `next`), or (size_t)-1 when
 * nothing can be stripped. */
static void walk_problem(tiff_walk *w, size_t at, int next, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void walk_problem(tiff_walk *w, size_t at, int next, const char *fmt, ...)
{
    if (w->problems++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->why, sizeof w->why, fmt, ap);
        va_end(ap);
    }
    if (at == (size_t)-1 || w->nfix == EXIF_FIX_MAX) {
        w->refuse = 1;
        return;
    }
    w->fix[w->nfix] = at;
    w->fix_next[w->nfix++] = next;
}

/* Where a pointer to `off`, found at `at` in IFD `from`, may not go: NULL if
 * it may, else what is wrong with it. An offset already read is a cycle when
 * it lies on the pointer's own path. */
static int walk_target_ok(tiff_walk *w, size_t at, int next, const char *what,
                          const char *from, size_t off)
{
    if (off < 8 || off > w->n || w->n - off < 2) {
        walk_problem(w, at, next, "%s pointer in %s points to offset %zu, %s (%zu-byte TIFF block)",
                     what, from, off, off < 8 ? "inside the TIFF header" : "outside the block",
                     w->n);
        return 0;
    }
    for (size_t i = 0; i < w->nseen; i++) {
        if (w->seen[i] != off)
            continue;
        int cycle = 0;
        for (size_t d = 0; d < w->depth; d++)
            cycle |= w->path[d] == off;
        if (cycle)
            walk_problem(w, at, next, "%s pointer in %s points back to %s at offset %zu (cycle)",
                         what, from, w->seen_name[i], off);
        else
            walk_problem(w, at, next,
                         "%s pointer in %s points to offset %zu, already read as %s", what, from,
                         off, w->seen_name[i]);
        return 0;
    }
    if (w->nseen == EXIF_IFD_MAX) {
        walk_problem(w, at, next, "%s pointer in %s: more than %d IFDs in one block", what,
                     from, EXIF_IFD_MAX);
        return 0;
    }
    return 1;
}

/* Read the IFD at `off` (named `name`) and, depth first, the IFDs its
 * pointers lead to. `off` is in range and not read before. */
static void walk_ifd(tiff_walk *w, size_t off, const char *name)
{
    size_t cnt;
    w->seen[w->nseen] = off;
    w->seen_name[w->nseen++] = name;
    w->path[w->depth++] = off;
    cnt = w16(w, off);
    /* as libexif: only the entries the block holds */
    if ((w->n - off - 2) / 12 < cnt)
        cnt = (w->n - off - 2) / 12;
    for (size_t i = 0; i < cnt && !w->refuse; i++) {
        size_t e = off + 2 + 12 * i, tag = w16(w, e), to;
        if (tag != TAG_EXIF_PTR && tag != TAG_GPS_PTR && tag != TAG_INTEROP_PTR)
            continue;
        to = w32(w, e + 8);
        if (walk_target_ok(w, e, 0, ptr_name(tag), name, to))
            walk_ifd(w, to, ptr_name(tag));
    }
    w->depth--;
}

/* Walk the TIFF block at t[n] as libexif will: IFD 0 and what it points to,
 * then IFD 1 (IFD 0's next) and what it points to. */
static void walk_tiff(tiff_walk *w, const unsigned char *t, size_t n)
{
    size_t ifd0, cnt, next_at;
    memset(w, 0, sizeof *w);
    w->t = t;
    w->n = n;
    if (n < 8 || !((t[0] == 'I' && t[1] == 'I') || (t[0] == 'M' && t[1] == 'M')))
        return; /* libexif reads nothing either */
    w->le = t[0] == 'I';
    if (w16(w, 2) != 42)
        return;
    ifd0 = w32(w, 4);
    if (ifd0 < 8 || ifd0 > n || n - ifd0 < 2) {
        walk_problem(w, (size_t)-1, 0, "IFD 0 offset %zu is %s (%zu-byte TIFF block)", ifd0,
                     ifd0 < 8 ? "inside the TIFF header" : "outside the block", n);
        return;
    }
    walk_ifd(w, ifd0, "IFD 0");
    if (w->refuse)
        return;
    /* libexif reads the next pointer after the full entry count, if there */
    cnt = w16(w, ifd0);
    next_at = ifd0 + 2 + 12 * cnt;
    if (next_at + 4 <= n) {
        size_t ifd1 = w32(w, next_at);
        w->path[w->depth++] = ifd0; /* IFD 1 hangs from IFD 0: back to it is a cycle */
        if (ifd1 && walk_target_ok(w, next_at, 1, "next-IFD", "IFD 0", ifd1))
            walk_ifd(w, ifd1, "IFD 1");
        w->depth--;
    }
}

/* Turn an EXIF block ("Exif\0\0" + TIFF) into *c with our options. */
static constat_status load_bytes(const unsigned char *buf, size_t size, constat_capture *c,
                                 constat_error *err)
{
    ExifData *ed;
    int exif_ok, gps_ok, gps_in_ifd0;
    tiff_walk w;
    unsigned char *copy = NULL;

    /* libexif wants the "Exif\0\0" header (else it looks for JPEG markers
     * inside, which the walk does not follow): the loader's blocks and bare
     * blocks have it */
    if (!buf || size < 6 || size > 0xffffffffu || memcmp(buf, "Exif\0\0", 6) != 0)
        return CONSTAT_OK;
    walk_tiff(&w, buf + 6, size - 6);
    if (w.problems) {
        c->exif_malformed = 1;
        snprintf(c->exif_problem, sizeof c->exif_problem, "%s", w.why);
        if (w.problems > 1) {
            size_t k = strlen(c->exif_problem);
            snprintf(c->exif_problem + k, sizeof c->exif_problem - k, " (and %d more)",
                     w.problems - 1);
        }
        if (w.refuse || w.nfix == 0)
            return CONSTAT_OK;
        copy = malloc(size);
        if (!copy)
            return constat_error_set(err, CONSTAT_ENOMEM, "exif: out of memory");
        memcpy(copy, buf, size);
        for (size_t i = 0; i < w.nfix; i++)
            memset(copy + 6 + w.fix[i], 0, w.fix_next[i] ? 4 : 12);
        /* zeroed bytes can only remove pointers, but a crafted block may
         * overlap its IFDs: what libexif gets must pass the walk as it is */
        walk_tiff(&w, copy + 6, size - 6);
        if (w.problems) {
            free(copy);
            return CONSTAT_OK;
        }
        buf = copy;
    }
    pointer_types(buf, size, &exif_ok, &gps_ok, &gps_in_ifd0);
    /* a GPS IFD reached only through a malformed Exif pointer is not trusted */
    if (!exif_ok && !gps_in_ifd0)
        gps_ok = 0;
    ed = exif_data_new();
    if (!ed) {
        free(copy);
        return constat_error_set(err, CONSTAT_ENOMEM, "exif: out of memory");
    }
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    exif_data_load_data(ed, buf, (unsigned int)size);
    extract(ed, exif_ok, gps_ok, c);
    exif_data_unref(ed);
    free(copy);
    return CONSTAT_OK;
}

/* The loader's EXIF block, if it found one. */
static constat_status load_block(ExifLoader *l, constat_capture *c, constat_error *err)
{
    const unsigned char *buf = NULL;
    unsigned int size = 0;
    exif_loader_get_buf(l, &buf, &size);
    return load_bytes(buf, size, c, err);
}

constat_status constat_exif_parse(const uint8_t *data, size_t len, constat_capture *out,
                                  constat_error *err)
{
    ExifLoader *l;
    constat_status st;
    size_t at = 0;

    if (!out || (!data && len))
        return constat_error_set(err, CONSTAT_EINVAL, "exif: no data");
    memset(out, 0, sizeof *out);
    /* a bare EXIF block goes to libexif as it is; the loader looks for JPEG
     * segments */
    if (len >= 6 && memcmp(data, "Exif\0\0", 6) == 0)
        return load_bytes(data, len, out, err);
    l = exif_loader_new();
    if (!l)
        return constat_error_set(err, CONSTAT_ENOMEM, "exif: out of memory");
    /* the loader takes unsigned int sizes and a non-const buffer it does not
     * write to */
    while (at < len) {
        unsigned int n = len - at > 65536 ? 65536u : (unsigned int)(len - at);
        if (!exif_loader_write(l, (unsigned char *)(uintptr_t)(data + at), n))
            break;
        at += n;
    }
    st = load_block(l, out, err);
    exif_loader_unref(l);
    return st;
}

constat_status constat_exif_read_file(const char *path, constat_capture *out,
                                      constat_error *err)
{
    unsigned char block[65536];
    ExifLoader *l;
    constat_status st;
    size_t total = 0;
    int fd;

    if (!path || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "exif: no file");
    memset(out, 0, sizeof *out);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    l = exif_loader_new();
    if (!l) {
        close(fd);
        return constat_error_set(err, CONSTAT_ENOMEM, "exif: out of memory");
    }
    while (total < CONSTAT_EXIF_SCAN_MAX) {
        ssize_t n = read(fd, block, sizeof block);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = constat_error_set(err, CONSTAT_EIO, "%s: read: %s", path, strerror(errno));
            exif_loader_unref(l);
            close(fd);
            return st;
        }
        if (n == 0 || !exif_loader_write(l, block, (unsigned int)n))
            break;
        total += (size_t)n;
    }
    close(fd);
    st = load_block(l, out, err);
    exif_loader_unref(l);
    return st;
}

json_t *constat_capture_to_json(const constat_capture *c)
{
    json_t *o;
    int bad = 0;

    if (!c || !(c->has_local_time || c->has_gps || c->make[0] || c->model[0] ||
                (c->time_invalid && c->time_raw[0]) || (c->exif_malformed && c->exif_problem[0])))
        return NULL;
    o = json_object();
    if (!o)
        return NULL;
    if (c->has_local_time && c->has_offset) {
        int64_t t;
        char iso[40], ts[32];
        snprintf(iso, sizeof iso, "%sZ", c->local_time);
        if (constat_rfc3339_parse(iso, &t, NULL) == CONSTAT_OK) {
            constat_rfc3339_format(t - c->offset_s, c->offset_s, ts);
            bad |= json_object_set_new(o, "time", json_string(ts));
        }
    } else if (c->has_local_time) {
        bad |= json_object_set_new(o, "local_time", json_string(c->local_time));
    } else if (c->time_invalid && c->time_raw[0]) {
        bad |= json_object_set_new(o, "time_invalid", json_string(c->time_raw));
    }
    if (c->has_gps) {
        bad |= json_object_set_new(o, "lat_e7", json_integer((json_int_t)c->lat_e7));
        bad |= json_object_set_new(o, "lon_e7", json_integer((json_int_t)c->lon_e7));
        if (c->has_alt)
            bad |= json_object_set_new(o, "alt_cm", json_integer((json_int_t)c->alt_cm));
    }
    if (c->make[0])
        bad |= json_object_set_new(o, "make", json_string(c->make));
    if (c->model[0])
        bad |= json_object_set_new(o, "model", json_string(c->model));
    if (c->exif_malformed && c->exif_problem[0])
        bad |= json_object_set_new(o, "exif_malformed", json_string(c->exif_problem));
    if (bad || json_object_size(o) == 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
