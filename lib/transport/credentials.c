/* Credential sources and the SDKs' resolution chain. */
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "transport/response.h"
#include "transport/client.h"
#include "transport/credentials.h"
#include "transport/ini.h"
#include "transport/process.h"
#include "transport/shapes.h"

/* Maximum number of profiles followed through source_profile. */
#define MAX_PROFILE_DEPTH 8

typedef enum cred_kind {
	CRED_STATIC,
	CRED_PROCESS,
	CRED_ASSUME_ROLE
} cred_kind;

struct cred_source {
	cred_kind kind;
	pthread_mutex_t lock;         /* guards current and have_current */
	cred_snapshot current;
	int have_current;
	char origin[320];
	char *command;                /* CRED_PROCESS */
	peerguard_client *base;       /* CRED_ASSUME_ROLE */
	int own_base;
	char *role_arn;
	char *session_name;
	char *external_id;
	unsigned int duration_seconds;
	json_t *role_info;            /* AssumedRoleUser and the key id and expiry, no secrets */
};

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void cred_snapshot_clear(cred_snapshot *s)
{
	wipe_free(s->access_key_id);
	wipe_free(s->secret_access_key);
	wipe_free(s->session_token);
	memset(s, 0, sizeof(*s));
}

static int snapshot_copy(cred_snapshot *dst, const cred_snapshot *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->access_key_id = strdup(src->access_key_id);
	dst->secret_access_key = strdup(src->secret_access_key);
	dst->session_token = src->session_token ? strdup(src->session_token) : NULL;
	dst->expiration = src->expiration;
	if (!dst->access_key_id || !dst->secret_access_key || (src->session_token && !dst->session_token)) {
		cred_snapshot_clear(dst);
		return -1;
	}
	return 0;
}

static int snapshot_set(cred_snapshot *s, const char *key, const char *secret, const char *token, double expiration)
{
	cred_snapshot fresh = { (char *)key, (char *)secret, token && *token ? (char *)token : NULL, expiration };

	return snapshot_copy(s, &fresh);
}

static cred_source *source_new(cred_kind kind, const char *origin)
{
	cred_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	pthread_mutex_init(&s->lock, NULL);
	copy_string(s->origin, sizeof(s->origin), origin);
	return s;
}

cred_source *cred_source_static(const char *access_key_id, const char *secret_access_key,
	const char *session_token, const char *origin)
{
	cred_source *s = source_new(CRED_STATIC, origin);

	if (!s)
		return NULL;
	if (snapshot_set(&s->current, access_key_id, secret_access_key, session_token, 0) < 0) {
		cred_source_free(s);
		return NULL;
	}
	s->have_current = 1;
	return s;
}

cred_source *cred_source_process(const char *command, const char *origin)
{
	cred_source *s = source_new(CRED_PROCESS, origin);

	if (!s)
		return NULL;
	s->command = strdup(command);
	if (!s->command) {
		cred_source_free(s);
		return NULL;
	}
	return s;
}

cred_source *cred_source_assume_role(peerguard_client *base, int own_base, const char *role_arn,
	const char *session_name, const char *external_id, unsigned int duration_seconds)
{
	char origin[320];
	cred_source *s;

	snprintf(origin, sizeof(origin), "role %s", role_arn);
	s = source_new(CRED_ASSUME_ROLE, origin);
	if (!s)
		return NULL;
	s->base = base;
	s->own_base = own_base;
	s->role_arn = strdup(role_arn);
	s->session_name = strdup(session_name ? session_name : DEFAULT_SESSION_NAME);
	s->external_id = external_id ? strdup(external_id) : NULL;
	s->duration_seconds = duration_seconds;
	if (!s->role_arn || !s->session_name || (external_id && !s->external_id)) {
		s->own_base = 0;
		cred_source_free(s);
		return NULL;
	}
	return s;
}

