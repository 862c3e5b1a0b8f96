package validate

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Fuzz targets for the validators. Seeds live in f.Add below and in
// testdata/fuzz/<FuzzName>/ (regression inputs found by fuzzing are kept
// there). Long runs: docs/fuzzing.md; CI smoke: scripts/fuzz-smoke.sh.

// seedsURL are values of the kinds users type into the URL-shaped flags.
var seedsURL = []string{
	"", "exch01.contoso.local", "https://mail-lb.contoso.com", "HTTPS://Mail.Contoso.COM/",
	"https://mail.contoso.com:443/", "https://mail.contoso.com:8443", "exch01.contoso.local:444",
	"https://bücher.example/", "exch01.contoso.local.", "http://mail.contoso.com",
	"https://user:pw@mail.contoso.com", "https://mail.contoso.com/?x=1", "https://mail.contoso.com/#frag",
	"https://mail.contoso.com/owa", "https://10.0.0.5/", "https://[fe80::1]/", "https://[::1]:9000",
	"https://127.0.0.1:8443/", "proxy.contoso.com:3128", "http://10.1.2.3:8080", "bob:hunter2@proxy:8080",
	"socks5://proxy:1080", "https://mail.contoso.com:/", "https://mail.contoso.com:0/", "https://mail.contoso.com:70000/",
	"exch\x1b[31m.contoso.local", "https://-bad.contoso.com/", "https://xn--a.contoso.com/",
	"https://mail.contoso.com\u202e/", "https://::1/", "https://[::ffff:10.0.0.1]/", "https://%65xch.contoso.com/",
	"https://mail.contoso.com?", "//mail.contoso.com", "https:mail.contoso.com", "https://a.b.c.d.e.f.g.h/",
	"https://xn--bcher-kva.example", "https://ＭＡＩＬ.contoso.com", "https://mail.contoso.com:0443",
}

// checkErr asserts the properties every validator error has: exit code 2,
// one line, no raw control or bidi characters, bounded length.
func checkErr(t *testing.T, in string, err error) {
	t.Helper()
	if got := exitcode.Of(err); got != exitcode.Usage {
		t.Fatalf("%q: exit code %d, want %d (%v)", in, got, exitcode.Usage, err)
	}
	msg := err.Error()
	if len(msg) > 1024 {
		t.Fatalf("%q: error is %d bytes long: %.200s...", in, len(msg), msg)
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("%q: error is not valid UTF-8: %q", in, msg)
	}
	for _, r := range msg {
		if unicode.IsControl(r) || isInvisibleControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("%q: error contains %U: %q", in, r, msg)
		}
	}
}

// isLDHHost reports whether h is a lower-case ASCII letters-digits-hyphen
// DNS name that is not all-numeric at the top.
func isLDHHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return false
		}
	}
	return !allDigits(labels[len(labels)-1])
}

func FuzzGUID(f *testing.F) {
	for _, s := range []string{"6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", "", "6ca7c832",
		"{6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7\n", "6ca7c83249a24a5daeaea616f6d4b8e7",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8eＡ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := GUID("--app-id", s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if len(g) != 36 || g != strings.ToLower(g) || !guidRE.MatchString(g) || !strings.EqualFold(g, s) {
			t.Fatalf("GUID(%q) = %q: not a canonical lower-case GUID of the input", s, g)
		}
		if again, err := GUID("--app-id", g); err != nil || again != g {
			t.Fatalf("GUID(%q) = %q, but GUID(%q) = %q, %v", s, g, g, again, err)
		}
		if tn, err := Tenant("--tenant-id", s); err != nil || tn != g {
			t.Fatalf("Tenant(%q) = %q, %v; GUID gave %q", s, tn, err, g)
		}
	})
}

func FuzzAppID(f *testing.F) {
	for _, s := range []string{"6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7", "{6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}", " 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7\n",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net",
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/EWS/Exchange.asmx",
		"https://u:p@6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/", "{}", "https://%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := AppID("--app-id", s)
		if err != nil {
			if exitcode.Of(err) != exitcode.Usage {
				t.Fatalf("AppID(%q): %v is not a usage error", s, err)
			}
			return
		}
		if !guidRE.MatchString(g) || g != strings.ToLower(g) || !strings.Contains(strings.ToLower(s), g) {
			t.Fatalf("AppID(%q) = %q: not a lower-case GUID taken from the input", s, g)
		}
		if again, err := AppID("--app-id", g); err != nil || again != g {
			t.Fatalf("AppID(%q) = %q, but AppID(%q) = %q, %v", s, g, g, again, err)
		}
	})
}

