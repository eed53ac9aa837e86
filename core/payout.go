package core

import (
	"context"
	"math/big"
	"strconv"
)

// Payout is the transaction Prepare built for a refund, with the facts it
// pays: what the operators saw when it was prepared and what the signing
// station checks the transaction against before it signs. It is plain
// data (JSON tags are the prepared-refund file's names), so it can travel
// to an air-gapped station and back.
type Payout struct {
	// Unsigned is the transaction without signatures: Bitcoin's wire
	// serialization, or the EIP-2718 envelope of an EIP-1559 transaction
	// with an empty signature.
	Unsigned []byte `json:"unsigned"`
	To       string `json:"to"`       // the customer's verified address
	Amount   *Int   `json:"amount"`   // what To receives, in the refunded asset's base units
	Contract string `json:"contract"` // the ERC-20 contract; "" for a network's own coin
	// Fee is the network fee in the network's own coin: Bitcoin's exact
	// fee, Ethereum's most (GasLimit × FeeRate).
	Fee *Int `json:"fee"`
	// FeeRate is sat/vB on Bitcoin, the max fee per gas (wei) on Ethereum.
	FeeRate *Int `json:"fee_rate"`

	// Bitcoin: the account's outputs spent, and the change back to the
	// account's internal chain (m/…/1/ChangeIndex; Change 0 when none).
	Inputs        []PayoutInput `json:"inputs,omitempty"`
	Change        *Int          `json:"change,omitempty"`
	ChangeIndex   uint32        `json:"change_index,omitempty"`
	ChangeAddress string        `json:"change_address,omitempty"`

	// Ethereum: the account's refund payer (m/44'/60'/0'/1/0, never a
	// deposit address), its nonce, the gas limit and the tip per gas.
	Payer    string `json:"payer,omitempty"`
	Nonce    uint64 `json:"nonce,omitempty"`
	GasLimit uint64 `json:"gas_limit,omitempty"`
	TipCap   *Int   `json:"tip_cap,omitempty"`

	// Earlier are the transactions a Bitcoin fee bump replaced, newest
	// first. They spend the same outputs, so at most one of them and this
	// one is ever mined; until one is, any of them may be.
	Earlier []EarlierTx `json:"earlier,omitempty"`
}

// EarlierTx is a signed transaction a fee bump replaced.
type EarlierTx struct {
	Payout   *Payout `json:"payout"` // its facts (without Earlier)
	SignedTx []byte  `json:"signed_tx"`
	TxID     string  `json:"txid"`
}

// PayoutInput is one output of the account a Bitcoin refund spends.
type PayoutInput struct {
	Outpoint string `json:"outpoint"` // "txid:vout"
	Amount   *Int   `json:"amount"`   // satoshis
	// Branch 0 is a deposit address (external chain), 1 the desk's change.
	Branch  uint32 `json:"branch"`
	Index   uint32 `json:"index"`
	Address string `json:"address"`
}

// PayoutCoinFilter selects payout coins; Outpoint, when set, asks for that
// one output only.
type PayoutCoinFilter struct {
	AssetID  int64
	XPub     string // the account key the coins' addresses derive from
	Network  Network
	Outpoint *string
	Limit    int // 0 = no limit
}

// Int is a big.Int that travels as a decimal string in JSON, so no reader
// takes an amount for a float.
type Int struct{ big.Int }

// NewInt wraps v (nil stays nil).
func NewInt(v *big.Int) *Int {
	if v == nil {
		return nil
	}
	var i Int
	i.Set(v)
	return &i
}

// Big is the value as a *big.Int (nil for nil).
func (i *Int) Big() *big.Int {
	if i == nil {
		return nil
	}
	return new(big.Int).Set(&i.Int)
}

// MarshalJSON writes the decimal string.
func (i Int) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(i.String())), nil }

// UnmarshalJSON reads a decimal string of a non-negative integer.
func (i *Int) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return Errorf(EINVALID, "An amount must be a quoted decimal integer.")
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 {
		return Errorf(EINVALID, "An amount must be a quoted decimal integer.")
	}
	i.Set(v)
	return nil
}

