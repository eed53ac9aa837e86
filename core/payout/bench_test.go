package payout_test

import (
	"context"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/ethereum/go-ethereum/common"

	"depositdesk/core"
	"depositdesk/core/payout"
)

// BenchmarkRefundPrepareSign is one refund's prepare (build against a node
// answering from memory) and signature; the target is 5 ms each. The
// baseline, measured in the same run, is one bare secp256k1 signature:
// the rest is derivations, checks and encoding.
func BenchmarkRefundPrepareSign(b *testing.B) {
	b.Run("baseline-one-ecdsa-signature", func(b *testing.B) {
		_, acct := btcAccount(b)
		priv, err := acct.ECPrivKey()
		if err != nil {
			b.Fatal(err)
		}
		hash := sha256.Sum256([]byte("refund"))
		for b.Loop() {
			ecdsa.Sign(priv, hash[:])
		}
	})
	b.Run("bitcoin", func(b *testing.B) {
		a, acct := btcAccount(b)
		coins := []core.PayoutInput{coin(b, a, 0, 3, 30_000, 0), coin(b, a, 0, 9, 900_000, 1)}
		node := nodeWith(coins...)
		r := &core.Refund{ID: 17, Address: customer(b), Amount: big.NewInt(100_000), Decimals: 8}
		for b.Loop() {
			p, err := payout.Builder{}.Build(context.Background(), a, r, coins, nil, node)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := payout.Sign(a, r, p, acct); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("eip1559", func(b *testing.B) {
		a, acct := ethAccount(b, "")
		r := &core.Refund{ID: 3, Address: common.HexToAddress(ethCustomer).Hex(), Amount: big.NewInt(1e17), Decimals: 18}
		node := richNode()
		for b.Loop() {
			p, err := payout.Builder{}.Build(context.Background(), a, r, nil, nil, node)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := payout.Sign(a, r, p, acct); err != nil {
				b.Fatal(err)
			}
		}
	})
}
