/* The state file of finished remediations, with per-key locks. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "peerguard/remediate.h"
#include "remediate/state.h"
#include "remediate/util.h"

/* Key locks live on bytes 1 .. 2^40 of the file's lock space; the file itself stays small. */
#define KEY_LOCK_SPAN (1ull << 40)

/* A state file larger than this is refused rather than read into memory. */
#define STATE_MAX_BYTES (256u * 1024u * 1024u)

struct state_file {
	int fd;
	char *path;
};

static int lock_range(state_file *s, short type, off_t start, int wait, peerguard_error *err)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = 1;
	while (fcntl(s->fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0) {
		if (errno == EINTR)
			continue;
		return error_set(err, PEERGUARD_ESTATE, NULL, "cannot lock state file %s: %s; it must be on a local "
			"file system that supports POSIX locks", s->path, strerror(errno));
	}
	return 0;
}

static void unlock_range(state_file *s, off_t start)
{
	lock_range(s, F_UNLCK, start, 0, NULL);
}

int state_open(state_file **out, const char *path, peerguard_error *err)
{
	state_file *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	s->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (s->fd < 0) {
		int e = errno;

		free(s->path);
		free(s);
		return error_set(err, PEERGUARD_ESTATE, NULL, "cannot open state file %s: %s; check that the directory "
			"exists and is writable", path, strerror(e));
	}
	*out = s;
	return 0;
}

void state_close(state_file *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->path);
	free(s);
}

int state_lock_key(state_file *s, const char *key, peerguard_error *err)
{
	return lock_range(s, F_WRLCK, (off_t)(1 + rem_fnv1a64(key) % KEY_LOCK_SPAN), 1, err);
}

/* Reads the whole file into a new NUL-terminated buffer. */
static int read_all(char **out, state_file *s, peerguard_error *err)
{
	struct stat st;
	char *data;
	size_t done = 0;

	*out = NULL;
	if (fstat(s->fd, &st) < 0)
		return error_set(err, PEERGUARD_ESTATE, NULL, "cannot stat state file %s: %s", s->path, strerror(errno));
	if ((unsigned long long)st.st_size > STATE_MAX_BYTES)
		return error_set(err, PEERGUARD_ESTATE, NULL, "state file %s is larger than %u bytes; move it aside "
			"(older records only serve deduplication of old events)", s->path, STATE_MAX_BYTES);
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(s->fd, data + done, (size_t)st.st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(data);
			return error_set(err, PEERGUARD_ESTATE, NULL, "cannot read state file %s: %s", s->path,
				strerror(errno));
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	data[done] = '\0';
	*out = data;
	return 0;
}

int state_lookup(json_t **out, state_file *s, const char *key, peerguard_error *err)
{
	char *data, *line, *save = NULL;
	int rc;

	*out = NULL;
	rc = lock_range(s, F_RDLCK, 0, 1, err);
	if (rc < 0)
		return rc;
	rc = read_all(&data, s, err);
	unlock_range(s, 0);
	if (rc < 0)
		return rc;

	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *rec = json_loads(line, 0, NULL);
		const char *k = json_string_at(rec, "key");

		if (k && strcmp(k, key) == 0) {
			json_decref(*out);
			*out = rec;
		} else {
			json_decref(rec);
		}
	}
	free(data);
	return 0;
}

int state_append(state_file *s, json_t *record, peerguard_error *err)
{
	char *line = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t len, done = 0;
	int rc;

	if (!line)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	len = strlen(line);
	line[len++] = '\n';
	rc = lock_range(s, F_WRLCK, 0, 1, err);
	while (rc == 0 && done < len) {
		ssize_t n = write(s->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = error_set(err, PEERGUARD_ESTATE, NULL, "cannot write state file %s: %s", s->path,
				n < 0 ? strerror(errno) : "no progress");
		else
			done += (size_t)n;
	}
	if (rc == 0 && fsync(s->fd) < 0)
		rc = error_set(err, PEERGUARD_ESTATE, NULL, "cannot sync state file %s: %s", s->path, strerror(errno));
	unlock_range(s, 0);
	free(line);
	return rc;
}
