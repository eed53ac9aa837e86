package core

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Checkpoint is a signed statement that the audit log's row Seq had hash
// Hash at time At. It is kept outside the database (a folder the firm
// names, off the database host), so someone who can rewrite the database
// cannot rewrite what the desk once signed: a log that no longer extends a
// checkpoint was truncated, rewritten or replaced.
type Checkpoint struct {
	Version int       `json:"v"`
	Seq     int64     `json:"seq"`
	Hash    string    `json:"hash"`
	At      time.Time `json:"at"`
	Key     string    `json:"key"` // the signer's Ed25519 public key, hex
	Sig     string    `json:"sig"` // Ed25519 over Message(), hex
}

// Message is the exact byte string a checkpoint's signature covers.
func (c *Checkpoint) Message() []byte {
	return []byte("depositdesk audit checkpoint v1\nseq=" + strconv.FormatInt(c.Seq, 10) + "\nhash=" + c.Hash +
		"\nat=" + c.At.UTC().Format("2006-01-02T15:04:05.000000Z") + "\n")
}

// CheckSignature verifies the signature and that the key is one of
// trusted. EINVALID says which fails.
func (c *Checkpoint) CheckSignature(trusted []ed25519.PublicKey) error {
	key, err := hex.DecodeString(c.Key)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return Errorf(EINVALID, "Checkpoint of row %d has no valid public key.", c.Seq)
	}
	sig, err := hex.DecodeString(c.Sig)
	if err != nil || !ed25519.Verify(key, c.Message(), sig) {
		return Errorf(EINVALID, "Checkpoint of row %d is not validly signed.", c.Seq)
	}
	for _, t := range trusted {
		if t.Equal(ed25519.PublicKey(key)) {
			return nil
		}
	}
	return Errorf(EINVALID, "Checkpoint of row %d is signed by key %s, which is not a trusted checkpoint key.", c.Seq, truncate(c.Key, 16))
}

// ParseCheckpoint reads a checkpoint file's contents.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil || c.Version != 1 || c.Seq < 1 || len(c.Hash) != 64 {
		return nil, Errorf(EINVALID, "Not a Deposit Desk audit checkpoint.")
	}
	return &c, nil
}

// CheckpointSigner holds this station's checkpoint key (core/signer: the
// OS keyring). The private key never leaves it.
type CheckpointSigner interface {
	// CheckpointKey is the public key; ENOTFOUND when the station has none.
	CheckpointKey(ctx context.Context) (ed25519.PublicKey, error)
	// CreateCheckpointKey makes and stores a new key pair and returns its
	// public key; ECONFLICT when the station already has one.
	CreateCheckpointKey(ctx context.Context) (ed25519.PublicKey, error)
	// SignCheckpoint signs msg with the station's key.
	SignCheckpoint(ctx context.Context, msg []byte) ([]byte, error)
}

// AuditState is what the store says of the audit log as a whole, for the
// checks a hash chain alone cannot make.
type AuditState struct {
	HeadSeq  int64  // audit_head.last_seq
	HeadHash string // audit_head.last_hash
	Rows     int64  // rows in audit_log
	MinSeq   int64  // lowest seq, 0 when empty
	MaxSeq   int64  // highest seq, 0 when empty
}

// checkpointError names what a checkpoint shows about the log.
func checkpointError(cp *Checkpoint, row *AuditEntry, lastSeq int64) string {
	switch {
	case row == nil && lastSeq < cp.Seq:
		return fmt.Sprintf("the log was truncated: a checkpoint signed at %s covers row %d, but the log ends at row %d",
			cp.At.UTC().Format(time.RFC3339), cp.Seq, lastSeq)
	case row == nil:
		return fmt.Sprintf("row %d, signed in the checkpoint of %s, is missing", cp.Seq, cp.At.UTC().Format(time.RFC3339))
	default:
		return fmt.Sprintf("row %d was rewritten: its hash is not the one signed in the checkpoint of %s",
			cp.Seq, cp.At.UTC().Format(time.RFC3339))
	}
}
