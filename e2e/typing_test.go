package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Typing as a person types, and checking that every key went in.
//
// chromedp.SendKeys focuses the field and sends one real key event per
// character. If a redraw re-mounts the field meanwhile (go-app replaces
// an element whose place among its siblings changed), the keys after
// that go to a field that is no longer on the page, or to none, and the
// test would fail much later for a reason that no longer shows. typeInto
// waits until the field stands still, types, and then checks the field
// holds what the keys should have made of it, saying what was lost.

// typeSettle bounds the wait for a still field before typing: after it
// the keys go in anyway (and the check below says if any were lost).
const typeSettle = 10 * time.Second

// typeCheck bounds the wait for the field to show the typed text (an
// input handler that redraws the field runs after the keys).
const typeCheck = 2 * time.Second

// fieldState is what typeInto reads of the field before and after the
// keys.
type fieldState struct {
	Value     string `json:"value"`
	Start     int    `json:"start"` // the caret or selection (UTF-16 units; -1: the field has none)
	End       int    `json:"end"`
	Max       int    `json:"max"` // maxLength, -1 when unbounded
	Multiline bool   `json:"multiline"`
	Same      bool   `json:"same"`    // the element typing began in is still the one on the page
	Focused   bool   `json:"focused"` // it has the focus
	Active    string `json:"active"`  // what has the focus
	Missing   bool   `json:"missing"` // no element matches
}

// fieldStateJS reads sel's fieldState; mark makes the element the one
// later reads compare with.
func fieldStateJS(sel string, mark bool) string {
	return fmt.Sprintf(`(() => {
	const el = document.querySelector(%s), a = document.activeElement;
	if (!el) return JSON.stringify({missing: true});
	if (%t) window.__e2eTyping = el;
	const num = v => (typeof v === "number" ? v : -1);
	return JSON.stringify({
		value: el.value, start: num(el.selectionStart), end: num(el.selectionEnd),
		max: num(el.maxLength), multiline: el.tagName === "TEXTAREA",
		same: window.__e2eTyping === el, focused: a === el,
		active: a ? a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") : "nothing",
	});
})()`, jsString(sel), mark)
}

func readField(ctx context.Context, tg *chromedp.Target, sel string, mark bool) (fieldState, error) {
	var f fieldState
	s, err := chromedp.Evaluate[string](fieldStateJS(sel, mark))(ctx, tg)
	if err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(s), &f)
}

// typeInto types text into the field sel key by key, with real key
// events (kb.Backspace and kb.Enter among them), once the field is still,
// and fails saying which keys were lost if the field does not then hold
// what they make of its value.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for start := time.Now(); time.Since(start) < typeSettle; {
			if v, err := chromedp.Evaluate[string](stillJS(sel))(ctx, tg); err == nil && v != "" {
				break // still ("moving" too: typing need not wait for the sync)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("typing into %s: %w", sel, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
		if _, err := chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible)(ctx, tg); err != nil {
			return fmt.Errorf("focus %s to type %q: %w", sel, text, err)
		}
		before, err := readField(ctx, tg, sel, true)
		if err != nil {
			return fmt.Errorf("read %s before typing: %w", sel, err)
		}
		if _, err := chromedp.KeyEvent(text)(ctx, tg); err != nil {
			return fmt.Errorf("type %q into %s: %w", text, sel, err)
		}
		want, ok := typed(before, text)
		if !ok {
			return nil // a key whose effect is the page's (Enter in a one-line field submits)
		}
		var after fieldState
		for deadline := time.Now().Add(typeCheck); ; {
			after, err = readField(ctx, tg, sel, false)
			if err == nil && !after.Missing && after.Value == want {
				return nil
			}
			if time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("typing into %s: %w", sel, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
		if err != nil {
			return fmt.Errorf("read %s after typing %q: %w", sel, text, err)
		}
		return fmt.Errorf("typed %q into %s, which held %q: %s", text, sel, before.Value, lost(want, after))
	})
}

// typed is what the field before holds once text is typed at its caret,
// and false when text has a key whose effect is the page's.
func typed(before fieldState, text string) (string, bool) {
	v := utf16.Encode([]rune(before.Value))
	start, end := before.Start, before.End
	if start < 0 || start > len(v) || end < start || end > len(v) {
		start, end = len(v), len(v) // a field without a caret (email): keys go at the end
	}
	head, tail := append([]uint16(nil), v[:start]...), v[end:]
	selected := start != end
	for _, r := range text {
		k, named := kb.Keys[r]
		switch {
		case string(r) == kb.Backspace:
			if selected {
				selected = false
			} else if n := len(head); n > 0 {
				if n > 1 && utf16.IsSurrogate(rune(head[n-1])) {
					n--
				}
				head = head[:n-1]
			}
			continue
		case r == '\n' || r == '\r':
			if !before.Multiline {
				return "", false
			}
			r = '\n'
		case r == '\t' || (named && !k.Print): // Tab moves on; arrows, Home…
			return "", false
		}
		selected = false
		u := utf16.Encode([]rune{r})
		if before.Max >= 0 && len(head)+len(tail)+len(u) > before.Max {
			continue // the field takes no more
		}
		head = append(head, u...)
	}
	return string(utf16.Decode(append(head, tail...))), true
}

