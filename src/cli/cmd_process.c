/* newsd process: the pipeline offline, files or stdin to JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsd/config.h"
#include "newsd/ingest.h"
#include "newsd/pipeline.h"

static void
process_usage(FILE *out)
{
        fprintf(out,
                "Usage: newsd process [-c FILE] [-X section.key=value]... "
                "[--format auto|text|json]\n"
                "                     [--published ISO8601] [FILE...]\n"
                "\n"
                "Runs the enrichment pipeline on raw articles and prints one "
                "JSON event per\narticle on stdout. With no FILE, or FILE "
                "'-', reads stdin: one article, or\nJSON Lines (one article "
                "per line) with --format json.\n"
                "\n"
                "  -c, --config FILE     configuration file (default %s,\n"
                "                        used only when it exists)\n"
                "  -X section.key=value  override a configuration key\n"
                "  -f, --format FORMAT   auto (sniff, the default), text or "
                "json\n"
                "  -p, --published TIME  publication time for articles that "
                "carry none\n"
                "  -h, --help            show this help\n"
                "\n"
                "Exit codes: 0 all articles became events, 1 some article "
                "failed (the reason\nis on stderr), 2 usage or configuration "
                "error.\n",
                "/etc/newsd/newsd.conf");
}

struct process_ctx {
        nd_pipeline *pipeline;
        nd_format format;
        const char *published;
        size_t max_bytes;
        unsigned failed;
        unsigned ok;
};

static void
emit(struct process_ctx *ctx, const char *name, long line, const void *data,
     size_t len)
{
        nd_input in;
        nd_result res;
        char where[512];

        nd_input_init(&in);
        in.value = data;
        in.len = len;
        in.format = ctx->format;
        in.published = ctx->published;
        in.prov.source_name = name;
        if (line > 0)
                snprintf(where, sizeof(where), "%s:%ld", name, line);
        else
                snprintf(where, sizeof(where), "%s", name);

        if (nd_pipeline_process(ctx->pipeline, &in, &res) == ND_OK) {
                json_dumpf(res.event, stdout, JSON_COMPACT);
                fputc('\n', stdout);
                ctx->ok++;
        } else {
                fprintf(stderr, "newsd: %s: %s: %s\n", where,
                        nd_err_code(res.err), res.errstr);
                ctx->failed++;
        }
        nd_result_clear(&res);
}

/* Reads all of @p f, but no more than limit + 1 bytes: anything longer is
 * rejected as too large anyway. */
static char *
read_all(FILE *f, size_t limit, size_t *len)
{
        size_t cap = 65536, n = 0;
        char *buf = malloc(cap);

        while (buf) {
                size_t want = cap - n, got;
                if (want == 0) {
                        char *nb;
                        if (cap > limit)
                                break;
                        cap *= 2;
                        nb = realloc(buf, cap);
                        if (!nb) {
                                free(buf);
                                return NULL;
                        }
                        buf = nb;
                        continue;
                }
                got = fread(buf + n, 1, want, f);
                n += got;
                if (got < want)
                        break;
        }
        if (buf && ferror(f)) {
                free(buf);
                return NULL;
        }
        *len = n;
        return buf;
}

static int
process_json_lines(struct process_ctx *ctx, FILE *f, const char *name)
{
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        long lineno = 0;

        while ((n = getline(&line, &cap, f)) >= 0) {
                lineno++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (n == 0)
                        continue;
                emit(ctx, name, lineno, line, (size_t)n);
        }
        free(line);
        return ferror(f) ? -1 : 0;
}

static int
process_stream(struct process_ctx *ctx, FILE *f, const char *name,
               bool is_stdin)
{
        size_t len = 0;
        char *data;

        if (is_stdin && ctx->format == ND_FORMAT_JSON)
                return process_json_lines(ctx, f, name);
        data = read_all(f, ctx->max_bytes, &len);
        if (!data)
                return -1;
        emit(ctx, name, 0, data, len);
        free(data);
        return 0;
}

int
nd_cmd_process(int argc, char **argv)
{
        static const struct option opts[] = {
            {"config", required_argument, NULL, 'c'},
            {"format", required_argument, NULL, 'f'},
            {"published", required_argument, NULL, 'p'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct process_ctx ctx = {0};
        const char *config_path = NULL;
        nd_strvec overrides = {0}, errors = {0};
        nd_config conf;
        nd_pipeline_conf pconf;
        char errstr[512];
        int c, rc = ND_EXIT_OK;

        ctx.format = ND_FORMAT_AUTO;
        optind = 1;
        while ((c = getopt_long(argc, argv, "c:f:p:X:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'f': {
                        int f = nd_format_parse(optarg);
                        if (f < 0 || f == ND_FORMAT_HTML) {
                                fprintf(stderr,
                                        "newsd process: --format must be "
                                        "auto, text or json, not '%s'\n",
                                        optarg);
                                rc = ND_EXIT_USAGE;
                                goto out;
                        }
                        ctx.format = (nd_format)f;
                        break;
                }
                case 'p': {
                        char canon[32];
                        if (!nd_ingest_parse_time(optarg, canon,
                                                  sizeof(canon))) {
                                fprintf(stderr,
                                        "newsd process: --published '%s' is "
                                        "not an ISO 8601 date-time\n",
                                        optarg);
                                rc = ND_EXIT_USAGE;
                                goto out;
                        }
                        ctx.published = optarg;
                        break;
                }
                case 'X':
                        nd_strvec_push(&overrides, optarg);
                        break;
                case 'h':
                        process_usage(stdout);
                        goto out;
                default:
                        process_usage(stderr);
                        rc = ND_EXIT_USAGE;
                        goto out;
                }
        }

        if (nd_config_load(&conf, config_path, &overrides, &errors) != ND_OK) {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.v[i]);
                nd_config_free(&conf);
                rc = ND_EXIT_USAGE;
                goto out;
        }
        nd_config_pipeline_conf(&conf, &pconf);
        ctx.max_bytes = pconf.max_article_bytes;
        ctx.pipeline = nd_pipeline_new(&pconf, errstr, sizeof(errstr));
        nd_config_free(&conf);
        if (!ctx.pipeline) {
                fprintf(stderr, "newsd process: %s\n", errstr);
                rc = ND_EXIT_FAILURE;
                goto out;
        }

        if (optind >= argc) {
                if (process_stream(&ctx, stdin, "-", true) < 0) {
                        fprintf(stderr, "newsd process: stdin: %s\n",
                                strerror(errno));
                        rc = ND_EXIT_FAILURE;
                }
        }
        for (int i = optind; i < argc; i++) {
                bool is_stdin = strcmp(argv[i], "-") == 0;
                FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
                if (!f) {
                        fprintf(stderr, "newsd process: %s: %s\n", argv[i],
                                strerror(errno));
                        ctx.failed++;
                        continue;
                }
                if (process_stream(&ctx, f, argv[i], is_stdin) < 0) {
                        fprintf(stderr, "newsd process: %s: %s\n", argv[i],
                                strerror(errno));
                        ctx.failed++;
                }
                if (!is_stdin)
                        fclose(f);
        }
        fflush(stdout);
        if (ctx.failed > 0 && rc == ND_EXIT_OK)
                rc = ND_EXIT_FAILURE;
out:
        nd_pipeline_destroy(ctx.pipeline);
        nd_strvec_clear(&overrides);
        nd_strvec_clear(&errors);
        return rc;
}
