/*
 * readbench: the read benchmark of scripts/bench.sh. THREADS threads read FILEs for a duration, in one of two modes:
 *   reopen  open, read to EOF, close: one op. What monitoring agents and runtimes do to /proc/meminfo; through
 *           FUSE it costs an open, one or more reads and a release request.
 *   pread   each thread opens each file once, then preads from offset 0 to EOF: one op. Read requests only.
 * Thread i starts at file i and takes the files round robin. Prints ops/s, MB/s and latency percentiles of one op
 * (min, mean, p50, p90, p99, p99.9, max, in microseconds, like fio's clat), in total and per file, as a table or
 * JSON. Every failed open or read is counted, its first message kept and printed; any error gives exit status 1.
 *
 *   readbench [-t THREADS] [-d SECONDS] [-m reopen|pread] [-r RAMP_SECONDS] [-b BUFSIZE] [-l LABEL]
 *             [--json] [-o JSON_FILE] FILE...
 *
 * Latencies go into a log-linear histogram per thread and file (32 sub-buckets per power of two: at most 3% off,
 * no cap on the number of ops, a few KiB of memory), merged at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SUB_BITS 5
#define SUB (1 << SUB_BITS)                       /* sub-buckets per power of two above LINEAR */
#define LINEAR (2 * SUB)                          /* values below this (ns) have a bucket each */
#define BUCKETS (LINEAR + (64 - SUB_BITS - 1) * SUB)

struct histogram {
    uint64_t count, max, min;
    double sum, sum_squares;                      /* ns, for mean and standard deviation */
    uint64_t buckets[BUCKETS];
};

struct stats {                                    /* one thread's counts for one file */
    uint64_t ops, errors, bytes, empty;
    struct histogram latency;
};

struct worker {
    pthread_t thread;
    int index;
    struct stats *per_file;
    char first_error[512];
};

static char **paths;
static int file_count;
static int threads = 1;
static double duration = 5, ramp;
static size_t buffer_size = 65536;
static int pread_mode;
static atomic_int recording, stopping;
static pthread_barrier_t start_line;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000u + t.tv_nsec;
}

static int bucket_of(uint64_t v) {
    if (v < LINEAR) return (int) v;
    int msb = 63 - __builtin_clzll(v);            /* >= SUB_BITS + 1 */
    int shift = msb - SUB_BITS;
    return LINEAR + (msb - SUB_BITS - 1) * SUB + (int) ((v >> shift) - SUB);
}

static double bucket_middle(int b) {              /* the middle of the values bucket b holds */
    if (b < LINEAR) return b;
    int group = (b - LINEAR) / SUB, top = (b - LINEAR) % SUB + SUB, shift = group + 1;
    double low = (double) ((uint64_t) top << shift);
    return low + ((double) ((uint64_t) 1 << shift) - 1) / 2;
}

static void record(struct histogram *h, uint64_t ns) {
    if (h->count == 0 || ns < h->min) h->min = ns;
    if (ns > h->max) h->max = ns;
    h->count++;
    h->sum += ns;
    h->sum_squares += (double) ns * ns;
    h->buckets[bucket_of(ns)]++;
}

static void merge(struct histogram *into, const struct histogram *h) {
    if (h->count == 0) return;
    if (into->count == 0 || h->min < into->min) into->min = h->min;
    if (h->max > into->max) into->max = h->max;
    into->count += h->count;
    into->sum += h->sum;
    into->sum_squares += h->sum_squares;
    for (int b = 0; b < BUCKETS; b++) into->buckets[b] += h->buckets[b];
}

static double percentile_us(const struct histogram *h, double p) {
    if (h->count == 0) return 0;
    uint64_t rank = (uint64_t) ceil(p / 100 * h->count), seen = 0;
    if (rank < 1) rank = 1;
    for (int b = 0; b < BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double v = bucket_middle(b);
            if (v > h->max) v = h->max;           /* the top bucket is never reported above the true max */
            if (v < h->min) v = h->min;
            return v / 1000;
        }
    }
    return h->max / 1000.0;
}

