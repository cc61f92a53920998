package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func newReq(method, target, ctype, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

func TestReadInput(t *testing.T) {
	for _, tc := range []struct {
		name, query, ctype, body string
		want                     map[string]value
		err                      error
	}{
		{"json keys lower-cased, last duplicate wins", "", "application/json",
			`{"PortalName":"a","portalname":"b","n":12,"b":true,"z":null,"o":{"x":1},"l":[1]}`,
			map[string]value{"portalname": {text: "b"}, "n": {text: "12", kind: kindNumber}, "b": {text: "true", kind: kindBool},
				"z": {kind: kindNull}, "o": {kind: kindComplex}, "l": {kind: kindComplex}}, nil},
		{"json with charset and +json", "", "application/vnd.api+json; charset=utf-8", `{"a":"1"}`, map[string]value{"a": {text: "1"}}, nil},
		{"text/json", "", "text/json", `{"a":"1"}`, map[string]value{"a": {text: "1"}}, nil},
		{"form", "", "application/x-www-form-urlencoded", "PortalName=a%2Bb&x=1&X=2&&=skip", map[string]value{"portalname": {text: "a+b"}, "x": {text: "2"}}, nil},
		{"no content type, json sniffed", "", "", `{"a":"1"}`, map[string]value{"a": {text: "1"}}, nil},
		{"no content type, form sniffed", "", "", `a=1`, map[string]value{"a": {text: "1"}}, nil},
		{"empty body", "", "application/xml", "", nil, nil},
		{"whitespace body", "", "application/json", "  \n ", nil, nil},
		{"null body", "", "application/json", "null", nil, nil},
		{"xml", "", "application/xml", "<x/>", nil, errMediaType},
		{"bad media type", "", "text/plain", "a=1", nil, errMediaType},
		{"unparsable content type", "", ";;;", "a=1", nil, errMediaType},
		{"broken json", "", "application/json", `{"a":`, nil, errJSON},
		{"json array", "", "application/json", `[1,2]`, nil, errJSON},
		{"json trailing garbage", "", "application/json", `{"a":1}{"b":2}`, nil, errJSON},
		{"json string", "", "application/json", `"x"`, nil, errJSON},
		{"bad form escape", "", "application/x-www-form-urlencoded", "a=%zz", nil, errForm},
		{"bad query escape is kept as written", "a=%zz", "application/json", `{"b":"1"}`, map[string]value{"b": {text: "1"}}, nil},
		{"utf-8 BOM", "", "application/json", "\xEF\xBB\xBF{\"a\":\"1\"}", map[string]value{"a": {text: "1"}}, nil},
		{"latin-1 body", "", "application/json; charset=ISO-8859-1", "{\"a\":\"J\xE9r\xF4me\"}", map[string]value{"a": {text: "Jérôme"}}, nil},
		{"utf-16 body", "", "application/json; charset=utf-16le", "{\x00}\x00", nil, nil},
		{"unknown charset", "", "application/json; charset=klingon", `{"a":"1"}`, nil, errCharset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := "/x"
			if tc.query != "" {
				target += "?" + tc.query
			}
			in, err := readInput(newReq("POST", target, tc.ctype, tc.body), true, 1024)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if tc.query != "" && in.query["a"].text != "%zz" {
				t.Fatalf("query a = %q", in.query["a"].text)
			}
			if len(tc.want) == 0 && len(in.body) == 0 {
				return
			}
			if !reflect.DeepEqual(in.body, tc.want) {
				t.Fatalf("body = %#v\nwant %#v", in.body, tc.want)
			}
		})
	}
}

func TestReadInputLimit(t *testing.T) {
	body := `{"a":"` + strings.Repeat("x", 2000) + `"}`
	if _, err := readInput(newReq("POST", "/x", "application/json", body), true, 1024); !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("declared length over the limit: %v", err)
	}
	r := newReq("POST", "/x", "application/json", body)
	r.ContentLength = -1 // chunked: only the read finds out
	if _, err := readInput(r, true, 1024); !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("chunked body over the limit: %v", err)
	}
	if _, err := readInput(newReq("POST", "/x", "application/json", body), true, 4096); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
}

