package peerguard_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	peerguard "github.com/libpeerguard/peerguard-go"
)

var ctx = peerguard.Context{AccountID: account, Region: "us-east-1", Now: frozenNow}

func loadTestPolicy(t *testing.T) *peerguard.PolicySet {
	t.Helper()
	ps, err := peerguard.LoadPoliciesString(testPolicy, peerguard.WithName("test-policy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ps.Close() })
	return ps
}

func TestVersionMatchesHeader(t *testing.T) {
	header, err := os.ReadFile(filepath.Join(sourceDir(t), "include", "peerguard", "peerguard.h"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`#define PEERGUARD_VERSION "([^"]+)"`).FindSubmatch(header)
	if m == nil {
		t.Fatal("PEERGUARD_VERSION not found in peerguard.h")
	}
	if got := peerguard.Version(); got != string(m[1]) {
		t.Errorf("Version() = %q, header has %q", got, m[1])
	}
	if err := peerguard.CheckVersion(); err != nil {
		t.Error(err)
	}
}

func TestCodesMatchHeader(t *testing.T) {
	header, err := os.ReadFile(filepath.Join(sourceDir(t), "include", "peerguard", "peerguard.h"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]peerguard.Code{
		"ERROR": peerguard.CodeError, "ENOMEM": peerguard.CodeNoMemory, "EINVAL": peerguard.CodeInvalid,
		"EPOLICY": peerguard.CodePolicy, "EINPUT": peerguard.CodeInput, "EIO": peerguard.CodeIO,
		"ELIMIT": peerguard.CodeLimit, "EEXPR": peerguard.CodeExpr, "EEVAL": peerguard.CodeEval,
		"ENOTFOUND": peerguard.CodeNotFound,
	}
	found := 0
	for _, m := range regexp.MustCompile(`PEERGUARD_(E\w+|ERROR) = (-\d+)`).FindAllSubmatch(header, -1) {
		code, ok := want[string(m[1])]
		if !ok {
			t.Errorf("the header has PEERGUARD_%s, which this package does not define", m[1])
			continue
		}
		if string(m[2]) != strconv.Itoa(int(code)) {
			t.Errorf("PEERGUARD_%s = %s, package has %d", m[1], m[2], code)
		}
		found++
	}
	if found != len(want) {
		t.Errorf("found %d codes in the header, package defines %d", found, len(want))
	}
}

func TestEventDecisionFields(t *testing.T) {
	ps := loadTestPolicy(t)
	res, err := ps.EvaluateEvent(mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "ev-0001")), ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Decisions) != 1 {
		t.Fatalf("got %d decisions, want 1", len(res.Decisions))
	}
	d := res.Decisions[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"policy", d.Policy, "pcx-foreign-event"},
		{"resource_id", d.ResourceID, "pcx-0aaaaaaaaaaaaaaa1"},
		{"matched", d.Matched, true},
		{"side", d.Side, "requester"},
		{"state", d.State, "initiating-request"},
		{"state_source", d.StateSource, "event"},
		{"state_time", d.StateTime, "2026-01-15T11:58:00.000Z"},
		{"account_id", peerguard.Str(d.AccountID), account},
		{"requester", peerguard.Str(d.Requester.OwnerID), account},
		{"accepter", peerguard.Str(d.Accepter.OwnerID), foreign},
		{"violations", d.Violations, []string{foreign}},
		{"event.id", peerguard.Str(d.Event.ID), "ev-0001"},
		{"event.envelope_id", peerguard.Str(d.Event.EnvelopeID), "env-ev-0001"},
		{"actions", d.Actions, []peerguard.JSONMap{{"type": "webhook", "url": "http://127.0.0.1:9/hook"}}},
		{"policy_revision", d.PolicyRevision, ps.Revision()},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if d.Explain != nil {
		t.Errorf("explain = %v without Context.Explain", d.Explain)
	}
	when, err := d.StateTimeValue()
	if err != nil || !when.Equal(frozenNow.Add(-2*60e9)) {
		t.Errorf("StateTimeValue() = %v, %v", when, err)
	}
}

// The struct's JSON must be the library's JSON: same keys, same values, null where it writes null.
func TestDecisionJSONRoundTrip(t *testing.T) {
	ps := loadTestPolicy(t)
	docs := [][]byte{
		mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "ev-0001")),
		mustJSON(t, map[string]any{"VpcPeeringConnections": []any{
			describeRecord("pcx-0aaaaaaaaaaaaaaa2", foreign, account, "pending-acceptance"),
			map[string]any{"VpcPeeringConnectionId": "pcx-0aaaaaaaaaaaaaaa3"},
		}}),
	}
	n := 0
	for _, doc := range docs {
		for _, explain := range []bool{false, true} {
			c := ctx
			c.Explain = explain
			res, err := ps.Evaluate(doc, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Decisions {
				assertSameJSON(t, mustJSON(t, d), d.JSON(), d.ResourceID)
				n++
			}
		}
	}
	if n != 6 {
		t.Errorf("compared %d decisions, want 6", n)
	}
}

func assertSameJSON(t *testing.T, got, want []byte, where string) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for key, value := range w {
		if !reflect.DeepEqual(g[key], value) {
			t.Errorf("%s: field %s = %#v, want %#v", where, key, g[key], value)
		}
	}
	for key := range g {
		if _, ok := w[key]; !ok {
			t.Errorf("%s: field %s is not in the library's JSON", where, key)
		}
	}
}

