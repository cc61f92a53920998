package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// confirmKeyFormat is "ms.S": a decimal count and upper-case Base64 without = + / \.
var confirmKeyFormat = regexp.MustCompile(`^[0-9]+\.[A-Z0-9]+$`)

func TestConfirmKeyFormat(t *testing.T) {
	at := time.Date(2025, time.March, 4, 5, 6, 7, 890_000_000, time.UTC)
	key := ConfirmKey("Owner@Example.comAuthtrue", 42, key1, at)
	if !confirmKeyFormat.MatchString(key) {
		t.Fatalf("ConfirmKey = %q, not ms.S", key)
	}
	ms, s, _ := strings.Cut(key, ".")
	wantMS := at.Sub(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)).Milliseconds()
	if ms != strconv.FormatInt(wantMS, 10) {
		t.Errorf("ms = %s, want %d", ms, wantMS)
	}
	// 32 bytes of SHA-256 are 44 Base64 characters, one of them '='; + and / are removed too.
	if len(s) < 30 || len(s) > 43 {
		t.Errorf("S = %q: %d characters, want 30 to 43", s, len(s))
	}
}

func TestConfirmKeyMilliseconds(t *testing.T) {
	epoch := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{epoch, "0."},
		{epoch.Add(1500*time.Millisecond + 999*time.Microsecond), "1500."},
		{epoch.Add(24 * time.Hour), "86400000."},
		// A clock in another zone counts the same instant.
		{epoch.Add(time.Hour).In(time.FixedZone("UTC-5", -5*3600)), "3600000."},
	}
	for _, tt := range tests {
		if got := ConfirmKey("a@b.cAuth", 1, key1, tt.t); !strings.HasPrefix(got, tt.want) {
			t.Errorf("ConfirmKey at %v = %q, want prefix %q", tt.t, got, tt.want)
		}
	}
}

func TestConfirmKeyDeterministic(t *testing.T) {
	at := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	base := ConfirmKey("owner@example.comAuth", 7, key1, at)
	if again := ConfirmKey("owner@example.comAuth", 7, key1, at); again != base {
		t.Errorf("same input, different keys: %q, %q", base, again)
	}
	// The portal lower-cases the text before hashing, so case does not matter.
	if upper := ConfirmKey("OWNER@EXAMPLE.COMAuth", 7, key1, at); upper != base {
		t.Errorf("text case changed the key: %q, %q", base, upper)
	}
	for name, other := range map[string]string{
		"text":      ConfirmKey("other@example.comAuth", 7, key1, at),
		"postfix":   ConfirmKey("owner@example.comAuthtrue", 7, key1, at),
		"tenant":    ConfirmKey("owner@example.comAuth", 8, key1, at),
		"key":       ConfirmKey("owner@example.comAuth", 7, "other key", at),
		"key case":  ConfirmKey("owner@example.comAuth", 7, strings.ToUpper(key1), at),
		"time (ms)": ConfirmKey("owner@example.comAuth", 7, key1, at.Add(time.Millisecond)),
	} {
		if other == base {
			t.Errorf("changing the %s did not change the key %q", name, base)
		}
	}
	// Less than a millisecond later is the same key: only whole milliseconds are hashed.
	if same := ConfirmKey("owner@example.comAuth", 7, key1, at.Add(999*time.Microsecond)); same != base {
		t.Errorf("sub-millisecond change altered the key: %q, %q", base, same)
	}
}

// TestConfirmKeyConstruction recomputes SPEC 6.4 step by step, by a different route than
// ConfirmKey, including .NET's ASCII encoding of non-ASCII characters as '?'.
func TestConfirmKeyConstruction(t *testing.T) {
	at := time.Date(2011, time.June, 1, 0, 0, 0, 123_000_000, time.UTC)
	tests := []struct {
		text, machineKey, ascii string
	}{
		{"Owner@Example.COMAuthtrue", key1, "owner@example.comauthtrue|-3|" + key1},
		{"Ünïcode@example.comAuth", "clé-secrète-ключ", "?n?code@example.comauth|-3|cl?-secr?te-????"},
		{"😀@x.yAuth", "k", "?@x.yauth|-3|k"},
	}
	for _, tt := range tests {
		ms := at.Sub(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)).Milliseconds()
		data := binary.LittleEndian.AppendUint64([]byte(tt.ascii), uint64(ms))
		sum := sha256.Sum256(data)
		s := strings.ToUpper(base64.StdEncoding.EncodeToString(sum[:]))
		s = strings.NewReplacer("=", "", "+", "", "/", "", `\`, "").Replace(s)
		want := strconv.FormatInt(ms, 10) + "." + s
		if got := ConfirmKey(tt.text, -3, tt.machineKey, at); got != want {
			t.Errorf("ConfirmKey(%q) = %q, want %q", tt.text, got, want)
		}
	}
}
