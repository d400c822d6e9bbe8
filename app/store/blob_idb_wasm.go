package store

import (
	"encoding/json"
	"fmt"
	"syscall/js"
)

func (s *IDB) PutBlob(b Blob, data []byte) error {
	meta, err := json.Marshal(b)
	if err != nil {
		return err
	}
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	return s.tx("readwrite", []string{"blobs", "blobmeta"}, func(tx js.Value) error {
		tx.Call("objectStore", "blobs").Call("put", arr, b.SHA256)
		tx.Call("objectStore", "blobmeta").Call("put", string(meta), b.SHA256)
		return nil
	})
}

func (s *IDB) GetBlob(sha string) (Blob, []byte, bool, error) {
	var b Blob
	var data []byte
	var found bool
	err := s.tx("readonly", []string{"blobs", "blobmeta"}, func(tx js.Value) error {
		metaReq := tx.Call("objectStore", "blobmeta").Call("get", sha)
		dataReq := tx.Call("objectStore", "blobs").Call("get", sha)
		m, err := await(metaReq)
		if err != nil {
			return err
		}
		v, err := await(dataReq)
		if err != nil || m.Type() != js.TypeString || !v.InstanceOf(js.Global().Get("Uint8Array")) {
			return err
		}
		if err := json.Unmarshal([]byte(m.String()), &b); err != nil {
			return fmt.Errorf("decode blob %s: %w", sha, err)
		}
		data = make([]byte, v.Length())
		js.CopyBytesToGo(data, v)
		found = true
		return nil
	})
	return b, data, found, err
}

func (s *IDB) Blobs() ([]Blob, error) {
	var out []Blob
	err := s.tx("readonly", []string{"blobmeta"}, func(tx js.Value) error {
		vs, err := await(tx.Call("objectStore", "blobmeta").Call("getAll"))
		if err != nil {
			return err
		}
		out = make([]Blob, 0, vs.Length())
		for i := 0; i < vs.Length(); i++ {
			var b Blob
			if err := json.Unmarshal([]byte(vs.Index(i).String()), &b); err != nil {
				return fmt.Errorf("decode blob: %w", err)
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

func (s *IDB) MarkUploaded(sha string) error {
	return s.tx("readwrite", []string{"blobmeta"}, func(tx js.Value) error {
		store := tx.Call("objectStore", "blobmeta")
		v, err := await(store.Call("get", sha))
		if err != nil || v.Type() != js.TypeString {
			return err
		}
		var b Blob
		if err := json.Unmarshal([]byte(v.String()), &b); err != nil {
			return fmt.Errorf("decode blob %s: %w", sha, err)
		}
		b.Uploaded = true
		meta, err := json.Marshal(b)
		if err != nil {
			return err
		}
		store.Call("put", string(meta), sha)
		return nil
	})
}

func (s *IDB) DeleteBlob(sha string) error {
	return s.tx("readwrite", []string{"blobs", "blobmeta"}, func(tx js.Value) error {
		tx.Call("objectStore", "blobs").Call("delete", sha)
		tx.Call("objectStore", "blobmeta").Call("delete", sha)
		return nil
	})
}
