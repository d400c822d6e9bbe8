package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"outpost/shared/wire"
)

// IndexedDB layout (database "outpost", version 3):
//
//	meta     key string  → client_id, cursor, epoch
//	records  key "type/id" → JSON of wire.Change
//	outbox   autoIncrement key (the mutation's seq) → JSON of {name, args}
//	drafts   key draft ID → JSON of Draft
//	cache    key string → Uint8Array derived from records (since version 2)
//	blobs    key SHA-256 → Uint8Array of an attachment (since version 3)
//	blobmeta key SHA-256 → JSON of Blob, apart so listing skips the bytes (since version 3)
//
// The outbox's key generator is the per-client sequence: IndexedDB hands out
// increasing keys atomically across tabs and never reuses one.
const (
	dbName    = "outpost"
	dbVersion = 3
)

// IDB is a Store in the browser's IndexedDB.
type IDB struct {
	db js.Value
}

var _ Store = (*IDB)(nil)

// ErrNoIndexedDB means the browser offers no IndexedDB (private modes of some
// browsers); the app falls back to Memory and warns the user.
var ErrNoIndexedDB = errors.New("IndexedDB is not available in this browser")

// OpenIDB opens (creating or upgrading) the database named name; "" means
// the app's database.
func OpenIDB(name string) (*IDB, error) {
	if name == "" {
		name = dbName
	}
	factory := js.Global().Get("indexedDB")
	if !factory.Truthy() {
		return nil, ErrNoIndexedDB
	}
	req := factory.Call("open", name, dbVersion)
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		names := db.Get("objectStoreNames")
		for _, s := range []string{"meta", "records", "drafts", "cache", "blobs", "blobmeta"} {
			if !names.Call("contains", s).Bool() {
				db.Call("createObjectStore", s)
			}
		}
		if !names.Call("contains", "outbox").Bool() {
			db.Call("createObjectStore", "outbox", map[string]any{"autoIncrement": true})
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	db, err := await(req)
	if err != nil {
		return nil, fmt.Errorf("open IndexedDB: %w", err)
	}
	return &IDB{db: db}, nil
}

// Close closes the database connection.
func (s *IDB) Close() { s.db.Call("close") }

// await blocks the calling goroutine until an IDBRequest settles. It must not
// run on a goroutine that JavaScript is waiting on (an event callback).
func await(req js.Value) (js.Value, error) {
	done := make(chan error, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any { done <- nil; return nil })
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			args[0].Call("preventDefault") // do not abort the transaction twice
		}
		done <- jsError(req.Get("error"))
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	req.Set("onsuccess", ok)
	req.Set("onerror", fail)
	if err := <-done; err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

// commit waits for a transaction to complete.
func commit(tx js.Value) error {
	done := make(chan error, 1)
	complete := js.FuncOf(func(js.Value, []js.Value) any { done <- nil; return nil })
	fail := js.FuncOf(func(js.Value, []js.Value) any { done <- jsError(tx.Get("error")); return nil })
	defer complete.Release()
	defer fail.Release()
	tx.Set("oncomplete", complete)
	tx.Set("onerror", fail)
	tx.Set("onabort", fail)
	return <-done
}

func jsError(v js.Value) error {
	if !v.Truthy() {
		return errors.New("IndexedDB transaction aborted")
	}
	name, msg := v.Get("name").String(), v.Get("message").String()
	if name == "QuotaExceededError" {
		return &QuotaError{Msg: msg}
	}
	return fmt.Errorf("IndexedDB %s: %s", name, msg)
}

// tx runs fn on a transaction over stores and waits for it to commit. fn
// issues requests without waiting for them (except through await, which
// keeps the transaction alive), so blind writes commit together.
func (s *IDB) tx(mode string, stores []string, fn func(tx js.Value) error) (err error) {
	defer func() {
		// IndexedDB throws (InvalidStateError, DataError …) as JS exceptions.
		if r := recover(); r != nil {
			err = fmt.Errorf("IndexedDB: %v", r)
		}
	}()
	names := make([]any, len(stores))
	for i, n := range stores {
		names[i] = n
	}
	tx := s.db.Call("transaction", names, mode)
	if err := fn(tx); err != nil {
		func() {
			defer func() { recover() }() // already finished: nothing to undo
			tx.Call("abort")
		}()
		return err
	}
	return commit(tx)
}

func (s *IDB) ClientID(newID func() string) (string, error) {
	var id string
	err := s.tx("readwrite", []string{"meta"}, func(tx js.Value) error {
		meta := tx.Call("objectStore", "meta")
		v, err := await(meta.Call("get", "client_id"))
		if err != nil {
			return err
		}
		if v.Type() == js.TypeString {
			id = v.String()
			return nil
		}
		id = newID()
		meta.Call("put", id, "client_id")
		return nil
	})
	return id, err
}

func (s *IDB) SetClientID(id string) error {
	return s.tx("readwrite", []string{"meta"}, func(tx js.Value) error {
		tx.Call("objectStore", "meta").Call("put", id, "client_id")
		return nil
	})
}

func (s *IDB) DeviceKey(id string, newKey func() string) (string, error) {
	var key string
	err := s.tx("readwrite", []string{"meta"}, func(tx js.Value) error {
		meta := tx.Call("objectStore", "meta")
		v, err := await(meta.Call("get", "device_key/"+id))
		if err != nil {
			return err
		}
		if v.Type() == js.TypeString {
			key = v.String()
			return nil
		}
		key = newKey()
		meta.Call("put", key, "device_key/"+id)
		return nil
	})
	return key, err
}

func (s *IDB) Cursor() (uint64, error) {
	var cursor uint64
	err := s.tx("readonly", []string{"meta"}, func(tx js.Value) error {
		v, err := await(tx.Call("objectStore", "meta").Call("get", "cursor"))
		if err == nil && v.Type() == js.TypeNumber {
			cursor = uint64(v.Float())
		}
		return err
	})
	return cursor, err
}

func (s *IDB) Epoch() (string, error) {
	var epoch string
	err := s.tx("readonly", []string{"meta"}, func(tx js.Value) error {
		v, err := await(tx.Call("objectStore", "meta").Call("get", "epoch"))
		if err == nil && v.Type() == js.TypeString {
			epoch = v.String()
		}
		return err
	})
	return epoch, err
}

func (s *IDB) Reset(epoch string) error {
	return s.tx("readwrite", []string{"records", "meta", "cache"}, func(tx js.Value) error {
		tx.Call("objectStore", "records").Call("clear")
		tx.Call("objectStore", "cache").Call("clear")
		meta := tx.Call("objectStore", "meta")
		meta.Call("put", float64(0), "cursor")
		meta.Call("put", epoch, "epoch")
		return nil
	})
}

func (s *IDB) Get(typ, id string) (wire.Change, bool, error) {
	var rec wire.Change
	var found bool
	err := s.tx("readonly", []string{"records"}, func(tx js.Value) error {
		v, err := await(tx.Call("objectStore", "records").Call("get", typ+"/"+id))
		if err != nil || v.Type() != js.TypeString {
			return err
		}
		found = true
		return json.Unmarshal([]byte(v.String()), &rec)
	})
	return rec, found, err
}

func (s *IDB) List(typ string) ([]wire.Change, error) {
	return s.getAll(typ, js.Global().Get("IDBKeyRange").Call("bound", typ+"/", typ+"/\uffff"), 0)
}

// getAll decodes the records in keyRange, at most limit of them (0: all).
func (s *IDB) getAll(typ string, keyRange js.Value, limit int) ([]wire.Change, error) {
	var out []wire.Change
	err := s.tx("readonly", []string{"records"}, func(tx js.Value) error {
		args := []any{keyRange}
		if limit > 0 {
			args = append(args, limit)
		}
		vs, err := await(tx.Call("objectStore", "records").Call("getAll", args...))
		if err != nil {
			return err
		}
		out = make([]wire.Change, 0, vs.Length())
		for i := 0; i < vs.Length(); i++ {
			var c wire.Change
			if err := json.Unmarshal([]byte(vs.Index(i).String()), &c); err != nil {
				return fmt.Errorf("decode %s record: %w", typ, err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

func (s *IDB) Apply(changes []wire.Change, cursor uint64) error {
	return s.tx("readwrite", []string{"records", "meta"}, func(tx js.Value) error {
		records := tx.Call("objectStore", "records")
		for _, c := range changes {
			key := c.Type + "/" + c.ID
			if c.Deleted {
				records.Call("delete", key)
				continue
			}
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			records.Call("put", string(b), key)
		}
		tx.Call("objectStore", "meta").Call("put", float64(cursor), "cursor")
		return nil
	})
}

type outboxEntry struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

func (s *IDB) Enqueue(name string, args json.RawMessage, clearDraft string) (uint64, error) {
	b, err := json.Marshal(outboxEntry{Name: name, Args: args})
	if err != nil {
		return 0, err
	}
	var seq uint64
	err = s.tx("readwrite", []string{"outbox", "drafts"}, func(tx js.Value) error {
		key, err := await(tx.Call("objectStore", "outbox").Call("add", string(b)))
		if err != nil {
			return err
		}
		seq = uint64(key.Float())
		if clearDraft != "" {
			tx.Call("objectStore", "drafts").Call("delete", clearDraft)
		}
		return nil
	})
	return seq, err
}

func (s *IDB) Outbox() ([]wire.Mutation, error) {
	var out []wire.Mutation
	err := s.tx("readonly", []string{"outbox"}, func(tx js.Value) error {
		store := tx.Call("objectStore", "outbox")
		keysReq, valsReq := store.Call("getAllKeys"), store.Call("getAll")
		keys, err := await(keysReq)
		if err != nil {
			return err
		}
		vals, err := await(valsReq)
		if err != nil {
			return err
		}
		for i := 0; i < keys.Length(); i++ {
			var e outboxEntry
			if err := json.Unmarshal([]byte(vals.Index(i).String()), &e); err != nil {
				return fmt.Errorf("decode outbox entry: %w", err)
			}
			out = append(out, wire.Mutation{Seq: uint64(keys.Index(i).Float()), Name: e.Name, Args: e.Args})
		}
		return nil
	})
	return out, err
}

func (s *IDB) Ack(seqs []uint64) error {
	return s.tx("readwrite", []string{"outbox"}, func(tx js.Value) error {
		outbox := tx.Call("objectStore", "outbox")
		for _, seq := range seqs {
			outbox.Call("delete", float64(seq))
		}
		return nil
	})
}

func (s *IDB) Drafts() ([]Draft, error) {
	var out []Draft
	err := s.tx("readonly", []string{"drafts"}, func(tx js.Value) error {
		vs, err := await(tx.Call("objectStore", "drafts").Call("getAll"))
		if err != nil {
			return err
		}
		for i := 0; i < vs.Length(); i++ {
			var d Draft
			if err := json.Unmarshal([]byte(vs.Index(i).String()), &d); err != nil {
				return fmt.Errorf("decode draft: %w", err)
			}
			out = append(out, d)
		}
		return nil
	})
	sortDrafts(out)
	return out, err
}

func (s *IDB) PutDraft(d Draft) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.tx("readwrite", []string{"drafts"}, func(tx js.Value) error {
		tx.Call("objectStore", "drafts").Call("put", string(b), d.ID)
		return nil
	})
}

func (s *IDB) DeleteDraft(id string) error {
	return s.tx("readwrite", []string{"drafts"}, func(tx js.Value) error {
		tx.Call("objectStore", "drafts").Call("delete", id)
		return nil
	})
}

func (s *IDB) GetCache(key string) ([]byte, error) {
	var out []byte
	err := s.tx("readonly", []string{"cache"}, func(tx js.Value) error {
		v, err := await(tx.Call("objectStore", "cache").Call("get", key))
		if err != nil || !v.InstanceOf(js.Global().Get("Uint8Array")) {
			return err
		}
		out = make([]byte, v.Length())
		js.CopyBytesToGo(out, v)
		return nil
	})
	return out, err
}

func (s *IDB) PutCache(key string, data []byte) error {
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	return s.tx("readwrite", []string{"cache"}, func(tx js.Value) error {
		tx.Call("objectStore", "cache").Call("put", arr, key)
		return nil
	})
}

// ListPage implements Pager: one getAll over the keys after typ/after.
func (s *IDB) ListPage(typ, after string, limit int) ([]wire.Change, error) {
	return s.getAll(typ, js.Global().Get("IDBKeyRange").Call("bound", typ+"/"+after, typ+"/\uffff", true, false), limit)
}
