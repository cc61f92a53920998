package validate

import (
	"strings"
	"testing"
)

func TestDefaultPasswordPolicy(t *testing.T) {
	want := PasswordPolicy{MinLength: 8, MaxLength: 120}
	if got := DefaultPasswordPolicy(); got != want {
		t.Fatalf("DefaultPasswordPolicy() = %+v; want %+v", got, want)
	}
	if err := want.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordCheck(t *testing.T) {
	def := DefaultPasswordPolicy()
	anyChars := def
	anyChars.AnyCharacters = true
	with := func(f func(*PasswordPolicy)) PasswordPolicy {
		p := def
		f(&p)
		return p
	}
	digit := with(func(p *PasswordPolicy) { p.RequireDigit = true })
	upper := with(func(p *PasswordPolicy) { p.RequireUpper = true })
	special := with(func(p *PasswordPolicy) { p.RequireSpecial = true })
	all := with(func(p *PasswordPolicy) { p.RequireDigit, p.RequireUpper, p.RequireSpecial = true, true, true })
	anyDigit := anyChars
	anyDigit.RequireDigit = true

	tests := []struct {
		name string
		p    PasswordPolicy
		pw   string
		want bool
	}{
		{"7 chars", def, "abcdefg", false},
		{"8 chars", def, "abcdefgh", true},
		{"120 chars", def, strings.Repeat("x", 120), true},
		{"121 chars", def, strings.Repeat("x", 121), false},
		{"empty", def, "", false},
		{"all printable ASCII", def, "!\"#$%&'()*+,-./0-9:;<=>?@AZ[\\]^_`az{|}~", true},
		{"space in ASCII mode", def, "abcd efgh", false},
		{"tab in ASCII mode", def, "abcd\tefgh", false},
		{"DEL in ASCII mode", def, "abcdefgh\x7f", false},
		{"Cyrillic in ASCII mode", def, "пароль12", false},
		{"space in any mode", anyChars, "abcd efgh", true},
		{"Cyrillic in any mode", anyChars, "парольпароль", true},
		{"newline in any mode", anyChars, "abcd\nefgh", false},
		{"tab in any mode", anyChars, "abcd\tefgh", true},
		{"4 astral = 8 UTF-16 units", anyChars, "𝒜𝒜𝒜𝒜", true},
		{"3 astral + 1 = 7 UTF-16 units", anyChars, "𝒜𝒜𝒜x", false},
		{"digit missing", digit, "abcdefgh", false},
		{"digit present", digit, "abcdefg1", true},
		{"upper missing", upper, "abcdefg1", false},
		{"upper present", upper, "abcdefgH", true},
		{"special missing", special, "abcdefG1", false},
		{"special !", special, "abcdefg!", true},
		{"special :", special, "abcdefg:", true},
		{"special [", special, "abcdefg[", true},
		{"special ~", special, "abcdefg~", true},
		{"all classes present", all, "Abcdef1!", true},
		{"all classes, no upper", all, "abcdef1!", false},
		{"all classes, no digit", all, "Abcdefg!", false},
		{"all classes, no special", all, "Abcdefg1", false},
		{"Arabic-Indic digit in any mode", anyDigit, "abcdefg\u0663", true},
		{"upper requires ASCII A-Z", with(func(p *PasswordPolicy) { p.AnyCharacters, p.RequireUpper = true, true }), "abcdefgÄ", false},
	}
	for _, tt := range tests {
		if got := tt.p.Check(tt.pw); got != tt.want {
			t.Errorf("%s: Check(%q) = %v; want %v", tt.name, tt.pw, got, tt.want)
		}
	}
}

func TestPasswordPolicyValidate(t *testing.T) {
	tests := []struct {
		p    PasswordPolicy
		want string // "" = valid; else a word the error must contain
	}{
		{PasswordPolicy{MinLength: 1, MaxLength: 1}, ""},
		{PasswordPolicy{MinLength: 6, MaxLength: 30, AnyCharacters: true}, ""},
		{PasswordPolicy{}, "MinLength"},
		{PasswordPolicy{MinLength: -1, MaxLength: 8}, "MinLength"},
		{PasswordPolicy{MinLength: 8, MaxLength: 7}, "MaxLength"},
		{PasswordPolicy{MinLength: 1, MaxLength: 2, RequireDigit: true, RequireUpper: true, RequireSpecial: true}, "classes"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%+v) = %v; want nil", tt.p, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate(%+v) = %v; want an error about %s", tt.p, err, tt.want)
		}
	}
}
