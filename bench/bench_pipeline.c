/* Benchmark: the whole offline pipeline (nd_pipeline_process) over a mix of
 * articles - the Hebrew sample and the 66 texts of the language test set -
 * with every stage, and with the enrichment stages of language, stats,
 * keywords and fingerprints switched off; then the near-duplicate window's
 * lookup time at 100000 entries. Reports figures, asserts nothing.
 *
 * Usage: bench_pipeline [-n ROUNDS] [-s SAMPLES_DIR] [-t TEXTS.jsonl]
 *                       [-d DATA_DIR] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "newsd/fingerprint.h"
#include "newsd/pipeline.h"

struct article {
        char *value; /* owned */
        size_t len;
        nd_format format;
};

struct corpus {
        struct article *a;
        size_t n, cap;
        size_t bytes;
};

static double
now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
add(struct corpus *c, char *value, size_t len, nd_format format)
{
        if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 64;
                c->a = realloc(c->a, c->cap * sizeof(*c->a));
                if (!c->a) {
                        perror("realloc");
                        exit(2);
                }
        }
        c->a[c->n++] = (struct article){value, len, format};
        c->bytes += len;
}

static char *
slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        if (buf) {
                buf[n] = '\0';
                *len = (size_t)n;
        }
        return buf;
}

/* Each test-set text becomes a JSON article {"title", "text"}: the title
 * is its first sentence-ish 60 bytes, cut at a space. */
static void
load_texts(struct corpus *c, const char *path)
{
        FILE *f = fopen(path, "r");
        char *line = NULL;
        size_t cap = 0;

        if (!f) {
                perror(path);
                exit(2);
        }
        while (getline(&line, &cap, f) > 0) {
                json_t *o = json_loads(line, 0, NULL);
                const char *text =
                    json_string_value(json_object_get(o, "text"));
                char *v;

                if (!text)
                        continue;
                v = json_dumps(json_pack("{s:s%,s:s}", "title", text,
                                         strcspn(text, " ") > 60
                                             ? (size_t)60
                                             : strcspn(text, " "),
                                         "text", text),
                               JSON_COMPACT);
                if (v)
                        add(c, v, strlen(v), ND_FORMAT_JSON);
                json_decref(o);
        }
        free(line);
        fclose(f);
}

/* One pass over the corpus; counts outcomes into @p ok and @p failed. */
static void
process_all(nd_pipeline *p, const struct corpus *c, size_t *ok, size_t *failed)
{
        for (size_t i = 0; i < c->n; i++) {
                nd_input in;
                nd_result res;

                nd_input_init(&in);
                in.value = c->a[i].value;
                in.len = c->a[i].len;
                in.format = c->a[i].format;
                if (nd_pipeline_process(p, &in, &res) == ND_OK)
                        (*ok)++;
                else
                        (*failed)++;
                nd_result_clear(&res);
        }
}

/* One run of @p rounds over the corpus; prints articles/s and MB/s. */
static void
run(const char *label, const nd_pipeline_conf *conf, const struct corpus *c,
    int rounds)
{
        char err[512];
        nd_pipeline *p = nd_pipeline_new(conf, err, sizeof(err));
        size_t ok = 0, failed = 0;
        double t0, dt;

        if (!p) {
                fprintf(stderr, "bench: %s\n", err);
                exit(2);
        }
        /* One warm-up pass: ICU and CLD2 load their data lazily. */
        process_all(p, c, &ok, &failed);
        ok = failed = 0;
        t0 = now_s();
        for (int r = 0; r < rounds; r++)
                process_all(p, c, &ok, &failed);
        dt = now_s() - t0;
        printf("%-34s %8.0f articles/s %7.2f MB/s  (%zu articles, %zu "
               "failed, %.2f s)\n",
               label, (double)(ok + failed) / dt,
               (double)c->bytes * rounds / dt / 1e6, ok + failed, failed, dt);
        nd_pipeline_destroy(p);
}