static void note_error(struct worker *w, const char *what, const char *path, int err) {
    if (w->first_error[0] == 0)
        snprintf(w->first_error, sizeof w->first_error, "thread %d: %s %s: %s", w->index, what, path, strerror(err));
}

/* Reads fd to EOF, from offset 0 with pread or from the current offset with read. Returns bytes or -errno. */
static long long read_to_eof(int fd, char *buf) {
    long long total = 0;
    for (;;) {
        ssize_t n = pread_mode ? pread(fd, buf, buffer_size, total) : read(fd, buf, buffer_size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) return total;
        total += n;
    }
}

static void *run(void *arg) {
    struct worker *w = arg;
    char *buf = malloc(buffer_size);
    int *fds = calloc(file_count, sizeof *fds);
    if (!buf || !fds) { perror("readbench: malloc"); exit(2); }
    for (int f = 0; f < file_count; f++) {
        fds[f] = -1;
        if (pread_mode && (fds[f] = open(paths[f], O_RDONLY)) < 0) {
            note_error(w, "open", paths[f], errno);
            w->per_file[f].errors++;
        }
    }
    pthread_barrier_wait(&start_line);
    for (int f = w->index % file_count; !atomic_load_explicit(&stopping, memory_order_relaxed); f = (f + 1) % file_count) {
        struct stats *s = &w->per_file[f];
        int counted = atomic_load_explicit(&recording, memory_order_relaxed);
        uint64_t start = now_ns();
        int fd = fds[f];
        if (!pread_mode) {
            fd = open(paths[f], O_RDONLY);
            if (fd < 0) {
                note_error(w, "open", paths[f], errno);
                s->errors++;                      /* counted during the ramp too: an error is never dropped */
                continue;
            }
        } else if (fd < 0) {
            continue;                             /* its open failed and was counted */
        }
        long long n = read_to_eof(fd, buf);
        if (!pread_mode && close(fd) != 0 && n >= 0) n = -errno;
        uint64_t end = now_ns();
        if (n < 0) {
            note_error(w, pread_mode ? "pread" : "read", paths[f], (int) -n);
            s->errors++;
            continue;
        }
        if (!counted) continue;
        s->ops++;
        s->bytes += (uint64_t) n;
        if (n == 0) s->empty++;
        record(&s->latency, end - start);
    }
    for (int f = 0; f < file_count; f++)
        if (fds[f] >= 0) close(fds[f]);
    free(fds);
    free(buf);
    return NULL;
}

static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static double mean_us(const struct histogram *h) { return h->count ? h->sum / h->count / 1000 : 0; }

static double stdev_us(const struct histogram *h) {
    if (h->count < 2) return 0;
    double mean = h->sum / h->count, var = h->sum_squares / h->count - mean * mean;
    return var > 0 ? sqrt(var) / 1000 : 0;
}

static const double PERCENTILES[] = {50, 90, 99, 99.9};
static const char *PERCENTILE_NAMES[] = {"p50", "p90", "p99", "p99.9"};

static void json_stats(FILE *out, const struct stats *s, double seconds, const char *indent) {
    const struct histogram *h = &s->latency;
    fprintf(out, "%s\"ops\": %llu, \"errors\": %llu, \"empty_reads\": %llu, \"bytes\": %llu,\n", indent,
            (unsigned long long) s->ops, (unsigned long long) s->errors, (unsigned long long) s->empty,
            (unsigned long long) s->bytes);
    fprintf(out, "%s\"ops_per_s\": %.1f, \"mb_per_s\": %.3f,\n", indent, s->ops / seconds, s->bytes / seconds / 1e6);
    fprintf(out, "%s\"latency_us\": {\"min\": %.3f, \"mean\": %.3f, \"stdev\": %.3f", indent,
            h->count ? h->min / 1000.0 : 0, mean_us(h), stdev_us(h));
    for (int i = 0; i < 4; i++) fprintf(out, ", \"%s\": %.3f", PERCENTILE_NAMES[i], percentile_us(h, PERCENTILES[i]));
    fprintf(out, ", \"max\": %.3f}", h->max / 1000.0);
}

