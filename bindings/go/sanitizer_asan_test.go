//go:build asan

package peerguard_test

// sanitized is true under `go test -asan`: AddressSanitizer keeps freed
// memory in quarantine, so RSS says nothing about leaks there.
const sanitized = true