// lost says how the field after differs from want: the keys missing or
// extra, and what a redraw did to the field.
func lost(want string, after fieldState) string {
	if after.Missing {
		return "the field left the page"
	}
	w, g := []rune(want), []rune(after.Value)
	p := 0
	for p < len(w) && p < len(g) && w[p] == g[p] {
		p++
	}
	s := 0
	for s < len(w)-p && s < len(g)-p && w[len(w)-1-s] == g[len(g)-1-s] {
		s++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "it holds %q, want %q", after.Value, want)
	if miss, extra := string(w[p:len(w)-s]), string(g[p:len(g)-s]); extra == "" {
		fmt.Fprintf(&b, ": the keys %q were lost after %q", miss, string(w[:p]))
	} else {
		fmt.Fprintf(&b, ": %q instead of %q after %q", extra, miss, string(w[:p]))
	}
	if !after.Same {
		b.WriteString("; the field was drawn anew while the keys went in (a redraw re-mounted it)")
	}
	if !after.Focused {
		fmt.Fprintf(&b, "; the focus is on %s", after.Active)
	}
	return b.String()
}

// TestTypedAndLost checks typeInto's own arithmetic (no browser): what
// keys make of a field, and how a loss is told.
func TestTypedAndLost(t *testing.T) {
	for _, c := range []struct {
		name   string
		before fieldState
		keys   string
		want   string
		ok     bool
	}{
		{"empty", fieldState{Start: 0, End: 0, Max: -1}, "Printer jam", "Printer jam", true},
		{"at the end", fieldState{Value: "tunnel", Start: 6, End: 6, Max: -1}, " = VPN", "tunnel = VPN", true},
		{"no caret (email)", fieldState{Value: "ada@", Start: -1, End: -1, Max: -1}, "example.com", "ada@example.com", true},
		{"at the start", fieldState{Value: "jam", Start: 0, End: 0, Max: -1}, "paper ", "paper jam", true},
		{"over a selection", fieldState{Value: "old text", Start: 0, End: 8, Max: -1}, "new", "new", true},
		{"backspace", fieldState{Value: "words", Start: 5, End: 5, Max: -1}, " " + kb.Backspace, "words", true},
		{"backspace on a selection", fieldState{Value: "abc", Start: 1, End: 3, Max: -1}, kb.Backspace, "a", true},
		{"accents", fieldState{Value: "contrase", Start: 8, End: 8, Max: -1}, "ña" + kb.Backspace + "a", "contraseña", true},
		{"newline in a textarea", fieldState{Value: "radios", Start: 6, End: 6, Max: -1, Multiline: true}, " > wireless\nradios", "radios > wireless\nradios", true},
		{"maxlength", fieldState{Start: 0, End: 0, Max: 4}, "abcdef", "abcd", true},
		{"enter in a one-line field", fieldState{Value: "vpn", Start: 3, End: 3, Max: -1}, kb.Enter, "", false},
		{"arrow key", fieldState{Start: 0, End: 0, Max: -1}, kb.ArrowDown, "", false},
	} {
		got, ok := typed(c.before, c.keys)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: typed(%+v, %q) = %q, %v; want %q, %v", c.name, c.before, c.keys, got, ok, c.want, c.ok)
		}
	}
	msg := lost("The printer has a paper jam", fieldState{Value: "The printer has a jam", Same: false, Focused: false, Active: "body"})
	for _, part := range []string{`the keys "paper " were lost after "The printer has a "`, "drawn anew", "the focus is on body"} {
		if !strings.Contains(msg, part) {
			t.Errorf("lost(…) = %q; want it to say %q", msg, part)
		}
	}
	if msg := lost("abc", fieldState{Value: "axc", Same: true, Focused: true}); !strings.Contains(msg, `"x" instead of "b" after "a"`) || strings.Contains(msg, "anew") {
		t.Errorf("lost(abc → axc) = %q", msg)
	}
}

// TestTypingSaysWhatWasLost types into a page whose field is drawn anew
// after the fifth character, as a go-app redraw re-mounts one: typeInto
// must fail and say which keys were lost and why, and pass on a field
// that keeps them.
func TestTypingSaysWhatWasLost(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><input id="kept"><input id="remounted"><script>
document.addEventListener("input", e => {
	if (e.target.id !== "remounted" || e.target.value.length !== 5) return;
	const n = document.createElement("input");
	n.id = "remounted"; n.value = e.target.value;
	e.target.replaceWith(n);
});
</script>`))
	}))
	defer page.Close()
	b := newBrowser(t)
	run(t, b, chromedp.Navigate(page.URL))
	run(t, b, typeInto("#kept", "The printer"))
	_, err := chromedp.Run(b, typeInto("#remounted", "The printer"))
	if err == nil {
		t.Fatal("typeInto passed on a field that lost keys")
	}
	for _, part := range []string{`holds "The p"`, `the keys "rinter" were lost after "The p"`, "drawn anew", "the focus is on body"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("typeInto's failure = %q; want it to say %q", err, part)
		}
	}
}
