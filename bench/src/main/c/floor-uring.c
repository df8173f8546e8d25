/*
 * floor-uring: the zero-work FUSE server of floor.c without libfuse, to measure FUSE over io_uring (issue 16).
 *
 * Serves what floor.c serves (MOUNT/proc/{meminfo,cpuinfo,stat,uptime,loadavg}, copies of the host's files taken at
 * start, direct I/O, read-only, for every user) with the same answers, speaking the FUSE protocol itself on
 * /dev/fuse: Debian's libfuse 3.14 cannot do io_uring, and the kernel only turns io_uring on when the INIT reply
 * carries FUSE_OVER_IO_URING, so INIT is ours too. Two transports:
 *   -m uring  one io_uring per possible CPU (the kernel's queue count; it routes a request to the queue of the
 *             reader's CPU and activates the ring only once every queue has an entry), ENTRIES ring entries each,
 *             one thread per queue pinned to its CPU; plus one thread reading /dev/fuse for what never goes
 *             through the ring (FORGET, INTERRUPT).
 *   -m dev    THREADS threads each read(2) a request from /dev/fuse and write(2) the reply: floor.c's loop without
 *             libfuse, the control that tells the transport's share from libfuse's.
 * -H forks a holder that keeps /dev/fuse like proclens' holder; when the server dies it takes over: sends
 * FUSE_NOTIFY_RESEND (the classic way to get back requests the dead server had read) and serves in the same mode.
 * -D sets IORING_SETUP_SINGLE_ISSUER|DEFER_TASKRUN on the rings (the request is copied to the ring only when the
 * queue thread waits, in its own context, instead of by task work that interrupts it).
 * At exit it prints how many requests came through the ring and through read(2) of /dev/fuse.
 *
 *   gcc -O2 -Wall -pthread -o floor-uring floor-uring.c -luring
 *   floor-uring [-m uring|dev] [-n THREADS] [-e ENTRIES] [-t TIMEOUT_S] [-D] [-H] MOUNT
 *
 * Runs in the foreground until SIGTERM or SIGINT, then unmounts and exits 0. Needs root (mount(2)).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "floor-files.h"

/* The io_uring part of the kernel's uapi fuse.h (7.42); Debian 12's header is 7.38. */
#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ULL << 41)
#endif
#ifndef FUSE_NOTIFY_RESEND
#define FUSE_NOTIFY_RESEND 7
#endif
struct ring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id; /* the request's unique, given back on commit */
	uint32_t payload_sz; /* bytes of payload, both ways */
	uint32_t padding;
	uint64_t reserved;
};
struct ring_header { /* iov[0] of an entry */
	char in_out[128]; /* fuse_in_header in, fuse_out_header out */
	char op_in[128]; /* the opcode's own header (fuse_read_in, ...) */
	struct ring_ent_in_out ent;
};
struct ring_cmd { /* the first 24 bytes of the SQE128's 80-byte command area */
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};
enum { CMD_REGISTER = 1, CMD_COMMIT_AND_FETCH = 2 };

enum { ROOT = 1, PROC = 2, FIRST_FILE = 3 };
static double timeout_s = 1.0;

#define MAX_WRITE (128 * 1024) /* libfuse's default, so the kernel's request sizes match floor.c's */
#define MAX_PAGES 32
#define PAYLOAD (MAX_PAGES * 4096) /* the ring's max_payload_sz: max(8 KiB, max_write, max_pages pages) */
#define DEV_BUFFER (MAX_WRITE + 4096)

static int fuse_fd;
static const char *mountpoint;
static int uring_mode = 1, dev_threads = 2, entries = 4, defer_taskrun;

struct counter { /* one thread's, on its own cache line */
	_Alignas(64) uint64_t requests;
	int done;
};
#define MAX_THREADS 66
static struct counter counters[MAX_THREADS]; /* [0, cpus): ring queues; then /dev/fuse readers */
static int possible_cpus;

static int file_index(uint64_t ino)
{
	return ino >= FIRST_FILE && ino < FIRST_FILE + FILES ? (int)(ino - FIRST_FILE) : -1;
}

static void fill_attr(uint64_t ino, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	if (file_index(ino) >= 0) {
		a->mode = S_IFREG | 0444;
		a->nlink = 1;
		a->size = 4096; /* a page, as proclens' files say */
	} else {
		a->mode = S_IFDIR | 0555;
		a->nlink = 2;
	}
}