static void print_json(FILE *out, const char *label, const struct stats *total, const struct stats *per_file,
                       double seconds, const char *first_error) {
    fprintf(out, "{\n  \"tool\": \"readbench\",\n  \"label\": ");
    json_string(out, label ? label : "");
    fprintf(out, ",\n  \"mode\": \"%s\", \"threads\": %d, \"buffer_bytes\": %zu, \"ramp_s\": %.3f, \"duration_s\": %.3f,\n",
            pread_mode ? "pread" : "reopen", threads, buffer_size, ramp, seconds);
    json_stats(out, total, seconds, "  ");
    fprintf(out, ",\n  \"first_error\": ");
    if (first_error) json_string(out, first_error);
    else fprintf(out, "null");
    fprintf(out, ",\n  \"files\": [");
    for (int f = 0; f < file_count; f++) {
        fprintf(out, "%s\n    {\"path\": ", f ? "," : "");
        json_string(out, paths[f]);
        fprintf(out, ",\n");
        json_stats(out, &per_file[f], seconds, "     ");
        fprintf(out, "}");
    }
    fprintf(out, "\n  ]\n}\n");
}

static void table_row(const char *name, const struct stats *s, double seconds) {
    const struct histogram *h = &s->latency;
    printf("%-32s %10llu %11.1f %8.2f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %7llu\n", name,
           (unsigned long long) s->ops, s->ops / seconds, s->bytes / seconds / 1e6, mean_us(h),
           percentile_us(h, 50), percentile_us(h, 90), percentile_us(h, 99), percentile_us(h, 99.9), h->max / 1000.0,
           (unsigned long long) s->errors);
}

static void print_table(const char *label, const struct stats *total, const struct stats *per_file, double seconds,
                        const char *first_error) {
    printf("readbench%s%s: %s, %d thread%s, %.2f s measured (after %.2f s ramp), %d file%s, MB = 10^6 bytes\n",
           label ? " " : "", label ? label : "", pread_mode ? "pread" : "reopen", threads, threads == 1 ? "" : "s",
           seconds, ramp, file_count, file_count == 1 ? "" : "s");
    printf("%-32s %10s %11s %8s %9s %9s %9s %9s %9s %9s %7s\n", "file", "ops", "ops/s", "MB/s", "mean_us", "p50_us",
           "p90_us", "p99_us", "p99.9_us", "max_us", "errors");
    for (int f = 0; f < file_count; f++) {
        size_t len = strlen(paths[f]);
        table_row(len > 32 ? paths[f] + len - 32 : paths[f], &per_file[f], seconds);
    }
    if (file_count > 1) table_row("(all files)", total, seconds);
    if (total->empty) printf("note: %llu reads returned no bytes at all\n", (unsigned long long) total->empty);
    if (first_error) printf("errors: %llu, the first: %s\n", (unsigned long long) total->errors, first_error);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: readbench [-t THREADS] [-d SECONDS] [-m reopen|pread] [-r RAMP_SECONDS] [-b BUFSIZE] [-l LABEL]\n"
            "                 [--json] [-o JSON_FILE] FILE...\n"
            "  -t, --threads N     reader threads (default 1, at most 1024)\n"
            "  -d, --duration S    seconds measured (default 5)\n"
            "  -m, --mode M        reopen: open, read to EOF, close (default); pread: open once, pread 0..EOF\n"
            "  -r, --ramp S        seconds read before measuring starts (default 0)\n"
            "  -b, --bs BYTES      read buffer size (default 65536)\n"
            "  -l, --label NAME    a name printed with the results\n"
            "      --json          print JSON instead of the table\n"
            "  -o, --output FILE   also write the JSON to FILE\n"
            "Exit status: 0, 1 if any open or read failed, 2 on bad usage.\n");
}

