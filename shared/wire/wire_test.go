package wire

import (
	"encoding/json"
	"strings"
	"testing"

	"outpost/shared"
)

const client = "01936f6e-7a1b-7c3d-8e4f-0123456789ab"

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantKey string // "" means valid
	}{
		{"hello", `{"t":"hello","protocol":1,"client_id":"` + client + `"}`, ""},
		{"hello without protocol", `{"t":"hello","client_id":"` + client + `"}`, "wire.bad_protocol"},
		{"hello with bad client", `{"t":"hello","protocol":1,"client_id":"bob"}`, "wire.bad_client_id"},
		{"hello 5 with key", `{"t":"hello","protocol":5,"client_id":"` + client + `","device_key":"` + strings.Repeat("k", 43) + `"}`, ""},
		{"hello 5 without key", `{"t":"hello","protocol":5,"client_id":"` + client + `"}`, "wire.bad_device_key"},
		{"hello 5 with short key", `{"t":"hello","protocol":5,"client_id":"` + client + `","device_key":"abc"}`, "wire.bad_device_key"},
		{"hello 5 with bad key", `{"t":"hello","protocol":5,"client_id":"` + client + `","device_key":"` + strings.Repeat("k", 42) + `="}`, "wire.bad_device_key"},
		{"push", `{"t":"push","mutations":[{"seq":1,"name":"ticket.create","args":{}},{"seq":2,"name":"x","args":{}}]}`, ""},
		{"push empty", `{"t":"push"}`, "wire.bad_push"},
		{"push out of order", `{"t":"push","mutations":[{"seq":2,"name":"a","args":{}},{"seq":1,"name":"a","args":{}}]}`, "wire.bad_seq"},
		{"push seq zero", `{"t":"push","mutations":[{"seq":0,"name":"a","args":{}}]}`, "wire.bad_seq"},
		{"push no name", `{"t":"push","mutations":[{"seq":1,"args":{}}]}`, "wire.bad_mutation_name"},
		{"pull", `{"t":"pull","cursor":5,"limit":100}`, ""},
		{"pull huge limit", `{"t":"pull","limit":100000}`, "wire.bad_limit"},
		{"cursor beyond 2^53", `{"t":"pull","cursor":9007199254740993}`, "wire.bad_cursor"},
		{"changes", `{"t":"changes","cursor":3,"changes":[{"v":3,"type":"article","id":"a","data":{}}]}`, ""},
		{"change past cursor", `{"t":"changes","cursor":2,"changes":[{"v":3,"type":"article","id":"a","data":{}}]}`, "wire.bad_version"},
		{"change without data", `{"t":"changes","cursor":3,"changes":[{"v":3,"type":"article","id":"a"}]}`, "wire.bad_change"},
		{"tombstone", `{"t":"changes","cursor":3,"changes":[{"v":3,"type":"article","id":"a","deleted":true}]}`, ""},
		{"unknown type", `{"t":"launch"}`, "wire.unknown_type"},
		{"not json", `{"t":`, "wire.malformed"},
		{"wrong field type", `{"t":"pull","cursor":"five"}`, "wire.malformed"},
		{"not utf8", "{\"t\":\"poke\xff\"}", "wire.not_utf8"},
		{"too large", `{"t":"poke","key":"` + strings.Repeat("x", MaxFrame) + `"}`, "wire.too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			key, _ := shared.ErrorKey(err)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Decode(%.60q) = %v; want no error", tt.in, err)
				}
				return
			}
			if err == nil || key != tt.wantKey || shared.ErrorCode(err) != shared.EINVALID {
				t.Fatalf("Decode(%.60q) error = %v; want EINVALID %s", tt.in, err, tt.wantKey)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	in := Msg{T: TPush, Mutations: []Mutation{{Seq: 7, Name: shared.OpTicketCreate, Args: json.RawMessage(`{"id":"x"}`)}}}
	b, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.T != in.T || len(out.Mutations) != 1 || out.Mutations[0].Seq != 7 || string(out.Mutations[0].Args) != `{"id":"x"}` {
		t.Fatalf("Decode(Encode(%+v)) = %+v", in, out)
	}
}

func TestReject(t *testing.T) {
	r := Reject(4, shared.Errorf(shared.EINVALID, "field.too_long", "title", 200))
	if r.OK || r.Seq != 4 || r.Code != shared.EINVALID || r.Key != "field.too_long" || strings.Join(r.Args, ",") != "title,200" {
		t.Fatalf("Reject = %+v", r)
	}
}

// FuzzDecode checks that no input panics Decode and that whatever it accepts
// survives a round trip and stays within the protocol's limits.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"t":"hello","protocol":1,"client_id":"` + client + `"}`))
	f.Add([]byte(`{"t":"push","mutations":[{"seq":1,"name":"ticket.create","args":{"id":"x"}}]}`))
	f.Add([]byte(`{"t":"changes","cursor":3,"more":true,"changes":[{"v":3,"type":"article","id":"a","data":{}}]}`))
	f.Add([]byte(`{"t":"ack","results":[{"seq":1,"ok":true}]}`))
	f.Add([]byte(`{"t":"error","code":"invalid","key":"wire.malformed","args":["x"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if shared.ErrorCode(err) != shared.EINVALID {
				t.Fatalf("Decode error %v is not EINVALID", err)
			}
			return
		}
		again, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)): %v", b, err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))) = %v", b, err)
		}
	})
}
