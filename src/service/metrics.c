/* The metrics registry and its Prometheus text exposition (format 0.0.4),
 * with the process figures read from /proc/self.
 *
 * Values live in atomics so the main loop updates them without a lock; a
 * family's mutex only guards its list of children (created on first use,
 * rarely) against the HTTP thread walking it during a scrape. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "newsd/metrics.h"

struct nd_metric_child {
        const struct nd_metric *family;     /* for a histogram's bounds */
        char *values[ND_METRIC_LABELS_MAX]; /* owned */
        /* Counter: the count; gauge: the bits of a double. */
        _Atomic uint64_t v;
        /* Histogram: the bits of the double sum, and one count per bucket
         * (not cumulative; the last one is +Inf) so that _count, computed
         * as their total, always equals the +Inf bucket. */
        _Atomic uint64_t sum_bits;
        _Atomic uint64_t *buckets;
};

struct nd_metric {
        struct nd_metric *next;
        nd_metric_type type;
        char *name;
        char *help;
        char *labels[ND_METRIC_LABELS_MAX];
        size_t n_labels;
        double bounds[ND_METRIC_BUCKETS_MAX];
        size_t n_bounds;
        pthread_mutex_t lock; /* guards children, n, cap */
        nd_metric_child **children;
        size_t n;
        size_t cap;
};

struct nd_metrics {
        pthread_mutex_t lock; /* guards the family list */
        nd_metric *head;
        nd_metric *tail;
        bool process;
};

static uint64_t
dbits(double d)
{
        uint64_t u;

        memcpy(&u, &d, sizeof(u));
        return u;
}

static double
bitsd(uint64_t u)
{
        double d;

        memcpy(&d, &u, sizeof(d));
        return d;
}

nd_metrics *
nd_metrics_new(void)
{
        nd_metrics *m = calloc(1, sizeof(*m));

        if (!m)
                return NULL;
        pthread_mutex_init(&m->lock, NULL);
        m->process = true;
        return m;
}

static void
child_free(nd_metric_child *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < ND_METRIC_LABELS_MAX; i++)
                free(c->values[i]);
        free(c->buckets);
        free(c);
}

static void
family_free(nd_metric *f)
{
        for (size_t i = 0; i < f->n; i++)
                child_free(f->children[i]);
        free(f->children);
        for (size_t i = 0; i < f->n_labels; i++)
                free(f->labels[i]);
        free(f->name);
        free(f->help);
        pthread_mutex_destroy(&f->lock);
        free(f);
}

void
nd_metrics_destroy(nd_metrics *m)
{
        if (!m)
                return;
        for (nd_metric *f = m->head, *next; f; f = next) {
                next = f->next;
                family_free(f);
        }
        pthread_mutex_destroy(&m->lock);
        free(m);
}

void
nd_metrics_set_process(nd_metrics *m, bool on)
{
        m->process = on;
}

/* Prometheus data model: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label
 * names the same without ':', and label names starting with "__" are
 * reserved. */
static bool
valid_name(const char *s, bool colon)
{
        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++) {
                char c = *p;
                bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             c == '_' || (colon && c == ':');
                if (!alpha && !(p > s && c >= '0' && c <= '9'))
                        return false;
        }
        return true;
}

static nd_metric_child *
child_new(const nd_metric *f, const char *const *values)
{
        nd_metric_child *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->family = f;
        for (size_t i = 0; i < f->n_labels; i++) {
                c->values[i] = strdup(values[i] ? values[i] : "");
                if (!c->values[i])
                        goto fail;
        }
        if (f->type == ND_METRIC_HISTOGRAM) {
                c->buckets = calloc(f->n_bounds + 1, sizeof(*c->buckets));
                if (!c->buckets)
                        goto fail;
        }
        return c;
fail:
        child_free(c);
        return NULL;
}

/* Appends @p c to @p f's children; the caller holds f->lock. */
static bool
child_push(nd_metric *f, nd_metric_child *c)
{
        if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 8;
                nd_metric_child **v = realloc(f->children, cap * sizeof(*v));
                if (!v)
                        return false;
                f->children = v;
                f->cap = cap;
        }
        f->children[f->n++] = c;
        return true;
}

