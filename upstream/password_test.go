package upstream

import (
	"encoding/base64"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestHashPasswordFormatAndVerify(t *testing.T) {
	const pw Password = "correct horse battery staple"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(hash, prefix) {
		t.Fatalf("hash %q lacks prefix %q", hash, prefix)
	}
	parts := strings.Split(strings.TrimPrefix(hash, prefix), "$")
	if len(parts) != 2 {
		t.Fatalf("hash %q: want salt$key after the parameters", hash)
	}
	if salt, err := base64.RawStdEncoding.DecodeString(parts[0]); err != nil || len(salt) != 16 {
		t.Fatalf("salt %q: %d bytes, %v; want 16 bytes of unpadded base64", parts[0], len(salt), err)
	}
	if key, err := base64.RawStdEncoding.DecodeString(parts[1]); err != nil || len(key) != 32 {
		t.Fatalf("key %q: %d bytes, %v; want 32 bytes of unpadded base64", parts[1], len(key), err)
	}
	if strings.Contains(hash, pw.Reveal()) {
		t.Fatal("hash contains the plaintext")
	}
	if !VerifyPassword(hash, pw) {
		t.Fatal("VerifyPassword(hash, pw) = false")
	}
	for _, wrong := range []Password{"", "correct horse battery stapl", "Correct horse battery staple"} {
		if VerifyPassword(hash, wrong) {
			t.Errorf("VerifyPassword accepted %q", wrong.Reveal())
		}
	}
	// The salt is random, so one password never hashes the same twice.
	again, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

// TestVerifyPasswordOtherParameters checks that a hash made with other costs (a later change of
// the defaults) still verifies, by rewriting the parameters and key of a known hash.
func TestVerifyPasswordOtherParameters(t *testing.T) {
	const pw Password = "pa55word"
	salt := []byte("0123456789abcdef")
	key := argon2idKey([]byte(pw), salt, 1, 64, 1, 32)
	hash := "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" +
		base64.RawStdEncoding.EncodeToString(key)
	if !VerifyPassword(hash, pw) {
		t.Fatal("hash with m=64,t=1 did not verify")
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good, err := HashPassword("pa55word")
	if err != nil {
		t.Fatal(err)
	}
	tail := good[strings.LastIndex(good[:strings.LastIndex(good, "$")], "$"):] // $salt$key
	for _, hash := range []string{
		"",
		"pa55word",
		"$argon2i$v=19$m=19456,t=2,p=1" + tail,
		"$argon2id$v=16$m=19456,t=2,p=1" + tail,
		"$argon2id$v=19$m=19456,t=2" + tail,
		"$argon2id$v=19$m=19456,t=2,p=1,x=3" + tail,
		"$argon2id$v=19$m=99999999,t=2,p=1" + tail, // would allocate ~95 GiB
		"$argon2id$v=19$m=19456,t=100000,p=1" + tail,
		"$argon2id$v=19$m=19456,t=0,p=1" + tail,
		"$argon2id$v=19$m=19456,t=2,p=0" + tail,
		"$argon2id$v=19$m=19456,t=2,p=300" + tail,
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$AAAA",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + strings.Repeat("A", 20), // salt too short
		good + "$",
	} {
		if VerifyPassword(hash, "pa55word") {
			t.Errorf("VerifyPassword accepted malformed %q", hash)
		}
	}
}

// TestHashSlotsBound checks that a hash waits while every slot is taken, which is what keeps a
// flood of registrations from allocating 19 MiB per request without limit.
func TestHashSlotsBound(t *testing.T) {
	if got, want := cap(hashSlots), 2*runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("hash slots = %d, want 2*GOMAXPROCS = %d", got, want)
	}
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := HashPassword("pa55word"); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
		t.Fatal("HashPassword ran while every slot was taken")
	case <-time.After(50 * time.Millisecond):
	}
	<-hashSlots
	<-done
	for range cap(hashSlots) - 1 {
		<-hashSlots
	}
}
