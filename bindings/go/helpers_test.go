package peerguard_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	account = "111111111111"
	foreign = "999999999999"
	allowed = "222222222222"
)

// testPolicy holds a cloudtrail-mode policy and a pull-mode policy, both
// removing foreign peers; the Python tests use the same file.
var testPolicy = readFile("../testdata/foreign-peers.yml")

func readFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(data)
}

var frozenNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// sourceDir is the project root: PEERGUARD_SOURCE, or two levels above this package.
func sourceDir(t testing.TB) string {
	if dir := os.Getenv("PEERGUARD_SOURCE"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// sharedDir is the shared test data: PEERGUARD_SHARED, or ../shared beside the project.
func sharedDir(t testing.TB) string {
	if dir := os.Getenv("PEERGUARD_SHARED"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(sourceDir(t)), "shared")
}

func describeRecord(pcx, requester, accepter, state string) map[string]any {
	return map[string]any{
		"VpcPeeringConnectionId": pcx,
		"Status":                 map[string]any{"Code": state, "Message": state},
		"RequesterVpcInfo": map[string]any{"OwnerId": requester, "VpcId": "vpc-0aaaaaaaaaaaaaaa1",
			"Region": "us-east-1", "CidrBlock": "10.1.0.0/16"},
		"AccepterVpcInfo": map[string]any{"OwnerId": accepter, "VpcId": "vpc-0bbbbbbbbbbbbbbb2",
			"Region": "us-east-1", "CidrBlock": "10.2.0.0/16"},
		"Tags": []any{},
	}
}

// createEvent is a CloudTrail CreateVpcPeeringConnection record from our account in an EventBridge envelope.
func createEvent(pcx, eventID string) map[string]any {
	record := map[string]any{
		"eventVersion":       "1.08",
		"eventID":            eventID,
		"eventTime":          "2026-01-15T11:58:00Z",
		"eventSource":        "ec2.amazonaws.com",
		"eventName":          "CreateVpcPeeringConnection",
		"awsRegion":          "us-east-1",
		"recipientAccountId": account,
		"userIdentity": map[string]any{"type": "AssumedRole",
			"arn": "arn:aws:sts::" + account + ":assumed-role/dev/alice"},
		"requestParameters": map[string]any{"vpcId": "vpc-0aaaaaaaaaaaaaaa1", "peerOwnerId": foreign},
		"responseElements": map[string]any{
			"vpcPeeringConnection": map[string]any{
				"vpcPeeringConnectionId": pcx,
				"status":                 map[string]any{"code": "initiating-request", "message": "Initiating Request to " + foreign},
				"requesterVpcInfo": map[string]any{"ownerId": account, "vpcId": "vpc-0aaaaaaaaaaaaaaa1",
					"region": "us-east-1", "cidrBlock": "10.1.0.0/16"},
				"accepterVpcInfo": map[string]any{"ownerId": foreign, "vpcId": "vpc-0ccccccccccccccc3",
					"region": "us-east-1"},
				"expirationTime": 1768910280000,
			},
		},
	}
	return map[string]any{
		"version":     "0",
		"id":          "env-" + eventID,
		"detail-type": "AWS API Call via CloudTrail",
		"source":      "aws.ec2",
		"account":     account,
		"time":        "2026-01-15T11:58:00Z",
		"region":      "us-east-1",
		"resources":   []any{},
		"detail":      record,
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func pcxID(i int) string {
	return fmt.Sprintf("pcx-%017x", i)
}
