package validate

import (
	"fmt"
	"unicode"
	"unicode/utf16"
)

// PasswordPolicy is the password rule of the register endpoint (SPEC 4.6,
// DECISIONS D14). The servers express it as a regex with look-aheads, which
// RE2 lacks, so the classes are tested in code.
type PasswordPolicy struct {
	// MinLength and MaxLength bound the length in UTF-16 code units, the
	// unit .NET counts in.
	MinLength, MaxLength int
	// AnyCharacters allows every character but a newline (the Workspace v11
	// rule). False allows printable ASCII \x21-\x7E only, without space
	// (the v12+ and DocSpace rule).
	AnyCharacters bool
	// RequireDigit asks for a decimal digit (any Unicode Nd, as .NET's \d).
	RequireDigit bool
	// RequireUpper asks for an ASCII upper-case letter A-Z.
	RequireUpper bool
	// RequireSpecial asks for one of the ASCII punctuation characters
	// \x21-\x2F, \x3A-\x40, \x5B-\x60, \x7B-\x7E.
	RequireSpecial bool
}

// DefaultPasswordPolicy returns the Workspace v12+ policy the gateway
// defaults to: 8 to 120 printable ASCII characters, no class required.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: 8, MaxLength: 120}
}

// Validate reports a policy no password could meet or that the servers
// would not accept as configuration.
func (p PasswordPolicy) Validate() error {
	if p.MinLength < 1 {
		return fmt.Errorf("validate: password MinLength %d is less than 1", p.MinLength)
	}
	if p.MaxLength < p.MinLength {
		return fmt.Errorf("validate: password MaxLength %d is less than MinLength %d", p.MaxLength, p.MinLength)
	}
	required := 0
	for _, on := range []bool{p.RequireDigit, p.RequireUpper, p.RequireSpecial} {
		if on {
			required++
		}
	}
	if required > p.MaxLength {
		return fmt.Errorf("validate: password MaxLength %d is less than the %d required character classes", p.MaxLength, required)
	}
	return nil
}

// Check reports whether pw meets the policy.
func (p PasswordPolicy) Check(pw string) bool {
	n := 0
	var digit, upper, special bool
	for _, r := range pw {
		if p.AnyCharacters {
			if r == '\n' {
				return false
			}
		} else if r < 0x21 || r > 0x7E {
			return false
		}
		n += utf16.RuneLen(r)
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case isSpecial(r):
			special = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if n < p.MinLength || n > p.MaxLength {
		return false
	}
	return (!p.RequireDigit || digit) && (!p.RequireUpper || upper) && (!p.RequireSpecial || special)
}

func isSpecial(r rune) bool {
	return (r >= 0x21 && r <= 0x2F) || (r >= 0x3A && r <= 0x40) ||
		(r >= 0x5B && r <= 0x60) || (r >= 0x7B && r <= 0x7E)
}
