// Package metrics holds Outpost's Prometheus metrics: what the sync
// service, the store and the HTTP server report, and the Go runtime's,
// exposed in the Prometheus text format by Handler.
//
// It uses prometheus/client_golang, the ecosystem's standard (already in
// the module graph through toxiproxy, so it adds no dependency): its
// registry checks names and label sets, and its Go and process collectors
// give the runtime figures an operator expects.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	outsync "outpost/server/sync"
)

// Metrics is one server's metrics. The zero value is not usable: New.
type Metrics struct {
	Registry *prometheus.Registry

	mutations   *prometheus.CounterVec
	apply       prometheus.Histogram
	pushes      prometheus.Counter
	pushAck     prometheus.Histogram
	pullPages   prometheus.Counter
	pullChanges prometheus.Counter
	pullBytes   prometheus.Counter
	batch       prometheus.Histogram
	sla         *prometheus.CounterVec
	logins      *prometheus.CounterVec
	requests    *prometheus.CounterVec
	backups     *prometheus.CounterVec
	lastBackup  prometheus.Gauge
}

var _ outsync.Observer = (*Metrics)(nil)

// latency buckets, in seconds: 0.5 ms to 10 s.
var latency = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics, registered with a new registry together with
// the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		mutations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outpost_mutations_total",
			Help: "Mutations handled, by name and result: applied, rejected (bad input, not allowed) or duplicate (a resend, answered again).",
		}, []string{"name", "result"}),
		apply: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "outpost_mutation_apply_seconds",
			Help:    "Time to apply one mutation: its transaction, group commit and disk sync included.",
			Buckets: latency,
		}),
		pushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outpost_pushes_total",
			Help: "Push messages received over websockets.",
		}),
		pushAck: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "outpost_push_ack_seconds",
			Help:    "Time from reading a push to writing its acknowledgement.",
			Buckets: latency,
		}),
		pullPages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outpost_pull_pages_total",
			Help: "Pages of changes served to pulls.",
		}),
		pullChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outpost_pull_changes_total",
			Help: "Changes (records and removals) served to pulls.",
		}),
		pullBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outpost_pull_bytes_total",
			Help: "Bytes of record data served to pulls, before compression.",
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "outpost_store_commit_batch_size",
			Help:    "Updates committed together by one group commit (one disk sync).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		sla: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outpost_sla_marks_total",
			Help: "SLA warnings and breaches recorded on tickets, by timer (first_response, resolution) and mark (warned, breached).",
		}, []string{"timer", "mark"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outpost_logins_total",
			Help: "Sign-in attempts by result: ok, failed (bad credentials or input), locked_out (refused: too many failures), refused (a disabled account, another site's page), error.",
		}, []string{"result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outpost_http_requests_total",
			Help: "HTTP requests by route and status class (2xx, 3xx, 4xx, 5xx; 101 for websocket upgrades).",
		}, []string{"route", "code"}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outpost_backups_total",
			Help: "Backups served over the admin socket, by result (ok, failed).",
		}, []string{"result"}),
		lastBackup: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "outpost_backup_last_success_timestamp_seconds",
			Help: "When the last backup was fully sent (Unix seconds; 0: none since the server started). Alert when it is too old.",
		}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.mutations, m.apply, m.pushes, m.pushAck, m.pullPages, m.pullChanges, m.pullBytes,
		m.batch, m.sla, m.logins, m.requests, m.backups, m.lastBackup,
	)
	m.backups.WithLabelValues("ok")
	m.backups.WithLabelValues("failed")
	for _, r := range []string{"ok", "failed", "locked_out", "refused", "error"} {
		m.logins.WithLabelValues(r) // present at 0, so rate() and alerts see them from the start
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Mutation implements outsync.Observer.
func (m *Metrics) Mutation(name, result string, took time.Duration) {
	m.mutations.WithLabelValues(name, result).Inc()
	if result != outsync.ResultDuplicate {
		m.apply.Observe(took.Seconds())
	}
}

// Pulled implements outsync.Observer.
func (m *Metrics) Pulled(changes, bytes int) {
	m.pullPages.Inc()
	m.pullChanges.Add(float64(changes))
	m.pullBytes.Add(float64(bytes))
}

// SLAMark implements outsync.Observer.
func (m *Metrics) SLAMark(timer, mark string) { m.sla.WithLabelValues(timer, mark).Inc() }

// Batch records the size of one group commit (badger.WithBatchObserver).
func (m *Metrics) Batch(updates int) { m.batch.Observe(float64(updates)) }

// Push records one push and the time until its acknowledgement was written.
func (m *Metrics) Push(took time.Duration) {
	m.pushes.Inc()
	m.pushAck.Observe(took.Seconds())
}

// Login records a sign-in attempt's result.
func (m *Metrics) Login(result string) { m.logins.WithLabelValues(result).Inc() }

// Request records an HTTP request: route is the pattern that served it
// (never the raw path, whose values are unbounded), status its status code.
func (m *Metrics) Request(route string, status int) {
	code := "5xx"
	switch {
	case status == http.StatusSwitchingProtocols:
		code = "101"
	case status < 300:
		code = "2xx"
	case status < 400:
		code = "3xx"
	case status < 500:
		code = "4xx"
	}
	m.requests.WithLabelValues(route, code).Inc()
}

// StoreSize reports size() as the store's bytes on disk.
func (m *Metrics) StoreSize(size func() int64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "outpost_store_bytes",
		Help: "Bytes the store takes on disk (Badger: LSM tree and value log, measured every minute).",
	}, func() float64 { return float64(size()) }))
}

// Sockets reports count() as the open websockets by role (requester,
// agent, admin, kiosk, or anonymous when signed out).
func (m *Metrics) Sockets(count func() map[string]int) {
	m.Registry.MustRegister(&socketCollector{count: count})
}

var socketDesc = prometheus.NewDesc("outpost_websockets_open", "Open sync websockets by the role of the signed-in user (anonymous: signed out).", []string{"role"}, nil)

// Roles are the role label values of outpost_websockets_open, each always
// present.
var Roles = []string{"anonymous", "requester", "agent", "admin", "kiosk"}

type socketCollector struct{ count func() map[string]int }

func (c *socketCollector) Describe(ch chan<- *prometheus.Desc) { ch <- socketDesc }

func (c *socketCollector) Collect(ch chan<- prometheus.Metric) {
	n := c.count()
	for _, r := range Roles {
		ch <- prometheus.MustNewConstMetric(socketDesc, prometheus.GaugeValue, float64(n[r]), r)
	}
}

// Backup records a backup served: ok, and when it ended.
func (m *Metrics) Backup(ok bool, at time.Time) {
	if !ok {
		m.backups.WithLabelValues("failed").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
	m.lastBackup.Set(float64(at.Unix()))
}
