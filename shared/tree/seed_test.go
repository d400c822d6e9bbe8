package tree

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"outpost/shared"
)

// seedArticleLangs reads the id and lang lines of the front matter of the
// demo articles in ../../server/seed/articles: article ID → language.
func seedArticleLangs(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../../server/seed/articles/*.md")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no demo articles found: %v", err)
	}
	langs := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var id, lang string
		sc := bufio.NewScanner(bytes.NewReader(data))
		for i := 0; sc.Scan(); i++ {
			line := sc.Text()
			if line == "---" && i > 0 {
				break
			}
			if v, ok := strings.CutPrefix(line, "id:"); ok {
				id = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "lang:"); ok {
				lang = strings.TrimSpace(v)
			}
		}
		if id == "" || lang == "" {
			t.Fatalf("%s: no id or lang in the front matter", p)
		}
		langs[id] = lang
	}
	return langs
}

// TestSeedTrees validates the demo trees in ../../server/seed/trees against
// the demo articles: a solution must link an article in the tree's own
// language. Each tree must be published, named after its ID, and have a
// translation in every language with the same shape, so that answers and
// statistics mean the same node in both.
func TestSeedTrees(t *testing.T) {
	articles := seedArticleLangs(t)
	paths, err := filepath.Glob("../../server/seed/trees/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no demo trees found: %v", err)
	}
	shapes := map[string]map[string]string{} // translation_of → lang → shape
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		t.Run(name, func(t *testing.T) {
			tr := readTree(t, p)
			for _, err := range Validate(tr, shared.Categories, func(id string) bool { return articles[id] == tr.Lang }) {
				t.Error(message(t, err))
			}
			if want := strings.Replace(name, ".", "-", 1); tr.ID != want {
				t.Errorf("%s has ID %q; want %q", p, tr.ID, want)
			}
			if tr.Status != StatusPublished {
				t.Errorf("%s has status %q; want %q", p, tr.Status, StatusPublished)
			}
			if shapes[tr.TranslationOf] == nil {
				shapes[tr.TranslationOf] = map[string]string{}
			}
			shapes[tr.TranslationOf][tr.Lang] = shape(tr)
		})
	}
	for orig, byLang := range shapes {
		for _, lang := range shared.Languages {
			if byLang[lang] == "" {
				t.Errorf("tree %q has no %s translation", orig, lang)
			} else if byLang[lang] != byLang["en"] {
				t.Errorf("tree %q in %s differs in shape from en:\n%s\nwant\n%s", orig, lang, byLang[lang], byLang["en"])
			}
		}
	}
}

// shape describes t without its texts or article IDs.
func shape(t *Tree) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", t.Category, t.Start)
	for _, n := range t.Nodes {
		fmt.Fprintf(&b, "%s %s next=%s %s %s %s\n", n.ID, n.Kind, n.Next, n.Priority, n.Category, strings.TrimSuffix(n.Article, "-"+t.Lang))
		for _, c := range n.Answers {
			fmt.Fprintf(&b, "  %s next=%s when=%v\n", c.ID, c.Next, c.When)
		}
	}
	return b.String()
}

// TestSeedTreesEveryRunEnds walks every run of the demo trees that does not
// visit a node twice, online and offline, and checks that Eval accepts each
// answer it offers and that every run which stops has an outcome: an
// independent check of what Validate promises.
func TestSeedTreesEveryRunEnds(t *testing.T) {
	paths, _ := filepath.Glob("../../server/seed/trees/*.json")
	for _, p := range paths {
		tr := readTree(t, p)
		visited := map[string]bool{}
		var walk func(f Facts, run []Answer, seen map[string]bool)
		walk = func(f Facts, run []Answer, seen map[string]bool) {
			st, err := Eval(tr, f, run)
			if err != nil {
				t.Fatalf("%s: Eval(%v, %v): %v", p, f, run, err)
			}
			visited[st.Node.ID] = true
			if st.Outcome != "" {
				return
			}
			if len(st.Answers) == 0 {
				t.Errorf("%s: Eval(%v, %v) stops at %s with no outcome", p, f, run, st.Node.ID)
			}
			seen[st.Node.ID] = true
			defer delete(seen, st.Node.ID)
			for _, c := range st.Answers {
				if c.Next != "" && seen[c.Next] {
					continue // a loop back; its other ways out are walked
				}
				walk(f, append(run[:len(run):len(run)], Answer{st.Node.ID, c.ID}), seen)
			}
		}
		for _, online := range []bool{true, false} {
			walk(Facts{Online: online, Lang: tr.Lang}, nil, map[string]bool{})
		}
		for _, n := range tr.Nodes {
			if !visited[n.ID] {
				t.Errorf("%s: no run reaches node %s", p, n.ID)
			}
		}
	}
}
