package upstream

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters of new hashes: the OWASP minimum (19 MiB, 2 passes, 1 lane), which costs
// tens of milliseconds, so a register request stays fast while an offline guess stays dear.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Bounds VerifyPassword accepts from a stored hash, so a corrupt or planted record cannot make
// one verification allocate gigabytes or spin for minutes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 64
	maxArgonThreads   = 64
	minArgonSaltLen   = 8
	minArgonKeyLen    = 16
	maxArgonKeyLen    = 128
)

// hashSlots bounds concurrent argon2 runs. Each holds argonMemoryKiB for its duration, so
// without a bound a flood of registrations with passwords would allocate without limit; with
// it, excess callers queue and memory stays at slots * 19 MiB. Two per processor keeps every
// processor busy while one run waits to be scheduled. GOMAXPROCS is read once, at start-up.
var hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

// errMalformedHash means a stored password hash is not an argon2id PHC string this package can
// verify.
var errMalformedHash = errors.New("malformed argon2id password hash")

// HashPassword returns the argon2id hash of pw as a PHC string,
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> with unpadded standard base64 and a fresh
// 16-byte random salt. It blocks while 2*GOMAXPROCS other hashes or verifications run. The
// error, if any, comes from the system's random source and never carries the password.
func HashPassword(pw Password) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read salt: %w", err)
	}
	key := argon2idKey([]byte(pw.Reveal()), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches hash, an argon2id PHC string as HashPassword makes
// (other parameters within sane bounds are honoured, so hashes survive a change of the cost
// settings). The comparison is constant-time; a malformed or empty hash never matches.
func VerifyPassword(hash string, pw Password) bool {
	p, err := parseArgon2id(hash)
	if err != nil {
		return false
	}
	key := argon2idKey([]byte(pw.Reveal()), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// argon2idKey runs argon2id inside one of the hashSlots.
func argon2idKey(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
}

type argon2idParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2id reads $argon2id$v=19$m=M,t=T,p=P$salt$key.
func parseArgon2id(hash string) (argon2idParams, error) {
	var p argon2idParams
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, errMalformedHash
	}
	for _, kv := range strings.Split(parts[3], ",") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return p, errMalformedHash
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return p, errMalformedHash
		}
		switch name {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > maxArgonThreads {
				return p, errMalformedHash
			}
			p.threads = uint8(n)
		default:
			return p, errMalformedHash
		}
	}
	if p.time < 1 || p.time > maxArgonTime || p.threads < 1 ||
		p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemoryKiB {
		return p, errMalformedHash
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(p.salt) < minArgonSaltLen {
		return p, errMalformedHash
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil ||
		len(p.key) < minArgonKeyLen || len(p.key) > maxArgonKeyLen {
		return p, errMalformedHash
	}
	return p, nil
}
