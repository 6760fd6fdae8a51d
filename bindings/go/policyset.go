package peerguard

/*
#include <stdint.h>
#include <stdlib.h>
#include <peerguard/peerguard.h>

void pggo_log_trampoline(peerguard_log_level level, const char *message, void *userdata);

static void pggo_load_options_init(peerguard_load_options *o)
{
	peerguard_load_options init = PEERGUARD_LOAD_OPTIONS_INIT;

	*o = init;
}

static void pggo_load_options_set_log(peerguard_load_options *o, uintptr_t handle)
{
	o->log = pggo_log_trampoline;
	o->log_userdata = (void *)handle;
}

static const char **pggo_names_new(size_t n)
{
	return calloc(n + 1, sizeof(const char *));
}

static void pggo_names_set(const char **names, size_t i, const char *name)
{
	names[i] = name;
}
*/
import "C"

import (
	"errors"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Limits bounds hostile input (peerguard_limits).  A zero field keeps the library's default.
type Limits struct {
	MaxInputBytes     uint64 // one input document or decompressed log file; 256 MiB
	MaxPolicyBytes    uint64 // one policy file; 16 MiB
	MaxDepth          uint32 // JSON and YAML nesting depth; 64
	MaxYAMLAliases    uint32 // YAML alias references in one policy file; 1000
	MaxPolicies       uint32 // policies in one set; 10000
	MaxFilters        uint32 // filters in one policy, nested ones included; 10000
	RegexMatchLimit   uint32 // PCRE2 match limit; 1000000
	RegexHeapLimitKiB uint32 // PCRE2 heap limit in KiB; 20480
	JMESPathMaxSteps  uint64 // JMESPath evaluation steps per search; 1000000
	JMESPathMaxLength uint64 // JMESPath expression length in bytes; 4096
}

type loadConfig struct {
	selected bool // WithPolicies was given, even with no names
	policies []string
	baseDir  string
	limits   Limits
	logger   Logger
	name     string
}

// Option changes how LoadPolicies and LoadPoliciesString load a policy set.
type Option func(*loadConfig)

// WithPolicies loads only the named policies.  The whole file is still
// parsed, but only these policies are validated and compiled; a name that
// matches no policy is an error.
func WithPolicies(names ...string) Option {
	return func(c *loadConfig) {
		c.selected = true
		c.policies = append(c.policies, names...)
	}
}

// WithBaseDir sets the directory against which relative value_from and
// whitelist_from file URLs resolve.  The default is the policy file's
// directory, or the current directory for LoadPoliciesString.
func WithBaseDir(dir string) Option {
	return func(c *loadConfig) { c.baseDir = dir }
}

// WithLimits sets the limits on hostile input.
func WithLimits(l Limits) Option {
	return func(c *loadConfig) { c.limits = l }
}

// WithLogger receives the warnings found while loading.  PolicySet.Warnings
// returns them as well.
func WithLogger(fn Logger) Option {
	return func(c *loadConfig) { c.logger = fn }
}

// WithName names a document loaded with LoadPoliciesString in error messages.
func WithName(name string) Option {
	return func(c *loadConfig) { c.name = name }
}

// PolicySet is a compiled, immutable set of Cloud Custodian policies.  It is
// safe for concurrent use.  Close frees it once running evaluations end; a
// PolicySet that becomes unreachable without Close is freed by a finalizer.
type PolicySet struct {
	mu       sync.RWMutex
	set      *C.peerguard_policy_set
	names    []string
	revision string
	warnings []string
}

var errClosed = errors.New("peerguard: the PolicySet is closed")

// LoadPolicies loads and validates a Cloud Custodian policy file, YAML or
// JSON.  The set loads whole or not at all; on failure the error is an
// *Error naming the file, line, column, policy and the fix.
func LoadPolicies(path string, opts ...Option) (*PolicySet, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))

	return load(opts, func(out **C.peerguard_policy_set, o *C.peerguard_load_options, e *C.peerguard_error) C.int {
		return C.peerguard_policy_set_load_file(out, cpath, o, e)
	})
}

// LoadPoliciesString loads a policy document held in memory; WithName names it in errors.
func LoadPoliciesString(text string, opts ...Option) (*PolicySet, error) {
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))

	var cfg loadConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	var cname *C.char
	if cfg.name != "" {
		cname = C.CString(cfg.name)
		defer C.free(unsafe.Pointer(cname))
	}

	return load(opts, func(out **C.peerguard_policy_set, o *C.peerguard_load_options, e *C.peerguard_error) C.int {
		return C.peerguard_policy_set_load_string(out, ctext, C.size_t(len(text)), cname, o, e)
	})
}