/* The near-duplicate window at 100000 entries: the cost of one lookup. */
static void
window_lookup(unsigned max_distance)
{
        const unsigned cap = 100000, lookups = 2000;
        nd_dupwin *w = nd_dupwin_new(cap, max_distance);
        uint64_t s = 0x9e3779b97f4a7c15ULL;
        unsigned found = 0, d;
        double t0, dt;

        if (!w) {
                fprintf(stderr, "bench: window: out of memory\n");
                exit(2);
        }
        for (unsigned i = 0; i < cap; i++) {
                nd_fp fp;
                for (int k = 0; k < ND_FP_WORDS; k++) {
                        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                        fp.w[k] = s;
                }
                nd_dupwin_add(w, &fp, "urn:newsd:sha256:0123456789abcdef");
        }
        t0 = now_s();
        for (unsigned i = 0; i < lookups; i++) {
                nd_fp fp;
                for (int k = 0; k < ND_FP_WORDS; k++) {
                        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                        fp.w[k] = s;
                }
                found += nd_dupwin_find(w, &fp, NULL, &d) != NULL;
        }
        dt = now_s() - t0;
        printf("window of %u, distance %u: %.1f us per lookup (%u found), "
               "at most %.1f MB\n",
               cap, max_distance, dt / lookups * 1e6, found,
               nd_dupwin_max_bytes(cap) / 1e6);
        nd_dupwin_destroy(w);
}

int
main(int argc, char **argv)
{
        const char *samples = getenv("NEWSD_SAMPLES_DIR");
        const char *data = getenv("NEWSD_DATA_DIR");
        const char *texts = NEWSD_SOURCE_DIR "/tests/data/langid/texts.jsonl";
        int rounds = 20, opt;
        struct corpus c = {0};
        char path[4096];
        nd_pipeline_conf conf;
        size_t len;
        char *he;

        while ((opt = getopt(argc, argv, "n:s:t:d:")) != -1) {
                switch (opt) {
                case 'n':
                        rounds = atoi(optarg);
                        break;
                case 's':
                        samples = optarg;
                        break;
                case 't':
                        texts = optarg;
                        break;
                case 'd':
                        data = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: bench_pipeline [-n ROUNDS] "
                                        "[-s SAMPLES_DIR] [-t TEXTS.jsonl] "
                                        "[-d DATA_DIR]\n");
                        return 2;
                }
        }
        snprintf(path, sizeof(path), "%s/he-belarus-china.txt",
                 samples ? samples : NEWSD_SAMPLES_DIR);
        he = slurp(path, &len);
        if (!he) {
                perror(path);
                return 2;
        }
        /* The long sample weighs as much as the short texts together. */
        for (int i = 0; i < 8; i++)
                add(&c, i ? strdup(he) : he, len, ND_FORMAT_TEXT);
        load_texts(&c, texts);
        printf("corpus: %zu articles, %.1f KB per round, %d rounds\n", c.n,
               c.bytes / 1e3, rounds);

        nd_pipeline_conf_init(&conf);
        conf.data_dir = data ? data : NEWSD_SOURCE_DIR "/data";
        run("all stages", &conf, &c, rounds);
        conf.disabled_stages[0] = "language";
        conf.disabled_stages[1] = "stats";
        conf.disabled_stages[2] = "keywords";
        conf.disabled_stages[3] = "fingerprint";
        run("without language/stats/keywords/fp", &conf, &c, rounds);
        for (int i = 0; i < 4; i++) {
                const char *only = conf.disabled_stages[i];
                nd_pipeline_conf one;
                char label[64];
                nd_pipeline_conf_init(&one);
                one.data_dir = conf.data_dir;
                one.disabled_stages[0] = only;
                snprintf(label, sizeof(label), "all but %s", only);
                run(label, &one, &c, rounds);
        }
        window_lookup(conf.dedup_max_distance);
        for (size_t i = 0; i < c.n; i++)
                free(c.a[i].value);
        free(c.a);
        return 0;
}
