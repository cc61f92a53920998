package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// valueKind says where a field's text came from, so coercion can follow Json.NET: a JSON
// number is its literal text, a JSON object cannot become a string, and so on.
type valueKind uint8

const (
	kindText    valueKind = iota // a form or query value, or a JSON string
	kindNumber                   // a JSON number, text is its literal
	kindBool                     // a JSON true/false, text is "true"/"false"
	kindNull                     // a JSON null
	kindComplex                  // a JSON object or array
)

type value struct {
	text string
	kind valueKind
}

// input is a request's fields: the body's (keys lower-cased, the last duplicate wins) and the
// query's, which stand in for any field the body lacks (DECISIONS D4).
type input struct {
	body  map[string]value
	query map[string]value
}

// empty reports whether neither the body nor the query carries any field: the "model is
// null" case of SPEC 2A.2 step 1.
func (in *input) empty() bool { return len(in.body) == 0 && len(in.query) == 0 }

func (in *input) lookup(name string) (value, bool) {
	if v, ok := in.body[name]; ok {
		return v, true
	}
	v, ok := in.query[name]
	return v, ok
}

// errBodyTooLarge, errMediaType, errJSON and errForm are the ways a body can be refused before
// any field is looked at; readInput's caller maps them to their Failure.
var (
	errBodyTooLarge = errors.New("request body over the limit")
	errMediaType    = errors.New("unsupported request body media type")
	errJSON         = errors.New("request body is not a JSON object")
	errForm         = errors.New("request body is not form data")
	errCharset      = errors.New("unsupported request body charset")
)

// readInput decodes the query and, when withBody, the body of r, reading at most limit bytes.
func readInput(r *http.Request, withBody bool, limit int64) (*input, error) {
	in := &input{query: parseQuery(r.URL.RawQuery)}
	if !withBody || r.Body == nil || r.Body == http.NoBody {
		return in, nil
	}
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errBodyTooLarge
		}
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, errBodyTooLarge
	}
	ctype := r.Header.Get("Content-Type")
	if raw, err = toUTF8(ctype, raw); err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return in, nil
	}
	switch bodyKind(ctype, raw) {
	case "json":
		in.body, err = parseJSONObject(raw)
	case "form":
		in.body, err = parseForm(string(raw))
		if err != nil {
			err = errForm
		}
	default:
		err = errMediaType
	}
	return in, err
}

// bodyKind names the decoder for a body: "json", "form" or "" (415). A body sent without a
// Content-Type is sniffed, so a bare HTTP client that forgets the header still works.
func bodyKind(contentType string, raw []byte) string {
	if strings.TrimSpace(contentType) == "" {
		if raw[0] == '{' {
			return "json"
		}
		return "form"
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch {
	case mt == "application/json" || mt == "text/json" ||
		(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")):
		return "json"
	case mt == "application/x-www-form-urlencoded":
		return "form"
	}
	return ""
}

// utf8BOM starts some JSON bodies; Json.NET skips it, and so does the gateway.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// toUTF8 decodes a body sent in another charset (charset=iso-8859-1, utf-16, windows-1252 and
// every other WHATWG label) and drops a UTF-8 byte-order mark.
func toUTF8(contentType string, raw []byte) ([]byte, error) {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := strings.ToLower(strings.TrimSpace(params["charset"])); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
			enc, err := htmlindex.Get(cs)
			if err != nil {
				return nil, errCharset
			}
			if raw, err = enc.NewDecoder().Bytes(raw); err != nil {
				return nil, errCharset
			}
		}
	}
	return bytes.TrimPrefix(raw, utf8BOM), nil
}

// parseQuery reads the query string leniently, as ASP.NET does: a malformed escape stays as
// written instead of refusing the request, since the query only stands in for fields the
// body lacks.
func parseQuery(s string) map[string]value {
	out := map[string]value{}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(pair, "=")
		key, val := unescapeLenient(k), unescapeLenient(v)
		if key != "" {
			out[strings.ToLower(key)] = value{text: val}
		}
	}
	return out
}

