package peerguard

/*
#include <peerguard/peerguard.h>
*/
import "C"

import "fmt"

// Code is a libpeerguard return code (peerguard_code).  Values are part of
// the ABI and are never renumbered.
type Code int

// Return codes of peerguard.h.
const (
	CodeOK       Code = 0
	CodeError    Code = -1  // internal error
	CodeNoMemory Code = -2  // out of memory
	CodeInvalid  Code = -3  // invalid argument to the API
	CodePolicy   Code = -4  // policy file invalid
	CodeInput    Code = -5  // input document invalid
	CodeIO       Code = -6  // file could not be read
	CodeLimit    Code = -7  // a configured limit was exceeded
	CodeExpr     Code = -8  // JMESPath expression invalid
	CodeEval     Code = -9  // evaluation failed (bad allowlist file, regex limit)
	CodeNotFound Code = -10 // named item not found
)

// String returns the library's one-line description of the code.
func (c Code) String() string {
	return C.GoString(C.peerguard_strerror(C.int(c)))
}

// Error is a failure reported by libpeerguard: the fields of peerguard_error.
// Use errors.As to get it from an error, or errors.Is with ErrPolicy,
// ErrInput and the other sentinels to test the code.
type Error struct {
	Code    Code
	Message string // the failure and how to fix it
	File    string // policy or input file name
	Line    int    // 1-based line, 0 if unknown
	Column  int    // 1-based column, 0 if unknown
	Policy  string // policy name, if known
	Path    string // location in the document, such as policies[0].filters[1].op
}

// Sentinels for errors.Is: an *Error matches the sentinel with the same Code.
var (
	ErrInternal = &Error{Code: CodeError}
	ErrNoMemory = &Error{Code: CodeNoMemory}
	ErrInvalid  = &Error{Code: CodeInvalid}
	ErrPolicy   = &Error{Code: CodePolicy}
	ErrInput    = &Error{Code: CodeInput}
	ErrIO       = &Error{Code: CodeIO}
	ErrLimit    = &Error{Code: CodeLimit}
	ErrExpr     = &Error{Code: CodeExpr}
	ErrEval     = &Error{Code: CodeEval}
	ErrNotFound = &Error{Code: CodeNotFound}
)

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("peerguard: %s (%d)", e.Code, int(e.Code))
}

// Is reports whether target is a sentinel (an *Error with no message) of the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// errorFromC copies a filled peerguard_error.
func errorFromC(err *C.peerguard_error) *Error {
	return &Error{
		Code:    Code(err.code),
		Message: C.GoString(&err.message[0]),
		File:    C.GoString(&err.file[0]),
		Line:    int(err.line),
		Column:  int(err.column),
		Policy:  C.GoString(&err.policy[0]),
		Path:    C.GoString(&err.path[0]),
	}
}

// callError converts the return code of a fallible call and its error detail.
func callError(rc C.int, err *C.peerguard_error) error {
	if rc >= 0 {
		return nil
	}
	if Code(err.code) == Code(rc) {
		return errorFromC(err)
	}
	return &Error{Code: Code(rc), Message: Code(rc).String()}
}
