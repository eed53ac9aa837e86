package core

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// Customer is a client of the securities firm.
type Customer struct {
	ID                int64
	CustomerNo        string
	SecuritiesAccount string
	Name              string
	IdentityRef       string // reference to the KYC identity verification
	CreatedAt         time.Time
}

var (
	customerNoPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)
	accountPattern    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)
)

// ValidateCustomerNo checks a customer number: 3–32 upper-case letters,
// digits and dashes.
func ValidateCustomerNo(s string) error {
	if !customerNoPattern.MatchString(s) {
		return Errorf(EINVALID, "Customer number %q must be 3 to 32 upper-case letters, digits or dashes.", truncate(s, 40))
	}
	return nil
}

// ValidateSecuritiesAccount checks a securities account number.
func ValidateSecuritiesAccount(s string) error {
	if !accountPattern.MatchString(s) {
		return Errorf(EINVALID, "Securities account %q must be 3 to 32 upper-case letters, digits or dashes.", truncate(s, 40))
	}
	return nil
}

// Validate checks the customer's fields.
func (c *Customer) Validate() error {
	if err := ValidateCustomerNo(c.CustomerNo); err != nil {
		return err
	}
	if err := ValidateSecuritiesAccount(c.SecuritiesAccount); err != nil {
		return err
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 128 {
		return Errorf(EINVALID, "Customer name must be 1 to 128 characters.")
	}
	if utf8.RuneCountInString(c.IdentityRef) > 128 {
		return Errorf(EINVALID, "Identity reference is too long.")
	}
	if err := CheckText("Customer name", c.Name, false); err != nil {
		return err
	}
	return CheckText("Identity reference", c.IdentityRef, false)
}

// CustomerFilter selects customers; nil fields do not filter.
type CustomerFilter struct {
	ID                *int64
	CustomerNo        *string
	SecuritiesAccount *string
	Limit             int
}

// AddressStatus is the verification state of a customer's wallet address.
type AddressStatus string

const (
	AddressPending  AddressStatus = "pending"
	AddressVerified AddressStatus = "verified"
	AddressRejected AddressStatus = "rejected"
	AddressRevoked  AddressStatus = "revoked"
)

// Valid reports whether s is one of the address statuses.
func (s AddressStatus) Valid() bool {
	switch s {
	case AddressPending, AddressVerified, AddressRejected, AddressRevoked:
		return true
	}
	return false
}

// Display is the operator-facing text.
func (s AddressStatus) Display() string {
	switch s {
	case AddressPending:
		return "Pending"
	case AddressVerified:
		return "Verified"
	case AddressRejected:
		return "Rejected"
	case AddressRevoked:
		return "Revoked"
	}
	return string(s)
}

// addressTransitions: Pending → Verified | Rejected; Verified → Revoked.
var addressTransitions = map[AddressStatus][]AddressStatus{
	AddressPending:  {AddressVerified, AddressRejected},
	AddressVerified: {AddressRevoked},
}

// CanTransitionAddress reports whether an address may move from → to.
func CanTransitionAddress(from, to AddressStatus) bool {
	for _, t := range addressTransitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// WalletAddress is a customer's own wallet address on one network, used as a
// deposit source or a refund destination once verified.
type WalletAddress struct {
	ID                 int64
	CustomerID         int64
	CustomerNo         string
	Chain              string
	Network            string
	Address            string
	Label              string
	Status             AddressStatus
	VerificationMethod string // e.g. "manual", later message signatures and micro-deposits
	Evidence           string
	VerifiedBy         string // operator name
	VerifiedAt         time.Time
	CreatedAt          time.Time
	// DocumentBy is the operator who submitted a document that waits for
	// a second operator's approval on the address; "" when none waits.
	DocumentBy string
}

// WalletAddressFilter selects addresses; nil fields do not filter.
type WalletAddressFilter struct {
	ID         *int64
	CustomerID *int64
	CustomerNo *string
	Chain      *string // network names repeat across chains ("mainnet")
	Network    *string
	Address    *string
	Status     *AddressStatus
	// AwaitingApproval keeps only addresses with a document waiting for
	// a second operator's approval.
	AwaitingApproval bool
	Limit            int // 0 = no limit
}

// AddressStatusChange is a guarded change of an address's verification state.
type AddressStatusChange struct {
	ID       int64
	From, To AddressStatus
	Method   string
	Evidence string
	Operator string
}
