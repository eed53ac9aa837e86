package report

// deskVsEngine swaps a desk's line for the raw engine's in the same run.
var deskVsEngine = [2]string{"side=desk", "side=engine"}

// Sections are the rows of docs/benchmarks.md, in the order an operator
// meets the work: searching, loading, the intake, the watcher, desks side
// by side, the desktop, the CLI, refunds.
var Sections = []Section{
	{
		Title: "Search over the seeded records, page of 50 (every filter combination the records page offers)",
		Rerun: "go run ./bench/searchbench -engine sqlite -db FILE (or -engine postgres -pg URL)",
		Rows: []Row{
			{What: "SQLite p95; baseline the sqlite3 CLI, same SQL, file mapped as depositctl maps it",
				Value: Pick{"BenchmarkSearch/engine=sqlite/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine,
				Unit: "ms", Target: Target{Max: 1}},
			{What: "SQLite desk / sqlite3 CLI, highest ratio of p95",
				Value: Pick{"BenchmarkSearch/engine=sqlite/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine, By: ByRatio,
				Unit: "ms", Target: Target{Ratio: 1.3}},
			{What: "Postgres p95; baseline psql, same SQL, same settings",
				Value: Pick{"BenchmarkSearch/engine=postgres/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine,
				Unit: "ms", Target: Target{Max: 3}},
			{What: "Postgres desk / psql, highest ratio of p95",
				Value: Pick{"BenchmarkSearch/engine=postgres/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine, By: ByRatio,
				Unit: "ms", Target: Target{Ratio: 1.3}},
		},
		Details: []Detail{
			searchDetail("sqlite", "sqlite3"),
			searchDetail("postgres", "psql"),
		},
	},
	{
		Title: "Seeding records with `depositctl seed`",
		Rerun: "go run ./bench/seedbench -engine sqlite -db FILE -records 1000000 (or -engine postgres -pg URL)",
		Rows: []Row{
			{What: "SQLite; baseline the sqlite3 CLI copying the same rows into the same schema",
				Value: Pick{"BenchmarkSeed/engine=sqlite/records=*/side=desk", "s"}, Swap: deskVsEngine, Unit: "s", Target: Target{Max: 30}},
			{What: "SQLite, peak memory; baseline the sqlite3 CLI's copy", Value: Pick{"BenchmarkSeed/engine=sqlite/records=*/side=desk", "MB-peak"}, Swap: deskVsEngine, Unit: "MB"},
			{What: "Postgres; baseline psql copying the same rows into the same schema",
				Value: Pick{"BenchmarkSeed/engine=postgres/records=*/side=desk", "s"}, Swap: deskVsEngine, Unit: "s"},
			{What: "Postgres, peak memory; baseline psql streaming the seeded deposit rows to the server (COPY FROM STDIN)",
				Value: Pick{"BenchmarkSeed/engine=postgres/records=*/side=desk", "MB-peak"}, Swap: deskVsEngine, Unit: "MB"},
		},
	},
	{
		Title: "Intake API, generator on the same machine",
		Rerun: "go run ./bench/intakeload -find -db sqlite,postgres",
		Rows: []Row{
			{What: "SQLite, highest rate held for the step with p99 < 50 ms; baseline a bare HTTP server, same generator",
				Value: Pick{"BenchmarkIntake/engine=sqlite/side=desk", "req/s-held"}, Base: Pick{"BenchmarkIntake/side=bare", "req/s-held"},
				Unit: "req/s", Target: Target{Min: 2000}},
			{What: "Postgres, highest rate held with p99 < 50 ms; baseline the bare server",
				Value: Pick{"BenchmarkIntake/engine=postgres/side=desk", "req/s-held"}, Base: Pick{"BenchmarkIntake/side=bare", "req/s-held"},
				Unit: "req/s"},
			{What: "SQLite at a fixed rate, p99; baseline the bare server at that rate",
				Value: Pick{"BenchmarkIntake/engine=sqlite/rate=*", "ms-p99"}, Swap: [2]string{"/engine=sqlite/", "/side=bare/"}, Unit: "ms", Target: Target{Max: 50}},
		},
	},
	{
		Title: "Watcher, per new block paying 10 applications, beside a naive poll of every open record",
		Rerun: "go test ./core/watcher -run '^$' -bench 'PassPerBlock|CatchUp'",
		Rows: []Row{
			watcherRow("btcd regtest, wall time", "btcd", "ms/block", "ms", Target{Max: 50}),
			watcherRow("btcd regtest, allocated", "btcd", "MB/block", "MB", Target{Max: 5}),
			watcherRow("btcd regtest, node calls", "btcd", "calls/block", "calls", Target{}),
			watcherRow("btcd regtest, node round trips (a batch is one)", "btcd", "trips/block", "trips", Target{}),
			watcherRow("geth --dev, wall time", "geth", "ms/block", "ms", Target{Max: 50}),
			watcherRow("geth --dev, allocated", "geth", "MB/block", "MB", Target{Max: 5}),
			watcherRow("geth --dev, node calls", "geth", "calls/block", "calls", Target{}),
			{What: "catch-up on btcd, started behind the tip; baseline one naive pass over every open record",
				Value: Pick{"BenchmarkCatchUp/btcd/open=*/behind=*/watcher", "ms/catch-up"}, Swap: [2]string{"/watcher ms/catch-up", "/naive ms/catch-up"}, Unit: "ms"},
			{What: "catch-up on btcd, node calls; baseline the naive pass",
				Value: Pick{"BenchmarkCatchUp/btcd/open=*/behind=*/watcher", "calls/catch-up"}, Swap: [2]string{"/watcher calls/", "/naive calls/"}, Unit: "calls"},
		},
		Details: []Detail{{
			Title: "Watcher per block by open records (wall ms, MB allocated, node calls; the naive loop beside it)",
			Lines: "BenchmarkPassPerBlock/*/open=*/watcher",
			Columns: []Column{
				{Header: "watcher ms", Unit: "ms/block"}, {Header: "naive ms", Swap: [2]string{"/watcher", "/naive"}, Unit: "ms/block"},
				{Header: "watcher MB", Unit: "MB/block"}, {Header: "naive MB", Swap: [2]string{"/watcher", "/naive"}, Unit: "MB/block"},
				{Header: "watcher calls", Unit: "calls/block"}, {Header: "naive calls", Swap: [2]string{"/watcher", "/naive"}, Unit: "calls/block"},
			},
		}},
	},
	{
		Title: "Several desks on one Postgres while the intake runs",
		Rerun: "go run ./bench/desks -desks 5",
		Rows: []Row{
			{What: "a cancel on one desk shown on every other desk's open records page, p95; baseline one search of a desk alone",
				Value: Pick{"BenchmarkDesks/engine=postgres/desks=*/side=shared", "ms-p95-reach"},
				Base:  Pick{"BenchmarkDesks/engine=postgres/desks=1/side=alone", "ms-p95-search"}, Unit: "ms", Target: Target{Max: 1000}},
			{What: "a search while they all work, p95; baseline a desk alone",
				Value: Pick{"BenchmarkDesks/engine=postgres/desks=*/side=shared", "ms-p95-search"},
				Base:  Pick{"BenchmarkDesks/engine=postgres/desks=1/side=alone", "ms-p95-search"}, Unit: "ms"},
			{What: "a change on one desk reaching another's page in one process (fyne/test), p95; baseline the change committed and the first page searched at once, no page",
				Value: Pick{"BenchmarkChangeReachesAnotherDesk", "ms-p95"}, Base: Pick{"BenchmarkChangeReachesAnotherDesk", "store-ms-p95"}, Unit: "ms", Target: Target{Max: 1000}},
		},
	},
	{
		Title: "The desktop",
		Rerun: "go test ./ui -run '^$' -bench '^BenchmarkRecordsPage$' (DEPOSITDESK_BENCH_DB, DEPOSITDESK_BENCH_PASSWORD); bench/desktop.sh DB PASSWORD SECONDS",
		Rows: []Row{
			{What: "Enter to rows through the real widgets, p95; baseline the store alone, same search",
				Value: Pick{"BenchmarkRecordsPage", "ms-p95-*"}, Swap: [2]string{" ms-p95-", " store-ms-p95-"}, Unit: "ms", Target: Target{Max: 50}},
			{What: "cold start to the window on screen; baseline a one-window Fyne program",
				Value: Pick{"BenchmarkDesktop/side=desk", "ms-start"}, Base: Pick{"BenchmarkDesktop/side=hello", "ms-start"}, Unit: "ms", Target: Target{Max: 1000}},
			{What: "resident memory after login; baseline the one-window Fyne program",
				Value: Pick{"BenchmarkDesktop/side=desk", "MB-rss-after-login"}, Base: Pick{"BenchmarkDesktop/side=hello", "MB-rss"}, Unit: "MB", Target: Target{Max: 150}},
			{What: "private memory after login; baseline the one-window Fyne program",
				Value: Pick{"BenchmarkDesktop/side=desk", "MB-private-after-login"}, Base: Pick{"BenchmarkDesktop/side=hello", "MB-private"}, Unit: "MB"},
			{What: "growth of resident memory over the scripted session; baseline the one-window Fyne program typed into",
				Value: Pick{"BenchmarkDesktop/side=desk", "%-rss-growth"}, Base: Pick{"BenchmarkDesktop/side=hello", "%-rss-growth"}, Unit: "%", Target: Target{Max: 10}},
			{What: "growth of private memory over the scripted session; baseline the one-window Fyne program typed into",
				Value: Pick{"BenchmarkDesktop/side=desk", "%-private-growth"}, Base: Pick{"BenchmarkDesktop/side=hello", "%-private-growth"}, Unit: "%", Target: Target{Max: 10}},
		},
	},
	{
		Title: "The CLI",
		Rerun: "go test ./cmd/depositctl -run '^$' -bench CLICommand",
		Rows: []Row{
			{What: "a script of 100 commands after `depositctl login`; baseline the same script logging in with the password each time",
				Value: Pick{"BenchmarkCLICommand/Script100/Session", "s/script"}, Base: Pick{"BenchmarkCLICommand/Script100/Password", "s/script"}, Unit: "s"},
		},
	},
	{
		Title: "Refunds",
		Rerun: "go test ./core/payout -run '^$' -bench RefundPrepareSign",
		Rows: []Row{
			{What: "Bitcoin refund built and signed; baseline one bare secp256k1 signature",
				Value: Pick{"BenchmarkRefundPrepareSign/bitcoin", "ns/op"}, Base: Pick{"BenchmarkRefundPrepareSign/baseline-one-ecdsa-signature", "ns/op"},
				Scale: 1e-6, Unit: "ms", Target: Target{Max: 5}},
			{What: "Ethereum (EIP-1559) refund built and signed; baseline one bare secp256k1 signature",
				Value: Pick{"BenchmarkRefundPrepareSign/eip1559", "ns/op"}, Base: Pick{"BenchmarkRefundPrepareSign/baseline-one-ecdsa-signature", "ns/op"},
				Scale: 1e-6, Unit: "ms", Target: Target{Max: 5}},
		},
	},
}

func watcherRow(what, chain, unit, shown string, t Target) Row {
	return Row{What: what + "; baseline the naive loop", Value: Pick{"BenchmarkPassPerBlock/" + chain + "/open=*/watcher", unit},
		Swap: [2]string{"/watcher ", "/naive "}, Unit: shown, Target: t}
}

func searchDetail(engine, cli string) Detail {
	return Detail{
		Title: "Search on " + engine + " by filter (ms; desk in process against " + cli + " running the same SQL)",
		Lines: "BenchmarkSearch/engine=" + engine + "/filter=*/op=*/side=desk",
		Columns: []Column{
			{Header: "desk p50", Unit: "ms-p50"}, {Header: "desk p95", Unit: "ms-p95"},
			{Header: cli + " p50", Swap: deskVsEngine, Unit: "ms-p50"}, {Header: cli + " p95", Swap: deskVsEngine, Unit: "ms-p95"},
		},
	}
}
