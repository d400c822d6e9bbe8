package http

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"outpost/server/auth"
)

// ParseTrustedProxies reads a comma-separated list of CIDRs (or single
// addresses): the reverse proxies whose X-Forwarded-For counts.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr returns the address of the client that sent r: the peer of
// the connection, or, when that peer is a trusted proxy, the address it
// says it forwarded for (the right-most X-Forwarded-For entry that is not
// itself a trusted proxy). Without -trusted-proxy the header is ignored:
// anyone can write it.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(s.TrustedProxies) == 0 || !s.trusted(peer.Unmap()) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host // a garbled chain: trust only the peer
		}
		if !s.trusted(a.Unmap()) {
			return a.Unmap().String()
		}
	}
	return host
}

// addrGroup is the address limits and caps count r under (IPv6 by /64).
func (s *Server) addrGroup(r *http.Request) string { return auth.AddrGroup(s.clientAddr(r)) }
