package store

import (
	"bytes"
	"encoding/json"
	"sort"
	"sync"

	"outpost/shared/wire"
)

// Memory is a Store in memory, for tests and for browsers without
// IndexedDB (where nothing survives a reload, and the app says so).
type Memory struct {
	mu       sync.Mutex
	clientID string
	keys     map[string]string // device keys by client ID
	cursor   uint64
	epoch    string
	records  map[string]wire.Change // by type/id
	outbox   map[uint64]wire.Mutation
	lastSeq  uint64
	drafts   map[string]Draft
	cache    map[string][]byte
	blobs    map[string]memBlob // by SHA-256 (blob_memory.go)
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{records: map[string]wire.Change{}, outbox: map[uint64]wire.Mutation{}, drafts: map[string]Draft{}, cache: map[string][]byte{}}
}

func (m *Memory) ClientID(newID func() string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.clientID == "" {
		m.clientID = newID()
	}
	return m.clientID, nil
}

func (m *Memory) SetClientID(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clientID = id
	return nil
}

func (m *Memory) DeviceKey(id string, newKey func() string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]string{}
	}
	if m.keys[id] == "" {
		m.keys[id] = newKey()
	}
	return m.keys[id], nil
}

func (m *Memory) Cursor() (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursor, nil
}

func (m *Memory) Epoch() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.epoch, nil
}

func (m *Memory) Reset(epoch string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records, m.cursor, m.epoch = map[string]wire.Change{}, 0, epoch
	m.cache = map[string][]byte{}
	return nil
}

func (m *Memory) Get(typ, id string) (wire.Change, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[typ+"/"+id]
	return r, ok, nil
}

func (m *Memory) List(typ string) ([]wire.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wire.Change
	for _, r := range m.records {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *Memory) Apply(changes []wire.Change, cursor uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range changes {
		if c.Deleted {
			delete(m.records, c.Type+"/"+c.ID)
		} else {
			m.records[c.Type+"/"+c.ID] = c
		}
	}
	m.cursor = cursor
	return nil
}

func (m *Memory) Enqueue(name string, args json.RawMessage, clearDraft string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastSeq++
	m.outbox[m.lastSeq] = wire.Mutation{Seq: m.lastSeq, Name: name, Args: args}
	if clearDraft != "" {
		delete(m.drafts, clearDraft)
	}
	return m.lastSeq, nil
}

func (m *Memory) Outbox() ([]wire.Mutation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]wire.Mutation, 0, len(m.outbox))
	for _, mu := range m.outbox {
		out = append(out, mu)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

func (m *Memory) Ack(seqs []uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range seqs {
		delete(m.outbox, s)
	}
	return nil
}

func (m *Memory) Drafts() ([]Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Draft, 0, len(m.drafts))
	for _, d := range m.drafts {
		out = append(out, d)
	}
	sortDrafts(out)
	return out, nil
}

func (m *Memory) PutDraft(d Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drafts[d.ID] = d
	return nil
}

func (m *Memory) DeleteDraft(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.drafts, id)
	return nil
}

func sortDrafts(ds []Draft) {
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].UpdatedAt != ds[j].UpdatedAt {
			return ds[i].UpdatedAt > ds[j].UpdatedAt
		}
		return ds[i].ID < ds[j].ID
	})
}

func (m *Memory) GetCache(key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.cache[key]), nil
}

func (m *Memory) PutCache(key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cache[key] = bytes.Clone(data)
	return nil
}

// ListPage implements Pager.
func (m *Memory) ListPage(typ, after string, limit int) ([]wire.Change, error) {
	all, err := m.List(typ)
	if err != nil {
		return nil, err
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].ID > after })
	all = all[i:]
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}
