package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadInput feeds arbitrary bodies and content types to the decoder: it must never panic,
// must refuse only with its own errors, and every key it keeps is lower-case.
func FuzzReadInput(f *testing.F) {
	for _, seed := range []struct{ ctype, body string }{
		{"application/json", `{"portalName":"example","n":1,"b":true,"z":null,"o":{"a":[1]}}`},
		{"application/json", `{"a":"\u0000\ud800","A":"x"}`},
		{"application/json", `{"a":1}{"b":2}`},
		{"application/x-www-form-urlencoded", "portalName=ex%20ample&x=%zz"},
		{"", "a=1&&=2&b"},
		{"text/json; charset=utf-16", `{}`},
		{"application/problem+json", `null`},
	} {
		f.Add(seed.ctype, seed.body, "q=1")
	}
	f.Fuzz(func(t *testing.T, ctype, body, query string) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", ctype)
		in, err := readInput(r, true, 1<<16)
		if err != nil {
			for _, known := range []error{errBodyTooLarge, errMediaType, errJSON, errForm, errCharset} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		for _, m := range []map[string]value{in.body, in.query} {
			for k := range m {
				if k != strings.ToLower(k) {
					t.Fatalf("key %q kept in its case", k)
				}
			}
		}
		b := binder{in: in}
		b.str("A", 10)
		b.integer("A", 32)
		b.boolean("A")
		b.date("A")
	})
}
