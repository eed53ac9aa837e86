package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/core/station"
)

// refundPayCommands are the refund's steps after approval: prepare,
// execute (sign on this station), broadcast, notify, replace, bump, show,
// and the Ethereum refund payer's balances.
func (a *app) refundPayCommands() []*cobra.Command {
	step := func(use, short string, do func(ctx context.Context, id int64) (*core.Refund, error), details bool) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx, id, err := a.refundArg(cmd, args[0])
				if err != nil {
					return err
				}
				r, err := do(ctx, id)
				if err != nil {
					return err
				}
				return a.printRefund(r, details)
			}}
	}
	svc := func() *core.Service { return a.svc }
	var out string
	prepare := step("prepare ID [--out FILE]", "Build an approved refund's transaction and show its fee, inputs and change; --out writes it for a signing station (Refund or Sign Refund)",
		func(ctx context.Context, id int64) (*core.Refund, error) {
			r, err := svc().PrepareRefund(ctx, id)
			if err != nil || out == "" {
				return r, err
			}
			return r, a.exportRefund(ctx, id, out)
		}, true)
	prepare.Flags().StringVar(&out, "out", "", "also write the prepared refund to this new file for an air-gapped signing station: .json, or .psbt (Bitcoin) for other wallets")
	var exportTo string
	export := step("export ID --out FILE", "Write a prepared refund to a file for an air-gapped signing station (Refund or Sign Refund)",
		func(ctx context.Context, id int64) (*core.Refund, error) {
			if err := a.exportRefund(ctx, id, exportTo); err != nil {
				return nil, err
			}
			return svc().Refund(ctx, id)
		}, true)
	export.Flags().StringVar(&exportTo, "out", "", "the new file: .json, or .psbt (Bitcoin) for other wallets")
	_ = export.MarkFlagRequired("out")
	imp := &cobra.Command{Use: "import ID FILE", Short: "Store the transaction a signing station signed for a prepared refund, once verified (Refund or Sign Refund)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id, err := a.refundArg(cmd, args[0])
			if err != nil {
				return err
			}
			raw, err := a.signedTransaction(ctx, id, args[1])
			if err != nil {
				return err
			}
			r, err := a.svc.ImportSignedRefund(ctx, id, raw)
			if err != nil {
				return err
			}
			return a.printRefund(r, false)
		}}
	execute := step("execute ID", "Sign a prepared refund with this station's keyring key, after checking it against the approval (Sign Refund)",
		func(ctx context.Context, id int64) (*core.Refund, error) { return svc().ExecuteRefund(ctx, id) }, true)
	broadcast := step("broadcast ID", "Send a signed refund's transaction to the network, the same bytes every time (Refund or Sign Refund)",
		func(ctx context.Context, id int64) (*core.Refund, error) { return svc().BroadcastRefund(ctx, id) }, false)
	show := step("show ID", "Show one refund with its transaction, confirmations and the customer's notice",
		func(ctx context.Context, id int64) (*core.Refund, error) { return svc().Refund(ctx, id) }, true)

	var channel, note string
	notify := step("notify ID --channel phone|email|letter|in-person --note TEXT", "Record how the customer was told of a refunded deposit (Refund)",
		func(ctx context.Context, id int64) (*core.Refund, error) {
			return svc().NotifyRefund(ctx, id, core.NoticeChannel(channel), note)
		}, false)
	notify.Flags().StringVar(&channel, "channel", "", "phone, email, letter or in-person")
	notify.Flags().StringVar(&note, "note", "", "what was said, to whom (required)")
	_ = notify.MarkFlagRequired("channel")
	_ = notify.MarkFlagRequired("note")

	var remarks string
	replace := step("replace ID --remarks TEXT", "Let a failed refund be prepared again (Refund Approval, not its requester)",
		func(ctx context.Context, id int64) (*core.Refund, error) {
			return svc().ReplaceRefund(ctx, id, remarks)
		}, false)
	replace.Flags().StringVar(&remarks, "remarks", "", "why (required)")
	_ = replace.MarkFlagRequired("remarks")
	var rate, bumpRemarks string
	bump := step("bump ID --fee-rate SAT_PER_VB --remarks TEXT",
		"Replace a Bitcoin refund's unmined transaction by one paying a higher fee, same inputs (Refund Approval, not its requester); execute it then",
		func(ctx context.Context, id int64) (*core.Refund, error) {
			v, err := core.ParseFeeRate(core.ChainBitcoin, rate)
			if err != nil {
				return nil, err
			}
			return svc().BumpRefundFee(ctx, id, v, bumpRemarks)
		}, true)
	bump.Flags().StringVar(&rate, "fee-rate", "", "the new fee rate, sat/vB (required)")
	bump.Flags().StringVar(&bumpRemarks, "remarks", "", "why (required)")
	_ = bump.MarkFlagRequired("fee-rate")
	_ = bump.MarkFlagRequired("remarks")
	payer := &cobra.Command{Use: "payer SYM[@network]", Short: "The address an Ethereum asset's refunds are paid from, and what it holds",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			symbol, network, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
			asset, b, err := a.svc.RefundPayer(ctx, symbol, network)
			if err != nil {
				return err
			}
			return a.printPayer(asset, b)
		}}
	return []*cobra.Command{prepare, export, imp, execute, broadcast, notify, replace, bump, show, payer}
}

