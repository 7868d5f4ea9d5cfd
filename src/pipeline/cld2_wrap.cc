// CLD2 behind the C interface of newsd/langid.h: CLD2 is C++ only.
#include <cstdio>
#include <cstring>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

extern "C" {
#include "newsd/langid.h"
}

namespace CLD2
{
// Declared in CLD2's internal lang_script.h, exported by libcld2.
const char *LanguageCode(Language lang);
} // namespace CLD2

// CLD2's pseudo-languages (unknown, "xx-Latn" for a script without a
// recognised language) say nothing about the language.
static bool
is_real_language(CLD2::Language lang, const char *code)
{
        if (lang == CLD2::UNKNOWN_LANGUAGE ||
            lang == CLD2::TG_UNKNOWN_LANGUAGE || !code)
                return false;
        return std::strncmp(code, "xx-", 3) != 0 &&
               std::strcmp(code, "un") != 0 && std::strcmp(code, "xxx") != 0;
}

extern "C" void
nd_langid_detect(const char *text, size_t len, nd_langid *out)
{
        CLD2::Language lang3[3];
        int percent3[3] = {0, 0, 0};
        double score3[3] = {0, 0, 0};
        int text_bytes = 0, valid_prefix = 0;
        bool reliable = false;
        // No hints: the declared language is compared with the result, so it
        // must not steer it.
        CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                                CLD2::UNKNOWN_LANGUAGE};

        std::memset(out, 0, sizeof(*out));
        if (len > 0x7fffffff)
                len = 0x7fffffff;
        CLD2::ExtDetectLanguageSummaryCheckUTF8(
            text, (int)len, true, &hints, 0, lang3, percent3, score3, nullptr,
            &text_bytes, &reliable, &valid_prefix);
        if (valid_prefix < (int)len)
                return;
        out->text_bytes = text_bytes;
        out->reliable = reliable;
        for (int i = 0; i < 3; i++) {
                const char *code = CLD2::LanguageCode(lang3[i]);
                nd_lang_candidate *c;

                if (!is_real_language(lang3[i], code) || percent3[i] <= 0)
                        continue;
                c = &out->cand[out->n++];
                std::snprintf(c->code, sizeof(c->code), "%s",
                              nd_lang_modern(code));
                c->percent = percent3[i];
                c->score = score3[i];
        }
        if (out->n == 0)
                out->reliable = false;
}
