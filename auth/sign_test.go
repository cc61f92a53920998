package auth

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestSignRoundTrip(t *testing.T) {
	at := time.Date(2024, time.February, 29, 23, 59, 11, 0, time.UTC)
	cases := []struct{ key, pkey string }{
		{key1, pkey1},
		{"clé-secrète-ключ", "78e1e841-8314-4846-8fc0-e7d6451b6475"},
		{"k", ""},
		{"k", "with inner spaces"},
		{"k", "ключ-юникод"},
		{"k", strings.Repeat("long-pkey/", 100)}, // longer than macState.buf
		{strings.Repeat("K", 200), "key longer than a SHA-1 block"},
	}
	for _, c := range cases {
		for _, e := range allEncodings {
			token := Sign(c.key, c.pkey, at, e.enc)
			v := newTestVerifier(t, at, c.key)
			if err := v.Verify(token); err != nil {
				t.Errorf("%s: Verify(Sign(%.20q, %.20q)) = %v", e.name, c.key, c.pkey, err)
			}
			if other := newTestVerifier(t, at, c.key+"x"); other.Verify(token) != ErrInvalid {
				t.Errorf("%s: token for %.20q verified with another key", e.name, c.key)
			}
		}
	}
}

func TestSignFormat(t *testing.T) {
	// A local time is signed as UTC, and sub-second precision is dropped, not rounded.
	local := time.Date(2010, time.July, 7, 18, 6, 3, 999_999_999, time.FixedZone("UTC+4", 4*3600))
	want := map[Encoding]string{
		StdPadded:   "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w=",
		StdUnpadded: "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w",
		URLPadded:   "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w=",
		URLUnpadded: "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w",
		URLToken:    "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w1",
	}
	for _, e := range allEncodings {
		if got := Sign(key1, pkey1, local, e.enc); got != want[e.enc] {
			t.Errorf("Sign(%s) = %q, want %q", e.name, got, want[e.enc])
		}
	}
}

func TestSignUnknownEncodingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sign with Encoding(99) did not panic")
		}
	}()
	Sign(key1, pkey1, ts1, Encoding(99))
}

// TestURLTokenEncode checks the UrlTokenEncode examples of SPEC 3.5 for other lengths.
func TestURLTokenEncode(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0x00}, "AA2"},
		{[]byte{0x00, 0x01}, "AAE1"},
		{[]byte{0x00, 0x01, 0x02}, "AAEC0"},
		{[]byte{0xfb, 0xff}, "-_81"},
	}
	for _, tt := range tests {
		if got := encodeMAC(tt.in, URLToken); got != tt.want {
			t.Errorf("UrlTokenEncode(%x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fiveForms returns the five encodings of mac, produced by encoding/base64 rather than by the
// decoder under test.
func fiveForms(mac []byte) []string {
	forms := make([]string, 0, len(allEncodings))
	for _, e := range allEncodings {
		forms = append(forms, encodeMAC(mac, e.enc))
	}
	return forms
}

func TestDecodeMACAllForms(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var mac [sha1.Size]byte
		for i := range mac {
			mac[i] = byte(r.UintN(256))
		}
		for _, s := range fiveForms(mac[:]) {
			var got [sha1.Size]byte
			if !decodeMAC(&got, s) || got != mac {
				t.Fatalf("decodeMAC(%q) = %x, want %x", s, got, mac)
			}
		}
	}
}

// TestDecodeMACOnlyCanonical checks, over random mutations of valid encodings, that every string
// decodeMAC accepts is one of the five encodings of what it decodes to: no second spelling of a
// MAC gets through.
func TestDecodeMACOnlyCanonical(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=0123 \n\r."
	accepted := 0
	for range 20000 {
		var mac [sha1.Size]byte
		for i := range mac {
			mac[i] = byte(r.UintN(256))
		}
		forms := fiveForms(mac[:])
		s := []byte(forms[r.IntN(len(forms))])
		for range 1 + r.IntN(2) {
			s[r.IntN(len(s))] = alphabet[r.IntN(len(alphabet))]
		}
		if r.IntN(8) == 0 {
			s = append(s, alphabet[r.IntN(len(alphabet))])
		}
		var got [sha1.Size]byte
		if !decodeMAC(&got, string(s)) {
			continue
		}
		accepted++
		if !isOneOf(string(s), fiveForms(got[:])) {
			t.Fatalf("decodeMAC accepted %q, not an encoding of %x", s, got)
		}
	}
	if accepted == 0 {
		t.Fatal("no mutation was accepted; the test exercises nothing")
	}
}

func isOneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// TestDecodeMACStdlibAgreement compares decodeMAC with encoding/base64's strict decoders on
// strings of the lengths that matter.
func TestDecodeMACStdlibAgreement(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
	for range 20000 {
		s := make([]byte, macBase64Len)
		for i := range s {
			s[i] = alphabet[r.IntN(len(alphabet))]
		}
		var got [sha1.Size]byte
		ok := decodeMAC(&got, string(s))
		std, errStd := base64.RawStdEncoding.Strict().DecodeString(string(s))
		url, errURL := base64.RawURLEncoding.Strict().DecodeString(string(s))
		want := errStd == nil || errURL == nil
		if ok != want {
			t.Fatalf("decodeMAC(%q) ok = %v, stdlib std %v url %v", s, ok, errStd, errURL)
		}
		if ok && !bytes.Equal(got[:], std) && !bytes.Equal(got[:], url) {
			t.Fatalf("decodeMAC(%q) = %x, stdlib %x / %x", s, got, std, url)
		}
	}
}
