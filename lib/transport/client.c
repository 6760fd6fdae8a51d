/* Client lifetime, settings, endpoints, and per-account clients. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "transport/response.h"
#include "core/value_remote.h"
#include "transport/client.h"
#include "transport/http.h"

static const char *const service_env_names[] = { "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SNS" };

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void client_log(peerguard_client *c, peerguard_log_level level, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	if (!c || !c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	c->log(level, message, c->log_userdata);
}

int set_error(peerguard_aws_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->error.code = code;
	va_start(ap, fmt);
	vsnprintf(err->error.message, sizeof(err->error.message), fmt, ap);
	va_end(ap);
	return code;
}

double client_clock(peerguard_client *c)
{
	struct timespec ts;

	if (c->clock)
		return c->clock(c->clock_userdata);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double client_now(peerguard_client *c)
{
	double now = client_clock(c), offset;

	pthread_mutex_lock(&c->lock);
	offset = c->clock_offset;
	pthread_mutex_unlock(&c->lock);
	return now + offset;
}

const char *client_call_region(peerguard_client *c, const char *region, const char *action,
	peerguard_aws_error *err)
{
	const char *r = region && *region ? region : c->region;

	if (!r) {
		set_error(err, PEERGUARD_ECONFIG, "%s: no region: pass one to the call, set the client's region, "
			"AWS_REGION or AWS_DEFAULT_REGION, or add region to the profile", action);
		return NULL;
	}
	for (const char *p = r; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-') {
			set_error(err, PEERGUARD_ECONFIG, "%s: invalid region \"%.64s\": use a region name such as us-east-1",
				action, r);
			return NULL;
		}
	return r;
}

void endpoint_for_messages(char *out, size_t size, const char *url)
{
	if (url)
		url_redact(out, size, url);
	else
		copy_string(out, size, "(no endpoint)");
}

int check_endpoint(const char *url, const char *source, peerguard_aws_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok;

	if (!u)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		(strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!ok) {
		char shown[256];

		endpoint_for_messages(shown, sizeof(shown), url);
		return set_error(err, PEERGUARD_ECONFIG, "invalid endpoint URL \"%.200s\" from %s: "
			"use an absolute http:// or https:// URL such as https://ec2.us-east-1.amazonaws.com", shown, source);
	}
	return 0;
}

/* Chooses each service's endpoint: option, then environment, then the profile's endpoint_url. */
static int resolve_endpoints(peerguard_client *c, const peerguard_client_options *o, const char *profile_endpoint,
	peerguard_aws_error *err)
{
	const char *service_opts[3] = { o->ec2_endpoint_url, o->sts_endpoint_url, o->sns_endpoint_url };
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	int use_env = !(ignore && strcasecmp(ignore, "true") == 0);

	for (int s = 0; s < 3; s++) {
		const char *url = NULL, *source = NULL;

		if (service_opts[s]) {
			url = service_opts[s];
			source = "the client options";
		} else if (o->endpoint_url) {
			url = o->endpoint_url;
			source = "the client options";
		} else if (use_env && nonempty_env(service_env_names[s])) {
			url = getenv(service_env_names[s]);
			source = service_env_names[s];
		} else if (use_env && nonempty_env("AWS_ENDPOINT_URL")) {
			url = getenv("AWS_ENDPOINT_URL");
			source = "AWS_ENDPOINT_URL";
		} else if (use_env && profile_endpoint) {
			url = profile_endpoint;
			source = "the profile's endpoint_url";
		}
		if (!url)
			continue;
		if (check_endpoint(url, source, err) < 0)
			return err ? err->error.code : PEERGUARD_ECONFIG;
		c->endpoint[s] = strdup(url);
		if (!c->endpoint[s])
			return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}

	/* Other services (peerguard_aws_query) take the endpoint meant for every service. */
	const char *url = o->endpoint_url, *source = "the client options";
	if (!url && use_env && nonempty_env("AWS_ENDPOINT_URL")) {
		url = getenv("AWS_ENDPOINT_URL");
		source = "AWS_ENDPOINT_URL";
	} else if (!url && use_env && profile_endpoint) {
		url = profile_endpoint;
		source = "the profile's endpoint_url";
	}
	if (url) {
		if (check_endpoint(url, source, err) < 0)
			return err ? err->error.code : PEERGUARD_ECONFIG;
		c->endpoint_default = strdup(url);
		if (!c->endpoint_default)
			return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	return 0;
}

static int copy_extra_headers(peerguard_client *c, const char *const *headers, peerguard_aws_error *err)
{
	size_t n = 0;

	while (headers && headers[n])
		n++;
	if (n == 0)
		return 0;
	c->extra_headers = calloc(n, sizeof(char *));
	if (!c->extra_headers)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(headers[i], ':');

		if (!colon || colon == headers[i] || strpbrk(headers[i], "\r\n"))
			return set_error(err, PEERGUARD_EINVAL, "invalid extra header \"%.100s\": use \"Name: value\" "
				"on one line", headers[i]);
		c->extra_headers[i] = strdup(headers[i]);
		if (!c->extra_headers[i])
			return set_error(err, PEERGUARD_ENOMEM, "out of memory");
		c->n_extra_headers++;
	}
	return 0;
}

