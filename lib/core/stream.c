/* Reading an input in windows, gunzipping on the fly. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/stream.h"

#define WINDOW_INITIAL (1u << 20)
#define COMPRESSED_CHUNK (256u << 10)

static int is_gzip_magic(const unsigned char *p, size_t len)
{
	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int start_gzip(stream *s, peerguard_error *err)
{
	error_site site = { s->name, 0, 0, NULL, NULL };

	memset(&s->zs, 0, sizeof(s->zs));
	/* 16 + MAX_WBITS: gzip wrapper only.  Concatenated members are read one after another. */
	if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
		return error_set(err, PEERGUARD_ERROR, &site, "zlib could not start decompressing %s", s->name);
	s->z_live = 1;
	return 0;
}

static int alloc_window(stream *s, size_t max_window, peerguard_error *err)
{
	error_site site = { s->name, 0, 0, NULL, NULL };

	s->max_window = max_window;
	s->cap = WINDOW_INITIAL < max_window ? WINDOW_INITIAL : max_window;
	s->buf = malloc(s->cap + 1);
	if (!s->buf)
		return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", s->name);
	s->owned = 1;
	return 0;
}

int stream_open_memory(stream *s, const char *data, size_t len, const char *name, size_t max_window,
	peerguard_error *err)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->mem = (const unsigned char *)data;
	s->mem_len = len;

	if (!is_gzip_magic(s->mem, len)) {
		/* Plain bytes in memory are the window already. */
		s->buf = (char *)data;
		s->cap = s->end = len;
		s->mem_pos = len;
		s->eof = 1;
		return 0;
	}
	s->gzip = 1;
	if (alloc_window(s, max_window, err) < 0)
		return err ? err->code : PEERGUARD_ENOMEM;
	return start_gzip(s, err);
}

int stream_open_file(stream *s, FILE *file, const char *name, size_t max_window, peerguard_error *err)
{
	error_site site = { name, 0, 0, NULL, NULL };
	size_t n;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->file = file;
	if (alloc_window(s, max_window, err) < 0)
		return err ? err->code : PEERGUARD_ENOMEM;

	/* The first bytes tell gzip from plain; plain ones go straight into the window. */
	n = fread(s->buf, 1, s->cap, file);
	if (n == 0 && ferror(file))
		return error_set(err, PEERGUARD_EIO, &site, "cannot read %s: %s", name, strerror(errno));
	if (!is_gzip_magic((const unsigned char *)s->buf, n)) {
		s->end = n;
		s->eof = n < s->cap && (feof(file) || ferror(file));
		return 0;
	}
	s->gzip = 1;
	s->in_cap = n > COMPRESSED_CHUNK ? n : COMPRESSED_CHUNK;
	s->in = malloc(s->in_cap);
	if (!s->in)
		return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", name);
	memcpy(s->in, s->buf, n);
	if (start_gzip(s, err) < 0)
		return err ? err->code : PEERGUARD_ERROR;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)n;
	return 0;
}

/* Gives zlib more compressed bytes, keeping the ones it has not used.  Returns 1, 0 at the end, or a negative code. */
static int feed_compressed(stream *s, peerguard_error *err)
{
	error_site site = { s->name, 0, 0, NULL, NULL };
	size_t keep = s->zs.avail_in, n;

	if (s->mem) {
		size_t left = s->mem_len - s->mem_pos, give;

		if (left == 0)
			return 0;
		/* zlib counts in uInt: hand memory over in pieces that fit. */
		give = left > UINT_MAX - keep ? UINT_MAX - keep : left;
		if (keep == 0)
			s->zs.next_in = (Bytef *)(s->mem + s->mem_pos);
		s->zs.avail_in = (uInt)(keep + give);
		s->mem_pos += give;
		return 1;
	}
	if (feof(s->file))
		return 0;
	if (keep)
		memmove(s->in, s->zs.next_in, keep);
	n = fread(s->in + keep, 1, s->in_cap - keep, s->file);
	if (n == 0 && ferror(s->file))
		return error_set(err, PEERGUARD_EIO, &site, "cannot read %s: %s", s->name, strerror(errno));
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)(keep + n);
	return n > 0;
}

/* Inflates into buf[end, cap).  Returns 1 when bytes were added, 0 at the end, or a negative code. */
static int inflate_more(stream *s, peerguard_error *err)
{
	error_site site = { s->name, 0, 0, NULL, NULL };
	size_t before = s->end;

	while (s->end == before && !s->z_done) {
		int rc, fed = 1;

		if (s->zs.avail_in == 0 && (fed = feed_compressed(s, err)) < 0)
			return fed;
		s->zs.next_out = (Bytef *)s->buf + s->end;
		s->zs.avail_out = (uInt)(s->cap - s->end);
		rc = inflate(&s->zs, Z_NO_FLUSH);
		s->end = s->cap - s->zs.avail_out;

		if (rc == Z_STREAM_END) {
			/* Another gzip member may follow; anything else after the end is ignored. */
			if (s->zs.avail_in < 2 && feed_compressed(s, err) < 0)
				return err ? err->code : PEERGUARD_EIO;
			if (is_gzip_magic(s->zs.next_in, s->zs.avail_in))
				inflateReset(&s->zs);
			else
				s->z_done = 1;
			continue;
		}
		if (rc == Z_BUF_ERROR && s->zs.avail_in == 0 && !fed)
			return error_set(err, PEERGUARD_EINPUT, &site,
				"%s: gzip data is truncated after %zu decompressed bytes; fetch the file again",
				s->name, s->offset + s->end);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return error_set(err, PEERGUARD_EINPUT, &site, "%s: invalid gzip data (%s)", s->name,
				s->zs.msg ? s->zs.msg : "corrupt stream");
	}
	return s->end > before;
}

int stream_fill(stream *s, peerguard_error *err)
{
	error_site site = { s->name, 0, 0, NULL, NULL };
	int rc;

	if (s->eof)
		return 0;

	/* Move the unread bytes to the front, then grow when they fill the window. */
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->offset += s->start;
		s->end -= s->start;
		s->start = 0;
	}
	if (s->end == s->cap) {
		size_t ncap = s->cap * 2 < s->max_window ? s->cap * 2 : s->max_window;
		char *nbuf;

		if (s->cap >= s->max_window)
			return error_set(err, PEERGUARD_ELIMIT, &site,
				"%s: a record at byte %zu is larger than max_input_bytes (%zu bytes); raise the limit",
				s->name, s->offset, s->max_window);
		nbuf = realloc(s->buf, ncap + 1);
		if (!nbuf)
			return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", s->name);
		s->buf = nbuf;
		s->cap = ncap;
	}

	if (s->gzip) {
		rc = inflate_more(s, err);
	} else {
		size_t n = fread(s->buf + s->end, 1, s->cap - s->end, s->file);

		if (n == 0 && ferror(s->file))
			return error_set(err, PEERGUARD_EIO, &site, "cannot read %s: %s", s->name, strerror(errno));
		s->end += n;
		rc = n > 0;
	}
	if (rc == 0)
		s->eof = 1;
	if (rc > 0 && s->max_total && s->offset + s->end > s->max_total)
		return error_set(err, PEERGUARD_ELIMIT, &site,
			"%s decompresses to more than max_input_bytes (%zu bytes); raise the limit or split the file",
			s->name, s->max_total);
	return rc;
}

void stream_close(stream *s)
{
	if (s->z_live)
		inflateEnd(&s->zs);
	if (s->owned)
		free(s->buf);
	free(s->in);
	memset(s, 0, sizeof(*s));
}
