// Package seed fills a database with realistic synthetic deposit data for
// demos and benchmarks: assets, customers with verified addresses, and
// records across every status. The same seed gives the same data on the
// same day (times end at the start of the current UTC day).
package seed

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"golang.org/x/sync/errgroup"

	"depositdesk/core"
)

// Options says how much to make.
type Options struct {
	Records int
	Seed    uint64
	Until   time.Time // records are created in the 180 days before; zero = start of today UTC
	// Progress, if set, is told how many records are stored so far.
	Progress func(done int)
}

// Result says what was made.
type Result struct {
	Assets, Customers, Records int
}

// progressEvery is how often Progress hears about generated records.
const progressEvery = 50_000

type assetSpec struct {
	chain, network, symbol, name, contract string
	decimals, confirmations                int
	min                                    int64
	// amount range in whole units ×1000 (so 0.001 steps)
	lo, hi int64
	weight int
}

var assets = []assetSpec{
	{core.ChainBitcoin, "mainnet", "BTC", "Bitcoin", "", 8, 3, 10_000, 1, 5_000, 35},
	{core.ChainEthereum, "mainnet", "ETH", "Ether", "", 18, 12, 1_000_000_000_000_000, 10, 50_000, 30},
	{core.ChainEthereum, "mainnet", "USDT", "Tether USD (ERC-20)", "0xdac17f958d2ee523a2206206994597c13d831ec7", 6, 12, 1_000_000, 10_000, 100_000_000, 25},
	{core.ChainEthereum, "mainnet", "USDC", "USD Coin (ERC-20)", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 6, 12, 1_000_000, 10_000, 50_000_000, 10},
}

type statusWeight struct {
	status core.DepositStatus
	weight int
}

// A desk's history: most deposits credited, a tail of every other outcome.
var statusMix = []statusWeight{
	// No Refunding or Refunded: those need a refund behind them, which
	// synthetic data does not make; every seeded record is one the log explains.
	{core.StatusCredited, 65}, {core.StatusVerifying, 10}, {core.StatusConfirming, 5}, {core.StatusHeld, 3},
	{core.StatusRejected, 2}, {core.StatusCancelled, 12}, {core.StatusDeleted, 3},
}

type customer struct {
	c        *core.Customer
	src, dst map[string]string // chain → address
}

// Run seeds through svc as the operator in ctx (who needs Operator Admin,
// Asset Configuration and Address Verification). It refuses a database that
// already has deposit records.
func Run(ctx context.Context, svc *core.Service, opt Options) (Result, error) {
	if opt.Records < 1 || opt.Records > 10_000_000 {
		return Result{}, core.Errorf(core.EINVALID, "Records must be between 1 and 10,000,000.")
	}
	if has, err := svc.HasDeposits(ctx); err != nil {
		return Result{}, err
	} else if has {
		return Result{}, core.Errorf(core.EINVALID, "The database already has deposit records; seed only an empty one.")
	}
	until := opt.Until
	if until.IsZero() {
		until = time.Now().UTC().Truncate(24 * time.Hour)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))

	made, err := makeAssets(ctx, svc)
	if err != nil {
		return Result{}, err
	}
	nCustomers := min(max(opt.Records/1000, 10), 1000)
	customers, err := makeCustomers(ctx, svc, rng, nCustomers)
	if err != nil {
		return Result{}, err
	}

	// Times first, sorted, so record numbers count up within each day.
	span := int64(180 * 24 * time.Hour / time.Microsecond)
	times := make([]int64, opt.Records)
	for i := range times {
		times[i] = until.UnixMicro() - 1 - rng.Int64N(span)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })

	records := func(yield func(*core.DepositRecord) bool) {
		day, n := "", int64(0)
		for i, us := range times {
			created := time.UnixMicro(us).UTC()
			if d := core.RecordNoDay(created); d != day {
				day, n = d, 0
			}
			n++
			if !yield(record(rng, made, customers, created, core.FormatRecordNo(created, n))) {
				return
			}
			if opt.Progress != nil && ((i+1)%progressEvery == 0 || i+1 == len(times)) {
				opt.Progress(i + 1)
			}
		}
	}
	if err := svc.SeedDeposits(ctx, records, opt.Records); err != nil {
		return Result{}, err
	}
	return Result{Assets: len(made), Customers: len(customers), Records: opt.Records}, nil
}