static peerguard_client *client_alloc(void)
{
	peerguard_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->refcount = 1;
	pthread_mutex_init(&c->lock, NULL);
	c->rng = (unsigned int)time(NULL) ^ (unsigned int)getpid() ^ (unsigned int)(size_t)c;
	return c;
}

static unsigned int or_default(unsigned int v, unsigned int def)
{
	return v ? v : def;
}

int peerguard_client_new(peerguard_client **out, const peerguard_client_options *opts, peerguard_aws_error *err)
{
	peerguard_client_options defaults = PEERGUARD_CLIENT_OPTIONS_INIT;
	const peerguard_client_options *o = opts ? opts : &defaults;
	peerguard_client *c;
	char *profile_region = NULL, *profile_endpoint = NULL;
	int rc;

	peerguard_aws_error_clear(err);
	if (!out)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_client_new: out is NULL");
	*out = NULL;
	if (o->version != PEERGUARD_CLIENT_OPTIONS_VERSION)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_client_new: options version %u is not %u: "
			"initialise the options with PEERGUARD_CLIENT_OPTIONS_INIT", o->version, PEERGUARD_CLIENT_OPTIONS_VERSION);
	http_global_init();

	c = client_alloc();
	if (!c)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	c->log = o->log;
	c->log_userdata = o->log_userdata;
	c->clock = o->clock;
	c->clock_userdata = o->clock_userdata;
	c->max_attempts = or_default(o->max_attempts, DEFAULT_MAX_ATTEMPTS);
	c->connect_timeout_ms = or_default(o->connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS);
	c->attempt_timeout_ms = or_default(o->attempt_timeout_ms, DEFAULT_ATTEMPT_TIMEOUT_MS);
	c->deadline_ms = or_default(o->deadline_ms, DEFAULT_DEADLINE_MS);
	c->backoff_base_ms = or_default(o->backoff_base_ms, DEFAULT_BACKOFF_BASE_MS);
	c->backoff_max_ms = or_default(o->backoff_max_ms, DEFAULT_BACKOFF_MAX_MS);

	/* Region and profile: options first, then the environment. */
	c->region = dup_or_null(o->region ? o->region :
		nonempty_env("AWS_REGION") ? getenv("AWS_REGION") : nonempty_env("AWS_DEFAULT_REGION"));
	c->profile_explicit = o->profile != NULL;
	c->profile = strdup(o->profile ? o->profile : nonempty_env("AWS_PROFILE") ? getenv("AWS_PROFILE") : "default");
	c->ca_bundle = dup_or_null(o->ca_bundle ? o->ca_bundle : nonempty_env("AWS_CA_BUNDLE"));
	c->role_session_name = strdup(o->role_session_name ? o->role_session_name : DEFAULT_SESSION_NAME);
	c->external_id = dup_or_null(o->external_id);
	c->role_arn_template = dup_or_null(o->role_arn_template);
	if (!c->profile || !c->role_session_name) {
		rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
		goto fail;
	}
	rc = copy_extra_headers(c, o->extra_headers, err);
	if (rc < 0)
		goto fail;

	/* The profile's region and endpoint come first: a role profile's base client needs them. */
	rc = profile_settings(&profile_region, &profile_endpoint, c->profile, err);
	if (rc < 0)
		goto fail;
	if (!c->region && profile_region) {
		c->region = profile_region;
		profile_region = NULL;
	}
	rc = resolve_endpoints(c, o, profile_endpoint, err);
	if (rc < 0)
		goto fail;
	rc = cred_resolve(&c->creds, c, o->credentials, err);
	if (rc < 0)
		goto fail;

	/* A role to act as: the credentials found above become the base that assumes it. */
	if (o->role_arn) {
		peerguard_client *base = NULL;
		cred_source *role;

		rc = client_derive(&base, c, c->creds, NULL);
		if (rc < 0) {
			set_error(err, rc, "out of memory");
			goto fail;
		}
		c->creds = NULL;
		role = cred_source_assume_role(base, 1, o->role_arn, c->role_session_name, c->external_id, 0);
		if (!role) {
			peerguard_client_free(base);
			rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
			goto fail;
		}
		c->creds = role;
	}

	/* Fetch the credentials now, so that a broken source fails here and not in the first call. */
	cred_snapshot snap = { 0 };
	rc = cred_source_get(c->creds, c, client_now(c), &snap, err);
	if (rc < 0)
		goto fail;
	copy_string(c->access_key_id, sizeof(c->access_key_id), snap.access_key_id);
	cred_snapshot_clear(&snap);

	free(profile_region);
	free(profile_endpoint);
	*out = c;
	return 0;

