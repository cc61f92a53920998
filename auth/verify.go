package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

// Sentinel failures returned by Verify, compared with errors.Is. Their texts name the condition
// only: never a key, a presented or an expected hash.
var (
	// ErrMissing means the header is absent, blank, or does not even parse as a scheme and a
	// parameter; the reference server treats an unparsable header as an absent one.
	ErrMissing = errors.New("auth: authorization header missing or unparsable")
	// ErrScheme means the header names a scheme other than ASC (Basic, Bearer, ...).
	ErrScheme = errors.New("auth: authorization scheme is not ASC")
	// ErrInvalid means the ASC token has fewer than three segments, a blank date, a date
	// further ahead than MaxFutureSkew, or a hash that no configured key produced.
	ErrInvalid = errors.New("auth: authorization token invalid")
	// ErrExpired means the token's date is more than TrustInterval in the past.
	ErrExpired = errors.New("auth: authorization token expired")
	// ErrMalformedDate means the date segment is not 14 ASCII digits of a real UTC calendar
	// time; it is its own error because the reference server answers it with a 500.
	ErrMalformedDate = errors.New("auth: authorization date is not a valid yyyyMMddHHmmss time")
)

const (
	// defaultTrustInterval is the reference servers' auth.trust-interval default (SPEC 3.2).
	defaultTrustInterval = 5 * time.Minute
	// defaultMaxFutureSkew is the largest UTC offset (D10): clients that sign local time east of
	// UTC keep working, a token dated decades ahead does not.
	defaultMaxFutureSkew = 14 * time.Hour

	// dateLayout is the token's yyyyMMddHHmmss date in Go's notation.
	dateLayout = "20060102150405"
)

// Config configures a Verifier. Only Keys is required; every zero duration means its default.
type Config struct {
	// Keys are the machine keys (UTF-8) a token may be signed with. A token signed with any of
	// them is accepted, so a key can be rotated by configuring the old and the new one at once.
	// At least one is required and none may be empty.
	Keys []string
	// TrustInterval is how long after its date a token stays valid; default 5m when 0. A token
	// is still accepted at exactly date+TrustInterval.
	TrustInterval time.Duration
	// MaxFutureSkew is how far ahead of the clock a token's date may be; default 14h when 0.
	// A token dated exactly now+MaxFutureSkew is still accepted.
	MaxFutureSkew time.Duration
	// Now is the clock; default time.Now. Tests move it instead of sleeping.
	Now func() time.Time
}

// Verifier checks Authorization header values against a set of machine keys. It is safe for
// concurrent use. Create it with NewVerifier; a zero Verifier rejects every header.
type Verifier struct {
	keys  [][]byte
	trust time.Duration
	skew  time.Duration
	now   func() time.Time
	// macs holds *macState values so that Verify reuses HMAC states (which are not safe for
	// concurrent use) without allocating one per call.
	macs sync.Pool
}

// macState is the per-call scratch of Verify: one keyed HMAC per configured key plus buffers
// that live on the heap once, so that feeding strings to the hash.Hash interface does not
// allocate a []byte per call.
type macState struct {
	macs []hash.Hash
	buf  [128]byte
	sum  [sha1.Size]byte
}

// NewVerifier returns a Verifier for cfg with its defaults applied. It fails when no key is
// given, when a key is empty, or when a duration is negative; the error never contains a key.
func NewVerifier(cfg Config) (*Verifier, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("auth: no machine key configured")
	}
	keys := make([][]byte, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if k == "" {
			return nil, fmt.Errorf("auth: machine key %d of %d is empty", i+1, len(cfg.Keys))
		}
		keys[i] = []byte(k)
	}
	if cfg.TrustInterval < 0 {
		return nil, fmt.Errorf("auth: trust interval %v is negative", cfg.TrustInterval)
	}
	if cfg.MaxFutureSkew < 0 {
		return nil, fmt.Errorf("auth: max future skew %v is negative", cfg.MaxFutureSkew)
	}
	v := &Verifier{
		keys:  keys,
		trust: cfg.TrustInterval,
		skew:  cfg.MaxFutureSkew,
		now:   cfg.Now,
	}
	if v.trust == 0 {
		v.trust = defaultTrustInterval
	}
	if v.skew == 0 {
		v.skew = defaultMaxFutureSkew
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.macs.New = func() any {
		st := &macState{macs: make([]hash.Hash, len(keys))}
		for i, k := range keys {
			st.macs[i] = hmac.New(sha1.New, k)
		}
		return st
	}
	return v, nil
}

