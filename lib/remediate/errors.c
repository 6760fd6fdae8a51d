/* Remediation return codes. */
#include <stddef.h>

#include "peerguard/remediate.h"
#include "remediate/errors.h"

const char *remediate_strerror(int code)
{
	switch (code) {
	case PEERGUARD_EUNSAFE: return "connection not brought to a safe state";
	case PEERGUARD_ENOTVISIBLE: return "connection not visible after the visibility window";
	case PEERGUARD_ESTATE: return "state file could not be used";
	case PEERGUARD_EAUDIT: return "audit log could not be written";
	case PEERGUARD_ENOTIFY: return "notification could not be delivered";
	case PEERGUARD_EDRYRUN: return "dry run found a call that is not allowed";
	case PEERGUARD_EQUIET: return "no event arrived within the quiet time";
	case PEERGUARD_ECANARY: return "canary connection outlived its bound";
	case PEERGUARD_ESWEEP: return "an account and region could not be swept";
	default: return NULL;
	}
}