nd_metric *
nd_metrics_add(nd_metrics *m, nd_metric_type type, const char *name,
               const char *help, const char *const *label_names,
               const double *buckets, size_t n_buckets, char *errstr,
               size_t errstr_size)
{
        nd_metric *f = NULL;
        size_t n_labels = 0;

        if (!valid_name(name, true)) {
                nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                          "invalid metric name \"%s\"", name ? name : "");
                return NULL;
        }
        for (; label_names && label_names[n_labels]; n_labels++) {
                const char *l = label_names[n_labels];
                if (n_labels == ND_METRIC_LABELS_MAX || !valid_name(l, false) ||
                    strncmp(l, "__", 2) == 0 ||
                    (type == ND_METRIC_HISTOGRAM && strcmp(l, "le") == 0)) {
                        nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                                  "%s: invalid or too many labels", name);
                        return NULL;
                }
        }
        if ((type == ND_METRIC_HISTOGRAM) !=
            (n_buckets > 0 && n_buckets <= ND_METRIC_BUCKETS_MAX)) {
                nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                          "%s: buckets are for histograms, 1 to %d of them",
                          name, ND_METRIC_BUCKETS_MAX);
                return NULL;
        }
        for (size_t i = 0; i < n_buckets; i++) {
                if (!isfinite(buckets[i]) ||
                    (i > 0 && buckets[i] <= buckets[i - 1])) {
                        nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                                  "%s: bucket bounds must be finite and "
                                  "ascending",
                                  name);
                        return NULL;
                }
        }

        f = calloc(1, sizeof(*f));
        if (!f)
                goto nomem;
        pthread_mutex_init(&f->lock, NULL);
        f->type = type;
        f->name = strdup(name);
        f->help = strdup(help ? help : "");
        if (!f->name || !f->help)
                goto nomem;
        for (size_t i = 0; i < n_labels; i++) {
                f->labels[i] = strdup(label_names[i]);
                if (!f->labels[i])
                        goto nomem;
                f->n_labels++;
        }
        if (n_buckets)
                memcpy(f->bounds, buckets, n_buckets * sizeof(*buckets));
        f->n_bounds = n_buckets;
        if (n_labels == 0 && !nd_metric_get(f, NULL))
                goto nomem;

        pthread_mutex_lock(&m->lock);
        if (m->tail)
                m->tail->next = f;
        else
                m->head = f;
        m->tail = f;
        pthread_mutex_unlock(&m->lock);
        return f;
nomem:
        if (f)
                family_free(f);
        nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
        return NULL;
}

static bool
child_matches(const nd_metric *f, const nd_metric_child *c,
              const char *const *values)
{
        for (size_t i = 0; i < f->n_labels; i++)
                if (strcmp(c->values[i], values[i] ? values[i] : "") != 0)
                        return false;
        return true;
}

nd_metric_child *
nd_metric_get(nd_metric *f, const char *const *label_values)
{
        nd_metric_child *c = NULL;

        if (!f || (f->n_labels > 0 && !label_values))
                return NULL;
        pthread_mutex_lock(&f->lock);
        for (size_t i = 0; i < f->n; i++) {
                if (child_matches(f, f->children[i], label_values)) {
                        c = f->children[i];
                        goto out;
                }
        }
        c = child_new(f, label_values);
        if (c && !child_push(f, c)) {
                child_free(c);
                c = NULL;
        }
out:
        pthread_mutex_unlock(&f->lock);
        return c;
}

void
nd_counter_add(nd_metric_child *c, uint64_t n)
{
        if (c)
                atomic_fetch_add_explicit(&c->v, n, memory_order_relaxed);
}

void
nd_gauge_set(nd_metric_child *c, double v)
{
        if (c)
                atomic_store_explicit(&c->v, dbits(v), memory_order_relaxed);
}

static void
atomic_add_double(_Atomic uint64_t *a, double delta)
{
        uint64_t old = atomic_load_explicit(a, memory_order_relaxed);

        while (!atomic_compare_exchange_weak_explicit(
            a, &old, dbits(bitsd(old) + delta), memory_order_relaxed,
            memory_order_relaxed))
                ;
}

void
nd_gauge_add(nd_metric_child *c, double delta)
{
        if (c)
                atomic_add_double(&c->v, delta);
}

/* The bucket of @p v: the first whose upper bound is >= v (Prometheus
 * buckets are inclusive), n_bounds for +Inf. NaN goes to +Inf. */
