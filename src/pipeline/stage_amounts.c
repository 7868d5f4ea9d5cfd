/* Stage: amounts (percentages, money, numbers with scale words) in the
 * title and body, in the languages of data/amounts/words.tsv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/lexicon.h"
#include "newsd/stage.h"

enum { K_NUMBER = 1, K_SCALE, K_CURRENCY, K_PERCENT };

static nd_err
words_row(void *ctx, char **f, size_t n)
{
        nd_lexicon *lx = ctx;
        int kind = 0;

        if (n < 4)
                return ND_ERR_DATA;
        if (strcmp(f[0], "number") == 0)
                kind = K_NUMBER;
        else if (strcmp(f[0], "scale") == 0)
                kind = K_SCALE;
        else if (strcmp(f[0], "currency") == 0)
                kind = K_CURRENCY;
        else if (strcmp(f[0], "percent") == 0)
                kind = K_PERCENT;
        else
                return ND_ERR_DATA;
        return nd_lexicon_add(lx, f[2], kind, strtod(f[3], NULL),
                              n > 4 && *f[4] ? f[4] : NULL)
                   ? ND_OK
                   : ND_ERR_NOMEM;
}

static nd_err
amounts_create(void **state, const nd_pipeline_conf *conf, char *errstr,
               size_t errstr_size)
{
        static const nd_lexicon_file files[] = {
            {"amounts/words.tsv", words_row},
        };

        *state = nd_lexicon_load(conf->data_dir, files,
                                 sizeof(files) / sizeof(*files), errstr,
                                 errstr_size);
        return *state ? ND_OK : ND_ERR_DATA;
}

static void
amounts_destroy(void *state)
{
        nd_lexicon_free(state);
}

/* A token of the amount grammar. */
typedef struct {
        size_t start, end; /* folded */
        int kind;
        double value;
        const char *tag;
} tok;

static int
digit(uint32_t c)
{
        if (c >= '0' && c <= '9')
                return (int)(c - '0');
        if (c >= 0x0660 && c <= 0x0669) /* Arabic-Indic digits */
                return (int)(c - 0x0660);
        return -1;
}

/* Digits with grouping or decimal separators: "1,500", "1.5", "3,5",
 * "1.500.000". A last separator followed by exactly three digits groups
 * thousands (English "1,500", German "1.500"); otherwise it is the decimal
 * mark ("1.5", "3,5"). */
static size_t
parse_digits(const uint32_t *cp, size_t n, size_t i, double *value)
{
        size_t j = i, last_sep = 0, last_len = 0;
        uint32_t sep = 0;
        char buf[64];
        size_t k = 0;

        while (j < n) {
                if (digit(cp[j]) >= 0) {
                        j++;
                        last_len++;
                } else if ((cp[j] == '.' || cp[j] == ',') && j + 1 < n &&
                           digit(cp[j + 1]) >= 0 && last_len > 0) {
                        if (sep && cp[j] != sep && last_len != 3)
                                break;
                        sep = cp[j];
                        last_sep = j;
                        last_len = 0;
                        j++;
                } else {
                        break;
                }
        }
        for (size_t x = i; x < j && k + 1 < sizeof(buf); x++) {
                if (digit(cp[x]) >= 0)
                        buf[k++] = (char)('0' + digit(cp[x]));
                else if (x == last_sep && last_len != 3)
                        buf[k++] = '.';
        }
        buf[k] = '\0';
        *value = strtod(buf, NULL);
        return j;
}

static bool
adjacent(const uint32_t *cp, size_t a_end, size_t b_start)
{
        if (b_start < a_end)
                return false;
        for (size_t i = a_end; i < b_start; i++)
                if (cp[i] != ' ')
                        return false;
        return b_start - a_end <= 2;
}

/* Before a currency, French and Spanish put "de"/"d'" ("deux milliards
 * d'euros", "7 mil millones de dólares"). */
static bool
adjacent_unit(const uint32_t *cp, size_t a_end, size_t b_start)
{
        size_t i = a_end;

        if (adjacent(cp, a_end, b_start))
                return true;
        while (i < b_start && cp[i] == ' ')
                i++;
        if (i + 2 <= b_start && cp[i] == 'd' &&
            (cp[i + 1] == '\'' || cp[i + 1] == 'e')) {
                i += 2;
                while (i < b_start && cp[i] == ' ')
                        i++;
                return i == b_start;
        }
        return false;
}