fail:
	free(profile_region);
	free(profile_endpoint);
	peerguard_client_free(c);
	return rc;
}

int client_derive(peerguard_client **out, peerguard_client *c, cred_source *src, peerguard_client *parent)
{
	peerguard_client *d = client_alloc();

	*out = NULL;
	if (!d)
		return PEERGUARD_ENOMEM;
	d->region = dup_or_null(c->region);
	d->profile = dup_or_null(c->profile);
	d->profile_explicit = c->profile_explicit;
	for (int s = 0; s < 3; s++)
		d->endpoint[s] = dup_or_null(c->endpoint[s]);
	d->endpoint_default = dup_or_null(c->endpoint_default);
	d->ca_bundle = dup_or_null(c->ca_bundle);
	d->max_attempts = c->max_attempts;
	d->connect_timeout_ms = c->connect_timeout_ms;
	d->attempt_timeout_ms = c->attempt_timeout_ms;
	d->deadline_ms = c->deadline_ms;
	d->backoff_base_ms = c->backoff_base_ms;
	d->backoff_max_ms = c->backoff_max_ms;
	if (c->n_extra_headers) {
		d->extra_headers = calloc(c->n_extra_headers, sizeof(char *));
		for (size_t i = 0; d->extra_headers && i < c->n_extra_headers; i++)
			d->extra_headers[d->n_extra_headers++] = strdup(c->extra_headers[i]);
	}
	d->log = c->log;
	d->log_userdata = c->log_userdata;
	d->clock = c->clock;
	d->clock_userdata = c->clock_userdata;
	d->role_session_name = dup_or_null(c->role_session_name);
	d->external_id = dup_or_null(c->external_id);
	d->role_arn_template = dup_or_null(c->role_arn_template);
	pthread_mutex_lock(&c->lock);
	d->clock_offset = c->clock_offset;
	pthread_mutex_unlock(&c->lock);
	d->creds = src;
	if (parent) {
		client_ref(parent);
		d->parent = parent;
	}
	*out = d;
	return 0;
}

void client_ref(peerguard_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->refcount++;
	pthread_mutex_unlock(&c->lock);
}

void peerguard_client_free(peerguard_client *c)
{
	int last;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	last = --c->refcount == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;

	/* Per-account clients borrow c as their base, so they go first. */
	for (size_t i = 0; i < c->n_accounts; i++) {
		free(c->accounts[i].account_id);
		free(c->accounts[i].role_arn);
		peerguard_client_free(c->accounts[i].client);
	}
	free(c->accounts);
	cred_source_free(c->creds);
	free(c->region);
	free(c->profile);
	for (int s = 0; s < 3; s++)
		free(c->endpoint[s]);
	free(c->endpoint_default);
	free(c->ca_bundle);
	for (size_t i = 0; i < c->n_extra_headers; i++)
		free(c->extra_headers[i]);
	free(c->extra_headers);
	free(c->role_session_name);
	free(c->external_id);
	free(c->role_arn_template);
	pthread_mutex_destroy(&c->lock);
	if (c->parent)
		peerguard_client_free(c->parent);
	free(c);
}

const char *peerguard_client_region(const peerguard_client *c)
{
	return c ? c->region : NULL;
}

int peerguard_client_access_key_id(char **out, const peerguard_client *c)
{
	if (!out)
		return PEERGUARD_EINVAL;
	*out = NULL;
	if (!c)
		return PEERGUARD_EINVAL;
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	*out = strdup(c->access_key_id);
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return *out ? 0 : PEERGUARD_ENOMEM;
}

double peerguard_client_clock_offset(const peerguard_client *c)
{
	double offset;

	if (!c)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	offset = c->clock_offset;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return offset;
}

