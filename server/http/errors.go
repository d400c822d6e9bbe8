package http

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"outpost/server/logsafe"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/i18n"
)

// Errors over HTTP. Every handler answers a failure with Error, the one
// place a shared.Error becomes a status (wtf's http/http.go is the
// model). A person's error (a bad request, a refusal, a limit) is answered
// in words, in the request's language, as
//
//	{"error": {"code": …, "key": …, "message": …}}
//
// which the app (app/session.go) and the e2e tests parse. Anything else is
// internal: it is logged with its cause through the request's logger (so
// the line carries the request ID) and answered 500 with the generic
// message, the cause staying in the log.

// codes maps each shared.Error code to its HTTP status.
var codes = map[string]int{
	shared.EINVALID:      http.StatusBadRequest,
	shared.EUNAUTHORIZED: http.StatusUnauthorized,
	shared.EFORBIDDEN:    http.StatusForbidden,
	shared.ENOTFOUND:     http.StatusNotFound,
	shared.ECONFLICT:     http.StatusConflict,
	shared.EINTERNAL:     http.StatusInternalServerError,
}

// keys are the errors whose status is finer than their code's: limits
// (429, with Retry-After when the error carries the seconds first), an
// attachment chunk too large (413) or bytes that are not the file they
// claim to be (422), and a server not ready for traffic (503).
var keys = map[string]int{
	"auth.rate_limited":      http.StatusTooManyRequests,
	"auth.busy":              http.StatusTooManyRequests,
	"quota.exceeded":         http.StatusTooManyRequests,
	"attach.chunk_too_large": http.StatusRequestEntityTooLarge,
	"attach.beyond_size":     http.StatusRequestEntityTooLarge,
	"attach.hash_mismatch":   http.StatusUnprocessableEntity,
	"attach.type_mismatch":   http.StatusUnprocessableEntity,
	"attach.not_this_file":   http.StatusUnprocessableEntity,
	"ops.not_ready":          http.StatusServiceUnavailable,
}

// errInternal is what a client is told of an internal error.
var errInternal = shared.Errorf(shared.EINTERNAL, "error.internal")

// ErrorStatus returns the HTTP status that answers err: by its key if the
// key has its own, else by its code; 500 for an error without a code.
func ErrorStatus(err error) int {
	if key, _ := shared.ErrorKey(err); keys[key] != 0 {
		return keys[key]
	}
	if status, ok := codes[shared.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// Error answers err in words in the language r accepts, with the status
// ErrorStatus gives. An internal error (status 500) is logged with its
// cause and answered generically.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		// The store logged the outage once: 503 in words, as /readyz.
		err = shared.Errorf(shared.EINTERNAL, "ops.not_ready", "the database cannot be reached")
	}
	status := ErrorStatus(err)
	if status == http.StatusInternalServerError {
		route := r.Pattern
		if route == "" {
			route = r.Method + " " + r.URL.Path
		}
		log := logger(r)
		if log == nil {
			log = slog.Default()
		}
		log.Error("internal error", "route", route, "err", logsafe.Err(err))
		err = errInternal
	}
	key, args := shared.ErrorKey(err)
	if secs, ok := firstArg(args).(int64); ok && status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10)) // limits put the seconds first
	}
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": shared.ErrorCode(err), "key": key, "message": i18n.T(lang, key, args...),
	}})
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// Refusals every endpoint may answer.
var (
	errCrossOrigin  = shared.Errorf(shared.EFORBIDDEN, "auth.cross_origin")
	errAuthRequired = shared.Errorf(shared.EUNAUTHORIZED, "auth.required")
)
