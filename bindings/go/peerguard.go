// Package peerguard is the Go binding of libpeerguard, the decision core for
// risky AWS VPC peering requests.
//
// It loads Cloud Custodian policy files and evaluates CloudTrail events and
// DescribeVpcPeeringConnections output against them.  For each policy and
// peering connection it returns one Decision.  The Decision says whether the
// policy matched, which side of the connection the protected account owns,
// the state the connection was seen in, and the EC2 call that is valid for
// that state and side.
//
//	set, err := peerguard.LoadPolicies("policies.yml")
//	if err != nil {
//		return err // a *peerguard.Error naming the file, line, column and policy
//	}
//	defer set.Close()
//	result, err := set.EvaluateResources(describeJSON, peerguard.Context{AccountID: "111111111111"})
//
// A loaded PolicySet is immutable and safe for concurrent use by any number
// of goroutines.  The package links libpeerguard through pkg-config
// (libpeerguard.pc) and needs cgo.
package peerguard

/*
#cgo pkg-config: libpeerguard
#include <stdlib.h>
#include <peerguard/peerguard.h>
*/
import "C"

// ABI this package was written against.  During 0.x a minor version may
// change the ABI, so CheckVersion requires both to match.
const (
	abiMajor = 0
	abiMinor = 1
)

// Version returns the version of the linked libpeerguard, such as "0.1.0".
func Version() string {
	return C.GoString(C.peerguard_version())
}

// CheckVersion returns an error when the linked libpeerguard is not 0.1.x,
// the version whose ABI this package mirrors.
func CheckVersion() error {
	n := int(C.peerguard_version_number())
	major, minor := n>>16, (n>>8)&0xff
	if major != abiMajor || minor != abiMinor {
		return &Error{Code: CodeError, Message: "linked libpeerguard is " + Version() +
			", but this package needs 0.1.x; rebuild against a matching library"}
	}
	return nil
}
