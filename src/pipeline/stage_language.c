/* Stage: the article's language (CLD2 over title and body), its dominant
 * script and writing direction, and how it compares with the declared one. */
#include <ctype.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "newsd/langid.h"
#include "newsd/stage.h"

/* Below this many scored letter bytes an unreliable guess is no answer:
 * CLD2 guesses on a handful of letters, and "und" is more honest. */
#define MIN_UNRELIABLE_BYTES 48

static const struct {
        const char *old, *cur;
} deprecated_codes[] = {
    {"iw", "he"}, {"in", "id"}, {"ji", "yi"}, {"jw", "jv"}, {"mo", "ro"},
};

const char *
nd_lang_modern(const char *code)
{
        for (size_t i = 0;
             i < sizeof(deprecated_codes) / sizeof(deprecated_codes[0]); i++)
                if (strcmp(code, deprecated_codes[i].old) == 0)
                        return deprecated_codes[i].cur;
        return code;
}

/* The primary subtag of @p tag, lower-cased, in @p buf. */
static const char *
primary_subtag(const char *tag, char *buf, size_t size)
{
        size_t n = 0;

        while (tag[n] && tag[n] != '-' && tag[n] != '_' && n + 1 < size) {
                buf[n] = (char)tolower((unsigned char)tag[n]);
                n++;
        }
        buf[n] = '\0';
        return nd_lang_modern(buf);
}

bool
nd_lang_same(const char *a, const char *b)
{
        char ba[16], bb[16];

        return strcmp(primary_subtag(a, ba, sizeof(ba)),
                      primary_subtag(b, bb, sizeof(bb))) == 0;
}

void
nd_script_dominant(const char *text, size_t len, nd_script_info *out)
{
        size_t count[USCRIPT_CODE_LIMIT];
        int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
        UScriptCode best = USCRIPT_COMMON;
        size_t kana, han, hangul;
        const char *name;

        memset(count, 0, sizeof(count));
        memset(out, 0, sizeof(*out));
        while (i < n) {
                UChar32 c;
                UErrorCode status = U_ZERO_ERROR;
                UScriptCode sc;

                U8_NEXT(text, i, n, c);
                if (c < 0 || !u_isalpha(c))
                        continue;
                sc = uscript_getScript(c, &status);
                if (U_FAILURE(status) || sc == USCRIPT_COMMON ||
                    sc == USCRIPT_INHERITED || sc < 0 ||
                    sc >= USCRIPT_CODE_LIMIT)
                        continue;
                count[sc]++;
                out->letters++;
        }
        for (int s = 0; s < USCRIPT_CODE_LIMIT; s++)
                if (count[s] > count[best])
                        best = (UScriptCode)s;
        out->dominant = count[best];

        /* Japanese mixes Han with kana, Korean may mix Han with Hangul; the
         * mixture is one script group, named by ISO 15924's Jpan and Kore.
         * A stray katakana word in Chinese text (under a tenth of the group)
         * does not make it Japanese. */
        kana = count[USCRIPT_HIRAGANA] + count[USCRIPT_KATAKANA];
        han = count[USCRIPT_HAN];
        hangul = count[USCRIPT_HANGUL];
        if (kana > 0 && kana * 10 >= kana + han &&
            kana + han >= out->dominant) {
                snprintf(out->code, sizeof(out->code), "Jpan");
                out->dominant = kana + han;
                return;
        }
        if (hangul > 0 && han > 0 && hangul * 10 >= hangul + han &&
            hangul + han >= out->dominant) {
                snprintf(out->code, sizeof(out->code), "Kore");
                out->dominant = hangul + han;
                return;
        }
        name = out->letters ? uscript_getShortName(best) : NULL;
        snprintf(out->code, sizeof(out->code), "%s", name ? name : "Zyyy");
        out->rtl = out->letters > 0 && uscript_isRightToLeft(best);
}

typedef struct lang_state {
        nd_buf text; /* title and body, reused for every article */
} lang_state;

/* CLD2 allocates and frees about 120 KB of scanner buffers on every call.
 * With glibc's default trim threshold (128 KB, lowered dynamically) the
 * free gives the top of the heap back to the kernel and the next call
 * takes it again: two brk system calls per article, seen in the profile of
 * bench/bench_pipeline. A fixed threshold of 32 MB keeps that memory in the
 * process; it is set once, before the first article. */
static void
keep_heap_top(void)
{
#ifdef __GLIBC__
        mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
}

static nd_err
lang_create(void **state, const nd_pipeline_conf *conf, char *errstr,
            size_t errstr_size)
{
        (void)conf;
        keep_heap_top();
        *state = calloc(1, sizeof(lang_state));
        if (!*state)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        return ND_OK;
}

static void
lang_destroy(void *state)
{
        lang_state *st = state;

        nd_buf_free(&st->text);
        free(st);
}

static double
round_to(double v, double unit)
{
        return round(v / unit) * unit;
}

/* Confidence is the detected language's share of the text, halved when
 * CLD2 calls the verdict unreliable. */
static json_t *
language_json(const nd_langid *id, const nd_script_info *script,
              const char *declared)
{
        const char *code = "und";
        double confidence = 0;
        json_t *o, *cands = json_array();

        if (id->n > 0 &&
            (id->reliable || id->text_bytes >= MIN_UNRELIABLE_BYTES)) {
                code = id->cand[0].code;
                confidence = id->cand[0].percent / 100.0;
                if (!id->reliable)
                        confidence /= 2;
        }
        for (int i = 0; i < id->n; i++)
                json_array_append_new(
                    cands, json_pack("{s:s,s:i,s:f}", "code", id->cand[i].code,
                                     "percent", id->cand[i].percent, "score",
                                     round_to(id->cand[i].score, 0.001)));
        o = json_pack("{s:s,s:f,s:b,s:o,s:s,s:s}", "code", code, "confidence",
                      round_to(confidence, 0.01), "reliable",
                      id->reliable && strcmp(code, "und") != 0, "candidates",
                      cands, "script", script->code, "direction",
                      script->rtl ? "rtl" : "ltr");
        if (o && declared && *declared) {
                json_object_set_new(o, "declared", json_string(declared));
                json_object_set_new(
                    o, "disagrees_with_declared",
                    json_boolean(strcmp(code, "und") != 0 &&
                                 !nd_lang_same(declared, code)));
        }
        return o;
}

static nd_err
lang_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        lang_state *st = state;
        nd_langid id;
        nd_script_info script;
        json_t *o;

        st->text.len = 0;
        if ((doc->title && (!nd_buf_appends(&st->text, doc->title) ||
                            !nd_buf_append(&st->text, "\n\n", 2))) ||
            !nd_buf_append(&st->text, doc->body, doc->body_len))
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        nd_langid_detect(st->text.p, st->text.len, &id);
        nd_script_dominant(st->text.p, st->text.len, &script);
        o = language_json(&id, &script, doc->language);
        if (!o || json_object_set_new(doc->analysis, "language", o) != 0)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        return ND_OK;
}

const nd_stage_ops nd_stage_language = {
    .name = "language",
    .create = lang_create,
    .run = lang_run,
    .destroy = lang_destroy,
};
