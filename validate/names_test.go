package validate

import (
	"errors"
	"strings"
	"testing"
)

func TestNamesDefault(t *testing.T) {
	n, err := NewNames("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		first, last string
		want        error
	}{
		{"John", "Smith", nil},
		{"Anna", "", nil},
		{"", "Smith", nil},
		{" John ", " Smith ", nil},
		{"Mary Ann", "Smith", nil},
		{"O'Brien", "", nil},
		{"Anna-Maria", "Smith-Jones", nil},
		{"Иван", "Петров", nil},
		{"José", "García", nil},
		{"Jose\u0301", "", nil}, // combining acute accent
		{"李", "小龙", nil},
		{"  ", " ", ErrNameRequired},
		{"", "", ErrNameRequired},
		{"\t", "\n", ErrNameRequired},
		{"R2D2", "", ErrNameIncorrect},
		{"John", "Smith2", ErrNameIncorrect},
		{"John.", "", ErrNameIncorrect},
		{"John", "<b>", ErrNameIncorrect},
		{"John\u2019s", "", ErrNameIncorrect}, // only the ASCII apostrophe
		{"John_Smith", "", ErrNameIncorrect},
	}
	for _, tt := range tests {
		if err := n.Check(tt.first, tt.last); !errors.Is(err, tt.want) {
			t.Errorf("Check(%q, %q) = %v; want %v", tt.first, tt.last, err, tt.want)
		}
	}
}

func TestNamesCustom(t *testing.T) {
	n, err := NewNames(`^[A-Z][a-z]+$`)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Check("Anna", ""); err != nil {
		t.Errorf("Check(Anna) = %v", err)
	}
	if err := n.Check("anna", ""); !errors.Is(err, ErrNameIncorrect) {
		t.Errorf("Check(anna) = %v; the pattern is case-sensitive", err)
	}
	if err := n.Check(" ", ""); !errors.Is(err, ErrNameRequired) {
		t.Errorf("Check(blank) = %v; blank is required before any pattern", err)
	}
	if _, err := NewNames(`[`); err == nil || !strings.Contains(err.Error(), "name pattern") {
		t.Errorf("NewNames([) error = %v", err)
	}
}
