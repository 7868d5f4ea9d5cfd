/* Stage: dates in the title and body, absolute ("1 March 2023", "1 במרץ")
 * and relative ("on Wednesday", "in September", "two weeks ago", "last
 * year"), the relative ones resolved against the publication date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/civil.h"
#include "newsd/ingest.h"
#include "newsd/lexicon.h"
#include "newsd/stage.h"

enum {
        K_NUMBER = 1,
        K_MONTH,
        K_MONTH_ABBR,
        K_WEEKDAY,
        K_REL,
        K_UNIT,
        K_AGO,
        K_AGO_BEFORE,
};

/* Unit codes kept in an entry's tag. */
static int
unit_code(const char *u)
{
        if (!u)
                return 0;
        if (strcmp(u, "day") == 0)
                return 'd';
        if (strcmp(u, "week") == 0)
                return 'w';
        if (strcmp(u, "month") == 0)
                return 'm';
        if (strcmp(u, "year") == 0)
                return 'y';
        return 0;
}

static nd_err
month_row(void *ctx, char **f, size_t n)
{
        nd_lexicon *lx = ctx;
        int kind;

        if (n < 4)
                return ND_ERR_DATA;
        /* months.tsv: lang, month, width, name. Abbreviated names ("Mar",
         * "Jan") are words too, so they count only next to a day number. */
        kind = strcmp(f[2], "abbreviated") == 0 ? K_MONTH_ABBR : K_MONTH;
        return nd_lexicon_add(lx, f[3], kind, atof(f[1]), f[0]) ? ND_OK
                                                                : ND_ERR_NOMEM;
}

static nd_err
weekday_row(void *ctx, char **f, size_t n)
{
        if (n < 4)
                return ND_ERR_DATA;
        /* Abbreviated weekday names ("Mi.", "ב׳") are too ambiguous. */
        if (strcmp(f[2], "wide") != 0)
                return ND_OK;
        return nd_lexicon_add(ctx, f[3], K_WEEKDAY, atof(f[1]), f[0])
                   ? ND_OK
                   : ND_ERR_NOMEM;
}

static nd_err
relative_row(void *ctx, char **f, size_t n)
{
        nd_lexicon *lx = ctx;
        int kind;

        if (n < 5)
                return ND_ERR_DATA;
        if (strcmp(f[0], "rel") == 0)
                kind = K_REL;
        else if (strcmp(f[0], "unit") == 0)
                kind = K_UNIT;
        else if (strcmp(f[0], "ago") == 0)
                kind = K_AGO;
        else if (strcmp(f[0], "agobefore") == 0)
                kind = K_AGO_BEFORE;
        else if (strcmp(f[0], "weekday") == 0)
                kind = K_WEEKDAY;
        else
                return ND_ERR_DATA;
        return nd_lexicon_add(lx, f[2], kind, atof(f[4]),
                              kind == K_WEEKDAY ? f[1] : f[3])
                   ? ND_OK
                   : ND_ERR_NOMEM;
}

static nd_err
number_row(void *ctx, char **f, size_t n)
{
        if (n < 4 || strcmp(f[0], "number") != 0)
                return ND_OK;
        return nd_lexicon_add(ctx, f[2], K_NUMBER, atof(f[3]), NULL)
                   ? ND_OK
                   : ND_ERR_NOMEM;
}

static nd_err
dates_create(void **state, const nd_pipeline_conf *conf, char *errstr,
             size_t errstr_size)
{
        static const nd_lexicon_file files[] = {
            {"dates/relative.tsv", relative_row},
            {"dates/months.tsv", month_row},
            {"dates/weekdays.tsv", weekday_row},
            {"amounts/words.tsv", number_row},
        };

        *state = nd_lexicon_load(conf->data_dir, files,
                                 sizeof(files) / sizeof(*files), errstr,
                                 errstr_size);
        return *state ? ND_OK : ND_ERR_DATA;
}

static void
dates_destroy(void *state)
{
        nd_lexicon_free(state);
}

/* --- Civil dates as day numbers (days since 1970-01-01). --------------- */

