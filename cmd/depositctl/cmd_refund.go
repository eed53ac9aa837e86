package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

// refundJSON is the stable JSON shape of a refund. Amounts are in the
// asset's units, the fee in the network's coin (FeeCoin).
type refundJSON struct {
	ID                    int64          `json:"id"`
	RecordNo              string         `json:"record_no"`
	Asset                 string         `json:"asset"`
	Network               string         `json:"network"`
	Amount                string         `json:"amount"`
	Address               string         `json:"address"`
	Status                string         `json:"status"`
	Progress              string         `json:"progress"`
	AdjustmentReason      string         `json:"adjustment_reason"`
	IdentityCheck         string         `json:"identity_check"`
	Forced                bool           `json:"forced"`
	RequestedBy           string         `json:"requested_by"`
	ApprovedBy            string         `json:"approved_by"`
	Approvals             []approvalJSON `json:"approvals"`
	TxID                  string         `json:"txid"`
	Confirmations         int            `json:"confirmations"`
	ConfirmationsRequired int            `json:"confirmations_required"`
	Fee                   string         `json:"fee"`
	FeeCoin               string         `json:"fee_coin"`
	Payout                *core.Payout   `json:"payout"`
	NotifiedBy            string         `json:"notified_by"`
	NotifiedAt            string         `json:"notified_at"`
	Channel               string         `json:"channel"`
	NoticeNote            string         `json:"notice_note"`
	Remarks               string         `json:"remarks"`
	CreatedAt             string         `json:"created_at"`
	UpdatedAt             string         `json:"updated_at"`
}

// approvalJSON is an operator's signature of a refund, as a signing
// station will check it (decision 41): who signed, as what, with which key.
type approvalJSON struct {
	Role        string `json:"role"`
	Operator    string `json:"operator"`
	Fingerprint string `json:"fingerprint"`
}

func toRefundJSON(r *core.Refund) refundJSON {
	j := refundJSON{ID: r.ID, RecordNo: r.RecordNo, Asset: r.AssetSymbol, Network: r.Network, Amount: r.AmountText(), Address: r.Address,
		Status: r.Status.Display(), Progress: r.Progress(), AdjustmentReason: r.AdjustmentReason, IdentityCheck: r.IdentityCheck, Forced: r.Forced,
		RequestedBy: r.RequestedBy, ApprovedBy: r.ApprovedBy, TxID: r.TxID, Confirmations: r.Confirmations,
		ConfirmationsRequired: r.ConfirmationsRequired, Payout: r.Payout, Remarks: r.Remarks,
		CreatedAt: r.CreatedAt.Format(time.RFC3339), UpdatedAt: r.UpdatedAt.Format(time.RFC3339)}
	j.Approvals = []approvalJSON{}
	for _, ap := range r.Approvals {
		j.Approvals = append(j.Approvals, approvalJSON{Role: string(ap.Role), Operator: ap.Operator, Fingerprint: core.KeyFingerprint(ap.PublicKey)})
	}
	if r.Payout != nil {
		sym, dec := core.Coin(r.Chain)
		j.Fee, j.FeeCoin = core.FormatAmount(r.Payout.Fee.Big(), dec), sym
	}
	if r.Notice != nil {
		j.NotifiedBy, j.NotifiedAt, j.Channel, j.NoticeNote = r.Notice.By, r.Notice.At.Format(time.RFC3339), string(r.Notice.Channel), r.Notice.Note
	}
	return j
}

func (a *app) printRefunds(rs []*core.Refund, one bool) error {
	out := make([]refundJSON, len(rs))
	rows := make([][]string, len(rs))
	for i, r := range rs {
		out[i] = toRefundJSON(r)
		rows[i] = []string{strconv.FormatInt(r.ID, 10), r.RecordNo, r.AmountText() + " " + r.AssetSymbol, r.Address, r.Progress(),
			r.RequestedBy, r.ApprovedBy, r.TxID}
	}
	var v any = out
	if one && len(out) == 1 {
		v = out[0]
	}
	return a.print(v, func(w io.Writer) error {
		return table(w, "REFUND\tRECORD NO\tAMOUNT\tADDRESS\tSTATUS\tREQUESTED BY\tAPPROVED BY\tTXID", rows)
	})
}

