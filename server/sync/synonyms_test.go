package sync_test

import (
	"context"
	"encoding/json"
	"testing"

	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestSynonymsAreConfig: an admin saves search synonyms, checked as the
// screen checks them; nobody else may; every device pulls them, signed
// out too.
func TestSynonymsAreConfig(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	save := shared.SynonymSave{ID: shared.ConfigSynonyms, Synonyms: shared.Synonyms{
		"en": {{"VPN", "Outpost Connect"}}, "es": {{"móvil", "celular"}},
	}}
	for _, who := range []outsync.Actor{slaOther, agentAna} {
		if r := push(t, s, who, 1, shared.OpConfigSave, save); r.OK || r.Key != "synonyms.admin_only" {
			t.Fatalf("%s saving synonyms = %+v; want synonyms.admin_only", who.User.Role, r)
		}
	}
	bad := shared.SynonymSave{ID: shared.ConfigSynonyms, Synonyms: shared.Synonyms{"en": {{"vpn"}}}}
	if r := push(t, s, slaAdmin, 1, shared.OpConfigSave, bad); r.OK || r.Key != "synonyms.one_term" {
		t.Fatalf("saving a group of one = %+v; want synonyms.one_term", r)
	}
	if _, found := get[shared.Synonyms](t, db, wire.TypeConfig, shared.ConfigSynonyms); found {
		t.Fatal("a refused save stored synonyms")
	}
	if r := push(t, s, slaAdmin, 2, shared.OpConfigSave, save); !r.OK {
		t.Fatalf("an admin saving synonyms = %+v; want OK", r)
	}
	msg, err := s.PullAs(context.Background(), outsync.Actor{ClientID: client}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range msg.Changes {
		if c.Type == wire.TypeConfig && c.ID == shared.ConfigSynonyms {
			var got shared.Synonyms
			if err := json.Unmarshal(c.Data, &got); err != nil || len(got["en"]) != 1 || got["es"][0][1] != "celular" {
				t.Fatalf("pulled synonyms = %s, %v", c.Data, err)
			}
			return
		}
	}
	t.Fatal("a signed-out device did not pull the synonyms")
}
