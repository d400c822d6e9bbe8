package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	serverhttp "outpost/server/http"
	"outpost/shared/wire"
	"outpost/web"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := printVersion(&out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	app, err := serverhttp.AppVersion(web.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"outpost " + version + "\n", "app " + app + "\n", fmt.Sprintf("protocol %d ", wire.Version)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("outpost version printed %q; want it to hold %q", out.String(), want)
		}
	}
}