static bool
valid_day(long y, int m, int d)
{
        long y2;
        int m2, d2;

        if (m < 1 || m > 12 || d < 1 || d > 31)
                return false;
        nd_civil_from_days(nd_days_from_civil(y, m, d), &y2, &m2, &d2);
        return y2 == y && m2 == m && d2 == d;
}

typedef struct {
        bool known;
        long y;
        int m, d;
        long day; /* day number */
} pubdate;

typedef struct {
        size_t start, end; /* folded */
        int kind;
        double value;
        const char *tag;
        int digits; /* number of digits for a digit number, else 0 */
} tok;

static bool
gap_ok(const uint32_t *cp, size_t a, size_t b, bool allow_de)
{
        size_t i = a;

        if (b < a || b - a > 6)
                return false;
        while (i < b &&
               (cp[i] == ' ' || cp[i] == '.' || cp[i] == ',' || cp[i] == '('))
                i++;
        if (allow_de && i + 2 <= b && cp[i] == 'd' && cp[i + 1] == 'e') {
                i += 2;
                if (i < b && cp[i] == 'l')
                        i++;
                while (i < b && cp[i] == ' ')
                        i++;
        }
        /* A clitic prefix glued to the next word ("1 במרץ"). */
        return i == b ||
               (i < b && nd_clitic_script(cp[b]) != ND_CLITIC_NONE &&
                nd_clitic_prefix_ok(cp, i, b, nd_clitic_script(cp[b])));
}

typedef struct {
        json_t *out;
        const nd_folded *f;
        const char *text;
        const char *field;
} emit_ctx;

static void
emit(emit_ctx *ec, size_t fs, size_t fe, long y, int m, int d, const char *res,
     bool relative)
{
        size_t s = ec->f->orig[fs], e = ec->f->orig[fe - 1] + 1;
        char date[16];

        if (strcmp(res, "day") == 0)
                snprintf(date, sizeof(date), "%04ld-%02d-%02d", y, m, d);
        else if (strcmp(res, "month") == 0)
                snprintf(date, sizeof(date), "%04ld-%02d", y, m);
        else
                snprintf(date, sizeof(date), "%04ld", y);
        json_array_append_new(
            ec->out,
            json_pack("{s:s%,s:s,s:s,s:b,s:s,s:I,s:I}", "text",
                      ec->text + ec->f->src_byte[s],
                      ec->f->src_byte[e] - ec->f->src_byte[s], "date", date,
                      "resolution", res, "relative", relative, "field",
                      ec->field, "start", (json_int_t)s, "end", (json_int_t)e));
}

/* A day-month(-year) date starting at token i: "1 March 2023", "1. März",
 * "1 de marzo de 2023", "March 1, 2023". Returns the number of tokens
 * used, 0 if none; fills y/m/d and *year_given. */
static size_t
absolute_date(const tok *t, size_t n, size_t i, const uint32_t *cp,
              const pubdate *pub, long *y, int *m, int *d)
{
        size_t used = 0;
        bool month_first = t[i].kind == K_MONTH || t[i].kind == K_MONTH_ABBR;
        size_t dn, mn;

        if (i + 1 >= n)
                return 0;
        dn = month_first ? i + 1 : i;
        mn = month_first ? i : i + 1;
        if (t[dn].kind != K_NUMBER || t[dn].digits == 0 || t[dn].digits > 2 ||
            t[dn].value < 1 || t[dn].value > 31)
                return 0;
        if (t[mn].kind != K_MONTH && t[mn].kind != K_MONTH_ABBR)
                return 0;
        if (!gap_ok(cp, t[i].end, t[i + 1].start, !month_first))
                return 0;
        *d = (int)t[dn].value;
        *m = (int)t[mn].value;
        used = 2;
        if (i + 2 < n && t[i + 2].kind == K_NUMBER && t[i + 2].digits == 4 &&
            gap_ok(cp, t[i + 1].end, t[i + 2].start, true)) {
                *y = (long)t[i + 2].value;
                used = 3;
        } else if (pub->known) {
                *y = pub->y;
        } else {
                return 0;
        }
        return valid_day(*y, *m, *d) ? used : 0;
}

static long
weekday_of(long day)
{
        /* 1970-01-01 was a Thursday; 1 = Monday. */
        long w = (day + 3) % 7;
        return (w < 0 ? w + 7 : w) + 1;
}

