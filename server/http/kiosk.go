package http

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"outpost/server/auth"
	"outpost/server/logsafe"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
)

// Kiosk enrollment over HTTP (no CLI needed):
//
//	POST /api/kiosk/codes  {"site"}     admin: a one-time code, valid a day
//	POST /api/kiosk/enroll {"code"}     a device becomes the site's next kiosk, signed in
//	POST /api/kiosk/revoke {"kiosk_id"} admin: the kiosk's account is disabled, its session void

// maxKioskBody bounds a kiosk API request.
const maxKioskBody = 4 << 10

// readKioskJSON checks the origin and decodes a small JSON body into v,
// answering the error itself; it reports whether to go on.
func readKioskJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !sameOrigin(r) {
		Error(w, r, errCrossOrigin)
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxKioskBody+1))
	if err != nil || len(body) > maxKioskBody || json.Unmarshal(body, v) != nil {
		Error(w, r, shared.Errorf(shared.EINVALID, "kiosk.bad_request"))
		return false
	}
	return true
}

// admin returns the signed-in admin of r, or answers why not and returns nil.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) *auth.User {
	return s.adminOnly(w, r, "kiosk.admin_only")
}

// now returns the time on the server's clock.
func (s *Server) now() time.Time { return s.clock().Now() }

// clock returns the server's clock: its sync service's, which tests may
// set to a clock.Fake to move the sockets' timers and the quotas by hand.
func (s *Server) clock() clock.Clock { return clock.Or(s.Sync.Clock) }

type kioskCodeResponse struct {
	Code      string `json:"code"`
	Site      string `json:"site"`
	ExpiresAt int64  `json:"expires_at"`
}

// handleKioskCode answers POST /api/kiosk/codes {"site"} for an admin with
// a new enrollment code.
func (s *Server) handleKioskCode(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Site string `json:"site"`
	}
	if !readKioskJSON(w, r, &req) {
		return
	}
	u := s.admin(w, r)
	if u == nil {
		return
	}
	site := strings.TrimSpace(req.Site)
	code, expires, err := outsync.IssueKioskCode(r.Context(), s.Sync.Store, site, u.ID, s.now())
	if err != nil {
		Error(w, r, err)
		return
	}
	s.Log.Info("kiosk code issued", "site", site, "by", u.ID, "expires", expires)
	writeJSON(w, http.StatusOK, kioskCodeResponse{Code: code, Site: site, ExpiresAt: expires.UnixMilli()})
}

type kioskEnrollResponse struct {
	Identity shared.Identity    `json:"identity"`
	Kiosk    shared.KioskDevice `json:"kiosk"`
}

// handleKioskEnroll answers POST /api/kiosk/enroll {"code"}: the code is
// burnt, a kiosk account is made for its site with the next letter, and
// the device gets its session cookie, as if it had signed in. Failed codes
// count against the remote address like failed sign-ins.
func (s *Server) handleKioskEnroll(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
	}
	if !readKioskJSON(w, r, &req) {
		return
	}
	limit, key := s.Auth.Limit(), "kiosk-ip:"+s.addrGroup(r)
	if err := limit.Check(key); err != nil {
		Error(w, r, err)
		return
	}
	code := shared.NormalizeEnrollCode(req.Code)
	now := s.now()
	var want outsync.KioskEnrollment
	err := s.Sync.Store.View(r.Context(), func(tx store.ReadTx) (err error) {
		want, err = outsync.CheckKioskCode(tx, code, now)
		return err
	})
	if err == nil {
		var u auth.User
		var token string
		var k shared.KioskDevice
		name := "Kiosk " + want.Letter + " · " + want.Site
		email := "kiosk-" + strings.ToLower(want.Letter) + "-" + want.Site + "-" + shared.NewID(now)[24:] + "@kiosk.invalid"
		u, token, err = s.Auth.AddDevice(r.Context(), auth.NewUser{Email: email, Name: name, Role: shared.RoleKiosk, Site: want.Site},
			func(tx store.Tx, u auth.User) (err error) {
				k, err = outsync.EnrollKiosk(tx, code, want, u.ID, name, now)
				return err
			})
		if err == nil {
			s.Sync.Changed()
			http.SetCookie(w, s.Auth.Cookie(token, r.TLS != nil))
			s.Log.Info("kiosk enrolled", "user", u.ID, "site", k.Site, "letter", k.Letter)
			noteUser(r, u.ID, u.Role)
			writeJSON(w, http.StatusOK, kioskEnrollResponse{Identity: u.Identity(), Kiosk: k})
			return
		}
	}
	if c := shared.ErrorCode(err); c == shared.ENOTFOUND || c == shared.ECONFLICT {
		if lerr := limit.Fail(key); lerr != nil {
			err = lerr
		}
	}
	s.Log.Info("kiosk enrollment refused", "remote", s.clientAddr(r), "err", logsafe.Err(err))
	Error(w, r, err)
}

// handleKioskRevoke answers POST /api/kiosk/revoke {"kiosk_id"} for an
// admin: the kiosk is marked revoked and its account disabled, which voids
// its session at once; the device must be enrolled again with a new code.
func (s *Server) handleKioskRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		KioskID string `json:"kiosk_id"`
	}
	if !readKioskJSON(w, r, &req) {
		return
	}
	admin := s.admin(w, r)
	if admin == nil {
		return
	}
	k, err := outsync.RevokeKiosk(r.Context(), s.Sync.Store, req.KioskID, s.now())
	if err == nil {
		var u auth.User
		err = s.Sync.Store.View(r.Context(), func(tx store.ReadTx) error {
			data, err := tx.Get(auth.TypeUser, k.ID)
			if err != nil {
				return err
			}
			return json.Unmarshal(data, &u)
		})
		if err == nil {
			_, err = s.Auth.SetDisabled(r.Context(), u.Email, true)
		}
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	s.Sync.Changed()
	s.Log.Info("kiosk revoked", "kiosk", k.ID, "site", k.Site, "letter", k.Letter, "by", admin.ID)
	writeJSON(w, http.StatusOK, map[string]any{"kiosk": k})
}
