/* Tests for src/pipeline/structure.c: phrase loading and the structure of
 * small hand-written articles in several languages. */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "newsd/structure.h"

static nd_phrases *builtin;

static int
setup(void **state)
{
        char err[512];

        (void)state;
        builtin =
            nd_phrases_load(getenv("NEWSD_DATA_DIR"), NULL, err, sizeof(err));
        if (!builtin)
                fprintf(stderr, "nd_phrases_load: %s\n", err);
        return builtin ? 0 : -1;
}

static int
teardown(void **state)
{
        (void)state;
        nd_phrases_destroy(builtin);
        return 0;
}

/* Splits @p text as plain text (take_title) or as a JSON article's text. */
static void
split_with(const nd_phrases *ph, nd_doc *doc, const char *text, int take_title)
{
        char err[256];

        memset(doc, 0, sizeof(*doc));
        doc->text = text ? strdup(text) : NULL;
        doc->text_len = text ? strlen(text) : 0;
        assert_int_equal(
            nd_structure_split(ph, doc, take_title, err, sizeof(err)), ND_OK);
}

static void
split(nd_doc *doc, const char *text, int take_title)
{
        split_with(builtin, doc, text, take_title);
}

static void
assert_block(const nd_doc *doc, size_t i, nd_block_kind kind, const char *text)
{
        assert_true(i < doc->n_blocks);
        assert_string_equal(doc->blocks[i].text, text);
        assert_int_equal(doc->blocks[i].kind, kind);
}

