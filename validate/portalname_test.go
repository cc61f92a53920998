package validate

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustCompile(t testing.TB, r PortalNameRules) *PortalNames {
	t.Helper()
	p, err := r.Compile()
	if err != nil {
		t.Fatalf("Compile(%+v): %v", r, err)
	}
	return p
}

type nameCase struct {
	name  string
	alias string
	err   error
}

func runNameCases(t *testing.T, p *PortalNames, cases []nameCase) {
	t.Helper()
	for _, c := range cases {
		alias, err := p.Check(c.name)
		if !errors.Is(err, c.err) || alias != c.alias {
			t.Errorf("Check(%q) = %q, %v; want %q, %v", c.name, alias, err, c.alias, c.err)
		}
	}
}

func TestPortalNameCheckDefault(t *testing.T) {
	p := mustCompile(t, PortalNameRules{})
	runNameCases(t, p, []nameCase{
		// SPEC 4.1 examples.
		{"example", "example", nil},
		{"Example", "example", nil},
		{"ex-ample", "ex-ample", nil},
		{"ex--ample", "ex--ample", nil},
		{"abcdef", "abcdef", nil},
		{"ab", "", ErrPortalNameLength},
		{strings.Repeat("a", 64), "", ErrPortalNameLength},
		{"-example", "", ErrPortalNameIncorrect},
		{"example-", "", ErrPortalNameIncorrect},
		{"exa_mple", "", ErrPortalNameIncorrect},
		{"портал", "", ErrPortalNameIncorrect},
		{"xn--80ak6aa92e", "", ErrPortalNameIncorrect},
		// Empty, trimming and bounds.
		{"", "", ErrPortalNameEmpty},
		{" \t\r\n\u00a0\u3000", "", ErrPortalNameEmpty},
		{"  Example  ", "example", nil},
		{"\texample\n", "example", nil},
		{"abcde", "", ErrPortalNameLength},
		{strings.Repeat("a", 63), strings.Repeat("a", 63), nil},
		{"123456", "123456", nil},
		{"EXAMPLE-42", "example-42", nil},
		// Length before pattern: a short bad name is too short, not incorrect.
		{"a_b", "", ErrPortalNameLength},
		// UTF-16 units: three astral letters are 6 units (passes the length
		// step), two are 4 (fails it), whatever their rune or byte count.
		{"𝒜𝒜𝒜", "", ErrPortalNameIncorrect},
		{"𝒜𝒜", "", ErrPortalNameLength},
		// Characters RE2's (?i) folds into ASCII letters are still refused.
		{"example\u212a", "", ErrPortalNameIncorrect}, // Kelvin sign
		{"example\u017f", "", ErrPortalNameIncorrect}, // long s
		// Punycode in any case, and a name that only looks like one.
		{"XN--80AK6AA92E", "", ErrPortalNameIncorrect},
		{"Xn--80ak6aa92e", "", ErrPortalNameIncorrect},
		{"xnn--example", "xnn--example", nil},
		{"ex.ample", "", ErrPortalNameIncorrect},
		{"exa mple", "", ErrPortalNameIncorrect},
	})
}

func TestPortalNameReservedDefault(t *testing.T) {
	p := mustCompile(t, PortalNameRules{})
	for _, name := range []string{
		"controlpanel", "localhost", "settings", "api-system-eu-central-1",
		"api-system-us-east-2", "identity-eu-central-1", "identity-us-east-2", "oauth",
	} {
		if !p.Reserved(name) {
			t.Errorf("Reserved(%q) = false; want true", name)
		}
	}
	for _, name := range []string{"example", "control", "Localhost", "oauth2"} {
		if p.Reserved(name) {
			t.Errorf("Reserved(%q) = true; want false", name)
		}
	}
	// A reserved name passes Check; the reservation is the next step.
	alias, err := p.Check("ControlPanel")
	if err != nil || alias != "controlpanel" || !p.Reserved(alias) {
		t.Errorf("Check(ControlPanel) = %q, %v, reserved %v", alias, err, p.Reserved(alias))
	}
	// Under the default minimum, oauth is too short before it is reserved.
	if _, err := p.Check("oauth"); !errors.Is(err, ErrPortalNameLength) {
		t.Errorf("Check(oauth) error = %v; want %v", err, ErrPortalNameLength)
	}
	if p.MinLength() != 6 {
		t.Errorf("MinLength() = %d; want 6", p.MinLength())
	}
}

