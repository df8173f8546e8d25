/*
 * reopen: the read benchmark of scripts/bench.sh. N threads each open a file, read it to EOF and close it,
 * again and again, for a number of seconds; prints ops/s and latency percentiles of one open-read-close.
 * This is what monitoring agents and runtimes do to /proc/meminfo, and what every FUSE request costs.
 *
 *   reopen FILE THREADS SECONDS
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1 << 20)

struct worker {
    pthread_t thread;
    const char *path;
    double seconds;
    uint64_t ops;
    uint64_t errors;
    uint32_t *latency_us; /* one sample per op, up to MAX_SAMPLES */
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *run(void *arg) {
    struct worker *w = arg;
    char buf[65536];
    double end = now() + w->seconds;
    for (double t = now(); t < end; ) {
        int fd = open(w->path, O_RDONLY);
        if (fd < 0) { w->errors++; t = now(); continue; }
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
        }
        if (n < 0) w->errors++;
        close(fd);
        double after = now();
        if (w->ops < MAX_SAMPLES) w->latency_us[w->ops] = (uint32_t) ((after - t) * 1e6);
        w->ops++;
        t = after;
    }
    return NULL;
}

static int by_value(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE THREADS SECONDS\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (threads < 1 || threads > 256 || seconds <= 0) {
        fprintf(stderr, "reopen: THREADS must be 1..256 and SECONDS > 0\n");
        return 2;
    }
    struct worker *workers = calloc(threads, sizeof *workers);
    for (int i = 0; i < threads; i++) {
        workers[i].path = argv[1];
        workers[i].seconds = seconds;
        workers[i].latency_us = malloc(MAX_SAMPLES * sizeof(uint32_t));
        pthread_create(&workers[i].thread, NULL, run, &workers[i]);
    }
    uint64_t ops = 0, errors = 0, samples = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        ops += workers[i].ops;
        errors += workers[i].errors;
        samples += workers[i].ops < MAX_SAMPLES ? workers[i].ops : MAX_SAMPLES;
    }
    uint32_t *all = malloc((samples ? samples : 1) * sizeof(uint32_t));
    uint64_t k = 0;
    for (int i = 0; i < threads; i++) {
        uint64_t n = workers[i].ops < MAX_SAMPLES ? workers[i].ops : MAX_SAMPLES;
        memcpy(all + k, workers[i].latency_us, n * sizeof(uint32_t));
        k += n;
    }
    qsort(all, samples, sizeof(uint32_t), by_value);
    uint32_t p50 = samples ? all[samples / 2] : 0, p99 = samples ? all[samples * 99 / 100] : 0;
    printf("ops_per_s=%.0f p50_us=%u p99_us=%u errors=%llu\n", ops / seconds, p50, p99, (unsigned long long) errors);
    return errors ? 1 : 0;
}
