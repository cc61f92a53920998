package validate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Sentinel errors of Names.Check; both become the API's "error" code, with
// the messages "name is required" and "name is incorrect".
var (
	// ErrNameRequired reports first and last names that are blank together.
	ErrNameRequired = errors.New("validate: name is required")
	// ErrNameIncorrect reports a name that fails the configured pattern.
	ErrNameIncorrect = errors.New("validate: name is incorrect")
)

// defaultNamePattern is the core.username.regex both server lineages ship:
// letters, combining marks, apostrophe, space and hyphen. RE2 reads it as
// .NET does, except that it sees a character outside the BMP as one letter
// where .NET sees two surrogates and refuses them.
const defaultNamePattern = `^[\p{L}\p{M}' \-]+$`

// Names checks the owner's first and last name (SPEC 4.5).
type Names struct{ re *regexp.Regexp }

// NewNames compiles pattern, an RE2 expression matched case-sensitively;
// "" means the shipped default.
func NewNames(pattern string) (*Names, error) {
	if pattern == "" {
		pattern = defaultNamePattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("validate: name pattern %q: %w", pattern, err)
	}
	return &Names{re: re}, nil
}

// Check tests the concatenation of the trimmed names, as the servers do, so
// that a last name may be empty when the first is not and a space between
// the two is not required.
func (n *Names) Check(first, last string) error {
	name := strings.TrimSpace(strings.TrimSpace(first) + strings.TrimSpace(last))
	if name == "" {
		return ErrNameRequired
	}
	if !n.re.MatchString(name) {
		return ErrNameIncorrect
	}
	return nil
}
