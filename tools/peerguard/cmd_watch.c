/* peerguard watch: the real-time consumer of CloudTrail events from an SQS queue or standard input. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peerguard/remediate.h"
#include "remediate/sqs.h"
#include "cmd_remediate_common.h"
#include "commands.h"

/* SQS's longest long poll, and the most messages one ReceiveMessage returns. */
#define SQS_WAIT_SECONDS 20
#define SQS_MAX_MESSAGES 10

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void watch_usage(FILE *out)
{
	fprintf(out,
		"usage: peerguard watch --policy FILE (--sqs-queue-url URL | -) [OPTIONS]\n"
		"\n"
		"Consumes CloudTrail events as they arrive and remediates every match: from the SQS\n"
		"queue of an EventBridge rule (long polling, %d s), or JSON lines on standard input\n"
		"with '-'.  A message is deleted from the queue only after its decision and every\n"
		"step are in the audit log; a message whose remediation failed on an AWS call stays\n"
		"and is delivered again after the queue's visibility timeout.  SIGTERM or SIGINT stop\n"
		"it after the current poll.\n"
		"\n"
		"options:\n"
		RCLI_HELP
		"  --sqs-queue-url URL    queue of the EventBridge rule (needs --audit-log)\n"
		"  --wait-seconds N       long-poll wait, 0 to 20; default 20\n"
		"  --visibility-timeout N seconds a received message stays hidden; default: the queue's\n"
		"  --once                 stop when a poll returns no message (or at the end of input)\n"
		"  --help                 print this help\n"
		"\n"
		"Exit status: 0 stopped or input ended, every remediation safe; 1 a remediation\n"
		"ended unsafe (escalated); 2 usage, configuration, state file or audit log error.\n",
		SQS_WAIT_SECONDS);
}

/* What watch counts besides the remediator's own metrics. */
typedef struct watch_counts {
	unsigned long long received;
	unsigned long long deleted;
	unsigned long long kept;
	unsigned long long receive_errors;
	int quiet_reported;
	size_t outcomes[9];
} watch_counts;

static void write_metrics(rcli *cli, const watch_counts *wc)
{
	char extra[1024];
	peerguard_error err;

	if (!cli->metrics_file)
		return;
	snprintf(extra, sizeof(extra),
		"# HELP peerguard_sqs_messages_total SQS messages by what became of them.\n"
		"# TYPE peerguard_sqs_messages_total counter\n"
		"peerguard_sqs_messages_total{result=\"received\"} %llu\n"
		"peerguard_sqs_messages_total{result=\"deleted\"} %llu\n"
		"peerguard_sqs_messages_total{result=\"kept\"} %llu\n"
		"# HELP peerguard_sqs_receive_errors_total ReceiveMessage calls that failed.\n"
		"# TYPE peerguard_sqs_receive_errors_total counter\npeerguard_sqs_receive_errors_total %llu\n",
		wc->received, wc->deleted, wc->kept, wc->receive_errors);
	if (peerguard_remediator_write_metrics(cli->r, cli->metrics_file, extra, &err) < 0)
		rcli_error(cli, "%s", err.message);
}

/* Logs a quiet pipeline once per quiet period, and its end. */
static void check_quiet(rcli *cli, watch_counts *wc)
{
	double quiet = peerguard_remediator_quiet_seconds(cli->r);
	double limit = cli->rem_opts.max_quiet_seconds;

	if (limit <= 0)
		return;
	if (quiet > limit && !wc->quiet_reported) {
		rcli_error(cli, "error: no event has arrived for %.0f s (--max-quiet %.0f); check the EventBridge rule, "
			"the trail and the queue", quiet, limit);
		wc->quiet_reported = 1;
	} else if (quiet <= limit && wc->quiet_reported) {
		rcli_error(cli, "events are arriving again after a quiet period");
		wc->quiet_reported = 0;
	}
}

