package labtenant

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Browse plays the user's browser for an interactive sign-in: it opens
// the authorize URL and delivers the answer to the client's loopback
// redirect listener, following a 302 (response_mode=query) with a GET or
// submitting the auto-post form (response_mode=form_post, what MSAL Go
// v1.10 asks for) with a POST. It refuses any URL that is not on loopback,
// so a mistaken opener can never send a browser-shaped request off the
// machine. client may be nil; it must trust the lab CA for https.
func Browse(ctx context.Context, client *http.Client, rawURL string) error {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	start, err := loopbackURL(rawURL)
	if err != nil {
		return err
	}
	status, loc, body, err := browseDo(ctx, &c, http.MethodGet, start, nil)
	if err != nil {
		return err
	}
	switch {
	case status >= 300 && status < 400:
		if loc == "" {
			return fmt.Errorf("browse: %d redirect without a Location", status)
		}
		next, err := start.Parse(loc)
		if err != nil {
			return fmt.Errorf("browse: bad redirect %q: %w", loc, err)
		}
		if _, err := loopbackURL(next.String()); err != nil {
			return err
		}
		return finish(browseDo(ctx, &c, http.MethodGet, next, nil))
	case status == http.StatusOK:
		action, fields, ok := parseAutoPostForm(body)
		if !ok {
			return fmt.Errorf("browse: the sign-in page neither redirected nor auto-posted a form")
		}
		target, err := start.Parse(action)
		if err != nil {
			return fmt.Errorf("browse: bad form action %q: %w", action, err)
		}
		if _, err := loopbackURL(target.String()); err != nil {
			return err
		}
		return finish(browseDo(ctx, &c, http.MethodPost, target, fields))
	default:
		return fmt.Errorf("browse: sign-in page answered %d: %s", status, snippet(body))
	}
}

func finish(status int, _ string, body []byte, err error) error {
	if err != nil {
		return err
	}
	if status >= 400 {
		return fmt.Errorf("browse: the redirect listener answered %d: %s", status, snippet(body))
	}
	return nil
}

func browseDo(ctx context.Context, c *http.Client, method string, u *url.URL, form url.Values) (int, string, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return 0, "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("browse: %s %s://%s%s: %w", method, u.Scheme, u.Host, u.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", nil, err
	}
	return resp.StatusCode, resp.Header.Get("Location"), data, nil
}

func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("browse: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("browse: refusing %q: only http and https", u.Scheme)
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("browse: refusing a URL that is not on loopback (" + h + ")")
	}
	return u, nil
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*"([^"]*)"`)
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// parseAutoPostForm reads a form_post page: the form's action and its
// hidden fields. It understands the lab's page and Entra's, which share
// the shape; it is not a general HTML parser.
func parseAutoPostForm(page []byte) (string, url.Values, bool) {
	m := formRe.FindSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fa := attrs(string(m[1]))
	if !strings.EqualFold(fa["method"], "post") || fa["action"] == "" {
		return "", nil, false
	}
	fields := url.Values{}
	for _, in := range inputRe.FindAllSubmatch(m[2], -1) {
		a := attrs(string(in[1]))
		if strings.EqualFold(a["type"], "hidden") && a["name"] != "" {
			fields.Add(a["name"], a["value"])
		}
	}
	return fa["action"], fields, true
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