void cred_source_free(cred_source *s)
{
	if (!s)
		return;
	cred_snapshot_clear(&s->current);
	free(s->command);
	if (s->own_base)
		peerguard_client_free(s->base);
	free(s->role_arn);
	free(s->session_name);
	free(s->external_id);
	json_decref(s->role_info);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

json_t *cred_source_role_info(cred_source *s)
{
	json_t *info;

	pthread_mutex_lock(&s->lock);
	info = s->role_info ? json_deep_copy(s->role_info) : NULL;
	pthread_mutex_unlock(&s->lock);
	return info;
}

const char *cred_source_origin(const cred_source *s)
{
	return s ? s->origin : "";
}

int parse_iso8601(const char *s, double *out)
{
	struct tm tm = { 0 };
	const char *p;
	double seconds;

	if (!s)
		return -1;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	seconds = (double)timegm(&tm);
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int hh, mm;

		/* Exactly +HH:MM, so the parser never steps past the end of a short string. */
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
		    !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]))
			return -1;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[4] - '0') * 10 + (p[5] - '0');
		seconds -= sign * (hh * 3600 + mm * 60);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*out = seconds;
	return 0;
}

/* Runs the credential_process program and parses its JSON (Version 1). */
static int refresh_process(cred_source *s, peerguard_client *c, peerguard_aws_error *err)
{
	char *output = NULL;
	char why[512];
	json_t *root;
	json_error_t jerr;
	const char *key = NULL, *secret = NULL, *token = NULL, *expiration = NULL;
	int version = 0;
	double expires = 0;

	if (process_run(&output, s->command, why, sizeof(why)) < 0)
		return set_error(err, PEERGUARD_ECREDENTIALS, "%s: %s; run the program by hand to see its error",
			s->origin, why);
	root = json_loads(output, 0, &jerr);
	OPENSSL_cleanse(output, strlen(output));
	free(output);
	if (!root)
		return set_error(err, PEERGUARD_ECREDENTIALS, "%s: the credential_process output is not JSON "
			"(line %d): it must be {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}",
			s->origin, jerr.line);
	if (json_unpack(root, "{s:i, s:s, s:s, s?s, s?s}", "Version", &version, "AccessKeyId", &key,
			"SecretAccessKey", &secret, "SessionToken", &token, "Expiration", &expiration) < 0 ||
	    version != 1 || !*key || !*secret) {
		json_decref(root);
		return set_error(err, PEERGUARD_ECREDENTIALS, "%s: the credential_process output needs Version 1, "
			"AccessKeyId and SecretAccessKey (SessionToken and Expiration are optional)", s->origin);
	}
	if (expiration && parse_iso8601(expiration, &expires) < 0) {
		json_decref(root);
		return set_error(err, PEERGUARD_ECREDENTIALS, "%s: invalid Expiration \"%.40s\" in the "
			"credential_process output: use ISO-8601 such as 2026-01-15T23:50:00Z", s->origin, expiration);
	}

	cred_snapshot_clear(&s->current);
	int rc = snapshot_set(&s->current, key, secret, token, expires);
	json_decref(root);
	if (rc < 0)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	s->have_current = 1;
	client_log(c, PEERGUARD_LOG_INFO, "%s: credentials for access key %s obtained", s->origin,
		s->current.access_key_id);
	return 0;
}

