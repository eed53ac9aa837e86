package core

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// ApprovalRole is the step of a refund an operator's signature stands for.
type ApprovalRole string

const (
	ApprovalRequest ApprovalRole = "request" // by the operator who requested the refund
	ApprovalApprove ApprovalRole = "approve" // by the second operator who approved it
)

// RefundApproval is an operator's Ed25519 signature over a refund's facts
// (ApprovalMessage), made with their own key in their own OS keyring when
// they requested or approved it. It travels in the refund's file so the
// signing station can tell two trusted operators agreed to exactly what it
// signs, without believing the desk's database.
type RefundApproval struct {
	Role      ApprovalRole      `json:"role"`
	Operator  string            `json:"operator"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	Signature []byte            `json:"signature"`
}

// OperatorKey is an operator's approval public key, registered in the desk
// at their first login on a machine (one key per machine's keyring). The
// desk exports them as the signing station's trust list.
type OperatorKey struct {
	OperatorID int64             `json:"-"`
	Operator   string            `json:"operator"`
	PublicKey  ed25519.PublicKey `json:"public_key"`
	CreatedAt  time.Time         `json:"registered_at"`
}

// OperatorKeyFilter selects registered operator keys; nil fields match all.
type OperatorKeyFilter struct {
	OperatorID *int64
	PublicKey  ed25519.PublicKey
}

// OperatorKeys holds the operators' approval keys on this machine
// (core/signer: the OS keyring, one entry per operator). The private keys
// never leave it.
type OperatorKeys interface {
	// OperatorKey is operator's public key on this machine, created in the
	// keyring when it has none yet. ENOTFOUND when this machine has no
	// keyring to keep it in.
	OperatorKey(ctx context.Context, operator string) (ed25519.PublicKey, error)
	// SignApproval signs msg with operator's key on this machine and
	// returns the key's public half with the signature. ENOTFOUND when
	// this machine has no keyring or no key of operator.
	SignApproval(ctx context.Context, operator string, msg []byte) (ed25519.PublicKey, []byte, error)
}

// KeyFingerprint names a public key in audit rows and messages: the first 8
// bytes of its SHA-256, hex.
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ApprovalMessage is the exact byte string an operator signs as role for
// refund r of asset a: one fact per line, each the station checks or pays
// by. The refund's creation time (microseconds, what both stores keep)
// makes it this refund's: a later refund of the same record to the same
// address has another. The decimals are in it because the station reads
// its per-refund limit in them.
func ApprovalMessage(role ApprovalRole, operator string, r *Refund, a *Asset) []byte {
	var b strings.Builder
	line := func(k, v string) { b.WriteString(k + "=" + v + "\n") }
	b.WriteString("depositdesk refund approval v1\n")
	line("role", string(role))
	line("operator", operator)
	line("record", r.RecordNo)
	line("customer", r.CustomerNo)
	line("created", strconv.FormatInt(r.CreatedAt.UnixMicro(), 10))
	line("chain", a.Chain)
	line("network", a.Network)
	line("asset", a.Symbol)
	line("contract", a.ContractAddress)
	line("decimals", strconv.Itoa(a.Decimals))
	line("address", r.Address)
	line("amount", r.Amount.String())
	line("requested_by", r.RequestedBy)
	return []byte(b.String())
}

// withApproval is approvals with ap in place of any of its role; without
// ap (no key on this machine) that role's earlier signature is dropped,
// since it no longer stands for the refund's operator.
func withApproval(approvals []RefundApproval, role ApprovalRole, ap *RefundApproval) []RefundApproval {
	out := []RefundApproval{}
	for _, x := range approvals {
		if x.Role != role {
			out = append(out, x)
		}
	}
	if ap != nil {
		out = append(out, *ap)
	}
	return out
}

// signApproval is op's signature as role over r, made with op's key on this
// machine; nil when there is none (no keyring, or no key of op here): the
// refund then carries no such signature, and a signing station refuses it.
func (s *Service) signApproval(ctx context.Context, role ApprovalRole, op string, r *Refund, a *Asset) *RefundApproval {
	if s.OperatorKeys == nil {
		return nil
	}
	pub, sig, err := s.OperatorKeys.SignApproval(ctx, op, ApprovalMessage(role, op, r, a))
	if err != nil {
		return nil
	}
	return &RefundApproval{Role: role, Operator: op, PublicKey: pub, Signature: sig}
}
