package logging

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestPrefixesAndLevel(t *testing.T) {
	var buf bytes.Buffer
	log, atom, err := New(&buf, "info")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("started", zapString("chip", "sx1302"))
	log.Warn("careful")
	log.Error("broken")
	atom.SetLevel(zapcore.DebugLevel)
	log.Debug("now shown")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{"<6>info\tstarted\t{\"chip\": \"sx1302\"}", "<4>warn\tcareful", "<3>error\tbroken", "<7>debug\tnow shown"}
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

func zapString(k, v string) zapcore.Field {
	return zapcore.Field{Key: k, Type: zapcore.StringType, String: v}
}