func makeAssets(ctx context.Context, svc *core.Service) ([]*core.Asset, error) {
	var out []*core.Asset
	for _, a := range assets {
		asset := &core.Asset{Chain: a.chain, Network: a.network, Symbol: a.symbol, Name: a.name, ContractAddress: a.contract,
			Decimals: a.decimals, MinDeposit: big.NewInt(a.min), ConfirmationsRequired: a.confirmations, Enabled: true}
		err := svc.CreateAsset(ctx, asset)
		if core.ErrorCode(err) == core.ECONFLICT {
			existing, ferr := svc.ListAssets(ctx, core.AssetFilter{Symbol: &a.symbol, Network: &a.network})
			if ferr != nil || len(existing) != 1 {
				return nil, err
			}
			asset = existing[0]
		} else if err != nil {
			return nil, err
		}
		out = append(out, asset)
	}
	return out, nil
}

func makeCustomers(ctx context.Context, svc *core.Service, rng *rand.Rand, n int) ([]*customer, error) {
	// Draw every customer first, in order, so a seed gives the same data;
	// then store them from several goroutines: the writes of each customer
	// are a handful of small transactions, and concurrent ones share a
	// commit (SQLite's group commit, Postgres' connections).
	out := make([]*customer, n)
	for i := range out {
		c := &core.Customer{CustomerNo: fmt.Sprintf("C%07d", i+1), SecuritiesAccount: fmt.Sprintf("SA%08d", 10_000_000+i*7),
			Name: names[rng.IntN(len(names))] + " " + surnames[rng.IntN(len(surnames))], IdentityRef: fmt.Sprintf("KYC-%06d", i+1)}
		cu := &customer{c: c, src: map[string]string{}, dst: map[string]string{}}
		for _, chain := range []string{core.ChainBitcoin, core.ChainEthereum} {
			cu.src[chain], cu.dst[chain] = address(rng, chain), address(rng, chain)
		}
		out[i] = cu
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(customerWriters)
	for _, cu := range out {
		g.Go(func() error {
			return storeCustomer(core.NewContextWithOperator(gctx, core.OperatorFromContext(ctx)), svc, cu)
		})
	}
	return out, g.Wait()
}

// customerWriters is how many customers are stored at once.
const customerWriters = 16

// storeCustomer creates the customer and marks its source addresses
// verified as synthetic data (Service.SeedVerifyAddress: only on a desk
// without deposits, audited as the seed). A seed that was killed half-way
// leaves customers and addresses behind; the next one takes them up where
// they are instead of failing on them.
func storeCustomer(ctx context.Context, svc *core.Service, cu *customer) error {
	if err := svc.CreateCustomer(ctx, cu.c); core.ErrorCode(err) == core.ECONFLICT {
		existing, ferr := svc.FindCustomers(ctx, core.CustomerFilter{CustomerNo: &cu.c.CustomerNo})
		if ferr != nil || len(existing) != 1 {
			return fmt.Errorf("customer %s: %w", cu.c.CustomerNo, err)
		}
		cu.c = existing[0]
	} else if err != nil {
		return fmt.Errorf("customer %s: %w", cu.c.CustomerNo, err)
	}
	for _, chain := range []string{core.ChainBitcoin, core.ChainEthereum} {
		w, err := svc.AddWalletAddress(ctx, cu.c.CustomerNo, chain, "mainnet", cu.src[chain], "seeded")
		if core.ErrorCode(err) == core.ECONFLICT {
			w, err = seededAddress(ctx, svc, cu.c, cu.src[chain])
		}
		if err != nil {
			return err
		}
		if w.Status == core.AddressVerified {
			continue
		}
		if _, err := svc.SeedVerifyAddress(ctx, w.ID); err != nil {
			return err
		}
	}
	return nil
}

// seededAddress finds the customer's address a killed seed registered.
func seededAddress(ctx context.Context, svc *core.Service, c *core.Customer, address string) (*core.WalletAddress, error) {
	ws, err := svc.FindWalletAddresses(ctx, core.WalletAddressFilter{CustomerID: &c.ID, Address: &address})
	if err != nil {
		return nil, err
	}
	if len(ws) != 1 {
		return nil, fmt.Errorf("customer %s: address %s exists but cannot be found", c.CustomerNo, address)
	}
	return ws[0], nil
}

func record(rng *rand.Rand, made []*core.Asset, customers []*customer, created time.Time, recordNo string) *core.DepositRecord {
	spec, a := pickAsset(rng, made)
	cu := customers[rng.IntN(len(customers))]
	status := pickStatus(rng)
	milli := spec.lo + rng.Int64N(spec.hi-spec.lo+1)
	amount := new(big.Int).Mul(big.NewInt(milli), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Decimals-3)), nil))
	d := &core.DepositRecord{
		RecordNo: recordNo, CustomerID: cu.c.ID, CustomerNo: cu.c.CustomerNo,
		SecuritiesAccount: cu.c.SecuritiesAccount, AssetID: a.ID, AssetSymbol: a.Symbol, Chain: a.Chain, Network: a.Network,
		Decimals: a.Decimals, Amount: amount, SourceAddress: cu.src[a.Chain], DestinationAddress: cu.dst[a.Chain],
		RequestedAt: created.Add(-time.Duration(rng.IntN(600)) * time.Second), CreatedAt: created,
		UpdatedAt: created.Add(time.Duration(rng.IntN(7200)) * time.Second), Status: status,
		ConfirmationsRequired: a.ConfirmationsRequired,
	}
	if status != core.StatusVerifying && status != core.StatusCancelled && status != core.StatusDeleted || rng.IntN(2) == 0 {
		d.TxID = txid(rng, a.Chain)
	}
	switch status {
	case core.StatusConfirming:
		d.Confirmations = rng.IntN(a.ConfirmationsRequired)
	case core.StatusCredited, core.StatusRefunding, core.StatusRefunded:
		d.Confirmations = a.ConfirmationsRequired + rng.IntN(1000)
	}
	if d.Confirmations > 0 {
		d.BlockHeight = 800_000 + rng.Int64N(100_000)
		d.BlockHash = hex.EncodeToString(randBytes(rng, 32))
	}
	switch status {
	case core.StatusCancelled:
		d.Remarks = []string{"Duplicate user request", "Incorrect address"}[rng.IntN(2)]
	case core.StatusDeleted:
		d.Remarks = "Abnormal application"
	case core.StatusHeld:
		d.Remarks = "Amount differs from the transaction"
	}
	return d
}

