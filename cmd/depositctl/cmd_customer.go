package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

type customerJSON struct {
	CustomerNo        string `json:"customer_no"`
	SecuritiesAccount string `json:"securities_account"`
	Name              string `json:"name"`
	IdentityRef       string `json:"identity_ref"`
	CreatedAt         string `json:"created_at"`
}

func toCustomerJSON(c *core.Customer) customerJSON {
	return customerJSON{c.CustomerNo, c.SecuritiesAccount, c.Name, c.IdentityRef, c.CreatedAt.Format(time.RFC3339)}
}

func (a *app) customerCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "customer", Short: "Customers of the firm"}
	var c core.Customer
	add := &cobra.Command{
		Use:   "add --customer-no NO --account ACCT --name NAME [--identity-ref REF]",
		Short: "Register a customer (audited)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			if err := a.svc.CreateCustomer(ctx, &c); err != nil {
				return err
			}
			return a.print(toCustomerJSON(&c), func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "added customer %s (%s)\n", c.CustomerNo, c.SecuritiesAccount)
				return err
			})
		},
	}
	add.Flags().StringVar(&c.CustomerNo, "customer-no", "", "customer number")
	add.Flags().StringVar(&c.SecuritiesAccount, "account", "", "securities account")
	add.Flags().StringVar(&c.Name, "name", "", "customer name")
	add.Flags().StringVar(&c.IdentityRef, "identity-ref", "", "reference to the identity verification (KYC)")
	for _, f := range []string{"customer-no", "account", "name"} {
		_ = add.MarkFlagRequired(f)
	}

	var customerNo, account string
	var limit int
	list := &cobra.Command{
		Use: "list [--customer-no NO] [--account ACCT] [--limit N]", Short: "List customers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			f := core.CustomerFilter{Limit: limit}
			if customerNo != "" {
				no := strings.ToUpper(strings.TrimSpace(customerNo))
				f.CustomerNo = &no
			}
			if account != "" {
				acct := strings.ToUpper(strings.TrimSpace(account))
				f.SecuritiesAccount = &acct
			}
			cs, err := a.svc.FindCustomers(ctx, f)
			if err != nil {
				return err
			}
			out := []customerJSON{}
			var rows [][]string
			for _, c := range cs {
				out = append(out, toCustomerJSON(c))
				rows = append(rows, []string{c.CustomerNo, c.SecuritiesAccount, c.Name, c.IdentityRef})
			}
			return a.print(out, func(w io.Writer) error { return table(w, "CUSTOMER\tACCOUNT\tNAME\tIDENTITY", rows) })
		},
	}
	list.Flags().StringVar(&customerNo, "customer-no", "", "only this customer")
	list.Flags().StringVar(&account, "account", "", "only this securities account")
	list.Flags().IntVar(&limit, "limit", 1000, "at most this many")
	cmd.AddCommand(add, list)
	return cmd
}

type addressJSON struct {
	ID                 int64  `json:"id"`
	CustomerNo         string `json:"customer_no"`
	Chain              string `json:"chain"`
	Network            string `json:"network"`
	Address            string `json:"address"`
	Label              string `json:"label"`
	Status             string `json:"status"`
	VerificationMethod string `json:"verification_method"`
	VerifiedBy         string `json:"verified_by"`
	VerifiedAt         string `json:"verified_at,omitempty"`
}

func toAddressJSON(w *core.WalletAddress) addressJSON {
	out := addressJSON{w.ID, w.CustomerNo, w.Chain, w.Network, w.Address, w.Label, w.Status.Display(), w.VerificationMethod, w.VerifiedBy, ""}
	if !w.VerifiedAt.IsZero() {
		out.VerifiedAt = w.VerifiedAt.Format(time.RFC3339)
	}
	return out
}

func (a *app) printAddress(verb string, w *core.WalletAddress) error {
	return a.print(toAddressJSON(w), func(out io.Writer) error {
		_, err := fmt.Fprintf(out, "%s address %d %s on %s: %s\n", verb, w.ID, w.Address, w.Network, w.Status.Display())
		return err
	})
}

func (a *app) addressCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "address", Short: "Customer Wallet Addresses and their ownership proofs"}
	var customerNo, chain, network, address, label string
	add := &cobra.Command{
		Use:   "add --customer-no NO --chain CHAIN --network NET --address ADDR [--label TEXT]",
		Short: "Register a customer's wallet address, Pending until verified",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			w, err := a.svc.AddWalletAddress(ctx, customerNo, chain, network, address, label)
			if err != nil {
				return err
			}
			return a.printAddress("added", w)
		},
	}
	add.Flags().StringVar(&customerNo, "customer-no", "", "customer number")
	add.Flags().StringVar(&chain, "chain", "", "bitcoin or ethereum")
	add.Flags().StringVar(&network, "network", "", "network of the address")
	add.Flags().StringVar(&address, "address", "", "the address")
	add.Flags().StringVar(&label, "label", "", "a note, e.g. the wallet's name")
	for _, f := range []string{"customer-no", "chain", "network", "address"} {
		_ = add.MarkFlagRequired(f)
	}

	var status string
	list := &cobra.Command{
		Use: "list [--customer-no NO] [--network NET] [--status STATUS]", Short: "List wallet addresses", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			var f core.WalletAddressFilter
			if customerNo != "" {
				no := strings.ToUpper(strings.TrimSpace(customerNo))
				f.CustomerNo = &no
			}
			if network != "" {
				f.Network = &network
			}
			if status != "" {
				st := core.AddressStatus(strings.ToLower(strings.TrimSpace(status)))
				if st.Display() == string(st) {
					return core.Errorf(core.EINVALID, "Unknown address status %q (pending, verified, rejected, revoked).", status)
				}
				f.Status = &st
			}
			ws, err := a.svc.FindWalletAddresses(ctx, f)
			if err != nil {
				return err
			}
			out := []addressJSON{}
			var rows [][]string
			for _, w := range ws {
				out = append(out, toAddressJSON(w))
				rows = append(rows, []string{strconv.FormatInt(w.ID, 10), w.CustomerNo, w.Network, w.Address, w.Status.Display(), w.VerificationMethod, w.Label})
			}
			return a.print(out, func(w io.Writer) error {
				return table(w, "ID\tCUSTOMER\tNETWORK\tADDRESS\tSTATUS\tMETHOD\tLABEL", rows)
			})
		},
	}
	list.Flags().StringVar(&customerNo, "customer-no", "", "only this customer's")
	list.Flags().StringVar(&network, "network", "", "only on this network")
	list.Flags().StringVar(&status, "status", "", "pending, verified, rejected or revoked")
	cmd.AddCommand(add, list, a.addressVerifyCommand())
	return cmd
}

