/* Matcher speed with the full gazetteer loaded: folds and scans a text
 * repeatedly and reports MB/s (of UTF-8 input) and the automaton size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "newsd/gazetteer.h"

static bool
count(void *ctx, size_t start, size_t end, uint32_t id)
{
        (void)start;
        (void)end;
        (void)id;
        (*(size_t *)ctx)++;
        return true;
}

int
main(int argc, char **argv)
{
        const char *data = argc > 1 ? argv[1] : getenv("NEWSD_DATA_DIR");
        const char *file = argc > 2 ? argv[2] : NULL;
        char err[512], *text;
        nd_gazetteer *g;
        struct timespec t0, t1;
        size_t len, hits = 0, rounds = 50;
        double sec;
        FILE *fp;

        if (!data || !file) {
                fprintf(stderr, "usage: bench_matcher DATA_DIR TEXT_FILE\n");
                return 2;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (nd_gazetteer_load(&g, data, NULL, err, sizeof(err)) != ND_OK) {
                fprintf(stderr, "bench_matcher: %s\n", err);
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf(
            "gazetteer: %zu entities, %zu aliases, %zu states, load %.2f s\n",
            g->n_ents, g->n_aliases, nd_matcher_states(g->matcher),
            (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
        fp = fopen(file, "rb");
        if (!fp) {
                perror(file);
                return 1;
        }
        fseek(fp, 0, SEEK_END);
        len = (size_t)ftell(fp);
        rewind(fp);
        text = malloc(len + 1);
        if (!text || fread(text, 1, len, fp) != len) {
                fclose(fp);
                return 1;
        }
        fclose(fp);
        /* Folding and scanning apart, then together as the stage does. */
        {
                nd_folded f;
                if (nd_fold(text, len, &f) != ND_OK)
                        return 1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (size_t r = 0; r < rounds; r++)
                        nd_matcher_scan(g->matcher, f.cp, f.n, count, &hits);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                nd_folded_free(&f);
        }
        sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("scan:      %.1f MB/s (%zu bytes x %zu, %zu raw hits)\n",
               len * rounds / sec / 1e6, len, rounds, hits);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (size_t r = 0; r < rounds; r++) {
                nd_folded f;
                if (nd_fold(text, len, &f) != ND_OK)
                        return 1;
                nd_folded_free(&f);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("fold:      %.1f MB/s\n", len * rounds / sec / 1e6);
        hits = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (size_t r = 0; r < rounds; r++) {
                nd_folded f;
                if (nd_fold(text, len, &f) != ND_OK)
                        return 1;
                nd_matcher_scan(g->matcher, f.cp, f.n, count, &hits);
                nd_folded_free(&f);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("fold+scan: %.1f MB/s\n", len * rounds / sec / 1e6);
        free(text);
        nd_gazetteer_free(g);
        return 0;
}