func pickAsset(rng *rand.Rand, made []*core.Asset) (assetSpec, *core.Asset) {
	total := 0
	for _, a := range assets {
		total += a.weight
	}
	r := rng.IntN(total)
	for i, a := range assets {
		if r < a.weight {
			return a, made[i]
		}
		r -= a.weight
	}
	return assets[0], made[0]
}

func pickStatus(rng *rand.Rand) core.DepositStatus {
	r := rng.IntN(100)
	for _, s := range statusMix {
		if r < s.weight {
			return s.status
		}
		r -= s.weight
	}
	return core.StatusCredited
}

func address(rng *rand.Rand, chain string) string {
	if chain == core.ChainBitcoin {
		a, _ := btcutil.NewAddressWitnessPubKeyHash(randBytes(rng, 20), &chaincfg.MainNetParams)
		return a.EncodeAddress()
	}
	a, _ := core.NormalizeEthereumAddress("0x" + hex.EncodeToString(randBytes(rng, 20)))
	return a
}

func txid(rng *rand.Rand, chain string) string {
	h := hex.EncodeToString(randBytes(rng, 32))
	if chain == core.ChainEthereum {
		return "0x" + h
	}
	return h
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

var (
	names    = []string{"Wei", "Mei", "Jun", "Hui", "Ling", "Chen", "Anna", "David", "Maria", "James", "Yuki", "Hana", "Omar", "Sara", "Lucas", "Priya"}
	surnames = []string{"Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Smith", "Garcia", "Tanaka", "Sato", "Khan", "Patel", "Müller", "Rossi"}
)
