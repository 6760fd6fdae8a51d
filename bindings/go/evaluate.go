package peerguard

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <peerguard/peerguard.h>

void pggo_log_trampoline(peerguard_log_level level, const char *message, void *userdata);

static void pggo_context_init(peerguard_context *c)
{
	peerguard_context init = PEERGUARD_CONTEXT_INIT;

	*c = init;
}

static void pggo_context_set_log(peerguard_context *c, uintptr_t handle)
{
	c->log = pggo_log_trampoline;
	c->log_userdata = (void *)handle;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
	"time"
	"unsafe"
)

// InputKind is the kind of content in an input document.
type InputKind int

// Kinds of peerguard_input_kind.
const (
	InputAuto      InputKind = 0 // detect from the content
	InputEvents    InputKind = 1 // CloudTrail: a record, EventBridge event, SNS message, log file or JSON lines
	InputResources InputKind = 2 // DescribeVpcPeeringConnections output, a list of records, or one record
)

// Context is the account, region and clock of an evaluation.
type Context struct {
	// AccountID is the 12-digit account the policies protect.  It is trusted
	// by the cross-account filter, fills {account_id}, and decides our side
	// of a connection.  Empty: each CloudTrail record's recipientAccountId;
	// describe records then have no side.
	AccountID string
	// Region fills {region}; empty: the record's region.
	Region string
	// Now is the evaluation time; the zero time reads the system clock once.
	Now time.Time
	// Explain records which filter clauses decided, with the values compared.
	Explain bool
	// MatchedOnly keeps only decisions whose policy matched.
	MatchedOnly bool
	// InputName names the document in error messages (Evaluate, EvaluateEvent, EvaluateResources).
	InputName string
	// Kind is the input kind for Evaluate and EvaluateFile.  The zero value, InputAuto, detects it.
	Kind InputKind
	// Logger receives the library's messages during the evaluation; nil drops them.
	Logger Logger
}

// Result holds the decisions of one evaluation and the errors of the records
// that could not be read.  Every readable record is evaluated even when
// others fail, so Errors may be non-empty next to valid Decisions.
type Result struct {
	Decisions []Decision
	Errors    []*Error
}

// Matched returns the decisions whose policy matched.
func (r *Result) Matched() []Decision {
	var out []Decision
	for _, d := range r.Decisions {
		if d.Matched {
			out = append(out, d)
		}
	}
	return out
}

// Err joins the record errors into one error, or returns nil when there are none.
func (r *Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	errs := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// EvaluateEvent evaluates CloudTrail input: a record, an EventBridge event,
// an SNS message, a log file (plain or gzip) or JSON lines.  Only policies in
// cloudtrail mode whose events list the record's source and name decide on
// it.  The error is an *Error with CodeInput when nothing in data could be
// read; errors of single records are in Result.Errors.
func (ps *PolicySet) EvaluateEvent(data []byte, ctx Context) (*Result, error) {
	return ps.evaluate(InputEvents, data, ctx)
}

// EvaluateResources evaluates DescribeVpcPeeringConnections output (the
// response, a list of records, or one record; plain or gzip) against the
// pull and periodic policies.
func (ps *PolicySet) EvaluateResources(data []byte, ctx Context) (*Result, error) {
	return ps.evaluate(InputResources, data, ctx)
}

// Evaluate evaluates a document of kind ctx.Kind.
func (ps *PolicySet) Evaluate(data []byte, ctx Context) (*Result, error) {
	return ps.evaluate(ctx.Kind, data, ctx)
}

func (ps *PolicySet) evaluate(kind InputKind, data []byte, ctx Context) (*Result, error) {
	var cname *C.char
	if ctx.InputName != "" {
		cname = C.CString(ctx.InputName)
		defer C.free(unsafe.Pointer(cname))
	}
	// Go memory may be passed for the duration of a call; the library does not keep it.
	// An empty document still needs a valid pointer.
	buf := data
	if len(buf) == 0 {
		buf = []byte{0}
	}
	ptr := (*C.char)(unsafe.Pointer(&buf[0]))

	return ps.run(ctx, func(out **C.peerguard_result, set *C.peerguard_policy_set, cctx *C.peerguard_context,
		cerr *C.peerguard_error) C.int {
		return C.peerguard_evaluate(out, set, cctx, C.peerguard_input_kind(kind), ptr, C.size_t(len(data)), cname, cerr)
	})
}

// EvaluateFile reads a file (plain or gzip; "-" is standard input) and
// evaluates it as ctx.Kind, which by default is detected from the content.
func (ps *PolicySet) EvaluateFile(path string, ctx Context) (*Result, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))

	return ps.run(ctx, func(out **C.peerguard_result, set *C.peerguard_policy_set, cctx *C.peerguard_context,
		cerr *C.peerguard_error) C.int {
		return C.peerguard_evaluate_file(out, set, cctx, C.peerguard_input_kind(ctx.Kind), cpath, cerr)
	})
}