// addressVerifyCommand proves an address by one of the methods: a one-time
// challenge the customer signs, a micro-deposit, or documentary evidence
// that a second operator approves.
func (a *app) addressVerifyCommand() *cobra.Command {
	var issue, manual, approve, micro bool
	var challenge, microChallenge int64
	var method, signature, evidence, txid string
	cmd := &cobra.Command{
		Use: "verify ID (--issue-challenge | --challenge N --method M --signature SIG | --micro-deposit | " +
			"--micro-challenge N --txid TXID | --manual --evidence TEXT | --approve)",
		Short: "Verify a Pending address: a signed challenge, a micro-deposit, or documentary evidence " +
			"that a second operator approves",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("address ID must be a number (see address list), not %q", args[0])}
			}
			modes := 0
			for _, on := range []bool{issue, challenge != 0, manual, approve, micro, microChallenge != 0} {
				if on {
					modes++
				}
			}
			if modes != 1 {
				return usageError{errors.New("give exactly one of --issue-challenge, --challenge (with --method and --signature), " +
					"--micro-deposit, --micro-challenge (with --txid), --manual (with --evidence), --approve")}
			}
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			switch {
			case issue:
				ch, err := a.svc.IssueAddressChallenge(ctx, id)
				if err != nil {
					return err
				}
				out := map[string]any{"challenge": ch.ID, "message": ch.Message, "expires_at": ch.ExpiresAt.Format(time.RFC3339)}
				return a.print(out, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "challenge %d (expires %s); the customer signs exactly this message:\n%s\n",
						ch.ID, ch.ExpiresAt.Format(time.RFC3339), ch.Message)
					return err
				})
			case manual:
				mv, err := a.svc.SubmitManualEvidence(ctx, id, evidence)
				if err != nil {
					return err
				}
				out := map[string]any{"address_id": mv.AddressID, "evidence": mv.Evidence, "submitted_by": mv.RequestedBy, "status": "awaiting approval"}
				return a.print(out, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "evidence recorded for address %d; another operator with Address Verification approves it with: address verify %d --approve\n", id, id)
					return err
				})
			case approve:
				w, err := a.svc.ApproveManualEvidence(ctx, id)
				if err != nil {
					return err
				}
				return a.printAddress("verified", w)
			case micro:
				md, err := a.svc.StartMicroDeposit(ctx, id)
				if err != nil {
					return err
				}
				out := map[string]any{"micro_challenge": md.ID, "amount_base_units": md.Amount.String(), "to": md.DepositAddress,
					"expires_at": md.ExpiresAt.Format(time.RFC3339)}
				return a.print(out, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "micro-deposit challenge %d: the customer sends exactly %s base units from the address to %s before %s\n",
						md.ID, md.Amount, md.DepositAddress, md.ExpiresAt.Format(time.RFC3339))
					return err
				})
			case microChallenge != 0:
				w, err := a.svc.ProveMicroDeposit(ctx, microChallenge, txid)
				if err != nil {
					return err
				}
				return a.printAddress("verified", w)
			}
			// The challenge names its own address; a signature over it can
			// only ever verify that one, whatever ID says.
			w, err := a.svc.ProveAddress(ctx, challenge, method, signature)
			if err != nil {
				return err
			}
			return a.printAddress("verified", w)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&issue, "issue-challenge", false, "make the one-time message the customer signs with the address's key")
	fl.Int64Var(&challenge, "challenge", 0, "the challenge the signature is over")
	fl.StringVar(&method, "method", "", "eip191 (Ethereum), bip137 or bip322 (Bitcoin)")
	fl.StringVar(&signature, "signature", "", "the customer's signature (base64, or 0x hex for eip191)")
	fl.BoolVar(&micro, "micro-deposit", false, "ask for an exact odd amount from the address to the customer's deposit address")
	fl.Int64Var(&microChallenge, "micro-challenge", 0, "the micro-deposit challenge the transaction answers")
	fl.StringVar(&txid, "txid", "", "the micro-deposit's transaction hash (with --micro-challenge)")
	fl.BoolVar(&manual, "manual", false, "submit documentary evidence; a second operator must approve it")
	fl.StringVar(&evidence, "evidence", "", "what the evidence is, e.g. a document reference (with --manual)")
	fl.BoolVar(&approve, "approve", false, "approve the evidence another operator submitted for the address")
	return cmd
}
