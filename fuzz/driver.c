/* A plain driver for the fuzz targets, for builds without libFuzzer: feeds
 * every file of the given corpus directories (or files) to
 * LLVMFuzzerTestOneInput, then a fixed number of pseudo-random mutations of
 * each. The mutations depend only on the seed, so a failure found here is
 * found again by the same command. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Mutated inputs never grow past this. */
#define MAX_FUZZ_INPUT (64 * 1024)

typedef struct input {
        char *path;
        uint8_t *data;
        size_t size;
} input;

typedef struct corpus {
        input *v;
        size_t n;
        size_t cap;
} corpus;

static uint64_t rng_state;

/* splitmix64: small, fast and good enough to pick mutations. */
static uint64_t
rng(void)
{
        uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
}

static size_t
below(size_t n)
{
        return n ? (size_t)(rng() % n) : 0;
}

static int
read_file(const char *path, input *in)
{
        FILE *f = fopen(path, "rb");
        long n;

        if (!f)
                return -1;
        if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0) {
                fclose(f);
                return -1;
        }
        in->size = (size_t)n;
        in->data = malloc(in->size ? in->size : 1);
        in->path = strdup(path);
        if (!in->data || !in->path ||
            fread(in->data, 1, in->size, f) != in->size) {
                fclose(f);
                free(in->data);
                free(in->path);
                return -1;
        }
        fclose(f);
        return 0;
}

static int
add_file(corpus *c, const char *path)
{
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 16;
                input *v = realloc(c->v, cap * sizeof(*v));
                if (!v)
                        return -1;
                c->v = v;
                c->cap = cap;
        }
        if (read_file(path, &c->v[c->n]) != 0) {
                fprintf(stderr, "driver: cannot read %s: %s\n", path,
                        strerror(errno));
                return -1;
        }
        c->n++;
        return 0;
}

static int
by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a file, or every regular file of a directory in name order (so the
 * run does not depend on the file system's order). */
static int
add_path(corpus *c, const char *path)
{
        struct stat sb;
        char **names = NULL;
        size_t n = 0, cap = 0;
        DIR *d;
        struct dirent *e;
        int rc = 0;

        if (stat(path, &sb) != 0) {
                fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(sb.st_mode))
                return add_file(c, path);
        d = opendir(path);
        if (!d)
                return -1;
        while ((e = readdir(d))) {
                char full[4096];
                if (e->d_name[0] == '.')
                        continue;
                snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
                if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode))
                        continue;
                if (n == cap) {
                        char **nn;
                        cap = cap ? cap * 2 : 16;
                        nn = realloc(names, cap * sizeof(*nn));
                        if (!nn) {
                                rc = -1;
                                break;
                        }
                        names = nn;
                }
                if (!(names[n] = strdup(full))) {
                        rc = -1;
                        break;
                }
                n++;
        }
        closedir(d);
        if (rc == 0) {
                qsort(names, n, sizeof(*names), by_name);
                for (size_t i = 0; i < n && rc == 0; i++)
                        rc = add_file(c, names[i]);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return rc;
}

/* Byte strings a parser of text and JSON is likely to trip on. */
static const char *const tokens[] = {
    "\0",
    "\xFF",
    "\xC0\x80",
    "\xED\xA0\x80",
    "\xE2\x82",
    "\xF4\x90\x80",
    "\x80",
    "\r\n",
    "\r",
    "\n\n\n",
    "\t",
    "\xC2\xA0",
    "\xC2\x85",
    "\xE2\x80\xA8",
    "\xE2\x80\x8B",
    "\xE2\x80\x8C",
    "\xE2\x80\x8D",
    "\xE2\x80\x8F",
    "\xEF\xBB\xBF",
    "\xCC\x81",
    "\xE0\xA5\x8D",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    ":",
    ",",
    "\"text\":",
    "\"title\":",
    "\"authors\":[{\"name\":1}]",
    "null",
    "1e999",
    "<html>",
    "  ",
    "\xE2\x80\xA2 ",
};

