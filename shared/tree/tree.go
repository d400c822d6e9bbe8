// Package tree is guided troubleshooting: a tree of questions, steps to try,
// knowledge-base solutions and escalations to a ticket, evaluated as a pure
// function of the answers given so far. The app runs it offline in the
// browser; the server validates trees before they are published.
//
// A run is just the list of answers: going back drops the last one, starting
// over is the empty list, and a run saved on the device replays to the same
// screen with Eval.
package tree

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"outpost/shared"
)

// Node kinds.
const (
	// KindQuestion asks something and branches on the answer.
	KindQuestion = "question"
	// KindStep asks the user to try something, then whether it fixed the
	// problem: yes ends the run solved, no goes on to Next.
	KindStep = "step"
	// KindSolution points to a knowledge-base article and asks whether it
	// solved the problem: yes ends the run solved, no goes on to Next.
	KindSolution = "solution"
	// KindEscalate ends the run with a ticket draft.
	KindEscalate = "escalate"
)

// Tree statuses. Only published trees are shown to users, and only a tree
// that passes Validate may be published.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Ticket priorities an escalation may suggest, most urgent first.
var Priorities = []string{"P1", "P2", "P3", "P4"}

// Facts the app knows about the user's situation, which conditions test.
const (
	FactOnline = "online" // bool: the app can reach the server
	FactLang   = "lang"   // string: the language the app is shown in
)

// Size limits. MaxBytes bounds a whole document before it is parsed; the
// others keep each screen readable and are checked by Validate.
const (
	MaxBytes      = 256 << 10
	MaxNodes      = 200
	MaxAnswers    = 10
	MaxText       = 1000 // node text: a question, an instruction, a hint
	MaxAnswerText = 150
)

// Tree is a guided-troubleshooting tree in one language. Translations are
// separate trees whose TranslationOf names the original, as for articles.
type Tree struct {
	ID            string `json:"id"`
	TranslationOf string `json:"translation_of,omitempty"`
	Lang          string `json:"lang"`
	Title         string `json:"title"`
	Summary       string `json:"summary,omitempty"`
	Category      string `json:"category"` // a category of the tree in use (see Validate)
	Status        string `json:"status"`
	Start         string `json:"start"` // ID of the first node
	Nodes         []Node `json:"nodes"` // in the order the author wrote them
}

// Node is one screen of a run. Which fields apply depends on Kind; Validate
// rejects the ones that do not.
type Node struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Text is the question, the instruction to try, the introduction to the
	// solution article, or for an escalation the hint shown with the ticket
	// draft (what to add to it).
	Text    string   `json:"text"`
	Answers []Choice `json:"answers,omitempty"` // question
	// Next is where a step or solution goes when it did not help.
	Next    string `json:"next,omitempty"`
	Article string `json:"article,omitempty"` // solution: an article ID
	// Title, Priority and Category prefill the ticket of an escalation.
	// Title and Category default to the tree's.
	Title    string `json:"title,omitempty"`
	Priority string `json:"priority,omitempty"`
	Category string `json:"category,omitempty"`
}

// Choice is an answer the user can pick at a node.
type Choice struct {
	ID   string     `json:"id"`
	Text string     `json:"text"`
	Next string     `json:"next,omitempty"`
	When *Condition `json:"when,omitempty"` // shown only if it holds
}

// Condition is a test of one fact, such as {"fact": "online", "equals":
// true}. Equals is a bool for FactOnline and a language code for FactLang.
// There is deliberately no and, or or not: a tree that needs more should ask.
type Condition struct {
	Fact   string `json:"fact"`
	Equals any    `json:"equals"`
}

// Holds reports whether c is true of f. A condition Validate would reject
// never holds, so a bad condition hides its answer rather than showing it.
func (c *Condition) Holds(f Facts) bool {
	switch c.Fact {
	case FactOnline:
		b, ok := c.Equals.(bool)
		return ok && b == f.Online
	case FactLang:
		s, ok := c.Equals.(string)
		return ok && s == f.Lang
	}
	return false
}

// Node returns the node with the given ID, or nil.
func (t *Tree) Node(id string) *Node {
	for i := range t.Nodes {
		if t.Nodes[i].ID == id {
			return &t.Nodes[i]
		}
	}
	return nil
}

// Decode parses a tree from JSON. It rejects documents over MaxBytes, text
// that is not UTF-8, unknown fields and trailing data, with an EINVALID
// *shared.Error; it does not Validate the tree, so drafts can be stored
// while they are being written.
func Decode(data []byte) (*Tree, error) {
	if len(data) > MaxBytes {
		return nil, invalid("tree.too_large", MaxBytes)
	}
	if !utf8.Valid(data) {
		return nil, invalid("tree.not_utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t *Tree
	if err := dec.Decode(&t); err != nil {
		return nil, invalid("tree.malformed", err.Error())
	}
	if t == nil {
		return nil, invalid("tree.malformed", "null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("tree.malformed", "data after the tree")
	}
	return t, nil
}

func invalid(key string, args ...any) *shared.Error {
	return shared.Errorf(shared.EINVALID, key, args...)
}
