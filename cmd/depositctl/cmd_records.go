package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

// recordJSON is the stable JSON shape of a record (scripts rely on it).
type recordJSON struct {
	RecordNo              string `json:"record_no"`
	CustomerNo            string `json:"customer_no"`
	SecuritiesAccount     string `json:"securities_account"`
	Asset                 string `json:"asset"`
	Network               string `json:"network"`
	Amount                string `json:"amount"`
	SourceAddress         string `json:"source_address"`
	DestinationAddress    string `json:"destination_address"`
	TxID                  string `json:"txid"`
	Status                string `json:"status"`
	Confirmations         int    `json:"confirmations"`
	ConfirmationsRequired int    `json:"confirmations_required"`
	RequestedAt           string `json:"requested_at"`
	CreatedAt             string `json:"created_at"`
	UpdatedAt             string `json:"updated_at"`
	Remarks               string `json:"remarks"`
}

func toJSON(d *core.DepositRecord) recordJSON {
	return recordJSON{d.RecordNo, d.CustomerNo, d.SecuritiesAccount, d.AssetSymbol, d.Network, d.AmountText(), d.SourceAddress,
		d.DestinationAddress, d.TxID, d.Status.Display(), d.Confirmations, d.ConfirmationsRequired,
		d.RequestedAt.Format(time.RFC3339), d.CreatedAt.Format(time.RFC3339), d.UpdatedAt.Format(time.RFC3339), d.Remarks}
}

