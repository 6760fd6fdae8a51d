//go:build asan

package peerguard_test

// sanitized is true under `go test -asan`.  AddressSanitizer keeps freed
// memory in quarantine, so RSS does not show leaks there.
const sanitized = true