/* Remediates one document; returns 1 when its message may be deleted, 0 to keep it, -1 on a fatal error. */
static int handle_document(rcli *cli, watch_counts *wc, const char *data, size_t len, const char *name)
{
	peerguard_remediation_list *list = NULL;
	peerguard_error err;
	int rc = peerguard_remediate_document(&list, cli->r, PEERGUARD_INPUT_EVENTS, data, len, name, &err);
	int deletable = 1;

	if (rc == PEERGUARD_EAUDIT || rc == PEERGUARD_ESTATE) {
		rcli_error(cli, "%s: %s", name, err.message);
		return -1;
	}
	if (rc < 0) {
		/* An unreadable document would come back forever; it is logged, recorded and dropped. */
		rcli_error(cli, "%s: %s; the message is dropped", name, err.message);
		return 1;
	}
	rcli_print_reports(list, wc->outcomes);
	for (size_t i = 0; i < peerguard_remediation_list_count(list); i++)
		if (peerguard_remediation_outcome(peerguard_remediation_list_get(list, i)) == PEERGUARD_OUTCOME_FAILED)
			deletable = 0;
	peerguard_remediation_list_free(list);
	return deletable;
}

/*
 * Reads JSON lines from standard input with read(2) and poll(2) rather than
 * stdio, so the quiet check and the metrics run every second while no line
 * arrives.
 */
static int watch_stdin(rcli *cli, watch_counts *wc)
{
	char *pending = NULL;
	size_t len = 0, cap = 0;
	long lineno = 0;
	int status = 0, eof = 0;

	while (!stop_requested && !eof) {
		struct pollfd pfd = { 0, POLLIN, 0 };
		char chunk[65536];
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0) {
			check_quiet(cli, wc);
			write_metrics(cli, wc);
			continue;
		}
		n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = 1;
			chunk[0] = '\n';     /* a last line without a newline still counts */
			n = len ? 1 : 0;
		}
		if (len + (size_t)n + 1 > cap) {
			size_t ncap = (len + (size_t)n + 1) * 2;
			char *p = realloc(pending, ncap);

			if (!p) {
				rcli_error(cli, "out of memory");
				status = 2;
				break;
			}
			pending = p;
			cap = ncap;
		}
		memcpy(pending + len, chunk, (size_t)n);
		len += (size_t)n;

		char *start = pending, *nl;

		while ((nl = memchr(start, '\n', len - (size_t)(start - pending)))) {
			char name[64];
			size_t line_len = (size_t)(nl - start);

			lineno++;
			size_t blank = 0;

			/* The line is not NUL-terminated: count leading blanks within its length only. */
			while (blank < line_len && (start[blank] == ' ' || start[blank] == '\t' || start[blank] == '\r'))
				blank++;
			if (blank < line_len) {
				wc->received++;
				snprintf(name, sizeof(name), "<stdin>:%ld", lineno);
				if (handle_document(cli, wc, start, line_len, name) < 0) {
					status = 2;
					eof = 1;
					break;
				}
			}
			start = nl + 1;
		}
		len -= (size_t)(start - pending);
		memmove(pending, start, len);
		check_quiet(cli, wc);
		write_metrics(cli, wc);
	}
	free(pending);
	return status;
}

