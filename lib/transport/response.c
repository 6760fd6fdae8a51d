/* Reading AWS Query API responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/response.h"

void copy_string(char *dst, size_t dstlen, const char *src)
{
	if (dstlen == 0)
		return;
	snprintf(dst, dstlen, "%s", src ? src : "");
}

static void copy_text(char *dst, size_t dstlen, const xml_node *n)
{
	char *text = xml_text(n);

	copy_string(dst, dstlen, text);
	free(text);
}

int response_read_error(const xml_node *root, aws_fault *f)
{
	const xml_node *error, *id;

	memset(f, 0, sizeof(*f));
	if (!root || (strcmp(root->name, "Response") != 0 && strcmp(root->name, "ErrorResponse") != 0))
		return 0;

	error = xml_child(xml_child(root, "Errors"), "Error");
	if (!error)
		error = xml_child(root, "Error");
	if (!error)
		return 0;

	copy_text(f->code, sizeof(f->code), xml_child(error, "Code"));
	copy_text(f->message, sizeof(f->message), xml_child(error, "Message"));
	copy_text(f->type, sizeof(f->type), xml_child(error, "Type"));

	id = xml_child_nocase(root, "RequestID");
	if (!id)
		id = xml_child_nocase(xml_child(root, "ResponseMetadata"), "RequestId");
	copy_text(f->request_id, sizeof(f->request_id), id);
	return 1;
}

void response_request_id(const xml_node *root, char *out, size_t len)
{
	const xml_node *id = xml_child_nocase(root, "requestId");

	if (!id)
		id = xml_child_nocase(xml_child(root, "ResponseMetadata"), "RequestId");
	copy_text(out, len, id);
}

const xml_node *response_result(const xml_node *root, const char *action, int wrapped)
{
	char name[PEERGUARD_AWS_ACTION_MAX + 16];

	snprintf(name, sizeof(name), "%sResponse", action);
	if (!root || strcmp(root->name, name) != 0)
		return NULL;
	if (!wrapped)
		return root;
	snprintf(name, sizeof(name), "%sResult", action);
	return xml_child(root, name);
}