func TestPortalNameRulesCustom(t *testing.T) {
	tests := []struct {
		rules   PortalNameRules
		min     int
		pattern string // the compiled expression, without the (?i) prefix
		cases   []nameCase
	}{
		{
			rules: PortalNameRules{MinLength: 3}, min: 3,
			pattern: `^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$`,
			cases: []nameCase{
				{"abc", "abc", nil},
				{"ab", "", ErrPortalNameLength},
				{"oauth", "oauth", nil},
			},
		},
		{
			rules: PortalNameRules{MaxLength: 10}, min: 6,
			pattern: `^[a-z0-9]([a-z0-9-]){1,8}[a-z0-9]$`,
			cases: []nameCase{
				{"abcdefghij", "abcdefghij", nil},
				{"abcdefghijk", "", ErrPortalNameLength},
			},
		},
		// Clamping as the servers clamp web.alias.max and web.alias.min.
		{rules: PortalNameRules{MaxLength: 100}, min: 6, pattern: `^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$`,
			cases: []nameCase{{strings.Repeat("a", 64), "", ErrPortalNameLength}}},
		{rules: PortalNameRules{MaxLength: 1, MinLength: 1}, min: 1, pattern: `^[a-z0-9]([a-z0-9-]){1,1}[a-z0-9]$`,
			cases: []nameCase{{"abc", "abc", nil}, {"ab", "", ErrPortalNameIncorrect}, {"abcd", "", ErrPortalNameLength}}},
		{rules: PortalNameRules{MinLength: 100}, min: 63, pattern: `^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$`,
			cases: []nameCase{{strings.Repeat("a", 62), "", ErrPortalNameLength}, {strings.Repeat("a", 63), strings.Repeat("a", 63), nil}}},
		{rules: PortalNameRules{MinLength: -5}, min: 1, pattern: `^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$`},
		// A maximum below the default minimum pulls the minimum down.
		{rules: PortalNameRules{MaxLength: 4}, min: 4, pattern: `^[a-z0-9]([a-z0-9-]){1,2}[a-z0-9]$`,
			cases: []nameCase{{"abcd", "abcd", nil}, {"abcde", "", ErrPortalNameLength}}},
		{
			rules: PortalNameRules{Pattern: `^[a-z]+$`}, min: 6, pattern: `^[a-z]+$`,
			cases: []nameCase{
				{"Example", "example", nil},
				{"example1", "", ErrPortalNameIncorrect},
			},
		},
		{
			// A pattern that admits Unicode still meets the punycode rule.
			rules: PortalNameRules{Pattern: `^\p{L}+$`}, min: 6, pattern: `^\p{L}+$`,
			cases: []nameCase{
				{"портал", "", ErrPortalNameIncorrect},
				{"Abcdef", "abcdef", nil},
			},
		},
	}
	for _, tt := range tests {
		p := mustCompile(t, tt.rules)
		if p.MinLength() != tt.min {
			t.Errorf("%+v: MinLength() = %d; want %d", tt.rules, p.MinLength(), tt.min)
		}
		if got := strings.TrimPrefix(p.re.String(), "(?i)"); got != tt.pattern {
			t.Errorf("%+v: pattern %q; want %q", tt.rules, got, tt.pattern)
		}
		runNameCases(t, p, tt.cases)
	}
}

func TestPortalNameRulesCompileErrors(t *testing.T) {
	tests := []struct {
		rules PortalNameRules
		want  string
	}{
		{PortalNameRules{Pattern: `^[a-z`}, "Pattern"},
		{PortalNameRules{Pattern: `^(?=x)`}, "Pattern"}, // .NET look-ahead, not RE2
		{PortalNameRules{Reserved: []string{"www", " "}}, "Reserved[1]"},
	}
	for _, tt := range tests {
		p, err := tt.rules.Compile()
		if err == nil || p != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Compile(%+v) = %v, %v; want an error naming %s", tt.rules, p, err, tt.want)
		}
	}
}

func TestPortalNameReservedCustom(t *testing.T) {
	p := mustCompile(t, PortalNameRules{Reserved: []string{"Admin", " www ", "admin"}})
	for name, want := range map[string]bool{"admin": true, "www": true, "localhost": false} {
		if got := p.Reserved(name); got != want {
			t.Errorf("Reserved(%q) = %v; want %v", name, got, want)
		}
	}
	if got := p.ReservedWithPrefix(""); !slices.Equal(got, []string{"admin", "www"}) {
		t.Errorf("ReservedWithPrefix(\"\") = %q", got)
	}
	none := mustCompile(t, PortalNameRules{Reserved: []string{}})
	if none.Reserved("localhost") || none.ReservedWithPrefix("") != nil {
		t.Errorf("an empty Reserved list still reserves names")
	}
}

func TestVariantPrefix(t *testing.T) {
	def := mustCompile(t, PortalNameRules{})
	min3 := mustCompile(t, PortalNameRules{MinLength: 3})
	tests := []struct {
		p     *PortalNames
		alias string
		want  string
	}{
		{def, "example123", "example"},
		{def, "abc1234", "abc123"},
		{def, "example", "example"},
		{def, "Example12", "example"},
		{def, "123456789", "123456"},
		{def, "ex4mple", "ex4mple"},
		{def, "abc12", "abc12"}, // already at or below the minimum
		{min3, "abc1234", "abc"},
		{min3, "oauth2", "oauth"},
		{min3, "ab12", "ab1"},
	}
	for _, tt := range tests {
		if got := tt.p.VariantPrefix(tt.alias); got != tt.want {
			t.Errorf("VariantPrefix(%q) with min %d = %q; want %q", tt.alias, tt.p.MinLength(), got, tt.want)
		}
	}
}