static void
shift(const pubdate *pub, int unit, long amount, long *y, int *m, int *d)
{
        long months;

        switch (unit) {
        case 'd':
        case 'w':
                nd_civil_from_days(pub->day + amount * (unit == 'w' ? 7 : 1), y,
                                   m, d);
                return;
        case 'm':
                months = pub->y * 12 + (pub->m - 1) + amount;
                *y = months / 12;
                *m = (int)(months % 12) + 1;
                *d = 1;
                return;
        default:
                *y = pub->y + amount;
                *m = 1;
                *d = 1;
        }
}

static const char *
unit_res(int unit)
{
        return unit == 'm' ? "month" : unit == 'y' ? "year" : "day";
}

static nd_err
scan_field(const nd_lexicon *lx, const pubdate *pub, json_t *out,
           const char *field, const char *text, size_t len)
{
        nd_folded f;
        nd_lex_hit *hits = NULL;
        size_t n_hits = 0, n = 0;
        tok *t = NULL;
        emit_ctx ec;
        nd_err err = nd_fold(text, len, &f);

        if (err != ND_OK)
                return err;
        err = nd_lexicon_scan(lx, &f, &hits, &n_hits);
        if (err != ND_OK)
                goto out;
        t = calloc(n_hits + f.n / 2 + 2, sizeof(*t));
        if (!t) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        /* Merge lexicon hits and digit runs in text order. */
        for (size_t i = 0, h = 0; i < f.n || h < n_hits;) {
                if (h < n_hits && (i >= f.n || hits[h].start <= i)) {
                        t[n++] = (tok){hits[h].start,   hits[h].end,
                                       hits[h].e->kind, hits[h].e->value,
                                       hits[h].e->tag,  0};
                        if (hits[h].end > i)
                                i = hits[h].end;
                        h++;
                        continue;
                }
                if (f.cp[i] >= '0' && f.cp[i] <= '9' &&
                    (i == 0 || !nd_is_word_cp(f.cp[i - 1]) ||
                     nd_clitic_script(f.cp[i - 1]))) {
                        size_t j = i;
                        double v = 0;
                        while (j < f.n && f.cp[j] >= '0' && f.cp[j] <= '9' &&
                               j - i < 9)
                                v = v * 10 + (f.cp[j++] - '0');
                        if (j == f.n || !nd_is_word_cp(f.cp[j]))
                                t[n++] = (tok){i, j,    K_NUMBER,
                                               v, NULL, (int)(j - i)};
                        while (j < f.n && nd_is_word_cp(f.cp[j]))
                                j++;
                        i = j;
                        continue;
                }
                i++;
        }
        ec = (emit_ctx){out, &f, text, field};
        for (size_t i = 0; i < n; i++) {
                long y = 0;
                int m = 0, d = 0;
                size_t used = absolute_date(t, n, i, f.cp, pub, &y, &m, &d);

                if (used) {
                        emit(&ec, t[i].start, t[i + used - 1].end, y, m, d,
                             "day", false);
                        i += used - 1;
                        continue;
                }
                switch (t[i].kind) {
                case K_MONTH:
                        if (i + 1 < n && t[i + 1].kind == K_NUMBER &&
                            t[i + 1].digits == 4 &&
                            gap_ok(f.cp, t[i].end, t[i + 1].start, true)) {
                                emit(&ec, t[i].start, t[i + 1].end,
                                     (long)t[i + 1].value, (int)t[i].value, 1,
                                     "month", false);
                                i++;
                                break;
                        }
                        /* "may", "march" are verbs too: English and German
                         * months alone count only capitalised. */
                        if (!pub->known ||
                            ((strcmp(t[i].tag, "en") == 0 ||
                              strcmp(t[i].tag, "de") == 0) &&
                             f.src[f.orig[t[i].start]] == f.cp[t[i].start]))
                                break;
                        /* A month alone is the latest one not after the
                         * publication: news mostly reports the past. */
                        m = (int)t[i].value;
                        y = m <= pub->m ? pub->y : pub->y - 1;
                        emit(&ec, t[i].start, t[i].end, y, m, 1, "month", true);
                        break;
                case K_WEEKDAY: {
                        size_t j = i + 1, e = t[i].end;
                        size_t p = t[i].end;
                        /* "on Wednesday (1 March)": the date that follows
                         * gives the day. */
                        while (p < f.n && (f.cp[p] == ' ' || f.cp[p] == '(' ||
                                           f.cp[p] == ','))
                                p++;
                        if (j < n && t[j].start == p &&
                            (used = absolute_date(t, n, j, f.cp, pub, &y, &m,
                                                  &d))) {
                                e = t[j + used - 1].end;
                                if (e < f.n && f.cp[e] == ')')
                                        e++;
                                emit(&ec, t[i].start, e, y, m, d, "day", false);
                                i = j + used - 1;
                                break;
                        }
                        if (!pub->known)
                                break;
                        nd_civil_from_days(pub->day - (weekday_of(pub->day) -
                                                       (long)t[i].value + 7) %
                                                          7,
                                           &y, &m, &d);
                        emit(&ec, t[i].start, t[i].end, y, m, d, "day", true);
                        break;
                }
                case K_REL: {
                        int u = unit_code(t[i].tag);
                        if (!pub->known || !u)
                                break;
                        shift(pub, u, (long)t[i].value, &y, &m, &d);
                        emit(&ec, t[i].start, t[i].end, y, m, d, unit_res(u),
                             true);
                        break;
                }
                case K_AGO_BEFORE:
                case K_NUMBER:
                case K_UNIT: {
                        /* [before] [N] unit [ago] */
                        size_t a = i, k = i;
                        long count = 1;
                        bool before = t[k].kind == K_AGO_BEFORE;
                        if (before)
                                k++;
                        if (k < n && t[k].kind == K_NUMBER) {
                                count = (long)t[k].value;
                                k++;
                        }
                        if (k >= n || t[k].kind != K_UNIT ||
                            (k > a &&
                             !gap_ok(f.cp, t[k - 1].end, t[k].start, false)))
                                break;
                        count *= (long)t[k].value;
                        if (!before) {
                                if (k + 1 >= n || t[k + 1].kind != K_AGO ||
                                    !gap_ok(f.cp, t[k].end, t[k + 1].start,
                                            false))
                                        break;
                                k++;
                        } else if (k == a + 1 && t[k].value < 2) {
                                /* "vor Jahr" without a number means
                                 * nothing. */
                                break;
                        }
                        if (!pub->known)
                                break;
                        {
                                int u = unit_code(t[before ? k : k - 1].tag);
                                shift(pub, u, -count, &y, &m, &d);
                                emit(&ec, t[a].start, t[k].end, y, m, d,
                                     unit_res(u), true);
                        }
                        i = k;
                        break;
                }
                default:
                        break;
                }
        }
out:
        free(t);
        free(hits);
        nd_folded_free(&f);
        return err;
}