// payerJSON is the stable JSON shape of a refund payer's balances, in the
// coin's and the token's units.
type payerJSON struct {
	Asset        string `json:"asset"`
	Address      string `json:"address"`
	Balance      string `json:"balance"`
	Coin         string `json:"coin"`
	TokenBalance string `json:"token_balance,omitempty"`
}

func (a *app) printPayer(asset *core.Asset, b *core.PayerBalance) error {
	sym, dec := core.Coin(asset.Chain)
	j := payerJSON{Asset: asset.Key(), Address: b.Address, Balance: core.FormatAmount(b.Coin, dec), Coin: sym}
	if b.Token != nil {
		j.TokenBalance = core.FormatAmount(b.Token, asset.Decimals)
	}
	return a.print(j, func(w io.Writer) error {
		fmt.Fprintf(w, "Refunds of %s are paid by %s, which holds %s %s", asset.Key(), b.Address, j.Balance, sym)
		if b.Token != nil {
			fmt.Fprintf(w, " and %s %s", j.TokenBalance, asset.Symbol)
		}
		_, err := fmt.Fprintln(w, ".")
		return err
	})
}

// exportRefund writes prepared refund id to a new file for a signing
// station: a BIP-174 PSBT when path ends in .psbt (Bitcoin, for other
// wallets), else the desk's own refund file.
func (a *app) exportRefund(ctx context.Context, id int64, path string) error {
	b, err := station.Export(ctx, a.svc, id, path)
	if err != nil {
		return err
	}
	return writeNewFile(path, b)
}

// signedTransaction reads what a station or wallet signed for refund id.
func (a *app) signedTransaction(ctx context.Context, id int64, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Cannot read %s: %v", path, err)
	}
	return station.SignedTransaction(ctx, id, path, b, a.svc.StationRefund)
}

// printRefund prints one refund; details adds its transaction's facts to
// the text form (the JSON form always has them).
func (a *app) printRefund(r *core.Refund, details bool) error {
	return a.print(toRefundJSON(r), func(w io.Writer) error {
		fmt.Fprintf(w, "Refund %d of %s: %s %s to %s (%s/%s)\nStatus: %s\n", r.ID, r.RecordNo, r.AmountText(), r.AssetSymbol, r.Address, r.Chain, r.Network, r.Progress())
		if r.TxID != "" {
			fmt.Fprintf(w, "Transaction: %s (%d/%d confirmations)\n", r.TxID, r.Confirmations, r.ConfirmationsRequired)
		}
		if details && r.Payout != nil {
			p := r.Payout
			fmt.Fprintf(w, "Fee: %s\n", core.FormatFee(r.Chain, p.Fee.Big()))
			for _, in := range p.Inputs {
				fmt.Fprintf(w, "Input: %s %s (%s)\n", in.Outpoint, core.FormatFee(r.Chain, in.Amount.Big()), in.Address)
			}
			if p.Change != nil && p.Change.Sign() > 0 {
				fmt.Fprintf(w, "Change: %s to %s\n", core.FormatFee(r.Chain, p.Change.Big()), p.ChangeAddress)
			}
			if p.Payer != "" {
				fmt.Fprintf(w, "Payer: %s, nonce %d, gas %d at up to %s wei\n", p.Payer, p.Nonce, p.GasLimit, p.FeeRate.Big())
			}
		}
		if r.Notice != nil {
			fmt.Fprintf(w, "Customer notified by %s on %s by %s: %s\n", r.Notice.By, r.Notice.At.Format("2006-01-02 15:04"), r.Notice.Channel, r.Notice.Note)
		}
		return nil
	})
}