func FuzzHostname(f *testing.F) {
	for _, s := range []string{"exch01.contoso.local", "Bücher.Example", "bücher.example.", "xn--bcher-kva.example", "xn--a.contoso.com",
		"a..b", ".a", "-a.b", "a-.b", "1.2.3.4", "10.0.0.8", "::1", "[2001:db8::1]", "[::1", "fe80::1%eth0", "a.123",
		"localhost", "ＭＡＩＬ.contoso.com", "ß.de", "ﬀ.de", "\u0627\u0644.example", "a\u200db.example", strings.Repeat("a.", 127) + "b",
		strings.Repeat("ü", 60) + ".de", "contoso.onmicrosoft.com", "common", "../../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Hostname("--host", s)
		if err != nil {
			checkErr(t, s, err)
		} else {
			if !isLDHHost(h) {
				t.Fatalf("Hostname(%q) = %q: not an ASCII LDH name", s, h)
			}
			if again, err := Hostname("--host", h); err != nil || again != h {
				t.Fatalf("Hostname(%q) = %q, but Hostname(%q) = %q, %v", s, h, h, again, err)
			}
		}
		for _, allowIP := range []bool{false, true} {
			hh, err := Host("--host", s, allowIP)
			if err != nil {
				checkErr(t, s, err)
				continue
			}
			if ip := net.ParseIP(hh); ip != nil {
				if !allowIP || ip.String() != hh {
					t.Fatalf("Host(%q, %v) = %q: IP not allowed or not canonical", s, allowIP, hh)
				}
			} else if !isLDHHost(hh) {
				t.Fatalf("Host(%q, %v) = %q: not an ASCII LDH name", s, allowIP, hh)
			}
			if again, err := Host("--host", hh, allowIP); err != nil || again != hh {
				t.Fatalf("Host(%q) = %q, but Host(%q) = %q, %v", s, hh, hh, again, err)
			}
		}
		tn, err := Tenant("--tenant-id", s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if again, err := Tenant("--tenant-id", tn); err != nil || again != tn {
			t.Fatalf("Tenant(%q) = %q, but Tenant(%q) = %q, %v", s, tn, tn, again, err)
		}
	})
}

func FuzzTargetURI(f *testing.F) {
	for _, s := range seedsURL {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := TargetURI("--target-uri", s)
		if err != nil {
			checkErr(t, s, err)
			checkNoUserinfoEcho(t, urlValidators["--target-uri"], s)
			return
		}
		u, perr := url.Parse(out)
		if perr != nil {
			t.Fatalf("TargetURI(%q) = %q, which does not parse: %v", s, out, perr)
		}
		if u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" || u.Path != "/" {
			t.Fatalf("TargetURI(%q) = %q: not https://host[:port]/ (%#v)", s, out, u)
		}
		if !isLDHHost(u.Hostname()) {
			t.Fatalf("TargetURI(%q) = %q: host %q is not ASCII LDH", s, out, u.Hostname())
		}
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 || n == 443 || strconv.Itoa(n) != p {
				t.Fatalf("TargetURI(%q) = %q: port %q is not canonical", s, out, p)
			}
		}
		if again, err := TargetURI("--target-uri", out); err != nil || again != out {
			t.Fatalf("TargetURI(%q) = %q, but TargetURI(%q) = %q, %v", s, out, out, again, err)
		}
	})
}

// checkRoot asserts what EndpointRoot and ProxyURL promise of an accepted
// value: scheme://host[:port], host a canonical IP or an ASCII LDH name.
func checkRoot(t *testing.T, fn string, in, out string, schemes ...string) {
	t.Helper()
	u, err := url.Parse(out)
	if err != nil {
		t.Fatalf("%s(%q) = %q, which does not parse: %v", fn, in, out, err)
	}
	okScheme := false
	for _, s := range schemes {
		okScheme = okScheme || u.Scheme == s
	}
	if !okScheme || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" || u.Path != "" {
		t.Fatalf("%s(%q) = %q: not scheme://host[:port] (%#v)", fn, in, out, u)
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); ip != nil {
		if ip.String() != h {
			t.Fatalf("%s(%q) = %q: IP %q is not canonical", fn, in, out, h)
		}
	} else if !isLDHHost(h) {
		t.Fatalf("%s(%q) = %q: host %q is not ASCII LDH", fn, in, out, h)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
			t.Fatalf("%s(%q) = %q: port %q is not canonical", fn, in, out, p)
		}
	}
}

func FuzzEndpointRoot(f *testing.F) {
	for _, s := range seedsURL {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := EndpointRoot("--graph-endpoint", s)
		if err != nil {
			checkErr(t, s, err)
			checkNoUserinfoEcho(t, urlValidators["--graph-endpoint"], s)
			return
		}
		checkRoot(t, "EndpointRoot", s, out, "https")
		if again, err := EndpointRoot("--graph-endpoint", out); err != nil || again != out {
			t.Fatalf("EndpointRoot(%q) = %q, but EndpointRoot(%q) = %q, %v", s, out, out, again, err)
		}
	})
}

func FuzzProxyURL(f *testing.F) {
	for _, s := range seedsURL {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := ProxyURL("--proxy", s)
		if err != nil {
			checkErr(t, s, err)
			checkNoUserinfoEcho(t, urlValidators["--proxy"], s)
			return
		}
		checkRoot(t, "ProxyURL", s, out, "http", "https")
		if again, err := ProxyURL("--proxy", out); err != nil || again != out {
			t.Fatalf("ProxyURL(%q) = %q, but ProxyURL(%q) = %q, %v", s, out, out, again, err)
		}
	})
}