type evalCall func(out **C.peerguard_result, set *C.peerguard_policy_set, ctx *C.peerguard_context,
	err *C.peerguard_error) C.int

// run sets up the C context, makes one evaluation call under the read lock, and converts the result.
func (ps *PolicySet) run(ctx Context, call evalCall) (*Result, error) {
	var cctx C.peerguard_context
	C.pggo_context_init(&cctx)
	if ctx.AccountID != "" {
		cctx.account_id = C.CString(ctx.AccountID)
		defer C.free(unsafe.Pointer(cctx.account_id))
	}
	if ctx.Region != "" {
		cctx.region = C.CString(ctx.Region)
		defer C.free(unsafe.Pointer(cctx.region))
	}
	if !ctx.Now.IsZero() {
		cctx.now = C.double(float64(ctx.Now.UnixNano()) / 1e9)
	}
	if ctx.Explain {
		cctx.flags |= C.PEERGUARD_EXPLAIN
	}
	if ctx.MatchedOnly {
		cctx.flags |= C.PEERGUARD_MATCHED_ONLY
	}
	if ctx.Logger != nil {
		handle := cgo.NewHandle(ctx.Logger)
		defer handle.Delete()
		C.pggo_context_set_log(&cctx, C.uintptr_t(handle))
	}

	var result *C.peerguard_result
	var cerr C.peerguard_error
	ps.mu.RLock()
	if ps.set == nil {
		ps.mu.RUnlock()
		return nil, errClosed
	}
	rc := call(&result, ps.set, &cctx, &cerr)
	ps.mu.RUnlock()
	runtime.KeepAlive(ps)
	if err := callError(rc, &cerr); err != nil {
		return nil, err
	}
	defer C.peerguard_result_free(result)
	return convertResult(result)
}

func convertResult(result *C.peerguard_result) (*Result, error) {
	out := &Result{}
	n := int(C.peerguard_result_count(result))
	out.Decisions = make([]Decision, 0, n)
	for i := 0; i < n; i++ {
		d := C.peerguard_result_get(result, C.size_t(i))
		var text *C.char
		if err := callError(C.peerguard_decision_to_json(&text, d, 0), &C.peerguard_error{}); err != nil {
			return nil, err
		}
		raw := C.GoBytes(unsafe.Pointer(text), C.int(C.strlen(text)))
		C.peerguard_free(unsafe.Pointer(text))
		decision, err := decodeDecision(raw)
		if err != nil {
			return nil, fmt.Errorf("peerguard: decision %d is not valid JSON: %w", i, err)
		}
		out.Decisions = append(out.Decisions, decision)
	}
	for i := 0; i < int(C.peerguard_result_error_count(result)); i++ {
		var cerr C.peerguard_error
		if C.peerguard_result_error(result, C.size_t(i), &cerr) == 0 {
			out.Errors = append(out.Errors, errorFromC(&cerr))
		}
	}
	return out, nil
}
