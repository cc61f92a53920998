package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"
)

// vectorsPath is auth-vectors.json seen from this package's directory (tests run there).
const vectorsPath = "../../shared/spec/auth-vectors.json"

// vector is one positive vector of SPEC 3.7, in the shape of auth-vectors.json.
type vector struct {
	MachineKey string            `json:"machine_key"`
	PKey       string            `json:"pkey"`
	Datetime   string            `json:"datetime"`
	HMACHex    string            `json:"hmac_hex"`
	Tokens     map[string]string `json:"tokens"`
	ValidUntil *string           `json:"valid_until"`
}

// negativeVector is a header that must be refused, with the reference server's answer.
type negativeVector struct {
	Why        string `json:"why"`
	MachineKey string `json:"machine_key"`
	Header     string `json:"header"`
	Expect     string `json:"expect"`
}

// embeddedVectors repeats SPEC 3.7 so that the package's tests never depend on the shared file:
// every form of vector 1 (the docs' example) and the std_padded and url_token forms of the others.
var embeddedVectors = []vector{
	{
		MachineKey: "Vskoproizvolny Salt par Chivreski",
		PKey:       "abc",
		Datetime:   "20100707140603",
		HMACHex:    "13b9701173a99584bed256e75755d09c349b8b7c",
		Tokens: map[string]string{
			"std_padded":   "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w=",
			"std_unpadded": "ASC abc:20100707140603:E7lwEXOplYS+0lbnV1XQnDSbi3w",
			"url_padded":   "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w=",
			"url_unpadded": "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w",
			"url_token":    "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w1",
		},
		ValidUntil: ptr("2010-07-07T14:11:03Z"),
	},
	{
		MachineKey: "1123askdasjklasbnd",
		PKey:       "PKEY",
		Datetime:   "20250101120000",
		HMACHex:    "2ff7abd404faa19227307589e55bef54ef8597df",
		Tokens: map[string]string{
			"std_padded": "ASC PKEY:20250101120000:L/er1AT6oZInMHWJ5VvvVO+Fl98=",
			"url_token":  "ASC PKEY:20250101120000:L_er1AT6oZInMHWJ5VvvVO-Fl981",
		},
		ValidUntil: ptr("2025-01-01T12:05:00Z"),
	},
	{
		MachineKey: "clé-secrète-ключ",
		PKey:       "78e1e841-8314-4846-8fc0-e7d6451b6475",
		Datetime:   "20240229235911",
		HMACHex:    "fdba18db38045812d3081f6e9635dbfb448f6348",
		Tokens: map[string]string{
			"std_padded": "ASC 78e1e841-8314-4846-8fc0-e7d6451b6475:20240229235911:/boY2zgEWBLTCB9uljXb+0SPY0g=",
			"url_token":  "ASC 78e1e841-8314-4846-8fc0-e7d6451b6475:20240229235911:_boY2zgEWBLTCB9uljXb-0SPY0g1",
		},
	},
}

// embeddedNegatives repeats the negative vectors of auth-vectors.json.
var embeddedNegatives = []negativeVector{
	{"signed string in the wrong order (pkey LF datetime)", key1, "ASC abc:20100707140603:TuRf2_vNWkvhDFUBd3Cl2JDIWT4", "403 authorization"},
	{"13-digit datetime", key1, "ASC abc:2010070714060:E7lwEXOplYS-0lbnV1XQnDSbi3w", "500 authorization"},
	{"unknown scheme", key1, "Basic dXNlcjpwYXNz", "403 authorization (Authorization scheme unknown)"},
	{"fewer than 3 segments", key1, "ASC abc:20100707140603", "403 authorization (Authorization invalid)"},
	{"blank datetime", key1, "ASC abc::E7lwEXOplYS-0lbnV1XQnDSbi3w", "403 authorization (Authorization invalid)"},
	{"hash of another key", "another key", "ASC abc:20100707140603:E7lwEXOplYS-0lbnV1XQnDSbi3w", "403 authorization (Authorization invalid)"},
}

func ptr[T any](v T) *T { return &v }

func TestEmbeddedVectors(t *testing.T) {
	runVectors(t, embeddedVectors)
	runNegatives(t, embeddedNegatives)
}

