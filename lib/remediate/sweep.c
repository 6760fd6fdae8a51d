/*
 * The sweep: periodic reconciliation across accounts and regions.
 *
 * Events never show what happens in the peer's account (acceptance is
 * recorded in the accepter's trail) nor requests that expire, so a sweep
 * describes every connection and evaluates the pull and periodic policies
 * on what it finds.  Accounts and regions are described concurrently by a
 * pool of threads.  The transport's calls are blocking and each uses its
 * own libcurl easy handle, so threads are the unit of concurrency here
 * rather than one libcurl multi handle.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decision.h"
#include "core/internal.h"
#include "remediate/internal.h"
#include "remediate/util.h"

#define DEFAULT_CONCURRENCY 4u
#define MAX_CONCURRENCY 256u

struct peerguard_sweep_report {
	peerguard_sweep_row *rows;
	size_t count;
	peerguard_remediation_list *remediations;
};

typedef struct sweep_job {
	peerguard_remediator *r;
	peerguard_sweep_report *report;
	pthread_mutex_t lock;      /* guards next, the remediation list and the first fatal error */
	size_t next;
	int fatal;
	peerguard_error fatal_err;
} sweep_job;

unsigned int peerguard_shard_of(const char *account_id, unsigned int shard_count)
{
	if (!account_id || shard_count == 0)
		return 0;
	return rem_fnv1a32(account_id) % shard_count;
}

static void row_fail(peerguard_sweep_row *row, int code, const char *what, const char *message)
{
	row->code = code;
	row->failed++;
	snprintf(row->message, sizeof(row->message), "%s: %s", what, message);
}

/* Returns the record with id in a describe response (borrowed), or NULL. */
static json_t *find_record(json_t *doc, const char *id)
{
	json_t *list = json_object_get(doc, "VpcPeeringConnections");

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *have = json_string_at(json_array_get(list, i), "VpcPeeringConnectionId");

		if (have && strcmp(have, id) == 0)
			return json_array_get(list, i);
	}
	return NULL;
}

/* Remediates the matched decisions of one account and region; returns 0 or a fatal code. */
static int sweep_decisions(sweep_job *job, peerguard_sweep_row *row, peerguard_result *res, json_t *doc, double seen_at,
	peerguard_error *err)
{
	json_t *done = json_object();
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < peerguard_result_count(res); i++) {
		const peerguard_decision *d = peerguard_result_get(res, i);
		peerguard_remediation *rem = NULL;
		const char *skip = NULL;
		rem_target t;

		if (!d->matched || json_object_get(done, peerguard_decision_resource_id(d)))
			continue;
		rc = remediator_target(&t, &skip, job->r, d, err);
		if (rc < 0)
			break;
		if (skip && t.policy && t.policy->removal == REMOVAL_NONE)
			continue;     /* a notify-only policy; another policy may still remove the connection */
		json_object_set_new(done, peerguard_decision_resource_id(d), json_true());
		row->matched++;
		if (skip)
			continue;
		t.first_seen = seen_at;
		t.seen_record = find_record(doc, t.resource_id);
		rc = remediator_run_target(&rem, job->r, &t, err);
		if (rc < 0)
			break;
		if (rem->outcome == PEERGUARD_OUTCOME_REMEDIATED)
			row->remediated++;
		else if (outcome_is_failure(rem->outcome))
			row->failed++;
		pthread_mutex_lock(&job->lock);
		rc = remediation_list_add(job->report->remediations, rem);
		pthread_mutex_unlock(&job->lock);
		if (rc < 0)
			error_set(err, rc, NULL, "out of memory");
	}
	json_decref(done);
	return rc;
}

/* Sweeps one account and region into its row; returns 0 or a fatal code (state file, audit log, memory). */
static int sweep_one(sweep_job *job, peerguard_sweep_row *row, peerguard_error *err)
{
	peerguard_remediator *r = job->r;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_aws_error aerr;
	peerguard_client *client = NULL;
	peerguard_result *res = NULL;
	peerguard_error eval_err;
	char *json = NULL;
	json_t *doc;
	double seen_at;
	int rc;

	rc = remediator_client(&client, r, row->account_id, &aerr);
	if (rc < 0) {
		row_fail(row, rc, "no client for the account", aerr.error.message);
		return 0;
	}
	rc = peerguard_ec2_describe_vpc_peering_connections(&json, client, row->region, NULL, 0, NULL, 0, &aerr);
	if (rc < 0) {
		row_fail(row, rc, "describe failed", aerr.error.message);
		return 0;
	}
	seen_at = remediator_now(r);
	doc = json_loads(json, 0, NULL);
	row->seen = json_array_size(json_object_get(doc, "VpcPeeringConnections"));

	ctx.account_id = row->account_id;
	ctx.region = row->region;
	ctx.now = seen_at;
	ctx.flags = PEERGUARD_MATCHED_ONLY;
	rc = peerguard_evaluate(&res, r->set, &ctx, PEERGUARD_INPUT_RESOURCES, json, strlen(json), row->region,
		&eval_err);
	peerguard_free(json);
	if (rc < 0) {
		row_fail(row, rc, "evaluation failed", eval_err.message);
		json_decref(doc);
		return 0;
	}
	if (peerguard_result_error_count(res) > 0 && peerguard_result_error(res, 0, &eval_err) == 0)
		row_fail(row, PEERGUARD_EEVAL, "evaluation failed on some records", eval_err.message);
	rc = sweep_decisions(job, row, res, doc, seen_at, err);
	peerguard_result_free(res);
	json_decref(doc);
	return rc;
}