static void set_timeout(uint64_t *s, uint32_t *ns)
{
	*s = (uint64_t)timeout_s;
	*ns = (uint32_t)((timeout_s - (double)*s) * 1e9);
}

/*
 * One request: op is the opcode's header, name the NUL-terminated name of a LOOKUP. Writes the reply's body to out
 * (which may be where name is: read name first) and returns its length, a negative errno, or 1 << 30 for none.
 */
#define NO_REPLY (1 << 30)
static int handle(const struct fuse_in_header *in, const void *op, const char *name, char *out)
{
	switch (in->opcode) {
	case FUSE_LOOKUP: {
		uint64_t ino = 0;
		if (in->nodeid == ROOT && strcmp(name, "proc") == 0)
			ino = PROC;
		else if (in->nodeid == PROC)
			for (size_t i = 0; i < FILES; i++)
				if (strcmp(name, names[i]) == 0)
					ino = FIRST_FILE + i;
		if (ino == 0)
			return -ENOENT;
		struct fuse_entry_out *e = (void *)out;
		memset(e, 0, sizeof(*e));
		e->nodeid = ino;
		set_timeout(&e->entry_valid, &e->entry_valid_nsec);
		set_timeout(&e->attr_valid, &e->attr_valid_nsec);
		fill_attr(ino, &e->attr);
		return sizeof(*e);
	}
	case FUSE_GETATTR: {
		if (in->nodeid != ROOT && in->nodeid != PROC && file_index(in->nodeid) < 0)
			return -ENOENT;
		struct fuse_attr_out *a = (void *)out;
		memset(a, 0, sizeof(*a));
		set_timeout(&a->attr_valid, &a->attr_valid_nsec);
		fill_attr(in->nodeid, &a->attr);
		return sizeof(*a);
	}
	case FUSE_OPEN: {
		const struct fuse_open_in *o = op;
		if (file_index(in->nodeid) < 0)
			return -EISDIR;
		if ((o->flags & O_ACCMODE) != O_RDONLY)
			return -EROFS;
		struct fuse_open_out *r = (void *)out;
		memset(r, 0, sizeof(*r));
		r->open_flags = FOPEN_DIRECT_IO | FOPEN_NOFLUSH;
		return sizeof(*r);
	}
	case FUSE_READ: {
		const struct fuse_read_in *r = op;
		int i = file_index(in->nodeid);
		if (i < 0)
			return -EISDIR;
		if (r->offset >= length[i])
			return 0;
		size_t size = r->size;
		if (size > length[i] - r->offset)
			size = length[i] - r->offset;
		memcpy(out, content[i] + r->offset, size);
		return (int)size;
	}
	case FUSE_OPENDIR: { /* what libfuse answers when the file system has no opendir */
		struct fuse_open_out *r = (void *)out;
		memset(r, 0, sizeof(*r));
		return sizeof(*r);
	}
	case FUSE_READDIR: {
		const struct fuse_read_in *r = op;
		if (in->nodeid != ROOT && in->nodeid != PROC)
			return -ENOTDIR;
		size_t used = 0, count = in->nodeid == ROOT ? 1 : FILES;
		for (size_t i = r->offset; i < count; i++) {
			const char *n = in->nodeid == ROOT ? "proc" : names[i];
			size_t need = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + strlen(n));
			if (used + need > r->size || used + need > 1024)
				break;
			struct fuse_dirent *d = (void *)(out + used);
			memset(d, 0, need);
			d->ino = in->nodeid == ROOT ? PROC : FIRST_FILE + i;
			d->off = i + 1;
			d->namelen = strlen(n);
			d->type = in->nodeid == ROOT ? DT_DIR : DT_REG;
			memcpy(d->name, n, d->namelen);
			used += need;
		}
		return (int)used;
	}
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_DESTROY:
		return 0;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT: /* every answer is immediate: nothing to interrupt */
		return NO_REPLY;
	default:
		return -ENOSYS;
	}
}