/* Applies one to four random edits to @p buf (size *n, room MAX_FUZZ_INPUT). */
static void
mutate(uint8_t *buf, size_t *n, const corpus *c)
{
        int edits = 1 + (int)below(4);

        for (int k = 0; k < edits; k++) {
                size_t pos = below(*n + 1), len;
                switch (below(7)) {
                case 0: /* flip a bit */
                        if (*n)
                                buf[below(*n)] ^= (uint8_t)(1u << below(8));
                        break;
                case 1: /* set a random byte */
                        if (*n)
                                buf[below(*n)] = (uint8_t)rng();
                        break;
                case 2: { /* insert a token */
                        const char *t =
                            tokens[below(sizeof(tokens) / sizeof(tokens[0]))];
                        len = *t ? strlen(t) : 1;
                        if (*n + len > MAX_FUZZ_INPUT)
                                break;
                        memmove(buf + pos + len, buf + pos, *n - pos);
                        memcpy(buf + pos, t, len);
                        *n += len;
                        break;
                }
                case 3: /* delete a range */
                        len = below(*n - pos + 1);
                        memmove(buf + pos, buf + pos + len, *n - pos - len);
                        *n -= len;
                        break;
                case 4: { /* duplicate a range */
                        size_t from = below(*n);
                        len = below(*n - from + 1);
                        if (len > 256)
                                len = 256;
                        if (*n + len > MAX_FUZZ_INPUT || from + len > *n)
                                break;
                        memmove(buf + pos + len, buf + pos, *n - pos);
                        memmove(buf + pos, buf + from + (from >= pos ? len : 0),
                                len);
                        *n += len;
                        break;
                }
                case 5: { /* splice in part of another corpus file */
                        const input *o = &c->v[below(c->n)];
                        size_t from = below(o->size);
                        len = below(o->size - from + 1);
                        if (*n + len > MAX_FUZZ_INPUT)
                                break;
                        memmove(buf + pos + len, buf + pos, *n - pos);
                        memcpy(buf + pos, o->data + from, len);
                        *n += len;
                        break;
                }
                default: /* truncate */
                        *n = pos;
                        break;
                }
        }
}

/* Runs the target on an exactly sized copy, so that a read past the end is
 * caught by AddressSanitizer. */
static void
run_one(const uint8_t *data, size_t size)
{
        uint8_t *copy = malloc(size ? size : 1);

        if (!copy) {
                fprintf(stderr, "driver: out of memory\n");
                exit(2);
        }
        if (size)
                memcpy(copy, data, size);
        LLVMFuzzerTestOneInput(copy, size);
        free(copy);
}

static void
usage(void)
{
        fprintf(stderr,
                "Usage: driver [-n MUTATIONS] [-s SEED] [-o CRASH_FILE] "
                "CORPUS...\n"
                "Runs the fuzz target on every file of each CORPUS (a "
                "directory or a file)\nand on MUTATIONS mutations of each "
                "(default 200, seed 1). Before each\nmutated run the input "
                "is written to CRASH_FILE, which then holds the\ninput of a "
                "crash.\n");
}

int
main(int argc, char **argv)
{
        unsigned long mutations = 200, seed = 1;
        const char *crash_file = NULL;
        corpus c = {0};
        uint8_t *buf;
        size_t runs = 0;
        int i;

        for (i = 1; i < argc && argv[i][0] == '-'; i++) {
                if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
                        mutations = strtoul(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
                        seed = strtoul(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
                        crash_file = argv[++i];
                else {
                        usage();
                        return 2;
                }
        }
        if (i == argc) {
                usage();
                return 2;
        }
        for (; i < argc; i++)
                if (add_path(&c, argv[i]) != 0)
                        return 2;
        if (c.n == 0) {
                fprintf(stderr, "driver: the corpus is empty\n");
                return 2;
        }
        buf = malloc(MAX_FUZZ_INPUT);
        if (!buf)
                return 2;
        for (size_t f = 0; f < c.n; f++) {
                run_one(c.v[f].data, c.v[f].size);
                runs++;
                rng_state = seed * 0x100000001B3ull + f;
                for (unsigned long m = 0; m < mutations; m++) {
                        size_t n = c.v[f].size < MAX_FUZZ_INPUT
                                       ? c.v[f].size
                                       : MAX_FUZZ_INPUT;
                        memcpy(buf, c.v[f].data, n);
                        mutate(buf, &n, &c);
                        if (crash_file) {
                                FILE *o = fopen(crash_file, "wb");
                                if (o) {
                                        fwrite(buf, 1, n, o);
                                        fclose(o);
                                }
                        }
                        run_one(buf, n);
                        runs++;
                }
        }
        printf("driver: %zu runs over %zu corpus files, no failure\n", runs,
               c.n);
        for (size_t f = 0; f < c.n; f++) {
                free(c.v[f].data);
                free(c.v[f].path);
        }
        free(c.v);
        free(buf);
        return 0;
}
