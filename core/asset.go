package core

import (
	"math/big"
	"strings"
	"time"
)

// Chain families the desk understands.
const (
	ChainBitcoin  = "bitcoin"
	ChainEthereum = "ethereum"
)

// Asset is one accepted deposit currency on one network (Cryptocurrency
// Configuration).
type Asset struct {
	ID                    int64
	Chain                 string // bitcoin | ethereum
	Network               string // mainnet, testnet3, regtest, sepolia, dev, …
	Symbol                string // BTC, ETH, USDT
	Name                  string
	ContractAddress       string // ERC-20 contract, "" for a native coin
	Decimals              int
	MinDeposit            *big.Int // base units
	ConfirmationsRequired int
	Enabled               bool
	AccountXPub           string // neutered account key for deposit addresses
	// RefundFeeRate is the fee rate refunds pay when set (sat/vB on
	// Bitcoin, max fee per gas in wei on Ethereum); nil takes the node's
	// estimate.
	RefundFeeRate *big.Int
	// RefundFeeCap is the most one refund's network fee may be, in the
	// network coin's base units; nil refuses every refund until it is set.
	RefundFeeCap *big.Int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Key is the asset's unique business key, e.g. "BTC@regtest".
func (a *Asset) Key() string { return a.Symbol + "@" + a.Network }

// Validate checks the configuration is complete and consistent.
func (a *Asset) Validate() error {
	if _, err := LookupNetwork(a.Net()); err != nil {
		return err
	}
	if a.Symbol == "" || len(a.Symbol) > 12 || strings.ToUpper(a.Symbol) != a.Symbol || strings.ContainsAny(a.Symbol, " @") {
		return Errorf(EINVALID, "Symbol must be 1 to 12 upper-case characters without spaces.")
	}
	if len(a.Name) > 64 {
		return Errorf(EINVALID, "Asset name is too long.")
	}
	if err := CheckText("Asset name", a.Name, false); err != nil {
		return err
	}
	if a.Decimals < 0 || a.Decimals > MaxDecimals {
		return Errorf(EINVALID, "Decimals must be between 0 and %d.", MaxDecimals)
	}
	if a.Chain == ChainBitcoin && a.ContractAddress != "" {
		return Errorf(EINVALID, "A Bitcoin asset has no contract address.")
	}
	if a.ContractAddress != "" && !isHexAddress(a.ContractAddress) {
		return Errorf(EINVALID, "Contract address must be a 0x-prefixed 20-byte hex address.")
	}
	if a.MinDeposit == nil || a.MinDeposit.Sign() < 0 {
		return Errorf(EINVALID, "Minimum deposit must be zero or more.")
	}
	if a.RefundFeeRate != nil && a.RefundFeeRate.Sign() <= 0 {
		return Errorf(EINVALID, "A refund fee rate must be more than zero (or left empty to take the node's estimate).")
	}
	if a.RefundFeeCap != nil && a.RefundFeeCap.Sign() <= 0 {
		return Errorf(EINVALID, "A refund fee cap must be more than zero.")
	}
	if a.ConfirmationsRequired < 1 || a.ConfirmationsRequired > 1000 {
		return Errorf(EINVALID, "Confirmations required must be between 1 and 1000.")
	}
	return nil
}

// AssetFilter selects assets; nil fields do not filter.
type AssetFilter struct {
	ID      *int64
	Symbol  *string
	Chain   *string // network names repeat across chains ("mainnet")
	Network *string
	Enabled *bool
}

// AssetUpdate changes an asset's configuration; nil fields are left alone.
// Chain, network, symbol, contract and decimals are identity and never change.
type AssetUpdate struct {
	Name                  *string
	MinDeposit            *big.Int
	ConfirmationsRequired *int
	Enabled               *bool
	AccountXPub           *string
	RefundFeeRate         *big.Int // a zero value clears it (node's estimate)
	RefundFeeCap          *big.Int
}

func isHexAddress(s string) bool {
	if len(s) != 42 || !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
