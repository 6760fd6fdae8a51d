/*
 * A faster way to build jansson values from JSON text that is plainly
 * valid, with jansson itself as the authority for everything else.
 *
 * jansson's decoder reads its input one character at a time through a
 * stream; on CloudTrail records it spends more time lexing than building
 * values.  json_fast_loadb builds the same json_t tree from a buffer
 * directly, for documents made of ASCII text without \u escapes, integers
 * of at most 18 digits and reals strtod reads without range errors.  On
 * anything else it hands the whole text to json_loadb, so results and
 * error messages are jansson's.
 */
#ifndef PEERGUARD_CORE_JSON_FAST_H
#define PEERGUARD_CORE_JSON_FAST_H

#include <stddef.h>
#include <jansson.h>

/**
 * Parses text[0..len) like json_loadb(text, len, JSON_DECODE_ANY |
 * JSON_REJECT_DUPLICATES, err) and returns the same new reference, or NULL
 * with err filled by jansson.
 */
json_t *json_fast_loadb(const char *text, size_t len, json_error_t *err);

/** Builds the value of text[0..len) only when every byte is read fast; returns NULL otherwise (nothing is reported). */
json_t *json_fast_try(const char *text, size_t len);

#endif
