package btcdtest

import (
	"encoding/base64"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"depositdesk/core/addrproof"
)

// SignMessage signs message with the harness key the way Bitcoin Core and
// Electrum sign for a P2WPKH address (BIP-137 compact signature, header
// 39-42), base64 encoded: what a customer pastes to prove the address.
func (n *Node) SignMessage(message string) string {
	sig := ecdsa.SignCompact(n.wallet.key, addrproof.BitcoinMessageHash(message), true)
	sig[0] += 8 // 31-34 (P2PKH compressed) → 39-42 (P2WPKH)
	return base64.StdEncoding.EncodeToString(sig)
}
