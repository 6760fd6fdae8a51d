/*
 * Splitting a log file or JSON lines into records through a stream, and
 * parsing only the records the prefilter keeps.
 *
 * input_parse reads one document when the whole input is one JSON value,
 * and JSON lines otherwise.  The splitter reads the same two shapes value by
 * value: each top-level value must be an object, and when there are several
 * each must sit on its own line.  A value of the exact shape
 * {"Records": [...]} is split into its items; any other object is one
 * record.  Whatever falls outside that is handed back with SPLIT_FALLBACK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/split.h"

/* Bytes within which a log file's {"Records": [ opening must appear. */
#define PREFIX_WINDOW 256

typedef struct splitter {
	stream *s;
	input_parser ps;
	const prefilter *pf;
	const peerguard_limits *limits;
	peerguard_error *err;
	int multiline;            /* a newline inside some value */

	/* The records delimited in the current window: byte ranges of s->buf. */
	size_t *starts;
	size_t *ends;
	unsigned char *hit;       /* contains a needle */
	unsigned char *escaped;   /* contains a \u escape */
	size_t cap;
} splitter;

static int is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Advances the window's start past whitespace, reading more as needed.  Returns 1 at a byte, 0 at the end, or a negative code. */
static int skip_space(splitter *sp, int *newline)
{
	stream *s = sp->s;

	for (;;) {
		int rc;

		while (s->start < s->end && is_json_space(s->buf[s->start])) {
			if (s->buf[s->start] == '\n')
				*newline = 1;
			s->start++;
		}
		if (s->start < s->end)
			return 1;
		if ((rc = stream_fill(s, sp->err)) <= 0)
			return rc;
	}
}

/* Returns the offset after whitespace at buf[pos], noting newlines as inside a value. */
static size_t skip_inner_space(splitter *sp, size_t pos)
{
	stream *s = sp->s;

	while (pos < s->end && is_json_space(s->buf[pos])) {
		if (s->buf[pos] == '\n')
			sp->multiline = 1;
		pos++;
	}
	return pos;
}

/*
 * Checks whether the object at the window's start opens with
 * {"Records": [ and stores the length of that opening.  Returns 1 when it
 * does, 0 when it does not, or a negative code.
 */
static int log_prefix(splitter *sp, size_t *prefix_len)
{
	static const char key[] = "\"Records\"";
	stream *s = sp->s;
	size_t pos;
	int rc;

	while (s->end - s->start < PREFIX_WINDOW && !s->eof)
		if ((rc = stream_fill(s, sp->err)) < 0)
			return rc;

	pos = skip_inner_space(sp, s->start + 1);
	if (s->end - pos < sizeof(key) - 1 || memcmp(s->buf + pos, key, sizeof(key) - 1) != 0)
		return 0;
	pos = skip_inner_space(sp, pos + sizeof(key) - 1);
	if (pos >= s->end || s->buf[pos] != ':')
		return 0;
	pos = skip_inner_space(sp, pos + 1);
	if (pos >= s->end || s->buf[pos] != '[')
		return 0;
	*prefix_len = pos + 1 - s->start;
	return 1;
}

static int grow_records(splitter *sp)
{
	size_t cap = sp->cap ? sp->cap * 2 : 64;
	size_t *starts = realloc(sp->starts, cap * sizeof(*starts));
	size_t *ends;
	unsigned char *hit, *escaped;

	if (!starts)
		return -1;
	sp->starts = starts;
	if (!(ends = realloc(sp->ends, cap * sizeof(*ends))))
		return -1;
	sp->ends = ends;
	if (!(hit = realloc(sp->hit, cap)))
		return -1;
	sp->hit = hit;
	if (!(escaped = realloc(sp->escaped, cap)))
		return -1;
	sp->escaped = escaped;
	sp->cap = cap;
	return 0;
}

static int out_of_memory(splitter *sp)
{
	error_site site = { sp->s->name, 0, 0, NULL, NULL };

	return error_set(sp->err, PEERGUARD_ENOMEM, &site, "out of memory splitting %s", sp->s->name);
}

/* Parses the delimited records the prefilter keeps and counts the others.  Returns 0 or SPLIT_FALLBACK. */
static int take_records(splitter *sp, size_t n)
{
	stream *s = sp->s;

	if (n == 0)
		return 0;
	memset(sp->hit, 0, n);
	prefilter_mark(sp->pf, s->buf, sp->starts, sp->ends, n, sp->hit);
	for (size_t k = 0; k < n; k++) {
		const char *text = s->buf + sp->starts[k];
		size_t len = sp->ends[k] - sp->starts[k];

		if (sp->pf->active && !sp->hit[k] && !sp->escaped[k] && prefilter_is_event(text, len)) {
			input_skip_record(&sp->ps);
			continue;
		}
		if (input_parse_list_item(&sp->ps, text, len) < 0)
			return SPLIT_FALLBACK;
	}
	return 0;
}

