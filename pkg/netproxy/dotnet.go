package netproxy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultProxy is the <system.net><defaultProxy> element of a .NET
// Framework .exe.config or machine.config. The Hybrid Agent and the
// connector run as Network Service and never read the admin's browser
// settings, so this element (or its absence) decides their outbound path.
type DefaultProxy struct {
	// Present is false when the file has no defaultProxy element; .NET then
	// falls through to the next configuration level.
	Present bool
	// Enabled mirrors enabled="..." (default true); false means direct.
	Enabled bool
	// UseSystemDefault mirrors <proxy usesystemdefault="true">: the
	// account's own system settings, not an address from this file.
	UseSystemDefault bool
	ProxyAddress     string
	BypassOnLocal    bool
	ScriptLocation   string
	// BypassList holds the <bypasslist><add address="regex"/> entries.
	BypassList []string
}

// ErrNoConfiguration marks a file that is not a .NET configuration file,
// so callers can tell "no defaultProxy" from "unreadable file".
var ErrNoConfiguration = errors.New("not a .NET configuration file")

// ParseDefaultProxy reads the defaultProxy element from a .NET
// configuration file. It decodes with encoding/xml token by token, so
// unrelated sections (often huge in machine.config) are skipped unread.
func ParseDefaultProxy(config []byte) (DefaultProxy, error) {
	dec := xml.NewDecoder(bytes.NewReader(config))
	// .exe.config files are often saved as UTF-16 or with an encoding
	// declaration Go does not know; the attributes we read are ASCII.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var path []string
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !sawRoot {
				return DefaultProxy{}, ErrNoConfiguration
			}
			return DefaultProxy{}, nil
		}
		if err != nil {
			return DefaultProxy{}, fmt.Errorf("parse .NET configuration: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) == 1 {
				if t.Name.Local != "configuration" {
					return DefaultProxy{}, ErrNoConfiguration
				}
				sawRoot = true
			}
			if len(path) == 3 && path[1] == "system.net" && path[2] == "defaultProxy" {
				return decodeDefaultProxy(dec, t)
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

func decodeDefaultProxy(dec *xml.Decoder, start xml.StartElement) (DefaultProxy, error) {
	var raw struct {
		Enabled string `xml:"enabled,attr"`
		Proxy   struct {
			UseSystemDefault string `xml:"usesystemdefault,attr"`
			ProxyAddress     string `xml:"proxyaddress,attr"`
			BypassOnLocal    string `xml:"bypassonlocal,attr"`
			ScriptLocation   string `xml:"scriptLocation,attr"`
		} `xml:"proxy"`
		Bypass struct {
			Add []struct {
				Address string `xml:"address,attr"`
			} `xml:"add"`
		} `xml:"bypasslist"`
	}
	if err := dec.DecodeElement(&raw, &start); err != nil {
		return DefaultProxy{}, fmt.Errorf("parse defaultProxy: %w", err)
	}
	d := DefaultProxy{
		Present: true,
		// .NET treats anything but an explicit false as enabled.
		Enabled:          !strings.EqualFold(strings.TrimSpace(raw.Enabled), "false"),
		UseSystemDefault: strings.EqualFold(strings.TrimSpace(raw.Proxy.UseSystemDefault), "true"),
		ProxyAddress:     strings.TrimSpace(raw.Proxy.ProxyAddress),
		BypassOnLocal:    strings.EqualFold(strings.TrimSpace(raw.Proxy.BypassOnLocal), "true"),
		ScriptLocation:   strings.TrimSpace(raw.Proxy.ScriptLocation),
	}
	for _, a := range raw.Bypass.Add {
		if v := strings.TrimSpace(a.Address); v != "" {
			d.BypassList = append(d.BypassList, v)
		}
	}
	return d, nil
}