// ChainSpends are what the payout consumes, in the form ChainTx.Spends
// uses: the outpoints a Bitcoin refund spends, the payer's "address:nonce"
// of an Ethereum one.
func (p *Payout) ChainSpends() []string {
	if p.Payer != "" {
		return []string{p.Payer + ":" + strconv.FormatUint(p.Nonce, 10)}
	}
	out := make([]string, len(p.Inputs))
	for i, in := range p.Inputs {
		out[i] = in.Outpoint
	}
	return out
}

// Spends are ChainSpends qualified by the network: storage refuses a
// second live refund claiming any of them.
func (p *Payout) Spends(n Network) []string {
	out := p.ChainSpends()
	for i, s := range out {
		out[i] = SpendKey(n, s)
	}
	return out
}

// SpendKey qualifies a ChainTx.Spends entry by its network: two networks
// share outpoints never, payer:nonce pairs easily.
func SpendKey(n Network, spend string) string { return n.String() + " " + spend }

// PayoutBuilder builds and checks refund transactions (core/payout).
type PayoutBuilder interface {
	// Build returns the unsigned transaction paying r from a's account.
	// Bitcoin spends from coins in their order (the account's outputs no
	// live refund holds); Ethereum takes the payer's lowest nonce at or
	// above the node's that no held spend (SpendKey form, a's network)
	// claims. The node checks coins unspent, gives fees, balances and
	// nonces. EINVALID naming the shortfall when the account cannot pay
	// amount plus fee, or when the fee would exceed the asset's cap.
	Build(ctx context.Context, a *Asset, r *Refund, coins []PayoutInput, held []string, node Chain) (*Payout, error)
	// Payer is the address an Ethereum asset's refunds are paid from.
	Payer(a *Asset) (string, error)
	// Bump returns r's transaction again at a higher fee rate: the same
	// inputs and payment, the change lowered by the extra fee (BIP125: the
	// fee grows by at least 1 sat/vB of its size), with r's signed
	// transaction added to Earlier. EINVALID when there is no change left
	// to pay it or it would pass the cap.
	Bump(a *Asset, r *Refund, rate *big.Int) (*Payout, error)
	// VerifySigned confirms raw, signed elsewhere, is exactly p's
	// transaction (checked as Check does) with valid signatures by the
	// account's keys, and returns its hash. ECONFLICT naming what differs.
	VerifySigned(a *Asset, r *Refund, p *Payout, raw []byte) (txid string, err error)
	// Check decodes p.Unsigned again and confirms it pays exactly r's
	// amount to r's address, the change to the account's own key, the fee
	// p names and no more than a's cap. ECONFLICT naming the difference.
	Check(a *Asset, r *Refund, p *Payout) error
}

// BitcoinPayer is what a Bitcoin refund needs of the node besides Chain.
type BitcoinPayer interface {
	// Unspent returns an output's amount and address when no transaction,
	// mined or pooled, spends it; ENOTFOUND when spent or unknown.
	Unspent(ctx context.Context, outpoint string) (amount *big.Int, address string, err error)
	// FeeRate is the node's estimate in sat/vB; ENOTFOUND when it has none.
	FeeRate(ctx context.Context) (*big.Int, error)
}

// TransactionSource gives the transactions a Bitcoin refund's coins come
// from: hardware wallets sign an input only with its whole previous
// transaction in the PSBT (BIP-174 non-witness UTXO), whose hash proves
// the amount they are shown.
type TransactionSource interface {
	// RawTransaction is transaction txid as serialized on the network,
	// checked to hash to txid; ENOTFOUND when the node does not know it.
	RawTransaction(ctx context.Context, txid string) ([]byte, error)
}

// EthereumPayer is what an Ethereum refund needs of the node besides Chain.
type EthereumPayer interface {
	Balance(ctx context.Context, address string) (*big.Int, error)
	TokenBalance(ctx context.Context, contract, address string) (*big.Int, error)
	// Nonce is the count of the address's mined transactions.
	Nonce(ctx context.Context, address string) (uint64, error)
	// Fees are the latest block's base fee and the node's suggested tip.
	Fees(ctx context.Context) (baseFee, tip *big.Int, err error)
	EstimateGas(ctx context.Context, from, to string, value *big.Int, data []byte) (uint64, error)
}

// Broadcaster sends a signed transaction. Sending one the node already has
// (pooled or mined) is a success: broadcast repeats the same bytes.
type Broadcaster interface {
	Send(ctx context.Context, raw []byte) (txid string, err error)
}
