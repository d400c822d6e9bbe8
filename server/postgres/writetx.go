package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/store"
	"outpost/shared"
)

// The write transaction keeps its writes on the node until the commit.
//
// A round trip to PostgreSQL costs far more than the statement it carries,
// and a mutation used to make four, one after another (its client's last
// sequence, "is this ID free", the record, the sequence). So wtx reads what
// the batch's Updates said they would read (store.Keys) in the round trip
// that takes the log lock, remembers every row it reads or writes, answers
// reads from that memory (its own writes first: a function sees what it
// wrote), and sends the writes at the commit, one statement per table for
// the whole batch, pipelined with the head, the notification and COMMIT.
// A batch then costs two round trips however many mutations it carries,
// plus one for each read nobody announced.
//
// Since nothing is written before the commit, a function that fails is
// undone in memory (its entries restored from a journal) and the batch goes
// on without it. Each is the one read that cannot be answered from memory:
// it flushes the writes first, and a function failing after a flush rolls
// the transaction back and the batch runs again without it (commit.go).

// row is what the transaction knows of a row: as read, or as written.
type row struct {
	present bool   // the record is live / the data exists
	data    []byte // nil when !present
	exp     int64  // local: expires_at, Unix ms, 0 = never
	seq     int64  // clients: last sequence
	version int64  // records: the version written (dirty only)
	dirty   bool   // written by this transaction, not flushed yet
}

type table int

const (
	tRecords table = iota
	tClients
	tLocal
)

// undo is a journal entry: the row as it was before a write.
type undo struct {
	t   table
	k   store.Key
	old row
	had bool
}

// wtx is a store.Tx on the writer's connection, inside the transaction
// runBatch opened.
type wtx struct {
	ctx     context.Context
	conn    *pgx.Conn
	now     time.Time
	head    uint64
	rows    [3]map[store.Key]row
	journal []undo
	flushes int // how many times writes went to PostgreSQL before the commit
}

func newWtx(ctx context.Context, conn *pgx.Conn, head uint64) *wtx {
	t := &wtx{ctx: ctx, conn: conn, head: head}
	for i := range t.rows {
		t.rows[i] = map[store.Key]row{}
	}
	return t
}

// mark is where a function's effects start.
type mark struct {
	journal, flushes int
	head             uint64
}

func (t *wtx) mark() mark { return mark{len(t.journal), t.flushes, t.head} }

// undoTo forgets the writes made since m. It reports false if some of them
// reached PostgreSQL already: then only a rollback undoes them.
func (t *wtx) undoTo(m mark) bool {
	if t.flushes != m.flushes {
		return false
	}
	for i := len(t.journal) - 1; i >= m.journal; i-- {
		u := t.journal[i]
		if u.had {
			t.rows[u.t][u.k] = u.old
		} else {
			delete(t.rows[u.t], u.k)
		}
	}
	t.journal = t.journal[:m.journal]
	t.head = m.head
	return true
}

func (t *wtx) write(tb table, k store.Key, r row) {
	old, had := t.rows[tb][k]
	t.journal = append(t.journal, undo{tb, k, old, had})
	r.dirty = true
	t.rows[tb][k] = r
}

// lookup returns what the transaction knows of a row, reading it from
// PostgreSQL (and remembering it) if nothing yet.
func (t *wtx) lookup(tb table, k store.Key) (row, error) {
	if r, ok := t.rows[tb][k]; ok {
		return r, nil
	}
	var r row
	var err error
	switch tb {
	case tRecords:
		var deleted bool
		err = t.conn.QueryRow(t.ctx, "SELECT deleted, data FROM records WHERE typ = $1 AND id = $2", k.A, k.B).Scan(&deleted, &r.data)
		r.present = err == nil && !deleted
	case tClients:
		err = t.conn.QueryRow(t.ctx, "SELECT seq FROM clients WHERE id = $1", k.B).Scan(&r.seq)
		r.present = err == nil
	case tLocal:
		err = t.conn.QueryRow(t.ctx, "SELECT data, expires_at FROM local WHERE kind = $1 AND key = $2", k.A, k.B).Scan(&r.data, &r.exp)
		r.present = err == nil
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.flushes++ // the transaction may be aborted: only a rollback undoes now
		return row{}, err
	}
	if !r.present {
		r.data = nil
	}
	t.rows[tb][k] = r
	return r, nil
}