/* Calls STS AssumeRole with the base client's credentials. */
static int refresh_assume_role(cred_source *s, peerguard_client *c, peerguard_aws_error *err)
{
	query_params params = QUERY_PARAMS_INIT;
	char duration[16];
	xml_node *root = NULL;
	const xml_node *result = NULL;
	json_t *json;
	const char *key = NULL, *secret = NULL, *token = NULL, *expiration = NULL;
	double expires = 0;
	int rc;

	params_add(&params, "RoleArn", s->role_arn);
	params_add(&params, "RoleSessionName", s->session_name);
	if (s->external_id)
		params_add(&params, "ExternalId", s->external_id);
	if (s->duration_seconds) {
		snprintf(duration, sizeof(duration), "%u", s->duration_seconds);
		params_add(&params, "DurationSeconds", duration);
	}
	aws_call call = { SERVICE_STS, s->base->region ? NULL : "us-east-1", "AssumeRole", "2011-06-15", &params, 1 };

	rc = client_call(&root, &result, s->base, &call, err);
	params_free(&params);
	if (rc < 0)
		return rc;

	json = shape_to_json(&shape_assume_role_result, result);
	xml_free(root);
	if (!json)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	if (json_unpack(json, "{s:{s:s, s:s, s:s, s:s}}", "Credentials", "AccessKeyId", &key,
			"SecretAccessKey", &secret, "SessionToken", &token, "Expiration", &expiration) < 0 ||
	    parse_iso8601(expiration, &expires) < 0) {
		json_decref(json);
		return set_error(err, PEERGUARD_ERESPONSE, "sts AssumeRole for %s: the response lacks Credentials "
			"with AccessKeyId, SecretAccessKey, SessionToken and an ISO-8601 Expiration; check the STS endpoint",
			s->role_arn);
	}

	cred_snapshot_clear(&s->current);
	rc = snapshot_set(&s->current, key, secret, token, expires);
	json_decref(s->role_info);
	s->role_info = json_pack("{s:O?, s:{s:s, s:s}}", "AssumedRoleUser", json_object_get(json, "AssumedRoleUser"),
		"Credentials", "AccessKeyId", key, "Expiration", expiration);
	if (rc == 0)
		client_log(c, PEERGUARD_LOG_INFO, "assumed %s as access key %s, valid until %s", s->role_arn,
			s->current.access_key_id, expiration);
	json_decref(json);
	if (rc < 0)
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	s->have_current = 1;
	return 0;
}

int cred_source_invalidate(cred_source *s)
{
	int refreshable = s && s->kind != CRED_STATIC;

	if (refreshable) {
		pthread_mutex_lock(&s->lock);
		s->have_current = 0;
		pthread_mutex_unlock(&s->lock);
	}
	return refreshable;
}

int cred_source_get(cred_source *s, peerguard_client *c, double now, cred_snapshot *out, peerguard_aws_error *err)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s)
		return set_error(err, PEERGUARD_ECREDENTIALS, "no credentials source");
	pthread_mutex_lock(&s->lock);
	int fresh = s->have_current &&
		(s->current.expiration == 0 || now < s->current.expiration - CREDENTIALS_REFRESH_MARGIN);
	if (!fresh) {
		if (s->kind == CRED_PROCESS)
			rc = refresh_process(s, c, err);
		else if (s->kind == CRED_ASSUME_ROLE)
			rc = refresh_assume_role(s, c, err);
	}
	if (rc == 0 && snapshot_copy(out, &s->current) < 0)
		rc = set_error(err, PEERGUARD_ENOMEM, "out of memory");
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- The resolution chain ---- */

typedef struct shared_files {
	ini_file *credentials;
	ini_file *config;
	char credentials_path[512];
	char config_path[512];
} shared_files;

static void file_path(char *out, size_t len, const char *env, const char *default_name)
{
	const char *v = getenv(env);
	const char *home = getenv("HOME");

	if (v && *v) {
		if (v[0] == '~' && v[1] == '/' && home)
			snprintf(out, len, "%s%s", home, v + 1);
		else
			snprintf(out, len, "%s", v);
	} else {
		snprintf(out, len, "%s/.aws/%s", home ? home : "", default_name);
	}
}

static int load_files(shared_files *f, peerguard_aws_error *err)
{
	char why[512];

	memset(f, 0, sizeof(*f));
	file_path(f->credentials_path, sizeof(f->credentials_path), "AWS_SHARED_CREDENTIALS_FILE", "credentials");
	file_path(f->config_path, sizeof(f->config_path), "AWS_CONFIG_FILE", "config");
	if (ini_load(&f->credentials, f->credentials_path, why, sizeof(why)) < 0 ||
	    ini_load(&f->config, f->config_path, why, sizeof(why)) < 0)
		return set_error(err, PEERGUARD_ECONFIG, "%s; fix the file or point AWS_SHARED_CREDENTIALS_FILE "
			"or AWS_CONFIG_FILE elsewhere", why);
	return 0;
}

static void free_files(shared_files *f)
{
	ini_free(f->credentials);
	ini_free(f->config);
}

/* The config file names profiles "[profile NAME]", except "[default]"; "[profile default]" also counts. */
static const char *config_value(const shared_files *f, const char *profile, const char *key)
{
	char section[600];
	const char *v;

	snprintf(section, sizeof(section), "profile %s", profile);
	v = ini_get(f->config, section, key);
	if (!v && strcmp(profile, "default") == 0)
		v = ini_get(f->config, "default", key);
	return v && *v ? v : NULL;
}