func TestQueryFallback(t *testing.T) {
	in, err := readInput(newReq("PUT", "/x?status=Active&portalName=fromquery", "application/json", `{"portalName":"frombody"}`), true, 1024)
	if err != nil {
		t.Fatal(err)
	}
	b := binder{in: in}
	if s, _ := b.str("PortalName", 0); s != "frombody" {
		t.Fatalf("body wins: %q", s)
	}
	if s, _ := b.str("Status", 0); s != "Active" {
		t.Fatalf("query stands in: %q", s)
	}
	in, _ = readInput(newReq("GET", "/x?portalName=q", "application/json", `{"portalName":"b"}`), false, 1024)
	if s, _ := (&binder{in: in}).str("PortalName", 0); s != "q" {
		t.Fatalf("query endpoints ignore the body: %q", s)
	}
}

func TestBinderCoercion(t *testing.T) {
	in, err := readInput(newReq("POST", "/x", "application/json",
		`{"s":123,"b1":"TRUE","b2":0,"b3":1,"b4":"no","i1":"42","i2":4.5,"i3":"x","i4":99999999999,"d1":"2016-07-13","d2":"2016-07-13T10:00:00+02:00","d3":"2016-07-13T10:00:00","long":"héllo😀"}`), true, 4096)
	if err != nil {
		t.Fatal(err)
	}
	b := binder{in: in}
	if s, ok := b.str("S", 0); s != "123" || !ok {
		t.Errorf("number as string: %q", s)
	}
	if !b.boolean("B1") || b.boolean("B2") || !b.boolean("B3") {
		t.Error("booleans")
	}
	b.boolean("B4")
	if n, ok := b.integer("I1", 32); n != 42 || !ok {
		t.Errorf("integer from string: %d", n)
	}
	b.integer("I2", 32)
	b.integer("I3", 32)
	b.integer("I4", 32)
	if d, _ := b.date("D1"); d.Format(dateLayout) != "2016-07-13T00:00:00" {
		t.Errorf("date: %v", d)
	}
	if d, _ := b.date("D2"); d.Format(dateLayout) != "2016-07-13T08:00:00" {
		t.Errorf("date with offset: %v", d)
	}
	if d, _ := b.date("D3"); d.Format(dateLayout) != "2016-07-13T10:00:00" {
		t.Errorf("date-time: %v", d)
	}
	// "héllo😀" is 7 UTF-16 code units: within 7, over 6.
	if _, ok := b.str("Long", 7); !ok {
		t.Error("7 units within a cap of 7")
	}
	b.str("Long", 6)
	want := []string{
		"The value for B4 is not valid.",
		"The value for I2 is not valid.",
		"The value for I3 is not valid.",
		"The value for I4 is not valid.",
		"The field Long must be a string with a maximum length of 6.",
	}
	if !reflect.DeepEqual(b.errs, want) {
		t.Fatalf("errors %q\nwant %q", b.errs, want)
	}
}

func TestResolve(t *testing.T) {
	for path, want := range map[string]string{
		"": "portal/test", "/": "portal/test", "/portal": "portal/test", "/PORTAL/": "portal/test",
		"/portal/Register": "portal/register", "/portal/register/": "portal/register",
		"/tariff": "tariff/test", "/settings/save": "settings/save",
	} {
		ep, ok := Resolve(path)
		if !ok || ep.Name != want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", path, ep, ok, want)
		}
	}
	for _, path := range []string{"/portal/register//", "/portal/register/x", "/registration/registerportal",
		"/coresettings/get", "/caldav/test", "x", "//", "/portal/" + "nosuch"} {
		if ep, ok := Resolve(path); ok {
			t.Errorf("Resolve(%q) = %s; want no endpoint", path, ep.Name)
		}
	}
}