// prefetch queues on b one statement that reads the head and the rows of
// keys (with duplicates); read takes its answer into the transaction's
// memory and returns the head. One statement, not one per table: under
// READ COMMITTED its one snapshot is taken after the log lock (the
// statement before it), as the head read's was alone.
func prefetch(b *pgx.Batch, keys store.Keys) (read func(pgx.BatchResults, *wtx) (head uint64, err error)) {
	// A key PostgreSQL would refuse (not UTF-8, a NUL) would fail the
	// whole batch: leave it to the read, which refuses it alone.
	var ids []string
	for _, id := range uniq(keys.Clients) {
		if checkKey("client", "c", id) == nil {
			ids = append(ids, id)
		}
	}
	valid := func(ks []store.Key) (as, bs []string, kept []store.Key) {
		kept = slices.DeleteFunc(uniq(ks), func(k store.Key) bool { return checkKey("", k.A, k.B) != nil })
		as, bs = make([]string, len(kept)), make([]string, len(kept))
		for i, k := range kept {
			as[i], bs[i] = k.A, k.B
		}
		return as, bs, kept
	}
	rtyp, rid, recs := valid(keys.Records)
	lkind, lkey, locs := valid(keys.Local)
	// Every row in one shape: which table, its key, present, data, and a
	// number (the head's version, a client's sequence, a local row's expiry).
	// One primary-key lookup per key (LATERAL … LIMIT 1 is not flattened
	// into a join): written as "(typ, id) IN (unnest …)" or "id = ANY",
	// the prepared statement's generic plan, made while the tables were
	// small, scanned the whole table at every batch ever after, and a
	// growing portal spent most of PostgreSQL's CPU there.
	sql := "SELECT 0, '', '', true, NULL::bytea, version FROM outpost_head"
	var args []any
	if len(ids) > 0 {
		args = append(args, ids)
		sql += fmt.Sprintf(`
UNION ALL SELECT %d, '', c.id, true, NULL, c.seq FROM unnest($%d::text[]) AS k(a)
	CROSS JOIN LATERAL (SELECT id, seq FROM clients WHERE id = k.a LIMIT 1) c`, 1+tClients, len(args))
	}
	if len(recs) > 0 {
		args = append(args, rtyp, rid)
		sql += fmt.Sprintf(`
UNION ALL SELECT %d, r.typ, r.id, NOT r.deleted, r.data, 0 FROM unnest($%d::text[], $%d::text[]) AS k(a, b)
	CROSS JOIN LATERAL (SELECT typ, id, deleted, data FROM records WHERE typ = k.a AND id = k.b LIMIT 1) r`, 1+tRecords, len(args)-1, len(args))
	}
	if len(locs) > 0 {
		args = append(args, lkind, lkey)
		sql += fmt.Sprintf(`
UNION ALL SELECT %d, l.kind, l.key, true, l.data, l.expires_at FROM unnest($%d::text[], $%d::text[]) AS k(a, b)
	CROSS JOIN LATERAL (SELECT kind, key, data, expires_at FROM local WHERE kind = k.a AND key = k.b LIMIT 1) l`, 1+tLocal, len(args)-1, len(args))
	}
	b.Queue(sql, args...)
	return func(br pgx.BatchResults, t *wtx) (uint64, error) {
		// What is not found is known absent.
		for _, id := range ids {
			t.rows[tClients][store.Key{B: id}] = row{}
		}
		for _, k := range recs {
			t.rows[tRecords][k] = row{}
		}
		for _, k := range locs {
			t.rows[tLocal][k] = row{}
		}
		var head int64
		heads := 0
		var which int
		var k store.Key
		var present bool
		var data []byte
		var n int64
		rows, _ := br.Query()
		_, err := pgx.ForEachRow(rows, []any{&which, &k.A, &k.B, &present, &data, &n}, func() error {
			switch which {
			case 0:
				head, heads = n, heads+1
			case 1 + int(tClients):
				t.rows[tClients][k] = row{present: true, seq: n}
			case 1 + int(tRecords):
				r := row{present: present}
				if present {
					r.data = data
				}
				t.rows[tRecords][k] = r
			case 1 + int(tLocal):
				t.rows[tLocal][k] = row{present: true, data: data, exp: n}
			}
			data = nil // each row's own bytes: the next Scan must not reuse them
			return nil
		})
		if err == nil && heads != 1 {
			err = fmt.Errorf("%d change-log heads", heads)
		}
		if err != nil {
			return 0, fmt.Errorf("read the head and ahead: %w", err)
		}
		return uint64(head), nil
	}
}

