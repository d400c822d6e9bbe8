package app

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared/tree"
)

// TestPreviewDrawsAsTheRun: at every screen of a guide, the editor's
// preview shows the words and answer buttons the run shows (they once
// drifted: the preview lacked "Try this" and showed answers differently).
func TestPreviewDrawsAsTheRun(t *testing.T) {
	tr := demoTree(t)
	tags := regexp.MustCompile(`<[^>]*>`)
	text := func(ui app.UI) string {
		return strings.Join(strings.Fields(tags.ReplaceAllString(app.HTMLString(ui), " ")), " ")
	}
	for _, lang := range []string{"en", "es"} {
		c := &Client{}
		run := &troubleshootRun{page: page{client: c, lang: lang}, tr: tr}
		edit := &treeEdit{page: page{client: c, lang: lang}}
		edit.d.Tree = *tr
		edit.previewOffline = true // the run's facts outside a browser: offline
		var answers []tree.Answer
		for screens := 0; ; screens++ {
			run.run.Answers, edit.preview = answers, answers
			st, _, err := replay(tr, run.facts(), answers)
			if err != nil || st.Node == nil {
				t.Fatalf("%s: replay(%v) = %v, %v", lang, answers, st.Node, err)
			}
			if st.Outcome != "" {
				if screens < 2 {
					t.Fatalf("%s: the guide ended after %d screens; want a walk through several", lang, screens)
				}
				break
			}
			got, want := text(edit.renderPreviewNode(st, nil)), text(run.renderNode(st))
			if got != want || got == "" {
				t.Errorf("%s at %s: the preview reads %q; the run reads %q", lang, st.Node.ID, got, want)
			}
			answers = append(answers, tree.Answer{Node: st.Node.ID, Choice: st.Answers[len(st.Answers)-1].ID})
		}
	}
}
