/* The files both floors serve (floor.c, floor-uring.c): copies of the host's, taken once at start, so that no
 * request does any work. Included by one translation unit each: static is what we want. */
#ifndef FLOOR_FILES_H
#define FLOOR_FILES_H

#include <stdio.h>
#include <stdlib.h>

static const char *names[] = { "meminfo", "cpuinfo", "stat", "uptime", "loadavg" };
#define FILES (sizeof(names) / sizeof(names[0]))
static char *content[FILES];
static size_t length[FILES];

/* Copies /proc/<names[i]> into content[i]; 0, or -1 with a message. */
static int copy_host_file(size_t i)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s", names[i]);
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t capacity = 1 << 16;
	content[i] = malloc(capacity);
	length[i] = content[i] ? fread(content[i], 1, capacity, f) : 0;
	fclose(f);
	return content[i] ? 0 : -1;
}

#endif
