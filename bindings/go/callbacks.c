/* Log trampoline: forwards peerguard_log_fn calls to the exported Go function. */
#include <stdint.h>

#include <peerguard/peerguard.h>
#include "_cgo_export.h"

/* userdata carries a runtime/cgo.Handle, never a Go pointer. */
void pggo_log_trampoline(peerguard_log_level level, const char *message, void *userdata)
{
	pggoLog((int)level, (char *)message, (uintptr_t)userdata);
}
