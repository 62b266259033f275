// Package webhook runs the broker's webhooks: it renders a webhook's
// request for an event (the Pact Broker's ${pactbroker.*} variables),
// refuses targets the policy does not allow (schemes, methods, hosts, and
// internal addresses unless allow-listed, checked on the address actually
// dialled), redacts credentials in everything it shows or logs, and works
// the queue of triggered webhooks with retries and leases (Runner).
package webhook

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/contracts-dev/contracts/broker"
)

// Request is a webhook's request template.
type Request struct {
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     json.RawMessage   `json:"body,omitempty"`
	Username string            `json:"username,omitempty"`
	Password string            `json:"password,omitempty"`
}

// Definition is the part of a stored webhook definition this package
// reads.
type Definition struct {
	Description string `json:"description,omitempty"`
	Enabled     *bool  `json:"enabled,omitempty"`
	Events      []struct {
		Name string `json:"name"`
	} `json:"events"`
	Request Request `json:"request"`
}

// ParseDefinition decodes a stored definition.
func ParseDefinition(def json.RawMessage) (Definition, error) {
	var d Definition
	if err := json.Unmarshal(def, &d); err != nil {
		return d, broker.Invalid("webhook", "must be a JSON object: %v", err)
	}
	return d, nil
}

// Policy says which requests a webhook may make. The zero value allows
// the Pact Broker's defaults: https and POST, to public addresses.
type Policy struct {
	// Schemes and Methods allowed (defaults: https; POST).
	Schemes []string
	Methods []string
	// Hosts, when not empty, are the only hosts allowed: names,
	// "*.example.com", IP addresses and CIDR ranges. A host they name may
	// also be an internal (loopback, private, link-local, ...) address.
	Hosts []string
}

// ParseList splits a comma or space separated setting.
func ParseList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// Check validates the policy's host entries.
func (p Policy) Check() error {
	for _, h := range p.Hosts {
		if strings.Contains(h, "/") {
			if _, err := netip.ParsePrefix(h); err != nil {
				return fmt.Errorf("allowed host %q: not a CIDR range: %v", h, err)
			}
		}
	}
	return nil
}

func (p Policy) schemes() []string {
	if len(p.Schemes) == 0 {
		return []string{"https"}
	}
	return p.Schemes
}

func (p Policy) methods() []string {
	if len(p.Methods) == 0 {
		return []string{"POST"}
	}
	return p.Methods
}

// hostListed reports whether the allow list names host (a name or an IP
// literal).
func (p Policy) hostListed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, h := range p.Hosts {
		h = strings.ToLower(h)
		switch {
		case strings.Contains(h, "/"):
			if pre, err := netip.ParsePrefix(h); err == nil && ipErr == nil && pre.Contains(ip.Unmap()) {
				return true
			}
		case strings.HasPrefix(h, "*."):
			if strings.HasSuffix(host, h[1:]) && len(host) > len(h)-1 {
				return true
			}
		default:
			if a, err := netip.ParseAddr(h); err == nil && ipErr == nil {
				if a.Unmap() == ip.Unmap() {
					return true
				}
			} else if h == host {
				return true
			}
		}
	}
	return false
}

// ipListed reports whether an IP range or address entry of the allow list
// covers ip.
func (p Policy) ipListed(ip netip.Addr) bool {
	return p.hostListed(ip.Unmap().String())
}

// Internal reports whether ip is loopback, private, link-local (which
// holds cloud metadata services), unspecified or multicast.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

// CheckRequest refuses a request template the policy does not allow: a
// scheme or method not allowed, a template variable in the host, a host
// not on a non-empty allow list, an internal IP literal not allow-listed.
// Errors are *broker.FieldError on request.*.
func (p Policy) CheckRequest(r Request) error {
	if !slices.Contains(p.methods(), strings.ToUpper(r.Method)) {
		return broker.Invalid("request.method", "%q is not allowed (allowed: %s)", r.Method, strings.Join(p.methods(), ", "))
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		// The template variables' braces are legal in paths and queries
		// only once escaped; parse with them neutralised.
		u, err = url.Parse(strings.NewReplacer("${", "x", "}", "x").Replace(r.URL))
		if err != nil {
			return broker.Invalid("request.url", "is not a URL: %v", err)
		}
	}
	if !slices.Contains(p.schemes(), strings.ToLower(u.Scheme)) {
		return broker.Invalid("request.url", "scheme %q is not allowed (allowed: %s), got %q", u.Scheme, strings.Join(p.schemes(), ", "), r.URL)
	}
	if strings.Contains(hostPart(r.URL), "${") || strings.Contains(u.Host, "$") {
		return broker.Invalid("request.url", "must not have a template variable in its host, got %q", r.URL)
	}
	host := u.Hostname()
	if host == "" {
		return broker.Invalid("request.url", "must name a host, got %q", r.URL)
	}
	return p.checkHost(host)
}

// hostPart returns the authority of a URL template, variables intact.
func hostPart(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func (p Policy) checkHost(host string) error {
	if len(p.Hosts) > 0 && !p.hostListed(host) {
		return broker.Invalid("request.url", "host %q is not on the allowed hosts list", host)
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && Internal(ip) && !p.hostListed(host) {
		return broker.Invalid("request.url", "host %s is an internal (loopback, private, link-local, unspecified or multicast) address; allow-list it to call it", host)
	}
	return nil
}

// dialAllowed decides, at connection time, whether the resolved address
// may be dialled for a request to host.
func (p Policy) dialAllowed(host string, ip netip.Addr) error {
	if !Internal(ip) || p.hostListed(host) || p.ipListed(ip) {
		return nil
	}
	return fmt.Errorf("%s resolves to %s, an internal address, which is not allowed (allow-list the host to call it)", host, ip)
}
