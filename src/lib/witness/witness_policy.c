/*
 * witness_policy.c — k-of-n witness policies over a cosigned checkpoint
 * (witness_policy.h, docs/witness.md), and the cosigned checkpoint a
 * dossier carries.
 *
 * Each listed witness is checked on its own with constat_note_open and that
 * witness's key alone: the note code then tells "no line by this key"
 * (EVERIFY, the note still described) from "its line does not verify"
 * (EVERIFY, nothing described), which is exactly the absent / invalid split
 * a verifier must report. One bad cosignature must not hide the others, so
 * they are never opened together.
 *
 * The policy parser is strict on the lines it knows (a typo in `quorum`
 * must not silently weaken a policy) and lenient on the ones it does not,
 * so that later keywords do not break older verifiers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/file.h"
#include "constat/witness/publish.h"
#include "constat/record/record.h"
#include "constat/witness/witness_policy.h"

/* ---- the policy file ------------------------------------------------------ */

/* Hostile bytes reach messages only through this: printable ASCII, short. */
static void printable(const char *in, size_t len, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 4 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (j + 4 >= cap && len > j)
        for (int k = 0; k < 3; k++)
            out[j++] = '.';
    out[j] = '\0';
}

#define MAX_FIELDS 4

typedef struct {
    const char *s;
    size_t len;
} field;

/* Split on spaces and tabs, stopping at a field that starts a comment.
 * Returns the number of fields, MAX_FIELDS + 1 if there are more. */
static size_t split_fields(const char *line, size_t len, field *f)
{
    size_t n = 0, i = 0;
    while (i < len) {
        size_t start;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len || line[i] == '#')
            break;
        start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
        f[n].s = line + start;
        f[n].len = i - start;
        n++;
    }
    return n;
}

static int field_is(const field *f, const char *word)
{
    size_t n = strlen(word);
    return f->len == n && memcmp(f->s, word, n) == 0;
}

/* Canonical decimal, no sign, no leading zero, at most 6 digits. */
static int parse_count(const field *f, size_t *out)
{
    size_t v = 0;
    if (f->len == 0 || f->len > 6 || (f->s[0] == '0' && f->len > 1))
        return 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->s[i] < '0' || f->s[i] > '9')
            return 0;
        v = v * 10 + (size_t)(f->s[i] - '0');
    }
    *out = v;
    return 1;
}

static constat_status parse_witness(constat_witness_policy *p, const field *f, size_t nf,
                                    size_t lineno, constat_error *err)
{
    char vk[CONSTAT_WITNESS_POLICY_LINE_MAX + 1], shown[80];
    constat_note_verifier ver;
    constat_error e;

    if (nf != 3)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "line %zu: witness: expected \"witness NAME VKEY\"", lineno);
    if (p->n == CONSTAT_WITNESS_POLICY_MAX_WITNESSES)
        return constat_error_set(err, CONSTAT_ELIMIT, "line %zu: more than %u witnesses",
                                 lineno, CONSTAT_WITNESS_POLICY_MAX_WITNESSES);
    memcpy(vk, f[2].s, f[2].len);
    vk[f[2].len] = '\0';
    printable(f[1].s, f[1].len, shown, sizeof shown);
    constat_error_clear(&e);
    if (constat_note_verifier_parse(vk, &ver, &e) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "line %zu: witness %s: bad vkey: %s",
                                 lineno, shown, e.msg);
    if (ver.alg != CONSTAT_NOTE_ALG_COSIGNATURE_V1)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "line %zu: witness %s: the vkey is of type 0x%02x, not a "
                                 "cosignature/v1 witness key (type 0x04; `constat witness "
                                 "key` prints one)",
                                 lineno, shown, ver.alg);
    if (f[1].len != strlen(ver.name) || memcmp(f[1].s, ver.name, f[1].len) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "line %zu: witness %s: the vkey is named %s; NAME must be "
                                 "the key's name",
                                 lineno, shown, ver.name);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->w[i].name, ver.name) == 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "line %zu: witness %s is listed twice", lineno, shown);
    p->w[p->n++] = ver;
    return CONSTAT_OK;
}

