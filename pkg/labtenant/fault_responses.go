package labtenant

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A page that looks like a connector list, for the body faults: clients
// must fail on the damage, not on an unfamiliar shape.
const faultSampleBody = `{"@odata.context":"https://graph.microsoft.com/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectors","value":[{"id":"3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d21","machineName":"EXCH-AGENT01.contoso.local","externalIp":"203.0.113.10","status":"active","version":"1.5.3437.0"},{"id":"3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d22","machineName":"EXCH-AGENT02.contoso.local","externalIp":"203.0.113.11","status":"active","version":"1.5.3437.0"}]}`

// serveFault answers a request with a generic fault.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault, fam family) {
	switch f.Kind {
	case FaultStatus:
		s.faultStatus(w, r, f, fam)
	case FaultTokenError:
		s.faultTokenError(w, r, f)
	case FaultMalformed:
		w.Header().Set("Content-Type", jsonContentType(fam))
		w.WriteHeader(http.StatusOK)
		// Valid up to a point, then a bare word where a value belongs.
		_, _ = w.Write([]byte(`{"value":[{"id":"3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d21","machineName":EXCH-AGENT01}]`))
	case FaultTruncate:
		w.Header().Set("Content-Type", jsonContentType(fam))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(faultSampleBody[:len(faultSampleBody)/2]))
	case FaultDrop:
		s.faultDrop(w)
	case FaultStall:
		s.faultStall(w, r, f, fam)
	case FaultOversize:
		s.faultOversize(w, f, fam)
	case FaultRedirect:
		status := f.Status
		if status == 0 {
			status = http.StatusTemporaryRedirect
		}
		w.Header().Set("Location", strings.TrimRight(f.Target, "/")+r.URL.RequestURI())
		w.WriteHeader(status)
	}
}

func (s *Server) faultStatus(w http.ResponseWriter, r *http.Request, f Fault, fam family) {
	status := f.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if fam == familyAuthority {
		code := "temporarily_unavailable"
		if status < 500 && status != http.StatusTooManyRequests {
			code = "invalid_request"
		}
		s.writeAAD(w, r, status, code, 50000, "There was an error issuing a token or an issue with our sign-in service.")
		return
	}
	code, msg := "UnknownError", http.StatusText(status)
	switch status {
	case http.StatusTooManyRequests:
		code, msg = "TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header."
	case http.StatusServiceUnavailable:
		code, msg = "serviceNotAvailable", "The service is temporarily unavailable. Please retry later."
	case http.StatusGatewayTimeout:
		code, msg = "GatewayTimeout", "The gateway did not receive a timely response from the upstream service."
	case http.StatusBadGateway:
		code, msg = "BadGateway", "The gateway received an invalid response from the upstream service."
	}
	writeGraphError(w, r, status, code, msg)
}

func (s *Server) faultTokenError(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.AADSTS != 0 {
		e := aadCatalogue[f.AADSTS]
		status := e.status
		if f.Status != 0 {
			status = f.Status
		}
		code := e.err
		if f.Error != "" {
			code = f.Error
		}
		msg := e.message
		if f.Message != "" {
			msg = f.Message
		}
		s.writeAAD(w, r, status, code, f.AADSTS, msg)
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	code := f.Error
	if code == "" {
		code = "server_error"
		if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
			code = "temporarily_unavailable"
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	msg := "There was an error issuing a token or an issue with our sign-in service."
	if f.Message != "" {
		msg = f.Message
	}
	s.writeAAD(w, r, status, code, 50000, msg)
}

func (s *Server) faultDrop(w http.ResponseWriter) {
	body := []byte(faultSampleBody)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		// Not hijackable (should not happen: the lab serves HTTP/1.1 only);
		// aborting still cuts the stream short.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func (s *Server) faultStall(w http.ResponseWriter, r *http.Request, f Fault, fam family) {
	w.Header().Set("Content-Type", jsonContentType(fam))
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
	limit := time.Duration(f.Delay)
	if limit <= 0 {
		limit = 10 * time.Minute
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-s.closing:
	case <-t.C:
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) faultOversize(w http.ResponseWriter, f Fault, fam family) {
	size := f.SizeMB
	if size == 0 {
		size = 20
	}
	limit := int64(size) << 20
	w.Header().Set("Content-Type", jsonContentType(fam))
	var out io.Writer = w
	if f.Gzip {
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer zw.Close()
		out = zw
	}
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(out, 64<<10)
	n, _ := bw.WriteString(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#applications","value":[`)
	written := int64(n)
	for i := 0; written < limit; i++ {
		sep := ","
		if i == 0 {
			sep = ""
		}
		item := fmt.Sprintf(`%s{"id":"00000000-0000-4000-8000-%012d","displayName":"filler application %d","description":"%s"}`,
			sep, i, i, strings.Repeat("x", 900))
		n, err := bw.WriteString(item)
		written += int64(n)
		if err != nil {
			return // the client stopped reading, as it should
		}
	}
	_, _ = bw.WriteString("]}")
	_ = bw.Flush()
}
