package sqlite

import (
	"fmt"
	"strings"

	"depositdesk/core"
)

type scanner interface{ Scan(dest ...any) error }

// depositColumnList is what a deposit record is read from, in the order
// depositRow.scan converts it.
var depositColumnList = []string{
	"d.id", "d.record_no", "COALESCE(d.client_request_key, '')", "d.request_hash",
	"d.customer_id", "d.customer_no", "d.securities_account",
	"d.asset_id", "a.symbol", "a.chain", "d.network", "a.decimals",
	"d.amount", "d.source_address", "d.destination_address", "COALESCE(d.txid, '')", "d.tx_index",
	"d.requested_at", "d.created_at", "d.updated_at", "d.status",
	"d.confirmations", "d.confirmations_required", "d.block_hash", "d.block_height", "d.remarks", "d.submitted_by",
	"d.channel",
}

// depositColumns is the select list of a deposit record (d the deposit,
// a its asset).
var depositColumns = strings.Join(depositColumnList, ", ")

// depositRow scans rows of depositColumns into values of any type and
// converts them itself. database/sql converts an integer into an *int64 by
// reflection, and with eleven integers a record that was a fifth of a
// page's time on the desk's side (decision 75); into an *any it copies the
// driver's value. One depositRow serves every row of a query.
type depositRow struct {
	vals []any
	ptrs []any
}

func newDepositRow() *depositRow {
	r := &depositRow{vals: make([]any, len(depositColumnList)), ptrs: make([]any, len(depositColumnList))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

// scan reads the current row of s into d.
func (r *depositRow) scan(s scanner, d *core.DepositRecord) error {
	if err := s.Scan(r.ptrs...); err != nil {
		return fmt.Errorf("scan deposit: %w", err)
	}
	c := columns{vals: r.vals, names: depositColumnList}
	d.ID, d.RecordNo, d.ClientRequestKey, d.RequestHash = c.integer(), c.text(), c.text(), c.text()
	d.CustomerID, d.CustomerNo, d.SecuritiesAccount = c.integer(), c.text(), c.text()
	d.AssetID, d.AssetSymbol, d.Chain, d.Network, d.Decimals = c.integer(), c.text(), c.text(), c.text(), int(c.integer())
	amount := c.text()
	d.SourceAddress, d.DestinationAddress, d.TxID, d.TxIndex = c.text(), c.text(), c.text(), int(c.integer())
	d.RequestedAt, d.CreatedAt, d.UpdatedAt = fromMicros(c.integer()), fromMicros(c.integer()), fromMicros(c.integer())
	d.Status = core.DepositStatus(c.text())
	d.Confirmations, d.ConfirmationsRequired = int(c.integer()), int(c.integer())
	d.BlockHash, d.BlockHeight, d.Remarks, d.SubmittedBy = c.text(), c.integer(), c.text(), c.text()
	d.Channel = core.ApplicationChannel(c.text())
	if c.err != nil {
		return fmt.Errorf("scan deposit: %w", c.err)
	}
	var err error
	d.Amount, err = parseBig(amount)
	return err
}

// scanDeposit reads one row of depositColumns.
func scanDeposit(s scanner) (*core.DepositRecord, error) {
	d := &core.DepositRecord{}
	if err := newDepositRow().scan(s, d); err != nil {
		return nil, err
	}
	return d, nil
}

// columns hands out a row's values in order, converted as database/sql
// would convert them into an int64 or a string, and keeps the first value
// that is neither (a NULL included, as database/sql refuses one).
type columns struct {
	vals  []any
	names []string
	next  int
	err   error
}

func (c *columns) take() any {
	v := c.vals[c.next]
	c.next++
	return v
}

func (c *columns) integer() int64 {
	v := c.take()
	if n, ok := v.(int64); ok {
		return n
	}
	c.fail(v, "an integer")
	return 0
}

func (c *columns) text() string {
	switch v := c.take().(type) {
	case string:
		return v
	case []byte:
		return string(v)
	default:
		c.fail(v, "text")
		return ""
	}
}

func (c *columns) fail(v any, want string) {
	if c.err == nil {
		c.err = fmt.Errorf("%s is %T, not %s", c.names[c.next-1], v, want)
	}
}
