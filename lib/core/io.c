/* Reading input files whole, with transparent gzip decompression. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/internal.h"

static int is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

int gunzip_if_needed(char **out, size_t *out_len, const char *data, size_t len, size_t max_bytes,
	const char *name, peerguard_error *err)
{
	error_site site = { name, 0, 0, NULL, NULL };
	z_stream zs;
	size_t cap = len * 4 + 1024, used = 0;
	char *buf;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!is_gzip(data, len))
		return 0;

	if (cap > max_bytes + 1)
		cap = max_bytes + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory decompressing %s", name);

	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: gzip wrapper only.  Concatenated members are read one after another. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return error_set(err, PEERGUARD_ERROR, &site, "zlib could not start decompressing %s", name);
	}
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;

	for (;;) {
		if (used == cap) {
			size_t ncap;
			char *nbuf;

			if (cap > max_bytes) {
				inflateEnd(&zs);
				free(buf);
				return error_set(err, PEERGUARD_ELIMIT, &site,
					"%s decompresses to more than max_input_bytes (%zu bytes); raise the limit or split the file",
					name, max_bytes);
			}
			ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				inflateEnd(&zs);
				free(buf);
				return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory decompressing %s", name);
			}
			buf = nbuf;
			cap = ncap;
		}
		zs.next_out = (Bytef *)buf + used;
		zs.avail_out = (uInt)(cap - used);
		rc = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (rc == Z_STREAM_END) {
			if (zs.avail_in > 0 && is_gzip((const char *)zs.next_in, zs.avail_in)) {
				inflateReset(&zs);
				continue;
			}
			break;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			inflateEnd(&zs);
			free(buf);
			return error_set(err, PEERGUARD_EINPUT, &site,
				"%s: gzip data is truncated after %zu decompressed bytes; fetch the file again",
				name, used);
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			inflateEnd(&zs);
			free(buf);
			return error_set(err, PEERGUARD_EINPUT, &site, "%s: invalid gzip data (%s)", name,
				zs.msg ? zs.msg : "corrupt stream");
		}
	}
	inflateEnd(&zs);

	if (used > max_bytes) {
		free(buf);
		return error_set(err, PEERGUARD_ELIMIT, &site,
			"%s decompresses to more than max_input_bytes (%zu bytes); raise the limit or split the file",
			name, max_bytes);
	}
	buf[used] = '\0';
	*out = buf;
	*out_len = used;
	return 0;
}

int file_read_all(char **out, size_t *out_len, const char *path, size_t max_bytes, int gunzip,
	peerguard_error *err)
{
	error_site site = { path, 0, 0, NULL, NULL };
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t cap = 65536, used = 0, n;
	char *buf;

	*out = NULL;
	*out_len = 0;
	if (!f)
		return error_set(err, PEERGUARD_EIO, &site, "cannot open %s: %s", path, strerror(errno));

	buf = malloc(cap + 1);
	if (!buf) {
		if (!is_stdin)
			fclose(f);
		return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", path);
	}

	while ((n = fread(buf + used, 1, cap - used, f)) > 0) {
		used += n;
		if (used > max_bytes) {
			if (!is_stdin)
				fclose(f);
			free(buf);
			return error_set(err, PEERGUARD_ELIMIT, &site,
				"%s is larger than the limit of %zu bytes; raise max_input_bytes or split the file",
				path, max_bytes);
		}
		if (used == cap) {
			char *nbuf = realloc(buf, cap * 2 + 1);

			if (!nbuf) {
				if (!is_stdin)
					fclose(f);
				free(buf);
				return error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", path);
			}
			buf = nbuf;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		int saved = errno;

		if (!is_stdin)
			fclose(f);
		free(buf);
		return error_set(err, PEERGUARD_EIO, &site, "cannot read %s: %s", path, strerror(saved));
	}
	if (!is_stdin)
		fclose(f);
	buf[used] = '\0';

	if (gunzip) {
		char *plain;
		size_t plain_len;
		int rc = gunzip_if_needed(&plain, &plain_len, buf, used, max_bytes, path, err);

		if (rc < 0) {
			free(buf);
			return rc;
		}
		if (plain) {
			free(buf);
			buf = plain;
			used = plain_len;
		}
	}
	*out = buf;
	*out_len = used;
	return 0;
}
