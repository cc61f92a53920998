package auth

import (
	"crypto/sha1"
	"strings"
	"testing"
	"time"
)

// FuzzVerify checks that no header makes Verify panic or return anything but nil or one of the
// sentinels, and that a header it accepts really is a token of vector 1's key, inside its time
// window, with its hash in one of the five forms. The checked-in corpus is under
// testdata/fuzz/FuzzVerify.
func FuzzVerify(f *testing.F) {
	for _, e := range allEncodings {
		f.Add(Sign(key1, pkey1, ts1, e.enc))
	}
	for _, n := range embeddedNegatives {
		f.Add(n.Header)
	}
	f.Add("asc abc:20100707140603:" + hashURLToken)
	f.Add("ASCabc:20100707140603:" + hashURL + ":extra")
	f.Add("ASC abc:20101307140603:" + hashURL)
	f.Add("ASC abc:20100230140603:" + hashURL)
	f.Add("ASC abc:20990101000000:" + hashURL)
	f.Add("ASC PKEY:20100707140603:L_er1AT6oZInMHWJ5VvvVO+Fl98")
	f.Add("Bearer y")
	f.Add(" \t ")
	f.Add("")

	v := newTestVerifier(f, now1, key1)
	f.Fuzz(func(t *testing.T, header string) {
		err := v.Verify(header)
		switch err {
		case nil:
			checkAccepted(t, header)
		case ErrMissing, ErrScheme, ErrInvalid, ErrExpired, ErrMalformedDate:
		default:
			t.Fatalf("Verify(%q) = %v, not a sentinel", header, err)
		}

		// The decoder on its own: whatever it accepts is a canonical form of what it returns.
		var mac [sha1.Size]byte
		if decodeMAC(&mac, header) && !isOneOf(header, fiveForms(mac[:])) {
			t.Fatalf("decodeMAC accepted %q, not an encoding of %x", header, mac)
		}
	})
}

// checkAccepted re-parses an accepted header with plain string functions, independently of
// Verify's parser, and fails unless Sign would have produced it for some encoding.
func checkAccepted(t *testing.T, header string) {
	t.Helper()
	h := strings.Trim(header, " \t")
	if len(h) < 3 || !strings.EqualFold(h[:3], "ASC") {
		t.Fatalf("accepted %q without the ASC scheme", header)
	}
	parts := strings.Split(strings.TrimLeft(h[3:], " \t"), ":")
	if len(parts) < 3 {
		t.Fatalf("accepted %q with %d segments", header, len(parts))
	}
	pkey, date, hash := parts[0], parts[1], parts[2]
	ts, err := time.Parse(dateLayout, date)
	if err != nil || ts.Format(dateLayout) != date {
		t.Fatalf("accepted %q with date %q (%v)", header, date, err)
	}
	if now1.After(ts.Add(defaultTrustInterval)) || ts.After(now1.Add(defaultMaxFutureSkew)) {
		t.Fatalf("accepted %q outside its time window", header)
	}
	want := "ASC " + pkey + ":" + date + ":" + hash
	for _, e := range allEncodings {
		if Sign(key1, pkey, ts, e.enc) == want {
			return
		}
	}
	t.Fatalf("accepted %q, whose hash is no encoding of the MAC", header)
}