/* Reads requests from /dev/fuse and writes the replies, until the file system goes away. */
static void *dev_loop(void *arg)
{
	struct counter *c = arg;
	char *buf = malloc(DEV_BUFFER), *reply = malloc(DEV_BUFFER);
	for (;;) {
		ssize_t n = read(fuse_fd, buf, DEV_BUFFER);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOENT))
			continue; /* ENOENT: the request was interrupted before we read it */
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			break; /* ENODEV: unmounted */
		const struct fuse_in_header *in = (void *)buf;
		c->requests++;
		/* A LOOKUP's name follows the header: its own header is empty. */
		int r = handle(in, buf + sizeof(*in), buf + sizeof(*in), reply + sizeof(struct fuse_out_header));
		if (r == NO_REPLY)
			continue;
		struct fuse_out_header *out = (void *)reply;
		out->unique = in->unique;
		out->error = r < 0 ? r : 0;
		out->len = sizeof(*out) + (r > 0 ? r : 0);
		if (write(fuse_fd, reply, out->len) < 0 && errno == ENODEV)
			break; /* other errors (ENOENT: interrupted) lose one reply, as libfuse does */
	}
	free(buf);
	free(reply);
	c->done = 1;
	return NULL;
}

struct entry {
	struct ring_header header;
	char *payload;
	struct iovec iov[2];
	int qid;
};

static void prep_cmd(struct io_uring *ring, struct entry *e, uint32_t cmd, uint64_t commit_id)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring); /* one SQE per entry, twice as many slots */
	if (!sqe)
		abort();
	memset(sqe, 0, 128); /* SQE128: the command area must be zero past ours */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fuse_fd;
	sqe->cmd_op = cmd;
	sqe->addr = (uintptr_t)e->iov; /* read by REGISTER only: the entry's buffers stay the kernel's */
	sqe->len = 2;
	sqe->user_data = (uintptr_t)e;
	struct ring_cmd *rc = (void *)sqe->cmd;
	rc->commit_id = commit_id;
	rc->qid = e->qid;
}

/* One queue: registers its entries, then answers each request in place and commits it, which fetches the next. */
static void *ring_loop(void *arg)
{
	int qid = (int)(intptr_t)arg;
	struct counter *c = &counters[qid];
	cpu_set_t cpu;
	CPU_ZERO(&cpu);
	CPU_SET(qid, &cpu);
	pthread_setaffinity_np(pthread_self(), sizeof(cpu), &cpu); /* may fail for an offline CPU: serve anyway */

	struct io_uring ring;
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };
	if (defer_taskrun)
		p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	int err = io_uring_queue_init_params(2 * entries, &ring, &p);
	if (err < 0) {
		fprintf(stderr, "floor-uring: queue %d: io_uring_queue_init: %s\n", qid, strerror(-err));
		exit(1);
	}
	struct entry *ents = calloc(entries, sizeof(*ents));
	for (int i = 0; i < entries; i++) {
		struct entry *e = &ents[i];
		e->qid = qid;
		e->payload = aligned_alloc(4096, PAYLOAD);
		e->iov[0] = (struct iovec){ &e->header, sizeof(e->header) };
		e->iov[1] = (struct iovec){ e->payload, PAYLOAD };
		prep_cmd(&ring, e, CMD_REGISTER, 0);
	}
	io_uring_submit(&ring);

	for (;;) {
		struct io_uring_cqe *cqe;
		err = io_uring_submit_and_wait(&ring, 1); /* the commits of the last batch, then wait */
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "floor-uring: queue %d: io_uring_submit_and_wait: %s\n", qid, strerror(-err));
			break;
		}
		unsigned head, seen = 0;
		int stop = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			seen++;
			struct entry *e = io_uring_cqe_get_data(cqe);
			if (cqe->res < 0) { /* ENOTCONN: unmounted or aborted; anything else: a protocol error of ours */
				if (cqe->res != -ENOTCONN && cqe->res != -ECANCELED)
					fprintf(stderr, "floor-uring: queue %d: ring entry: %s\n", qid, strerror(-cqe->res));
				stop = 1;
				continue;
			}
			struct fuse_in_header in = *(struct fuse_in_header *)e->header.in_out;
			uint64_t commit_id = e->header.ent.commit_id;
			c->requests++;
			/* A LOOKUP's name is the payload; the reply's body goes there too. */
			int r = handle(&in, e->header.op_in, e->payload, e->payload);
			if (r == NO_REPLY)
				r = 0; /* never through the ring; a commit is still what fetches the next */
			struct fuse_out_header *out = (void *)e->header.in_out;
			out->unique = in.unique;
			out->error = r < 0 ? r : 0;
			out->len = sizeof(*out) + (r > 0 ? r : 0);
			e->header.ent.payload_sz = r > 0 ? r : 0;
			prep_cmd(&ring, e, CMD_COMMIT_AND_FETCH, commit_id);
		}
		io_uring_cq_advance(&ring, seen);
		if (stop)
			break;
	}
	c->done = 1;
	return NULL; /* the ring stays: exit tears it down */
}

