package shared

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to an HTTP status in server/http and to a wire reject
// code in shared/wire, in exactly one place each.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
)

// Error is an error meant for a person: Code says what kind of failure it is,
// Key is a message-catalog key (see shared/i18n) and Args fill its
// placeholders. Errors without a code are internal and shown generically.
type Error struct {
	Code string
	Key  string
	Args []any
}

// Errorf returns an *Error with the given code, catalog key and arguments.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Key)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// ErrorCode returns the code of err if it is, or wraps, an *Error, and
// EINTERNAL otherwise (nil gives "").
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorKey returns the catalog key and arguments of err if it is, or wraps, an
// *Error, and the generic internal-error key otherwise.
func ErrorKey(err error) (string, []any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Key, e.Args
	}
	return "error.internal", nil
}
