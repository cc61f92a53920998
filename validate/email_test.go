package validate

import "testing"

func TestEmail(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		// SPEC 4.4 accepted.
		{"test@example.com", true},
		{"a.b+c@sub.example.co", true},
		{"test@[1.2.3.4]", true},
		{`"a b"@example.com`, true},
		{"тест@example.com", true},
		// SPEC 4.4 rejected.
		{"a..b@example.com", false},
		{"test@localhost", false},
		{"test@exa_mple.com", false},
		{"test@example.c", false},
		{"user@xn--e1afmkfd.xn--p1ai", false},
		// More of what the pattern says.
		{"", false},
		{"TEST@EXAMPLE.COM", true},
		{"first-last@sub-domain.example.museum", true},
		{"o'brien@example.com", true},
		{`"a"b"@example.com`, true}, // ".+" is greedy, as in .NET
		{"test@[1.2.3]", false},
		{"test@[1.2.3.4444]", false},
		{"test", false},
		{"@example.com", false},
		{"test@", false},
		{"test@@example.com", false},
		{"te@st@example.com", false},
		{".test@example.com", false},
		{"test.@example.com", false},
		{"test@example.com.", false},
		{"test@.example.com", false},
		{"test@example..com", false},
		{"te(st@example.com", false},
		{"te,st@example.com", false},
		{"te\\st@example.com", false},
		{"test@example.123", false},
		// White space: .NET's \s is Unicode, and the value is not trimmed here.
		{" test@example.com", false},
		{"test@example.com ", false},
		{"test@example.com\n", false},
		{"te st@example.com", false},
		{"te\u00a0st@example.com", false},
		{"te\u2028st@example.com", false},
		{"te\u3000st@example.com", false},
		{"te\u0085st@example.com", false},
		{"te\vst@example.com", false},
	}
	for _, tt := range tests {
		if got := Email(tt.email); got != tt.want {
			t.Errorf("Email(%q) = %v; want %v", tt.email, got, tt.want)
		}
	}
}
