/* Transport return codes and AWS error detail. */
#include <string.h>
#include <strings.h>

#include "peerguard/transport.h"
#include "transport/errors.h"

const char *transport_strerror(int code)
{
	switch (code) {
	case PEERGUARD_ETRANSPORT: return "connection to the AWS endpoint failed";
	case PEERGUARD_ETIMEOUT: return "AWS call timed out";
	case PEERGUARD_ETLS: return "TLS verification failed";
	case PEERGUARD_EAWS: return "AWS returned an error";
	case PEERGUARD_ERESPONSE: return "unexpected response from the AWS endpoint";
	case PEERGUARD_ECREDENTIALS: return "no usable AWS credentials";
	case PEERGUARD_EAUTH: return "AWS rejected the credentials or signature";
	case PEERGUARD_EDENIED: return "not authorised for the AWS call";
	case PEERGUARD_ETHROTTLED: return "throttled by AWS";
	case PEERGUARD_ECONFIG: return "invalid AWS configuration";
	default: return NULL;
	}
}

void peerguard_aws_error_clear(peerguard_aws_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

/* Returns code without a "Client." or "Server." prefix. */
static const char *strip_prefix(const char *code)
{
	if (strncasecmp(code, "Client.", 7) == 0 || strncasecmp(code, "Server.", 7) == 0)
		return code + 7;
	return code;
}

int peerguard_aws_error_is(const peerguard_aws_error *err, const char *code)
{
	if (!err || !code || !err->aws_code[0])
		return 0;
	return strcasecmp(strip_prefix(err->aws_code), strip_prefix(code)) == 0;
}
