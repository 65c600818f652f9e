package logging

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestJournalPrefixesAndLevel(t *testing.T) {
	var buf bytes.Buffer
	log, atom, err := NewFormat(&buf, "info", Journal)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("started", zapString("chip", "sx1302"))
	log.Warn("careful", zap.Duration("retry_in", time.Second))
	log.Error("broken")
	atom.SetLevel(zapcore.DebugLevel)
	log.Debug("now shown")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{"<6>info\tstarted\t{\"chip\": \"sx1302\"}", "<4>warn\tcareful\t{\"retry_in\": \"1s\"}", "<3>error\tbroken", "<7>debug\tnow shown"}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), buf.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	if _, _, err := New(&buf, "loud"); err == nil || !strings.Contains(err.Error(), "allowed") {
		t.Fatalf("bad level: %v", err)
	}
}

// Off the journal every line starts with a timestamp and has no
// priority prefix; durations carry their unit.
func TestConsoleTimestampsNoPrefix(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := New(&buf, "info")
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("connect failed", zap.Duration("retry_in", 2*time.Second))
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-Z][0-9:]*\twarn\tconnect failed\t\{"retry_in": "2s"\}\n$`)
	if !re.MatchString(buf.String()) {
		t.Fatalf("console line %q", buf.String())
	}
}

// Detect picks the journal format only for the stream JOURNAL_STREAM
// names.
func TestDetect(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	here := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	for _, tc := range []struct {
		env  string
		w    any
		want Format
	}{
		{"", f, Console},
		{here, f, Journal},
		{fmt.Sprintf("%d:%d", st.Dev, st.Ino+1), f, Console},
		{"garbage", f, Console},
		{here, &bytes.Buffer{}, Console},
	} {
		t.Setenv("JOURNAL_STREAM", tc.env)
		var got Format
		switch w := tc.w.(type) {
		case *os.File:
			got = Detect(w)
		case *bytes.Buffer:
			got = Detect(w)
		}
		if got != tc.want {
			t.Errorf("JOURNAL_STREAM=%q on %T: %s, want %s", tc.env, tc.w, got, tc.want)
		}
	}
}

func zapString(k, v string) zapcore.Field {
	return zapcore.Field{Key: k, Type: zapcore.StringType, String: v}
}
