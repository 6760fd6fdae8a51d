/*
 * Internal interfaces of the JMESPath engine: the arena that owns a
 * compiled expression, tokens, the syntax tree, the evaluation context and
 * the function table.
 */
#ifndef PEERGUARD_CORE_JMESPATH_INTERNAL_H
#define PEERGUARD_CORE_JMESPATH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/jmespath.h"

#define JMESPATH_DEFAULT_MAX_STEPS 1000000u
#define JMESPATH_DEFAULT_MAX_LENGTH 4096u

/*
 * Maximum depth of the syntax tree and of parser recursion.  Evaluation
 * recurses once per tree level, so this also bounds the evaluation stack.
 * The deepest expression in the compliance benchmarks nests 104 projections.
 */
#define JMESPATH_MAX_NESTING 256u

/*
 * Maximum nesting of a JSON value that equality, to_string and the result
 * size check walk recursively.  jansson's parser stops at 2048 levels, and
 * an expression can add at most JMESPATH_MAX_NESTING more.
 */
#define JMESPATH_MAX_DATA_DEPTH 4096u

/* One evaluation step buys this many bytes of string building or copying. */
#define JMESPATH_BYTES_PER_STEP 64u

/* ---- Arena ------------------------------------------------------------ */

typedef struct arena_block arena_block;

/** Bump allocator that owns every node and name of a compiled expression. */
typedef struct arena {
	arena_block *head;
} arena;

/** Allocates size zeroed bytes that live until jmespath_arena_clear; NULL when out of memory. */
void *jmespath_arena_alloc(arena *a, size_t size);

/** Copies len bytes and appends a NUL; NULL when out of memory. */
char *jmespath_arena_strndup(arena *a, const char *s, size_t len);

/** Frees every block of the arena. */
void jmespath_arena_clear(arena *a);

/* ---- Errors ----------------------------------------------------------- */

