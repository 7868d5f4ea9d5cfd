/* Tests for src/service/route.c: topic templates (parsing, expansion,
 * fallbacks, sanitising) and route conditions over hand-written events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/route.h"

/* A Hebrew article from example.com, 120 words, mentioning Israel (a
 * place in IL) then Tel Aviv, read from topic news.raw. */
static const char *const event_he =
    "{\"article\": {\"uri\": \"https://www.Example.com/a/1\", "
    "\"type\": \"text\", \"language\": \"he\"},"
    " \"analysis\": {\"language\": {\"code\": \"he\", \"script\": "
    "\"Hebr\"}, \"stats\": {\"words\": 120},"
    " \"fingerprints\": {\"simhash\": \"00\"},"
    " \"entities\": [{\"type\": \"person\", \"name\": \"Dana Cohen\", "
    "\"uri\": \"urn:x:dana\"}, {\"type\": \"place\", \"name\": "
    "\"Israel\", \"uri\": \"http://www.wikidata.org/entity/Q801\", "
    "\"country\": \"IL\"}, {\"type\": \"place\", \"name\": \"France\", "
    "\"country\": \"FR\"}]},"
    " \"provenance\": {\"topic\": \"news.raw\"}}";

/* A near-duplicate with no language, no entities, a urn uri. */
static const char *const event_bare =
    "{\"article\": {\"uri\": \"urn:newsd:sha256:ab\", \"type\": "
    "\"text\"}, \"analysis\": {\"stats\": {\"words\": 3}, "
    "\"fingerprints\": {\"duplicate_of\": \"urn:x\"}}}";

static json_t *
load(const char *text)
{
        json_error_t jerr;
        json_t *e = json_loads(text, 0, &jerr);

        assert_non_null(e);
        return e;
}

static void
expect_expansion(const char *tmpl, const char *event, const char *want)
{
        char errstr[256];
        nd_template *t = nd_template_parse(tmpl, errstr, sizeof(errstr));
        json_t *e = load(event);
        char *got;

        if (!t)
                fail_msg("%s: %s", tmpl, errstr);
        got = nd_template_expand(t, e);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
        json_decref(e);
        nd_template_destroy(t);
}

static void
test_expand(void **state)
{
        (void)state;
        expect_expansion("news.enriched", event_he, "news.enriched");
        expect_expansion("news.enriched.{language}", event_he,
                         "news.enriched.he");
        /* The first place entity's country, lower-cased. */
        expect_expansion("news.{place.country}", event_he, "news.il");
        expect_expansion("{source}-{script}", event_he, "example.com-hebr");
        expect_expansion("from.{input.topic}.{type}", event_he,
                         "from.news.raw.text");
}

static void
test_fallbacks(void **state)
{
        (void)state;
        expect_expansion("news.enriched.{language}", event_bare,
                         "news.enriched.unknown");
        expect_expansion("news.enriched.{language|und}", event_bare,
                         "news.enriched.und");
        expect_expansion("news.{place.country|world}", event_bare,
                         "news.world");
        /* An empty fallback: the placeholder disappears. */
        expect_expansion("news.x{source|}", event_bare, "news.x");
        /* A field that is there ignores the fallback. */
        expect_expansion("news.enriched.{language|und}", event_he,
                         "news.enriched.he");
}

/* Values are data from the article: whatever they hold, the topic stays
 * valid. */
static void
test_sanitise(void **state)
{
        (void)state;
        expect_expansion("n.{language}",
                         "{\"article\": {\"language\": \"zh Hant/ü\"}}",
                         "n.zh_hant___");
        expect_expansion("{language}", "{\"article\": {\"language\": \"..\"}}",
                         "__");
}

static void
expect_parse_error(const char *tmpl, const char *needle)
{
        char errstr[512] = "";
        nd_template *t = nd_template_parse(tmpl, errstr, sizeof(errstr));

        if (t)
                fail_msg("\"%s\" parsed", tmpl);
        if (!strstr(errstr, needle))
                fail_msg("\"%s\": \"%s\" lacks \"%s\"", tmpl, errstr, needle);
}

static void
test_bad_templates(void **state)
{
        (void)state;
        expect_parse_error("news.{lang}", "unknown placeholder {lang}");
        expect_parse_error("news.{language", "unbalanced '{' at column 6");
        expect_parse_error("news.language}", "unbalanced '}' at column 14");
        expect_parse_error("news.{{language}}", "unbalanced '{' at column 6");
        expect_parse_error("news enriched", "a topic holds only");
        expect_parse_error("news.{language|a b}", "the fallback of {language}");
        expect_parse_error("{language|}", "non-empty fallbacks");
        expect_parse_error("", "must not be empty");
        expect_parse_error("..", "not a valid topic name");
}

static void
test_static(void **state)
{
        char errstr[256];
        nd_template *a = nd_template_parse("news.x", errstr, sizeof(errstr));
        nd_template *b =
            nd_template_parse("news.{language}", errstr, sizeof(errstr));

        (void)state;
        assert_true(nd_template_is_static(a));
        assert_false(nd_template_is_static(b));
        assert_string_equal(nd_template_text(b), "news.{language}");
        nd_template_destroy(a);
        nd_template_destroy(b);
}