static size_t
bucket_of(const nd_metric *f, double v)
{
        size_t lo = 0, hi = f->n_bounds;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (v <= f->bounds[mid])
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

void
nd_histogram_observe(nd_metric_child *c, double v)
{
        if (!c || !c->buckets)
                return;
        atomic_fetch_add_explicit(&c->buckets[bucket_of(c->family, v)], 1,
                                  memory_order_relaxed);
        atomic_add_double(&c->sum_bits, v);
}

uint64_t
nd_counter_value(const nd_metric_child *c)
{
        return c ? atomic_load_explicit(&c->v, memory_order_relaxed) : 0;
}

double
nd_gauge_value(const nd_metric_child *c)
{
        return c ? bitsd(atomic_load_explicit(&c->v, memory_order_relaxed))
                 : 0.0;
}

uint64_t
nd_histogram_count(const nd_metric_child *c)
{
        uint64_t n = 0;

        if (!c || !c->buckets)
                return 0;
        for (size_t i = 0; i <= c->family->n_bounds; i++)
                n += atomic_load_explicit(&c->buckets[i], memory_order_relaxed);
        return n;
}

double
nd_histogram_sum(const nd_metric_child *c)
{
        return c ? bitsd(
                       atomic_load_explicit(&c->sum_bits, memory_order_relaxed))
                 : 0.0;
}

double
nd_gauge_sum(nd_metric *f, size_t *n)
{
        double sum = 0;
        size_t count = 0;

        if (f && f->type == ND_METRIC_GAUGE) {
                pthread_mutex_lock(&f->lock);
                for (size_t i = 0; i < f->n; i++)
                        sum += nd_gauge_value(f->children[i]);
                count = f->n;
                pthread_mutex_unlock(&f->lock);
        }
        if (n)
                *n = count;
        return sum;
}

/* Frees the children of @p f; the caller holds f->lock. */
static void
drop_children(nd_metric *f)
{
        for (size_t i = 0; i < f->n; i++)
                child_free(f->children[i]);
        f->n = 0;
}

void
nd_metric_clear(nd_metric *f)
{
        if (!f)
                return;
        pthread_mutex_lock(&f->lock);
        drop_children(f);
        pthread_mutex_unlock(&f->lock);
}

nd_err
nd_gauge_replace(nd_metric *f, size_t n, const char *const *label_values,
                 const double *values)
{
        nd_metric_child **fresh;
        nd_err err = ND_OK;

        if (!f || f->type != ND_METRIC_GAUGE || f->n_labels == 0)
                return ND_ERR_INTERNAL;
        /* Built outside the lock so a scrape waits only for the swap. */
        fresh = calloc(n ? n : 1, sizeof(*fresh));
        if (!fresh)
                return ND_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) {
                fresh[i] = child_new(f, label_values + i * f->n_labels);
                if (!fresh[i]) {
                        err = ND_ERR_NOMEM;
                        goto out;
                }
                nd_gauge_set(fresh[i], values[i]);
        }
        pthread_mutex_lock(&f->lock);
        drop_children(f);
        free(f->children);
        f->children = fresh;
        f->n = n;
        f->cap = n ? n : 1;
        pthread_mutex_unlock(&f->lock);
        return ND_OK;
out:
        for (size_t i = 0; i < n; i++)
                child_free(fresh[i]);
        free(fresh);
        return err;
}

void
nd_metrics_format_value(double v, char *buf, size_t size)
{
        if (isnan(v)) {
                snprintf(buf, size, "NaN");
                return;
        }
        if (isinf(v)) {
                snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
                return;
        }
        if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
            v == (double)(int64_t)v) {
                snprintf(buf, size, "%.0f", v);
                return;
        }
        /* The shortest of %.15g..%.17g that reads back as the same double,
         * so that 0.1 prints as 0.1 and le labels stay short and stable. */
        for (int prec = 15; prec <= 17; prec++) {
                snprintf(buf, size, "%.*g", prec, v);
                if (strtod(buf, NULL) == v)
                        return;
        }
}

/* HELP text escapes backslash and newline; label values also escape the
 * double quote (exposition format 0.0.4). */
static bool
append_escaped(nd_buf *out, const char *s, bool quote)
{
        for (const char *p = s; *p; p++) {
                bool ok;
                if (*p == '\\')
                        ok = nd_buf_appends(out, "\\\\");
                else if (*p == '\n')
                        ok = nd_buf_appends(out, "\\n");
                else if (quote && *p == '"')
                        ok = nd_buf_appends(out, "\\\"");
                else
                        ok = nd_buf_appendc(out, *p);
                if (!ok)
                        return false;
        }
        return true;
}