/* Answers the kernel's INIT itself: libfuse 3.14 never offers FUSE_OVER_IO_URING back. */
static int do_init(void)
{
	char *buf = malloc(DEV_BUFFER);
	ssize_t n;
	do
		n = read(fuse_fd, buf, DEV_BUFFER);
	while (n < 0 && errno == EINTR);
	const struct fuse_in_header *in = (void *)buf;
	const struct fuse_init_in *init = (void *)(buf + sizeof(*in));
	if (n < (ssize_t)(sizeof(*in) + 16) || in->opcode != FUSE_INIT || init->major != 7) {
		fprintf(stderr, "floor-uring: expected INIT 7.x, read %zd bytes: %s\n", n, n < 0 ? strerror(errno) : "");
		return -1;
	}
	uint64_t offered = init->flags;
	if (offered & FUSE_INIT_EXT)
		offered |= (uint64_t)init->flags2 << 32;
	if (uring_mode && !(offered & FUSE_OVER_IO_URING)) {
		fprintf(stderr, "floor-uring: the kernel (FUSE 7.%u) does not offer FUSE_OVER_IO_URING: "
				"is /sys/module/fuse/parameters/enable_uring 1?\n", init->minor);
		return -1;
	}
	uint64_t flags = offered & (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES |
				    FUSE_INIT_EXT | (uring_mode ? FUSE_OVER_IO_URING : 0));
	struct {
		struct fuse_out_header h;
		struct fuse_init_out o;
	} reply = { .h = { .len = sizeof(reply), .unique = in->unique } };
	reply.o.major = 7;
	reply.o.minor = init->minor < 42 ? init->minor : 42;
	reply.o.max_readahead = init->max_readahead;
	reply.o.flags = (uint32_t)flags;
	reply.o.flags2 = (uint32_t)(flags >> 32);
	reply.o.max_write = MAX_WRITE;
	reply.o.max_pages = MAX_PAGES;
	reply.o.time_gran = 1;
	if (write(fuse_fd, &reply, sizeof(reply)) != sizeof(reply)) {
		fprintf(stderr, "floor-uring: INIT reply: %s\n", strerror(errno));
		return -1;
	}
	fprintf(stderr, "floor-uring: INIT kernel 7.%u, reply 7.%u, flags %#llx%s\n", init->minor, reply.o.minor,
		(unsigned long long)flags, uring_mode ? " (FUSE_OVER_IO_URING)" : "");
	free(buf);
	return 0;
}

static pthread_t threads[MAX_THREADS];
static int thread_count;

static void start(void)
{
	if (uring_mode) {
		for (int q = 0; q < possible_cpus; q++)
			pthread_create(&threads[thread_count++], NULL, ring_loop, (void *)(intptr_t)q);
		pthread_create(&threads[thread_count++], NULL, dev_loop, &counters[possible_cpus]);
	} else {
		for (int i = 0; i < dev_threads; i++)
			pthread_create(&threads[thread_count++], NULL, dev_loop, &counters[possible_cpus + i]);
	}
}

static void report(const char *who)
{
	uint64_t ring = 0, dev = 0;
	char queues[512] = "";
	size_t used = 0;
	for (int q = 0; q < possible_cpus; q++) {
		ring += counters[q].requests;
		used += snprintf(queues + used, sizeof(queues) - used, "%s%llu", q ? " " : "",
				 (unsigned long long)counters[q].requests);
	}
	for (int i = possible_cpus; i < MAX_THREADS; i++)
		dev += counters[i].requests;
	fprintf(stderr, "floor-uring: %s served %llu requests through io_uring (per queue: %s), %llu through read(2) "
			"of /dev/fuse (INIT not counted)\n", who, (unsigned long long)ring, queues, (unsigned long long)dev);
}

