package peerguard_test

import (
	"errors"
	"fmt"
	"time"

	peerguard "github.com/libpeerguard/peerguard-go"
)

func Example() {
	set, err := peerguard.LoadPoliciesString(`
policies:
  - name: pcx-foreign
    resource: aws.peering-connection
    filters:
      - type: cross-account
        whitelist: ["222222222222"]
    actions:
      - delete
`, peerguard.WithName("example.yml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer set.Close()

	describe := []byte(`{"VpcPeeringConnections": [{
		"VpcPeeringConnectionId": "pcx-0123456789abcdef0",
		"Status": {"Code": "pending-acceptance"},
		"RequesterVpcInfo": {"OwnerId": "999999999999", "VpcId": "vpc-0999", "Region": "us-east-1"},
		"AccepterVpcInfo": {"OwnerId": "111111111111", "VpcId": "vpc-0111", "Region": "eu-west-1"}}]}`)
	result, err := set.EvaluateResources(describe, peerguard.Context{
		AccountID: "111111111111",
		Now:       time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range result.Matched() {
		fmt.Println(d.ResourceID, d.Side, d.State, d.APICall, d.Region, d.Violations)
	}
	// Output:
	// pcx-0123456789abcdef0 accepter pending-acceptance RejectVpcPeeringConnection eu-west-1 [999999999999]
}

func ExampleError() {
	_, err := peerguard.LoadPoliciesString(`
policies:
  - name: pcx-typo
    resource: aws.peering-connection
    filters:
      - {type: value, key: Status.Code, op: equalz, value: active}
`, peerguard.WithName("typo.yml"))

	var pe *peerguard.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Code == peerguard.CodePolicy, pe.File, pe.Line, pe.Policy)
	}
	fmt.Println(errors.Is(err, peerguard.ErrPolicy))
	// Output:
	// true typo.yml 6 pcx-typo
	// true
}
