package main

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"depositdesk/core"
)

// assetJSON is the stable JSON shape of an asset.
type assetJSON struct {
	Symbol                string `json:"symbol"`
	Chain                 string `json:"chain"`
	Network               string `json:"network"`
	Name                  string `json:"name"`
	ContractAddress       string `json:"contract_address"`
	Decimals              int    `json:"decimals"`
	MinDeposit            string `json:"min_deposit"`
	ConfirmationsRequired int    `json:"confirmations_required"`
	Enabled               bool   `json:"enabled"`
	AccountXPub           string `json:"account_xpub"`
	RefundFeeRate         string `json:"refund_fee_rate"` // "" = the node's estimate
	RefundFeeCap          string `json:"refund_fee_cap"`  // in the network's coin; "" = refunds refused
	UpdatedAt             string `json:"updated_at"`
}

func toAssetJSON(x *core.Asset) assetJSON {
	j := assetJSON{Symbol: x.Symbol, Chain: x.Chain, Network: x.Network, Name: x.Name, ContractAddress: x.ContractAddress, Decimals: x.Decimals,
		MinDeposit: core.FormatAmount(x.MinDeposit, x.Decimals), ConfirmationsRequired: x.ConfirmationsRequired, Enabled: x.Enabled,
		AccountXPub: x.AccountXPub, UpdatedAt: x.UpdatedAt.Format(time.RFC3339)}
	if x.RefundFeeRate != nil {
		j.RefundFeeRate = core.FormatFeeRate(x.Chain, x.RefundFeeRate)
	}
	if x.RefundFeeCap != nil {
		j.RefundFeeCap = core.FormatFee(x.Chain, x.RefundFeeCap)
	}
	return j
}

// refundFeeFlags add --refund-fee-rate and --refund-fee-cap to fl.
func refundFeeFlags(fl *pflag.FlagSet, rate, feeCap *string) {
	fl.StringVar(rate, "refund-fee-rate", "", "refund fee rate: sat/vB (Bitcoin) or max gwei per gas (Ethereum); 0 or empty = the node's estimate")
	fl.StringVar(feeCap, "refund-fee-cap", "", "the most one refund's fee may be, in the network's coin (BTC, ETH); refunds are refused until set")
}

// parseRefundFees reads the two flags for an asset on chain.
func parseRefundFees(chain, rate, feeCap string) (r, c *big.Int, err error) {
	if strings.TrimSpace(rate) != "" {
		if r, err = core.ParseFeeRate(chain, rate); err != nil {
			return nil, nil, err
		}
	}
	if strings.TrimSpace(feeCap) != "" {
		_, dec := core.Coin(chain)
		if c, err = core.ParseAmount(feeCap, dec); err != nil {
			return nil, nil, err
		}
	}
	return r, c, nil
}

func (a *app) printAsset(verb string, x *core.Asset) error {
	return a.print(toAssetJSON(x), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s asset %s\n", verb, x.Key())
		return err
	})
}

