/*
 * Reading an input in windows: from memory or a file, gunzipping on the
 * fly, so that a large log is never held whole.
 */
#ifndef PEERGUARD_CORE_STREAM_H
#define PEERGUARD_CORE_STREAM_H

#include <stdio.h>
#include <zlib.h>

#include "peerguard/peerguard.h"

/**
 * A window [start, end) of decompressed bytes over an input.  Plain input
 * in memory is used in place; anything else is copied into buf.
 */
typedef struct stream {
	const char *name;          /* input name for messages */
	const unsigned char *mem;  /* memory source, or NULL */
	size_t mem_len;
	size_t mem_pos;            /* bytes of mem handed to zlib or to the window */
	FILE *file;                /* file source (not owned), or NULL */
	int gzip;
	int z_live;                /* zs is initialised */
	int z_done;                /* the last gzip member has ended */
	z_stream zs;
	unsigned char *in;         /* compressed bytes read from file */
	size_t in_cap;
	char *buf;                 /* the window's storage */
	size_t cap;
	int owned;                 /* buf was allocated here */
	size_t start, end;         /* the window */
	size_t offset;             /* decompressed offset of buf[0] in the input */
	int eof;                   /* no more bytes will come */
	size_t max_window;         /* the window never grows past this */
	size_t max_total;          /* decompressed bytes allowed in all, 0 for no bound */
} stream;

/** Opens a stream over len bytes of memory (borrowed until stream_close). Returns 0 or PEERGUARD_ENOMEM. */
int stream_open_memory(stream *s, const char *data, size_t len, const char *name, size_t max_window,
	peerguard_error *err);

/** Opens a stream over an open file (borrowed, read from its current position). Returns 0 or a negative code. */
int stream_open_file(stream *s, FILE *file, const char *name, size_t max_window, peerguard_error *err);

/**
 * Reads more bytes after end, first moving the window to the front of buf.
 * Returns 1 when bytes were added, 0 at the end of the input, or a negative
 * code (invalid or truncated gzip, I/O error, PEERGUARD_ELIMIT when the
 * window would pass max_window).
 */
int stream_fill(stream *s, peerguard_error *err);

/** Frees what the stream allocated; the source stays open. */
void stream_close(stream *s);

#endif
