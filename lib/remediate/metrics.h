/*
 * Counters and delay histograms of a remediator, rendered in the
 * Prometheus text exposition format (version 0.0.4) for node_exporter's
 * textfile collector.
 */
#ifndef REMEDIATE_METRICS_H
#define REMEDIATE_METRICS_H

#include <pthread.h>

#include "peerguard/peerguard.h"

/* Upper bounds of the delay histograms, in seconds; +Inf is implied. */
#define METRIC_BUCKET_BOUNDS { 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600 }
#define METRIC_BUCKETS 10

/* Outcomes counted; one more than the largest peerguard_outcome value. */
#define METRIC_OUTCOMES 9

typedef struct histogram {
	unsigned long long counts[METRIC_BUCKETS];   /* observations <= each bound (not cumulative) */
	unsigned long long count;
	double sum;
} histogram;

typedef struct metrics {
	pthread_mutex_t lock;
	double started;                              /* seconds since the epoch */
	double last_event;                           /* arrival of the last event, 0 when none */
	unsigned long long events;
	unsigned long long outcomes[METRIC_OUTCOMES];
	unsigned long long escalations;
	unsigned long long notifications_sent;
	unsigned long long notifications_failed;
	histogram event_to_decision;
	histogram event_to_verified;
	histogram exposure;
} metrics;

/* Starts empty metrics at time now. */
void metrics_init(metrics *m, double now);

/* Releases the lock of m. */
void metrics_destroy(metrics *m);

/* Counts one received event at time now. */
void metrics_event(metrics *m, double now);

/*
 * Counts one remediation outcome and its delays in seconds; a negative
 * delay is unknown and left out.
 */
void metrics_outcome(metrics *m, int outcome, double event_to_decision, double event_to_verified,
	double exposure);

/* Counts one escalation. */
void metrics_escalation(metrics *m);

/* Counts one notification, delivered (ok) or not. */
void metrics_notification(metrics *m, int ok);

/* Returns the seconds since the last event (or since start) at time now. */
double metrics_quiet_seconds(metrics *m, double now);

/*
 * Returns the metrics as new text, freed with free().  max_quiet > 0 adds
 * peerguard_pipeline_quiet, 1 when no event came for that long.  Returns
 * NULL when memory runs out.
 */
char *metrics_render(metrics *m, double now, double max_quiet);

/*
 * Writes text to path atomically: a temporary file beside it, synced, then
 * renamed over path.  Returns 0, or PEERGUARD_EIO with err filled.
 */
int metrics_write_file(const char *path, const char *text, peerguard_error *err);

#endif