func TestInputFormsAgree(t *testing.T) {
	ps := loadTestPolicy(t)
	event := createEvent("pcx-0aaaaaaaaaaaaaaa1", "ev-0001")
	record := event["detail"].(map[string]any)
	plain := mustJSON(t, event)

	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(plain)
	zw.Close()
	sns := mustJSON(t, map[string]any{"Records": []any{map[string]any{"EventSource": "aws:sns",
		"Sns": map[string]any{"Type": "Notification", "Message": string(plain)}}}})
	forms := map[string][]byte{
		"envelope": plain,
		"gzip":     zipped.Bytes(),
		"record":   mustJSON(t, record),
		"log file": mustJSON(t, map[string]any{"Records": []any{record}}),
		"sns":      sns,
		"lines":    append(mustJSON(t, record), '\n'),
	}

	want, err := ps.EvaluateEvent(plain, ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range forms {
		got, err := ps.EvaluateEvent(data, ctx)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got.Decisions) != 1 || got.Decisions[0].ResourceID != want.Decisions[0].ResourceID ||
			got.Decisions[0].Action != want.Decisions[0].Action {
			t.Errorf("%s: decisions %+v, want %+v", name, got.Decisions, want.Decisions)
		}
	}
}

func TestResourcesDecideByState(t *testing.T) {
	ps := loadTestPolicy(t)
	doc := mustJSON(t, map[string]any{
		"VpcPeeringConnections": []any{
			describeRecord("pcx-0aaaaaaaaaaaaaaa1", foreign, account, "pending-acceptance"),
			describeRecord("pcx-0aaaaaaaaaaaaaaa2", account, foreign, "active"),
			describeRecord("pcx-0aaaaaaaaaaaaaaa3", account, allowed, "active"),
		},
		"ResponseMetadata": map[string]any{"RequestId": "r-1", "HTTPStatusCode": 200},
	})
	res, err := ps.EvaluateResources(doc, ctx)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]string{}
	for _, d := range res.Decisions {
		calls[d.ResourceID] = d.APICall
	}
	want := map[string]string{
		"pcx-0aaaaaaaaaaaaaaa1": "RejectVpcPeeringConnection",
		"pcx-0aaaaaaaaaaaaaaa2": "DeleteVpcPeeringConnection",
		"pcx-0aaaaaaaaaaaaaaa3": "",
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("api calls = %v, want %v", calls, want)
	}
	if got := len(res.Matched()); got != 2 {
		t.Errorf("Matched() has %d decisions, want 2", got)
	}
	if res.Err() != nil {
		t.Errorf("Err() = %v", res.Err())
	}
}

func TestMatchedOnlyAndExplain(t *testing.T) {
	ps := loadTestPolicy(t)
	doc := mustJSON(t, []any{
		describeRecord("pcx-0aaaaaaaaaaaaaaa1", foreign, account, "active"),
		describeRecord("pcx-0aaaaaaaaaaaaaaa2", account, allowed, "active"),
	})
	c := ctx
	c.MatchedOnly = true
	c.Explain = true
	res, err := ps.EvaluateResources(doc, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Decisions) != 1 || res.Decisions[0].ResourceID != "pcx-0aaaaaaaaaaaaaaa1" {
		t.Fatalf("decisions = %+v, want only pcx-0aaaaaaaaaaaaaaa1", res.Decisions)
	}
	if len(res.Decisions[0].Explain) == 0 {
		t.Error("explain is empty with Context.Explain")
	}
}

func TestPolicyErrorFields(t *testing.T) {
	bad := `policies:
  - name: first-ok
    resource: aws.peering-connection
  - name: second-bad
    resource: aws.peering-connection
    filters:
      - type: value
        key: Status.Code
        op: equalz
        value: active
`
	path := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := peerguard.LoadPolicies(path)
	var pe *peerguard.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *peerguard.Error", err)
	}
	if pe.Code != peerguard.CodePolicy || !errors.Is(err, peerguard.ErrPolicy) || errors.Is(err, peerguard.ErrInput) {
		t.Errorf("code = %v", pe.Code)
	}
	if pe.File != path || pe.Line != 9 || pe.Column == 0 || pe.Policy != "second-bad" {
		t.Errorf("location = %s:%d:%d policy %q", pe.File, pe.Line, pe.Column, pe.Policy)
	}
	if !strings.HasPrefix(pe.Path, "policies[1].filters[0]") || !strings.Contains(pe.Message, "equalz") {
		t.Errorf("path %q, message %q", pe.Path, pe.Message)
	}
	if err.Error() != pe.Message {
		t.Errorf("Error() = %q, want the message", err.Error())
	}

	ps, err := peerguard.LoadPolicies(path, peerguard.WithPolicies("first-ok"))
	if err != nil {
		t.Fatalf("loading only first-ok: %v", err)
	}
	defer ps.Close()
	if !reflect.DeepEqual(ps.Names(), []string{"first-ok"}) {
		t.Errorf("Names() = %v", ps.Names())
	}
}

