package store

import (
	"bytes"
	"sort"
)

type memBlob struct {
	b    Blob
	data []byte
}

func (m *Memory) PutBlob(b Blob, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.blobs == nil {
		m.blobs = map[string]memBlob{}
	}
	m.blobs[b.SHA256] = memBlob{b, bytes.Clone(data)}
	return nil
}

func (m *Memory) GetBlob(sha string) (Blob, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mb, ok := m.blobs[sha]
	return mb.b, bytes.Clone(mb.data), ok, nil
}

func (m *Memory) Blobs() ([]Blob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Blob, 0, len(m.blobs))
	for _, mb := range m.blobs {
		out = append(out, mb.b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SHA256 < out[j].SHA256 })
	return out, nil
}

func (m *Memory) MarkUploaded(sha string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mb, ok := m.blobs[sha]; ok {
		mb.b.Uploaded = true
		m.blobs[sha] = mb
	}
	return nil
}

func (m *Memory) DeleteBlob(sha string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, sha)
	return nil
}
