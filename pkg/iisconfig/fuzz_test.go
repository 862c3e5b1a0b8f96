package iisconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any bytes give a Config or an ErrMalformed error, never a
// panic, and a value found is one the file contained.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.config"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`<configuration><location path="Default Web Site/EWS"><system.webServer><security><authentication><windowsAuthentication><extendedProtection tokenChecking="Allow"/></windowsAuthentication></authentication></security></system.webServer></location></configuration>`))
	f.Add([]byte{0xFF, 0xFE, '<', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			if !strings.Contains(err.Error(), ErrMalformed.Error()) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		for _, s := range []Setting{cfg.FrontEnd, cfg.BackEnd} {
			if s.TokenChecking != "" && s.From == "" {
				t.Fatalf("value %q without its location", s.TokenChecking)
			}
		}
	})
}
