// Command check_peering evaluates DescribeVpcPeeringConnections output and
// CloudTrail events against a Cloud Custodian policy file and prints what to
// do about each peering connection.
//
//	check_peering -policy policies.yml -account-id 111111111111 \
//	    -describe describe.json -event create-event.json
//
// describe.json is the output of `aws ec2 describe-vpc-peering-connections`
// (or json.Marshal of aws-sdk-go-v2's DescribeVpcPeeringConnectionsOutput);
// an event file holds a CloudTrail record, an EventBridge event, an SNS
// message, a CloudTrail log file (plain or gzip) or JSON lines.
//
// Exit status: 0 when no policy matched, 1 when one did, 2 on an error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	peerguard "github.com/libpeerguard/peerguard-go"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	var describes, events fileList
	policy := flag.String("policy", "", "Cloud Custodian policy file, YAML or JSON (required)")
	accountID := flag.String("account-id", "", "12-digit account the policies protect")
	region := flag.String("region", "", "region for {region} and for calls when a record has none")
	now := flag.String("now", "", "evaluate as if the time were this RFC 3339 time (default: the clock)")
	explain := flag.Bool("explain", false, "print the filter clauses that decided")
	flag.Var(&describes, "describe", "DescribeVpcPeeringConnections output file (repeatable)")
	flag.Var(&events, "event", "CloudTrail event file (repeatable)")
	flag.Parse()

	if *policy == "" || len(describes)+len(events) == 0 {
		fmt.Fprintln(os.Stderr, "check_peering: -policy and at least one -describe or -event file are required")
		flag.Usage()
		return 2
	}
	ctx := peerguard.Context{AccountID: *accountID, Region: *region, Explain: *explain}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			fmt.Fprintf(os.Stderr, "check_peering: invalid -now %q; use RFC 3339 such as 2026-01-15T12:00:00Z\n", *now)
			return 2
		}
		ctx.Now = t
	}

	set, err := peerguard.LoadPolicies(*policy, peerguard.WithLogger(func(level peerguard.LogLevel, msg string) {
		fmt.Fprintf(os.Stderr, "check_peering: %s: %s\n", level, msg)
	}))
	if err != nil {
		var pe *peerguard.Error
		if errors.As(err, &pe) && pe.Line > 0 {
			fmt.Fprintf(os.Stderr, "check_peering: policy %q, %s line %d: ", pe.Policy, pe.File, pe.Line)
		}
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 2
	}
	defer set.Close()

	status := 0
	inputs := []struct {
		kind  peerguard.InputKind
		files []string
	}{{peerguard.InputResources, describes}, {peerguard.InputEvents, events}}
	for _, in := range inputs {
		for _, path := range in.files {
			c := ctx
			c.Kind = in.kind
			result, err := set.EvaluateFile(path, c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "check_peering: %v\n", err)
				status = 2
				continue
			}
			for _, d := range result.Decisions {
				printDecision(d)
				if d.Matched && status == 0 {
					status = 1
				}
			}
			for _, e := range result.Errors {
				fmt.Fprintf(os.Stderr, "check_peering: %v\n", e)
				status = 2
			}
		}
	}
	return status
}

func printDecision(d peerguard.Decision) {
	mark := "-----"
	if d.Matched {
		mark = "MATCH"
	}
	fmt.Printf("%s %s %s: side=%s state=%s action=%s", mark, d.Policy, d.ResourceID, d.Side, d.State, d.Action)
	if d.APICall != "" {
		fmt.Printf(" call=%s region=%s", d.APICall, d.Region)
	}
	if len(d.Violations) > 0 {
		fmt.Printf(" foreign=%s", strings.Join(d.Violations, ","))
	}
	if d.Event != nil {
		fmt.Printf(" event=%s", peerguard.Str(d.Event.ID))
	}
	fmt.Printf("\n  %s\n", d.Reason)
	for _, clause := range d.Explain {
		fmt.Printf("  explain: %v\n", clause)
	}
}
