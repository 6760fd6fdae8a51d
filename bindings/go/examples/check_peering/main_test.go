package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const policy = `policies:
  - name: pcx-foreign
    resource: aws.peering-connection
    filters:
      - type: cross-account
        whitelist: ["222222222222"]
    actions:
      - delete
`

const describe = `{"VpcPeeringConnections": [
  {"VpcPeeringConnectionId": "pcx-0aaaaaaaaaaaaaaa1", "Status": {"Code": "pending-acceptance"},
   "RequesterVpcInfo": {"OwnerId": "999999999999", "VpcId": "vpc-09", "Region": "us-east-1"},
   "AccepterVpcInfo": {"OwnerId": "111111111111", "VpcId": "vpc-01", "Region": "us-east-1"}},
  {"VpcPeeringConnectionId": "pcx-0aaaaaaaaaaaaaaa2", "Status": {"Code": "active"},
   "RequesterVpcInfo": {"OwnerId": "111111111111", "VpcId": "vpc-01", "Region": "us-east-1"},
   "AccepterVpcInfo": {"OwnerId": "222222222222", "VpcId": "vpc-02", "Region": "us-east-1"}}]}`

func TestCheckPeeringOnFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	args := []string{"check_peering", "-policy", write("policy.yml", policy), "-account-id", "111111111111",
		"-now", "2026-01-15T12:00:00Z", "-describe", write("describe.json", describe)}

	flag.CommandLine = flag.NewFlagSet(args[0], flag.ContinueOnError)
	os.Args = args
	stdout := os.Stdout
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout = w
	status := run()
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)

	if status != 1 {
		t.Errorf("exit status %d, want 1 (a policy matched)\n%s", status, out)
	}
	lines := strings.Split(string(out), "\n")
	want := []string{
		"MATCH pcx-foreign pcx-0aaaaaaaaaaaaaaa1: side=accepter state=pending-acceptance action=reject call=RejectVpcPeeringConnection region=us-east-1 foreign=999999999999",
		"----- pcx-foreign pcx-0aaaaaaaaaaaaaaa2: side=requester state=active action=none",
	}
	for _, line := range want {
		found := false
		for _, got := range lines {
			found = found || got == line
		}
		if !found {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
}
