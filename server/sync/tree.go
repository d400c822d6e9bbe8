package sync

import (
	"encoding/json"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// TypeTreeStats is the record type of a troubleshooting tree's run counts
// (tree.TreeStats, ID: the tree ID). Only staff may pull it (staffOnly).
const TypeTreeStats = "treestat"

// treeEventSeen is the kind of the unlogged marks that remember which
// event IDs were counted, and treeEventMemory how long they are kept: a
// device queues an event twice only when it crashed between queueing it and
// noting so, and then both copies travel in the same push.
const (
	treeEventSeen   = "treeevent"
	treeEventMemory = 90 * 24 * time.Hour
)

// treeEvent counts a troubleshooting run that started or ended, in the
// tree's stats and at its node. The push's sequence check makes a resent
// mutation count once; an event ID seen before is rejected, so an event
// the device queued twice counts once too. Events of a tree that does not
// exist are rejected; a node the tree no longer has is counted for the
// tree only, so devices cannot add nodes to the stats.
func treeEvent(tx store.Tx, _ Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
	var e tree.RunEvent
	if err := json.Unmarshal(args, &e); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := e.Validate(); err != nil {
		return err
	}
	data, err := tx.Get(wire.TypeTree, e.Tree)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return shared.Errorf(shared.ENOTFOUND, "troubleshoot.no_tree", e.Tree)
	} else if err != nil {
		return err
	}
	switch _, err := tx.GetLocal(treeEventSeen, e.ID); shared.ErrorCode(err) {
	case "":
		return shared.Errorf(shared.ECONFLICT, "troubleshoot.event_exists")
	case shared.ENOTFOUND:
	default:
		return err
	}
	hasNode := false
	if tr, err := tree.Decode(data); err == nil {
		hasNode = tr.Node(e.Node) != nil
	}
	var stats tree.TreeStats
	if err := getJSON(tx, TypeTreeStats, e.Tree, &stats); err != nil {
		return err
	}
	stats.Add(e.Event, hasNode, now.UnixMilli())
	if err := tx.PutLocal(treeEventSeen, e.ID, []byte{1}, now.Add(treeEventMemory)); err != nil {
		return err
	}
	return putJSON(tx, TypeTreeStats, e.Tree, stats)
}
