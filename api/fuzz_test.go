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

// FuzzFlatJSON: whenever the fast path accepts a body, the general path gives the same fields.
func FuzzFlatJSON(f *testing.F) {
	for _, seed := range []string{
		`{"portalName":"example"}`, ` { "a" : "1" , "B":true,"c":null,"d":false } `, `{}`, `{"a":"\u00e9"}`,
		`{"a":"x","A":"y"}`, `{"a":1}`, `{"a":"é"}`, `{"a":"x"}x`, `{"a":tru}`, `{"a":"x",}`, "{\"a\":\"\xff\"}",
		`{"a":nullx}`, `{"a":"x"}{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok := parseFlatJSON(raw)
		if !ok {
			return
		}
		general, err := parseJSONGeneral(raw)
		if err != nil {
			t.Fatalf("fast path accepted %q, general path refused it: %v", raw, err)
		}
		if len(fast) != len(general) {
			t.Fatalf("%q: fast %v, general %v", raw, fast, general)
		}
		for k, v := range fast {
			if general[k] != v {
				t.Fatalf("%q: key %q fast %#v, general %#v", raw, k, v, general[k])
			}
		}
	})
}