/* @p want is NULL-terminated. */
static void
assert_strings(const nd_strvec *sv, const char *const *want)
{
        size_t n = 0;

        while (want[n])
                n++;
        assert_int_equal(sv->n, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(sv->v[i], want[i]);
}

/* --- Articles and the structure worked out for them by hand. */

typedef struct want_block {
        nd_block_kind kind;
        const char *text; /* NULL ends the list */
} want_block;

typedef struct article_case {
        const char *text; /* plain text: the first line is the title */
        const char *title, *lead;
        const char *key_points[4];
        want_block blocks[6];
        const char *sources[3];
        const char *info_sources[3];
        const char *removed[6];
} article_case;

#define P ND_BLOCK_PARAGRAPH
#define H ND_BLOCK_SUBHEADING
#define L ND_BLOCK_LIST_ITEM

/* Key-points heading with '-' bullets, a subheading, a short sentence that
 * is no subheading, share and advertising lines mid-text, agency words
 * before and after a name, trailing related articles. */
static const article_case english = {
    .text = "Storm hits the coast\n\n"
            "A storm hit the coast on Monday. Thousands lost power.\n\n"
            "Key points:\n\n"
            "- Winds reached 150 km/h.\n"
            "- Schools are closed.\n\n"
            "The storm made landfall near the harbour at noon.\n\n"
            "Share on Facebook\n\n"
            "What comes next\n\n"
            "Forecasters expect the wind to ease by Wednesday.\n\n"
            "Advertisement\n\n"
            "He declined to comment.\n\n"
            "The mayor spoke later.\n\n"
            "Sources used:\n\n"
            "Reuters news agency\n\n"
            "news agency dpa\n\n"
            "Related articles\n\n"
            "Flooding in the north\n\n"
            "Ten tips for a power cut",
    .title = "Storm hits the coast",
    .lead = "A storm hit the coast on Monday. Thousands lost power.",
    .key_points = {"Winds reached 150 km/h.", "Schools are closed."},
    .blocks = {{P, "The storm made landfall near the harbour at noon."},
               {H, "What comes next"},
               {P, "Forecasters expect the wind to ease by Wednesday."},
               {P, "He declined to comment."},
               {P, "The mayor spoke later."}},
    .sources = {"Reuters news agency", "news agency dpa"},
    .info_sources = {"Reuters", "dpa"},
    .removed = {"Share on Facebook", "Advertisement", "Related articles",
                "Flooding in the north", "Ten tips for a power cut"},
};

/* Bullets right after the lead are key points; the advertising label goes,
 * a sentence starting with the same word stays; sources on the heading's
 * line. */
static const article_case german = {
    .text = "Neue Brücke eröffnet\n\n"
            "Die Stadt hat am Samstag die neue Rheinbrücke eröffnet.\n\n"
            "• Die Brücke kostete 80 Millionen Euro.\n\n"
            "• Sie ist für Radfahrer freigegeben.\n\n"
            "Der Bau dauerte vier Jahre.\n\n"
            "ANZEIGE\n\n"
            "Anzeige gegen den Bauunternehmer wurde nicht erstattet.\n\n"
            "Quellen: dpa, Nachrichtenagentur AFP\n\n"
            "Mehr zum Thema\n\n"
            "Stau auf der A3",
    .title = "Neue Brücke eröffnet",
    .lead = "Die Stadt hat am Samstag die neue Rheinbrücke eröffnet.",
    .key_points = {"Die Brücke kostete 80 Millionen Euro.",
                   "Sie ist für Radfahrer freigegeben."},
    .blocks = {{P, "Der Bau dauerte vier Jahre."},
               {P, "Anzeige gegen den Bauunternehmer wurde nicht "
                   "erstattet."}},
    .sources = {"dpa, Nachrichtenagentur AFP"},
    .info_sources = {"dpa", "AFP"},
    .removed = {"ANZEIGE", "Mehr zum Thema", "Stau auf der A3"},
};

/* Numbered key points under an upper-case heading, a numbered list in the
 * body announced by a line ending in ':'. */
static const article_case russian = {
    .text = "Выборы в городе\n\n"
            "В воскресенье в городе прошли выборы мэра.\n\n"
            "ГЛАВНОЕ\n\n"
            "1. Явка составила 40 процентов.\n\n"
            "2. Победил действующий мэр.\n\n"
            "Итоги объявят в понедельник.\n\n"
            "Реклама\n\n"
            "Кандидаты обещали:\n\n"
            "1. Новые дороги.\n\n"
            "2. Больше парков.\n\n"
            "Источники:\n\n"
            "агентство ТАСС\n\n"
            "Читайте также\n\n"
            "Погода на неделю",
    .title = "Выборы в городе",
    .lead = "В воскресенье в городе прошли выборы мэра.",
    .key_points = {"Явка составила 40 процентов.", "Победил действующий мэр."},
    .blocks = {{P, "Итоги объявят в понедельник."},
               {P, "Кандидаты обещали:"},
               {L, "Новые дороги."},
               {L, "Больше парков."}},
    .sources = {"агентство ТАСС"},
    .info_sources = {"ТАСС"},
    .removed = {"Реклама", "Читайте также", "Погода на неделю"},
};

/* Hamza and tanween variants match the phrase files' spelling. */
static const article_case arabic = {
    .text = "افتتاح معرض الكتاب\n\n"
            "افتتح معرض الكتاب الدولي أبوابه يوم الخميس في القاهرة.\n\n"
            "أبرز النقاط:\n\n"
            "• يشارك في المعرض ألف ناشر.\n\n"
            "• يستمر المعرض أسبوعين.\n\n"
            "إعلان\n\n"
            "وقال المنظمون إن عدد الزوار سيتجاوز مليون زائر.\n\n"
            "المصادر:\n\n"
            "وكالة رويترز\n\n"
            "اقرأ أيضاً\n\n"
            "أسعار الكتب ترتفع",
    .title = "افتتاح معرض الكتاب",
    .lead = "افتتح معرض الكتاب الدولي أبوابه يوم الخميس في القاهرة.",
    .key_points = {"يشارك في المعرض ألف ناشر.", "يستمر المعرض أسبوعين."},
    .blocks = {{P, "وقال المنظمون إن عدد الزوار سيتجاوز مليون زائر."}},
    .sources = {"وكالة رويترز"},
    .info_sources = {"رويترز"},
    .removed = {"إعلان", "اقرأ أيضاً", "أسعار الكتب ترتفع"},
};

/* The sample's layout: indented bullets, a bulleted sources heading. */
static const article_case hebrew = {
    .text = "ראש העיר נפגש עם התושבים\n\n"
            "ראש העיר נפגש אתמול עם תושבי השכונה.\n\n"
            "הדבר הכי חשוב בקצרה\n\n"
            "  • התושבים ביקשו גינה חדשה.\n\n"
            "  • העירייה תבדוק את הבקשה.\n\n"
            "הפגישה נמשכה שעתיים.\n\n"
            "מה הלאה\n\n"
            "ההחלטה תתקבל בחודש הבא.\n\n"
            "פרסומת\n\n"
            "  • מקורות בשימוש:\n\n"
            "  • סוכנות הידיעות dpa\n\n"
            "עוד חדשות וסרטונים\n\n"
            "Related Posts",
    .title = "ראש העיר נפגש עם התושבים",
    .lead = "ראש העיר נפגש אתמול עם תושבי השכונה.",
    .key_points = {"התושבים ביקשו גינה חדשה.", "העירייה תבדוק את הבקשה."},
    .blocks = {{P, "הפגישה נמשכה שעתיים."},
               {H, "מה הלאה"},
               {P, "ההחלטה תתקבל בחודש הבא."}},
    .sources = {"סוכנות הידיעות dpa"},
    .info_sources = {"dpa"},
    .removed = {"פרסומת", "עוד חדשות וסרטונים", "Related Posts"},
};

/* "Two short lines" is followed by a heading-shaped line, not by a
 * paragraph; a heading-shaped last line has nothing to head. */
static const article_case subheadings = {
    .text = "Title line\n\n"
            "The lead paragraph.\n\n"
            "Two short lines\n\n"
            "Then a heading\n\n"
            "And the paragraph it heads.\n\n"
            "No final stop",
    .title = "Title line",
    .lead = "The lead paragraph.",
    .blocks = {{P, "Two short lines"},
               {H, "Then a heading"},
               {P, "And the paragraph it heads."},
               {P, "No final stop"}},
};

/* The lead announces the list, so it is no key-points summary; a lone
 * "1." is a football club, not a list. */
static const article_case lists = {
    .text = "Title\n\n"
            "The plan has three parts:\n\n"
            "* roads\n"
            "– rails\n"
            "▪ bridges\n\n"
            "1. FC Köln won the derby on Sunday.",
    .title = "Title",
    .lead = "The plan has three parts:",
    .blocks = {{L, "roads"},
               {L, "rails"},
               {L, "bridges"},
               {P, "1. FC Köln won the derby on Sunday."}},
};

static void
test_article(void **state)
{
        const article_case *c = *state;
        nd_doc doc;
        size_t n = 0;

        split(&doc, c->text, 1);
        assert_string_equal(doc.title, c->title);
        assert_string_equal(doc.lead, c->lead);
        assert_strings(&doc.key_points, c->key_points);
        while (c->blocks[n].text)
                n++;
        assert_int_equal(doc.n_blocks, n);
        for (size_t i = 0; i < n; i++)
                assert_block(&doc, i, c->blocks[i].kind, c->blocks[i].text);
        assert_strings(&doc.sources, c->sources);
        assert_strings(&doc.info_sources, c->info_sources);
        assert_strings(&doc.removed, c->removed);
        nd_doc_clear(&doc);
}

#define ASSERT_STRINGS(sv, ...)                                                \
        do {                                                                   \
                static const char *const want_[] = {__VA_ARGS__, NULL};        \
                assert_strings((sv), want_);                                   \
        } while (0)

static void
test_no_structure(void **state)
{
        nd_doc doc;

        (void)state;
        /* One line: it is the lead and the whole body, not a title. */
        split(&doc, "Just one sentence of news.", 1);
        assert_null(doc.title);
        assert_string_equal(doc.lead, "Just one sentence of news.");
        assert_int_equal(doc.n_blocks, 0);
        assert_int_equal(doc.key_points.n + doc.sources.n + doc.removed.n, 0);
        nd_doc_clear(&doc);

        /* JSON text: no title taken, the first paragraph leads. */
        split(&doc, "First paragraph.\n\nSecond paragraph.", 0);
        assert_null(doc.title);
        assert_string_equal(doc.lead, "First paragraph.");
        assert_int_equal(doc.n_blocks, 1);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, "Second paragraph.");
        nd_doc_clear(&doc);

        /* Hard-wrapped lines of one paragraph stay together. */
        split(&doc, "Title\n\nA paragraph wrapped\nover two lines.\n\nAnother.",
              1);
        assert_string_equal(doc.title, "Title");
        assert_string_equal(doc.lead, "A paragraph wrapped\nover two lines.");
        assert_int_equal(doc.n_blocks, 1);
        nd_doc_clear(&doc);

        /* Without blank lines every line is a paragraph. */
        split(&doc, "Title\nFirst line.\nSecond line.", 1);
        assert_string_equal(doc.title, "Title");
        assert_string_equal(doc.lead, "First line.");
        assert_int_equal(doc.n_blocks, 1);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, "Second line.");
        nd_doc_clear(&doc);
}

