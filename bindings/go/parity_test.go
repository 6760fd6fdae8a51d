package peerguard_test

// The binding returns the same decisions and errors as `peerguard eval` on
// every decision case.  Each case directory holds policy.yml and input.json
// with a context (account, region, frozen clock) and either
// DescribeVpcPeeringConnections records (resources) or named CloudTrail
// payloads (events).  The resources are written as
// {"VpcPeeringConnections": [...]} and each event to its own file; the
// command reads those files, the binding gets the same bytes in memory and
// the same files, and every field of every decision must agree.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	peerguard "github.com/libpeerguard/peerguard-go"
)

type caseInput struct {
	Context struct {
		AccountID string `json:"account_id"`
		Region    string `json:"region"`
		Now       string `json:"now"`
	} `json:"context"`
	Resources []json.RawMessage          `json:"resources"`
	Events    map[string]json.RawMessage `json:"events"`
}

func peerguardBin(t *testing.T) string {
	if bin := os.Getenv("PEERGUARD_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(sourceDir(t), "build", "tools", "peerguard", "peerguard")
	if _, err := os.Stat(bin); err != nil {
		t.Skip("peerguard binary not found; set PEERGUARD_BIN")
	}
	return bin
}

// policyNames lists the policy names in file order.  The module has no YAML
// parser, so this reads the `- name: X` and `- {name: X, ...}` items that
// the case files use.  The test checks the list against the loaded set
// wherever the whole file loads.
func policyNames(t *testing.T, path string) []string {
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^\s*-\s*\{?\s*name:\s*["']?([^"',}\s]+)`)
	var names []string
	for _, m := range re.FindAllSubmatch(text, -1) {
		names = append(names, string(m[1]))
	}
	if len(names) == 0 {
		t.Fatalf("%s: no policy names found", path)
	}
	return names
}

type cliRun struct {
	decisions [][]byte
	errors    []string
	exitCode  int
}

func runCLI(t *testing.T, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(peerguardBin(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := cliRun{}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		run.exitCode = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("running peerguard: %v", err)
	}
	for _, line := range bytes.Split(stdout.Bytes(), []byte("\n")) {
		if bytes.HasPrefix(line, []byte("{")) {
			run.decisions = append(run.decisions, append([]byte(nil), line...))
		}
	}
	const prefix = "peerguard eval: "
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			run.errors = append(run.errors, strings.TrimPrefix(line, prefix))
		}
	}
	return run
}

func decisionCases(t *testing.T) []string {
	dirs, err := filepath.Glob(filepath.Join(sharedDir(t), "testdata", "cases", "B*"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "input.json"))
		if err != nil {
			continue
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(data, &keys) != nil {
			t.Fatalf("%s: input.json is not a JSON object", dir)
		}
		if keys["resources"] != nil || keys["events"] != nil {
			found = append(found, dir)
		}
	}
	sort.Strings(found)
	return found
}

type caseDocument struct {
	kind peerguard.InputKind
	data []byte
	path string
}

func writeInputs(t *testing.T, in caseInput) []caseDocument {
	dir := t.TempDir()
	var docs []caseDocument
	if in.Resources != nil {
		data := mustJSON(t, map[string]any{"VpcPeeringConnections": in.Resources})
		path := filepath.Join(dir, "describe.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return []caseDocument{{peerguard.InputResources, data, path}}
	}
	names := make([]string, 0, len(in.Events))
	for name := range in.Events {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, in.Events[name], 0o644); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, caseDocument{peerguard.InputEvents, in.Events[name], path})
	}
	return docs
}

// outcome evaluates and returns the decisions' JSON and the error messages; a failed call is one error.
func outcome(res *peerguard.Result, err error) ([][]byte, []string) {
	if err != nil {
		return nil, []string{err.Error()}
	}
	var decisions [][]byte
	for i := range res.Decisions {
		raw, err := json.Marshal(res.Decisions[i])
		if err != nil {
			return nil, []string{"marshalling decision: " + err.Error()}
		}
		decisions = append(decisions, raw)
	}
	var messages []string
	for _, e := range res.Errors {
		messages = append(messages, e.Message)
	}
	return decisions, messages
}

func TestCasesMatchCLI(t *testing.T) {
	cases := decisionCases(t)
	if len(cases) < 10 {
		t.Fatalf("found %d decision cases under %s; the test data moved?", len(cases), sharedDir(t))
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			compareCase(t, dir)
		})
	}
}

func compareCase(t *testing.T, dir string) {
	raw, err := os.ReadFile(filepath.Join(dir, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var in caseInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, in.Context.Now)
	if err != nil {
		t.Fatalf("context.now: %v", err)
	}
	ctx := peerguard.Context{AccountID: in.Context.AccountID, Region: in.Context.Region, Now: now}
	cliContext := []string{"--account-id", in.Context.AccountID, "--region", in.Context.Region, "--now", in.Context.Now}
	policy := filepath.Join(dir, "policy.yml")
	names := policyNames(t, policy)
	docs := writeInputs(t, in)

	selections := [][]string{nil}
	for _, name := range names {
		selections = append(selections, []string{name})
	}
	for _, selection := range selections {
		where := "all policies"
		var opts []peerguard.Option
		args := []string{"eval", "--policy", policy}
		if selection != nil {
			where = "policy " + selection[0]
			opts = append(opts, peerguard.WithPolicies(selection...))
			args = append(args, "-p", selection[0])
		}
		args = append(args, cliContext...)

		ps, err := peerguard.LoadPolicies(policy, opts...)
		if err != nil {
			var pe *peerguard.Error
			if !errors.As(err, &pe) {
				t.Fatalf("%s: error %v is not a *peerguard.Error", where, err)
			}
			run := runCLI(t, append(args, docs[0].path)...)
			if run.exitCode != 2 || !reflect.DeepEqual(run.errors, []string{pe.Message}) {
				t.Errorf("%s: binding failed with %q; the CLI exited %d with %q", where, pe.Message, run.exitCode, run.errors)
			}
			continue
		}
		if selection == nil && !reflect.DeepEqual(ps.Names(), names) {
			t.Errorf("policy names read from the file %v differ from the loaded set %v", names, ps.Names())
		}

		for _, doc := range docs {
			label := where + ", " + filepath.Base(doc.path)
			run := runCLI(t, append(args, doc.path)...)
			if run.exitCode > 2 {
				t.Fatalf("%s: peerguard eval exited %d", label, run.exitCode)
			}

			fileCtx := ctx
			decisions, messages := outcome(ps.EvaluateFile(doc.path, fileCtx))
			compareRun(t, label+" (file)", decisions, messages, run)

			memCtx := ctx
			memCtx.InputName = doc.path
			memCtx.Kind = doc.kind
			decisions, messages = outcome(ps.Evaluate(doc.data, memCtx))
			compareRun(t, label+" (memory)", decisions, messages, run)
		}
		ps.Close()
	}
}

func compareRun(t *testing.T, label string, decisions [][]byte, messages []string, run cliRun) {
	t.Helper()
	if len(decisions) != len(run.decisions) {
		t.Errorf("%s: %d decisions from the binding, %d from the CLI", label, len(decisions), len(run.decisions))
		return
	}
	for i := range decisions {
		assertSameJSON(t, decisions[i], run.decisions[i], label)
	}
	if !reflect.DeepEqual(messages, run.errors) {
		t.Errorf("%s: errors %q, the CLI printed %q", label, messages, run.errors)
	}
}
