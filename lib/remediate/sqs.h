/*
 * SQS ReceiveMessage and DeleteMessage (Query API, version 2012-11-05),
 * sent to the queue URL with peerguard_aws_query_url, for the watch command
 * that reads the EventBridge rule's queue.
 */
#ifndef REMEDIATE_SQS_H
#define REMEDIATE_SQS_H

#include <stddef.h>

#include "peerguard/transport.h"

/* One received message; strings are owned by the array. */
typedef struct sqs_message {
	char *message_id;
	char *receipt_handle;
	char *body;
} sqs_message;

/*
 * Long-polls queue_url once.  The client's attempt timeout (30 s by
 * default) must exceed wait_seconds.  *out receives a new array of *n_out messages
 * (possibly none), freed with sqs_messages_free.  visibility_timeout 0
 * keeps the queue's setting.  Returns 0 or a negative code with err filled.
 */
int sqs_receive(sqs_message **out, size_t *n_out, peerguard_client *c, const char *queue_url,
	unsigned int wait_seconds, unsigned int max_messages, unsigned int visibility_timeout, peerguard_aws_error *err);

/* Frees n messages and the array.  m may be NULL. */
void sqs_messages_free(sqs_message *m, size_t n);

/* Deletes one received message.  Returns 0 or a negative code with err filled. */
int sqs_delete(peerguard_client *c, const char *queue_url, const char *receipt_handle, peerguard_aws_error *err);

/* Returns the region of a queue URL (sqs.REGION.amazonaws.com or REGION.queue.amazonaws.com) in out, or "". */
void sqs_queue_region(char *out, size_t size, const char *queue_url);

#endif