/* Writes `name{l1="v1",...[,le="B"]} ` for one sample line. */
static bool
append_sample_head(nd_buf *out, const nd_metric *f, const nd_metric_child *c,
                   const char *suffix, const char *le)
{
        bool any = f->n_labels > 0 || le;

        if (!nd_buf_appends(out, f->name) || !nd_buf_appends(out, suffix))
                return false;
        if (any && !nd_buf_appendc(out, '{'))
                return false;
        for (size_t i = 0; i < f->n_labels; i++) {
                if ((i > 0 && !nd_buf_appendc(out, ',')) ||
                    !nd_buf_appends(out, f->labels[i]) ||
                    !nd_buf_appends(out, "=\"") ||
                    !append_escaped(out, c->values[i], true) ||
                    !nd_buf_appendc(out, '"'))
                        return false;
        }
        if (le &&
            !nd_buf_printf(out, "%sle=\"%s\"", f->n_labels ? "," : "", le))
                return false;
        if (any && !nd_buf_appendc(out, '}'))
                return false;
        return nd_buf_appendc(out, ' ');
}

static bool
append_value_line(nd_buf *out, double v)
{
        char num[40];

        nd_metrics_format_value(v, num, sizeof(num));
        return nd_buf_appends(out, num) && nd_buf_appendc(out, '\n');
}

static bool
render_histogram(nd_buf *out, const nd_metric *f, const nd_metric_child *c)
{
        uint64_t cum = 0;
        char le[40];

        for (size_t b = 0; b <= f->n_bounds; b++) {
                cum +=
                    atomic_load_explicit(&c->buckets[b], memory_order_relaxed);
                if (b < f->n_bounds)
                        nd_metrics_format_value(f->bounds[b], le, sizeof(le));
                else
                        snprintf(le, sizeof(le), "+Inf");
                if (!append_sample_head(out, f, c, "_bucket", le) ||
                    !nd_buf_printf(out, "%llu\n", (unsigned long long)cum))
                        return false;
        }
        return append_sample_head(out, f, c, "_sum", NULL) &&
               append_value_line(out, nd_histogram_sum(c)) &&
               append_sample_head(out, f, c, "_count", NULL) &&
               nd_buf_printf(out, "%llu\n", (unsigned long long)cum);
}

static const char *
type_name(nd_metric_type t)
{
        switch (t) {
        case ND_METRIC_COUNTER:
                return "counter";
        case ND_METRIC_GAUGE:
                return "gauge";
        case ND_METRIC_HISTOGRAM:
                return "histogram";
        }
        return "untyped";
}

static bool
render_family(nd_buf *out, nd_metric *f)
{
        bool ok =
            nd_buf_printf(out, "# HELP %s ", f->name) &&
            append_escaped(out, f->help, false) &&
            nd_buf_printf(out, "\n# TYPE %s %s\n", f->name, type_name(f->type));

        pthread_mutex_lock(&f->lock);
        for (size_t i = 0; ok && i < f->n; i++) {
                const nd_metric_child *c = f->children[i];
                switch (f->type) {
                case ND_METRIC_COUNTER:
                        ok = append_sample_head(out, f, c, "", NULL) &&
                             nd_buf_printf(
                                 out, "%llu\n",
                                 (unsigned long long)nd_counter_value(c));
                        break;
                case ND_METRIC_GAUGE:
                        ok = append_sample_head(out, f, c, "", NULL) &&
                             append_value_line(out, nd_gauge_value(c));
                        break;
                case ND_METRIC_HISTOGRAM:
                        ok = render_histogram(out, f, c);
                        break;
                }
        }
        pthread_mutex_unlock(&f->lock);
        return ok;
}

static bool
render_process(nd_buf *out)
{
        nd_proc_figures pf;
        static const struct {
                const char *name, *type, *help;
                size_t off;
        } rows[] = {
            {"process_cpu_seconds_total", "counter",
             "Total user and system CPU time spent in seconds.",
             offsetof(nd_proc_figures, cpu_seconds)},
            {"process_resident_memory_bytes", "gauge",
             "Resident memory size in bytes.",
             offsetof(nd_proc_figures, resident_bytes)},
            {"process_virtual_memory_bytes", "gauge",
             "Virtual memory size in bytes.",
             offsetof(nd_proc_figures, virtual_bytes)},
            {"process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.",
             offsetof(nd_proc_figures, start_time_seconds)},
            {"process_open_fds", "gauge", "Number of open file descriptors.",
             offsetof(nd_proc_figures, open_fds)},
            {"process_max_fds", "gauge",
             "Maximum number of open file descriptors.",
             offsetof(nd_proc_figures, max_fds)},
        };

        /* Without /proc the figures are left out, not reported as 0. */
        if (nd_proc_read(&pf, NULL, 0) != ND_OK)
                return true;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                double v;
                memcpy(&v, (const char *)&pf + rows[i].off, sizeof(v));
                if (v < 0)
                        continue;
                if (!nd_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s ",
                                   rows[i].name, rows[i].help, rows[i].name,
                                   rows[i].type, rows[i].name) ||
                    !append_value_line(out, v))
                        return false;
        }
        return true;
}

