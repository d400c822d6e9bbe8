package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestCatalogsHaveSameKeys(t *testing.T) {
	en, es := Keys("en"), Keys("es")
	sort.Strings(en)
	sort.Strings(es)
	if strings.Join(en, "\n") != strings.Join(es, "\n") {
		missing := func(a, b []string) (out []string) {
			set := map[string]bool{}
			for _, k := range b {
				set[k] = true
			}
			for _, k := range a {
				if !set[k] {
					out = append(out, k)
				}
			}
			return out
		}
		t.Errorf("catalogs differ: missing in es %q, missing in en %q", missing(en, es), missing(es, en))
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "ticket.title_required", nil, "Give the ticket a title."},
		{"es", "ticket.title_required", nil, "Ponle un título al ticket."},
		{"es", "field.too_long", []any{"title", 200}, "El título es demasiado largo (máximo 200 caracteres)."},
		{"fr", "ticket.title_required", nil, "Give the ticket a title."},
		{"en", "no.such.key", nil, "no.such.key"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q; want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		prefs []string
		want  string
	}{
		{[]string{"es-MX", "en"}, "es"},
		{[]string{"fr-FR,es;q=0.8"}, "es"},
		{[]string{"de"}, "en"},
		{nil, "en"},
		{[]string{"EN-gb"}, "en"},
	}
	for _, tt := range tests {
		if got := Match(tt.prefs...); got != tt.want {
			t.Errorf("Match(%q) = %q; want %q", tt.prefs, got, tt.want)
		}
	}
}

func TestTLeavesArgumentsAlone(t *testing.T) {
	args := []any{"title", 200}
	if got := T("es", "field.too_long", args...); got != "El título es demasiado largo (máximo 200 caracteres)." {
		t.Errorf("T = %q", got)
	}
	if args[0] != "title" {
		t.Errorf("T changed its caller's arguments: %v", args)
	}
}

// TestEveryAreaIsListed: an area declared in a catalog_<area>.go file but
// left out of areas would drop its messages silently.
func TestEveryAreaIsListed(t *testing.T) {
	files, err := filepath.Glob("catalog_*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalog files: %v", err)
	}
	declared := 0
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.CompositeLit); ok {
						if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "area" {
							declared++
						}
					}
				}
			}
		}
	}
	if declared != len(areas) {
		t.Errorf("%d areas declared in catalog_*.go, %d listed in areas (i18n.go)", declared, len(areas))
	}
}
