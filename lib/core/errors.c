/* Return codes, error detail and library version. */
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"

#ifdef PEERGUARD_WITH_TRANSPORT
#include "remediate/errors.h"
#include "transport/errors.h"
#endif

const char *peerguard_version(void)
{
	return PEERGUARD_VERSION;
}

int peerguard_version_number(void)
{
	return PEERGUARD_VERSION_NUMBER;
}

const char *peerguard_strerror(int code)
{
#ifdef PEERGUARD_WITH_TRANSPORT
	/* The transport owns -20 to -39 and remediation -40 to -59. */
	if (code <= -20 && code >= -39 && transport_strerror(code))
		return transport_strerror(code);
	if (code <= -40 && code >= -59 && remediate_strerror(code))
		return remediate_strerror(code);
#endif
	switch (code) {
	case PEERGUARD_OK: return "success";
	case PEERGUARD_ERROR: return "internal error";
	case PEERGUARD_ENOMEM: return "out of memory";
	case PEERGUARD_EINVAL: return "invalid argument";
	case PEERGUARD_EPOLICY: return "invalid policy";
	case PEERGUARD_EINPUT: return "invalid input";
	case PEERGUARD_EIO: return "file could not be read";
	case PEERGUARD_ELIMIT: return "limit exceeded";
	case PEERGUARD_EEXPR: return "invalid JMESPath expression";
	case PEERGUARD_EEVAL: return "evaluation failed";
	case PEERGUARD_ENOTFOUND: return "not found";
	default: return "unknown error code";
	}
}

void peerguard_error_clear(peerguard_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void peerguard_free(void *p)
{
	free(p);
}
