/* Stage: quotations in the title and body, with the speaker when a known
 * person (from the entities stage) is named in the same sentence or, alone,
 * in the sentence before. Runs after the entities stage. */
#include <stdlib.h>
#include <string.h>

#include "newsd/matcher.h"
#include "newsd/stage.h"

#define QUOTE_MAX    2000 /* longest quote, code points */
#define QUOTES_MAX   1000 /* quotes per field: the rest are not reported */
#define SENTENCE_MAX 1000 /* how far to look for a sentence's ends */

typedef struct {
        size_t open, close; /* source code points of the marks */
} qspan;

static bool
is_letter(uint32_t c)
{
        return nd_is_word_cp(c) && !(c >= '0' && c <= '9');
}

/* The closing mark that goes with an opening one, 0 if not an opener. */
static uint32_t
closer_of(uint32_t c)
{
        switch (c) {
        case 0x201C: /* “ */
                return 0x201D;
        case 0x201E: /* „ closes with “ (German) or ” (Hebrew, Polish) */
                return 0x201C;
        case 0x00AB: /* « */
                return 0x00BB;
        case 0x2039: /* ‹ */
                return 0x203A;
        case '"':
                return '"';
        case 0x05F4: /* ״ */
                return 0x05F4;
        default:
                return 0;
        }
}

/* A '"' or '״' between letters is Hebrew gershayim in an acronym (צה"ל,
 * ארה"ב, ש"ח): one or two letters follow it before the word ends. */
static bool
acronym_mark(const uint32_t *s, size_t n, size_t i)
{
        size_t k = i + 1;

        if (i == 0 || !is_letter(s[i - 1]) || k >= n || !is_letter(s[k]))
                return false;
        while (k < n && is_letter(s[k]))
                k++;
        return k - (i + 1) <= 2;
}

/* Whether the mark at @p i may open a quote: after a space, punctuation or
 * a Hebrew clitic (כ"שותפים), before a non-space. */
static bool
may_open(const uint32_t *s, size_t n, size_t i)
{
        size_t k = i;

        /* French sets guillemets apart with spaces: « Nous verrons ». */
        if (i + 1 >= n || s[i + 1] == '\n' ||
            (s[i + 1] == ' ' && s[i] != 0x00AB && s[i] != 0x2039))
                return false;
        if (i == 0 || !nd_is_word_cp(s[i - 1]))
                return true;
        while (k > 0 && nd_is_word_cp(s[k - 1]))
                k--;
        if (i - k > 3)
                return false;
        for (size_t j = k; j < i; j++)
                if (!(s[j] == 0x05D5 || s[j] == 0x05D4 || s[j] == 0x05D1 ||
                      s[j] == 0x05DB || s[j] == 0x05DC || s[j] == 0x05DE ||
                      s[j] == 0x05E9))
                        return false;
        return true;
}

static size_t
find_quotes(const uint32_t *s, size_t n, qspan **out)
{
        size_t count = 0, cap = 0;
        qspan *v = NULL;

        for (size_t i = 0; i < n && count < QUOTES_MAX; i++) {
                uint32_t close = closer_of(s[i]);
                size_t k;

                if (!close || acronym_mark(s, n, i) || !may_open(s, n, i))
                        continue;
                for (k = i + 1; k < n && k - i < QUOTE_MAX; k++) {
                        if (s[k] == '\n' && k + 1 < n && s[k + 1] == '\n')
                                break;
                        if ((s[k] == close ||
                             (s[i] == 0x201E && s[k] == 0x201D)) &&
                            !acronym_mark(s, n, k) &&
                            (s[k - 1] != ' ' || close == 0x00BB ||
                             close == 0x203A))
                                break;
                }
                if (k >= n || k - i >= QUOTE_MAX || s[k] == '\n' || k - i < 3)
                        continue;
                if (count == cap) {
                        size_t c = cap ? cap * 2 : 8;
                        qspan *nv = realloc(v, c * sizeof(*nv));
                        if (!nv)
                                break;
                        v = nv;
                        cap = c;
                }
                v[count].open = i;
                v[count++].close = k;
                i = k;
        }
        *out = v;
        return count;
}

/* Quotes are found in order and do not overlap: binary search. */
static bool
inside_quote(const qspan *q, size_t nq, size_t pos)
{
        size_t lo = 0, hi = nq;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (q[mid].close <= pos)
                        lo = mid + 1;
                else if (q[mid].open >= pos)
                        hi = mid;
                else
                        return true;
        }
        return false;
}

static bool
terminator(const uint32_t *s, size_t n, size_t i)
{
        return s[i] == '.' || s[i] == '!' || s[i] == '?' ||
               (s[i] == '\n' && i + 1 < n && s[i + 1] == '\n');
}

