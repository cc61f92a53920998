package ratelimit

import (
	"fmt"
	"regexp"
	"strings"
)

// TestEmails recognises the e-mail addresses of monitoring and autotests, which neither the
// attempt limiter nor reCAPTCHA apply to (SPEC 5.1, web.autotest.secret-email).
type TestEmails struct {
	re       *regexp.Regexp
	matchAll bool
}

// NewTestEmails compiles pattern (case-insensitive). With DocSpace semantics an empty
// pattern matches no address; legacyEmptyMatchesAll restores the Workspace quirk where it
// matches every address, which turns the limiter and reCAPTCHA off for everyone.
func NewTestEmails(pattern string, legacyEmptyMatchesAll bool) (*TestEmails, error) {
	t := &TestEmails{matchAll: pattern == "" && legacyEmptyMatchesAll}
	if pattern != "" {
		re, err := regexp.Compile("(?i)" + pattern)
		if err != nil {
			return nil, fmt.Errorf("test e-mail pattern: %w", err)
		}
		t.re = re
	}
	return t, nil
}

// Match reports whether email is a test address. As DocSpace does, dots in the local part of
// a gmail.com address are removed first, since Gmail ignores them.
func (t *TestEmails) Match(email string) bool {
	if t == nil {
		return false
	}
	if t.matchAll {
		return true
	}
	if t.re == nil {
		return false
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if local, domain, ok := strings.Cut(email, "@"); ok && domain == "gmail.com" {
		email = strings.ReplaceAll(local, ".", "") + "@" + domain
	}
	return t.re.MatchString(email)
}