static const char *credentials_value(const shared_files *f, const char *profile, const char *key)
{
	const char *v = ini_get(f->credentials, profile, key);

	return v && *v ? v : NULL;
}

/* A setting of the profile: the credentials file wins over the config file. */
static const char *profile_value(const shared_files *f, const char *profile, const char *key)
{
	const char *v = credentials_value(f, profile, key);

	return v ? v : config_value(f, profile, key);
}

static int profile_exists(const shared_files *f, const char *profile)
{
	char section[600];

	snprintf(section, sizeof(section), "profile %s", profile);
	return ini_has_section(f->credentials, profile) || ini_has_section(f->config, section) ||
		(strcmp(profile, "default") == 0 && ini_has_section(f->config, "default"));
}

/* Static keys of a profile in one file, or NULL. */
static cred_source *static_from(const shared_files *f, const char *profile, int from_credentials_file)
{
	const char *(*get)(const shared_files *, const char *, const char *) =
		from_credentials_file ? credentials_value : config_value;
	const char *key = get(f, profile, "aws_access_key_id");
	const char *secret = get(f, profile, "aws_secret_access_key");
	const char *token = get(f, profile, "aws_session_token");
	char origin[320];

	if (!key || !secret)
		return NULL;
	if (!token)
		token = get(f, profile, "aws_security_token");
	snprintf(origin, sizeof(origin), "profile %s in %s", profile,
		from_credentials_file ? f->credentials_path : f->config_path);
	return cred_source_static(key, secret, token, origin);
}

static cred_source *environment_source(void)
{
	const char *key = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");

	if (!key || !*key || !secret || !*secret)
		return NULL;
	return cred_source_static(key, secret, getenv("AWS_SESSION_TOKEN"), "environment");
}

static int resolve_profile(cred_source **out, peerguard_client *c, const shared_files *f, const char *profile,
	unsigned int depth, peerguard_aws_error *err);

