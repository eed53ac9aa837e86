package core

import (
	"context"
	"iter"
	"time"
)

// DepositSearcher is what searching deposit records needs of storage:
// the records page, the CLI's search and the desk's own look-ups. f has
// passed DepositFilter.Validate when it comes from an operator.
type DepositSearcher interface {
	// FindDeposits returns one page of the records f matches, newest
	// first by f.Order, then by id, after f.After.
	FindDeposits(ctx context.Context, f DepositFilter) (DepositPage, error)
	// CountDeposits counts the records f matches (f.After and f.Limit
	// aside) up to limit: more reports that more than n = limit match,
	// so a count never reads much past limit rows.
	CountDeposits(ctx context.Context, f DepositFilter, limit int) (n int, more bool, err error)
}

// Store persists the domain. It only persists: permissions and business
// rules are enforced by Service before a Store method is called. Every
// method that changes state writes its AuditEntry in the same transaction
// (sealing it into the hash chain) and commits both or neither.
//
// Implementations: storage/sqlite and storage/postgres; both pass
// storage/storetest.
type Store interface {
	Close() error

	// HomeStore counts the Home page's work queues and sums its charts.
	HomeStore

	// CreateOperator inserts op and sets its ID. ECONFLICT if the name is taken.
	CreateOperator(ctx context.Context, op *Operator, audit AuditEntry) error
	// FindOperators returns operators ordered by name.
	FindOperators(ctx context.Context, f OperatorFilter) ([]*Operator, error)
	// UpdateOperator applies upd. ENOTFOUND if there is no such operator.
	UpdateOperator(ctx context.Context, id int64, upd OperatorUpdate, audit AuditEntry) (*Operator, error)
	// ClaimLoginAttempt counts a login attempt before its password is
	// checked, in one guarded UPDATE: it is allowed only while the operator
	// is not locked and fewer than maxAttempts attempts were counted since
	// the last success; the attempt that reaches maxAttempts sets
	// LockedUntil to lockUntil; an expired lock restarts the count. It
	// returns the operator as counted; ECONFLICT when no attempt is left,
	// ENOTFOUND for a missing operator. It writes no audit row: the outcome
	// of the attempt is audited once the password is checked.
	ClaimLoginAttempt(ctx context.Context, id int64, maxAttempts int, now, lockUntil time.Time) (*Operator, error)
	// CountOperators returns how many operators exist (0 before the first-run wizard).
	CountOperators(ctx context.Context) (int, error)
	// RegisterOperatorKey stores k (its operator by OperatorID) with its
	// audit row. ECONFLICT when the public key is registered already.
	RegisterOperatorKey(ctx context.Context, k *OperatorKey, audit AuditEntry) error
	// FindOperatorKeys returns registered operator keys ordered by
	// operator name, then registration, each with its operator's name.
	FindOperatorKeys(ctx context.Context, f OperatorKeyFilter) ([]*OperatorKey, error)

	// CreateAsset inserts a and sets its ID. ECONFLICT if symbol@network exists.
	CreateAsset(ctx context.Context, a *Asset, audit AuditEntry) error
	// UpdateAsset applies upd. ENOTFOUND if there is no such asset.
	UpdateAsset(ctx context.Context, id int64, upd AssetUpdate, audit AuditEntry) (*Asset, error)
	// FindAssets returns assets ordered by symbol, network.
	FindAssets(ctx context.Context, f AssetFilter) ([]*Asset, error)

	// CreateCustomer inserts c. ECONFLICT if the customer number exists.
	CreateCustomer(ctx context.Context, c *Customer, audit AuditEntry) error
	// FindCustomers returns customers ordered by customer number.
	FindCustomers(ctx context.Context, f CustomerFilter) ([]*Customer, error)

	// CreateWalletAddress inserts w. ECONFLICT if the customer already has
	// that address on that network.
	CreateWalletAddress(ctx context.Context, w *WalletAddress, audit AuditEntry) error
	// SetWalletAddressStatus moves an address from ch.From to ch.To with a
	// guarded UPDATE. ENOTFOUND if missing, ECONFLICT if not in ch.From.
	SetWalletAddressStatus(ctx context.Context, ch AddressStatusChange, audit AuditEntry) (*WalletAddress, error)
	// FindWalletAddresses returns addresses ordered by customer number, network, address.
	FindWalletAddresses(ctx context.Context, f WalletAddressFilter) ([]*WalletAddress, error)

	// CreateAddressChallenge inserts ch and sets its ID.
	CreateAddressChallenge(ctx context.Context, ch *AddressChallenge, audit AuditEntry) error
	// FindAddressChallenges returns challenges, newest first.
	FindAddressChallenges(ctx context.Context, f ChallengeFilter) ([]*AddressChallenge, error)
	// UseAddressChallenge marks challenge id used at audit.At, only if it is
	// unused and not expired then, and applies change to its address, in one
	// transaction. ENOTFOUND if missing; ECONFLICT if used, expired, or the
	// address is no longer in change.From.
	UseAddressChallenge(ctx context.Context, id int64, change AddressStatusChange, audit AuditEntry) (*WalletAddress, error)

	// CreateMicroDeposit inserts md and sets its ID.
	CreateMicroDeposit(ctx context.Context, md *MicroDeposit, audit AuditEntry) error
	// FindMicroDeposits returns the micro-deposit challenges of an address
	// (or the one with id when id > 0), newest first.
	FindMicroDeposits(ctx context.Context, addressID, id int64) ([]*MicroDeposit, error)
	// UseMicroDeposit records txid as the proof of challenge id at audit.At,
	// only if it is unused and unexpired then, and applies change to its
	// address, in one transaction. ECONFLICT if used, expired, the
	// transaction already proved another challenge, or the address left
	// change.From.
	UseMicroDeposit(ctx context.Context, id int64, txid string, change AddressStatusChange, audit AuditEntry) (*WalletAddress, error)

	// CreateManualVerification stores evidence waiting for approval.
	// ECONFLICT if the address already has evidence waiting.
	CreateManualVerification(ctx context.Context, mv *ManualVerification, audit AuditEntry) error
	// FindManualVerification returns the evidence waiting for address id;
	// ENOTFOUND when there is none.
	FindManualVerification(ctx context.Context, addressID int64) (*ManualVerification, error)
	// ApproveManualVerification applies change (Pending → Verified) on the
	// waiting evidence and removes it, in one transaction, only if the
	// evidence is still there and was not submitted by change.Operator:
	// ENOTFOUND without evidence, EFORBIDDEN for its submitter, ECONFLICT
	// if the address left Pending.
	ApproveManualVerification(ctx context.Context, change AddressStatusChange, audit AuditEntry) (*WalletAddress, error)

	// CreateDeposit inserts d, allocating its RecordNo (D<yyyymmdd>-<n> from
	// the creation day, UTC) and ID. It is idempotent: when a record with the
	// same ClientRequestKey, or a live (not Cancelled/Deleted) record with the
	// same (Network, TxID, TxIndex), exists, it returns that record with
	// created=false and writes nothing.
	CreateDeposit(ctx context.Context, d *DepositRecord, audit AuditEntry) (rec *DepositRecord, created bool, err error)
	// TransitionDeposit performs t as one guarded UPDATE … WHERE id=? AND
	// status=? plus its audit row. EINVALID if t is not in Transitions,
	// ENOTFOUND if the record does not exist, ECONFLICT if its status is not t.From.
	TransitionDeposit(ctx context.Context, t DepositTransition) (*DepositRecord, error)
	DepositSearcher
	// CustomerHasKeyedDeposit reports whether a record of customerNo, in
	// any status, has a ClientRequestKey starting with keyPrefix (non-empty
	// ASCII). It answers from one index lookup however many records the
	// customer or the key prefix has, and false for an unknown customer.
	CustomerHasKeyedDeposit(ctx context.Context, customerNo, keyPrefix string) (bool, error)
	// BulkInsertDeposits stores pre-built records (RecordNo already set) for
	// seeding, fast, in one transaction, leaving the record-number allocator
	// so that CreateDeposit never collides with them. Each record gets the
	// audit row audit makes for it, sealed onto the chain like any other, so
	// every record's state can be replayed from the log. It returns how many
	// records it stored.
	BulkInsertDeposits(ctx context.Context, recs iter.Seq[*DepositRecord], audit func(*DepositRecord) AuditEntry) (int, error)

	// DepositAddressFor returns the customer's deposit address under the
	// asset's account key. When there is none yet it allocates the key's
	// next index, asks derive for the address and stores it with audit, in
	// one transaction, so concurrent callers never share an index; created
	// tells whether this call stored it (and its audit row). An existing
	// address is returned with created=false and nothing written.
	DepositAddressFor(ctx context.Context, customerID int64, a *Asset, derive func(index uint32) (string, error), audit AuditEntry) (da *DepositAddress, created bool, err error)
	// FindDepositAddresses returns deposit addresses ordered by id.
	FindDepositAddresses(ctx context.Context, f DepositAddressFilter) ([]*DepositAddress, error)

	// FindWatchedDeposits returns the records on network n (its chain and
	// name) the watcher follows (a TXID, status Verifying or Confirming),
	// ordered by id.
	FindWatchedDeposits(ctx context.Context, n Network) ([]*WatchedDeposit, error)
	// FindWatchedDepositChanges keeps a watcher's copy of its open set
	// current without reading it whole. With since nil it returns what
	// FindWatchedDeposits returns; otherwise every record on n written
	// after since (created, transitioned, edited, given chain progress),
	// whatever its status now, so the caller also learns which records
	// left the set. Either way it returns the mark to pass next time: a
	// record written after the mark was taken is in the next answer; a
	// record may be returned again though unchanged. Ordered by id.
	FindWatchedDepositChanges(ctx context.Context, n Network, since *WatchMark) ([]*WatchedDeposit, WatchMark, error)
	// UpdateDepositChain records chain progress of a record that stays in
	// status: a guarded UPDATE (ECONFLICT if the record left status). It is
	// an observation, not a decision, so it writes no audit row.
	UpdateDepositChain(ctx context.Context, id int64, status DepositStatus, st ChainState) error
	// RecentBlocks returns the blocks the watcher of n last processed,
	// highest first.
	RecentBlocks(ctx context.Context, n Network) ([]ChainBlock, error)
	// SaveBlocks stores blocks as processed, replacing any stored block at
	// or above the lowest of them (a reorg), and keeps only the keep highest.
	SaveBlocks(ctx context.Context, n Network, blocks []ChainBlock, keep int) error
	// AttachDepositTx sets the TXID and index of a record in Verifying that
	// has none, with one guarded UPDATE, plus its audit row. ENOTFOUND if the
	// record does not exist; ECONFLICT if it left Verifying or got a TXID
	// meanwhile, or a live record already holds (network, TXID, index).
	AttachDepositTx(ctx context.Context, a DepositTxAttachment) (*DepositRecord, error)
	// CountDepositsByStatus returns how many records each status holds
	// (statuses without records are absent).
	CountDepositsByStatus(ctx context.Context) (map[DepositStatus]int64, error)

	// CreateAPIClient inserts c and sets its ID. ECONFLICT if the name is
	// taken (ignoring case) or the token hash exists.
	CreateAPIClient(ctx context.Context, c *APIClient, audit AuditEntry) error
	// FindAPIClients returns API clients ordered by name.
	FindAPIClients(ctx context.Context, f APIClientFilter) ([]*APIClient, error)
	// RevokeAPIClient sets RevokedAt to audit.At with a guarded UPDATE of an
	// active client. ENOTFOUND if missing, ECONFLICT if already revoked.
	RevokeAPIClient(ctx context.Context, id int64, audit AuditEntry) (*APIClient, error)

	// CreateRefund stores r (its ID set) and applies deposit, the deposit's
	// Credited → Refunding transition with its audit row, in one
	// transaction. ECONFLICT when the deposit moved meanwhile or already has
	// a live refund (a unique index, whoever writes).
	CreateRefund(ctx context.Context, r *Refund, deposit DepositTransition) error
	// FindRefunds returns refunds newest first, each with its deposit's
	// record number and asset.
	FindRefunds(ctx context.Context, f RefundFilter) ([]*Refund, error)
	// TransitionRefund applies t (guarded UPDATE, audit row, and the deposit's
	// own transition when set) in one transaction. ENOTFOUND for a missing
	// refund; ECONFLICT when the refund or its deposit moved meanwhile, or
	// when t.Payout spends what another refund holds (naming it), and then
	// nothing of t is written.
	TransitionRefund(ctx context.Context, t RefundTransition) (*Refund, error)
	// UpdateRefundChain records what the watcher last saw of a Signed or
	// Broadcast refund's transaction (no audit row, like
	// UpdateDepositChain); a no-op when the refund moved on.
	UpdateRefundChain(ctx context.Context, id int64, status RefundStatus, confirmations int) error
	// NotifyRefund records the customer's notice of a Confirmed refund
	// with its audit row. ENOTFOUND for a missing refund; ECONFLICT when
	// the refund is not Confirmed or the customer was already notified.
	NotifyRefund(ctx context.Context, id int64, n RefundNotice, audit AuditEntry) (*Refund, error)
	// FindPayoutCoins returns the Bitcoin outputs of an asset's account no
	// refund holds (a refund holds its spends from Prepare until it is
	// replaced or rejected), largest first: credited (also refunding and
	// refunded) deposits at addresses derived from the filter's key, and
	// the change of signed refunds whose payout paid that key.
	FindPayoutCoins(ctx context.Context, f PayoutCoinFilter) ([]PayoutInput, error)
	// FindHeldSpends returns the spends (SpendKey form) refunds hold that
	// start with prefix (non-empty ASCII): an Ethereum payer's nonces.
	FindHeldSpends(ctx context.Context, prefix string) ([]string, error)

	// Setting returns a desk-wide setting's value, "" when it was never set.
	Setting(ctx context.Context, name string) (string, error)
	// SetSetting stores a setting's value and its audit row in one transaction.
	SetSetting(ctx context.Context, name, value string, audit AuditEntry) error

	// AppendAudit writes a standalone audit row (logins, exports, …).
	AppendAudit(ctx context.Context, e AuditEntry) error
	// AuditState returns the head and the extent of the log (HeadSeq -1
	// when the head row is missing).
	AuditState(ctx context.Context) (AuditState, error)
	// FindAudit returns audit rows in Seq order.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}
