/*
 * floor: the zero-work FUSE server, the floor any FUSE daemon of /proc files pays per request on a machine.
 *
 * It serves MOUNT/proc/{meminfo,cpuinfo,stat,uptime,loadavg}, each a copy of the host's file taken at start, with
 * the loop and the options proclens uses: N threads that each receive and process their own requests on the one
 * session descriptor, direct I/O, a read-only mount for every user. Nothing is computed per request, so what a
 * read costs through it is the kernel's and libfuse's share; whatever proclens or LXCFS spend beyond it is theirs.
 *
 *   gcc -O2 -Wall -pthread -o floor floor.c $(pkg-config --cflags --libs fuse3)
 *   floor [-n THREADS] [-t TIMEOUT_S] MOUNT     (default: 2 threads, entry and attribute timeouts of 1 s)
 *
 * Runs in the foreground until SIGTERM or SIGINT, then unmounts and exits 0.
 */
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "floor-files.h"

enum { ROOT = 1, PROC = 2, FIRST_FILE = 3 };
static double timeout_s = 1.0;

static int file_index(fuse_ino_t ino)
{
	return ino >= FIRST_FILE && ino < FIRST_FILE + FILES ? (int)(ino - FIRST_FILE) : -1;
}

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	int i = file_index(ino);
	if (i >= 0) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 4096; /* a page, as proclens' files say */
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	}
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { 0 };
	if (parent == ROOT && strcmp(name, "proc") == 0) {
		e.ino = PROC;
	} else if (parent == PROC) {
		for (size_t i = 0; i < FILES; i++)
			if (strcmp(name, names[i]) == 0)
				e.ino = FIRST_FILE + i;
	}
	if (e.ino == 0)
		return (void)fuse_reply_err(req, ENOENT);
	e.attr_timeout = e.entry_timeout = timeout_s;
	fill_attr(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	if (ino != ROOT && ino != PROC && file_index(ino) < 0)
		return (void)fuse_reply_err(req, ENOENT);
	struct stat st;
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, timeout_s);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (file_index(ino) < 0)
		return (void)fuse_reply_err(req, EISDIR);
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return (void)fuse_reply_err(req, EROFS);
	fi->direct_io = 1;
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	int i = file_index(ino);
	if (i < 0)
		return (void)fuse_reply_err(req, EISDIR);
	if (off < 0 || (size_t)off >= length[i])
		return (void)fuse_reply_buf(req, NULL, 0);
	if (size > length[i] - off)
		size = length[i] - off;
	fuse_reply_buf(req, content[i] + off, size);
}

static void floor_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	if (ino != ROOT && ino != PROC)
		return (void)fuse_reply_err(req, ENOTDIR);
	char buf[1024];
	size_t used = 0;
	size_t count = ino == ROOT ? 1 : FILES;
	for (size_t i = off; i < count; i++) {
		struct stat st;
		fuse_ino_t child = ino == ROOT ? PROC : FIRST_FILE + i;
		fill_attr(child, &st);
		size_t need = fuse_add_direntry(req, buf + used, sizeof(buf) - used, ino == ROOT ? "proc" : names[i], &st,
						i + 1);
		if (need > sizeof(buf) - used || used + need > size)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
	.readdir = floor_readdir,
};

/* Each thread receives and processes its own requests, as proclens' loop threads do. */
static void *loop(void *arg)
{
	struct fuse_session *se = arg;
	struct fuse_buf buf = { .mem = NULL };
	while (!fuse_session_exited(se)) {
		int res = fuse_session_receive_buf(se, &buf);
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break; /* unmounted: ENODEV */
		fuse_session_process_buf(se, &buf);
	}
	free(buf.mem);
	return NULL;
}

static void usage(const char *self)
{
	fprintf(stderr, "usage: %s [-n THREADS] [-t TIMEOUT_S] MOUNT\n", self);
	exit(2);
}

int main(int argc, char *argv[])
{
	int threads = 2, opt;
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			threads = atoi(optarg);
		else if (opt == 't')
			timeout_s = atof(optarg);
		else
			usage(argv[0]);
	}
	if (optind != argc - 1 || threads < 1 || threads > 64 || timeout_s < 0)
		usage(argv[0]);
	for (size_t i = 0; i < FILES; i++)
		if (copy_host_file(i) != 0)
			return 1;

	/* Signals are taken by sigwait below, never by a loop thread. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	char *fargv[] = { argv[0], "-o", "allow_other,default_permissions,ro,fsname=floor,subtype=floor", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_session *se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se || fuse_session_mount(se, argv[optind]) != 0)
		return 1;
	pthread_t t[64];
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, se);
	int signal;
	sigwait(&stop, &signal);
	fuse_session_exit(se);
	fuse_session_unmount(se); /* the threads' reads now fail with ENODEV */
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	fuse_session_destroy(se);
	for (size_t i = 0; i < FILES; i++)
		free(content[i]);
	return 0;
}