/* A profile with role_arn: its base credentials come from source_profile or credential_source. */
static int resolve_role_profile(cred_source **out, peerguard_client *c, const shared_files *f, const char *profile,
	const char *role_arn, unsigned int depth, peerguard_aws_error *err)
{
	const char *source_profile = profile_value(f, profile, "source_profile");
	const char *credential_source = profile_value(f, profile, "credential_source");
	const char *duration = profile_value(f, profile, "duration_seconds");
	const char *session = profile_value(f, profile, "role_session_name");
	const char *external_id = profile_value(f, profile, "external_id");
	cred_source *base_src = NULL;
	peerguard_client *base = NULL;
	int rc;

	if (source_profile && strcmp(source_profile, profile) == 0) {
		base_src = static_from(f, profile, 1);
		if (!base_src)
			base_src = static_from(f, profile, 0);
		if (!base_src)
			return set_error(err, PEERGUARD_ECREDENTIALS, "profile %s names itself as source_profile but has "
				"no aws_access_key_id and aws_secret_access_key", profile);
	} else if (source_profile) {
		rc = resolve_profile(&base_src, c, f, source_profile, depth + 1, err);
		if (rc < 0)
			return rc;
	} else if (credential_source && strcmp(credential_source, "Environment") == 0) {
		base_src = environment_source();
		if (!base_src)
			return set_error(err, PEERGUARD_ECREDENTIALS, "profile %s has credential_source = Environment, but "
				"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set", profile);
	} else if (credential_source) {
		return set_error(err, PEERGUARD_ECONFIG, "profile %s: credential_source = %.64s is not supported: "
			"use source_profile or credential_source = Environment", profile, credential_source);
	} else {
		return set_error(err, PEERGUARD_ECONFIG, "profile %s has role_arn but neither source_profile nor "
			"credential_source: add source_profile = NAME", profile);
	}

	if (client_derive(&base, c, base_src, NULL) < 0) {
		cred_source_free(base_src);
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	*out = cred_source_assume_role(base, 1, role_arn, session ? session : c->role_session_name,
		external_id ? external_id : c->external_id, duration ? (unsigned int)strtoul(duration, NULL, 10) : 0);
	if (!*out) {
		peerguard_client_free(base);
		return set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	return 0;
}

static int resolve_profile(cred_source **out, peerguard_client *c, const shared_files *f, const char *profile,
	unsigned int depth, peerguard_aws_error *err)
{
	const char *role_arn, *process;
	char origin[320];

	*out = NULL;
	if (depth > MAX_PROFILE_DEPTH)
		return set_error(err, PEERGUARD_ECONFIG, "profile %s: source_profile chain longer than %d profiles; "
			"look for a loop", profile, MAX_PROFILE_DEPTH);
	if (!profile_exists(f, profile))
		return set_error(err, PEERGUARD_ECONFIG, "profile %s not found in %s or %s: check the name, "
			"AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", profile, f->credentials_path,
			f->config_path);

	/* The SDKs' order within a profile: role, credentials-file keys, credential_process, config-file keys. */
	role_arn = profile_value(f, profile, "role_arn");
	if (role_arn)
		return resolve_role_profile(out, c, f, profile, role_arn, depth, err);
	*out = static_from(f, profile, 1);
	if (*out)
		return 0;
	process = profile_value(f, profile, "credential_process");
	if (process) {
		snprintf(origin, sizeof(origin), "credential_process of profile %s", profile);
		*out = cred_source_process(process, origin);
		return *out ? 0 : set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}
	*out = static_from(f, profile, 0);
	if (*out)
		return 0;
	return set_error(err, PEERGUARD_ECREDENTIALS, "profile %s has no credentials: add aws_access_key_id and "
		"aws_secret_access_key, role_arn with source_profile, or credential_process", profile);
}

int profile_settings(char **region_out, char **endpoint_out, const char *profile, peerguard_aws_error *err)
{
	shared_files f;
	int rc;

	*region_out = NULL;
	*endpoint_out = NULL;
	rc = load_files(&f, err);
	if (rc < 0)
		return rc;
	if (config_value(&f, profile, "region"))
		*region_out = strdup(config_value(&f, profile, "region"));
	if (config_value(&f, profile, "endpoint_url"))
		*endpoint_out = strdup(config_value(&f, profile, "endpoint_url"));
	free_files(&f);
	return 0;
}

int cred_resolve(cred_source **out, peerguard_client *c, const peerguard_credentials *explicit_creds,
	peerguard_aws_error *err)
{
	shared_files f;
	int rc;

	*out = NULL;

	/* 1. Explicit credentials. */
	if (explicit_creds) {
		if (!explicit_creds->access_key_id || !*explicit_creds->access_key_id ||
		    !explicit_creds->secret_access_key || !*explicit_creds->secret_access_key)
			return set_error(err, PEERGUARD_EINVAL, "explicit credentials need both an access key id and a "
				"secret access key");
		*out = cred_source_static(explicit_creds->access_key_id, explicit_creds->secret_access_key,
			explicit_creds->session_token, "explicit credentials");
		return *out ? 0 : set_error(err, PEERGUARD_ENOMEM, "out of memory");
	}

	/* 2. The environment, unless a profile was named explicitly. */
	if (!c->profile_explicit) {
		const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");

		if ((key && *key) != (secret && *secret))
			return set_error(err, PEERGUARD_ECREDENTIALS, "only one of AWS_ACCESS_KEY_ID and "
				"AWS_SECRET_ACCESS_KEY is set: set both, or neither to use a profile");
		*out = environment_source();
		if (*out)
			return 0;
	}

	/* 3. The shared files.  Without any file and without a named profile, say what is missing. */
	rc = load_files(&f, err);
	if (rc < 0)
		return rc;
	if (!f.credentials && !f.config && !c->profile_explicit && !getenv("AWS_PROFILE"))
		rc = set_error(err, PEERGUARD_ECREDENTIALS, "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
			"AWS_SECRET_ACCESS_KEY, or configure a profile in %s or %s", f.credentials_path, f.config_path);
	else
		rc = resolve_profile(out, c, &f, c->profile, 0, err);
	free_files(&f);
	return rc;
}
