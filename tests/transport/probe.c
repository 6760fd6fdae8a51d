/*
 * Test driver of the transport: makes one library call with the options
 * given on the command line and prints one JSON line with the return code,
 * the result and the error detail.  Log messages go to stderr as
 * "LEVEL: message".  The integration tests run it against moto and against
 * fault-injecting servers.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "peerguard/peerguard.h"
#include "peerguard/transport.h"

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG" };

static void probe_log(peerguard_log_level level, const char *message, void *userdata)
{
	(void)userdata;
	fprintf(stderr, "%s: %s\n", level_names[level], message);
}

static double fixed_clock(void *userdata)
{
	return *(double *)userdata;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pg_transport_probe [OPTIONS] CALL [ARGS]\n"
		"calls: describe [ID...] | delete ID | reject ID | accept ID | create VPC PEER-VPC [OWNER [REGION]]\n"
		"       whoami | assume-role ARN | publish TOPIC-ARN MESSAGE | query SERVICE ACTION VERSION [NAME VALUE]...\n"
		"       query-url SERVICE URL ACTION VERSION [NAME VALUE]...\n"
		"       describe-cmd [peerguard describe arguments]\n"
		"options: --endpoint-url URL --region R --profile P --role-arn ARN --role-template T --account ID\n"
		"         --header 'N: V' --max-attempts N --connect-timeout-ms N --attempt-timeout-ms N\n"
		"         --deadline-ms N --backoff-base-ms N --ca-bundle FILE --access-key K --secret-key S\n"
		"         --session-token T --clock EPOCH-SECONDS --dry-run --repeat N --threads N --filter NAME=VALUE\n");
}

/* Prints {"rc": rc, "result": <json or string>, "error": {...}} on one line. */
static void print_outcome(int rc, const char *result, int result_is_json, const peerguard_aws_error *err,
	peerguard_client *c)
{
	json_t *out = json_object();

	json_object_set_new(out, "rc", json_integer(rc));
	if (result) {
		json_t *r = result_is_json ? json_loads(result, JSON_DECODE_ANY, NULL) : json_string(result);

		json_object_set_new(out, "result", r ? r : json_string(result));
	}
	if (rc != 0) {
		json_object_set_new(out, "error", json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i}",
			"code", err->error.code, "message", err->error.message, "aws_code", err->aws_code,
			"aws_message", err->aws_message, "http_status", err->http_status, "request_id", err->request_id,
			"action", err->action, "endpoint", err->endpoint, "attempts", (int)err->attempts));
	} else {
		json_object_set_new(out, "attempts", json_integer(err->attempts));
	}
	if (c) {
		json_object_set_new(out, "clock_offset", json_real(peerguard_client_clock_offset(c)));
		char *key_id = NULL;

		if (peerguard_client_access_key_id(&key_id, c) == 0)
			json_object_set_new(out, "access_key_id", json_string(key_id));
		peerguard_free(key_id);
		if (peerguard_client_region(c))
			json_object_set_new(out, "region", json_string(peerguard_client_region(c)));
	}
	char *text = json_dumps(out, JSON_COMPACT);
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(out);
}

typedef struct probe_job {
	peerguard_client *client;
	const char *call;
	char **args;
	int n_args;
	const char *region;
	const char *filter_name;
	const char *filter_value;
	int dry_run;
	int repeat;
	int rc;             /* the last call's return code, or 2 for an unknown call */
} probe_job;

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