static void *sweep_worker(void *arg)
{
	sweep_job *job = arg;

	for (;;) {
		peerguard_error err;
		size_t i;
		int rc;

		pthread_mutex_lock(&job->lock);
		i = job->fatal ? job->report->count : job->next++;
		pthread_mutex_unlock(&job->lock);
		if (i >= job->report->count)
			break;

		peerguard_error_clear(&err);
		rc = sweep_one(job, &job->report->rows[i], &err);
		remediator_log(job->r, rc < 0 || job->report->rows[i].code ? PEERGUARD_LOG_WARN : PEERGUARD_LOG_INFO,
			"swept %s %s: %zu seen, %zu matched, %zu remediated, %zu failed%s%s",
			job->report->rows[i].account_id, job->report->rows[i].region, job->report->rows[i].seen,
			job->report->rows[i].matched, job->report->rows[i].remediated, job->report->rows[i].failed,
			job->report->rows[i].message[0] ? ": " : "", job->report->rows[i].message);
		if (rc < 0) {
			pthread_mutex_lock(&job->lock);
			if (!job->fatal) {
				job->fatal = rc;
				job->fatal_err = err;
			}
			pthread_mutex_unlock(&job->lock);
		}
	}
	return NULL;
}

static int check_options(const peerguard_sweep_options *o, peerguard_error *err)
{
	if (o->version != PEERGUARD_SWEEP_OPTIONS_VERSION)
		return error_set(err, PEERGUARD_EINVAL, NULL, "peerguard_sweep_options.version is %u, expected %u; "
			"initialise it with PEERGUARD_SWEEP_OPTIONS_INIT", o->version, PEERGUARD_SWEEP_OPTIONS_VERSION);
	if ((o->n_accounts && !o->accounts) || (o->n_regions && !o->regions) || !o->n_regions)
		return error_set(err, PEERGUARD_EINVAL, NULL, "give at least one region, and arrays for the counts given");
	if (o->shard_count > 1 && o->shard_index >= o->shard_count)
		return error_set(err, PEERGUARD_EINVAL, NULL, "shard %u of %u does not exist: shards are numbered 0 to %u",
			o->shard_index, o->shard_count, o->shard_count - 1);
	for (size_t i = 0; i < o->n_accounts; i++)
		if (!o->accounts[i] || !account_id_valid(o->accounts[i]))
			return error_set(err, PEERGUARD_EINVAL, NULL, "account id '%.32s' is not 12 digits",
				o->accounts[i] ? o->accounts[i] : "(null)");
	for (size_t i = 0; i < o->n_regions; i++)
		if (!o->regions[i] || !*o->regions[i] || strlen(o->regions[i]) >= sizeof(((peerguard_sweep_row *)0)->region))
			return error_set(err, PEERGUARD_EINVAL, NULL, "region %zu is empty or too long", i + 1);
	return 0;
}

int peerguard_sweep(peerguard_sweep_report **out, peerguard_remediator *r, const peerguard_sweep_options *opts,
	peerguard_error *err)
{
	peerguard_sweep_report *report;
	pthread_t threads[MAX_CONCURRENCY];
	unsigned int n_threads, started = 0;
	sweep_job job;
	int rc;

	peerguard_error_clear(err);
	if (!out || !r || !opts)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out, the remediator and the options are required");
	*out = NULL;
	rc = check_options(opts, err);
	if (rc < 0)
		return rc;

	report = calloc(1, sizeof(*report));
	if (report) {
		report->rows = calloc(opts->n_accounts * opts->n_regions + 1, sizeof(*report->rows));
		report->remediations = calloc(1, sizeof(*report->remediations));
	}
	if (!report || !report->rows || !report->remediations) {
		peerguard_sweep_report_free(report);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	for (size_t a = 0; a < opts->n_accounts; a++) {
		if (opts->shard_count > 1 && peerguard_shard_of(opts->accounts[a], opts->shard_count) != opts->shard_index)
			continue;
		for (size_t g = 0; g < opts->n_regions; g++) {
			peerguard_sweep_row *row = &report->rows[report->count++];

			snprintf(row->account_id, sizeof(row->account_id), "%s", opts->accounts[a]);
			snprintf(row->region, sizeof(row->region), "%s", opts->regions[g]);
		}
	}

	memset(&job, 0, sizeof(job));
	job.r = r;
	job.report = report;
	pthread_mutex_init(&job.lock, NULL);
	n_threads = opts->concurrency ? opts->concurrency : DEFAULT_CONCURRENCY;
	if (n_threads > MAX_CONCURRENCY)
		n_threads = MAX_CONCURRENCY;
	if (n_threads > report->count)
		n_threads = (unsigned int)report->count;
	for (; started < n_threads; started++)
		if (pthread_create(&threads[started], NULL, sweep_worker, &job) != 0)
			break;
	if (started == 0 && report->count > 0)
		sweep_worker(&job);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&job.lock);

	if (job.fatal) {
		if (err)
			*err = job.fatal_err;
		peerguard_sweep_report_free(report);
		return job.fatal;
	}
	*out = report;
	return 0;
}

size_t peerguard_sweep_report_count(const peerguard_sweep_report *report)
{
	return report ? report->count : 0;
}

const peerguard_sweep_row *peerguard_sweep_report_row(const peerguard_sweep_report *report, size_t i)
{
	return report && i < report->count ? &report->rows[i] : NULL;
}

const peerguard_remediation_list *peerguard_sweep_report_remediations(const peerguard_sweep_report *report)
{
	return report ? report->remediations : NULL;
}

void peerguard_sweep_report_free(peerguard_sweep_report *report)
{
	if (!report)
		return;
	free(report->rows);
	peerguard_remediation_list_free(report->remediations);
	free(report);
}
