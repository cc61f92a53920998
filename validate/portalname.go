package validate

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Sentinel errors of PortalNames.Check, one per API error code, so that the
// API layer maps them to portalNameEmpty, tooShortError and
// portalNameIncorrect in one place.
var (
	// ErrPortalNameEmpty reports a name that is empty after trimming.
	ErrPortalNameEmpty = errors.New("validate: portal name is empty")
	// ErrPortalNameLength reports a name shorter than the minimum or longer
	// than the maximum; the servers use one code (tooShortError) for both.
	ErrPortalNameLength = errors.New("validate: portal name length is out of range")
	// ErrPortalNameIncorrect reports a name that fails the pattern or is an
	// IDNA (punycode) label.
	ErrPortalNameIncorrect = errors.New("validate: portal name has unallowable symbols")
)

// Limits of the portal-name length (SPEC 4.1). A DNS label holds at most 63
// octets; 3 is the least the default pattern can ever match.
const (
	defaultPortalNameMin = 6
	defaultPortalNameMax = 63
	floorPortalNameMax   = 3
)

// defaultReserved is the DocSpace seed of tenants_forbiden (SPEC 4.2), a
// superset of the Workspace one, so that a gateway in front of either
// product never hands out a name the product itself needs.
var defaultReserved = []string{
	"controlpanel",
	"localhost",
	"settings",
	"api-system-eu-central-1",
	"api-system-us-east-2",
	"identity-eu-central-1",
	"identity-us-east-2",
	"oauth",
}

// PortalNameRules is the configuration of the portal-name check. Its zero
// value is the default rule set of SPEC 4.1 and 4.2.
type PortalNameRules struct {
	// MinLength is the least number of UTF-16 code units a name may have.
	// 0 means 6. Other values are clamped to [1, MaxLength] as the servers
	// clamp web.alias.min.
	MinLength int
	// MaxLength is the greatest number of UTF-16 code units a name may have.
	// 0 means 63. Other values are clamped to [3, 63] as the servers clamp
	// web.alias.max.
	MaxLength int
	// Pattern replaces the default ^[a-z0-9]([a-z0-9-]){1,MaxLength-2}[a-z0-9]$
	// (web.alias.regex). It is RE2 syntax and always matched
	// case-insensitively, as the servers match it.
	Pattern string
	// Reserved lists names nobody may register. nil means the DocSpace list;
	// an empty non-nil slice means none. Entries are compared lower-cased.
	Reserved []string
}

// PortalNames is a compiled PortalNameRules. It is safe for concurrent use.
type PortalNames struct {
	min, max int
	re       *regexp.Regexp
	// defaultPattern is set when re is the default pattern, which matchDefault checks
	// without the regexp engine (a tenth of a validateportalname answer).
	defaultPattern bool
	reserved       map[string]struct{}
	sorted         []string // reserved names, sorted, for prefix look-ups
}

// Compile checks r, applies its defaults and returns the rule set ready for
// use. The error names the setting that is wrong.
func (r PortalNameRules) Compile() (*PortalNames, error) {
	p := &PortalNames{max: defaultPortalNameMax, min: defaultPortalNameMin}
	if r.MaxLength != 0 {
		p.max = max(floorPortalNameMax, min(defaultPortalNameMax, r.MaxLength))
	}
	if r.MinLength != 0 {
		p.min = max(1, min(p.max, r.MinLength))
	}
	// A lowered default maximum can fall below the default minimum; the
	// servers clamp the minimum only when it is configured, which would leave
	// a rule no name can pass.
	p.min = min(p.min, p.max)

	pattern := r.Pattern
	if pattern == "" {
		pattern = fmt.Sprintf(`^[a-z0-9]([a-z0-9-]){1,%d}[a-z0-9]$`, p.max-2)
	}
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, fmt.Errorf("validate: portal name Pattern %q: %w", r.Pattern, err)
	}
	p.re = re
	p.defaultPattern = r.Pattern == ""

	reserved := r.Reserved
	if reserved == nil {
		reserved = defaultReserved
	}
	p.reserved = make(map[string]struct{}, len(reserved))
	for i, name := range reserved {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			return nil, fmt.Errorf("validate: portal name Reserved[%d] is empty", i)
		}
		if _, dup := p.reserved[name]; dup {
			continue
		}
		p.reserved[name] = struct{}{}
		p.sorted = append(p.sorted, name)
	}
	sort.Strings(p.sorted)
	return p, nil
}

// MinLength returns the effective minimum length, which the variants of
// portalNameExist depend on (SPEC 4.3).
func (p *PortalNames) MinLength() int { return p.min }

