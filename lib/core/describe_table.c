/* Describe records as text plus the cells of the keys the policies read. */
#include <stdlib.h>
#include <string.h>

#include "core/describe_table.h"
#include "core/fast_filter.h"
#include "core/input.h"
#include "core/internal.h"
#include "core/json_fast.h"
#include "core/policy.h"

/* Keys of one object compared for duplicates; an object with more is left to jansson. */
#define SCAN_MAX_KEYS 64
/* Nesting the scan follows itself; deeper documents go to input_parse. */
#define SCAN_MAX_DEPTH 256
/* Longer integers may overflow json_int_t, which jansson reports as an error, so jansson reads them. */
#define SCAN_MAX_DIGITS 15

/* ------------------------------------------------------------------------
 * The projection
 * ------------------------------------------------------------------------ */

static int add_path(projection *proj, const char *text, const char *tag, char **segments, size_t n_segments)
{
	table_path *paths, *p;

	if (projection_find(proj, text) >= 0)
		return 0;
	paths = realloc(proj->paths, (proj->count + 1) * sizeof(*paths));
	if (!paths)
		return -1;
	proj->paths = paths;
	p = &paths[proj->count];
	memset(p, 0, sizeof(*p));
	proj->count++;
	if (!(p->text = string_dup(text)))
		return -1;
	if (tag)
		return (p->tag = string_dup(tag)) ? 0 : -1;
	if (!(p->segments = calloc(n_segments ? n_segments : 1, sizeof(*p->segments))))
		return -1;
	for (size_t i = 0; i < n_segments; i++) {
		if (!(p->segments[i] = string_dup(segments[i])))
			return -1;
		p->n_segments++;
	}
	return 0;
}

static int add_plan_paths(projection *proj, const fast_plan *plan)
{
	static char *accepter[] = { "AccepterVpcInfo", "OwnerId" };
	static char *requester[] = { "RequesterVpcInfo", "OwnerId" };

	for (size_t i = 0; i < plan->count; i++) {
		const fast_step *step = &plan->steps[i];

		if (step->memoised && add_path(proj, step->f->key.text, step->f->key.tag, step->segments,
			step->n_segments) < 0)
			return -1;
		if (step->cross_account && (add_path(proj, "AccepterVpcInfo.OwnerId", NULL, accepter, 2) < 0 ||
		    add_path(proj, "RequesterVpcInfo.OwnerId", NULL, requester, 2) < 0))
			return -1;
	}
	return 0;
}

int projection_init(projection *proj, const peerguard_policy_set *set)
{
	size_t pull = 0;

	memset(proj, 0, sizeof(*proj));
	for (size_t pi = 0; pi < set->count; pi++) {
		fast_plan plan;
		int rc;

		if (set->policies[pi].mode == MODE_CLOUDTRAIL)
			continue;
		pull++;
		rc = fast_plan_init(&plan, &set->policies[pi]);
		if (rc == 1 && add_plan_paths(proj, &plan) < 0)
			rc = -1;
		fast_plan_clear(&plan);
		if (rc != 1) {
			projection_clear(proj);
			return rc;
		}
	}
	/* Without a key to read, every record would be parsed whole anyway. */
	if (pull == 0 || proj->count == 0) {
		projection_clear(proj);
		return 0;
	}
	return 1;
}

void projection_clear(projection *proj)
{
	for (size_t i = 0; i < proj->count; i++) {
		table_path *p = &proj->paths[i];

		free(p->text);
		free(p->tag);
		for (size_t k = 0; k < p->n_segments; k++)
			free(p->segments[k]);
		free(p->segments);
	}
	free(proj->paths);
	memset(proj, 0, sizeof(*proj));
}

long projection_find(const projection *proj, const char *text)
{
	for (size_t i = 0; i < proj->count; i++)
		if (proj->paths[i].text && strcmp(proj->paths[i].text, text) == 0)
			return (long)i;
	return -1;
}