func TestReservedWithPrefix(t *testing.T) {
	p := mustCompile(t, PortalNameRules{})
	tests := []struct {
		prefix string
		want   []string
	}{
		{"api-system", []string{"api-system-eu-central-1", "api-system-us-east-2"}},
		{"identity", []string{"identity-eu-central-1", "identity-us-east-2"}},
		{"LOCAL", []string{"localhost"}},
		{"localhost", []string{"localhost"}},
		{"localhost1", nil},
		{"zzz", nil},
		{"", []string{
			"api-system-eu-central-1", "api-system-us-east-2", "controlpanel",
			"identity-eu-central-1", "identity-us-east-2", "localhost", "oauth", "settings",
		}},
	}
	for _, tt := range tests {
		if got := p.ReservedWithPrefix(tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("ReservedWithPrefix(%q) = %q; want %q", tt.prefix, got, tt.want)
		}
	}
	// The caller may modify the result without touching the rule set.
	got := p.ReservedWithPrefix("local")
	got[0] = "changed"
	if p.ReservedWithPrefix("local")[0] != "localhost" {
		t.Error("ReservedWithPrefix shares its backing array with the rule set")
	}
}

// aliasPattern is the default rule restated without (?i), so that the fuzz
// target also proves the alias is plain lower-case ASCII.
var aliasPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$`)

func FuzzPortalName(f *testing.F) {
	for _, seed := range []string{
		"example", "Example", "ex--ample", "ab", strings.Repeat("a", 64), "-example",
		"exa_mple", "портал", "xn--80ak6aa92e", "XN--80AK6AA92E", " example ", "example\u212a",
		"𝒜𝒜𝒜", "\xff\xfeexample", "xn--abc-", "example123",
	} {
		f.Add(seed)
	}
	p := mustCompile(f, PortalNameRules{})
	f.Fuzz(func(t *testing.T, name string) {
		alias, err := p.Check(name)
		if err != nil {
			if alias != "" {
				t.Fatalf("Check(%q) = %q with error %v", name, alias, err)
			}
			if !errors.Is(err, ErrPortalNameEmpty) && !errors.Is(err, ErrPortalNameLength) &&
				!errors.Is(err, ErrPortalNameIncorrect) {
				t.Fatalf("Check(%q) error %v is not a sentinel", name, err)
			}
			return
		}
		if alias != strings.ToLower(alias) || !aliasPattern.MatchString(alias) {
			t.Fatalf("Check(%q) = %q, not a lower-case name the pattern accepts", name, alias)
		}
		if !strings.EqualFold(alias, strings.TrimSpace(name)) {
			t.Fatalf("Check(%q) = %q, not the trimmed name lower-cased", name, alias)
		}
		if again, err := p.Check(alias); again != alias || err != nil {
			t.Fatalf("Check(%q) = %q, %v; the alias of %q must check as itself", alias, again, err, name)
		}
		if prefix := p.VariantPrefix(alias); !strings.HasPrefix(alias, prefix) || len(prefix) < min(len(alias), p.MinLength()) {
			t.Fatalf("VariantPrefix(%q) = %q", alias, prefix)
		}
	})
}

func BenchmarkPortalNameCheck(b *testing.B) {
	p := mustCompile(b, PortalNameRules{})
	names := []string{"example", "My-Company-2024", "xn--80ak6aa92e", "exa_mple", "портал"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = p.Check(names[i%len(names)])
	}
}

// TestMatchDefaultIsTheRegexp compares the byte loop with the default pattern on every name
// the fuzz corpus and a generator give: they must agree on all ASCII input.
func TestMatchDefaultIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile("(?i)^[a-z0-9]([a-z0-9-]){1,61}[a-z0-9]$")
	alphabet := "aZ09-_.@ \x7f"
	var names []string
	var gen func(prefix string, depth int)
	gen = func(prefix string, depth int) {
		names = append(names, prefix)
		if depth == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			gen(prefix+alphabet[i:i+1], depth-1)
		}
	}
	gen("", 4)
	names = append(names, "example", "ex-ample", "-example", "example-", "a-b", "ab", "A1-", "Example123", "x--y", "[a]", "a`b", "a{b")
	for c := 0; c < 128; c++ {
		names = append(names, "ab"+string(rune(c))+"cd")
	}
	for _, n := range names {
		if len(n) > 63 {
			continue
		}
		if got, want := matchDefault(n), re.MatchString(n); got != want {
			t.Errorf("matchDefault(%q) = %v, the pattern says %v", n, got, want)
		}
	}
}
