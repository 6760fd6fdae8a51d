/* Remediation metrics in the Prometheus text format. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "peerguard/remediate.h"
#include "remediate/metrics.h"

static const double bucket_bounds[METRIC_BUCKETS] = METRIC_BUCKET_BOUNDS;

void metrics_init(metrics *m, double now)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->started = now;
}

void metrics_destroy(metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void metrics_event(metrics *m, double now)
{
	pthread_mutex_lock(&m->lock);
	m->events++;
	if (now > m->last_event)
		m->last_event = now;
	pthread_mutex_unlock(&m->lock);
}

static void observe(histogram *h, double value)
{
	if (value < 0)
		return;
	h->count++;
	h->sum += value;
	for (int i = 0; i < METRIC_BUCKETS; i++) {
		if (value <= bucket_bounds[i]) {
			h->counts[i]++;
			break;
		}
	}
}

void metrics_outcome(metrics *m, int outcome, double event_to_decision, double event_to_verified, double exposure)
{
	pthread_mutex_lock(&m->lock);
	if (outcome >= 0 && outcome < METRIC_OUTCOMES)
		m->outcomes[outcome]++;
	observe(&m->event_to_decision, event_to_decision);
	observe(&m->event_to_verified, event_to_verified);
	observe(&m->exposure, exposure);
	pthread_mutex_unlock(&m->lock);
}

void metrics_escalation(metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->escalations++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_notification(metrics *m, int ok)
{
	pthread_mutex_lock(&m->lock);
	if (ok)
		m->notifications_sent++;
	else
		m->notifications_failed++;
	pthread_mutex_unlock(&m->lock);
}

double metrics_quiet_seconds(metrics *m, double now)
{
	double since;

	pthread_mutex_lock(&m->lock);
	since = now - (m->last_event > 0 ? m->last_event : m->started);
	pthread_mutex_unlock(&m->lock);
	return since > 0 ? since : 0;
}

/* Appends to a growing text; returns 0 or -1. */
static int emit(char **text, size_t *len, size_t *cap, const char *fmt, ...) PG_PRINTF(4, 5);

static int emit(char **text, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*text ? *text + *len : NULL, *text ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (*text && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return 0;
		}
		size_t ncap = (*cap ? *cap * 2 : 4096) + (size_t)n;
		char *p = realloc(*text, ncap);

		if (!p)
			return -1;
		*text = p;
		*cap = ncap;
	}
}

static int emit_histogram(char **t, size_t *len, size_t *cap, const char *name, const char *help,
	const histogram *h)
{
	unsigned long long cumulative = 0;
	int rc = emit(t, len, cap, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);

	for (int i = 0; rc == 0 && i < METRIC_BUCKETS; i++) {
		cumulative += h->counts[i];
		rc = emit(t, len, cap, "%s_bucket{le=\"%g\"} %llu\n", name, bucket_bounds[i], cumulative);
	}
	if (rc == 0)
		rc = emit(t, len, cap, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.3f\n%s_count %llu\n", name, h->count,
			name, h->sum, name, h->count);
	return rc;
}

char *metrics_render(metrics *m, double now, double max_quiet)
{
	static const char *const outcome_names[METRIC_OUTCOMES] = { "remediated", "already-safe",
		"already-remediated", "planned", "skipped", "unsafe", "not-found", "denied", "failed" };
	char *t = NULL;
	size_t len = 0, cap = 0;
	int rc;
	metrics s;
	double quiet;

	pthread_mutex_lock(&m->lock);
	s = *m;
	pthread_mutex_unlock(&m->lock);
	quiet = now - (s.last_event > 0 ? s.last_event : s.started);

	rc = emit(&t, &len, &cap, "# HELP peerguard_events_received_total Event documents received.\n"
		"# TYPE peerguard_events_received_total counter\npeerguard_events_received_total %llu\n"
		"# HELP peerguard_last_event_timestamp_seconds Arrival time of the last event, 0 when none came.\n"
		"# TYPE peerguard_last_event_timestamp_seconds gauge\npeerguard_last_event_timestamp_seconds %.3f\n"
		"# HELP peerguard_seconds_since_last_event Seconds since the last event, or since start when none came.\n"
		"# TYPE peerguard_seconds_since_last_event gauge\npeerguard_seconds_since_last_event %.3f\n",
		s.events, s.last_event, quiet > 0 ? quiet : 0);
	if (rc == 0 && max_quiet > 0)
		rc = emit(&t, &len, &cap, "# HELP peerguard_pipeline_quiet 1 when no event came for longer than the "
			"configured quiet time.\n# TYPE peerguard_pipeline_quiet gauge\npeerguard_pipeline_quiet %d\n",
			quiet > max_quiet ? 1 : 0);
	if (rc == 0)
		rc = emit(&t, &len, &cap, "# HELP peerguard_remediations_total Remediations by outcome.\n"
			"# TYPE peerguard_remediations_total counter\n");
	for (int i = 0; rc == 0 && i < METRIC_OUTCOMES; i++)
		rc = emit(&t, &len, &cap, "peerguard_remediations_total{outcome=\"%s\"} %llu\n", outcome_names[i],
			s.outcomes[i]);
	if (rc == 0)
		rc = emit(&t, &len, &cap, "# HELP peerguard_escalations_total Remediations that ended unsafe and were escalated.\n"
			"# TYPE peerguard_escalations_total counter\npeerguard_escalations_total %llu\n"
			"# HELP peerguard_notifications_total Notifications by result.\n"
			"# TYPE peerguard_notifications_total counter\n"
			"peerguard_notifications_total{result=\"sent\"} %llu\n"
			"peerguard_notifications_total{result=\"failed\"} %llu\n",
			s.escalations, s.notifications_sent, s.notifications_failed);
	if (rc == 0)
		rc = emit_histogram(&t, &len, &cap, "peerguard_event_to_decision_seconds",
			"Seconds from the event's time to the decision made on a fresh describe.", &s.event_to_decision);
	if (rc == 0)
		rc = emit_histogram(&t, &len, &cap, "peerguard_event_to_verified_seconds",
			"Seconds from the event's time to the verified safe state.", &s.event_to_verified);
	if (rc == 0)
		rc = emit_histogram(&t, &len, &cap, "peerguard_exposure_seconds",
			"Seconds from creation (or first sight) of a connection to its verified safe state.", &s.exposure);
	if (rc < 0) {
		free(t);
		return NULL;
	}
	return t;
}

int metrics_write_file(const char *path, const char *text, peerguard_error *err)
{
	size_t n = strlen(path) + 32, len = strlen(text), done = 0;
	char *tmp = malloc(n);
	int fd, rc = 0;

	if (!tmp)
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	/* The textfile collector reads only *.prom files, so the temporary name must not end in .prom. */
	snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = error_set(err, PEERGUARD_EIO, NULL, "cannot create %s: %s; check that the metrics directory exists "
			"and is writable", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = error_set(err, PEERGUARD_EIO, NULL, "cannot write %s: %s", tmp, w < 0 ? strerror(errno) : "no progress");
			break;
		}
		done += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = error_set(err, PEERGUARD_EIO, NULL, "cannot sync %s: %s", tmp, strerror(errno));
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = error_set(err, PEERGUARD_EIO, NULL, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
