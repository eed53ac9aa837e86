package ethtest

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TokenDir is where Token.sol and its compiled Token.abi and Token.bin live,
// relative to the module root (scripts/token.sh writes them).
const TokenDir = "core/chain/ethereum/testdata/token"

// TokenDecimals is the decimals() of every token DeployToken creates: not
// 18, so a test that confuses a token amount with wei shows it.
const TokenDecimals = 6

// revertGas is enough for transferThenRevert to reach its revert; such a
// call cannot be estimated because estimation fails on the revert.
const revertGas = 200_000

// Token is a deployed instance of the test ERC-20.
type Token struct {
	Address common.Address
	ABI     abi.ABI
	chain   *Chain
}

// TokenArtifacts reads the test token's ABI and creation bytecode from
// TokenDir, found by walking up from the working directory to go.mod.
func TokenArtifacts() (abi.ABI, []byte, error) {
	dir, err := moduleRoot()
	if err != nil {
		return abi.ABI{}, nil, err
	}
	dir = filepath.Join(dir, filepath.FromSlash(TokenDir))
	abiJSON, err := os.ReadFile(filepath.Join(dir, "Token.abi"))
	if err != nil {
		return abi.ABI{}, nil, fmt.Errorf("%w (run scripts/token.sh)", err)
	}
	parsed, err := abi.JSON(strings.NewReader(string(abiJSON)))
	if err != nil {
		return abi.ABI{}, nil, fmt.Errorf("Token.abi: %w", err)
	}
	binHex, err := os.ReadFile(filepath.Join(dir, "Token.bin"))
	if err != nil {
		return abi.ABI{}, nil, fmt.Errorf("%w (run scripts/token.sh)", err)
	}
	code := common.FromHex(strings.TrimSpace(string(binHex)))
	if len(code) == 0 {
		return abi.ABI{}, nil, fmt.Errorf("Token.bin in %s is empty", dir)
	}
	return parsed, code, nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// DeployToken deploys a new test token from from, waits until it is mined
// and returns it. Its name and symbol are "Test Token" and "TST".
func (c *Chain) DeployToken(from *Account) *Token {
	c.tb.Helper()
	parsed, code, err := TokenArtifacts()
	if err != nil {
		c.tb.Fatalf("ethtest: %v", err)
	}
	args, err := parsed.Pack("", "Test Token", "TST", uint8(TokenDecimals))
	if err != nil {
		c.tb.Fatalf("ethtest: constructor arguments: %v", err)
	}
	tx := c.Send(from, Tx{Data: append(code, args...)})
	r := c.MustSucceed(tx)
	if r.ContractAddress == (common.Address{}) {
		c.tb.Fatalf("ethtest: deployment %s created no contract", tx.Hash().Hex())
	}
	return &Token{Address: r.ContractAddress, ABI: parsed, chain: c}
}

// Mint creates amount new tokens for to (anyone may mint the test token).
func (k *Token) Mint(from *Account, to common.Address, amount *big.Int) *types.Transaction {
	k.chain.tb.Helper()
	return k.send(from, 0, "mint", to, amount)
}

// Transfer pays amount of from's tokens to to: one Transfer log.
func (k *Token) Transfer(from *Account, to common.Address, amount *big.Int) *types.Transaction {
	k.chain.tb.Helper()
	return k.send(from, 0, "transfer", to, amount)
}

// SplitTransfer pays amounts[i] to tos[i] in one transaction: one Transfer
// log per payment, in order.
func (k *Token) SplitTransfer(from *Account, tos []common.Address, amounts []*big.Int) *types.Transaction {
	k.chain.tb.Helper()
	return k.send(from, 0, "splitTransfer", tos, amounts)
}

// TransferThenRevert makes a transfer and then reverts: mined with status 0
// and no logs.
func (k *Token) TransferThenRevert(from *Account, to common.Address, amount *big.Int) *types.Transaction {
	k.chain.tb.Helper()
	return k.send(from, revertGas, "transferThenRevert", to, amount)
}

// BalanceOf reads the token balance of owner at the latest block.
func (k *Token) BalanceOf(owner common.Address) *big.Int {
	k.chain.tb.Helper()
	data, err := k.ABI.Pack("balanceOf", owner)
	if err != nil {
		k.chain.tb.Fatalf("ethtest: balanceOf: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := k.chain.Client.CallContract(ctx, ethereum.CallMsg{To: &k.Address, Data: data}, nil)
	if err != nil {
		k.chain.tb.Fatalf("ethtest: balanceOf %s: %v", owner.Hex(), err)
	}
	vals, err := k.ABI.Unpack("balanceOf", out)
	if err != nil || len(vals) != 1 {
		k.chain.tb.Fatalf("ethtest: balanceOf %s: cannot decode %x: %v", owner.Hex(), out, err)
	}
	b, ok := vals[0].(*big.Int)
	if !ok {
		k.chain.tb.Fatalf("ethtest: balanceOf %s: got %T", owner.Hex(), vals[0])
	}
	return b
}

func (k *Token) send(from *Account, gas uint64, method string, args ...any) *types.Transaction {
	k.chain.tb.Helper()
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		k.chain.tb.Fatalf("ethtest: %s arguments: %v", method, err)
	}
	return k.chain.Send(from, Tx{To: &k.Address, Data: data, Gas: gas})
}