static void
test_empty(void **state)
{
        nd_doc doc;

        (void)state;
        split(&doc, "", 1);
        assert_null(doc.title);
        assert_null(doc.lead);
        assert_int_equal(doc.n_blocks, 0);
        nd_doc_clear(&doc);
        split(&doc, NULL, 1);
        assert_null(doc.lead);
        nd_doc_clear(&doc);
        split(&doc, "\n\n  \n", 1);
        assert_null(doc.title);
        assert_null(doc.lead);
        assert_int_equal(doc.n_blocks, 0);
        nd_doc_clear(&doc);
}

static void
test_raw_text(void **state)
{
        nd_doc doc;

        (void)state;
        /* Not yet normalized: CRLF, stray blanks, an existing title. */
        split(&doc, "  Heading  \r\n\r\n  The lead.  \r\n\r\nMore text.\r\n",
              1);
        assert_string_equal(doc.title, "Heading");
        assert_string_equal(doc.lead, "The lead.");
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, "More text.");
        nd_doc_clear(&doc);

        memset(&doc, 0, sizeof(doc));
        doc.title = strdup("Given title");
        doc.text = strdup("First line\n\nSecond line.");
        assert_int_equal(nd_structure_split(builtin, &doc, 1, NULL, 0), ND_OK);
        assert_string_equal(doc.title, "Given title");
        assert_string_equal(doc.lead, "First line");
        nd_doc_clear(&doc);
}