static nd_err
dates_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        json_t *out = json_array();
        pubdate pub = {0};
        char iso[32];
        nd_err err = ND_OK;

        if (!out)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        if ((doc->published &&
             nd_ingest_parse_time(doc->published, iso, sizeof(iso))) ||
            (doc->published_default &&
             nd_ingest_parse_time(doc->published_default, iso, sizeof(iso)))) {
                if (sscanf(iso, "%ld-%d-%d", &pub.y, &pub.m, &pub.d) == 3 &&
                    valid_day(pub.y, pub.m, pub.d)) {
                        pub.known = true;
                        pub.day = nd_days_from_civil(pub.y, pub.m, pub.d);
                }
        }
        if (doc->title)
                err = scan_field(state, &pub, out, "title", doc->title,
                                 strlen(doc->title));
        if (err == ND_OK && doc->body)
                err = scan_field(state, &pub, out, "body", doc->body,
                                 doc->body_len);
        if (err != ND_OK) {
                json_decref(out);
                return nd_seterr(errstr, errstr_size, err, "dates: %s",
                                 nd_err_str(err));
        }
        json_object_set_new(doc->analysis, "dates", out);
        return ND_OK;
}

const nd_stage_ops nd_stage_dates = {
    .name = "dates",
    .create = dates_create,
    .run = dates_run,
    .destroy = dates_destroy,
};