static int watch_sqs(rcli *cli, watch_counts *wc, const char *queue_url, unsigned int wait, unsigned int visibility,
	int once)
{
	unsigned int backoff_ms = 1000;

	rcli_log(PEERGUARD_LOG_INFO, "watching the queue", cli);
	while (!stop_requested) {
		sqs_message *messages = NULL;
		size_t n = 0;
		peerguard_aws_error aerr;

		check_quiet(cli, wc);
		if (sqs_receive(&messages, &n, cli->client, queue_url, wait, SQS_MAX_MESSAGES, visibility, &aerr) < 0) {
			struct timespec ts = { backoff_ms / 1000, (long)(backoff_ms % 1000) * 1000000L };

			wc->receive_errors++;
			rcli_error(cli, "error: %s; retrying in %u ms", aerr.error.message, backoff_ms);
			write_metrics(cli, wc);
			if (aerr.error.code == PEERGUARD_ECONFIG)
				return 2;
			nanosleep(&ts, NULL);
			backoff_ms = backoff_ms < 30000 ? backoff_ms * 2 : 30000;
			continue;
		}
		backoff_ms = 1000;
		for (size_t i = 0; i < n; i++) {
			char name[160];
			int verdict;

			wc->received++;
			snprintf(name, sizeof(name), "sqs message %s", messages[i].message_id ? messages[i].message_id : "");
			verdict = handle_document(cli, wc, messages[i].body ? messages[i].body : "",
				messages[i].body ? strlen(messages[i].body) : 0, name);
			if (verdict < 0) {
				sqs_messages_free(messages, n);
				return 2;
			}
			if (!verdict) {
				wc->kept++;
				rcli_error(cli, "warning: %s is kept: a remediation failed on an AWS call; the queue delivers it "
					"again after its visibility timeout", name);
				continue;
			}
			if (sqs_delete(cli->client, queue_url, messages[i].receipt_handle, &aerr) < 0)
				rcli_error(cli, "error: %s was remediated but could not be deleted (%s); its repeat will be "
					"recognised by the state file", name, aerr.error.message);
			else
				wc->deleted++;
		}
		sqs_messages_free(messages, n);
		write_metrics(cli, wc);
		if (once && n == 0)
			break;
	}
	return 0;
}

int peerguard_cmd_watch(int argc, char **argv)
{
	static const struct option options[] = {
		RCLI_LONG_OPTIONS,
		{ "sqs-queue-url", required_argument, NULL, 'q' },
		{ "wait-seconds", required_argument, NULL, 'w' },
		{ "visibility-timeout", required_argument, NULL, 't' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *queue_url = NULL;
	unsigned int wait = SQS_WAIT_SECONDS, visibility = 0;
	int once = 0, use_stdin = 0, opt, status;
	watch_counts wc;
	struct sigaction sa;
	rcli cli;
	char *end;

	rcli_init(&cli, "watch");
	memset(&wc, 0, sizeof(wc));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		int handled = rcli_option(&cli, opt, optarg);

		if (handled < 0)
			return 2;
		if (handled)
			continue;
		switch (opt) {
		case 'q':
			queue_url = optarg;
			break;
		case 'w':
			wait = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || *optarg == '-' || wait > 20) {
				rcli_error(&cli, "invalid --wait-seconds '%s': use 0 to 20", optarg);
				return 2;
			}
			break;
		case 't':
			visibility = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || *optarg == '-' || visibility > 43200) {
				rcli_error(&cli, "invalid --visibility-timeout '%s': use 0 to 43200 seconds", optarg);
				return 2;
			}
			break;
		case 'o':
			once = 1;
			break;
		case 'h':
			watch_usage(stdout);
			return 0;
		default:
			watch_usage(stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			rcli_error(&cli, "unexpected argument '%s': give --sqs-queue-url URL or '-'", argv[i]);
			return 2;
		}
		use_stdin = 1;
	}
	if (use_stdin == (queue_url != NULL)) {
		rcli_error(&cli, "give exactly one source: --sqs-queue-url URL or '-' for JSON lines on standard input");
		return 2;
	}
	if (queue_url && !cli.rem_opts.audit_log) {
		rcli_error(&cli, "--sqs-queue-url needs --audit-log: a message is deleted only after its decision is there");
		return 2;
	}
	if (rcli_open(&cli, 1) < 0) {
		rcli_close(&cli);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	stop_requested = 0;

	status = use_stdin ? watch_stdin(&cli, &wc) : watch_sqs(&cli, &wc, queue_url, wait, visibility, once);
	check_quiet(&cli, &wc);
	write_metrics(&cli, &wc);
	rcli_print_counts(&cli, wc.outcomes);
	rcli_close(&cli);
	if (status)
		return status;
	return rcli_any_unsafe(wc.outcomes) ? 1 : 0;
}
