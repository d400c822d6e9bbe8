package server

import (
	"crypto/sha256"
	"encoding/base64"
)

// DeviceKeyOf is the device secret a test client proves its client ID with
// (protocol 5): derived from the ID, so a reconnect proves the same.
func DeviceKeyOf(client string) string {
	sum := sha256.Sum256([]byte("device key of " + client))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