/* Unmounts, gives the threads 2 s to see it (ENODEV, ENOTCONN), reports. */
static void stop(const char *who)
{
	umount2(mountpoint, MNT_DETACH);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 2;
	for (int i = 0; i < thread_count; i++)
		pthread_timedjoin_np(threads[i], NULL, &deadline);
	report(who);
}

/* The kernel's num_possible_cpus(), its number of queues: "0-3" or "0,2-5" in sysfs. */
static int count_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int count = 0, low, high;
	char sep;
	while (f && fscanf(f, "%d", &low) == 1) {
		high = low;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d%c", &high, &sep) < 1)
			break;
		count += high - low + 1;
		if (sep != ',')
			break;
	}
	if (f)
		fclose(f);
	return count > 0 ? count : 1;
}

static void usage(const char *self)
{
	fprintf(stderr, "usage: %s [-m uring|dev] [-n THREADS] [-e ENTRIES] [-t TIMEOUT_S] [-D] [-H] MOUNT\n", self);
	exit(2);
}

int main(int argc, char *argv[])
{
	int opt, holder = 0;
	while ((opt = getopt(argc, argv, "m:n:e:t:DH")) != -1) {
		if (opt == 'm' && (strcmp(optarg, "uring") == 0 || strcmp(optarg, "dev") == 0))
			uring_mode = strcmp(optarg, "uring") == 0;
		else if (opt == 'n')
			dev_threads = atoi(optarg);
		else if (opt == 'e')
			entries = atoi(optarg);
		else if (opt == 't')
			timeout_s = atof(optarg);
		else if (opt == 'D')
			defer_taskrun = 1;
		else if (opt == 'H')
			holder = 1;
		else
			usage(argv[0]);
	}
	possible_cpus = count_possible_cpus();
	if (optind != argc - 1 || dev_threads < 1 || dev_threads > 64 || entries < 1 || entries > 256 || timeout_s < 0 ||
	    possible_cpus + (uring_mode ? 1 : dev_threads) > MAX_THREADS)
		usage(argv[0]);
	mountpoint = argv[optind];
	for (size_t i = 0; i < FILES; i++)
		if (copy_host_file(i) != 0)
			return 1;

	sigset_t stop_set;
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);

	fuse_fd = open("/dev/fuse", O_RDWR);
	if (fuse_fd < 0) {
		perror("/dev/fuse");
		return 1;
	}
	char options[256];
	snprintf(options, sizeof(options), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions",
		 fuse_fd);
	if (mount("floor", mountpoint, "fuse.floor_uring", MS_NOSUID | MS_NODEV | MS_RDONLY, options) != 0) {
		fprintf(stderr, "floor-uring: mount %s: %s\n", mountpoint, strerror(errno));
		return 1;
	}
	if (do_init() != 0) {
		umount2(mountpoint, MNT_DETACH);
		return 1;
	}

	pid_t server = getpid(), holder_pid = 0;
	if (holder && (holder_pid = fork()) == 0) {
		/* The holder: keeps /dev/fuse open, so the connection outlives the server, and takes over from it. */
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		if (getppid() != server)
			raise(SIGUSR1);
		int signal;
		sigwait(&stop_set, &signal);
		if (signal != SIGUSR1)
			return 0;
		fprintf(stderr, "floor-uring: holder %d: the server died, taking over\n", getpid());
		struct fuse_out_header resend = { .len = sizeof(resend), .error = FUSE_NOTIFY_RESEND };
		if (write(fuse_fd, &resend, sizeof(resend)) < 0)
			fprintf(stderr, "floor-uring: holder: FUSE_NOTIFY_RESEND: %s\n", strerror(errno));
		start();
		do
			sigwait(&stop_set, &signal);
		while (signal == SIGUSR1);
		stop("holder");
		return 0;
	}

	start();
	int signal;
	do
		sigwait(&stop_set, &signal);
	while (signal == SIGUSR1);
	if (holder_pid > 0)
		kill(holder_pid, SIGTERM); /* before the unmount: it must not take over */
	stop("server");
	for (size_t i = 0; i < FILES; i++)
		free(content[i]);
	return 0;
}
