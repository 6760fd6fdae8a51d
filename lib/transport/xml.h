/* A small element tree built with expat, for AWS Query API responses. */
#ifndef TRANSPORT_XML_H
#define TRANSPORT_XML_H

#include <stddef.h>

/* Nesting depth beyond which a document is rejected; AWS responses nest fewer than 16 levels. */
#define XML_MAX_DEPTH 64

typedef struct xml_node {
	char *name;                  /* local name: any namespace prefix removed */
	char *text;                  /* character data directly inside the element, untrimmed */
	size_t text_len;
	struct xml_node **children;
	size_t n_children;
	size_t cap_children;
} xml_node;

/*
 * Parses a document into a new tree, freed with xml_free.  Namespaces are
 * ignored.  Returns 0, or -1 with a message such as "line 3, column 7:
 * mismatched tag" in errbuf.
 */
int xml_parse(xml_node **out, const char *data, size_t len, char *errbuf, size_t errlen);

/* Frees a tree.  n may be NULL. */
void xml_free(xml_node *n);

/* Returns the first child named name (borrowed), or NULL. */
const xml_node *xml_child(const xml_node *n, const char *name);

/* Returns the first child whose name equals name ignoring case (borrowed), or NULL. */
const xml_node *xml_child_nocase(const xml_node *n, const char *name);

/* Returns a new string: the node's text with surrounding white space removed ("" for NULL n). */
char *xml_text(const xml_node *n);

#endif
