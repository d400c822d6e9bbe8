// Command webcompress writes FILE.br and FILE.gz beside each FILE given, so
// the server can send app.wasm precompressed. `make build` runs it.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"strconv"

	"github.com/andybalholm/brotli"
)

func main() {
	quality := brotli.BestCompression
	if q := os.Getenv("BROTLI_QUALITY"); q != "" {
		quality, _ = strconv.Atoi(q)
	}
	for _, name := range os.Args[1:] {
		if err := compress(name, quality); err != nil {
			fmt.Fprintln(os.Stderr, "webcompress:", err)
			os.Exit(1)
		}
	}
}

func compress(name string, quality int) error {
	raw, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	var br, gz bytes.Buffer
	bw := brotli.NewWriterLevel(&br, quality)
	if _, err := bw.Write(raw); err != nil {
		return err
	}
	if err := bw.Close(); err != nil {
		return err
	}
	gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := gw.Write(raw); err != nil {
		return err
	}
	if err := gw.Close(); err != nil {
		return err
	}
	// Write to temporary files and rename, so a half-written file is never served.
	for suffix, b := range map[string][]byte{".br": br.Bytes(), ".gz": gz.Bytes()} {
		if err := os.WriteFile(name+suffix+".tmp", b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(name+suffix+".tmp", name+suffix); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d bytes raw, %d gzip, %d brotli (q%d)\n", name, len(raw), gz.Len(), br.Len(), quality)
	return nil
}
