package auth

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkVerify measures a verify as the API pays for it; allocs/op must stay 0 (issue 6).
func BenchmarkVerify(b *testing.B) {
	for _, e := range allEncodings {
		b.Run("valid/"+e.name, func(b *testing.B) {
			benchVerify(b, newTestVerifier(b, now1, key1), Sign(key1, pkey1, ts1, e.enc), nil)
		})
	}
	b.Run("valid/second_of_two_keys", func(b *testing.B) {
		benchVerify(b, newTestVerifier(b, now1, "new key", key1), Sign(key1, pkey1, ts1, URLToken), nil)
	})
	b.Run("valid/long_pkey", func(b *testing.B) {
		benchVerify(b, newTestVerifier(b, now1, key1), Sign(key1, strings.Repeat("p", 500), ts1, URLToken), nil)
	})
	b.Run("wrong_hash", func(b *testing.B) {
		benchVerify(b, newTestVerifier(b, now1, key1), "ASC abc:20100707140603:TuRf2_vNWkvhDFUBd3Cl2JDIWT4", ErrInvalid)
	})
	b.Run("expired", func(b *testing.B) {
		benchVerify(b, newTestVerifier(b, now1.Add(time.Hour), key1), Sign(key1, pkey1, ts1, URLToken), ErrExpired)
	})
	b.Run("scheme", func(b *testing.B) {
		benchVerify(b, newTestVerifier(b, now1, key1), "Basic dXNlcjpwYXNz", ErrScheme)
	})
}

func benchVerify(b *testing.B, v *Verifier, header string, want error) {
	if err := v.Verify(header); err != want {
		b.Fatalf("Verify(%q) = %v, want %v", header, err, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = v.Verify(header)
	}
}

// TestVerifyAllocs holds Verify to zero allocations, on success and on each failure path.
func TestVerifyAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random, so allocations vary")
	}
	v := newTestVerifier(t, now1, "new key", key1)
	headers := []string{
		Sign(key1, pkey1, ts1, URLToken),
		Sign(key1, pkey1, ts1, StdPadded),
		Sign(key1, strings.Repeat("p", 500), ts1, URLUnpadded),
		"ASC abc:20100707140603:TuRf2_vNWkvhDFUBd3Cl2JDIWT4",
		"ASC abc:20101307140603:" + hashURL,
		"ASC abc:20100707140000:" + hashURL,
		"ASC abc::",
		"Basic dXNlcjpwYXNz",
		"",
	}
	for _, h := range headers {
		if n := testing.AllocsPerRun(200, func() { _ = v.Verify(h) }); n != 0 {
			t.Errorf("Verify(%.40q): %v allocs, want 0", h, n)
		}
	}
}