func (a *app) searchCommand() *cobra.Command {
	var recordNo, customerNo, account, status, asset, txid, from, to, reqFrom, reqTo, sortBy, after string
	var limit int
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Search deposit records (newest first, one page) and count the matches",
		Long: `Search deposit records, newest first by creation or request time, one page.
Record number, customer number, securities account and TXID match every value
that starts with what is given (case does not matter). The number of matching
records is printed on stderr as "matches: N" ("more than 10,000" past that),
and the next page's cursor as "next: CURSOR".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			if limit < 1 || limit > core.MaxPageSize {
				return core.Errorf(core.EINVALID, "--limit must be between 1 and %d.", core.MaxPageSize)
			}
			f := core.DepositFilter{Limit: limit, Prefix: true}
			if f.Order, err = core.ParseDepositOrder(sortBy); err != nil {
				return err
			}
			for _, p := range []struct {
				val string
				dst **string
			}{{recordNo, &f.RecordNo}, {customerNo, &f.CustomerNo}, {account, &f.SecuritiesAccount}, {txid, &f.TxID}} {
				if p.val != "" {
					v := p.val
					*p.dst = &v
				}
			}
			if status != "" {
				st, err := core.ParseDepositStatus(status)
				if err != nil {
					return err
				}
				f.Status = &st
			}
			if asset != "" {
				id, err := a.assetID(ctx, asset)
				if err != nil {
					return err
				}
				f.AssetID = &id
			}
			if f.CreatedFrom, err = parseTime("--from", from); err != nil {
				return err
			}
			if f.CreatedTo, err = parseTime("--to", to); err != nil {
				return err
			}
			if f.RequestedFrom, err = parseTime("--requested-from", reqFrom); err != nil {
				return err
			}
			if f.RequestedTo, err = parseTime("--requested-to", reqTo); err != nil {
				return err
			}
			if after != "" {
				if f.After, err = core.ParseDepositCursor(after); err != nil {
					return err
				}
			}
			page, err := a.svc.SearchDeposits(ctx, f)
			if err != nil {
				return err
			}
			n, err := a.svc.CountDeposits(ctx, f)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "matches: %s\n", n)
			if page.Next != nil {
				fmt.Fprintf(a.stderr, "next: %s\n", page.Next)
			}
			if a.asJSON {
				out := make([]recordJSON, 0, len(page.Records))
				for _, d := range page.Records {
					out = append(out, toJSON(d))
				}
				return json.NewEncoder(a.stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RECORD NO\tCUSTOMER\tACCOUNT\tASSET\tAMOUNT\tSTATUS\tCONF\tREQUESTED\tCREATED")
			for _, d := range page.Records {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s@%s\t%s\t%s\t%d/%d\t%s\t%s\n", d.RecordNo, d.CustomerNo, d.SecuritiesAccount, d.AssetSymbol,
					d.Network, d.AmountText(), d.Status.Display(), d.Confirmations, d.ConfirmationsRequired,
					d.RequestedAt.Format(time.RFC3339), d.CreatedAt.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&recordNo, "record-no", "", "record number or its beginning, e.g. D20261125-000123, D20261125-")
	fl.StringVar(&customerNo, "customer-no", "", "customer number or its beginning")
	fl.StringVar(&account, "account", "", "securities account or its beginning")
	fl.StringVar(&status, "status", "", `status as operators see it, e.g. "Wallet Address Under Verification", "Credited"`)
	fl.StringVar(&asset, "asset", "", "asset symbol, or SYMBOL@network")
	fl.StringVar(&txid, "txid", "", "transaction hash, its first 8 or more hex digits, or as the desk shortens it (8dba1c…b1df)")
	fl.StringVar(&from, "from", "", "created at or after (RFC 3339)")
	fl.StringVar(&to, "to", "", "created before (RFC 3339)")
	fl.StringVar(&reqFrom, "requested-from", "", "requested at or after (RFC 3339)")
	fl.StringVar(&reqTo, "requested-to", "", "requested before (RFC 3339)")
	fl.StringVar(&sortBy, "sort", "created", "newest first by: created (creation time) or requested (request time)")
	fl.IntVar(&limit, "limit", core.DefaultPageSize, "page size (1-1000)")
	fl.StringVar(&after, "after", "", "cursor printed as 'next:' by the previous page")
	return cmd
}

func (a *app) showCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show RECORD",
		Short: "Show a record with its address verification, confirmations and audit trail",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			det, err := a.svc.DepositDetail(ctx, args[0])
			if err != nil {
				return err
			}
			type trailJSON struct {
				At      string `json:"at"`
				Actor   string `json:"actor"`
				Action  string `json:"action"`
				Before  string `json:"before"`
				After   string `json:"after"`
				Remarks string `json:"remarks"`
			}
			out := struct {
				recordJSON
				SourceVerification string       `json:"source_address_verification"`
				VerifiedBy         string       `json:"source_address_verified_by,omitempty"`
				Refunds            []refundJSON `json:"refunds"`
				Trail              []trailJSON  `json:"audit_trail"`
			}{recordJSON: toJSON(det.Record), SourceVerification: "not registered", Refunds: []refundJSON{}, Trail: []trailJSON{}}
			for _, r := range det.Refunds {
				out.Refunds = append(out.Refunds, toRefundJSON(r))
			}
			if w := det.SourceAddress; w != nil {
				out.SourceVerification, out.VerifiedBy = w.Status.Display(), w.VerifiedBy
			}
			for _, e := range det.Trail {
				out.Trail = append(out.Trail, trailJSON{e.At.Format(time.RFC3339Nano), e.Actor, e.Action, e.Before, e.After, e.Remarks})
			}
			if a.asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			d := det.Record
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			for _, kv := range [][2]string{{"Record No", d.RecordNo}, {"Status", d.Status.Display()}, {"Customer", d.CustomerNo + " / " + d.SecuritiesAccount},
				{"Asset", d.AssetSymbol + " on " + d.Network}, {"Amount", d.AmountText()}, {"Source address", d.SourceAddress + " (" + out.SourceVerification + ")"},
				{"Destination", d.DestinationAddress}, {"TXID", d.TxID}, {"Confirmations", fmt.Sprintf("%d / %d", d.Confirmations, d.ConfirmationsRequired)},
				{"Requested", d.RequestedAt.Format(time.RFC3339)}, {"Created", d.CreatedAt.Format(time.RFC3339)}, {"Remarks", d.Remarks}} {
				fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
			}
			fmt.Fprintln(tw, "\nAUDIT TRAIL")
			for _, e := range out.Trail {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.At, e.Actor, e.Action, e.Remarks)
			}
			return tw.Flush()
		},
	}
	return cmd
}

// statusCommand builds cancel and delete, which differ only in the use
// case they call.
func (a *app) statusCommand(use, short, done string, do func(*core.Service, context.Context, string, string) (*core.DepositRecord, error)) *cobra.Command {
	var remarks string
	cmd := &cobra.Command{
		Use:   use + " RECORD --remarks TEXT",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := do(a.svc, ctx, args[0], remarks)
			if err != nil {
				return err
			}
			return a.print(toJSON(rec), func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s %s: %s\n", done, rec.RecordNo, rec.Status.Display())
				return err
			})
		},
	}
	cmd.Flags().StringVar(&remarks, "remarks", "", `why, e.g. "Duplicate user request" (required)`)
	return cmd
}

func (a *app) cancelCommand() *cobra.Command {
	return a.statusCommand("cancel", `Cancel a record still in "Wallet Address Under Verification"`, "cancelled", (*core.Service).CancelDeposit)
}

func (a *app) deleteCommand() *cobra.Command {
	return a.statusCommand("delete", "Delete an abnormal deposit application (soft delete, audited)", "deleted", (*core.Service).DeleteApplication)
}

func (a *app) releaseCommand() *cobra.Command {
	return a.statusCommand("release", `Release a record "Held for Review" back to Confirming (Refund Approval)`, "released",
		func(s *core.Service, ctx context.Context, recordNo, remarks string) (*core.DepositRecord, error) {
			return s.DecideHeld(ctx, recordNo, true, remarks)
		})
}

func (a *app) rejectCommand() *cobra.Command {
	return a.statusCommand("reject", `Reject a record "Held for Review" (Refund Approval); final`, "rejected",
		func(s *core.Service, ctx context.Context, recordNo, remarks string) (*core.DepositRecord, error) {
			return s.DecideHeld(ctx, recordNo, false, remarks)
		})
}

func parseTime(flag, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s must be an RFC 3339 time such as 2026-11-25T00:00:00Z.", flag)
	}
	return &t, nil
}

// assetID resolves SYMBOL or SYMBOL@network to a configured asset.
func (a *app) assetID(ctx context.Context, spec string) (int64, error) {
	symbol, network, _ := strings.Cut(strings.TrimSpace(spec), "@")
	symbol = strings.ToUpper(symbol)
	f := core.AssetFilter{Symbol: &symbol}
	if network != "" {
		f.Network = &network
	}
	as, err := a.svc.ListAssets(ctx, f)
	if err != nil {
		return 0, err
	}
	switch len(as) {
	case 0:
		return 0, core.Errorf(core.ENOTFOUND, "Asset %q is not configured.", spec)
	case 1:
		return as[0].ID, nil
	}
	return 0, core.Errorf(core.EINVALID, "Asset %s exists on several networks; use SYMBOL@network.", symbol)
}