bool
nd_metrics_render(nd_metrics *m, nd_buf *out)
{
        bool ok = true;

        pthread_mutex_lock(&m->lock);
        for (nd_metric *f = m->head; ok && f; f = f->next)
                ok = render_family(out, f);
        pthread_mutex_unlock(&m->lock);
        if (ok && m->process)
                ok = render_process(out);
        return ok;
}

/* ---- /proc/self ---- */

nd_err
nd_proc_parse_stat(const char *stat, long ticks_per_second, long page_size,
                   double boot_time, nd_proc_figures *out)
{
        /* The command name (field 2) is in parentheses and may hold spaces
         * and parentheses itself: the fields resume after the last ')'. */
        const char *p = strrchr(stat, ')');
        unsigned long long f[24] = {0};
        int field = 3;

        memset(out, 0, sizeof(*out));
        out->open_fds = -1;
        out->max_fds = -1;
        if (!p || ticks_per_second <= 0 || page_size <= 0)
                return ND_ERR_IO;
        p++;
        /* Field 3 is the state letter; 14 utime, 15 stime, 22 starttime,
         * 23 vsize (bytes), 24 rss (pages), numbered as in proc(5). */
        while (field <= 24) {
                char *end;
                while (*p == ' ')
                        p++;
                if (!*p)
                        return ND_ERR_IO;
                if (field == 3) {
                        while (*p && *p != ' ')
                                p++;
                } else {
                        errno = 0;
                        long long v = strtoll(p, &end, 10);
                        if (end == p || errno)
                                return ND_ERR_IO;
                        f[field - 1] = v < 0 ? 0 : (unsigned long long)v;
                        p = end;
                }
                field++;
        }
        out->cpu_seconds = (double)(f[13] + f[14]) / ticks_per_second;
        out->start_time_seconds = boot_time + (double)f[21] / ticks_per_second;
        out->virtual_bytes = (double)f[22];
        out->resident_bytes = (double)f[23] * page_size;
        return ND_OK;
}

static bool
read_small_file(const char *path, char *buf, size_t size)
{
        FILE *fp = fopen(path, "re");
        size_t n;

        if (!fp)
                return false;
        n = fread(buf, 1, size - 1, fp);
        buf[n] = '\0';
        fclose(fp);
        return n > 0;
}

/* btime of /proc/stat: the boot time in seconds since the epoch. It comes
 * after the per-CPU and interrupt lines, which can be long, so read by
 * line. */
static double
boot_time(void)
{
        FILE *fp = fopen("/proc/stat", "re");
        char *line = NULL;
        size_t cap = 0;
        double bt = -1;

        if (!fp)
                return -1;
        while (getline(&line, &cap, fp) > 0) {
                if (strncmp(line, "btime ", 6) == 0) {
                        bt = strtod(line + 6, NULL);
                        break;
                }
        }
        free(line);
        fclose(fp);
        return bt;
}

static double
count_open_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        double n = 0;

        if (!d)
                return -1;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* not the descriptor this count used */
}

nd_err
nd_proc_read(nd_proc_figures *out, char *errstr, size_t errstr_size)
{
        char stat[1024];
        double bt = boot_time();
        struct rlimit rl;

        memset(out, 0, sizeof(*out));
        if (bt < 0 || !read_small_file("/proc/self/stat", stat, sizeof(stat)))
                return nd_seterr(errstr, errstr_size, ND_ERR_IO,
                                 "cannot read /proc: %s", strerror(errno));
        if (nd_proc_parse_stat(stat, sysconf(_SC_CLK_TCK),
                               sysconf(_SC_PAGESIZE), bt, out) != ND_OK)
                return nd_seterr(errstr, errstr_size, ND_ERR_IO,
                                 "unexpected /proc/self/stat");
        out->open_fds = count_open_fds();
        out->max_fds =
            getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                ? (double)rl.rlim_cur
                : -1;
        return ND_OK;
}