static void
test_credit_and_read_also(void **state)
{
        nd_doc doc;
        char text[2048];
        const char *para =
            "The council met again on Tuesday evening and, after a long "
            "debate that lasted well into the night, agreed on a budget "
            "that raises spending on schools and cuts the money set aside "
            "for roads, which the opposition called a mistake.";

        (void)state;
        /* "Lire aussi" inside the article: only it and its link go. */
        snprintf(text, sizeof(text),
                 "Title\n\nThe lead.\n\nLire aussi :\n\nUn autre article\n\n"
                 "%s\n\n(AFP/Reuters)",
                 para);
        split(&doc, text, 1);
        assert_string_equal(doc.lead, "The lead.");
        assert_int_equal(doc.n_blocks, 1);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, para);
        ASSERT_STRINGS(&doc.removed, "Lire aussi :", "Un autre article");
        ASSERT_STRINGS(&doc.sources, "(AFP/Reuters)");
        ASSERT_STRINGS(&doc.info_sources, "AFP", "Reuters");
        nd_doc_clear(&doc);
}

static void
test_long_furniture_line(void **state)
{
        nd_doc doc;
        char text[1024];
        char prompt[600];

        (void)state;
        /* A prompt longer than any phrase still matches a phrase it starts
         * with; a paragraph that only mentions the newsletter stays. */
        snprintf(prompt, sizeof(prompt),
                 "SUBSCRIBE TO OUR NEWSLETTER and "
                 "get %s",
                 "");
        for (size_t n = strlen(prompt); n < 500; n = strlen(prompt))
                strcat(prompt, "more news,");
        snprintf(text, sizeof(text),
                 "Title\n\nThe lead.\n\n%s\n\nYou can subscribe to our "
                 "newsletter on the website.",
                 prompt);
        split(&doc, text, 1);
        assert_string_equal(doc.lead, "The lead.");
        assert_int_equal(doc.n_blocks, 1);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH,
                     "You can subscribe to our newsletter on the website.");
        assert_int_equal(doc.removed.n, 1);
        assert_string_equal(doc.removed.v[0], prompt);
        nd_doc_clear(&doc);
}

/* --- Phrase loading from a temporary data dir. */