// echoes reports whether fn's error for in repeats secret (raw or in the
// escaped form quote produces), and the repetition is not just the
// message's own words: the same value with secret replaced by filler must
// not produce it.
func echoes(fn func(string) (string, error), in, secret string) (bool, string) {
	_, err := fn(in)
	if err == nil {
		return false, ""
	}
	msg := err.Error()
	quoted := strings.Trim(strconv.QuoteToASCII(secret), `"`)
	if !strings.Contains(msg, secret) && !strings.Contains(msg, quoted) {
		return false, msg
	}
	filler := "Q"
	if strings.Contains(secret, "Q") {
		filler = "Z"
	}
	_, err2 := fn(strings.ReplaceAll(in, secret, strings.Repeat(filler, utf8.RuneCountInString(secret))))
	if err2 != nil && (strings.Contains(err2.Error(), secret) || strings.Contains(err2.Error(), quoted)) {
		return false, msg // the message's own text
	}
	return true, msg
}

// passwordPart returns what looks like the password of user:password@ in
// a URL-shaped value, if anything.
func passwordPart(in string) (string, bool) {
	at := strings.LastIndex(in, "@")
	if at < 0 {
		return "", false
	}
	rest := in[:at]
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	_, pw, ok := strings.Cut(rest, ":")
	if !ok || len(pw) < 4 {
		return "", false
	}
	return pw, true
}

// checkNoUserinfoEcho fails when a rejected value that carries something
// that looks like user:password@ has that password in the error.
func checkNoUserinfoEcho(t *testing.T, fn func(string) (string, error), in string) {
	t.Helper()
	pw, ok := passwordPart(in)
	if !ok {
		return
	}
	if bad, msg := echoes(fn, in, pw); bad {
		t.Fatalf("%q: the error echoes the password-like part %q: %s", in, pw, msg)
	}
}

var urlValidators = map[string]func(string) (string, error){
	"--target-uri":     func(v string) (string, error) { return TargetURI("--target-uri", v) },
	"--graph-endpoint": func(v string) (string, error) { return EndpointRoot("--graph-endpoint", v) },
	"--proxy":          func(v string) (string, error) { return ProxyURL("--proxy", v) },
}

// FuzzURLCredentials builds values that certainly carry a password and
// checks that no URL-shaped validator accepts them or repeats the password,
// whatever else is wrong with the value.
func FuzzURLCredentials(f *testing.F) {
	f.Add("https", "bob", "hunter2secret", "mail.contoso.com/", true)
	f.Add("http", "bob", "hunter2secret", "proxy:8080", true)
	f.Add("", "bob", "hunter2secret", "proxy:8080", false)
	f.Add("https", "", "p@ss/w0rd#x", "mail.contoso.com", true)
	f.Add("https", "bob", "hunter2\x1bsecret", "mail.contoso.com\x01", true)
	f.Add("https", "bob", "hunter2secret", "mail.contoso.com/owa?x=1#f", false)
	f.Add("https", "bob", "pa/ss", "mail.contoso.com", true)
	f.Fuzz(func(t *testing.T, scheme, user, pass, rest string, withSlashes bool) {
		if len(pass) < 4 {
			return // too short to tell an echo from the message's own words
		}
		s := user + ":" + pass + "@" + rest
		if scheme != "" {
			sep := ":"
			if withSlashes {
				sep = "://"
			}
			s = scheme + sep + s
		}
		for name, fn := range urlValidators {
			out, err := fn(s)
			if err == nil {
				t.Fatalf("%s accepted %q (as %q), which carries a password", name, s, out)
			}
			checkErr(t, s, err)
			if bad, msg := echoes(fn, s, pass); bad {
				t.Fatalf("%s %q: the error echoes the password %q: %s", name, s, pass, msg)
			}
		}
	})
}

func FuzzUPN(f *testing.F) {
	for _, s := range []string{"Admin@Contoso.COM", "admin", "@contoso.com", "admin@", "admin@localhost", "ad min@contoso.com",
		"admin@contoso.com\r\n", "a@b@contoso.com", "admin@bücher.example", "admin@xn--bcher-kva.example", "admin@contoso.com.",
		"admin@10.0.0.1", "admin@[10.0.0.1]", "adm\u202ein@contoso.com", strings.Repeat("a", 200) + "@" + strings.Repeat("ü.", 17) + "de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		upn, domain, err := UPN("--user-principal-name", s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		local, d, ok := strings.Cut(upn, "@")
		if !ok || local == "" || d != domain || strings.Contains(d, "@") || !isLDHHost(domain) || !strings.Contains(domain, ".") {
			t.Fatalf("UPN(%q) = %q, %q: not user@ascii-domain", s, upn, domain)
		}
		if len(upn) > MaxUPNLength {
			t.Fatalf("UPN(%q) = %q: longer than %d", s, upn, MaxUPNLength)
		}
		again, d2, err := UPN("--user-principal-name", upn)
		if err != nil || again != upn || d2 != domain {
			t.Fatalf("UPN(%q) = %q, but UPN(%q) = %q, %q, %v", s, upn, upn, again, d2, err)
		}
	})
}