// Check applies steps 1 to 4 of SPEC 4.1 to the trimmed name, in the
// servers' order so that a name failing several rules gets the same error
// code, and returns the alias to store: the name lower-cased. Whether the
// alias is reserved or taken is for the caller to ask (Reserved and its
// store).
func (p *PortalNames) Check(name string) (alias string, err error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", ErrPortalNameEmpty
	}
	// .NET measures strings in UTF-16 code units, so a name of astral
	// characters is twice as long there as its rune count.
	if n := utf16Len(name); n < p.min || n > p.max {
		return "", ErrPortalNameLength
	}
	if p.defaultPattern {
		if !matchDefault(name) {
			return "", ErrPortalNameIncorrect
		}
	} else if !p.re.MatchString(name) {
		return "", ErrPortalNameIncorrect
	}
	// Go's (?i) folds the Kelvin sign into k and the long s into s, so a
	// pattern of ASCII letters can pass non-ASCII input. The servers' IDNA
	// round trip would map such characters and accept the name, then store it
	// lower-cased but not mapped ("ſ" stays "ſ"), which no DNS name can carry.
	// Any non-ASCII name is an IDN label, so it is refused here.
	if !isASCII(name) {
		return "", ErrPortalNameIncorrect
	}
	alias = strings.ToLower(name)
	if isALabel(alias) {
		return "", ErrPortalNameIncorrect
	}
	return alias, nil
}

// matchDefault is the default pattern ^[a-z0-9]([a-z0-9-]){1,max-2}[a-z0-9]$ (case-insensitive)
// for a name whose length Check has bounded already: at least 3 characters, letters and
// digits at both ends, hyphens allowed between. It differs from the regexp only on non-ASCII
// input, which Check refuses next anyway.
func matchDefault(name string) bool {
	if len(name) < 3 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i] | 0x20 // ASCII letters to lower case; digits and '-' keep their class
		alnum := ('a' <= c && c <= 'z') || ('0' <= name[i] && name[i] <= '9')
		if !alnum && (name[i] != '-' || i == 0 || i == len(name)-1) {
			return false
		}
	}
	return true
}

// isALabel reports whether some label of the lower-cased ASCII name is a
// punycode A-label that decodes to something else (SPEC 4.1 step 4). IDNA
// errors leave the name valid, as on the servers. The fast path keeps the
// common case free of allocations: without "xn--" no label can decode.
func isALabel(alias string) bool {
	if !strings.Contains(alias, "xn--") {
		return false
	}
	// The Punycode profile decodes without mapping or validating, so the
	// only question asked is whether the label decodes.
	u, err := idna.Punycode.ToUnicode(alias)
	return err == nil && u != alias
}

// Reserved reports whether the lower-cased alias is on the reserved list.
func (p *PortalNames) Reserved(alias string) bool {
	_, ok := p.reserved[alias]
	return ok
}

// VariantPrefix returns the prefix the variants of portalNameExist are
// searched by (SPEC 4.3 step 1): the lower-cased alias with trailing digits
// dropped while it is longer than the minimum length, so that example123
// suggests the other example names but a short name keeps enough to be a
// useful prefix.
func (p *PortalNames) VariantPrefix(alias string) string {
	prefix := strings.ToLower(alias)
	n := utf16Len(prefix)
	// unicode.IsDigit is .NET's char.IsDigit (category Nd); a checked alias
	// only ends in ASCII digits, but the prefix rule does not depend on that.
	for n > p.min {
		r, size := utf8.DecodeLastRuneInString(prefix)
		if !unicode.IsDigit(r) {
			break
		}
		prefix = prefix[:len(prefix)-size]
		n -= utf16.RuneLen(r)
	}
	return prefix
}

// ReservedWithPrefix returns the reserved names that start with prefix,
// compared case-insensitively as the servers' MySQL collation does, sorted
// ascending. The result is the caller's to modify.
func (p *PortalNames) ReservedWithPrefix(prefix string) []string {
	prefix = strings.ToLower(prefix)
	i := sort.SearchStrings(p.sorted, prefix)
	j := i
	for j < len(p.sorted) && strings.HasPrefix(p.sorted[j], prefix) {
		j++
	}
	if i == j {
		return nil
	}
	return append([]string(nil), p.sorted[i:j]...)
}

// utf16Len returns the length of s as .NET's String.Length counts it.
// Invalid UTF-8 counts one unit per bad byte, as it would after decoding to
// U+FFFD.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			for _, r := range s[i:] {
				n += utf16.RuneLen(r)
			}
			return n
		}
		n++
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
