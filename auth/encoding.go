package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Encoding names one of the five text forms in which clients send the token's hash (SPEC 3.4).
// Verify accepts all of them; Sign needs to be told which one to produce.
type Encoding int

const (
	// StdPadded is standard Base64 with '=' padding (Convert.ToBase64String; the Bash and
	// Python samples).
	StdPadded Encoding = iota
	// StdUnpadded is standard Base64 without padding.
	StdUnpadded
	// URLPadded is URL-safe Base64 with '=' padding (the PowerShell and Java samples).
	URLPadded
	// URLUnpadded is URL-safe Base64 without padding (WebEncoders.Base64UrlEncode; the docs'
	// example token, the Node and Ruby samples).
	URLUnpadded
	// URLToken is HttpServerUtility.UrlTokenEncode: URL-safe, padding replaced by its count as
	// one digit (the C# and PHP samples, and what Workspace portals send).
	URLToken
)

// Sign returns the full Authorization header value "ASC pkey:yyyyMMddHHmmss:hash" for t
// (converted to UTC and truncated to the second), signed with machineKey and its hash written in
// enc. It exists for clients and tests of this gateway; pkey must not contain ':' nor start with
// whitespace, or the token will not verify. Sign panics on an Encoding outside the five
// constants, as that is a programming error.
func Sign(machineKey, pkey string, t time.Time, enc Encoding) string {
	date := t.UTC().Format(dateLayout)
	m := hmac.New(sha1.New, []byte(machineKey))
	m.Write([]byte(date + "\n" + pkey))
	return "ASC " + pkey + ":" + date + ":" + encodeMAC(m.Sum(nil), enc)
}

// encodeMAC writes b in enc.
func encodeMAC(b []byte, enc Encoding) string {
	switch enc {
	case StdPadded:
		return base64.StdEncoding.EncodeToString(b)
	case StdUnpadded:
		return base64.RawStdEncoding.EncodeToString(b)
	case URLPadded:
		return base64.URLEncoding.EncodeToString(b)
	case URLUnpadded:
		return base64.RawURLEncoding.EncodeToString(b)
	case URLToken:
		// SPEC 3.5: empty input gives "", otherwise URL-safe Base64 with the '=' run replaced by
		// its length as a digit.
		if len(b) == 0 {
			return ""
		}
		s := base64.URLEncoding.EncodeToString(b)
		body := strings.TrimRight(s, "=")
		return body + string(rune('0'+len(s)-len(body)))
	}
	panic(fmt.Sprintf("auth: unknown Encoding %d", int(enc)))
}

// Lengths of a SHA-1 MAC in Base64: 27 characters unpadded, one more for either the '=' of the
// padded forms or the '1' of the UrlTokenEncode form.
const (
	macBase64Len       = (sha1.Size*8 + 5) / 6
	macBase64PaddedLen = macBase64Len + 1
)

// Classes of a Base64 character in base64Value, beside its 6-bit value.
const (
	b64Invalid = 0xff
	b64Std     = 0x40 // '+' or '/': standard alphabet only
	b64URL     = 0x80 // '-' or '_': URL-safe alphabet only
	b64Value   = 0x3f
)

// base64Value maps a byte to its 6-bit value, tagged with the alphabet it belongs to, or to
// b64Invalid. A table of our own (rather than encoding/base64) lets one pass both decode and
// notice a string that mixes the two alphabets, and never skips CR/LF as encoding/base64 does.
var base64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	const common = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i < len(common); i++ {
		t[common[i]] = byte(i)
	}
	t['+'], t['/'] = 62|b64Std, 63|b64Std
	t['-'], t['_'] = 62|b64URL, 63|b64URL
	return t
}()

// decodeMAC decodes a presented hash written in any of the five encodings into dst and reports
// whether it was well-formed. For a 20-byte MAC the length tells the forms apart (27 unpadded,
// 28 ending '=' padded, 28 ending '1' UrlTokenEncode), and decoding is strict: one alphabet only
// (URL-safe for the '1' form), and the two spare bits of the last character zero. So exactly the
// five canonical strings of a MAC decode to it, no other string does.
func decodeMAC(dst *[sha1.Size]byte, s string) bool {
	urlOnly := false
	switch {
	case len(s) == macBase64Len:
	case len(s) == macBase64PaddedLen && s[macBase64Len] == '=':
		s = s[:macBase64Len]
	case len(s) == macBase64PaddedLen && s[macBase64Len] == '1':
		s = s[:macBase64Len]
		urlOnly = true
	default:
		return false
	}
	var seen byte
	var v [macBase64Len]byte
	for i := 0; i < len(s); i++ {
		c := base64Value[s[i]]
		if c == b64Invalid {
			return false
		}
		seen |= c
		v[i] = c & b64Value
	}
	if seen&(b64Std|b64URL) == b64Std|b64URL || urlOnly && seen&b64Std != 0 {
		return false
	}
	// Six full quanta of 4 characters give 18 bytes; the last 3 characters carry 2 bytes and 2
	// bits that a canonical encoder leaves zero.
	j := 0
	for i := 0; i+4 <= len(v); i += 4 {
		q := uint32(v[i])<<18 | uint32(v[i+1])<<12 | uint32(v[i+2])<<6 | uint32(v[i+3])
		dst[j], dst[j+1], dst[j+2] = byte(q>>16), byte(q>>8), byte(q)
		j += 3
	}
	q := uint32(v[24])<<12 | uint32(v[25])<<6 | uint32(v[26])
	if q&3 != 0 {
		return false
	}
	dst[18], dst[19] = byte(q>>10), byte(q>>2)
	return true
}