// Verify checks header, the raw value of the Authorization request header, and returns nil when
// it carries a valid, unexpired ASC token signed with one of the configured keys, otherwise one
// of the sentinel errors. The checks run in a fixed order (scheme, segments, blank date, date
// format, expiry, future skew, hash) so that the same header always yields the same error.
func (v *Verifier) Verify(header string) error {
	if v == nil || v.macs.New == nil {
		// Fail closed: a Verifier that was never configured must not accept anything.
		return ErrInvalid
	}
	param, err := ascParameter(header)
	if err != nil {
		return err
	}

	// Split on ':' keeping empty segments; segments after the third are ignored.
	i := strings.IndexByte(param, ':')
	if i < 0 {
		return ErrInvalid
	}
	pkey, rest := param[:i], param[i+1:]
	i = strings.IndexByte(rest, ':')
	if i < 0 {
		return ErrInvalid
	}
	date, presented := rest[:i], rest[i+1:]
	if i = strings.IndexByte(presented, ':'); i >= 0 {
		presented = presented[:i]
	}

	// A blank date would make Workspace skip the time check forever; refuse it (SPEC 3.6).
	if strings.TrimSpace(date) == "" {
		return ErrInvalid
	}
	ts, ok := parseDate(date)
	if !ok {
		return ErrMalformedDate
	}
	now := v.now()
	if now.After(ts.Add(v.trust)) {
		return ErrExpired
	}
	if ts.After(now.Add(v.skew)) {
		return ErrInvalid
	}

	var mac [sha1.Size]byte
	if !decodeMAC(&mac, presented) {
		return ErrInvalid
	}
	st, _ := v.macs.Get().(*macState)
	defer v.macs.Put(st)
	for _, h := range st.macs {
		h.Reset()
		st.write(h, date)
		st.buf[0] = '\n'
		h.Write(st.buf[:1])
		st.write(h, pkey)
		if hmac.Equal(h.Sum(st.sum[:0]), mac[:]) {
			return nil
		}
	}
	return ErrInvalid
}

// write feeds s to h through st.buf, because converting s to a []byte for an interface call
// would allocate on every request.
func (st *macState) write(h hash.Hash, s string) {
	for len(s) > 0 {
		n := copy(st.buf[:], s)
		h.Write(st.buf[:n])
		s = s[n:]
	}
}

// ascParameter returns the token part of an ASC Authorization header. The scheme is matched
// case-insensitively as a prefix, with or without whitespace after it, as DocSpace does (D7), so
// "ASCabc:..." and "asc abc:..." both yield "abc:...".
func ascParameter(header string) (string, error) {
	h := trimOWS(header)
	if h == "" {
		return "", ErrMissing
	}
	if len(h) >= 3 && strings.EqualFold(h[:3], "ASC") {
		return strings.TrimLeft(h[3:], " \t"), nil
	}
	// Another scheme is a token followed by the end or whitespace; anything else does not parse
	// as an Authorization value at all, which the reference server treats as no header.
	n := 0
	for n < len(h) && isTokenChar(h[n]) {
		n++
	}
	if n > 0 && (n == len(h) || h[n] == ' ' || h[n] == '\t') {
		return "", ErrScheme
	}
	return "", ErrMissing
}

// trimOWS strips the optional whitespace (space, tab) HTTP allows around a field value.
func trimOWS(s string) string {
	return strings.Trim(s, " \t")
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 tchar), the syntax of an
// authentication scheme name.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// parseDate parses exactly 14 ASCII digits as a yyyyMMddHHmmss UTC time, rejecting any field
// out of its calendar range (month 13, Feb 30, hour 24, second 60, year 0) rather than
// normalising it as time.Date would: .NET's ParseExact refuses those too.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	var d [14]int
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		d[i] = int(c - '0')
	}
	year := d[0]*1000 + d[1]*100 + d[2]*10 + d[3]
	month := d[4]*10 + d[5]
	day := d[6]*10 + d[7]
	hour := d[8]*10 + d[9]
	minute := d[10]*10 + d[11]
	sec := d[12]*10 + d[13]
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// daysIn returns the number of days of month in the proleptic Gregorian year.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
