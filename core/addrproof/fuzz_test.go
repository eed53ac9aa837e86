package addrproof

import (
	"testing"
)

// The fuzzers feed outside input to every decoder: none may panic, and
// anything they accept must be of the expected form.

func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "bcrt1q", ""} {
		f.Add("bitcoin", "mainnet", s)
		f.Add("ethereum", "mainnet", s)
	}
	f.Fuzz(func(t *testing.T, chain, network, addr string) {
		got, err := Validator{}.NormalizeAddress(chain, network, addr)
		if err == nil {
			again, err := Validator{}.NormalizeAddress(chain, network, got)
			if err != nil || again != got {
				t.Fatalf("normal form %q does not round-trip: %q %v", got, again, err)
			}
		}
	})
}

func FuzzVerifyBIP137(f *testing.F) {
	f.Add("1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "vires is numeris", "H8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=")
	f.Add("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "", "KF8nHqFr3K2UKYahhX3soVeoW8W1ECNbr0wfck7lzyXjCS5Q16Ek45zyBuy1Fiy9sTPKVgsqqOuPvbycuVSSVl8=")
	f.Fuzz(func(t *testing.T, addr, msg, sig string) {
		_ = VerifyBIP137("mainnet", addr, msg, sig)
	})
}

func FuzzVerifyBIP322(f *testing.F) {
	f.Add("bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "", "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=")
	f.Add("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "x", "AUA=")
	f.Fuzz(func(t *testing.T, addr, msg, sig string) {
		_ = VerifyBIP322Simple("mainnet", addr, msg, sig)
	})
}

func FuzzVerifyEIP191(f *testing.F) {
	f.Add("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "hello", "0x"+string(make([]byte, 0)))
	f.Add("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "m", "1b")
	f.Fuzz(func(t *testing.T, addr, msg, sig string) {
		_ = VerifyEIP191(addr, msg, sig)
	})
}