func TestSharedVectorFile(t *testing.T) {
	raw, err := os.ReadFile(vectorsPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found (it lives in the shared spec beside the module); "+
			"TestEmbeddedVectors covers the same vectors", vectorsPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors  []vector         `json:"vectors"`
		Negative []negativeVector `json:"negative"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("decode %s: %v", vectorsPath, err)
	}
	if len(file.Vectors) == 0 || len(file.Negative) == 0 {
		t.Fatalf("%s: %d vectors, %d negative: expected both", vectorsPath, len(file.Vectors), len(file.Negative))
	}
	for _, vec := range file.Vectors {
		if len(vec.Tokens) != len(allEncodings) {
			t.Errorf("vector %s: %d tokens, want all %d encodings", vec.PKey, len(vec.Tokens), len(allEncodings))
		}
	}
	runVectors(t, file.Vectors)
	runNegatives(t, file.Negative)
}

// runVectors checks each token of each vector against the vector's own data (HMAC, Sign) and
// against Verify inside, at both ends of, and just past its validity.
func runVectors(t *testing.T, vectors []vector) {
	for _, vec := range vectors {
		ts, err := time.Parse(dateLayout, vec.Datetime)
		if err != nil {
			t.Fatalf("vector %s: datetime %q: %v", vec.PKey, vec.Datetime, err)
		}
		validUntil := ts.Add(defaultTrustInterval)
		if vec.ValidUntil != nil {
			vu, err := time.Parse(time.RFC3339, *vec.ValidUntil)
			if err != nil {
				t.Fatalf("vector %s: valid_until %q: %v", vec.PKey, *vec.ValidUntil, err)
			}
			if !vu.Equal(validUntil) {
				t.Errorf("vector %s: valid_until %v, want datetime+5m = %v", vec.PKey, vu, validUntil)
			}
			validUntil = vu
		}

		m := hmac.New(sha1.New, []byte(vec.MachineKey))
		m.Write([]byte(vec.Datetime + "\n" + vec.PKey))
		if got := hex.EncodeToString(m.Sum(nil)); got != vec.HMACHex {
			t.Errorf("vector %s: HMAC %s, want %s", vec.PKey, got, vec.HMACHex)
		}

		for _, e := range allEncodings {
			token, ok := vec.Tokens[e.name]
			if !ok {
				continue
			}
			t.Run(vec.PKey+"/"+e.name, func(t *testing.T) {
				if got := Sign(vec.MachineKey, vec.PKey, ts, e.enc); got != token {
					t.Errorf("Sign = %q, want %q", got, token)
				}
				clocks := []struct {
					name string
					now  time.Time
					want error
				}{
					{"at datetime", ts, nil},
					{"inside", ts.Add(2*time.Minute + 500*time.Millisecond), nil},
					{"at valid_until", validUntil, nil},
					{"1ns after valid_until", validUntil.Add(time.Nanosecond), ErrExpired},
					{"an hour after", validUntil.Add(time.Hour), ErrExpired},
					{"13h before (local-time client)", ts.Add(-13 * time.Hour), nil},
				}
				for _, c := range clocks {
					v := newTestVerifier(t, c.now, vec.MachineKey)
					if got := v.Verify(token); got != c.want {
						t.Errorf("%s (%v): Verify(%q) = %v, want %v", c.name, c.now, token, got, c.want)
					}
				}
			})
		}
	}
}

// runNegatives checks each negative vector, with the clock inside vector 1's validity so that
// only the flaw the vector is about can make it fail.
func runNegatives(t *testing.T, negatives []negativeVector) {
	for _, n := range negatives {
		t.Run(n.Why, func(t *testing.T) {
			want := sentinelFor(t, n.Expect)
			v := newTestVerifier(t, now1, n.MachineKey)
			checkVerify(t, v, n.Header, want)
		})
	}
}

// sentinelFor maps an "expect" text of auth-vectors.json to the error Verify must return.
func sentinelFor(t *testing.T, expect string) error {
	t.Helper()
	switch {
	case strings.HasPrefix(expect, "500"):
		return ErrMalformedDate
	case strings.Contains(expect, "scheme unknown"):
		return ErrScheme
	case strings.Contains(expect, "expired"):
		return ErrExpired
	case strings.Contains(expect, "requered"):
		return ErrMissing
	case strings.HasPrefix(expect, "403"):
		return ErrInvalid
	}
	t.Fatalf("unknown expectation %q", expect)
	return nil
}