static nd_route
route(const char *const *kv)
{
        nd_route r;
        char errstr[256];

        assert_true(nd_route_init(&r, "r", "test:1"));
        for (size_t i = 0; kv[i]; i += 2)
                if (nd_route_set(&r, kv[i], kv[i + 1], errstr,
                                 sizeof(errstr)) != ND_OK)
                        fail_msg("%s = %s: %s", kv[i], kv[i + 1], errstr);
        return r;
}

static void
expect_match(const char *const *kv, const char *event, bool want)
{
        nd_route r = route(kv);
        json_t *e = load(event);

        assert_int_equal(nd_route_match(&r, e), want);
        json_decref(e);
        nd_route_clear(&r);
}

static void
test_conditions(void **state)
{
        (void)state;
        /* No condition: every event. */
        expect_match((const char *[]){"topic", "t", NULL}, event_bare, true);
        expect_match((const char *[]){"language", "he, ar", NULL}, event_he,
                     true);
        expect_match((const char *[]){"language", "ar,en", NULL}, event_he,
                     false);
        /* No language at all never matches a language set. */
        expect_match((const char *[]){"language", "he", NULL}, event_bare,
                     false);
        /* A primary subtag covers its regional forms, not the reverse. */
        expect_match((const char *[]){"language", "he", NULL},
                     "{\"article\": {\"language\": \"he-IL\"}}", true);
        expect_match((const char *[]){"language", "he-IL", NULL}, event_he,
                     false);
        /* Entities by uri, or by canonical name in any case. */
        expect_match((const char *[]){"entity",
                                      "http://www.wikidata.org/entity/Q801",
                                      NULL},
                     event_he, true);
        expect_match((const char *[]){"entity", "dana cohen", NULL}, event_he,
                     true);
        expect_match((const char *[]){"entity", "Dana", NULL}, event_he, false);
        expect_match((const char *[]){"entity", "Israel", NULL}, event_bare,
                     false);
        expect_match((const char *[]){"duplicate", "yes", NULL}, event_bare,
                     true);
        expect_match((const char *[]){"duplicate", "yes", NULL}, event_he,
                     false);
        expect_match((const char *[]){"duplicate", "no", NULL}, event_he, true);
        expect_match((const char *[]){"min-words", "120", NULL}, event_he,
                     true);
        expect_match((const char *[]){"min-words", "121", NULL}, event_he,
                     false);
        /* All conditions must hold. */
        expect_match((const char *[]){"language", "he", "entity", "Israel",
                                      "min-words", "100", "duplicate", "no",
                                      NULL},
                     event_he, true);
        expect_match((const char *[]){"language", "he", "entity", "Israel",
                                      "min-words", "100", "duplicate", "yes",
                                      NULL},
                     event_he, false);
}

static void
expect_set_error(const char *key, const char *value, const char *needle)
{
        nd_route r;
        char errstr[512] = "";

        assert_true(nd_route_init(&r, "r", "test:1"));
        assert_int_equal(nd_route_set(&r, key, value, errstr, sizeof(errstr)),
                         ND_ERR_CONFIG);
        if (!strstr(errstr, needle))
                fail_msg("%s = %s: \"%s\" lacks \"%s\"", key, value, errstr,
                         needle);
        nd_route_clear(&r);
}

static void
test_malformed_conditions(void **state)
{
        (void)state;
        expect_set_error("language", "he,,ar", "comma list");
        expect_set_error("language", "he;ar", "\"he;ar\" is not a language");
        expect_set_error("duplicate", "maybe", "not yes or no");
        expect_set_error("min-words", "-3", "not a whole number");
        expect_set_error("min-words", "12 words", "not a whole number");
        expect_set_error("entity", "", "expected an entity");
        expect_set_error("topic", "x.{nope}", "unknown placeholder");
        expect_set_error("colour", "red", "unknown key colour");
        assert_true(nd_route_name_ok("hebrew-desk_2"));
        assert_false(nd_route_name_ok("hebrew desk"));
        assert_false(nd_route_name_ok(""));
}

/* The default topic, then each matching route's, each topic once. */
static void
test_topics(void **state)
{
        char errstr[256];
        nd_template *def =
            nd_template_parse("news.enriched", errstr, sizeof(errstr));
        nd_route routes[3];
        nd_strvec topics = {0};
        json_t *e = load(event_he);

        (void)state;
        routes[0] = route((const char *[]){"topic", "desk.{language}",
                                           "language", "he,ar", NULL});
        routes[1] =
            route((const char *[]){"topic", "desk.fr", "language", "fr", NULL});
        /* Same topic as the default: not sent twice. */
        routes[2] = route((const char *[]){"topic", "news.enriched", NULL});
        assert_true(nd_route_topics(def, routes, 3, e, &topics));
        assert_int_equal(topics.n, 2);
        assert_string_equal(topics.v[0], "news.enriched");
        assert_string_equal(topics.v[1], "desk.he");
        nd_strvec_clear(&topics);
        for (size_t i = 0; i < 3; i++)
                nd_route_clear(&routes[i]);
        json_decref(e);
        nd_template_destroy(def);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_expand),
            cmocka_unit_test(test_fallbacks),
            cmocka_unit_test(test_sanitise),
            cmocka_unit_test(test_bad_templates),
            cmocka_unit_test(test_static),
            cmocka_unit_test(test_conditions),
            cmocka_unit_test(test_malformed_conditions),
            cmocka_unit_test(test_topics),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