func unescapeLenient(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

// parseForm reads URL-encoded pairs with lower-cased keys, so a key sent in two spellings is
// one key; the last value of a key wins. A malformed escape refuses the whole form.
func parseForm(s string) (map[string]value, error) {
	out := map[string]value{}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("form key: %w", err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("form value of %q: %w", key, err)
		}
		if key != "" {
			out[strings.ToLower(key)] = value{text: val}
		}
	}
	return out, nil
}

// parseJSONObject reads one JSON object with lower-cased keys; the last duplicate wins. JSON
// null as the whole body is an empty model, as Json.NET reads it.
func parseJSONObject(raw []byte) (map[string]value, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	if out, ok := parseFlatJSON(raw); ok {
		return out, nil
	}
	return parseJSONGeneral(raw)
}

// parseFlatJSON reads the body nearly every client sends, a flat object of strings without
// escapes, true, false and null, without encoding/json's reflection. ok is false for
// anything else (numbers, escapes, nesting, keys that differ only in case, a syntax error),
// which parseJSONGeneral then reads or refuses; FuzzFlatJSON holds the two to one answer.
func parseFlatJSON(raw []byte) (map[string]value, bool) {
	i := skipJSONSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	out := make(map[string]value, 8)
	i = skipJSONSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return out, skipJSONSpace(raw, i+1) == len(raw)
	}
	for {
		key, next, ok := plainJSONString(raw, i)
		if !ok {
			return nil, false
		}
		i = skipJSONSpace(raw, next)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipJSONSpace(raw, i+1)
		if i >= len(raw) {
			return nil, false
		}
		var v value
		switch {
		case raw[i] == '"':
			text, next, ok := plainJSONString(raw, i)
			if !ok {
				return nil, false
			}
			v, i = value{text: text}, next
		case bytes.HasPrefix(raw[i:], []byte("true")):
			v, i = value{text: "true", kind: kindBool}, i+4
		case bytes.HasPrefix(raw[i:], []byte("false")):
			v, i = value{text: "false", kind: kindBool}, i+5
		case bytes.HasPrefix(raw[i:], []byte("null")):
			v, i = value{kind: kindNull}, i+4
		default:
			return nil, false
		}
		lk := strings.ToLower(key)
		if _, dup := out[lk]; dup {
			return nil, false // the general path knows which of the two came last
		}
		out[lk] = v
		i = skipJSONSpace(raw, i)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipJSONSpace(raw, i+1)
		case '}':
			return out, skipJSONSpace(raw, i+1) == len(raw)
		default:
			return nil, false
		}
	}
}

// plainJSONString reads the string at raw[i] when it has no escape, no control character and
// only valid UTF-8; next is the index after its closing quote.
func plainJSONString(raw []byte, i int) (s string, next int, ok bool) {
	if i >= len(raw) || raw[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			if !utf8.Valid(raw[i+1 : j]) {
				return "", 0, false
			}
			return string(raw[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

func skipJSONSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// parseJSONGeneral reads any JSON object with encoding/json.
func parseJSONGeneral(raw []byte) (map[string]value, error) {
	// Fast path: encoding/json keeps the last of two equal keys itself. Only keys that differ
	// in case alone need the order of the stream to say which one came last.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, errJSON
	}
	out := make(map[string]value, len(members))
	for k, v := range members {
		lk := strings.ToLower(k)
		if _, dup := out[lk]; dup {
			return parseJSONStream(raw)
		}
		val, err := jsonValue(v)
		if err != nil {
			return nil, errJSON
		}
		out[lk] = val
	}
	return out, nil
}

// parseJSONStream reads the object token by token, so the last of keys that differ only in
// case wins.
func parseJSONStream(raw []byte) (map[string]value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errJSON
	}
	out := map[string]value{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errJSON
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errJSON
		}
		var rawVal json.RawMessage
		if err := dec.Decode(&rawVal); err != nil {
			return nil, errJSON
		}
		v, err := jsonValue(rawVal)
		if err != nil {
			return nil, errJSON
		}
		out[strings.ToLower(key)] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errJSON // something follows the object
	}
	return out, nil
}

func jsonValue(raw json.RawMessage) (value, error) {
	switch raw[0] {
	case '"':
		// Most strings have no escape: take them as they are (encoding/json has checked the
		// syntax, and invalid UTF-8 still goes the long way to become U+FFFD).
		if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return value{text: string(inner)}, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return value{}, err
		}
		return value{text: s}, nil
	case 't', 'f':
		return value{text: string(raw), kind: kindBool}, nil
	case 'n':
		return value{kind: kindNull}, nil
	case '{', '[':
		return value{kind: kindComplex}, nil
	default:
		return value{text: string(raw), kind: kindNumber}, nil
	}
}