int main(int argc, char **argv) {
    static const struct option options[] = {
        {"threads", required_argument, 0, 't'}, {"duration", required_argument, 0, 'd'},
        {"mode", required_argument, 0, 'm'},    {"ramp", required_argument, 0, 'r'},
        {"bs", required_argument, 0, 'b'},      {"label", required_argument, 0, 'l'},
        {"json", no_argument, 0, 'j'},          {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    const char *label = NULL, *json_file = NULL;
    int json_stdout = 0, c;
    while ((c = getopt_long(argc, argv, "t:d:m:r:b:l:o:h", options, NULL)) != -1) {
        switch (c) {
        case 't': threads = atoi(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'r': ramp = atof(optarg); break;
        case 'b': buffer_size = (size_t) atol(optarg); break;
        case 'l': label = optarg; break;
        case 'j': json_stdout = 1; break;
        case 'o': json_file = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'm':
            if (strcmp(optarg, "pread") == 0) pread_mode = 1;
            else if (strcmp(optarg, "reopen") == 0) pread_mode = 0;
            else { fprintf(stderr, "readbench: mode must be reopen or pread, not %s\n", optarg); return 2; }
            break;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc || threads < 1 || threads > 1024 || duration <= 0 || ramp < 0 || buffer_size < 1) {
        usage(stderr);
        return 2;
    }
    paths = argv + optind;
    file_count = argc - optind;

    struct worker *workers = calloc(threads, sizeof *workers);
    if (!workers) { perror("readbench: calloc"); return 2; }
    pthread_barrier_init(&start_line, NULL, threads + 1);
    for (int i = 0; i < threads; i++) {
        workers[i].index = i;
        workers[i].per_file = calloc(file_count, sizeof(struct stats));
        if (!workers[i].per_file) { perror("readbench: calloc"); return 2; }
        int err = pthread_create(&workers[i].thread, NULL, run, &workers[i]);
        if (err) { fprintf(stderr, "readbench: pthread_create: %s\n", strerror(err)); return 2; }
    }
    /* All threads start together; the clock runs from the end of the ramp to the last thread's last op. */
    atomic_store(&recording, ramp == 0);
    pthread_barrier_wait(&start_line);
    if (ramp > 0) {
        struct timespec r = {(time_t) ramp, (long) ((ramp - (time_t) ramp) * 1e9)};
        while (nanosleep(&r, &r) != 0 && errno == EINTR) {
        }
        atomic_store(&recording, 1);
    }
    uint64_t begin = now_ns();
    struct timespec d = {(time_t) duration, (long) ((duration - (time_t) duration) * 1e9)};
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
    atomic_store(&stopping, 1);

    struct stats total = {0};
    struct stats *per_file = calloc(file_count, sizeof *per_file);
    const char *first_error = NULL;
    for (int i = 0; i < threads; i++) pthread_join(workers[i].thread, NULL);
    double seconds = (now_ns() - begin) / 1e9;
    for (int i = 0; i < threads; i++) {
        for (int f = 0; f < file_count; f++) {
            struct stats *s = &workers[i].per_file[f];
            per_file[f].ops += s->ops;
            per_file[f].errors += s->errors;
            per_file[f].bytes += s->bytes;
            per_file[f].empty += s->empty;
            merge(&per_file[f].latency, &s->latency);
        }
        if (!first_error && workers[i].first_error[0]) first_error = workers[i].first_error;
    }
    for (int f = 0; f < file_count; f++) {
        total.ops += per_file[f].ops;
        total.errors += per_file[f].errors;
        total.bytes += per_file[f].bytes;
        total.empty += per_file[f].empty;
        merge(&total.latency, &per_file[f].latency);
    }
    if (json_stdout) print_json(stdout, label, &total, per_file, seconds, first_error);
    else print_table(label, &total, per_file, seconds, first_error);
    if (json_file) {
        FILE *out = fopen(json_file, "w");
        if (!out) { fprintf(stderr, "readbench: %s: %s\n", json_file, strerror(errno)); return 2; }
        print_json(out, label, &total, per_file, seconds, first_error);
        if (fclose(out) != 0) { fprintf(stderr, "readbench: %s: %s\n", json_file, strerror(errno)); return 2; }
    }
    if (first_error && json_stdout) fprintf(stderr, "readbench: %llu errors; the first: %s\n", (unsigned long long) total.errors, first_error);
    return total.errors ? 1 : 0;
}