/*
 * Splits the items of a Records list; the window's start is just past its
 * '['.  Returns 0 with the start past the closing ']', SPLIT_FALLBACK, or a
 * negative code.
 */
static int split_records(splitter *sp)
{
	stream *s = sp->s;
	unsigned int max_depth = sp->limits->max_depth > 2 ? sp->limits->max_depth - 2 : 0;
	int first = 1;

	for (;;) {
		size_t pos = s->start, n = 0;
		int done = 0, rc;

		/* Delimit every record whose following ',' or ']' is in the window. */
		for (;;) {
			scan_info info;
			scan_result sr;
			size_t sep;

			pos = skip_inner_space(sp, pos);
			if (pos >= s->end)
				break;
			if (first && s->buf[pos] == ']') {
				pos++;
				done = 1;
				break;
			}
			sr = json_scan_value(&info, s->buf + pos, s->end - pos, max_depth);
			if (sr == SCAN_INVALID)
				return SPLIT_FALLBACK;
			if (sr == SCAN_MORE)
				break;
			sep = skip_inner_space(sp, pos + info.end);
			if (sep >= s->end)
				break;
			if (s->buf[sep] != ',' && s->buf[sep] != ']')
				return SPLIT_FALLBACK;
			if (n == sp->cap && grow_records(sp) < 0)
				return out_of_memory(sp);
			sp->starts[n] = pos;
			sp->ends[n] = pos + info.end;
			sp->escaped[n] = (unsigned char)info.unicode_escape;
			n++;
			if (info.newline)
				sp->multiline = 1;
			first = 0;
			pos = sep + 1;
			if (s->buf[sep] == ']') {
				done = 1;
				break;
			}
		}

		if ((rc = take_records(sp, n)) != 0)
			return rc;
		s->start = pos;
		if (done)
			return 0;

		/* The window ends inside a record: read on, growing the window up to max_input_bytes. */
		if ((rc = stream_fill(s, sp->err)) < 0)
			return rc;
		if (rc == 0)
			return SPLIT_FALLBACK;
	}
}

/* Takes the object at the window's start as one document.  Returns 0, SPLIT_FALLBACK or a negative code. */
static int split_document(splitter *sp)
{
	stream *s = sp->s;

	for (;;) {
		scan_info info;
		scan_result sr = json_scan_value(&info, s->buf + s->start, s->end - s->start, sp->limits->max_depth);
		int rc;

		if (sr == SCAN_INVALID)
			return SPLIT_FALLBACK;
		if (sr == SCAN_DONE) {
			size_t start = s->start, end = s->start + info.end;
			unsigned char hit = 0;

			if (info.newline)
				sp->multiline = 1;
			prefilter_mark(sp->pf, s->buf, &start, &end, 1, &hit);
			if (sp->pf->active && !hit && !info.unicode_escape &&
			    prefilter_is_bare_event(s->buf + start, info.end))
				input_skip_record(&sp->ps);
			else if (input_parse_document(&sp->ps, s->buf + start, info.end) < 0)
				return SPLIT_FALLBACK;
			s->start = end;
			return 0;
		}
		if ((rc = stream_fill(s, sp->err)) < 0)
			return rc;
		if (rc == 0)
			return SPLIT_FALLBACK;
	}
}

/* Reads one top-level object.  Returns 0, SPLIT_FALLBACK or a negative code. */
static int split_value(splitter *sp)
{
	stream *s = sp->s;
	size_t prefix_len;
	int newline = 0, rc;

	if ((rc = log_prefix(sp, &prefix_len)) < 0)
		return rc;
	if (rc == 0)
		return split_document(sp);

	s->start += prefix_len;
	if ((rc = split_records(sp)) != 0)
		return rc;

	/* Only the closing brace may follow the list: another key changes how input_parse reads it. */
	rc = skip_space(sp, &newline);
	if (newline)
		sp->multiline = 1;
	if (rc < 0)
		return rc;
	if (rc == 0 || s->buf[s->start] != '}')
		return SPLIT_FALLBACK;
	s->start++;
	return 0;
}