// uniq returns s without duplicates.
func uniq[K comparable](s []K) []K {
	seen := make(map[K]bool, len(s))
	out := make([]K, 0, len(s))
	for _, k := range s {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// writes is one statement carrying every write of a batch, as
// data-modifying WITH parts: PostgreSQL parses, plans and answers one
// statement instead of one per table. Each part names its own parameters.
type writes struct {
	parts []string
	args  []any
}

// add appends a part; its SQL numbers its parameters from $1, renumbered
// here after those of the parts before.
func (w *writes) add(sql string, args ...any) {
	w.parts, w.args = append(w.parts, renumber(sql, len(w.args))), append(w.args, args...)
}

// renumber adds base to every parameter number ($n) in sql.
func renumber(sql string, base int) string {
	if base == 0 {
		return sql
	}
	var out strings.Builder
	for i := 0; i < len(sql); i++ {
		out.WriteByte(sql[i])
		if sql[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(sql) && '0' <= sql[j] && sql[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(sql[i+1 : j]); err == nil {
			out.WriteString(strconv.Itoa(base + n))
			i = j - 1
		}
	}
	return out.String()
}

// queue puts the statement on b, if there is anything to write, with
// final (which may be "") as its last part: it reads the others' effects
// no more than they read each other's, so final is only the notification.
func (w *writes) queue(b *pgx.Batch, final string, args ...any) {
	if final != "" {
		final = renumber(final, len(w.args))
		w.args = append(w.args, args...)
	}
	switch {
	case len(w.parts) == 0 && final == "":
		return
	case len(w.parts) == 0:
		b.Queue(final, w.args...)
		return
	case final == "":
		final = "SELECT 1"
	}
	var q strings.Builder
	for i, p := range w.parts {
		if i == 0 {
			q.WriteString("WITH ")
		} else {
			q.WriteString(",\n")
		}
		fmt.Fprintf(&q, "w%d AS (%s)", i, p)
	}
	q.WriteString("\n")
	q.WriteString(final)
	b.Queue(q.String(), w.args...)
}

// writes returns the transaction's unflushed writes: one part per table,
// each row once, at its last value (a record's row holds its latest
// version only, so the intermediate ones would be overwritten anyway). It
// marks them flushed.
//
// One statement holds them all. The parts touch distinct rows (each key
// once per table; the scope rows of the new versions, which the records
// trigger never deletes: it drops the old versions' rows, at the end of
// the statement, and a new version is above every old one).
func (t *wtx) writes() *writes {
	var rt, rid, lk, lkey, dk, dkey, cid []string
	var rv, lexp, cseq []int64
	var rdel []bool
	var rdata, ldata [][]byte
	for k, r := range t.rows[tRecords] {
		if r.dirty {
			rt, rid, rv, rdel = append(rt, k.A), append(rid, k.B), append(rv, r.version), append(rdel, !r.present)
			rdata = append(rdata, cmpData(r.data))
			r.dirty = false
			t.rows[tRecords][k] = r
		}
	}
	for k, r := range t.rows[tClients] {
		if r.dirty {
			cid, cseq = append(cid, k.B), append(cseq, r.seq)
			r.dirty = false
			t.rows[tClients][k] = r
		}
	}
	for k, r := range t.rows[tLocal] {
		if !r.dirty {
			continue
		}
		if r.present {
			lk, lkey, ldata, lexp = append(lk, k.A), append(lkey, k.B), append(ldata, cmpData(r.data)), append(lexp, r.exp)
		} else {
			dk, dkey = append(dk, k.A), append(dkey, k.B)
		}
		r.dirty = false
		t.rows[tLocal][k] = r
	}
	w := &writes{}
	if len(rt) > 0 {
		w.add(`INSERT INTO records (typ, id, version, deleted, data)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bool[], $5::bytea[])
			ON CONFLICT (typ, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, data = excluded.data`,
			rt, rid, rv, rdel, rdata)
		addIndex(w, rt, rv, rdel, rdata) // scope.go
	}
	if len(cid) > 0 {
		w.add(`INSERT INTO clients (id, seq) SELECT * FROM unnest($1::text[], $2::bigint[])
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq`, cid, cseq)
	}
	if len(lk) > 0 {
		w.add(`INSERT INTO local (kind, key, data, expires_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[])
			ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`, lk, lkey, ldata, lexp)
	}
	if len(dk) > 0 {
		w.add(`DELETE FROM local WHERE (kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, dk, dkey)
	}
	return w
}

// cmpData is data as a column holds it: never NULL.
func cmpData(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// flush sends the unflushed writes now, inside the transaction.
func (t *wtx) flush() error {
	b := &pgx.Batch{}
	t.writes().queue(b, "")
	if b.Len() == 0 {
		return nil
	}
	t.flushes++ // from here on, a failure is undone by a rollback only
	if err := t.conn.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("write to PostgreSQL: %w", err)
	}
	return nil
}

var _ store.Tx = (*wtx)(nil)

func (t *wtx) Get(typ, id string) ([]byte, error) {
	if err := checkKey("record", typ, id); err != nil {
		return nil, err
	}
	r, err := t.lookup(tRecords, store.Key{A: typ, B: id})
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", typ, id, err)
	}
	if !r.present {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", typ, id)
	}
	return slices.Clone(cmpData(r.data)), nil
}

func (t *wtx) Each(typ string, fn func(id string, data []byte) error) error {
	if err := t.flush(); err != nil {
		return err
	}
	t.flushes++ // a failed query aborts the transaction: only a rollback undoes then
	return (&txn{ctx: t.ctx, q: t.conn}).Each(typ, fn)
}

// EachIn implements store.ReadTx, like Each: after the writes so far.
func (t *wtx) EachIn(scope string, fn func(typ, id string, data []byte) error) error {
	if err := t.flush(); err != nil {
		return err
	}
	t.flushes++
	return (&txn{ctx: t.ctx, q: t.conn}).EachIn(scope, fn)
}

func (t *wtx) LastSeq(clientID string) (uint64, error) {
	if err := checkKey("client", "c", clientID); err != nil {
		return 0, err
	}
	r, err := t.lookup(tClients, store.Key{B: clientID})
	if err != nil {
		return 0, fmt.Errorf("get the last sequence of %s: %w", clientID, err)
	}
	return uint64(r.seq), nil
}

func (t *wtx) Version() (uint64, error) { return t.head, nil }

func (t *wtx) GetLocal(kind, key string) ([]byte, error) {
	if err := checkKey("local", kind, key); err != nil {
		return nil, err
	}
	r, err := t.lookup(tLocal, store.Key{A: kind, B: key})
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", kind, key, err)
	}
	if !r.present || r.exp != 0 && t.now.UnixMilli() >= r.exp {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", kind, key)
	}
	return slices.Clone(cmpData(r.data)), nil
}

func (t *wtx) Put(typ, id string, data []byte) (uint64, error) {
	if err := checkKey("record", typ, id); err != nil {
		return 0, err
	}
	t.head++
	t.write(tRecords, store.Key{A: typ, B: id}, row{present: true, data: slices.Clone(cmpData(data)), version: int64(t.head)})
	return t.head, nil
}

func (t *wtx) Delete(typ, id string) error {
	if err := checkKey("record", typ, id); err != nil {
		return err
	}
	k := store.Key{A: typ, B: id}
	r, err := t.lookup(tRecords, k)
	if err != nil {
		return fmt.Errorf("delete %s/%s: %w", typ, id, err)
	}
	if !r.present {
		return nil
	}
	t.head++
	t.write(tRecords, k, row{version: int64(t.head)})
	return nil
}

func (t *wtx) SetLastSeq(clientID string, seq uint64) error {
	if err := checkKey("client", "c", clientID); err != nil {
		return err
	}
	t.write(tClients, store.Key{B: clientID}, row{present: true, seq: int64(seq)})
	return nil
}

func (t *wtx) PutLocal(kind, key string, data []byte, expires time.Time) error {
	if err := checkKey("local", kind, key); err != nil {
		return err
	}
	var exp int64
	if !expires.IsZero() {
		exp = max(expires.UnixMilli(), 1)
	}
	t.write(tLocal, store.Key{A: kind, B: key}, row{present: true, data: slices.Clone(cmpData(data)), exp: exp})
	return nil
}

func (t *wtx) DeleteLocal(kind, key string) error {
	if err := checkKey("local", kind, key); err != nil {
		return err
	}
	t.write(tLocal, store.Key{A: kind, B: key}, row{})
	return nil
}
