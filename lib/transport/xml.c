/* Element tree for AWS Query API responses, built with expat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "transport/xml.h"

typedef struct parse_state {
	XML_Parser parser;
	xml_node *root;
	xml_node *stack[XML_MAX_DEPTH];
	size_t depth;
	const char *error;     /* set when the tree itself gave up: depth or memory */
} parse_state;

static void stop(parse_state *st, const char *reason)
{
	if (!st->error)
		st->error = reason;
	XML_StopParser(st->parser, XML_FALSE);
}

static xml_node *node_new(const char *qualified_name)
{
	const char *colon = strrchr(qualified_name, ':');
	xml_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strdup(colon ? colon + 1 : qualified_name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	return n;
}

static int node_add_child(xml_node *parent, xml_node *child)
{
	if (parent->n_children == parent->cap_children) {
		size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
		xml_node **p = realloc(parent->children, cap * sizeof(*p));

		if (!p)
			return -1;
		parent->children = p;
		parent->cap_children = cap;
	}
	parent->children[parent->n_children++] = child;
	return 0;
}

static void XMLCALL on_start(void *userdata, const XML_Char *name, const XML_Char **attrs)
{
	parse_state *st = userdata;
	xml_node *n;

	(void)attrs;
	if (st->depth >= XML_MAX_DEPTH) {
		stop(st, "elements nested too deeply");
		return;
	}
	n = node_new(name);
	if (!n) {
		stop(st, "out of memory");
		return;
	}
	if (st->depth == 0) {
		st->root = n;
	} else if (node_add_child(st->stack[st->depth - 1], n) < 0) {
		xml_free(n);
		stop(st, "out of memory");
		return;
	}
	st->stack[st->depth++] = n;
}

static void XMLCALL on_end(void *userdata, const XML_Char *name)
{
	parse_state *st = userdata;

	(void)name;
	if (st->depth > 0)
		st->depth--;
}

static void XMLCALL on_text(void *userdata, const XML_Char *s, int len)
{
	parse_state *st = userdata;
	xml_node *n;
	char *p;

	if (st->depth == 0 || len <= 0)
		return;
	n = st->stack[st->depth - 1];
	p = realloc(n->text, n->text_len + (size_t)len + 1);
	if (!p) {
		stop(st, "out of memory");
		return;
	}
	memcpy(p + n->text_len, s, (size_t)len);
	n->text = p;
	n->text_len += (size_t)len;
	n->text[n->text_len] = '\0';
}

int xml_parse(xml_node **out, const char *data, size_t len, char *errbuf, size_t errlen)
{
	parse_state st;
	enum XML_Status status;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	st.parser = XML_ParserCreate("UTF-8");
	if (!st.parser) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, on_start, on_end);
	XML_SetCharacterDataHandler(st.parser, on_text);

	status = XML_Parse(st.parser, data ? data : "", (int)len, XML_TRUE);
	if (status != XML_STATUS_OK || st.error || !st.root) {
		const char *reason = st.error ? st.error :
			(status != XML_STATUS_OK ? XML_ErrorString(XML_GetErrorCode(st.parser)) : "no root element");

		snprintf(errbuf, errlen, "line %lu, column %lu: %s",
			(unsigned long)XML_GetCurrentLineNumber(st.parser),
			(unsigned long)XML_GetCurrentColumnNumber(st.parser) + 1, reason);
		xml_free(st.root);
		XML_ParserFree(st.parser);
		return -1;
	}
	XML_ParserFree(st.parser);
	*out = st.root;
	return 0;
}

void xml_free(xml_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_children; i++)
		xml_free(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->text);
	free(n);
}

const xml_node *xml_child(const xml_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->n_children; i++)
		if (strcmp(n->children[i]->name, name) == 0)
			return n->children[i];
	return NULL;
}

const xml_node *xml_child_nocase(const xml_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->n_children; i++)
		if (strcasecmp(n->children[i]->name, name) == 0)
			return n->children[i];
	return NULL;
}

char *xml_text(const xml_node *n)
{
	const char *s = n && n->text ? n->text : "";
	size_t len = strlen(s);

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return strndup(s, len);
}
