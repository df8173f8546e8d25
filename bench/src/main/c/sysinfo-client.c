/*
 * sysinfo-client: a process that hands its sysinfo(2) calls to a seccomp user-notification agent the way an OCI
 * runtime (runc, crun) does for a container whose profile has a listenerPath, then calls sysinfo(2).
 *
 * It installs a filter that notifies for sysinfo on this architecture and allows everything else, connects to
 * SOCKET and sends the listener descriptor (SCM_RIGHTS) with the runtime's JSON state ({"fds": ["seccompFd"],
 * "pid": ..., "state": {"id": ...}}), closes the connection, and then:
 *   sysinfo-client SOCKET            prints what sysinfo and sysconf say, one "name value" line each
 *   sysinfo-client SOCKET -n N       makes N calls and prints the latency of one call, p50/p99/max in us, and errors
 *   sysinfo-client SOCKET -l SECONDS calls it in a loop, prints one line per 100 ms (calls, errors, totalram) and
 *                                    the totals and the longest call at the end: for a test that kills the agent
 * With -x it calls sysinfo without the filter (the plain syscall, for the benchmark's baseline). Exit status 1 when
 * a call failed.
 *
 *   gcc -O2 -Wall -o sysinfo-client sysinfo-client.c -lm
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define OUR_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define OUR_ARCH AUDIT_ARCH_AARCH64
#else
#error "x86-64 or arm64 only"
#endif

static int install_filter(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OUR_ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sysinfo, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int send_listener(const char *path, int listener)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
	if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		return -1;
	char state[512];
	int len = snprintf(state, sizeof(state),
			   "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":\"\","
			   "\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"sysinfo-client-%d\",\"status\":\"creating\","
			   "\"pid\":%d,\"bundle\":\"/\"}}",
			   getpid(), getpid(), getpid());
	struct iovec iov = { state, (size_t)len };
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	int rc = sendmsg(s, &msg, 0) == len ? 0 : -1;
	close(s);
	return rc;
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long calls = 0;
	double seconds = 0;
	int plain = 0, opt;
	while ((opt = getopt(argc, argv, "n:l:x")) != -1) {
		if (opt == 'n')
			calls = atol(optarg);
		else if (opt == 'l')
			seconds = atof(optarg);
		else if (opt == 'x')
			plain = 1;
		else
			return 2;
	}
	if (optind >= argc && !plain) {
		fprintf(stderr, "usage: %s [-n CALLS | -l SECONDS] [-x] SOCKET\n", argv[0]);
		return 2;
	}
	if (!plain) {
		int listener = install_filter();
		if (listener < 0 || send_listener(argv[optind], listener) != 0) {
			fprintf(stderr, "sysinfo-client: filter or socket %s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
		close(listener); /* the agent holds it now; ours would keep the filter's calls waiting if it died */
	}
	struct sysinfo info;
	if (calls > 0) {
		double *took = malloc(sizeof(double) * calls);
		long errors = 0;
		for (long i = 0; i < calls; i++) {
			double start = now_us();
			if (sysinfo(&info) != 0)
				errors++;
			took[i] = now_us() - start;
		}
		qsort(took, calls, sizeof(double), compare);
		printf("calls %ld errors %ld p50_us %.1f p99_us %.1f max_us %.1f\n", calls, errors, took[calls / 2],
		       took[calls * 99 / 100], took[calls - 1]);
		return errors ? 1 : 0;
	}
	if (seconds > 0) {
		long total = 0, errors = 0, window = 0, window_errors = 0;
		double end = now_us() + seconds * 1e6, next = now_us() + 1e5, longest = 0;
		int first_errno = 0;
		while (now_us() < end) {
			double start = now_us();
			int rc = sysinfo(&info);
			if (now_us() - start > longest)
				longest = now_us() - start;
			if (rc != 0) {
				errors++, window_errors++;
				if (!first_errno)
					first_errno = errno;
			}
			total++, window++;
			if (now_us() >= next) {
				printf("calls %ld errors %ld totalram %lu\n", window, window_errors,
				       (unsigned long)info.totalram * info.mem_unit);
				fflush(stdout);
				window = window_errors = 0;
				next += 1e5;
			}
		}
		printf("total calls %ld errors %ld first_errno %d longest_us %.0f\n", total, errors, first_errno, longest);
		return errors ? 1 : 0;
	}
	if (sysinfo(&info) != 0) {
		printf("sysinfo failed: %s\n", strerror(errno));
		return 1;
	}
	printf("totalram %llu\nfreeram %llu\nsharedram %llu\nbufferram %llu\ntotalswap %llu\nfreeswap %llu\n",
	       (unsigned long long)info.totalram * info.mem_unit, (unsigned long long)info.freeram * info.mem_unit,
	       (unsigned long long)info.sharedram * info.mem_unit, (unsigned long long)info.bufferram * info.mem_unit,
	       (unsigned long long)info.totalswap * info.mem_unit, (unsigned long long)info.freeswap * info.mem_unit);
	printf("uptime %ld\nprocs %u\nloads %lu %lu %lu\nmem_unit %u\n", info.uptime, info.procs, info.loads[0],
	       info.loads[1], info.loads[2], info.mem_unit);
	printf("phys_pages_bytes %lld\n", (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
	return 0;
}
