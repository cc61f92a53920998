package auth

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// Vector 1's hash in each form, for building headers around it.
const (
	hashStdPadded = "E7lwEXOplYS+0lbnV1XQnDSbi3w="
	hashURLToken  = "E7lwEXOplYS-0lbnV1XQnDSbi3w1"
	hashURL       = "E7lwEXOplYS-0lbnV1XQnDSbi3w"
)

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   error
	}{
		// Missing or unparsable: the API answers "Authorization is requered".
		{"empty", "", ErrMissing},
		{"spaces", "   ", ErrMissing},
		{"tabs and spaces", "\t \t", ErrMissing},
		{"no scheme token", "(ASC abc:20100707140603:" + hashURL, ErrMissing},
		{"starts with separator", "=abc", ErrMissing},
		{"control character", "\x00", ErrMissing},
		{"scheme glued to a separator", "Basic=abc", ErrMissing},

		// Another scheme.
		{"basic", "Basic dXNlcjpwYXNz", ErrScheme},
		{"bearer", "Bearer y", ErrScheme},
		{"bearer lower-case, two spaces", "bearer  y", ErrScheme},
		{"scheme alone", "Basic", ErrScheme},
		{"digest params", `Digest username="a", realm="b"`, ErrScheme},
		{"scheme then tab", "Negotiate\tabc", ErrScheme},

		// Accepted spellings of the ASC scheme.
		{"canonical", "ASC abc:20100707140603:" + hashURLToken, nil},
		{"lower-case scheme", "asc abc:20100707140603:" + hashURLToken, nil},
		{"mixed-case scheme", "Asc abc:20100707140603:" + hashStdPadded, nil},
		{"no space after ASC", "ASCabc:20100707140603:" + hashURL, nil},
		{"no space, lower-case", "ascabc:20100707140603:" + hashURL, nil},
		{"several spaces and a tab", "ASC  \t abc:20100707140603:" + hashURL, nil},
		{"surrounding whitespace", " \tASC abc:20100707140603:" + hashURL + " \t", nil},
		{"extra segments ignored", "ASC abc:20100707140603:" + hashURL + ":extra:more", nil},
		{"empty extra segment", "ASC abc:20100707140603:" + hashStdPadded + ":", nil},

		// Segments.
		{"ASC alone", "ASC", ErrInvalid},
		{"ASC and space", "ASC ", ErrInvalid},
		{"one segment", "ASC abc", ErrInvalid},
		{"two segments", "ASC abc:20100707140603", ErrInvalid},
		{"ASC glued to a separator", "ASC=abc", ErrInvalid},

		// Blank date, before any format check.
		{"empty date", "ASC abc::" + hashURL, ErrInvalid},
		{"space date", "ASC abc: :" + hashURL, ErrInvalid},
		{"tab date", "ASC abc:\t:" + hashURL, ErrInvalid},
		{"only colons", "ASC ::", ErrInvalid},
		{"blank date, bad hash", "ASC abc::", ErrInvalid},

		// Date format, before expiry and hash: the API answers 500.
		{"13 digits", "ASC abc:2010070714060:" + hashURL, ErrMalformedDate},
		{"15 digits", "ASC abc:201007071406030:" + hashURL, ErrMalformedDate},
		{"leading space", "ASC abc: 20100707140603:" + hashURL, ErrMalformedDate},
		{"trailing space", "ASC abc:20100707140603 :" + hashURL, ErrMalformedDate},
		{"letter", "ASC abc:2010070714060x:" + hashURL, ErrMalformedDate},
		{"sign", "ASC abc:+0100707140603:" + hashURL, ErrMalformedDate},
		{"ISO form", "ASC abc:2010-07-07T14:06:03Z:" + hashURL, ErrMalformedDate},
		{"full-width digits", "ASC abc:２０１００７０７１４０６０３:" + hashURL, ErrMalformedDate},
		{"month 13", "ASC abc:20101307140603:" + hashURL, ErrMalformedDate},
		{"month 0", "ASC abc:20100007140603:" + hashURL, ErrMalformedDate},
		{"day 0", "ASC abc:20100700140603:" + hashURL, ErrMalformedDate},
		{"Feb 30", "ASC abc:20100230140603:" + hashURL, ErrMalformedDate},
		{"Feb 29 of a common year", "ASC abc:20230229120000:" + hashURL, ErrMalformedDate},
		{"Feb 29 of 1900", "ASC abc:19000229120000:" + hashURL, ErrMalformedDate},
		{"Apr 31", "ASC abc:20100431000000:" + hashURL, ErrMalformedDate},
		{"hour 24", "ASC abc:20100707240000:" + hashURL, ErrMalformedDate},
		{"minute 60", "ASC abc:20100707146003:" + hashURL, ErrMalformedDate},
		{"second 60 (no leap seconds)", "ASC abc:20100707140660:" + hashURL, ErrMalformedDate},
		{"year 0", "ASC abc:00000101000000:" + hashURL, ErrMalformedDate},
		{"malformed date, garbage hash", "ASC abc:20101307140603:!", ErrMalformedDate},

		// Time window, before the hash.
		{"well-formed but expired", "ASC abc:20100707140000:" + hashURL, ErrExpired},
		{"year 1 is a date, long expired", "ASC abc:00010101000000:x", ErrExpired},
		{"Feb 29 of 2000 is a date", "ASC abc:20000229120000:x", ErrExpired},
		{"expired, garbage hash", "ASC abc:20100707140000:!", ErrExpired},
		{"year 9999", "ASC abc:99991231235959:" + hashURL, ErrInvalid},
		{"2099", "ASC abc:20990101000000:" + hashURL, ErrInvalid},

		// Hash.
		{"empty hash", "ASC abc:20100707140603:", ErrInvalid},
		{"wrong pkey order", "ASC abc:20100707140603:TuRf2_vNWkvhDFUBd3Cl2JDIWT4", ErrInvalid},
		{"other pkey", "ASC abd:20100707140603:" + hashURL, ErrInvalid},
		{"other second", "ASC abc:20100707140604:" + hashURL, ErrInvalid},
		{"two spaces before the pkey", "ASC  abc:20100707140603:" + hashURL, nil},
		{"pkey with trailing space", "ASC abc :20100707140603:" + hashURL, ErrInvalid},
		{"mixed alphabets + and _", "ASC PKEY:20100707140603:L_er1AT6oZInMHWJ5VvvVO+Fl98", ErrInvalid},
		{"mixed alphabets / and -", "ASC abc:20100707140603:L/er1AT6oZInMHWJ5VvvVO-Fl98=", ErrInvalid},
		{"standard alphabet with UrlToken digit", "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w1", ErrInvalid},
		{"UrlToken digit 0", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w0", ErrInvalid},
		{"UrlToken digit 2", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w2", ErrInvalid},
		{"two pads", "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w==", ErrInvalid},
		{"pad and digit", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w=1", ErrInvalid},
		{"nonzero spare bits", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3x", ErrInvalid},
		{"one character short", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3", ErrInvalid},
		{"space in hash", "ASC abc:20100707140603:E7lwEXOplYS 0lbnV1XQnDSbi3w", ErrInvalid},
		{"newline in hash", "ASC abc:20100707140603:E7lwEXOplYS\n0lbnV1XQnDSbi3w=", ErrInvalid},
		{"trailing space before extra segment", "ASC abc:20100707140603:" + hashURL + " :x", ErrInvalid},
		{"case changed", "ASC abc:20100707140603:e7lwEXOplYS-0lbnV1XQnDSbi3w", ErrInvalid},
		{"hex instead of Base64", "ASC abc:20100707140603:13b9701173a99584bed256e75755d09c349b8b7c", ErrInvalid},
		{"hash of the right length, all A", "ASC abc:20100707140603:" + strings.Repeat("A", 27), ErrInvalid},
	}
	v := newTestVerifier(t, now1, key1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkVerify(t, v, tt.header, tt.want) })
	}
}

// TestVerifyLeadingSpacePKey documents a consequence of "with or without a space after ASC":
// whitespace between the scheme and the pkey is never part of the pkey, so a pkey signed with
// leading whitespace cannot verify (Sign's doc says so).
func TestVerifyLeadingSpacePKey(t *testing.T) {
	v := newTestVerifier(t, now1, key1)
	checkVerify(t, v, Sign(key1, " abc", ts1, URLToken), ErrInvalid)
	checkVerify(t, v, Sign(key1, "abc", ts1, URLToken), nil)
}

// TestVerifyLowerCaseSchemeExpires is SPEC 3.7's negative vector: Workspace skips the expiry
// check unless the scheme is exactly "ASC"; the gateway does not (D9).
func TestVerifyLowerCaseSchemeExpires(t *testing.T) {
	v := newTestVerifier(t, ts1.Add(defaultTrustInterval+time.Second), key1)
	for _, scheme := range []string{"ASC ", "asc ", "Asc ", "aSc", "asc"} {
		checkVerify(t, v, scheme+"abc:20100707140603:"+hashURLToken, ErrExpired)
	}
}

func TestVerifyFutureSkew(t *testing.T) {
	const key = "1123askdasjklasbnd"
	now := time.Date(2025, time.January, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		ts   time.Time
		skew time.Duration
		want error
	}{
		{"now", now, 0, nil},
		{"3h ahead", now.Add(3 * time.Hour), 0, nil},
		{"13h59m59s ahead", now.Add(14*time.Hour - time.Second), 0, nil},
		{"exactly 14h ahead", now.Add(14 * time.Hour), 0, nil},
		{"14h and 1s ahead", now.Add(14*time.Hour + time.Second), 0, ErrInvalid},
		{"15h ahead", now.Add(15 * time.Hour), 0, ErrInvalid},
		{"2099", time.Date(2099, time.January, 1, 0, 0, 0, 0, time.UTC), 0, ErrInvalid},
		{"3h ahead, skew 1h", now.Add(3 * time.Hour), time.Hour, ErrInvalid},
		{"3h ahead, skew 4h", now.Add(3 * time.Hour), 4 * time.Hour, nil},
		{"15h ahead, skew 24h", now.Add(15 * time.Hour), 24 * time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(Config{Keys: []string{key}, MaxFutureSkew: tt.skew, Now: fixedClock(now)})
			if err != nil {
				t.Fatal(err)
			}
			checkVerify(t, v, Sign(key, "PKEY", tt.ts, URLToken), tt.want)
		})
	}
	// The skew is measured from the clock, which moves: 14h is exact to the nanosecond.
	token := Sign(key, "PKEY", now.Add(14*time.Hour), StdPadded)
	checkVerify(t, newTestVerifier(t, now.Add(-time.Nanosecond), key), token, ErrInvalid)
}

func TestVerifyTrustInterval(t *testing.T) {
	token := "ASC abc:20100707140603:" + hashURLToken
	tests := []struct {
		trust time.Duration
		now   time.Time
		want  error
	}{
		{0, ts1.Add(5 * time.Minute), nil},
		{0, ts1.Add(5*time.Minute + time.Nanosecond), ErrExpired},
		{10 * time.Minute, ts1.Add(9 * time.Minute), nil},
		{10 * time.Minute, ts1.Add(10 * time.Minute), nil},
		{10 * time.Minute, ts1.Add(10*time.Minute + time.Nanosecond), ErrExpired},
		{time.Second, ts1.Add(2 * time.Second), ErrExpired},
	}
	for _, tt := range tests {
		v, err := NewVerifier(Config{Keys: []string{key1}, TrustInterval: tt.trust, Now: fixedClock(tt.now)})
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Verify(token); got != tt.want {
			t.Errorf("trust %v, now %v: %v, want %v", tt.trust, tt.now, got, tt.want)
		}
	}
}

// TestVerifyClockMoves checks that Verify reads the clock on every call rather than once.
func TestVerifyClockMoves(t *testing.T) {
	now := ts1
	v, err := NewVerifier(Config{Keys: []string{key1}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	token := "ASC abc:20100707140603:" + hashURL
	checkVerify(t, v, token, nil)
	now = now.Add(6 * time.Minute)
	checkVerify(t, v, token, ErrExpired)
}

func TestVerifyKeyRotation(t *testing.T) {
	const key2 = "1123askdasjklasbnd"
	token1 := "ASC abc:20100707140603:" + hashURLToken
	at := ts1.Add(time.Minute)
	token2 := Sign(key2, "PKEY", at, URLUnpadded)
	tests := []struct {
		name         string
		keys         []string
		want1, want2 error
	}{
		{"old key only", []string{key1}, nil, ErrInvalid},
		{"new key only", []string{key2}, ErrInvalid, nil},
		{"new and old", []string{key2, key1}, nil, nil},
		{"old and new", []string{key1, key2}, nil, nil},
		{"three keys, match last", []string{"x", "y", key1}, nil, ErrInvalid},
		{"unrelated keys", []string{"x", "y"}, ErrInvalid, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, at, tt.keys...)
			checkVerify(t, v, token1, tt.want1)
			checkVerify(t, v, token2, tt.want2)
		})
	}
}

func TestNewVerifierErrors(t *testing.T) {
	const secret = "do-not-print-this-key"
	tests := []struct {
		name string
		cfg  Config
	}{
		{"nil keys", Config{}},
		{"no keys", Config{Keys: []string{}}},
		{"empty key", Config{Keys: []string{""}}},
		{"second key empty", Config{Keys: []string{secret, ""}}},
		{"negative trust interval", Config{Keys: []string{secret}, TrustInterval: -time.Minute}},
		{"negative future skew", Config{Keys: []string{secret}, MaxFutureSkew: -time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(tt.cfg)
			if err == nil || v != nil {
				t.Fatalf("NewVerifier = %v, %v; want nil and an error", v, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains the machine key", err)
			}
		})
	}
}

// TestNewVerifierCopiesKeys checks that changing the caller's slice afterwards (a config
// reload reusing it) does not change what an existing Verifier accepts.
func TestNewVerifierCopiesKeys(t *testing.T) {
	keys := []string{key1}
	v := newTestVerifier(t, now1, keys...)
	keys[0] = "changed"
	checkVerify(t, v, "ASC abc:20100707140603:"+hashURL, nil)
}

func TestNewVerifierDefaultClock(t *testing.T) {
	v, err := NewVerifier(Config{Keys: []string{key1}})
	if err != nil {
		t.Fatal(err)
	}
	checkVerify(t, v, Sign(key1, "abc", time.Now(), URLToken), nil)
	checkVerify(t, v, "ASC abc:20100707140603:"+hashURL, ErrExpired)
}

// TestZeroVerifier checks that an unconfigured Verifier fails closed instead of panicking.
func TestZeroVerifier(t *testing.T) {
	var zero Verifier
	var nilVerifier *Verifier
	for _, v := range []*Verifier{&zero, nilVerifier} {
		checkVerify(t, v, "ASC abc:20100707140603:"+hashURL, ErrInvalid)
		checkVerify(t, v, "", ErrInvalid)
	}
}

func TestErrorsAreDistinctAndSecretFree(t *testing.T) {
	sentinels := []error{ErrMissing, ErrScheme, ErrInvalid, ErrExpired, ErrMalformedDate}
	for i, a := range sentinels {
		if strings.Contains(a.Error(), key1) || strings.Contains(a.Error(), hashURL) {
			t.Errorf("%v contains a secret", a)
		}
		for j, b := range sentinels {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}

// TestVerifyConcurrent exercises the pooled HMAC states from many goroutines; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	const key2 = "1123askdasjklasbnd"
	v := newTestVerifier(t, now1, key2, key1)
	good := "ASC abc:20100707140603:" + hashURLToken
	bad := "ASC abc:20100707140603:TuRf2_vNWkvhDFUBd3Cl2JDIWT4"
	long := Sign(key1, strings.Repeat("p", 1000), now1, StdPadded)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				switch (g + i) % 3 {
				case 0:
					if err := v.Verify(good); err != nil {
						t.Errorf("good token: %v", err)
						return
					}
				case 1:
					if err := v.Verify(bad); err != ErrInvalid {
						t.Errorf("bad token: %v", err)
						return
					}
				case 2:
					if err := v.Verify(long); err != nil {
						t.Errorf("long pkey: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