type loadCall func(out **C.peerguard_policy_set, opts *C.peerguard_load_options, err *C.peerguard_error) C.int

func load(opts []Option, call loadCall) (*PolicySet, error) {
	var cfg loadConfig
	for _, opt := range opts {
		opt(&cfg)
	}

	var copts C.peerguard_load_options
	C.pggo_load_options_init(&copts)
	copts.limits = cfg.limits.toC()
	if cfg.baseDir != "" {
		copts.base_dir = C.CString(cfg.baseDir)
		defer C.free(unsafe.Pointer(copts.base_dir))
	}
	if cfg.selected {
		if len(cfg.policies) == 0 {
			return nil, &Error{Code: CodeInvalid, Message: "WithPolicies was given no names; leave it out to load every policy"}
		}
		names := C.pggo_names_new(C.size_t(len(cfg.policies)))
		defer C.free(unsafe.Pointer(names))
		for i, name := range cfg.policies {
			cname := C.CString(name)
			defer C.free(unsafe.Pointer(cname))
			C.pggo_names_set(names, C.size_t(i), cname)
		}
		copts.only = names
	}

	var warnings []string
	logger := Logger(func(level LogLevel, message string) {
		if level <= LogWarn {
			warnings = append(warnings, message)
		}
		if cfg.logger != nil {
			cfg.logger(level, message)
		}
	})
	handle := cgo.NewHandle(logger)
	defer handle.Delete()
	C.pggo_load_options_set_log(&copts, C.uintptr_t(handle))

	var set *C.peerguard_policy_set
	var cerr C.peerguard_error
	if err := callError(call(&set, &copts, &cerr), &cerr); err != nil {
		return nil, err
	}
	return newPolicySet(set, warnings), nil
}

func newPolicySet(set *C.peerguard_policy_set, warnings []string) *PolicySet {
	ps := &PolicySet{set: set, warnings: warnings}
	n := int(C.peerguard_policy_set_count(set))
	ps.names = make([]string, 0, n)
	for i := 0; i < n; i++ {
		ps.names = append(ps.names, C.GoString(C.peerguard_policy_set_name(set, C.size_t(i))))
	}
	ps.revision = C.GoString(C.peerguard_policy_set_revision(set))
	runtime.SetFinalizer(ps, (*PolicySet).free)
	return ps
}

// Names returns the names of the policies in the set, in file order.
func (ps *PolicySet) Names() []string {
	return append([]string(nil), ps.names...)
}

// Len returns the number of policies in the set.
func (ps *PolicySet) Len() int {
	return len(ps.names)
}

// Revision returns a hex digest of the policy source text, which audit
// records carry so a decision can be traced to the exact policy that made it.
func (ps *PolicySet) Revision() string {
	return ps.revision
}

// Warnings returns the warnings found while loading.
func (ps *PolicySet) Warnings() []string {
	return append([]string(nil), ps.warnings...)
}

// Close frees the set after the evaluations that are running end.  Calling it again does nothing.
func (ps *PolicySet) Close() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.free()
	runtime.SetFinalizer(ps, nil)
	return nil
}

// free releases the C set; the caller holds the write lock or is the finalizer.
func (ps *PolicySet) free() {
	if ps.set != nil {
		C.peerguard_policy_set_free(ps.set)
		ps.set = nil
	}
}

func (l Limits) toC() C.peerguard_limits {
	return C.peerguard_limits{
		max_input_bytes:      C.size_t(l.MaxInputBytes),
		max_policy_bytes:     C.size_t(l.MaxPolicyBytes),
		max_depth:            C.uint(l.MaxDepth),
		max_yaml_aliases:     C.uint(l.MaxYAMLAliases),
		max_policies:         C.uint(l.MaxPolicies),
		max_filters:          C.uint(l.MaxFilters),
		regex_match_limit:    C.uint32_t(l.RegexMatchLimit),
		regex_heap_limit_kib: C.uint32_t(l.RegexHeapLimitKiB),
		jmespath_max_steps:   C.uint64_t(l.JMESPathMaxSteps),
		jmespath_max_length:  C.size_t(l.JMESPathMaxLength),
	}
}
