package peerguard

import (
	"bytes"
	"encoding/json"
	"time"
)

// Decision is one policy's decision about one peering connection.  Its JSON
// form, with encoding/json, is the library's decision JSON: the same keys,
// and null where the library writes null.
type Decision struct {
	Policy      string `json:"policy"`
	ResourceID  string `json:"resource_id"`  // VpcPeeringConnectionId, or "" when the record had none
	Matched     bool   `json:"matched"`      // every filter of the policy matched
	Side        string `json:"side"`         // our side: unknown, neither, requester, accepter or both
	State       string `json:"state"`        // observed Status.Code, or ""
	StateSource string `json:"state_source"` // describe or event
	StateTime   string `json:"state_time"`   // RFC 3339 time the state was observed
	// Action: one of none, reject, delete and wait.
	Action string `json:"action"`
	// APICall is RejectVpcPeeringConnection, DeleteVpcPeeringConnection,
	// DescribeVpcPeeringConnections (to wait), or "".
	APICall string `json:"api_call"`
	// Region is the region to send APICall to, or "".
	Region         string     `json:"region"`
	Reason         string     `json:"reason"`     // one sentence on why the action was chosen
	AccountID      *string    `json:"account_id"` // the protected account; nil when unknown
	Requester      PeerInfo   `json:"requester"`
	Accepter       PeerInfo   `json:"accepter"`
	Violations     []string   `json:"violations"` // foreign accounts the cross-account filter found
	PolicyRevision string     `json:"policy_revision"`
	Actions        []JSONMap  `json:"actions,omitzero"` // the policy's other actions, when it matched
	Event          *EventInfo `json:"event,omitzero"`   // set when the state came from a CloudTrail record
	Explain        []JSONMap  `json:"explain,omitzero"` // the clauses that decided, with Context.Explain

	raw []byte
}

// JSONMap is a JSON object whose numbers keep their exact text (json.Number).
type JSONMap = map[string]any

// PeerInfo is one side of a peering connection.  A nil field was not in the record.
type PeerInfo struct {
	OwnerID *string `json:"owner_id"`
	VpcID   *string `json:"vpc_id"`
	Region  *string `json:"region"`
}

// EventInfo is the CloudTrail record a decision came from.  A nil field was not in the record.
type EventInfo struct {
	ID         *string `json:"id"`
	Name       *string `json:"name"`
	Time       *string `json:"time"`
	Source     *string `json:"source"`
	Region     *string `json:"region"`
	Account    *string `json:"account"`
	Caller     *string `json:"caller"`
	EnvelopeID *string `json:"envelope_id"`
}

// JSON returns the decision exactly as the library serialised it.
func (d *Decision) JSON() []byte {
	return d.raw
}

// StateTimeValue parses StateTime.
func (d *Decision) StateTimeValue() (time.Time, error) {
	return time.Parse(time.RFC3339Nano, d.StateTime)
}

// NeedsAction reports whether the policy matched and an EC2 call has to be made now or after a wait.
func (d *Decision) NeedsAction() bool {
	return d.Matched && d.Action != "none"
}

// decodeDecision decodes the library's decision JSON, keeping numbers as json.Number.
func decodeDecision(raw []byte) (Decision, error) {
	var d Decision

	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return Decision{}, err
	}
	d.raw = raw
	return d, nil
}

// Str returns *p, or "" when p is nil: a shorthand for the optional fields of PeerInfo and EventInfo.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