constat_status constat_witness_policy_parse(const char *text, size_t len,
                                            constat_witness_policy *out, constat_error *err)
{
    size_t pos = 0, lineno = 0, quorum_line = 0;
    constat_status st;

    if (!out || (!text && len))
        return constat_error_set(err, CONSTAT_EINVAL, "witness policy: missing argument");
    memset(out, 0, sizeof *out);
    if (len > CONSTAT_WITNESS_POLICY_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "witness policy: %zu bytes, at most %u", len,
                                 CONSTAT_WITNESS_POLICY_MAX_BYTES);
    if (len && memchr(text, '\0', len))
        return constat_error_set(err, CONSTAT_EINVAL, "witness policy: holds a NUL byte");
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        field f[MAX_FIELDS];
        size_t nf;

        lineno++;
        pos += llen + (nl ? 1 : 0);
        if (llen > 0 && line[llen - 1] == '\r')
            llen--;
        if (llen > CONSTAT_WITNESS_POLICY_LINE_MAX) {
            memset(out, 0, sizeof *out);
            return constat_error_set(err, CONSTAT_ELIMIT, "line %zu: longer than %u bytes",
                                     lineno, CONSTAT_WITNESS_POLICY_LINE_MAX);
        }
        nf = split_fields(line, llen, f);
        if (nf == 0)
            continue;
        if (field_is(&f[0], "witness")) {
            st = parse_witness(out, f, nf, lineno, err);
            if (st != CONSTAT_OK) {
                memset(out, 0, sizeof *out);
                return st;
            }
        } else if (field_is(&f[0], "quorum")) {
            size_t k = 0;
            if (quorum_line) {
                memset(out, 0, sizeof *out);
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "line %zu: a second quorum line (the first is line "
                                         "%zu)",
                                         lineno, quorum_line);
            }
            if (nf != 2 || !parse_count(&f[1], &k) || k == 0) {
                memset(out, 0, sizeof *out);
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "line %zu: quorum: expected \"quorum K\", K a whole "
                                         "number of at least 1",
                                         lineno);
            }
            quorum_line = lineno;
            out->quorum = k;
            out->quorum_given = 1;
        }
        /* any other first word: a later keyword, ignored */
    }
    if (out->n == 0) {
        memset(out, 0, sizeof *out);
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "witness policy: no \"witness NAME VKEY\" line");
    }
    if (!out->quorum_given) {
        out->quorum = out->n;
    } else if (out->quorum > out->n) {
        size_t k = out->quorum, n = out->n;
        memset(out, 0, sizeof *out);
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "line %zu: quorum %zu but only %zu witness(es) listed",
                                 quorum_line, k, n);
    }
    return CONSTAT_OK;
}

constat_status constat_witness_policy_load(const char *path, constat_witness_policy *out,
                                           constat_error *err)
{
    FILE *f;
    constat_buf b;
    constat_status st;

    if (!path || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "witness policy: missing argument");
    memset(out, 0, sizeof *out);
    f = fopen(path, "rb");
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: cannot open: %s", path, strerror(errno));
    constat_buf_init(&b);
    st = constat_file_read(f, CONSTAT_WITNESS_POLICY_MAX_BYTES, &b, err);
    fclose(f);
    if (st == CONSTAT_ELIMIT)
        st = constat_error_set(err, st, "witness policy: larger than %u bytes",
                               CONSTAT_WITNESS_POLICY_MAX_BYTES);
    if (st == CONSTAT_OK)
        st = constat_witness_policy_parse((const char *)b.data, b.len, out, err);
    constat_buf_free(&b);
    if (st != CONSTAT_OK && st != CONSTAT_ENOMEM && err)
        constat_error_prefix(err, "%s: ", path);
    return st;
}

/* ---- checking a checkpoint against it ---------------------------------------- */

