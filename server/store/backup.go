package store

// Optional interfaces a Store may implement for the operator's tools. The
// server checks for them with a type assertion; a store without one simply
// lacks that feature.

// Sizer is a store that knows the bytes it takes on disk (the metric
// outpost_store_bytes).
type Sizer interface {
	DiskSize() int64
}
