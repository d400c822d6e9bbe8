package logsafe

import (
	"errors"
	"fmt"
	"testing"

	"outpost/shared"
)

func TestErr(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{shared.Errorf(shared.ECONFLICT, "auth.email_taken", "pat@example.com"), "conflict: auth.email_taken"},
		{fmt.Errorf("apply: %w", shared.Errorf(shared.EINVALID, "kiosk.bad_number", "Pat Example")), "invalid: kiosk.bad_number"},
		{errors.New("550 5.1.1 <pat.o'neil+desk@mail.example.co.uk>: Recipient address rejected"), "550 5.1.1 <[e-mail]>: Recipient address rejected"},
		{errors.New("dial tcp 10.0.0.1:25: connection refused"), "dial tcp 10.0.0.1:25: connection refused"},
	} {
		if got := Err(c.err); got != c.want {
			t.Errorf("Err(%v) = %q; want %q", c.err, got, c.want)
		}
	}
}