/* Start of the sentence holding position @p pos (terminators inside
 * quotes do not count). */
static size_t
sentence_start(const uint32_t *s, size_t n, const qspan *q, size_t nq,
               size_t pos)
{
        size_t stop = pos > SENTENCE_MAX ? pos - SENTENCE_MAX : 0;

        while (pos > stop) {
                if (terminator(s, n, pos - 1) && !inside_quote(q, nq, pos - 1))
                        return pos;
                pos--;
        }
        return stop;
}

static size_t
sentence_end(const uint32_t *s, size_t n, const qspan *q, size_t nq, size_t pos)
{
        size_t stop = n - pos > SENTENCE_MAX ? pos + SENTENCE_MAX : n;

        for (; pos < stop; pos++)
                if (terminator(s, n, pos) && !inside_quote(q, nq, pos))
                        return pos;
        return stop;
}

/* The person mentioned in [from, to) of @p field nearest to @p near,
 * skipping mentions inside quotes; with @p unique, only when one person is
 * named there. */
static json_t *
person_in(json_t *entities, const char *field, size_t from, size_t to,
          const qspan *q, size_t nq, size_t near, bool unique)
{
        json_t *best = NULL, *e;
        size_t i, best_d = (size_t)-1, distinct = 0;

        json_array_foreach(entities, i, e)
        {
                json_t *ms = json_object_get(e, "mentions"), *m;
                size_t k;
                bool here = false;
                if (strcmp(json_string_value(json_object_get(e, "type")),
                           "person") != 0)
                        continue;
                json_array_foreach(ms, k, m)
                {
                        size_t st = (size_t)json_integer_value(
                            json_object_get(m, "start"));
                        size_t d;
                        if (strcmp(
                                json_string_value(json_object_get(m, "field")),
                                field) != 0 ||
                            st < from || st >= to || inside_quote(q, nq, st))
                                continue;
                        here = true;
                        d = st > near ? st - near : near - st;
                        if (d < best_d) {
                                best_d = d;
                                best = e;
                        }
                }
                distinct += here;
        }
        if (unique && distinct != 1)
                return NULL;
        return best;
}

static nd_err
scan_field(nd_doc *doc, json_t *out, const char *field, const char *text,
           size_t len)
{
        json_t *entities = json_object_get(doc->analysis, "entities");
        nd_folded f;
        qspan *q = NULL;
        size_t nq;
        nd_err err = nd_fold(text, len, &f);

        if (err != ND_OK)
                return err;
        nq = find_quotes(f.src, f.nsrc, &q);
        for (size_t i = 0; i < nq; i++) {
                size_t s = q[i].open + 1, e = q[i].close;
                while (s < e && f.src[s] == ' ')
                        s++;
                while (e > s && f.src[e - 1] == ' ')
                        e--;
                size_t ss = sentence_start(f.src, f.nsrc, q, nq, q[i].open);
                size_t se = sentence_end(f.src, f.nsrc, q, nq, q[i].close);
                json_t *o, *who = NULL;

                if (entities) {
                        who = person_in(entities, field, ss, se, q, nq,
                                        q[i].open, false);
                        if (!who && ss > 0) {
                                size_t ps = sentence_start(f.src, f.nsrc, q, nq,
                                                           ss - 1);
                                who = person_in(entities, field, ps, ss, q, nq,
                                                ss, true);
                        }
                }
                o = json_pack("{s:s%,s:s,s:I,s:I}", "text",
                              text + f.src_byte[s],
                              f.src_byte[e] - f.src_byte[s], "field", field,
                              "start", (json_int_t)s, "end", (json_int_t)e);
                if (!o) {
                        err = ND_ERR_NOMEM;
                        break;
                }
                if (who) {
                        json_object_set(o, "speaker",
                                        json_object_get(who, "name"));
                        if (json_object_get(who, "uri"))
                                json_object_set(o, "speaker_uri",
                                                json_object_get(who, "uri"));
                }
                json_array_append_new(out, o);
        }
        free(q);
        nd_folded_free(&f);
        return err;
}

static nd_err
quotes_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        json_t *out = json_array();
        nd_err err = ND_OK;

        (void)state;
        if (!out)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        if (doc->title)
                err = scan_field(doc, out, "title", doc->title,
                                 strlen(doc->title));
        if (err == ND_OK && doc->body)
                err = scan_field(doc, out, "body", doc->body, doc->body_len);
        if (err != ND_OK) {
                json_decref(out);
                return nd_seterr(errstr, errstr_size, err, "quotes: %s",
                                 nd_err_str(err));
        }
        json_object_set_new(doc->analysis, "quotes", out);
        return ND_OK;
}

const nd_stage_ops nd_stage_quotes = {
    .name = "quotes",
    .run = quotes_run,
};
