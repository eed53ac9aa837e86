package core_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"depositdesk/core"
)

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "1", "1.5", "0.00000001", "007.10", "12.34500000", "-1", "+1", "1e5", "NaN", "Inf",
		" 1", "1,000", "", ".5", "5.", ".", "1.2.3", "0x10", strings.Repeat("9", 79),
		"115792089237316195423570985008687907853269984665640564039457584007913129639935"} {
		for _, d := range []int{0, 2, 8, 18, core.MaxDecimals, -1, core.MaxDecimals + 1} {
			f.Add(s, d)
		}
	}
	f.Fuzz(func(t *testing.T, s string, decimals int) {
		v, err := core.ParseAmount(s, decimals)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("ParseAmount(%q, %d): code %q, want EINVALID", s, decimals, core.ErrorCode(err))
			}
			if !utf8.ValidString(core.ErrorMessage(err)) && utf8.ValidString(s) {
				t.Fatalf("message is not valid UTF-8: %q", core.ErrorMessage(err))
			}
			return
		}
		if v.Sign() < 0 || core.ValidateBaseUnits(v) != nil && v.Sign() != 0 {
			t.Fatalf("ParseAmount(%q, %d) = %s outside 0..uint256", s, decimals, v)
		}
		text := core.FormatAmount(v, decimals)
		back, err := core.ParseAmount(text, decimals)
		if err != nil {
			t.Fatalf("FormatAmount(%s, %d) = %q does not parse: %v", v, decimals, text, err)
		}
		if back.Cmp(v) != 0 {
			t.Fatalf("round trip %q → %s → %q → %s", s, v, text, back)
		}
		if again := core.FormatAmount(back, decimals); again != text {
			t.Fatalf("FormatAmount is not canonical: %q then %q", text, again)
		}
	})
}

func FuzzNormalizeAddress(f *testing.F) {
	for _, a := range eip55Vectors {
		f.Add(core.ChainEthereum, "mainnet", a)
		f.Add(core.ChainEthereum, "dev", strings.ToLower(a))
	}
	for _, a := range []string{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"} {
		f.Add(core.ChainBitcoin, "mainnet", a)
	}
	f.Add(core.ChainBitcoin, "regtest", "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw")
	f.Add(core.ChainBitcoin, "testnet3", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn")
	f.Add(core.ChainBitcoin, "simnet", "sb1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	f.Add("dogecoin", "mainnet", "")
	v := core.BasicAddressValidator{}
	f.Fuzz(func(t *testing.T, chain, network, addr string) {
		got, err := v.NormalizeAddress(chain, network, addr)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("code %q, want EINVALID", core.ErrorCode(err))
			}
			return
		}
		// A normalised address is a fixed point, so storing it and
		// validating it again never changes or refuses it.
		again, err := v.NormalizeAddress(chain, network, got)
		if err != nil || again != got {
			t.Fatalf("NormalizeAddress(%q) = %q, then %q, %v", addr, got, again, err)
		}
		if strings.TrimSpace(got) != got || got == "" {
			t.Fatalf("NormalizeAddress(%q) = %q is not trimmed", addr, got)
		}
	})
}

func FuzzParseDepositCursor(f *testing.F) {
	for _, s := range []string{"", "!!!", "MToy", "MTox", "LTE6MA", "OTIyMzM3MjAzNjg1NDc3NTgwNzox",
		"MTc2NDA2MzAwMDAwMDAwMDo0Mg", "MTox\n", "cjoxOjI", "cjpyOjE6Mg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := core.ParseDepositCursor(s)
		if err != nil {
			if c != nil || core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("ParseDepositCursor(%q) = %v, %v", s, c, err)
			}
			return
		}
		if c.ID < 0 {
			t.Fatalf("negative id from %q", s)
		}
		back, err := core.ParseDepositCursor(c.String())
		if err != nil || !back.At.Equal(c.At) || back.ID != c.ID || back.Order != c.Order {
			t.Fatalf("cursor %q → %+v → %q → %+v, %v", s, c, c.String(), back, err)
		}
	})
}

func FuzzParseTxIDPrefix(f *testing.F) {
	for _, s := range []string{"8dba1c2f", "0x8dba…b1df", "8dba1c…b1df", "8dba...b1df", "…", "0x", "8dba1c2f…", strings.Repeat("a", 64) + "…b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		head, tail, err := core.ParseTxIDPrefix(s)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("ParseTxIDPrefix(%q): %v", s, err)
			}
			return
		}
		hex := regexp.MustCompile(`^[0-9a-f]*$`)
		if !hex.MatchString(head) || !hex.MatchString(tail) || len(head) < 4 || len(head)+len(tail) < core.MinTxIDPrefix || len(head)+len(tail) > 64 {
			t.Fatalf("ParseTxIDPrefix(%q) = %q, %q", s, head, tail)
		}
	})
}

func FuzzParseDepositStatus(f *testing.F) {
	for _, st := range core.AllDepositStatuses() {
		f.Add(string(st))
		f.Add(strings.ToUpper(st.Display()))
	}
	f.Add("")
	f.Add("Wallet address under verification ")
	f.Fuzz(func(t *testing.T, s string) {
		st, err := core.ParseDepositStatus(s)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("code %q, want EINVALID", core.ErrorCode(err))
			}
			return
		}
		if !st.Valid() {
			t.Fatalf("ParseDepositStatus(%q) = invalid %q", s, st)
		}
		for _, form := range []string{string(st), st.Display()} {
			if back, err := core.ParseDepositStatus(form); err != nil || back != st {
				t.Fatalf("%q parses to %q but %q gives %q, %v", s, st, form, back, err)
			}
		}
	})
}