static int projection_copy(projection *dst, const projection *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->count; i++) {
		const table_path *p = &src->paths[i];

		if (add_path(dst, p->text, p->tag, p->segments, p->n_segments) < 0) {
			projection_clear(dst);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The key trie the scan follows
 * ------------------------------------------------------------------------ */

struct scan_trie {
	const char *name;        /* the key leading here (borrowed from the projection) */
	size_t len;
	long cell;               /* the cell of the path ending here, or -1 */
	scan_trie *children;
	size_t n_children;
};

static void trie_free(scan_trie *node)
{
	for (size_t i = 0; i < node->n_children; i++)
		trie_free(&node->children[i]);
	free(node->children);
}

static scan_trie *trie_child(const scan_trie *node, const char *name, size_t len)
{
	for (size_t i = 0; i < node->n_children; i++)
		if (node->children[i].len == len && memcmp(node->children[i].name, name, len) == 0)
			return &node->children[i];
	return NULL;
}

/* Builds the trie of the projection's paths; tag paths are read from Tags by the scan.  Returns 0 or -1. */
static int trie_build(scan_trie *root, const projection *proj)
{
	memset(root, 0, sizeof(*root));
	root->cell = -1;
	for (size_t i = 0; i < proj->count; i++) {
		const table_path *p = &proj->paths[i];
		scan_trie *node = root;

		for (size_t k = 0; !p->tag && k < p->n_segments; k++) {
			size_t len = strlen(p->segments[k]);
			scan_trie *child = trie_child(node, p->segments[k], len);

			if (!child) {
				scan_trie *grown = realloc(node->children, (node->n_children + 1) * sizeof(*grown));

				if (!grown)
					return -1;
				node->children = grown;
				child = &grown[node->n_children++];
				memset(child, 0, sizeof(*child));
				child->name = p->segments[k];
				child->len = len;
				child->cell = -1;
			}
			node = child;
		}
		if (!p->tag)
			node->cell = (long)i;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Interned strings
 * ------------------------------------------------------------------------ */

static size_t hash_bytes(const char *s, size_t len)
{
	size_t h = 1469598103934665603u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static int index_grow(describe_table *t)
{
	size_t size = t->index ? (t->index_mask + 1) * 2 : 1024;
	uint32_t *index = calloc(size, sizeof(*index));

	if (!index)
		return -1;
	for (size_t id = 0; id < t->n_strings; id++) {
		size_t i = hash_bytes(t->text + t->str_off[id], t->str_len[id]) & (size - 1);

		while (index[i])
			i = (i + 1) & (size - 1);
		index[i] = (uint32_t)id + 1;
	}
	free(t->index);
	t->index = index;
	t->index_mask = size - 1;
	return 0;
}

/* Returns the cell of the string text[off..off+len), interning it; 0 when out of memory. */
static uint32_t intern(describe_table *t, size_t off, size_t len)
{
	const char *s = t->text + off;
	size_t i;

	if ((!t->index || (t->n_strings + 1) * 2 > t->index_mask + 1) && index_grow(t) < 0)
		return 0;
	if (t->n_strings >= UINT32_MAX - CELL_STRING - 1 || len > UINT32_MAX)
		return 0;
	for (i = hash_bytes(s, len) & t->index_mask; t->index[i]; i = (i + 1) & t->index_mask) {
		uint32_t id = t->index[i] - 1;

		if (t->str_len[id] == len && memcmp(t->text + t->str_off[id], s, len) == 0)
			return id + CELL_STRING;
	}
	if (t->n_strings == t->str_cap) {
		size_t cap = t->str_cap ? t->str_cap * 2 : 256;
		size_t *off_grown = realloc(t->str_off, cap * sizeof(*off_grown));
		uint32_t *len_grown;

		if (!off_grown)
			return 0;
		t->str_off = off_grown;
		if (!(len_grown = realloc(t->str_len, cap * sizeof(*len_grown))))
			return 0;
		t->str_len = len_grown;
		t->str_cap = cap;
	}
	t->str_off[t->n_strings] = off;
	t->str_len[t->n_strings] = (uint32_t)len;
	t->index[i] = (uint32_t)t->n_strings + 1;
	return (uint32_t)t->n_strings++ + CELL_STRING;
}

/* ------------------------------------------------------------------------
 * The scan
 * ------------------------------------------------------------------------ */

/* Scan outcomes: the caller parses the input itself, or memory ran out. */
#define SCAN_GIVE_UP 1
#define SCAN_NOMEM 2

typedef struct scanner {
	describe_table *t;
	const char *base;
	const char *p;
	const char *end;
	unsigned int depth;
	unsigned int max_depth;
	int in_record;           /* inside a record: oddities make the record slow instead of ending the scan */
	int odd;                 /* the current record needs jansson */
	int has_id;              /* the current record has a VpcPeeringConnectionId key */
	uint32_t *cells;         /* the current record's cells */
	const scan_trie *root;
	unsigned char *tag_seen; /* per tag path: the first matching tag of the record was read */
	size_t *key_hashes;      /* keys of the open objects, for the duplicate check */
	size_t n_keys;
	int stop;                /* SCAN_GIVE_UP or SCAN_NOMEM once the scan must end */
} scanner;

/* Bytes a string's plain run stops at: the quote, a backslash, control characters and non-ASCII bytes. */
static const unsigned char string_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Something the scan does not check itself: the record goes to jansson, or outside records the scan ends. */
static void oddity(scanner *sc)
{
	if (sc->in_record)
		sc->odd = 1;
	else if (!sc->stop)
		sc->stop = SCAN_GIVE_UP;
}

static void give_up(scanner *sc)
{
	if (!sc->stop)
		sc->stop = SCAN_GIVE_UP;
}

static void skip_space(scanner *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t'))
		sc->p++;
}

/* Leaves the object or array whose closing bracket is at sc->p. */
static void close_container(scanner *sc)
{
	sc->p++;
	sc->depth--;
}

/*
 * Enters the object or array whose bracket is at sc->p.  Returns 1 when it
 * has members, 0 when it is empty (and already left), or -1 when it nests
 * deeper than allowed.
 */
static int open_container(scanner *sc, char close)
{
	if (++sc->depth > sc->max_depth)
		return -1;
	sc->p++;
	skip_space(sc);
	if (sc->p < sc->end && *sc->p == close) {
		close_container(sc);
		return 0;
	}
	return 1;
}

/*
 * Reads what follows a member or an element: returns 1 after a ',' (and
 * the space after it), 0 at close (left for the caller), or -1 on
 * anything else, which is invalid JSON.
 */
static int next_member(scanner *sc, char close)
{
	skip_space(sc);
	if (sc->p < sc->end && *sc->p == ',') {
		sc->p++;
		skip_space(sc);
		return 1;
	}
	return sc->p < sc->end && *sc->p == close ? 0 : -1;
}

/*
 * Reads the string whose quote is at sc->p.  Stores the offset and length
 * of its contents and whether it contains an escape or a non-ASCII byte
 * (so its text is not its value).  Returns 0, or -1 on invalid JSON.
 */
static int scan_string(scanner *sc, size_t *off, size_t *len, int *plain)
{
	const char *q = ++sc->p;

	*plain = 1;
	for (;;) {
		unsigned char c;

		while (q < sc->end && !string_stop[(unsigned char)*q])
			q++;
		if (q >= sc->end)
			return -1;
		c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		*plain = 0;
		if (c >= 0x80) {
			/* UTF-8 validity is jansson's to judge. */
			oddity(sc);
			q++;
			continue;
		}
		if (q + 1 >= sc->end)
			return -1;
		switch (q[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			break;
		case 'u':
			/* Surrogates and \u0000 are jansson's to judge. */
			oddity(sc);
			break;
		default:
			return -1;
		}
		q += 2;
	}
	*off = (size_t)(sc->p - sc->base);
	*len = (size_t)(q - sc->p);
	sc->p = q + 1;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Checks a number against JSON's grammar.  Returns 0, or -1 on invalid JSON. */
static int scan_number(scanner *sc)
{
	const char *q = sc->p, *digits;
	int real = 0;

	if (q < sc->end && *q == '-')
		q++;
	digits = q;
	if (q < sc->end && *q == '0')
		q++;
	else if (q < sc->end && *q >= '1' && *q <= '9')
		while (q < sc->end && is_digit(*q))
			q++;
	else
		return -1;
	if (q - digits > SCAN_MAX_DIGITS)
		real = 1;
	if (q < sc->end && *q == '.') {
		real = 1;
		if (++q >= sc->end || !is_digit(*q))
			return -1;
		while (q < sc->end && is_digit(*q))
			q++;
	}
	if (q < sc->end && (*q == 'e' || *q == 'E')) {
		real = 1;
		if (++q < sc->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= sc->end || !is_digit(*q))
			return -1;
		while (q < sc->end && is_digit(*q))
			q++;
	}

	/* Reals and long integers may overflow in jansson, so jansson reads them. */
	if (real)
		oddity(sc);
	sc->p = q;
	return 0;
}

static int scan_literal(scanner *sc, const char *word, size_t len)
{
	if ((size_t)(sc->end - sc->p) < len || memcmp(sc->p, word, len) != 0)
		return -1;
	sc->p += len;
	return 0;
}

static void set_cell(scanner *sc, long cell, uint32_t value)
{
	if (cell >= 0 && sc->cells)
		sc->cells[cell] = value;
}

/* The cell of a plain string value: its interned id, or (with an escape) the record goes to jansson. */
static void string_cell(scanner *sc, long cell, size_t off, size_t len, int plain)
{
	uint32_t id;

	if (cell < 0 || !sc->cells)
		return;
	if (!plain) {
		sc->odd = 1;
		return;
	}
	if (!(id = intern(sc->t, off, len))) {
		sc->stop = SCAN_NOMEM;
		return;
	}
	sc->cells[cell] = id;
}

static int scan_value(scanner *sc, const scan_trie *node, long cell);

/*
 * Checks the key just read against the other keys of its object (from
 * first), as JSON_REJECT_DUPLICATES does.  Returns 0, or -1 for a
 * duplicate, which jansson rejects.  Keys are compared by hash, so a
 * collision also gives -1, which only sends the input to input_parse.
 */
static int check_duplicate(scanner *sc, size_t first, size_t off, size_t len)
{
	size_t h = hash_bytes(sc->base + off, len);

	for (size_t i = first; i < sc->n_keys; i++)
		if (sc->key_hashes[i] == h)
			return -1;
	if (sc->n_keys - first >= SCAN_MAX_KEYS) {
		oddity(sc);
		return 0;
	}
	sc->key_hashes[sc->n_keys++] = h;
	return 0;
}

/*
 * Reads one element of a Tags list at the record's top level: a tag whose
 * Key names a tag path gives that path its Value, when no earlier tag of
 * the record did (as key_resolve takes the first).
 */
static int scan_tag(scanner *sc)
{
	size_t key_off = 0, key_len = 0, value_off = 0, value_len = 0, first = sc->n_keys;
	int has_key = 0, key_plain = 0, value_plain = 0, rc = 0;
	char value_kind = 0;       /* 0 absent or null, 's' string, 'o' another type */

	if (*sc->p != '{')
		return scan_value(sc, NULL, -1);
	if ((rc = open_container(sc, '}')) <= 0)
		return rc;
	for (;;) {
		size_t off, len;
		int plain;

		if (sc->p >= sc->end || *sc->p != '"' || scan_string(sc, &off, &len, &plain) < 0)
			return -1;
		if (!plain)
			sc->odd = 1;
		if (check_duplicate(sc, first, off, len) < 0)
			return -1;
		skip_space(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return -1;
		sc->p++;
		skip_space(sc);
		if (sc->p >= sc->end)
			return -1;
		if (len == 3 && memcmp(sc->base + off, "Key", 3) == 0 && *sc->p == '"') {
			if (scan_string(sc, &key_off, &key_len, &key_plain) < 0)
				return -1;
			has_key = 1;
		} else if (len == 5 && memcmp(sc->base + off, "Value", 5) == 0) {
			if (*sc->p == '"')
				value_kind = 's';
			else if (*sc->p == 'n')
				value_kind = 0;
			else
				value_kind = 'o';
			if (value_kind == 's') {
				if (scan_string(sc, &value_off, &value_len, &value_plain) < 0)
					return -1;
			} else if (scan_value(sc, NULL, -1) < 0) {
				return -1;
			}
		} else if (scan_value(sc, NULL, -1) < 0) {
			return -1;
		}
		if ((rc = next_member(sc, '}')) <= 0)
			break;
	}
	if (rc < 0)
		return -1;
	close_container(sc);
	sc->n_keys = first;

	if (!has_key)
		return 0;
	if (!key_plain) {
		sc->odd = 1;
		return 0;
	}
	for (size_t i = 0; i < sc->t->proj.count; i++) {
		const char *tag = sc->t->proj.paths[i].tag;

		if (!tag || sc->tag_seen[i] || strlen(tag) != key_len || memcmp(tag, sc->base + key_off, key_len) != 0)
			continue;
		sc->tag_seen[i] = 1;
		if (value_kind == 's')
			string_cell(sc, (long)i, value_off, value_len, value_plain);
		else
			set_cell(sc, (long)i, value_kind ? CELL_OTHER : CELL_MISSING);
	}
	return 0;
}

/* Reads an array; inside a record's Tags (tags set) each element is a tag. */
static int scan_array(scanner *sc, int tags)
{
	int rc = 0;

	if ((rc = open_container(sc, ']')) <= 0)
		return rc;
	for (;;) {
		if (sc->p >= sc->end)
			return -1;
		if ((tags ? scan_tag(sc) : scan_value(sc, NULL, -1)) < 0)
			return -1;
		if (sc->stop)
			return 0;
		if ((rc = next_member(sc, ']')) <= 0)
			break;
	}
	if (rc < 0)
		return -1;
	close_container(sc);
	return 0;
}

/* Reads an object, following node's children (node may be NULL); at a record's top level, top is set. */
static int scan_object(scanner *sc, const scan_trie *node, int top)
{
	size_t first = sc->n_keys;
	int rc = 0;

	if ((rc = open_container(sc, '}')) <= 0)
		return rc;
	for (;;) {
		const scan_trie *child = NULL;
		size_t off, len;
		int plain;

		if (sc->p >= sc->end || *sc->p != '"' || scan_string(sc, &off, &len, &plain) < 0)
			return -1;
		if (!plain)
			oddity(sc);
		if (check_duplicate(sc, first, off, len) < 0)
			return -1;
		/* key_resolve reads a literal top-level key before the dotted path. */
		if (top && memchr(sc->base + off, '.', len))
			sc->odd = 1;
		if (top && len == 22 && memcmp(sc->base + off, "VpcPeeringConnectionId", 22) == 0)
			sc->has_id = 1;
		if (node)
			child = trie_child(node, sc->base + off, len);
		skip_space(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return -1;
		sc->p++;
		skip_space(sc);
		if (sc->p >= sc->end)
			return -1;
		if (top && len == 4 && memcmp(sc->base + off, "Tags", 4) == 0 && *sc->p == '[') {
			set_cell(sc, child ? child->cell : -1, CELL_OTHER);
			if (scan_array(sc, 1) < 0)
				return -1;
		} else if (scan_value(sc, child, child ? child->cell : -1) < 0) {
			return -1;
		}
		if (sc->stop)
			return 0;
		if ((rc = next_member(sc, '}')) <= 0)
			break;
	}
	if (rc < 0)
		return -1;
	close_container(sc);
	sc->n_keys = first;
	return 0;
}

/*
 * Reads the value at sc->p (not whitespace), following node when it is an
 * object, and fills cell (when >= 0) with what the value is.  Returns 0,
 * or -1 on invalid JSON.
 */
static int scan_value(scanner *sc, const scan_trie *node, long cell)
{
	size_t off, len;
	int plain;

	switch (*sc->p) {
	case '{':
		set_cell(sc, cell, CELL_OTHER);
		return scan_object(sc, node && node->n_children ? node : NULL, 0);
	case '[':
		set_cell(sc, cell, CELL_OTHER);
		return scan_array(sc, 0);
	case '"':
		if (scan_string(sc, &off, &len, &plain) < 0)
			return -1;
		string_cell(sc, cell, off, len, plain);
		return 0;
	case 't':
		set_cell(sc, cell, CELL_OTHER);
		return scan_literal(sc, "true", 4);
	case 'f':
		set_cell(sc, cell, CELL_OTHER);
		return scan_literal(sc, "false", 5);
	case 'n':
		set_cell(sc, cell, CELL_MISSING);
		return scan_literal(sc, "null", 4);
	default:
		set_cell(sc, cell, CELL_OTHER);
		return scan_number(sc);
	}
}

static int grow_rows(describe_table *t, size_t *cap)
{
	size_t n = *cap ? *cap * 2 : 1024;
	size_t *starts = realloc(t->starts, n * sizeof(*starts));
	size_t *ends;
	uint32_t *cells;
	unsigned char *slow;

	if (!starts)
		return -1;
	t->starts = starts;
	if (!(ends = realloc(t->ends, n * sizeof(*ends))))
		return -1;
	t->ends = ends;
	if (!(slow = realloc(t->slow, n)))
		return -1;
	t->slow = slow;
	if (t->proj.count) {
		if (!(cells = realloc(t->cells, n * t->proj.count * sizeof(*cells))))
			return -1;
		t->cells = cells;
	}
	*cap = n;
	return 0;
}

/* Reads one record (an object at sc->p) into the next row.  Returns 0, or -1 on invalid JSON. */
static int scan_record(scanner *sc, size_t *cap)
{
	describe_table *t = sc->t;
	size_t row = t->rows, start = (size_t)(sc->p - sc->base);

	if (row == *cap && grow_rows(t, cap) < 0) {
		sc->stop = SCAN_NOMEM;
		return 0;
	}
	sc->cells = t->cells ? t->cells + row * t->proj.count : NULL;
	for (size_t i = 0; i < t->proj.count; i++) {
		if (sc->cells)
			sc->cells[i] = CELL_MISSING;
		sc->tag_seen[i] = 0;
	}
	sc->in_record = 1;
	sc->odd = 0;
	sc->has_id = 0;
	if (scan_object(sc, sc->root, 1) < 0)
		return -1;
	sc->in_record = 0;

	/* input_parse reports a record without an id. */
	if (!sc->has_id) {
		give_up(sc);
		return 0;
	}
	t->starts[row] = start;
	t->ends[row] = (size_t)(sc->p - sc->base);
	t->slow[row] = (unsigned char)sc->odd;
	t->rows++;
	return 0;
}

/* Reads the VpcPeeringConnections list.  Returns 0, or -1 on invalid JSON. */
static int scan_records(scanner *sc)
{
	size_t cap = 0;
	int rc = 0;

	if (*sc->p != '[')
		return -1;
	if ((rc = open_container(sc, ']')) <= 0)
		return rc;
	for (;;) {
		if (sc->p >= sc->end || *sc->p != '{') {
			/* input_parse reports a list item that is not a record. */
			give_up(sc);
			return 0;
		}
		if (scan_record(sc, &cap) < 0)
			return -1;
		if (sc->stop)
			return 0;
		if ((rc = next_member(sc, ']')) <= 0)
			break;
	}
	if (rc < 0)
		return -1;
	close_container(sc);
	return 0;
}

/* Reads the document's top-level object, which must hold VpcPeeringConnections and no placebo data. */
static int scan_document(scanner *sc)
{
	int records = 0;

	skip_space(sc);
	if (sc->p >= sc->end || *sc->p != '{') {
		give_up(sc);
		return 0;
	}
	sc->depth = 1;
	sc->p++;
	skip_space(sc);
	while (sc->p < sc->end && *sc->p != '}') {
		size_t off, len;
		int plain;

		if (*sc->p != '"' || scan_string(sc, &off, &len, &plain) < 0)
			return -1;
		if (!plain || check_duplicate(sc, 0, off, len) < 0 || (len == 4 && memcmp(sc->base + off, "data", 4) == 0)) {
			give_up(sc);
			return 0;
		}
		skip_space(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return -1;
		sc->p++;
		skip_space(sc);
		if (sc->p >= sc->end)
			return -1;
		if (len == 21 && memcmp(sc->base + off, "VpcPeeringConnections", 21) == 0) {
			records = 1;
			if (scan_records(sc) < 0)
				return -1;
		} else if (scan_value(sc, NULL, -1) < 0) {
			return -1;
		}
		if (sc->stop)
			return 0;
		skip_space(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			skip_space(sc);
			if (sc->p < sc->end && *sc->p == '}')
				return -1;
		} else if (sc->p < sc->end && *sc->p != '}') {
			return -1;
		}
	}
	if (sc->p >= sc->end)
		return -1;
	sc->p++;
	skip_space(sc);
	if (sc->p != sc->end || !records)
		give_up(sc);
	return 0;
}

/* Parses the slow records with jansson now; a record jansson refuses ends the scan.  Returns 0 or -1. */
static int parse_slow_records(describe_table *t)
{
	for (size_t row = 0; row < t->rows; row++)
		if (t->slow[row] && !json_object_get(describe_table_record(t, row), "VpcPeeringConnectionId"))
			return -1;
	return 0;
}

int describe_table_scan(describe_table **out, char *text, size_t len, const projection *proj,
	const peerguard_limits *limits)
{
	describe_table *t = calloc(1, sizeof(*t));
	scan_trie root;
	scanner sc;
	int rc = 0;

	*out = NULL;
	if (!t)
		return -1;

	/* The records nest three deep; a lower limit is input_parse's to report. */
	if (limits->max_depth < 4) {
		free(t);
		return 0;
	}
	memset(&sc, 0, sizeof(sc));
	memset(&root, 0, sizeof(root));
	if (projection_copy(&t->proj, proj) < 0 || trie_build(&root, &t->proj) < 0)
		goto nomem;
	t->text = text;
	t->len = len;
	sc.t = t;
	sc.base = sc.p = text;
	sc.end = text + len;
	sc.root = &root;
	sc.max_depth = limits->max_depth < SCAN_MAX_DEPTH ? limits->max_depth : SCAN_MAX_DEPTH;
	sc.tag_seen = calloc(proj->count ? proj->count : 1, 1);
	sc.key_hashes = malloc((size_t)(SCAN_MAX_DEPTH + 1) * SCAN_MAX_KEYS * sizeof(*sc.key_hashes));
	if (!sc.tag_seen || !sc.key_hashes)
		goto nomem;

	if (scan_document(&sc) < 0)
		give_up(&sc);
	if (sc.stop == SCAN_NOMEM)
		goto nomem;
	if (!sc.stop && !(t->records = calloc(t->rows ? t->rows : 1, sizeof(*t->records))))
		goto nomem;
	if (!sc.stop && parse_slow_records(t) < 0)
		sc.stop = SCAN_GIVE_UP;
	if (!sc.stop) {
		*out = t;
		rc = 1;
	}
	goto done;

nomem:
	rc = -1;
done:
	trie_free(&root);
	free(sc.tag_seen);
	free(sc.key_hashes);
	if (rc != 1 && t) {
		t->text = NULL;
		describe_table_free(t);
	}
	return rc;
}

json_t *describe_table_record(describe_table *t, size_t row)
{
	json_t *record;

	if (t->records[row])
		return t->records[row];
	record = json_fast_loadb(t->text + t->starts[row], t->ends[row] - t->starts[row], NULL);
	if (!record)
		return NULL;
	input_normalise_describe(record);
	t->records[row] = record;
	return record;
}

void describe_table_free(describe_table *t)
{
	if (!t)
		return;
	for (size_t row = 0; t->records && row < t->rows; row++)
		json_decref(t->records[row]);
	free(t->records);
	free(t->text);
	projection_clear(&t->proj);
	free(t->starts);
	free(t->ends);
	free(t->cells);
	free(t->slow);
	free(t->str_off);
	free(t->str_len);
	free(t->index);
	free(t);
}