func TestLoadFailures(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		load func() (*peerguard.PolicySet, error)
		want *peerguard.Error
	}{
		{"missing file", func() (*peerguard.PolicySet, error) {
			return peerguard.LoadPolicies(filepath.Join(dir, "absent.yml"))
		}, peerguard.ErrIO},
		{"policy size limit", func() (*peerguard.PolicySet, error) {
			return peerguard.LoadPoliciesString(testPolicy, peerguard.WithLimits(peerguard.Limits{MaxPolicyBytes: 64}))
		}, peerguard.ErrLimit},
		{"empty policy list", func() (*peerguard.PolicySet, error) {
			return peerguard.LoadPoliciesString(testPolicy, peerguard.WithPolicies())
		}, peerguard.ErrInvalid},
	}
	for _, c := range cases {
		ps, err := c.load()
		if err == nil {
			ps.Close()
			t.Errorf("%s: loaded", c.name)
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v (%T), want code %v", c.name, err, err, c.want.Code)
		}
	}

	_, err := peerguard.LoadPoliciesString(testPolicy, peerguard.WithPolicies("no-such-policy"))
	if err == nil || !strings.Contains(err.Error(), "no-such-policy") {
		t.Errorf("unknown policy name: %v", err)
	}
}

func TestInputErrors(t *testing.T) {
	ps := loadTestPolicy(t)
	c := ctx
	c.InputName = "broken.json"
	_, err := ps.EvaluateEvent([]byte("{not json"), c)
	if !errors.Is(err, peerguard.ErrInput) || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("broken JSON: %v", err)
	}
	if _, err := ps.EvaluateEvent(nil, c); !errors.Is(err, peerguard.ErrInput) {
		t.Errorf("empty input: %v", err)
	}

	c.InputName = "mixed.json"
	doc := mustJSON(t, map[string]any{"VpcPeeringConnections": []any{
		describeRecord("pcx-0aaaaaaaaaaaaaaa1", foreign, account, "active"), "not a record"}})
	res, err := ps.EvaluateResources(doc, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Decisions) != 1 || len(res.Errors) != 1 {
		t.Fatalf("%d decisions and %d errors, want 1 and 1", len(res.Decisions), len(res.Errors))
	}
	if res.Errors[0].File != "mixed.json" || !errors.Is(res.Err(), peerguard.ErrInput) {
		t.Errorf("record error = %+v", res.Errors[0])
	}

	c.AccountID = "1234"
	if _, err := ps.EvaluateEvent(mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "e")), c); !errors.Is(err, peerguard.ErrInvalid) {
		t.Errorf("short account id: %v", err)
	}
}

func TestEvaluateFileMatchesMemory(t *testing.T) {
	ps := loadTestPolicy(t)
	doc := mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "ev-0001"))
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, err := ps.EvaluateFile(path, ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromMemory, err := ps.EvaluateEvent(doc, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromFile.Decisions) != 1 || !bytes.Equal(fromFile.Decisions[0].JSON(), fromMemory.Decisions[0].JSON()) {
		t.Errorf("file gave %+v, memory gave %+v", fromFile.Decisions, fromMemory.Decisions)
	}
	if _, err := ps.EvaluateFile(filepath.Join(t.TempDir(), "absent.json"), ctx); !errors.Is(err, peerguard.ErrIO) {
		t.Errorf("missing input file: %v", err)
	}
}

func TestLoadWarnings(t *testing.T) {
	text := `policies:
  - name: pcx-status-substring
    resource: aws.peering-connection
    filters:
      - type: value
        key: Status.Code
        op: in
        value: pending-acceptance
`
	var logged []string
	ps, err := peerguard.LoadPoliciesString(text, peerguard.WithName("substring.yml"),
		peerguard.WithLogger(func(level peerguard.LogLevel, message string) {
			logged = append(logged, level.String()+": "+message)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	warnings := ps.Warnings()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "substring.yml:8") {
		t.Fatalf("warnings = %q", warnings)
	}
	if len(logged) != 1 || logged[0] != "warning: "+warnings[0] {
		t.Errorf("logged = %q", logged)
	}
}

func TestClosedSet(t *testing.T) {
	ps, err := peerguard.LoadPoliciesString(testPolicy)
	if err != nil {
		t.Fatal(err)
	}
	ps.Close()
	ps.Close()
	if _, err := ps.EvaluateEvent(mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "e")), ctx); err == nil ||
		!strings.Contains(err.Error(), "closed") {
		t.Errorf("evaluating a closed set: %v", err)
	}
}