/* Makes job->repeat calls and prints one outcome line for each. */
static void *run_job(void *arg)
{
	probe_job *job = arg;
	peerguard_client *client = job->client;
	const char *call = job->call;
	char **args = job->args;
	int n_args = job->n_args;
	const char *region = job->region;
	const char *filter_name = job->filter_name;
	const char *filter_value = job->filter_value;
	int dry_run = job->dry_run;
	int rc = 0;
	peerguard_aws_error err;

	for (int i = 0; i < job->repeat; i++) {
		char *result = NULL;
		int is_json = 1;

		peerguard_aws_error_clear(&err);
		if (strcmp(call, "describe") == 0) {
			const char *values[1] = { filter_value };
			peerguard_describe_filter f = { filter_name, values, 1 };

			rc = peerguard_ec2_describe_vpc_peering_connections(&result, client, region,
				(const char *const *)args, (size_t)n_args, filter_name ? &f : NULL, filter_name ? 1 : 0, &err);
		} else if (strcmp(call, "delete") == 0 && n_args == 1) {
			rc = peerguard_ec2_delete_vpc_peering_connection(client, region, args[0], dry_run, &err);
		} else if (strcmp(call, "reject") == 0 && n_args == 1) {
			rc = peerguard_ec2_reject_vpc_peering_connection(client, region, args[0], dry_run, &err);
		} else if (strcmp(call, "accept") == 0 && n_args == 1) {
			rc = peerguard_ec2_accept_vpc_peering_connection(&result, client, region, args[0], dry_run, &err);
		} else if (strcmp(call, "create") == 0 && n_args >= 2) {
			peerguard_create_peering_options c = PEERGUARD_CREATE_PEERING_OPTIONS_INIT;

			c.vpc_id = args[0];
			c.peer_vpc_id = args[1];
			c.peer_owner_id = n_args > 2 ? args[2] : NULL;
			c.peer_region = n_args > 3 ? args[3] : NULL;
			c.dry_run = dry_run;
			rc = peerguard_ec2_create_vpc_peering_connection(&result, client, region, &c, &err);
		} else if (strcmp(call, "whoami") == 0) {
			rc = peerguard_sts_get_caller_identity(&result, client, &err);
		} else if (strcmp(call, "assume-role") == 0 && n_args == 1) {
			peerguard_client *role = NULL;

			rc = peerguard_sts_assume_role(&role, &result, client, args[0], NULL, &err);
			if (rc == 0) {
				char *identity = NULL;

				/* Prove that the new client signs as the role, and report its identity. */
				peerguard_free(result);
				result = NULL;
				rc = peerguard_sts_get_caller_identity(&identity, role, &err);
				result = identity;
			}
			peerguard_client_free(role);
		} else if (strcmp(call, "publish") == 0 && n_args == 2) {
			rc = peerguard_sns_publish(&result, client, args[0], "peerguard test", args[1], &err);
			is_json = 0;
		} else if (strcmp(call, "query") == 0 && n_args >= 3) {
			rc = peerguard_aws_query(&result, client, args[0], region, args[1], args[2],
				(const char *const *)(args + 3), &err);
		} else if (strcmp(call, "query-url") == 0 && n_args >= 4) {
			rc = peerguard_aws_query_url(&result, client, args[0], region, args[1], args[2], args[3],
				(const char *const *)(args + 4), &err);
		} else {
			job->rc = 2;
			return NULL;
		}
		pthread_mutex_lock(&print_lock);
		print_outcome(rc, result, is_json, &err, client);
		pthread_mutex_unlock(&print_lock);
		peerguard_free(result);
	}
	job->rc = rc;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "endpoint-url", required_argument, NULL, 'e' }, { "region", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' }, { "role-arn", required_argument, NULL, 'a' },
		{ "role-template", required_argument, NULL, 'T' }, { "account", required_argument, NULL, 'A' },
		{ "header", required_argument, NULL, 'H' }, { "max-attempts", required_argument, NULL, 'm' },
		{ "connect-timeout-ms", required_argument, NULL, 'C' }, { "attempt-timeout-ms", required_argument, NULL, 'o' },
		{ "deadline-ms", required_argument, NULL, 'd' }, { "backoff-base-ms", required_argument, NULL, 'b' },
		{ "ca-bundle", required_argument, NULL, 'c' }, { "access-key", required_argument, NULL, 'k' },
		{ "secret-key", required_argument, NULL, 's' }, { "session-token", required_argument, NULL, 't' },
		{ "clock", required_argument, NULL, 'K' }, { "dry-run", no_argument, NULL, 'D' },
		{ "repeat", required_argument, NULL, 'R' }, { "filter", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	peerguard_client_options opts = PEERGUARD_CLIENT_OPTIONS_INIT;
	peerguard_credentials creds = { NULL, NULL, NULL };
	const char *headers[17] = { NULL };
	size_t n_headers = 0;
	const char *account = NULL, *region = NULL;
	const char *filter_name = NULL, *filter_value = NULL;
	double clock_value = 0;
	int dry_run = 0, repeat = 1, threads = 1, opt, rc = 0;

	if (argc > 1 && strcmp(argv[1], "describe-cmd") == 0)
		return peerguard_cmd_describe(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, "+", long_options, NULL)) != -1) {
		switch (opt) {
		case 'e': opts.endpoint_url = optarg; break;
		case 'r': opts.region = optarg; region = optarg; break;
		case 'p': opts.profile = optarg; break;
		case 'a': opts.role_arn = optarg; break;
		case 'T': opts.role_arn_template = optarg; break;
		case 'A': account = optarg; break;
		case 'H': if (n_headers < 16) headers[n_headers++] = optarg; break;
		case 'm': opts.max_attempts = (unsigned int)atoi(optarg); break;
		case 'C': opts.connect_timeout_ms = (unsigned int)atoi(optarg); break;
		case 'o': opts.attempt_timeout_ms = (unsigned int)atoi(optarg); break;
		case 'd': opts.deadline_ms = (unsigned int)atoi(optarg); break;
		case 'b': opts.backoff_base_ms = (unsigned int)atoi(optarg); break;
		case 'c': opts.ca_bundle = optarg; break;
		case 'k': creds.access_key_id = optarg; break;
		case 's': creds.secret_access_key = optarg; break;
		case 't': creds.session_token = optarg; break;
		case 'K': clock_value = atof(optarg); opts.clock = fixed_clock; opts.clock_userdata = &clock_value; break;
		case 'D': dry_run = 1; break;
		case 'R': repeat = atoi(optarg); break;
		case 'P': threads = atoi(optarg); break;
		case 'f': {
			char *eq = strchr(optarg, '=');

			if (!eq) {
				usage();
				return 2;
			}
			*eq = '\0';
			filter_name = optarg;
			filter_value = eq + 1;
			break;
		}
		default: usage(); return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	if (creds.access_key_id || creds.secret_access_key)
		opts.credentials = &creds;
	if (n_headers)
		opts.extra_headers = headers;
	opts.log = probe_log;

	const char *call = argv[optind];
	char **args = argv + optind + 1;
	int n_args = argc - optind - 1;
	peerguard_client *client = NULL, *base = NULL;
	peerguard_aws_error err;

	rc = peerguard_client_new(&base, &opts, &err);
	if (rc < 0) {
		print_outcome(rc, NULL, 0, &err, NULL);
		return 1;
	}
	client = base;
	if (account) {
		rc = peerguard_client_for_account(&client, base, account, NULL, &err);
		if (rc < 0) {
			print_outcome(rc, NULL, 0, &err, base);
			peerguard_client_free(base);
			return 1;
		}
	}

	probe_job job = { client, call, args, n_args, region, filter_name, filter_value, dry_run, repeat, 0 };

	if (threads <= 1) {
		run_job(&job);
	} else {
		/* Every thread shares the one client, as a multi-threaded caller would. */
		pthread_t tids[64];
		probe_job jobs[64];
		int n = threads > 64 ? 64 : threads;

		for (int i = 0; i < n; i++) {
			jobs[i] = job;
			pthread_create(&tids[i], NULL, run_job, &jobs[i]);
		}
		for (int i = 0; i < n; i++) {
			pthread_join(tids[i], NULL);
			if (jobs[i].rc != 0)
				job.rc = jobs[i].rc;
		}
	}
	rc = job.rc;
	if (rc == 2) {
		usage();
		peerguard_client_free(base);
		return 2;
	}
	peerguard_client_free(base);
	return rc == 0 ? 0 : 1;
}