// binder reads typed fields from an input and collects one model-state message per invalid
// field, in the order the fields are read (SPEC 4.8).
type binder struct {
	in   *input
	errs []string
}

func (b *binder) fail(msg string) { b.errs = append(b.errs, msg) }

func (b *binder) invalid(field string) {
	b.fail(fmt.Sprintf("The value for %s is not valid.", field))
}

// str reads a string field; present is false when it is absent or JSON null. max > 0 caps
// its length in UTF-16 code units, as .NET's StringLength does.
func (b *binder) str(field string, max int) (s string, present bool) {
	v, ok := b.in.lookup(strings.ToLower(field))
	if !ok || v.kind == kindNull {
		return "", false
	}
	if v.kind == kindComplex {
		b.invalid(field)
		return "", false
	}
	if max > 0 && utf16Len(v.text) > max {
		b.fail(fmt.Sprintf("The field %s must be a string with a maximum length of %d.", field, max))
		return "", false
	}
	return v.text, true
}

// has reports whether the field was sent at all (JSON null included), for the required
// members of register.
func (b *binder) has(field string) bool {
	_, ok := b.in.lookup(strings.ToLower(field))
	return ok
}

// integer reads an integer field from a JSON number or a decimal string.
func (b *binder) integer(field string, bits int) (n int64, present bool) {
	v, ok := b.in.lookup(strings.ToLower(field))
	if !ok || v.kind == kindNull || (v.kind == kindText && strings.TrimSpace(v.text) == "") {
		return 0, false
	}
	if v.kind != kindText && v.kind != kindNumber {
		b.invalid(field)
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.text), 10, bits)
	if err != nil {
		b.invalid(field)
		return 0, false
	}
	return n, true
}

// boolean reads true/false, "true"/"false" (any case) and 0/1.
func (b *binder) boolean(field string) bool {
	v, ok := b.in.lookup(strings.ToLower(field))
	if !ok || v.kind == kindNull || (v.kind == kindText && strings.TrimSpace(v.text) == "") {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v.text)) {
	case "true", "1":
		if v.kind != kindComplex {
			return true
		}
	case "false", "0":
		if v.kind != kindComplex {
			return false
		}
	}
	b.invalid(field)
	return false
}

// date reads a Json.NET-readable date: a date, a date-time, with or without an offset. A
// value with an offset is converted to UTC; one without is taken as UTC.
func (b *binder) date(field string) (t time.Time, present bool) {
	v, ok := b.in.lookup(strings.ToLower(field))
	if !ok || v.kind == kindNull || (v.kind == kindText && strings.TrimSpace(v.text) == "") {
		return time.Time{}, false
	}
	if v.kind != kindText {
		b.invalid(field)
		return time.Time{}, false
	}
	t, err := parseDate(strings.TrimSpace(v.text))
	if err != nil {
		b.invalid(field)
		return time.Time{}, false
	}
	return t, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01-02 15:04:05",
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		// Year 0000 parses in Go but is no .NET DateTime.
		if t, err := time.Parse(layout, s); err == nil && t.UTC().Year() >= 1 {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

// utf16Len counts UTF-16 code units, the unit of .NET string lengths.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