static void
write_file(const char *dir, const char *name, const char *content)
{
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/boilerplate", dir);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/boilerplate/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void
remove_tree(const char *dir)
{
        static const char *const names[] = {
            "key-points.txt",      "sources.txt",
            "agency-prefixes.txt", "furniture-trailing.txt",
            "furniture-lines.txt",
        };
        char path[512];

        for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
                snprintf(path, sizeof(path), "%s/boilerplate/%s", dir,
                         names[i]);
                unlink(path);
        }
        snprintf(path, sizeof(path), "%s/boilerplate", dir);
        rmdir(path);
        rmdir(dir);
}

static void
test_load(void **state)
{
        char data[] = "/tmp/nd-structure-data-XXXXXX";
        char user[] = "/tmp/nd-structure-user-XXXXXX";
        char err[512] = "", path[512];
        nd_phrases *ph;
        nd_doc doc;

        (void)state;
        assert_non_null(mkdtemp(data));
        assert_non_null(mkdtemp(user));
        write_file(data, "key-points.txt", "# comment\nOverview\n");
        write_file(data, "sources.txt", "Sources\n");
        write_file(data, "agency-prefixes.txt", "agency\n");
        write_file(data, "furniture-trailing.txt", "See more\n");

        /* A built-in file missing: an error naming it. */
        ph = nd_phrases_load(data, NULL, err, sizeof(err));
        assert_null(ph);
        snprintf(path, sizeof(path), "%s/boilerplate/furniture-lines.txt",
                 data);
        assert_non_null(strstr(err, path));

        write_file(data, "furniture-lines.txt", "Like us\n");
        /* A user dir without files adds nothing and is no error. */
        ph = nd_phrases_load(data, user, err, sizeof(err));
        assert_non_null(ph);
        nd_phrases_destroy(ph);

        /* User phrases extend the built-in ones; '*' matches a line start. */
        write_file(user, "furniture-lines.txt",
                   "# local additions\n  Buy the print edition*  \n");
        ph = nd_phrases_load(data, user, err, sizeof(err));
        assert_non_null(ph);
        split_with(ph, &doc,
                   "Title\n\nThe lead.\n\nOVERVIEW\n\n- one\n- two\n\n"
                   "Like us\n\nBuy the print edition today!\n\n"
                   "Buy the printer.\n\nSources:\n\nagency Alpha\n\n"
                   "See more\n\nTeaser",
                   1);
        ASSERT_STRINGS(&doc.key_points, "one", "two");
        assert_int_equal(doc.n_blocks, 1);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, "Buy the printer.");
        ASSERT_STRINGS(&doc.info_sources, "Alpha");
        ASSERT_STRINGS(&doc.removed, "Like us", "Buy the print edition today!",
                       "See more", "Teaser");
        nd_doc_clear(&doc);
        nd_phrases_destroy(ph);

        /* The built-in phrases are not in this data dir. */
        ph = nd_phrases_load(data, NULL, err, sizeof(err));
        assert_non_null(ph);
        split_with(ph, &doc, "Title\n\nThe lead.\n\nRelated Posts", 1);
        assert_int_equal(doc.removed.n, 0);
        assert_block(&doc, 0, ND_BLOCK_PARAGRAPH, "Related Posts");
        nd_doc_clear(&doc);
        nd_phrases_destroy(ph);

        remove_tree(data);
        remove_tree(user);

        assert_null(nd_phrases_load(NULL, NULL, err, sizeof(err)));
}

/* One test per article case, named after it. */
#define ARTICLE_TEST(c)                                                        \
        {                                                                      \
                "article_" #c, test_article, NULL, NULL, (void *)&c            \
        }

int
main(void)
{
        const struct CMUnitTest tests[] = {
            ARTICLE_TEST(english),
            ARTICLE_TEST(german),
            ARTICLE_TEST(russian),
            ARTICLE_TEST(arabic),
            ARTICLE_TEST(hebrew),
            ARTICLE_TEST(subheadings),
            ARTICLE_TEST(lists),
            cmocka_unit_test(test_no_structure),
            cmocka_unit_test(test_empty),
            cmocka_unit_test(test_raw_text),
            cmocka_unit_test(test_credit_and_read_also),
            cmocka_unit_test(test_long_furniture_line),
            cmocka_unit_test(test_load),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
