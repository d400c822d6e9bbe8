package search

import "testing"

// Pairs are taken from the Snowball reference vocabularies
// (snowball-data english/ and spanish/ diffs.txt); Spanish inputs are folded
// first, and the few words whose official stem depends on an accent are
// listed with the folded-input stem (see stem_es.go).
func TestStemEnglish(t *testing.T) {
	tests := []struct{ word, want string }{
		{"connection", "connect"}, {"running", "run"}, {"batteries", "batteri"},
		{"generously", "generous"}, {"drilled", "drill"}, {"drinkable", "drinkabl"},
		{"drinking", "drink"}, {"dripping", "drip"}, {"driving", "drive"},
		{"drizzle", "drizzl"}, {"drizzly", "drizzli"}, {"drolly", "drolli"},
		{"drooping", "droop"}, {"dropped", "drop"}, {"drowsiness", "drowsi"},
		{"drowsy", "drowsi"}, {"drunkenness", "drunken"}, {"dry", "dri"},
		{"drying", "dri"}, {"dryly", "dryli"}, {"duchesses", "duchess"},
		{"dullness", "dull"}, {"dutifully", "duti"}, {"duties", "duti"},
		{"dwellings", "dwell"}, {"dying", "die"}, {"dyed", "dy"},
		{"eagerly", "eager"}, {"early", "earli"}, {"earnestness", "earnest"},
		{"easily", "easili"}, {"easiness", "easi"}, {"eaves", "eav"},
		{"ebbed", "eb"}, {"eccentricities", "eccentr"}, {"economically", "econom"},
		{"economize", "econom"}, {"educational", "educ"}, {"effectiveness", "effect"},
		{"effectual", "effectu"}, {"effervescence", "effervesc"},
		{"efficacious", "efficaci"}, {"efficiency", "effici"}, {"elaborate", "elabor"},
		{"elasticity", "elast"}, {"elation", "elat"}, {"electioneering", "election"},
		{"electricity", "electr"}, {"elegantly", "eleg"}, {"elementary", "elementari"},
		{"dumbfounded", "dumbfound"}, {"dumbly", "dumbl"}, {"duplicity", "duplic"},
		{"durability", "durabl"}, {"during", "dure"}, {"ducklings", "duckl"},
		{"skies", "sky"}, {"news", "news"}, {"dulness", "dul"}, {"duly", "duli"},
		{"printing", "print"}, {"passwords", "password"}, {"connecting", "connect"},
		{"configuration", "configur"}, {"locked", "lock"}, {"charging", "charg"},
		{"a", "a"}, {"is", "is"}, {"", ""}, {"wi-fi", "wi-fi"}, {"ñ", "ñ"},
	}
	for _, tt := range tests {
		if got := Stem("en", tt.word); got != tt.want {
			t.Errorf("Stem(%q, %q) = %q; want %q", "en", tt.word, got, tt.want)
		}
	}
}

func TestStemSpanish(t *testing.T) {
	tests := []struct{ word, want string }{
		{"contraseñas", "contrasen"}, {"impresoras", "impresor"}, {"conectarse", "conect"},
		{"cobrarles", "cobr"}, {"cobrarte", "cobrart"}, {"cocaína", "cocain"},
		{"cocainómano", "cocainoman"}, {"coincidencias", "coincident"},
		{"coincidentemente", "coincident"}, {"coincidieron", "coincid"},
		{"colaboración", "colabor"}, {"colaboradores", "colabor"},
		{"colaborando", "colabor"}, {"colocándose", "coloc"}, {"colocarnos", "coloc"},
		{"comercializadora", "comercializ"}, {"comercialmente", "comercial"},
		{"combatividad", "combat"}, {"comentábamos", "coment"}, {"comisiones", "comision"},
		{"comparativamente", "compar"}, {"competencias", "competent"},
		{"cometeríamos", "comet"}, {"comentaristas", "comentar"}, {"cómodamente", "comod"},
		{"colectividad", "colect"}, {"coleccionistas", "coleccion"}, {"cohetitos", "cohetit"},
		{"columnista", "column"}, {"comandancia", "comand"}, {"compatible", "compat"},
		{"coger", "cog"}, {"cogido", "cog"}, {"cognitivo", "cognit"},
		{"coloquialmente", "coloquial"}, {"colorísticos", "colorist"}, {"comida", "com"},
		{"comparándolas", "compar"}, {"compartimiento", "compart"}, {"cómo", "com"},
		{"combustión", "combustion"}, {"coloque", "coloqu"}, {"comience", "comienc"},
		{"compañeros", "companer"}, {"coherencia", "coherent"},
		// Kept apart from "ordenar" (to sort): esExceptions.
		{"ordenador", "ordenador"}, {"ordenadores", "ordenador"}, {"ordenar", "orden"},
		// Folded-input variants (official stems of the accented forms differ).
		{"batería", "bateri"}, {"bateria", "bateri"}, {"baterías", "bateri"},
		{"compañía", "compani"}, {"comercio", "comerci"}, {"comerciar", "comerci"},
		{"conexión", "conexion"}, {"inalámbrica", "inalambr"}, {"bloqueada", "bloqu"},
		{"impresión", "impresion"}, {"sincronización", "sincroniz"},
		{"a", "a"}, {"", ""}, {"wifi", "wifi"}, {"país", "pais"},
	}
	for _, tt := range tests {
		if got := Stem("es", Fold(tt.word)); got != tt.want {
			t.Errorf("Stem(%q, %q) = %q; want %q", "es", Fold(tt.word), got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Contraseña", "contrasena"}, {"ÁÉÍÓÚÜÑÇ", "aeiouunc"}, {"Straße", "strasse"},
		{"e\u0301xito", "exito"}, {"Łódź", "lodz"}, {"Œuvre", "oeuvre"}, {"plain", "plain"},
		{"\xff", "\ufffd"}, {"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	got := Tokenize("Wi-Fi: ¿Contraseña? e\u0301xito 90 días")
	want := []string{"wi", "fi", "contrasena", "exito", "90", "dias"}
	if len(got) != len(want) {
		t.Fatalf("Tokenize = %q; want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Tokenize = %q; want %q", got, want)
		}
	}
}
