//go:build !asan

package peerguard_test

// sanitized is true under `go test -asan`.
const sanitized = false
