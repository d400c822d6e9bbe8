//go:build !wasm

package app

import (
	"errors"

	"outpost/shared"
)

// Outside the browser there are no files to pick and no blobs to show:
// the server only prerenders, and native tests drive the uploader with a
// fake blobAPI.

type pickedFile struct{}

func pickedFiles(string) []pickedFile { return nil }

func fileName(pickedFile) string { return "" }

var errNoBrowser = errors.New("attachments need a browser")

func prepareFile(pickedFile) (shared.Attachment, []byte, error) {
	return shared.Attachment{}, nil, errNoBrowser
}

func (c *Client) blobURL(shared.Attachment, bool) (string, error) { return "", errNoBrowser }
