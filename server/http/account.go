package http

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/gorilla/websocket"

	"outpost/server/auth"
	"outpost/shared"
)

// maxAccountBody bounds a password change: two passwords of at most
// auth.MaxPassword characters, four bytes each, and JSON around them.
const maxAccountBody = 10 << 10

// accountRequest checks what every account endpoint needs: a request from
// a page of this site and a session cookie. It answers the refusal itself
// and returns "" then.
func (s *Server) accountRequest(w http.ResponseWriter, r *http.Request) (token string) {
	if !sameOrigin(r) {
		Error(w, r, errCrossOrigin)
		return ""
	}
	if token = auth.SessionToken(r); token == "" {
		Error(w, r, errAuthRequired)
	}
	return token
}

// handlePassword answers POST /api/account/password {"current", "new"}:
// the password changes and every other device of the account is signed
// out (204), or an error says what is wrong (the current password, the
// new one's length, too many attempts).
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	token := s.accountRequest(w, r)
	if token == "" {
		return
	}
	var req struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAccountBody+1))
	if err != nil || len(body) > maxAccountBody || json.Unmarshal(body, &req) != nil {
		Error(w, r, shared.Errorf(shared.EINVALID, "account.bad_request"))
		return
	}
	if err := s.Auth.ChangePassword(r.Context(), token, req.Current, req.New, s.clientAddr(r)); err != nil {
		Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleSignOutOthers answers POST /api/account/signout-others: every
// session of the account but this one ends and their sockets close (204).
func (s *Server) handleSignOutOthers(w http.ResponseWriter, r *http.Request) {
	token := s.accountRequest(w, r)
	if token == "" {
		return
	}
	if err := s.Auth.SignOutOthers(r.Context(), token); err != nil {
		Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDevices answers POST /api/account/devices with the account's
// signed-in devices: {"devices": [{id, current, label, created_at,
// last_seen}]}. (POST, like every account request, so the app's one API
// call serves it and another site cannot read it.)
func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	token := s.accountRequest(w, r)
	if token == "" {
		return
	}
	devices, err := s.Auth.Devices(r.Context(), token)
	if err != nil {
		Error(w, r, err)
		return
	}
	if devices == nil {
		devices = []auth.Device{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": devices})
}

// endOtherSessions closes the websockets of userID's sessions but keep's:
// the password changed or the user signed the other devices out.
func (s *Server) endOtherSessions(userID, keep string) {
	s.endWhere(userID, func(c *wsConn) bool { return c.token != keep }, "other_sessions")
}

// endWhere closes userID's websockets for which ending says so, telling
// each why, as at a hello, so the device asks to sign in again and keeps
// its outbox.
func (s *Server) endWhere(userID string, ending func(*wsConn) bool, what string) {
	s.mu.Lock()
	var ended []*wsConn
	for c := range s.ws {
		if c.user != nil && c.user.UserID == userID && ending(c) {
			ended = append(ended, c)
		}
	}
	s.mu.Unlock()
	err := shared.Errorf(shared.EUNAUTHORIZED, "auth.invalid_session")
	for _, c := range ended {
		c.end(websocket.ClosePolicyViolation, err)
	}
	if len(ended) > 0 {
		s.Log.Info("closed the websockets of an ended session", "user", userID, "sockets", len(ended), "which", what)
	}
}