/* Replaces "{account_id}" in template; returns a new string or NULL. */
static char *expand_template(const char *template, const char *account_id)
{
	const char *mark = strstr(template, "{account_id}");
	size_t n;
	char *s;

	if (!mark)
		return NULL;
	n = strlen(template) - strlen("{account_id}") + strlen(account_id) + 1;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%.*s%s%s", (int)(mark - template), template, account_id, mark + strlen("{account_id}"));
	return s;
}

static int valid_account_id(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!isdigit((unsigned char)id[n]))
			return 0;
	return n == 12;
}

int peerguard_client_for_account(peerguard_client **out, peerguard_client *c, const char *account_id,
	const char *role_arn_template, peerguard_aws_error *err)
{
	const char *template;
	char *role_arn;
	peerguard_client *child = NULL;
	cred_source *src;
	int rc;

	peerguard_aws_error_clear(err);
	if (!out || !c || !account_id)
		return set_error(err, PEERGUARD_EINVAL, "peerguard_client_for_account: out, client and account id are required");
	*out = NULL;
	if (!valid_account_id(account_id))
		return set_error(err, PEERGUARD_EINVAL, "invalid account id \"%.32s\": use the 12-digit account id as a string",
			account_id);
	template = role_arn_template ? role_arn_template : c->role_arn_template;
	if (!template)
		return set_error(err, PEERGUARD_EINVAL, "no role ARN template for account %s: set role_arn_template, "
			"such as arn:aws:iam::{account_id}:role/peerguard", account_id);
	role_arn = expand_template(template, account_id);
	if (!role_arn)
		return set_error(err, PEERGUARD_EINVAL, "role ARN template \"%.200s\" has no {account_id}: "
			"write it as arn:aws:iam::{account_id}:role/NAME", template);

	/* A cached client for the same account and role is reused; its credentials refresh themselves. */
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n_accounts; i++)
		if (strcmp(c->accounts[i].account_id, account_id) == 0 && strcmp(c->accounts[i].role_arn, role_arn) == 0)
			child = c->accounts[i].client;
	pthread_mutex_unlock(&c->lock);
	if (child) {
		free(role_arn);
		*out = child;
		return 0;
	}

	src = cred_source_assume_role(c, 0, role_arn, c->role_session_name, c->external_id, 0);
	if (!src || client_derive(&child, c, src, NULL) < 0) {
		cred_source_free(src);
		free(role_arn);
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}

	cred_snapshot snap = { 0 };
	rc = cred_source_get(child->creds, child, client_now(child), &snap, err);
	if (rc < 0) {
		peerguard_client_free(child);
		free(role_arn);
		return rc;
	}
	copy_string(child->access_key_id, sizeof(child->access_key_id), snap.access_key_id);
	cred_snapshot_clear(&snap);

	/* Another thread may have added the same account meanwhile: keep the first. */
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n_accounts; i++)
		if (strcmp(c->accounts[i].account_id, account_id) == 0 && strcmp(c->accounts[i].role_arn, role_arn) == 0) {
			pthread_mutex_unlock(&c->lock);
			peerguard_client_free(child);
			free(role_arn);
			*out = c->accounts[i].client;
			return 0;
		}
	account_client *grown = realloc(c->accounts, (c->n_accounts + 1) * sizeof(*grown));
	if (!grown) {
		pthread_mutex_unlock(&c->lock);
		peerguard_client_free(child);
		free(role_arn);
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	c->accounts = grown;
	c->accounts[c->n_accounts].account_id = strdup(account_id);
	c->accounts[c->n_accounts].role_arn = role_arn;
	c->accounts[c->n_accounts].client = child;
	c->n_accounts++;
	pthread_mutex_unlock(&c->lock);

	*out = child;
	return 0;
}

void params_add(query_params *p, const char *name, const char *value)
{
	if (p->failed)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		query_param *items = realloc(p->items, cap * sizeof(*items));

		if (!items) {
			p->failed = 1;
			return;
		}
		p->items = items;
		p->cap = cap;
	}
	p->items[p->n].name = strdup(name);
	p->items[p->n].value = strdup(value ? value : "");
	if (!p->items[p->n].name || !p->items[p->n].value)
		p->failed = 1;
	p->n++;
}

void params_addf(query_params *p, const char *value, const char *name_fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, name_fmt);
	vsnprintf(name, sizeof(name), name_fmt, ap);
	va_end(ap);
	params_add(p, name, value);
}

void params_free(query_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].value);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}