/** Fills err (which may be NULL) with a kind, a column and a formatted message. */
void jmespath_error_set(jmespath_error *err, jmespath_error_kind kind, size_t column,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Returns the 1-based column, counted in code points, of byte offset in text. */
size_t jmespath_column(const char *text, size_t offset);

/* ---- Tokens ----------------------------------------------------------- */

typedef enum token_type {
	TOK_EOF,
	TOK_UNQUOTED_IDENTIFIER,
	TOK_QUOTED_IDENTIFIER,
	TOK_LITERAL,            /* backtick JSON literal or raw string */
	TOK_NUMBER,
	TOK_DOT,
	TOK_STAR,
	TOK_FLATTEN,            /* [] */
	TOK_FILTER,             /* [? */
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_COLON,
	TOK_PIPE,
	TOK_OR,
	TOK_AND,
	TOK_NOT,
	TOK_EXPREF,             /* & */
	TOK_CURRENT,            /* @ */
	TOK_EQ,
	TOK_NE,
	TOK_LT,
	TOK_LTE,
	TOK_GT,
	TOK_GTE,
	TOK_COUNT
} token_type;

typedef struct token {
	token_type type;
	size_t start;           /* byte offset in the expression */
	size_t len;             /* length in bytes */
	const char *name;       /* identifiers: decoded name in the arena */
	size_t name_len;
	json_t *literal;        /* TOK_LITERAL: borrowed from the expression's literal list */
	int64_t number;         /* TOK_NUMBER, clamped to +-INT64_MAX */
} token;

/** A growable list of JSON values owned by a compiled expression. */
typedef struct value_list {
	json_t **items;
	size_t count;
	size_t capacity;
} value_list;

/** Appends value to list, taking over the caller's reference; -1 when out of memory. */
int jmespath_value_list_push(value_list *list, json_t *value);

/** Drops every reference in list and frees its storage. */
void jmespath_value_list_clear(value_list *list);

/**
 * Splits text into tokens.  On success returns 0 and a malloc'd array in
 * *out ending with TOK_EOF; names go to a, literal values to literals.
 */
int jmespath_tokenize(token **out, size_t *count, const char *text, size_t len, arena *a,
	value_list *literals, jmespath_error *err);

/** Returns a short human name of a token type, such as "'.'" or "identifier". */
const char *jmespath_token_name(token_type type);

/* ---- Syntax tree ------------------------------------------------------ */

typedef enum node_type {
	NODE_CURRENT,           /* @, and the right side of a projection with nothing after it */
	NODE_FIELD,
	NODE_SUBEXPRESSION,     /* list of children, each evaluated on the previous result */
	NODE_INDEX_EXPRESSION,  /* the same, built from bracket chains */
	NODE_INDEX,
	NODE_SLICE,
	NODE_PROJECTION,        /* list projection */
	NODE_VALUE_PROJECTION,  /* object projection (.*) */
	NODE_FILTER_PROJECTION,
	NODE_FLATTEN,
	NODE_COMPARATOR,
	NODE_OR,
	NODE_AND,
	NODE_NOT,
	NODE_PIPE,
	NODE_MULTI_SELECT_LIST,
	NODE_MULTI_SELECT_HASH,
	NODE_KEY_VALUE,         /* one entry of a multi-select hash */
	NODE_LITERAL,
	NODE_FUNCTION,
	NODE_EXPREF
} node_type;

typedef enum comparator {
	CMP_EQ,
	CMP_NE,
	CMP_LT,
	CMP_LTE,
	CMP_GT,
	CMP_GTE
} comparator;

typedef struct function_def function_def;
typedef struct node node;

struct node {
	node_type type;
	unsigned int depth;     /* height of this subtree, checked against JMESPATH_MAX_NESTING */
	size_t offset;          /* byte offset of the node's first token, for error columns */
	node *next;             /* next sibling in the parent's child list */
	node *left;             /* binary nodes, projections, not, flatten, expref, key-value */
	node *right;
	node *condition;        /* filter projection */
	node *children;         /* first child of list nodes */
	size_t child_count;
	const char *name;       /* field name, hash key */
	size_t name_len;
	json_t *literal;        /* borrowed from the expression's literal list */
	int64_t index;
	int64_t slice[3];
	bool slice_set[3];
	comparator op;
	const function_def *function;
};

/** Parses tokens into a tree allocated in a.  Returns the root, or NULL with err set. */
node *jmespath_parse(const char *text, const token *tokens, arena *a, jmespath_error *err);

/** Returns the root of a compiled expression's tree (borrowed). */
const node *jmespath_root(const jmespath_expr *expr);

/* ---- Evaluation ------------------------------------------------------- */

/** State of one search; lives on the caller's stack, so searches never share it. */
typedef struct eval_ctx {
	uint64_t steps;
	uint64_t max_steps;
	jmespath_error *err;
} eval_ctx;

/** Adds n steps; returns -1 with a limit error once the total passes max_steps. */
int jmespath_charge(eval_ctx *ctx, uint64_t n);

/** Evaluates n against value (borrowed) and stores a new reference in *out. */
int jmespath_eval(json_t **out, eval_ctx *ctx, const node *n, json_t *value);

/* ---- Functions -------------------------------------------------------- */

/* Argument type bits of function signatures. */
enum {
	ARG_NUMBER = 1 << 0,
	ARG_STRING = 1 << 1,
	ARG_BOOLEAN = 1 << 2,
	ARG_ARRAY = 1 << 3,
	ARG_OBJECT = 1 << 4,
	ARG_NULL = 1 << 5,
	ARG_EXPREF = 1 << 6,
	ARG_ARRAY_NUMBER = 1 << 7,   /* array whose elements are all numbers */
	ARG_ARRAY_STRING = 1 << 8,   /* array whose elements are all strings */
	ARG_ANY = ARG_NUMBER | ARG_STRING | ARG_BOOLEAN | ARG_ARRAY | ARG_OBJECT | ARG_NULL
};

/** One evaluated function argument: a JSON value or an expression reference. */
typedef struct function_arg {
	json_t *value;          /* borrowed; NULL for an expression reference */
	const node *expref;
} function_arg;

typedef int (*function_impl)(json_t **out, eval_ctx *ctx, const function_def *fn,
	const function_arg *args, size_t argc);

#define FUNCTION_MAX_TYPED_ARGS 3

struct function_def {
	const char *name;
	size_t min_args;
	bool variadic;          /* the last type repeats; otherwise max_args == min_args */
	unsigned int types[FUNCTION_MAX_TYPED_ARGS];
	function_impl call;
};

/** Returns the built-in or Custodian function called name, or NULL. */
const function_def *jmespath_function_lookup(const char *name, size_t len);

/** Checks the arguments' types and calls fn; stores a new reference in *out. */
int jmespath_function_call(json_t **out, eval_ctx *ctx, const function_def *fn, const function_arg *args,
	size_t argc);

/* ---- JSON values ------------------------------------------------------ */

/** Returns false for false, null, "", [] and {}; true for everything else. */
bool jmespath_is_truthy(const json_t *v);

/** Returns the JMESPath type name: number, string, boolean, array, object or null. */
const char *jmespath_type_name(const json_t *v);

/** Compares two numbers; returns <0, 0 or >0.  Integers compare exactly. */
int jmespath_compare_numbers(const json_t *a, const json_t *b);

/** Compares two strings by code point (UTF-8 byte order); returns <0, 0 or >0. */
int jmespath_compare_strings(const json_t *a, const json_t *b);

/**
 * Tests JSON equality (1 equals 1.0, objects ignore member order) and charges
 * one step per value visited.  Returns 1, 0, or -1 with err set.
 */
int jmespath_equal(eval_ctx *ctx, const json_t *a, const json_t *b);

/**
 * Charges the cost of walking v: one step per value plus one per
 * JMESPATH_BYTES_PER_STEP bytes of string.  Returns 0 or -1 with err set.
 */
int jmespath_charge_size(eval_ctx *ctx, const json_t *v);

/** Returns a new real or integer for d: an integer when d is integral and fits. */
json_t *jmespath_number_from_double(double d);

#endif
