/* Storage owned by a compiled expression: an arena for the tree and a list of literal values. */
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

#define ARENA_BLOCK_SIZE 4096u

struct arena_block {
	arena_block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

void *jmespath_arena_alloc(arena *a, size_t size)
{
	arena_block *block = a->head;
	size_t align = sizeof(max_align_t);
	size_t rounded = (size + align - 1) / align * align;
	void *p;

	if (!block || block->size - block->used < rounded) {
		size_t data_size = rounded > ARENA_BLOCK_SIZE ? rounded : ARENA_BLOCK_SIZE;

		block = malloc(sizeof(*block) + data_size);
		if (!block)
			return NULL;
		block->used = 0;
		block->size = data_size;
		block->next = a->head;
		a->head = block;
	}

	p = (char *)block->data + block->used;
	block->used += rounded;
	memset(p, 0, size);
	return p;
}

char *jmespath_arena_strndup(arena *a, const char *s, size_t len)
{
	char *copy = jmespath_arena_alloc(a, len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void jmespath_arena_clear(arena *a)
{
	arena_block *block = a->head;

	while (block) {
		arena_block *next = block->next;

		free(block);
		block = next;
	}
	a->head = NULL;
}

int jmespath_value_list_push(value_list *list, json_t *value)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 8;
		json_t **items = realloc(list->items, capacity * sizeof(*items));

		if (!items) {
			json_decref(value);
			return -1;
		}
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = value;
	return 0;
}

void jmespath_value_list_clear(value_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		json_decref(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
	list->capacity = 0;
}
