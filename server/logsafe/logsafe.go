// Package logsafe keeps personal data out of the server's logs.
package logsafe

import (
	"errors"
	"regexp"

	"outpost/shared"
)

// emailLike matches what looks like an e-mail address in free text.
var emailLike = regexp.MustCompile(`[^\s<>()",;:]+@[^\s<>()",;:]+\.[^\s<>()",;:]+`)

// Err returns err's text fit for a log: an *Error's code and key
// without its arguments (which may quote what a user typed: an address, a
// name), and any other error's text with e-mail addresses masked (an SMTP
// server's reply names the recipient). Nil gives "".
func Err(err error) string {
	if err == nil {
		return ""
	}
	var e *shared.Error
	if errors.As(err, &e) {
		return e.Code + ": " + e.Key
	}
	return emailLike.ReplaceAllString(err.Error(), "[e-mail]")
}