int input_split(input_batch *batch, stream *s, const prefilter *pf, const char *name, peerguard_input_kind kind,
	const peerguard_limits *limits, peerguard_error *err)
{
	splitter sp;
	size_t values = 0;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.s = s;
	sp.pf = pf;
	sp.limits = limits;
	sp.err = err;
	input_parser_init(&sp.ps, batch, name, kind, limits);

	for (;;) {
		int newline = 0;

		if ((rc = skip_space(&sp, &newline)) < 0)
			goto out;
		if (rc == 0)
			break;

		/* Several values are JSON lines: each must start on a new line and fit on it. */
		if ((values > 0 && !newline) || s->buf[s->start] != '{') {
			rc = SPLIT_FALLBACK;
			goto out;
		}
		values++;
		if ((rc = split_value(&sp)) != 0)
			goto out;
		if (values > 1 && sp.multiline) {
			rc = SPLIT_FALLBACK;
			goto out;
		}
	}
	/* An empty input gets input_parse's message. */
	rc = values == 0 ? SPLIT_FALLBACK : 0;

out:
	free(sp.starts);
	free(sp.ends);
	free(sp.hit);
	free(sp.escaped);
	return rc;
}

static int splits(const prefilter *pf, peerguard_input_kind kind)
{
	return pf && pf->active && kind != PEERGUARD_INPUT_RESOURCES;
}

/*
 * Returns 1 when the stream's input opens a describe document, which
 * input_parse reads whole into a table.  Reads the first bytes into the
 * window without consuming them; a read error gives 0, for the caller's
 * own read to report.
 */
static int stream_opens_describe(stream *s)
{
	peerguard_error ignored;

	while (s->end - s->start < 64 && !s->eof)
		if (stream_fill(s, &ignored) < 0)
			return 0;
	return input_opens_describe(s->buf + s->start, s->end - s->start);
}

int input_read_memory(input_batch *batch, const prefilter *pf, const projection *proj, const char *data,
	size_t len, const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err)
{
	stream s;
	int rc;

	if (!splits(pf, kind) || len > limits->max_input_bytes)
		return input_parse(batch, data, len, NULL, proj, name, kind, limits, err);

	if ((rc = stream_open_memory(&s, data, len, name, limits->max_input_bytes, err)) < 0)
		return rc;
	s.max_total = limits->max_input_bytes;
	if (proj && stream_opens_describe(&s)) {
		stream_close(&s);
		return input_parse(batch, data, len, NULL, proj, name, kind, limits, err);
	}
	rc = input_split(batch, &s, pf, name, kind, limits, err);
	stream_close(&s);
	if (rc != SPLIT_FALLBACK)
		return rc;

	input_batch_clear(batch);
	return input_parse(batch, data, len, NULL, proj, name, kind, limits, err);
}

/* Reads the whole file and parses it with input_parse. */
static int parse_whole_file(input_batch *batch, const projection *proj, const char *path, const char *name,
	peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc = file_read_all(&data, &len, path, limits->max_input_bytes, 1, err);

	if (rc < 0)
		return rc;
	rc = input_parse(batch, data, len, &data, proj, name, kind, limits, err);
	free(data);
	return rc;
}

int input_read_file(input_batch *batch, const prefilter *pf, const projection *proj, const char *path,
	const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err)
{
	error_site site = { path, 0, 0, NULL, NULL };
	stream s;
	FILE *f;
	int rc;

	if (!splits(pf, kind))
		return parse_whole_file(batch, proj, path, name, kind, limits, err);
	if (strcmp(path, "-") == 0) {
		/* Standard input cannot be read twice, so it is held whole. */
		char *data = NULL;
		size_t len = 0;

		if ((rc = file_read_all(&data, &len, path, limits->max_input_bytes, 0, err)) < 0)
			return rc;
		rc = input_read_memory(batch, pf, proj, data, len, name, kind, limits, err);
		free(data);
		return rc;
	}

	if (!(f = fopen(path, "rb")))
		return error_set(err, PEERGUARD_EIO, &site, "cannot open %s: %s", path, strerror(errno));
	rc = stream_open_file(&s, f, name, limits->max_input_bytes, err);
	if (rc == 0 && proj && stream_opens_describe(&s))
		rc = SPLIT_FALLBACK;
	else if (rc == 0)
		rc = input_split(batch, &s, pf, name, kind, limits, err);
	stream_close(&s);
	fclose(f);
	if (rc != SPLIT_FALLBACK)
		return rc;

	input_batch_clear(batch);
	return parse_whole_file(batch, proj, path, name, kind, limits, err);
}
