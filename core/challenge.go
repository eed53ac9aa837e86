package core

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// ChallengeTTL is how long a customer has to sign an ownership challenge.
const ChallengeTTL = 24 * time.Hour

// Proof methods a customer may use to show they control an address.
const (
	ProofEIP191 = "eip191" // Ethereum personal_sign
	ProofBIP137 = "bip137" // Bitcoin legacy / BIP-137 signmessage
	ProofBIP322 = "bip322" // Bitcoin BIP-322 simple (native segwit)
	ProofManual = "manual" // documentary evidence, approved by an operator
)

// ProofVerifier checks a signed ownership message; core/addrproof
// implements it. It returns EINVALID when the signature does not prove that
// address signed message.
type ProofVerifier interface {
	VerifyMessage(chain, network, address, method, message, signature string) error
}

// AddressChallenge is a one-time message that binds the firm, the customer,
// the address, its network, a random nonce and an expiry. A signature over
// it is accepted once, before expiry, for that address only.
type AddressChallenge struct {
	ID        int64
	AddressID int64
	Message   string
	Nonce     string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until a proof used it
}

// ChallengeFilter selects challenges; nil fields do not filter.
type ChallengeFilter struct {
	ID        *int64
	AddressID *int64
}

// newChallenge builds the challenge text for w.
func newChallenge(firm string, c *Customer, w *WalletAddress, operator string, now time.Time) (*AddressChallenge, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	ch := &AddressChallenge{AddressID: w.ID, Nonce: hex.EncodeToString(nonce), CreatedBy: operator,
		CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
	ch.Message = fmt.Sprintf("%s wallet ownership proof\nCustomer: %s\nSecurities account: %s\nAddress: %s\nNetwork: %s %s\nNonce: %s\nExpires: %s",
		firm, c.CustomerNo, c.SecuritiesAccount, w.Address, w.Chain, w.Network, ch.Nonce, ch.ExpiresAt.UTC().Format(time.RFC3339))
	return ch, nil
}

// ManualVerification is documentary evidence (a document reference) one
// operator submitted for a Pending address. It verifies the address only
// when a second operator with Address Verification approves it: nobody
// verifies an address on their own say-so.
type ManualVerification struct {
	AddressID   int64
	Evidence    string
	RequestedBy string
	RequestedAt time.Time
}

// ProofMicroDeposit is the "Satoshi test": an exact odd amount sent from the
// address to the customer's deposit address within the challenge window.
const ProofMicroDeposit = "micro_deposit"

// MicroDeposit asks the customer to send exactly Amount of the network's
// native coin from the address to DepositAddress before ExpiresAt. The
// transaction that does it, once mined, proves control of the address.
type MicroDeposit struct {
	ID             int64
	AddressID      int64
	AssetID        int64
	Amount         *big.Int // base units, odd, so it cannot be a round payment by chance
	DepositAddress string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	TxID           string    // set when used
	UsedAt         time.Time // zero until a transaction proved it
}