func (a *app) refundCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "refund", Short: "Refunds of credited deposits: request, approve, prepare, execute, broadcast, notify"}

	var address, amount, reason, identity string
	var forced bool
	request := &cobra.Command{
		Use:   "request RECORD --address ADDR --identity TEXT [--forced] [--amount AMOUNT --reason TEXT]",
		Short: "Request a refund of a Credited record to the customer's Verified address on its network (Refund)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			ws, err := a.svc.RefundAddresses(ctx, args[0])
			if err != nil {
				return err
			}
			var id int64
			for _, w := range ws {
				if strings.EqualFold(w.Address, strings.TrimSpace(address)) {
					id = w.ID
				}
			}
			if id == 0 {
				return core.Errorf(core.EINVALID, "%q is not a Verified address of the record's customer on its network.", address)
			}
			r, err := a.svc.RequestRefund(ctx, args[0], core.RefundRequest{AddressID: id, Amount: amount, Reason: reason,
				IdentityCheck: identity, Forced: forced})
			if err != nil {
				return err
			}
			return a.printRefunds([]*core.Refund{r}, true)
		},
	}
	request.Flags().StringVar(&address, "address", "", "the refund address (a Verified address of the customer on the deposit's network)")
	request.Flags().StringVar(&amount, "amount", "", "amount in the asset's units (default: the deposit's)")
	request.Flags().StringVar(&reason, "reason", "", "why the amount differs from the deposit's (required then)")
	request.Flags().StringVar(&identity, "identity", "", "how the customer's identity and the request were verified: method and reference")
	request.Flags().BoolVar(&forced, "forced", false, "the firm requires the refund (e.g. compliance); without it, the customer asked")
	_ = request.MarkFlagRequired("address")
	_ = request.MarkFlagRequired("identity")

	approve := &cobra.Command{
		Use: "approve ID", Short: "Approve a refund another operator requested (Refund Approval)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id, err := a.refundArg(cmd, args[0])
			if err != nil {
				return err
			}
			r, err := a.svc.ApproveRefund(ctx, id)
			if err != nil {
				return err
			}
			return a.printRefunds([]*core.Refund{r}, true)
		},
	}

	var remarks string
	reject := &cobra.Command{
		Use: "reject ID --remarks TEXT", Short: "Reject a refund before it is signed; the record is Credited again (Refund Approval)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id, err := a.refundArg(cmd, args[0])
			if err != nil {
				return err
			}
			r, err := a.svc.RejectRefund(ctx, id, remarks)
			if err != nil {
				return err
			}
			return a.printRefunds([]*core.Refund{r}, true)
		},
	}
	reject.Flags().StringVar(&remarks, "remarks", "", "why (required)")
	_ = reject.MarkFlagRequired("remarks")

	var status string
	list := &cobra.Command{
		Use: "list [--status TEXT]", Short: "List refunds, newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			f := core.RefundFilter{}
			if status != "" {
				s, err := parseRefundStatus(status)
				if err != nil {
					return err
				}
				f.Status = &s
			}
			rs, err := a.svc.Refunds(ctx, f)
			if err != nil {
				return err
			}
			return a.printRefunds(rs, false)
		},
	}
	list.Flags().StringVar(&status, "status", "", "requested, approved, rejected, …")
	cmd.AddCommand(request, approve, reject, list)
	cmd.AddCommand(a.refundPayCommands()...)
	return cmd
}

func (a *app) refundArg(cmd *cobra.Command, arg string) (ctx context.Context, id int64, err error) {
	if id, err = strconv.ParseInt(arg, 10, 64); err != nil || id < 1 {
		return nil, 0, core.Errorf(core.EINVALID, "Refund id %q must be a positive number.", arg)
	}
	ctx, err = a.login(cmd.Context())
	return ctx, id, err
}

func parseRefundStatus(s string) (core.RefundStatus, error) {
	for _, st := range core.RefundStatuses() {
		if strings.EqualFold(s, string(st)) || strings.EqualFold(s, st.Display()) {
			return st, nil
		}
	}
	return "", core.Errorf(core.EINVALID, "Unknown refund status %q.", s)
}
