// Package iisconfig reads the Extended Protection settings of Exchange's
// EWS virtual directories from a copy of IIS's applicationHost.config.
// It is a plain parser, independent of the OS: the file can come from
// the local Exchange server, a UNC path or a ticket attachment.
package iisconfig

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The two EWS virtual directories. The Hybrid Agent reaches the front
// end; the back end keeping Require is Exchange's normal state.
const (
	FrontEndEWS = "Default Web Site/EWS"
	BackEndEWS  = "Exchange Back End/EWS"
)

// MaxFileSize bounds what is read: real files are well under 1 MiB.
const MaxFileSize = 16 << 20

// Setting is the effective tokenChecking of one virtual directory.
type Setting struct {
	// Path is the IIS location the setting is for (FrontEndEWS, BackEndEWS).
	Path string
	// TokenChecking is None, Allow or Require as written ("" = absent,
	// which IIS treats as None).
	TokenChecking string
	// From is the <location path> (or "server level") the value was
	// inherited from; empty when absent.
	From string
}

// Enabled reports whether Extended Protection is on (Allow or Require).
func (s Setting) Enabled() bool {
	v := strings.ToLower(strings.TrimSpace(s.TokenChecking))
	return v == "allow" || v == "require"
}

// Config is what was found in one file.
type Config struct {
	FrontEnd, BackEnd Setting
	// ExchangeServer is true when the file has Exchange's back-end site:
	// a file from a machine without Exchange proves nothing about EP.
	ExchangeServer bool
}

// ErrMalformed wraps every parse failure.
var ErrMalformed = errors.New("applicationHost.config is not well-formed XML")

// sectionPath is where the setting lives below <configuration> or below a
// <location>.
var sectionPath = []string{"system.webserver", "security", "authentication", "windowsauthentication", "extendedprotection"}

// Parse reads applicationHost.config and resolves, for each EWS virtual
// directory, the tokenChecking IIS applies: the most specific <location>
// that sets it (the directory, then its site), else the server-level
// section. Element and path names compare case-insensitively, as IIS does.
func Parse(data []byte) (Config, error) {
	if len(data) > MaxFileSize {
		return Config{}, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxFileSize)
	}
	r, err := decodeText(data)
	if err != nil {
		return Config{}, err
	}
	dec := xml.NewDecoder(r)
	// The file declares its own encoding; decodeText already produced
	// UTF-8, so any declared charset is accepted as is.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }

	values := map[string]string{} // location path ("" = server level) -> tokenChecking
	sites := map[string]bool{}
	var stack []string
	location := ""
	inLocation := false
	sawRoot := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Config{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if len(stack) == 0 {
				if name != "configuration" {
					return Config{}, fmt.Errorf("%w: the root element is <%s>, not <configuration>", ErrMalformed, t.Name.Local)
				}
				sawRoot = true
			}
			stack = append(stack, name)
			// ifs, not a switch: the names exclude each other, and
			// coverage (so mutation testing) sees an if's condition.
			if len(stack) == 2 && name == "location" {
				inLocation, location = true, normPath(attr(t, "path"))
			}
			// A <site> is never the root (checked above), so it has a
			// parent.
			if name == "site" && stack[len(stack)-2] == "sites" {
				sites[strings.ToLower(attr(t, "name"))] = true
			}
			if name == "extendedprotection" {
				base := 1
				if inLocation {
					base = 2
				}
				if matches(stack[base:], sectionPath) {
					key := ""
					if inLocation {
						key = location
					}
					values[key] = attr(t, "tokenChecking")
				}
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return Config{}, fmt.Errorf("%w: unexpected </%s>", ErrMalformed, t.Name.Local)
			}
			if len(stack) == 2 && stack[1] == "location" {
				inLocation, location = false, ""
			}
			stack = stack[:len(stack)-1]
		}
	}
	if !sawRoot {
		return Config{}, fmt.Errorf("%w: no <configuration> element", ErrMalformed)
	}
	c := Config{
		FrontEnd:       effective(values, FrontEndEWS),
		BackEnd:        effective(values, BackEndEWS),
		ExchangeServer: sites["exchange back end"],
	}
	if _, ok := values[strings.ToLower(BackEndEWS)]; ok {
		c.ExchangeServer = true
	}
	return c, nil
}

// decodeText turns UTF-16 files (with a BOM) into UTF-8 and drops a
// UTF-8 BOM: IIS writes UTF-8, but copies edited in Notepad vary.
func decodeText(data []byte) (io.Reader, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), data)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return bytes.NewReader(out), nil
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return bytes.NewReader(data[3:]), nil
	}
	return bytes.NewReader(data), nil
}

// effective walks from the directory up to the server level.
func effective(values map[string]string, path string) Setting {
	s := Setting{Path: path}
	p := normPath(path)
	for {
		if v, ok := values[p]; ok {
			s.TokenChecking, s.From = v, p
			if p == "" {
				s.From = "server level"
			} else {
				s.From = displayPath(p, path)
			}
			return s
		}
		if p == "" {
			return s
		}
		// Up one level: "site/ews" → "site" → "" (the server level);
		// normPath trimmed the slashes at either end.
		p = p[:max(strings.LastIndex(p, "/"), 0)]
	}
}

// displayPath gives the inherited location in the caller's spelling.
func displayPath(norm, want string) string {
	if len(norm) <= len(want) && strings.EqualFold(want[:len(norm)], norm) {
		return want[:len(norm)]
	}
	return norm
}

// normPath lower-cases a location path and trims slashes: IIS accepts
// "Default Web Site/EWS", "default web site/ews/" and "/Default Web Site/EWS".
func normPath(p string) string {
	p = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(p, `\`, "/")))
	p = strings.Trim(p, "/")
	if p == "." {
		return ""
	}
	return p
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

func matches(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
