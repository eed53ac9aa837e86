package station

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"

	"depositdesk/core"
	"depositdesk/core/jsonkeys"
)

// ReadTrustList reads the operators' approval keys the desk exported
// (depositctl operator keys export): a JSON list of {operator, public_key,
// registered_at}, strictly, as refund files are read. The station trusts
// exactly these keys, each for its operator's name only.
func ReadTrustList(path string) ([]core.OperatorKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "The station's trusted operators (%s) cannot be read: %v. Its administrator imports the desk's list first.", path, err)
	}
	if len(b) > maxFile {
		return nil, core.Errorf(core.EINVALID, "%s: a trust list is at most %d bytes.", path, maxFile)
	}
	if _, err := jsonkeys.Check(b); err != nil {
		return nil, core.Errorf(core.EINVALID, "%s is ambiguous: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var keys []core.OperatorKey
	if err := dec.Decode(&keys); err != nil {
		return nil, core.Errorf(core.EINVALID, "%s is not a list of operator keys: %v.", path, err)
	}
	if dec.More() {
		return nil, core.Errorf(core.EINVALID, "%s holds more than one document.", path)
	}
	for i, k := range keys {
		if k.Operator == "" || len(k.PublicKey) != ed25519.PublicKeySize {
			return nil, core.Errorf(core.EINVALID, "%s: entry %d names no operator or no Ed25519 public key.", path, i+1)
		}
	}
	return keys, nil
}

// checkApprovals holds f's approvals to the station's trust list: a
// request signature by the requester and an approve signature by the
// approver, two different operators with two different keys, each key
// trusted for that operator's name, each signature valid over the facts
// the file states now — so a fact changed after they signed, a forged or
// copied signature, or one operator twice is refused before anything else.
func (l *Limits) checkApprovals(f *File) error {
	r, a := f.refund(), f.asset(nil)
	byRole := map[core.ApprovalRole]core.RefundApproval{}
	for _, ap := range f.Approvals {
		if ap.Role != core.ApprovalRequest && ap.Role != core.ApprovalApprove {
			return core.Errorf(core.EINVALID, "Refund %d's file carries a signature of unknown role %q. Nothing was signed.", r.ID, ap.Role)
		}
		if _, twice := byRole[ap.Role]; twice {
			return core.Errorf(core.EINVALID, "Refund %d's file carries two %s signatures. Nothing was signed.", r.ID, ap.Role)
		}
		byRole[ap.Role] = ap
	}
	req, okReq := byRole[core.ApprovalRequest]
	appr, okAppr := byRole[core.ApprovalApprove]
	switch {
	case !okReq || !okAppr:
		return core.Errorf(core.EINVALID, "Refund %d's file is not signed by both its requester and its approver; the desk signs with their keys "+
			"when they act on a machine with their keyring. Nothing was signed.", r.ID)
	case req.Operator != r.RequestedBy || appr.Operator != r.ApprovedBy:
		return core.Errorf(core.EINVALID, "Refund %d's file says it was requested by %s and approved by %s, but it is signed by %s and %s. Nothing was signed.",
			r.ID, r.RequestedBy, r.ApprovedBy, req.Operator, appr.Operator)
	case req.Operator == appr.Operator || bytes.Equal(req.PublicKey, appr.PublicKey):
		return core.Errorf(core.EINVALID, "Refund %d is requested and approved by one operator (%s); two different operators must sign. Nothing was signed.",
			r.ID, req.Operator)
	}
	for _, ap := range []core.RefundApproval{req, appr} {
		if !l.trusts(ap) {
			return core.Errorf(core.EINVALID, "Refund %d's %s signature is by key %s, which this station does not trust for %s; "+
				"its administrator imports the desk's operator keys deliberately. Nothing was signed.", r.ID, ap.Role, core.KeyFingerprint(ap.PublicKey), ap.Operator)
		}
		if !ed25519.Verify(ap.PublicKey, core.ApprovalMessage(ap.Role, ap.Operator, r, a), ap.Signature) {
			return core.Errorf(core.EINVALID, "Refund %d's %s signature by %s does not hold over the file's facts: they changed after %s signed, "+
				"or the signature is not theirs. Nothing was signed.", r.ID, ap.Role, ap.Operator, ap.Operator)
		}
	}
	return nil
}

// trusts reports whether ap's key is in the trust list under ap's operator.
func (l *Limits) trusts(ap core.RefundApproval) bool {
	for _, k := range l.trusted {
		if k.Operator == ap.Operator && bytes.Equal(k.PublicKey, ap.PublicKey) {
			return true
		}
	}
	return false
}
