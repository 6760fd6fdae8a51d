/* peerguard describe: list VPC peering connections through the EC2 API, in boto3's JSON shape. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "peerguard/peerguard.h"
#include "peerguard/transport.h"
#include "commands.h"

#define MAX_FILTERS 32
#define MAX_HEADERS 16

static void describe_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard describe [OPTIONS] [PCX-ID...]\n"
		"\n"
		"Calls EC2 DescribeVpcPeeringConnections, follows every page, and prints\n"
		"{\"VpcPeeringConnections\": [...]} as boto3 returns it, ready for\n"
		"'peerguard eval --policy FILE -'.  With PCX-IDs, only those connections.\n"
		"\n"
		"options:\n"
		"  --region REGION        region to describe; default: AWS_REGION, AWS_DEFAULT_REGION,\n"
		"                         then the profile's region\n"
		"  --profile NAME         profile of the shared config and credentials files; default:\n"
		"                         AWS_PROFILE, then \"default\" (a named profile skips the\n"
		"                         AWS_ACCESS_KEY_ID environment credentials)\n"
		"  --role-arn ARN         role to assume with those credentials before describing\n"
		"  --endpoint-url URL     EC2 and STS endpoint; default: AWS_ENDPOINT_URL_EC2,\n"
		"                         AWS_ENDPOINT_URL, then https://ec2.REGION.amazonaws.com\n"
		"  --ca-bundle FILE       PEM CA certificates for https; default: AWS_CA_BUNDLE, then the\n"
		"                         system store\n"
		"  --filter NAME=V1,V2    Filter.N of the call, such as status-code=active (repeatable)\n"
		"  --header 'NAME: VALUE' extra signed request header, for test endpoints (repeatable)\n"
		"  --max-attempts N       HTTP attempts per call, retries included; default 3\n"
		"  --timeout SECONDS      deadline of each call, retries included; default 120\n"
		"  --verbose              log every request and credential refresh to stderr\n"
		"  --help                 print this help\n"
		"\n"
		"Exit status: 0 on success, 2 on any error (the message says what to fix).\n");
}

static void describe_log(peerguard_log_level level, const char *message, void *userdata)
{
	int verbose = *(int *)userdata;

	/* Errors are printed once, by the command itself. */
	if (level == PEERGUARD_LOG_WARN || (verbose && level > PEERGUARD_LOG_WARN))
		fprintf(stderr, "peerguard describe: %s\n", message);
}

/* Splits "name=v1,v2" into a filter; the strings point into text, which is modified. */
static int parse_filter(peerguard_describe_filter *f, const char **values, size_t max_values, char *text)
{
	char *eq = strchr(text, '=');
	size_t n = 0;

	if (!eq || eq == text || !eq[1])
		return -1;
	*eq = '\0';
	f->name = text;
	for (char *save = NULL, *v = strtok_r(eq + 1, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		if (n == max_values)
			return -1;
		values[n++] = v;
	}
	f->values = values;
	f->n_values = n;
	return n ? 0 : -1;
}

static int fail(const char *message)
{
	fprintf(stderr, "peerguard describe: %s\n", message);
	return 2;
}

int peerguard_cmd_describe(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "role-arn", required_argument, NULL, 'a' },
		{ "endpoint-url", required_argument, NULL, 'e' },
		{ "ca-bundle", required_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'f' },
		{ "header", required_argument, NULL, 'H' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	peerguard_client_options opts = PEERGUARD_CLIENT_OPTIONS_INIT;
	peerguard_describe_filter filters[MAX_FILTERS];
	const char *filter_values[MAX_FILTERS][64];
	const char *headers[MAX_HEADERS + 1] = { NULL };
	size_t n_filters = 0, n_headers = 0;
	const char *region = NULL;
	int verbose = 0, opt;
	peerguard_client *client = NULL;
	peerguard_aws_error err;
	char *json = NULL;
	char *end;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			region = optarg;
			opts.region = optarg;
			break;
		case 'p':
			opts.profile = optarg;
			break;
		case 'a':
			opts.role_arn = optarg;
			break;
		case 'e':
			opts.ec2_endpoint_url = optarg;
			opts.sts_endpoint_url = optarg;
			break;
		case 'c':
			opts.ca_bundle = optarg;
			break;
		case 'f':
			if (n_filters == MAX_FILTERS ||
			    parse_filter(&filters[n_filters], filter_values[n_filters], 64, optarg) < 0)
				return fail("invalid --filter: write NAME=VALUE[,VALUE...], such as status-code=active "
					"(at most 32 filters of 64 values)");
			n_filters++;
			break;
		case 'H':
			if (n_headers == MAX_HEADERS || !strchr(optarg, ':'))
				return fail("invalid --header: write 'Name: value' (at most 16 headers)");
			headers[n_headers++] = optarg;
			break;
		case 'm':
			opts.max_attempts = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || opts.max_attempts == 0 || opts.max_attempts > 20)
				return fail("invalid --max-attempts: use a whole number from 1 to 20");
			break;
		case 't': {
			double seconds = strtod(optarg, &end);

			if (*end || seconds <= 0 || seconds > 3600)
				return fail("invalid --timeout: use seconds between 0 and 3600, such as 30");
			opts.deadline_ms = (unsigned int)(seconds * 1000.0);
			break;
		}
		case 'v':
			verbose = 1;
			break;
		case 'h':
			describe_usage(stdout);
			return 0;
		default:
			describe_usage(stderr);
			return 2;
		}
	}
	if (n_headers)
		opts.extra_headers = headers;
	opts.log = describe_log;
	opts.log_userdata = &verbose;

	if (peerguard_client_new(&client, &opts, &err) < 0) {
		fprintf(stderr, "peerguard describe: %s\n", err.error.message);
		return 2;
	}
	int rc = peerguard_ec2_describe_vpc_peering_connections(&json, client, region,
		(const char *const *)(argv + optind), (size_t)(argc - optind), n_filters ? filters : NULL, n_filters, &err);
	if (rc < 0) {
		fprintf(stderr, "peerguard describe: %s\n", err.error.message);
		peerguard_client_free(client);
		return 2;
	}

	/* The library returns compact JSON; print it indented for people and pipes alike. */
	json_t *doc = json_loads(json, 0, NULL);
	char *pretty = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	printf("%s\n", pretty ? pretty : json);
	free(pretty);
	json_decref(doc);
	peerguard_free(json);
	peerguard_client_free(client);
	return fflush(stdout) == 0 ? 0 : 2;
}
