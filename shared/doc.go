// Package shared holds Outpost's domain: the record types (articles, tickets),
// their validation, the error type with codes, and client-made IDs. It is
// compiled into both the server and the WebAssembly client, so it imports only
// the standard library: no syscall/js, no Badger, no net/http.
package shared