func (a *app) assetCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "asset", Short: "Cryptocurrency Configuration: the assets deposits are accepted in"}
	list := &cobra.Command{
		Use: "list", Short: "List configured assets", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			as, err := a.svc.ListAssets(ctx, core.AssetFilter{})
			if err != nil {
				return err
			}
			out := []assetJSON{}
			var rows [][]string
			for _, x := range as {
				j := toAssetJSON(x)
				out = append(out, j)
				rows = append(rows, []string{x.Key(), x.Chain, strconv.Itoa(x.Decimals), j.MinDeposit, strconv.Itoa(x.ConfirmationsRequired),
					map[bool]string{true: "enabled", false: "disabled"}[x.Enabled], x.ContractAddress})
			}
			return a.print(out, func(w io.Writer) error {
				return table(w, "ASSET\tCHAIN\tDECIMALS\tMIN DEPOSIT\tCONFIRMATIONS\tSTATE\tCONTRACT", rows)
			})
		},
	}

	var x core.Asset
	var minDeposit, feeRate, feeCap string
	var disabled bool
	add := &cobra.Command{
		Use:   "add --chain CHAIN --network NET --symbol SYM --decimals N --min-deposit AMOUNT --confirmations N",
		Short: "Configure a new asset (audited)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			x.Symbol, x.Enabled = strings.ToUpper(strings.TrimSpace(x.Symbol)), !disabled
			if x.MinDeposit, err = core.ParseAmount(minDeposit, x.Decimals); err != nil {
				return err
			}
			if x.RefundFeeRate, x.RefundFeeCap, err = parseRefundFees(x.Chain, feeRate, feeCap); err != nil {
				return err
			}
			if x.RefundFeeRate != nil && x.RefundFeeRate.Sign() == 0 {
				x.RefundFeeRate = nil
			}
			if err := a.svc.CreateAsset(ctx, &x); err != nil {
				return err
			}
			return a.printAsset("added", &x)
		},
	}
	fl := add.Flags()
	fl.StringVar(&x.Chain, "chain", "", "bitcoin or ethereum")
	fl.StringVar(&x.Network, "network", "", "mainnet, testnet3, regtest, sepolia, dev, …")
	fl.StringVar(&x.Symbol, "symbol", "", "e.g. BTC, ETH, USDT")
	fl.StringVar(&x.Name, "name", "", "display name")
	fl.StringVar(&x.ContractAddress, "contract", "", "ERC-20 contract address (none for a native coin)")
	fl.IntVar(&x.Decimals, "decimals", 0, "decimals of the base unit (8 for BTC, 18 for ETH)")
	fl.StringVar(&minDeposit, "min-deposit", "0", "smallest accepted deposit, in the asset's units")
	fl.IntVar(&x.ConfirmationsRequired, "confirmations", 0, "confirmations before a deposit is credited")
	fl.StringVar(&x.AccountXPub, "xpub", "", "account extended public key for deposit addresses")
	fl.BoolVar(&disabled, "disabled", false, "add the asset disabled (no deposits accepted)")
	refundFeeFlags(fl, &feeRate, &feeCap)
	for _, f := range []string{"chain", "network", "symbol", "decimals", "confirmations"} {
		_ = add.MarkFlagRequired(f)
	}
	cmd.AddCommand(list, add, a.assetUpdateCommand())
	return cmd
}

func (a *app) assetUpdateCommand() *cobra.Command {
	var name, minDeposit, xpub, feeRate, feeCap string
	var confirmations int
	var enabled bool
	cmd := &cobra.Command{
		Use:   "update SYMBOL[@network] [--name] [--min-deposit] [--confirmations] [--enabled=true|false] [--xpub] [--refund-fee-rate] [--refund-fee-cap]",
		Short: "Change an asset's configuration; only the flags given change (audited with before and after)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			cur, err := a.findAsset(ctx, args[0])
			if err != nil {
				return err
			}
			var upd core.AssetUpdate
			fl := cmd.Flags()
			if fl.Changed("name") {
				upd.Name = &name
			}
			if fl.Changed("min-deposit") {
				if upd.MinDeposit, err = core.ParseAmount(minDeposit, cur.Decimals); err != nil {
					return err
				}
			}
			if fl.Changed("confirmations") {
				upd.ConfirmationsRequired = &confirmations
			}
			if fl.Changed("enabled") {
				upd.Enabled = &enabled
			}
			if fl.Changed("xpub") {
				upd.AccountXPub = &xpub
			}
			if fl.Changed("refund-fee-rate") && strings.TrimSpace(feeRate) == "" {
				feeRate = "0"
			}
			if upd.RefundFeeRate, upd.RefundFeeCap, err = parseRefundFees(cur.Chain, feeRate, feeCap); err != nil {
				return err
			}
			if upd == (core.AssetUpdate{}) {
				return usageError{fmt.Errorf("nothing to change: give at least one of --name, --min-deposit, --confirmations, --enabled, --xpub, --refund-fee-rate, --refund-fee-cap")}
			}
			next, err := a.svc.UpdateAsset(ctx, cur.ID, upd)
			if err != nil {
				return err
			}
			return a.printAsset("updated", next)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "display name")
	fl.StringVar(&minDeposit, "min-deposit", "", "smallest accepted deposit, in the asset's units")
	fl.IntVar(&confirmations, "confirmations", 0, "confirmations before a deposit is credited")
	fl.BoolVar(&enabled, "enabled", true, "accept deposits (--enabled=false to stop)")
	fl.StringVar(&xpub, "xpub", "", "account extended public key")
	refundFeeFlags(fl, &feeRate, &feeCap)
	return cmd
}

// findAsset resolves SYMBOL or SYMBOL@network to one configured asset.
func (a *app) findAsset(ctx context.Context, spec string) (*core.Asset, error) {
	id, err := a.assetID(ctx, spec)
	if err != nil {
		return nil, err
	}
	as, err := a.svc.ListAssets(ctx, core.AssetFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	return as[0], nil
}
