/* Reading AWS Query API responses: error documents, request ids and the result element. */
#ifndef TRANSPORT_RESPONSE_H
#define TRANSPORT_RESPONSE_H

#include <stddef.h>

#include "peerguard/transport.h"
#include "transport/xml.h"

/* An error document's fields, copied out of the tree. */
typedef struct aws_fault {
	char code[PEERGUARD_AWS_CODE_MAX];
	char message[PEERGUARD_AWS_MESSAGE_MAX];
	char type[32];                          /* "Sender" or "Receiver", when given */
	char request_id[PEERGUARD_AWS_REQUEST_ID_MAX];
} aws_fault;

/*
 * Reads an error document: EC2's <Response><Errors><Error> with
 * <RequestID>, or <ErrorResponse> with <Error> (directly or inside
 * <Errors>) and <RequestId>.  Returns 1 and fills f when root is one, else 0.
 */
int response_read_error(const xml_node *root, aws_fault *f);

/* Copies the request id of a success response (EC2 requestId or ResponseMetadata/RequestId) into out. */
void response_request_id(const xml_node *root, char *out, size_t len);

/*
 * Returns the result element of a success response for action (borrowed):
 * the root itself when wrapped is 0 (EC2), else its <Action>Result child
 * (STS, SNS).  Returns NULL when the root is not <Action>Response or the
 * result is missing.
 */
const xml_node *response_result(const xml_node *root, const char *action, int wrapped);

/* Copies src into dst (size dstlen), truncating, always NUL-terminating. */
void copy_string(char *dst, size_t dstlen, const char *src);

#endif
