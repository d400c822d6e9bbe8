package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/blob"
	"outpost/shared"
)

// writePhoto writes a w×h JPEG (a gradient with stripes, so it does not
// compress to nothing) and returns its path.
func writePhoto(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x / 40 % 2) * 200), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "IMG_2041.jpg")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// idbBlobs returns the blob metadata in the browser's IndexedDB.
const idbBlobs = `new Promise((ok, fail) => {
	const req = indexedDB.open("outpost");
	req.onerror = () => fail(req.error);
	req.onsuccess = () => {
		const all = req.result.transaction("blobmeta").objectStore("blobmeta").getAll();
		all.onsuccess = () => ok(all.result.map(s => JSON.parse(s)));
		all.onerror = () => fail(all.error);
	};
})`

// thumbShown is true when an attachment thumbnail under sel has loaded
// its image.
func thumbShown(sel string) string {
	return `(() => { const i = document.querySelector(` + jsString(sel+` figure.attachment[data-loaded=true] img.thumb`) + `); return !!i && i.complete && i.naturalWidth > 0; })()`
}

// TestAttachPhotoOffline is issues 3 and 6's acceptance test: a field
// user attaches a camera photo offline, reloads (the photo is still
// there), files the ticket offline and goes online; the ticket and the
// downscaled photo reach the server once, and an agent sees the photo.
// An oversized file is refused and leaves nothing behind.
func TestAttachPhotoOffline(t *testing.T) {
	srv, _ := requesterAndAgent(t, "field@example.com", "Fatima Field")
	base := srv.HTTP.URL()
	photo := writePhoto(t, 3000, 2000)

	field := signedInForOffline(t, base, "field@example.com")

	const title = "Cracked screen on the site B kiosk"
	t.Run("AttachOfflineAndReload", func(t *testing.T) {
		setOffline(t, field, true)
		run(t, field, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, field, "ticket form offline", appReady+` && !!document.getElementById("attach-camera")`, 30*time.Second)
		run(t, field,
			typeInto("#ticket-title", title),
			chromedp.SetUploadFiles(chromedp.CSS("#attach-camera"), []string{photo}),
		)
		waitJS(t, field, "thumbnail on the form", thumbShown("#attach-list"), 30*time.Second)
		waitJS(t, field, "draft saved", `!!document.getElementById("draft-saved")`, 20*time.Second)
		shot(t, field, "attach-form")

		run(t, field, chromedp.Reload())
		waitJS(t, field, "thumbnail after reload", appReady+` && `+thumbShown("#attach-list")+` && document.getElementById("ticket-title").value === `+jsString(title), 30*time.Second)
		stored := eval[[]map[string]any](t, field, idbBlobs)
		if len(stored) != 1 || stored[0]["type"] != "image/jpeg" || stored[0]["width"].(float64) != 1600 || stored[0]["height"].(float64) != 1067 {
			t.Fatalf("IndexedDB blobs = %v; want one 1600×1067 JPEG", stored)
		}
	})

	t.Run("OversizedFileIsRefused", func(t *testing.T) {
		big := filepath.Join(t.TempDir(), "memory-dump.pdf")
		if err := os.WriteFile(big, append([]byte("%PDF-1.7\n"), make([]byte, shared.MaxAttachmentSize)...), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, field, chromedp.SetUploadFiles(chromedp.CSS("#attach-file"), []string{big}))
		waitJS(t, field, "too large", `(() => { const e = document.getElementById("ticket-error"); return !!e && e.innerText.includes("memory-dump.pdf") && e.innerText.includes("too large"); })()`, 30*time.Second)
		shot(t, field, "attach-too-large")
		if n := eval[int](t, field, `document.querySelectorAll("#attach-list .attach-item").length`); n != 1 {
			t.Errorf("the form lists %d attachments; want the photo only", n)
		}
		if stored := eval[[]map[string]any](t, field, idbBlobs); len(stored) != 1 {
			t.Errorf("IndexedDB holds %d blobs; want the photo only: %v", len(stored), stored)
		}
	})

	var tk shared.Ticket
	t.Run("SubmitOfflineThenSync", func(t *testing.T) {
		run(t, field, clickStill(t, "#ticket-submit"))
		waitJS(t, field, "queued offline", statusIs("offline", 1), 30*time.Second)
		setOffline(t, field, false)
		waitJS(t, field, "sent", statusIs("online", 0), 30*time.Second)

		deadline := time.Now().Add(30 * time.Second)
		var in blob.Info
		admin := shared.Identity{UserID: "admin", Role: shared.RoleAdmin}
		for {
			n := 0
			for _, x := range ticketsOf(t, srv.Store) {
				if x.Title == title {
					tk, n = x, n+1
				}
			}
			if n > 1 {
				t.Fatalf("the server has %d tickets titled %q; want 1", n, title)
			}
			if n == 1 && len(tk.Attachments) == 1 {
				var err error
				in, err = blob.Stat(context.Background(), srv.Store, admin, tk.Attachments[0].SHA256)
				if err == nil && in.Complete {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 30 s: ticket %+v, blob %+v; want the ticket with a complete blob", tk, in)
			}
			time.Sleep(200 * time.Millisecond)
		}
		a := tk.Attachments[0]
		var buf bytes.Buffer
		if err := blob.WriteTo(context.Background(), srv.Store, admin, a.SHA256, &buf); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(buf.Bytes())
		if hex.EncodeToString(sum[:]) != a.SHA256 || int64(buf.Len()) != a.Size {
			t.Fatalf("the server's blob has SHA-256 %x and %d bytes; the ticket says %s and %d", sum, buf.Len(), a.SHA256, a.Size)
		}
		cfg, format, err := image.DecodeConfig(&buf)
		if err != nil || format != "jpeg" || max(cfg.Width, cfg.Height) > shared.MaxImageSide || cfg.Width != a.Width || cfg.Height != a.Height {
			t.Fatalf("the stored photo is %s %d×%d (%v); want a JPEG of at most %d px, as the ticket says (%d×%d)",
				format, cfg.Width, cfg.Height, err, shared.MaxImageSide, a.Width, a.Height)
		}
		orig, _ := os.Stat(photo)
		t.Logf("photo: %d bytes 3000×2000 → %d bytes %d×%d", orig.Size(), a.Size, cfg.Width, cfg.Height)
		waitJS(t, field, "marked uploaded on the device", `(async () => { const b = await `+idbBlobs+`; return b.length === 1 && b[0].uploaded === true; })()`, 30*time.Second)
	})

	t.Run("AgentSeesThePhoto", func(t *testing.T) {
		agent := newBrowser(t)
		signInUI(t, agent, base, "agent@example.com")
		run(t, agent, chromedp.Navigate(base+"/ticket/"+tk.ID))
		waitJS(t, agent, "the photo on the agent's ticket page", appReady+` && `+thumbShown("#attachments"), 30*time.Second)
		shot(t, agent, "attach-agent")
		href := eval[string](t, agent, `document.querySelector("#attachments figure.attachment a").href`)
		if !strings.HasPrefix(href, "blob:") {
			t.Errorf("the thumbnail opens %q; want the full image from the device's copy", href)
		}
	})
}
