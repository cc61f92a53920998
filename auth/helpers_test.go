package auth

import (
	"testing"
	"time"
)

// Vector 1 of SPEC 3.7 (the docs' example token) is the default fixture of the tests.
const (
	key1  = "Vskoproizvolny Salt par Chivreski"
	pkey1 = "abc"
	date1 = "20100707140603"
)

// ts1 is date1 as a time; now1 is a clock inside its validity.
var (
	ts1  = time.Date(2010, time.July, 7, 14, 6, 3, 0, time.UTC)
	now1 = ts1.Add(time.Minute)
)

// allEncodings lists the five forms with the names auth-vectors.json uses for them.
var allEncodings = []struct {
	name string
	enc  Encoding
}{
	{"std_padded", StdPadded},
	{"std_unpadded", StdUnpadded},
	{"url_padded", URLPadded},
	{"url_unpadded", URLUnpadded},
	{"url_token", URLToken},
}

// fixedClock returns a clock stopped at t.
func fixedClock(t time.Time) func() time.Time {
	return func() time.Time { return t }
}

// newTestVerifier returns a Verifier with default intervals, its clock stopped at now.
func newTestVerifier(t testing.TB, now time.Time, keys ...string) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{Keys: keys, Now: fixedClock(now)})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// checkVerify fails the test unless Verify(header) returns exactly want (nil or a sentinel).
func checkVerify(t *testing.T, v *Verifier, header string, want error) {
	t.Helper()
	if got := v.Verify(header); got != want {
		t.Errorf("Verify(%q) = %v, want %v", header, got, want)
	}
}
