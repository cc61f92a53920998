package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// confirmEpoch is the origin of the millisecond count in a confirmation key (SPEC 6.4).
var confirmEpoch = time.Date(2010, time.January, 1, 0, 0, 0, 0, time.UTC)

// ConfirmKey mints the portal e-mail validation key of SPEC 6.4, "ms.S", that a real portal
// accepts in its confirmation links: ms is the whole milliseconds from 2010-01-01T00:00:00Z to t,
// and S the upper-cased standard Base64 of SHA-256 over lower(text)+"|"+tenantID+"|"+machineKey
// as ASCII followed by ms as 8 little-endian bytes, with '=', '+', '/' and '\' removed. text is
// e-mail+"Auth"+postfix for the registration reference and owner-id+"Auth" for the
// congratulation URL.
func ConfirmKey(text string, tenantID int64, machineKey string, t time.Time) string {
	// .NET's cast of TotalMilliseconds truncates toward zero, as Duration.Milliseconds does.
	ms := t.Sub(confirmEpoch).Milliseconds()

	// The portal lower-cases only the text, then encodes the whole string as ASCII, where every
	// other character becomes '?'.
	data := make([]byte, 0, len(text)+len(machineKey)+32)
	data = appendASCII(data, text, true)
	data = append(data, '|')
	data = strconv.AppendInt(data, tenantID, 10)
	data = append(data, '|')
	data = appendASCII(data, machineKey, false)
	data = binary.LittleEndian.AppendUint64(data, uint64(ms))
	sum := sha256.Sum256(data)

	s := strings.ToUpper(base64.StdEncoding.EncodeToString(sum[:]))
	s = strings.Map(func(r rune) rune {
		if r == '=' || r == '+' || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, s)
	return strconv.FormatInt(ms, 10) + "." + s
}

// appendASCII appends s to dst as .NET's Encoding.ASCII would encode it, lower-cased first when
// lower is set (per character, as ToLowerInvariant): each character outside ASCII becomes '?'.
func appendASCII(dst []byte, s string, lower bool) []byte {
	for _, r := range s {
		if lower {
			r = unicode.ToLower(r)
		}
		if r >= utf8.RuneSelf {
			r = '?'
		}
		dst = append(dst, byte(r))
	}
	return dst
}
