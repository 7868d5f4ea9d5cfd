/* Fuzz target: the whole pipeline (ingest, normalize, structure, stages,
 * event) on arbitrary bytes, with the format sniffed and forced to JSON and
 * to text. Every input must give either an error with a reason or a
 * complete event. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "newsd/pipeline.h"

static nd_pipeline *pipeline;

static void
cleanup(void)
{
        nd_pipeline_destroy(pipeline);
}

static nd_pipeline *
get_pipeline(void)
{
        nd_pipeline_conf conf;
        char err[512];
        const char *dir = getenv("NEWSD_DATA_DIR");

        if (pipeline)
                return pipeline;
        nd_pipeline_conf_init(&conf);
        conf.data_dir = dir && *dir ? dir : NEWSD_FUZZ_DATA_DIR;
        pipeline = nd_pipeline_new(&conf, err, sizeof(err));
        if (!pipeline) {
                fprintf(stderr, "fuzz_pipeline: %s\n", err);
                abort();
        }
        atexit(cleanup);
        return pipeline;
}

/* Each member of an array of ninjs text items has its string value. */
static void
check_items(json_t *article, const char *key)
{
        json_t *arr = json_object_get(article, key), *item;
        size_t i;

        if (!arr)
                return;
        REQUIRE(json_is_array(arr));
        json_array_foreach(arr, i, item)
            REQUIRE(json_is_string(json_object_get(item, "value")));
}

static void
check_event(json_t *ev)
{
        json_t *article = json_object_get(ev, "article");
        json_t *analysis = json_object_get(ev, "analysis");
        json_t *norm = json_object_get(analysis, "normalization");
        char *text;

        REQUIRE(json_is_object(article));
        REQUIRE(json_is_string(json_object_get(article, "uri")));
        check_items(article, "headlines");
        check_items(article, "descriptions");
        check_items(article, "bodies");
        REQUIRE(json_array_size(json_object_get(article, "bodies")) == 1);
        REQUIRE(json_is_boolean(json_object_get(norm, "changed")));
        REQUIRE(json_is_object(json_object_get(analysis, "structure")));
        REQUIRE(json_is_object(json_object_get(ev, "provenance")));
        /* The event must serialise: every string in it is valid UTF-8. */
        text = json_dumps(ev, JSON_COMPACT);
        REQUIRE(text);
        free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const nd_format formats[] = {ND_FORMAT_AUTO, ND_FORMAT_JSON,
                                            ND_FORMAT_TEXT};
        nd_pipeline *p = get_pipeline();

        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
                nd_input in;
                nd_result res;
                nd_err err;

                nd_input_init(&in);
                in.value = data;
                in.len = size;
                in.format = formats[i];
                err = nd_pipeline_process(p, &in, &res);
                REQUIRE(err == res.err);
                if (err == ND_OK) {
                        REQUIRE(res.event);
                        REQUIRE(res.uri && *res.uri);
                        check_event(res.event);
                } else {
                        REQUIRE(!res.event);
                        REQUIRE(res.errstr[0] != '\0');
                }
                nd_result_clear(&res);
        }
        return 0;
}
