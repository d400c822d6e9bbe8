package http

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"outpost/server/auth"
	"outpost/shared"
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
	if !sameOrigin(r) {
		Error(w, r, errCrossOrigin)
		return
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
	if err != nil || len(body) > maxLoginBody || json.Unmarshal(body, &req) != nil {
		Error(w, r, shared.Errorf(shared.EINVALID, "auth.bad_request"))
		return
	}
	token, u, err := s.Auth.Login(r.Context(), req.Email, req.Password, s.clientAddr(r))
	if err != nil {
		Error(w, r, err)
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
	if !sameOrigin(r) {
		Error(w, r, errCrossOrigin)
		return
	}
	if token := auth.SessionToken(r); token != "" {
		if err := s.Auth.Logout(r.Context(), token); err != nil {
			Error(w, r, err)
			return
		}
	}
	http.SetCookie(w, auth.ClearCookie(r.TLS != nil))
	w.WriteHeader(http.StatusNoContent)
}

// handleMe answers GET /api/me with the signed-in identity, or 401.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	switch {
	case err != nil:
		Error(w, r, err)
	case u == nil:
		Error(w, r, errAuthRequired)
	default:
		writeJSON(w, http.StatusOK, identityResponse{u.Identity()})
	}
}
