/* The JSON Lines audit log. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "peerguard/remediate.h"
#include "remediate/audit.h"

struct audit_log {
	int fd;
	char *path;
	pthread_mutex_t lock;   /* one record at a time from this process */
};

int audit_open(audit_log **out, const char *path, peerguard_error *err)
{
	audit_log *a;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (!a || !(a->path = strdup(path))) {
		free(a);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		int e = errno;

		free(a->path);
		free(a);
		return error_set(err, PEERGUARD_EAUDIT, NULL, "cannot open audit log %s: %s; check that the directory "
			"exists and is writable", path, strerror(e));
	}
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return 0;
}

void audit_close(audit_log *a)
{
	if (!a)
		return;
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}

int audit_append(audit_log *a, json_t *record, peerguard_error *err)
{
	char *line;
	size_t len, done = 0;
	int rc = 0;

	if (!a)
		return 0;
	line = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!line)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	len = strlen(line);
	line[len++] = '\n';     /* json_dumps' NUL becomes the newline; the buffer is len + 1 bytes */

	pthread_mutex_lock(&a->lock);
	while (done < len) {
		ssize_t n = write(a->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = error_set(err, PEERGUARD_EAUDIT, NULL, "cannot write audit log %s: %s", a->path,
				n < 0 ? strerror(errno) : "no progress");
			break;
		}
		done += (size_t)n;
	}
	if (rc == 0 && fsync(a->fd) < 0)
		rc = error_set(err, PEERGUARD_EAUDIT, NULL, "cannot sync audit log %s: %s", a->path, strerror(errno));
	pthread_mutex_unlock(&a->lock);
	free(line);
	return rc;
}
