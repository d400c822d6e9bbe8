package server

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// logFlags are `outpost serve`'s logging flags: text (logfmt) or JSON
// lines, and the lowest level written (debug adds probes, scrapes and
// each applied mutation).
type logFlags struct {
	format, level string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	l.format, l.level = envOr("OUTPOST_LOG_FORMAT", "text"), envOr("OUTPOST_LOG_LEVEL", "info")
	fs.StringVar(&l.format, "log-format", l.format, "log lines as text (key=value) or json (env OUTPOST_LOG_FORMAT)")
	fs.StringVar(&l.level, "log-level", l.level, "lowest level logged: debug, info, warn or error (env OUTPOST_LOG_LEVEL)")
}

// logger returns the logger the flags ask for, writing to w.
func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", l.format)
}
