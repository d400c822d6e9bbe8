package tree

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"outpost/shared"
	"outpost/shared/i18n"
)

// Answer IDs of the yes/no question that steps and solutions ask.
const (
	Yes = "yes" // it fixed the problem
	No  = "no"  // it did not; go on
)

// Outcomes of a finished run.
const (
	Solved    = "solved"
	Escalated = "escalated"
)

// Facts is what the app knows when it evaluates a tree.
type Facts struct {
	Online bool   `json:"online"`
	Lang   string `json:"lang"`
}

// Answer is one answer of a run: the choice picked at a node. Naming the
// node lets Eval notice a run saved against an older version of the tree.
type Answer struct {
	Node   string `json:"node"`
	Choice string `json:"choice"`
}

// Turn is one answered node of a run, as the transcript shows it.
type Turn struct {
	Node     string `json:"node"`
	Question string `json:"question"`          // the node's text
	Answer   string `json:"answer"`            // the chosen answer's text
	Article  string `json:"article,omitempty"` // for a solution: the article tried
}

// Ticket is the ticket draft an escalation prefills.
type Ticket struct {
	Title    string `json:"title"`
	Category string `json:"category"`
	Priority string `json:"priority"`
	// Hint tells the user what to add to the description.
	Hint string `json:"hint"`
	// Description is the transcript as plain text, at most
	// shared.MaxTicketDescription characters.
	Description string `json:"description"`
}

// State is where a run stands after some answers.
type State struct {
	// Node is the node on screen; in a finished run, the node it ended at.
	// It points into the tree.
	Node *Node
	// Answers are the choices the user may pick now, after conditions: a
	// question's visible answers, or Yes and No (with texts in the tree's
	// language) for a step or solution. Nil once the run is finished.
	Answers []Choice
	// Outcome is "" while the run goes on, then Solved or Escalated.
	Outcome string
	// Transcript lists the answered nodes in order.
	Transcript []Turn
	// Ticket is set when Outcome is Escalated.
	Ticket *Ticket
}

// Eval replays answers on t and returns where the run stands. It returns an
// EINVALID *shared.Error if an answer does not fit (it names the answer by
// its 1-based position), together with the state just before that answer,
// so the app can keep the part of the run that still makes sense.
func Eval(t *Tree, facts Facts, answers []Answer) (State, error) {
	start := t.Node(t.Start)
	if start == nil {
		return State{}, invalid("tree.eval_start_missing", t.Start)
	}
	st := enter(t, facts, start, nil)
	for i, a := range answers {
		n := i + 1
		cur := st.Node
		if st.Outcome != "" {
			return st, invalid("tree.eval_finished", n)
		}
		if a.Node != cur.ID {
			return st, invalid("tree.eval_wrong_node", n, a.Node, cur.ID)
		}
		c := choice(t, cur, a.Choice)
		switch {
		case c == nil:
			return st, invalid("tree.eval_unknown_answer", n, cur.ID, a.Choice)
		case c.When != nil && !c.When.Holds(facts):
			return st, invalid("tree.eval_hidden_answer", n, cur.ID, a.Choice)
		}
		turn := Turn{Node: cur.ID, Question: cur.Text, Answer: c.Text}
		if cur.Kind == KindSolution {
			turn.Article = cur.Article
		}
		transcript := append(st.Transcript, turn)
		if cur.Kind != KindQuestion && c.ID == Yes {
			st = State{Node: cur, Outcome: Solved, Transcript: transcript}
			continue
		}
		next := t.Node(c.Next)
		if next == nil {
			return st, invalid("tree.eval_next_missing", cur.ID, c.Next)
		}
		st = enter(t, facts, next, transcript)
	}
	return st, nil
}

// enter returns the state of a run that has just reached n.
func enter(t *Tree, facts Facts, n *Node, transcript []Turn) State {
	st := State{Node: n, Transcript: transcript}
	if n.Kind == KindEscalate {
		st.Outcome = Escalated
		st.Ticket = ticket(t, n, transcript)
		return st
	}
	for _, c := range choices(t, n) {
		if c.When == nil || c.When.Holds(facts) {
			st.Answers = append(st.Answers, c)
		}
	}
	return st
}

// choices returns every answer of n, visible or not.
func choices(t *Tree, n *Node) []Choice {
	switch n.Kind {
	case KindQuestion:
		return n.Answers
	case KindStep:
		return []Choice{
			{ID: Yes, Text: i18n.T(t.Lang, "tree.step_yes")},
			{ID: No, Text: i18n.T(t.Lang, "tree.step_no"), Next: n.Next},
		}
	case KindSolution:
		return []Choice{
			{ID: Yes, Text: i18n.T(t.Lang, "tree.solution_yes")},
			{ID: No, Text: i18n.T(t.Lang, "tree.solution_no"), Next: n.Next},
		}
	}
	return nil
}

func choice(t *Tree, n *Node, id string) *Choice {
	cs := choices(t, n)
	for i := range cs {
		if cs[i].ID == id {
			return &cs[i]
		}
	}
	return nil
}

// ticket prefills the ticket of a run escalated at n.
func ticket(t *Tree, n *Node, transcript []Turn) *Ticket {
	tk := &Ticket{Title: n.Title, Category: n.Category, Priority: n.Priority, Hint: n.Text}
	if tk.Title == "" {
		tk.Title = t.Title
	}
	if tk.Category == "" {
		tk.Category = t.Category
	}
	tk.Description = describe(t, transcript, shared.MaxTicketDescription)
	return tk
}

// describe renders turns as plain text in the tree's language, for a
// ticket description of at most limit characters: a heading naming the tree,
// then one numbered question and answer per turn. If they do not all fit,
// the latest turns are kept and a line says how many were left out, since
// the last things tried matter most to whoever picks up the ticket.
func describe(t *Tree, turns []Turn, limit int) string {
	head := i18n.T(t.Lang, "tree.ticket_heading", t.Title)
	blocks := make([]string, len(turns))
	for i, tn := range turns {
		b := fmt.Sprintf("%d. %s\n", i+1, oneLine(tn.Question))
		if tn.Article != "" {
			b += "   " + i18n.T(t.Lang, "tree.ticket_article", tn.Article) + "\n"
		}
		blocks[i] = b + "   → " + oneLine(tn.Answer) + "\n"
	}
	if s := render(head, "", blocks); utf8.RuneCountInString(s) <= limit {
		return s
	}
	// The count in this line only gets shorter once turns are kept.
	budget := limit - utf8.RuneCountInString(render(head, i18n.T(t.Lang, "tree.ticket_omitted", len(blocks)), nil))
	first := len(blocks)
	for first > 0 {
		n := utf8.RuneCountInString(blocks[first-1]) + 1
		if n > budget {
			break
		}
		budget -= n
		first--
	}
	return render(head, i18n.T(t.Lang, "tree.ticket_omitted", first), blocks[first:])
}

func render(head, omitted string, blocks []string) string {
	s := head + "\n"
	if omitted != "" {
		s += omitted + "\n"
	}
	return s + "\n" + strings.Join(blocks, "\n")
}

// oneLine folds the line breaks of an author's text, so numbering stays
// readable.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
