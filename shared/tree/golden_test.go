package tree

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"outpost/shared"
	"outpost/shared/i18n"
)

var update = flag.Bool("update", false, "rewrite the .golden files in testdata")

// goldenArticles are the articles the testdata trees may link to.
var goldenArticles = []string{"printer-jam", "wifi-connect"}

func articleIn(ids []string) func(string) bool {
	return func(id string) bool { return slices.Contains(ids, id) }
}

// checkGolden compares got with the golden file beside input, or rewrites
// it with -update.
func checkGolden(t *testing.T, input, got string) {
	t.Helper()
	golden := strings.TrimSuffix(input, ".json") + ".golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n--- got\n%s--- want\n%s", input, golden, got, want)
	}
}

// message renders err as "key: English message", and fails the test if the
// key is missing from a catalog or its arguments do not fit it.
func message(t *testing.T, err error) string {
	t.Helper()
	key, args := shared.ErrorKey(err)
	if code := shared.ErrorCode(err); code != shared.EINVALID {
		t.Errorf("error %v has code %q; want %q", err, code, shared.EINVALID)
	}
	var en string
	for _, lang := range shared.Languages {
		msg := i18n.T(lang, key, slices.Clone(args)...)
		if msg == key || strings.Contains(msg, "%!") {
			t.Errorf("i18n.T(%q, %q, %v) = %q; want a message with its arguments", lang, key, args, msg)
		}
		if lang == "en" {
			en = msg
		}
	}
	return key + ": " + en
}

func readTree(t *testing.T, path string) *Tree {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return tr
}

func TestValidateGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/validate/*.json")
	if len(inputs) == 0 {
		t.Fatal("no testdata/validate/*.json")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			var b strings.Builder
			for _, err := range Validate(readTree(t, in), shared.Categories, articleIn(goldenArticles)) {
				b.WriteString(message(t, err) + "\n")
			}
			checkGolden(t, in, b.String())
		})
	}
}

// script is an eval test case: a tree in testdata/trees, facts and answers.
type script struct {
	Tree    string   `json:"tree"`
	Facts   Facts    `json:"facts"`
	Answers []Answer `json:"answers"`
}

func TestEvalGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/eval/*.json")
	if len(inputs) == 0 {
		t.Fatal("no testdata/eval/*.json")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var s script
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			tr := readTree(t, filepath.Join("testdata", "trees", s.Tree))
			if errs := Validate(tr, shared.Categories, articleIn(goldenArticles)); len(errs) > 0 {
				t.Fatalf("Validate(%s) = %v; want no problems", s.Tree, errs)
			}
			st, err := Eval(tr, s.Facts, s.Answers)
			checkGolden(t, in, dump(t, st, err))
		})
	}
}

// dump renders a state for a golden file.
func dump(t *testing.T, st State, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error: %s\n", message(t, err))
	}
	fmt.Fprintf(&b, "node: %s (%s)\n", st.Node.ID, st.Node.Kind)
	fmt.Fprintf(&b, "outcome: %s\n", st.Outcome)
	for _, c := range st.Answers {
		fmt.Fprintf(&b, "answer: %s = %s\n", c.ID, c.Text)
	}
	for _, tn := range st.Transcript {
		fmt.Fprintf(&b, "turn: %s: %s → %s\n", tn.Node, tn.Question, tn.Answer)
	}
	if tk := st.Ticket; tk != nil {
		fmt.Fprintf(&b, "ticket.title: %s\nticket.category: %s\nticket.priority: %s\nticket.hint: %s\nticket.description:\n%s",
			tk.Title, tk.Category, tk.Priority, tk.Hint, tk.Description)
	}
	return b.String()
}