constat_status constat_witness_policy_check(const constat_witness_policy *p, const char *note,
                                            size_t len, constat_witness_result *res,
                                            size_t *nvalid, constat_error *err)
{
    constat_note *opened;
    size_t valid = 0, invalid = 0;
    constat_buf missing;
    constat_status st = CONSTAT_OK;

    if (nvalid)
        *nvalid = 0;
    if (!p || !res || (!note && len) || p->n == 0 || p->n > CONSTAT_WITNESS_POLICY_MAX_WITNESSES)
        return constat_error_set(err, CONSTAT_EINVAL, "witness policy check: bad argument");
    for (size_t i = 0; i < p->n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].name = p->w[i].name;
    }
    opened = malloc(sizeof *opened);
    if (!opened)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n && st == CONSTAT_OK; i++) {
        constat_error e;
        constat_status os;

        constat_error_clear(&e);
        os = constat_note_open(note ? note : "", len, &p->w[i], 1, opened, &e);
        if (os == CONSTAT_OK) {
            for (size_t k = 0; k < opened->nsigs; k++)
                if (opened->sigs[k].verified) {
                    res[i].timestamp = opened->sigs[k].timestamp;
                    break;
                }
            res[i].state = CONSTAT_COSIG_VALID;
            valid++;
        } else if (os == CONSTAT_EVERIFY && opened->nsigs > 0) {
            /* no line by this key; say so if one carries its name */
            res[i].state = CONSTAT_COSIG_ABSENT;
            for (size_t k = 0; k < opened->nsigs; k++)
                if (strcmp(opened->sigs[k].name, p->w[i].name) == 0) {
                    snprintf(res[i].msg, sizeof res[i].msg,
                             "a line named %s carries key id %08x, not the policy's %08x",
                             p->w[i].name, (unsigned)opened->sigs[k].key_id,
                             (unsigned)p->w[i].key_id);
                    break;
                }
        } else if (os == CONSTAT_EVERIFY) {
            res[i].state = CONSTAT_COSIG_INVALID;
            snprintf(res[i].msg, sizeof res[i].msg, "%s", e.msg);
            invalid++;
        } else {
            for (size_t k = 0; k < p->n; k++) {
                res[k].state = CONSTAT_COSIG_ABSENT;
                res[k].timestamp = 0;
                res[k].msg[0] = '\0';
            }
            valid = invalid = 0;
            st = constat_error_set(err, os, "checkpoint: %s", e.msg);
        }
    }
    free(opened);
    if (st != CONSTAT_OK)
        return st;
    if (nvalid)
        *nvalid = valid;
    if (valid >= p->quorum && invalid == 0)
        return CONSTAT_OK;

    /* one message naming who is missing or invalid */
    constat_buf_init(&missing);
    for (size_t i = 0; i < p->n; i++) {
        if (res[i].state == CONSTAT_COSIG_VALID)
            continue;
        if (constat_buf_printf(&missing, "%s%s (%s)", missing.len ? ", " : "", res[i].name,
                               res[i].state == CONSTAT_COSIG_INVALID ? "invalid cosignature"
                                                                     : "no cosignature") !=
            CONSTAT_OK) {
            constat_buf_free(&missing);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    if (valid >= p->quorum)
        st = constat_error_set(err, CONSTAT_EVERIFY,
                               "witness policy: %zu of %zu required cosignatures valid, but "
                               "a listed witness's cosignature does not verify: %s",
                               valid, p->quorum, missing.data ? (const char *)missing.data : "");
    else
        st = constat_error_set(err, CONSTAT_EVERIFY,
                               "witness policy not met: %zu valid cosignature(s), %zu of the "
                               "%zu listed witnesses required; missing: %s",
                               valid, p->quorum, p->n,
                               missing.data ? (const char *)missing.data : "");
    constat_buf_free(&missing);
    return st;
}

/* ---- the writing side --------------------------------------------------------- */

typedef struct {
    constat_note_verifier *v;
    size_t n, cap;
    int bad;
} wlist;

static int collect_witness(void *ctx, const char *name, const char *url, const char *vkey,
                           uint64_t cosigned)
{
    wlist *l = ctx;
    constat_note_verifier ver;
    (void)name;
    (void)url;
    (void)cosigned;
    if (constat_note_verifier_parse(vkey, &ver, NULL) != CONSTAT_OK) {
        l->bad = 1; /* stored vkeys were checked when added: a damaged vault */
        return 1;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        constat_note_verifier *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->bad = 2;
            return 1;
        }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = ver;
    return 0;
}

constat_status constat_witness_dossier_note(constat_vault *v, const char *note, size_t len,
                                            constat_buf *out, constat_dossier_cosig *cosigs,
                                            size_t max, size_t *ncosigs, size_t *nwitnesses,
                                            constat_error *err)
{
    wlist l = {0};
    constat_buf cb;
    constat_note *opened = NULL;
    size_t nstored = 0, found = 0;
    int use_cosigned = 0;
    constat_status st;

    if (ncosigs)
        *ncosigs = 0;
    if (nwitnesses)
        *nwitnesses = 0;
    if (!v || !note || !out || (max && !cosigs))
        return constat_error_set(err, CONSTAT_EINVAL, "dossier checkpoint: bad argument");
    constat_buf_init(&cb);
    st = constat_publish_witnesses(v, collect_witness, &l, err);
    if (st == CONSTAT_OK && l.bad == 1)
        st = constat_error_set(err, CONSTAT_EIO,
                               "vault.db: a configured witness has an unreadable vkey");
    if (st == CONSTAT_OK && l.bad == 2)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && l.n > 0) {
        st = constat_publish_cosigned(v, &cb, &nstored, err);
        /* A checkpoint signed by another process since `note` was made: the
         * cosignatures are for that one, not ours; ship ours bare. */
        use_cosigned = st == CONSTAT_OK && nstored > 0 && cb.len > len &&
                       memcmp(cb.data, note, len) == 0;
    }
    if (st == CONSTAT_OK && use_cosigned) {
        opened = malloc(sizeof *opened);
        if (!opened)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (size_t i = 0; st == CONSTAT_OK && i < l.n; i++) {
            constat_error e;
            constat_status os;
            constat_error_clear(&e);
            os = constat_note_open((const char *)cb.data, cb.len, &l.v[i], 1, opened, &e);
            if (os == CONSTAT_EVERIFY && opened->nsigs > 0)
                continue; /* this witness has not cosigned this size */
            if (os != CONSTAT_OK) {
                st = constat_error_set(err, os == CONSTAT_EVERIFY ? CONSTAT_EVERIFY : os,
                                       "vault.db: the stored cosignature by witness %s does "
                                       "not verify: %s",
                                       l.v[i].name, e.msg);
                break;
            }
            if (found < max) {
                constat_dossier_cosig *c = &cosigs[found];
                memset(c, 0, sizeof *c);
                snprintf(c->name, sizeof c->name, "%s", l.v[i].name);
                if (constat_note_verifier_format(&l.v[i], c->vkey, sizeof c->vkey) !=
                    CONSTAT_OK)
                    c->vkey[0] = '\0';
                for (size_t k = 0; k < opened->nsigs; k++)
                    if (opened->sigs[k].verified) {
                        c->timestamp = opened->sigs[k].timestamp;
                        break;
                    }
            }
            found++;
        }
    }
    if (st == CONSTAT_OK) {
        const void *src = use_cosigned ? (const void *)cb.data : (const void *)note;
        size_t n = use_cosigned ? cb.len : len;
        if (constat_buf_append(out, src, n) != CONSTAT_OK)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    if (st == CONSTAT_OK) {
        if (ncosigs)
            *ncosigs = found < max ? found : max;
        if (nwitnesses)
            *nwitnesses = l.n;
    }
    free(opened);
    free(l.v);
    constat_buf_free(&cb);
    return st;
}

/* The Witnesses section of VERIFY.md (fr = 0) or VERIFY.fr.md (fr = 1):
 * one walk, each sentence in both languages. */
static constat_status dossier_md(const constat_dossier_cosig *cosigs, size_t n,
                                 size_t nwitnesses, int fr, constat_buf *out)
{
    constat_status rc;

    if (!out || (n && !cosigs))
        return CONSTAT_EINVAL;
    rc = constat_buf_puts(out, fr ? "## Témoins\n\n" : "## Witnesses\n\n");
    if (rc == CONSTAT_OK && n == 0) {
        rc = constat_buf_puts(
            out, fr ? "Le point de contrôle n'est **cosigné par aucun témoin** : rien ici ne "
                      "montre\nqu'une autre organisation a vu cet arbre."
                    : "The checkpoint is **not cosigned** by any witness: nothing here shows "
                      "that\nanother organisation saw this tree.");
        if (rc == CONSTAT_OK && nwitnesses > 0)
            rc = constat_buf_printf(
                out,
                fr ? " Le journal a %zu témoin(s) configuré(s) : l'organisation peut "
                     "lancer\n`constat publish` puis écrire de nouveau le dossier pour qu'il "
                     "porte leurs\ncosignatures."
                   : " The log has %zu witness(es) configured: the\norganisation can run "
                     "`constat publish` and write the dossier again to carry\ntheir "
                     "cosignatures.",
                nwitnesses);
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\n\n");
        return rc;
    }
    if (rc == CONSTAT_OK)
        rc = constat_buf_printf(out,
                                fr ? "Le point de contrôle porte %zu cosignature(s) (C2SP "
                                     "tlog-cosignature), après la\nsignature du journal :\n\n"
                                   : "The checkpoint carries %zu cosignature(s) (C2SP "
                                     "tlog-cosignature), after the log's\nsignature:\n\n",
                                n);
    for (size_t i = 0; rc == CONSTAT_OK && i < n; i++) {
        char when[32];
        constat_rfc3339_format(cosigs[i].timestamp > (uint64_t)INT64_MAX
                                   ? INT64_MAX
                                   : (int64_t)cosigs[i].timestamp,
                               0, when);
        rc = constat_buf_printf(out, fr ? "- %s, le %s : `%s`\n" : "- %s, at %s: `%s`\n",
                                cosigs[i].name, when, cosigs[i].vkey);
    }
    if (rc == CONSTAT_OK)
        rc = constat_buf_puts(
            out, fr ? "\nPour les exiger, comparez ces clés avec celles que les témoins ont "
                      "publiées\neux-mêmes, puis écrivez un fichier de politique "
                      "(docs/witness.md) tel que\n\n"
                    : "\nTo require them, compare these keys with keys the witnesses "
                      "published\nthemselves, then write a policy file (docs/witness.md) "
                      "such as\n\n");
    for (size_t i = 0; rc == CONSTAT_OK && i < n; i++)
        rc = constat_buf_printf(out, "    witness %s %s\n", cosigs[i].name, cosigs[i].vkey);
    if (rc == CONSTAT_OK)
        rc = constat_buf_printf(out,
                                fr ? "    quorum %zu\n\net lancez `constat verify CE-DOSSIER "
                                     "--witness-policy policy.txt`.\n\n"
                                   : "    quorum %zu\n\nand run `constat verify THIS-FOLDER "
                                     "--witness-policy policy.txt`.\n\n",
                                n);
    return rc;
}

constat_status constat_witness_dossier_md(const constat_dossier_cosig *cosigs, size_t n,
                                          size_t nwitnesses, constat_buf *out)
{
    return dossier_md(cosigs, n, nwitnesses, 0, out);
}

constat_status constat_witness_dossier_md_fr(const constat_dossier_cosig *cosigs, size_t n,
                                             size_t nwitnesses, constat_buf *out)
{
    return dossier_md(cosigs, n, nwitnesses, 1, out);
}
