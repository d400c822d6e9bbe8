package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"outpost/shared"
)

// Password limits. The maximum only keeps hashing cheap to refuse.
const (
	MinPassword = 10
	MaxPassword = 1000
)

// Params are argon2id cost parameters. They are encoded in every hash, so
// they can change: old hashes still verify, and a successful sign-in
// rehashes with the current ones.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the production costs: 64 MiB, one pass, two lanes,
// RFC 9106's second recommended option scaled to a small server. Tests
// use cheaper ones through Service.Hash.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

// CheckPassword returns an EINVALID *Error if password is too short or too
// long to be an account's password.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPassword:
		return shared.Errorf(shared.EINVALID, "auth.password_too_short", MinPassword)
	case n > MaxPassword:
		return shared.Errorf(shared.EINVALID, "auth.password_too_long", MaxPassword)
	}
	return nil
}

var b64 = base64.RawStdEncoding // the PHC string format's alphabet

// HashPassword hashes password with argon2id and a random salt, and
// encodes the result in the PHC string format:
//
//	$argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("make salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches encoded, a hash made by
// HashPassword with any parameters, comparing in constant time. It also
// returns the parameters encoded has, so a caller can rehash when they are
// not the current ones. An error means encoded is not a hash it can read.
func VerifyPassword(password, encoded string) (bool, Params, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, Params{}, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

var errBadHash = errors.New("not an argon2id PHC string")

func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("argon2id version %q is not supported", parts[2])
	}
	var m, t, threads uint64
	for i, kv := range strings.Split(parts[3], ",") {
		name, val, _ := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(val, 10, 32)
		switch {
		case perr != nil:
			return p, nil, nil, fmt.Errorf("argon2id parameter %q: %w", kv, errBadHash)
		case i == 0 && name == "m":
			m = n
		case i == 1 && name == "t":
			t = n
		case i == 2 && name == "p":
			threads = n
		default:
			return p, nil, nil, fmt.Errorf("argon2id parameter %q: %w", kv, errBadHash)
		}
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2id salt: %w", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2id hash: %w", err)
	}
	// Bounds keep a damaged hash from asking for absurd work.
	if t < 1 || t > 100 || threads < 1 || threads > 255 || m < 8*threads || m > 4<<20 ||
		len(salt) < 8 || len(key) < 16 || len(key) > 1024 {
		return p, nil, nil, fmt.Errorf("argon2id parameters out of range: %w", errBadHash)
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	return p, salt, key, nil
}
