package http

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/i18n"
)

// maxLoginBody bounds a sign-in request.
const maxLoginBody = 4 << 10

// sameOrigin reports whether a state-changing request comes from a page of
// this site. Browsers send Origin on every POST; its absence means a
// non-browser client, which cannot ride a user's cookie anyway.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// user returns the signed-in user of r, nil if there is none, and the
// error that says why a session cookie was refused (expired, say).
func (s *Server) user(r *http.Request) (*auth.User, error) {
	token := auth.SessionToken(r)
	if token == "" || s.Auth == nil {
		return nil, nil
	}
	u, err := s.Auth.Authenticate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	noteUser(r, u.ID, u.Role) // for the request's log line
	return &u, nil
}

type identityResponse struct {
	Identity shared.Identity `json:"identity"`
}

// handleLogin answers POST /api/login {"email", "password"}: the session
// cookie and the identity, or an error that says what is wrong (bad
// credentials, a disabled account, too many attempts).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	if !sameOrigin(r) {
		writeJSONError(w, http.StatusForbidden, lang, shared.Errorf(shared.EFORBIDDEN, "auth.cross_origin"))
		return
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
	if err != nil || len(body) > maxLoginBody || json.Unmarshal(body, &req) != nil {
		writeJSONError(w, http.StatusBadRequest, lang, shared.Errorf(shared.EINVALID, "auth.bad_request"))
		return
	}
	token, u, err := s.Auth.Login(r.Context(), req.Email, req.Password, s.clientAddr(r))
	if err != nil {
		writeJSONError(w, errorStatus(err), lang, err)
		return
	}
	if err := s.Auth.Describe(r.Context(), token, auth.Label(r.UserAgent())); err != nil {
		s.Log.Error("describe a session's device", "err", err) // the list of devices lacks a label: no reason to refuse
	}
	http.SetCookie(w, s.Auth.Cookie(token, r.TLS != nil))
	noteUser(r, u.ID, u.Role)
	writeJSON(w, http.StatusOK, identityResponse{u.Identity()})
}

// handleLogout answers POST /api/logout: the session ends and the cookie
// goes. Signing out when not signed in is fine.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	if !sameOrigin(r) {
		writeJSONError(w, http.StatusForbidden, lang, shared.Errorf(shared.EFORBIDDEN, "auth.cross_origin"))
		return
	}
	if token := auth.SessionToken(r); token != "" {
		if err := s.Auth.Logout(r.Context(), token); err != nil {
			s.Log.Error("sign out", "err", err)
			writeJSONError(w, http.StatusInternalServerError, lang, shared.Errorf(shared.EINTERNAL, "error.internal"))
			return
		}
	}
	http.SetCookie(w, auth.ClearCookie(r.TLS != nil))
	w.WriteHeader(http.StatusNoContent)
}

// handleMe answers GET /api/me with the signed-in identity, or 401.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	u, err := s.user(r)
	switch {
	case err != nil:
		writeJSONError(w, errorStatus(err), lang, err)
	case u == nil:
		writeJSONError(w, http.StatusUnauthorized, lang, shared.Errorf(shared.EUNAUTHORIZED, "auth.required"))
	default:
		writeJSON(w, http.StatusOK, identityResponse{u.Identity()})
	}
}

// errorStatus maps an error code to an HTTP status.
func errorStatus(err error) int {
	key, _ := shared.ErrorKey(err)
	switch code := shared.ErrorCode(err); {
	case key == "auth.rate_limited" || key == "auth.busy" || key == "quota.exceeded":
		return http.StatusTooManyRequests
	case code == shared.EINVALID:
		return http.StatusBadRequest
	case code == shared.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case code == shared.EFORBIDDEN:
		return http.StatusForbidden
	case code == shared.ENOTFOUND:
		return http.StatusNotFound
	case code == shared.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
