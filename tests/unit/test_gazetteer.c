/* Tests for src/pipeline/gazetteer.c: the TSV format, merging by uri,
 * flags, errors, and the generated data files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/gazetteer.h"

static const char tsv[] =
    "# comment\n"
    "#uri\ttype\tname\tcountry\taliases\tshort_aliases\n"
    "http://www.wikidata.org/entity/Q7747\tperson\tVladimir Putin\tRU\t"
    "en:Vladimir Putin|he:ולדימיר פוטין\ten:Putin\n"
    "-\tagency\tdpa\tDE\ten:=dpa|de:Deutsche Presse-Agentur\t\n"
    "-\torganisation\tUnited Nations\t-\ten:UN\t\n"
    "http://www.wikidata.org/entity/Q7747\tperson\tW. Putin\tRU\t"
    "de:Wladimir Putin\t\n";

static nd_gazetteer *
load(const char *text)
{
        nd_gazetteer *g = nd_gazetteer_new();
        char err[256];

        assert_non_null(g);
        assert_int_equal(nd_gazetteer_add_tsv(g, text, strlen(text), "t.tsv",
                                              err, sizeof(err)),
                         ND_OK);
        assert_int_equal(nd_gazetteer_build(g, err, sizeof(err)), ND_OK);
        return g;
}

static const nd_alias *
find_alias(const nd_gazetteer *g, const char *s)
{
        size_t n;
        uint32_t *cp = nd_fold_str(s, &n);
        const nd_alias *found = NULL;

        for (size_t i = 0; i < g->n_aliases && !found; i++)
                if (g->aliases[i].n_folded == n &&
                    memcmp(g->aliases[i].folded, cp, n * sizeof(*cp)) == 0)
                        found = &g->aliases[i];
        free(cp);
        return found;
}

/* The entity of an alias that must exist. */
static const nd_entity *
entity_of(const nd_gazetteer *g, const char *alias)
{
        const nd_alias *a = find_alias(g, alias);

        assert_non_null(a);
        return &g->ents[a->entity];
}

static void
test_records_and_flags(void **s)
{
        nd_gazetteer *g = load(tsv);
        const nd_alias *a;

        (void)s;
        /* The second Q7747 line merged into the first. */
        assert_int_equal(g->n_ents, 3);
        assert_string_equal(g->ents[0].name, "Vladimir Putin");
        assert_string_equal(g->ents[0].country, "RU");
        assert_int_equal(g->ents[0].type, ND_ENT_PERSON);
        a = find_alias(g, "Wladimir Putin");
        assert_non_null(a);
        assert_int_equal(a->entity, 0);
        a = find_alias(g, "putin");
        assert_non_null(a);
        assert_true(a->flags & ND_ALIAS_SHORT);
        assert_true(g->ents[1].agency);
        assert_int_equal(g->ents[1].type, ND_ENT_ORGANISATION);
        assert_null(g->ents[1].uri);
        a = find_alias(g, "dpa");
        assert_non_null(a);
        assert_true(a->flags & ND_ALIAS_EXACT);
        /* An acronym in capitals is exact without '='. */
        a = find_alias(g, "UN");
        assert_non_null(a);
        assert_true(a->flags & ND_ALIAS_EXACT);
        assert_string_equal(a->lang, "en");
        nd_gazetteer_free(g);
}

static void
test_errors(void **s)
{
        nd_gazetteer *g = nd_gazetteer_new();
        char err[256];
        const char *bad_type = "-\tthing\tX\t-\ten:X\t\n";
        const char *few = "-\tperson\tX\n";

        (void)s;
        assert_int_equal(nd_gazetteer_add_tsv(g, bad_type, strlen(bad_type),
                                              "u.tsv", err, sizeof(err)),
                         ND_ERR_DATA);
        assert_non_null(strstr(err, "u.tsv:1"));
        assert_int_equal(nd_gazetteer_add_tsv(g, few, strlen(few), "u.tsv", err,
                                              sizeof(err)),
                         ND_ERR_DATA);
        nd_gazetteer_free(g);
}

static void
test_data_files(void **s)
{
        const char *dir = getenv("NEWSD_DATA_DIR");
        nd_gazetteer *g;
        const nd_alias *a;
        char err[512];

        (void)s;
        assert_non_null(dir);
        assert_int_equal(nd_gazetteer_load(&g, dir, NULL, err, sizeof(err)),
                         ND_OK);
        /* CLDR Hebrew names of Russia and Tajikistan (written with a
         * geresh in CLDR, found with an apostrophe). */
        assert_string_equal(entity_of(g, "רוסיה")->country, "RU");
        assert_string_equal(entity_of(g, "טג'יקיסטן")->name, "Tajikistan");
        /* A declined Russian form generated at load. */
        assert_string_equal(entity_of(g, "России")->name, "Russia");
        /* Declined forms of a Russian man's name; none for a woman's. */
        assert_string_equal(entity_of(g, "Джо Байденом")->name, "Joe Biden");
        assert_string_equal(entity_of(g, "Сергея Лаврова")->name,
                            "Sergey Lavrov");
        assert_null(find_alias(g, "Ангелом Меркелем"));
        /* Samarkand from CLDR exemplar cities, with its Wikidata item. */
        a = find_alias(g, "סמרקנד");
        assert_non_null(a);
        assert_string_equal(g->ents[a->entity].uri,
                            "http://www.wikidata.org/entity/Q5753");
        assert_string_equal(g->ents[a->entity].country, "UZ");
        nd_gazetteer_free(g);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_records_and_flags),
            cmocka_unit_test(test_errors),
            cmocka_unit_test(test_data_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