static nd_err
push_tok(tok **v, size_t *n, size_t *cap, tok t)
{
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 32;
                tok *nv = realloc(*v, c * sizeof(*nv));
                if (!nv)
                        return ND_ERR_NOMEM;
                *v = nv;
                *cap = c;
        }
        (*v)[(*n)++] = t;
        return ND_OK;
}

static int
cmp_tok(const void *pa, const void *pb)
{
        const tok *a = pa, *b = pb;

        return a->start < b->start ? -1 : a->start > b->start;
}

static nd_err
scan_field(const nd_lexicon *lx, json_t *out, const char *field,
           const char *text, size_t len)
{
        nd_folded f;
        nd_lex_hit *hits = NULL;
        size_t n_hits = 0, n = 0, cap = 0;
        tok *t = NULL;
        nd_err err = nd_fold(text, len, &f);

        if (err != ND_OK)
                return err;
        err = nd_lexicon_scan(lx, &f, &hits, &n_hits);
        for (size_t i = 0; err == ND_OK && i < n_hits; i++)
                err =
                    push_tok(&t, &n, &cap,
                             (tok){hits[i].start, hits[i].end, hits[i].e->kind,
                                   hits[i].e->value, hits[i].e->tag});
        for (size_t i = 0; err == ND_OK && i < f.n;) {
                tok d = {.kind = K_NUMBER};
                if (digit(f.cp[i]) < 0 || (i > 0 && digit(f.cp[i - 1]) >= 0)) {
                        i++;
                        continue;
                }
                d.start = i;
                d.end = parse_digits(f.cp, f.n, i, &d.value);
                err = push_tok(&t, &n, &cap, d);
                i = d.end;
        }
        if (err != ND_OK)
                goto out;
        if (n > 1)
                qsort(t, n, sizeof(*t), cmp_tok);
        for (size_t i = 0; i < n; i++) {
                size_t first = i, last, j;
                double value;
                double scale = 1;
                const char *unit = NULL;
                bool scaled = false;

                if (t[i].kind == K_CURRENCY && i + 1 < n &&
                    t[i + 1].kind == K_NUMBER &&
                    adjacent(f.cp, t[i].end, t[i + 1].start)) {
                        unit = t[i].tag;
                        i++;
                }
                if (t[i].kind != K_NUMBER)
                        continue;
                value = t[i].value;
                last = i;
                for (j = i + 1; j < n && t[j].kind == K_SCALE &&
                                adjacent(f.cp, t[j - 1].end, t[j].start);
                     j++) {
                        scale *= t[j].value;
                        scaled = true;
                        last = j;
                }
                if (!unit && j < n &&
                    (t[j].kind == K_CURRENCY || t[j].kind == K_PERCENT) &&
                    adjacent_unit(f.cp, t[last].end, t[j].start)) {
                        unit = t[j].tag;
                        last = j;
                }
                i = last;
                if (!unit && !scaled)
                        continue;
                {
                        size_t s = f.orig[t[first].start];
                        size_t e = f.orig[t[last].end - 1] + 1;
                        json_t *o = json_pack(
                            "{s:f,s:s%,s:s,s:I,s:I}", "value", value * scale,
                            "text", text + f.src_byte[s],
                            f.src_byte[e] - f.src_byte[s], "field", field,
                            "start", (json_int_t)s, "end", (json_int_t)e);
                        if (!o) {
                                err = ND_ERR_NOMEM;
                                goto out;
                        }
                        if (unit)
                                json_object_set_new(o, "unit",
                                                    json_string(unit));
                        json_array_append_new(out, o);
                }
        }
out:
        free(t);
        free(hits);
        nd_folded_free(&f);
        return err;
}

static nd_err
amounts_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        json_t *out = json_array();
        nd_err err = ND_OK;

        if (!out)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        if (doc->title)
                err = scan_field(state, out, "title", doc->title,
                                 strlen(doc->title));
        if (err == ND_OK && doc->body)
                err = scan_field(state, out, "body", doc->body, doc->body_len);
        if (err != ND_OK) {
                json_decref(out);
                return nd_seterr(errstr, errstr_size, err, "amounts: %s",
                                 nd_err_str(err));
        }
        json_object_set_new(doc->analysis, "amounts", out);
        return ND_OK;
}

const nd_stage_ops nd_stage_amounts = {
    .name = "amounts",
    .create = amounts_create,
    .run = amounts_run,
    .destroy = amounts_destroy,
};
